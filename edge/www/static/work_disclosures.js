/*
 * work_disclosures.js: disclosure requests in the console (work.js) — the list with their states;
 * for operators and the manager, preparing one (cameras and range narrowed, a note); for the
 * manager, approving or denying it. An own-images request (R-N8) is approved with the regions to
 * keep clear drawn with the mouse or a finger on a still frame of the clip (GET /api/still,
 * logged as the "still" action): each rectangle becomes "CAM:x,y,w,h", fractions of the picture
 * rounded inwards, as the CLI's --keep takes them.
 */
'use strict';
(function() {
const {t, h, clear} = window.mm;
const W = () => window.mmWork;

/* A fraction rounded down to 4 places, so that x + w never passes 1. */
function frac(v)
{
    return (Math.floor(Math.max(0, Math.min(1, v)) * 10000) / 10000).toFixed(4);
}

/* The still frame of camera at at_us with the rectangles drawn on it; keep() lists them. */
function drawer(cameras, atUs)
{
    const w = W();
    const rects = []; /* {camera, x, y, w, h} in fractions */
    const canvas = h('canvas', {id : 'still-canvas', class : 'still', width : 640, height : 360});
    let img = null; /* an ImageBitmap: a blob: URL is not an image source the CSP allows */
    const cam = h('select', {id : 'still-camera'}, cameras.map((c) => h('option', {value : c}, c)));
    const at =
        h('input', {id : 'still-at', type : 'datetime-local', step : 1, value : w.usToLocal(atUs)});
    const info = h('p', {class : 'muted small', id : 'still-info'});
    const listEl = h('ul', {id : 'keep-list'});
    let drag = null;

    const paint = () => {
        const g = canvas.getContext('2d');
        g.clearRect(0, 0, canvas.width, canvas.height);
        if (img)
            g.drawImage(img, 0, 0, canvas.width, canvas.height);
        g.lineWidth = 3;
        const all = rects.filter((r) => r.camera === cam.value).concat(drag ? [ drag ] : []);
        for (const r of all) {
            g.strokeStyle = '#16a34a';
            g.fillStyle = 'rgba(22, 163, 74, .18)';
            g.fillRect(r.x * canvas.width, r.y * canvas.height, r.w * canvas.width,
                       r.h * canvas.height);
            g.strokeRect(r.x * canvas.width, r.y * canvas.height, r.w * canvas.width,
                         r.h * canvas.height);
        }
    };
    const paintList = () => {
        clear(listEl);
        rects.forEach((r, i) => listEl.appendChild(h('li', {}, h('code', {}, keepOf(r)), ' ',
                                                     h('button', {
                                                         type : 'button',
                                                         class : 'small-btn',
                                                         onclick : () => {
                                                             rects.splice(i, 1);
                                                             paintList();
                                                             paint();
                                                         }
                                                     },
                                                       t('work.remove')))));
    };
    const keepOf = (r) => `${r.camera}:${frac(r.x)},${frac(r.y)},${frac(r.w)},${frac(r.h)}`;
    const load = async () => {
        const us = w.exactUs(at.value, atUs);
        if (us === null) {
            info.textContent = t('work.need_times');
            return;
        }
        const url = `/api/still/${encodeURIComponent(cam.value)}?at_us=${us}`;
        const res = await fetch(url, {credentials : 'same-origin'});
        if (res.status !== 200) {
            let m = String(res.status);
            try {
                m = (await res.json()).error.message;
            } catch (e) { /* the status says it */
            }
            info.textContent = t('work.refused', {msg : m});
            info.className = 'error';
            return;
        }
        const wd = Number(res.headers.get('x-mm-width')),
              ht = Number(res.headers.get('x-mm-height'));
        const blob = await res.blob();
        canvas.width = wd || 640;
        canvas.height = ht || 360;
        img = await createImageBitmap(blob);
        paint();
        canvas.dataset.loaded = '1';
        info.className = 'muted small';
        info.textContent =
            t('work.still_of',
              {c : cam.value, t : w.when(res.headers.get('x-mm-time-us')), w : wd, h : ht});
    };
    const point = (ev) => {
        const b = canvas.getBoundingClientRect();
        return {
            x : Math.max(0, Math.min(1, (ev.clientX - b.left) / b.width)),
            y : Math.max(0, Math.min(1, (ev.clientY - b.top) / b.height))
        };
    };
    let start = null;
    canvas.addEventListener('pointerdown', (ev) => {
        if (!canvas.dataset.loaded)
            return;
        canvas.setPointerCapture(ev.pointerId);
        start = point(ev);
        ev.preventDefault();
    });
    canvas.addEventListener('pointermove', (ev) => {
        if (!start)
            return;
        const p = point(ev);
        drag = {
            camera : cam.value,
            x : Math.min(start.x, p.x),
            y : Math.min(start.y, p.y),
            w : Math.abs(p.x - start.x),
            h : Math.abs(p.y - start.y)
        };
        paint();
    });
    const end = () => {
        if (drag && drag.w >= 0.01 && drag.h >= 0.01)
            rects.push(drag);
        start = null;
        drag = null;
        paintList();
        paint();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    cam.addEventListener('change', load);
    const el = h(
        'div', {class : 'drawer'}, h('p', {class : 'hint'}, t('work.draw_hint')),
        h('div', {class : 'row'},
          h('label', {class : 'field'}, h('span', {}, t('work.camera')), cam),
          h('label', {class : 'field'}, h('span', {}, t('work.still_at')), at),
          h('button', {type : 'button', id : 'still-load', onclick : load}, t('work.still_load'))),
        info, canvas, listEl);
    return {el, load, keep : () => rects.map(keepOf)};
}

function detail(d, again)
{
    const w = W();
    const sel = d.selection || {};
    const cams = sel.cameras || d.cameras || [];
    const parts = [
        h('h2', {}, t('work.disclosure_of', {id : d.id})),
        h('dl', {class : 'facts'},
          [
              [ t('work.state'), t('disc.' + d.state) ],
              [ t('work.basis'), t('basis.' + d.legal_basis) ],
              [ t('work.requester'), d.requester ], [ t('work.reference'), d.reference || '—' ],
              [ t('work.reason'), d.reason ], [ t('work.cameras'), cams.join(', ') ],
              [ t('work.from'), w.when(sel.from_us || d.from_us) ],
              [ t('work.to'), w.when(sel.to_us || d.to_us) ],
              [ t('work.deadline'), w.when(d.deadline_us) ], [ t('work.refusal'), d.refusal || '—' ]
          ].map(([ k, v ]) => h('div', {class : 'fact'}, h('dt', {}, k), h('dd', {}, v))))
    ];
    const open = d.waiting_for === 'manager' || d.state === 'held' || d.state === 'prepared';
    if (!open)
        return parts;
    parts.push(w.form('f-prepare', t('work.prepare'),
                      [
                          {
                              name : 'cameras',
                              label : t('work.cameras_list'),
                              type : 'text',
                              value : cams.join(',')
                          },
                          {
                              name : 'from',
                              label : t('work.from'),
                              type : 'time',
                              value : w.usToLocal(sel.from_us || d.from_us)
                          },
                          {
                              name : 'to',
                              label : t('work.to'),
                              type : 'time',
                              value : w.usToLocal(sel.to_us || d.to_us)
                          },
                          {name : 'text', label : t('work.note'), type : 'textarea'}
                      ],
                      t('work.prepare_go'), (v) => {
                          const from = w.exactUs(v.from, sel.from_us || d.from_us);
                          const to = w.exactUs(v.to, sel.to_us || d.to_us);
                          if (from === null || to === null)
                              return t('work.need_times');
                          return w.body({
                              action : 'disclosure_prepare',
                              request_id : d.id,
                              cameras : v.cameras,
                              from_us : from,
                              to_us : to,
                              text : v.text
                          });
                      }, again));
    if (!w.isManager())
        return parts;
    const own = d.legal_basis === 'own_images';
    const dr = own ? drawer(cams, sel.from_us || d.from_us) : null;
    if (dr)
        parts.push(dr.el);
    parts.push(w.form('f-approve', t('work.approve'),
                      [ {name : 'reason', label : t('work.reason'), type : 'textarea'} ],
                      t('work.approve_go'), (v) => {
                          if (!v.reason)
                              return t('work.need_reason');
                          const keep = dr ? dr.keep() : [];
                          if (own && !keep.length)
                              return t('work.need_keep');
                          return w.body({
                              action : 'disclosure_approve',
                              request_id : d.id,
                              reason : v.reason,
                              keep : keep.length ? keep : ''
                          });
                      }, again));
    parts.push(w.form(
        'f-deny', t('work.deny'),
        [ {name : 'reason', label : t('work.reason'), type : 'textarea'} ], t('work.deny_go'),
        (v) => v.reason ? {action : 'disclosure_deny', request_id : d.id, reason : v.reason}
                        : t('work.need_reason'),
        again));
    if (dr)
        setTimeout(dr.load, 0);
    return parts;
}

let chosen = '';

async function disclosures(again)
{
    const w = W();
    const r = await w.result('disclosures');
    if (!r)
        return null;
    if (r.error)
        return [ w.failed(r) ];
    const all = r.disclosures || [];
    const tbl = w.table('disclosures-list',
                        [
                            t('work.request'), t('work.state'), t('work.basis'),
                            t('work.requester'), t('work.cameras'), t('work.deadline'), ''
                        ],
                        all,
                        (d) => [d.id, t('disc.' + d.state), t('basis.' + d.legal_basis),
                                d.requester, (d.cameras || []).join(', '), w.when(d.deadline_us),
                                h('button', {
                                    type : 'button',
                                    class : 'small-btn',
                                    'data-open' : d.id,
                                    onclick : () => {
                                        chosen = d.id;
                                        again();
                                    }
                                },
                                  t('work.open'))]);
    const d = all.find((x) => x.id === chosen);
    return [
        w.section(t('work.disclosures'),
                  h('p', {class : 'hint'}, t('work.waiting', {n : r.waiting || 0})), tbl),
        d ? h('section', {class : 'card work-card', id : 'disclosure'}, detail(d, again)) : null
    ];
}

window.mmConsole.view(
    'disclosures',
    {nav : 'nav.disclosures', roles : [ 'manager', 'operator' ], render : W().page(disclosures)});
})();
