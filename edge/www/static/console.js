/*
 * console.js: the site console's shell (index.html) — who is logged in, the navigation, and the
 * views. Each view is registered by a file of its own (home.js now; the live view, the timeline
 * and the site's work later) with mmConsole.view(name, {nav, roles, render}); the address's hash
 * (#/name) picks it, and a view not open to the person's role is not in the navigation.
 * start.js, loaded last, starts it.
 *
 *   mmConsole.view('live', { nav: 'nav.live', roles: ['manager', 'operator'],
 *                            render: async (main, session) => { ... } });
 */
'use strict';
(function() {
const {t, h, clear, api} = window.mm;
const views = [];
let session = null;

function view(name, spec)
{
    views.push({name, nav : spec.nav, roles : spec.roles || null, render : spec.render});
}

function allowed(v)
{
    return !v.roles || v.roles.includes(session.role);
}

function current()
{
    const name = (location.hash.replace(/^#\/?/, '') || 'home').split('/')[0];
    return views.find((v) => v.name === name && allowed(v)) || views.find((v) => v.name === 'home');
}

function paintNav()
{
    const nav = document.getElementById('nav');
    for (const old of nav.querySelectorAll('a.view'))
        old.remove();
    const first = nav.firstChild;
    for (const v of views.filter(allowed)) {
        const a =
            h('a', {href : '#/' + v.name, class : 'view' + (v === current() ? ' current' : '')},
              t(v.nav));
        nav.insertBefore(a, first);
    }
    document.getElementById('who').textContent =
        t('nav.who', {name : session.name || session.person, role : t('role.' + session.role)});
}

async function show()
{
    paintNav();
    const main = clear(document.getElementById('app'));
    await current().render(main, session);
}

function toLogin(reason)
{
    location.href = '/login' + (reason ? '#' + reason : '');
}

async function start()
{
    const res = await api('GET', '/api/session');
    if (res.status !== 200 || res.body.stage !== 'full') {
        toLogin(res.body && res.body.error ? res.body.error.code : '');
        return;
    }
    session = res.body;
    window.mm.setCsrf(session.csrf);
    window.mm.setZone(session.timezone);
    document.getElementById('logout').addEventListener('click', async () => {
        await api('POST', '/api/logout');
        toLogin('logged_out');
    });
    window.mm.langButton(show);
    window.addEventListener('hashchange', show);
    await show();
}

/* A call that answered 401 means the session ended (expired, or ended by the edge). */
function sessionEnded(res)
{
    if (res.status === 401) {
        toLogin(window.mm.errorCode(res));
        return true;
    }
    return false;
}

window.mmConsole = {
    view,
    start,
    sessionEnded,
    session : () => session
};
})();
