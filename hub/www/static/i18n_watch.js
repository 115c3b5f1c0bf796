/*
 * i18n_watch.js: the words of the findings the hub raises with its own clock and data
 * (hub/rules_watch.h; watch.js builds their Japanese sentences) — Japanese first, English behind
 * the switch, where a finding reads as the hub wrote it ("{message}").
 */
'use strict';
window.mmI18n.extend({
    'fkind2.clock_skew' : '拠点の時計のずれ',
    'fkind2.erased_early' : '保存期間内の映像の消去',
    'fkind2.viewing_volume' : '基準を超える閲覧',
    'fkind2.night_viewing' : '夜間の閲覧',
    'fkind2.camera_suspended_long' : '長期の休止',
    'fkind2.camera_count_unfiled' : 'カメラ台数の変更が未届',
    'fkind2.signage_check_old' : '表示の確認が古い',
    'fmsg.clock_skew_ahead' :
        '記録 #{index} までを受け取った時点（{measured}）で、拠点の時計はハブの時計より{bound}{span}進んでいました。拠点は自らの時計で映像の保存期間を数え、消去します。',
    'fmsg.clock_skew_behind' :
        '記録 #{index} までを受け取った時点（{measured}）で、拠点の時計はハブの時計より{bound}{span}遅れていました。拠点は自らの時計で映像の保存期間を数え、消去します。',
    'fmsg.clock_skew_bound' : '少なくとも',
    'fmsg.erased_early' :
        'カメラ {camera} について {day} にハブへ届いた消去の記録 {count}件で、映像は保存期間（{days}日）が終わる最大 {span} 前に消去されていました（ハブの時計による判定）。',
    'fmsg.viewing_volume' :
        '{person} は {day} に映像を {viewings}回、計 {hours}時間分閲覧しました。市の基準は1人1日 {max}回・{max_hours}時間までです。',
    'fmsg.night_viewing' :
        '{person} は {day} の夜間（拠点の時刻で {from}時〜{to}時）に映像の閲覧を {night}回始めました。この拠点は夜間に人がいないとしています。',
    'fmsg.camera_suspended_long' :
        'カメラ {camera} は {since} から {days}日間休止しています。市の定める {max}日を超えています。',
    'fmsg.camera_count_unfiled' :
        '拠点は {cameras}台のカメラで運用していますが、最後に届け出た運用規程（第{version}版）は {filed}台で、その後の届出がありません。',
    'fmsg.signage_check_old' :
        'カメラ {camera} の表示の最終確認は {checked}（{days}日前）です。市は {max}日以内ごとの確認を求めています。',
    'span.dh' : '{d}日{h}時間',
    'span.hm' : '{h}時間{m}分',
    'span.ms' : '{m}分{s}秒',
},
                     {
                         'fkind2.clock_skew' : 'Site clock off the hub\'s',
                         'fkind2.erased_early' : 'Footage erased before its retention ended',
                         'fkind2.viewing_volume' : 'Viewing above the city\'s bound',
                         'fkind2.night_viewing' : 'Viewing at night',
                         'fkind2.camera_suspended_long' : 'Camera suspended too long',
                         'fkind2.camera_count_unfiled' : 'Camera count changed without a filing',
                         'fkind2.signage_check_old' : 'Sign check out of date',
                         'fmsg.clock_skew_ahead' : '{message}',
                         'fmsg.clock_skew_behind' : '{message}',
                         'fmsg.clock_skew_bound' : 'at least ',
                         'fmsg.erased_early' : '{message}',
                         'fmsg.viewing_volume' : '{message}',
                         'fmsg.night_viewing' : '{message}',
                         'fmsg.camera_suspended_long' : '{message}',
                         'fmsg.camera_count_unfiled' : '{message}',
                         'fmsg.signage_check_old' : '{message}',
                         'span.dh' : '{d} d {h} h',
                         'span.hm' : '{h} h {m} min',
                         'span.ms' : '{m} min {s} s',
                     });
