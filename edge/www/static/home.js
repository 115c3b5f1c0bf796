/*
 * home.js: the console's home view — the site's status as `mimamori-edge status` shows it (GET
 * /api/status, the same control operation, logged as the person's call), with the person's role.
 */
'use strict';
(function() {
const {t, h, api, fmtUs} = window.mm;

function row(term, value)
{
    return h('div', {class : 'fact'}, h('dt', {}, term), h('dd', {}, value));
}

function facts(r)
{
    const c = r.cameras || {};
    const log = r.log || {};
    const st = r.standards || {};
    const you = r.you || {};
    return h(
        'dl', {class : 'facts'}, row(t('home.site'), r.site), row(t('home.installer'), r.installer),
        row(t('home.zone'), r.timezone), row(t('home.policy'), t('policy.' + r.policy)),
        row(t('home.retention'),
            t('home.retention_v',
              {d : r.retention_days, f : r.floor_days, r : r.registered_retention_days})),
        row(t('home.cameras'),
            t('home.cameras_v', {r : c.recording, s : c.suspended, a : c.abolished})),
        row(t('home.log'), t('home.log_v', {n : log.entries, a : log.acknowledged_by_hub})),
        row(t('home.standards'),
            t('home.standards_v', {v : st.version, d : st.date, f : st.filed})),
        row(t('home.city'), t('home.count', {n : r.open_city_requests || 0})),
        row(t('home.notices'), t('home.count', {n : r.open_notices || 0})),
        row(t('home.disclosures'), t('home.count', {n : r.disclosures_waiting || 0})),
        row(t('home.emergency'), t('home.count', {n : r.open_emergency_reports || 0})),
        row(t('home.you'), t('home.you_v', {name : you.person, role : t('role.' + you.role)})),
        r.console ? row(t('home.cert'), h('code', {class : 'fp'}, r.console.fingerprint)) : null);
}

async function render(main)
{
    const box = h('section', {class : 'card', id : 'status'}, h('h1', {}, t('home.title')),
                  h('p', {class : 'muted'}, t('home.loading')));
    main.appendChild(box);
    const res = await api('GET', '/api/status');
    if (window.mmConsole.sessionEnded(res))
        return;
    box.removeChild(box.lastChild);
    if (res.status !== 200) {
        box.appendChild(
            h('p', {class : 'error'}, t('home.error', {code : window.mm.errorCode(res)})));
        return;
    }
    const r = res.body.result;
    box.appendChild(
        h('p', {class : 'muted small', id : 'as-of'}, t('home.as_of', {t : fmtUs(r.time_us)})));
    box.appendChild(facts(r));
}

window.mmConsole.view('home', {nav : 'nav.home', render});
})();
