/*
 * site_complaints.js: complaints the site received itself (R-N12(1), R-N7.6), as the dashboard's
 * complaints tab shows them beside the city's: the site's record of each (GET
 * /api/v1/sites/{site}/registry, "site_complaints", learned from its site_complaint entries) —
 * when and how it came, what about, its deadline, its last handling and its closing, and the
 * complainant's appeal to the city; and one line for a site_complaint entry in the site log.
 * The appeal itself is the dashboard's dialog (dashboard.js), which this file is given.
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const { h, fmtTime, fmtDate } = window.mm;

  function chip(text, cls) {
    return h('span', { class: 'chip ' + cls }, text);
  }

  function stepClass(state, overdue) {
    if (overdue) return 'bad';
    return state === 'closed' ? 'ok' : state === 'handled' ? 'info' : 'warn';
  }

  function stepLine(label, s) {
    return h('p', { class: 'small' }, h('strong', {}, label), ' ', fmtTime(s.time_us), ' · ', s.by, ' ',
      h('span', { class: 'ref' }, '#' + s.index), s.text ? ' — ' + s.text : '');
  }

  /* One complaint received at the site; appeal(c) opens the appeal dialog. */
  function item(c, nowUs, appeal) {
    const overdue = c.state !== 'closed' && nowUs > c.deadline_us;
    return h('li', { class: 'request site-complaint', dataset: { id: c.id, state: c.state } },
      h('div', { class: 'finding-head' }, h('strong', {}, c.id), ' ', t('entry.site_complaint'), ' ',
        chip(I.label('csc.step', c.state), stepClass(c.state, false)),
        overdue ? chip(t('csc.overdue'), 'bad') : null,
        h('span', { class: 'muted small' }, ' ', t('csc.received', {
          t: fmtTime(c.received_us), channel: I.label('csc.channel', c.channel), by: c.by,
        }), ' · ', t('csc.deadline', { d: fmtDate(c.deadline_us) }))),
      c.hub_complaint ? h('p', { class: 'small' }, t('csc.hub', { id: c.hub_complaint })) : null,
      c.camera ? h('p', { class: 'small' }, t('req.camera') + ': ' + c.camera) : null,
      h('p', {}, c.about),
      c.handled ? stepLine(t('csc.handled', { n: c.handlings }), c.handled) : null,
      c.closed ? stepLine(t('csc.closed'), c.closed) : null,
      c.appeal ? h('p', { class: 'small' }, h('strong', {}, t('csc.appealed')), ' ', fmtTime(c.appeal.time_us),
        ' · ', c.appeal.by, ' — ', c.appeal.text) : null,
      c.appeal ? null : h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'small-btn act-appeal', onclick: () => appeal(c) }, t('csc.appeal'))));
  }

  /* The section for a site's record rec (newest first); appeal(c) as above. */
  function section(rec, appeal) {
    const list = Object.values((rec && rec.site_complaints) || {})
      .sort((a, b) => (b.received_us || 0) - (a.received_us || 0));
    const nowUs = Date.now() * 1000;
    return h('section', { class: 'site-complaints', id: 'site-complaints' },
      h('h3', {}, t('csc.title'), ' ', h('span', { class: 'muted small' }, String(list.length))),
      list.length ? h('ul', { class: 'requests' }, list.map((c) => item(c, nowUs, appeal)))
        : h('p', { class: 'muted' }, t('csc.none')));
  }

  /* A site_complaint entry in one line. */
  function summary(b) {
    return `${b.id} ${I.label('csc.step', b.step)} ${I.label('csc.channel', b.channel)} ${b.camera || ''} ` +
      `${b.by}: ${b.text || b.about || ''}`;
  }

  window.mmSiteComplaints = { section, summary };
})();
