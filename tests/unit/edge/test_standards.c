/*
 * test_standards.c: the standards document generated from the site configuration —
 * R-K2.2.7 (Kawaguchi's 規程 with its items ア–キ), R-N4.1 (Naha's 設置運用基準 following
 * 第5条–第7条), R-N4.2 (versions and camera states for filing), R-N6.1 (the operators in force,
 * never the manager). Each document holds the configured values, escapes hostile text for its
 * format and is the same bytes every time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/config.h"
#include "edge/siteconf.h"
#include "edge/standards.h"

#define HUB_CURVE "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

static char verifier[MM_VERIFIER_MAX];

static int setup(void **state)
{
    (void)state;
    uint8_t pub[MM_ED25519_PUB_LEN] = {1, 2, 3};
    mm_note_verifier_t v;
    assert_int_equal(mm_note_verifier_make("hub", MM_NOTE_ALG_ED25519, pub, &v), MM_OK);
    assert_int_equal(mm_note_verifier_format(&v, verifier, sizeof verifier), MM_OK);
    return 0;
}

/* The site's governance (tests/unit/edge/test_governance.c tests how it loads). */
#define INSTALLER                                                                                             \
    "\"installer\":{\"name\":\"中央通り商店街振興組合\",\"address\":\"川口市中央通り1-1\"," \
    "\"contact\":\"048-000-0000\"},"
#define SITE_GOV                                                                                               \
    "\"purpose\":\"通行人の安全確保と犯罪の抑止\",\"storage_location\":\"組合事務所 2 階 " \
    "保管庫\","                                                                                             \
    "\"people\":[{\"id\":\"tanaka\",\"name\":\"田中一郎\",\"account\":\"tanaka\"},"                        \
    "{\"id\":\"suzuki\",\"name\":\"鈴木花子\",\"account\":\"suzuki\"},"                                    \
    "{\"id\":\"sato\",\"name\":\"佐藤次郎\",\"account\":\"sato\"}],"                                       \
    "\"manager\":\"tanaka\",\"operators\":[\"suzuki\",\"sato\"],"                                              \
    "\"contractors\":[{\"name\":\"中央警備保障\",\"staff\":[\"sato\"]}],"
#define CONSENT                                                                                    \
    "\"consensus\":{\"date\":\"2026-03-01\",\"note\":\"総会決議\"},"                           \
    "\"land_owner_permission\":{\"reference\":\"許可 17\",\"date\":\"2026-03-10\"},"
#define SIGN                                                                                          \
    "\"signage\":{\"text\":\"防犯カメラ作動中 設置者 中央通り商店街振興組合\"," \
    "\"installer_shown\":true,\"checked\":\"2026-04-15\"}"
#define ALL_PUBLIC                                                                                 \
    "\"coverage\":{\"areas\":[{\"kind\":\"public\",\"points\":[[0,0],[1,0],[1,1],[0,1]]}]}"
/* 55 % public, allowed under kawaguchi by the 1/2 rule's written reason. */
#define HALF_PUBLIC                                                                                \
    "\"coverage\":{\"areas\":[{\"kind\":\"public\",\"points\":[[0,0],[0.55,0],[0.55,1],[0,1]]},"   \
    "{\"kind\":\"private\",\"points\":[[0.55,0],[1,0],[1,1],[0.55,1]]}],"                          \
    "\"exception\":\"北側に店舗が接しているため\"}"
#define CAM1                                                                                            \
    "{\"id\":\"cam1\",\"url\":\"rtsp://127.0.0.1:1/a\",\"location\":\"中央通り3番地 街灯柱\"," \
    "\"purpose\":\"歩道の見守り\",\"install_date\":\"2026-04-10\"," SIGN "," ALL_PUBLIC "}"
#define CAM2                                                                                       \
    "{\"id\":\"cam2\",\"url\":\"rtsp://127.0.0.1:1/b\",\"location\":\"駅前広場 東側\","      \
    "\"purpose\":\"広場の見守り\",\"install_date\":\"2026-04-11\"," SIGN "," HALF_PUBLIC "}"

/* Parses a site configuration made of the given members; it must load without problems. */
static void load(edge_config_t *cfg, const char *policy, const char *site_members,
                 const char *cameras)
{
    char text[16384];
    snprintf(text, sizeof text,
             "{\"site\":\"site-a\",\"key_file\":\"k\",\"state_dir\":\"d\",\"policy\":\"%s\",%s"
             "\"hub\":{\"endpoint\":\"tcp://127.0.0.1:7400\",\"curve_public\":\"%s\","
             "\"verifier\":\"%s\"},\"cameras\":[%s]}",
             policy, site_members, HUB_CURVE, verifier, cameras);
    mm_conf_t *conf = NULL;
    mm_conf_load_string("/etc/mimamori/site.json", text, &conf);
    assert_non_null(conf);
    mm_err_t err = edge_config_parse(conf, cfg);
    for (size_t j = 0; j < mm_conf_problem_count(conf); j++)
        print_message("problem: %s\n", mm_conf_problem_at(conf, j));
    assert_int_equal(err, MM_OK);
    mm_conf_destroy(conf);
}

static void load_kawaguchi(edge_config_t *cfg)
{
    load(cfg, "kawaguchi",
         "\"retention_days\":10,\"registered_retention_days\":14," INSTALLER SITE_GOV CONSENT,
         CAM1 "," CAM2);
}

/* Naha: no consensus, no land owner's permission, no installer address (all optional). */
static void load_naha(edge_config_t *cfg)
{
    load(cfg, "naha",
         "\"retention_days\":3,\"registered_retention_days\":5,"
         "\"installer\":{\"name\":\"那覇市場通り会\",\"contact\":\"098-000-0000\"}," SITE_GOV,
         CAM1 "," CAM2);
}

static char *render(const edge_config_t *cfg, const edge_standards_meta_t *meta,
                    edge_doc_format_t fmt)
{
    char *doc = edge_standards_render(cfg, meta, fmt);
    assert_non_null(doc);
    return doc;
}

/* Where needle is in doc; fails naming it when it is not there. */
static const char *find(const char *doc, const char *needle)
{
    const char *at = strstr(doc, needle);
    if (!at)
        fail_msg("the document lacks \"%s\"", needle);
    return at;
}

static void lacks(const char *doc, const char *needle)
{
    if (strstr(doc, needle))
        fail_msg("the document has \"%s\"", needle);
}

/* Each heading, as the format writes a section heading, in this order. */
static void has_sections_in_order(const char *doc, edge_doc_format_t fmt,
                                  const char *const *sections)
{
    const char *prev = doc;
    for (size_t i = 0; sections[i]; i++) {
        char h[512];
        if (fmt == EDGE_DOC_HTML)
            snprintf(h, sizeof h, "<h2>%s</h2>\n", sections[i]);
        else
            snprintf(h, sizeof h, "\n## %s\n", sections[i]);
        const char *at = find(doc, h);
        if (at < prev)
            fail_msg("\"%s\" is out of order", sections[i]);
        prev = at;
    }
}

static void has_all(const char *doc, const char *const *values)
{
    for (size_t i = 0; values[i]; i++)
        find(doc, values[i]);
}

/* The values every document of the test site must show, whatever its policy. */
static const char *const common_values[] = {"site-a",
                                            "通行人の安全確保と犯罪の抑止",
                                            "中央通り3番地 街灯柱",
                                            "駅前広場 東側",
                                            "歩道の見守り",
                                            "広場の見守り",
                                            "2026-04-10",
                                            "2026-04-11",
                                            "防犯カメラ作動中 設置者 中央通り商店街振興組合",
                                            "2026-04-15",
                                            "田中一郎",
                                            "鈴木花子",
                                            "佐藤次郎",
                                            "中央警備保障",
                                            "組合事務所 2 階 保管庫",
                                            "100.0%",
                                            "55.0%",
                                            "北側に店舗が接しているため",
                                            "AES-256-GCM",
                                            "1024MB",
                                            "約10秒",
                                            NULL};

/* R-K2.2.7: the 規程 has exactly the items ア–キ of 2.2(7), each with the configured values. */
static void R_K2_2_7_kawaguchi_rules_have_items_a_to_g_with_the_configured_values(void **state)
{
    (void)state;
    static const char *const items[] = {
        "ア　防犯カメラの設置目的",
        "イ　防犯カメラの設置場所",
        "ウ　防犯カメラの管理責任者その他防犯カメラの運用に従事する者の指定",
        "エ　画像の取扱いの制限",
        "オ　画像の漏えい、滅失、毀損及び改ざんの防止",
        "カ　画像の保存期間、消去及び破棄の方法及び記録された媒体の保管方法",
        "キ　その他、防犯カメラの設置及び画像の取扱いを適正に行うために必要な事項",
        NULL};
    static const char *const values[] = {
        "防犯カメラの管理・運用に関する規程",
        "第2の2(7)",
        "中央通り商店街振興組合",
        "川口市中央通り1-1",
        "048-000-0000",
        "画像の保存期間は10日とする",
        "である7日を下回らず",
        "保存期間である14日を超えない",
        "3分の2以上",
        "2分の1以上",
        "2026-03-01",
        "総会決議",
        "許可 17",
        "2026-03-10",
        "24時間",
        "5年間",
        "管理責任者と運用従事者は別の者とする",
        "裁判所が発行する令状",
        "暗号学的消去",
        "適用する規範：川口市防犯カメラの設置及び運用に関する基準（第2の1(2)）",
        "基準 第2の1(2)の設置者に当たる",
        "ただし、次の場合を除く（基準 第2の2(5)）。",
        "照会等を受けた場合（第2の2(5)イ）",
        "緊急性がある場合（第2の2(5)ア）",
        "（基準 第2の2(6)イ）",
        "この規範が認めない根拠による開示請求を受け付けない",
        NULL};
    edge_config_t cfg;
    load_kawaguchi(&cfg);
    for (edge_doc_format_t fmt = EDGE_DOC_MARKDOWN; fmt <= EDGE_DOC_HTML; fmt++) {
        char *doc = render(&cfg, NULL, fmt);
        has_sections_in_order(doc, fmt, items);
        has_all(doc, common_values);
        has_all(doc, values);
        lacks(doc, "操作担当者");
        /* The manager and both operators, each in their role. */
        find(doc, fmt == EDGE_DOC_HTML ? "<td>管理責任者</td><td>田中一郎</td>"
                                       : "| 管理責任者 | 田中一郎 |");
        find(doc, fmt == EDGE_DOC_HTML ? "<td>運用従事者</td><td>鈴木花子</td>"
                                       : "| 運用従事者 | 鈴木花子 |");
        find(doc, fmt == EDGE_DOC_HTML ? "<td>運用従事者</td><td>佐藤次郎</td><td>sato</td>"
                                         "<td>受託者 中央警備保障</td>"
                                       : "| 運用従事者 | 佐藤次郎 | sato | 受託者 中央警備保障 |");
        /* The public share of each camera, in the camera's row. */
        find(doc, fmt == EDGE_DOC_HTML ? "<td>cam2</td><td>55.0%</td><td>2分の1以上</td>"
                                       : "| cam2 | 55.0% | 2分の1以上 |");
        free(doc);
    }
    edge_config_free(&cfg);
}

/* R-N4.1: the 設置運用基準 follows 第5条–第7条 with the configured values. */
static void R_N4_1_naha_standards_follow_articles_5_to_7_with_the_configured_values(void **state)
{
    (void)state;
    static const char *const sections[] = {"1　設置目的（第5条第1号）",
                                           "2　設置台数及び撮影対象区域（第5条第2号・第3号）",
                                           "3　表示（第5条第4号）",
                                           "4　管理責任者（第5条第5号）",
                                           "5　業務の委託（第5条第6号）",
                                           "6　操作担当者の指定（第6条）",
                                           "7　画像等の取扱い（第7条第2号から第4号）",
                                           "8　保管期間及び消去（第7条第5号）",
                                           "9　記録の作成及び保存（第7条第6号）",
                                           "10　その他の安全管理措置（第7条第7号）",
                                           "11　その他",
                                           NULL};
    static const char *const values[] = {
        "防犯カメラ設置運用基準",
        "第4条",
        "那覇市場通り会",
        "098-000-0000",
        "保存期間である5日を上限とし",
        "まだ市のハブから受信していない",
        "規則で定めるところにより定める（条例 第7条第5号）",
        "適用する規範：那覇市防犯カメラの設置及び運用に関する条例（第4条第1項）",
        "第4条第1項各号に掲げるもの",
        "（第7条第4号ア）",
        "（第7条第4号ウ）",
        "開示するよう努める（第8条）",
        "画像の保存期間は3日とする",
        "定めなし",
        "管理責任者と操作担当者は別の者とする",
        "本人）の同意",
        "法令又は条例に定めがある",
        "生命、身体又は財産を保護するため",
        "遅滞なく報告",
        "苦情の対応の状況",
        "防犯カメラの設置台数は2台",
        NULL};
    edge_config_t cfg;
    load_naha(&cfg);
    for (edge_doc_format_t fmt = EDGE_DOC_MARKDOWN; fmt <= EDGE_DOC_HTML; fmt++) {
        char *doc = render(&cfg, NULL, fmt);
        has_sections_in_order(doc, fmt, sections);
        has_all(doc, values);
        has_all(doc, common_values);
        lacks(doc, "運用従事者");
        find(doc, fmt == EDGE_DOC_HTML ? "<td>操作担当者</td><td>鈴木花子</td>"
                                       : "| 操作担当者 | 鈴木花子 |");
        find(doc, fmt == EDGE_DOC_HTML ? "<td>cam2</td><td>55.0%</td><td>定めなし</td>"
                                       : "| cam2 | 55.0% | 定めなし |");
        free(doc);
    }
    edge_config_free(&cfg);
}

/* Optional values that are absent are marked, not left out (R-N4.1). */
static void absent_optional_values_are_marked(void **state)
{
    (void)state;
    edge_config_t cfg;
    load_naha(&cfg);
    char *md = render(&cfg, NULL, EDGE_DOC_MARKDOWN);
    char *html = render(&cfg, NULL, EDGE_DOC_HTML);
    find(md, "| 設置者の所在地 | **未記載** |");
    find(md, "地域の合意形成：**未記載**");
    find(md, "設置場所の所有者等の許可：**未記載**（許可日：**未記載**）");
    find(html, "<td>設置者の所在地</td><td><span class=\"absent\">未記載</span></td>");
    find(html, "地域の合意形成：<span class=\"absent\">未記載</span>");
    free(md);
    free(html);
    edge_config_free(&cfg);
}

/* R-N4.2: a draft says 案 and has no version; a version says 第N版 and when it took effect. */
static void R_N4_2_a_draft_says_an_and_a_version_its_number_and_date(void **state)
{
    (void)state;
    edge_config_t cfg;
    load_kawaguchi(&cfg);
    edge_standards_meta_t draft = {0};
    char *md = render(&cfg, &draft, EDGE_DOC_MARKDOWN);
    char *html = render(&cfg, NULL, EDGE_DOC_HTML);
    find(md, "| 版 | 案 |");
    find(md, "| 施行日 | 未施行（案） |");
    find(md, "この文書は案であり");
    lacks(md, "版 | 第");
    find(html, "<td>版</td><td>案</td>");
    find(html, "この文書は案であり");
    free(md);
    free(html);

    edge_standards_meta_t v3 = {.version = 3, .effective = "2026-05-01"};
    md = render(&cfg, &v3, EDGE_DOC_MARKDOWN);
    html = render(&cfg, &v3, EDGE_DOC_HTML);
    find(md, "| 版 | 第3版 |");
    find(md, "| 施行日 | 2026-05-01 |");
    lacks(md, "この文書は案");
    find(html, "<td>版</td><td>第3版</td>");
    find(html, "<td>施行日</td><td>2026-05-01</td>");
    lacks(html, "この文書は案");
    free(md);
    free(html);

    /* A version whose date is not known says so. */
    edge_standards_meta_t v4 = {.version = 4};
    md = render(&cfg, &v4, EDGE_DOC_MARKDOWN);
    find(md, "| 版 | 第4版 |");
    find(md, "| 施行日 | **未記載** |");
    free(md);
    edge_config_free(&cfg);
}

/* R-N6.1: the document lists the operators in force now, and never the manager as one. */
static void R_N6_1_the_operators_in_force_replace_the_configured_ones(void **state)
{
    (void)state;
    edge_config_t cfg;
    load_naha(&cfg);
    char *before = render(&cfg, NULL, EDGE_DOC_MARKDOWN);
    find(before, "| 操作担当者 | 佐藤次郎 |");
    lacks(before, "［指定解除］");
    free(before);

    /* sato revoked at run time, and a (refused) attempt to make the manager an operator. */
    int now[EDGE_MAX_PEOPLE] = {0};
    now[0] = 1; /* tanaka, the manager */
    now[1] = 1; /* suzuki */
    edge_standards_meta_t meta = {.version = 2, .is_operator = now};
    for (edge_doc_format_t fmt = EDGE_DOC_MARKDOWN; fmt <= EDGE_DOC_HTML; fmt++) {
        char *doc = render(&cfg, &meta, fmt);
        int h = fmt == EDGE_DOC_HTML;
        find(doc, h ? "<td>操作担当者</td><td>鈴木花子</td>" : "| 操作担当者 | 鈴木花子 |");
        lacks(doc, h ? "<td>操作担当者</td><td>佐藤次郎</td>" : "| 操作担当者 | 佐藤次郎 |");
        lacks(doc, h ? "<td>操作担当者</td><td>田中一郎</td>" : "| 操作担当者 | 田中一郎 |");
        /* The contractor's staff member stays listed, marked as no longer designated. */
        find(doc, "佐藤次郎［指定解除］");
        free(doc);
    }

    int nobody[EDGE_MAX_PEOPLE] = {0};
    meta.is_operator = nobody;
    char *doc = render(&cfg, &meta, EDGE_DOC_MARKDOWN);
    find(doc, "現在、操作担当者の指定はない。");
    find(doc, "| 操作担当者 | 指定なし | — | — |");
    lacks(doc, "| 操作担当者 | 鈴木花子 |");
    free(doc);
    edge_config_free(&cfg);
}

/* R-N4.2: suspended and abolished cameras are shown as such (a state change is a filing). */
static void R_N4_2_camera_states_are_shown(void **state)
{
    (void)state;
    edge_config_t cfg;
    load_naha(&cfg);
    static const char *const states[] = {"suspended", "abolished"};
    edge_standards_meta_t meta = {.version = 2, .camera_state = states};
    char *md = render(&cfg, &meta, EDGE_DOC_MARKDOWN);
    find(md, "| cam1 | 中央通り3番地 街灯柱 | 歩道の見守り | 2026-04-10 | 休止中 |");
    find(md, "| cam2 | 駅前広場 東側 | 広場の見守り | 2026-04-11 | 廃止 |");
    find(md, "設置台数は2台とし（うち休止中1台、廃止1台）");
    free(md);

    static const char *const odd[] = {NULL, "<odd>"};
    meta.camera_state = odd;
    char *html = render(&cfg, &meta, EDGE_DOC_HTML);
    find(html, "<td>2026-04-10</td><td>運用中</td>");
    find(html, "<td>2026-04-11</td><td>&lt;odd&gt;</td>");
    free(html);
    edge_config_free(&cfg);
}

/* The unescaped '|' in a line: in a Markdown table row, one more than the cells. */
static size_t pipes(const char *line, const char *end)
{
    size_t n = 0;
    for (const char *p = line; p < end; p++)
        if (*p == '|' && (p == line || p[-1] != '\\'))
            n++;
    return n;
}

/* R-K2.2.7: configured text cannot become markup, in HTML or in Markdown. */
static void R_K2_2_7_hostile_text_is_escaped(void **state)
{
    (void)state;
    edge_config_t cfg;
    load(&cfg, "kawaguchi",
         "\"installer\":{\"name\":\"<script>alert(1)</script>\",\"contact\":\"048\"},"
         "\"purpose\":\"\\\"x\\\" & 'y'\\n二行目\",\"storage_location\":\"*倉庫* [1](http://e)\","
         "\"people\":[{\"id\":\"m\",\"name\":\"管理\",\"account\":\"mgr\"}],\"manager\":"
         "\"m\"," CONSENT,
         "{\"id\":\"c\",\"url\":\"rtsp://127.0.0.1:1/c\",\"location\":\"a|b\",\"purpose\":\"p\","
         "\"install_date\":\"2026-04-01\"," SIGN "," ALL_PUBLIC "}");

    char *html = render(&cfg, NULL, EDGE_DOC_HTML);
    lacks(html, "<script");
    find(html, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
    find(html, "<title>防犯カメラの管理・運用に関する規程 — site-a</title>");
    find(html, "設置目的：&quot;x&quot; &amp; &#39;y&#39;<br>二行目");
    find(html, "<td>a|b</td>");
    free(html);

    char *md = render(&cfg, NULL, EDGE_DOC_MARKDOWN);
    lacks(md, "<script>");
    lacks(md, "a|b");
    find(md, "| \\<script\\>alert(1)\\</script\\> |");
    find(md, "設置目的：\"x\" \\& 'y'<br>二行目");
    find(md, "\\*倉庫\\* \\[1\\](http://e)");
    /* The row with a|b keeps its five cells. */
    const char *row = find(md, "| c | a\\|b |");
    assert_int_equal(pipes(row, strchr(row, '\n')), 6);
    free(md);
    edge_config_free(&cfg);
}

/* R-K2.2.7: the HTML is one printable page that needs nothing from elsewhere. */
static void R_K2_2_7_html_is_a_self_contained_printable_page(void **state)
{
    (void)state;
    edge_config_t cfg;
    load_kawaguchi(&cfg);
    char *html = render(&cfg, NULL, EDGE_DOC_HTML);
    static const char head[] =
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
    assert_memory_equal(html, head, strlen(head));
    find(html, "@page { size: A4; margin:");
    find(html, "@media print");
    static const char tail[] = "</body>\n</html>\n";
    assert_string_equal(html + strlen(html) - strlen(tail), tail);
    static const char *const external[] = {"<script", "<link", "src=",   "@import",
                                           "url(",    "http:", "https:", NULL};
    for (size_t i = 0; external[i]; i++)
        lacks(html, external[i]);
    free(html);
    edge_config_free(&cfg);
}

/* R-N4.2: a filing is compared by its bytes, so the same inputs give the same bytes. */
static void R_N4_2_rendering_twice_gives_identical_bytes(void **state)
{
    (void)state;
    edge_config_t a, b;
    load_kawaguchi(&a);
    load_kawaguchi(&b);
    edge_standards_meta_t meta = {.version = 1, .effective = "2026-05-01"};
    edge_standards_meta_t same = meta;
    for (edge_doc_format_t fmt = EDGE_DOC_MARKDOWN; fmt <= EDGE_DOC_HTML; fmt++) {
        char *one = render(&a, &meta, fmt);
        char *two = render(&a, &meta, fmt);
        char *three = render(&b, &same, fmt);
        assert_string_equal(one, two);
        assert_string_equal(one, three);
        free(one);
        free(two);
        free(three);
    }
    edge_config_free(&a);
    edge_config_free(&b);
}

/* R-N7.5: with the city's rule received, the 設置運用基準 states it and its days. */
static void R_N7_5_the_city_rule_received_is_stated(void **state)
{
    (void)state;
    edge_config_t cfg;
    load_naha(&cfg);
    edge_city_rule_t rule = {.has = 1,
                             .id = "notice-4",
                             .policy = MM_POLICY_NAHA,
                             .min_days = 1,
                             .max_days = 14,
                             .rule = "那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条"};
    edge_standards_meta_t meta = {.version = 2, .effective = "2026-05-01", .city_rule = &rule};
    char *doc = render(&cfg, &meta, EDGE_DOC_MARKDOWN);
    find(doc, "市の規則（那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条）が定める保存"
              "期間は1日以上14日以下である。保存期間は、この範囲内で、市に届け出た保存期間である"
              "5日を超えない範囲で定める。");
    find(doc, "（通知 notice-4）、この範囲外の設定を起動時に受け付けない");
    lacks(doc, "まだ市のハブから受信していない");
    free(doc);
    edge_config_free(&cfg);
}

/* R-N9: the city's own cameras — a 規程 in the ordinance's order under the personal-information
 * law (第9条): no ordinance clause of 第5条–第8条, the APPI's bases, no filing, the city's own
 * rule for the period. */
static void R_N9_city_cameras_follow_the_personal_information_law(void **state)
{
    (void)state;
    edge_config_t cfg;
    load(&cfg, "city",
         "\"retention_days\":14,\"installer\":{\"name\":\"那覇市 市民生活安全課\","
         "\"contact\":\"098-000-0001\"}," SITE_GOV,
         CAM1 "," CAM2);
    static const char *const sections[] = {"1　設置目的",
                                           "7　画像等の取扱い（第9条・個人情報の保護に関する法律）",
                                           "8　保管期間及び消去（第9条）", NULL};
    static const char *const values[] = {
        "防犯カメラの管理及び運用に関する規程",
        "条例 第9条により個人情報の保護に関する法律に従って定める規程",
        "適用する規範：市が設置した防犯カメラの取扱い（那覇市防犯カメラの設置及び運用に関する条例 "
        "第9条）",
        "第7条及び第8条の規定にかかわらず",
        "市への届出：市が設置した防犯カメラであり、条例 第4条第2項の届出は行わない",
        "（個人情報の保護に関する法律 第69条）",
        "法令に基づく場合（第69条第1項）",
        "本人の同意があるとき、又は本人に提供するとき（第69条第2項第1号）",
        "登録簿に登録した保存期間である14日を上限とし",
        "（第69条第2項第4号）",
        "個人情報の保護に関する法律に従って開示する（第76条第1項）",
        "保存期間は、市の定めによる（条例 第9条）",
        NULL};
    for (edge_doc_format_t fmt = EDGE_DOC_MARKDOWN; fmt <= EDGE_DOC_HTML; fmt++) {
        char *doc = render(&cfg, NULL, fmt);
        has_sections_in_order(doc, fmt, sections);
        has_all(doc, values);
        has_all(doc, common_values);
        lacks(doc, "（第5条");
        lacks(doc, "第7条第4号");
        lacks(doc, "（第8条）");
        lacks(doc, "市長に届け出る");
        free(doc);
    }
    edge_config_free(&cfg);
}

/* R-K4: an installer outside the standard's scope follows it by its spirit (第4): the 規程 with
 * items ア–キ, each Kawaguchi clause cited through 第4, no 2/3 threshold, filings as notices. */
static void R_K4_voluntary_rules_follow_the_standard_by_its_spirit(void **state)
{
    (void)state;
    edge_config_t cfg;
    load(&cfg, "voluntary", INSTALLER SITE_GOV, CAM1 "," CAM2);
    static const char *const values[] = {"防犯カメラの管理・運用に関する規程",
                                         "基準 第4により、その趣旨にのっとり定める規程",
                                         "適用する規範：基準の趣旨にのっとる自主的な設置（川口市防"
                                         "犯カメラの設置及び運用に関する基準 "
                                         "第4）",
                                         "市への届出：義務はない",
                                         "通知として市に届け出る（基準 第4）",
                                         "（基準 第4（第2の2(5)の趣旨））",
                                         "照会等を受けた場合（第4（第2の2(5)イの趣旨））",
                                         "（基準 第4（第2の2(6)イの趣旨））",
                                         "画像の保存期間は7日とする",
                                         "定めなし",
                                         NULL};
    for (edge_doc_format_t fmt = EDGE_DOC_MARKDOWN; fmt <= EDGE_DOC_HTML; fmt++) {
        char *doc = render(&cfg, NULL, fmt);
        has_all(doc, values);
        lacks(doc, "3分の2以上");
        lacks(doc, "同意があるとき");
        free(doc);
    }
    edge_config_free(&cfg);
}

/* R-N7.3, R-K2.2.5, R-N7.4: the document says what the device does when footage is viewed — the
 * pace, the day per call, the players it starts (the configuration's, with their commands), the
 * end of a viewing whose right ends, and the purposes, with the clauses of the bases the policy
 * admits for another purpose: consent at Naha, never at Kawaguchi. */
static void R_N7_3_the_document_says_how_footage_is_viewed(void **state)
{
    (void)state;
    edge_config_t cfg;
    load_kawaguchi(&cfg);
    char *doc = render(&cfg, NULL, EDGE_DOC_MARKDOWN);
    find(doc, "実時間の1倍、2倍、4倍又は8倍（既定は1倍）に記録装置が制限する");
    find(doc, "24時間以内");
    find(doc, "再生ソフト ffplay：起動するコマンド ffplay -loglevel error -autoexit -");
    find(doc, "その他のプログラムには渡さない");
    find(doc, "直ちに終了させる");
    find(doc, "利用目的を記録する");
    find(doc, "その根拠（基準 第2の2(5)ア、基準 第2の2(5)イ、基準 第3）を記録する");
    find(doc, "この規範が認めない根拠による再生を拒否し");
    lacks(doc, "画像を複製し、印刷し");
    free(doc);
    edge_config_free(&cfg);

    load(&cfg, "naha",
         "\"retention_days\":3,\"players\":{\"mpv\":\"mpv --really-quiet -\"},"
         "\"installer\":{\"name\":\"那覇市場通り会\",\"contact\":\"098-000-0000\"}," SITE_GOV,
         CAM1);
    doc = render(&cfg, NULL, EDGE_DOC_MARKDOWN);
    find(doc, "再生ソフト mpv：起動するコマンド mpv --really-quiet -");
    lacks(doc, "ffplay");
    find(doc, "その根拠（条例 第7条第4号ア、条例 第7条第4号イ、条例 第7条第4号ウ、条例 第8条）を"
              "記録する");
    free(doc);
    edge_config_free(&cfg);

    load(&cfg, "naha",
         "\"retention_days\":3,\"players\":{},"
         "\"installer\":{\"name\":\"那覇市場通り会\",\"contact\":\"098\"}," SITE_GOV,
         CAM1);
    doc = render(&cfg, NULL, EDGE_DOC_MARKDOWN);
    find(doc, "記録装置が起動する再生ソフトは定めていない");
    free(doc);
    edge_config_free(&cfg);
}

static void bad_arguments_give_null(void **state)
{
    (void)state;
    edge_config_t cfg;
    load_naha(&cfg);
    assert_null(edge_standards_render(NULL, NULL, EDGE_DOC_HTML));
    assert_null(edge_standards_render(&cfg, NULL, (edge_doc_format_t)0));
    assert_null(edge_standards_render(&cfg, NULL, (edge_doc_format_t)3));
    edge_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(R_K2_2_7_kawaguchi_rules_have_items_a_to_g_with_the_configured_values),
        cmocka_unit_test(R_N4_1_naha_standards_follow_articles_5_to_7_with_the_configured_values),
        cmocka_unit_test(absent_optional_values_are_marked),
        cmocka_unit_test(R_N4_2_a_draft_says_an_and_a_version_its_number_and_date),
        cmocka_unit_test(R_N6_1_the_operators_in_force_replace_the_configured_ones),
        cmocka_unit_test(R_N4_2_camera_states_are_shown),
        cmocka_unit_test(R_K2_2_7_hostile_text_is_escaped),
        cmocka_unit_test(R_K2_2_7_html_is_a_self_contained_printable_page),
        cmocka_unit_test(R_N4_2_rendering_twice_gives_identical_bytes),
        cmocka_unit_test(R_N7_5_the_city_rule_received_is_stated),
        cmocka_unit_test(R_N9_city_cameras_follow_the_personal_information_law),
        cmocka_unit_test(R_K4_voluntary_rules_follow_the_standard_by_its_spirit),
        cmocka_unit_test(R_N7_3_the_document_says_how_footage_is_viewed),
        cmocka_unit_test(bad_arguments_give_null),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
