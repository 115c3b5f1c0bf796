/*
 * i18n_holes.js: the words of the findings about a site's messages refused unread for their
 * frames (hub/link.h) — Japanese first, English behind the switch.
 */
'use strict';
window.mmI18n.extend({
  'fkind2.multipart_message': '複数部分のメッセージ',
  'fkind2.oversized_message': '大きすぎるメッセージ',
  'fmsg.multipart_message': '拠点から複数の部分に分かれたメッセージが届き、読まずに拒否しました（拠点は1通を1部分で送ります）。',
  'fmsg.oversized_message': '拠点から上限（約 100 万バイト）を超える大きさのメッセージが届き、読まずに拒否しました。',
}, {
  'fkind2.multipart_message': 'Multi-part message',
  'fkind2.oversized_message': 'Oversized message',
  'fmsg.multipart_message': '{message}',
  'fmsg.oversized_message': '{message}',
});
