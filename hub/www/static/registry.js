/*
 * registry.js: the public registry, for residents, with no login: every registered site with its
 * installer, manager, purpose and contact, its cameras (where, why, since when, how much of the
 * view is public space), its complaints counted, a form to complain online (complaint_form.js),
 * how to complain, whom at the city to turn to, and what the city has published
 * (GET /api/v1/registry and /api/v1/publications, both public). Times are in the hub's zone
 * (the registry's "timezone"), a publication's in its site's.
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const L = I.label;
  const { h, clear, fact, fmtTime, fmtPercent, langButton, paintStatic } = window.mm;
  const app = document.getElementById('app');
  let data = null;

  async function get(path) {
    const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
    return res.json();
  }

  /* The hub's sentence on complaints is "日本語 / English": the half in the page's language. */
  function hubSentence(s) {
    if (!s) return null;
    const parts = s.split(' / ');
    return parts.length === 2 ? parts[I.lang() === 'ja' ? 0 : 1] : s;
  }

  function siteOf(id) {
    return ((data && data.registry.sites) || []).find((s) => s.site === id) || null;
  }

  /* A site by its installer's name, its id beside it. */
  function siteTitle(id) {
    const s = siteOf(id);
    return s && s.installer ? s.installer + t('site.id_beside', { id }) : id;
  }

  function zoneOf(id) {
    const s = siteOf(id);
    return s && s.timezone;
  }

  function stateChip(state) {
    const cls = state === 'recording' ? 'ok' : state === 'suspended' ? 'warn' : 'muted';
    return h('span', { class: 'chip ' + cls }, L('state', state));
  }

  function siteCard(s) {
    const row = (k, v) => fact(t(k), v);
    const contact = s.contact
      ? h('a', { href: 'tel:' + s.contact.replace(/[^0-9+]/g, '') }, s.contact)
      : null;
    return h('article', { class: 'card reg-site', dataset: { site: s.site } },
      h('h2', {}, s.installer || s.site, h('span', { class: 'site-id' }, t('site.id_beside', { id: s.site }))),
      h('dl', { class: 'facts' },
        row('reg.installer', s.installer),
        row('reg.address', s.installer_address),
        row('reg.contact', contact),
        row('reg.manager', s.manager),
        row('reg.purpose', s.purpose),
        row('reg.policy', s.policy ? L('policy', s.policy) : null),
        row('reg.filing', s.filing ? L('filing', s.filing) : null),
        row('site.standards', s.standards_version
          ? t('reg.standards', { v: s.standards_version, state: L('pstate', s.standards_state) }) : null),
        row('reg.complaints', s.complaints ? t('reg.complaints_val', s.complaints) : null)),
      h('h3', {}, t('reg.site_cameras'), ' ', h('span', { class: 'muted small' }, t('reg.cameras', { n: s.cameras.length }))),
      h('div', { class: 'table-wrap' }, h('table', { class: 'reg-cams' },
        h('thead', {}, h('tr', {}, ['cam.id', 'cam.location', 'cam.purpose', 'cam.installed', 'cam.share', 'cam.state']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, s.cameras.map((c) => h('tr', { dataset: { camera: c.id } },
          h('td', { 'data-label': t('cam.id') }, c.id),
          h('td', { 'data-label': t('cam.location') }, c.location || t('reg.unknown')),
          h('td', { 'data-label': t('cam.purpose') }, c.purpose || t('reg.unknown')),
          h('td', { 'data-label': t('cam.installed') }, c.install_date || t('reg.unknown')),
          h('td', { 'data-label': t('cam.share') }, c.public_share === null || c.public_share === undefined
            ? t('reg.unknown') : fmtPercent(c.public_share)),
          h('td', { 'data-label': t('cam.state') }, stateChip(c.state))))))),
      window.mmComplaintForm.section(s, data.registry.city || null));
  }

  function draw() {
    document.title = t('reg.doc_title');
    paintStatic(document.querySelector('header'));
    if (!data) return;
    const { registry, publications } = data;
    const howto = h('section', { class: 'card howto', id: 'howto' },
      h('h2', {}, t('reg.complain_title')),
      h('ol', {}, ['reg.step1', 'reg.step2', 'reg.step3', 'reg.step4'].map((k) => h('li', {}, t(k)))),
      registry.complaints ? h('p', { class: 'hint' }, hubSentence(registry.complaints)) : null,
      registry.city ? h('p', { class: 'reg-city' }, t('cf.city', registry.city)) : null);
    const pubs = h('section', { class: 'card pubs' },
      h('h2', {}, t('reg.publications')),
      publications.length
        ? h('ul', {}, publications.map((p) => h('li', {},
          h('strong', {}, siteTitle(p.site)), ' ', p.published_us ? fmtTime(p.published_us, zoneOf(p.site)) : '', ' — ',
          p.publication || p.recommendation)))
        : h('p', { class: 'muted' }, t('reg.pub_none')));
    clear(app).append(
      h('section', { class: 'reg-intro' }, h('h1', {}, t('reg.title')), h('p', {}, t('reg.lead')),
        h('a', { class: 'reg-jump', href: '#howto' }, t('reg.complain_title') + ' ↓'),
        h('p', { class: 'muted small' }, t('reg.updated', { t: fmtTime(Date.now() * 1000) }))),
      h('div', { class: 'reg-grid' },
        h('div', { class: 'reg-sites', id: 'reg-sites' },
          registry.sites.length ? registry.sites.map(siteCard) : h('p', { class: 'card muted' }, t('reg.none'))),
        h('aside', { class: 'reg-side' }, howto, pubs)));
  }

  async function load() {
    try {
      const [registry, p] = await Promise.all([get('/api/v1/registry'), get('/api/v1/publications')]);
      data = { registry, publications: p.publications || [] };
      window.mm.setZone(registry.timezone);
    } catch (e) {
      clear(app).append(h('p', { class: 'card error' }, t('err.network')));
      return;
    }
    draw();
  }

  langButton(draw);
  paintStatic(document.querySelector('header'));
  load();
})();
