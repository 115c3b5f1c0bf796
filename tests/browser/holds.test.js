/*
 * holds.test.js: site holds and request ranges in the dashboard, in headless Chromium driven by
 * playwright-core, against the hub test_holds.py started (parameters in $MM_BROWSER as JSON).
 *
 * Checks: the holds words have the same keys in both languages; the site page's holds tab counts
 * the hold in place and shows each hold with its camera, range and expiry in Japan time, reason,
 * who placed it, its state (past its expiry) and its release; the finding hold_past_expiry has
 * its Japanese name; a disclosure request shows what the site recorded beside its range; the
 * English switch; the phone layout without sideways scrolling; no script error and no
 * Content-Security-Policy violation.
 */
'use strict';
const assert = require('assert');
const H = require('./harness')('holds');
const { P, step, watch } = H;

async function login(page) {
  await page.goto(P.base + '/');
  await page.waitForSelector('#token');
  await page.fill('#token', P.token);
  await page.click('.login button[type=submit]');
  await page.waitForSelector('#sites-table tr[data-site="chuo"]');
}

async function main() {
  await step('the holds words have the same keys in Japanese and English', async () => {
    const { ja, en } = H.wordTables(['i18n_holds.js']);
    H.sameKeys({ ja, en });
    assert.ok(ja['tab.holds'] && ja['fkind2.hold_past_expiry']);
  });

  const browser = await H.launch();
  const desk = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  const page = await desk.newPage();
  watch(page, 'desktop');
  H.show(page);
  await login(page);

  await step('the holds tab shows each site hold with its particulars in Japan time', async () => {
    await page.goto(P.base + '/#/site/chuo/holds');
    await page.waitForSelector('.holds-table tr[data-hold="site-1.0"]');
    assert.strictEqual((await page.textContent('#tab-holds .tab-n')).trim(), '1');
    const a = await page.textContent('.holds-table tr[data-hold="site-1.0"]');
    for (const want of ['c1', '11月28日 19時の転倒事故', 'kanri', P.expires, P.from, '期限切れのまま保全中'])
      assert.ok(a.includes(want), `hold site-1.0 lacks "${want}": ${a}`);
    const b = await page.textContent('.holds-table tr[data-hold="site-2.0"]');
    for (const want of ['c2', '自転車の接触', '解除済み', '照会の予定なし'])
      assert.ok(b.includes(want), `hold site-2.0 lacks "${want}": ${b}`);
    await H.shot(page, 'holds-1366');
  });

  await step('the finding of a hold past its expiry has its Japanese name', async () => {
    await page.goto(P.base + '/#/site/chuo/findings');
    await page.waitForSelector('text=期限を過ぎた保全');
  });

  await step('a disclosure request shows what the site recorded beside its range', async () => {
    await page.goto(P.base + '/#/site/chuo/disclosures');
    const sel = `.recorded[data-request="${P.request}"]`;
    await page.waitForSelector(sel);
    const text = await page.textContent(sel);
    assert.ok(text.includes('最初の録画') && text.includes('保存期間内'), text);
  });

  await step('in English', async () => {
    await page.goto(P.base + '/#/site/chuo/holds');
    await page.waitForSelector('.holds-table');
    await page.click('#lang');
    await page.waitForSelector('.holds-table tr[data-hold="site-1.0"] >> text=In place past its expiry');
    assert.ok((await page.textContent('#tab-holds')).includes('Holds'));
    await page.click('#lang');
    await page.waitForSelector('#tab-holds >> text=保全');
  });

  await step('on a phone the holds fit the screen', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', isMobile: true, hasTouch: true,
    });
    const m = await phone.newPage();
    watch(m, 'phone');
    await login(m);
    await m.goto(P.base + '/#/site/chuo/holds');
    await m.waitForSelector('.holds-table tr[data-hold="site-1.0"]');
    const wide = await m.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, 'the holds scroll sideways: ' + wide);
    await H.shot(m, 'holds-390', { fullPage: true });
    await phone.close();
  });

  await step('no script error and no Content-Security-Policy violation', async () => {
    H.noProblems();
  });
  await browser.close();
}

H.run(main);
