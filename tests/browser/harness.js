/*
 * harness.js: what every browser test shares, so that each test file holds only its checks.
 *
 *   const H = require('./harness')('holds');   // the name prefixes the failure screenshot
 *   H.run(async () => {
 *     await H.step('the words', async () => H.sameKeys(H.wordTables(['i18n_holds.js'])));
 *     const browser = await H.launch();
 *     const page = await browser.newPage();
 *     H.watch(page, 'desktop');
 *     H.show(page);
 *     await H.step('the holds tab', async () => { ... });
 *     await H.step('no script error', async () => H.noProblems());
 *     await browser.close();
 *   });
 *
 * H.P is what the test's Python driver passed ($MM_BROWSER as JSON: base, token, chromium,
 * source, shots, and the test's own). A step that fails prints its stack, the page problems so
 * far and a screenshot of the page shown (H.show) as shots/<name>-failure.png, and ends the run;
 * H.run prints "browser: N passed, M failed in S s" and exits non-zero on any failure.
 */
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const { chromium } = require('playwright-core');

module.exports = function harness(name) {
  const P = JSON.parse(process.env.MM_BROWSER || '{}');
  const results = [];
  const problems = [];
  const started = Date.now();
  let current = null;

  function say(msg) {
    console.log(msg);
  }

  /* The page to photograph when a step fails (null: none). */
  function show(page) {
    current = page;
  }

  async function step(title, fn) {
    const t0 = Date.now();
    try {
      await fn();
      results.push([title, true]);
      say(`ok   ${title} (${Date.now() - t0} ms)`);
    } catch (e) {
      results.push([title, false]);
      say(`FAIL ${title}: ${e && e.stack ? e.stack : e}`);
      if (problems.length) say('     page problems: ' + problems.join('\n     '));
      if (current && P.shots) {
        const file = path.join(P.shots, `${name}-failure.png`);
        await current.screenshot({ path: file, fullPage: true }).catch(() => {});
        say(`     the page at the failure: ${file}`);
      }
      throw e;
    }
  }

  /* Script errors and Content-Security-Policy refusals on the page, for noProblems. */
  function watch(page, what) {
    page.on('pageerror', (e) => problems.push(`${what}: script error: ${e.message}`));
    page.on('console', (m) => {
      const text = m.text();
      if (m.type() === 'error' && /Content Security Policy|Refused to|Uncaught/.test(text)) problems.push(`${what}: ${text}`);
    });
  }

  function noProblems() {
    assert.deepStrictEqual(problems, [], 'page problems');
  }

  function launch() {
    return chromium.launch({
      executablePath: P.chromium, headless: true,
      args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
    });
  }

  /* A screenshot of the page as shots/<file>.png. */
  function shot(page, file, opts) {
    return page.screenshot(Object.assign({ path: path.join(P.shots, file + '.png') }, opts || {}));
  }

  /*
   * The dashboard's word tables as the browser builds them: i18n.js, then the files given, or
   * every i18n_*.js when files is '*'; from folder (default the hub's dashboard,
   * 'edge/www/static' for the site console). Returns { ja, en, before } (before: the keys i18n.js
   * alone has).
   */
  function wordTables(files, folder) {
    const dir = path.join(P.source, folder || 'hub/www/static');
    const ctx = { window: { localStorage: { getItem: () => null, setItem() {} } }, document: { documentElement: {} } };
    vm.createContext(ctx);
    vm.runInContext(fs.readFileSync(path.join(dir, 'i18n.js'), 'utf8'), ctx);
    const before = new Set(Object.keys(ctx.window.mmI18n.tables.ja));
    const list = files === '*' ? fs.readdirSync(dir).filter((n) => /^i18n_.*\.js$/.test(n)).sort() : files;
    for (const f of list) vm.runInContext(fs.readFileSync(path.join(dir, f), 'utf8'), ctx);
    const { ja, en } = ctx.window.mmI18n.tables;
    return { ja, en, before };
  }

  /* The six-digit TOTP code (RFC 6238, SHA-1, 30 s) of the base32 secret b32 now, or offset
   * steps away: computed here with node's crypto, not with mimamori's code. */
  function totp(b32, offset) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const c of b32) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
    const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + (offset || 0)));
    const mac = crypto.createHmac('sha1', key).update(counter).digest();
    const off = mac[mac.length - 1] & 15;
    return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
  }

  /* A browser context as a person at the site sees the console: in Japanese, in another zone
   * than the site's (the page must show the site's times), the edge's own certificate accepted. */
  function consoleContext(browser, viewport) {
    return browser.newContext({ viewport: viewport || { width: 1366, height: 768 }, locale: 'ja-JP',
                                timezoneId: 'Europe/London', ignoreHTTPSErrors: true });
  }

  /* A person's first login to the site console on page: the password, then the TOTP enrolment
   * with a code computed here; returns once the home page shows. */
  async function consoleFirstLogin(page, person, password, secret) {
    await page.goto(P.base + '/');
    await page.waitForSelector('#step-password:not([hidden])');
    await page.fill('#person', person);
    await page.fill('#password', password);
    await page.click('#step-password button[type=submit]');
    await page.waitForSelector('#step-enrol:not([hidden])');
    await page.fill('#enrol-code', totp(secret));
    await page.click('#step-enrol button[type=submit]');
    await page.waitForSelector('#status dl.facts');
  }

  /* Both tables have the same keys. */
  function sameKeys(tables) {
    const onlyJa = Object.keys(tables.ja).filter((k) => !(k in tables.en));
    const onlyEn = Object.keys(tables.en).filter((k) => !(k in tables.ja));
    assert.deepStrictEqual([onlyJa, onlyEn], [[], []], 'keys in one table only');
  }

  /* The hub's API with P.token (or opts.token): { status, body }, body parsed when JSON. */
  async function api(p, opts) {
    const o = opts || {};
    const res = await fetch(P.base + p, {
      method: o.method || 'GET',
      headers: { Authorization: 'Bearer ' + (o.token || P.token), 'Content-Type': 'application/json' },
      body: o.body ? JSON.stringify(o.body) : undefined,
    });
    const buf = Buffer.from(await res.arrayBuffer());
    const json = (res.headers.get('content-type') || '').startsWith('application/json');
    return { status: res.status, body: json ? JSON.parse(buf.toString('utf8')) : buf };
  }

  async function waitFor(fn, ms, what) {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /* Submits the open dialog; null when it closed (done), else the hub's refusal it shows. */
  async function submitDialog(page) {
    await page.click('dialog.dlg[open] button[type=submit]');
    await page.waitForFunction(() => {
      const d = document.querySelector('dialog.dlg[open]');
      return !d || !d.querySelector('.dlg-error').hidden;
    }, null, { timeout: 10000 });
    const err = await page.$('dialog.dlg[open] .dlg-error');
    return err ? err.textContent() : null;
  }

  function summary() {
    const passed = results.filter((r) => r[1]).length;
    return `browser: ${passed} passed, ${results.length - passed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  }

  /* Runs the test's main and exits: 0 when every step passed. */
  function run(main) {
    main().then(() => {
      say(summary());
      process.exit(results.every((r) => r[1]) ? 0 : 1);
    }, (e) => {
      if (!results.length || results[results.length - 1][1]) say('FAIL: ' + (e && e.stack ? e.stack : e));
      say(summary());
      process.exit(1);
    });
  }

  /* Logs page in to the dashboard at P.base with P.token; returns once the overview lists site. */
  async function dashboardLogin(page, site) {
    await page.goto(P.base + '/');
    await page.waitForSelector('#token');
    await page.fill('#token', P.token);
    await page.click('.login button[type=submit]');
    await page.waitForSelector(`#sites-table tr[data-site="${site}"]`);
  }

  /* The open findings a dashboard page lists: [{kind, head, msg}] as shown. */
  async function openFindings(page) {
    return page.$$eval('li.finding.open', (els) => els.map((e) => ({
      kind: e.dataset.kind,
      head: e.querySelector('.finding-head').textContent,
      msg: e.querySelector('.finding-msg').textContent,
    })));
  }

  return { P, problems, say, show, step, watch, noProblems, launch, shot, wordTables, sameKeys, totp, consoleContext, consoleFirstLogin, api, waitFor, submitDialog, dashboardLogin, openFindings, run };
};
