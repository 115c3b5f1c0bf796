/*
 * common.js: what the dashboard and the public registry share — building elements node by node
 * (everything the hub sends is shown as text, never parsed as markup), times in a named zone,
 * ages, sizes, hashes, the language switch, and the seven-day recording chart.
 *
 * Times. Every time shown to a person is in the zone of the site it belongs to (the zone the
 * site reports, GET .../registry "timezone"), and on the pages that are no site's in the hub's
 * (GET /api/v1/hub "timezone"), never in the browser's own zone: the wall clock is read from
 * Intl.DateTimeFormat with timeZone, and written in one format, "2026-12-06 14:03:05 JST" (the
 * zone's short name as Japanese usage writes it: JST, else GMT+1 and the like). A page names its
 * zone with setZone; fmtTime and the others use it unless given one. A name Intl does not know
 * falls back to Asia/Tokyo. The seven-day chart counts days in Japan (jstDay), as the hub's
 * rules do (R-K2.2.6a).
 */
'use strict';
(function () {
  const I = window.mmI18n;
  const t = I.t;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  /* Appends children (strings, nodes, arrays of them; null and false are skipped). */
  function append(el, kids) {
    for (const k of kids) {
      if (k === null || k === undefined || k === false) continue;
      if (Array.isArray(k)) append(el, k);
      else el.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return el;
  }

  /* h('a', {href: '#/', class: 'x', onclick: fn, dataset: {k: v}}, 'text', child, ...) */
  function build(el, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'hidden' || k === 'disabled' || k === 'checked' || k === 'required' ||
               k === 'selected' || k === 'open')
        el[k] = Boolean(v);
      else if (k === 'value') el.value = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    return el;
  }

  function h(tag, attrs, ...kids) {
    return append(build(document.createElement(tag), attrs), kids);
  }

  function s(tag, attrs, ...kids) {
    return append(build(document.createElementNS(SVG_NS, tag), attrs), kids);
  }

  function clear(el) {
    while (el.firstChild) el.firstChild.remove();
    return el;
  }

  const JST_MS = 9 * 3600 * 1000;
  const DEFAULT_ZONE = 'Asia/Tokyo';

  /* "YYYY-MM-DD" of the Japan day an instant (ms) falls on (Japan has no daylight saving). */
  function jstDay(ms) {
    return new Date(ms + JST_MS).toISOString().slice(0, 10);
  }

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  /* --- times in a named zone ----------------------------------------------------------------- */

  const wallFormats = new Map();
  const nameFormats = new Map();

  /* Whether Intl knows zone tz. */
  function zoneKnown(tz) {
    if (typeof tz !== 'string' || !tz) return false;
    if (wallFormats.has(tz)) return true;
    try {
      wallFormats.set(tz, new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', second: '2-digit',
      }));
      return true;
    } catch (e) {
      return false;
    }
  }

  let pageZone = DEFAULT_ZONE;

  /* The zone this page shows times in (tz, or Asia/Tokyo when Intl does not know tz); returns
   * the zone in use. */
  function setZone(tz) {
    pageZone = zoneKnown(tz) ? tz : DEFAULT_ZONE;
    return pageZone;
  }

  function zone() {
    return pageZone;
  }

  function zoneOf(tz) {
    return tz && zoneKnown(tz) ? tz : pageZone;
  }

  /* The wall-clock parts {year, month, day, hour, minute, second} of instant ms in zone tz. */
  function zoneParts(ms, tz) {
    const z = zoneOf(tz);
    zoneKnown(z);
    const v = {};
    for (const p of wallFormats.get(z).formatToParts(new Date(ms))) if (p.type !== 'literal') v[p.type] = Number(p.value);
    if (v.hour === 24) v.hour = 0;
    return v;
  }

  /* The zone's short name at instant ms, as Japanese usage writes it ("JST", "GMT+1"). */
  function zoneName(ms, tz) {
    const z = zoneOf(tz);
    let f = nameFormats.get(z);
    if (!f) {
      f = new Intl.DateTimeFormat('ja-JP', { timeZone: z, timeZoneName: 'short' });
      nameFormats.set(z, f);
    }
    const p = f.formatToParts(new Date(ms)).find((x) => x.type === 'timeZoneName');
    return p ? p.value : z;
  }

  /* How far zone tz's wall clock is ahead of UTC at instant ms (whole seconds). */
  function zoneOffsetMs(ms, tz) {
    const s = Math.floor(ms / 1000) * 1000;
    const v = zoneParts(s, tz);
    return Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second) - s;
  }

  /* The instant (ms) when zone tz's wall clock shows date "YYYY-MM-DD" and time "HH:MM[:SS]";
   * null when either is not one or the clock never shows it (the hour skipped when summer time
   * begins). In the hour shown twice when it ends, the first (as mimamori-edge reads it). */
  function zonedToMs(date, time, tz) {
    const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
    const tm = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(time || '');
    if (!dm || !tm) return null;
    const y = Number(dm[1]), mo = Number(dm[2]), d = Number(dm[3]);
    const hh = Number(tm[1]), mi = Number(tm[2]), ss = Number(tm[3] || 0);
    const wall = Date.UTC(y, mo - 1, d, hh, mi, ss);
    const back = new Date(wall);
    if (y < 1000 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 ||
        back.getUTCDate() !== d || hh > 23 || mi > 59 || ss > 59) return null;
    /* The offsets half a day either side hold on each side of any change near the wall time;
     * each gives the instant if the clock shows the wall time at it. */
    const ms = [wall - zoneOffsetMs(wall - 43200000, tz), wall - zoneOffsetMs(wall + 43200000, tz)]
      .filter((x) => {
        const v = zoneParts(x, tz);
        return v.year === y && v.month === mo && v.day === d && v.hour === hh && v.minute === mi && v.second === ss;
      });
    return ms.length ? Math.min(...ms) : null;
  }

  /* "YYYY-MM-DD" of the day instant ms falls on in zone tz. */
  function zoneDay(ms, tz) {
    const v = zoneParts(ms, tz);
    return `${v.year}-${pad(v.month)}-${pad(v.day)}`;
  }

  /* An instant in microseconds as "2026-12-06 14:03:05 JST" in zone tz (the page's by default). */
  function fmtTime(us, tz) {
    if (us === null || us === undefined || !isFinite(us) || us <= 0) return '—';
    const ms = Math.floor(us / 1000);
    const v = zoneParts(ms, tz);
    return `${v.year}-${pad(v.month)}-${pad(v.day)} ${pad(v.hour)}:${pad(v.minute)}:${pad(v.second)} ` +
      zoneName(ms, tz);
  }

  /* The time of day of instant ms, "14:03:05 JST". */
  function fmtClock(ms, tz) {
    const v = zoneParts(ms, tz);
    return `${pad(v.hour)}:${pad(v.minute)}:${pad(v.second)} ${zoneName(ms, tz)}`;
  }

  /* The day of an instant in microseconds, "2026-12-06". */
  function fmtDate(us, tz) {
    if (!us || us <= 0) return '—';
    return zoneDay(Math.floor(us / 1000), tz);
  }

  /* How long ago, in words, from seconds. */
  function fmtAge(sec) {
    if (sec === null || sec === undefined || !isFinite(sec)) return t('ov.never');
    sec = Math.max(0, Math.floor(sec));
    if (sec < 2) return t('age.now');
    if (sec < 120) return t('age.s', { n: sec });
    if (sec < 7200) return t('age.m', { n: Math.floor(sec / 60) });
    if (sec < 172800) return t('age.h', { n: Math.floor(sec / 3600) });
    return t('age.d', { n: Math.floor(sec / 86400) });
  }

  function fmtBytes(n) {
    if (n === null || n === undefined) return '—';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    let v = Number(n);
    while (v >= 1000 && i < units.length - 1) {
      v /= 1000;
      i++;
    }
    return (i ? v.toFixed(1) : String(v)) + ' ' + units[i];
  }

  function fmtPercent(x) {
    if (x === null || x === undefined || !isFinite(x)) return '—';
    return (x * 100).toFixed(x >= 0.999 || x === 0 ? 0 : 1) + '%';
  }

  /* A hash shown short, with the whole of it as the element's title and for copying. */
  function hashEl(hex) {
    if (!hex) return h('span', { class: 'muted' }, '—');
    return h('code', { class: 'hash', title: hex }, hex.slice(0, 12) + '…');
  }

  /*
   * The seven-day recording chart: one bar per Japan day ending today, its height the share of
   * the hours summarised that day that the cameras' segments cover (registry uptime: per camera
   * and day, recorded_us and the hours summarised). cameras is a list of registry camera records.
   */
  function uptimeDays(cameras, nowMs) {
    const days = [];
    for (let i = 6; i >= 0; i--) days.push(jstDay(nowMs - i * 86400000));
    return days.map((day) => {
      let rec = 0;
      let hours = 0;
      for (const c of cameras) {
        const u = c && c.uptime && c.uptime[day];
        if (!u) continue;
        rec += Number(u.recorded_us) || 0;
        hours += Number(u.hours) || 0;
      }
      return { day, recorded_us: rec, hours, ratio: hours > 0 ? Math.min(1, rec / (hours * 3.6e9)) : null };
    });
  }

  function uptimeChart(cameras, nowMs) {
    const days = uptimeDays(cameras, nowMs);
    const W = 12, GAP = 3, H = 30;
    const known = days.filter((d) => d.ratio !== null);
    const low = known.length ? Math.min(...known.map((d) => d.ratio)) : null;
    const svg = s('svg', {
      class: 'uptime', viewBox: `0 0 ${7 * W + 6 * GAP} ${H + 2}`, width: 7 * W + 6 * GAP,
      height: H + 2, role: 'img',
      'aria-label': low === null ? t('uptime.summary_none') : t('uptime.summary', { p: fmtPercent(low) }),
    });
    days.forEach((d, i) => {
      const x = i * (W + GAP);
      let title;
      if (d.ratio === null) {
        title = t('uptime.day_none', { day: d.day });
        svg.append(s('rect', { x, y: H - 2, width: W, height: 2, class: 'up-none' }, s('title', {}, title)));
        return;
      }
      title = t('uptime.day', {
        day: d.day, h: (d.recorded_us / 3.6e9).toFixed(1), of: d.hours, p: fmtPercent(d.ratio),
      });
      const bh = Math.max(2, Math.round(d.ratio * H));
      const cls = d.ratio >= 0.99 ? 'up-ok' : d.ratio >= 0.9 ? 'up-warn' : 'up-bad';
      svg.append(s('rect', { x, y: 0, width: W, height: H, class: 'up-bg' }));
      svg.append(s('rect', { x, y: H - bh, width: W, height: bh, class: cls }, s('title', {}, title)));
    });
    svg.dataset.days = days.map((d) => (d.ratio === null ? '-' : d.ratio.toFixed(3))).join(',');
    const cls = low === null ? '' : low >= 0.99 ? 'ok' : low >= 0.9 ? 'warn' : 'bad';
    return h('div', { class: 'uptime-box' }, svg,
      h('span', { class: 'uptime-low ' + cls, 'aria-hidden': 'true' }, low === null ? t('uptime.none') : fmtPercent(low)));
  }

  /* Wires the language button (id "lang"): switching re-renders through onChange. */
  function langButton(onChange) {
    const b = document.getElementById('lang');
    if (!b) return;
    const paint = () => {
      b.textContent = t('nav.lang');
      b.setAttribute('aria-label', t('nav.lang_label'));
      b.setAttribute('lang', I.lang() === 'ja' ? 'en' : 'ja');
    };
    paint();
    b.addEventListener('click', () => {
      I.setLang(I.lang() === 'ja' ? 'en' : 'ja');
      paint();
      onChange();
    });
  }

  /* An RFC 3339 time the hub wrote ("2026-11-29T22:41:53Z") as fmtTime writes it. */
  function fmtIso(iso, tz) {
    const ms = Date.parse(iso);
    return isFinite(ms) ? fmtTime(ms * 1000, tz) : iso || '—';
  }

  /* A text whose `backquoted` parts are what a person types or a tool prints: those as <code>. */
  function codeText(text) {
    return String(text).split('`').map((part, i) => (i % 2 ? h('code', {}, part) : part)).filter((x) => x !== '');
  }

  /* A definition list's term and value, paired in a div so that a grid lays out pairs. */
  function fact(term, value) {
    if (value === null || value === undefined || value === '') return null;
    return h('div', {}, h('dt', {}, term), h('dd', {}, value));
  }

  /* Elements with data-t get their text from the table. */
  function paintStatic(root) {
    for (const el of (root || document).querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  }

  window.mm = {
    h, s, clear, append, codeText, jstDay, fmtTime, fmtIso, fmtClock, fmtDate, fmtAge, fmtBytes, fmtPercent, hashEl, fact,
    uptimeDays, uptimeChart, langButton, paintStatic,
    setZone, zone, zoneKnown, zoneParts, zoneName, zonedToMs, zoneDay, DEFAULT_ZONE,
  };
})();
