/*
 * documents.test.js: the officer reads a filed standards document in headless Chromium
 * (playwright-core) before deciding on the filing (R-N4.2), against the hub and edge that
 * test_documents.py started (parameters in $MM_BROWSER as JSON).
 *
 * Checks, in order: the documents' words are in both languages with the same keys; the filing
 * of version 2 opens its document, shown as text, with the hash the log holds; its changes
 * against version 1 are the purpose line, removed and added; the first filing has no previous
 * version to compare with; the site's printable file is saved as a download, not shown; the
 * document stays open when the page redraws; the filing is returned with a reason from the
 * buttons beside the document (a return without one is refused with the hub's message); English
 * behind the switch; a phone-sized screen without sideways scrolling; no script error and no
 * Content-Security-Policy violation. What the page showed goes to the driver for its checks.
 */
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const H = require('./harness')('documents');
const { P, step, watch, api, submitDialog } = H;

async function main() {
  const row = `.filings-table tr[data-filing="${P.filing}"]`;
  const viewer = `.filings-table tr.doc-row[data-doc-for="${P.filing}"]`;

  await step("the documents' words are in both languages, with the same keys", async () => {
    const { ja, en, before } = H.wordTables(['i18n_documents.js']);
    const mine = Object.keys(ja).filter((k) => !before.has(k));
    assert.ok(mine.length >= 15 && mine.every((k) => k.startsWith('doc.')), 'keys ' + mine);
    assert.deepStrictEqual(mine.filter((k) => !(k in en)), []);
    assert.deepStrictEqual(Object.keys(en).filter((k) => !(k in ja)), []);
    for (const k of mine) assert.ok(!/[A-Za-z]/.test(ja[k].replace(/\{[a-z]+\}/g, '')), `ja ${k}: ${ja[k]}`);
  });

  const browser = await H.launch();
  const desk = await browser.newContext({
    viewport: { width: 1366, height: 768 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true,
  });
  await desk.addInitScript((tok) => sessionStorage.setItem('mm.token', tok), P.token);
  const page = await desk.newPage();
  watch(page, 'desktop');
  H.show(page);
  const doc2 = (await api(`/api/v1/sites/${P.site}/filings/2/document`)).body;
  let shownHash;

  await step('the filing of version 2 opens its document as text, with the hash of the log', async () => {
    await page.goto(`${P.base}/#/site/${P.site}/filings`);
    await page.waitForSelector(`${row}[data-state="received"] .doc-toggle`);
    assert.strictEqual(await page.$(viewer), null, 'a document open before it was asked for');
    await page.click(`${row} .doc-toggle`);
    await page.waitForSelector(`${viewer} .doc-text`);
    const title = await page.textContent(`${viewer} .doc-head h3`);
    assert.ok(title.includes('第2版') && title.includes('届出文書'), title);
    const text = await page.textContent(`${viewer} .doc-text`);
    assert.ok(text.includes(`設置目的：${P.new_purpose}`), 'the text lacks the purpose');
    for (const line of doc2.markdown.split('\n').filter((l) => l.trim())) {
      assert.ok(text.includes(line.trim()), 'the page lacks the line ' + line);
    }
    assert.ok(await page.$(`${viewer} .doc-text .md-h1`), 'no heading');
    assert.strictEqual(await page.$$eval(`${viewer} .doc-text *`, (els) => els.filter((e) => !e.matches('div')).length), 0,
      'the Markdown became markup');
    const meta = await page.textContent(`${viewer} .doc-meta`);
    assert.ok(meta.includes('ログの文書ハッシュと一致') && meta.includes('ハブ受信'), meta);
    shownHash = await page.getAttribute(`${viewer} .doc-meta code.hash`, 'title');
    assert.strictEqual(shownHash, crypto.createHash('sha256').update(doc2.markdown, 'utf8').digest('hex'));
    assert.ok(await page.isVisible(`${viewer} .doc-actions .doc-act-return`), 'no return beside the document');
    assert.ok(await page.isVisible(`${viewer} .doc-actions .doc-act-accept`), 'no accept beside the document');
    await H.shot(page, 'documents-text-1366');
  });

  await step('its changes against version 1 are the purpose, removed and added', async () => {
    await page.click(`${viewer} .doc-view-diff`);
    await page.waitForSelector(`${viewer} .doc-diff`);
    assert.ok((await page.textContent(`${viewer} .doc-diff-title`)).includes('第1版から第2版への変更'));
    const dels = await page.$$eval(`${viewer} .diff-line[data-op="del"] .diff-text`, (e) => e.map((x) => x.textContent));
    const adds = await page.$$eval(`${viewer} .diff-line[data-op="add"] .diff-text`, (e) => e.map((x) => x.textContent));
    assert.ok(dels.includes(`1. 設置目的：${P.old_purpose}`), 'removed: ' + dels);
    assert.ok(adds.includes(`1. 設置目的：${P.new_purpose}`), 'added: ' + adds);
    assert.ok(dels.includes('| 版 | 第1版 |') && adds.includes('| 版 | 第2版 |'), `version line: ${dels} ${adds}`);
    assert.strictEqual(dels.length + adds.length, 4, `more changed than the purpose: ${dels} / ${adds}`);
    assert.ok((await page.textContent(`${viewer} .doc-diff-stats`)).includes('追加 2 行・削除 2 行'));
    assert.ok(await page.$(`${viewer} .diff-skip`), 'unchanged lines are not folded');
    await H.shot(page, 'documents-diff-1366');
  });

  await step('the first filing has no earlier version to compare with', async () => {
    const first = await page.$$eval('.filings-table tr[data-filing]', (rows) =>
      rows.filter((r) => r.textContent.includes('第1版')).map((r) => r.dataset.filing));
    assert.strictEqual(first.length, 1, 'filings of version 1: ' + first);
    await page.click(`.filings-table tr[data-filing="${first[0]}"] .doc-toggle`);
    const v1 = `.filings-table tr.doc-row[data-doc-for="${first[0]}"]`;
    await page.waitForSelector(`${v1} .doc-text`);
    await page.click(`${v1} .doc-view-diff`);
    await page.waitForSelector(`${v1} .doc-diff-none`);
    assert.ok((await page.textContent(`${v1} .doc-diff-none`)).includes('前の版はありません'));
    await page.click(`.filings-table tr[data-filing="${first[0]}"] .doc-toggle`);
    await page.waitForSelector(v1, { state: 'detached' });
  });

  await step("the site's printable file is saved, not shown in the page", async () => {
    await page.click(`${viewer} .doc-view-text`);
    await page.waitForSelector(`${viewer} .doc-save-html`);
    const frames = page.frames().length;
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`${viewer} .doc-save-html`)]);
    assert.strictEqual(dl.suggestedFilename(), `${P.site}-standards-v2.html`);
    await dl.saveAs(path.join(P.downloads, 'saved.html'));
    assert.strictEqual(page.frames().length, frames, 'the HTML was put in a frame');
    assert.strictEqual(page.url().startsWith(P.base + '/#/site/'), true, 'the page went away: ' + page.url());
  });

  await step('the document stays open when the page redraws', async () => {
    await page.click('#tab-cameras');
    await page.click('#tab-filings');
    await page.waitForSelector(`${viewer} .doc-text`);
  });

  await step('the filing is returned with its reason from beside the document', async () => {
    await page.click(`${viewer} .doc-act-return`);
    const err = await submitDialog(page);
    assert.ok(err && err.includes('400') && err.includes('bad_body') && err.includes('項目: 理由'), 'a return without a reason: ' + err);
    await page.fill('dialog.dlg[open] [name="reason"]', P.reason);
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector(`${row}[data-state="returned"]`);
    await page.waitForSelector(`${viewer} .doc-text`); /* still open to read */
    assert.strictEqual(await page.$(`${viewer} .doc-act-return`), null, 'buttons after the decision');
    assert.ok((await page.textContent(row)).includes(P.reason), 'the reason is not shown');
    const f = (await api(`/api/v1/sites/${P.site}/filings`)).body.filings.find((x) => x.id === P.filing);
    assert.strictEqual(f.state, 'returned');
    await H.shot(page, 'documents-returned-1366');
  });

  await step('English behind the switch', async () => {
    await page.click('#lang');
    await page.waitForSelector(`${viewer} .doc-head h3 >> text=Filed document, version 2`);
    assert.ok((await page.textContent(`${viewer} .doc-view-diff`)).includes('Changes from the previous version'));
    assert.ok((await page.textContent(`${row} .doc-toggle`)).includes('Close the document'));
    await page.click('#lang');
    await page.waitForSelector(`${viewer} .doc-head h3 >> text=第2版`);
  });

  await step('a phone-sized screen: the document and its diff without sideways scrolling', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', isMobile: true, hasTouch: true,
    });
    await phone.addInitScript((tok) => sessionStorage.setItem('mm.token', tok), P.token);
    const m = await phone.newPage();
    watch(m, 'phone');
    H.show(m);
    await m.goto(`${P.base}/#/site/${P.site}/filings`);
    await m.click(`${row} .doc-toggle`);
    await m.waitForSelector(`${viewer} .doc-text`);
    await m.click(`${viewer} .doc-view-diff`);
    await m.waitForSelector(`${viewer} .doc-diff`);
    const wide = await m.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, 'the page scrolls sideways: ' + wide);
    await H.shot(m, 'documents-390', { fullPage: true });
    H.show(page);
    await phone.close();
  });

  await step('no script error and no Content-Security-Policy violation', async () => {
    H.noProblems();
  });

  fs.writeFileSync(path.join(P.downloads, 'shown.json'), JSON.stringify({ hash: shownHash }));
  await browser.close();
}

H.run(main);
