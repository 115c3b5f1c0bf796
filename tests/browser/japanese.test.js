/*
 * japanese.test.js: the dashboard in Japanese, every word and every time, in headless Chromium
 * driven by playwright-core, against the hub and edges that test_japanese.py started (parameters
 * in $MM_BROWSER as JSON). The browser runs in America/New_York, a zone that is neither site's.
 *
 * Checks: the language tables (i18n.js and every i18n_*.js extension) have the same keys; the
 * overview, every tab of every site's page (with every <details> opened and the dialogs the tabs
 * open), the public registry and the requester's page show no English word outside ids, names,
 * hashes, codes (in <code> or <pre>) and the short allow-list below; every time shown
 * ("YYYY-MM-DD HH:MM:SS <zone>") is in the site's zone on a site's page and in the hub's zone
 * elsewhere, and a log entry's time is exactly its instant in that zone; the English switch
 * shows the hub's own English messages. No script error, no Content-Security-Policy violation.
 */
'use strict';
const assert = require('assert');
const H = require('./harness')('japanese');
const { P, step, say, watch } = H;

/*
 * The words that may stand in Japanese text, each with why; kept short. Anything else in Latin
 * letters must be an id or a name the hub or a site gave (P.ids: sites, cameras, people,
 * accounts, requests, holds, grants, sessions), a hash, a rule's ID (R-N4.2, the ordinances' own
 * numbering) or sit in <code>/<pre>.
 */
const ALLOWED = {
  JST: 'the short name Japanese usage gives Asia/Tokyo, after every time shown',
  GMT: 'the short name of a zone other than Japan\'s as Intl writes it in Japanese (GMT+1)',
  KB: 'a unit of size', MB: 'a unit of size', GB: 'a unit of size',
  'SHA-256': 'the name of the hash function an export is checked with',
  ID: 'written so in Japanese (請求 ID, 拠点 ID)',
  English: 'the language switch names the language it switches to, in that language',
  age: 'the name of the encryption tool an export is made for (the requester\'s page)',
  age1: 'the literal start of an age public key, the key field\'s placeholder',
};

/* An instant as the dashboard must write it in zone tz: "2026-12-06 14:03:05 JST". */
function expectedTime(us, tz) {
  const ms = Math.floor(us / 1000);
  const v = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms))) v[p.type] = p.value;
  const name = new Intl.DateTimeFormat('ja-JP', { timeZone: tz, timeZoneName: 'short' })
    .formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName').value;
  return `${v.year}-${v.month}-${v.day} ${v.hour === '24' ? '00' : v.hour}:${v.minute}:${v.second} ${name}`;
}

/* The short names zone tz goes by (winter and summer). */
function zoneNames(tz) {
  const f = new Intl.DateTimeFormat('ja-JP', { timeZone: tz, timeZoneName: 'short' });
  const at = (m) => f.formatToParts(new Date(Date.UTC(2026, m, 15))).find((p) => p.type === 'timeZoneName').value;
  return new Set([at(0), at(6)]);
}

/* What a person reads on the page: visible text outside code, pre, script and style, the options
 * of every list, the placeholders; every <details> opened first. */
async function pageText(page) {
  return page.evaluate(() => {
    for (const d of document.querySelectorAll('details')) d.open = true;
    const out = [document.title];
    const skip = new Set(['CODE', 'PRE', 'SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'OPTION']);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      let el = n.parentElement;
      let hidden = false;
      for (let p = el; p; p = p.parentElement) if (skip.has(p.tagName)) hidden = true;
      if (hidden || !n.data.trim()) continue;
      if (el && el.closest('svg')) continue; /* the chart's <title>s are tooltips */
      if (el && el.checkVisibility && !el.checkVisibility()) continue;
      out.push(n.data);
    }
    for (const o of document.querySelectorAll('select option')) out.push(o.textContent);
    for (const i of document.querySelectorAll('[placeholder]')) out.push(i.getAttribute('placeholder'));
    return out.join('\n');
  });
}

const ids = new Set(P.ids || []);

/* The English words in text (with a little of what surrounds each). */
function englishIn(text) {
  const found = [];
  const re = /[A-Za-z][A-Za-z0-9]*(?:[-_.:@][A-Za-z0-9]+)*/g;
  let m;
  while ((m = re.exec(text))) {
    const w = m[0];
    if (ids.has(w)) continue;
    if (/^R-[A-Z]/.test(w)) continue; /* a rule's ID */
    if (/^[0-9a-f]{8,}$/i.test(w)) continue; /* a hash, shown short */
    if ((w.match(/[A-Za-z]/g) || []).length < 2) continue; /* H.264, c1: no word */
    if (Object.prototype.hasOwnProperty.call(ALLOWED, w)) continue;
    if ([...ids].some((id) => w.startsWith(id + ':') || w.endsWith('@' + id))) continue;
    found.push(`"${w}" in …${text.slice(Math.max(0, m.index - 30), m.index + w.length + 30).replace(/\s+/g, ' ')}…`);
  }
  return found;
}

function assertJapanese(text, where) {
  const english = englishIn(text);
  assert.deepStrictEqual(english, [], `${where}: English in the Japanese page:\n  ${english.join('\n  ')}`);
}

const TIME_RE = /(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) (JST|GMT(?:[+-]\d{1,2}(?::\d{2})?)?|UTC)/g;

/* Every time on the page is in one of names (the zone's short names). */
function assertZone(text, names, where) {
  const seen = [...text.matchAll(TIME_RE)];
  const other = seen.filter((m) => !names.has(m[7])).map((m) => m[0]);
  assert.deepStrictEqual(other, [], `${where}: times in another zone than ${[...names].join('/')}`);
  return seen.length;
}

async function waitLoaded(page) {
  await page.waitForFunction(() => {
    const p = document.getElementById('panel') || document.getElementById('app');
    return p && !p.textContent.includes('読み込み中');
  }, null, { timeout: 15000 });
}

async function main() {
  await step('the check finds English, and leaves ids, hashes, rule IDs and the allowed be', async () => {
    assert.deepStrictEqual(englishIn('カメラ camera c2 was abolished').map((w) => w.split('"')[1]), ['camera', 'was', 'abolished']);
    assert.deepStrictEqual(englishIn('拠点 chuo の c1、2026-12-06 14:03:05 JST、a1b2c3d4e5f6…、規定 R-K2.1.3b、H.264、12 MB'), []);
    assert.deepStrictEqual(assertZone('2026-12-06 14:03:05 GMT+1: x', new Set(['GMT+1'])), 1);
    assert.throws(() => assertZone('2026-12-06 14:03:05 JST', new Set(['GMT+0']), 'x'));
  });

  await step('both language tables have the same keys, with every extension', async () => {
    const { ja, en } = H.wordTables('*');
    H.sameKeys({ ja, en });
    /* Every word the Japanese table gives is Japanese, but for the allowed and the placeholders. */
    const words = (v) => v.replace(/\{\w+\}/g, '').replace(/`[^`]*`/g, ''); /* placeholders, code */
    const english = Object.entries(ja).flatMap(([k, v]) => englishIn(words(v)).map((w) => `${k}: ${w}`));
    assert.deepStrictEqual(english, [], 'English in the Japanese table');
  });

  const browser = await H.launch();
  /* A browser in New York: neither the hub's zone nor either site's. */
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP', timezoneId: 'America/New_York' });
  await ctx.addInitScript((tok) => {
    if (!sessionStorage.getItem('mm.token')) sessionStorage.setItem('mm.token', tok);
  }, P.token);
  const page = await ctx.newPage();
  watch(page, 'dashboard');
  H.show(page);
  const tokyo = zoneNames('Asia/Tokyo');

  await step('the browser keeps New York time; the overview is in Japanese, times in the hub\'s zone', async () => {
    await page.goto(P.base + '/');
    assert.strictEqual(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), 'America/New_York');
    await page.waitForSelector('#sites-table tr[data-site="london"] .site-link');
    /* the feed lists what arrives from now on: the recordings too, so that it has something */
    await page.check('#feed-all');
    await page.waitForSelector('.feed-item[data-site="london"]');
    await page.waitForSelector('.feed-item[data-site="chuo"]');
    await waitLoaded(page);
    for (const [site, name] of [['chuo', '中央通り商店街振興組合'], ['london', 'ロンドン日本人会']]) {
      const link = await page.textContent(`#sites-table tr[data-site="${site}"] .site-link`);
      assert.ok(link.includes(name) && link.includes(site), `the site is titled ${link}`);
    }
    const text = await pageText(page);
    assertJapanese(text, 'overview');
    assertZone(text, tokyo, 'overview');
    const clocks = [...text.matchAll(/\b\d{2}:\d{2}:\d{2} (\S+)/g)].map((m) => m[1]);
    assert.ok(clocks.length && clocks.every((z) => tokyo.has(z)), 'the feed\'s times: ' + clocks.join(' '));
    assert.ok((await page.textContent('#ov-zone')).includes('Asia/Tokyo'));
    await H.shot(page, 'japanese-overview', { fullPage: true });
  });

  for (const site of ['chuo', 'london']) {
    const zone = P.zones[site];
    const names = zoneNames(zone);
    await step(`${site}: every tab in Japanese, every time in ${zone}`, async () => {
      await page.goto(`${P.base}/#/site/${site}/cameras`);
      await page.waitForSelector('.site-head h1 .site-id');
      await waitLoaded(page);
      const head = await page.textContent('.site-head');
      assert.ok(head.includes(zone), `the header names the zone: ${head}`);
      const tabs = await page.$$eval('.tabs a[role=tab]', (a) => a.map((x) => x.id.replace(/^tab-/, '')));
      assert.ok(tabs.length >= 8, 'tabs ' + tabs);
      let times = 0;
      const english = [];
      for (const tab of tabs) {
        await page.click('#tab-' + tab);
        await page.waitForSelector(`#panel[data-tab="${tab}"]`);
        await waitLoaded(page);
        if (tab === 'log') await page.waitForSelector('#log-table tbody tr');
        if (tab === 'hublog') await page.waitForSelector('#hublog-table tbody tr').catch(() => {});
        if (tab === 'findings') await page.check('#panel .toolbar input[type=checkbox]');
        if (tab === 'complaints' || tab === 'requests') {
          /* complaints have a tab of their own; the city's other requests stay in theirs */
          const kinds = await page.$$eval('#panel ul.requests > .request:not(.site-complaint)', (r) => r.map((x) => x.dataset.kind));
          if (tab === 'complaints') assert.ok(kinds.every((k) => k === 'complaint'), 'complaints tab: ' + kinds);
          else assert.ok(!kinds.includes('complaint'), 'requests tab: ' + kinds);
          if (site === 'chuo') assert.ok(kinds.length > 0, `${site} ${tab}: nothing listed`);
          if (site === 'chuo' && tab === 'complaints') await page.waitForSelector('#site-complaints li');
        }
        const text = await pageText(page);
        english.push(...englishIn(text).map((w) => `${tab}: ${w}`));
        times += assertZone(text, names, `${site} ${tab}`);
        await H.shot(page, `japanese-${site}-${tab}`, { fullPage: true });
      }
      assert.deepStrictEqual(english, [], `${site}: English in the Japanese page:\n  ${english.join('\n  ')}`);
      assert.ok(times >= 10, `${site}: only ${times} times were shown`);
    });

    await step(`${site}: a log entry's time is its instant in ${zone}, whatever the browser's zone`, async () => {
      await page.click('#tab-log');
      await page.selectOption('#log-type', '');
      await page.waitForSelector('#log-table tbody tr');
      let checked = 0;
      for (const e of P.entries[site]) {
        const cell = await page.$(`#log-table tr[data-index="${e.index}"] td:nth-child(2)`);
        if (!cell) continue;
        assert.strictEqual((await cell.textContent()).trim(), expectedTime(e.time_us, zone), `entry #${e.index}`);
        checked++;
      }
      if (!checked) {
        /* The page shows the newest; ask for the entries around one the driver knows. */
        const e = P.entries[site][P.entries[site].length - 1];
        await page.goto(`${P.base}/#/site/${site}/log?at=${e.index}`);
        const cell = await page.waitForSelector(`#log-table tr[data-index="${e.index}"] td:nth-child(2)`);
        assert.strictEqual((await cell.textContent()).trim(), expectedTime(e.time_us, zone), `entry #${e.index}`);
        checked++;
      }
      say(`     ${checked} entries' times checked at ${site}`);
    });
  }

  await step('the dialogs the tabs open are in Japanese', async () => {
    await page.goto(`${P.base}/#/site/london/measures`);
    await waitLoaded(page);
    await page.click('#new-measure');
    await page.waitForSelector('dialog.dlg[open]');
    assertJapanese(await pageText(page), 'new measure');
    await page.click('dialog.dlg[open] button.plain');
    for (const tab of ['complaints', 'requests']) {
      await page.goto(`${P.base}/#/site/chuo/${tab}`);
      await waitLoaded(page);
      for (const b of await page.$$eval('#panel .toolbar button', (x) => x.map((y) => y.id).filter(Boolean))) {
        await page.click('#' + b);
        await page.waitForSelector('dialog.dlg[open]');
        assertJapanese(await pageText(page), 'dialog ' + b);
        await page.click('dialog.dlg[open] button.plain');
      }
    }
    /* a refusal: the hub's code beside its meaning in Japanese */
    await page.click('#new-report');
    await page.fill('dialog.dlg[open] [name="from"]', '2026-12-01');
    await page.fill('dialog.dlg[open] [name="to"]', '2026-11-01'); /* runs backwards */
    await page.click('dialog.dlg[open] button[type=submit]');
    const err = await page.waitForSelector('dialog.dlg[open] .dlg-error:not([hidden])');
    const msg = await err.textContent();
    assert.ok(msg.includes('ハブが受け付けませんでした（400）') && msg.includes('bad_body') &&
      msg.includes('項目: 対象期間の始め'), msg);
    assertJapanese(await pageText(page), 'a refusal');
    await page.click('dialog.dlg[open] button.plain');
  });

  await step('the public registry is in Japanese, the sites titled by their installers', async () => {
    await page.goto(P.base + '/registry');
    await page.waitForSelector('.reg-site[data-site="london"]');
    const text = await pageText(page);
    assertJapanese(text, 'registry');
    assertZone(text, tokyo, 'registry');
    assert.ok((await page.textContent('.reg-site[data-site="london"] h2')).includes('ロンドン日本人会（london）'));
    await H.shot(page, 'japanese-registry', { fullPage: true });
  });

  await step("the requester's page is in Japanese, its times in the site's zone", async () => {
    const rq = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP', timezoneId: 'America/New_York' });
    await rq.addInitScript((tok) => {
      sessionStorage.setItem('mm.token', tok);
      sessionStorage.setItem('mm.role', 'requester');
    }, P.police);
    const r = await rq.newPage();
    watch(r, 'requester');
    H.show(r);
    await r.goto(P.base + '/');
    await r.waitForSelector('#rq-form');
    await r.waitForSelector('#rq-list .rq-item');
    await r.waitForFunction(() => !document.getElementById('app').textContent.includes('読み込み中'));
    const text = await pageText(r);
    assertJapanese(text, "requester's page");
    assertZone(text, tokyo, "requester's page");
    await H.shot(r, 'japanese-requester', { fullPage: true });
    H.show(page);
    await rq.close();
  });

  await step('in English, a finding shows the hub\'s own message', async () => {
    await page.goto(`${P.base}/#/site/chuo/findings`);
    await page.waitForSelector('.finding[data-kind="camera_retired_early"] .finding-msg');
    const ja = await page.textContent('.finding[data-kind="camera_retired_early"] .finding-msg');
    assert.ok(ja.includes('c2') && ja.includes('5年間'), ja);
    await page.click('#lang');
    await page.waitForSelector('#tab-findings >> text=Findings');
    const en = await page.textContent('.finding[data-kind="camera_retired_early"] .finding-msg');
    assert.ok(/camera c2, installed .* was abolished after/.test(en), en);
    await page.click('#lang');
    await page.waitForSelector('#tab-findings >> text=所見');
  });

  await step('no script error and no Content-Security-Policy violation', async () => {
    H.noProblems();
  });

  await browser.close();
}

H.run(main);
