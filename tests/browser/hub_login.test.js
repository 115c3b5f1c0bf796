/*
 * hub_login.test.js: the hub dashboard's login with a password and a TOTP code (hub/login.h) in
 * headless Chromium (R-N7.7), against the hub test_hub_login.py started ($MM_BROWSER: base, person,
 * password, secret, idle_seconds).
 *
 * Checks: both language tables have the same keys; the login page is in Japanese first; a wrong
 * code is refused with the reason; the password and the code computed here (harness totp) log
 * in and the dashboard shows; the session cookie is __Host-mm_hub, HttpOnly, Secure,
 * SameSite=Strict; a POST made with the cookie but without X-CSRF-Token is refused 403 csrf;
 * a reload of the page keeps the session; after idle_seconds without a request the session is
 * refused (401 session_expired) and the page asks for a login again; no script error or CSP
 * violation.
 */
'use strict';
const assert = require('assert');
const H = require('./harness')('hub_login');
const { P, step, watch } = H;

async function main() {
  await step('the two language tables have the same keys', async () => {
    H.sameKeys(H.wordTables(['i18n_login.js']));
  });
  const browser = await H.launch();
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const page = await ctx.newPage();
  watch(page, 'desktop');
  H.show(page);

  await step('the login page is in Japanese first', async () => {
    await page.goto(P.base + '/');
    await page.waitForSelector('#password-login');
    const text = await page.textContent('#app');
    assert.ok(text.includes('パスワードと確認コードでログイン'), text);
    assert.ok(text.includes('確認コード'), text);
    await H.shot(page, 'hub-login-1366');
  });

  await step('a wrong code is refused', async () => {
    await page.fill('#login-person', P.person);
    await page.fill('#login-password', P.password);
    const right = H.totp(P.secret);
    await page.fill('#login-code', right === '000000' ? '111111' : '000000');
    await page.click('#password-login button[type=submit]');
    await page.waitForSelector('#login-error:not([hidden])');
    assert.ok((await page.textContent('#login-error')).includes('違います'));
    assert.deepStrictEqual((await ctx.cookies()).filter((c) => c.name === '__Host-mm_hub'), []);
  });

  await step('password and code log in; the cookie is HttpOnly, Secure, SameSite=Strict', async () => {
    await page.fill('#login-person', P.person);
    await page.fill('#login-password', P.password);
    await page.fill('#login-code', H.totp(P.secret));
    await page.click('#password-login button[type=submit]');
    await page.waitForSelector('#logout:not([hidden])');
    const c = (await ctx.cookies()).find((x) => x.name === '__Host-mm_hub');
    assert.ok(c, 'no session cookie');
    assert.strictEqual(c.httpOnly, true);
    assert.strictEqual(c.secure, true);
    assert.strictEqual(c.sameSite, 'Strict');
    assert.strictEqual(c.path, '/');
    assert.ok(/^[0-9a-f]{64}$/.test(c.value));
    const seen = await page.evaluate(() => document.cookie);
    assert.ok(!seen.includes('mm_hub'), 'the page can read the session cookie');
  });

  await step('a POST with the cookie but without the CSRF token is refused (403)', async () => {
    const r = await page.evaluate(async () => {
      const res = await fetch('/api/v1/logout', { method: 'POST' });
      return { status: res.status, body: await res.json() };
    });
    assert.strictEqual(r.status, 403, JSON.stringify(r));
    assert.strictEqual(r.body.error.code, 'csrf');
    const s = await page.evaluate(async () => {
      const res = await fetch('/api/v1/session');
      return { status: res.status, body: await res.json() };
    });
    assert.strictEqual(s.status, 200, 'the refused POST ended the session');
    assert.strictEqual(s.body.person, P.person);
    assert.ok(/^[0-9a-f]{64}$/.test(s.body.csrf));
  });

  await step('the page reloaded keeps the session (its CSRF token asked for again)', async () => {
    await page.reload();
    await page.waitForSelector('#logout:not([hidden])');
  });

  await step('an expired session is refused and the page asks for a login', async () => {
    await new Promise((r) => setTimeout(r, (P.idle_seconds + 1) * 1000));
    const s = await page.evaluate(async () => {
      const res = await fetch('/api/v1/session');
      return { status: res.status, body: await res.json() };
    });
    assert.strictEqual(s.status, 401, JSON.stringify(s));
    assert.strictEqual(s.body.error.code, 'session_expired');
    await page.reload();
    await page.waitForSelector('#password-login');
  });

  await step('no script error, no CSP violation', async () => H.noProblems());
  await browser.close();
}

H.run(main);
