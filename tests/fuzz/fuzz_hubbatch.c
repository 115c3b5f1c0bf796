/*
 * fuzz_hubbatch.c: the hub's verification of batches (hub_mirror_batch) on whatever a site
 * might send, on a real LMDB that starts empty for every input (one store for the run, every
 * database emptied after each input: opening an LMDB environment per input cost most of the time),
 * and of the standards documents filings carry (hub_documents_receive) against what the verified
 * batches taught the registry.
 *
 * Input: up to 8 envelopes, each preceded by its length (2 bytes, big-endian; a short last one
 * is taken as it is). Each decoded envelope goes to the hub as from "site-a": a batch to
 * hub_mirror_batch (which teaches the registry), a filing's document to hub_documents_receive,
 * anything else to hub_mirror_malformed. site-a's signing key is derived from
 * a fixed seed (32 bytes of 0x5a), so the corpus carries checkpoints that verify and the fuzzer
 * reaches storing, resends, forks and altered entries.
 *
 * After every message the mirror must still hold only what a signed checkpoint vouches for:
 *   - an answer is OK, WRONG_SIZE or REFUSED, with the hub's size; the size never shrinks, and
 *     a refused batch or a WRONG_SIZE changes nothing stored;
 *   - an OK cosignature verifies (the hub's key) over the checkpoint of the batch;
 *   - the stored note verifies with site-a's key and the hub's cosignature, names the origin
 *     mimamori/site/site-a and the size held, and its root is the root of the stored entries,
 *     recomputed here from their bytes.
 * A document leaves the mirror as it was; it is answered OK, NOT_YET or REFUSED; the hub holds a
 * document of a version only once it answered OK, and then the Markdown it holds is the one sent
 * and hashes to the document_hash the site's record holds for the version (R-N4.2).
 * Any breach traps. The corpus in corpus/hubbatch/ was written with the common encoders
 * (mm_entry_encode, mm_checkpoint_sign, mm_msg_encode_batch) using the same seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "common/crypto.h"
#include "common/db.h"
#include "common/diag.h"
#include "hub/documents.h"
#include "hub/mirror.h"

#define MAX_MSGS 8
#define NOW_US 1795486419000000LL
#define MAX_HELD 4096 /* entries recomputed per check; batches are at most 512 */

static struct {
    int ready;
    char dir[64];
    hub_config_t cfg;
    hub_site_conf_t site;
    mm_keypair_t hub;
    mm_note_verifier_t cosig;
    mm_db_t *db; /* one store for the run, emptied after each input */
} G;

static void cleanup(void)
{
    if (G.db)
        mm_db_close(G.db);
    char path[128];
    snprintf(path, sizeof path, "%s/data.mdb", G.dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/lock.mdb", G.dir);
    unlink(path);
    rmdir(G.dir);
}

/* Empties every named database of the store: the next input starts from an empty hub, as if the
 * store were new, without the cost of opening an LMDB environment per input. */
static mm_err_t empty_all(MDB_txn *txn, void *ctx)
{
    (void)ctx;
    MDB_dbi main_dbi;
    MDB_cursor *cur;
    if (mdb_dbi_open(txn, NULL, 0, &main_dbi) != 0 || mdb_cursor_open(txn, main_dbi, &cur) != 0)
        return MM_EIO;
    MDB_val k, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        char name[128];
        MDB_dbi dbi;
        if (k.mv_size >= sizeof name)
            abort();
        memcpy(name, k.mv_data, k.mv_size);
        name[k.mv_size] = 0;
        if (mdb_dbi_open(txn, name, 0, &dbi) != 0 || mdb_drop(txn, dbi, 0) != 0)
            abort();
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? MM_OK : MM_EIO;
}

static void init(void)
{
    mm_diag_init("fuzz", MM_DIAG_ERROR + 1); /* quiet: refusals are expected here */
    /* tmpfs when there is one: every commit is an fsync. */
    strcpy(G.dir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/mm-fuzz-hubbatch-XXXXXX"
                                                : "/tmp/mm-fuzz-hubbatch-XXXXXX");
    if (!mkdtemp(G.dir))
        abort();
    atexit(cleanup);
    uint8_t seed[32];
    memset(seed, 0x5a, sizeof seed);
    mm_ed25519_t site_key;
    if (mm_ed25519_from_seed(seed, &site_key) != MM_OK)
        abort();
    strcpy(G.site.id, "site-a");
    if (mm_note_verifier_make("site-a", MM_NOTE_ALG_ED25519, site_key.pub, &G.site.verifier) !=
        MM_OK)
        abort();
    G.cfg.n_sites = 1;
    G.cfg.sites = &G.site;
    strcpy(G.cfg.name, "hub");
    memset(seed, 0x48, sizeof seed);
    strcpy(G.hub.name, "hub");
    if (mm_ed25519_from_seed(seed, &G.hub.sign) != MM_OK ||
        mm_note_verifier_make("hub", MM_NOTE_ALG_COSIG_V1, G.hub.sign.pub, &G.cosig) != MM_OK)
        abort();
    G.ready = 1;
}

#define CHECK(c)                                                                               \
    do {                                                                                       \
        if (!(c)) {                                                                            \
            fprintf(stderr, "fuzz_hubbatch: %s:%d: %s\n", __FILE__, __LINE__, #c);             \
            __builtin_trap();                                                                  \
        }                                                                                      \
    } while (0)

/* What the mirror holds, read back through its own interface. */
typedef struct {
    uint64_t size;
    char *note; /* NULL when none */
    size_t n;
    mm_hash_t leaves[MAX_HELD];
} held_t;

static int collect(uint64_t index, const void *data, size_t len, const mm_hash_t *leaf, void *arg)
{
    held_t *h = arg;
    mm_hash_t mine;
    mm_merkle_leaf_hash(data, len, &mine);
    CHECK(index == h->n);
    CHECK(memcmp(mine.b, leaf->b, MM_HASH_LEN) == 0);
    h->leaves[h->n++] = mine;
    return 0;
}

static void read_held(hub_mirror_t *m, held_t *h)
{
    hub_site_state_t st;
    CHECK(hub_mirror_state(m, "site-a", &st) == MM_OK);
    h->size = st.size;
    h->n = 0;
    h->note = NULL;
    mm_err_t err = hub_mirror_checkpoint(m, "site-a", &h->note);
    CHECK(err == MM_OK || err == MM_ENOTFOUND);
    CHECK(h->size <= MAX_HELD);
    CHECK(hub_mirror_entries(m, "site-a", 0, h->size, collect, h) == MM_OK);
    CHECK(h->n == h->size);
    if (!h->note) {
        CHECK(h->size == 0); /* entries are only ever stored with their checkpoint */
        return;
    }
    mm_note_t note;
    mm_checkpoint_t cp;
    CHECK(mm_note_parse(h->note, strlen(h->note), &note) == MM_OK);
    CHECK(mm_note_verify(&note, &G.site.verifier, NULL) == MM_OK);
    CHECK(mm_note_verify(&note, &G.cosig, NULL) == MM_OK);
    CHECK(mm_checkpoint_parse_body(note.body, note.body_len, &cp) == MM_OK);
    CHECK(strcmp(cp.origin, "mimamori/site/site-a") == 0);
    CHECK(cp.size == h->size);
    mm_hash_t root;
    CHECK(mm_merkle_root(mm_merkle_leaves_node, h->leaves, h->size, &root) == MM_OK);
    CHECK(memcmp(root.b, cp.root.b, MM_HASH_LEN) == 0);
}

/* The cosignature of an OK answer verifies over the batch's checkpoint. */
static void check_cosignature(const mm_batch_t *b, const hub_answer_t *a)
{
    mm_note_t note;
    CHECK(mm_note_parse(b->checkpoint, b->checkpoint_len, &note) == MM_OK);
    size_t clen = strlen(a->cosignature);
    CHECK(clen > 0);
    char *text = malloc(note.body_len + 1 + clen + 1);
    CHECK(text != NULL);
    memcpy(text, note.body, note.body_len);
    text[note.body_len] = '\n';
    memcpy(text + note.body_len + 1, a->cosignature, clen + 1);
    mm_note_t cosigned;
    CHECK(mm_note_parse(text, strlen(text), &cosigned) == MM_OK);
    CHECK(mm_note_verify(&cosigned, &G.cosig, NULL) == MM_OK);
    free(text);
}

static held_t before, after;

/* Whether the record of site-a logs a document_hash for version that is hash. */
static int record_vouches(hub_registry_t *reg, uint32_t version, const uint8_t hash[32])
{
    hub_site_record_t *rec;
    CHECK(hub_registry_read(reg, "site-a", &rec) == MM_OK);
    int ok = 0;
    for (size_t i = 0; i < rec->n_filings; i++)
        if (hub_filing_of_standards(&rec->filings[i]) && rec->filings[i].version == version)
            ok |= !memcmp(rec->filings[i].document_hash, hash, 32);
    if (hub_members_has(&rec->members, HUB_RECORD_STANDARDS) && rec->standards.version == version)
        ok |= !memcmp(rec->standards.document_hash, hash, 32);
    hub_site_record_free(rec);
    return ok;
}

/* A document from site-a: judged, and only ever held as the record vouches for it. */
static void document(hub_documents_t *docs, hub_registry_t *reg, const mm_filing_document_t *d,
                     int64_t now)
{
    hub_document_t was, is;
    mm_err_t had = hub_documents_get(docs, "site-a", d->version, &was);
    CHECK(had == MM_OK || had == MM_ENOTFOUND);
    mm_document_ack_t a;
    hub_documents_receive(docs, "site-a", d, now, &a);
    CHECK(a.version == d->version);
    CHECK(a.status == MM_DOCUMENT_OK || a.status == MM_DOCUMENT_NOT_YET ||
          a.status == MM_DOCUMENT_REFUSED);
    CHECK(a.status == MM_DOCUMENT_OK || a.reason[0]);
    mm_err_t has = hub_documents_get(docs, "site-a", d->version, &is);
    CHECK(has == MM_OK || has == MM_ENOTFOUND);
    if (a.status == MM_DOCUMENT_OK) {
        CHECK(has == MM_OK);
        CHECK(is.markdown_len == d->markdown_len);
        CHECK(memcmp(is.markdown, d->markdown, d->markdown_len) == 0);
    }
    if (has == MM_OK) {
        uint8_t h[32];
        mm_sha256(is.markdown, is.markdown_len, h);
        CHECK(memcmp(h, is.sha256, 32) == 0);
        CHECK(record_vouches(reg, d->version, h));
        /* Written once: what was held stays as it was. */
        CHECK(had != MM_OK || (was.received_us == is.received_us && was.html_len == is.html_len &&
                               memcmp(was.html, is.html, is.html_len) == 0));
    } else {
        CHECK(had != MM_OK);
    }
    if (had == MM_OK)
        hub_document_deinit(&was);
    if (has == MM_OK)
        hub_document_deinit(&is);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!G.ready)
        init();
    hub_findings_t *findings;
    hub_mirror_t *mirror;
    hub_registry_t *registry;
    hub_documents_t *docs;
    if (!G.db && mm_db_open(G.dir, 64u << 20, 16, &G.db) != MM_OK)
        abort();
    mm_db_t *db = G.db;
    if (hub_findings_open(db, &findings) != MM_OK ||
        hub_mirror_open(db, &G.cfg, &G.hub, findings, &mirror) != MM_OK ||
        hub_registry_open(db, &registry) != MM_OK ||
        hub_documents_open(db, registry, findings, &docs) != MM_OK)
        abort();
    hub_mirror_set_registry(mirror, registry, NULL, NULL);

    read_held(mirror, &before);
    size_t off = 0;
    for (int i = 0; i < MAX_MSGS && off + 2 <= size; i++) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        const uint8_t *msg = data + off;
        off += len;

        hub_answer_t a;
        int64_t now = NOW_US + i * 1000000LL;
        mm_msg_t *m = NULL;
        mm_err_t err = mm_msg_decode(msg, len, &m);
        const mm_batch_t *b = err == MM_OK ? mm_msg_batch(m) : NULL;
        const mm_filing_document_t *d = err == MM_OK ? mm_msg_filing_document(m) : NULL;
        if (d) {
            document(docs, registry, d, now);
            read_held(mirror, &after);
            CHECK(after.size == before.size); /* a document changes nothing of the log */
            free(after.note);
            after.note = NULL;
            mm_msg_free(m);
            continue;
        }
        if (b)
            hub_mirror_batch(mirror, "site-a", b, now, &a);
        else
            hub_mirror_malformed(mirror, "site-a", err != MM_OK ? err : MM_EPROTO,
                                 err != MM_OK ? "not an envelope" : "not a batch", now, &a);
        read_held(mirror, &after);

        CHECK(a.ack.status == MM_ACK_OK || a.ack.status == MM_ACK_WRONG_SIZE ||
              a.ack.status == MM_ACK_REFUSED);
        CHECK(a.ack.cosignature != NULL && a.ack.reason != NULL);
        CHECK(after.size >= before.size);
        CHECK(a.ack.size == after.size);
        if (a.ack.status != MM_ACK_OK) {
            CHECK(a.ack.cosignature[0] == 0);
            CHECK(after.size == before.size);
            CHECK((before.note == NULL) == (after.note == NULL));
            CHECK(!before.note || strcmp(before.note, after.note) == 0);
        } else {
            CHECK(b != NULL);
            check_cosignature(b, &a);
            /* The batch reached at least the size acknowledged... or was within it. */
            CHECK(b->first_index + b->n_entries <= after.size);
        }
        mm_msg_free(m);
        free(before.note);
        before.size = after.size;
        before.note = after.note;
        after.note = NULL;
    }
    free(before.note);
    before.note = NULL;

    hub_documents_close(docs);
    hub_mirror_close(mirror);
    hub_registry_close(registry);
    hub_findings_close(findings);
    if (mm_db_write(db, empty_all, NULL) != MM_OK)
        abort();
    return 0;
}
