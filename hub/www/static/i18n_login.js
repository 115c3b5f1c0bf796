/*
 * i18n_login.js: the words of login.js — the dashboard's login with a password and a code from
 * an authenticator app (hub/login.h) — Japanese first, English behind the switch.
 */
'use strict';
window.mmI18n.extend({
  'plogin.title': 'パスワードと確認コードでログイン',
  'plogin.person': '利用者 ID',
  'plogin.password': 'パスワード',
  'plogin.code': '確認コード（認証アプリの 6 桁）',
  'plogin.submit': 'ログイン',
  'plogin.failed': '利用者 ID・パスワード・確認コードのいずれかが違います',
  'plogin.locked': 'ログインの失敗が続いたため、しばらくログインできません',
  'plogin.bad': '入力を確認してください',
  'plogin.or_token': '機械用のアクセストークンでログイン',
}, {
  'plogin.title': 'Log in with your password and a code',
  'plogin.person': 'User ID',
  'plogin.password': 'Password',
  'plogin.code': 'Code (the 6 digits of your authenticator app)',
  'plogin.submit': 'Log in',
  'plogin.failed': 'The user ID, the password or the code is wrong',
  'plogin.locked': 'Too many failed logins: logging in is blocked for a while',
  'plogin.bad': 'Please check what you entered',
  'plogin.or_token': 'Log in with an access token for machines',
});
