/*
 * scrub.test.js: a site's own audit (edge/scrub.h, hub/integrity.h) on the dashboard, in headless
 * Chromium driven by playwright-core, against the hub test_scrub.py started (parameters in
 * $MM_BROWSER as JSON: base, token, and messages, the hub's English message of each kind).
 *
 * Checks (R-K2.2.6d): the words have the same keys in both languages; on the site's findings tab
 * log_tampered, footage_missing and footage_altered each have their Japanese name and a Japanese
 * sentence built from the evidence (the index, the camera, the file), with no key, placeholder or
 * English left showing; the English switch shows the hub's own messages; no script error and no
 * Content-Security-Policy violation.
 */
'use strict';
const assert = require('assert');
const H = require('./harness')('scrub');
const {P, step, watch} = H;

/* Per kind: its Japanese name and what its sentence must say. */
const WANT = {
    log_tampered : [ 'ログの改ざん', [ 'ログ17番', '記録の書き換え', '信用できません' ] ],
    footage_missing :
        [ '映像の欠落', [ 'カメラcam1', 'cam1/1780000000000000.mmseg', 'ログ21番', 'なくなって' ] ],
    footage_altered :
        [ '映像の改変', [ 'カメラcam1', 'cam1/1780000100000000.mmseg', 'ログ23番', '一致しない' ] ],
};

async function main()
{
    await step('the words have the same keys in Japanese and English', async () => {
        const {ja, en} = H.wordTables([ 'i18n_scrub.js' ]);
        H.sameKeys({ja, en});
        for (const kind of Object.keys(WANT))
            assert.strictEqual(ja['fkind2.' + kind], WANT[kind][0]);
    });

    const browser = await H.launch();
    const desk = await browser.newContext(
        {viewport : {width : 1366, height : 768}, locale : 'ja-JP', timezoneId : 'Asia/Tokyo'});
    const page = await desk.newPage();
    watch(page, 'desktop');
    H.show(page);
    await H.dashboardLogin(page, 'site-c');

    await step('each finding has its Japanese name and a sentence from its evidence', async () => {
        await page.goto(P.base + '/#/site/site-c/findings');
        await page.waitForSelector('li.finding.open[data-kind="footage_altered"]');
        const got = await H.openFindings(page);
        for (const [kind, [ name, says ]] of Object.entries(WANT)) {
            const f = got.find((x) => x.kind === kind);
            assert.ok(f, `no open ${kind} on the page`);
            assert.ok(f.head.includes(name), `${kind}: head "${f.head}" lacks "${name}"`);
            for (const s of says)
                assert.ok(f.msg.includes(s), `${kind}: "${f.msg}" lacks "${s}"`);
            assert.ok(!/[{}]|fmsg\.|scrub\.|undefined|NaN|—/.test(f.msg), `${kind}: "${f.msg}"`);
            assert.ok(!f.msg.includes(P.messages[kind].slice(0, 20)),
                      `${kind} shows English: ${f.msg}`);
        }
        await H.shot(page, 'scrub-findings-1366', {fullPage : true});
    });

    await step('in English each finding reads as the hub wrote it', async () => {
        await page.click('#lang');
        await page.waitForSelector('li.finding.open >> text=Footage missing');
        const got = await H.openFindings(page);
        for (const kind of Object.keys(WANT)) {
            const f = got.find((x) => x.kind === kind);
            assert.strictEqual(f.msg.trim(), P.messages[kind].trim(), kind);
        }
        await page.click('#lang');
        await page.waitForSelector('li.finding.open >> text=映像の欠落');
    });

    await step('no script error and no Content-Security-Policy violation',
               async () => { H.noProblems(); });
    await browser.close();
}

H.run(main);
