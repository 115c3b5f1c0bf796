/*
 * i18n_logepoch.js: the words of logepoch.js — a site's log begun anew after the site lost its
 * store (mimamori-edge new-log; hub/mirror.c) — Japanese first, English behind the switch.
 */
'use strict';
window.mmI18n.extend({
  'fkind2.site_log_restarted': 'ログの再開始（記録装置の交換）',
  'fkind2.log_restart_refused': 'ログ再開始の拒否',
  'fmsg.site_log_restarted': '拠点が同じ鍵でログを新たに始めました（第{epoch}期、理由「{reason}」）。ハブは保持していたログを{closed}件で閉じて保管しています。拠点がハブへ送る前に失われた記録は戻りません。',
  'fmsg.log_restart_refused': 'ログの再開始が拒否されました: {message}',
  'entry.log_restarted': 'ログの再開始',
}, {
  'fkind2.site_log_restarted': 'Log begun anew (store replaced)',
  'fkind2.log_restart_refused': 'Log restart refused',
  'fmsg.site_log_restarted': '{message}',
  'fmsg.log_restart_refused': '{message}',
  'entry.log_restarted': 'log begun anew',
});
