/*
 * documents.js: the standards document a filing carries (R-N4.2), on a site's filings tab — the
 * text the site filed, and a line diff against the version before, so that the officer decides
 * reading what was filed, with the accept and return buttons beside it.
 *
 * The document comes from GET /api/v1/sites/{site}/filings/{version}/document: the Markdown the
 * hub checked against the document_hash in the site's verified log. It is shown as text, line by
 * line (headings, list items and table rows told apart by their first characters), never parsed
 * as markup. The site's HTML page is not shown here: it is content the site wrote, so the page
 * only offers it as a file to save (fetched with the token, handed to the browser as a download).
 *
 * The filings tab is redrawn whenever the site's record changes; which documents are open, and
 * in which view, is kept here across redraws, and each document the hub holds is fetched once
 * (one it does not hold yet is asked for again when shown again).
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const { h, clear, fmtTime, hashEl } = window.mm;
  const enc = encodeURIComponent;

  const docs = new Map(); /* "site/version" -> Promise of the document (null: not held) */
  const open = new Map(); /* "site/filing" -> "text" | "diff" */

  function fetchDoc(api, site, version) {
    const key = site + '/' + version;
    if (!docs.has(key)) {
      const p = api(`/api/v1/sites/${enc(site)}/filings/${enc(version)}/document`)
        .catch((e) => {
          docs.delete(key); /* not there yet, or a failure: asked again next time */
          if (e && e.status === 404) return null;
          throw e;
        });
      docs.set(key, p);
    }
    return docs.get(key);
  }

  function lines(text) {
    const out = text.split('\n');
    if (out.length && out[out.length - 1] === '') out.pop();
    return out;
  }

  /*
   * A line diff: the longest common subsequence of the lines, after the common beginning and
   * end are set aside (a new version of the standards changes a few lines of a few hundred).
   * Returns [{op: 'same' | 'del' | 'add', text}] in order.
   */
  function lineDiff(a, b) {
    let pre = 0;
    while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
    let suf = 0;
    while (suf < a.length - pre && suf < b.length - pre &&
      a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
    const x = a.slice(pre, a.length - suf);
    const y = b.slice(pre, b.length - suf);
    const out = a.slice(0, pre).map((text) => ({ op: 'same', text }));
    if (x.length * y.length > 4e6) {
      /* Too large to align line by line: all of the middle goes, all of it comes. */
      for (const text of x) out.push({ op: 'del', text });
      for (const text of y) out.push({ op: 'add', text });
    } else {
      const n = x.length, m = y.length;
      const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
      for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
          L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
        }
      }
      let i = 0, j = 0;
      while (i < n || j < m) {
        if (i < n && j < m && x[i] === y[j]) {
          out.push({ op: 'same', text: x[i] });
          i++;
          j++;
        } else if (i < n && (j === m || L[i + 1][j] >= L[i][j + 1])) {
          out.push({ op: 'del', text: x[i++] }); /* what went, before what came */
        } else {
          out.push({ op: 'add', text: y[j++] });
        }
      }
    }
    for (const text of a.slice(a.length - suf)) out.push({ op: 'same', text });
    return out;
  }

  /* The Markdown as text, one element per line, classed by what the line is. */
  function textView(markdown) {
    return h('div', { class: 'doc-text', lang: 'ja' }, lines(markdown).map((l) => {
      let cls = 'md-p';
      const head = /^(#{1,6})\s/.exec(l);
      if (head) cls = 'md-h md-h' + head[1].length;
      else if (/^\s*([-*+]|\d+\.)\s/.test(l)) cls = 'md-li';
      else if (/^\s*\|/.test(l)) cls = 'md-tr';
      else if (l.trim() === '') cls = 'md-blank';
      return h('div', { class: cls }, l === '' ? '\u00a0' : l);
    }));
  }

  const CONTEXT = 3; /* unchanged lines kept around each change */

  function diffView(ops) {
    const added = ops.filter((o) => o.op === 'add').length;
    const removed = ops.filter((o) => o.op === 'del').length;
    if (!added && !removed) return h('p', { class: 'muted doc-diff-same' }, t('doc.diff_same'));
    const keep = ops.map(() => false);
    ops.forEach((o, i) => {
      if (o.op === 'same') return;
      for (let k = Math.max(0, i - CONTEXT); k <= Math.min(ops.length - 1, i + CONTEXT); k++) keep[k] = true;
    });
    const rows = [];
    let skipped = 0;
    const flush = () => {
      if (skipped) rows.push(h('div', { class: 'diff-skip' }, t('doc.skipped', { n: skipped })));
      skipped = 0;
    };
    ops.forEach((o, i) => {
      if (!keep[i]) {
        skipped++;
        return;
      }
      flush();
      const mark = { same: ' ', del: '−', add: '+' }[o.op];
      const label = { same: '', del: t('doc.removed'), add: t('doc.added') }[o.op];
      rows.push(h('div', { class: 'diff-line diff-' + o.op, dataset: { op: o.op } },
        h('span', { class: 'diff-mark', 'aria-label': label || null, title: label || null }, mark),
        h('span', { class: 'diff-text' }, o.text === '' ? '\u00a0' : o.text)));
    });
    flush();
    return [h('p', { class: 'doc-diff-stats' }, t('doc.diff_stats', { a: added, d: removed })),
      h('div', { class: 'doc-diff', lang: 'ja' }, rows)];
  }

  /* The version this one is compared with: the newest filing of the standards before it whose
   * document the hub holds, else the version just before it. */
  async function previous(o, version) {
    const filed = o.filings
      .filter((x) => (x.kind === 'initial' || x.kind === 'change') && x.version < version)
      .map((x) => x.version)
      .sort((p, q) => q - p);
    const tries = [...new Set([...filed.slice(0, 1), version - 1])].filter((v) => v >= 1);
    for (const v of tries) {
      const doc = await fetchDoc(o.api, o.site, v);
      if (doc) return doc;
    }
    return tries.length ? undefined : null; /* undefined: not held; null: there is none */
  }

  async function saveHtml(o, version, btn) {
    btn.disabled = true;
    try {
      const text = await o.api(`/api/v1/sites/${enc(o.site)}/filings/${enc(version)}/document.html`);
      const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
      const a = h('a', { href: url, download: `${o.site}-standards-v${version}.html`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      if (o.toast) o.toast(t('doc.error'));
    } finally {
      btn.disabled = false;
    }
  }

  /* Fills the viewer's body: the document, or the diff, or why there is none. */
  async function fill(o, body, view) {
    const f = o.filing;
    clear(body).append(h('p', { class: 'muted' }, t('doc.loading')));
    let doc, prev;
    try {
      doc = await fetchDoc(o.api, o.site, f.version);
      if (doc && view === 'diff') prev = await previous(o, f.version);
    } catch (e) {
      clear(body).append(h('p', { class: 'error' }, t('doc.error')));
      return;
    }
    clear(body);
    if (!doc) {
      body.append(h('p', { class: 'muted doc-missing' }, t('doc.missing')));
      return;
    }
    body.append(h('p', { class: 'doc-meta small' },
      h('span', { class: 'chip ok' }, t('doc.verified')), ' ',
      t('doc.received', { t: fmtTime(doc.received_us) }), ' · ', t('doc.hash'), ' ', hashEl(doc.document_hash)));
    if (view === 'diff') {
      if (prev === null) body.append(h('p', { class: 'muted doc-diff-none' }, t('doc.diff_none')));
      else if (prev === undefined) body.append(h('p', { class: 'muted doc-diff-none' }, t('doc.diff_missing')));
      else {
        body.append(h('h4', { class: 'doc-diff-title' }, t('doc.diff_title', { from: prev.version, to: doc.version })),
          ...[].concat(diffView(lineDiff(lines(prev.markdown), lines(doc.markdown)))));
      }
    } else {
      body.append(textView(doc.markdown));
    }
    if (doc.has_html) {
      const btn = h('button', { type: 'button', class: 'plain small-btn doc-save-html' }, t('doc.save_html'));
      btn.addEventListener('click', () => saveHtml(o, f.version, btn));
      body.append(h('p', { class: 'doc-html small' }, btn, ' ', h('span', { class: 'muted' }, t('doc.html_hint'))));
    }
  }

  /* The row under a filing that holds its document, its views and the decision buttons. */
  function viewerRow(o) {
    const f = o.filing;
    const key = o.site + '/' + f.id;
    const body = h('div', { class: 'doc-body' });
    const views = ['text', 'diff'].map((v) => h('button', {
      type: 'button', role: 'tab', class: 'doc-view doc-view-' + v,
      'aria-selected': open.get(key) === v ? 'true' : 'false',
    }, t(v === 'text' ? 'doc.view_text' : 'doc.view_diff')));
    views.forEach((b, i) => b.addEventListener('click', () => {
      const v = i ? 'diff' : 'text';
      open.set(key, v);
      views.forEach((x, k) => x.setAttribute('aria-selected', k === i ? 'true' : 'false'));
      fill(o, body, v);
    }));
    const actions = o.actions ? o.actions() : null;
    const viewer = h('div', { class: 'doc-viewer', role: 'region', 'aria-label': t('doc.title', { v: f.version }) },
      h('div', { class: 'doc-head' },
        h('h3', {}, t('doc.title', { v: f.version })),
        h('div', { class: 'doc-views', role: 'tablist' }, views)),
      body,
      actions ? h('div', { class: 'doc-actions' }, h('span', { class: 'muted small' }, t('doc.decide')), actions) : null);
    fill(o, body, open.get(key));
    return h('tr', { class: 'doc-row', dataset: { docFor: f.id } }, h('td', { colspan: o.colspan }, viewer));
  }

  /*
   * For a filing of the standards: { button, row } — the button that opens and closes its
   * document, for the filing's row, and the row to put after it (null while closed). o: { api,
   * site, filing, filings (all of the site's), colspan, actions (a function giving the decision
   * buttons, or null), toast }.
   */
  function forFiling(o) {
    const f = o.filing;
    const key = o.site + '/' + f.id;
    const btn = h('button', { type: 'button', class: 'small-btn doc-toggle', 'aria-expanded': open.has(key) ? 'true' : 'false' },
      t(open.has(key) ? 'doc.close' : 'doc.open'));
    let row = open.has(key) ? viewerRow(o) : null;
    btn.addEventListener('click', () => {
      const tr = btn.closest('tr');
      if (open.has(key)) {
        open.delete(key);
        if (row) row.remove();
        row = null;
      } else {
        open.set(key, 'text');
        row = viewerRow(o);
        if (tr) tr.after(row);
      }
      btn.textContent = t(open.has(key) ? 'doc.close' : 'doc.open');
      btn.setAttribute('aria-expanded', open.has(key) ? 'true' : 'false');
    });
    return { button: btn, row };
  }

  window.mmDocuments = { forFiling, lineDiff };
})();
