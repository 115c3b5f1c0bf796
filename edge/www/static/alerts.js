/*
 * alerts.js: the site's alerts in the console — a banner under the top bar on every view, shown
 * at once when something needs attention, and the alerts view listing them (the `alerts`
 * operation through GET /api/alerts, as the person logged in; manager and operators).
 *
 * The page keeps one request open: GET /api/alerts?wait=VERSION answers when the alerts change
 * (or after a minute with nothing new), and the page asks again at once, so that a change shows
 * within a second or two without the page asking every few seconds (each answer is an access
 * entry in the site's log). Words: the kind in the page's words (i18n_alerts.js), the text as the
 * edge wrote it in the language in use; times in the site's zone.
 */
'use strict';
(function() {
const {t, h, clear, api, fmtUs} = window.mm;
const ROLES = [ 'manager', 'operator' ];
let state = null; /* the last answer's result */
let failed = '';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function textOf(a)
{
    return window.mmI18n.lang() === 'en' ? a.text_en : a.text_ja;
}

function banner()
{
    let b = document.getElementById('alerts-banner');
    if (!b) {
        b = h('div', {
            id : 'alerts-banner',
            class : 'alerts-banner',
            role : 'status',
            'aria-live' : 'polite',
            hidden : true
        });
        const app = document.getElementById('app');
        app.parentNode.insertBefore(b, app);
    }
    return b;
}

function paintBanner()
{
    const b = clear(banner());
    const list = state ? state.alerts : [];
    b.hidden = list.length === 0;
    if (!list.length)
        return;
    const a = list[0];
    b.appendChild(h('strong', {}, t('alerts.banner', {n : list.length})));
    b.appendChild(h('span', {class : 'first'}, t('alerts.kind.' + a.kind) + ': ' + textOf(a)));
    if (list.length > 1)
        b.appendChild(h('span', {}, t('alerts.banner_more', {n : list.length - 1})));
    b.appendChild(h('a', {href : '#/alerts'}, t('alerts.open')));
}

function item(a)
{
    const when = [ t('alerts.since', {t : fmtUs(a.since_us)}) ];
    if (a.deadline_us)
        when.push(t('alerts.deadline', {t : fmtUs(a.deadline_us)}));
    return h('li', {class : 'alert', 'data-kind' : a.kind, 'data-subject' : a.subject},
             h('div', {}, h('span', {class : 'kind'}, t('alerts.kind.' + a.kind)),
               h('span', {class : 'subject'}, a.subject)),
             h('p', {class : 'text'}, textOf(a)), h('div', {class : 'when'}, when.join(' / ')));
}

function hook(w)
{
    if (!w)
        return h('p', {class : 'muted small alerts-hook'}, t('alerts.no_webhook'));
    return h(
        'p', {class : 'muted small alerts-hook'},
        t('alerts.webhook', {url : w.url, sent : w.sent, queued : w.queued, failures : w.failures}),
        w.last_error ? ' ' + t('alerts.webhook_error', {e : w.last_error}) : '');
}

/* The alerts view's card, from the last answer. */
function paintView()
{
    const box = document.getElementById('alerts-view');
    if (!box)
        return;
    clear(box);
    box.appendChild(h('h1', {}, t('alerts.title')));
    if (!state) {
        box.appendChild(failed ? h('p', {class : 'error'}, t('alerts.error', {code : failed}))
                               : h('p', {class : 'muted'}, t('alerts.loading')));
        return;
    }
    box.appendChild(h('p', {class : 'muted small', id : 'alerts-as-of'},
                      t('alerts.as_of', {t : fmtUs(state.time_us)})));
    box.appendChild(state.alerts.length ? h('ul', {class : 'alerts'}, state.alerts.map(item))
                                        : h('p', {class : 'none'}, t('alerts.none')));
    box.appendChild(hook(state.webhook));
}

function paint()
{
    paintBanner();
    paintView();
}

/* The long poll: one request open at a time, for as long as the session lasts. */
async function poll(session)
{
    if (!ROLES.includes(session.role))
        return;
    document.getElementById('lang').addEventListener('click', paint);
    for (;;) {
        let res = null;
        try {
            res = await api('GET', '/api/alerts' + (state ? '?wait=' + state.version : ''));
        } catch (e) {
            res = null;
        }
        if (res && window.mmConsole.sessionEnded(res))
            return;
        if (!res || res.status !== 200) {
            failed = res ? window.mm.errorCode(res) : 'network';
            paintView();
            await sleep(5000);
            continue;
        }
        failed = '';
        state = res.body.result;
        paint();
    }
}

async function start()
{
    let s;
    while (!(s = window.mmConsole.session()))
        await sleep(200);
    poll(s);
}

async function render(main)
{
    main.appendChild(h('section', {class : 'card', id : 'alerts-view'}));
    paintView();
}

window.mmConsole.view('alerts', {nav : 'nav.alerts', roles : ROLES, render});
window.addEventListener('DOMContentLoaded', start);
})();
