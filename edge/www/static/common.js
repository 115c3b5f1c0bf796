/*
 * common.js: what every page of the site console shares (window.mm) — building elements (text
 * is always text, never parsed as markup), the words of the page (data-t), the language switch,
 * times in the site's zone, and calls to the console's API with the session's CSRF token.
 *
 * Times: every time shown is in the site's zone (GET /api/session "timezone"), never the
 * browser's, with the zone's short name (JST) — as the hub's dashboard shows them.
 */
'use strict';
(function() {
const I = window.mmI18n;
const t = I.t;

function h(tag, attrs, ...kids)
{
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === null || v === undefined || v === false)
            continue;
        if (k.startsWith('on') && typeof v === 'function')
            el.addEventListener(k.slice(2), v);
        else
            el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat()) {
        if (kid === null || kid === undefined || kid === false)
            continue;
        el.appendChild(typeof kid === 'string' || typeof kid === 'number'
                           ? document.createTextNode(String(kid))
                           : kid);
    }
    return el;
}

function clear(el)
{
    while (el.firstChild)
        el.removeChild(el.firstChild);
    return el;
}

/* The words of elements marked data-t (their key) in the language in use. */
function paintWords(root)
{
    for (const el of (root || document).querySelectorAll('[data-t]'))
        el.textContent = t(el.dataset.t);
}

/* The language button: switches, then repaints with paint (the page's own). */
function langButton(paint)
{
    const b = document.getElementById('lang');
    const label = () => {
        b.textContent = t('nav.lang');
        b.setAttribute('aria-label', t('nav.lang_label'));
    };
    b.addEventListener('click', () => {
        I.setLang(I.lang() === 'ja' ? 'en' : 'ja');
        label();
        paintWords();
        if (paint)
            paint();
    });
    label();
    paintWords();
}

/* --- times in the site's zone ------------------------------------------------------------- */
let zone = 'Asia/Tokyo';
function setZone(tz)
{
    try {
        new Intl.DateTimeFormat('en-US', {timeZone : tz});
        zone = tz;
    } catch (e) {
        zone = 'Asia/Tokyo';
    }
    return zone;
}
function zoneName(ms)
{
    const f = new Intl.DateTimeFormat('ja-JP', {timeZone : zone, timeZoneName : 'short'});
    const p = f.formatToParts(new Date(ms)).find((x) => x.type === 'timeZoneName');
    return p ? p.value : zone;
}
/* "YYYY-MM-DD HH:MM:SS JST" of instant ms (microseconds: fmtUs). */
function fmtTime(ms)
{
    const f = new Intl.DateTimeFormat('en-CA', {
        timeZone : zone,
        year : 'numeric',
        month : '2-digit',
        day : '2-digit',
        hour : '2-digit',
        minute : '2-digit',
        second : '2-digit',
        hourCycle : 'h23',
    });
    const v = {};
    for (const p of f.formatToParts(new Date(ms)))
        v[p.type] = p.value;
    return `${v.year}-${v.month}-${v.day} ${v.hour}:${v.minute}:${v.second} ${zoneName(ms)}`;
}
function fmtUs(us)
{
    return fmtTime(Math.floor(Number(us) / 1000));
}

/* --- the API ------------------------------------------------------------------------------ */
let csrf = '';
function setCsrf(token)
{
    csrf = token || '';
}

/* A call: resolves {status, body}; a POST sends form (an object) form-encoded with the CSRF
 * token. */
async function api(method, path, form)
{
    const opts = {method, credentials : 'same-origin', headers : {}};
    if (method !== 'GET') {
        opts.headers['X-CSRF-Token'] = csrf;
        opts.headers['Content-Type'] = 'application/x-www-form-urlencoded';
        opts.body = new URLSearchParams(form || {}).toString();
    }
    const r = await fetch(path, opts);
    let body = null;
    try {
        body = await r.json();
    } catch (e) {
        body = null;
    }
    return {status : r.status, body};
}

function errorCode(res)
{
    return res.body && res.body.error ? res.body.error.code : String(res.status);
}

window.mm = {
    t,
    h,
    clear,
    paintWords,
    langButton,
    setZone,
    fmtTime,
    fmtUs,
    api,
    setCsrf,
    errorCode
};
})();
