/*
 * console.test.js: the site console in headless Chromium driven by playwright-core, against the
 * edge test_console.py started (parameters in $MM_BROWSER as JSON: base, person, password,
 * secret — the TOTP secret `mimamori-edge passwd` printed — site, fingerprint).
 *
 * The console's certificate is one the edge made itself: the browser context ignores HTTPS
 * errors (the Python driver pinned the fingerprint). TOTP codes are computed here (RFC 6238,
 * HMAC-SHA-1 with node's crypto), never read from the edge.
 */
'use strict';
const assert = require('assert');
const H = require('./harness')('console');
const {P, step, watch} = H;

async function passwordStep(page)
{
    await page.goto(P.base + '/');
    await page.waitForSelector('#step-password:not([hidden])');
    await page.fill('#person', P.person);
    await page.fill('#password', P.password);
    await page.click('#step-password button[type=submit]');
}

async function main()
{
    await step('the console words have the same keys in Japanese and English',
               async () => { H.sameKeys(H.wordTables([], 'edge/www/static')); });
    const browser = await H.launch();
    const desk = await browser.newContext({
        viewport : {width : 1366, height : 768},
        locale : 'ja-JP',
        timezoneId : 'Europe/London',
        ignoreHTTPSErrors : true
    });
    const page = await desk.newPage();
    watch(page, 'desktop');
    H.show(page);

    await step('the login page is in Japanese', async () => {
        await page.goto(P.base + '/');
        await page.waitForSelector('#step-password:not([hidden])');
        assert.strictEqual(new URL(page.url()).pathname, '/login');
        assert.strictEqual(await page.textContent('#step-password h1'), 'ログイン');
        assert.strictEqual(await page.getAttribute('html', 'lang'), 'ja');
        await H.shot(page, 'console-login-desktop');
    });

    await step('the first login enrols the second factor: QR code, secret, a code', async () => {
        await passwordStep(page);
        await page.waitForSelector('#step-enrol:not([hidden])');
        assert.strictEqual(await page.textContent('#secret'), P.secret);
        await page.waitForFunction(() => document.getElementById('qr').naturalWidth > 0);
        await H.shot(page, 'console-enrol-desktop');
        await page.fill('#enrol-code', H.totp(P.secret));
        await page.click('#step-enrol button[type=submit]');
        await page.waitForSelector('#status dl.facts');
    });

    await step('the home page shows the site status in Japanese, in Japan time', async () => {
        const text = await page.textContent('#status');
        assert.ok(text.includes('拠点の状況') && text.includes(P.site), text);
        assert.ok(text.includes('管理責任者'), 'the role in Japanese: ' + text);
        assert.ok(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST/.test(await page.textContent('#as-of')),
                  'JST time');
        assert.ok(text.includes(P.fingerprint), 'the certificate fingerprint');
        assert.ok((await page.textContent('#who')).includes('管理 太郎'));
        await H.shot(page, 'console-home-desktop');
    });

    await step('the English switch', async () => {
        await page.click('#lang');
        await page.waitForFunction(() => document.querySelector('#status h1').textContent ===
                                         'Site status');
        const text = await page.textContent('#status');
        assert.ok(text.includes('Manager') && text.includes('Retention'), text);
        assert.strictEqual(await page.textContent('#logout'), 'Log out');
        await H.shot(page, 'console-home-en-desktop');
        await page.click('#lang');
        await page.waitForFunction(() => document.querySelector('#status h1').textContent ===
                                         '拠点の状況');
    });

    await step('logout, then password and code', async () => {
        await page.click('#logout');
        await page.waitForSelector('#step-password:not([hidden])');
        assert.strictEqual(await page.textContent('#message'), 'ログアウトしました');
        const res = await page.evaluate(async () => (await fetch('/api/status')).status);
        assert.strictEqual(res, 401);
        await passwordStep(page);
        await page.waitForSelector('#step-code:not([hidden])');
        await page.fill('#code', H.totp(P.secret, 1)); /* the enrolment used this step's code */
        await page.click('#step-code button[type=submit]');
        await page.waitForSelector('#status dl.facts');
    });

    await step('the phone layout, without sideways scrolling', async () => {
        const phone = await browser.newContext({
            viewport : {width : 390, height : 844},
            locale : 'ja-JP',
            ignoreHTTPSErrors : true,
            isMobile : true
        });
        const cookies = await desk.cookies();
        await phone.addCookies(cookies);
        const p2 = await phone.newPage();
        watch(p2, 'phone');
        H.show(p2);
        await p2.goto(P.base + '/');
        await p2.waitForSelector('#status dl.facts');
        const wide = await p2.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 390, `the page is ${wide} px wide`);
        await H.shot(p2, 'console-home-phone', {fullPage : true});
        const p3 = await (await browser.newContext({
                       viewport : {width : 390, height : 844},
                       locale : 'ja-JP',
                       ignoreHTTPSErrors : true,
                       isMobile : true
                   })).newPage();
        watch(p3, 'phone-login');
        await p3.goto(P.base + '/login');
        await p3.waitForSelector('#step-password:not([hidden])');
        await H.shot(p3, 'console-login-phone');
    });

    await step('no script error and no CSP violation', async () => H.noProblems());
    await browser.close();
}

H.run(main);
