/*
 * i18n.js: every word the site console shows, one table per language — Japanese first, English
 * as the switch, as the hub's dashboard does (hub/www/static/i18n.js). The choice is kept in
 * localStorage ("mm.console.lang"). t(key, vars) fills {name} placeholders; a key missing from a
 * table falls back to the other language, then to the key itself (the browser test checks that
 * both tables have the same keys). A page added later keeps its words in a file of its own
 * (i18n_<feature>.js) that calls mmI18n.extend.
 */
'use strict';
(function() {
const ja = {
    'app.brand' : '見守り',
    'app.title' : '拠点コンソール',
    'nav.home' : 'ホーム',
    'nav.logout' : 'ログアウト',
    'nav.lang' : 'English',
    'nav.lang_label' : '表示言語を英語に切り替える',
    'nav.who' : '{name}（{role}）',

    'login.title' : 'ログイン',
    'login.lead' : '拠点の管理者から受け取った利用者IDとパスワードを入力してください。',
    'login.person' : '利用者ID',
    'login.password' : 'パスワード',
    'login.next' : '次へ',
    'login.wrong' : '利用者IDまたはパスワードが違います',
    'login.locked' : 'アカウントがロックされています。管理者に解除を依頼してください',
    'login.busy' : '混み合っています。少し待ってからもう一度お試しください',
    'login.expired' : 'セッションの有効期限が切れました。もう一度ログインしてください',
    'login.logged_out' : 'ログアウトしました',
    'login.failed' : 'ログインできませんでした（{code}）',
    'code.title' : '確認コード',
    'code.lead' : '認証アプリに表示されている6桁のコードを入力してください。',
    'code.code' : '確認コード',
    'code.submit' : 'ログイン',
    'code.wrong' : 'コードが違うか、有効期限が切れています',
    'enrol.title' : '二要素認証の登録',
    'enrol.lead' :
        '認証アプリ（Google Authenticator など）でこのQRコードを読み取り、表示された6桁のコードを入力してください。',
    'enrol.secret' : '手入力する場合の秘密鍵:',
    'enrol.submit' : '登録してログイン',
    'enrol.qr_alt' : '認証アプリに登録するQRコード',

    'home.title' : '拠点の状況',
    'home.site' : '拠点',
    'home.installer' : '設置者',
    'home.zone' : 'タイムゾーン',
    'home.policy' : '適用される規則',
    'home.retention' : '保存期間',
    'home.retention_v' : '{d}日（下限 {f}日、届出 {r}日）',
    'home.cameras' : 'カメラ',
    'home.cameras_v' : '録画中 {r}台・停止中 {s}台・廃止 {a}台',
    'home.log' : '拠点ログ',
    'home.log_v' : '{n}件（市の確認済み {a}件）',
    'home.standards' : '運用基準',
    'home.standards_v' : '第{v}版（{d}）・市への届出 第{f}版',
    'home.city' : '市からの依頼',
    'home.count' : '{n}件',
    'home.notices' : '未確認の市からのお知らせ',
    'home.disclosures' : '判断待ちの開示請求',
    'home.emergency' : '未提出の緊急時報告',
    'home.you' : 'あなた',
    'home.you_v' : '{name}（{role}）',
    'home.as_of' : '{t} 現在',
    'home.cert' : 'コンソールの証明書（SHA-256）',
    'home.loading' : '読み込み中…',
    'home.error' : '状況を読み込めませんでした（{code}）',
    'policy.kawaguchi' : '川口市 防犯カメラ設置運用ガイドライン',
    'policy.naha' : '那覇市 防犯カメラ条例',
    'role.manager' : '管理責任者',
    'role.operator' : '操作担当者',
    'role.emergency' : '緊急時の許可を受けた人',
    'role.none' : '権限なし',
};
const en = {
    'app.brand' : 'mimamori',
    'app.title' : 'Site console',
    'nav.home' : 'Home',
    'nav.logout' : 'Log out',
    'nav.lang' : '日本語',
    'nav.lang_label' : 'Switch the language to Japanese',
    'nav.who' : '{name} ({role})',

    'login.title' : 'Log in',
    'login.lead' : "Enter the person ID and password the site's manager gave you.",
    'login.person' : 'Person ID',
    'login.password' : 'Password',
    'login.next' : 'Next',
    'login.wrong' : 'The person ID or the password is wrong',
    'login.locked' : 'The account is locked. Ask the manager to unlock it',
    'login.busy' : 'Busy. Wait a moment and try again',
    'login.expired' : 'The session has expired. Log in again',
    'login.logged_out' : 'You have logged out',
    'login.failed' : 'Could not log in ({code})',
    'code.title' : 'Verification code',
    'code.lead' : 'Enter the six-digit code your authenticator app shows.',
    'code.code' : 'Code',
    'code.submit' : 'Log in',
    'code.wrong' : 'The code is wrong or has expired',
    'enrol.title' : 'Set up two-factor authentication',
    'enrol.lead' :
        'Scan this QR code with an authenticator app (Google Authenticator or another), then enter the six-digit code it shows.',
    'enrol.secret' : 'Secret to type in by hand:',
    'enrol.submit' : 'Set up and log in',
    'enrol.qr_alt' : 'QR code to add to an authenticator app',

    'home.title' : 'Site status',
    'home.site' : 'Site',
    'home.installer' : 'Installer',
    'home.zone' : 'Time zone',
    'home.policy' : 'Rules that apply',
    'home.retention' : 'Retention',
    'home.retention_v' : '{d} days (floor {f}, registered {r})',
    'home.cameras' : 'Cameras',
    'home.cameras_v' : '{r} recording, {s} suspended, {a} abolished',
    'home.log' : 'Site log',
    'home.log_v' : '{n} entries ({a} acknowledged by the city)',
    'home.standards' : 'Standards',
    'home.standards_v' : 'version {v} ({d}); version {f} filed with the city',
    'home.city' : 'Requests from the city',
    'home.count' : '{n}',
    'home.notices' : 'City notices not yet acknowledged',
    'home.disclosures' : 'Disclosure requests waiting',
    'home.emergency' : 'Emergency reports not yet filed',
    'home.you' : 'You',
    'home.you_v' : '{name} ({role})',
    'home.as_of' : 'as of {t}',
    'home.cert' : "The console's certificate (SHA-256)",
    'home.loading' : 'Loading…',
    'home.error' : 'Could not load the status ({code})',
    'policy.kawaguchi' : 'Kawaguchi security camera guideline',
    'policy.naha' : 'Naha security camera ordinance',
    'role.manager' : 'Manager',
    'role.operator' : 'Operator',
    'role.emergency' : 'Emergency holder',
    'role.none' : 'No role',
};

const tables = {
    ja,
    en
};
let lang = 'ja';
try {
    const saved = window.localStorage.getItem('mm.console.lang');
    if (saved === 'en' || saved === 'ja')
        lang = saved;
} catch (e) {
    /* storage refused: Japanese */
}

function t(key, vars)
{
    let s = tables[lang][key];
    if (s === undefined)
        s = tables[lang === 'ja' ? 'en' : 'ja'][key];
    if (s === undefined)
        return key;
    if (vars)
        s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
    return s;
}

function setLang(l)
{
    lang = l === 'en' ? 'en' : 'ja';
    try {
        window.localStorage.setItem('mm.console.lang', lang);
    } catch (e) {
        /* not remembered */
    }
    document.documentElement.lang = lang;
}

/* A feature's own words, from its own file (i18n_<feature>.js, loaded after this one). */
function extend(jaWords, enWords)
{
    Object.assign(ja, jaWords);
    Object.assign(en, enWords);
}

window.mmI18n = {
    t,
    setLang,
    lang : () => lang,
    tables,
    extend
};
document.documentElement.lang = lang;
})();
