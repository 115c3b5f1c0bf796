/*
 * work.js: the site's work in the console, by role (console_work.c) — people and emergency grants,
 * cameras, disclosures (with the own-images regions drawn on a still frame), holds, complaints,
 * the city's notices and requests, and the standards document. Every change is one control
 * operation posted to /api/op as the control socket takes it (the same decision, the same access
 * entry, account "console"); lists are GET /api/op/{action}. A refusal shows the operation's own
 * message. The manager sees every page; an operator only what operators may do (disclosures to
 * prepare, complaints, the city's notices) — and the edge refuses the rest whatever a page sends.
 */
'use strict';
(function() {
const {t, h, clear, api, fmtUs} = window.mm;
const C = () => window.mmConsole;

/* --- calls --------------------------------------------------------------------------------- */

async function op(body)
{
    const r = await fetch('/api/op', {
        method : 'POST',
        credentials : 'same-origin',
        headers : {'X-CSRF-Token' : C().session().csrf, 'Content-Type' : 'application/json'},
        body : JSON.stringify(body)
    });
    let b = null;
    try {
        b = await r.json();
    } catch (e) {
        b = null;
    }
    return {status : r.status, body : b};
}

async function list(action, q)
{
    const qs = q ? '?' + new URLSearchParams(q).toString() : '';
    const res = await api('GET', '/api/op/' + action + qs);
    if (C().sessionEnded(res))
        return null;
    return res;
}

function message(res)
{
    const e = res.body && res.body.error;
    return e ? e.message : String(res.status);
}

/* --- times in the site's zone -------------------------------------------------------------- */

/* Minutes the site's zone is ahead of UTC at instant ms. */
function zoneOffset(ms)
{
    const tz = C().session().timezone;
    const f = new Intl.DateTimeFormat('en-US', {
        timeZone : tz,
        year : 'numeric',
        month : 'numeric',
        day : 'numeric',
        hour : 'numeric',
        minute : 'numeric',
        second : 'numeric',
        hourCycle : 'h23'
    });
    const v = {};
    for (const p of f.formatToParts(new Date(ms)))
        v[p.type] = Number(p.value);
    const asUtc = Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second);
    return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/* "YYYY-MM-DDTHH:MM[:SS]" read in the site's zone -> microseconds, or null. */
function localToUs(s)
{
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s || '');
    if (!m)
        return null;
    const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    let ms = guess - zoneOffset(guess) * 60000;
    ms = guess - zoneOffset(ms) * 60000;
    return ms * 1000;
}

/* Microseconds -> "YYYY-MM-DDTHH:MM:SS" in the site's zone (for a datetime-local field). */
function usToLocal(us)
{
    const ms = Math.floor(Number(us) / 1000);
    const d = new Date(ms + zoneOffset(ms) * 60000);
    return d.toISOString().slice(0, 19);
}

/* The time a field shows (text) as microseconds: exactly us when the field still shows its
 * second (a field holds whole seconds only, and writes none at all when they are :00), else
 * what it says. */
function exactUs(text, us)
{
    const got = localToUs(text);
    return us && got !== null && got === localToUs(usToLocal(us)) ? Number(us) : got;
}

function when(us)
{
    return us ? fmtUs(us) : '—';
}

/* --- forms --------------------------------------------------------------------------------- */

/*
 * A form of fields [{name, label, type: text|textarea|select|number|time|check|password,
 * options: [[value, label]], value, optional}] whose submit calls build(values) -> a request (or
 * a string: what is wrong), posts it, and shows the answer: done(result) on success.
 */
function form(id, title, fields, submit, build, done)
{
    const els = {};
    const out = h('p', {class : 'form-msg', role : 'status', 'aria-live' : 'polite'});
    const rows = fields.map((f) => {
        let el;
        const fid = id + '-' + f.name;
        if (f.type === 'textarea')
            el = h('textarea', {id : fid, name : f.name, rows : 3});
        else if (f.type === 'select')
            el = h('select', {id : fid, name : f.name},
                   (f.options || []).map(([ v, l ]) => h('option', {value : v}, l)));
        else if (f.type === 'check')
            el = h('input', {id : fid, name : f.name, type : 'checkbox'});
        else
            el = h('input', {
                id : fid,
                name : f.name,
                type : f.type === 'time'       ? 'datetime-local'
                       : f.type === 'number'   ? 'number'
                       : f.type === 'password' ? 'password'
                                               : 'text',
                step : f.type === 'time' ? 1 : null,
                autocomplete : f.type === 'password' ? 'new-password' : 'off'
            });
        if (f.value !== undefined && f.type !== 'check')
            el.value = f.value;
        if (f.type === 'check' && f.value)
            el.checked = true;
        els[f.name] = el;
        return h('label', {class : 'field' + (f.type === 'check' ? ' check' : '')},
                 h('span', {}, f.label), el);
    });
    const btn = h('button', {type : 'submit', class : 'primary', id : id + '-go'}, submit);
    const fm = h('form', {class : 'work-form', id}, h('h2', {}, title), rows, btn, out);
    fm.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const v = {};
        for (const [k, el] of Object.entries(els))
            v[k] = el.type === 'checkbox' ? el.checked : el.value.trim();
        const req = build(v);
        out.className = 'form-msg';
        if (typeof req === 'string') {
            out.classList.add('error');
            out.textContent = req;
            return;
        }
        btn.disabled = true;
        const res = await op(req);
        btn.disabled = false;
        if (C().sessionEnded(res))
            return;
        if (res.status !== 200) {
            out.classList.add('error');
            out.textContent = t('work.refused', {msg : message(res)});
            return;
        }
        out.classList.add('ok');
        out.textContent = t('work.done');
        if (done)
            await done(res.body.result, out);
    });
    return fm;
}

/* Only the keys with a value (the parser refuses empty strings where a key must say something). */
function body(o)
{
    const r = {};
    for (const [k, v] of Object.entries(o))
        if (v !== '' && v !== null && v !== undefined && !(typeof v === 'number' && isNaN(v)))
            r[k] = v;
    return r;
}

function table(id, heads, items, cells)
{
    if (!items || !items.length)
        return h('p', {class : 'muted', id}, t('work.none'));
    return h(
        'div', {class : 'table-wrap'},
        h('table', {class : 'work', id},
          h('thead', {}, h('tr', {}, heads.map((x) => h('th', {}, x)))),
          h('tbody', {}, items.map((it) => h('tr', {}, cells(it).map((c) => h('td', {}, c)))))));
}

function section(title, ...kids)
{
    return h('section', {class : 'card work-card'}, h('h1', {}, title), kids);
}

function opts(items, key, label)
{
    return items.map((x) => [x[key], label ? label(x) : x[key]]);
}

function isManager()
{
    return C().session().role === 'manager';
}

/* Renders a page: load() -> its parts, repainted after every change. */
function page(load)
{
    return async (main) => {
        const again = async () => {
            const parts = await load(again);
            if (!parts)
                return;
            clear(main);
            for (const p of parts.filter(Boolean))
                main.appendChild(p);
        };
        main.appendChild(h('p', {class : 'muted'}, t('work.loading')));
        await again();
    };
}

async function result(action, q)
{
    const res = await list(action, q);
    if (!res)
        return null;
    if (res.status !== 200)
        return {error : message(res)};
    return res.body.result;
}

function failed(r)
{
    return r && r.error ? h('p', {class : 'error'}, t('work.refused', {msg : r.error})) : null;
}

window.mmWork = {
    op,
    list,
    result,
    form,
    body,
    table,
    section,
    opts,
    page,
    failed,
    when,
    localToUs,
    exactUs,
    usToLocal,
    isManager,
    message
};
})();
