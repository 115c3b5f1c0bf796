/*
 * i18n_clock.js: the words of clock.js — a jump of a site's wall clock (the clock_jumped entry
 * and finding, hub/rules.c) — Japanese first, English behind the switch.
 */
'use strict';
window.mmI18n.extend({
  'fkind2.clock_jumped': '拠点の時計の飛び',
  'fmsg.clock_jumped_ahead': '拠点の壁時計が{span}進みました（{expected}のはずが{read}、記録 #{index}）。以後の映像と記録はこの新しい時刻で記されます。時計が飛ばした時間は録画のない時間として数えません。',
  'fmsg.clock_jumped_back': '拠点の壁時計が{span}戻りました（{expected}のはずが{read}、記録 #{index}）。以後の映像と記録はこの新しい時刻で記されます。映像の長さは単調時計で測られ、負になることはありません。',
  'entry.clock_jumped': '時計の飛び',
}, {
  'fkind2.clock_jumped': 'Site clock jumped',
  'fmsg.clock_jumped_ahead': '{message}',
  'fmsg.clock_jumped_back': '{message}',
  'entry.clock_jumped': 'clock jumped',
});
