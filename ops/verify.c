/*
 * mimamori-verify: tells the recipient of a disclosure export whether it is authentic, with
 * nothing but the export (decrypted with `age -d`, unpacked with tar) and the hub's public key
 * (and, optionally, the site's key as the hub has it on record).
 * The checks are edge/verify.h's; this file parses arguments and prints the verdict.
 */
#include <jansson.h>
#include <libavutil/log.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/note.h"
#include "common/timefmt.h"
#include "edge/verify.h"

static void usage(FILE *f)
{
    fputs(
        "usage: mimamori-verify [--json] (--hub-key KEY | --hub-key-file FILE)\n"
        "                       [--site-key SITEKEY] DIR\n"
        "\n"
        "Checks the disclosure export unpacked in DIR (the folder holding manifest.json):\n"
        "the site's signature on the manifest, the request against the statement of it the\n"
        "hub signed, the checkpoint of the site's log and the hub's cosignature on it, each\n"
        "clip's SHA-256, each segment's frames against its content hash, and each segment's\n"
        "entry in the site log with its inclusion proof.\n"
        "\n"
        "KEY is the hub's verifier key, name+keyid+base64, as `mimamori-keys show` prints it\n"
        "under \"verifier\" and GET /api/v1/hub serves it; FILE holds that key, or the JSON\n"
        "`mimamori-keys` prints. SITEKEY is the site's verifier key as the hub has it on\n"
        "record (\"verifier\" of the site in GET /api/v1/sites): site-key.pem must be it.\n"
        "--json prints one JSON object: {\"authentic\", \"failures\": [{\"check\", \"message\"}],\n"
        "\"missing\", \"site\", \"request\", \"range\", \"cameras\", \"frames\", \"redacted\",\n"
        "\"checkpoint\", \"site_key_on_record\"}.\n"
        "Exit status: 0 authentic, 1 not authentic, 2 wrong usage, 3 the folder cannot be\n"
        "read (missing files are named).\n",
        f);
}

/* The verifier key in a file: the key itself, or mimamori-keys' JSON with a "verifier". */
static int read_key_file(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "mimamori-verify: cannot read %s\n", path);
        return -1;
    }
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = buf;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p == '{') {
        json_t *o = json_loads(p, 0, NULL);
        const char *v = json_string_value(json_object_get(o, "verifier"));
        int ok = v && strlen(v) < cap;
        if (ok)
            snprintf(out, cap, "%s", v);
        json_decref(o);
        if (!ok)
            fprintf(stderr, "mimamori-verify: %s holds JSON without a \"verifier\" key\n", path);
        return ok ? 0 : -1;
    }
    size_t len = strcspn(p, " \t\r\n");
    if (len == 0 || len >= cap) {
        fprintf(stderr, "mimamori-verify: %s does not hold a verifier key\n", path);
        return -1;
    }
    memcpy(out, p, len);
    out[len] = 0;
    return 0;
}

static int site_zone; /* times are shown in the site's zone (mm_tz_use), not in UTC */

/* us as a person reads it: in the site's zone when the export names one this machine knows
 * ("2026-12-08 02:54:51 JST"), else in UTC. */
static const char *when(int64_t us, char out[MM_LOCALTIME_MAX])
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    if (us > 0 && site_zone)
        mm_time_local(us, out);
    else if (us <= 0 || !gmtime_r(&s, &tm))
        snprintf(out, MM_LOCALTIME_MAX, "%lld", (long long)us);
    else
        strftime(out, MM_LOCALTIME_MAX, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return out;
}

static void print_text(const edge_verify_report_t *r)
{
    if (!r->ok) {
        puts("NOT AUTHENTIC");
        for (size_t i = 0; i < r->n_failures; i++)
            printf("%s: %s\n", r->failures[i].check, r->failures[i].message);
        return;
    }
    char a[MM_LOCALTIME_MAX], b[MM_LOCALTIME_MAX];
    site_zone = r->timezone[0] && mm_tz_use(r->timezone) == 0;
    puts("AUTHENTIC");
    printf("site:         %s\n", r->site);
    printf("request:      %s", r->request_id);
    if (r->requester[0])
        printf(", by %s", r->requester);
    if (r->reference[0])
        printf(", reference %s", r->reference);
    putchar('\n');
    printf("legal basis:  %s\n", r->legal_basis);
    if (r->reason[0])
        printf("reason:       %s\n", r->reason);
    if (r->recipient[0])
        printf("recipient:    %s\n", r->recipient);
    printf("hub:          request signed by the hub %s: %s%s%s\n", r->hub, r->legal_basis,
           r->reference[0] ? ", " : "", r->reference);
    printf("range:        %s to %s (requested)\n", when(r->from_us, a), when(r->to_us, b));
    if (site_zone)
        printf("time zone:    %s, the site's\n", r->timezone);
    for (size_t i = 0; i < r->n_cameras; i++) {
        const edge_verify_camera_t *c = &r->cameras[i];
        printf("%s %s: %s, %llu frames in %zu segments, %s to %s\n",
               i == 0 ? "cameras:     " : "             ", c->camera, c->file,
               (unsigned long long)c->frames, c->segments, when(c->clip_from_us, a),
               when(c->clip_to_us, b));
    }
    printf("frames:       %llu\n", (unsigned long long)r->frames);
    printf("site log:     every segment is in the site's checkpoint of size %llu, cosigned by "
           "%s at %s\n",
           (unsigned long long)r->checkpoint_size, r->hub,
           when((int64_t)r->cosigned_at * 1000000, a));
    if (r->site_key_known)
        printf("site key:     site-key.pem is the key the hub has on record for %s\n", r->site);
    if (r->redacted)
        puts("redacted:     the clip is a redacted rendering; segment hashes name the source "
             "footage");
}

static int print_json(const edge_verify_report_t *r)
{
    json_t *fails = json_array(), *cams = json_array(), *miss = json_array();
    for (size_t i = 0; fails && i < r->n_failures; i++)
        json_array_append_new(fails, json_pack("{s:s, s:s}", "check", r->failures[i].check,
                                               "message", r->failures[i].message));
    for (size_t i = 0; cams && i < r->n_cameras; i++) {
        const edge_verify_camera_t *c = &r->cameras[i];
        json_array_append_new(
            cams,
            json_pack("{s:s, s:s, s:I, s:I, s:{s:I, s:I}}", "camera", c->camera, "file", c->file,
                      "frames", (json_int_t)c->frames, "segments", (json_int_t)c->segments, "clip",
                      "from_us", (json_int_t)c->clip_from_us, "to_us", (json_int_t)c->clip_to_us));
    }
    for (const char *p = r->missing; miss && *p;) {
        size_t n = strcspn(p, ",");
        json_array_append_new(miss, json_stringn(p, n));
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    json_t *o = json_pack(
        "{s:b, s:o, s:o, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b}, s:{s:I, s:I}, s:o, s:I, "
        "s:b, s:{s:I, s:s, s:I}, s:b, s:s?}",
        "authentic", r->ok, "failures", fails, "missing", miss, "site", r->site, "request", "id",
        r->request_id, "legal_basis", r->legal_basis, "reference", r->reference, "requester",
        r->requester, "reason", r->reason, "recipient", r->recipient, "signed_by_hub",
        r->request_signed, "range", "from_us", (json_int_t)r->from_us, "to_us",
        (json_int_t)r->to_us, "cameras", cams, "frames", (json_int_t)r->frames, "redacted",
        r->redacted, "checkpoint", "size", (json_int_t)r->checkpoint_size, "hub", r->hub,
        "cosigned_at", (json_int_t)r->cosigned_at, "site_key_on_record", r->site_key_known,
        "timezone", r->timezone[0] ? r->timezone : NULL);
    char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text) {
        fputs("mimamori-verify: out of memory\n", stderr);
        return -1;
    }
    puts(text);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    const char *key = NULL, *key_file = NULL, *site_key = NULL, *dir = NULL;
    int as_json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--hub-key") == 0 && i + 1 < argc) {
            key = argv[++i];
        } else if (strcmp(argv[i], "--hub-key-file") == 0 && i + 1 < argc) {
            key_file = argv[++i];
        } else if (strcmp(argv[i], "--site-key") == 0 && i + 1 < argc && !site_key) {
            site_key = argv[++i];
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "mimamori-verify: unknown or incomplete argument \"%s\"\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    if (!dir || !key == !key_file) {
        fputs("mimamori-verify: give DIR and one of --hub-key or --hub-key-file\n", stderr);
        usage(stderr);
        return 2;
    }
    char buf[MM_VERIFIER_MAX + 64];
    if (key_file) {
        if (read_key_file(key_file, buf, sizeof buf) != 0)
            return 2;
        key = buf;
    }

    av_log_set_level(AV_LOG_QUIET); /* a damaged clip is reported as a failed check */
    edge_verify_report_t rep;
    mm_err_t err = edge_verify_export(dir, key, site_key, &rep);
    int status;
    mm_note_verifier_t v;
    if (err == MM_EINVAL) {
        if (site_key &&
            (mm_note_verifier_parse(site_key, &v) != MM_OK || v.alg != MM_NOTE_ALG_ED25519))
            fprintf(stderr,
                    "mimamori-verify: \"%s\" is not a site verifier key (name+keyid+base64, as "
                    "GET /api/v1/sites lists it)\n",
                    site_key);
        else
            fprintf(stderr,
                    "mimamori-verify: \"%s\" is not a hub verifier key (name+keyid+base64, as "
                    "mimamori-keys show prints it)\n",
                    key);
        status = 2;
    } else if (err == MM_EIO) {
        /* What is there may still have been checked: say what failed, then what is missing. */
        if (as_json) {
            print_json(&rep);
        } else {
            printf("CANNOT VERIFY: missing or unreadable in %s: %s\n", dir, rep.missing);
            for (size_t i = 0; i < rep.n_failures; i++)
                printf("%s: %s\n", rep.failures[i].check, rep.failures[i].message);
        }
        if (strstr(rep.missing, "manifest.json"))
            fputs("mimamori-verify: give the folder that holds manifest.json: the archive unpacks "
                  "into one named after the request\n",
                  stderr);
        status = 3;
    } else if (err != MM_OK) {
        fprintf(stderr, "mimamori-verify: cannot check the export in %s: %s\n", dir,
                mm_strerror(err));
        status = 3;
    } else {
        status = rep.ok ? 0 : 1;
        if (!as_json)
            print_text(&rep);
        else if (print_json(&rep) != 0)
            status = 3;
    }
    edge_verify_report_deinit(&rep);
    return status;
}
