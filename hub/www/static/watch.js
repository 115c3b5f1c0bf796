/*
 * watch.js: the Japanese sentences of the findings the hub raises with its own clock and data
 * (hub/rules_watch.h), built from each finding's evidence as words.js builds the others' (it
 * calls the builders added here through mmWords.addFinding). In English a finding reads as the
 * hub wrote it. Times are shown in the site's zone (common.js).
 */
'use strict';
(function() {
const t = window.mmI18n.t;
const mm = window.mm;

/* A span of seconds in words: "8日3時間", "5時間12分", "4分10秒". */
function span(sec)
{
    sec = Math.abs(Math.floor(Number(sec) || 0));
    if (sec >= 86400)
        return t('span.dh', {d : Math.floor(sec / 86400), h : Math.floor(sec % 86400 / 3600)});
    if (sec >= 3600)
        return t('span.hm', {h : Math.floor(sec / 3600), m : Math.floor(sec % 3600 / 60)});
    return t('span.ms', {m : Math.floor(sec / 60), s : sec % 60});
}

const dash = (v) => (v === undefined || v === null || v === '' ? '—' : v);
const first = (e) => dash((e.entries || [])[0]);
const hours = (min) => (Number(min || 0) / 60).toFixed(1);

const builders = {
    clock_skew(e, f) {
        const s = Number(e.offset_s || 0);
        return t(s > 0 ? 'fmsg.clock_skew_ahead' : 'fmsg.clock_skew_behind', {
            index : first(e),
            measured : mm.fmtIso(e.measured),
            span : span(s),
            bound : /at least/.test(f.message || '') ? t('fmsg.clock_skew_bound') : '',
            message : f.message || '',
        });
    },
    erased_early : (e, f) => t('fmsg.erased_early', {
        camera : dash(e.camera),
        day : dash(e.day),
        count : dash(e.count),
        days : dash(e.retention_days),
        span : span(e.early_s),
        message : f.message || '',
    }),
    viewing_volume : (e, f) => t('fmsg.viewing_volume', {
        person : dash(e.person),
        day : dash(e.day),
        viewings : dash(e.viewings),
        hours : hours(e.footage_min),
        max : dash(e.max_viewings),
        max_hours : hours(e.max_minutes),
        message : f.message || '',
    }),
    night_viewing : (e, f) => t('fmsg.night_viewing', {
        person : dash(e.person),
        day : dash(e.day),
        night : dash(e.night),
        from : dash(e.from_hour),
        to : dash(e.to_hour),
        message : f.message || '',
    }),
    camera_suspended_long : (e, f) => t('fmsg.camera_suspended_long', {
        camera : dash(e.camera),
        since : mm.fmtIso(e.since),
        days : dash(e.days),
        max : dash(e.max_days),
        message : f.message || '',
    }),
    camera_count_unfiled : (e, f) => t('fmsg.camera_count_unfiled', {
        cameras : dash(e.cameras),
        version : dash(e.version),
        filed : dash(e.filed_cameras),
        message : f.message || '',
    }),
    signage_check_old : (e, f) => t('fmsg.signage_check_old', {
        camera : dash(e.camera),
        checked : dash(e.checked),
        days : dash(e.days),
        max : dash(e.max_days),
        message : f.message || '',
    }),
};
for (const kind of Object.keys(builders))
    window.mmWords.addFinding(kind, (f) => builders[kind](f.evidence || {}, f));
})();
