/*
 * holds.js: on a site's page, the holds its manager placed at the site (the registry record's
 * "holds": who, why, which camera and range, placed, expires, released), and beside a disclosure
 * request's range what the site recorded (its first recording, the window its registered
 * retention keeps). The hub decides and refuses; this only shows what the record says, in Japan
 * time (common.js fmtTime).
 */
'use strict';
(function () {
  const { h, fmtTime, fact } = window.mm;
  const t = window.mmI18n.t;
  const DAY_US = 86400 * 1e6;

  function chip(text, cls) {
    return h('span', { class: 'chip ' + cls }, text);
  }

  /* The holds of a record, those in place first, newest first. */
  function holdsOf(rec) {
    return Object.values((rec && rec.holds) || {}).sort((a, b) =>
      (a.released ? 1 : 0) - (b.released ? 1 : 0) || b.time_us - a.time_us);
  }

  /* Past its expiry is the hub's to say (its clock, its grace): an open hold_past_expiry
   * finding of the hold. */
  function stateOf(hd, findings) {
    if (hd.released) return chip(t('hold.state_released'), 'muted');
    const late = (findings || []).some((f) => f.kind === 'hold_past_expiry' && f.state === 'open' &&
      f.dedupe === hd.hold_id);
    return late ? chip(t('hold.past_expiry'), 'bad') : chip(t('hold.in_place'), 'warn');
  }

  function releasedText(r) {
    if (!r) return '—';
    return t('hold.released_val', {
      time: fmtTime(r.time_us),
      by: r.by || t('hold.by_site'),
      reason: r.reason === 'expired' ? t('hold.reason_expired') : window.mmWords.holdReason(r.reason),
    });
  }

  /* The "holds" tab of a site's page: rec its registry record, findings the site's. */
  function panel(rec, findings) {
    const note = h('p', { class: 'hint' }, t('hold.note'));
    const list = holdsOf(rec);
    if (!list.length) return [note, h('p', { class: 'muted' }, t('hold.none'))];
    const cols = ['hold.id', 'hold.camera', 'hold.range', 'hold.reason', 'hold.by', 'hold.placed',
      'hold.expires', 'hold.state', 'hold.released'];
    return [note, h('div', { class: 'table-wrap' }, h('table', { class: 'holds-table' },
      h('thead', {}, h('tr', {}, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, list.map((hd) => {
        const cells = [h('strong', {}, hd.hold_id), hd.camera,
          `${fmtTime(hd.start_us)} – ${fmtTime(hd.end_us)}`, window.mmWords.holdReason(hd.reason) || '—', hd.by || '—',
          fmtTime(hd.time_us), fmtTime(hd.expires_us), stateOf(hd, findings), releasedText(hd.released)];
        return h('tr', { dataset: { hold: hd.hold_id, released: hd.released ? 'yes' : 'no' } },
          cells.map((c, i) => h('td', { 'data-label': t(cols[i]) }, c)));
      }))))];
  }

  /* Beside a disclosure's range: what the site recorded, and whether the range lies outside. */
  function recorded(x, rec, nowMs) {
    const first = rec && rec.first_recording;
    const f = rec && rec.facts;
    const days = f ? Math.max(f.registered_retention_days || 0, f.retention_days || 0) : 0;
    const keptFrom = days ? nowMs * 1000 - days * DAY_US : null;
    const parts = [first ? t('rec.first', { time: fmtTime(first.start_us) }) : t('rec.first_unknown')];
    if (keptFrom) parts.push(t('rec.kept', { time: fmtTime(keptFrom), days }));
    let warn = null;
    if (first && x.to_us <= first.start_us) warn = chip(t('rec.before_first'), 'bad');
    else if (keptFrom && x.to_us <= keptFrom && !x.holding) warn = chip(t('rec.outside'), 'warn');
    return fact(t('rec.title'), h('span', { class: 'recorded', dataset: { request: x.id } },
      parts.join(' · '), warn ? ' ' : null, warn));
  }

  /* Holds in place, for the tab's count. */
  function inPlace(rec) {
    return holdsOf(rec).filter((hd) => !hd.released).length;
  }

  window.mmHolds = { panel, recorded, inPlace };
})();
