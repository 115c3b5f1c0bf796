/*
 * console_timeline.test.js: the console's timeline in headless Chromium, against the edge
 * test_console_timeline.py started and recorded (parameters in $MM_BROWSER: base, person,
 * password, secret, day, gap — the camera's outage as the edge's timeline answers it — and
 * span_file, where the driver writes the recorded span after the gap once it holds 40 s, while
 * this test logs in and looks at the gap). R-N7.3: playback is looking, not copying.
 */
'use strict';
const assert = require('assert');
const fs = require('fs');
const H = require('./harness')('console-timeline');
const {P, step, watch} = H;

/* "YYYY-MM-DD HH:MM:SS JST" (Japan: UTC+9) in text as microseconds. */
function jstUs(text)
{
    const m = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) JST/.exec(text || '');
    if (!m)
        return null;
    return (Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - 9 * 3600000) * 1000;
}

async function footage(page)
{
    return jstUs(await page.textContent('.tl-player .tl-ftime'));
}

/* Clicks the strip at time us (inside the window it shows); returns the time of the point
 * clicked (as the page reads it). */
async function clickAt(page, us)
{
    const strip = await page.$('.tl-strip');
    const box = await strip.boundingBox();
    const w =
        await strip.evaluate((e) => ({from : Number(e.dataset.from), to : Number(e.dataset.to)}));
    const from = w.from, len = w.to - w.from;
    assert.ok(us > from && us < w.to, `${us} is not in the strip's window ${JSON.stringify(w)}`);
    const x = Math.round(box.x + box.width * (us - from) / len);
    await page.mouse.click(x, box.y + box.height / 2);
    return from + (x - box.x) / box.width * len;
}

/* The span the driver writes to P.span_file (renamed into place, so read whole). */
async function spanOf()
{
    const until = Date.now() + 200000;
    for (;;) {
        if (fs.existsSync(P.span_file))
            return JSON.parse(fs.readFileSync(P.span_file, 'utf8'));
        assert.ok(Date.now() < until, `no recorded span in ${P.span_file} after 200 s`);
        await new Promise((ok) => setTimeout(ok, 250));
    }
}

async function main()
{
    await step('the timeline words have the same keys in Japanese and English',
               async () => H.sameKeys(H.wordTables(['i18n_timeline.js'], 'edge/www/static')));
    const browser = await H.launch();
    const desk = await H.consoleContext(browser);
    const page = await desk.newPage();
    watch(page, 'desktop');
    H.show(page);

    await step('log in with password and TOTP', async () => {
        await H.consoleFirstLogin(page, P.person, P.password, P.secret);
    });

    await step('the strip shows the gap where the camera was cut, with its cause', async () => {
        await page.click('a.view[href="#/timeline"]');
        await page.waitForSelector('.tl-strip .tl-rec');
        assert.strictEqual(await page.inputValue('#tl-day'), P.day);
        const gaps = await page.$$eval(
            '.tl-strip .tl-gap[data-cause=camera]',
            (els) => els.map((e) => ({left : parseFloat(e.style.left), title : e.title})));
        const from = Date.parse(P.day + 'T00:00:00+09:00') * 1000;
        const want = (P.gap.start_us - from) / (86400 * 1e6) * 100;
        const g = gaps.find((x) => Math.abs(x.left - want) < 0.01);
        assert.ok(g, `no camera gap at ${want}%: ${JSON.stringify(gaps)}`);
        assert.ok(g.title.includes('カメラとの接続が切れた'), g.title);
        assert.ok(/\d\d:\d\d:\d\d ～ \d\d:\d\d:\d\d/.test(g.title), g.title);
        await H.shot(page, 'console-timeline-desktop');
    });

    await step(
        'zoomed to an hour around the last recording, the gap is wider and ticks every 10 min',
        async () => {
            const width = () => page.$eval('.tl-strip .tl-gap[data-cause=camera]',
                                           (e) => parseFloat(e.style.width));
            const day = await width();
            await page.selectOption('#tl-zoom', '2');
            const w =
                await page.$eval('.tl-strip', (e) => Number(e.dataset.to) - Number(e.dataset.from));
            assert.strictEqual(w, 3600e6);
            const hour = await width();
            assert.ok(hour > day * 3, `the gap is ${hour}% of an hour, ${day}% of a day`);
            const labels = await page.$eval(
                '.tl-strip',
                (e) => [...e.querySelectorAll('.tl-tick span')].map((x) => x.textContent));
            assert.ok(labels.length >= 5 && labels.every((x) => /^\d\d:\d0$/.test(x)),
                      JSON.stringify(labels));
            await page.click('#tl-pan-back');
            await page.click('#tl-pan-fwd');
        });

    let span = null;
    await step('40 s recorded after the gap (the driver says when)',
               async () => { span = await spanOf(); });

    let clicked = 0;
    await step(
        'clicking a time plays that time: the video advances, the overlay says when', async () => {
            /* a quarter in: 1x, then 8x (16 s of footage in 2 s) stay inside the span */
            const mid = span.start_us + (span.end_us - span.start_us) * 0.25;
            clicked = await clickAt(page, mid);
            await page.waitForFunction(() => {
                const v = document.querySelector('.tl-video');
                return v && v.currentTime > 1.5;
            }, null, {timeout : 20000});
            const at = await footage(page);
            assert.ok(at && Math.abs(at - clicked) < 6e6,
                      `footage ${at} is not near the time clicked ${clicked}`);
            const overlay = await page.$eval('.tl-overlay', (o) => {
                const a = o.getBoundingClientRect(),
                      b = o.parentNode.querySelector('video').getBoundingClientRect();
                return {
                    inside : a.top >= b.top && a.bottom <= b.bottom + 1 && a.left >= b.left - 1,
                    text : o.textContent
                };
            });
            assert.ok(overlay.inside && overlay.text.includes('閲覧者：管理 太郎'),
                      JSON.stringify(overlay));
            const v = await page.$eval(
                '.tl-video', (e) => ({
                                 controls : e.controls,
                                 list : e.getAttribute('controlslist'),
                                 pip : e.disablePictureInPicture,
                                 downloads : document.querySelectorAll('a[download]').length
                             }));
            assert.deepStrictEqual(v, {
                controls : false,
                list : 'nodownload noremoteplayback noplaybackrate',
                pip : true,
                downloads : 0
            });
            const t1 = await page.$eval('.tl-video', (e) => e.currentTime);
            await new Promise((ok) => setTimeout(ok, 1500));
            const t2 = await page.$eval('.tl-video', (e) => e.currentTime);
            assert.ok(t2 - t1 > 0.8, `the video advanced ${t2 - t1} s in 1.5 s`);
            await H.shot(page, 'console-timeline-playing-desktop');
        });

    await step('8x advances about 8 times as fast', async () => {
        await page.click('.tl-speed[data-speed="8"]');
        await page.waitForFunction(() => {
            const v = document.querySelector('.tl-video');
            return v && v.currentTime > 0.5;
        }, null, {timeout : 20000});
        const a = await footage(page);
        const w0 = Date.now();
        await new Promise((ok) => setTimeout(ok, 2000));
        const b = await footage(page);
        const rate = (b - a) / 1000 / (Date.now() - w0);
        assert.ok(rate > 5 && rate < 10, `8x advanced ${rate.toFixed(1)} times real time`);
        H.say(`8x: ${rate.toFixed(1)} times real time`);
    });

    await step('paused, one frame forward', async () => {
        await page.click('#tl-play');
        const a = await page.$eval('.tl-video', (e) => e.currentTime);
        await page.click('#tl-step-fwd');
        const b = await page.$eval('.tl-video', (e) => e.currentTime);
        assert.ok(b > a && b - a < 0.5, `a frame step went from ${a} to ${b}`);
    });

    await step(
        'two cameras side by side from one click; their speeds together at most 8x', async () => {
            await page.check('#tl-cams input[value=cam2]');
            await page.waitForFunction(() => document.querySelectorAll('.tl-strip').length === 2 &&
                                             document.querySelectorAll('.tl-video').length === 2);
            assert.ok(await page.isDisabled('.tl-speed[data-speed="8"]'),
                      '8x offered for two cameras');
            assert.ok(!(await page.isDisabled('.tl-speed[data-speed="4"]')), '4x not offered');
            assert.ok(await page.$('.tl-speed.current[data-speed="4"]'),
                      'the speed did not come down to 4x');
            const mid = span.start_us + (span.end_us - span.start_us) * 0.5;
            const at = await clickAt(page, mid);
            await page.waitForFunction(
                () => [...document.querySelectorAll('.tl-video')].every((v) => v.currentTime > 1),
                null, {timeout : 20000});
            const times =
                (await page.$$eval('.tl-ftime', (els) => els.map((e) => e.textContent))).map(jstUs);
            assert.ok(times.every((x) => x && Math.abs(x - at) < 6e6),
                      `the cameras show ${times} for ${at}`);
            await H.shot(page, 'console-timeline-two-desktop');
        });

    await step('the phone layout', async () => {
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
        await page.goto(P.base + '/#/'); /* the desktop's viewing ends */
        await p2.goto(P.base + '/#/timeline');
        await p2.waitForSelector('.tl-strip .tl-rec');
        const wide = await p2.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 390, `the page is ${wide} px wide`);
        await H.shot(p2, 'console-timeline-phone', {fullPage : true});
    });

    await step('no script error and no CSP violation', async () => H.noProblems());
    await browser.close();
}

H.run(main);
