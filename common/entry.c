/*
 * entry.c: site-log entries, encoded, decoded, checked and shown from one table (see entry.h).
 *
 * The table (MM_ENTRY_KINDS and MM_FIELDS_<kind> in entry.h) says for every field of every kind
 * its type, its bound and its rules; the protobuf-c descriptor of the kind's message says where
 * the field lives in the generated struct. Encoding copies each field of the C struct into a
 * generated message and lets protobuf-c pack it, so the bytes are exactly what protobuf-c has
 * always written; decoding unpacks and copies back. Both check with the same function, so the
 * edge never appends an entry that the hub's decoder refuses (the log would be stuck behind it).
 *
 * The table and the schema must agree field for field, in the schema's order, with compatible
 * types. That is checked once, before the first use; if they do not agree (a schema edited
 * without the table), every encode and decode fails and says why in the diagnostic log.
 */
#include "common/entry.h"

#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/log.h"
#include "common/pbcheck.h"
#include "common/utf8.h"
#include "mimamori/v1/mimamori.pb-c.h"

#define PPM 1000000u        /* camera_coverage fractions */
#define MESSAGE_MAX 512     /* bytes of the largest generated kind message (checked) */
#define FIRST_KIND_FIELD 10 /* LogEntry's kinds are its fields from 10 on */

/* --- the table ------------------------------------------------------------------------------ */

#define DESC_STR(S, n, cap, fl) {#n, MM_FT_STR, (fl), offsetof(S, n), sizeof(((S *)0)->n), 0, NULL},
#define DESC_ENUM(S, n, en, fl)                                                                    \
    {#n, MM_FT_ENUM, (fl), offsetof(S, n), sizeof(((S *)0)->n), 0, &en##_enum},
#define DESC_I64(S, n, a, fl) {#n, MM_FT_I64, (fl), offsetof(S, n), sizeof(int64_t), 0, NULL},
#define DESC_U64(S, n, a, fl) {#n, MM_FT_U64, (fl), offsetof(S, n), sizeof(uint64_t), 0, NULL},
#define DESC_U32(S, n, a, fl) {#n, MM_FT_U32, (fl), offsetof(S, n), sizeof(uint32_t), 0, NULL},
#define DESC_BOOL(S, n, a, fl) {#n, MM_FT_BOOL, (fl), offsetof(S, n), sizeof(int), 0, NULL},
#define DESC_HASH(S, n, a, fl) {#n, MM_FT_HASH, (fl), offsetof(S, n), 32, 0, NULL},
#define DESC_HASHOPT(S, n, a, fl)                                                                  \
    {#n, MM_FT_HASHOPT, (fl), offsetof(S, n), 32, offsetof(S, has_##n), NULL},
#define DESC_HASHES(S, n, max, fl)                                                                 \
    {#n, MM_FT_HASHES, (fl), offsetof(S, n), (max), offsetof(S, n_##n), NULL},
#define FIELD_(S, type, n, arg, fl) DESC_##type(S, n, arg, fl)

#define KIND_FIELDS_(num, ID, name, ctype)                                                         \
    static const mm_entry_field_t name##_fields[] = {MM_FIELDS_##name(FIELD_, ctype)};
MM_ENTRY_KINDS(KIND_FIELDS_)

#define KIND_ROW_(num, ID, name, ctype)                                                            \
    {MM_ENTRY_##ID, #name, sizeof name##_fields / sizeof *name##_fields, name##_fields,            \
     sizeof(ctype)},
static const mm_entry_kind_info_t kinds[] = {MM_ENTRY_KINDS(KIND_ROW_)};
#define N_KINDS (sizeof kinds / sizeof *kinds)

/* Each kind's place in the schema, found once: the LogEntry field that carries it. */
static const ProtobufCFieldDescriptor *schema[N_KINDS];
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;
static int schema_ok;

const mm_entry_kind_info_t *mm_entry_kinds(size_t *n)
{
    *n = N_KINDS;
    return kinds;
}

static int kind_index(mm_entry_kind_t kind)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (kinds[i].kind == kind)
            return (int)i;
    return -1;
}

const mm_entry_kind_info_t *mm_entry_kind_info(mm_entry_kind_t kind)
{
    int i = kind_index(kind);
    return i < 0 ? NULL : &kinds[i];
}

const char *mm_entry_kind_name(mm_entry_kind_t kind)
{
    int i = kind_index(kind);
    return i < 0 ? "unknown" : kinds[i].name;
}

mm_entry_kind_t mm_entry_kind_parse(const char *s)
{
    for (size_t i = 0; s && i < N_KINDS; i++)
        if (strcmp(kinds[i].name, s) == 0)
            return kinds[i].kind;
    return (mm_entry_kind_t)0;
}

/* Whether the protobuf field pf can carry the table's field f. */
static int field_matches(const mm_entry_field_t *f, const ProtobufCFieldDescriptor *pf)
{
    int single = pf->label == PROTOBUF_C_LABEL_NONE;
    if (strcmp(f->name, pf->name) != 0)
        return 0;
    switch (f->type) {
    case MM_FT_STR:
        return single && pf->type == PROTOBUF_C_TYPE_STRING;
    case MM_FT_ENUM:
        return single && pf->type == PROTOBUF_C_TYPE_STRING && f->size == sizeof(int);
    case MM_FT_I64:
        return single && pf->type == PROTOBUF_C_TYPE_INT64;
    case MM_FT_U64:
        return single && pf->type == PROTOBUF_C_TYPE_UINT64;
    case MM_FT_U32:
        return single && pf->type == PROTOBUF_C_TYPE_UINT32;
    case MM_FT_BOOL:
        return single && pf->type == PROTOBUF_C_TYPE_BOOL;
    case MM_FT_HASH:
    case MM_FT_HASHOPT:
        return single && pf->type == PROTOBUF_C_TYPE_BYTES;
    case MM_FT_HASHES:
        return pf->label == PROTOBUF_C_LABEL_REPEATED && pf->type == PROTOBUF_C_TYPE_BYTES;
    }
    return 0;
}

static void schema_load(void)
{
    const ProtobufCMessageDescriptor *le = &mimamori__v1__log_entry__descriptor;
    for (size_t i = 0; i < N_KINDS; i++) {
        const mm_entry_kind_info_t *k = &kinds[i];
        const ProtobufCFieldDescriptor *lf = protobuf_c_message_descriptor_get_field(le, k->kind);
        const ProtobufCMessageDescriptor *d = lf ? lf->descriptor : NULL;
        if (!lf || lf->type != PROTOBUF_C_TYPE_MESSAGE ||
            !(lf->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || strcmp(lf->name, k->name) != 0 ||
            d->n_fields != k->n_fields || d->sizeof_message > MESSAGE_MAX) {
            MM_ERROR("entry table: kind %s (%d) does not match LogEntry's schema", k->name,
                     (int)k->kind);
            return;
        }
        for (size_t j = 0; j < k->n_fields; j++) {
            if (!field_matches(&k->fields[j], &d->fields[j])) {
                MM_ERROR("entry table: %s.%s does not match field %u (%s) of the schema", k->name,
                         k->fields[j].name, d->fields[j].id, d->fields[j].name);
                return;
            }
        }
        schema[i] = lf;
    }
    schema_ok = 1;
}

static int schema_ready(void)
{
    pthread_once(&schema_once, schema_load);
    return schema_ok;
}

uint32_t mm_entry_field_number(mm_entry_kind_t kind, size_t i)
{
    int ki = kind_index(kind);
    if (ki < 0 || !schema_ready() || i >= kinds[ki].n_fields)
        return 0;
    const ProtobufCMessageDescriptor *d = schema[ki]->descriptor;
    return d->fields[i].id;
}

int mm_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MM_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* --- validation ----------------------------------------------------------------------------- */

/* Whether s is a date as the configuration writes one: exactly "YYYY-MM-DD" in digits, or "". */
static int date_ok(const char *s, int nonempty)
{
    if (!*s)
        return !nonempty;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    return s[10] == 0;
}

/* Whether s is "" or the text of a JSON array (array) or object. The hub parses these texts,
 * so text it could not parse must not enter the log. */
static int json_text_ok(const char *s, int array)
{
    if (!*s)
        return 1;
    json_t *j = json_loads(s, 0, NULL);
    int ok = array ? json_is_array(j) : json_is_object(j);
    json_decref(j);
    return ok;
}

static int read_int(const char *p)
{
    int v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* What is wrong with field f of the struct at s, NULL when nothing. */
static const char *field_fault(const mm_entry_field_t *f, const char *s)
{
    const char *p = s + f->offset;
    int req = (f->flags & MM_F_REQ) != 0;
    switch (f->type) {
    case MM_FT_STR: {
        size_t n = strnlen(p, f->size);
        if (n == f->size)
            return "is too long";
        if (req && n == 0)
            return "is empty";
        if (!mm_utf8_valid(p, n))
            return "is not UTF-8";
        if ((f->flags & MM_F_DATE) && !date_ok(p, req))
            return "is not a date (YYYY-MM-DD)";
        if ((f->flags & (MM_F_JSON_ARRAY | MM_F_JSON_OBJECT)) &&
            !json_text_ok(p, (f->flags & MM_F_JSON_ARRAY) != 0))
            return (f->flags & MM_F_JSON_ARRAY) ? "is not a JSON array" : "is not a JSON object";
        return NULL;
    }
    case MM_FT_ENUM: {
        const char *name = mm_enum_name(f->values, read_int(p));
        if (!name)
            return "is not one of its names";
        return req && !*name ? "is empty" : NULL;
    }
    case MM_FT_U32: {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        if ((f->flags & MM_F_PPM) && v > PPM)
            return "is more than 1000000 parts per million";
        return (f->flags & MM_F_VERSION) && v < 1 ? "is not a version (1 or more)" : NULL;
    }
    case MM_FT_HASHES: {
        size_t n;
        memcpy(&n, s + f->aux, sizeof n);
        return n > f->size ? "has too many hashes" : NULL;
    }
    default:
        return NULL;
    }
}

/* What breaks the rules across e's fields, NULL when nothing. */
static const char *kind_fault(const mm_entry_t *e)
{
    switch (e->kind) {
    case MM_ENTRY_CAMERA_GAP:
        return e->u.camera_gap.end_us < e->u.camera_gap.start_us ? "ends before it starts" : NULL;
    case MM_ENTRY_SEGMENT_RECORDED: /* a negative duration is a clock that lied (clock.h) */
        return e->u.segment_recorded.end_us < e->u.segment_recorded.start_us
                   ? "ends before it starts"
                   : NULL;
    case MM_ENTRY_CLOCK_JUMPED: {
        const mm_clock_jumped_t *j = &e->u.clock_jumped;
        return j->read_us - j->expected_us != j->step_us || !j->step_us
                   ? "has a step that is not read_us - expected_us, or none"
                   : NULL;
    }
    case MM_ENTRY_DISCLOSURE: {
        const mm_disclosure_t *d = &e->u.disclosure;
        int exported = d->step == MM_DISCLOSURE_STEP_EXPORTED;
        if ((d->has_sha256 != 0) != exported || (d->has_manifest_sha256 != 0) != exported)
            return "has the export's hashes (sha256, manifest_sha256) unless exported, or exported "
                   "without them";
        return NULL;
    }
    case MM_ENTRY_CITY_REQUEST: {
        const mm_city_request_entry_t *q = &e->u.city_request;
        if (q->kind != MM_REQUEST_KIND_CITY_RULE)
            return q->retention_days_min || q->retention_days_max
                       ? "carries a retention (retention_days_min, _max) but is no city_rule"
                       : NULL;
        if (q->retention_days_min < 1 ||
            (q->retention_days_max && q->retention_days_max < q->retention_days_min))
            return "is a city_rule whose retention is not at least 1 day up to a maximum that is 0 "
                   "(none) or not below its minimum";
        return NULL;
    }
    case MM_ENTRY_SITE_COMPLAINT: {
        const mm_site_complaint_t *c = &e->u.site_complaint;
        if (c->received_us <= 0)
            return "has no time of receipt (received_us)";
        if (c->step != MM_COMPLAINT_STEP_RECEIVED && !c->text[0])
            return "is handled or closed without saying how (text)";
        return NULL;
    }
    default:
        return NULL;
    }
}

mm_err_t mm_entry_validate(const mm_entry_t *e, char *why, size_t cap)
{
    const mm_entry_kind_info_t *k = mm_entry_kind_info(e->kind);
    if (!k)
        return mm_errf(MM_EINVAL, why, cap, "no entry kind %d", (int)e->kind);
    for (size_t i = 0; i < k->n_fields; i++) {
        const char *fault = field_fault(&k->fields[i], (const char *)&e->u);
        if (fault)
            return mm_errf(MM_EINVAL, why, cap, "%s.%s %s", k->name, k->fields[i].name, fault);
    }
    const char *fault = kind_fault(e);
    if (fault)
        return mm_errf(MM_EINVAL, why, cap, "%s %s", k->name, fault);
    return MM_OK;
}

/* --- encoding ------------------------------------------------------------------------------- */

/* Points the generated message's field pf at the value of f in the struct s. hashes is room for
 * a repeated field's elements. */
static void put_field(const mm_entry_field_t *f, const ProtobufCFieldDescriptor *pf, const char *s,
                      char *m, ProtobufCBinaryData *hashes)
{
    const char *p = s + f->offset;
    char *q = m + pf->offset;
    switch (f->type) {
    case MM_FT_STR: {
        char *v = (char *)p;
        memcpy(q, &v, sizeof v);
        break;
    }
    case MM_FT_ENUM: {
        char *v = (char *)mm_enum_name(f->values, read_int(p));
        memcpy(q, &v, sizeof v);
        break;
    }
    case MM_FT_I64:
    case MM_FT_U64:
    case MM_FT_U32:
        memcpy(q, p, f->size);
        break;
    case MM_FT_BOOL: {
        protobuf_c_boolean v = read_int(p) != 0;
        memcpy(q, &v, sizeof v);
        break;
    }
    case MM_FT_HASH:
    case MM_FT_HASHOPT: {
        ProtobufCBinaryData v = {0, NULL};
        if (f->type == MM_FT_HASH || read_int(s + f->aux))
            v = (ProtobufCBinaryData){32, (uint8_t *)p};
        memcpy(q, &v, sizeof v);
        break;
    }
    case MM_FT_HASHES: {
        size_t n;
        memcpy(&n, s + f->aux, sizeof n);
        for (size_t i = 0; i < n; i++)
            hashes[i] = (ProtobufCBinaryData){32, (uint8_t *)p + 32 * i};
        memcpy(m + pf->quantifier_offset, &n, sizeof n);
        memcpy(q, &hashes, sizeof hashes);
        break;
    }
    }
}

mm_err_t mm_entry_encode(const mm_entry_t *e, uint8_t **out, size_t *len)
{
    if (!schema_ready())
        return MM_EINVAL;
    char why[160];
    if (mm_entry_validate(e, why, sizeof why) != MM_OK) {
        MM_DEBUG("entry not encoded: %s", why);
        return MM_EINVAL;
    }
    int ki = kind_index(e->kind);
    const mm_entry_kind_info_t *k = &kinds[ki];
    const ProtobufCFieldDescriptor *lf = schema[ki];
    const ProtobufCMessageDescriptor *d = lf->descriptor;
    alignas(max_align_t) char msg[MESSAGE_MAX];
    d->message_init((ProtobufCMessage *)msg);
    ProtobufCBinaryData *hashes = NULL;
    for (size_t i = 0; i < k->n_fields; i++) {
        if (k->fields[i].type == MM_FT_HASHES && !hashes &&
            !(hashes = calloc(k->fields[i].size, sizeof *hashes)))
            return MM_ENOMEM;
        put_field(&k->fields[i], &d->fields[i], (const char *)&e->u, msg, hashes);
    }
    Mimamori__V1__LogEntry le = MIMAMORI__V1__LOG_ENTRY__INIT;
    le.time_us = e->time_us;
    uint32_t which = (uint32_t)e->kind;
    void *sub = msg;
    memcpy((char *)&le + lf->quantifier_offset, &which, sizeof which);
    memcpy((char *)&le + lf->offset, &sub, sizeof sub);
    mm_err_t err = MM_OK;
    size_t n = mimamori__v1__log_entry__get_packed_size(&le);
    uint8_t *buf = NULL;
    if (n > MM_LOG_ENTRY_MAX)
        err = MM_ETOOBIG;
    else if (!(buf = malloc(n ? n : 1)))
        err = MM_ENOMEM;
    else
        mimamori__v1__log_entry__pack(&le, buf);
    free(hashes);
    if (err == MM_OK) {
        *out = buf;
        *len = n;
    }
    return err;
}

/* --- decoding ------------------------------------------------------------------------------- */

/* Copies field pf of the unpacked message m into f of the struct s; -1 when it does not fit. */
static int take_field(const mm_entry_field_t *f, const ProtobufCFieldDescriptor *pf, const char *m,
                      char *s)
{
    const char *q = m + pf->offset;
    char *p = s + f->offset;
    switch (f->type) {
    case MM_FT_STR:
    case MM_FT_ENUM: {
        const char *v;
        memcpy(&v, q, sizeof v);
        v = v ? v : "";
        if (f->type == MM_FT_ENUM) {
            int x = mm_enum_value(f->values, v);
            memcpy(p, &x, sizeof x);
            return x < 0 ? -1 : 0;
        }
        size_t n = strlen(v);
        if (n >= f->size)
            return -1;
        memcpy(p, v, n + 1);
        return 0;
    }
    case MM_FT_I64:
    case MM_FT_U64:
    case MM_FT_U32:
        memcpy(p, q, f->size);
        return 0;
    case MM_FT_BOOL: {
        protobuf_c_boolean b;
        memcpy(&b, q, sizeof b);
        int v = b != 0;
        memcpy(p, &v, sizeof v);
        return 0;
    }
    case MM_FT_HASH:
    case MM_FT_HASHOPT: {
        ProtobufCBinaryData b;
        memcpy(&b, q, sizeof b);
        if (f->type == MM_FT_HASHOPT) {
            int has = b.len != 0;
            memcpy(s + f->aux, &has, sizeof has);
            if (!has)
                return 0;
        }
        if (b.len != 32)
            return -1;
        memcpy(p, b.data, 32);
        return 0;
    }
    case MM_FT_HASHES: {
        size_t n;
        const ProtobufCBinaryData *b;
        memcpy(&n, m + pf->quantifier_offset, sizeof n);
        memcpy(&b, q, sizeof b);
        if (n > f->size)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (b[i].len != 32)
                return -1;
            memcpy(p + 32 * i, b[i].data, 32);
        }
        memcpy(s + f->aux, &n, sizeof n);
        return 0;
    }
    }
    return -1;
}

mm_err_t mm_entry_decode(const void *buf, size_t len, mm_entry_t *out)
{
    if (len > MM_LOG_ENTRY_MAX)
        return MM_ETOOBIG;
    if (!schema_ready())
        return MM_EPROTO;
    /* Strings with NUL or bad UTF-8, malformed or oversized encodings: refused before unpack. */
    if (mm_pb_check(&mimamori__v1__log_entry__descriptor, buf, len, MM_ERASED_MAX) != MM_OK)
        return MM_EPROTO;
    Mimamori__V1__LogEntry *le = mimamori__v1__log_entry__unpack(NULL, len, buf);
    if (!le)
        return MM_EPROTO;
    mm_err_t err = MM_EPROTO;
    int ki = kind_index((mm_entry_kind_t)le->kind_case);
    const char *msg = NULL;
    if (ki >= 0)
        memcpy(&msg, (const char *)le + schema[ki]->offset, sizeof msg);
    if (msg) {
        const mm_entry_kind_info_t *k = &kinds[ki];
        const ProtobufCMessageDescriptor *d = schema[ki]->descriptor;
        /* Only the kind's member of the union: an mm_entry_t is about 19 KB, most of it
         * segments_erased, and clearing it whole was a third of the cost of decoding a
         * segment_recorded entry at the hub. */
        memset(out, 0, offsetof(mm_entry_t, u) + k->size);
        out->time_us = le->time_us;
        out->kind = k->kind;
        err = MM_OK;
        for (size_t i = 0; i < k->n_fields && err == MM_OK; i++)
            if (take_field(&k->fields[i], &d->fields[i], msg, (char *)&out->u) != 0)
                err = MM_EPROTO;
        if (err == MM_OK && mm_entry_validate(out, NULL, 0) != MM_OK)
            err = MM_EPROTO;
    }
    mimamori__v1__log_entry__free_unpacked(le, NULL);
    return err;
}

mm_err_t mm_entry_peek(const void *buf, size_t len, mm_entry_kind_t *kind, int64_t *time_us)
{
    const uint8_t *p = buf, *end = p ? p + len : p;
    mm_pb_field_t f;
    uint32_t k = 0;
    int64_t t = 0;
    int r;
    /* Every top-level field is read, as protobuf would: the last time and the last kind win. */
    while ((r = mm_pb_field(&p, end, &f)) == 1) {
        if (f.number == 1 && f.wire_type == 0)
            t = (int64_t)f.varint;
        else if (f.number >= FIRST_KIND_FIELD && f.wire_type == 2 &&
                 mm_entry_kind_info((mm_entry_kind_t)f.number))
            k = f.number; /* a field of no known kind is skipped, as protobuf-c skips it */
    }
    if (r < 0 || !mm_entry_kind_info((mm_entry_kind_t)k))
        return MM_EPROTO;
    if (kind)
        *kind = (mm_entry_kind_t)k;
    if (time_us)
        *time_us = t;
    return MM_OK;
}

/* --- the JSON view -------------------------------------------------------------------------- */

static json_t *hex_json(const uint8_t *b, size_t n)
{
    char hex[65];
    if (n > 32 || mm_hex_encode(b, n, hex, sizeof hex) != MM_OK)
        return NULL;
    return json_string(hex);
}

static json_t *field_json(const mm_entry_field_t *f, const char *s)
{
    const char *p = s + f->offset;
    switch (f->type) {
    case MM_FT_STR:
        return json_string(p);
    case MM_FT_ENUM:
        return json_string(mm_enum_name(f->values, read_int(p)));
    case MM_FT_I64: {
        int64_t v;
        memcpy(&v, p, sizeof v);
        return json_integer(v);
    }
    case MM_FT_U64: {
        /* JSON integers here are signed 64-bit; larger values go as strings. */
        uint64_t v;
        memcpy(&v, p, sizeof v);
        if (v > INT64_MAX) {
            char buf[24];
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
            return json_string(buf);
        }
        return json_integer((json_int_t)v);
    }
    case MM_FT_U32: {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return json_integer(v);
    }
    case MM_FT_BOOL:
        return json_boolean(read_int(p));
    case MM_FT_HASH:
        return hex_json((const uint8_t *)p, 32);
    case MM_FT_HASHOPT:
        return hex_json((const uint8_t *)p, read_int(s + f->aux) ? 32 : 0);
    case MM_FT_HASHES: {
        size_t n;
        memcpy(&n, s + f->aux, sizeof n);
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
            json_array_append_new(a, hex_json((const uint8_t *)p + 32 * i, 32));
        return a;
    }
    }
    return NULL;
}

/* Whether a field is empty: "" or 0 (a MM_F_LATE field is left out of the view then). */
static int field_empty(const mm_entry_field_t *f, const char *s)
{
    const char *p = s + f->offset;
    switch (f->type) {
    case MM_FT_STR:
        return p[0] == 0;
    case MM_FT_I64:
    case MM_FT_U64: {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return v == 0;
    }
    case MM_FT_U32: {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v == 0;
    }
    case MM_FT_ENUM:
    case MM_FT_BOOL:
        return read_int(p) == 0;
    default:
        return 0;
    }
}

int mm_entry_fields_json(json_t *o, mm_entry_kind_t kind, const void *s)
{
    const mm_entry_kind_info_t *k = mm_entry_kind_info(kind);
    for (size_t i = 0; k && i < k->n_fields; i++) {
        if ((k->fields[i].flags & MM_F_LATE) && field_empty(&k->fields[i], s))
            continue;
        json_t *v = field_json(&k->fields[i], s);
        if (json_object_set_new(o, k->fields[i].name, v ? v : json_null()) != 0)
            return -1;
    }
    return k ? 0 : -1;
}

json_t *mm_entry_json(const mm_entry_t *e)
{
    if (mm_entry_validate(e, NULL, 0) != MM_OK)
        return NULL;
    const mm_entry_kind_info_t *k = mm_entry_kind_info(e->kind);
    json_t *body = json_object();
    if (body && mm_entry_fields_json(body, e->kind, &e->u) != 0) {
        json_decref(body);
        body = NULL;
    }
    json_t *o = json_object();
    if (!o || !body) {
        json_decref(o);
        json_decref(body);
        return NULL;
    }
    json_object_set_new(o, "time_us", json_integer(e->time_us));
    json_object_set_new(o, k->name, body);
    json_object_set_new(o, "type", json_string(k->name));
    return o;
}

json_t *mm_entry_to_json(const void *buf, size_t len)
{
    mm_entry_t *e = malloc(sizeof *e);
    json_t *j = NULL;
    if (e && mm_entry_decode(buf, len, e) == MM_OK)
        j = mm_entry_json(e);
    free(e);
    return j;
}
