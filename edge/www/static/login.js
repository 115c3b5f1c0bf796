/*
 * login.js: the login page — the person's ID and password (POST /api/login), then either the
 * code from their authenticator app (POST /api/login/code) or, at the first login, the
 * enrolment of one: the QR code (GET /api/enrol/qr.svg) and its secret (GET /api/enrol), and a
 * code to confirm it (POST /api/enrol). Then to the home page.
 */
'use strict';
(function() {
const {t, api, setCsrf, errorCode} = window.mm;
const $ = (id) => document.getElementById(id);
let lastMessage = null;

function say(key, vars)
{
    lastMessage = key ? [ key, vars ] : null;
    $('message').hidden = !key;
    $('message').textContent = key ? t(key, vars) : '';
}

function show(step)
{
    for (const id of ['step-password', 'step-code', 'step-enrol'])
        $(id).hidden = id !== step;
    const first = $(step).querySelector('input');
    if (first)
        first.focus();
}

function failure(res, wrongKey)
{
    const code = errorCode(res);
    if (code === 'locked')
        say('login.locked');
    else if (code === 'busy')
        say('login.busy');
    else if (code === 'wrong' || code === 'wrong_code')
        say(wrongKey);
    else if (code === 'expired' || code === 'no_session') {
        say('login.expired');
        show('step-password');
    } else
        say('login.failed', {code});
}

async function enrol()
{
    const res = await api('GET', '/api/enrol');
    if (res.status !== 200)
        return failure(res, 'login.wrong');
    $('secret').textContent = res.body.secret;
    $('qr').src = '/api/enrol/qr.svg';
    $('qr').alt = t('enrol.qr_alt');
    show('step-enrol');
}

async function next(res, wrongKey)
{
    if (res.status !== 200)
        return failure(res, wrongKey);
    say(null);
    setCsrf(res.body.csrf);
    if (res.body.next === 'home')
        location.href = '/';
    else if (res.body.next === 'enrol')
        await enrol();
    else
        show('step-code');
}

$('step-password').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const res = await api('POST', '/api/login',
                          {person : $('person').value, password : $('password').value});
    $('password').value = '';
    await next(res, 'login.wrong');
});
$('step-code').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const res = await api('POST', '/api/login/code', {code : $('code').value});
    $('code').value = '';
    await next(res, 'code.wrong');
});
$('step-enrol').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const res = await api('POST', '/api/enrol', {code : $('enrol-code').value});
    $('enrol-code').value = '';
    await next(res, 'code.wrong');
});

window.mm.langButton(() => {
    if (lastMessage)
        say(lastMessage[0], lastMessage[1]);
    if (!$('step-enrol').hidden)
        $('qr').alt = t('enrol.qr_alt');
});
const why = location.hash.replace(/^#/, '');
if (why === 'logged_out')
    say('login.logged_out');
else if (why === 'expired')
    say('login.expired');
show('step-password');
})();
