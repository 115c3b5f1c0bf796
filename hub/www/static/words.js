/*
 * words.js: sentences for what the hub and the sites write in English (window.mmWords).
 *
 * The hub's C code writes each finding's message, and each refusal's, in English; a site writes
 * its own texts in English too (a standards version's summary, why a camera stopped recording,
 * what the edge did by itself in a disclosure). The dashboard shows these in Japanese: a finding
 * from its kind, its evidence and the site's record (the numbers the message quotes are the
 * record's: a camera's coverage, a day's recording, a grant's end); a refusal from its code; a
 * site's text from the shapes the edge writes (edge/ingest.c, edge/ops_*.c), and, when it is
 * none of those, a Japanese word for what it is about rather than the English. In English every
 * one of them is the original, as the hub or the site wrote it (the English tables hold
 * "{message}" and "{text}").
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const L = I.label;
  const mm = window.mm;

  const ja = () => I.lang() === 'ja';

  function camera(rec, id) {
    return (rec && rec.cameras && rec.cameras[id]) || null;
  }

  function filedVersion(rec) {
    let n = 0;
    for (const f of (rec && rec.filings) || [])
      if ((f.kind === 'initial' || f.kind === 'change') && f.version > n) n = f.version;
    return n;
  }

  function requestKind(rec, id) {
    const all = (rec && rec.requests) || {};
    const q = Array.isArray(all) ? all.find((x) => x.id === id) : all[id];
    return q && q.kind ? L('req.kind', q.kind) : t('tab.requests');
  }

  /* Sentences of findings that a feature's own file builds (addFinding below): kind ->
   * fn(finding, ctx). */
  const builders = {};

  function addFinding(kind, fn)
  {
      builders[kind] = fn;
  }

  /* The Japanese sentence of finding f (ctx: {rec, info}: the site's record and its entry of
   * /api/v1/sites, either may be missing). */
  function findingJa(f, ctx) {
      if (builders[f.kind])
          return builders[f.kind](f, ctx);
      const ev = f.evidence || {};
      const rec = ctx && ctx.rec;
      const key = 'fmsg.' + f.kind;
      const p = {message : f.message || ''};
      switch (f.kind) {
      case 'unknown_peer':
        p.address = ev.address || '—';
        break;
      case 'bad_signature':
      case 'fork':
        if (f.kind === 'fork' && ev.index !== undefined) return t('fmsg.fork_entry', { index: ev.index });
        p.size = ev.size !== undefined ? ev.size : '—';
        break;
      case 'malformed_entry':
        p.index = ev.index !== undefined ? ev.index : '—';
        break;
      case 'root_mismatch':
        p.a = ev.first_index !== undefined ? ev.first_index : '—';
        p.b = ev.checkpoint_size !== undefined ? ev.checkpoint_size - 1 : '—';
        break;
      case 'operator_is_manager':
        p.person = f.dedupe || (rec && rec.facts && rec.facts.manager) || '—';
        break;
      case 'retention_below_floor':
      case 'retention_above_registered': {
        const fa = (rec && rec.facts) || {};
        p.days = fa.retention_days !== undefined ? fa.retention_days : '—';
        p.floor = fa.floor_days !== undefined ? fa.floor_days : '—';
        p.reg = fa.registered_retention_days !== undefined ? fa.registered_retention_days : '—';
        break;
      }
      case 'coverage_missing':
      case 'camera_unregistered':
      case 'signage_missing':
        p.camera = ev.camera || f.dedupe || '—';
        break;
      case 'coverage_below_threshold': {
        p.camera = ev.camera || f.dedupe || '—';
        const cov = (camera(rec, p.camera) || {}).coverage;
        p.share = cov ? mm.fmtPercent(cov.share_ppm / 1e6) : '—';
        p.need = t(cov && cov.exception ? 'fmsg.coverage_need_exception' : 'fmsg.coverage_need');
        break;
      }
      case 'uptime_below_24h': {
        p.camera = ev.camera || '—';
        p.day = ev.day || '—';
        const u = ((camera(rec, p.camera) || {}).uptime || {})[p.day];
        if (!u) return t('fmsg.uptime_below_24h_short', p);
        p.hours = (Number(u.recorded_us) / 3.6e9).toFixed(1);
        p.gaps = u.gaps || 0;
        break;
      }
      case 'camera_retired_early': {
        p.camera = ev.camera || f.dedupe || '—';
        const c = camera(rec, p.camera) || {};
        p.installed = (c.facts && c.facts.install_date) || '—';
        const from = Date.parse(p.installed + 'T00:00:00+09:00');
        p.years = isFinite(from) && c.state_time_us ? ((c.state_time_us / 1000 - from) / (365.25 * 86400000)).toFixed(1) : '—';
        break;
      }
      case 'emergency_report_open': {
        p.grant = ev.grant || f.dedupe || '—';
        const g = (rec && rec.grants && rec.grants[p.grant]) || {};
        p.person = g.person || '—';
        p.ended = mm.fmtTime(g.until_us);
        break;
      }
      case 'site_silent': {
        const unix = ctx && ctx.info && ctx.info.last_checkpoint_unix;
        p.age = unix ? mm.fmtAge(Date.now() / 1000 - unix) : t('ov.never');
        break;
      }
      case 'filing_overdue': {
        p.v = (rec && rec.standards && rec.standards.version) || '—';
        const n = filedVersion(rec);
        p.filed = n ? t('fmsg.filing_overdue_filed', { n }) : t('fmsg.filing_overdue_none');
        break;
      }
      case 'request_overdue':
        if (ev.complaint) return t('fmsg.site_complaint_overdue', { complaint: ev.complaint });
        p.request = ev.request || f.dedupe || '—';
        p.kind = requestKind(rec, p.request);
        return t(ev.entries && ev.entries.length ? 'fmsg.request_overdue' : 'fmsg.request_overdue_never', p);
      case 'document_mismatch':
        p.version = ev.version !== undefined ? ev.version : '—';
        break;
      case 'hold_past_expiry':
        p.camera = ev.camera || '—';
        p.hold = ev.hold || f.dedupe || '—';
        break;
      case 'retention_outside_city_rule': /* policies.js, where the city's rules are shown */
        return window.mmPolicies ? window.mmPolicies.findingJa(f, rec) : t('fmsg.unknown');
      default:
        break;
    }
    const s = t(key, p);
    return s === key ? t('fmsg.unknown') : s;
  }

  function finding(f, ctx) {
    return ja() ? findingJa(f, ctx) : f.message || '';
  }

  /* What a refusal of the hub ({status, code, message}) says: in Japanese what its code means
   * (and the field it names), in English the hub's own message. */
  function refusalWhy(e) {
    const vars = { message: e.message || '', status: e.status, code: e.code };
    let s = t('code.' + e.code, vars);
    if (s === 'code.' + e.code) s = t('code.status.' + e.status, vars);
    if (s === 'code.status.' + e.status) s = t('code.other', vars);
    /* In Japanese, the field the hub's message names ("reason", "place", ...), by its label. */
    const m = /"(\w+)"/.exec(e.message || '');
    const field = m && ja() ? t('field.' + m[1]) : null;
    if (field && field !== 'field.' + m[1]) s += t('code.field', { field });
    return s;
  }

  /* The refusal with its status: "ハブが受け付けませんでした（409）: ...". */
  function refusal(e) {
    return `${t('err.refused_status', { status: e.status, code: e.code })}: ${refusalWhy(e)}`;
  }

  /* A standards version's summary, as the edge writes them (edge/ops_standards.c,
   * ops_people.c, ops_cameras.c). */
  function summary(text) {
    if (!text || !ja()) return text || '';
    let m;
    if (text === 'first version of the standards') return t('sum.first', { text });
    if (text === 'configuration changed') return t('sum.config', { text });
    if ((m = /^operator (\S+) (designated|revoked) by (\S+)$/.exec(text)))
      return t('sum.operator_' + m[2], { p: m[1], by: m[3], text });
    if ((m = /^camera (\S+) (suspended|resumed|abolished|recording) by (\S+)$/.exec(text)))
      return t('sum.camera_' + (m[2] === 'recording' ? 'resumed' : m[2]), { c: m[1], by: m[3], text });
    return t('sum.other', { text });
  }

  /* Why a camera did not record, as the edge writes it (edge/ingest.c, edge/app.c). */
  function gap(text) {
    if (!text || !ja()) return text || '';
    let m;
    if ((m = /^no frames from the camera for ([\d.]+) s/.exec(text))) return t('gap.no_frames', { s: m[1], text });
    const known = [
      ['disk full: writing stopped', 'gap.disk_full'], ['cannot write', 'gap.cannot_write'],
      ['camera unreachable', 'gap.unreachable'], ['camera sends no H.264', 'gap.no_video'],
      ['connection to the camera lost', 'gap.lost'], ['camera suspended', 'gap.suspended'],
      ['camera abolished', 'gap.abolished'], ['stopped: disk full', 'gap.stopped'],
      ['the edge was not recording', 'gap.not_recording'],
    ];
    for (const [prefix, key] of known) if (text.startsWith(prefix)) return t(key, { text });
    return t('gap.other', { text });
  }

  /* Who acted at the site: the person (or account) and their role. */
  function who(b) {
    const name = b.person || (b.account ? t('e.account', { a: b.account }) : '—');
    return b.role ? t('e.by_role', { who: name, role: L('role', b.role) }) : name;
  }

  /* Who took a step: a person's id as it is, the hub or a site by name. */
  function actor(by) {
    if (!by) return '';
    if (by === 'hub') return t('actor.hub');
    const m = /^site:(.+)$/.exec(by);
    return m ? t('actor.site', { id: m[1] }) : by;
  }

  /* A role in the hub's log: the city's people's, or the hub's and a site's own. */
  function hubRole(role) {
    return L('hrole', role);
  }

  /* A disclosure step's text: a person's words as they are; what the edge or the hub wrote
   * itself (edge/disclosure_*.c), in Japanese. */
  function stepText(step, text, by) {
    if (!text || !ja()) return text || '';
    let m;
    if ((m = /^(\d+) files, (\d+) bytes before encryption$/.exec(text)))
      return t('dtext.exported', { files: m[1], bytes: mm.fmtBytes(Number(m[2])), text });
    if ((m = /^the hub holds the export, (\d+) bytes$/.exec(text)))
      return t('dtext.delivered', { bytes: mm.fmtBytes(Number(m[1])), text });
    if (by && by !== 'hub' && !/^site:/.test(by)) return text;
    if (step === 'expired') return t('dtext.expired', { text });
    if (step === 'downloaded') return t('dtext.downloaded', { text });
    return t('dtext.by_edge');
  }

  /* A text the edge wrote itself for a disclosure step (a site-log entry). */
  function disclosureText(b) {
    return stepText(b.step, b.text, b.by || 'site:');
  }

  /* What a notice is about ("filing/16", "measure/2"), in words. */
  function subject(s) {
    const m = /^(filing|measure|complaint|request|disclosure)\/(.+)$/.exec(s || '');
    return m ? t('subject.' + m[1], { id: m[2] }) : s || '';
  }

  /* Why a hold was placed or released, as the edge writes it for a disclosure's holds
   * (edge/disclosure_receipt.c) and for the site holds it ends (edge/siteholds.c); a person's own
   * words as they are. */
  function holdReason(text) {
    if (!text || !ja()) return text || '';
    let m;
    if (text === 'expired') return t('hold.released_for.expiry', { text });
    if ((m = /^superseded by disclosure request (\S+)$/.exec(text))) return t('hold.superseded', { id: m[1], text });
    if ((m = /^disclosure request (\S+) \((\w*)(?:: (.*))?\)$/.exec(text)))
      return t('hold.placed_for', { id: m[1], basis: L('basis', m[2]), ref: m[3] || '—', text });
    if ((m = /^disclosure request (\S+) (expired|denied|released)$/.exec(text)))
      return t('hold.released_for.' + m[2], { id: m[1], text });
    return text;
  }

  /* One line about a site-log entry, in the page's language (dashboard.js, the log and the
   * feed). A kind this page does not know shows its name only; its content is in the entry. */
  function entry(e) {
    const { fmtTime, fmtClock, fmtBytes, fmtPercent } = mm;
    const type = e && e.type;
    const b = (e && e[type]) || {};
    const cam = b.camera ? b.camera + ' ' : '';
    const extra = window.mmEntryLines && window.mmEntryLines[type];
    if (extra) return extra(b);
    switch (type) {
      case 'segment_recorded':
        return `${cam}${fmtTime(b.start_us)} – ${fmtClock(Math.floor(b.end_us / 1000))}, ` +
          `${t('e.frames', { n: b.frames })}, ${fmtBytes(b.bytes)} ${L('codec', b.codec || '')}` +
          `${b.recovered ? '（' + t('e.recovered') + '）' : ''}`;
      case 'camera_gap':
        return `${cam}${fmtTime(b.start_us)} – ${fmtTime(b.end_us)} ${gap(b.reason)}`;
      case 'camera_uptime':
        return `${cam}${fmtTime(b.hour_start_us)}: ${t('e.minutes', { n: (b.recorded_us / 6e7).toFixed(1) })}` +
          (b.gaps ? `, ${t('e.gaps', { n: b.gaps })}` : '');
      case 'segments_erased':
        return `${cam}${t('e.segments_erased', { n: b.count, bytes: fmtBytes(b.bytes) })} ` +
          `${L('erase', b.reason || '')} ${b.hold_id || ''}`;
      case 'hold_placed':
        return `${b.hold_id} ${cam}${fmtTime(b.start_us)} – ${fmtTime(b.end_us)} ${holdReason(b.reason)}`;
      case 'hold_released':
        return `${b.hold_id} ${holdReason(b.reason)}`;
      case 'storage_alarm':
        return `${L('alarm', b.state)} ${cam}${ja() ? '' : b.message || ''}`;
      case 'camera_coverage':
        return `${cam}${fmtPercent(b.share_ppm / 1e6)}（${L('policy', b.policy || '')}）`;
      case 'access':
        /* The site's reason for a refusal is its own English: shown in English only. */
        return `${who(b)} ${L('access', b.action)}${b.camera ? ' ' + b.camera : ''}: ` +
          `${t(b.allowed ? 'e.allowed' : 'e.refused')}${b.reason && !ja() ? ' — ' + b.reason : ''}`;
      case 'role_changed':
        return `${L('rchange', b.change)} ${b.person || ''} ${b.by ? '← ' + b.by : ''} ${b.reason || ''}`;
      case 'emergency_report':
        return `${b.grant_id} ${b.person}: ${b.text}`;
      case 'viewing':
        return `${L('vstate', b.state)} ${b.person} ${cam}${b.bytes ? fmtBytes(b.bytes) : ''}`;
      case 'camera_state':
        return `${cam}${L('state', b.state)} ${b.by ? '（' + b.by + '）' : ''} ${b.reason || ''}`;
      case 'configuration_changed':
        return `${t('site.standards_val', { v: b.version })}: ${summary(b.summary)}`;
      case 'site_facts':
        return `${b.installer_name || ''} / ${b.manager_name || ''} / ${b.purpose || ''}`;
      case 'camera_facts':
        return `${cam}${b.location || ''} / ${b.purpose || ''}`;
      case 'city_action':
        return `${L('action', b.action)} ${subject(b.subject)} — ${actor(b.person)} ${b.reason || ''}`;
      case 'city_request':
        return `${b.id} ${L('req.kind', b.kind)} ${b.text || ''}`;
      case 'request_answered':
        return `${b.id} ${b.by || ''}: ${b.text || ''}`;
      case 'standards_filed':
        return `${t('site.standards_val', { v: b.version })} ${b.automatic ? t('fil.auto') : b.by || ''}`;
      case 'disclosure':
        return `${b.request} ${L('dstate', b.step)} ${b.by || ''} ${disclosureText(b)}`;
      case 'site_complaint':
        if (window.mmSiteComplaints) return window.mmSiteComplaints.summary(b);
        return ja() ? t('e.unknown') : JSON.stringify(b).slice(0, 200);
      default:
        return ja() ? t('e.unknown') : JSON.stringify(b).slice(0, 200);
    }
  }

  window.mmWords = {
      finding,
      refusal,
      refusalWhy,
      summary,
      gap,
      who,
      actor,
      hubRole,
      stepText,
      disclosureText,
      subject,
      holdReason,
      entry,
      addFinding,
  };
})();
