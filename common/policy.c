/*
 * policy.c: the table of what each policy's text says (see policy.h).
 *
 * One designated-initializer row per policy, indexed by the policy: a policy added to
 * MM_POLICY_MAP without a row here has a zeroed row, which the lookups treat as none (no bases
 * admitted, no floor, the strictest filing). Clauses are cited as the texts number them: the
 * Kawaguchi standard in 第N、its numbered paragraphs and (n) items with ア, イ ...; the Naha
 * ordinance in 第N条第n号 with its items ア, イ, ウ (the stored copy of the ordinance has lost the
 * katakana item markers of 第7条第4号; they are ア, イ, ウ in the order it lists them); the
 * personal-information law (APPI) in its articles as amended in 2021 (第69条 利用及び提供の制限,
 * 第76条 開示請求権).
 */
#include "common/policy.h"

static const mm_policy_rules_t rows[MM_POLICY_COUNT] = {
    [MM_POLICY_KAWAGUCHI] =
        {
            .policy = MM_POLICY_KAWAGUCHI,
            .title = MM_TEXT_KAWAGUCHI,
            .text = MM_TEXT_KAWAGUCHI,
            .scope = "第2の1(2)",
            .why = "設置者は、市又は市の補助金の交付を受けて防犯カメラを設置する者であり、基準 "
                   "第2の1(2)の設置者に当たるため、この基準を適用する。",
            .bases_text = MM_TEXT_KAWAGUCHI,
            .other_use = "第2の2(5)",
            .bases = {{MM_LEGAL_BASIS_EMERGENCY, "第2の2(5)ア",
                       "市民等の生命、身体及び財産に対する差し迫った危機があり、又は災害などの"
                       "被害状況の情報提供などの緊急性がある場合"},
                      {MM_LEGAL_BASIS_LAW, "第2の2(5)イ",
                       "裁判所が発行する令状又は捜査機関からの照会等、法令に基づく手続きにより"
                       "照会等を受けた場合"},
                      {MM_LEGAL_BASIS_OWN_IMAGES, "第3",
                       "本人から自己の画像の開示を求められた場合（画像（個人情報）の取扱いは"
                       "個人情報の保護に関する法律による）"}},
            .retention = MM_RETENTION_FROM_TEXT,
            .floor_days = 7,
            .retention_clause = "第2の2(6)イ",
            .retention_words = "画像の保存期間は、おおむね7日間以上とする。ただし、法令に基づく"
                               "手続きにより照会等を受けた場合は、それに必要な期間とする。",
            .filing = MM_FILING_DUTY,
            .filing_clause = "第2の2(7)",
            .share_rule = 1,
            .consensus_required = 1,
            .doc = MM_DOC_RULES,
            .doc_title = "防犯カメラの管理・運用に関する規程",
            .doc_basis = "（川口市防犯カメラの設置及び運用に関する基準 第2の2(7)に基づく規程）",
            .op_term = "運用従事者",
        },
    [MM_POLICY_NAHA] =
        {
            .policy = MM_POLICY_NAHA,
            .title = MM_TEXT_NAHA,
            .text = MM_TEXT_NAHA,
            .scope = "第4条第1項",
            .why = "設置者は、条例 第4条第1項各号に掲げるもので、公共の場所に向けて防犯カメラを"
                   "設置するものに当たるため、この条例を適用する。",
            .bases_text = MM_TEXT_NAHA,
            .other_use = "第7条第4号",
            .bases = {{MM_LEGAL_BASIS_CONSENT, "第7条第4号ア",
                       "画像等から識別される特定の個人（本人）の同意があるとき"},
                      {MM_LEGAL_BASIS_LAW, "第7条第4号イ", "法令又は条例に定めがあるとき"},
                      {MM_LEGAL_BASIS_EMERGENCY, "第7条第4号ウ",
                       "市民等の生命、身体又は財産を保護するため、緊急かつやむを得ないと認め"
                       "られるとき"},
                      {MM_LEGAL_BASIS_OWN_IMAGES, "第8条",
                       "本人から自己の画像等の開示を求められたとき（開示するよう努める）。"}},
            .retention = MM_RETENTION_FROM_CITY_RULE,
            .floor_days = 0,
            .retention_clause = "第7条第5号",
            .retention_words = "画像等について、規則で定めるところにより保管期間を定め、当該保管"
                               "期間を経過したものは、速やかに破棄、消去又は記録媒体の破砕等に"
                               "より復元することができないようにすること。",
            .filing = MM_FILING_DUTY,
            .filing_clause = "第4条第2項",
            .share_rule = 0,
            .consensus_required = 0,
            .doc = MM_DOC_STANDARDS,
            .doc_title = "防犯カメラ設置運用基準",
            .doc_basis = "（那覇市防犯カメラの設置及び運用に関する条例 第4条に基づく設置運用基準）",
            .op_term = "操作担当者",
        },
    [MM_POLICY_CITY] =
        {
            .policy = MM_POLICY_CITY,
            .title = "市が設置した防犯カメラの取扱い",
            .text = MM_TEXT_NAHA,
            .scope = "第9条",
            .why = "本サイトの防犯カメラは市が設置したものであり、その画像等の取扱いは、条例 第9条"
                   "により、第7条及び第8条の規定にかかわらず、個人情報の保護に関する法律及び那覇市"
                   "個人情報の保護に関する法律施行条例に定めるところによるため、これを適用する。",
            .bases_text = MM_TEXT_APPI,
            .other_use = "第69条",
            .bases = {{MM_LEGAL_BASIS_LAW, "第69条第1項", "法令に基づく場合"},
                      {MM_LEGAL_BASIS_CONSENT, "第69条第2項第1号",
                       "本人の同意があるとき、又は本人に提供するとき"},
                      {MM_LEGAL_BASIS_EMERGENCY, "第69条第2項第4号",
                       "本人以外の者に提供することが明らかに本人の利益になるとき、その他保有個人"
                       "情報を提供することについて特別の理由があるとき"},
                      {MM_LEGAL_BASIS_OWN_IMAGES, "第76条第1項",
                       "自己を本人とする保有個人情報の開示を請求されたとき"}},
            .retention = MM_RETENTION_FROM_CITY_RULE,
            .floor_days = 0,
            .retention_clause = "第9条",
            .retention_words = "市が設置した防犯カメラの画像等の取扱いは、個人情報の保護に関する"
                               "法律等に定めるところによる。保存期間は市の定めによる。",
            .filing = MM_FILING_NONE,
            .filing_clause = "第9条",
            .share_rule = 0,
            .consensus_required = 0,
            .doc = MM_DOC_STANDARDS,
            .doc_title = "防犯カメラの管理及び運用に関する規程",
            .doc_basis = "（市が設置した防犯カメラについて、那覇市防犯カメラの設置及び運用に関する"
                         "条例 第9条により個人情報の保護に関する法律に従って定める規程）",
            .op_term = "操作担当者",
        },
    [MM_POLICY_VOLUNTARY] =
        {
            .policy = MM_POLICY_VOLUNTARY,
            .title = "基準の趣旨にのっとる自主的な設置",
            .text = MM_TEXT_KAWAGUCHI,
            .scope = "第4",
            .why = "設置者又は設置場所は基準が規定するもの（第2の1(2)）に当たらないが、基準 第4に"
                   "より、この基準の趣旨にのっとり、個人のプライバシーの保護に配慮し、市民の人権を"
                   "侵害しないよう努めるため、その趣旨を適用する。市への届出の義務はなく、届出は"
                   "通知として行う。",
            .bases_text = MM_TEXT_KAWAGUCHI,
            .other_use = "第4（第2の2(5)の趣旨）",
            .bases = {{MM_LEGAL_BASIS_EMERGENCY, "第4（第2の2(5)アの趣旨）",
                       "市民等の生命、身体及び財産に対する差し迫った危機があり、又は災害などの"
                       "被害状況の情報提供などの緊急性がある場合"},
                      {MM_LEGAL_BASIS_LAW, "第4（第2の2(5)イの趣旨）",
                       "裁判所が発行する令状又は捜査機関からの照会等、法令に基づく手続きにより"
                       "照会等を受けた場合"},
                      {MM_LEGAL_BASIS_OWN_IMAGES, "第4（第3の趣旨）",
                       "本人から自己の画像の開示を求められた場合（個人情報の保護に関する法律の"
                       "趣旨による）"}},
            .retention = MM_RETENTION_FROM_TEXT,
            .floor_days = 7,
            .retention_clause = "第4（第2の2(6)イの趣旨）",
            .retention_words =
                "画像の保存期間は、おおむね7日間以上とする（基準の趣旨にのっとる）。",
            .filing = MM_FILING_NOTICE,
            .filing_clause = "第4",
            .share_rule = 0,
            .consensus_required = 0,
            .doc = MM_DOC_RULES,
            .doc_title = "防犯カメラの管理・運用に関する規程",
            .doc_basis =
                "（川口市防犯カメラの設置及び運用に関する基準 第4により、その趣旨にのっとり"
                "定める規程）",
            .op_term = "運用従事者",
        },
};

const mm_policy_rules_t *mm_policy_rules(mm_policy_t p)
{
    if ((int)p < 0 || p >= MM_POLICY_COUNT || !rows[p].text)
        return NULL;
    return &rows[p];
}

int mm_policy_floor_days(mm_policy_t p)
{
    const mm_policy_rules_t *r = mm_policy_rules(p);
    if (!r)
        return -1;
    return r->retention == MM_RETENTION_FROM_TEXT ? r->floor_days : 0;
}

int mm_policy_city_rule(mm_policy_t p)
{
    const mm_policy_rules_t *r = mm_policy_rules(p);
    return r && r->retention == MM_RETENTION_FROM_CITY_RULE;
}

mm_filing_t mm_policy_filing(mm_policy_t p)
{
    const mm_policy_rules_t *r = mm_policy_rules(p);
    return r ? r->filing : MM_FILING_DUTY;
}

double mm_policy_share_threshold(mm_policy_t p, int exception)
{
    const mm_policy_rules_t *r = mm_policy_rules(p);
    if (!r || !r->share_rule)
        return 0;
    return exception ? 1.0 / 2.0 : 2.0 / 3.0;
}

int mm_policy_consensus_required(mm_policy_t p)
{
    const mm_policy_rules_t *r = mm_policy_rules(p);
    return r && r->consensus_required;
}

const mm_basis_clause_t *mm_policy_basis(mm_policy_t p, mm_legal_basis_t basis)
{
    const mm_policy_rules_t *r = mm_policy_rules(p);
    if (!r || basis == MM_LEGAL_BASIS_NONE)
        return NULL;
    for (size_t i = 0; i < MM_LEGAL_BASIS_COUNT && r->bases[i].basis != MM_LEGAL_BASIS_NONE; i++)
        if (r->bases[i].basis == basis)
            return &r->bases[i];
    return NULL;
}

_Static_assert(MM_POLICY_COUNT == 4, "mm_policy_names lists every policy");

const char *mm_policy_names(void)
{
    return "\"kawaguchi\", \"naha\", \"city\" or \"voluntary\"";
}
