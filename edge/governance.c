/*
 * governance.c: the site's people, installer and per-camera records, checked as they load
 * (see governance.h).
 */
#include "edge/governance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/policy.h"

const char *const edge_governance_keys[] = {
    "installer", "purpose", "storage_location", "consensus",   "land_owner_permission",
    "people",    "manager", "operators",        "contractors", NULL};
const char *const edge_camera_gov_keys[] = {"location", "purpose",  "install_date",
                                            "signage",  "coverage", NULL};

/*
 * Neither text bounds a hold. Kawaguchi 第2(6)イ keeps images "about 7 days or more" and, "when
 * an inquiry under a legal procedure is received, for the period it needs" — the period is the
 * inquiry's, and a site hold is placed before any inquiry exists; Naha 第7条(5) leaves the
 * retention period to the city's rule (規則) and says nothing of holds. Neither text has a
 * maximum retention either (Kawaguchi's floor only; the ceiling is each site's registered
 * period, or the city's rule, which a hold exists to exceed). So the bound is borrowed from the
 * nearest rule of law for keeping data while an inquiry is prepared: a preservation request under
 * the Code of Criminal Procedure, Art. 197(3)-(4), lasts 30 days and may be extended to 60 days in
 * all. A site hold defaults to the first and may not exceed the second under either policy; an
 * inquiry that comes in time places a disclosure's hold, which lasts as long as it needs (and
 * supersedes the site hold, siteholds.h).
 */
int edge_policy_hold_max_days(mm_policy_t p)
{
    (void)p;
    return 60;
}

/* --- value checks ----------------------------------------------------------------------------*/

/* A required or optional free text: non-blank, at most EDGE_TEXT_MAX bytes; malloc'd or NULL. */
static char *text(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key, int required)
{
    const char *s = mm_conf_string(conf, obj, objpath, key, required, NULL);
    if (!s)
        return NULL;
    char kp[128];
    mm_conf_key(kp, sizeof kp, objpath, key);
    if (strlen(s) > EDGE_TEXT_MAX) {
        mm_conf_problem(conf, kp, "at most %d bytes, got %zu", EDGE_TEXT_MAX, strlen(s));
        return NULL;
    }
    if (strspn(s, " \t\r\n") == strlen(s)) {
        mm_conf_problem(conf, kp, "must not be empty");
        return NULL;
    }
    return strdup(s);
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A date "YYYY-MM-DD" that exists in the calendar, into out ("" when absent or wrong). */
static void date(mm_conf_t *conf, json_t *obj, const char *objpath, const char *key, int required,
                 char out[EDGE_DATE_LEN])
{
    out[0] = 0;
    const char *s = mm_conf_string(conf, obj, objpath, key, required, NULL);
    if (!s)
        return;
    int y, m, d, n = 0;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int digits = strlen(s) == 10;
    for (int i = 0; digits && i < 10; i++)
        digits = (i == 4 || i == 7) ? s[i] == '-' : (s[i] >= '0' && s[i] <= '9');
    int ok = digits && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 && s[4] == '-' &&
             s[7] == '-' && y >= 1900 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 &&
             d <= days[m - 1] + (m == 2 && leap(y));
    if (!ok) {
        char kp[128];
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, objpath, key),
                        "must be a date written YYYY-MM-DD, got \"%.40s\"", s);
        return;
    }
    memcpy(out, s, EDGE_DATE_LEN);
}

/* POSIX portable login names: [a-z_][a-z0-9_.-]*, at most 32 characters. */
static int account_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= EDGE_ACCOUNT_MAX || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

static int person_by_id(const edge_governance_t *g, const char *id)
{
    for (size_t i = 0; i < g->n_people; i++)
        if (strcmp(g->people[i].id, id) == 0)
            return (int)i;
    return -1;
}

int edge_governance_person(const edge_governance_t *g, const char *id)
{
    for (size_t i = 0; id && i < g->n_people; i++)
        if (strcmp(g->people[i].id, id) == 0)
            return (int)i;
    return -1;
}

int edge_governance_person_by_account(const edge_governance_t *g, const char *account)
{
    if (!account[0])
        return -1;
    for (size_t i = 0; i < g->n_people; i++)
        if (strcmp(g->people[i].account, account) == 0)
            return (int)i;
    return -1;
}

/* --- the site --------------------------------------------------------------------------------*/

static void parse_installer(mm_conf_t *conf, json_t *root, edge_governance_t *out)
{
    static const char *const keys[] = {"name", "address", "contact", NULL};
    json_t *in = mm_conf_object(conf, root, "", "installer", 1);
    if (!in)
        return;
    mm_conf_check_keys(conf, in, "installer", keys);
    out->installer_name = text(conf, in, "installer", "name", 1);
    out->installer_address = text(conf, in, "installer", "address", 0);
    out->installer_contact = text(conf, in, "installer", "contact", 1);
}

static void parse_consent(mm_conf_t *conf, json_t *root, mm_policy_t policy, edge_governance_t *out)
{
    /* R-K2.1.3c: consensus and the land owner's permission come before installation. */
    int required = mm_policy_consensus_required(policy);
    static const char *const ckeys[] = {"date", "note", NULL};
    json_t *c = mm_conf_object(conf, root, "", "consensus", required);
    if (c) {
        mm_conf_check_keys(conf, c, "consensus", ckeys);
        date(conf, c, "consensus", "date", 1, out->consensus_date);
        out->consensus_note = text(conf, c, "consensus", "note", 0);
    }
    static const char *const pkeys[] = {"reference", "date", NULL};
    json_t *p = mm_conf_object(conf, root, "", "land_owner_permission", required);
    if (p) {
        mm_conf_check_keys(conf, p, "land_owner_permission", pkeys);
        out->land_permission_ref = text(conf, p, "land_owner_permission", "reference", 1);
        date(conf, p, "land_owner_permission", "date", 0, out->land_permission_date);
    }
}

static void parse_people(mm_conf_t *conf, json_t *root, edge_governance_t *out)
{
    static const char *const keys[] = {"id", "name", "account", NULL};
    json_t *people = mm_conf_array(conf, root, "", "people", 1);
    if (!people)
        return;
    if (json_array_size(people) > EDGE_MAX_PEOPLE) {
        mm_conf_problem(conf, "people", "at most %d people, got %zu", EDGE_MAX_PEOPLE,
                        json_array_size(people));
        return;
    }
    size_t i;
    json_t *p;
    json_array_foreach(people, i, p)
    {
        char path[64], kp[96];
        mm_conf_index(path, sizeof path, "people", i);
        if (!json_is_object(p)) {
            mm_conf_problem(conf, path, "must be an object");
            continue;
        }
        mm_conf_check_keys(conf, p, path, keys);
        const char *id = mm_conf_string(conf, p, path, "id", 1, NULL);
        char *name = text(conf, p, path, "name", 1);
        const char *account = mm_conf_string(conf, p, path, "account", 1, NULL);
        if (id && !mm_id_ok(id)) {
            mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                            "must be 1-63 characters of A-Z a-z 0-9 . _ -, got \"%.80s\"", id);
            id = NULL;
        }
        if (id && person_by_id(out, id) >= 0) {
            mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "id"),
                            "duplicate person id \"%s\"", id);
            id = NULL;
        }
        if (account && !account_ok(account)) {
            mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "account"),
                            "must be a login name (a-z 0-9 _ . -, at most 32, not starting "
                            "with a digit), got \"%.80s\"",
                            account);
            account = NULL;
        }
        if (account) {
            int other = edge_governance_person_by_account(out, account);
            if (other >= 0) {
                /* One account is one person: else the control socket could not tell them
                 * apart, and a manager could act as "another" operator. */
                mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "account"),
                                "account \"%s\" already belongs to %s", account,
                                out->people[other].id);
                account = NULL;
            }
        }
        /* A person with a wrong account or name is still listed (without them), so that a
         * mistake there is not reported again at every role that names them. */
        if (!id) {
            free(name);
            continue;
        }
        edge_person_t *e = &out->people[out->n_people++];
        snprintf(e->id, sizeof e->id, "%s", id);
        snprintf(e->account, sizeof e->account, "%s", account ? account : "");
        e->name = name;
    }
}

/* The person named by the string at obj[key] (at path kp), or -1 with a problem recorded. */
static int person_ref(mm_conf_t *conf, const edge_governance_t *g, json_t *value, const char *kp)
{
    if (!json_is_string(value)) {
        mm_conf_problem(conf, kp, "must be a person id (a string)");
        return -1;
    }
    int i = person_by_id(g, json_string_value(value));
    if (i < 0)
        mm_conf_problem(conf, kp, "\"%.80s\" is not in people", json_string_value(value));
    return i;
}

static void parse_roles(mm_conf_t *conf, json_t *root, edge_governance_t *out)
{
    /* R-K2.2.2, R-N5.5: a site cannot record without a named manager. */
    out->manager = -1;
    json_t *m = json_object_get(root, "manager");
    if (!m)
        mm_conf_problem(conf, "manager", "missing: a site records only with a named manager");
    else
        out->manager = person_ref(conf, out, m, "manager");

    json_t *ops = mm_conf_array(conf, root, "", "operators", 0);
    size_t i;
    json_t *o;
    json_array_foreach(ops, i, o)
    {
        char kp[64];
        mm_conf_index(kp, sizeof kp, "operators", i);
        int p = person_ref(conf, out, o, kp);
        if (p < 0)
            continue;
        /* R-N6.1: operators are other people than the manager. */
        if (p == out->manager) {
            mm_conf_problem(conf, kp, "%s is the manager; an operator must be someone else",
                            out->people[p].id);
            continue;
        }
        if (out->is_operator[p])
            mm_conf_problem(conf, kp, "%s is listed twice", out->people[p].id);
        out->is_operator[p] = 1;
    }

    static const char *const ckeys[] = {"name", "staff", NULL};
    json_t *cons = mm_conf_array(conf, root, "", "contractors", 0);
    if (json_array_size(cons) > EDGE_MAX_CONTRACTORS) {
        mm_conf_problem(conf, "contractors", "at most %d contractors, got %zu",
                        EDGE_MAX_CONTRACTORS, json_array_size(cons));
        return;
    }
    json_array_foreach(cons, i, o)
    {
        char path[64];
        mm_conf_index(path, sizeof path, "contractors", i);
        if (!json_is_object(o)) {
            mm_conf_problem(conf, path, "must be an object");
            continue;
        }
        mm_conf_check_keys(conf, o, path, ckeys);
        edge_contractor_t *c = &out->contractors[out->n_contractors++];
        c->name = text(conf, o, path, "name", 1);
        json_t *staff = mm_conf_array(conf, o, path, "staff", 1);
        /* c->staff holds EDGE_MAX_PEOPLE; a longer list (it can only repeat people) would
         * write past it. */
        if (json_array_size(staff) > EDGE_MAX_PEOPLE) {
            char sp[80];
            mm_conf_problem(conf, mm_conf_key(sp, sizeof sp, path, "staff"),
                            "at most %d staff, got %zu", EDGE_MAX_PEOPLE, json_array_size(staff));
            continue;
        }
        size_t j;
        json_t *s;
        json_array_foreach(staff, j, s)
        {
            char kp[96], sp[80];
            mm_conf_key(sp, sizeof sp, path, "staff");
            mm_conf_index(kp, sizeof kp, sp, j);
            int p = person_ref(conf, out, s, kp);
            if (p < 0)
                continue;
            /* R-N5.6: contractor staff work the cameras as operators, with the same limits. */
            if (!out->is_operator[p]) {
                mm_conf_problem(conf, kp, "%s works for a contractor but is not an operator",
                                out->people[p].id);
                continue;
            }
            int dup = 0;
            for (size_t k = 0; k < c->n_staff; k++)
                dup |= c->staff[k] == p;
            if (dup) {
                mm_conf_problem(conf, kp, "%s is listed twice", out->people[p].id);
                continue;
            }
            c->staff[c->n_staff++] = p;
        }
    }
}

void edge_governance_parse(mm_conf_t *conf, json_t *root, mm_policy_t policy,
                           edge_governance_t *out)
{
    memset(out, 0, sizeof *out);
    out->manager = -1;
    parse_installer(conf, root, out);
    out->purpose = text(conf, root, "", "purpose", 1);
    out->storage_location = text(conf, root, "", "storage_location", 1);
    parse_consent(conf, root, policy, out);
    parse_people(conf, root, out);
    parse_roles(conf, root, out);
}

/* --- a camera --------------------------------------------------------------------------------*/

static void parse_signage(mm_conf_t *conf, json_t *cam, const char *path, edge_camera_gov_t *out)
{
    static const char *const keys[] = {"text", "installer_shown", "checked", NULL};
    char sp[96];
    mm_conf_key(sp, sizeof sp, path, "signage");
    /* R-K2.2.1, R-N5.4: a sign shows that cameras operate and who installed them. */
    json_t *s = json_object_get(cam, "signage");
    if (!s) {
        mm_conf_problem(conf, sp,
                        "missing: every camera needs a sign saying that it operates "
                        "and who installed it");
        return;
    }
    if (!json_is_object(s)) {
        mm_conf_problem(conf, sp, "must be an object");
        return;
    }
    mm_conf_check_keys(conf, s, sp, keys);
    out->signage_text = text(conf, s, sp, "text", 1);
    out->signage_installer_shown = mm_conf_bool(conf, s, sp, "installer_shown", 1, 0);
    if (json_is_boolean(json_object_get(s, "installer_shown")) && !out->signage_installer_shown) {
        char kp[128];
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, sp, "installer_shown"),
                        "the sign must show the installer's name");
    }
    date(conf, s, sp, "checked", 1, out->signage_checked);
}

/* One area {"kind", "points": [[x, y], ...]} into p; 0 when it is usable. */
static int parse_area(mm_conf_t *conf, json_t *a, const char *path, edge_polygon_t *p)
{
    static const char *const keys[] = {"kind", "points", NULL};
    if (!json_is_object(a)) {
        mm_conf_problem(conf, path, "must be an object");
        return -1;
    }
    mm_conf_check_keys(conf, a, path, keys);
    int ok = 0;
    memset(p, 0, sizeof *p);
    const char *kind = mm_conf_string(conf, a, path, "kind", 1, NULL);
    char kp[128];
    if (kind && edge_area_kind_parse(kind, &p->kind) != 0) {
        mm_conf_problem(conf, mm_conf_key(kp, sizeof kp, path, "kind"),
                        "must be \"public\", \"private\" or \"masked\", got \"%.40s\"", kind);
        ok = -1;
    } else if (!kind) {
        ok = -1;
    }
    json_t *pts = mm_conf_array(conf, a, path, "points", 1);
    if (!pts)
        return -1;
    mm_conf_key(kp, sizeof kp, path, "points");
    if (json_array_size(pts) > EDGE_POLYGON_MAX_POINTS) {
        mm_conf_problem(conf, kp, "at most %d points, got %zu", EDGE_POLYGON_MAX_POINTS,
                        json_array_size(pts));
        return -1;
    }
    size_t i;
    json_t *pt;
    json_array_foreach(pts, i, pt)
    {
        json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);
        if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(x) ||
            !json_is_number(y)) {
            char ip[160];
            mm_conf_problem(conf, mm_conf_index(ip, sizeof ip, kp, i),
                            "must be a point [x, y] of two numbers");
            ok = -1;
            continue;
        }
        p->x[p->n] = json_number_value(x);
        p->y[p->n] = json_number_value(y);
        p->n++;
    }
    if (ok == 0) {
        const char *why = edge_polygon_problem(p);
        if (why) {
            mm_conf_problem(conf, kp, "%s", why);
            ok = -1;
        }
    }
    return ok;
}

static void parse_coverage(mm_conf_t *conf, json_t *cam, const char *path, mm_policy_t policy,
                           const char *camera_id, edge_camera_gov_t *out)
{
    static const char *const keys[] = {"areas", "exception", NULL};
    char cp[96];
    mm_conf_key(cp, sizeof cp, path, "coverage");
    json_t *cov = mm_conf_object(conf, cam, path, "coverage", 1);
    if (!cov)
        return;
    mm_conf_check_keys(conf, cov, cp, keys);
    out->exception = text(conf, cov, cp, "exception", 0);
    json_t *areas = mm_conf_array(conf, cov, cp, "areas", 1);
    if (!areas)
        return;
    char ap[128];
    mm_conf_key(ap, sizeof ap, cp, "areas");
    if (json_array_size(areas) == 0 || json_array_size(areas) > EDGE_MAX_AREAS) {
        mm_conf_problem(conf, ap, "1 to %d areas, got %zu", EDGE_MAX_AREAS, json_array_size(areas));
        return;
    }
    out->areas = calloc(json_array_size(areas), sizeof *out->areas);
    if (!out->areas) {
        mm_conf_problem(conf, ap, "out of memory");
        return;
    }
    int usable = 1;
    size_t i;
    json_t *a;
    json_array_foreach(areas, i, a)
    {
        char path_i[160];
        mm_conf_index(path_i, sizeof path_i, ap, i);
        if (parse_area(conf, a, path_i, &out->areas[out->n_areas]) == 0)
            out->n_areas++;
        else
            usable = 0;
    }
    if (!usable || edge_coverage_compute(out->areas, out->n_areas, &out->coverage) != MM_OK)
        return;
    /* R-K2.1.3a: at least 2/3 of the image is public space; 1/2 with a written reason. */
    out->threshold = mm_policy_share_threshold(policy, out->exception != NULL);
    if (out->coverage.public_share + 1e-9 < out->threshold) {
        if (out->exception)
            mm_conf_problem(conf, cp,
                            "camera %s shows %.1f %% public space; even with the exception the "
                            "%s policy needs at least 1/2",
                            camera_id, out->coverage.public_share * 100, mm_policy_name(policy));
        else
            mm_conf_problem(conf, cp,
                            "camera %s shows %.1f %% public space; the %s policy needs at least "
                            "2/3, or 1/2 with a written reason in coverage.exception",
                            camera_id, out->coverage.public_share * 100, mm_policy_name(policy));
    }
}

void edge_camera_gov_parse(mm_conf_t *conf, json_t *cam, const char *path, mm_policy_t policy,
                           edge_camera_gov_t *out)
{
    memset(out, 0, sizeof *out);
    const char *id = json_string_value(json_object_get(cam, "id"));
    out->location = text(conf, cam, path, "location", 1);
    out->purpose = text(conf, cam, path, "purpose", 1);
    date(conf, cam, path, "install_date", 1, out->install_date);
    parse_signage(conf, cam, path, out);
    parse_coverage(conf, cam, path, policy, id ? id : "?", out);
}

void edge_governance_free(edge_governance_t *g)
{
    free(g->installer_name);
    free(g->installer_address);
    free(g->installer_contact);
    free(g->purpose);
    free(g->storage_location);
    free(g->consensus_note);
    free(g->land_permission_ref);
    for (size_t i = 0; i < g->n_people; i++)
        free(g->people[i].name);
    for (size_t i = 0; i < g->n_contractors; i++)
        free(g->contractors[i].name);
    memset(g, 0, sizeof *g);
    g->manager = -1;
}

void edge_camera_gov_free(edge_camera_gov_t *c)
{
    free(c->location);
    free(c->purpose);
    free(c->signage_text);
    free(c->areas);
    free(c->exception);
    memset(c, 0, sizeof *c);
}
