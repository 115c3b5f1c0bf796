/*
 * notices.js: on a site's requests tab, the city's notices (R-N4.2, R-N10.2, R-N11) and the
 * answers to its report requests (R-N10.1).
 *
 * A notice (a request of kind filing_decision, guidance, recommendation, hearing_offer or
 * publication) shows what it is about, its particulars, and its three moments: sent (when the
 * city made it, by whom), delivered (the site's city_request entry, with its index), acknowledged
 * (the site's request_answered: by whom, when, with what words). A report request's answer shows
 * the city's question, the manager's answer and the counts of the report the site signed (the hub
 * checked the signature; dashboard.js shows that and the report's text). Everything the hub sent
 * is shown as text. dashboard.js asks window.mmNotices for these parts; the words are in
 * i18n_notices.js.
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const L = I.label;
  const { h, fmtTime } = window.mm;

  const KINDS = ['filing_decision', 'guidance', 'recommendation', 'hearing_offer', 'publication'];

  function isNotice(q) {
    return KINDS.includes(q.kind);
  }

  /* The words for a request's state: a notice is acknowledged, not answered. */
  function stateLabel(q) {
    return isNotice(q) ? t('ntc.state.' + q.state) : L('req.state', q.state);
  }

  /* One particular's value as people read it. */
  function value(key, v) {
    if (key === 'decision') return L('ntc.decision', v);
    if (key === 'filing_kind') return L('fkind', v);
    if (key === 'findings' && Array.isArray(v)) return v.map((id) => '#' + id).join(' ');
    if (key === 'measure') return '#' + v;
    if (key === 'published_us') return fmtTime(v);
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  function particulars(q) {
    const d = q.detail && typeof q.detail === 'object' ? q.detail : {};
    const rows = Object.keys(d).map((k) => h('div', {}, h('dt', {}, L('ntc.d', k)), h('dd', {}, value(k, d[k]))));
    if (q.subject) rows.unshift(h('div', {}, h('dt', {}, t('ntc.about')), h('dd', {}, window.mmWords.subject(q.subject))));
    return h('dl', { class: 'facts notice-detail' }, rows);
  }

  /* Sent, delivered, acknowledged: each with its time, or "not yet". */
  function moments(q) {
    const ans = q.answer;
    const row = (key, done, ...what) => h('li', { dataset: { moment: key, done: done ? 'yes' : 'no' } },
      h('strong', {}, t('ntc.' + key)), ' ', done ? what : t('ntc.not_yet'));
    return h('ol', { class: 'history notice-moments' },
      row('sent', true, fmtTime(q.time_us), q.by ? ' · ' + q.by : ''),
      row('delivered', q.delivered_index !== undefined, fmtTime(q.delivered_us), ' · ',
        t('ntc.entry', { i: q.delivered_index })),
      row('acknowledged', !!ans, ans ? [fmtTime(ans.time_us), ' · ', t('ntc.by', { by: ans.by || '—' }),
        ans.text ? ' — ' + ans.text : ''] : null));
  }

  function countsTable(c) {
    const keys = Object.keys(c).filter((k) => typeof c[k] === 'number');
    return h('table', { class: 'report-counts' }, h('tbody', {}, keys.map((k) =>
      h('tr', { dataset: { count: k } }, h('th', {}, L('rep.c', k)), h('td', {}, String(c[k]))))));
  }

  function disclosures(d) {
    if (!d || typeof d !== 'object') return null;
    const list = (o, fam) => Object.keys(o || {}).map((k) => `${L(fam, k)} ${o[k]}`).join('、');
    return h('p', { class: 'small report-disclosures' }, t('rep.disclosures', { n: d.requests }),
      ' — ', t('rep.by_basis'), ': ', list(d.by_legal_basis, 'basis'),
      ' / ', t('rep.by_state'), ': ', list(d.by_state, 'dstate') || '—');
  }

  /* The question, the answer and the counts of a report the site signed. */
  function report(ans) {
    let r;
    try {
      r = JSON.parse(ans.report);
    } catch (e) {
      return h('p', { class: 'error' }, t('rep.unreadable'));
    }
    const c = r.counts || {};
    return h('div', { class: 'report' },
      h('h4', {}, t('rep.title')),
      h('dl', { class: 'facts' },
        h('div', {}, h('dt', {}, t('rep.question')), h('dd', { class: 'report-question' }, r.question || '—')),
        h('div', {}, h('dt', {}, t('rep.answer')), h('dd', { class: 'report-answer' }, r.answer || '—')),
        h('div', {}, h('dt', {}, t('rep.answered_by')), h('dd', {}, r.answered_by || '—')),
        h('div', {}, h('dt', {}, t('rep.period')), h('dd', {}, `${fmtTime(r.from_us)} – ${fmtTime(r.to_us)}`))),
      h('p', { class: 'small' }, h('strong', {}, t('rep.counts'))),
      countsTable(c), disclosures(c.disclosures));
  }

  /* What this file adds to a request's item on the requests tab. */
  function requestParts(q) {
    if (isNotice(q)) return [particulars(q), moments(q)];
    if (q.kind === 'report_request' && q.answer && q.answer.report) return [report(q.answer)];
    return [];
  }

  /* The hearing offer's own fields in its dialog (R-N11.2): date and time, place, how. */
  function hearingFields() {
    return [
      { name: 'date', type: 'datetime-local', label: t('meas.hearing_date'), required: true },
      { name: 'place', type: 'text', label: t('meas.hearing_place'), required: true },
      { name: 'how', type: 'textarea', label: t('meas.hearing_how'), required: true },
    ];
  }

  /* A hearing's date, place and how, as a measure shows them (none for older offers). */
  function hearingLine(hg) {
    if (!hg || !hg.date) return null;
    return h('p', { class: 'small hearing-where' },
      t('meas.hearing_at', { date: hg.date, place: hg.place || '—', how: hg.how || '—' }));
  }

  window.mmNotices = { isNotice, stateLabel, requestParts, hearingFields, hearingLine };
})();
