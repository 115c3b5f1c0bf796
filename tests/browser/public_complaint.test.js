/*
 * public_complaint.test.js: a resident complains from the public registry on a phone (R-N12), in
 * headless Chromium driven by playwright-core, against the hub and edge that
 * test_public_complaint.py started (parameters in $MM_BROWSER as JSON; what was sent is written
 * to P.out for the driver to check through the API).
 *
 * Checks, in order: the language tables, with the complaints' words merged in, have the same
 * keys; /registry opens at 390x844 with no login and shows the city's contact; the site's form
 * opens, refuses an empty complaint and one too long for the site log in words of the page,
 * without sending; a complaint sent with a camera and a contact is answered with a reference
 * number, its deadline and what happens next (the installer answers by then, the city watches,
 * whom to call); the answer survives the English switch; no sideways scrolling on the phone; the
 * city's dashboard shows a complaint the site received beside the resident's and appeals it, and
 * its site log filters site_complaint entries; no script error and no Content-Security-Policy
 * violation.
 */
'use strict';
const assert = require('assert');
const fs = require('fs');
const H = require('./harness')('public-complaint');
const { P, step, watch } = H;

async function main() {
  await step('the language tables, complaints merged in, have the same keys', async () => {
    const { ja, en } = H.wordTables(['i18n_complaints.js']);
    H.sameKeys({ ja, en });
    assert.ok(ja['cf.open'] && ja['entry.site_complaint'], 'the complaints words are not merged');
  });

  const browser = await H.launch();
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'ja-JP', timezoneId: 'Asia/Tokyo',
  });
  const page = await phone.newPage();
  watch(page, 'phone');
  H.show(page);
  const form = `details.cf[data-site="${P.site}"]`;
  const text = '夜11時ごろ、c2 のカメラのライトが点滅して、向かいの部屋に光が入ります。\n止めてもらえませんか。';
  const contact = '090-1234-5678';
  let answer = null;

  await step('a phone opens /registry with no login and sees whom at the city to call', async () => {
    const res = await page.goto(P.base + '/registry');
    assert.strictEqual(res.status(), 200);
    await page.waitForSelector(`.reg-site[data-site="${P.site}"]`);
    const all = await page.textContent('#app');
    assert.ok(all.includes(P.installer), 'no installer');
    assert.ok(all.includes(P.city.name) && all.includes(P.city.contact), "no city's contact: " + all);
    /* The complaint the site recorded is counted; its words are not public. */
    assert.ok(all.includes('1 件（うち回答済み 0 件）'), 'no complaint count: ' + all);
    assert.ok(!all.includes(P.site_complaint_about), "the site complaint's words are public");
    assert.strictEqual(await page.getAttribute('html', 'lang'), 'ja');
  });

  await step("the site's form opens, and says what is wrong before sending anything", async () => {
    await page.click(`${form} > summary`);
    await page.waitForSelector(`${form} textarea[name="text"]`);
    assert.ok((await page.textContent(form)).includes('ログインは不要です'));
    const sent = [];
    page.on('request', (r) => { if (r.method() === 'POST') sent.push(r.url()); });
    await page.click(`${form} button[type=submit]`);
    await page.waitForSelector(`${form} .cf-error:not([hidden])`);
    assert.ok((await page.textContent(`${form} .cf-error`)).includes('何があったかを書いてください'));
    await page.fill(`${form} textarea[name="text"]`, 'あ'.repeat(700));
    assert.ok((await page.textContent(`${form} .cf-count`)).includes('長すぎます'));
    await page.click(`${form} button[type=submit]`);
    await page.waitForFunction((f) => document.querySelector(`${f} .cf-error`).textContent.includes('長すぎます'), form);
    assert.deepStrictEqual(sent, [], 'a refused complaint was sent');
    await page.fill(`${form} textarea[name="text"]`, text);
    assert.ok(await page.isHidden(`${form} .cf-error`), 'the error stays once the text is mended');
    await page.selectOption(`${form} select[name="camera"]`, 'c2');
    await page.fill(`${form} input[name="contact"]`, contact);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page scrolls sideways: ${width} px`);
    await H.shot(page, 'public-complaint-form-390', { fullPage: true });
  });

  await step('sent: the reference number, the deadline and what happens next', async () => {
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/public/sites/${P.site}/complaints`)),
      page.click(`${form} button[type=submit]`),
    ]);
    assert.strictEqual(res.status(), 201);
    answer = await res.json();
    await page.waitForSelector(`${form} .cf-ref`);
    assert.strictEqual(await page.textContent(`${form} .cf-ref`), answer.reference);
    assert.ok(answer.reference.startsWith(P.site + '/complaint-'), answer.reference);
    const done = await page.textContent(`${form} .cf-done`);
    const due = new Date(answer.deadline_us / 1000 + 9 * 3600000).toISOString().slice(0, 10);
    for (const want of ['苦情を受け付けました', '受付番号', 'このあとの流れ', P.installer, due,
      'までに対応し、回答しなければなりません', '市が確認します', P.city.name, P.city.contact])
      assert.ok(done.includes(want), `the answer lacks "${want}": ${done}`);
    assert.ok(!done.includes(contact), 'the contact is shown back');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page scrolls sideways: ${width} px`);
    await page.locator(`${form} .cf-done`).scrollIntoViewIfNeeded();
    await H.shot(page, 'public-complaint-done-390');
  });

  await step('the answer stays when the page switches to English', async () => {
    await page.click('#lang');
    await page.waitForSelector(`${form} .cf-done >> text=Reference number`);
    assert.strictEqual(await page.textContent(`${form} .cf-ref`), answer.reference);
    assert.ok((await page.textContent(`${form} .cf-done`)).includes('What happens next'));
    await page.click('#lang');
    await page.waitForSelector(`${form} .cf-done >> text=受付番号`);
    H.noProblems();
  });

  await step("the city's dashboard shows the site's complaint beside the resident's, and appeals it", async () => {
    const desk = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const dp = await desk.newPage();
    watch(dp, 'desktop');
    H.show(dp);
    await dp.goto(P.base + '/');
    await dp.fill('#token', P.token);
    await dp.click('.login button[type=submit]');
    await dp.waitForSelector(`#sites-table tr[data-site="${P.site}"]`);
    await dp.goto(`${P.base}/#/site/${P.site}/complaints`);
    const sc = `#site-complaints li[data-id="${P.site_complaint}"]`;
    await dp.waitForSelector(sc);
    const shown = await dp.textContent(sc);
    for (const want of ['拠点での苦情対応', P.site_complaint_about, '電話', '期限', '対応中'])
      assert.ok(shown.includes(want), `the site complaint lacks "${want}": ${shown}`);
    const id = answer.reference.split('/')[1];
    await dp.waitForSelector(`.request[data-id="${id}"]`);
    assert.ok((await dp.textContent(`.request[data-id="${id}"]`)).includes(contact), 'the city sees the contact');
    await dp.click(`${sc} .act-appeal`);
    await dp.fill('dialog.dlg[open] [name="text"]', '店の説明に納得できない');
    await dp.click('dialog.dlg[open] button[type=submit]');
    await dp.waitForSelector(`${sc} >> text=店の説明に納得できない`);
    await H.shot(dp, 'public-complaint-dashboard-1366', { fullPage: true });
    await dp.click('#tab-log');
    await dp.selectOption('#log-type', 'site_complaint');
    await dp.waitForSelector('#log-table tr[data-type="site_complaint"] >> text=拠点での苦情対応');
    H.noProblems();
    await desk.close();
  });

  fs.writeFileSync(P.out, JSON.stringify({ reference: answer.reference, deadline_us: answer.deadline_us, text, contact }));
  await browser.close();
}

H.run(main);
