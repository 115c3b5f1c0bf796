/*
 * console_work.test.js: the site's work in the site console, in headless Chromium driven by
 * playwright-core, against the edge test_console_work.py started (parameters in $MM_BROWSER as
 * JSON: base, manager, manager_pw, manager_secret, operator, operator_pw, operator_secret, site,
 * request — the own-images disclosure request the driver filed through the hub).
 *
 * TOTP codes are computed here (RFC 6238, HMAC-SHA-1 with node's crypto). The console's
 * certificate is one the edge made itself: the contexts ignore HTTPS errors (the driver pinned it).
 */
'use strict';
const assert = require('assert');
const H = require('./harness')('console_work');
const {P, step, watch} = H;

/* A new context logged in as person (password, then the TOTP enrolment of a first login). */
async function login(browser, person, password, secret, viewport)
{
    const ctx = await H.consoleContext(browser, viewport);
    const page = await ctx.newPage();
    watch(page, person);
    H.show(page);
    await H.consoleFirstLogin(page, person, password, secret);
    return {ctx, page};
}

async function go(page, view, ready)
{
    await page.goto(P.base + '/#/' + view);
    await page.waitForSelector(ready);
}

/* Submits form id and waits for its answer (the form's message, or the page repainted). */
async function submit(page, id)
{
    await page.click(`#${id}-go`);
}

async function roleOf(page, person)
{
    return page.$eval('#people-list', (t, p) => {
        for (const tr of t.querySelectorAll('tbody tr'))
            if (tr.cells[0].textContent === p)
                return tr.cells[2].textContent;
        return null;
    }, person);
}

async function main()
{
    await step('the work pages\' words have the same keys in Japanese and English',
               async () => H.sameKeys(H.wordTables(['i18n_work.js'], 'edge/www/static')));
    const browser = await H.launch();
    let mgr;
    await step('the manager logs in with password and TOTP and sees every page', async () => {
        mgr = await login(browser, P.manager, P.manager_pw, P.manager_secret);
        for (const v of ['people', 'cameras', 'disclosures', 'holds', 'complaints', 'city',
                         'standards'])
            assert.strictEqual(await mgr.page.locator(`a.view[href="#/${v}"]`).count(), 1, v);
    });
    const page = () => mgr.page;

    await step('a time field at second :00 keeps the exact time it was given', async () => {
        /* Chromium writes a datetime-local value without seconds when they are :00; the form
         * must still hand back the request's exact microseconds, not the whole second. */
        const got = await page().evaluate(() => {
            const w = window.mmWork;
            const us = w.localToUs('2026-12-07T23:44:00') + 123456;
            const el = document.createElement('input');
            el.type = 'datetime-local';
            el.step = '1';
            el.value = w.usToLocal(us);
            const other = w.localToUs('2026-12-07T23:44:01') + 5;
            return {shown : el.value, us, back : w.exactUs(el.value, us),
                    moved : w.exactUs('2026-12-07T23:44:02', other)};
        });
        assert.strictEqual(got.back, got.us, JSON.stringify(got));
        assert.strictEqual(got.moved % 1000000, 0, 'a field moved by hand is read as it says');
    });

    await step('people: designate an operator, then revoke them, with reasons', async () => {
        await go(page(), 'people', '#people-list');
        await page().selectOption('#f-role-person', 'tanaka');
        await page().selectOption('#f-role-do', 'operator_designate');
        await page().fill('#f-role-reason', '夜間の見回りを担当');
        await submit(page(), 'f-role');
        await page().waitForFunction(() => {
            const t = document.querySelector('#people-list');
            return t && t.textContent.includes('tanaka') &&
                   [...t.querySelectorAll('tr')].some((r) => r.textContent.includes('tanaka') &&
                                                             r.textContent.includes('操作担当者'));
        });
        await page().selectOption('#f-role-person', 'tanaka');
        await page().selectOption('#f-role-do', 'operator_revoke');
        await page().fill('#f-role-reason', '担当の終了');
        await submit(page(), 'f-role');
        await page().waitForFunction(() => [...document.querySelectorAll('#people-list tr')].some(
            (r) => r.textContent.includes('tanaka') && r.textContent.includes('権限なし')));
        assert.strictEqual(await roleOf(page(), 'tanaka'), '権限なし');
        await H.shot(page(), 'console_work-people-desktop', {fullPage : true});
    });

    await step('a refused change names what is wrong: the manager cannot be an operator', async () => {
        await page().selectOption('#f-role-person', 'kanri');
        await page().selectOption('#f-role-do', 'operator_designate');
        await page().fill('#f-role-reason', '試し');
        await submit(page(), 'f-role');
        await page().waitForSelector('#f-role .form-msg.error');
        const msg = await page().textContent('#f-role .form-msg');
        assert.ok(msg.startsWith('受け付けられませんでした: ') && msg.length > 20, msg);
        assert.strictEqual(await roleOf(page(), 'kanri'), '管理責任者');
    });

    await step('complaints: record one', async () => {
        await go(page(), 'complaints', '#f-complaint');
        await page().selectOption('#f-complaint-channel', 'phone');
        await page().fill('#f-complaint-text', 'カメラが隣家の窓を映しているとの電話');
        await submit(page(), 'f-complaint');
        await page().waitForFunction(
            () => (document.querySelector('#complaints-list') || {textContent : ''})
                      .textContent.includes('隣家の窓'));
    });

    await step('the English switch on a work page', async () => {
        await go(page(), 'people', '#people-list');
        await page().click('#lang');
        await page().waitForFunction(() => (document.querySelector('main h1') || {}).textContent ===
                                           'The site\'s people and roles');
        await page().click('#lang');
        await page().waitForFunction(() => (document.querySelector('main h1') || {}).textContent ===
                                           '拠点の人と役割');
    });

    let op;
    await step('the operator sees no management, and the edge refuses it (403)', async () => {
        op = await login(browser, P.operator, P.operator_pw, P.operator_secret);
        for (const v of ['people', 'cameras', 'holds', 'standards'])
            assert.strictEqual(await op.page.locator(`a.view[href="#/${v}"]`).count(), 0, v);
        for (const v of ['disclosures', 'complaints', 'city'])
            assert.strictEqual(await op.page.locator(`a.view[href="#/${v}"]`).count(), 1, v);
        const st = await op.page.evaluate(async () => {
            const s = await (await fetch('/api/session')).json();
            const r = await fetch('/api/op', {
                method : 'POST',
                headers : {'X-CSRF-Token' : s.csrf, 'Content-Type' : 'application/json'},
                body : JSON.stringify({action : 'operator_designate', person : 'tanaka',
                                       reason : 'by hand'})
            });
            return r.status;
        });
        assert.strictEqual(st, 403);
    });

    await step('the operator prepares the own-images disclosure', async () => {
        await go(op.page, 'disclosures', '#disclosures-list');
        await op.page.click(`button[data-open="${P.request}"]`);
        await op.page.waitForSelector('#f-prepare');
        assert.strictEqual(await op.page.locator('#f-approve').count(), 0, 'approve shown');
        await op.page.fill('#f-prepare-text', '本人の位置を確認済み');
        await submit(op.page, 'f-prepare');
        await op.page.waitForFunction(() => document.querySelector('#disclosures-list')
                                                 .textContent.includes('準備済み'));
        await H.shot(op.page, 'console_work-operator-desktop', {fullPage : true});
    });

    await step('the manager draws the region to keep on the still frame and approves', async () => {
        H.show(page());
        await go(page(), 'disclosures', '#disclosures-list');
        await page().click(`button[data-open="${P.request}"]`);
        await page().waitForSelector('#still-canvas[data-loaded="1"]', {timeout : 20000});
        const info = await page().textContent('#still-info');
        assert.ok(info.includes('640×360') && /JST/.test(info), info);
        const c = page().locator('#still-canvas');
        await c.scrollIntoViewIfNeeded();
        const b = await c.boundingBox();
        await page().mouse.move(b.x + b.width * 0.25, b.y + b.height * 0.25);
        await page().mouse.down();
        await page().mouse.move(b.x + b.width * 0.5, b.y + b.height * 0.5, {steps : 5});
        await page().mouse.move(b.x + b.width * 0.75, b.y + b.height * 0.75, {steps : 5});
        await page().mouse.up();
        assert.strictEqual(await page().locator('#keep-list li').count(), 1);
        const keep = await page().textContent('#keep-list li code');
        assert.ok(/^cam1:0\.2\d{3},0\.2\d{3},0\.[45]\d{3},0\.[45]\d{3}$/.test(keep), keep);
        await H.shot(page(), 'console_work-draw-desktop', {fullPage : true});
        await page().fill('#f-approve-reason', '本人からの開示請求（本人確認済み）');
        await submit(page(), 'f-approve');
        await page().waitForFunction(() => document.querySelector('#disclosures-list')
                                                 .textContent.includes('承認済み') ||
                                           document.querySelector('#disclosures-list')
                                                 .textContent.includes('書き出し済み') ||
                                           document.querySelector('#disclosures-list')
                                                 .textContent.includes('送付済み'));
    });

    await step('the phone layout, without sideways scrolling', async () => {
        const phone = await browser.newContext({viewport : {width : 390, height : 844},
                                                locale : 'ja-JP', ignoreHTTPSErrors : true,
                                                isMobile : true});
        await phone.addCookies(await mgr.ctx.cookies());
        const p2 = await phone.newPage();
        watch(p2, 'phone');
        H.show(p2);
        await go(p2, 'people', '#people-list');
        let wide = await p2.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 390, `the people page is ${wide} px wide`);
        await H.shot(p2, 'console_work-people-phone', {fullPage : true});
        await go(p2, 'disclosures', '#disclosures-list');
        await p2.click(`button[data-open="${P.request}"]`);
        await p2.waitForSelector('#disclosure');
        wide = await p2.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 390, `the disclosures page is ${wide} px wide`);
        await H.shot(p2, 'console_work-disclosure-phone', {fullPage : true});
    });

    await step('no script error and no CSP violation', async () => H.noProblems());
    await browser.close();
}

H.run(main);
