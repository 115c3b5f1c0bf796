/*
 * verify.c: checks an unpacked disclosure export against the hub's key (see verify.h).
 *
 * Everything here reads files someone handed to the recipient, so nothing in them is trusted
 * until it is checked, and a check that cannot run is a failure, never a pass. Every check runs
 * whatever the others found: the report names all that is wrong, and the recipient can tell a
 * cut-off download (a missing file) from an altered clip (one segment's frames) from a manifest
 * that names entries the hub never saw.
 *
 * The link from footage to the hub's key goes: MP4 samples → each segment's content hash (the
 * hash of its frames' length-prefixed NAL units, which is exactly what an MP4 sample holds) →
 * the segment_recorded entry that carries that hash → its RFC 6962 inclusion proof → the
 * checkpoint's root → the hub's cosignature on the checkpoint. Each arrow is one check below.
 * The link from the request to the hub's key is shorter: the manifest's request → the statement
 * the hub signed when the request was filed (which must say the same) → the hub's signature.
 */
#include "edge/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libavformat/avformat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/log.h"
#include "common/merkle.h"
#include "common/note.h"
#include "common/timefmt.h"
#include "common/utf8.h"
#include "common/wire.h"

#define FORMAT "mimamori-export/1"
#define MANIFEST_MAX (1024LL * 1024 * 1024) /* a day of 2 s segments is about 70 MiB */
#define SMALL_MAX (64 * 1024)               /* the signature and the key */

/* The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the key's 32 bytes follow. */
static const uint8_t SPKI_PREFIX[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                        0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

typedef struct {
    edge_verify_report_t *rep;
    const char *dir;
    int nomem;
    int io; /* a file the export must hold is missing or unreadable */

    uint8_t site_pub[MM_ED25519_PUB_LEN];
    int have_site_pub;
    mm_note_verifier_t hub;
    mm_note_verifier_t site_rec; /* the site's key as the hub has it on record */
    int have_site_rec;

    json_t *manifest;
    const char *site;
    int redacted;
    unsigned char *cam_ok; /* per camera: its fields have their form, so it can be checked */

    mm_checkpoint_t cp;
    int have_cp; /* the checkpoint's body parsed (its signatures are another matter) */
} ctx_t;

/* --- the report ------------------------------------------------------------------------------*/

/*
 * What the report says comes partly from the export's files, which may hold anything: no control
 * character reaches the recipient's terminal, and the text stays UTF-8 (for --json) even where a
 * field cut a character short: such bytes become '?'.
 */
static void printable(char *s)
{
    char *end = s + strlen(s);
    for (char *p = s; p < end;) {
        uint32_t cp;
        size_t n = mm_utf8_next(p, end, &cp);
        if (n == 0) {
            *p++ = '?';
            continue;
        }
        if (cp < 0x20 || cp == 0x7f)
            *p = ' ';
        p += n;
    }
}

static void fail(ctx_t *c, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(ctx_t *c, const char *check, const char *fmt, ...)
{
    edge_verify_report_t *rep = c->rep;
    rep->ok = 0;
    edge_verify_failure_t *nf = realloc(rep->failures, (rep->n_failures + 1) * sizeof *nf);
    if (!nf) {
        c->nomem = 1;
        return;
    }
    rep->failures = nf;
    edge_verify_failure_t *f = &nf[rep->n_failures++];
    snprintf(f->check, sizeof f->check, "%s", check);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    printable(f->message);
}

static void missing(ctx_t *c, const char *name)
{
    edge_verify_report_t *rep = c->rep;
    size_t used = strlen(rep->missing);
    snprintf(rep->missing + used, sizeof rep->missing - used, "%s%s", used ? ", " : "", name);
    c->io = 1;
    rep->ok = 0;
}

void edge_verify_report_deinit(edge_verify_report_t *rep)
{
    if (!rep)
        return;
    free(rep->failures);
    free(rep->cameras);
    memset(rep, 0, sizeof *rep);
}

/* --- small readers ---------------------------------------------------------------------------*/

/* "2021-03-04T05:06:07.123456Z" */
static const char *iso(int64_t us, char out[MM_RFC3339_MAX])
{
    mm_time_rfc3339_us(us, out);
    return out;
}

/*
 * Reads dir/name whole into a malloc'd buffer with a NUL after it. MM_EIO when it cannot be read
 * (the name is added to the missing files), MM_ETOOBIG over max, MM_ENOMEM.
 */
static mm_err_t read_file(ctx_t *c, const char *name, long long max, char **out, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        if (f)
            fclose(f);
        missing(c, name);
        return MM_EIO;
    }
    if (st.st_size > max) {
        fclose(f);
        return MM_ETOOBIG;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        fclose(f);
        c->nomem = 1;
        return MM_ENOMEM;
    }
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    int bad = ferror(f) || n != (size_t)st.st_size;
    fclose(f);
    if (bad) {
        free(buf);
        missing(c, name);
        return MM_EIO;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return MM_OK;
}

/* The 32-byte key of a PEM "PUBLIC KEY" holding an Ed25519 SubjectPublicKeyInfo. */
static int parse_pem(const char *pem, size_t len, uint8_t pub[32])
{
    static const char begin[] = "-----BEGIN PUBLIC KEY-----", end[] = "-----END PUBLIC KEY-----";
    const char *b = strstr(pem, begin);
    const char *e = b ? strstr(b, end) : NULL;
    if (!b || !e || strlen(pem) != len)
        return -1;
    char b64[128];
    size_t n = 0;
    for (const char *p = b + sizeof begin - 1; p < e; p++) {
        if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
            continue;
        if (n + 1 >= sizeof b64)
            return -1;
        b64[n++] = *p;
    }
    uint8_t der[64];
    int dl = mm_base64_decode(b64, n, der, sizeof der);
    if (dl != 44 || memcmp(der, SPKI_PREFIX, sizeof SPKI_PREFIX) != 0)
        return -1;
    memcpy(pub, der + 12, 32);
    return 0;
}

static const char *str_of(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int int_of(json_t *o, const char *key, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        return -1;
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int hash_of(json_t *o, const char *key, uint8_t out[32])
{
    const char *s = str_of(o, key);
    return s && strlen(s) == 64 && mm_hex_decode(s, 64, out, 32) == 32 ? 0 : -1;
}

/* Appends ", what" to a list of differences. */
static void differ(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void differ(char *out, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(out);
    if (used && used + 2 < cap) {
        memcpy(out + used, ", ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + used, cap - used, fmt, ap);
    va_end(ap);
}

/* --- 1. signature ----------------------------------------------------------------------------*/

static void check_signature(ctx_t *c, const char *man, size_t man_len, int have_man)
{
    char *pem = NULL, *sig = NULL;
    size_t pem_len = 0, sig_len = 0;
    mm_err_t pe = read_file(c, "site-key.pem", SMALL_MAX, &pem, &pem_len);
    mm_err_t se = read_file(c, "manifest.json.sig", SMALL_MAX, &sig, &sig_len);
    if (pe == MM_OK && parse_pem(pem, pem_len, c->site_pub) == 0)
        c->have_site_pub = 1;
    else if (pe != MM_EIO && pe != MM_ENOMEM)
        fail(c, "signature",
             "site-key.pem does not hold an Ed25519 public key (PEM "
             "SubjectPublicKeyInfo)");
    if (se == MM_ETOOBIG)
        fail(c, "signature", "manifest.json.sig is not a 64-byte Ed25519 signature");
    else if (se == MM_OK && sig_len != MM_ED25519_SIG_LEN)
        fail(c, "signature", "manifest.json.sig is %zu bytes, not a 64-byte Ed25519 signature",
             sig_len);

    if (!have_man || pe != MM_OK || se != MM_OK || !c->have_site_pub ||
        sig_len != MM_ED25519_SIG_LEN) {
        if (pe == MM_EIO || se == MM_EIO || !have_man)
            fail(c, "signature", "cannot be checked: %s", c->rep->missing);
    } else if (mm_ed25519_verify(c->site_pub, man, man_len, (const uint8_t *)sig) != MM_OK) {
        fail(c, "signature",
             "manifest.json.sig does not verify with site-key.pem: manifest.json "
             "is not what the site signed");
    }
    free(pem);
    free(sig);
}

/* --- 2. manifest -----------------------------------------------------------------------------*/

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
    printable(dst);
}

/* A file name the manifest gives: a plain name in the folder, never a path. */
static int file_name_ok(const char *s)
{
    return s && s[0] != '.' && strlen(s) < sizeof(((edge_verify_camera_t *)0)->file) && mm_id_ok(s);
}

/*
 * Parses the manifest into c->manifest and checks its form: the fields later checks rely on
 * have their types, and each camera's numbers agree with its segments (clip bounds, frame
 * count, time order); c->cam_ok marks the cameras that can be checked further. Fills the
 * report's summary.
 */
static void check_manifest(ctx_t *c, const char *man, size_t man_len)
{
    edge_verify_report_t *rep = c->rep;
    json_error_t jerr;
    json_t *m = json_loadb(man, man_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!m || !json_is_object(m)) {
        if (m)
            fail(c, "manifest", "manifest.json is not a JSON object");
        else
            fail(c, "manifest", "manifest.json is not JSON (line %d: %s)", jerr.line, jerr.text);
        json_decref(m);
        return;
    }
    c->manifest = m;
    const char *format = str_of(m, "format");
    if (!format || strcmp(format, FORMAT) != 0)
        fail(c, "manifest", "format is \"%s\", not \"" FORMAT "\"", format ? format : "(none)");

    c->site = str_of(m, "site");
    if (!c->site || !mm_keys_name_ok(c->site)) {
        fail(c, "manifest", "\"site\" is missing or not a site id");
        c->site = NULL;
    }
    copy(rep->site, sizeof rep->site, c->site);
    json_t *req = json_object_get(m, "request");
    if (!json_is_object(req) || !str_of(req, "id") || !str_of(req, "legal_basis"))
        fail(c, "manifest", "\"request\" is missing its id or legal basis");
    copy(rep->request_id, sizeof rep->request_id, str_of(req, "id"));
    copy(rep->legal_basis, sizeof rep->legal_basis, str_of(req, "legal_basis"));
    copy(rep->reference, sizeof rep->reference, str_of(req, "reference"));
    copy(rep->requester, sizeof rep->requester, str_of(req, "requester"));
    copy(rep->reason, sizeof rep->reason, str_of(req, "reason"));
    copy(rep->recipient, sizeof rep->recipient, str_of(req, "recipient"));
    const char *tz = str_of(m, "timezone");
    char tz_why[128];
    if (tz && mm_tz_check(tz, tz_why, sizeof tz_why) == 0)
        copy(rep->timezone, sizeof rep->timezone, tz);
    json_t *range = json_object_get(m, "range");
    if (int_of(range, "from_us", &rep->from_us) != 0 || int_of(range, "to_us", &rep->to_us) != 0)
        fail(c, "manifest", "\"range\" is missing or not two integers");
    int_of(m, "created_us", &rep->created_us);
    json_t *red = json_object_get(m, "redacted");
    if (red && !json_is_boolean(red))
        fail(c, "manifest", "\"redacted\" is not true or false");
    c->redacted = rep->redacted = json_is_true(red);

    json_t *cams = json_object_get(m, "cameras");
    if (!json_is_array(cams) || json_array_size(cams) == 0) {
        fail(c, "manifest", "\"cameras\" is missing or empty");
        return;
    }
    rep->cameras = calloc(json_array_size(cams), sizeof *rep->cameras);
    c->cam_ok = calloc(json_array_size(cams), 1);
    if (!rep->cameras || !c->cam_ok) {
        c->nomem = 1;
        return;
    }
    for (size_t i = 0; i < json_array_size(cams); i++) {
        int bad = 0;
        json_t *cam = json_array_get(cams, i);
        edge_verify_camera_t *vc = &rep->cameras[rep->n_cameras++];
        const char *id = str_of(cam, "camera"), *file = str_of(cam, "file");
        copy(vc->camera, sizeof vc->camera, id);
        copy(vc->file, sizeof vc->file, file);
        const char *who = id && mm_id_ok(id) ? id : "?";
        if (!id || !mm_id_ok(id)) {
            fail(c, "manifest", "camera %zu has no valid camera id", i + 1);
            bad = 1;
        }
        if (!file_name_ok(file)) {
            fail(c, "manifest", "%s: \"file\" is missing or not a plain file name in the folder",
                 who);
            bad = 1;
        }
        int64_t frames = 0;
        uint8_t h[32];
        json_t *segs = json_object_get(cam, "segments");
        if (int_of(cam, "frames", &frames) != 0 || frames < 0 ||
            hash_of(cam, "mp4_sha256", h) != 0 || hash_of(cam, "content_hash", h) != 0 ||
            !json_is_array(segs) || json_array_size(segs) == 0) {
            fail(c, "manifest",
                 "%s: \"frames\", \"mp4_sha256\", \"content_hash\" or \"segments\" is missing or "
                 "malformed",
                 who);
            bad = 1;
            continue;
        }
        vc->frames = (uint64_t)frames;
        vc->segments = json_array_size(segs);
        rep->frames += vc->frames;
        json_t *clip = json_object_get(cam, "clip");
        if (int_of(clip, "from_us", &vc->clip_from_us) != 0 ||
            int_of(clip, "to_us", &vc->clip_to_us) != 0)
            fail(c, "manifest", "%s: \"clip\" is missing or not two integers", who);

        /* Each segment has its fields; together, in time order, they make the clip. */
        int64_t sum = 0, prev_end = INT64_MIN, first = 0, last = 0;
        for (size_t k = 0; k < json_array_size(segs); k++) {
            json_t *sg = json_array_get(segs, k);
            int64_t start, end, n, index;
            if (int_of(sg, "start_us", &start) != 0 || int_of(sg, "end_us", &end) != 0 ||
                int_of(sg, "frames", &n) != 0 || n <= 0 || int_of(sg, "log_index", &index) != 0 ||
                index < 0 || hash_of(sg, "content_hash", h) != 0) {
                fail(c, "manifest",
                     "%s segment %zu: start_us, end_us, frames (at least 1), log_index or "
                     "content_hash is missing or malformed",
                     who, k + 1);
                bad = 1;
                continue;
            }
            if (start < prev_end)
                fail(c, "manifest", "%s segment %zu starts before the one before it ends", who,
                     k + 1);
            prev_end = end;
            sum += n;
            if (k == 0)
                first = start;
            last = end > start ? end : start + 1;
        }
        if (!bad && sum != frames)
            fail(c, "manifest", "%s: \"frames\" is %" PRId64 " but its segments hold %" PRId64, who,
                 frames, sum);
        if (!bad && clip && (vc->clip_from_us != first || vc->clip_to_us != last))
            fail(c, "manifest",
                 "%s: the clip [%" PRId64 ", %" PRId64 ") is not its segments' span [%" PRId64
                 ", %" PRId64 ")",
                 who, vc->clip_from_us, vc->clip_to_us, first, last);
        c->cam_ok[i] = !bad;
    }
}

/* --- 3. request -----------------------------------------------------------------------------*/

/* The statement's lines after its first, in their order (common/wire.c). */
enum {
    K_ID,
    K_SITE,
    K_BASIS,
    K_REF,
    K_REQUESTER,
    K_RECIPIENT,
    K_CAMERAS,
    K_FROM,
    K_TO,
    K_TIME,
    K_DEADLINE,
    K_REASON,
    K_N
};
static const char *const STATEMENT_KEYS[K_N] = {
    "id",      "site",    "legal_basis", "reference", "requester",   "recipient",
    "cameras", "from_us", "to_us",       "time_us",   "deadline_us", "reason"};
#define STATEMENT_FIRST "mimamori-disclosure/1\n"

static int hex_digit(char ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/*
 * Undoes a statement value's escaping (\\, \n, \xNN) into out, NUL-terminated in cap bytes. -1
 * for an unknown escape, a raw control byte or a NUL (the hub escapes the one and never writes
 * the other), or a value that does not fit.
 */
static int unescape(const char *v, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int ch = (unsigned char)v[i];
        if (ch < 0x20 || ch == 0x7f)
            return -1;
        if (ch == '\\') {
            char e = i + 1 < len ? v[++i] : 0;
            if (e == '\\') {
                ch = '\\';
            } else if (e == 'n') {
                ch = '\n';
            } else if (e == 'x' && i + 2 < len && hex_digit(v[i + 1]) >= 0 &&
                       hex_digit(v[i + 2]) >= 0) {
                ch = hex_digit(v[i + 1]) << 4 | hex_digit(v[i + 2]);
                i += 2;
                if (ch == 0)
                    return -1;
            } else {
                return -1;
            }
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = (char)ch;
    }
    out[n] = 0;
    return 0;
}

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return -1;
    *out = v;
    return 0;
}

/* "cam1,cam2" into q's cameras: 1..MM_REQUEST_CAMERAS_MAX ids, none empty. */
static int parse_cameras(const char *s, mm_city_request_t *q)
{
    q->n_cameras = 0;
    for (const char *p = s;; p++) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof q->cameras[0] || q->n_cameras == MM_REQUEST_CAMERAS_MAX)
            return -1;
        memcpy(q->cameras[q->n_cameras], p, n);
        q->cameras[q->n_cameras++][n] = 0;
        p += n;
        if (!*p)
            return 0;
    }
}

/*
 * Parses a disclosure statement (docs/protocol.md, "Disclosure requests") into q and site. It
 * must be exactly what mm_disclosure_statement writes for them, byte for byte, so that what is
 * compared with the manifest is what the hub's signature covers. -1 with why filled otherwise.
 */
static int parse_statement(const char *text, size_t len, mm_city_request_t *q, char site[MM_ID_MAX],
                           char *why, size_t cap)
{
    memset(q, 0, sizeof *q);
    size_t first = strlen(STATEMENT_FIRST);
    if (len < first || memcmp(text, STATEMENT_FIRST, first) != 0) {
        snprintf(why, cap, "its first line is not mimamori-disclosure/1");
        return -1;
    }
    const char *p = text + first, *end = text + len;
    char cams[MM_REQUEST_CAMERAS_MAX * sizeof q->cameras[0] + 1], num[4][24], basis[16];
    q->kind = MM_REQUEST_KIND_DISCLOSURE;
    for (int k = 0; k < K_N; k++) {
        const char *key = STATEMENT_KEYS[k];
        size_t kl = strlen(key);
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || (size_t)(nl - p) < kl + 1 || memcmp(p, key, kl) != 0 || p[kl] != ' ') {
            snprintf(why, cap, "line %d is not \"%s <value>\"", k + 2, key);
            return -1;
        }
        char *dst = k == K_ID          ? q->id
                    : k == K_SITE      ? site
                    : k == K_BASIS     ? basis
                    : k == K_REF       ? q->reference
                    : k == K_REQUESTER ? q->requester
                    : k == K_RECIPIENT ? q->recipient
                    : k == K_CAMERAS   ? cams
                    : k == K_REASON    ? q->text
                                       : num[k - K_FROM];
        size_t dcap = k == K_ID          ? sizeof q->id
                      : k == K_SITE      ? MM_ID_MAX
                      : k == K_BASIS     ? sizeof basis
                      : k == K_REF       ? sizeof q->reference
                      : k == K_REQUESTER ? sizeof q->requester
                      : k == K_RECIPIENT ? sizeof q->recipient
                      : k == K_CAMERAS   ? sizeof cams
                      : k == K_REASON    ? sizeof q->text
                                         : sizeof num[0];
        if (unescape(p + kl + 1, (size_t)(nl - p) - kl - 1, dst, dcap) != 0) {
            snprintf(why, cap, "the value of %s is malformed or too long", key);
            return -1;
        }
        p = nl + 1;
    }
    if (p != end) {
        snprintf(why, cap, "it goes on after its reason line");
        return -1;
    }
    if (!mm_legal_basis_parse(basis, &q->legal_basis) || q->legal_basis == MM_LEGAL_BASIS_NONE) {
        snprintf(why, cap, "its legal basis is none of consent, law, emergency, own_images");
        return -1;
    }
    if (parse_cameras(cams, q) != 0 || parse_i64(num[0], &q->from_us) != 0 ||
        parse_i64(num[1], &q->to_us) != 0 || parse_i64(num[2], &q->time_us) != 0 ||
        parse_i64(num[3], &q->deadline_us) != 0) {
        snprintf(why, cap, "its cameras or times are malformed");
        return -1;
    }
    char *again = malloc(MM_STATEMENT_MAX);
    size_t alen = 0;
    int same = again && mm_disclosure_statement(q, site, again, MM_STATEMENT_MAX, &alen) == MM_OK &&
               alen == len && memcmp(again, text, len) == 0;
    free(again);
    if (!same) {
        snprintf(why, cap, "it is not written as the hub writes one");
        return -1;
    }
    return 0;
}

/* A value for a message: the text, or "(none)". */
static const char *or_none(const char *s)
{
    return s && *s ? s : "(none)";
}

/* A field the manifest states and the hub signed: a failure naming it when they differ. Free
 * text is quoted (and cut: the message is one line). */
static void agree(ctx_t *c, const char *field, const char *manifest, const char *hub, int text)
{
    if (strcmp(manifest ? manifest : "", hub) == 0)
        return;
    if (text)
        fail(c, "request", "the manifest says %s \"%.160s\" but the hub signed \"%.160s\"", field,
             manifest ? manifest : "", hub);
    else
        fail(c, "request", "the manifest says %s %s but the hub signed %s", field,
             or_none(manifest), or_none(hub));
}

/*
 * The request as the hub signed it: the statement verifies with the hub's own Ed25519 key (the
 * hub signs it with mm_ed25519_sign, not as a note), parses, and the manifest says what it says.
 * The manager may narrow a request to fewer cameras and a shorter range, never widen it.
 */
static void check_request(ctx_t *c)
{
    json_t *req = json_object_get(c->manifest, "request");
    json_t *js = json_object_get(req, "hub_statement");
    json_t *jsig = json_object_get(req, "hub_signature");
    if (!js && !jsig) {
        fail(c, "request",
             "the export carries no request signed by the hub (it is not a "
             "disclosure)");
        return;
    }
    const char *text = json_string_value(js);
    size_t len = json_string_length(js);
    if (!text) {
        fail(c, "request", "hub_statement is missing or not a string");
        return;
    }
    const char *b64 = json_string_value(jsig);
    uint8_t sig[MM_ED25519_SIG_LEN + 3];
    if (!b64 || mm_base64_decode(b64, strlen(b64), sig, sizeof sig) != MM_ED25519_SIG_LEN)
        fail(c, "request", "hub_signature is missing or not a 64-byte signature in base64");
    else if (mm_ed25519_verify(c->hub.pub, text, len, sig) != MM_OK)
        fail(c, "request",
             "the hub's signature on the request does not verify with the hub key %s: the hub "
             "did not sign this request",
             c->hub.name);
    else
        c->rep->request_signed = 1;

    mm_city_request_t *q = malloc(sizeof *q);
    char site[MM_ID_MAX], why[128];
    if (!q) {
        c->nomem = 1;
        return;
    }
    if (parse_statement(text, len, q, site, why, sizeof why) != 0) {
        fail(c, "request", "hub_statement is not a disclosure statement: %s", why);
        c->rep->request_signed = 0;
        free(q);
        return;
    }
    agree(c, "id", str_of(req, "id"), q->id, 0);
    agree(c, "site", str_of(c->manifest, "site"), site, 0);
    agree(c, "legal basis", str_of(req, "legal_basis"), mm_legal_basis_name(q->legal_basis), 0);
    agree(c, "reference", str_of(req, "reference"), q->reference, 1);
    agree(c, "requester", str_of(req, "requester"), q->requester, 0);
    agree(c, "reason", str_of(req, "reason"), q->text, 1);
    agree(c, "recipient", str_of(req, "recipient"), q->recipient, 0);

    char signed_cams[sizeof q->cameras + MM_REQUEST_CAMERAS_MAX] = "";
    for (size_t i = 0; i < q->n_cameras; i++)
        differ(signed_cams, sizeof signed_cams, "%s", q->cameras[i]);
    json_t *cams = json_object_get(c->manifest, "cameras");
    for (size_t i = 0; i < json_array_size(cams); i++) {
        const char *id = str_of(json_array_get(cams, i), "camera");
        size_t k = 0;
        while (id && k < q->n_cameras && strcmp(id, q->cameras[k]) != 0)
            k++;
        if (id && k == q->n_cameras)
            fail(c, "request", "the manifest holds camera %s but the hub signed only %s", id,
                 signed_cams);
    }
    json_t *range = json_object_get(c->manifest, "range");
    int64_t from, to;
    if (int_of(range, "from_us", &from) == 0 && int_of(range, "to_us", &to) == 0 &&
        (from < q->from_us || to > q->to_us)) {
        char a[40], b[40], x[40], y[40];
        fail(c, "request",
             "the manifest's range %s to %s is not within the range the hub signed, %s to %s",
             iso(from, a), iso(to, b), iso(q->from_us, x), iso(q->to_us, y));
    }
    free(q);
}

/* --- 4. checkpoint ---------------------------------------------------------------------------*/

static void check_checkpoint(ctx_t *c)
{
    edge_verify_report_t *rep = c->rep;
    json_t *j = json_object_get(c->manifest, "checkpoint");
    const char *text = json_string_value(j);
    if (!text || !*text) {
        fail(c, "checkpoint", "no checkpoint: the export cannot be tied to the site log");
        return;
    }
    mm_note_t note;
    mm_err_t err = mm_note_parse(text, strlen(text), &note);
    if (err == MM_OK)
        err = mm_checkpoint_parse_body(note.body, note.body_len, &c->cp);
    if (err != MM_OK) {
        fail(c, "checkpoint", "the checkpoint is not a signed checkpoint note (%s)",
             mm_strerror(err));
        return;
    }
    c->have_cp = 1;
    rep->checkpoint_size = c->cp.size;
    char origin[MM_ORIGIN_MAX + 1];
    snprintf(origin, sizeof origin, "mimamori/site/%s", c->site ? c->site : "");
    if (!c->site || strcmp(origin, c->cp.origin) != 0)
        fail(c, "checkpoint", "origin is %s, not %s", c->cp.origin, origin);

    mm_note_verifier_t sv;
    if (!c->have_site_pub || !c->site) {
        fail(c, "checkpoint", "its site signature cannot be checked: no site key or site id");
    } else if (mm_note_verifier_make(c->site, MM_NOTE_ALG_ED25519, c->site_pub, &sv) != MM_OK) {
        fail(c, "checkpoint", "its site signature cannot be checked: %s is not a key name",
             c->site);
    } else if ((err = mm_note_verify(&note, &sv, NULL)) != MM_OK) {
        fail(c, "checkpoint",
             err == MM_ENOTFOUND ? "not signed by the site key in site-key.pem (no signature line "
                                   "of %s with that key)"
                                 : "the signature of %s does not verify with site-key.pem",
             c->site);
    }

    /* The hub cosigns with its signing key under the cosignature algorithm (uplink.c on_ok). */
    mm_note_verifier_t cv;
    uint64_t ts = 0;
    err = mm_note_verifier_make(c->hub.name, MM_NOTE_ALG_COSIG_V1, c->hub.pub, &cv);
    if (err == MM_OK)
        err = mm_note_verify(&note, &cv, &ts);
    if (err == MM_OK)
        rep->cosigned_at = ts;
    else if (err == MM_EVERIFY)
        fail(c, "checkpoint", "the cosignature of the hub key %s does not verify", c->hub.name);
    else
        fail(c, "checkpoint", "not cosigned by the hub key %s", c->hub.name);
}

/* --- 5. clip and hashes ----------------------------------------------------------------------*/

static int sha256_file(const char *path, uint8_t out[32])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    mm_sha256_ctx_t *h = NULL;
    if (mm_sha256_create(&h) != MM_OK) {
        close(fd);
        return -1;
    }
    size_t cap = 64 * 1024;
    uint8_t *buf = malloc(cap);
    ssize_t n = buf ? 0 : -1;
    while (buf && (n = read(fd, buf, cap)) > 0)
        mm_sha256_update(h, buf, (size_t)n);
    free(buf);
    close(fd);
    mm_sha256_final(h, out);
    mm_sha256_destroy(h);
    return n < 0 ? -1 : 0;
}

/* Whether a sample is a run of NAL units, each after its 4-byte big-endian length. */
static int length_prefixed(const uint8_t *p, size_t left)
{
    if (left == 0)
        return 0;
    while (left > 0) {
        if (left < 4)
            return 0;
        uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (len == 0 || len > left - 4)
            return 0;
        p += 4 + len;
        left -= 4 + len;
    }
    return 1;
}

static void seg_label(json_t *sg, const char *cam, size_t k, char *out, size_t cap)
{
    int64_t start = 0;
    char t[40];
    if (int_of(sg, "start_us", &start) == 0)
        snprintf(out, cap, "%s segment %zu (start %s)", cam, k + 1, iso(start, t));
    else
        snprintf(out, cap, "%s segment %zu", cam, k + 1);
}

/*
 * Splits the MP4's video samples into the camera's segments by their frame counts and hashes
 * each run: the samples hold the frames' NAL units exactly as the content hash covers them
 * (u32 length || NAL unit, footage.h), so each run's SHA-256 is its segment's content hash.
 */
static void check_hashes(ctx_t *c, json_t *cam, const char *path)
{
    const char *id = str_of(cam, "camera"), *file = str_of(cam, "file");
    json_t *segs = json_object_get(cam, "segments");
    size_t nseg = json_array_size(segs);
    AVFormatContext *ic = NULL;
    AVPacket *pkt = av_packet_alloc();
    mm_sha256_ctx_t *seg_h = NULL, *all_h = NULL;
    /*
     * The mov demuxer and nothing else: the file is not probed, no decoder runs, and no parser
     * touches the samples (NOPARSE, which needs NOFILLIN): each packet is a sample as stored.
     */
    const AVInputFormat *mp4 = av_find_input_format("mp4");
    int rc = AVERROR(ENOMEM);
    if (pkt && mp4 && mm_sha256_create(&seg_h) == MM_OK && mm_sha256_create(&all_h) == MM_OK &&
        (ic = avformat_alloc_context())) {
        ic->flags |= AVFMT_FLAG_NOPARSE | AVFMT_FLAG_NOFILLIN;
        rc = avformat_open_input(&ic, path, mp4, NULL); /* frees ic on failure */
    }
    if (rc == AVERROR(ENOMEM)) {
        c->nomem = 1;
        goto out;
    }
    int vs = -1;
    for (unsigned i = 0; rc == 0 && vs < 0 && i < ic->nb_streams; i++)
        if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
            vs = (int)i;
    if (rc < 0 || vs < 0) {
        char e[AV_ERROR_MAX_STRING_SIZE] = "no video track";
        if (rc < 0)
            av_strerror(rc, e, sizeof e);
        fail(c, "hashes",
             "%s cannot be read as an MP4 with a video track (%s): its frames "
             "cannot be checked",
             file, e);
        goto out;
    }

    uint64_t packets = 0, in_seg = 0, bad_form = 0;
    size_t k = 0;
    int64_t want = 0;
    if (nseg > 0)
        int_of(json_array_get(segs, 0), "frames", &want);
    while ((rc = av_read_frame(ic, pkt)) >= 0) {
        if (pkt->stream_index != vs) {
            av_packet_unref(pkt);
            continue;
        }
        if (!length_prefixed(pkt->data, (size_t)pkt->size) && bad_form++ == 0)
            fail(c, "hashes", "%s frame %" PRIu64 " is not a run of length-prefixed NAL units",
                 file, packets + 1);
        mm_sha256_update(seg_h, pkt->data, (size_t)pkt->size);
        mm_sha256_update(all_h, pkt->data, (size_t)pkt->size);
        packets++;
        av_packet_unref(pkt);
        if (k >= nseg || ++in_seg < (uint64_t)want)
            continue;
        /* The segment's frames are all read: compare, and go on with the next. */
        json_t *sg = json_array_get(segs, k);
        uint8_t got[32], claim[32];
        mm_sha256_final(seg_h, got);
        mm_sha256_reset(seg_h);
        if (hash_of(sg, "content_hash", claim) == 0 && memcmp(got, claim, 32) != 0) {
            char label[160], g[65], w[65];
            seg_label(sg, id, k, label, sizeof label);
            mm_hex32(got, g);
            mm_hex32(claim, w);
            fail(c, "hashes", "%s: frames in the clip hash to %s but the manifest says %s", label,
                 g, w);
        }
        in_seg = 0;
        if (++k < nseg)
            int_of(json_array_get(segs, k), "frames", &want);
    }
    if (rc != AVERROR_EOF) {
        char e[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(rc, e, sizeof e);
        fail(c, "hashes", "%s cannot be read to its end (%s) after %" PRIu64 " frames", file, e,
             packets);
    }
    int64_t claimed = 0;
    int_of(cam, "frames", &claimed);
    if (packets != (uint64_t)claimed) {
        fail(c, "hashes",
             "%s holds %" PRIu64 " frames but the manifest's segments hold %" PRId64
             ": it does not split into them",
             file, packets, claimed);
    } else {
        uint8_t got[32], claim[32];
        mm_sha256_final(all_h, got);
        if (hash_of(cam, "content_hash", claim) == 0 && memcmp(got, claim, 32) != 0) {
            char g[65], w[65];
            mm_hex32(got, g);
            mm_hex32(claim, w);
            fail(c, "hashes", "%s: the clip's frames hash to %s but the manifest says %s", id, g,
                 w);
        }
    }
out:
    avformat_close_input(&ic);
    av_packet_free(&pkt);
    mm_sha256_destroy(seg_h);
    mm_sha256_destroy(all_h);
}

static void check_clip(ctx_t *c, json_t *cam)
{
    const char *file = str_of(cam, "file");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", c->dir, file);
    struct stat st;
    uint8_t got[32], claim[32];
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || sha256_file(path, got) != 0) {
        missing(c, file);
        fail(c, "clip", "%s is missing or unreadable", file);
        return;
    }
    if (hash_of(cam, "mp4_sha256", claim) == 0 && memcmp(got, claim, 32) != 0) {
        char g[65], w[65];
        mm_hex32(got, g);
        mm_hex32(claim, w);
        fail(c, "clip", "%s SHA-256 is %s but the manifest says %s", file, g, w);
    }
    if (!c->redacted)
        check_hashes(c, cam, path);
}

/* --- 6. log and inclusion --------------------------------------------------------------------*/

static void check_segment_log(ctx_t *c, const char *cam, json_t *sg, size_t k)
{
    char label[160];
    seg_label(sg, cam, k, label, sizeof label);
    int64_t index = 0, start = 0, end = 0, frames = 0, tree_size = 0;
    uint8_t claim[32];
    if (int_of(sg, "log_index", &index) != 0 || int_of(sg, "start_us", &start) != 0 ||
        int_of(sg, "end_us", &end) != 0 || int_of(sg, "frames", &frames) != 0 ||
        hash_of(sg, "content_hash", claim) != 0)
        return; /* said under "manifest" */
    const char *b64 = str_of(sg, "entry");
    json_t *path = json_object_get(sg, "inclusion");
    if (!b64 || !json_is_array(path) || int_of(sg, "tree_size", &tree_size) != 0) {
        fail(c, "inclusion",
             "%s is not covered by the hub-cosigned checkpoint: the manifest gives no log entry "
             "and inclusion proof for it",
             label);
        return;
    }

    /* The entry is the segment's. */
    uint8_t *raw = malloc(MM_LOG_ENTRY_MAX);
    if (!raw) {
        c->nomem = 1;
        return;
    }
    int len = mm_base64_decode(b64, strlen(b64), raw, MM_LOG_ENTRY_MAX);
    mm_entry_t *e = malloc(sizeof *e);
    if (!e) {
        c->nomem = 1;
        free(raw);
        return;
    }
    if (len <= 0 || mm_entry_decode(raw, (size_t)len, e) != MM_OK) {
        fail(c, "log",
             "%s claims log index %" PRId64 " but the entry given is not a site-log "
             "entry",
             label, index);
    } else if (e->kind != MM_ENTRY_SEGMENT_RECORDED) {
        fail(c, "log",
             "%s claims log index %" PRId64 " but the entry given is a %s entry, not "
             "segment_recorded",
             label, index, mm_entry_kind_name(e->kind));
    } else {
        const mm_segment_recorded_t *s = &e->u.segment_recorded;
        char d[640] = "";
        if (strcmp(s->camera, cam) != 0)
            differ(d, sizeof d, "camera %s (manifest: %s)", s->camera, cam);
        if (s->start_us != start)
            differ(d, sizeof d, "start_us %" PRId64 " (manifest: %" PRId64 ")", s->start_us, start);
        if (s->end_us != end)
            differ(d, sizeof d, "end_us %" PRId64 " (manifest: %" PRId64 ")", s->end_us, end);
        if ((int64_t)s->frames != frames)
            differ(d, sizeof d, "frames %" PRIu32 " (manifest: %" PRId64 ")", s->frames, frames);
        if (memcmp(s->content_hash, claim, 32) != 0) {
            char g[65], w[65];
            mm_hex32(s->content_hash, g);
            mm_hex32(claim, w);
            differ(d, sizeof d, "content hash %s (manifest: %s)", g, w);
        }
        if (d[0])
            fail(c, "log", "%s claims log index %" PRId64 " but the entry given holds %s", label,
                 index, d);
    }
    free(e);

    /* The entry is in the checkpoint's tree at that index. */
    if (!c->have_cp) {
        free(raw);
        return; /* said under "checkpoint" */
    }
    mm_hash_t proof[MM_MERKLE_MAX_PROOF], leaf;
    size_t np = json_array_size(path);
    int form = np <= MM_MERKLE_MAX_PROOF && len > 0;
    for (size_t j = 0; form && j < np; j++) {
        const char *h = json_string_value(json_array_get(path, j));
        form = h && strlen(h) == 64 && mm_hex_decode(h, 64, proof[j].b, 32) == 32;
    }
    if ((uint64_t)tree_size != c->cp.size) {
        fail(c, "inclusion",
             "%s: the proof for index %" PRId64 " is to a tree of size %" PRId64
             " but the checkpoint's size is %" PRIu64,
             label, index, tree_size, c->cp.size);
    } else if (!form) {
        fail(c, "inclusion", "%s: the entry or inclusion proof for index %" PRId64 " is malformed",
             label, index);
    } else {
        mm_merkle_leaf_hash(raw, (size_t)len, &leaf);
        if ((uint64_t)index >= c->cp.size ||
            mm_merkle_verify_inclusion(&leaf, (uint64_t)index, c->cp.size, proof, np,
                                       &c->cp.root) != MM_OK)
            fail(c, "inclusion",
                 "entry at index %" PRId64 ", for %s, is not in the checkpoint of size %" PRIu64
                 " (root mismatch)",
                 index, label, c->cp.size);
    }
    free(raw);
}

/* --- 7. site key ----------------------------------------------------------------------------*/

/* site-key.pem is the key the hub has on record for the manifest's site (its name and its
 * 32-byte Ed25519 key). */
static void check_site_key(ctx_t *c)
{
    const mm_note_verifier_t *rec = &c->site_rec;
    if (!c->have_site_pub) {
        fail(c, "site key", "cannot be checked: site-key.pem holds no key");
        return;
    }
    int same_name = c->site && strcmp(rec->name, c->site) == 0;
    int same_key = memcmp(rec->pub, c->site_pub, sizeof c->site_pub) == 0;
    if (!same_name)
        fail(c, "site key", "the key on record given is %s's, but the export says it is from %s",
             rec->name, or_none(c->site));
    if (!same_key)
        fail(c, "site key", "site-key.pem is not the key the hub has on record for %s", rec->name);
    c->rep->site_key_known = same_name && same_key;
}

/* --- the whole ----------------------------------------------------------------------------*/

mm_err_t edge_verify_export(const char *dir, const char *hub_verifier, const char *site_verifier,
                            edge_verify_report_t *rep)
{
    if (!rep)
        return MM_EINVAL;
    memset(rep, 0, sizeof *rep);
    ctx_t c = {.rep = rep, .dir = dir, .have_site_rec = site_verifier != NULL};
    if (!dir || !hub_verifier || mm_note_verifier_parse(hub_verifier, &c.hub) != MM_OK ||
        c.hub.alg != MM_NOTE_ALG_ED25519)
        return MM_EINVAL;
    if (site_verifier && (mm_note_verifier_parse(site_verifier, &c.site_rec) != MM_OK ||
                          c.site_rec.alg != MM_NOTE_ALG_ED25519))
        return MM_EINVAL;
    rep->ok = 1;
    copy(rep->hub, sizeof rep->hub, c.hub.name);

    char *man = NULL;
    size_t man_len = 0;
    mm_err_t me = read_file(&c, "manifest.json", MANIFEST_MAX, &man, &man_len);
    if (me == MM_ETOOBIG)
        fail(&c, "manifest", "manifest.json is larger than %lld bytes", MANIFEST_MAX);
    check_signature(&c, man, man_len, me == MM_OK);
    if (me == MM_OK)
        check_manifest(&c, man, man_len);
    if (c.manifest) {
        check_request(&c);
        check_checkpoint(&c);
        /* Cameras whose form is wrong were named under "manifest"; the others are checked. */
        json_t *cams = json_object_get(c.manifest, "cameras");
        for (size_t i = 0; c.cam_ok && i < json_array_size(cams); i++)
            if (c.cam_ok[i])
                check_clip(&c, json_array_get(cams, i));
        for (size_t i = 0; c.cam_ok && i < json_array_size(cams); i++) {
            json_t *cam = json_array_get(cams, i);
            json_t *segs = json_object_get(cam, "segments");
            for (size_t k = 0; c.cam_ok[i] && k < json_array_size(segs); k++)
                check_segment_log(&c, str_of(cam, "camera"), json_array_get(segs, k), k);
        }
        if (c.have_site_rec)
            check_site_key(&c);
    }
    json_decref(c.manifest);
    free(c.cam_ok);
    free(man);
    if (c.nomem)
        return MM_ENOMEM;
    return c.io ? MM_EIO : MM_OK;
}
