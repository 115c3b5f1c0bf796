/* i18n_scrub.js: what the console says of footage the edge's own audit found missing or altered
 * (edge/scrub.h, R-K2.2.6d), Japanese first. */
'use strict';
window.mmI18n.extend(
    {
        'scrub.footage_missing' : 'この時間の映像の一部がなくなっています（保存期間内の映像ファイルの欠落）。ハブに報告されています',
        'scrub.footage_altered' : 'この時間の映像の一部が記録された内容と一致しません（映像ファイルの改変）。ハブに報告されています',
    },
    {
        'scrub.footage_missing' : 'Part of the footage of this time is missing (a segment file inside retention is gone); the hub has been told',
        'scrub.footage_altered' : 'Part of the footage of this time does not match what was recorded (a segment file was altered); the hub has been told',
    });
