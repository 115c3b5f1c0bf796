/*
 * ops_standards.c: the standards document's versions (ops_impl.h, standards.h) — a new version
 * logged as `configuration_changed` whenever what the document says changes (at start after a
 * configuration change, when the operators or a camera's state change), and each version filed
 * with the city as `standards_filed`, automatically or by the manager (R-N4.2).
 *
 * A version is compared without its number and date: the record "standards" in edge.meta keeps
 * the SHA-256 of the unversioned Markdown, and a new version is made only when it differs. The
 * `standards` action serves the same Markdown as was hashed, so its SHA-256 is the
 * document_hash of the last configuration_changed entry. A site that files automatically files
 * what a crash left unfiled at the next start.
 *
 * Each version's Markdown and HTML are kept on disk (documents.h) before its entry is logged, so
 * that what goes to the city is what was hashed, whatever the configuration says later. A
 * version made before documents were kept gets them at the next start while the document it
 * says is still the one running (the same content renders to the same bytes); an older one
 * never does.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "common/policy.h"
#include "edge/documents.h"
#include "edge/ops_impl.h"
#include "edge/standards.h"

/* The document as filed: the operators in force and the cameras' states are part of it. */
static char *render(const edge_ops_t *ops, uint32_t version, const char *date,
                    edge_doc_format_t fmt)
{
    int is_op[EDGE_MAX_PEOPLE] = {0};
    const char *states[EDGE_MAX_CAMERAS];
    for (size_t i = 0; i < ops->cfg->gov.n_people; i++)
        is_op[i] = edge_access_is_operator(&ops->access, &ops->cfg->gov, (int)i);
    for (size_t i = 0; i < ops->cfg->n_cameras; i++)
        states[i] = edge_cam_state_name(ops->cam_state[i]);
    edge_standards_meta_t meta = {.version = version,
                                  .effective = date,
                                  .is_operator = is_op,
                                  .camera_state = states,
                                  .city_rule = &ops->city_rule};
    return edge_standards_render(ops->cfg, &meta, fmt);
}

static void today(char out[EDGE_DATE_LEN])
{
    time_t t = (time_t)(mm_now_us() / 1000000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, EDGE_DATE_LEN, "%Y-%m-%d", &tm);
}

static int file_hash(const char *path, uint8_t out[32])
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    mm_sha256_ctx_t *ctx = NULL;
    if (!f || mm_sha256_create(&ctx) != MM_OK) {
        if (f)
            fclose(f);
        memset(out, 0, 32);
        return -1;
    }
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        mm_sha256_update(ctx, buf, n);
    fclose(f);
    mm_sha256_final(ctx, out);
    mm_sha256_destroy(ctx);
    return 0;
}

static mm_err_t standards_file(edge_ops_t *ops, const char *by);

/* Whether each version is filed as it is made: "filing": "automatic", and a policy that files
 * (the city's own cameras file nothing, common/policy.h). */
static int files_automatically(const edge_ops_t *ops)
{
    return !ops->cfg->filing_manual && mm_policy_filing(ops->cfg->policy) != MM_FILING_NONE;
}

/* Keeps version's document (md, already rendered) and its HTML in the documents directory. */
static mm_err_t keep(const edge_ops_t *ops, uint32_t version, const char *date, const char *md)
{
    if (!ops->documents_dir)
        return MM_OK;
    char *html = render(ops, version, date, EDGE_DOC_HTML);
    mm_err_t err = html ? edge_documents_keep(ops->documents_dir, version, md, html) : MM_ENOMEM;
    free(html);
    return err;
}

/* The running version's document kept, if it is not yet (it was made before they were). */
static mm_err_t keep_running(const edge_ops_t *ops)
{
    if (!ops->documents_dir || edge_documents_kept(ops->documents_dir, ops->standards_version))
        return MM_OK;
    char *md = render(ops, ops->standards_version, ops->standards_date, EDGE_DOC_MARKDOWN);
    mm_err_t err = md ? keep(ops, ops->standards_version, ops->standards_date, md) : MM_ENOMEM;
    free(md);
    if (err == MM_OK)
        MM_INFO("standards: the document of version %u is kept from now on",
                ops->standards_version);
    return err;
}

/*
 * Makes a new version of the standards document when what it says (without its version and
 * date) differs from the last version's; logs it (R-N4.2). The `standards` action serves that
 * same Markdown, so its SHA-256 is the document_hash of the last configuration_changed entry.
 */
mm_err_t edge_ops_standards_update(edge_ops_t *ops, const char *summary)
{
    char *content = render(ops, 0, NULL, EDGE_DOC_MARKDOWN);
    if (!content)
        return MM_ENOMEM;
    uint8_t h[32];
    char hex[65];
    mm_sha256(content, strlen(content), h);
    free(content);
    mm_hex32(h, hex);

    char buf[512];
    size_t len = 0;
    uint32_t version = 0;
    char date[EDGE_DATE_LEN] = "", old_hex[65] = "";
    mm_err_t err = edge_store_meta_get(ops->store, "standards", buf, sizeof buf - 1, &len);
    if (err == MM_OK) {
        buf[len] = 0;
        json_t *j = json_loads(buf, 0, NULL);
        const char *d = NULL, *oh = NULL;
        json_int_t v = 0, filed = 0;
        if (!j ||
            json_unpack(j, "{s:I, s:s, s:s, s?I}", "version", &v, "date", &d, "content", &oh,
                        "filed", &filed) ||
            v < 1 || v > UINT32_MAX || strlen(d) >= sizeof date || strlen(oh) != 64 || filed < 0 ||
            filed > v) {
            json_decref(j);
            MM_ERROR("the store's standards version record is damaged");
            return MM_ECORRUPT;
        }
        version = (uint32_t)v;
        ops->standards_filed = (uint32_t)filed;
        snprintf(date, sizeof date, "%s", d);
        snprintf(old_hex, sizeof old_hex, "%s", oh);
        json_decref(j);
    } else if (err != MM_ENOTFOUND) {
        return err;
    }
    snprintf(ops->standards_content, sizeof ops->standards_content, "%s", hex);
    if (version && strcmp(old_hex, hex) == 0) {
        ops->standards_version = version;
        snprintf(ops->standards_date, sizeof ops->standards_date, "%s", date);
        keep_running(ops); /* said when it fails; the recorder goes on */
        /* A site filing automatically files what a crash left unfiled. */
        return !files_automatically(ops) || ops->standards_filed == version
                   ? MM_OK
                   : standards_file(ops, "");
    }

    version++;
    today(date);
    char *doc = render(ops, version, date, EDGE_DOC_MARKDOWN);
    if (!doc)
        return MM_ENOMEM;
    /* Kept before it is logged, so that a logged version has its document on disk; a disk
     * that refuses it is said (documents.h) and does not stop the version, whose document then
     * never reaches the hub. */
    if (keep(ops, version, date, doc) != MM_OK)
        MM_ERROR("standards: the document of version %u is not kept and cannot be sent to the "
                 "hub",
                 version);
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_CONFIGURATION_CHANGED};
    mm_configuration_changed_t *c = &e.u.configuration_changed;
    c->version = version;
    mm_sha256(doc, strlen(doc), c->document_hash);
    free(doc);
    file_hash(ops->config_path, c->config_hash);
    c->policy = ops->cfg->policy;
    c->cameras = (uint32_t)ops->cfg->n_cameras;
    snprintf(c->summary, sizeof c->summary, "%s",
             version == 1 ? "first version of the standards" : summary);
    json_t *rec = json_pack("{s:I, s:s, s:s, s:I}", "version", (json_int_t)version, "date", date,
                            "content", hex, "filed", (json_int_t)ops->standards_filed);
    char *s = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(rec);
    if (!s)
        return MM_ENOMEM;
    err = edge_ops_append(ops, &e, "standards", s, strlen(s));
    free(s);
    if (err != MM_OK)
        return err;
    ops->standards_version = version;
    snprintf(ops->standards_date, sizeof ops->standards_date, "%s", date);
    MM_INFO("standards: version %u of %s (%s)", version, date, c->summary);
    return files_automatically(ops) ? standards_file(ops, "") : MM_OK;
}

/*
 * Files the current version with the city (R-N4.2): a standards_filed entry with the hash of
 * the versioned document, and the record of what is filed, in one transaction. by is the
 * manager's id, or "" when the site files automatically.
 */
static mm_err_t standards_file(edge_ops_t *ops, const char *by)
{
    char *doc = render(ops, ops->standards_version, ops->standards_date, EDGE_DOC_MARKDOWN);
    if (!doc)
        return MM_ENOMEM;
    mm_entry_t e = {.time_us = mm_now_us(), .kind = MM_ENTRY_STANDARDS_FILED};
    mm_standards_filed_t *f = &e.u.standards_filed;
    f->version = ops->standards_version;
    mm_sha256(doc, strlen(doc), f->document_hash);
    free(doc);
    snprintf(f->by, sizeof f->by, "%s", by);
    f->automatic = !*by;
    json_t *rec = json_pack("{s:I, s:s, s:s, s:I}", "version", (json_int_t)ops->standards_version,
                            "date", ops->standards_date, "content", ops->standards_content, "filed",
                            (json_int_t)ops->standards_version);
    char *s = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(rec);
    if (!s)
        return MM_ENOMEM;
    mm_err_t err = edge_ops_append(ops, &e, "standards", s, strlen(s));
    free(s);
    if (err == MM_OK) {
        ops->standards_filed = ops->standards_version;
        MM_INFO("standards: version %u filed%s%s", f->version, *by ? " by " : " automatically", by);
    }
    return err;
}

void edge_ops_do_standards(edge_ops_call_t *c)
{
    char *doc = render(c->ops, c->ops->standards_version, c->ops->standards_date,
                       c->r->html ? EDGE_DOC_HTML : EDGE_DOC_MARKDOWN);
    if (!doc) {
        edge_ops_refuse(c, "internal", "out of memory");
        return;
    }
    json_t *res = json_pack("{s:i, s:s, s:s, s:s}", "version", (int)c->ops->standards_version,
                            "date", c->ops->standards_date, "format",
                            c->r->html ? "html" : "markdown", "document", doc);
    free(doc);
    edge_ops_answer(c, res, NULL);
}

/* The manager files the current version with the city (R-N4.2). */
void edge_ops_do_standards_file(edge_ops_call_t *c)
{
    edge_ops_t *ops = c->ops;
    const mm_policy_rules_t *rules = mm_policy_rules(ops->cfg->policy);
    if (rules && rules->filing == MM_FILING_NONE) {
        edge_ops_refuse(c, "conflict",
                        "the %s policy files nothing with the city (%s %s): the standards are the "
                        "site's own record, logged and sent to the hub as every version is",
                        mm_policy_name(ops->cfg->policy), rules->text, rules->filing_clause);
        return;
    }
    if (ops->standards_filed == ops->standards_version) {
        edge_ops_refuse(c, "conflict", "version %u of the standards is filed already",
                        ops->standards_version);
        return;
    }
    if (standards_file(ops, c->person) != MM_OK) {
        edge_ops_refuse(c, "internal", "the filing could not be stored; nothing changed");
        return;
    }
    edge_ops_answer(
        c, json_pack("{s:i, s:s}", "filed", (int)ops->standards_filed, "date", ops->standards_date),
        NULL);
}
