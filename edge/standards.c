/*
 * standards.c: the site's standards document (see standards.h).
 *
 * Three layers. A growable string (sb_*) that remembers running out of memory instead of
 * failing each call, so that writers need not check; the render checks once at the end. A
 * writer of blocks (doc_*: headings, paragraphs, numbered items with sub-items, tables) that is
 * the only code emitting Markdown or HTML markup. And the sections, which say in words and
 * values what each rule asks for and know nothing of either format.
 *
 * What must stay true: every text, fixed or configured, reaches the output through doc_text,
 * which escapes it for the format; only the writer emits markup. In Markdown a block never
 * starts with configured text (a value at the start of a line could open a list or a heading),
 * so sections always lead with a fixed label; table cells are inline and need only escaping.
 * Nothing reads the clock or the environment; numbers are integers and one-decimal percentages
 * in the C locale (nothing in mimamori calls setlocale), so the same inputs give the same bytes.
 */
#include "edge/standards.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/policy.h"
#include "edge/control.h"
#include "edge/purpose.h"

#define ABSENT "未記載"

/* --- a growable string -----------------------------------------------------------------------*/

typedef struct {
    char *p;
    size_t len, cap;
    int oom; /* an allocation failed; later writes do nothing */
} sbuf_t;

static void sb_reserve(sbuf_t *b, size_t more)
{
    if (b->oom)
        return;
    if (more > SIZE_MAX / 2 - b->len) {
        b->oom = 1;
        return;
    }
    size_t need = b->len + more + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 8192;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void sb_put(sbuf_t *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_puts(sbuf_t *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* --- the block writer ------------------------------------------------------------------------*/

typedef struct {
    sbuf_t b;
    edge_doc_format_t fmt;
    int in_list; /* a numbered list is open */
    int in_sub;  /* HTML: the open item has a sub-list open */
    int item_no; /* the last item number in this section; numbering runs on across tables */
} doc_t;

static int html(const doc_t *d)
{
    return d->fmt == EDGE_DOC_HTML;
}

/* Markup, written as given: only the writer calls this. */
static void doc_raw(doc_t *d, const char *s)
{
    sb_puts(&d->b, s);
}

/* What byte c becomes in the output, or NULL when it stays as it is. Line breaks become <br>
 * in both formats (Markdown allows the tag, and it keeps a table row on its line); carriage
 * returns go, other control characters become spaces. */
static const char *escape_of(edge_doc_format_t fmt, unsigned char c)
{
    if (c == '\n')
        return "<br>";
    if (c == '\r')
        return "";
    if (c < 0x20 || c == 0x7f)
        return " ";
    if (fmt == EDGE_DOC_HTML) {
        switch (c) {
        case '&':
            return "&amp;";
        case '<':
            return "&lt;";
        case '>':
            return "&gt;";
        case '"':
            return "&quot;";
        case '\'':
            return "&#39;";
        default:
            return NULL;
        }
    }
    /* Markdown: the characters that could open inline markup or end a table cell. */
    static const char md_special[] = "\\`*_[]<>|&~";
    if (strchr(md_special, c)) {
        static const char *const escaped[] = {"\\\\", "\\`", "\\*", "\\_", "\\[", "\\]",
                                              "\\<",  "\\>", "\\|", "\\&", "\\~"};
        return escaped[strchr(md_special, c) - md_special];
    }
    return NULL;
}

/* Text, fixed or configured, escaped for the format. */
static void doc_text(doc_t *d, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *e = escape_of(d->fmt, (unsigned char)*s);
        if (!e)
            continue;
        sb_put(&d->b, run, (size_t)(s - run));
        sb_puts(&d->b, e);
        run = s + 1;
    }
    sb_put(&d->b, run, (size_t)(s - run));
}

/* Fixed text with numbers in it. Configured text goes through doc_text or doc_value instead, so
 * that no format string ever holds it. */
static void doc_textf(doc_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void doc_textf(doc_t *d, const char *fmt, ...)
{
    char tmp[1024], *s = tmp;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n >= (int)sizeof tmp) {
        s = malloc((size_t)n + 1);
        if (s)
            vsnprintf(s, (size_t)n + 1, fmt, again);
        else
            d->b.oom = 1;
    }
    va_end(again);
    va_end(ap);
    if (n < 0 || !s)
        return;
    doc_text(d, s);
    if (s != tmp)
        free(s);
}

/* A configured value, or a marker that stands out where an optional one is absent. */
static void doc_value(doc_t *d, const char *s)
{
    if (s && *s)
        doc_text(d, s);
    else
        doc_raw(d, html(d) ? "<span class=\"absent\">" ABSENT "</span>" : "**" ABSENT "**");
}

static void doc_list_close(doc_t *d)
{
    if (!d->in_list)
        return;
    doc_raw(d, html(d) ? "</ol>\n" : "\n");
    d->in_list = 0;
}

/* A heading: level 1 for the title, 2 for a section. */
static void doc_heading(doc_t *d, int level, const char *s)
{
    char tag[16];
    doc_list_close(d);
    d->item_no = 0;
    if (html(d)) {
        snprintf(tag, sizeof tag, "<h%d>", level);
        doc_raw(d, tag);
        doc_text(d, s);
        snprintf(tag, sizeof tag, "</h%d>\n", level);
        doc_raw(d, tag);
        return;
    }
    doc_raw(d, level == 1 ? "# " : "## ");
    doc_text(d, s);
    doc_raw(d, "\n\n");
}

static void doc_p_begin(doc_t *d, const char *html_class)
{
    doc_list_close(d);
    if (html(d)) {
        doc_raw(d, "<p class=\"");
        doc_raw(d, html_class);
        doc_raw(d, "\">");
    }
}

static void doc_p_end(doc_t *d)
{
    doc_raw(d, html(d) ? "</p>\n" : "\n\n");
}

static void doc_para(doc_t *d, const char *s)
{
    doc_p_begin(d, "note");
    doc_text(d, s);
    doc_p_end(d);
}

/* A numbered item; its text must start with fixed text (see the top of the file). */
static void doc_item_begin(doc_t *d)
{
    char mark[48];
    d->item_no++;
    if (html(d)) {
        if (!d->in_list && d->item_no > 1)
            snprintf(mark, sizeof mark, "<ol start=\"%d\">\n<li>", d->item_no);
        else
            snprintf(mark, sizeof mark, "%s<li>", d->in_list ? "" : "<ol>\n");
    } else {
        snprintf(mark, sizeof mark, "%d. ", d->item_no);
    }
    d->in_list = 1;
    doc_raw(d, mark);
}

static void doc_item_end(doc_t *d)
{
    if (html(d)) {
        doc_raw(d, d->in_sub ? "</ul></li>\n" : "</li>\n");
        d->in_sub = 0;
        return;
    }
    doc_raw(d, "\n");
}

/* Opens a sub-item of the open item; its text, too, starts with fixed text. */
static void doc_sub_begin(doc_t *d)
{
    if (html(d)) {
        doc_raw(d, d->in_sub ? "<li>" : "<ul>\n<li>");
        d->in_sub = 1;
        return;
    }
    /* Indented to the item's text, under "1. " or "10. ". */
    doc_raw(d, d->item_no >= 10 ? "\n    - " : "\n   - ");
}

static void doc_sub_end(doc_t *d)
{
    if (html(d))
        doc_raw(d, "</li>\n");
}

static void doc_item(doc_t *d, const char *s)
{
    doc_item_begin(d);
    doc_text(d, s);
    doc_item_end(d);
}

static void doc_table_begin(doc_t *d, const char *caption, const char *const *heads, size_t n)
{
    doc_list_close(d);
    if (html(d)) {
        doc_raw(d, "<table>\n");
        if (caption) {
            doc_raw(d, "<caption>");
            doc_text(d, caption);
            doc_raw(d, "</caption>\n");
        }
        doc_raw(d, "<thead><tr>");
        for (size_t i = 0; i < n; i++) {
            doc_raw(d, "<th>");
            doc_text(d, heads[i]);
            doc_raw(d, "</th>");
        }
        doc_raw(d, "</tr></thead>\n<tbody>\n");
        return;
    }
    if (caption) {
        doc_text(d, caption);
        doc_raw(d, "\n\n");
    }
    doc_raw(d, "|");
    for (size_t i = 0; i < n; i++) {
        doc_raw(d, " ");
        doc_text(d, heads[i]);
        doc_raw(d, " |");
    }
    doc_raw(d, "\n|");
    for (size_t i = 0; i < n; i++)
        doc_raw(d, "---|");
    doc_raw(d, "\n");
}

static void doc_row_begin(doc_t *d)
{
    doc_raw(d, html(d) ? "<tr>" : "|");
}

static void doc_row_end(doc_t *d)
{
    doc_raw(d, html(d) ? "</tr>\n" : "\n");
}

static void doc_cell_begin(doc_t *d)
{
    doc_raw(d, html(d) ? "<td>" : " ");
}

static void doc_cell_end(doc_t *d)
{
    doc_raw(d, html(d) ? "</td>" : " |");
}

/* A cell holding a configured value, or the absent marker. */
static void doc_cell(doc_t *d, const char *s)
{
    doc_cell_begin(d);
    doc_value(d, s);
    doc_cell_end(d);
}

static void doc_table_end(doc_t *d)
{
    doc_raw(d, html(d) ? "</tbody>\n</table>\n" : "\n");
}

/* A label and its value as one row of a two-column table. */
static void doc_kv(doc_t *d, const char *label, const char *value)
{
    doc_row_begin(d);
    doc_cell(d, label);
    doc_cell(d, value);
    doc_row_end(d);
}

static const char page_style[] =
    "<style>\n"
    "@page { size: A4; margin: 20mm 18mm 20mm 18mm; }\n"
    "body { font-family: \"Noto Serif CJK JP\", \"Hiragino Mincho ProN\", \"Yu Mincho\", serif;"
    " font-size: 10.5pt; line-height: 1.7; color: #000; background: #fff; max-width: 180mm;"
    " margin: 0 auto; padding: 8mm 0; }\n"
    "h1 { font-size: 16pt; text-align: center; margin: 0 0 2mm; }\n"
    "p.basis { text-align: center; margin: 0 0 6mm; }\n"
    "h2 { font-size: 12pt; border-bottom: 1px solid #000; margin: 7mm 0 2mm; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9.5pt; }\n"
    "caption { text-align: left; font-weight: bold; padding-bottom: 1mm; }\n"
    "th, td { border: 1px solid #000; padding: 1mm 2mm; vertical-align: top; text-align: left;"
    " overflow-wrap: anywhere; }\n"
    "th { background: #eee; }\n"
    "ol { padding-left: 7mm; } ul { padding-left: 6mm; list-style: none; }\n"
    ".absent { font-weight: bold; }\n"
    "@media print {\n"
    "  body { max-width: none; padding: 0; }\n"
    "  h1, h2 { break-after: avoid; page-break-after: avoid; }\n"
    "  tr, li { break-inside: avoid; page-break-inside: avoid; }\n"
    "  thead { display: table-header-group; }\n"
    "  th { background: none; }\n"
    "}\n"
    "</style>\n";

static void doc_begin(doc_t *d, const char *title, const char *basis, const char *site)
{
    if (html(d)) {
        doc_raw(d, "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>");
        doc_text(d, title);
        doc_raw(d, " — ");
        doc_text(d, site);
        doc_raw(d, "</title>\n");
        doc_raw(d, page_style);
        doc_raw(d, "</head>\n<body>\n");
    }
    doc_heading(d, 1, title);
    doc_p_begin(d, "basis");
    doc_text(d, basis);
    doc_p_end(d);
}

static void doc_end(doc_t *d)
{
    doc_list_close(d);
    if (html(d))
        doc_raw(d, "</body>\n</html>\n");
}

/* --- what the sections share -----------------------------------------------------------------*/

typedef struct {
    doc_t d;
    const edge_config_t *cfg;
    const edge_standards_meta_t *meta;
    const mm_policy_rules_t *rules; /* what the site's policy's text says (common/policy.h) */
    const edge_city_rule_t *rule;   /* the city's rule received (cityrule.h), or NULL */
    const int *is_op;               /* the operators in force, indexed like cfg->gov.people */
    const char *op_term;            /* what the policy calls an operator */
} ctx_t;

static const char *person_name(const ctx_t *c, int i)
{
    const edge_governance_t *g = &c->cfg->gov;
    return i >= 0 && (size_t)i < g->n_people ? g->people[i].name : NULL;
}

/* Whether person i operates now; the manager never does (R-N6.1). */
static int operates(const ctx_t *c, size_t i)
{
    return c->is_op[i] && (int)i != c->cfg->gov.manager;
}

static size_t operator_count(const ctx_t *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->cfg->gov.n_people; i++)
        n += operates(c, i) != 0;
    return n;
}

/* The contractor person i works for, or NULL. */
static const char *employer(const ctx_t *c, size_t i)
{
    const edge_governance_t *g = &c->cfg->gov;
    for (size_t k = 0; k < g->n_contractors; k++)
        for (size_t s = 0; s < g->contractors[k].n_staff; s++)
            if (g->contractors[k].staff[s] == (int)i)
                return g->contractors[k].name;
    return NULL;
}

static const char *camera_state(const ctx_t *c, size_t cam)
{
    const char *s = c->meta && c->meta->camera_state ? c->meta->camera_state[cam] : NULL;
    if (!s || strcmp(s, "recording") == 0)
        return "運用中";
    if (strcmp(s, "suspended") == 0)
        return "休止中";
    if (strcmp(s, "abolished") == 0)
        return "廃止";
    return s;
}

static size_t cameras_in_state(const ctx_t *c, const char *state)
{
    size_t n = 0;
    for (size_t i = 0; i < c->cfg->n_cameras; i++)
        n += strcmp(camera_state(c, i), state) == 0;
    return n;
}

/* The document is a 規程 with Kawaguchi's items ア–キ (kawaguchi, voluntary), not a 設置運用基準
 * after Naha 第5条–第7条 (naha, city). */
static int is_rules_form(const ctx_t *c)
{
    return c->rules->doc == MM_DOC_RULES;
}

/* The city's own cameras (Naha 第9条): the ordinance's 第5条–第8条 do not bind them. */
static int is_city(const ctx_t *c)
{
    return c->cfg->policy == MM_POLICY_CITY;
}

/* How the document names a text: the one it follows by its short name, the other in full. */
static const char *short_text(const ctx_t *c, const char *text)
{
    if (!strcmp(text, MM_TEXT_KAWAGUCHI) && !strcmp(c->rules->text, text))
        return "基準";
    if (!strcmp(text, MM_TEXT_NAHA) && !strcmp(c->rules->text, text))
        return "条例";
    return text;
}

/* "（基準 第2の1(3)）" — or, for an installer who follows the standard by its spirit (第4),
 * "（基準 第4（第2の1(3)の趣旨））" — written into the document. */
static void kcite(ctx_t *c, const char *clause)
{
    if (c->cfg->policy == MM_POLICY_VOLUNTARY)
        doc_textf(&c->d, "（基準 第4（%sの趣旨））", clause);
    else
        doc_textf(&c->d, "（基準 %s）", clause);
}

/* A camera's public share as a percentage with one decimal, e.g. "66.7%". */
static void share_text(char *out, size_t cap, const edge_coverage_t *cov)
{
    snprintf(out, cap, "%.1f%%%s", cov->public_share * 100.0,
             cov->all_masked ? "（全面マスク）" : "");
}

static void threshold_text(char *out, size_t cap, double t)
{
    if (t <= 0)
        snprintf(out, cap, "定めなし");
    else if (fabs(t - 2.0 / 3.0) < 1e-9)
        snprintf(out, cap, "3分の2以上");
    else if (fabs(t - 0.5) < 1e-9)
        snprintf(out, cap, "2分の1以上");
    else
        snprintf(out, cap, "%.1f%%以上", t * 100.0);
}

/* "label：value" as a numbered item. */
static void item_kv(ctx_t *c, const char *label, const char *value)
{
    doc_item_begin(&c->d);
    doc_text(&c->d, label);
    doc_text(&c->d, "：");
    doc_value(&c->d, value);
    doc_item_end(&c->d);
}

/* --- the header block ------------------------------------------------------------------------*/

/* Which policy applies and why, and what the site files with the city (common/policy.h). */
static void policy_block(ctx_t *c)
{
    const mm_policy_rules_t *r = c->rules;
    doc_p_begin(&c->d, "note");
    doc_text(&c->d, "適用する規範：");
    doc_text(&c->d, r->title);
    if (!strcmp(r->title, r->text))
        doc_textf(&c->d, "（%s）", r->scope);
    else
        doc_textf(&c->d, "（%s %s）", r->text, r->scope);
    doc_p_end(&c->d);
    doc_p_begin(&c->d, "note");
    doc_text(&c->d, "適用の理由：");
    doc_text(&c->d, r->why);
    doc_p_end(&c->d);
    if (r->filing == MM_FILING_NOTICE)
        doc_para(&c->d,
                 "市への届出：義務はない。この規程及びその変更並びに防犯カメラの休止、再開及び"
                 "廃止は、通知として市に届け出る（基準 第4）。市はこれを受理し、又は返戻する"
                 "判断を行わない。");
    else if (r->filing == MM_FILING_NONE)
        doc_para(&c->d, "市への届出：市が設置した防犯カメラであり、条例 第4条第2項の届出は行わない"
                        "（条例 第4条第1項・第9条）。本サイトは、市の公開の登録簿に掲載される。");
}

static void header_block(ctx_t *c)
{
    static const char *const heads[] = {"項目", "内容"};
    const edge_governance_t *g = &c->cfg->gov;
    uint32_t version = c->meta ? c->meta->version : 0;
    const char *effective = c->meta ? c->meta->effective : NULL;
    char v[32];
    if (version)
        snprintf(v, sizeof v, "第%" PRIu32 "版", version);
    else
        snprintf(v, sizeof v, "案");

    doc_table_begin(&c->d, NULL, heads, 2);
    doc_kv(&c->d, "サイトID", c->cfg->site);
    doc_kv(&c->d, "設置者", g->installer_name);
    doc_kv(&c->d, "設置者の所在地", g->installer_address);
    doc_kv(&c->d, "設置者の連絡先", g->installer_contact);
    doc_kv(&c->d, "版", v);
    doc_kv(&c->d, "施行日", version || effective ? effective : "未施行（案）");
    doc_table_end(&c->d);

    if (!version)
        doc_para(&c->d, "この文書は案であり、版を定めて施行するまで効力を有しない。");
    policy_block(c);
    if (c->cfg->policy == MM_POLICY_NAHA)
        doc_para(&c->d, "この設置運用基準は、本サイトの記録装置が実際に適用している設定から作成"
                        "したものである。記録装置は、この基準に反する設定を受け付けない。設定を"
                        "変更したとき、又は防犯カメラを休止し、再開し、若しくは廃止したときは、"
                        "新たな版を作成し、市長に届け出る（条例第4条第2項）。");
    else
        doc_para(&c->d, "この規程は、本サイトの記録装置が実際に適用している設定から作成したもの"
                        "である。記録装置は、この規程に反する設定を受け付けない。設定を変更した"
                        "ときは、この規程を改め、新たな版とする。");
}

/* --- camera tables (both policies) -----------------------------------------------------------*/

static void camera_count_item(ctx_t *c, const char *what)
{
    size_t n = c->cfg->n_cameras;
    size_t suspended = cameras_in_state(c, "休止中"), abolished = cameras_in_state(c, "廃止");
    doc_item_begin(&c->d);
    doc_textf(&c->d, "防犯カメラの設置台数は%zu台とし", n);
    if (suspended || abolished)
        doc_textf(&c->d, "（うち休止中%zu台、廃止%zu台）", suspended, abolished);
    doc_text(&c->d, what);
    doc_item_end(&c->d);
}

static void location_table(ctx_t *c)
{
    static const char *const heads[] = {"カメラ", "設置場所", "撮影目的", "設置日", "状態"};
    doc_table_begin(&c->d, "表1　設置場所", heads, 5);
    for (size_t i = 0; i < c->cfg->n_cameras; i++) {
        const edge_config_camera_t *cam = &c->cfg->cameras[i];
        doc_row_begin(&c->d);
        doc_cell(&c->d, cam->id);
        doc_cell(&c->d, cam->gov.location);
        doc_cell(&c->d, cam->gov.purpose);
        doc_cell(&c->d, cam->gov.install_date);
        doc_cell(&c->d, camera_state(c, i));
        doc_row_end(&c->d);
    }
    doc_table_end(&c->d);
}

static void coverage_table(ctx_t *c)
{
    static const char *const heads[] = {"カメラ", "公共の場所の割合", "基準", "例外の理由"};
    doc_table_begin(&c->d, "表2　撮影範囲", heads, 4);
    for (size_t i = 0; i < c->cfg->n_cameras; i++) {
        const edge_camera_gov_t *g = &c->cfg->cameras[i].gov;
        char share[48], threshold[32];
        share_text(share, sizeof share, &g->coverage);
        threshold_text(threshold, sizeof threshold, g->threshold);
        doc_row_begin(&c->d);
        doc_cell(&c->d, c->cfg->cameras[i].id);
        doc_cell(&c->d, share);
        doc_cell(&c->d, threshold);
        doc_cell(&c->d, g->exception ? g->exception : "なし");
        doc_row_end(&c->d);
    }
    doc_table_end(&c->d);
}

static void signage_table(ctx_t *c)
{
    static const char *const heads[] = {"カメラ", "表示の文言", "設置者名の表示", "確認日"};
    doc_table_begin(&c->d, "表3　表示", heads, 4);
    for (size_t i = 0; i < c->cfg->n_cameras; i++) {
        const edge_camera_gov_t *g = &c->cfg->cameras[i].gov;
        doc_row_begin(&c->d);
        doc_cell(&c->d, c->cfg->cameras[i].id);
        doc_cell(&c->d, g->signage_text);
        doc_cell(&c->d, g->signage_installer_shown ? "あり" : "なし");
        doc_cell(&c->d, g->signage_checked);
        doc_row_end(&c->d);
    }
    doc_table_end(&c->d);
}

static void coverage_item(ctx_t *c)
{
    doc_item(&c->d,
             c->rules->share_rule
                 ? "撮影範囲は、各カメラの撮影範囲図（公共の場所、私有地及びマスク領域）で定める。"
                   "画像のうち公共の場所が占める割合は記録装置が撮影範囲図から算出し、3分の2以上"
                   "（周辺の建物の形状等から困難な場合は、理由を記録した上で2分の1以上）に満たない"
                   "カメラの記録を開始しない（基準 第2の1(3)）。各カメラの割合は表2のとおりとする。"
                 : "撮影対象区域は、各カメラの撮影範囲図（公共の場所、私有地及びマスク領域）で明確"
                   "にし、必要最小限の範囲とする。画像のうち公共の場所が占める割合は記録装置が"
                   "撮影範囲図から算出し、サイトログに記録して市に報告する。各カメラの割合は表2の"
                   "とおりとする。");
}

static void signage_item(ctx_t *c)
{
    doc_item_begin(&c->d);
    doc_text(&c->d, "防犯カメラの付近又は撮影対象区域内の見やすい場所に、防犯カメラを設置している旨"
                    "及び設置者の名称（");
    doc_value(&c->d, c->cfg->gov.installer_name);
    doc_text(&c->d, "）を表示する。表示の内容及びその確認日は表3のとおりとする。");
    doc_item_end(&c->d);
}

/* --- people (both policies) ------------------------------------------------------------------*/

static void person_row(ctx_t *c, const char *role, size_t i)
{
    const edge_person_t *p = &c->cfg->gov.people[i];
    const char *org = employer(c, i);
    doc_row_begin(&c->d);
    doc_cell(&c->d, role);
    doc_cell(&c->d, p->name);
    doc_cell(&c->d, p->id);
    doc_cell_begin(&c->d);
    if (org) {
        doc_text(&c->d, "受託者 ");
        doc_text(&c->d, org);
    } else {
        doc_text(&c->d, "設置者");
    }
    doc_cell_end(&c->d);
    doc_row_end(&c->d);
}

/* The manager and the operators in force; with_manager 0 lists operators only. */
static void people_table(ctx_t *c, const char *caption, int with_manager)
{
    static const char *const heads[] = {"区分", "氏名", "ID", "所属"};
    const edge_governance_t *g = &c->cfg->gov;
    doc_table_begin(&c->d, caption, heads, 4);
    if (with_manager && person_name(c, g->manager)) {
        person_row(c, "管理責任者", (size_t)g->manager);
    } else if (with_manager) {
        doc_row_begin(&c->d);
        doc_cell(&c->d, "管理責任者");
        for (int k = 0; k < 3; k++)
            doc_cell(&c->d, NULL);
        doc_row_end(&c->d);
    }
    for (size_t i = 0; i < g->n_people; i++)
        if (operates(c, i))
            person_row(c, c->op_term, i);
    if (!operator_count(c)) {
        doc_row_begin(&c->d);
        doc_cell(&c->d, c->op_term);
        doc_cell(&c->d, "指定なし");
        doc_cell(&c->d, "—");
        doc_cell(&c->d, "—");
        doc_row_end(&c->d);
    }
    doc_table_end(&c->d);
}

static void contractor_staff(ctx_t *c, const edge_contractor_t *k)
{
    doc_text(&c->d, "（従事者：");
    for (size_t s = 0; s < k->n_staff; s++) {
        if (s)
            doc_text(&c->d, "、");
        doc_value(&c->d, person_name(c, k->staff[s]));
        if (k->staff[s] >= 0 && !operates(c, (size_t)k->staff[s]))
            doc_text(&c->d, "［指定解除］");
    }
    if (!k->n_staff)
        doc_text(&c->d, "なし");
    doc_text(&c->d, "）");
}

static void contractors_item(ctx_t *c)
{
    const edge_governance_t *g = &c->cfg->gov;
    if (!g->n_contractors) {
        doc_item(&c->d, "防犯カメラの管理及び運用の業務は、委託しない。");
        return;
    }
    doc_item_begin(&c->d);
    doc_textf(&c->d,
              "防犯カメラの管理及び運用の業務を次の者に委託する。受託者の従事者は%sとして指定し、"
              "%sと同じ制限の下で操作させる。",
              c->op_term, c->op_term);
    for (size_t k = 0; k < g->n_contractors; k++) {
        doc_sub_begin(&c->d);
        doc_text(&c->d, "受託者：");
        doc_value(&c->d, g->contractors[k].name);
        contractor_staff(c, &g->contractors[k]);
        doc_sub_end(&c->d);
    }
    doc_item_end(&c->d);
}

static void not_the_manager_item(ctx_t *c)
{
    doc_item_begin(&c->d);
    doc_textf(&c->d,
              "管理責任者と%sは別の者とする。記録装置は、管理責任者を%sとする指定を受け付けない。",
              c->op_term, c->op_term);
    if (!operator_count(c))
        doc_textf(&c->d, "現在、%sの指定はない。", c->op_term);
    doc_item_end(&c->d);
}

static void designation_item(ctx_t *c)
{
    doc_item_begin(&c->d);
    doc_textf(
        &c->d,
        "%sは管理責任者が指定し、又は解除する。指定及び解除はサイトログに記録し、解除された"
        "者はその時から操作できない。管理責任者及び%s以外の者は、防犯カメラの機器を操作しない。",
        c->op_term, c->op_term);
    doc_item_end(&c->d);
}

static void emergency_item(ctx_t *c)
{
    doc_item_begin(&c->d);
    doc_textf(&c->d,
              "緊急かつやむを得ない場合で管理責任者の許可があったときに限り、管理責任者及び%s以外の"
              "者が機器を操作することができる。許可は、管理責任者が対象と期限を限って与える。操作"
              "した者は、その内容を管理責任者に遅滞なく報告する。許可及び報告はサイトログに記録し、"
              "報告があるまで未了として扱う。",
              c->op_term);
    doc_item_end(&c->d);
}

/* --- safety measures (both policies) ---------------------------------------------------------*/

static void no_leak_item(ctx_t *c)
{
    doc_item_begin(&c->d);
    if (is_rules_form(c)) {
        doc_text(&c->d, "設置者、管理責任者及び運用従事者は、画像から知り得た情報をみだりに漏らし、"
                        "又は不当な目的のために使用しない。その職を離れた後も同様とする");
        kcite(c, "第2の2(3)(4)");
        doc_text(&c->d, "。");
    } else {
        doc_text(&c->d, "設置者、管理責任者及び操作担当者は、画像等から知り得た市民等の情報を他に"
                        "漏らし、又は不当な目的のために使用しない。設置者等でなくなった後も同様と"
                        "する");
        doc_text(&c->d, is_city(c) ? "（個人情報の保護に関する法律による）。" : "（第7条第2号）。");
    }
    doc_item_end(&c->d);
}

/* Use for another purpose and provision only on the bases the policy's text admits, each with
 * its clause (common/policy.h, legalbasis.h); the own-images basis has an item of its own. */
static void bases_item(ctx_t *c, const char *intro)
{
    const mm_policy_rules_t *r = c->rules;
    doc_item_begin(&c->d);
    doc_text(&c->d, intro);
    doc_textf(&c->d, "（%s %s）。", short_text(c, r->bases_text), r->other_use);
    for (size_t i = 0; i < MM_LEGAL_BASIS_COUNT && r->bases[i].basis != MM_LEGAL_BASIS_NONE; i++) {
        if (r->bases[i].basis == MM_LEGAL_BASIS_OWN_IMAGES)
            continue;
        doc_sub_begin(&c->d);
        doc_text(&c->d, r->bases[i].words);
        doc_textf(&c->d, "（%s）", r->bases[i].clause);
        doc_sub_end(&c->d);
    }
    doc_item_end(&c->d);
}

/* What the device does with a basis the policy does not admit (legalbasis.h). */
static void refused_bases_item(ctx_t *c)
{
    doc_item(&c->d,
             "記録装置は、開示請求ごとにその根拠を記録し、この規範が認めない根拠による開示請求"
             "を受け付けない。市のハブがこれを受け付けず、記録装置に届いた場合も記録装置が"
             "拒否し、拒否の理由（根拠とならない条項）をサイトログに記録する。");
}

/* R-K2.2.5, R-N7.4: each playback records its purpose, and the device refuses another purpose
 * without a basis the policy admits (purpose.h), the bases cited from the policy table. */
static void purpose_item(ctx_t *c)
{
    const mm_policy_rules_t *r = c->rules;
    doc_item_begin(&c->d);
    doc_text(&c->d, "記録された画像を再生するときは、その都度、利用目的を記録する。利用目的は、"
                    "設置目的又は再生するカメラの撮影目的とし、これ以外の目的に利用するときは、");
    int n = 0;
    for (size_t i = 0; i < MM_LEGAL_BASIS_COUNT && r->bases[i].basis != MM_LEGAL_BASIS_NONE; i++)
        if (edge_purpose_basis_admitted(c->cfg->policy, r->bases[i].basis))
            doc_textf(&c->d, "%s%s %s", n++ ? "、" : "その根拠（", short_text(c, r->bases_text),
                      r->bases[i].clause);
    doc_text(&c->d, n ? "）を記録する。" : "その利用は認めない。");
    doc_text(&c->d, "記録装置は、根拠を記録しない目的外の利用のための再生、及びこの規範が認めない"
                    "根拠による再生を拒否し、拒否したことをサイトログに記録する。");
    doc_item_end(&c->d);
}

/* R-N7.3: how the device shows recorded footage — paced, at most a day per call, to the players
 * the configuration names and to nothing else; ended when the viewer's right ends. */
static void viewing_items(ctx_t *c)
{
    const edge_players_t *pl = &c->cfg->players;
    doc_item(&c->d, "記録装置は、画像を編集し、加工し、又は印刷する機能を持たず、承認された開示の"
                    "ための暗号化エクスポートのほかに画像を複製する機能を持たない。");
    doc_item_begin(&c->d);
    doc_textf(&c->d,
              "記録された画像の再生は記録装置が行い、その速さは、記録された時刻に従い、実時間の"
              "1倍、2倍、4倍又は8倍（既定は1倍）に記録装置が制限する。1回の再生で再生できる範囲は"
              "%d時間以内とする。",
              (int)(EDGE_PLAYBACK_SPAN_MAX_US / 3600000000LL));
    doc_item_end(&c->d);
    doc_item_begin(&c->d);
    if (pl->n) {
        doc_text(&c->d, "再生する映像は、次の再生ソフトのうち操作する者が選んだものを記録装置が"
                        "自ら起動して渡し、その他のプログラムには渡さない。再生ソフトが異常終了した"
                        "ときは、その再生は失敗として記録する。");
        for (size_t i = 0; i < pl->n; i++) {
            doc_sub_begin(&c->d);
            doc_text(&c->d, "再生ソフト ");
            doc_value(&c->d, pl->v[i].name);
            doc_text(&c->d, "：起動するコマンド ");
            doc_value(&c->d, pl->v[i].command);
            doc_sub_end(&c->d);
        }
    } else {
        doc_text(&c->d, "記録装置が起動する再生ソフトは定めていない。");
    }
    doc_item_end(&c->d);
    doc_item(&c->d, "制御ソケットを通じて映像そのものを求める端末（現地の操作端末）にも、映像は"
                    "同じ速さ及び範囲の制限の下でのみ送る。");
    doc_item_begin(&c->d);
    doc_textf(&c->d,
              "再生中に、再生している者の%sとしての指定が解除され、緊急時の操作の許可が取り消され"
              "若しくは期限を過ぎ、又はカメラが廃止されたときは、記録装置はその再生を直ちに"
              "終了させる。廃止されたカメラの画像は、その後再生しない。",
              c->op_term);
    doc_item_end(&c->d);
    doc_item(&c->d, "再生の開始及び終了は、再生した者、カメラ、時間帯、利用目的、再生ソフト及び"
                    "速さとともにサイトログに記録し、終了の記録には終了の理由（失敗したときはその"
                    "理由）を含める。再生中の映像を録画し、撮影し、又は保存してはならない。");
}

static void logged_access_item(ctx_t *c)
{
    doc_item(&c->d, "画像の閲覧、検索及び再生は、その都度、操作した者、カメラ及び時間帯とともに"
                    "サイトログに記録する。");
    purpose_item(c);
}

static void encryption_items(ctx_t *c)
{
    doc_item_begin(&c->d);
    doc_textf(&c->d,
              "画像は約%d秒ごとのセグメントに分けて記録し、セグメントごとに異なる鍵を用いて"
              "AES-256-GCMで暗号化して保存する。暗号化されていない画像を記録媒体に保存しない。",
              c->cfg->segment_seconds);
    doc_item_end(&c->d);
    doc_item(&c->d, "各セグメントの内容ハッシュ（SHA-256）を、記録装置が署名する追記専用のサイト"
                    "ログに記録し、市のハブに送信して検証を受ける。画像の改ざん又は欠落は、ハッシュ"
                    "との照合により検出できる。");
    doc_item_begin(&c->d);
    doc_textf(
        &c->d,
        "画像の操作は、記録装置の制御ソケットを通じてのみ行う。制御ソケットは接続した者のOS"
        "アカウントを確認し、管理責任者又は%sとして登録されたアカウント以外の操作を拒否する。",
        c->op_term);
    doc_item_end(&c->d);
    viewing_items(c);
    doc_item(&c->d, "画像を記録装置の外に持ち出すことができるのは、承認された開示のための暗号化"
                    "エクスポートに限る。");
    doc_item(&c->d, "記録装置と市のハブとの通信は暗号化し（ZeroMQ CURVE）、相互に認証する。");
    doc_item_begin(&c->d);
    doc_textf(&c->d,
              "記録媒体の空き容量が%" PRId64
              "MBを下回ったときは、警報をサイトログに記録し、保存期間"
              "内の画像を消去することなく、優先度の低いカメラから記録を停止する。",
              c->cfg->min_free_mb);
    doc_item_end(&c->d);
}

/* --- retention (both policies) ---------------------------------------------------------------*/

/* Where the period comes from: a number in the text, or the city's rule (received or not). */
static void retention_bound_item(ctx_t *c)
{
    const edge_config_t *cfg = c->cfg;
    const mm_policy_rules_t *r = c->rules;
    const edge_city_rule_t *rule =
        c->rule && c->rule->has && c->rule->policy == cfg->policy ? c->rule : NULL;
    /* The city's own cameras register their period in the public registry; others file it. */
    const char *registered = is_city(c) ? "登録簿に登録した保存期間" : "市に届け出た保存期間";
    const char *rule_name = is_city(c) ? "市の定め" : "市の規則";
    doc_item_begin(&c->d);
    if (r->retention == MM_RETENTION_FROM_TEXT) {
        doc_textf(&c->d, "保存期間は、基準が定める下限（おおむね7日間以上）である%d日を下回らず",
                  r->floor_days);
        kcite(c, "第2の2(6)イ");
        doc_textf(&c->d,
                  "、%sである%d日を超えない範囲で定める。記録装置は、この範囲外の設定を受け"
                  "付けない。",
                  registered, cfg->registered_retention_days);
        doc_item_end(&c->d);
        return;
    }
    doc_text(&c->d, is_city(c) ? "保存期間は、市の定めによる（条例 第9条）。"
                               : "保存期間は、規則で定めるところにより定める（条例 第7条第5号）。");
    if (rule) {
        doc_textf(&c->d, "%s（", rule_name);
        doc_text(&c->d, rule->rule);
        if (rule->max_days)
            doc_textf(&c->d, "）が定める保存期間は%u日以上%u日以下である。",
                      (unsigned)rule->min_days, (unsigned)rule->max_days);
        else
            doc_textf(&c->d, "）が定める保存期間は%u日以上である。", (unsigned)rule->min_days);
        doc_textf(&c->d,
                  "保存期間は、この範囲内で、%sである%d日を超えない範囲で定める。記録装置は、"
                  "市のハブが署名して送ったこの定めを受信して記録し（通知 ",
                  registered, cfg->registered_retention_days);
        doc_text(&c->d, rule->id);
        doc_text(&c->d, "）、この範囲外の設定を起動時に受け付けない。");
    } else {
        doc_textf(&c->d,
                  "%sが定める保存期間の範囲は、まだ市のハブから受信していない。受信するまでは、"
                  "%sである%d日を上限とし、記録媒体の空き容量が不足しても保存期間内の画像を"
                  "消去しない。受信した後は、記録装置はその範囲外の設定を起動時に受け付けない。",
                  rule_name, registered, cfg->registered_retention_days);
    }
    doc_item_end(&c->d);
}

static void retention_items(ctx_t *c)
{
    const edge_config_t *cfg = c->cfg;
    doc_item_begin(&c->d);
    doc_textf(&c->d, "画像の保存期間は%d日とする。", cfg->retention_days);
    doc_item_end(&c->d);
    retention_bound_item(c);
    doc_item(&c->d, "法令に基づく手続きにより照会等を受けた場合は、対象の画像を、必要な期間、保存"
                    "期間を超えて保存する。保存の開始及び終了はサイトログに記録する。");
    doc_item(&c->d,
             "消去の方法：保存期間を経過した画像は、1時間ごとに、その画像を復号できる鍵を"
             "破棄して復元できない状態とし（暗号学的消去）、その後にファイルを削除する。消去"
             "したセグメントは、その内容ハッシュとともに消去の記録としてサイトログに記録する。");
    doc_item(&c->d, "破棄の方法：記録媒体を廃棄し、又は交換するときは、媒体を物理的に破壊し、画像"
                    "を復元できない状態とする。");
    doc_item_begin(&c->d);
    doc_text(&c->d,
             "記録媒体の保管方法：記録装置及び記録媒体は、あらかじめ定めた次の場所に保管する。"
             "媒体上の画像は全て暗号化されている。保管場所：");
    doc_value(&c->d, cfg->gov.storage_location);
    doc_item_end(&c->d);
}

/* --- other items (both policies) -------------------------------------------------------------*/

static void consent_items(ctx_t *c)
{
    const edge_governance_t *g = &c->cfg->gov;
    doc_item_begin(&c->d);
    doc_text(&c->d, "地域の合意形成：");
    doc_value(&c->d, g->consensus_date);
    if (g->consensus_note) {
        doc_text(&c->d, "（");
        doc_text(&c->d, g->consensus_note);
        doc_text(&c->d, "）");
    }
    doc_item_end(&c->d);
    doc_item_begin(&c->d);
    doc_text(&c->d, "設置場所の所有者等の許可：");
    doc_value(&c->d, g->land_permission_ref);
    doc_text(&c->d, "（許可日：");
    doc_value(&c->d, g->land_permission_date);
    doc_text(&c->d, "）");
    doc_item_end(&c->d);
}

static void hours_item(ctx_t *c)
{
    doc_item(&c->d, "防犯カメラの運用時間は、原則として24時間とする。各カメラの記録時間は1時間ごと"
                    "に集計し、記録の中断はその時刻とともにサイトログに記録する。");
}

static void complaints_item(ctx_t *c, const char *basis)
{
    doc_item_begin(&c->d);
    doc_text(&c->d, "苦情及び問合せは、管理責任者（");
    doc_value(&c->d, person_name(c, c->cfg->gov.manager));
    doc_text(&c->d, "）が受け付け、迅速かつ適切に対応し、その対応の状況をサイトログに記録する");
    doc_text(&c->d, basis);
    doc_text(&c->d, "。連絡先：");
    doc_value(&c->d, c->cfg->gov.installer_contact);
    doc_item_end(&c->d);
}

/* --- Kawaguchi: 規程, items ア–キ of standard 2.2(7) -------------------------------------------*/

static void k_purpose(ctx_t *c)
{
    doc_heading(&c->d, 2, "ア　防犯カメラの設置目的");
    item_kv(c, "設置目的", c->cfg->gov.purpose);
    doc_item(&c->d, "画像は、設置目的以外の目的に利用しない。各カメラの撮影目的は、イの表1のとおり"
                    "とする。");
}

static void k_locations(ctx_t *c)
{
    doc_heading(&c->d, 2, "イ　防犯カメラの設置場所");
    camera_count_item(c, "、設置目的の達成に必要な最小限とする。設置場所、撮影目的、設置日及び状態"
                         "は表1のとおりとする。");
    location_table(c);
    coverage_item(c);
    coverage_table(c);
    signage_item(c);
    signage_table(c);
}

static void k_people(ctx_t *c)
{
    doc_heading(&c->d, 2, "ウ　防犯カメラの管理責任者その他防犯カメラの運用に従事する者の指定");
    doc_item(&c->d,
             "防犯カメラの管理責任者及び運用に従事する者（運用従事者）を表4のとおり指定する。");
    people_table(c, "表4　管理責任者及び運用従事者", 1);
    not_the_manager_item(c);
    designation_item(c);
    contractors_item(c);
}

static void k_handling(ctx_t *c)
{
    doc_heading(&c->d, 2, "エ　画像の取扱いの制限");
    bases_item(c, "画像は、設置目的以外の目的に利用し、又は第三者に提供しない。ただし、次の場合を"
                  "除く");
    doc_item(&c->d,
             "前項ただし書の提供は、その根拠を記録した開示請求を管理責任者が承認した場合に"
             "限り、承認された暗号化エクスポートによってのみ行う。これ以外に画像を記録装置の外"
             "に持ち出す手段はない。");
    refused_bases_item(c);
    no_leak_item(c);
    logged_access_item(c);
}

static void k_safety(ctx_t *c)
{
    doc_heading(&c->d, 2, "オ　画像の漏えい、滅失、毀損及び改ざんの防止");
    encryption_items(c);
}

static void k_retention(ctx_t *c)
{
    doc_heading(&c->d, 2, "カ　画像の保存期間、消去及び破棄の方法及び記録された媒体の保管方法");
    retention_items(c);
}

static void k_other(ctx_t *c)
{
    doc_heading(&c->d, 2,
                "キ　その他、防犯カメラの設置及び画像の取扱いを適正に行うために必要な事項");
    hours_item(c);
    doc_item_begin(&c->d);
    doc_text(&c->d, "防犯カメラは、設置した日から5年間運用する");
    kcite(c, "第2の1(3)");
    doc_text(&c->d, "。各カメラの設置日はイの表1のとおりとする。");
    doc_item_end(&c->d);
    consent_items(c);
    complaints_item(c, "");
    emergency_item(c);
    doc_item_begin(&c->d);
    doc_text(&c->d, "画像（個人情報）は、この規程に定めるもののほか、個人情報の保護に関する法律に"
                    "従って取り扱う");
    kcite(c, "第3");
    doc_text(&c->d, "。");
    doc_item_end(&c->d);
}

static void kawaguchi_body(ctx_t *c)
{
    k_purpose(c);
    k_locations(c);
    k_people(c);
    k_handling(c);
    k_safety(c);
    k_retention(c);
    k_other(c);
}

/* --- Naha: 設置運用基準, following ordinance 第5条–第7条 ---------------------------------------*/

/* A section heading with the ordinance's clause, which binds the installers of 第4条第1項 but
 * not the city's own cameras (第9条): theirs is the heading alone, or alt when given. */
static void n_heading(ctx_t *c, const char *title, const char *clause, const char *alt)
{
    char h[256];
    snprintf(h, sizeof h, "%s%s", title, is_city(c) ? (alt ? alt : "") : clause);
    doc_heading(&c->d, 2, h);
}

static void n_purpose(ctx_t *c)
{
    n_heading(c, "1　設置目的", "（第5条第1号）", NULL);
    item_kv(c, "設置目的", c->cfg->gov.purpose);
    doc_item(&c->d, "画像等は、設置目的以外の目的に利用しない。各カメラの撮影目的は、2の表1のとおり"
                    "とする。");
}

static void n_cameras(ctx_t *c)
{
    n_heading(c, "2　設置台数及び撮影対象区域", "（第5条第2号・第3号）", NULL);
    camera_count_item(c, "、必要最小限の台数とする。設置場所、撮影目的、設置日及び状態は表1の"
                         "とおりとする。");
    location_table(c);
    coverage_item(c);
    coverage_table(c);
}

static void n_signage(ctx_t *c)
{
    n_heading(c, "3　表示", "（第5条第4号）", NULL);
    signage_item(c);
    signage_table(c);
}

static void n_manager(ctx_t *c)
{
    n_heading(c, "4　管理責任者", "（第5条第5号）", NULL);
    item_kv(c, "防犯カメラの管理及び運用に関する責任者（管理責任者）",
            person_name(c, c->cfg->gov.manager));
    doc_item(&c->d, "管理責任者は、操作担当者の指定及び解除、画像等の開示の承認並びに緊急時の操作"
                    "の許可を行う。");
}

static void n_contractors(ctx_t *c)
{
    n_heading(c, "5　業務の委託", "（第5条第6号）", NULL);
    contractors_item(c);
    if (c->cfg->gov.n_contractors)
        doc_item(&c->d, is_city(c)
                            ? "受託者には、個人情報の保護に関する法律に規定する事項及びこの"
                              "規程を遵守させる。"
                            : "受託者には、那覇市防犯カメラの設置及び運用に関する条例及びこれ"
                              "に基づく規則に規定する事項並びにこの設置運用基準を遵守させる。");
}

static void n_operators(ctx_t *c)
{
    n_heading(c, "6　操作担当者の指定", "（第6条）", NULL);
    doc_item(&c->d, "管理責任者は、防犯カメラの機器の操作を行う者（操作担当者）を表4のとおり指定"
                    "する。");
    people_table(c, "表4　操作担当者", 0);
    not_the_manager_item(c);
    designation_item(c);
    emergency_item(c);
}

static void n_handling(ctx_t *c)
{
    n_heading(c, "7　画像等の取扱い", "（第7条第2号から第4号）",
              "（第9条・個人情報の保護に関する法律）");
    no_leak_item(c);
    doc_item(&c->d, is_city(c) ? "画像等の編集、加工、複製又は印刷をしない。ただし、開示等をする"
                                 "場合は、この限りでない。"
                               : "画像等の編集、加工、複製又は印刷をしない。ただし、開示等をする"
                                 "場合は、この限りでない（第7条第3号）。");
    bases_item(c, "画像等を設置目的以外の目的に利用し、又は第三者に提供しない。ただし、次に掲げる"
                  "場合は、この限りでない");
    const mm_basis_clause_t *own = mm_policy_basis(c->cfg->policy, MM_LEGAL_BASIS_OWN_IMAGES);
    doc_item_begin(&c->d);
    doc_text(&c->d, "開示等は、その根拠を記録した開示請求を管理責任者が承認した場合に限り、承認"
                    "された暗号化エクスポートによってのみ行う。");
    if (own) {
        doc_text(&c->d, is_city(c) ? "自己を本人とする保有個人情報の開示を請求されたときは、"
                                     "個人情報の保護に関する法律に従って開示する（"
                                   : "本人から自己の画像等の開示を求められたときは、開示するよう"
                                     "努める（");
        doc_text(&c->d, own->clause);
        doc_text(&c->d, "）。");
    }
    doc_item_end(&c->d);
    refused_bases_item(c);
    logged_access_item(c);
}

static void n_retention(ctx_t *c)
{
    n_heading(c, "8　保管期間及び消去", "（第7条第5号）", "（第9条）");
    retention_items(c);
}

static void n_records(ctx_t *c)
{
    n_heading(c, "9　記録の作成及び保存", "（第7条第6号）", NULL);
    doc_item(&c->d, "開示等、保管期間を経過した画像等の消去及び苦情の対応の状況は、記録装置が署名"
                    "する追記専用のサイトログに記録し、市のハブに送信する。");
    doc_item(&c->d, "サイトログの記録は削除しない。記録の改変は、ハッシュの連鎖と署名により検出"
                    "される。");
}

static void n_safety(ctx_t *c)
{
    n_heading(c, "10　その他の安全管理措置", "（第7条第7号）", NULL);
    encryption_items(c);
}

static void n_other(ctx_t *c)
{
    doc_heading(&c->d, 2, "11　その他");
    hours_item(c);
    complaints_item(c, is_city(c) ? "" : "（第12条）");
    consent_items(c);
}

static void naha_body(ctx_t *c)
{
    n_purpose(c);
    n_cameras(c);
    n_signage(c);
    n_manager(c);
    n_contractors(c);
    n_operators(c);
    n_handling(c);
    n_retention(c);
    n_records(c);
    n_safety(c);
    n_other(c);
}

/* --- the document ----------------------------------------------------------------------------*/

char *edge_standards_render(const edge_config_t *cfg, const edge_standards_meta_t *meta,
                            edge_doc_format_t fmt)
{
    if (!cfg || (fmt != EDGE_DOC_MARKDOWN && fmt != EDGE_DOC_HTML))
        return NULL;
    const mm_policy_rules_t *rules = mm_policy_rules(cfg->policy);
    if (!rules)
        return NULL;
    ctx_t c = {.d = {.fmt = fmt},
               .cfg = cfg,
               .meta = meta,
               .rules = rules,
               .rule = meta ? meta->city_rule : NULL};
    c.is_op = meta && meta->is_operator ? meta->is_operator : cfg->gov.is_operator;
    c.op_term = rules->op_term;

    doc_begin(&c.d, rules->doc_title, rules->doc_basis, cfg->site);
    header_block(&c);
    if (is_rules_form(&c))
        kawaguchi_body(&c);
    else
        naha_body(&c);
    doc_end(&c.d);

    if (c.d.b.oom || !c.d.b.p) {
        free(c.d.b.p);
        return NULL;
    }
    return c.d.b.p;
}
