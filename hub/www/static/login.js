/*
 * login.js: the dashboard's login with a password and a TOTP code (hub/login.h). POST
 * /api/v1/login sets the session cookie (HttpOnly: this page never sees it) and answers the
 * session's CSRF token, which dashboard.js sends in X-CSRF-Token with every change; GET
 * /api/v1/session gives it again after a reload of the page. Nothing is kept in storage.
 */
'use strict';
window.mmLogin = (() => {
  const { h } = window.mm;
  const t = (k) => window.mmI18n.t(k);

  /* Who the session cookie is: { who: {person, name, role, csrf} or null, status }. */
  async function session() {
    try {
      const res = await fetch('/api/v1/session', { cache: 'no-store', headers: { Accept: 'application/json' } });
      if (!res.ok) return { who: null, status: res.status };
      return { who: await res.json(), status: 200 };
    } catch (e) {
      return { who: null, status: 0 };
    }
  }

  async function logout(csrf) {
    try {
      await fetch('/api/v1/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrf }, cache: 'no-store' });
    } catch (e) { /* the session ends at its time anyway */ }
  }

  /* The form; onDone(who) once the hub accepted the password and the code. */
  function form(onDone) {
    const field = (id, type, label, extra) => {
      const input = h('input', Object.assign({ id, name: id, type, required: true, spellcheck: 'false' }, extra || {}));
      return [h('label', { for: id }, label), input];
    };
    const [lp, person] = field('login-person', 'text', t('plogin.person'), { autocomplete: 'username' });
    const [lw, password] = field('login-password', 'password', t('plogin.password'), { autocomplete: 'current-password' });
    const [lc, code] = field('login-code', 'text', t('plogin.code'),
      { autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: '6' });
    const err = h('p', { class: 'error', id: 'login-error', role: 'alert', hidden: true });
    const button = h('button', { type: 'submit', class: 'primary' }, t('plogin.submit'));
    const el = h('form', { class: 'login-form', id: 'password-login' }, lp, person, lw, password, lc, code, button, err);
    el.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      button.disabled = true;
      try {
        const res = await fetch('/api/v1/login', {
          method: 'POST', cache: 'no-store',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ person: person.value.trim(), password: password.value, code: code.value.trim() }),
        });
        const body = await res.json().catch(() => null);
        password.value = '';
        code.value = '';
        if (res.ok) {
          err.hidden = true;
          onDone(body);
          return;
        }
        err.textContent = t(res.status === 423 ? 'plogin.locked' : res.status === 401 ? 'plogin.failed' : 'plogin.bad');
        err.hidden = false;
      } catch (e) {
        err.textContent = t('err.network');
        err.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
    return h('div', { class: 'password-login' }, h('h2', {}, t('plogin.title')), el);
  }

  return { form, session, logout };
})();
