/*
 * alertrules.c: the alerts of a snapshot, and what changed between two sets (see alertrules.h).
 *
 * Every word here is the site's own: the kinds of the city's requests and notices are named as
 * the city's pages name them, in Japanese and in English. A kind this table does not know (a
 * newer hub) is shown by its name.
 */
#include "edge/alertrules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MM_ENUM_DEFINE(edge_alert_kind, EDGE_ALERT, EDGE_ALERT_KIND_MAP, "alert kind")

#define SEC_US 1000000LL
#define DAY_US (86400LL * SEC_US)

/* The city's request and notice kinds (common/vocab.h) in both languages. */
static const struct {
    const char *kind, *ja, *en;
} kind_words[] = {
    {"complaint", "苦情", "complaint"},
    {"report_request", "報告の求め", "request for a report"},
    {"complaint_measure", "苦情への措置の求め", "measure asked for on a complaint"},
    {"filing_decision", "届出への判断", "decision on a filing"},
    {"guidance", "指導", "guidance"},
    {"recommendation", "勧告", "recommendation"},
    {"hearing_offer", "意見を述べる機会の通知", "offer of a hearing"},
    {"publication", "公表", "publication"},
    {"city_rule", "保存期間の規則", "rule for the retention period"},
};

static void words_of(const char *kind, const char **ja, const char **en)
{
    for (size_t i = 0; i < sizeof kind_words / sizeof kind_words[0]; i++)
        if (!strcmp(kind, kind_words[i].kind)) {
            *ja = kind_words[i].ja;
            *en = kind_words[i].en;
            return;
        }
    *ja = *en = kind;
}

/* What an open item is, for the deadline alerts' words. */
static void item_words(const edge_open_item_t *it, const char **ja, const char **en)
{
    switch (it->kind) {
    case EDGE_OPEN_REQUEST:
        words_of(it->what, ja, en);
        return;
    case EDGE_OPEN_COMPLAINT:
        *ja = "拠点で受け付けた苦情";
        *en = "complaint received at the site";
        return;
    case EDGE_OPEN_DISCLOSURE:
        *ja = "提供の依頼";
        *en = "disclosure request";
        return;
    default:
        *ja = *en = "";
    }
}

typedef struct {
    edge_alert_t *out;
    size_t cap, n;
} sink_t;

/* Adds an alert (the caller writes its words), or only counts it when out is full (NULL). */
static edge_alert_t *add(sink_t *k, edge_alert_kind_t kind, const char *subject, int64_t since,
                         int64_t deadline)
{
    edge_alert_t *a = k->n < k->cap ? &k->out[k->n] : NULL;
    k->n++;
    if (!a)
        return NULL;
    memset(a, 0, sizeof *a);
    a->kind = kind;
    snprintf(a->subject, sizeof a->subject, "%s", subject);
    a->since_us = since;
    a->deadline_us = deadline;
    return a;
}

static void cameras(const edge_alert_state_t *s, sink_t *k)
{
    int64_t limit = (int64_t)s->camera_down_seconds * SEC_US;
    for (size_t i = 0; i < s->n_cameras && i < EDGE_ALERT_CAMERAS_MAX; i++) {
        const edge_alert_camera_t *c = &s->cameras[i];
        if (!c->watched || s->now_us - c->seen_us <= limit)
            continue;
        edge_alert_t *a = add(k, EDGE_ALERT_CAMERA_DOWN, c->id, c->seen_us, 0);
        if (!a)
            continue;
        snprintf(a->text_ja, sizeof a->text_ja, "カメラ %s の映像が%d秒以上届いていません", c->id,
                 s->camera_down_seconds);
        snprintf(a->text_en, sizeof a->text_en, "Camera %s has sent no video for more than %d s",
                 c->id, s->camera_down_seconds);
    }
}

static void disk_and_hub(const edge_alert_state_t *s, sink_t *k)
{
    edge_alert_t *a;
    if (s->disk_alarm && (a = add(k, EDGE_ALERT_DISK_ALARM, "disk", s->disk_since_us, 0))) {
        snprintf(a->text_ja, sizeof a->text_ja,
                 "ディスクの空き容量が下限の %" PRIu64
                 " MB を下回っています。優先度の低いカメラから録画が止まります",
                 s->min_free_mb);
        snprintf(a->text_en, sizeof a->text_en,
                 "Free disk space is below the minimum of %" PRIu64
                 " MB: cameras stop recording, lowest priority first",
                 s->min_free_mb);
    }
    if (s->now_us - s->hub_seen_us > (int64_t)s->hub_down_minutes * 60 * SEC_US &&
        (a = add(k, EDGE_ALERT_HUB_DOWN, "hub", s->hub_seen_us, 0))) {
        snprintf(a->text_ja, sizeof a->text_ja,
                 "市のハブと%d分以上つながっていません。記録は失われず、つながり次第送られます",
                 s->hub_down_minutes);
        snprintf(a->text_en, sizeof a->text_en,
                 "The city's hub has not answered for more than %d min; nothing is lost: the "
                 "log goes out once it is back",
                 s->hub_down_minutes);
    }
}

/* The alert an open item stands for by itself (its deadline aside). */
static void item_alert(const edge_open_item_t *it, sink_t *k)
{
    const char *ja, *en;
    edge_alert_t *a;
    switch (it->kind) {
    case EDGE_OPEN_REQUEST:
        words_of(it->what, &ja, &en);
        if ((a = add(k, EDGE_ALERT_CITY_REQUEST, it->id, it->since_us, 0))) {
            snprintf(a->text_ja, sizeof a->text_ja, "市からの%s（%s）に回答してください", ja,
                     it->id);
            snprintf(a->text_en, sizeof a->text_en, "The city's %s (%s) awaits an answer", en,
                     it->id);
        }
        return;
    case EDGE_OPEN_NOTICE:
        words_of(it->what, &ja, &en);
        if ((a = add(k, EDGE_ALERT_CITY_NOTICE, it->id, it->since_us, 0))) {
            snprintf(a->text_ja, sizeof a->text_ja,
                     "市から通知（%s、%s）が届いています。確認してください", ja, it->id);
            snprintf(a->text_en, sizeof a->text_en,
                     "A notice from the city (%s, %s) is to be acknowledged", en, it->id);
        }
        return;
    case EDGE_OPEN_DISCLOSURE:
        if ((a = add(k, EDGE_ALERT_DISCLOSURE_WAITING, it->id, it->since_us, 0))) {
            snprintf(a->text_ja, sizeof a->text_ja,
                     "提供の依頼 %s が管理責任者の判断を待っています", it->id);
            snprintf(a->text_en, sizeof a->text_en,
                     "Disclosure request %s waits for the manager's decision", it->id);
        }
        return;
    case EDGE_OPEN_GRANT:
        if ((a = add(k, EDGE_ALERT_EMERGENCY_REPORT, it->id, it->since_us, 0))) {
            snprintf(a->text_ja, sizeof a->text_ja,
                     "緊急時の操作 %s は終わりましたが、管理責任者への報告がまだです", it->id);
            snprintf(a->text_en, sizeof a->text_en,
                     "Emergency grant %s has ended and its report to the manager is still due",
                     it->id);
        }
        return;
    case EDGE_OPEN_FILING:
        if ((a = add(k, EDGE_ALERT_FILING_RETURNED, it->id, it->since_us, 0))) {
            snprintf(a->text_ja, sizeof a->text_ja,
                     "市が基準の届出（第%s版）を返却しました。直して届け出てください", it->what);
            snprintf(a->text_en, sizeof a->text_en,
                     "The city returned the filed standards (version %s): correct and file again",
                     it->what);
        }
        return;
    case EDGE_OPEN_COMPLAINT:
        return; /* the site's own record: only its deadline alerts */
    }
}

static void deadline_alert(const edge_alert_state_t *s, const edge_open_item_t *it, sink_t *k)
{
    if (!it->deadline_us || it->kind == EDGE_OPEN_NOTICE || it->kind == EDGE_OPEN_GRANT ||
        it->kind == EDGE_OPEN_FILING)
        return;
    const char *ja, *en;
    item_words(it, &ja, &en);
    int64_t near = it->deadline_us - (int64_t)s->deadline_days * DAY_US;
    edge_alert_t *a;
    if (s->now_us > it->deadline_us) {
        if ((a = add(k, EDGE_ALERT_OVERDUE, it->id, it->deadline_us, it->deadline_us))) {
            snprintf(a->text_ja, sizeof a->text_ja, "%s %s の期限が過ぎています", ja, it->id);
            snprintf(a->text_en, sizeof a->text_en, "The %s %s is past its deadline", en, it->id);
        }
    } else if (s->now_us >= near &&
               (a = add(k, EDGE_ALERT_DEADLINE_NEAR, it->id, near, it->deadline_us))) {
        snprintf(a->text_ja, sizeof a->text_ja, "%s %s の期限まで%d日を切りました", ja, it->id,
                 s->deadline_days);
        snprintf(a->text_en, sizeof a->text_en, "The %s %s is due within %d day%s", en, it->id,
                 s->deadline_days, s->deadline_days == 1 ? "" : "s");
    }
}

static int cmp_alert(const void *x, const void *y)
{
    const edge_alert_t *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(a->subject, b->subject);
}

size_t edge_alerts_decide(const edge_alert_state_t *s, edge_alert_t *out, size_t cap)
{
    sink_t k = {out, cap, 0};
    cameras(s, &k);
    disk_and_hub(s, &k);
    for (size_t i = 0; i < s->n_items && i < EDGE_ALERT_ITEMS_MAX; i++) {
        item_alert(&s->items[i], &k);
        deadline_alert(s, &s->items[i], &k);
    }
    qsort(out, k.n < cap ? k.n : cap, sizeof *out, cmp_alert);
    return k.n;
}

int edge_alert_same(const edge_alert_t *a, const edge_alert_t *b)
{
    return a->kind == b->kind && !strcmp(a->subject, b->subject);
}

size_t edge_alerts_diff(const edge_alert_t *prev, size_t np, const edge_alert_t *cur, size_t nc,
                        void (*changed)(void *arg, const edge_alert_t *a, int raised), void *arg)
{
    size_t n = 0;
    /* Both sorted: one walk finds the cleared, another the raised. */
    for (int pass = 0; pass < 2; pass++) {
        const edge_alert_t *a = pass ? cur : prev, *b = pass ? prev : cur;
        size_t na = pass ? nc : np, nb = pass ? np : nc, j = 0;
        for (size_t i = 0; i < na; i++) {
            while (j < nb && cmp_alert(&b[j], &a[i]) < 0)
                j++;
            if (j < nb && cmp_alert(&b[j], &a[i]) == 0)
                continue;
            n++;
            if (changed)
                changed(arg, &a[i], pass);
        }
    }
    return n;
}
