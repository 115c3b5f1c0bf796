/*
 * requester.js: the disclosure requester's page (R-K2.2.5, R-N7.4, R-N8) — a form that files a
 * request, the requester's own requests with their states as they change, the download of an
 * export the hub has received, and how to make an age key, decrypt and verify an export.
 *
 * dashboard.js mounts it (window.mmRequester.view) when the person who logged in is a requester,
 * and lends it its API call, its error type, its toasts and the token. It reads only what the
 * requester role may: GET /api/v1/requester (who they are; the sites with their installers,
 * cameras, time zones and the legal bases each site's policy admits), GET /api/v1/disclosures
 * (their own requests only), GET /api/v1/disclosures/{id}/export (their own exports), and the
 * public GET /api/v1/hub and /api/v1/sites for the verifier keys printed in the instructions.
 *
 * States change live by polling, not through the feed: /api/v1/feed is the city's (it carries
 * every site's log and every requester's disclosure steps) and refuses the requester role, which
 * is right. The page asks for its own list every 2 s after a change or its own action, backing off
 * by half again each quiet round to 15 s while a request is still open and 60 s when all are
 * settled, and doubling after a failure; it asks at once when the tab becomes visible again.
 *
 * Times: the range is entered as dates and times in the site's time zone (the hub says which,
 * Asia/Tokyo by default) and turned into microseconds with that zone's offsets from Intl, never
 * the browser's own zone (no Date parsing of local strings), so that a requester whose computer
 * keeps another zone still asks for the hours they mean. Times shown are in the same zone.
 *
 * The hub's refusals (4xx with a code and a message) are shown next to the field they name —
 * by code (unknown_camera, range_*, ...) or by the key quoted in the message ("reference") — or
 * under the form when they name none, with a Japanese explanation of known codes first.
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const L = I.label;
  const { h, clear, fmtBytes } = window.mm;
  const enc = encodeURIComponent;

  const DEFAULT_TZ = window.mm.DEFAULT_ZONE;

  /* --- times in a named zone (common.js: one format everywhere) ------------------------------ */

  const { zoneParts, zonedToMs } = window.mm;

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  /* An instant in microseconds as "2026-11-29 08:05:03 JST" in zone tz. */
  function fmtZoned(us, tz) {
    return window.mm.fmtTime(us, tz);
  }

  /* The date and time inputs' values for instant ms in zone tz. */
  function zonedInputs(ms, tz) {
    const v = zoneParts(ms, tz);
    return { date: `${v.year}-${pad(v.month)}-${pad(v.day)}`, time: `${pad(v.hour)}:${pad(v.minute)}:00` };
  }

  /* --- age recipients ------------------------------------------------------------------------ */

  const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

  function bech32Polymod(values) {
    const G = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let chk = 1;
    for (const v of values) {
      const top = chk >>> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ v;
      for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= G[i];
    }
    return chk >>> 0;
  }

  /* Whether s is an age X25519 recipient as the hub accepts one: "age1", 52 characters of key and
   * 6 of checksum, lower case, and a valid Bech32 checksum. */
  function ageRecipientOk(s) {
    if (!/^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/.test(s)) return false;
    const hrp = 'age';
    const values = [...hrp].map((c) => c.charCodeAt(0) >> 5).concat([0],
      [...hrp].map((c) => c.charCodeAt(0) & 31), [...s.slice(4)].map((c) => BECH32.indexOf(c)));
    return bech32Polymod(values) === 1;
  }

  /* --- the hub's refusals -------------------------------------------------------------------- */

  const FIELD_OF_KEY = {
    site: 'site', cameras: 'cameras', from_us: 'range', to_us: 'range', legal_basis: 'basis',
    reference: 'reference', reason: 'reason', recipient: 'recipient', organisation: 'organisation',
  };

  /* The form's field a refusal names, or null. */
  function fieldOf(e) {
    const code = e.code || '';
    if (code === 'unknown_site') return 'site';
    if (code === 'unknown_camera') return 'cameras';
    if (code.startsWith('range')) return 'range';
    if (code === 'too_long') return 'reference';
    const m = /"(\w+)"/.exec(e.message || '');
    if (m && FIELD_OF_KEY[m[1]]) return FIELD_OF_KEY[m[1]];
    if (/\b(from_us|to_us)\b/.test(e.message || '')) return 'range';
    return null;
  }

  /* A refusal in words: in Japanese what it means (this page's words for the codes it expects,
   * else words.js's), in English the hub's own words. */
  function refusalText(e, ApiError) {
    if (!(e instanceof ApiError)) return t('rq.err.network');
    const known = L('rq.code', e.code);
    const head = t('rq.err.refused', { status: e.status, code: '`' + e.code + '`' }); /* code: as code */
    if (I.lang() !== 'ja') return `${head}: ${known !== e.code ? known + ' ' : ''}${e.message}`;
    return `${head}: ${known !== e.code ? known : window.mmWords.refusalWhy(e)}`;
  }

  /* --- the page ------------------------------------------------------------------------------ */

  function codeBlock(lines) {
    return h('pre', { class: 'rq-cmd' }, h('code', {}, lines.join('\n')));
  }

  /* "'…'" for a shell, the value as it is (a verifier key has no quote in it). */
  function q(s) {
    return `'${String(s).replace(/'/g, `'\\''`)}'`;
  }

  /* What was typed into the form when the page was last taken down by the language switch, which
   * redraws it: kept in memory only, never in storage, given back once and only under the same
   * token. A logout (the token already gone when the page is taken down) keeps nothing. */
  let draft = null;

  function view(ctx) {
    const { api, ApiError, toast } = ctx;
    const el = h('section', { class: 'rq' }, h('p', { class: 'muted' }, t('rq.loading')));
    const state = {
      info: null, keys: { hub: null, sites: {} }, list: [], sig: null, open: new Set(), saved: {},
      shown: new Map(), /* the state each request was last drawn in */
      disposed: false, timer: null, delay: 2000, checked: null, failed: false,
    };
    const POLL_MIN = 2000, POLL_OPEN = 15000, POLL_SETTLED = 60000, POLL_FAILED = 120000;
    const SETTLED = new Set(['refused', 'denied', 'expired', 'downloaded', 'released']);

    document.title = t('rq.doc_title');
    const sub = document.querySelector('.brand-sub');
    if (sub) sub.textContent = t('rq.brand');

    function siteOf(id) {
      return (state.info && state.info.sites.find((s) => s.id === id)) || null;
    }

    function tzOf(id) {
      const s = siteOf(id);
      return (s && s.timezone) || (state.info && state.info.timezone) || DEFAULT_TZ;
    }

    function siteTitle(s) {
      return s.installer ? `${s.installer}（${s.id}）` : s.id;
    }

    /* --- the form ---------------------------------------------------------------------------- */

    const f = {};

    function fieldBox(name, label, control, hint) {
      const err = h('p', { class: 'field-error error', role: 'alert', hidden: true, dataset: { for: name } });
      f[name + 'Err'] = err;
      return h('div', { class: 'field rq-field', dataset: { field: name } }, label, control,
        hint ? h('p', { class: 'hint' }, window.mm.codeText(hint)) : null, err);
    }

    function showFieldError(name, text) {
      const err = f[name + 'Err'];
      if (!err) return false;
      clear(err).append(...window.mm.codeText(text));
      err.hidden = false;
      return true;
    }

    function clearErrors() {
      for (const k of Object.keys(f)) if (k.endsWith('Err')) f[k].hidden = true;
      f.formErr.hidden = true;
    }

    function drawCameras() {
      const s = siteOf(f.site.value);
      clear(f.cameras).append(h('legend', {}, t('rq.cameras')));
      if (!s) return;
      if (!s.cameras.length) {
        f.cameras.append(h('p', { class: 'muted' }, t('rq.cameras_none')));
        return;
      }
      for (const c of s.cameras) {
        f.cameras.append(h('label', { class: 'check' },
          h('input', { type: 'checkbox', name: 'cameras', value: c.id }), ' ',
          h('span', {}, c.id, c.location ? ` — ${c.location}` : '',
            c.state && c.state !== 'recording' ? t('rq.camera_state', { state: L('state', c.state) }) : '')));
      }
    }

    function drawBases() {
      const s = siteOf(f.site.value);
      const before = f.basis.value;
      clear(f.basis).append(h('option', { value: '' }, t('rq.basis_pick')));
      for (const b of (s ? s.legal_bases : [])) {
        /* The clause of the site's policy that admits the basis (the law's own words). */
        const clause = s.legal_basis_clauses && s.legal_basis_clauses[b];
        f.basis.append(h('option', { value: b, selected: b === before },
          L('rq.basis', b) + (clause ? ` — ${clause}` : '')));
      }
    }

    function drawRangeHint() {
      const tz = tzOf(f.site.value);
      const zone = L('rq.zone', tz) !== tz ? L('rq.zone', tz) : window.mm.zoneName(Date.now(), tz);
      clear(f.rangeHint).append(...window.mm.codeText(t('rq.range_hint', {
        tz: '`' + tz + '`', zone, hours: state.info.disclosure_max_hours,
      })));
    }

    /* The last hour, to the minute, in the site's zone. */
    function defaultRange() {
      const tz = tzOf(f.site.value);
      const now = Math.floor(Date.now() / 60000) * 60000;
      const a = zonedInputs(now - 3600000, tz), b = zonedInputs(now, tz);
      f.fromDate.value = a.date;
      f.fromTime.value = a.time;
      f.toDate.value = b.date;
      f.toTime.value = b.time;
    }

    const DRAFTED = ['site', 'fromDate', 'fromTime', 'toDate', 'toTime', 'basis', 'reference',
      'organisation', 'reason', 'recipient'];

    function saveDraft() {
      draft = null;
      if (!f.form || !ctx.token()) return;
      draft = { token: ctx.token(), cameras: [...f.cameras.querySelectorAll('input:checked')].map((c) => c.value) };
      for (const k of DRAFTED) draft[k] = f[k].value;
    }

    /* Puts back what was typed; false when there was nothing. */
    function restoreDraft() {
      const d = draft;
      draft = null;
      if (!d || d.token !== ctx.token() || !siteOf(d.site)) return false;
      f.site.value = d.site;
      onSite();
      for (const k of DRAFTED) if (k !== 'site') f[k].value = d[k];
      for (const c of f.cameras.querySelectorAll('input[name=cameras]')) c.checked = d.cameras.includes(c.value);
      return true;
    }

    function onSite() {
      drawCameras();
      drawBases();
      drawRangeHint();
    }

    function buildForm() {
      const info = state.info;
      f.site = h('select', { id: 'rq-site', name: 'site', required: true },
        h('option', { value: '' }, t('rq.site_pick')),
        info.sites.map((s) => h('option', { value: s.id }, siteTitle(s))));
      if (info.sites.length === 1) f.site.value = info.sites[0].id;
      f.site.addEventListener('change', onSite);
      f.cameras = h('fieldset', { class: 'checks', id: 'rq-cameras' });
      const time = (id) => h('input', { id, type: 'time', step: 1, required: true });
      const date = (id) => h('input', { id, type: 'date', required: true });
      f.fromDate = date('rq-from-date');
      f.fromTime = time('rq-from-time');
      f.toDate = date('rq-to-date');
      f.toTime = time('rq-to-time');
      f.rangeHint = h('p', { class: 'hint' });
      const end = (label, d, tm) => h('div', { class: 'rq-end' },
        h('span', { class: 'rq-end-label' }, label),
        h('label', { class: 'rq-sub' }, h('span', {}, t('rq.date')), d),
        h('label', { class: 'rq-sub' }, h('span', {}, t('rq.time')), tm));
      const range = h('fieldset', { class: 'rq-range', id: 'rq-range' }, h('legend', {}, t('rq.range')),
        end(t('rq.from'), f.fromDate, f.fromTime), end(t('rq.to'), f.toDate, f.toTime), f.rangeHint);
      f.basis = h('select', { id: 'rq-basis', name: 'legal_basis', required: true });
      f.reference = h('input', { id: 'rq-reference', name: 'reference', type: 'text', maxlength: 255, autocomplete: 'off' });
      f.organisation = h('input', { id: 'rq-organisation', name: 'organisation', type: 'text', maxlength: 255 });
      f.reason = h('textarea', { id: 'rq-reason', name: 'reason', rows: 4, maxlength: 2047, required: true });
      f.recipient = h('input', {
        id: 'rq-recipient', name: 'recipient', type: 'text', spellcheck: 'false', autocomplete: 'off',
        placeholder: 'age1…', class: 'mono', required: true,
      });
      f.submit = h('button', { type: 'submit', class: 'primary', id: 'rq-submit' }, t('rq.submit'));
      f.formErr = h('p', { class: 'rq-form-error dlg-error error', role: 'alert', hidden: true });
      const label = (id, key) => h('label', { for: id }, t(key));
      const form = h('form', { class: 'rq-form', id: 'rq-form', novalidate: true },
        fieldBox('site', label('rq-site', 'rq.site'), f.site, t('rq.site_hint')),
        fieldBox('cameras', null, f.cameras, null),
        fieldBox('range', null, range, null),
        fieldBox('basis', label('rq-basis', 'rq.basis'), f.basis, t('rq.basis_hint')),
        fieldBox('reference', label('rq-reference', 'rq.reference'), f.reference, t('rq.reference_hint')),
        fieldBox('organisation', label('rq-organisation', 'rq.organisation'), f.organisation, null),
        fieldBox('reason', label('rq-reason', 'rq.reason'), f.reason, t('rq.reason_hint')),
        fieldBox('recipient', label('rq-recipient', 'rq.recipient'), f.recipient, t('rq.recipient_hint')),
        f.formErr, h('div', { class: 'rq-buttons' }, f.submit));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        submit();
      });
      f.form = form;
      if (!restoreDraft()) {
        onSite();
        defaultRange();
      }
      return form;
    }

    /* The request the form says, or null after marking what is missing or wrong. */
    function readForm() {
      clearErrors();
      let ok = true;
      const bad = (name, key) => {
        showFieldError(name, t(key));
        ok = false;
      };
      const site = f.site.value;
      if (!site) bad('site', 'rq.err.site');
      const cameras = [...f.cameras.querySelectorAll('input[name=cameras]:checked')].map((c) => c.value);
      if (site && !cameras.length) bad('cameras', 'rq.err.cameras');
      const tz = tzOf(site);
      const from = zonedToMs(f.fromDate.value, f.fromTime.value, tz);
      const to = zonedToMs(f.toDate.value, f.toTime.value, tz);
      const typed = f.fromDate.value && f.fromTime.value && f.toDate.value && f.toTime.value;
      if (from === null || to === null) bad('range', typed ? 'rq.err.no_time' : 'rq.err.when');
      else if (to <= from) bad('range', 'rq.err.order');
      const basis = f.basis.value;
      if (!basis) bad('basis', 'rq.err.basis');
      const reference = f.reference.value.trim();
      if ((basis === 'law' || basis === 'consent') && !reference) bad('reference', 'rq.err.reference');
      const reason = f.reason.value.trim();
      if (!reason) bad('reason', 'rq.err.reason');
      const recipient = f.recipient.value.trim();
      if (/^AGE-SECRET-KEY-/i.test(recipient)) bad('recipient', 'rq.err.secret');
      else if (!ageRecipientOk(recipient)) bad('recipient', 'rq.err.recipient');
      if (!ok) return null;
      const body = {
        site, cameras, from_us: from * 1000, to_us: to * 1000, legal_basis: basis, reference,
        reason, recipient,
      };
      const org = f.organisation.value.trim();
      if (org) body.organisation = org;
      return body;
    }

    async function submit() {
      const body = readForm();
      if (!body) return;
      f.submit.disabled = true;
      f.submit.textContent = t('rq.sending');
      try {
        const rec = await api('/api/v1/disclosures', { method: 'POST', body });
        toast(t('rq.filed', { id: rec.id, idx: rec.hub_log_index }));
        f.reference.value = '';
        f.reason.value = '';
        for (const c of f.cameras.querySelectorAll('input:checked')) c.checked = false;
        pollSoon();
      } catch (e) {
        const text = refusalText(e, ApiError);
        const field = e instanceof ApiError ? fieldOf(e) : null;
        if (!field || !showFieldError(field, text)) {
          clear(f.formErr).append(...window.mm.codeText(text));
          f.formErr.hidden = false;
        }
        const shown = el.querySelector('.field-error:not([hidden]), .rq-form-error:not([hidden])');
        if (shown && shown.scrollIntoView) shown.scrollIntoView({ block: 'center' });
      } finally {
        f.submit.disabled = false;
        f.submit.textContent = t('rq.submit');
      }
    }

    /* --- the list ---------------------------------------------------------------------------- */

    const listBox = h('ul', { class: 'rq-list', id: 'rq-list' });
    const pollLine = h('p', { class: 'hint rq-poll', id: 'rq-poll', 'aria-live': 'off' });

    function stateClass(st) {
      if (st === 'received') return 'ok';
      if (st === 'downloaded') return 'ok';
      if (st === 'refused' || st === 'denied' || st === 'expired' || st === 'failed') return 'bad';
      if (st === 'held' || st === 'prepared' || st === 'approved' || st === 'exported') return 'warn';
      return 'info';
    }

    function exportCommands(x) {
      const name = `${x.id}.age`;
      const hub = state.keys.hub, site = state.keys.sites[x.site];
      return codeBlock([
        `sha256sum ${name}`,
        `age -d -i key.txt -o ${x.id}.tar ${name}`,
        `tar -xf ${x.id}.tar`,
        `mimamori-verify --hub-key ${hub ? q(hub) : 'HUB-KEY'} \\`,
        `    --site-key ${site ? q(site) : 'SITE-KEY'} ${x.id}`,
      ]);
    }

    /* A <details> that stays open across redraws once the requester opened it. */
    function remembered(key, details) {
      details.open = state.open.has(key);
      details.addEventListener('toggle', () => (details.open ? state.open.add(key) : state.open.delete(key)));
      return details;
    }

    function item(x) {
      const tz = tzOf(x.site);
      const s = siteOf(x.site);
      const canDownload = x.state === 'received' || x.state === 'downloaded';
      const saved = state.saved[x.id];
      const dl = canDownload
        ? h('button', { type: 'button', class: 'primary rq-download', onclick: (ev) => download(x, ev.currentTarget) }, t('rq.download'))
        : null;
      const help = L('rq.help', x.state);
      const history = remembered('h:' + x.id, h('details', { class: 'rq-history' },
        h('summary', {}, t('rq.history')),
        h('ol', { class: 'history' }, (x.history || []).map((st) => h('li', {},
          fmtZoned(st.time_us, tz), ' ', h('span', { class: 'chip ' + stateClass(st.step) }, L('dstate', st.step)),
          st.by ? ' · ' + window.mmWords.actor(st.by) : '',
          st.text ? ' — ' + window.mmWords.stepText(st.step, st.text, st.by) : '')))));
      const changed = state.shown.has(x.id) && state.shown.get(x.id) !== x.state;
      state.shown.set(x.id, x.state);
      return h('li', { class: 'rq-item' + (changed ? ' rq-changed' : ''), dataset: { id: x.id, state: x.state } },
        h('div', { class: 'rq-item-head' }, h('strong', {}, x.id), ' ',
          h('span', { class: 'chip rq-state ' + stateClass(x.state) }, L('dstate', x.state)), ' ',
          h('span', {}, L('rq.basis', x.legal_basis))),
        help !== x.state ? h('p', { class: 'rq-help-line' }, help) : null,
        h('dl', { class: 'facts small' },
          h('div', {}, h('dt', {}, t('rq.site_of')), h('dd', {}, s ? siteTitle(s) : x.site)),
          h('div', {}, h('dt', {}, t('rq.cameras_of')), h('dd', {}, (x.cameras || []).join(', '))),
          h('div', { class: 'rq-range-of' }, h('dt', {}, t('rq.range_of', { zone: L('rq.zone', tz) })),
            h('dd', {}, `${fmtZoned(x.from_us, tz)} – ${fmtZoned(x.to_us, tz)}`)),
          h('div', {}, h('dt', {}, t('rq.reference_of')), h('dd', {}, x.reference || '—')),
          h('div', {}, h('dt', {}, t('rq.filed_at')), h('dd', {}, fmtZoned(x.time_us, tz))),
          h('div', {}, h('dt', {}, t('rq.deadline')), h('dd', {}, fmtZoned(x.deadline_us, tz)))),
        x.reason ? h('p', { class: 'small' }, x.reason) : null,
        x.export ? h('div', { class: 'rq-export' },
          h('p', { class: 'small' }, t('rq.export', { bytes: fmtBytes(x.export.bytes) }),
            x.downloads ? ' · ' + t('rq.downloads', { n: x.downloads }) : ''),
          h('p', { class: 'small' }, t('rq.sha256') + ': ', h('code', { class: 'rq-sha256 mono' }, x.export.sha256 || '—')),
          dl ? h('div', { class: 'actions' }, dl) : null,
          saved ? h('p', { class: 'rq-saved ' + (saved.ok ? 'ok' : 'error'), role: 'status' }, window.mm.codeText(saved.text)) : null,
          canDownload ? remembered('n:' + x.id, h('details', { class: 'rq-next' },
            h('summary', {}, t('rq.next_steps')), exportCommands(x))) : null) : null,
        history);
    }

    function drawList() {
      if (!state.list.length) {
        clear(listBox).append(h('li', { class: 'muted' }, t('rq.none')));
        return;
      }
      clear(listBox).append(...state.list.slice().reverse().map(item));
    }

    function drawPollLine() {
      const time = state.checked ? window.mm.fmtClock(state.checked, tzOf('')) : '—';
      const s = Math.round(state.delay / 1000);
      pollLine.textContent = t(state.failed ? 'rq.poll_failed' : 'rq.poll', { time, s });
      pollLine.classList.toggle('error', state.failed);
    }

    /* --- polling ----------------------------------------------------------------------------- */

    function schedule() {
      clearTimeout(state.timer);
      if (state.disposed) return;
      state.timer = setTimeout(poll, state.delay);
      drawPollLine();
    }

    function pollSoon() {
      state.delay = POLL_MIN;
      clearTimeout(state.timer);
      state.timer = setTimeout(poll, 0);
    }

    async function poll() {
      if (state.disposed) return;
      try {
        const r = await api('/api/v1/disclosures');
        if (state.disposed) return;
        const list = r.disclosures || [];
        const sig = JSON.stringify(list.map((x) => [x.id, x.state, (x.history || []).length, x.downloads]));
        const open = list.some((x) => !SETTLED.has(x.state));
        if (sig !== state.sig) {
          state.sig = sig;
          state.list = list;
          drawList();
          state.delay = POLL_MIN;
        } else {
          state.delay = Math.min(Math.round(state.delay * 1.5), open ? POLL_OPEN : POLL_SETTLED);
        }
        state.failed = false;
      } catch (e) {
        if (state.disposed) return;
        state.failed = true;
        state.delay = Math.min(state.delay * 2, POLL_FAILED);
      }
      state.checked = Date.now();
      schedule();
    }

    function onVisible() {
      if (document.visibilityState === 'visible') pollSoon();
    }

    /* --- downloading ------------------------------------------------------------------------- */

    /* The file name the hub gives (Content-Disposition), kept to plain characters. */
    function fileName(res, x) {
      const cd = res.headers.get('content-disposition') || '';
      const m = /filename="?([^";]+)"?/i.exec(cd);
      const name = m ? m[1].replace(/[^A-Za-z0-9._-]/g, '') : '';
      return name && !name.startsWith('.') ? name : `${x.id}.age`;
    }

    async function sha256Hex(buf) {
      if (!window.crypto || !window.crypto.subtle) return null; /* not a secure context */
      const d = await window.crypto.subtle.digest('SHA-256', buf);
      return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
    }

    async function download(x, button) {
      button.disabled = true;
      button.textContent = t('rq.downloading');
      try {
        const res = await fetch(`/api/v1/disclosures/${enc(x.id)}/export`, {
          headers: ctx.authHeaders ? ctx.authHeaders('GET') : { Authorization: 'Bearer ' + ctx.token() }, cache: 'no-store',
        });
        if (!res.ok) {
          const ctype = res.headers.get('content-type') || '';
          const data = ctype.startsWith('application/json') ? await res.json() : null;
          throw new ApiError(res.status, data && data.error);
        }
        const name = fileName(res, x);
        const buf = await res.arrayBuffer();
        const hex = await sha256Hex(buf);
        if (hex && x.export && x.export.sha256 && hex !== x.export.sha256) {
          state.saved[x.id] = { ok: false, text: t('rq.hash_mismatch') };
        } else {
          const url = URL.createObjectURL(new Blob([buf], { type: 'application/octet-stream' }));
          const a = h('a', { href: url, download: name, hidden: true });
          document.body.append(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(url), 60000);
          state.saved[x.id] = { ok: true, text: t(hex ? 'rq.downloaded' : 'rq.downloaded_unchecked', { name }) };
        }
      } catch (e) {
        state.saved[x.id] = { ok: false, text: refusalText(e, ApiError) };
      }
      state.sig = null; /* redraw with the message, and see the download logged */
      pollSoon();
    }

    /* --- how to ------------------------------------------------------------------------------ */

    function howto() {
      const hub = state.keys.hub;
      const first = state.info.sites[0];
      const site = first ? state.keys.sites[first.id] : null;
      const missing = !hub ? ' ' + t('rq.howto_keys_missing') : '';
      return h('section', { class: 'card rq-howto', id: 'rq-howto' },
        h('h2', {}, t('rq.howto_title')),
        h('p', {}, t('rq.howto_lead')),
        h('h3', {}, t('rq.howto_key')),
        h('p', {}, window.mm.codeText(t('rq.howto_key_text'))),
        codeBlock(['age-keygen -o key.txt', '# Public key: age1…']),
        h('h3', {}, t('rq.howto_decrypt')),
        h('p', {}, window.mm.codeText(t('rq.howto_decrypt_text'))),
        codeBlock(['sha256sum disclosure-1.age', 'age -d -i key.txt -o disclosure-1.tar disclosure-1.age',
          'tar -xf disclosure-1.tar']),
        h('h3', {}, t('rq.howto_verify')),
        h('p', {}, window.mm.codeText(t('rq.howto_verify_text') + missing)),
        codeBlock([`mimamori-verify --hub-key ${hub ? q(hub) : 'HUB-KEY'} \\`,
          `    --site-key ${site ? q(site) : 'SITE-KEY'} disclosure-1`]));
    }

    /* --- assembling ---------------------------------------------------------------------------- */

    async function load() {
      try {
        state.info = await api('/api/v1/requester');
      } catch (e) {
        clear(el).append(h('p', { class: 'error', role: 'alert' }, t('rq.load_failed') + ': ' + refusalText(e, ApiError)));
        return;
      }
      const [hub, sites] = await Promise.all([
        api('/api/v1/hub').catch(() => null), api('/api/v1/sites').catch(() => null)]);
      if (state.disposed) return;
      state.keys.hub = hub && hub.verifier;
      for (const s of (sites && sites.sites) || []) state.keys.sites[s.id] = s.verifier;
      const p = state.info.person || {};
      clear(el).append(
        h('div', { class: 'card rq-intro' }, h('h1', {}, t('rq.title')),
          h('p', {}, t('rq.lead', { name: p.name || '', id: p.id || '' }))),
        h('div', { class: 'rq-grid' },
          h('section', { class: 'card' }, h('h2', {}, t('rq.form_title')), buildForm()),
          h('section', { class: 'card' }, h('h2', {}, t('rq.list_title')), pollLine, listBox)),
        howto());
      drawList();
      pollSoon();
    }

    document.addEventListener('visibilitychange', onVisible);
    load();
    return {
      kind: 'requester', el,
      dispose() {
        saveDraft();
        state.disposed = true;
        clearTimeout(state.timer);
        document.removeEventListener('visibilitychange', onVisible);
      },
    };
  }

  window.mmRequester = { view, zonedToMs, fmtZoned, ageRecipientOk };
})();
