/*
 * watch.test.js: the findings the hub raises with its own clock and data, on the dashboard, in
 * headless Chromium driven by playwright-core, against the hub test_watch.py started (parameters
 * in $MM_BROWSER as JSON: base, token, and messages, the hub's English message of each kind).
 *
 * Checks: the words have the same keys in both languages; on the site's findings tab each of the
 * seven kinds has its Japanese name and a Japanese sentence built from its evidence (the camera,
 * the person, the numbers), with no key, placeholder or English text left showing; the English
 * switch shows the hub's own messages; no script error and no Content-Security-Policy violation.
 */
'use strict';
const assert = require('assert');
const H = require('./harness')('watch');
const {P, step, watch} = H;

/* Per kind: its Japanese name and what its sentence must say. */
const WANT = {
    clock_skew : [ '拠点の時計のずれ', [ '少なくとも', '進んでいました' ] ],
    erased_early : [ '保存期間内の映像の消去', [ 'カメラ cam1', '保存期間（7日）', '5日23時間' ] ],
    viewing_volume : [ '基準を超える閲覧', [ 'sato', '3回', '1人1日 2回・1.0時間' ] ],
    night_viewing : [ '夜間の閲覧', [ 'suzuki', '22時〜6時', '夜間に人がいない' ] ],
    camera_suspended_long : [ '長期の休止', [ 'カメラ cam1', '40日間休止', '30日を超えて' ] ],
    camera_count_unfiled : [ 'カメラ台数の変更が未届', [ '2台のカメラ', '第1版', '1台' ] ],
    signage_check_old : [ '表示の確認が古い', [ 'カメラ cam1', '2024-01-10', '365日' ] ],
};

async function main()
{
    await step('the words have the same keys in Japanese and English', async () => {
        const {ja, en} = H.wordTables([ 'i18n_watch.js' ]);
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
    await H.dashboardLogin(page, 'site-b');

    await step('each finding has its Japanese name and a sentence from its evidence', async () => {
        await page.goto(P.base + '/#/site/site-b/findings');
        await page.waitForSelector('li.finding.open[data-kind="signage_check_old"]');
        const got = await H.openFindings(page);
        for (const [kind, [ name, says ]] of Object.entries(WANT)) {
            const f = got.find((x) => x.kind === kind);
            assert.ok(f, `no open ${kind} on the page`);
            assert.ok(f.head.includes(name), `${kind}: head "${f.head}" lacks "${name}"`);
            for (const s of says)
                assert.ok(f.msg.includes(s), `${kind}: "${f.msg}" lacks "${s}"`);
            assert.ok(!/[{}]|fmsg\.|span\.|undefined|NaN/.test(f.msg), `${kind}: "${f.msg}"`);
            assert.ok(!f.msg.includes(P.messages[kind].slice(0, 20)),
                      `${kind} shows English: ${f.msg}`);
        }
        await H.shot(page, 'watch-findings-1366', {fullPage : true});
    });

    await step('in English each finding reads as the hub wrote it', async () => {
        await page.click('#lang');
        await page.waitForSelector(
            'li.finding.open >> text=Footage erased before its retention ended');
        const got = await H.openFindings(page);
        for (const kind of Object.keys(WANT)) {
            const f = got.find((x) => x.kind === kind);
            assert.strictEqual(f.msg.trim(), P.messages[kind].trim(), kind);
        }
        await page.click('#lang');
        await page.waitForSelector('li.finding.open >> text=保存期間内の映像の消去');
    });

    await step('no script error and no Content-Security-Policy violation',
               async () => { H.noProblems(); });
    await browser.close();
}

H.run(main);
