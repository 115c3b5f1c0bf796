/*
 * scrub.js: the findings of a site's own audit (hub/integrity.h: log_tampered, footage_missing,
 * footage_altered) in words, through mmWords.addFinding; the words are i18n_scrub.js's.
 */
'use strict';
(function() {
const t = window.mmI18n.t;
const dash = (v) => (v === undefined || v === null || v === '' ? '—' : v);
for (const kind of ['log_tampered', 'footage_missing', 'footage_altered']) {
    window.mmWords.addFinding(kind, (f) => {
        const e = f.evidence || {};
        return t('fmsg.' + kind, {
            index : dash(e.index),
            fault : e.fault ? t('scrub.fault.' + e.fault) : '—',
            camera : dash(e.camera),
            file : dash(e.file),
            message : f.message || '',
        });
    });
}
})();
