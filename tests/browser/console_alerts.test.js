/*
 * console_alerts.test.js: the site's alerts in the console (edge/www/static/alerts.js) in
 * headless Chromium, against the edge test_console_alerts.py started (parameters in $MM_BROWSER:
 * base, person, password, secret, ready — a file to write once logged in, after which the driver
 * kills the camera). TOTP codes are computed here (RFC 6238 with node's crypto).
 */
'use strict';
const assert = require('assert');
const fs = require('fs');
const H = require('./harness')('console-alerts');
const {P, step, watch} = H;

async function main()
{
    await step('the alerts words have the same keys in Japanese and English',
               async () => { H.sameKeys(H.wordTables(['i18n_alerts.js'], 'edge/www/static')); });
    const browser = await H.launch();
    const desk = await H.consoleContext(browser);
    const page = await desk.newPage();
    watch(page, 'desktop');
    H.show(page);

    await step('log in with password and TOTP code; nothing needs attention', async () => {
        await H.consoleFirstLogin(page, P.person, P.password, P.secret);
        await page.click('a.view[href="#/alerts"]');
        await page.waitForSelector('#alerts-view p.none');
        assert.ok(await page.$eval('#alerts-banner', (b) => b.hidden), 'a banner at a quiet start');
        fs.writeFileSync(P.ready, 'logged in\n');
    });

    await step(
        'the camera killed: the banner shows camera_down at once, without a reload', async () => {
            const t0 = Date.now();
            await page.waitForSelector('#alerts-banner:not([hidden])', {timeout : 60000});
            H.say(`     the banner came ${Date.now() - t0} ms after the login`);
            const text = await page.textContent('#alerts-banner');
            assert.ok(text.includes('カメラ停止') && text.includes('cam1') && text.includes('1件'),
                      text);
            await page.click('a.view[href="#/home"]');
            await page.waitForSelector('#status dl.facts');
            assert.ok((await page.textContent('#alerts-banner')).includes('cam1'));
            await H.shot(page, 'console-alerts-banner-desktop');
        });

    await step('the alerts view lists it, since when in Japan time', async () => {
        await page.click('#alerts-banner a');
        await page.waitForSelector('#alerts-view li[data-kind="camera_down"]');
        const li = await page.textContent('#alerts-view li[data-kind="camera_down"]');
        assert.ok(li.includes('cam1') && li.includes('映像が3秒以上届いていません'), li);
        assert.ok(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST から/.test(li), 'JST time: ' + li);
        const hook = await page.textContent('#alerts-view .alerts-hook');
        assert.ok(hook.includes('http://127.0.0.1:') && hook.includes('送信'), hook);
        await H.shot(page, 'console-alerts-view-desktop');
    });

    await step('the English switch', async () => {
        await page.click('#lang');
        await page.waitForFunction(() => document.querySelector('#alerts-view h1').textContent ===
                                         'What needs attention');
        const li = await page.textContent('#alerts-view li[data-kind="camera_down"]');
        assert.ok(li.includes('Camera down') && li.includes('no video for more than 3 s'), li);
        assert.ok((await page.textContent('#alerts-banner')).includes('need attention'));
        await H.shot(page, 'console-alerts-view-en-desktop');
        await page.click('#lang');
        await page.waitForFunction(() => document.querySelector('#alerts-view h1').textContent ===
                                         '対応が必要なこと');
    });

    await step('the phone layout, without sideways scrolling', async () => {
        const phone = await browser.newContext({
            viewport : {width : 390, height : 844},
            locale : 'ja-JP',
            ignoreHTTPSErrors : true,
            isMobile : true
        });
        await phone.addCookies(await desk.cookies());
        const p2 = await phone.newPage();
        watch(p2, 'phone');
        H.show(p2);
        await p2.goto(P.base + '/#/alerts');
        await p2.waitForSelector('#alerts-view li[data-kind="camera_down"]');
        await p2.waitForSelector('#alerts-banner:not([hidden])');
        const wide = await p2.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 390, `the page is ${wide} px wide`);
        await H.shot(p2, 'console-alerts-phone', {fullPage : true});
    });

    await step('no script error and no CSP violation', async () => H.noProblems());
    await browser.close();
}

H.run(main);
