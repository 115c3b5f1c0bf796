/*
 * requester.test.js: the disclosure requester's page in headless Chromium, driven by
 * playwright-core, against the hub and edge that test_requester.py started (parameters in
 * $MM_BROWSER as JSON). The browser keeps New York time, so that only a page that reads the
 * site's time zone, not the browser's, files the Japan times typed.
 *
 * Checks, in order: the page's two word tables have the same keys; a requester's token lands on
 * the requester's page (not refused as a city reader) with no city feed; the form offers the site
 * by its installer's name with its id, its cameras, and the legal bases its kawaguchi policy
 * admits in Japanese — never consent (R-K2.2.5); the instructions print age-keygen, age -d and
 * mimamori-verify with this hub's key; a secret key or a broken recipient is caught at the field
 * before sending; the hub's refusal of a range that ends in the future (422 range_in_future) is
 * shown at the range, and nothing is filed; a request filed through the form holds the
 * microseconds of the Japan times typed (R-N7.4: its legal basis and reference as chosen), and
 * the page shows them in Japan time; its state changes on the page without a reload as the
 * site's operator prepares and its manager approves through the edge's command line, the
 * download button appearing only once the hub holds the export; the download saves the file
 * under the hub's name with the export's SHA-256, and the page then says it was downloaded; the
 * English switch, which keeps what was typed; a phone-sized screen without sideways scrolling;
 * logout, which forgets it; no script error and no Content-Security-Policy violation. What the
 * Python driver checks afterwards it is handed in P.result: the request id, the saved file's name, the SHA-256 of the API's bytes, and the
 * commands the page prints for the export.
 */
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const H = require('./harness')('requester');
const { P, step, say, watch, api } = H;

/* The site's operator (as P.operator's account) or manager (root) at the edge's command line. */
function edge(who, ...args) {
  const opts = { encoding: 'utf8', timeout: 60000 };
  if (who === 'operator') Object.assign(opts, P.operator);
  return execFileSync(P.edge, [...args, '--socket', P.socket], opts);
}

async function fillRange(page, from, to) {
  await page.fill('#rq-from-date', from.date);
  await page.fill('#rq-from-time', from.time);
  await page.fill('#rq-to-date', to.date);
  await page.fill('#rq-to-time', to.time);
}

async function main() {
  const out = {};

  await step("the page's two word tables have the same keys", async () => {
    const { ja, en, before } = H.wordTables(['i18n_requester.js']);
    H.sameKeys({ ja, en });
    const mine = Object.keys(ja).filter((k) => k.startsWith('rq.'));
    assert.ok(mine.length > 50 && mine.every((k) => !before.has(k)), 'i18n_requester.js adds the rq. words');
  });

  const browser = await H.launch();
  const desk = await browser.newContext({
    viewport: { width: 1366, height: 900 }, locale: 'ja-JP', timezoneId: 'America/New_York',
    acceptDownloads: true,
  });
  const page = await desk.newPage();
  watch(page, 'desktop');
  H.show(page);

  await step("the browser keeps New York time, not Japan's", async () => {
    await page.goto(P.base + '/');
    const zone = await page.evaluate(() => [Intl.DateTimeFormat().resolvedOptions().timeZone,
      new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset()]);
    assert.deepStrictEqual(zone, ['America/New_York', 300]);
  });

  await step("a typed time is read on the site's clock: a skipped hour is none, a repeated one the first", async () => {
    const got = await page.evaluate(() => {
      const z = window.mm.zonedToMs;
      return [z('2026-11-22', '12:04:05', 'Asia/Tokyo'), z('2026-07-01', '13:00', 'Europe/London'),
        z('2026-03-29', '01:30', 'Europe/London'), z('2026-03-29', '02:30', 'Europe/London'),
        z('2026-10-25', '00:59', 'Europe/London'), z('2026-10-25', '01:30', 'Europe/London'),
        z('2026-10-25', '02:00', 'Europe/London'), z('2026-02-30', '10:00', 'Asia/Tokyo')];
    });
    assert.deepStrictEqual(got, [Date.UTC(2026, 10, 22, 3, 4, 5), Date.UTC(2026, 6, 1, 12, 0),
      null, Date.UTC(2026, 2, 29, 1, 30),
      Date.UTC(2026, 9, 24, 23, 59), Date.UTC(2026, 9, 25, 0, 30),
      Date.UTC(2026, 9, 25, 2, 0), null]);
  });

  await step("a requester's token lands on the requester's page, with no city feed", async () => {
    await page.waitForSelector('#token');
    assert.ok((await page.textContent('.login')).includes('開示請求者'));
    await page.fill('#token', P.token);
    await page.click('.login button[type=submit]');
    await page.waitForSelector('#rq-form');
    assert.strictEqual(await page.evaluate(() => sessionStorage.getItem('mm.role')), 'requester');
    assert.ok(await page.isHidden('#feed-status'), 'the feed status shows');
    assert.ok(!(await page.textContent('#app')).includes('この役割ではダッシュボードを閲覧できません'));
    assert.strictEqual(await page.textContent('.brand-sub'), '開示請求');
    assert.ok((await page.textContent('.rq-intro')).includes('requester-1'));
    await page.reload(); /* the role is remembered with the token */
    await page.waitForSelector('#rq-form');
  });

  await step('the form: the site by its installer, its cameras, the bases its policy admits', async () => {
    const site = await page.$eval('#rq-site', (s) => [...s.options].map((o) => [o.value, o.textContent]));
    assert.deepStrictEqual(site.filter(([v]) => v), [['chuo', `${P.installer}（chuo）`]]);
    await page.selectOption('#rq-site', 'chuo');
    const cams = await page.$$eval('#rq-cameras input[name=cameras]', (c) => c.map((x) => x.value));
    assert.deepStrictEqual(cams, ['c1', 'c2']);
    assert.ok((await page.textContent('#rq-cameras')).includes('中央通り 3 番地 街灯柱'));
    /* R-K2.2.5: at a kawaguchi site, law, emergency or own images; consent is no basis there. */
    const bases = await page.$eval('#rq-basis', (s) => [...s.options].map((o) => [o.value, o.textContent]));
    assert.deepStrictEqual(bases.map(([v]) => v), ['', 'law', 'emergency', 'own_images']);
    assert.ok(bases.find(([v]) => v === 'law')[1].includes('令状'), JSON.stringify(bases));
    const hint = await page.textContent('[data-field="range"] .hint');
    assert.ok(hint.includes('Asia/Tokyo') && hint.includes('日本時間'), hint);
  });

  await step('the instructions: age-keygen, age -d, mimamori-verify with this hub\'s key', async () => {
    const howto = await page.textContent('#rq-howto');
    const hub = (await api('/api/v1/hub')).body.verifier;
    const site = (await api('/api/v1/sites')).body.sites.find((s) => s.id === 'chuo').verifier;
    for (const want of ['age-keygen -o key.txt', 'Public key: age1', 'age -d -i key.txt', 'tar -xf',
      `mimamori-verify --hub-key '${hub}'`, `--site-key '${site}'`, 'AUTHENTIC', '秘密鍵']) {
      assert.ok(howto.includes(want), 'the instructions lack ' + want);
    }
  });

  await step('a secret key or a broken recipient is caught at the field, nothing sent', async () => {
    await page.check('#rq-cameras input[value="c1"]');
    await fillRange(page, P.from, P.to);
    await page.selectOption('#rq-basis', 'law');
    await page.fill('#rq-reference', '川口署 捜査関係事項照会 第7号');
    await page.fill('#rq-reason', '11月28日の自転車盗の捜査');
    await page.fill('#rq-recipient', 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ');
    await page.click('#rq-submit');
    await page.waitForSelector('.field-error[data-for="recipient"]:not([hidden])');
    assert.ok((await page.textContent('.field-error[data-for="recipient"]')).includes('秘密鍵'));
    const last = P.recipient.slice(-1) === 'q' ? 'p' : 'q';
    await page.fill('#rq-recipient', P.recipient.slice(0, -1) + last); /* the checksum breaks */
    await page.click('#rq-submit');
    await page.waitForSelector('.field-error[data-for="recipient"]:not([hidden]) >> text=age の公開鍵');
    await page.fill('#rq-recipient', P.recipient);
    assert.deepStrictEqual((await api('/api/v1/disclosures')).body.disclosures, []);
  });

  await step("the hub's refusal of a range ending in the future is shown at the range", async () => {
    await fillRange(page, P.from, P.future);
    await page.click('#rq-submit');
    const err = '.field-error[data-for="range"]:not([hidden])';
    await page.waitForSelector(err, { timeout: 20000 });
    const text = await page.textContent(err);
    assert.ok(text.includes('422') && text.includes('range_in_future') && text.includes('未来'), text);
    assert.ok(await page.isHidden('.rq-form-error'), 'the refusal is shown under the form, not at the range');
    await H.shot(page, 'requester-refused-1366', { fullPage: true });
    assert.deepStrictEqual((await api('/api/v1/disclosures')).body.disclosures, [], 'a refused request was filed');
  });

  let rec;
  await step('filed through the form: the hub holds the Japan times typed, in microseconds (R-N7.4)', async () => {
    await page.evaluate(() => { window.__noReload = true; });
    await fillRange(page, P.from, P.to);
    await page.click('#rq-submit');
    await page.waitForSelector('.toast >> text=を受け付けました', { timeout: 20000 });
    assert.ok(await page.isHidden('.field-error[data-for="range"]'), 'the old refusal stayed');
    const list = (await api('/api/v1/disclosures')).body.disclosures;
    assert.strictEqual(list.length, 1);
    rec = list[0];
    out.id = rec.id;
    assert.strictEqual(rec.from_us, P.from_us, `from_us ${rec.from_us}, typed ${P.from.date} ${P.from.time} JST = ${P.from_us}`);
    assert.strictEqual(rec.to_us, P.to_us, `to_us ${rec.to_us}, typed ${P.to.date} ${P.to.time} JST = ${P.to_us}`);
    assert.deepStrictEqual([rec.site, rec.cameras, rec.legal_basis, rec.reference, rec.reason, rec.recipient],
      ['chuo', ['c1'], 'law', '川口署 捜査関係事項照会 第7号', '11月28日の自転車盗の捜査', P.recipient]);
    const item = `.rq-item[data-id="${rec.id}"]`;
    await page.waitForSelector(item);
    const text = await page.textContent(item);
    assert.ok(text.includes(`${P.from.shown} – ${P.to.shown}`), 'the range is not shown in Japan time: ' + text);
    assert.ok(text.includes(`${P.installer}（chuo）`) && text.includes('法令に基づく照会'), text);
  });

  await step("the state changes on the page, without a reload, as the site's people act", async () => {
    const item = `.rq-item[data-id="${rec.id}"]`;
    await page.waitForSelector(`${item}[data-state="held"]`, { timeout: 60000 });
    assert.ok((await page.textContent(item)).includes('保全'));
    assert.strictEqual(await page.$$eval('.rq-download', (b) => b.length), 0, 'a download before the export');
    edge('operator', 'disclosure', 'prepare', rec.id, '--camera', 'c1', '--note', '範囲を確認');
    await page.waitForSelector(`${item}[data-state="prepared"]`, { timeout: 60000 });
    assert.strictEqual(await page.$$eval('.rq-download', (b) => b.length), 0, 'a download before the export');
    const t0 = Date.now();
    edge('manager', 'disclosure', 'approve', rec.id, '--reason', '捜査関係事項照会に応じる');
    await page.waitForSelector(`${item}[data-state="received"] .rq-download`, { timeout: 240000 });
    say(`     received on the page ${((Date.now() - t0) / 1000).toFixed(1)} s after the approval`);
    assert.ok(await page.evaluate(() => window.__noReload === true), 'the page was reloaded');
    const history = await page.$$eval(`${item} .rq-history li`, (l) => l.map((x) => x.textContent));
    for (const want of ['受付', '保全', '準備済み', '承認', 'ハブが受領']) {
      assert.ok(history.some((h) => h.includes(want)), `history lacks ${want}: ${history}`);
    }
    await H.shot(page, 'requester-1366', { fullPage: true });
  });

  await step("the download saves the hub's export under the hub's name", async () => {
    const item = `.rq-item[data-id="${rec.id}"]`;
    rec = (await api(`/api/v1/disclosures/${rec.id}`)).body;
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.click(`${item} .rq-download`)]);
    out.file = dl.suggestedFilename();
    assert.strictEqual(out.file, `${rec.id}.age`);
    const saved = path.join(P.downloads, out.file);
    await dl.saveAs(saved);
    const bytes = fs.readFileSync(saved);
    assert.strictEqual(crypto.createHash('sha256').update(bytes).digest('hex'), rec.export.sha256);
    assert.strictEqual(bytes.length, rec.export.bytes);
    await page.waitForSelector(`${item} .rq-saved.ok >> text=SHA-256 一致`);
    await page.waitForSelector(`${item}[data-state="downloaded"]`, { timeout: 60000 });
    assert.ok(await page.evaluate(() => window.__noReload === true), 'the page was reloaded');
    await page.click(`${item} .rq-next summary`);
    out.commands = (await page.textContent(`${item} .rq-next pre`)).split('\n');
    assert.ok(out.commands.some((l) => l.startsWith(`age -d -i key.txt -o ${rec.id}.tar ${rec.id}.age`)), out.commands.join('\n'));
    const again = await api(`/api/v1/disclosures/${rec.id}/export`);
    assert.strictEqual(again.status, 200);
    out.api_sha256 = crypto.createHash('sha256').update(again.body).digest('hex');
  });

  await step('the English switch changes the words and keeps the page and what was typed', async () => {
    await page.check('#rq-cameras input[value="c2"]');
    await page.fill('#rq-reason', '下書きの理由');
    await page.click('#lang');
    await page.waitForSelector('h2 >> text=New request');
    assert.ok((await page.textContent('#rq-howto')).includes('Make a key'));
    const bases = await page.$eval('#rq-basis', (s) => [...s.options].map((o) => o.textContent));
    assert.ok(bases.some((b) => b.startsWith('law:')), bases.join(' | '));
    await page.waitForSelector(`.rq-item[data-id="${rec.id}"][data-state="downloaded"]`);
    assert.strictEqual(await page.inputValue('#rq-reason'), '下書きの理由');
    await page.click('#lang');
    await page.waitForSelector('h2 >> text=新しい請求');
    assert.strictEqual(await page.inputValue('#rq-reason'), '下書きの理由');
    assert.ok(await page.isChecked('#rq-cameras input[value="c2"]'), 'the camera ticked was lost');
  });

  await step('a phone-sized screen: no sideways scrolling', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, locale: 'ja-JP', timezoneId: 'America/New_York', isMobile: true, hasTouch: true,
    });
    await phone.addInitScript((tok) => {
      sessionStorage.setItem('mm.token', tok);
      sessionStorage.setItem('mm.role', 'requester');
    }, P.token);
    const m = await phone.newPage();
    watch(m, 'phone');
    H.show(m);
    await m.goto(P.base + '/');
    await m.waitForSelector(`.rq-item[data-id="${rec.id}"]`);
    const wide = await m.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, 'the page scrolls sideways: ' + wide);
    await H.shot(m, 'requester-390', { fullPage: true });
    H.show(page);
    await phone.close();
  });

  await step('logging out forgets the token, the role and what was typed', async () => {
    await page.click('#logout');
    await page.waitForSelector('#token');
    assert.deepStrictEqual(await page.evaluate(() => [sessionStorage.getItem('mm.token'), sessionStorage.getItem('mm.role')]), [null, null]);
    /* what was typed went with the session */
    await page.fill('#token', P.token);
    await page.click('.login button[type=submit]');
    await page.waitForSelector('#rq-form');
    assert.strictEqual(await page.inputValue('#rq-reason'), '');
    await page.click('#logout');
    await page.waitForSelector('#token');
  });

  await step('no script error and no Content-Security-Policy violation', async () => {
    H.noProblems();
  });

  await browser.close();
  fs.writeFileSync(P.result, JSON.stringify(out));
}

H.run(main);
