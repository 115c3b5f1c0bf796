/*
 * i18n_scrub.js: the words of scrub.js — a site's own audit (edge/scrub.h) found its log or its
 * footage damaged (hub/integrity.h: log_tampered, footage_missing, footage_altered; R-K2.2.6d) —
 * Japanese first, English behind the switch.
 */
'use strict';
window.mmI18n.extend({
  'fkind2.log_tampered': 'ログの改ざん',
  'fkind2.footage_missing': '映像の欠落',
  'fkind2.footage_altered': '映像の改変',
  'fmsg.log_tampered': '拠点の自己点検で、ハブが連署した後のログが書き換えられていることが分かりました（ログ{index}番、{fault}）。拠点のログの記録は信用できません。',
  'fmsg.footage_missing': '拠点の自己点検で、保存期間内の映像ファイルがなくなっていることが分かりました（カメラ{camera}、{file}、記録はログ{index}番）。',
  'fmsg.footage_altered': '拠点の自己点検で、保存期間内の映像ファイルが記録された内容と一致しないことが分かりました（カメラ{camera}、{file}、記録はログ{index}番）。',
  'scrub.fault.log_entry_altered': '記録の書き換え',
  'scrub.fault.log_root_mismatch': 'ログ全体の不一致',
  'scrub.fault.segment_missing': 'ファイルの欠落',
  'scrub.fault.segment_altered': 'ファイルの改変',
  'scrub.fault.segment_unreadable': 'ファイルの読取不能',
  'entry.integrity_fault': '自己点検の異常',
}, {
  'fkind2.log_tampered': 'Log tampered with',
  'fkind2.footage_missing': 'Footage missing',
  'fkind2.footage_altered': 'Footage altered',
  'fmsg.log_tampered': '{message}',
  'fmsg.footage_missing': '{message}',
  'fmsg.footage_altered': '{message}',
  'scrub.fault.log_entry_altered': 'entry altered',
  'scrub.fault.log_root_mismatch': 'log root differs',
  'scrub.fault.segment_missing': 'file missing',
  'scrub.fault.segment_altered': 'file altered',
  'scrub.fault.segment_unreadable': 'file unreadable',
  'entry.integrity_fault': 'integrity fault',
});
