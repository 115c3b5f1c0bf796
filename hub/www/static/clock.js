/*
 * clock.js: the clock_jumped finding (hub/rules.c) in words, through mmWords.addFinding; the
 * words are i18n_clock.js's. Times are shown in the site's zone (common.js fmtIso).
 */
'use strict';
(function() {
const t = window.mmI18n.t;
const dash = (v) => (v === undefined || v === null || v === '' ? '—' : v);
/* A step in milliseconds for people: "2 d 0 h", "1 h 0 min", "3.5 s". */
function span(ms) {
    const s = Math.abs(Number(ms || 0)) / 1000;
    if (s >= 86400)
        return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
    if (s >= 3600)
        return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
    return `${s.toFixed(1)} s`;
}
window.mmWords.addFinding('clock_jumped', (f) => {
    const e = f.evidence || {};
    return t(Number(e.step_ms || 0) < 0 ? 'fmsg.clock_jumped_back' : 'fmsg.clock_jumped_ahead', {
        span : span(e.step_ms),
        expected : window.mm.fmtIso(e.expected),
        read : window.mm.fmtIso(e.read),
        index : dash((e.entries || [])[0]),
        message : f.message || '',
    });
});
})();
