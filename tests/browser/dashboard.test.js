/*
 * dashboard.test.js: the dashboard in headless Chromium, driven by playwright-core, against the
 * hub and edges that test_dashboard.py started (parameters in $MM_BROWSER as JSON).
 *
 * Checks, in order: both language tables have the same keys; the public registry without a token
 * (and its English switch, remembered); the login (a wrong token refused with the reason); the
 * overview lists both sites with installer, cameras, findings and the seven-day chart; an
 * operator command at an edge shows in the live feed within 2 s without a reload; a finding
 * raised at the edge (a camera abolished within five years) shows in the feed and the overview;
 * a filing accepted in the page shows in the filings and in the hub's log view, a return without
 * a reason is refused with the hub's message; a recommendation published without a hearing is
 * refused with the hub's code (409 hearing_required) and its meaning in Japanese, then offered,
 * heard and published; a
 * complaint registered, answered at the edge, appealed and followed by measures; a report
 * request; the site log filtered by type; the English switch; both layouts (1366x768 and
 * 390x844, no sideways scrolling on the phone), with screenshots; no script error and no
 * Content-Security-Policy violation anywhere; logout.
 */
'use strict';
const assert = require('assert');
const { execFileSync } = require('child_process');
const H = require('./harness')('dashboard');
const { P, step, say, watch, submitDialog } = H;

function edge(site, ...args) {
  return execFileSync(P.edge, [...args, '--socket', P.sockets[site]], { encoding: 'utf8', timeout: 20000 });
}

/* Types into a field of the open dialog. */
async function fill(page, name, value) {
  await page.fill(`dialog.dlg[open] [name="${name}"]`, value);
}

async function main() {
  await step('the two language tables have the same keys', async () => {
    H.sameKeys(H.wordTables([]));
  });

  const browser = await H.launch();
  const desk = await browser.newContext({
    viewport: { width: 1366, height: 768 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo',
  });
  const page = await desk.newPage();
  watch(page, 'desktop');
  H.show(page);

  await step('the public registry needs no login, shows each site and how to complain', async () => {
    const res = await page.goto(P.base + '/registry');
    assert.strictEqual(res.status(), 200);
    const csp = res.headers()['content-security-policy'] || '';
    assert.ok(csp.includes("default-src 'self'"), 'CSP ' + csp);
    await page.waitForSelector('.reg-site[data-site="chuo"]');
    const text = await page.textContent('#app');
    for (const want of [P.installers.chuo, P.installers.ekimae, '中央通り 3 番地 街灯柱', '苦情・問合せの方法', '048-000-0000', '管理 太郎']) {
      assert.ok(text.includes(want), 'registry lacks ' + want);
    }
    assert.strictEqual(await page.getAttribute('html', 'lang'), 'ja');
    await H.shot(page, 'dashboard-registry-1366');
    await page.click('#lang');
    await page.waitForSelector('text=Public register of security cameras');
    assert.ok((await page.textContent('#howto')).includes('How to ask or complain'));
    await page.reload();
    await page.waitForSelector('text=Public register of security cameras'); /* remembered */
    await page.click('#lang');
    await page.waitForSelector('#howto h2 >> text=苦情・問合せの方法');
  });

  await step('the dashboard asks for a token and refuses a wrong one with the reason', async () => {
    await page.goto(P.base + '/');
    await page.waitForSelector('#token');
    assert.ok((await page.textContent('.login')).includes('アクセストークン'));
    await H.shot(page, 'dashboard-login-1366');
    await page.fill('#token', 'not-a-token');
    await page.click('.login button[type=submit]');
    await page.waitForSelector('.login .error:not([hidden])');
    const err = await page.textContent('.login .error');
    assert.ok(err.includes('トークンが認められませんでした') && err.includes('401'), err);
    await page.fill('#token', P.token);
    await page.click('.login button[type=submit]');
    await page.waitForSelector('#sites-table tr[data-site="chuo"]');
    assert.strictEqual(await page.evaluate(() => sessionStorage.getItem('mm.token')), P.token);
  });

  await step('the overview lists every site with installer, cameras, findings and uptime', async () => {
    await page.waitForSelector('#sites-table tr[data-site="ekimae"] .sev');
    for (const site of ['chuo', 'ekimae']) {
      const row = await page.textContent(`#sites-table tr[data-site="${site}"]`);
      assert.ok(row.includes(P.installers[site]), `${site} row: ${row}`);
      assert.ok(row.includes('録画中 2'), `${site} cameras: ${row}`);
    }
    const ek = await page.textContent('#sites-table tr[data-site="ekimae"] .findings-cell');
    assert.ok(/中 \d+/.test(ek), 'ekimae findings: ' + ek);
    const days = await page.getAttribute('#sites-table tr[data-site="ekimae"] svg.uptime', 'data-days');
    const known = days.split(',').filter((d) => d !== '-');
    assert.ok(known.length >= 5, 'ekimae uptime days ' + days);
    assert.ok(known.some((d) => Number(d) < 0.5), 'ekimae low days ' + days);
    await page.waitForSelector('#feed-status.live');
  });

  await step('an operator command at an edge shows in the live feed within 2 s, without reload', async () => {
    await page.evaluate(() => { window.__noReload = true; });
    const t0 = Date.now();
    edge('chuo', 'status');
    await page.waitForSelector('.feed-item[data-site="chuo"][data-entry-types~="access"]', { timeout: 2000 });
    const ms = Date.now() - t0;
    assert.ok(await page.evaluate(() => window.__noReload === true), 'the page was reloaded');
    const item = await page.textContent('.feed-item[data-site="chuo"][data-entry-types~="access"]');
    assert.ok(item.includes('状態の確認') && item.includes('許可'), item);
    say(`     feed latency from the command's return: ${ms} ms`);
  });

  let abolished;
  await step('a finding raised at the edge side shows in the feed and the overview', async () => {
    edge('chuo', 'camera', 'abolish', 'c2', '--reason', '老朽化のため撤去');
    abolished = Date.now();
    await page.waitForSelector('.feed-item[data-type="finding"][data-kind="camera_retired_early"]', { timeout: 15000 });
    await page.waitForSelector('#sites-table tr[data-site="chuo"] .findings-cell .sev-medium', { timeout: 5000 });
    await page.waitForSelector('#sites-table tr[data-site="chuo"] .chip >> text=廃止 1', { timeout: 5000 });
    assert.ok(await page.evaluate(() => window.__noReload === true), 'the page was reloaded');
    say(`     finding on screen ${Date.now() - abolished} ms after the command`);
    await page.waitForSelector('#sites-table tr[data-site="chuo"] >> text=判断待ち');
    await H.shot(page, 'dashboard-overview-1366');
  });

  await step("a site's page: cameras with location, purpose, share, sign, state", async () => {
    await page.click('#sites-table tr[data-site="chuo"] a.site-link');
    await page.waitForSelector('.cams-table tr[data-camera="c1"]');
    const c1 = await page.textContent('.cams-table tr[data-camera="c1"]');
    for (const want of ['中央通り 3 番地 街灯柱', '街頭犯罪の防止', '100%', '防犯カメラ作動中', '録画中']) assert.ok(c1.includes(want), `c1 ${want}: ${c1}`);
    assert.ok((await page.textContent('.cams-table tr[data-camera="c2"]')).includes('廃止'));
    assert.ok((await page.textContent('.site-head')).includes(P.installers.chuo));
  });

  let accepted;
  await step('a filing accepted in the page shows in the filings and in the log of city actions', async () => {
    await page.click('#tab-filings');
    await page.waitForSelector('.filings-table tr[data-state="received"]');
    const ids = await page.$$eval('.filings-table tr[data-state="received"]', (rows) => rows.map((r) => r.dataset.filing));
    accepted = ids[ids.length - 1]; /* the oldest: the initial filing */
    const row = `.filings-table tr[data-filing="${accepted}"]`;
    assert.ok((await page.textContent(row)).includes('当初の届出'));
    assert.ok(/[0-9a-f]{12}…/.test(await page.textContent(row + ' .docs')), 'no document hash');
    await page.click(row + ' .act-accept');
    await fill(page, 'reason', '運用規程を確認した');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector(`${row}[data-state="accepted"]`);
    await page.waitForSelector('.toast >> text=市の記録 #');
    await page.click('#tab-hublog');
    await page.waitForSelector(`#hublog-table tr[data-action="filing_accepted"][data-subject="${accepted}"]`);
    const text = await page.textContent(`#hublog-table tr[data-action="filing_accepted"][data-subject="${accepted}"]`);
    assert.ok(text.includes('届出を受理') && text.includes('oversight-1') && text.includes('運用規程を確認した'), text);
  });

  await step('a return without its reason is refused with the hub\'s message, then returned', async () => {
    await page.click('#tab-filings');
    /* The site's later filing may still be on its way to the hub (a slow build): wait for it. */
    const id = await (await page.waitForSelector('.filings-table tr[data-state="received"]'))
                   .evaluate((r) => r.dataset.filing);
    await page.click(`.filings-table tr[data-filing="${id}"] .act-return`);
    const err = await submitDialog(page);
    /* in Japanese: the status, the code, what it means and the field it names */
    assert.ok(err && err.includes('400') && err.includes('bad_body') && err.includes('項目: 理由'), err);
    await fill(page, 'reason', '理由の記載が不十分');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector(`.filings-table tr[data-filing="${id}"][data-state="returned"]`);
  });

  await step('publication without a hearing is refused in the page with the hub\'s reason', async () => {
    await page.click('#tab-findings');
    await page.waitForSelector('.finding[data-kind="camera_retired_early"]');
    const f = await page.textContent('.finding[data-kind="camera_retired_early"]');
    assert.ok(f.includes('R-K2.1.3b') && f.includes('#'), f);
    await page.click('#tab-measures');
    await page.click('#new-measure');
    await page.selectOption('dialog.dlg[open] [name="kind"]', 'recommendation');
    await page.check('dialog.dlg[open] input[name="findings"]');
    await fill(page, 'text', 'カメラを再設置し、設置から5年は運用すること');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector('.measure[data-kind="recommendation"] .act-publish');
    await page.click('.measure[data-kind="recommendation"] .act-publish');
    await fill(page, 'text', '勧告に従わなかったため公表する');
    const err = await submitDialog(page);
    assert.ok(err && err.includes('409') && err.includes('hearing_required') && err.includes('聴聞'), err);
    assert.ok(err.includes('ハブが受け付けませんでした'), err);
    await H.shot(page, 'dashboard-refused-1366');
    await page.click('dialog.dlg[open] button.plain');
    /* the order the ordinance sets: offer, outcome, then publish */
    await page.click('.measure[data-kind="recommendation"] .act-offer');
    await fill(page, 'text', '意見を述べる機会を設けます');
    /* R-N11.2: an offer names the hearing's date, place and how to answer; without the place
     * the hub refuses it as incomplete */
    await fill(page, 'date', '2027-01-20T14:00');
    await fill(page, 'how', '書面を防犯課へ郵送、または当日口頭で');
    const incomplete = await submitDialog(page);
    assert.ok(incomplete && incomplete.includes('422') && incomplete.includes('項目: 場所'), incomplete);
    await fill(page, 'place', '市役所本庁舎 3階 会議室');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector('.measure[data-state="hearing_offered"] .act-outcome');
    await page.waitForSelector('.measure[data-state="hearing_offered"] .hearing-where >> text=市役所本庁舎 3階 会議室');
    await page.click('.measure[data-kind="recommendation"] .act-outcome');
    await page.selectOption('dialog.dlg[open] [name="outcome"]', 'no_opinion');
    await fill(page, 'text', '期限までに意見の提出なし');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector('.measure[data-state="heard"]');
    await page.click('.measure[data-kind="recommendation"] .act-publish');
    await fill(page, 'text', '勧告に従わなかったため公表する');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector('.measure[data-state="published"]');
    await H.shot(page, 'dashboard-site-measures-1366', { fullPage: true });
  });

  await step('a complaint registered, answered at the edge, appealed, measures asked; a report requested', async () => {
    await page.click('#tab-complaints');
    await page.click('#new-complaint');
    await page.selectOption('dialog.dlg[open] [name="camera"]', 'c1');
    await fill(page, 'text', '自宅の窓が映っているのではないか');
    await fill(page, 'contact', '090-0000-0000');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector('.request[data-kind="complaint"]');
    const id = await page.$eval('.request[data-kind="complaint"]', (r) => r.dataset.id);
    await page.waitForSelector(`.request[data-id="${id}"][data-state="delivered"]`, { timeout: 15000 });
    edge('chuo', 'requests', 'answer', id, '--text', 'マスキングを確認しました。窓は映っていません。');
    await page.waitForSelector(`.request[data-id="${id}"][data-state="answered"]`, { timeout: 15000 });
    await page.click(`.request[data-id="${id}"] .act-appeal`);
    await fill(page, 'text', '回答に納得できない');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector(`.request[data-id="${id}"] >> text=回答に納得できない`);
    await page.click(`.request[data-id="${id}"] .act-measures`);
    await fill(page, 'text', '撮影範囲の再確認と報告を求める');
    assert.strictEqual(await submitDialog(page), null);
    /* the complaints tab shows complaints only; the measures asked for are named there and
     * listed with the city's other requests */
    await page.waitForSelector(`.request[data-id="${id}"] .measure-of`);
    assert.strictEqual(await page.$$eval('#panel ul.requests > .request:not(.site-complaint)', (r) => r.filter((x) => x.dataset.kind !== 'complaint').length), 0);
    await page.click('#tab-requests');
    await page.waitForSelector('.request[data-kind="complaint_measure"]');
    assert.strictEqual(await page.$('#panel .request[data-kind="complaint"]'), null);
    await page.click('#new-report');
    await fill(page, 'text', '過去1週間の運用状況');
    assert.strictEqual(await submitDialog(page), null);
    await page.waitForSelector('.request[data-kind="report_request"]');
    /* R-N10.1: the manager answers; the page shows the question, the answer and the counts */
    const rid = await page.$eval('.request[data-kind="report_request"]', (r) => r.dataset.id);
    await page.waitForSelector(`.request[data-id="${rid}"][data-state="delivered"]`, { timeout: 15000 });
    edge('chuo', 'requests', 'answer', rid, '--text', '適正に運用しています。');
    await page.waitForSelector(`.request[data-id="${rid}"] .report-answer >> text=適正に運用しています。`, { timeout: 15000 });
    assert.ok((await page.textContent(`.request[data-id="${rid}"] .report-question`)).includes('過去1週間の運用状況'));
    await page.waitForSelector(`.request[data-id="${rid}"] .report-counts tr[data-count="viewings"]`);
    /* R-N4.2: the returned filing reached the site as a notice; acknowledged there by a named
     * person, the page shows it sent, delivered and acknowledged */
    const nid = await page.$eval('.request[data-kind="filing_decision"]:has-text("返戻")', (r) => r.dataset.id);
    await page.waitForSelector(`.request[data-id="${nid}"][data-state="delivered"]`, { timeout: 15000 });
    edge('chuo', 'notices', 'ack', nid, '--text', '修正して再提出します');
    await page.waitForSelector(`.request[data-id="${nid}"][data-state="answered"] .notice-moments li[data-moment="acknowledged"][data-done="yes"]`, { timeout: 15000 });
    assert.ok((await page.textContent(`.request[data-id="${nid}"]`)).includes('修正して再提出します'));
    await H.shot(page, 'dashboard-site-requests-1366', { fullPage: true });
  });

  await step('the site log pages and filters by entry type; evidence links into it', async () => {
    await page.click('#tab-log');
    await page.waitForSelector('#log-table tr[data-type="segment_recorded"]');
    await page.selectOption('#log-type', 'access');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#log-table tbody tr')];
      return rows.length > 0 && rows.every((r) => r.dataset.type === 'access');
    });
    assert.ok((await page.textContent('#log-table')).includes('状態の確認'));
    await page.selectOption('#log-type', 'camera_state');
    await page.waitForSelector('#log-table tr[data-type="camera_state"] >> text=老朽化のため撤去');
    await page.click('#log-table tr[data-type="camera_state"] summary');
    await H.shot(page, 'dashboard-site-log-1366');
    await page.click('#tab-hublog');
    await page.waitForSelector('#hublog-table tr[data-action="recommendation_published"]');
    await H.shot(page, 'dashboard-site-hublog-1366');
    await page.click('#tab-findings');
    await page.click('.finding[data-kind="camera_retired_early"] .evidence-link >> nth=0');
    await page.waitForSelector('#log-table tr.hit');
    await page.click('#tab-cameras');
    await page.waitForSelector('.cams-table');
    await H.shot(page, 'dashboard-site-1366');
  });

  await step('a disclosure shows its state, basis, reference and steps, and no footage', async () => {
    await page.click('#tab-disclosures');
    await page.waitForSelector('.disclosure[data-state="held"]');
    const d = await page.textContent('.disclosure[data-state="held"]');
    for (const want of ['法令・令状', '川口署 捜査関係事項照会 第7号', 'c1', '保全中', '受付', '11月28日の自転車盗の捜査']) {
      assert.ok(d.includes(want), `disclosure lacks ${want}: ${d}`);
    }
    assert.ok((await page.textContent('#panel')).includes('映像そのものはここには表示されず'));
    assert.strictEqual(await page.$$eval('a[href*="/export"]', (a) => a.length), 0, 'a link to an export');
  });

  await step("ekimae's uptime findings carry their evidence", async () => {
    await page.goto(P.base + '/#/site/ekimae/findings');
    await page.waitForSelector('.finding[data-kind="uptime_below_24h"] .evidence-link');
    const f = await page.textContent('.finding[data-kind="uptime_below_24h"]');
    assert.ok(f.includes('24時間録画されていない日') && f.includes('R-K2.2.6a'), f);
    await H.shot(page, 'dashboard-site-findings-1366');
  });

  await step('the English switch changes every label and is remembered', async () => {
    await page.click('#lang');
    await page.waitForSelector('#tab-findings >> text=Findings');
    assert.ok((await page.textContent('header')).includes('Overview'));
    assert.ok((await page.textContent('.finding[data-kind="uptime_below_24h"]')).includes('a day with less than 24 h of recording'));
    await page.reload();
    await page.waitForSelector('#tab-findings >> text=Findings');
    await H.shot(page, 'dashboard-site-findings-en-1366');
    await page.click('#lang');
    await page.waitForSelector('#tab-findings >> text=所見');
  });

  await step('a phone-sized screen: no sideways scrolling, the same content', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', isMobile: true, hasTouch: true,
    });
    await phone.addInitScript((tok) => sessionStorage.setItem('mm.token', tok), P.token);
    const m = await phone.newPage();
    watch(m, 'phone');
    H.show(m);
    await m.goto(P.base + '/');
    await m.waitForSelector('#sites-table tr[data-site="ekimae"] svg.uptime');
    await m.waitForSelector('.feed-status.live');
    const wide = async () => m.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(await wide() <= 390, 'overview scrolls sideways: ' + await wide());
    await H.shot(m, 'dashboard-overview-390', { fullPage: true });
    await m.goto(P.base + '/#/site/chuo/filings');
    await m.waitForSelector('.filings-table tr[data-state="accepted"]');
    assert.ok(await wide() <= 390, 'site page scrolls sideways: ' + await wide());
    await H.shot(m, 'dashboard-site-390', { fullPage: true });
    await m.goto(P.base + '/#/site/chuo/cameras');
    await m.waitForSelector('.cams-table tr[data-camera="c1"]');
    assert.ok(await wide() <= 390, 'cameras scroll sideways: ' + await wide());
    await H.shot(m, 'dashboard-site-cameras-390', { fullPage: true });
    await m.goto(P.base + '/registry');
    await m.waitForSelector('.reg-site[data-site="chuo"]');
    assert.ok(await wide() <= 390, 'registry scrolls sideways: ' + await wide());
    await H.shot(m, 'dashboard-registry-390', { fullPage: true });
    H.show(page);
    await phone.close();
  });

  await step('logging out forgets the token and shows the login', async () => {
    await page.goto(P.base + '/');
    await page.waitForSelector('#logout:not([hidden])');
    await page.click('#logout');
    await page.waitForSelector('#token');
    assert.strictEqual(await page.evaluate(() => sessionStorage.getItem('mm.token')), null);
  });

  await step('no script error and no Content-Security-Policy violation', async () => {
    H.noProblems();
  });

  await browser.close();
}

H.run(main);
