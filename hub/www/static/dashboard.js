/*
 * dashboard.js: the city's dashboard — login, the overview of every site with the live feed, a
 * site's page, and the city's actions, all through the hub's /api/v1 (docs/protocol.md).
 *
 * The token is kept in sessionStorage (gone when the tab closes) and sent as "Authorization:
 * Bearer" on every call. The live feed (/api/v1/feed, Server-Sent Events) needs the token too,
 * and EventSource cannot send a header, so the stream is read with fetch() and a ReadableStream
 * and parsed here; it reconnects after the "retry" the hub asks for, resuming with Last-Event-ID
 * so that no event is missed or shown twice. The token never goes into a URL.
 *
 * Every city action is a POST the hub logs in its own signed log; when the hub refuses one, the
 * dialog stays open and shows the hub's own code and message.
 *
 * Routes (the hash): #/ overview, #/site/<id>/<tab>[?at=<index>] a site's page. A disclosure
 * requester, whom the city's routes refuse, gets the requester's page (requester.js) instead, and
 * no feed: the feed is the city's.
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const L = I.label;
  const {
    h, clear, fmtTime, fmtIso, fmtClock, fmtDate, fmtAge, fmtBytes, fmtPercent, hashEl, fact,
    uptimeChart, langButton, paintStatic,
  } = window.mm;

  const enc = encodeURIComponent;
  const app = document.getElementById('app');
  let token = sessionStorage.getItem('mm.token') || '';
  let role = sessionStorage.getItem('mm.role') || ''; /* "requester", or the city's "" */
  /* Logged in with a password (login.js): the session cookie goes with every call, and csrf
   * with every change; token is then SESSION, never sent. */
  const SESSION = 'session';
  let csrf = '';
  const authHeaders = (method) => (token === SESSION
    ? (method && method !== 'GET' ? { 'X-CSRF-Token': csrf } : {})
    : { Authorization: 'Bearer ' + token });

  /* --- the API ------------------------------------------------------------------------------ */

  class ApiError extends Error {
    constructor(status, err) {
      super((err && err.message) || 'HTTP ' + status);
      this.status = status;
      this.code = (err && err.code) || 'http_' + status;
    }
  }

  async function api(path, opts) {
    const o = opts || {};
    const headers = Object.assign(authHeaders(o.method || 'GET'), { Accept: 'application/json' });
    if (o.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method: o.method || 'GET', headers, cache: 'no-store',
      body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
    });
    const ctype = res.headers.get('content-type') || '';
    const data = ctype.startsWith('application/json') ? await res.json() : await res.text();
    if (res.status === 401 && !o.login) {
      logout(t('login.expired'));
      throw new ApiError(401, data && data.error);
    }
    if (!res.ok) throw new ApiError(res.status, data && data.error);
    return data;
  }

  /* A refusal in words (words.js: in Japanese what its code means, in English the hub's message). */
  function errorText(e) {
    if (e instanceof ApiError) return window.mmWords.refusal(e);
    return t('err.network');
  }

  /* The same, with the hub's code beside it in Japanese (the English names it already). */
  function errorNodes(e) {
    const code = e instanceof ApiError && I.lang() === 'ja' ? [' ', h('code', { class: 'err-code' }, e.code)] : [];
    return [errorText(e), ...code];
  }

  /* --- the live feed ------------------------------------------------------------------------ */

  const FEED_KEEP = 200; /* events kept for the overview's list */
  const feed = {
    status: 'off', events: [], lastId: null, ctrl: null, running: false, retryMs: 1000,
    listeners: new Set(),
  };

  function feedStatus(st) {
    feed.status = st;
    for (const el of document.querySelectorAll('.feed-status')) {
      el.textContent = t('feed.' + st);
      el.className = 'feed-status ' + st;
    }
  }

  function feedDispatch(block) {
    let id = null, type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const c = line.indexOf(':');
      const field = c < 0 ? line : line.slice(0, c);
      let value = c < 0 ? '' : line.slice(c + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) feed.retryMs = Number(value);
    }
    if (id !== null && /^\d+$/.test(id)) feed.lastId = Number(id);
    if (!data.length) return;
    let ev;
    try {
      ev = JSON.parse(data.join('\n'));
    } catch (e) {
      return;
    }
    ev.type = ev.type || type;
    ev.received_ms = Date.now();
    feed.events.unshift(ev);
    if (feed.events.length > FEED_KEEP) feed.events.length = FEED_KEEP;
    for (const fn of feed.listeners) fn(ev);
  }

  async function feedLoop() {
    while (feed.running && token) {
      const ctrl = new AbortController();
      feed.ctrl = ctrl;
      try {
        const headers = Object.assign(authHeaders('GET'), { Accept: 'text/event-stream' });
        if (feed.lastId !== null) headers['Last-Event-ID'] = String(feed.lastId);
        const res = await fetch('/api/v1/feed', { headers, signal: ctrl.signal, cache: 'no-store' });
        if (res.status === 401) {
          logout(t('login.expired'));
          return;
        }
        if (!res.ok || !res.body) throw new Error('feed: HTTP ' + res.status);
        feedStatus('live');
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            feedDispatch(block);
          }
        }
      } catch (e) {
        if (ctrl.signal.aborted) return;
      }
      if (!feed.running) return;
      feedStatus('reconnecting');
      await new Promise((r) => setTimeout(r, feed.retryMs));
    }
  }

  function feedStart() {
    if (feed.running) return;
    feed.running = true;
    feedStatus('connecting');
    feedLoop();
  }

  function feedStop() {
    feed.running = false;
    if (feed.ctrl) feed.ctrl.abort();
    feed.events = [];
    feed.lastId = null;
    feedStatus('off');
  }

  /* --- session ------------------------------------------------------------------------------ */

  function logout(message) {
    if (token === SESSION && csrf) window.mmLogin.logout(csrf);
    csrf = '';
    token = '';
    role = '';
    sessionStorage.removeItem('mm.token');
    sessionStorage.removeItem('mm.role');
    feedStop();
    if (view && view.dispose) view.dispose();
    view = null;
    renderLogin(message);
  }

  /* Whom the token is: the city's readers see the dashboard (""); a requester, refused the
   * city's findings but admitted to the requester's route, the requester's page. Any other
   * refusal is the city's route's, as before. */
  async function loginRole() {
    try {
      await api('/api/v1/findings', { login: true });
      return '';
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 403) throw e;
      try {
        await api('/api/v1/requester', { login: true });
      } catch (e2) {
        throw e2 instanceof ApiError && e2.status === 403 ? e : e2;
      }
      return 'requester';
    }
  }

  function renderLogin(message) {
    paintHeader();
    document.title = t('app.doc_title');
    const input = h('input', {
      id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
    });
    const err = h('p', { class: 'error', role: 'alert', hidden: !message }, message || '');
    const button = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
    const form = h('form', { class: 'login-form' },
      h('label', { for: 'token' }, t('login.token')), input, button, err);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const tok = input.value.trim();
      if (!tok) {
        err.textContent = t('login.empty');
        err.hidden = false;
        return;
      }
      button.disabled = true;
      token = tok;
      try {
        role = await loginRole();
        sessionStorage.setItem('mm.token', tok);
        sessionStorage.setItem('mm.role', role);
        err.hidden = true;
        route();
      } catch (e) {
        token = '';
        err.textContent = e instanceof ApiError
          ? `${t(e.status === 403 ? 'login.forbidden' : 'login.bad')}（${e.status}）: ${window.mmWords.refusalWhy(e)}`
          : t('err.network');
        err.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
    /* The password and the code first (people); the token below (machines, and the tests). */
    const withPassword = window.mmLogin.form(async (who) => {
      token = SESSION;
      csrf = who.csrf;
      try {
        role = await loginRole();
        route();
      } catch (e) {
        logout(errorText(e));
      }
    });
    clear(app).append(h('section', { class: 'card password-card' }, h('h1', {}, t('login.title')), withPassword),
      h('section', { class: 'card login' },
      h('h2', {}, t('plogin.or_token')), h('p', {}, t('login.lead')), form,
      h('p', { class: 'login-public' }, h('a', { href: '/registry' }, t('login.public')))));
    input.focus();
  }

  /* --- header, toasts, dialogs -------------------------------------------------------------- */

  function paintHeader() {
    paintStatic(document.querySelector('header'));
    document.getElementById('logout').hidden = !token;
    document.getElementById('feed-status').hidden = !token || role === 'requester';
    feedStatus(feed.status);
  }

  function toast(text) {
    const box = document.getElementById('toasts');
    const el = h('div', { class: 'toast', role: 'status' }, text);
    box.append(el);
    while (box.children.length > 3) box.firstChild.remove();
    setTimeout(() => el.remove(), 6000);
  }

  /*
   * A form in a modal dialog. fields: [{name, label, type: text|textarea|select|date|number|
   * checks, options: [[value, label]], value, required, hint}]. onSubmit(values) returns the
   * hub's answer; a refusal keeps the dialog open with the hub's message.
   */
  function openDialog(o) {
    const dlg = h('dialog', { class: 'dlg', 'aria-labelledby': 'dlg-title' });
    const err = h('p', { class: 'dlg-error error', role: 'alert', hidden: true });
    const inputs = {};
    const rows = o.fields.map((f) => {
      const id = 'f-' + f.name;
      let input;
      if (f.type === 'textarea') {
        input = h('textarea', { id, name: f.name, rows: 4, required: f.required }, f.value || '');
      } else if (f.type === 'select') {
        input = h('select', { id, name: f.name },
          f.options.map(([v, lab]) => h('option', { value: v, selected: v === f.value }, lab)));
      } else if (f.type === 'checks') {
        input = h('fieldset', { class: 'checks', id },
          h('legend', {}, f.label),
          f.options.length ? f.options.map(([v, lab]) => h('label', { class: 'check' },
            h('input', { type: 'checkbox', name: f.name, value: v, checked: (f.value || []).includes(v) }),
            ' ', lab)) : h('p', { class: 'muted' }, f.empty || ''));
        inputs[f.name] = input;
        return h('div', { class: 'field' }, input, f.hint ? h('p', { class: 'hint' }, f.hint) : null);
      } else {
        input = h('input', {
          id, name: f.name, type: f.type || 'text', required: f.required, value: f.value,
          min: f.min, max: f.max,
        });
      }
      inputs[f.name] = input;
      return h('div', { class: 'field' }, h('label', { for: id }, f.label), input,
        f.hint ? h('p', { class: 'hint' }, f.hint) : null);
    });
    const submit = h('button', { type: 'submit', class: o.danger ? 'danger' : 'primary' }, o.submit || t('act.submit'));
    const cancel = h('button', { type: 'button', class: 'plain', onclick: () => dlg.close() }, t('act.cancel'));
    const form = h('form', { novalidate: true },
      h('h2', { id: 'dlg-title' }, o.title),
      o.intro ? h('p', { class: 'hint' }, o.intro) : null,
      rows, err, h('div', { class: 'dlg-buttons' }, cancel, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const values = {};
      for (const f of o.fields) {
        const el = inputs[f.name];
        values[f.name] = f.type === 'checks'
          ? [...el.querySelectorAll('input:checked')].map((c) => c.value)
          : el.value;
      }
      submit.disabled = true;
      submit.textContent = t('act.sending');
      err.hidden = true;
      try {
        const answer = await o.onSubmit(values);
        dlg.close();
        const idx = answer && answer.hub_log_index;
        toast(idx !== undefined ? t('act.done', { idx }) : t('act.done', { idx: '—' }));
        if (o.done) o.done(answer);
      } catch (e) {
        clear(err).append(...errorNodes(e));
        err.hidden = false;
      } finally {
        submit.disabled = false;
        submit.textContent = o.submit || t('act.submit');
      }
    });
    dlg.append(form);
    dlg.addEventListener('close', () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector('input:not([type=checkbox]), textarea, select');
    if (first) first.focus();
    return dlg;
  }

  /* --- small pieces ------------------------------------------------------------------------- */

  function chip(text, cls) {
    return h('span', { class: 'chip ' + (cls || '') }, text);
  }

  function sevBadge(sev, n) {
    return h('span', { class: 'sev sev-' + sev, title: L('sev', sev) },
      L('sev', sev) + (n !== undefined ? ' ' + n : ''));
  }

  const SEVERITIES = ['critical', 'high', 'medium', 'low'];

  function stateClass(state) {
    return {
      recording: 'ok', accepted: 'ok', answered: 'ok', closed: 'ok', published: 'info',
      suspended: 'warn', received: 'warn', pending: 'warn', delivered: 'info', open: 'bad',
      returned: 'bad', abolished: 'muted', hearing_offered: 'info', heard: 'info', given: 'info',
    }[state] || 'info';
  }

  function ageClass(sec) {
    if (sec === null || !isFinite(sec)) return 'bad';
    return sec < 300 ? 'ok' : sec < 3600 ? 'warn' : 'bad';
  }

  /* One line about a site-log entry, in the page's language (words.js). */
  function entrySummary(e) {
    return window.mmWords.entry(e);
  }

  /* A site as people know it: its installer's name (once the site's facts are on record), with
   * its id beside it. */
  function siteName(site) {
    const f = records[site] && records[site].facts;
    return f && f.installer_name
      ? [f.installer_name, h('span', { class: 'site-id' }, t('site.id_beside', { id: site }))]
      : [site];
  }

  function siteLink(site) {
    return h('a', { href: '#/site/' + enc(site) + '/cameras' }, siteName(site));
  }

  /* The sites' records last read (the overview's and a site page's), for the feed's findings and
   * the sites' names; the hub's own zone, for the pages that are no site's. */
  const records = {};
  let hubZone = null;

  /* The text of key with {zone} as the zone's short name and its IANA name in code. */
  function zoneLabel(key, zone) {
    const [before, after] = t(key, { zone: '\u0000' }).split('\u0000');
    const [open, close] = I.lang() === 'ja' ? ['（', '）'] : [' (', ')'];
    return [before, window.mm.zoneName(Date.now(), zone), open, h('code', {}, zone), close, after || ''];
  }

  /* --- the live feed list ------------------------------------------------------------------- */

  function feedItem(ev) {
    const time = h('time', { class: 'feed-time' }, fmtClock(Date.parse(ev.time) || ev.received_ms));
    const head = [time, ev.site ? siteLink(ev.site) : null];
    const body = [];
    const attrs = { class: 'feed-item feed-' + ev.type, dataset: { type: ev.type, site: ev.site || '' } };
    if (ev.type === 'entries') {
      const kinds = ev.kinds || {};
      head.push(h('span', { class: 'feed-what' }, t('feed.batch', { a: ev.from, b: ev.to - 1 })));
      const listed = ev.entries || [];
      for (const e of listed.slice(0, 4)) {
        body.push(h('div', { class: 'feed-line' },
          chip(L('entry', e.type), e.type === 'access' || e.type === 'camera_state' ? 'info' : 'muted'),
          ' ', entrySummary(e)));
      }
      if (listed.length > 4) body.push(h('div', { class: 'feed-line muted' }, t('feed.more', { n: listed.length - 4 })));
      if (kinds.segment_recorded) body.push(h('div', { class: 'feed-line muted' }, t('feed.segments', { n: kinds.segment_recorded })));
      if (ev.entries_omitted) body.push(h('div', { class: 'feed-line muted' }, t('feed.omitted', { n: ev.entries_omitted })));
      attrs.dataset.entryTypes = Object.keys(kinds).join(' ');
    } else if (ev.type === 'finding') {
      const f = ev.finding || {};
      head.push(h('span', { class: 'feed-what' }, t('feed.finding', { state: L('fstate', f.state) })));
      body.push(h('div', { class: 'feed-line' }, sevBadge(f.severity), ' ', L('fkind2', f.kind)));
      body.push(h('div', { class: 'feed-line muted' }, window.mmWords.finding(f, { rec: records[f.site] })));
      attrs.dataset.kind = f.kind || '';
    } else if (ev.type === 'filing') {
      const f = ev.filing || {};
      head.push(h('span', { class: 'feed-what' }, t('feed.filing', { id: f.id })));
      body.push(h('div', { class: 'feed-line' }, L('fkind', f.kind), f.version ? ' ' + t('site.standards_val', { v: f.version }) : '',
        ' → ', chip(L('filing', f.state), stateClass(f.state))));
    } else if (ev.type === 'city_action') {
      const a = (ev.entry && ev.entry.city_action) || ev.city_action || {};
      head.push(h('span', { class: 'feed-what' }, t('feed.city_action')));
      body.push(h('div', { class: 'feed-line' }, L('action', a.action), ' ', window.mmWords.subject(a.subject), ' — ',
        window.mmWords.actor(a.person)));
      if (a.reason) body.push(h('div', { class: 'feed-line muted' }, a.reason));
      attrs.dataset.action = a.action || '';
    } else {
      head.push(h('span', { class: 'feed-what' }, ev.type));
    }
    return h('li', attrs, h('div', { class: 'feed-head' }, head), body);
  }

  /* A batch of nothing but recordings and hourly summaries: what every site sends every few
   * seconds. The feed leaves these out unless asked (the overview's row shows them as the log's
   * size and the checkpoint's age). */
  function routine(ev) {
    return ev.type === 'entries' &&
      Object.keys(ev.kinds || {}).every((k) => k === 'segment_recorded' || k === 'camera_uptime');
  }

  function feedPanel() {
    let all = localStorage.getItem('mm.feed.all') === '1';
    const list = h('ol', { class: 'feed-list', id: 'feed-list', 'aria-live': 'polite' });
    const empty = h('p', { class: 'muted feed-empty' }, t('ov.feed_wait'));
    const skipped = h('span', { class: 'feed-skipped' });
    let nskipped = 0;
    const shown = (ev) => all || !routine(ev);
    const count = () => {
      skipped.textContent = !all && nskipped ? ' ' + t('feed.skipped', { n: nskipped }) : '';
    };
    const draw = () => {
      clear(list);
      nskipped = 0;
      for (const ev of feed.events) {
        if (!shown(ev)) nskipped++;
        else if (list.children.length < 60) list.append(feedItem(ev));
      }
      empty.hidden = list.children.length > 0;
      count();
    };
    const onEvent = (ev) => {
      if (!shown(ev)) {
        nskipped++;
        count();
        return;
      }
      list.prepend(feedItem(ev));
      while (list.children.length > 60) list.lastChild.remove();
      empty.hidden = true;
    };
    draw();
    feed.listeners.add(onEvent);
    const toggle = h('label', { class: 'check' },
      h('input', {
        type: 'checkbox', id: 'feed-all', checked: all,
        onchange: (e) => {
          all = e.target.checked;
          localStorage.setItem('mm.feed.all', all ? '1' : '0');
          draw();
        },
      }), ' ', t('feed.all'));
    const el = h('section', { class: 'card feed', 'aria-labelledby': 'feed-title' },
      h('h2', { id: 'feed-title' }, t('ov.feed'), ' ',
        h('span', { id: 'feed-status-inline', class: 'feed-status ' + feed.status }, t('feed.' + feed.status))),
      h('p', { class: 'feed-opts' }, toggle, skipped),
      empty, list);
    return { el, dispose: () => feed.listeners.delete(onEvent) };
  }

  /* --- overview ------------------------------------------------------------------------------ */

  async function loadOverview() {
    const [s, f, hub] = await Promise.all([api('/api/v1/sites'), api('/api/v1/findings'),
      api('/api/v1/hub').catch(() => ({}))]);
    const recs = await Promise.all(s.sites.map((x) =>
      api('/api/v1/sites/' + enc(x.id) + '/registry').catch(() => null)));
    const regs = {};
    s.sites.forEach((x, i) => {
      regs[x.id] = recs[i];
      if (recs[i]) records[x.id] = recs[i];
    });
    return { sites: s.sites, findings: f.findings, regs, zone: hub.timezone };
  }

  function lastStandardsFiling(rec) {
    let last = null;
    for (const f of (rec && rec.filings) || []) if (f.kind === 'initial' || f.kind === 'change') last = f;
    return last;
  }

  function overviewView() {
    const tiles = h('section', { class: 'tiles' });
    const tbody = h('tbody');
    const table = h('table', { class: 'sites-table', id: 'sites-table' },
      h('thead', {}, h('tr', {},
        ['col.site', 'col.cameras', 'col.filing', 'col.findings', 'col.uptime', 'col.checkpoint']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
      tbody);
    const status = h('p', { class: 'muted' }, t('ov.loading'));
    window.mm.setZone(hubZone);
    const zoneNote = h('p', { class: 'muted small zone-note', id: 'ov-zone' }, ...zoneLabel('ov.zone', hubZone || window.mm.zone()));
    const sitesCard = h('section', { class: 'card sites' }, h('h1', {}, t('ov.title')), zoneNote, status, h('div', { class: 'table-wrap' }, table));
    const fp = feedPanel();
    const el = h('div', { class: 'overview' }, tiles, h('div', { class: 'overview-grid' }, sitesCard, fp.el));
    let model = null;
    let timer = null;

    function ageOf(site) {
      return site.last_checkpoint_unix ? Date.now() / 1000 - site.last_checkpoint_unix : null;
    }

    function draw() {
      if (!model) return;
      const open = model.findings.filter((f) => f.state === 'open');
      const serious = open.filter((f) => f.severity === 'critical' || f.severity === 'high').length;
      let pending = 0, cams = 0, recording = 0;
      for (const id in model.regs) {
        const rec = model.regs[id];
        for (const f of (rec && rec.filings) || []) if (f.state === 'received') pending++;
        for (const c of Object.values((rec && rec.cameras) || {})) {
          cams++;
          if (c.state === 'recording') recording++;
        }
      }
      clear(tiles).append(
        h('div', { class: 'tile' }, h('span', { class: 'tile-n', id: 'tile-sites' }, model.sites.length), h('span', {}, t('ov.sites'))),
        h('div', { class: 'tile' }, h('span', { class: 'tile-n' }, cams), h('span', {}, t('ov.cameras_total')),
          h('span', { class: 'tile-sub' }, t('ov.cameras_recording', { n: recording }))),
        h('div', { class: 'tile ' + (serious ? 'tile-bad' : open.length ? 'tile-warn' : '') },
          h('span', { class: 'tile-n', id: 'tile-findings' }, open.length), h('span', {}, t('ov.open_findings')),
          h('span', { class: 'tile-sub' }, t('ov.serious', { n: serious }))),
        h('div', { class: 'tile ' + (pending ? 'tile-warn' : '') },
          h('span', { class: 'tile-n', id: 'tile-filings' }, pending), h('span', {}, t('ov.pending_filings'))));
      status.hidden = model.sites.length > 0;
      status.textContent = t('ov.no_sites');
      clear(tbody);
      for (const site of model.sites) {
        const rec = model.regs[site.id] || {};
        const facts = rec.facts || null;
        const cameras = Object.values(rec.cameras || {});
        const byState = {};
        for (const c of cameras) byState[c.state] = (byState[c.state] || 0) + 1;
        const mine = open.filter((f) => f.site === site.id);
        const bySev = {};
        for (const f of mine) bySev[f.severity] = (bySev[f.severity] || 0) + 1;
        const last = lastStandardsFiling(rec);
        const waiting = (rec.filings || []).filter((f) => f.state === 'received').length;
        const age = ageOf(site);
        tbody.append(h('tr', { dataset: { site: site.id } },
          h('td', { 'data-label': t('col.site') }, h('a', { class: 'site-link', href: '#/site/' + enc(site.id) + '/cameras' }, siteName(site.id)),
            facts ? null : h('div', { class: 'muted small' }, t('ov.unregistered')),
            h('div', { class: 'muted small' }, t('ov.entries', { n: site.log_size }))),
          h('td', { 'data-label': t('col.cameras'), class: 'cams' }, h('span', { class: 'cam-count' }, cameras.length), ' ',
            Object.entries(byState).map(([st, n]) => chip(`${L('state', st)} ${n}`, stateClass(st)))),
          h('td', { 'data-label': t('col.filing') },
            last ? [t('site.standards_val', { v: last.version }), ' ', chip(L('filing', last.state), stateClass(last.state))]
              : h('span', { class: 'muted' }, t('ov.no_filing')),
            waiting ? h('div', {}, chip(t('ov.awaiting', { n: waiting }), 'warn')) : null),
          h('td', { 'data-label': t('col.findings'), class: 'findings-cell' },
            mine.length ? SEVERITIES.filter((s) => bySev[s]).map((s) => sevBadge(s, bySev[s]))
              : h('span', { class: 'muted' }, t('ov.none'))),
          h('td', { 'data-label': t('col.uptime') }, uptimeChart(cameras, Date.now())),
          h('td', { 'data-label': t('col.checkpoint') },
            h('span', { class: 'age ' + ageClass(age), dataset: { unix: site.last_checkpoint_unix || '' } }, fmtAge(age)))));
      }
    }

    function tickAges() {
      for (const el of tbody.querySelectorAll('.age')) {
        const unix = Number(el.dataset.unix);
        const age = unix ? Date.now() / 1000 - unix : null;
        el.textContent = fmtAge(age);
        el.className = 'age ' + ageClass(age);
      }
    }

    async function refresh() {
      try {
        model = await loadOverview();
        hubZone = window.mm.setZone(model.zone);
        clear(zoneNote).append(...zoneLabel('ov.zone', hubZone));
        draw();
      } catch (e) {
        if (token) {
          status.hidden = false;
          status.textContent = `${t('err.load')}: ${errorText(e)}`;
        }
      }
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 500);
    }

    const onEvent = (ev) => {
      if (!model) return;
      if (ev.type === 'entries') {
        const site = model.sites.find((x) => x.id === ev.site);
        if (site) {
          site.log_size = ev.to;
          site.last_checkpoint_unix = (Date.parse(ev.time) || Date.now()) / 1000;
        }
        if ((ev.entries && ev.entries.length) || !site) later();
        else draw();
      } else {
        later();
      }
    };
    feed.listeners.add(onEvent);
    const ticker = setInterval(tickAges, 1000);
    refresh();
    return {
      kind: 'overview', el,
      dispose() {
        fp.dispose();
        feed.listeners.delete(onEvent);
        clearInterval(ticker);
        clearTimeout(timer);
      },
    };
  }

  /* --- a site's page ------------------------------------------------------------------------- */

  const TABS = ['cameras', 'filings', 'findings', 'measures', 'complaints', 'requests', 'disclosures', 'holds', 'log', 'hublog'];
  const LOG_PAGE = 50;
  const LOG_CHUNK = 1000;
  const LOG_SCAN = 20000; /* entries looked at per search step */
  const ENTRY_TYPES = ['segment_recorded', 'camera_gap', 'camera_uptime', 'segments_erased', 'hold_placed',
    'hold_released', 'storage_alarm', 'camera_coverage', 'access', 'role_changed', 'emergency_report', 'viewing',
    'camera_state', 'configuration_changed', 'site_facts', 'camera_facts', 'city_action', 'city_request',
    'request_answered', 'standards_filed', 'disclosure', 'site_complaint'];

  function siteView(site, firstTab, firstQuery) {
    const base = '/api/v1/sites/' + enc(site);
    const header = h('section', { class: 'card site-head' }, h('p', { class: 'muted' }, t('ov.loading')));
    const tabs = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': site });
    const panel = h('section', { class: 'card panel', role: 'tabpanel', id: 'panel' });
    const el = h('div', { class: 'site' },
      h('p', { class: 'back' }, h('a', { href: '#/' }, t('site.back'))), header, tabs, panel);
    const d = { rec: null, info: null, findings: [], measures: [], requests: [], disclosures: [] };
    window.mm.setZone(records[site] && records[site].timezone);
    let tab = TABS.includes(firstTab) ? firstTab : 'cameras';
    let query = firstQuery || {};
    let timer = null;
    let showClosed = false;
    const log = { size: 0, rows: [], mode: 'page', end: null, type: '', q: '', scannedTo: null, fresh: 0, at: null, busy: false };
    const hub = { rows: [], before: null, size: 0, busy: false, chain: Promise.resolve() };

    async function load() {
      const [rec, sites, f, m, r, dis] = await Promise.all([
        api(base + '/registry'), api('/api/v1/sites'), api('/api/v1/findings'), api(base + '/measures'),
        api(base + '/requests'), api('/api/v1/disclosures').catch(() => ({ disclosures: [] })),
      ]);
      d.rec = rec;
      records[site] = rec;
      /* The site's times are shown in its own zone (the one it reports; Asia/Tokyo unsaid). */
      window.mm.setZone(rec.timezone);
      d.info = sites.sites.find((x) => x.id === site) || null;
      d.findings = f.findings.filter((x) => x.site === site);
      d.measures = m.measures;
      d.requests = r.requests;
      d.disclosures = dis.disclosures.filter((x) => x.site === site);
    }

    function drawHeader() {
      const f = (d.rec && d.rec.facts) || null;
      const std = d.rec && d.rec.standards;
      const age = d.info && d.info.last_checkpoint_unix ? Date.now() / 1000 - d.info.last_checkpoint_unix : null;
      const open = d.findings.filter((x) => x.state === 'open');
      const bySev = {};
      for (const x of open) bySev[x.severity] = (bySev[x.severity] || 0) + 1;
      const row = (k, v) => fact(t(k), v);
      clear(header).append(
        h('div', { class: 'site-title' }, h('h1', {}, siteName(site)),
          h('div', { class: 'site-badges' },
            SEVERITIES.filter((s) => bySev[s]).map((s) => sevBadge(s, bySev[s])),
            h('span', { class: 'age ' + ageClass(age), id: 'site-age', dataset: { unix: (d.info && d.info.last_checkpoint_unix) || '' } },
              t('site.checkpoint') + ': ' + fmtAge(age)))),
        f ? h('dl', { class: 'facts' },
          row('site.installer', f.installer_name),
          row('site.address', f.installer_address),
          row('site.contact', f.installer_contact),
          row('site.manager', f.manager_name),
          row('site.purpose', f.purpose),
          row('site.policy', L('policy', f.policy)),
          row('site.retention', t('site.retention_val', { days: f.retention_days, reg: f.registered_retention_days || '—' })),
          row('site.retention_source', window.mmPolicies.retentionText(d.rec)),
          row('site.storage', f.storage_location),
          row('site.consensus', f.consensus_date),
          row('site.land', f.land_permission_ref ? `${f.land_permission_ref} ${f.land_permission_date || ''}` : null),
          row('site.standards', std ? t('site.standards_val', { v: std.version }) : null),
          row('site.log', d.info ? t('ov.entries', { n: d.info.log_size }) : null),
          fact(t('site.zone'), zoneLabel('site.zone_val', window.mm.zone())))
          : h('p', { class: 'muted' }, t('site.no_facts')));
      document.title = `${(f && f.installer_name) || site}（${site}）— ${t('app.doc_title')}`;
    }

    function drawTabs() {
      clear(tabs);
      for (const k of TABS) {
        let n = null;
        if (k === 'findings') n = d.findings.filter((x) => x.state === 'open').length || null;
        if (k === 'filings') n = ((d.rec && d.rec.filings) || []).filter((x) => x.state === 'received').length || null;
        if (k === 'holds') n = window.mmHolds.inPlace(d.rec) || null;
        tabs.append(h('a', {
          href: `#/site/${enc(site)}/${k}`, role: 'tab', id: 'tab-' + k, 'aria-selected': k === tab ? 'true' : 'false',
          class: 'tab' + (k === tab ? ' active' : ''),
        }, t('tab.' + k), n ? h('span', { class: 'tab-n' }, n) : null));
      }
    }

    function cameraList() {
      return Object.values((d.rec && d.rec.cameras) || {}).sort((a, b) => (a.id < b.id ? -1 : 1));
    }

    function drawCameras() {
      const cams = cameraList();
      if (!cams.length) return h('p', { class: 'muted' }, t('cam.none'));
      return h('div', { class: 'table-wrap' }, h('table', { class: 'cams-table' },
        h('thead', {}, h('tr', {}, ['cam.id', 'cam.location', 'cam.purpose', 'cam.installed', 'cam.share', 'cam.signage', 'cam.state', 'cam.uptime']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, cams.map((c) => {
          const f = c.facts || {};
          const cov = c.coverage;
          const sign = f.signage_text
            ? [h('div', {}, f.signage_text), h('div', { class: 'muted small' },
              t(f.signage_installer_shown ? 'cam.sign_installer' : 'cam.sign_no_installer'),
              f.signage_checked ? ' · ' + t('cam.sign_checked', { d: f.signage_checked }) : '')]
            : chip(t('cam.no_sign'), 'bad');
          const share = cov
            ? [h('strong', {}, fmtPercent(cov.share_ppm / 1e6)), h('div', { class: 'muted small' },
              cov.threshold_ppm ? t('cam.threshold', { p: fmtPercent(cov.threshold_ppm / 1e6) }) : '',
              cov.exception ? ' · ' + t('cam.exception', { x: cov.exception }) : '')]
            : chip('—', 'bad');
          return h('tr', { dataset: { camera: c.id } },
            h('td', { 'data-label': t('cam.id') }, h('strong', {}, c.id)),
            h('td', { 'data-label': t('cam.location') }, f.location || '—'),
            h('td', { 'data-label': t('cam.purpose') }, f.purpose || '—'),
            h('td', { 'data-label': t('cam.installed') }, f.install_date || '—'),
            h('td', { 'data-label': t('cam.share') }, share),
            h('td', { 'data-label': t('cam.signage') }, sign),
            h('td', { 'data-label': t('cam.state') }, chip(L('state', c.state), stateClass(c.state)),
              c.state_time_us ? h('div', { class: 'muted small' }, fmtTime(c.state_time_us)) : null),
            h('td', { 'data-label': t('cam.uptime') }, uptimeChart([c], Date.now())));
        }))));
    }

    function decide(f, accepted) {
      openDialog({
        title: t(accepted ? 'act.accept_title' : 'act.return_title', { id: f.id }),
        fields: [{ name: 'reason', type: 'textarea', label: t(accepted ? 'act.reason_opt' : 'act.reason'), required: !accepted }],
        submit: t(accepted ? 'act.accept' : 'act.return'),
        danger: !accepted,
        onSubmit: (v) => api(`${base}/filings/${enc(f.id)}/decision`, {
          method: 'POST', body: v.reason ? { decision: accepted ? 'accepted' : 'returned', reason: v.reason }
            : { decision: accepted ? 'accepted' : 'returned' },
        }),
        done: reload,
      });
    }

    function historyList(items, fmt) {
      if (!items || !items.length) return null;
      return h('ol', { class: 'history' }, items.map((x) => h('li', {}, fmt(x))));
    }

    function drawFilings() {
      const all = (d.rec && d.rec.filings) || [];
      const list = all.slice().reverse();
      if (!list.length) return h('p', { class: 'muted' }, t('fil.none'));
      const cols = ['fil.id', 'fil.kind', 'fil.time', 'fil.state', 'fil.docs', 'fil.history', 'fil.actions'];
      const buttons = (f, cls) => (f.state === 'received' ? [
        h('button', { type: 'button', class: `primary small-btn ${cls}accept`, onclick: () => decide(f, true) }, t('act.accept')),
        h('button', { type: 'button', class: `danger small-btn ${cls}return`, onclick: () => decide(f, false) }, t('act.return')),
      ] : null);
      return h('div', { class: 'table-wrap' }, h('table', { class: 'filings-table' },
        h('thead', {}, h('tr', {}, cols.map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, list.map((f) => {
          /* A filing of the standards carries its document (documents.js), read beside the
           * buttons that decide on it. */
          const doc = f.version && (f.kind === 'initial' || f.kind === 'change') && window.mmDocuments
            ? window.mmDocuments.forFiling({
              api, site, filing: f, filings: all, colspan: cols.length, toast,
              actions: f.state === 'received' ? () => buttons(f, 'doc-act-') : null,
            }) : null;
          return [h('tr', { dataset: { filing: f.id, state: f.state } },
            h('td', { 'data-label': t('fil.id') }, h('a', { href: `#/site/${enc(site)}/log?at=${f.index}` }, '#' + f.id)),
            h('td', { 'data-label': t('fil.kind') }, L('fkind', f.kind), f.camera ? h('div', { class: 'muted small' }, t('fil.camera', { c: f.camera })) : null),
            h('td', { 'data-label': t('fil.time') }, fmtTime(f.time_us)),
            h('td', { 'data-label': t('fil.state') }, chip(L('filing', f.state), stateClass(f.state))),
            h('td', { 'data-label': t('fil.docs'), class: 'docs' },
              f.version ? h('div', {}, h('strong', {}, t('fil.version', { v: f.version })),
                f.automatic ? h('span', { class: 'muted small' }, ' · ' + t('fil.auto')) : f.by ? h('span', { class: 'muted small' }, ' · ' + t('fil.by', { by: f.by })) : null) : null,
              f.document_hash ? h('div', { class: 'small' }, t('fil.document_hash') + ' ', hashEl(f.document_hash)) : null,
              f.config_hash ? h('div', { class: 'small' }, t('fil.config_hash') + ' ', hashEl(f.config_hash)) : null,
              f.summary ? h('div', { class: 'small muted summary' }, window.mmWords.summary(f.summary)) : null,
              f.reason ? h('div', { class: 'small' }, f.reason) : null,
              doc ? h('div', {}, doc.button) : null),
            h('td', { 'data-label': t('fil.history') }, historyList(f.history, (x) =>
              [chip(L('filing', x.state), stateClass(x.state)), ' ', fmtTime(x.time_us), x.by ? ' · ' + x.by : '', x.reason ? ' — ' + x.reason : ''])),
            h('td', { 'data-label': t('fil.actions'), class: 'actions' }, buttons(f, 'act-'))),
          doc && doc.row];
        }))));
    }

    function evidenceLinks(ev) {
      const idx = (ev && ev.entries) || [];
      return idx.map((i) => h('a', { class: 'evidence-link', href: `#/site/${enc(site)}/log?at=${i}` }, '#' + i));
    }

    function drawFindings() {
      const list = d.findings.filter((f) => showClosed || f.state === 'open')
        .sort((a, b) => (a.state === b.state ? SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) : a.state === 'open' ? -1 : 1));
      const toggle = h('label', { class: 'check' },
        h('input', { type: 'checkbox', checked: showClosed, onchange: (e) => { showClosed = e.target.checked; drawPanel(); } }),
        ' ', t('f.show_closed'));
      return [h('div', { class: 'toolbar' }, toggle),
        list.length ? h('ul', { class: 'findings' }, list.map((f) => {
          const ev = f.evidence || {};
          return h('li', { class: 'finding ' + f.state, dataset: { kind: f.kind, id: f.id, state: f.state } },
            h('div', { class: 'finding-head' }, sevBadge(f.severity), ' ', h('strong', {}, L('fkind2', f.kind)),
              ' ', chip(L('fstate', f.state), stateClass(f.state)),
              f.rule ? h('span', { class: 'muted small' }, ' ' + t('f.rule', { r: f.rule })) : null),
            ev.camera || ev.day ? h('p', { class: 'finding-where' },
              [ev.camera ? t('f.camera', { c: ev.camera }) : null, ev.day ? t('f.day', { d: ev.day }) : null].filter(Boolean).join(' · ')) : null,
            h('p', { class: 'finding-msg' }, window.mmWords.finding(f, { rec: d.rec, info: d.info })),
            h('p', { class: 'muted small' }, [t('f.first_seen', { t: fmtIso(f.first_seen) }), t('f.last_seen', { t: fmtIso(f.last_seen) }),
              t('f.count', { n: f.count }), f.closed_at ? t('f.closed_at', { t: fmtIso(f.closed_at) }) : null].filter(Boolean).join(' · ')),
            evidenceLinks(ev).length ? h('p', { class: 'evidence' }, t('f.evidence') + ': ', evidenceLinks(ev)) : null,
            h('details', {}, h('summary', {}, t('f.evidence_json')), h('pre', {}, JSON.stringify(ev, null, 2))));
        })) : h('p', { class: 'muted' }, t(showClosed ? 'f.none_all' : 'f.none'))];
    }

    function newMeasure() {
      const open = d.findings.filter((f) => f.state === 'open');
      openDialog({
        title: t('meas.new'),
        intro: open.length ? null : t('meas.no_findings'),
        fields: [
          { name: 'kind', type: 'select', label: t('meas.kind'), value: 'guidance',
            options: [['guidance', t('meas.guidance')], ['recommendation', t('meas.recommendation')]] },
          { name: 'findings', type: 'checks', label: t('meas.findings'), empty: t('f.none'),
            options: open.map((f) => [String(f.id), `#${f.id} ${L('fkind2', f.kind)} — ${window.mmWords.finding(f, { rec: d.rec, info: d.info })}`]) },
          { name: 'text', type: 'textarea', label: t('meas.text'), required: true },
        ],
        onSubmit: (v) => api(base + '/measures', {
          method: 'POST', body: { kind: v.kind, findings: v.findings.map(Number), text: v.text },
        }),
        done: reload,
      });
    }

    function offerHearing(m) {
      /* The deadline is a day as the ordinance counts days: in Japan. */
      const soon = window.mm.jstDay(Date.now() + 14 * 86400000);
      openDialog({
        title: t('meas.offer_title', { id: m.id }),
        fields: [{ name: 'deadline', type: 'date', label: t('meas.deadline'), value: soon, required: true },
          ...window.mmNotices.hearingFields(),
          { name: 'text', type: 'textarea', label: t('meas.letter'), required: true }],
        onSubmit: (v) => api(`${base}/measures/${m.id}/hearing`, {
          method: 'POST',
          body: { action: 'offer', deadline: v.deadline, date: v.date, place: v.place, how: v.how, text: v.text },
        }),
        done: reload,
      });
    }

    function recordHearing(m) {
      openDialog({
        title: t('meas.outcome_title', { id: m.id }),
        fields: [{ name: 'outcome', type: 'select', label: t('meas.outcome_label'), value: 'opinion_stated',
          options: ['opinion_stated', 'no_opinion', 'declined'].map((o) => [o, L('outcome', o)]) },
        { name: 'text', type: 'textarea', label: t('meas.record'), required: true }],
        onSubmit: (v) => api(`${base}/measures/${m.id}/hearing`, { method: 'POST', body: { action: 'outcome', outcome: v.outcome, text: v.text } }),
        done: reload,
      });
    }

    function publish(m) {
      openDialog({
        title: t('meas.publish_title', { id: m.id }),
        intro: t('meas.publish_hint'),
        fields: [{ name: 'text', type: 'textarea', label: t('meas.publish_text'), required: true }],
        submit: t('meas.publish'),
        danger: true,
        onSubmit: (v) => api(`${base}/measures/${m.id}/publication`, { method: 'POST', body: { text: v.text } }),
        done: reload,
      });
    }

    function drawMeasures() {
      const bar = h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'primary', id: 'new-measure', onclick: newMeasure }, t('meas.new')));
      if (!d.measures.length) return [bar, h('p', { class: 'muted' }, t('meas.none'))];
      return [bar, h('ul', { class: 'measures' }, d.measures.slice().reverse().map((m) => {
        const rec = m.kind === 'recommendation';
        const hg = m.hearing;
        const buttons = [];
        if (rec && !hg && m.state !== 'published') buttons.push(h('button', { type: 'button', class: 'small-btn act-offer', onclick: () => offerHearing(m) }, t('meas.offer')));
        if (rec && hg && !hg.outcome) buttons.push(h('button', { type: 'button', class: 'small-btn act-outcome', onclick: () => recordHearing(m) }, t('meas.outcome')));
        if (rec && m.state !== 'published') buttons.push(h('button', { type: 'button', class: 'small-btn danger act-publish', onclick: () => publish(m) }, t('meas.publish')));
        return h('li', { class: 'measure', dataset: { id: m.id, kind: m.kind, state: m.state } },
          h('div', { class: 'finding-head' }, h('strong', {}, t('meas.title', { kind: t('meas.' + m.kind), id: m.id })), ' ',
            chip(t('meas.state.' + m.state), stateClass(m.state)), ' ',
            h('span', { class: 'muted small' }, fmtTime(m.time_us), m.by ? ' · ' + m.by : '')),
          h('p', {}, m.text),
          h('p', { class: 'small' }, t('meas.findings') + ': ', (m.findings || []).map((id) => {
            const f = d.findings.find((x) => x.id === id);
            return h('span', { class: 'ref' }, '#' + id + (f ? ' ' + L('fkind2', f.kind) : ''));
          })),
          hg ? h('p', { class: 'small' }, h('strong', {}, t('meas.hearing')), ' ', t('meas.hearing_val', { d: hg.deadline }), ' — ', hg.letter || '',
            hg.outcome ? [' → ', chip(L('outcome', hg.outcome), 'info'), ' ', hg.record || ''] : null) : null,
          window.mmNotices.hearingLine(hg),
          m.publication ? h('p', { class: 'small' }, h('strong', {}, t('meas.publication')), ' ', fmtTime(m.publication.published_us), ' — ', m.publication.text) : null,
          historyList(m.history, (x) => [chip(t('meas.state.' + x.state), stateClass(x.state)), ' ', fmtTime(x.time_us), ' · ', x.by, x.text ? ' — ' + x.text : '']),
          buttons.length ? h('div', { class: 'actions' }, buttons) : null);
      }))];
    }

    function newComplaint() {
      openDialog({
        title: t('req.new_complaint'),
        fields: [
          { name: 'camera', type: 'select', label: t('req.camera'), value: '',
            options: [['', t('req.any_camera')]].concat(cameraList().map((c) => [c.id, `${c.id} ${(c.facts && c.facts.location) || ''}`])) },
          { name: 'text', type: 'textarea', label: t('req.text'), required: true },
          { name: 'contact', type: 'text', label: t('req.contact') },
          { name: 'via', type: 'select', label: t('req.via'), value: 'public', options: [['public', t('via.public')], ['staff', t('via.staff')]] },
        ],
        onSubmit: (v) => {
          const body = { site, text: v.text, via: v.via };
          if (v.camera) body.camera = v.camera;
          if (v.contact) body.contact = v.contact;
          return api('/api/v1/complaints', { method: 'POST', body });
        },
        done: reload,
      });
    }

    function reportRequest() {
      /* Days at the site: from the start of the first to the end of the last, in its zone. */
      const today = window.mm.zoneDay(Date.now());
      const weekAgo = window.mm.zoneDay(Date.now() - 7 * 86400000);
      const us = (day, end) => {
        const ms = window.mm.zonedToMs(day, '00:00', window.mm.zone());
        if (ms === null) return 0;
        return (end ? window.mm.zonedToMs(window.mm.zoneDay(ms + 36 * 3600000), '00:00', window.mm.zone()) : ms) * 1000;
      };
      openDialog({
        title: t('req.report_title'),
        fields: [
          { name: 'from', type: 'date', label: t('req.from'), value: weekAgo, required: true },
          { name: 'to', type: 'date', label: t('req.to'), value: today, required: true },
          { name: 'text', type: 'textarea', label: t('req.text') },
          { name: 'days', type: 'number', label: t('req.deadline_days'), value: '14', min: 1, max: 90 },
        ],
        onSubmit: (v) => api(base + '/report-requests', {
          method: 'POST',
          body: { from_us: us(v.from, false) || 0, to_us: us(v.to, true) || 0, text: v.text, deadline_days: Number(v.days) || 14 },
        }),
        done: reload,
      });
    }

    function appeal(q) {
      openDialog({
        title: t('req.appeal_title', { id: q.id }),
        fields: [{ name: 'text', type: 'textarea', label: t('req.text'), required: true }],
        onSubmit: (v) => api(`${base}/requests/${enc(q.id)}/appeal`, { method: 'POST', body: { text: v.text } }),
        done: reload,
      });
    }

    function askMeasures(q) {
      openDialog({
        title: t('req.measures_title', { id: q.id }),
        fields: [{ name: 'text', type: 'textarea', label: t('req.text'), required: true },
          { name: 'days', type: 'number', label: t('req.deadline_days'), value: '14', min: 1, max: 90 }],
        onSubmit: (v) => api(`${base}/requests/${enc(q.id)}/measures`, { method: 'POST', body: { text: v.text, deadline_days: Number(v.days) || 14 } }),
        done: reload,
      });
    }

    /* The complaints tab (complaints: the city's and the site's, R-N12) or the requests tab
     * (everything else the city asks or tells the site: reports, measures asked for, notices). */
    function drawRequests(complaints) {
      const bar = h('div', { class: 'toolbar' }, complaints
        ? h('button', { type: 'button', class: 'primary', id: 'new-complaint', onclick: newComplaint }, t('req.new_complaint'))
        : h('button', { type: 'button', class: 'primary', id: 'new-report', onclick: reportRequest }, t('req.report')));
      const list = d.requests.filter((q) => (q.kind === 'complaint') === complaints)
        .sort((a, b) => (b.time_us || 0) - (a.time_us || 0));
      const atSite = complaints ? window.mmSiteComplaints.section(d.rec, appeal) : null;
      const measuresOf = (q) => d.requests.filter((m) => m.kind === 'complaint_measure' && m.complaint === q.id);
      if (!list.length) return [bar, h('p', { class: 'muted' }, t(complaints ? 'req.none_complaints' : 'req.none_requests')), atSite];
      return [bar, h('ul', { class: 'requests' }, list.map((q) => {
        const ans = q.answer;
        const buttons = [];
        if (q.kind === 'complaint' && !q.appeal) buttons.push(h('button', { type: 'button', class: 'small-btn act-appeal', onclick: () => appeal(q) }, t('req.appeal')));
        if (q.kind === 'complaint') buttons.push(h('button', { type: 'button', class: 'small-btn act-measures', onclick: () => askMeasures(q) }, t('req.measures')));
        return h('li', { class: 'request', dataset: { id: q.id, kind: q.kind || '', state: q.state || '' } },
          h('div', { class: 'finding-head' }, h('strong', {}, q.id), ' ', L('req.kind', q.kind), ' ',
            chip(window.mmNotices.stateLabel(q), stateClass(q.state)),
            q.unknown_to_hub ? chip(t('req.unknown_to_hub'), 'bad') : null,
            h('span', { class: 'muted small' }, ' ', fmtTime(q.time_us), q.by ? ' · ' + t('req.by', { by: q.by }) : '',
              q.deadline_us ? ' · ' + t('req.deadline', { d: fmtDate(q.deadline_us) }) : '')),
          q.complaint ? h('p', { class: 'small' }, h('a', { href: `#/site/${enc(site)}/complaints` }, t('req.complaint_of', { id: q.complaint }))) : null,
          q.kind === 'complaint' ? measuresOf(q).map((m) => h('p', { class: 'small measure-of' }, t('req.measures_asked') + ' ',
            h('a', { href: `#/site/${enc(site)}/requests` }, m.id), ' ', chip(window.mmNotices.stateLabel(m), stateClass(m.state)))) : null,
          q.camera ? h('p', { class: 'small' }, t('req.camera') + ': ' + q.camera) : null,
          q.text ? h('p', {}, q.text) : null,
          q.kind === 'report_request' && q.from_us ? h('p', { class: 'small' }, `${fmtTime(q.from_us)} – ${fmtTime(q.to_us)}`) : null,
          q.contact ? h('p', { class: 'small muted' }, t('req.contact') + ': ' + q.contact + (q.via ? ' · ' + L('via', q.via) : '')) : null,
          q.appeal ? h('p', { class: 'small' }, h('strong', {}, t('req.appealed')), ' ', fmtTime(q.appeal.time_us), ' — ', q.appeal.text) : null,
          window.mmNotices.requestParts(q),
          ans && !window.mmNotices.isNotice(q) ? h('div', { class: 'answer' }, h('strong', {}, t('req.answer')), ' ', fmtTime(ans.time_us), ans.by ? ' · ' + ans.by : '',
            ans.text ? h('p', {}, ans.text) : null,
            ans.report ? h('details', {}, h('summary', {}, chip(t(ans.report_signature_valid ? 'req.signature_ok' : 'req.signature_bad'),
              ans.report_signature_valid ? 'ok' : 'bad')), h('pre', {}, ans.report)) : null) : null,
          buttons.length ? h('div', { class: 'actions' }, buttons) : null);
      })), atSite];
    }

    function drawDisclosures() {
      const note = h('p', { class: 'hint' }, t('dis.note'));
      if (!d.disclosures.length) return [note, h('p', { class: 'muted' }, t('dis.none'))];
      return [note, h('ul', { class: 'disclosures' }, d.disclosures.slice().reverse().map((x) => h('li', { class: 'disclosure', dataset: { id: x.id, state: x.state } },
        h('div', { class: 'finding-head' }, h('strong', {}, x.id), ' ', chip(L('dstate', x.state), 'info'), ' ',
          h('span', {}, L('basis', x.legal_basis)), x.holding ? chip(t('dis.holding'), 'warn') : null),
        h('dl', { class: 'facts small' },
          fact(t('dis.requester'), [x.requester && x.requester.name, x.requester && x.requester.organisation].filter(Boolean).join(' / ') || '—'),
          fact(t('dis.reference'), x.reference || '—'),
          fact(t('dis.cameras'), (x.cameras || []).join(', ')),
          fact(t('dis.range'), `${fmtTime(x.from_us)} – ${fmtTime(x.to_us)}`),
          window.mmHolds.recorded(x, d.rec, Date.now()),
          fact(t('dis.filed'), fmtTime(x.time_us)),
          fact(t('dis.deadline'), fmtTime(x.deadline_us))),
        x.reason ? h('p', { class: 'small' }, x.reason) : null,
        x.export ? h('p', { class: 'small' }, t('dis.export', { bytes: fmtBytes(x.export.bytes), hash: (x.export.sha256 || '').slice(0, 16) + '…' })) : null,
        historyList(x.history, (s) => [fmtTime(s.time_us), ' ', chip(L('dstate', s.step), 'info'),
          s.by ? ' · ' + window.mmWords.actor(s.by) : '', s.text ? ' — ' + window.mmWords.stepText(s.step, s.text, s.by) : '',
          s.index !== undefined ? [' ', h('a', { href: `#/site/${enc(site)}/log?at=${s.index}` }, '#' + s.index)] : null]))))];
    }

    /* The site log: newest first, a page at a time; with a type or words, a search backwards
     * through the log a chunk at a time (the API has no filter: the page filters). */
    function logMatches(row) {
      if (log.type && row.entry.type !== log.type) return false;
      if (!log.q) return true;
      const q = log.q.toLowerCase();
      return JSON.stringify(row.entry).toLowerCase().includes(q) || entrySummary(row.entry).toLowerCase().includes(q);
    }

    async function logFetch(start, end) {
      const r = await api(`${base}/entries?start=${start}&end=${end}`);
      log.size = r.size;
      return r.entries;
    }

    async function logLoad(mode, arg) {
      if (log.busy) return;
      log.busy = true;
      try {
        if (mode === 'at') {
          log.mode = 'at';
          log.at = arg;
          const rows = await logFetch(Math.max(0, arg - 25), arg + 25);
          log.rows = rows.reverse();
        } else if (!log.type && !log.q) {
          log.mode = 'page';
          if (arg === undefined || arg === null) {
            await logFetch(0, 0);
            arg = log.size;
          }
          log.end = Math.min(arg, log.size || arg);
          log.rows = (await logFetch(Math.max(0, log.end - LOG_PAGE), log.end)).reverse();
          log.fresh = 0;
        } else {
          log.mode = 'scan';
          let from = arg;
          if (from === undefined || from === null) {
            await logFetch(0, 0);
            from = log.size;
            log.rows = [];
            log.fresh = 0;
          }
          let looked = 0;
          const found = [];
          while (from > 0 && looked < LOG_SCAN && found.length < LOG_PAGE) {
            const start = Math.max(0, from - LOG_CHUNK);
            const rows = await logFetch(start, from);
            for (let i = rows.length - 1; i >= 0; i--) if (logMatches(rows[i])) found.push(rows[i]);
            looked += from - start;
            from = start;
          }
          log.rows = log.rows.concat(found);
          log.scannedTo = from;
        }
      } catch (e) {
        toast(errorText(e));
      } finally {
        log.busy = false;
      }
      if (tab === 'log') drawPanel();
    }

    function drawLog() {
      const typeSel = h('select', { id: 'log-type', 'aria-label': t('log.type') },
        h('option', { value: '' }, t('log.all')),
        ENTRY_TYPES.map((k) => h('option', { value: k, selected: k === log.type }, L('entry', k))));
      const q = h('input', { id: 'log-q', type: 'search', placeholder: t('log.search_ph'), value: log.q, 'aria-label': t('log.search') });
      const form = h('form', { class: 'toolbar log-form' },
        h('label', { for: 'log-type' }, t('log.type')), typeSel, q,
        h('button', { type: 'submit' }, t('log.search')));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        log.type = typeSel.value;
        log.q = q.value.trim();
        log.rows = [];
        logLoad('fresh');
      });
      typeSel.addEventListener('change', () => form.requestSubmit());
      const nav = h('div', { class: 'toolbar log-nav' },
        h('button', {
          type: 'button', class: 'notice', id: 'log-fresh', hidden: log.fresh <= 0,
          onclick: () => { log.rows = []; logLoad('fresh'); },
        }, t('log.new', { n: log.fresh })));
      if (log.mode === 'page' && log.rows.length) {
        const a = log.rows[log.rows.length - 1].index, b = log.rows[0].index;
        nav.append(h('span', { class: 'muted', id: 'log-range' }, t('log.range', { a, b, n: log.size })));
        if (log.end < log.size) nav.append(h('button', { type: 'button', onclick: () => logLoad('page', Math.min(log.size, log.end + LOG_PAGE)) }, t('log.newer')));
        if (a > 0) nav.append(h('button', { type: 'button', id: 'log-older', onclick: () => logLoad('page', a) }, t('log.older')));
      } else if (log.mode === 'scan') {
        nav.append(h('span', { class: 'muted', id: 'log-range' }, t('log.scanned', { a: log.scannedTo, n: log.rows.length })));
        if (log.scannedTo > 0) nav.append(h('button', { type: 'button', id: 'log-more', onclick: () => logLoad('scan', log.scannedTo) }, t('log.more')));
      } else if (log.mode === 'at') {
        nav.append(h('span', { class: 'muted' }, t('log.around', { i: log.at })),
          h('button', { type: 'button', onclick: () => logLoad('fresh') }, t('log.newest')));
      }
      const body = log.rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'log-table', id: 'log-table' },
        h('thead', {}, h('tr', {}, ['log.index', 'log.time', 'log.kind', 'log.summary'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, log.rows.map((r) => h('tr', { class: r.index === log.at ? 'hit' : '', dataset: { index: r.index, type: r.entry.type } },
          h('td', { 'data-label': t('log.index') }, '#' + r.index),
          h('td', { 'data-label': t('log.time') }, fmtTime(r.entry.time_us)),
          h('td', { 'data-label': t('log.kind') }, chip(L('entry', r.entry.type), r.entry.type === 'segment_recorded' ? 'muted' : 'info')),
          h('td', { 'data-label': t('log.summary') }, h('details', {}, h('summary', {}, entrySummary(r.entry)),
            h('pre', {}, JSON.stringify(r.entry, null, 2)), h('p', { class: 'small' }, t('log.leaf') + ' ', hashEl(r.leaf_hash)))))))))
        : h('p', { class: 'muted' }, log.busy ? t('ov.loading') : log.size ? t('log.none') : t('log.empty'));
      return [form, nav, body];
    }

    /* The hub's own log, the actions about this site, newest first. */
    /* Loads run one after another (an event may ask while the tab's first load runs). */
    function hubLoad(more) {
      hub.busy = true;
      hub.chain = hub.chain.catch(() => {}).then(() => hubRead(more)).finally(() => {
        hub.busy = false;
        if (tab === 'hublog') drawPanel();
      });
      return hub.chain;
    }

    async function hubRead(more) {
      if (!more) {
        const r = await api('/api/v1/hub/entries?start=0&end=0');
        hub.size = r.size;
        hub.before = r.size;
        hub.rows = [];
      }
      let steps = 0;
      const found = [];
      while (hub.before > 0 && steps < 10 && found.length < LOG_PAGE) {
        const start = Math.max(0, hub.before - 1000);
        const r = await api(`/api/v1/hub/entries?start=${start}&end=${hub.before}`);
        for (let i = r.entries.length - 1; i >= 0; i--) {
          const a = r.entries[i].entry && r.entries[i].entry.city_action;
          if (a && a.site === site) found.push(r.entries[i]);
        }
        hub.before = start;
        steps++;
      }
      hub.rows = hub.rows.concat(found);
    }

    function drawHubLog() {
      const note = h('p', { class: 'hint' }, t('hl.note'));
      if (!hub.rows.length) return [note, h('p', { class: 'muted' }, t(hub.busy ? 'ov.loading' : 'hl.none'))];
      return [note, h('div', { class: 'table-wrap' }, h('table', { class: 'log-table', id: 'hublog-table' },
        h('thead', {}, h('tr', {}, ['log.index', 'log.time', 'hl.action', 'hl.subject', 'hl.person', 'hl.reason'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, hub.rows.map((r) => {
          const a = r.entry.city_action;
          return h('tr', { dataset: { index: r.index, action: a.action, subject: a.subject } },
            h('td', { 'data-label': t('log.index') }, '#' + r.index),
            h('td', { 'data-label': t('log.time') }, fmtTime(r.entry.time_us)),
            h('td', { 'data-label': t('hl.action') }, chip(L('action', a.action), 'info')),
            h('td', { 'data-label': t('hl.subject') }, window.mmWords.subject(a.subject) || '—'),
            h('td', { 'data-label': t('hl.person') }, `${window.mmWords.actor(a.person)}（${window.mmWords.hubRole(a.role)}）`),
            /* The reason as given (what a site or the hub wrote itself, in words); the
             * particulars as the signed log holds them. */
            h('td', { 'data-label': t('hl.reason') },
              a.action.startsWith('disclosure_') ? window.mmWords.stepText(a.action.slice(11), a.reason, a.person) : a.reason || '',
              a.detail ? h('div', { class: 'muted small' }, h('code', { class: 'detail' }, a.detail)) : null));
        })))),
      hub.before > 0 ? h('button', { type: 'button', onclick: () => hubLoad(true) }, t('log.older')) : null];
    }

    function drawPanel() {
      const draw = {
        cameras: drawCameras, filings: drawFilings, findings: drawFindings, measures: drawMeasures,
        complaints: () => drawRequests(true), requests: () => drawRequests(false),
        disclosures: drawDisclosures, log: drawLog, hublog: drawHubLog,
        holds: () => window.mmHolds.panel(d.rec, d.findings),
      }[tab];
      panel.setAttribute('aria-labelledby', 'tab-' + tab);
      panel.dataset.tab = tab;
      clear(panel).append(h('h2', { class: 'panel-title' }, t('tab.' + tab)));
      if (!d.rec) {
        panel.append(h('p', { class: 'muted' }, t('ov.loading')));
        return;
      }
      const out = draw();
      panel.append(...(Array.isArray(out) ? out : [out]).filter(Boolean));
    }

    function openTab(k, q) {
      tab = TABS.includes(k) ? k : 'cameras';
      query = q || {};
      drawTabs();
      /* A load marks itself busy before its first wait, so the panel drawn next says so. */
      if (tab === 'log') {
        if (query.at !== undefined && /^\d+$/.test(query.at)) logLoad('at', Number(query.at));
        else if (!log.rows.length || log.mode === 'at') logLoad('fresh');
      }
      if (tab === 'hublog') hubLoad(false).catch((e) => toast(errorText(e)));
      drawPanel();
    }

    async function reload() {
      try {
        await load();
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          clear(header).append(h('p', { class: 'error' }, t('site.unknown', { site })));
          clear(panel);
          clear(tabs);
          return;
        }
        if (token) toast(`${t('err.load')}: ${errorText(e)}`);
        return;
      }
      drawHeader();
      drawTabs();
      if (tab !== 'log') drawPanel();
      if (tab === 'hublog') hubLoad(false).catch(() => {});
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(reload, 500);
    }

    const onEvent = (ev) => {
      const mine = ev.site === site || (ev.finding && ev.finding.site === site);
      if (!mine) return;
      if (ev.type === 'entries') {
        if (d.info) {
          d.info.log_size = ev.to;
          d.info.last_checkpoint_unix = (Date.parse(ev.time) || Date.now()) / 1000;
        }
        /* New entries are announced above the log, not pushed into it: the page being read
         * (and any entry opened in it) stays as it is. */
        if (log.mode === 'page' && log.size && ev.to > log.size) {
          log.fresh += ev.to - Math.max(ev.from, log.size);
          log.size = ev.to;
          const b = document.getElementById('log-fresh');
          if (b && tab === 'log') {
            b.textContent = t('log.new', { n: log.fresh });
            b.hidden = false;
          }
        }
        if (ev.entries && ev.entries.length) later();
        else drawHeader();
        return;
      }
      later();
    };
    feed.listeners.add(onEvent);
    const ticker = setInterval(() => {
      const a = document.getElementById('site-age');
      if (!a) return;
      const unix = Number(a.dataset.unix);
      const age = unix ? Date.now() / 1000 - unix : null;
      a.textContent = t('site.checkpoint') + ': ' + fmtAge(age);
      a.className = 'age ' + ageClass(age);
    }, 1000);

    drawTabs();
    drawPanel();
    reload().then(() => openTab(tab, query));
    return {
      kind: 'site', site, el,
      openTab,
      dispose() {
        feed.listeners.delete(onEvent);
        clearInterval(ticker);
        clearTimeout(timer);
      },
    };
  }

  /* --- routing ------------------------------------------------------------------------------- */

  let view = null;

  function parseHash() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const [path, qs] = raw.split('?');
    const query = {};
    for (const part of (qs || '').split('&')) {
      if (!part) continue;
      const [k, v] = part.split('=');
      query[decodeURIComponent(k)] = decodeURIComponent(v || '');
    }
    return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query };
  }

  function route() {
    if (!token) {
      renderLogin();
      return;
    }
    paintHeader();
    if (role === 'requester') {
      mount(window.mmRequester.view({ api, ApiError, toast, token: () => token, authHeaders }));
      return;
    }
    feedStart();
    const { parts, query } = parseHash();
    if (parts[0] === 'site' && parts[1]) {
      if (view && view.kind === 'site' && view.site === parts[1]) {
        view.openTab(parts[2] || 'cameras', query);
        return;
      }
      mount(siteView(parts[1], parts[2] || 'cameras', query));
      return;
    }
    document.title = t('app.doc_title');
    mount(overviewView());
  }

  function mount(v) {
    if (view && view.dispose) view.dispose();
    view = v;
    clear(app).append(v.el);
    window.scrollTo(0, 0);
  }

  document.getElementById('logout').addEventListener('click', () => logout(t('login.logged_out')));
  langButton(() => {
    if (view && view.dispose) view.dispose();
    view = null;
    route();
  });
  window.addEventListener('hashchange', route);
  /* A session cookie from before a reload of the page: its CSRF token asked for again. */
  (async () => {
    if (!token) {
      const s = await window.mmLogin.session();
      if (s.who && s.who.csrf) {
        token = SESSION;
        csrf = s.who.csrf;
        role = s.who.role === 'requester' ? 'requester' : '';
      }
    }
    route();
  })();
})();
