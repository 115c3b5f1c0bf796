/*
 * work_city.js: complaints and the city's notices and requests in the console (work.js) — for the
 * manager and operators: complaints (the site's and the city's) recorded, handled and closed;
 * notices listed, shown and acknowledged; the city's requests listed, and answered by the manager.
 */
'use strict';
(function() {
const {t, h} = window.mm;
const W = () => window.mmWork;

const CHANNELS = [ 'in_person', 'phone', 'letter', 'email', 'online', 'other' ];

async function complaints(again)
{
    const w = W();
    const [r, cr] = await Promise.all([ w.result('complaints', {all : '1'}), w.result('cameras') ]);
    if (!r)
        return null;
    if (r.error)
        return [ w.failed(r) ];
    const all = r.complaints || [];
    const tbl = w.table(
        'complaints-list',
        [
            t('work.complaint'), t('work.source'), t('work.state'), t('work.received'),
            t('work.deadline'), t('work.camera'), t('work.about')
        ],
        all,
        (c) => [c.id, t('source.' + c.source), t('cstate.' + c.state) + (c.overdue ? ' ⚠' : ''),
                w.when(c.received_us), w.when(c.deadline_us), c.camera || '—', c.about]);
    const cams = cr && cr.cameras ? cr.cameras.map((c) => [c.id, c.id]) : [];
    const record = w.form('f-complaint', t('work.complaint_new'),
                          [
                              {
                                  name : 'channel',
                                  label : t('work.channel'),
                                  type : 'select',
                                  options : CHANNELS.map((c) => [c, t('channel.' + c)])
                              },
                              {
                                  name : 'camera',
                                  label : t('work.camera_opt'),
                                  type : 'select',
                                  options : [ [ '', '—' ] ].concat(cams)
                              },
                              {name : 'received', label : t('work.received'), type : 'time'},
                              {name : 'text', label : t('work.about'), type : 'textarea'}
                          ],
                          t('work.record_go'), (v) => {
                              if (!v.text)
                                  return t('work.need_text');
                              const rec = v.received ? w.localToUs(v.received) : '';
                              if (rec === null)
                                  return t('work.need_times');
                              return w.body({
                                  action : 'complaint',
                                  step : 'received',
                                  channel : v.channel,
                                  camera : v.camera,
                                  received_us : rec,
                                  text : v.text
                              });
                          }, again);
    const site = all.filter((c) => c.source === 'site' && c.state !== 'closed');
    const step =
        w.form('f-complaint-step', t('work.complaint_step'),
               [
                   {
                       name : 'complaint_id',
                       label : t('work.complaint'),
                       type : 'select',
                       options : w.opts(site, 'id', (c) => `${c.id}: ${c.about.slice(0, 40)}`)
                   },
                   {
                       name : 'step',
                       label : t('work.step'),
                       type : 'select',
                       options :
                           [ [ 'handled', t('cstate.handled') ], [ 'closed', t('cstate.closed') ] ]
                   },
                   {name : 'text', label : t('work.what'), type : 'textarea'}
               ],
               t('work.submit'),
               (v) => !v.complaint_id ? t('work.none')
                      : !v.text       ? t('work.need_text')
                                      : {
                                            action : 'complaint',
                                            step : v.step,
                                            complaint_id : v.complaint_id,
                                            text : v.text
                                  },
               again);
    return [ w.section(t('work.complaints'),
                       h('p', {class : 'hint'}, t('work.open_n', {n : r.open || 0})), tbl, record,
                       step) ];
}

let shown = '';

async function city(again)
{
    const w = W();
    const [n, q] = await Promise.all([ w.result('notices', {all : '1'}), w.result('requests') ]);
    if (!n)
        return null;
    if (n.error)
        return [ w.failed(n) ];
    const notices = n.notices || [];
    const ntbl = w.table(
        'notices-list',
        [
            t('work.notice'), t('work.kind'), t('work.subject'), t('work.time'), t('work.state'), ''
        ],
        notices,
        (x) => [x.id, t('kind.' + x.kind), x.subject || '', w.when(x.time_us),
                t('nstate.' + x.state),
                h('button', {
                    type : 'button',
                    class : 'small-btn',
                    'data-show' : x.id,
                    onclick : () => {
                        shown = x.id;
                        again();
                    }
                },
                  t('work.show'))]);
    const one = notices.find((x) => x.id === shown);
    const show =
        one ? h('div', {class : 'notice', id : 'notice-shown'}, h('h2', {}, one.subject || one.id),
                h('pre', {class : 'doc'}, one.text),
                Object.keys(one.detail || {}).length
                    ? h('pre', {class : 'doc small'}, JSON.stringify(one.detail, null, 2))
                    : null,
                one.answer ? h('p', {}, t('work.acked_as', {a : one.answer, by : one.by})) : null)
            : null;
    const open = notices.filter((x) => x.state === 'open');
    const ack = w.form(
        'f-ack', t('work.ack'),
        [
            {
                name : 'request_id',
                label : t('work.notice'),
                type : 'select',
                options : w.opts(open, 'id', (x) => `${x.id} ${x.subject || ''}`)
            },
            {name : 'text', label : t('work.ack_text'), type : 'textarea'}
        ],
        t('work.ack_go'),
        (v) => v.request_id
                   ? w.body({action : 'notice_ack', request_id : v.request_id, text : v.text})
                   : t('work.none'),
        again);
    const reqs = q && !q.error ? q.requests || [] : [];
    const qtbl =
        w.table('requests-list',
                [
                    t('work.request'), t('work.kind'), t('work.state'), t('work.deadline'),
                    t('work.camera'), t('work.text')
                ],
                reqs,
                (x) => [x.id, t('kind.' + x.kind), t('rstate.' + x.state) + (x.overdue ? ' ⚠' : ''),
                        w.when(x.deadline_us), x.camera || '—',
                        x.answer ? `${x.text} → ${x.answer}` : x.text]);
    const answer =
        w.isManager()
            ? w.form(
                  'f-answer', t('work.answer'),
                  [
                      {
                          name : 'request_id',
                          label : t('work.request'),
                          type : 'select',
                          options : w.opts(reqs.filter((x) => x.state === 'open'), 'id',
                                           (x) => `${x.id} (${t('kind.' + x.kind)})`)
                      },
                      {name : 'text', label : t('work.answer_text'), type : 'textarea'}
                  ],
                  t('work.answer_go'),
                  (v) =>
                      !v.request_id ? t('work.none')
                      : !v.text
                          ? t('work.need_text')
                          : {action : 'request_answer', request_id : v.request_id, text : v.text},
                  again)
            : null;
    return [
        w.section(t('work.notices'), h('p', {class : 'hint'}, t('work.open_n', {n : n.open || 0})),
                  ntbl, show, ack),
        w.section(t('work.requests'), q && q.error ? w.failed(q) : qtbl, answer)
    ];
}

const MO = [ 'manager', 'operator' ];
window.mmConsole.view('complaints',
                      {nav : 'nav.complaints', roles : MO, render : W().page(complaints)});
window.mmConsole.view('city', {nav : 'nav.city', roles : MO, render : W().page(city)});
})();
