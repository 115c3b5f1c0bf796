/*
 * i18n_policies.js: the words of the policies (common/policy.h) — the four policies' names, what
 * each files, where a site's retention period comes from and where it stands with the city's
 * rule (policies.js), the city_rule notice, a filing that is a notice only, the finding for a
 * retention outside the city's rule and the refusals of a basis or a decision the policy does
 * not admit — Japanese first, English behind the switch.
 */
'use strict';
window.mmI18n.extend({
  'policy.city': '市が設置した防犯カメラ（那覇市 条例 第9条・個人情報の保護に関する法律）',
  'policy.voluntary': '基準の趣旨にのっとる自主的な設置（川口市 基準 第4）',
  'pstate.noted': '通知として受領（市の判断なし）',
  'reg.filing': '市への届出',
  'filing.duty': '届出の義務あり',
  'filing.notice': '通知としての届出（義務なし）',
  'filing.none': '届出なし（市の防犯カメラ）',
  'req.kind.city_rule': '保存期間に関する市の規則の通知',
  'site.retention_source': '保存期間の定め',
  'ret.text': '{text} {clause}：{floor}日以上',
  'ret.rule': '{rule}：{range}',
  'ret.range': '{min}日以上{max}日以下',
  'ret.range_min': '{min}日以上',
  'ret.state.not_configured': '市の規則はハブに設定されていません（{text} {clause} により規則で定める）',
  'ret.state.not_sent': '送信待ち',
  'ret.state.pending': '拠点はまだ受信していません（通知 {notice}）。受信するまでは届け出た保存期間で運用します',
  'ret.state.received': '拠点が受信済み（通知 {notice}、{time}）',
  'fkind2.retention_outside_city_rule': '市の規則の範囲外の保存期間',
  'fmsg.retention_outside_city_rule': '映像の保存期間 {days}日（届出 {reg}日）は、市の規則（{rule}）が定める {range} の範囲外です。{received}',
  'fmsg.city_rule_not_received': '拠点はまだこの規則を受信していません。',
  'code.basis_not_admitted': 'この拠点に適用される基準は、この根拠による開示を認めていません。',
  'code.notice_only': 'この届出は通知であり、市は受理・返戻の判断をしません（川口市 基準 第4）。',
}, {
  'policy.city': "The city's own cameras (Naha ordinance art. 9, personal-information law)",
  'policy.voluntary': 'Voluntary, in the spirit of the Kawaguchi standard (art. 4)',
  'pstate.noted': 'noted (a notice, nothing to decide)',
  'reg.filing': 'Filing with the city',
  'filing.duty': 'required',
  'filing.notice': 'as a notice (not required)',
  'filing.none': "none (the city's own cameras)",
  'req.kind.city_rule': "the city's rule on the retention period",
  'site.retention_source': 'Retention set by',
  'ret.text': '{text} {clause}: at least {floor} days',
  'ret.rule': '{rule}: {range}',
  'ret.range': '{min} to {max} days',
  'ret.range_min': 'at least {min} days',
  'ret.state.not_configured': "no city's rule is configured at the hub ({text} {clause} leaves the period to it)",
  'ret.state.not_sent': 'waiting to be sent',
  'ret.state.pending': 'not yet received by the site (notice {notice}); it keeps its registered retention until then',
  'ret.state.received': 'received by the site (notice {notice}, {time})',
  'fkind2.retention_outside_city_rule': "retention outside the city's rule",
  'fmsg.retention_outside_city_rule': '{message}',
  'fmsg.city_rule_not_received': '',
  'code.basis_not_admitted': "The site's policy does not admit this legal basis.",
  'code.notice_only': 'This filing is a notice: the city decides nothing on it.',
});
