/*
 * wire.h: the messages edges and the hub exchange over ZeroMQ (proto/mimamori/v1).
 *
 * Daemons never touch the generated protobuf-c structs; they use these plain types. Decoding
 * bounds the input size before unpacking (protobuf-c has no limit of its own), rejects unknown
 * protocol versions and envelopes without a body, and keeps the received bytes of each entry so
 * that the hub hashes exactly what the edge hashed.
 */
#ifndef MM_WIRE_H
#define MM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/vocab.h"

#define MM_WIRE_VERSION 1
/* The largest envelope accepted: the edge's ZMQ_MAXMSGSIZE; the hub reads up to 8 MiB so that it
 * can name a larger one in a finding (hub/link.h). */
#define MM_WIRE_MAX (1024 * 1024)
#define MM_WIRE_BATCH_MAX 512     /* most entries in one batch */

typedef enum {
    MM_MSG_BATCH = 1,
    MM_MSG_ACK = 2,
    MM_MSG_EXPORT_CHUNK = 3,
    MM_MSG_EXPORT_ACK = 4,
    MM_MSG_FILING_DOCUMENT = 5,
    MM_MSG_DOCUMENT_ACK = 6
} mm_msg_kind_t;

typedef enum { MM_ACK_OK = 0, MM_ACK_WRONG_SIZE = 1, MM_ACK_REFUSED = 2 } mm_ack_status_t;

typedef struct {
    const uint8_t *data;
    size_t len;
} mm_bytes_t;

typedef struct {
    uint64_t first_index;
    size_t n_entries;
    const mm_bytes_t *entries;
    const char *checkpoint; /* signed note text, NUL-terminated */
    size_t checkpoint_len;
} mm_batch_t;

#define MM_WIRE_REQUESTS_MAX 16  /* city requests in one ack */
#define MM_REQUEST_TEXT_MAX 2048 /* bytes of a request's text, with its NUL */

#define MM_REQUEST_CAMERAS_MAX 16 /* cameras in one disclosure request */

/* What the city asks of a site (CityRequest). */
typedef struct {
    char id[64];
    mm_request_kind_t kind;
    int64_t time_us, deadline_us;
    char camera[64];
    char text[MM_REQUEST_TEXT_MAX];
    int64_t from_us, to_us;
    char complaint[64];
    /* Disclosures: */
    mm_legal_basis_t legal_basis; /* disclosures: never MM_LEGAL_BASIS_NONE */
    char reference[256];
    char requester[64];
    char recipient[128]; /* "age1..." */
    size_t n_cameras;
    char cameras[MM_REQUEST_CAMERAS_MAX][64];
    int has_signature;
    uint8_t signature[64]; /* the hub's, over mm_disclosure_statement */
    char disclosure[64];   /* "disclosure_downloaded": the request concerned */
    /* Notices (vocab.h mm_request_kind_is_notice): */
    char subject[64];                 /* "filing/<id>", "measure/<id>", "policy/<policy>" */
    char detail[MM_REQUEST_TEXT_MAX]; /* "" or a compact JSON object: the particulars */
    /* "city_rule" (R-N7.5): the retention the city's rule sets for the policy its subject names,
     * in days (max 0: none); text is the rule's citation, signature the hub's over
     * mm_city_rule_statement. */
    uint32_t retention_days_min, retention_days_max;
} mm_city_request_t;

#define MM_RETENTION_DAYS_MAX 3650 /* the longest retention anything here names */

/*
 * The policy a city_rule request is for, from its subject "policy/<name>": 1 and *out when the
 * subject names a policy whose text leaves the retention period to the city's rule
 * (policy.h), else 0.
 */
int mm_city_rule_policy(const mm_city_request_t *r, mm_policy_t *out);

/*
 * The statement the hub signs for a city_rule request to site (docs/protocol.md, "City rules"):
 * "mimamori-city-rule/1" and the lines id, site, policy, retention_days_min, retention_days_max,
 * rule (the text) and time_us, each "key value", escaped as the disclosure statement's. MM_ERANGE
 * when it does not fit or the subject names no such policy.
 */
mm_err_t mm_city_rule_statement(const mm_city_request_t *r, const char *site, char *out, size_t cap,
                                size_t *len);

/*
 * The statement the hub signs for a disclosure request to site (docs/protocol.md, "Disclosure
 * statement"): lines "key value" in a fixed order, free text escaped so that the statement is
 * one exact byte string on both sides. Writes it NUL-terminated into out (cap bytes) and its
 * length to *len. MM_ERANGE when it does not fit (cap of MM_STATEMENT_MAX always does).
 */
#define MM_STATEMENT_MAX 16384
mm_err_t mm_disclosure_statement(const mm_city_request_t *r, const char *site, char *out,
                                 size_t cap, size_t *len);

typedef struct {
    mm_ack_status_t status;
    uint64_t size;
    const char *cosignature; /* NUL-terminated, "" when absent */
    const char *reason;      /* NUL-terminated, "" when absent */
    size_t n_requests;       /* 0..MM_WIRE_REQUESTS_MAX */
    const mm_city_request_t *requests;
    uint32_t features; /* what the hub takes (MM_FEATURE_*); 0 from an older hub */
} mm_ack_t;

/* Bits of mm_ack_t.features (Ack.features, enum Feature): an edge sends a form of a message
 * only to a hub that names it. Bits this code does not know are kept and ignored. */
#define MM_FEATURE_EXPORT_BUILDING 1u              /* ExportChunk's build and building */
#define MM_HUB_FEATURES MM_FEATURE_EXPORT_BUILDING /* what this code's hub takes */

#define MM_EXPORT_CHUNK_MAX (512 * 1024) /* bytes of ciphertext in one ExportChunk */
#define MM_EXPORT_BUILD_PREFIX 128       /* bytes of a ciphertext whose SHA-256 names its build */
#define MM_EXPORT_OFFSET_MAX (UINT64_C(1) << 48) /* the furthest a chunk being built may start */

/* Edge -> hub: a piece of a disclosure export's ciphertext (ExportChunk). */
typedef struct {
    char request[64];
    uint64_t offset;
    const uint8_t *data; /* borrowed */
    size_t len;          /* <= MM_EXPORT_CHUNK_MAX */
    uint64_t total;
    uint8_t sha256[32];
    uint32_t window; /* bytes the edge may have in flight beyond `have`; 0: one chunk at a time */
    int has_build;   /* build names the ciphertext (an older edge names none) */
    uint8_t build[32]; /* the SHA-256 of its first MM_EXPORT_BUILD_PREFIX bytes */
    int building;      /* still being built: total 0 and no sha256 (sent with a build only) */
} mm_export_chunk_t;

typedef enum {
    MM_EXPORT_CONTINUE = 0,
    MM_EXPORT_COMPLETE = 1,
    MM_EXPORT_WAIT = 2,
    MM_EXPORT_REFUSED = 3
} mm_export_status_t;

/* Hub -> edge: the answer to an ExportChunk (ExportAck). */
typedef struct {
    char request[64];
    mm_export_status_t status;
    uint64_t have; /* bytes held, synced */
    char reason[512];
    uint64_t received; /* bytes written, synced or not: where the next chunk starts; 0 from an
                          older hub (then have) */
} mm_export_ack_t;

#define MM_DOCUMENT_MAX (480 * 1024) /* bytes of a FilingDocument's Markdown, and of its HTML */

/*
 * Edge -> hub: the standards document of one version (FilingDocument): the Markdown whose
 * SHA-256 the site logged as the version's document_hash, and the printable HTML (len 0: none).
 * Neither is NUL-terminated; decoding bounds them (version >= 1, Markdown 1..MM_DOCUMENT_MAX
 * bytes, HTML at most MM_DOCUMENT_MAX) but does not check their UTF-8: the hub does, and says
 * so in its answer.
 */
typedef struct {
    uint32_t version;
    const uint8_t *markdown; /* borrowed */
    size_t markdown_len;
    const uint8_t *html; /* borrowed; NULL when html_len is 0 */
    size_t html_len;
} mm_filing_document_t;

typedef enum {
    MM_DOCUMENT_OK = 0,
    MM_DOCUMENT_NOT_YET = 1,
    MM_DOCUMENT_REFUSED = 2
} mm_document_status_t;

/* Hub -> edge: the answer to a FilingDocument (DocumentAck). */
typedef struct {
    uint32_t version;
    mm_document_status_t status;
    char reason[512];
} mm_document_ack_t;

/* A decoded envelope; owns everything its accessors hand out. */
typedef struct mm_msg mm_msg_t;

/*
 * Decodes one envelope. MM_ETOOBIG when len > MM_WIRE_MAX, MM_EPROTO when the bytes are not a
 * valid version-1 envelope with a body (or a batch has more than MM_WIRE_BATCH_MAX entries),
 * MM_ENOMEM. On success *out must be freed with mm_msg_free.
 */
mm_err_t mm_msg_decode(const void *buf, size_t len, mm_msg_t **out);
void mm_msg_free(mm_msg_t *msg);

mm_msg_kind_t mm_msg_kind(const mm_msg_t *msg);
uint64_t mm_msg_seq(const mm_msg_t *msg);
/* Borrowed views, valid until mm_msg_free; NULL when the message is of another kind. */
const mm_batch_t *mm_msg_batch(const mm_msg_t *msg);
const mm_ack_t *mm_msg_ack(const mm_msg_t *msg);
const mm_export_chunk_t *mm_msg_export_chunk(const mm_msg_t *msg);
const mm_export_ack_t *mm_msg_export_ack(const mm_msg_t *msg);
const mm_filing_document_t *mm_msg_filing_document(const mm_msg_t *msg);
const mm_document_ack_t *mm_msg_document_ack(const mm_msg_t *msg);

/* Encoders return a malloc'd buffer in *out (free with free()). MM_ETOOBIG above MM_WIRE_MAX. */
mm_err_t mm_msg_encode_batch(uint64_t seq, const mm_batch_t *batch, uint8_t **out, size_t *len);
mm_err_t mm_msg_encode_ack(uint64_t seq, const mm_ack_t *ack, uint8_t **out, size_t *len);
/* MM_EINVAL for an empty request id, len over MM_EXPORT_CHUNK_MAX, offset + len > total, or a chunk
 * being built without a build or with a total (or past MM_EXPORT_OFFSET_MAX). */
mm_err_t mm_msg_encode_export_chunk(uint64_t seq, const mm_export_chunk_t *c, uint8_t **out,
                                    size_t *len);
/* MM_EINVAL for an empty request id, a bad status or reason, or a received (not 0) below have. */
mm_err_t mm_msg_encode_export_ack(uint64_t seq, const mm_export_ack_t *a, uint8_t **out,
                                  size_t *len);
/* MM_EINVAL for version 0, an empty Markdown, or either part over MM_DOCUMENT_MAX. */
mm_err_t mm_msg_encode_filing_document(uint64_t seq, const mm_filing_document_t *d, uint8_t **out,
                                       size_t *len);
/* MM_EINVAL for an unknown status or a reason not NUL-terminated in its buffer; a reason cut
 * inside a character is sent up to the cut. */
mm_err_t mm_msg_encode_document_ack(uint64_t seq, const mm_document_ack_t *a, uint8_t **out,
                                    size_t *len);

#endif
