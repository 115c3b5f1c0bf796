/*
 * work_site.js: the manager's pages of the site's work (work.js) — people (operators designated
 * and revoked, passwords and second factors, unlocking, emergency grants and their reports),
 * cameras (suspend, resume, abolish), holds (place, release) and the standards document (shown,
 * filed). An emergency holder files their report here too.
 */
'use strict';
(function() {
const {t, h} = window.mm;
const W = () => window.mmWork;

const GRANTABLE = [ 'status', 'cameras', 'search', 'playback', 'live', 'timeline' ];

async function people(again)
{
    const w = W();
    const [ops, grants] = await Promise.all([ w.result('operators'), w.result('emergency_list') ]);
    if (!ops)
        return null;
    if (ops.error)
        return [ w.failed(ops) ];
    const all = ops.people || [];
    const pick = w.opts(all, 'id', (p) => `${p.name || p.id} (${p.id})`);
    const staff = w.table('people-list', [ t('work.person'), t('work.name'), t('work.role') ], all,
                          (p) => [p.id, p.name, t('role.' + p.role)]);
    const role =
        w.form('f-role', t('work.role_change'),
               [
                   {name : 'person', label : t('work.person'), type : 'select', options : pick}, {
                       name : 'do',
                       label : t('work.do'),
                       type : 'select',
                       options : [
                           [ 'operator_designate', t('work.designate') ],
                           [ 'operator_revoke', t('work.revoke') ]
                       ]
                   },
                   {name : 'reason', label : t('work.reason'), type : 'textarea'}
               ],
               t('work.submit'),
               (v) => v.reason ? {action : v.do, person : v.person, reason : v.reason}
                               : t('work.need_reason'),
               again);
    const pw =
        w.form('f-passwd', t('work.passwd'),
               [
                   {name : 'person', label : t('work.person'), type : 'select', options : pick},
                   {name : 'password', label : t('work.password'), type : 'password'},
                   {name : 'new_totp', label : t('work.new_totp'), type : 'check'}
               ],
               t('work.submit'),
               (v) => v.password ? {
                   action : 'passwd',
                   person : v.person,
                   password : v.password,
                   new_totp : v.new_totp
               }
                                 : t('work.need_password'),
               (r, out) => {
                   if (r && r.totp_secret)
                       out.textContent = t('work.totp_made', {s : r.totp_secret});
                   else if (r && r.secret)
                       out.textContent = t('work.totp_made', {s : r.secret});
               });
    const unlock =
        w.form('f-unlock', t('work.unlock'),
               [ {name : 'person', label : t('work.person'), type : 'select', options : pick} ],
               t('work.unlock_go'), (v) => ({action : 'passwd_unlock', person : v.person}));
    const gl = grants && !grants.error ? grants.grants || [] : [];
    const glist =
        w.table('grants-list',
                [
                    t('work.grant'), t('work.person'), t('work.actions'), t('work.cameras'),
                    t('work.state'), t('work.until'), t('work.report')
                ],
                gl,
                (g) => [g.id, g.person, g.actions, g.cameras || t('work.all'),
                        t('grant.' + g.state), w.when(g.until_us), t('report.' + g.report)]);
    const grant = w.form(
        'f-grant', t('work.grant_new'),
        [
            {name : 'person', label : t('work.person_or_account'), type : 'text'},
            {name : 'minutes', label : t('work.minutes'), type : 'number', value : '60'}, {
                name : 'actions',
                label : t('work.actions_hint'),
                type : 'text',
                value : 'status,cameras,live'
            },
            {name : 'cameras', label : t('work.cameras_hint'), type : 'text'},
            {name : 'reason', label : t('work.reason'), type : 'textarea'}
        ],
        t('work.grant_go'), (v) => {
            const bad =
                v.actions.split(',').map((x) => x.trim()).filter((x) => !GRANTABLE.includes(x));
            if (bad.length)
                return t('work.bad_actions', {a : bad.join(', '), ok : GRANTABLE.join(', ')});
            return w.body({
                action : 'emergency_grant',
                person : v.person,
                minutes : parseInt(v.minutes, 10),
                actions : v.actions,
                cameras : v.cameras,
                reason : v.reason
            });
        }, again);
    const active = gl.filter((g) => g.state === 'active');
    const revoke = w.form(
        'f-grant-revoke', t('work.grant_revoke'),
        [
            {
                name : 'grant_id',
                label : t('work.grant'),
                type : 'select',
                options : w.opts(active, 'id', (g) => `${g.id} (${g.person})`)
            },
            {name : 'reason', label : t('work.reason'), type : 'textarea'}
        ],
        t('work.revoke'),
        (v) => v.grant_id
                   ? w.body({action : 'emergency_revoke', grant_id : v.grant_id, reason : v.reason})
                   : t('work.none'),
        again);
    return [
        w.section(t('work.people'), staff, role),
        w.section(t('work.accounts'), pw, unlock),
        w.section(t('work.grants'), grants && grants.error ? w.failed(grants) : glist, grant,
                  revoke),
    ];
}

async function cameras(again)
{
    const w = W();
    const r = await w.result('cameras');
    if (!r)
        return null;
    if (r.error)
        return [ w.failed(r) ];
    const cams = r.cameras || [];
    const tbl = w.table(
        'cameras-list', [ t('work.camera'), t('work.state'), t('work.location'), t('work.last') ],
        cams, (c) => [c.id, t('cam.' + c.state), c.location || '', w.when(c.last_recorded_us)]);
    const f = w.form(
        'f-camera', t('work.camera_change'),
        [
            {
                name : 'camera',
                label : t('work.camera'),
                type : 'select',
                options : w.opts(cams, 'id')
            },
            {
                name : 'do',
                label : t('work.do'),
                type : 'select',
                options : [
                    [ 'camera_suspend', t('work.suspend') ], [ 'camera_resume', t('work.resume') ],
                    [ 'camera_abolish', t('work.abolish') ]
                ]
            },
            {name : 'reason', label : t('work.reason'), type : 'textarea'}
        ],
        t('work.submit'), (v) => {
            if (!v.reason)
                return t('work.need_reason');
            if (v.do === 'camera_abolish' &&
                !window.confirm(t('work.abolish_sure', {c : v.camera})))
                return t('work.cancelled');
            return {action : v.do, camera : v.camera, reason : v.reason};
        }, again);
    return [ w.section(t('work.cameras_title'), tbl, f) ];
}

async function holds(again)
{
    const w = W();
    const [r, cr] = await Promise.all([ w.result('holds'), w.result('cameras') ]);
    if (!r)
        return null;
    if (r.error)
        return [ w.failed(r) ];
    const hl = r.holds || [];
    const tbl = w.table(
        'holds-list',
        [
            t('work.hold'), t('work.kind'), t('work.camera'), t('work.from'), t('work.to'),
            t('work.reason'), t('work.expires')
        ],
        hl,
        (x) => [x.group || x.id, t('holdkind.' + x.kind), x.camera, w.when(x.from_us),
                w.when(x.to_us), x.reason, x.expires_us ? w.when(x.expires_us) : t('work.never')]);
    const cams = cr && cr.cameras ? cr.cameras.map((c) => c.id).join(',') : '';
    const now = Date.now() * 1000;
    const place = w.form(
        'f-hold', t('work.hold_place'),
        [
            {name : 'cameras', label : t('work.cameras_list'), type : 'text', value : cams}, {
                name : 'from',
                label : t('work.from'),
                type : 'time',
                value : w.usToLocal(now - 3600e6)
            },
            {name : 'to', label : t('work.to'), type : 'time', value : w.usToLocal(now)},
            {name : 'days', label : t('work.days'), type : 'number'},
            {name : 'reason', label : t('work.reason'), type : 'textarea'}
        ],
        t('work.hold_go'), (v) => {
            const from = w.localToUs(v.from), to = w.localToUs(v.to);
            if (from === null || to === null)
                return t('work.need_times');
            return w.body({
                action : 'hold_place',
                cameras : v.cameras,
                from_us : from,
                to_us : to,
                reason : v.reason,
                expires_days : v.days ? parseInt(v.days, 10) : ''
            });
        }, again);
    const groups = [...new Set(hl.filter((x) => x.kind === 'site').map((x) => x.group || x.id)) ];
    const release = w.form(
        'f-hold-release', t('work.hold_release'),
        [
            {
                name : 'hold_id',
                label : t('work.hold'),
                type : 'select',
                options : groups.map((g) => [g, g])
            },
            {name : 'reason', label : t('work.reason'), type : 'textarea'}
        ],
        t('work.release'),
        (v) => v.hold_id ? w.body({action : 'hold_release', hold_id : v.hold_id, reason : v.reason})
                         : t('work.none'),
        again);
    return [ w.section(t('work.holds'), tbl, place, release) ];
}

async function standards(again)
{
    const w = W();
    const r = await w.result('standards');
    if (!r)
        return null;
    if (r.error)
        return [ w.failed(r) ];
    const st = await w.result('status');
    const filed = st && st.standards ? st.standards.filed : 0;
    const meta =
        h('p', {id : 'standards-meta'},
          t('work.standards_meta', {v : r.version, d : r.date, f : filed || t('work.not_filed')}));
    const doc = h('pre', {class : 'doc', id : 'standards-doc'}, r.document);
    const file = w.isManager()
                     ? w.form('f-standards', t('work.standards_file'), [], t('work.file_go'),
                              () => ({action : 'standards_file'}), again)
                     : null;
    return [ w.section(t('work.standards'), meta, file, doc) ];
}

async function report()
{
    const w = W();
    const f =
        w.form('f-report', t('work.report_title'),
               [
                   {name : 'grant_id', label : t('work.grant'), type : 'text'},
                   {name : 'text', label : t('work.report_text'), type : 'textarea'}
               ],
               t('work.report_go'),
               (v) => v.text && v.grant_id
                          ? {action : 'emergency_report', grant_id : v.grant_id, text : v.text}
                          : t('work.need_text'));
    return [ w.section(t('work.report_title'), h('p', {class : 'hint'}, t('work.report_hint')),
                       f) ];
}

const M = [ 'manager' ];
const v = (name, nav, roles, load) =>
    window.mmConsole.view(name, {nav, roles, render : W().page(load)});
v('people', 'nav.people', M, people);
v('cameras', 'nav.cameras', M, cameras);
v('holds', 'nav.holds', M, holds);
v('standards', 'nav.standards', M, standards);
v('report', 'nav.report', [ 'none' ], report);
})();
