/*
 * console_live.test.js: the console's live view (edge/www/static/live.js) in headless Chromium,
 * against the edge test_console_live.py started ($MM_BROWSER: base, person, password, secret,
 * name, edge, socket). R-N7.3 (looking, not copying), R-N7.2 (a revoked operator stops seeing
 * within 1 s), R-N2.3 (Naha 第2条第3号: what is displayed counts — the edge logs each watch).
 */
'use strict';
const assert = require('assert');
const child = require('child_process');
const H = require('./harness')('console-live');
const {P, step, watch} = H;

/* Every video's currentTime, and how much its frame's pixels vary (0: one flat colour). */
function sample(page)
{
    return page.evaluate(() => [...document.querySelectorAll('video.live-video')].map((v) => {
        const c = document.createElement('canvas');
        c.width = 160;
        c.height = 90;
        const g = c.getContext('2d');
        let variance = 0, mean = 0;
        if (v.videoWidth) {
            g.drawImage(v, 0, 0, c.width, c.height);
            const d = g.getImageData(0, 0, c.width, c.height).data;
            const n = d.length / 4;
            for (let i = 0; i < d.length; i += 4)
                mean += (d[i] + d[i + 1] + d[i + 2]) / 3 / n;
            for (let i = 0; i < d.length; i += 4)
                variance += ((d[i] + d[i + 1] + d[i + 2]) / 3 - mean) ** 2 / n;
        }
        return {camera : v.dataset.camera, t : v.currentTime, w : v.videoWidth, variance, mean};
    }));
}

async function plays(page, n)
{
    await page.waitForFunction((n) => {
        const vs = [...document.querySelectorAll('video.live-video') ];
        return vs.length === n && vs.every((v) => v.currentTime > 0.5 && v.videoWidth > 0);
    }, n, {timeout : 30000});
    const a = await sample(page);
    await page.waitForTimeout(1500);
    const b = await sample(page);
    for (let i = 0; i < n; i++) {
        assert.ok(b[i].t > a[i].t + 0.5, `${b[i].camera} does not advance: ${a[i].t} -> ${b[i].t}`);
        assert.ok(b[i].variance > 100,
                  `${b[i].camera} shows a flat picture (variance ` +
                      `${b[i].variance.toFixed(1)}, mean ${b[i].mean.toFixed(1)})`);
    }
    return b;
}

async function main()
{
    await step('the live view\'s words have the same keys in Japanese and English',
               async () => H.sameKeys(H.wordTables(['i18n_live.js'], 'edge/www/static')));
    const browser = await H.launch();
    const desk = await H.consoleContext(browser);
    const page = await desk.newPage();
    watch(page, 'desktop');
    H.show(page);

    await step('the operator logs in with password and TOTP', async () => {
        await H.consoleFirstLogin(page, P.person, P.password, P.secret);
    });

    await step('a purpose is chosen before watching', async () => {
        await page.click('a.view[href="#/live"]');
        await page.waitForSelector('#live-choose');
        const opts = await page.$$eval('#live-purpose option', (os) => os.map((o) => o.value));
        assert.ok(opts.includes('site') && opts.includes('camera'), opts.join());
        await H.shot(page, 'console-live-choose-desktop');
        await page.selectOption('#live-purpose', 'site');
        await page.click('#live-start');
    });

    await step('the grid plays every camera: time advances, the test pattern, not black',
               async () => {
                   const s = await plays(page, 2);
                   H.say('     ' + s.map((x) => `${x.camera}: ${x.w}px, t ${x.t.toFixed(1)} s, ` +
                                                `variance ${x.variance.toFixed(0)}`)
                                       .join('; '));
                   await H.shot(page, 'console-live-grid-desktop');
               });

    await step('no download, no picture-in-picture, no controls, no context menu', async () => {
        const a = await page.$$eval('video.live-video',
                                    (vs) => vs.map((v) => ({
                                                       controls : v.controls,
                                                       list : v.getAttribute('controlslist'),
                                                       pip : v.disablePictureInPicture,
                                                   })));
        for (const v of a)
            assert.ok(!v.controls && v.list.includes('nodownload') && v.pip, JSON.stringify(v));
        const prevented = await page.$eval('video.live-video', (v) => {
            const e = new MouseEvent('contextmenu', {bubbles : true, cancelable : true});
            return !v.dispatchEvent(e);
        });
        assert.ok(prevented, 'the context menu was not prevented');
    });

    await step('the viewer\'s name and the site\'s time over the video', async () => {
        const who = await page.textContent('.live-overlay .live-who');
        assert.strictEqual(who, P.name);
        const t = await page.textContent('.live-overlay .live-time');
        assert.ok(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST/.test(t), t);
    });

    await step('latency from the edge to the page (printed; goal <= 1 s)', async () => {
        const l = await page.evaluate(() => window.mmLive.latencies.slice(-60));
        assert.ok(l.length >= 20, `${l.length} latencies`);
        const s = [...l ].sort((a, b) => a - b);
        const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(0);
        H.say(`     latency, frame at the edge -> appended in the page: median ${q(0.5)} ms, ` +
              `90% ${q(0.9)} ms, max ${q(1)} ms over ${s.length} fragments`);
    });

    await step('one camera alone', async () => {
        await page.click('figure.live-tile[data-camera="cam1"]');
        await page.waitForSelector('.live-one');
        await plays(page, 1);
        await H.shot(page, 'console-live-one-desktop');
        await page.click('.live-bar a');
        await plays(page, 2);
    });

    await step('the phone layout plays too, without sideways scrolling', async () => {
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
        await p2.goto(P.base + '/#/live');
        await p2.waitForSelector('#live-choose');
        await p2.click('#live-start');
        await plays(p2, 2);
        const wide = await p2.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 390, `the page is ${wide} px wide`);
        await H.shot(p2, 'console-live-grid-phone', {fullPage : true});
        await phone.close();
        H.show(page);
    });

    await step('R-N7.2: the operator revoked, the live view stops within 1 s', async () => {
        await plays(page, 2);
        const out = child.execFileSync(
            P.edge, [ 'operators', 'revoke', P.person, '--reason', '退職', '--socket', P.socket ]);
        const revoked = Date.now();
        await page.waitForFunction(() => window.mmLive.ended.length >= 2, null, {timeout : 10000});
        const ends = await page.evaluate(() => window.mmLive.ended.map((e) => e.at));
        const took = Math.max(...ends) - revoked;
        H.say(
            `     revoked (${out.length} bytes answered): the live view stopped ${took} ms later`);
        assert.ok(took < 1000, `the live view stopped ${took} ms after the revocation`);
        const t1 = await sample(page);
        await page.waitForTimeout(1000);
        const t2 = await sample(page);
        for (let i = 0; i < t2.length; i++)
            assert.ok(t2[i].t - t1[i].t < 0.3, `${t2[i].camera} still plays after the revocation`);
        await H.shot(page, 'console-live-revoked-desktop');
    });

    await step('no script error and no CSP violation', async () => H.noProblems());
    await browser.close();
}

H.run(main);
