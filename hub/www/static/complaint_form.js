/*
 * complaint_form.js: a resident's complaint about a site, from the public registry, with no login
 * (POST /api/v1/public/sites/{site}/complaints, R-N12). registry.js puts one form under each
 * site's card; the answer's reference number is shown with what happens next: the installer
 * must answer by the deadline, the city watches, and whom at the city to turn to.
 *
 * What the hub would refuse is said here first, in the page's language (an empty text, one too
 * long for the site log: 2000 characters and 2047 bytes of UTF-8); whatever the hub refuses all
 * the same is shown by its status. A draft and an answer are kept per site while the page is
 * open, so that switching the language redraws the form without losing what was typed.
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const { h, clear, fmtDate } = window.mm;
  const MAX_CHARS = 2000;
  const MAX_BYTES = 2047;
  const drafts = {}; /* site -> {text, contact, camera, open, result} */

  function draft(site) {
    return drafts[site] || (drafts[site] = { text: '', contact: '', camera: '', open: false, result: null });
  }

  function tooLong(text) {
    return [...text].length > MAX_CHARS || new TextEncoder().encode(text).length > MAX_BYTES;
  }

  /* What the hub's refusal means to a resident. */
  function refusal(status, body, headers) {
    const e = (body && body.error) || {};
    if (status === 429) {
      const s = Number(headers.get('Retry-After')) || 3600;
      return t('cf.err_rate', { m: Math.max(1, Math.ceil(s / 60)) });
    }
    if (status === 413) return t('cf.err_size');
    if (e.code === 'unknown_camera') return t('cf.err_camera');
    if (e.code === 'unknown_site') return t('cf.err_site');
    if (status === 400) return t('cf.err_body', { msg: window.mmWords.refusalWhy({ status, code: e.code, message: e.message }) });
    return t('cf.err_server', { status });
  }

  /* The answer: the reference number and what happens next. */
  function done(s, city, d, again) {
    const r = d.result;
    return h('div', { class: 'cf-done', role: 'status', 'aria-live': 'polite' },
      h('p', { class: 'cf-done-title' }, h('strong', {}, t('cf.done'))),
      h('p', {}, t('cf.reference'), ' ', h('strong', { class: 'cf-ref' }, r.reference)),
      h('p', { class: 'small' }, t('cf.keep')),
      h('h4', {}, t('cf.next_title')),
      h('ol', { class: 'cf-next' },
        h('li', {}, t('cf.next1', { installer: s.installer || s.site })),
        h('li', {}, t('cf.next2', { date: fmtDate(r.deadline_us) })),
        h('li', {}, t('cf.next3'))),
      city ? h('p', { class: 'cf-city' }, t('cf.city', { name: city.name, contact: city.contact })) : null,
      h('button', { type: 'button', class: 'small-btn', onclick: again }, t('cf.another')));
  }

  function form(s, d, box, redraw) {
    const id = 'cf-' + s.site;
    const err = h('p', { class: 'cf-error error', role: 'alert', hidden: true });
    const count = h('span', { class: 'cf-count muted small', 'aria-live': 'polite' });
    const text = h('textarea', { id: id + '-text', name: 'text', rows: 5, required: true, value: d.text });
    const camera = h('select', { id: id + '-camera', name: 'camera' },
      h('option', { value: '' }, t('cf.any_camera')),
      (s.cameras || []).map((c) => h('option', { value: c.id, selected: c.id === d.camera },
        c.location ? `${c.id} ${c.location}` : c.id)));
    const contact = h('input', { id: id + '-contact', name: 'contact', type: 'text', maxlength: 200,
      autocomplete: 'tel', value: d.contact });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('cf.submit'));
    const paintCount = () => {
      const long = tooLong(text.value);
      count.textContent = long ? t('cf.too_long') : t('cf.count', { n: [...text.value].length });
      count.classList.toggle('error', long);
    };
    text.addEventListener('input', () => { d.text = text.value; err.hidden = true; paintCount(); });
    contact.addEventListener('input', () => { d.contact = contact.value; });
    camera.addEventListener('change', () => { d.camera = camera.value; });
    paintCount();
    const f = h('form', { class: 'cf-form', novalidate: true },
      h('p', { class: 'hint' }, t('cf.lead')),
      h('div', { class: 'field' }, h('label', { for: text.id }, t('cf.text')),
        h('p', { class: 'hint small' }, t('cf.text_hint')), text, count),
      (s.cameras || []).length ? h('div', { class: 'field' }, h('label', { for: camera.id }, t('cf.camera')), camera) : null,
      h('div', { class: 'field' }, h('label', { for: contact.id }, t('cf.contact')),
        h('p', { class: 'hint small' }, t('cf.contact_hint')), contact),
      err, h('div', { class: 'cf-buttons' }, submit));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const say = (msg) => { err.textContent = msg; err.hidden = false; };
      err.hidden = true;
      const body = { text: text.value.replace(/\r\n?/g, '\n').trim() };
      if (!body.text) return say(t('cf.empty'));
      if (tooLong(body.text)) return say(t('cf.too_long'));
      if (contact.value.trim()) body.contact = contact.value.trim();
      if (camera.value) body.camera = camera.value;
      submit.disabled = true;
      submit.textContent = t('cf.sending');
      try {
        const res = await fetch('/api/v1/public/sites/' + encodeURIComponent(s.site) + '/complaints', {
          method: 'POST', cache: 'no-store',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
        });
        const answer = await res.json().catch(() => null);
        if (res.status === 201 && answer && answer.reference) {
          Object.assign(d, { text: '', contact: '', camera: '', result: answer });
          redraw();
          return;
        }
        say(refusal(res.status, answer, res.headers));
      } catch (e) {
        say(t('cf.err_network'));
      }
      submit.disabled = false;
      submit.textContent = t('cf.submit');
    });
    return clear(box).appendChild(f);
  }

  /* The complaint section of site s (a public registry site); city: the registry's "city" (may
   * be null). */
  function section(s, city) {
    const d = draft(s.site);
    const box = h('div', { class: 'cf-box' });
    const redraw = () => {
      if (d.result) clear(box).append(done(s, city, d, () => { d.result = null; redraw(); }));
      else form(s, d, box, redraw);
    };
    redraw();
    const det = h('details', { class: 'cf', open: d.open || !!d.result, dataset: { site: s.site } },
      h('summary', {}, t('cf.open')), box);
    det.addEventListener('toggle', () => { d.open = det.open; });
    return det;
  }

  window.mmComplaintForm = { section };
})();
