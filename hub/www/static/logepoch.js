/*
 * logepoch.js: the findings of a site's log begun anew (hub/mirror.c: site_log_restarted,
 * log_restart_refused) in words, through mmWords.addFinding; the words are i18n_logepoch.js's.
 */
'use strict';
(function() {
const t = window.mmI18n.t;
const dash = (v) => (v === undefined || v === null || v === '' ? '—' : v);
window.mmWords.addFinding('site_log_restarted', (f) => {
    const e = f.evidence || {};
    return t('fmsg.site_log_restarted', {
        epoch : dash(e.epoch),
        reason : dash(e.reason),
        closed : dash(e.closed_log_size),
        message : f.message || '',
    });
});
window.mmWords.addFinding('log_restart_refused',
                          (f) => t('fmsg.log_restart_refused', {message : f.message || ''}));
})();
