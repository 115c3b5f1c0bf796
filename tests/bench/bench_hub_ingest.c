/*
 * bench_hub_ingest: how many site-log entries a second the hub verifies and stores.
 *
 * SITES simulated sites, each with its own Ed25519 key in the hub's configuration, each send
 * their log in batches of BATCH segment_recorded entries (as the edge logs them: a camera, a
 * start and end, a size, a frame count, a random 32-byte content hash, a codec). Every batch
 * carries a checkpoint signed by the site over the Merkle root of all of its log so far, the
 * root kept incrementally as the edge keeps it (a compact range of perfect subtrees). All of
 * that is built before the clock starts.
 *
 * Timed: the batches, round-robin across the sites, through the hub's own verification as the
 * hub's link runs it, hub_mirror_batches — checkpoint parse, site signature, origin, size,
 * every entry decoded, the extension of what the hub holds, the entries appended to the LMDB
 * Merkle log and hashed to the signed root, the hub's cosignature, the registry (attached, as in
 * the real hub) — GROUP batches (default: one from every site, as the link drains them when
 * every site has one in flight) in one LMDB transaction committed with fsync, as mm_db does
 * (never MDB_NOSYNC). --group 1 is one synced commit per batch, as before group commit.
 *
 * Then, as a baseline measured in the same run, each part alone over the same data:
 *   (a) the site signatures: mm_note_parse + mm_note_verify of every checkpoint;
 *   (b) the leaf hashes: mm_merkle_leaf_hash of every entry;
 *   (c) storage: the same entry bytes put raw into a separate table of the same LMDB
 *       environment (key: log id || index), no verification, grouped as the hub's run was:
 *       GROUP batches a synced transaction;
 *   (d) the same as (c) with one synced transaction per batch (the old hub's commits);
 *   (e) the same as (c) with keys that only grow (one sequence for all, put with MDB_APPEND):
 *       what a layout whose keys only append would cost, pages filled and no search.
 * Each is printed as entries/s and as the ratio hub / part; then the ceiling the signatures set:
 * the most the hub could reach against (c) if every core did nothing but (a). Nothing is asserted.
 *
 *   bench_hub_ingest [--sites N] [--batch N] [--entries-per-site N] [--group N] [--dir DIR]
 *                    [--keep]
 *
 * DIR (default $TMPDIR or /tmp) must be on a real disk: on tmpfs fsync costs nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/diag.h"
#include "common/entry.h"
#include "hub/mirror.h"

typedef struct {
    mm_hash_t h;
    unsigned level;
} range_node_t;

/* The edge's view of its log: a compact range (at most 64 perfect subtrees, left to right). */
typedef struct {
    range_node_t nodes[64];
    int n;
    uint64_t size;
} range_t;

static void range_append(range_t *r, const mm_hash_t *leaf)
{
    r->nodes[r->n].h = *leaf;
    r->nodes[r->n].level = 0;
    r->n++;
    while (r->n >= 2 && r->nodes[r->n - 1].level == r->nodes[r->n - 2].level) {
        mm_hash_t h;
        mm_merkle_node_hash(&r->nodes[r->n - 2].h, &r->nodes[r->n - 1].h, &h);
        r->nodes[r->n - 2].h = h;
        r->nodes[r->n - 2].level++;
        r->n--;
    }
    r->size++;
}

static void range_root(const range_t *r, mm_hash_t *out)
{
    if (r->n == 0) {
        mm_merkle_empty_root(out);
        return;
    }
    mm_hash_t h = r->nodes[r->n - 1].h;
    for (int i = r->n - 2; i >= 0; i--) {
        mm_hash_t t;
        mm_merkle_node_hash(&r->nodes[i].h, &h, &t);
        h = t;
    }
    *out = h;
}

typedef struct {
    char *note;
    size_t len;
} signed_cp_t;

typedef struct {
    mm_ed25519_t key;
    uint8_t *bytes;        /* all entries, back to back */
    mm_bytes_t *views;     /* one per entry, into bytes */
    signed_cp_t *cps;      /* one per batch */
} site_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return *user + *sys;
}

static void die(const char *what, mm_err_t err)
{
    fprintf(stderr, "bench_hub_ingest: %s: %s\n", what, mm_strerror(err));
    exit(1);
}

static long arg_long(const char *name, const char *v, long lo, long hi)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || n < lo || n > hi) {
        fprintf(stderr, "bench_hub_ingest: %s takes a number in %ld..%ld\n", name, lo, hi);
        exit(2);
    }
    return n;
}

/* --- baseline (c): raw puts ------------------------------------------------------------------*/

typedef struct {
    MDB_dbi dbi;
    uint32_t id;
    uint64_t first;
    const mm_bytes_t *views;
    size_t n;
} raw_t;

typedef struct {
    raw_t *r;
    size_t n;
    int append; /* keys that only grow (a sequence number), put with MDB_APPEND */
    uint64_t *seq;
} raw_group_t;

static mm_err_t raw_txn(MDB_txn *txn, void *arg)
{
    raw_group_t *g = arg;
    for (size_t j = 0; j < g->n; j++) {
        raw_t *r = &g->r[j];
        for (size_t i = 0; i < r->n; i++) {
            uint8_t key[12];
            if (g->append) {
                mm_be32_put(key, 0);
                mm_be64_put(key + 4, (*g->seq)++);
            } else {
                mm_be32_put(key, r->id);
                mm_be64_put(key + 4, r->first + i);
            }
            MDB_val k = {sizeof key, key}, v = {r->views[i].len, (void *)r->views[i].data};
            int rc = mdb_put(txn, r->dbi, &k, &v, g->append ? MDB_APPEND : MDB_NOOVERWRITE);
            if (rc != 0)
                return mm_db_err(rc, "raw put");
        }
    }
    return MM_OK;
}

/* The raw puts of every batch into dbi (ids from base up), group batches a synced
 * transaction; the wall seconds, and the CPU into *cpu, *user, *sys. */
static double raw_run(mm_db_t *db, MDB_dbi dbi, uint32_t base, site_t *sites, long n_sites,
                      long n_batches, long batch, long per_site, long group, int append,
                      double *cpu, double *user, double *sys)
{
    raw_t *rs = calloc((size_t)(n_sites * n_batches), sizeof *rs);
    if (!rs)
        die("set-up", MM_ENOMEM);
    size_t n = 0;
    for (long k = 0; k < n_batches; k++)
        for (long s = 0; s < n_sites; s++) {
            uint64_t first = (uint64_t)k * (uint64_t)batch;
            size_t c = (size_t)(per_site - (long)first < batch ? per_site - (long)first : batch);
            rs[n++] = (raw_t){dbi, base + (uint32_t)s, first, sites[s].views + first, c};
        }
    double u0, s0, u1, s1;
    uint64_t seq = 0;
    double c0 = cpu_s(&u0, &s0), t0 = now_s();
    for (size_t at = 0; at < n; at += (size_t)group) {
        raw_group_t g = {rs + at, n - at < (size_t)group ? n - at : (size_t)group, append, &seq};
        mm_err_t err = mm_db_write(db, raw_txn, &g);
        if (err != MM_OK)
            die("raw put", err);
    }
    double t = now_s() - t0;
    *cpu = cpu_s(&u1, &s1) - c0;
    *user = u1 - u0;
    *sys = s1 - s0;
    free(rs);
    return t;
}

int main(int argc, char **argv)
{
    long n_sites = 50, batch = 256, per_site = 20000, group = 0;
    const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sites") == 0)
            n_sites = arg_long(argv[i], argv[i + 1], 1, HUB_MAX_SITES), i++;
        else if (strcmp(argv[i], "--batch") == 0)
            batch = arg_long(argv[i], argv[i + 1], 1, MM_WIRE_BATCH_MAX), i++;
        else if (strcmp(argv[i], "--entries-per-site") == 0)
            per_site = arg_long(argv[i], argv[i + 1], 1, 100000000), i++;
        else if (strcmp(argv[i], "--group") == 0)
            group = arg_long(argv[i], argv[i + 1], 1, 100000), i++;
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            parent = argv[++i];
        else if (strcmp(argv[i], "--keep") == 0)
            keep = 1;
        else {
            fprintf(stderr, "usage: bench_hub_ingest [--sites N] [--batch N] "
                            "[--entries-per-site N] [--group N] [--dir DIR] [--keep]\n");
            return 2;
        }
    }
    if (group == 0)
        group = n_sites;
    mm_diag_init("bench_hub_ingest", MM_DIAG_WARN);
    long n_batches = (per_site + batch - 1) / batch; /* per site; the last may be short */
    long total = n_sites * per_site;

    /* --- set-up, not timed -------------------------------------------------------------------*/
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/mm-bench-hub-XXXXXX", parent);
    if (!mkdtemp(dir)) {
        perror("bench_hub_ingest: mkdtemp");
        return 1;
    }
    mm_keypair_t hub_keys;
    mm_err_t err = mm_keys_generate("hub", &hub_keys);
    if (err != MM_OK)
        die("hub keys", err);
    hub_config_t cfg = {.n_sites = (size_t)n_sites, .sites = calloc((size_t)n_sites,
                                                                    sizeof(hub_site_conf_t))};
    strcpy(cfg.name, "hub");
    site_t *sites = calloc((size_t)n_sites, sizeof *sites);
    if (!cfg.sites || !sites)
        die("set-up", MM_ENOMEM);

    double t_build = now_s();
    uint64_t all_bytes = 0;
    for (long s = 0; s < n_sites; s++) {
        site_t *st = &sites[s];
        hub_site_conf_t *sc = &cfg.sites[s];
        snprintf(sc->id, sizeof sc->id, "site-%04ld", s);
        if ((err = mm_ed25519_generate(&st->key)) != MM_OK ||
            (err = mm_note_verifier_make(sc->id, MM_NOTE_ALG_ED25519, st->key.pub,
                                         &sc->verifier)) != MM_OK)
            die("site key", err);
        /* Entries: 8 cameras recording 10-second segments, as an edge logs them. */
        size_t cap = (size_t)per_site * 128, used = 0;
        st->bytes = malloc(cap);
        st->views = malloc((size_t)per_site * sizeof *st->views);
        st->cps = calloc((size_t)n_batches, sizeof *st->cps);
        if (!st->bytes || !st->views || !st->cps)
            die("set-up", MM_ENOMEM);
        const int64_t base = 1795000000LL * 1000000LL + s * 1000;
        range_t range = {0};
        char origin[MM_ORIGIN_MAX + 1];
        snprintf(origin, sizeof origin, "mimamori/site/%s", sc->id);
        for (long i = 0; i < per_site; i++) {
            int cam = (int)(i % 8);
            int64_t start = base + (i / 8) * 10000000LL + cam * 37000;
            mm_entry_t e = {.time_us = start + 10000000 + 150000,
                            .kind = MM_ENTRY_SEGMENT_RECORDED};
            mm_segment_recorded_t *seg = &e.u.segment_recorded;
            snprintf(seg->camera, sizeof seg->camera, "cam%02d", cam);
            seg->start_us = start;
            seg->end_us = start + 10000000;
            seg->bytes = 2500000 + (uint64_t)(i % 100000);
            seg->frames = 150;
            strcpy(seg->codec, "h264");
            if ((err = mm_random(seg->content_hash, sizeof seg->content_hash)) != MM_OK)
                die("random", err);
            uint8_t *enc;
            size_t len;
            if ((err = mm_entry_encode(&e, &enc, &len)) != MM_OK)
                die("encode entry", err);
            if (used + len > cap) {
                fprintf(stderr, "bench_hub_ingest: entry of %zu bytes, more than planned\n", len);
                return 1;
            }
            memcpy(st->bytes + used, enc, len);
            free(enc);
            st->views[i].data = st->bytes + used;
            st->views[i].len = len;
            used += len;
            all_bytes += len;
            mm_hash_t leaf;
            mm_merkle_leaf_hash(st->views[i].data, len, &leaf);
            range_append(&range, &leaf);
            if ((i + 1) % batch == 0 || i + 1 == per_site) {
                mm_checkpoint_t cp = {.size = range.size};
                strcpy(cp.origin, origin);
                range_root(&range, &cp.root);
                char note[MM_NOTE_MAX];
                size_t nlen;
                if ((err = mm_checkpoint_sign(&cp, sc->id, &st->key, note, sizeof note,
                                              &nlen)) != MM_OK)
                    die("sign checkpoint", err);
                signed_cp_t *c = &st->cps[i / batch];
                c->note = malloc(nlen + 1);
                if (!c->note)
                    die("set-up", MM_ENOMEM);
                memcpy(c->note, note, nlen + 1);
                c->len = nlen;
            }
        }
    }
    t_build = now_s() - t_build;

    mm_db_t *db = NULL;
    hub_findings_t *findings = NULL;
    hub_registry_t *registry = NULL;
    hub_mirror_t *mirror = NULL;
    if ((err = mm_db_open(dir, 0, HUB_DB_TABLES, &db)) != MM_OK ||
        (err = hub_findings_open(db, &findings)) != MM_OK ||
        (err = hub_registry_open(db, &registry)) != MM_OK ||
        (err = hub_mirror_open(db, &cfg, &hub_keys, findings, &mirror)) != MM_OK)
        die("open the hub's store", err);
    hub_mirror_set_registry(mirror, registry, NULL, NULL);
    MDB_dbi raw_dbi;
    if ((err = mm_db_dbi(db, "bench.raw", 0, &raw_dbi)) != MM_OK)
        die("open the raw table", err);

    printf("bench_hub_ingest: %ld sites x %ld entries in batches of %ld = %ld entries "
           "(%.1f bytes each on average), %ld batches (built in %.1f s, not timed)\n",
           n_sites, per_site, batch, total, (double)all_bytes / (double)total,
           n_sites * n_batches, t_build);
    printf("store: %s (LMDB, every commit synced)\n", dir);

    /* --- the hub: hub_mirror_batch, round-robin ----------------------------------------------*/
    const int64_t now0 = 1795486419000000LL;
    long refused = 0;
    size_t n_all = (size_t)(n_sites * n_batches);
    mm_batch_t *bs = calloc(n_all, sizeof *bs);
    hub_mirror_item_t *items = calloc(n_all, sizeof *items);
    hub_answer_t *answers = calloc((size_t)group, sizeof *answers);
    if (!bs || !items || !answers)
        die("set-up", MM_ENOMEM);
    size_t n_items = 0;
    for (long k = 0; k < n_batches; k++) {
        for (long s = 0; s < n_sites; s++) {
            site_t *st = &sites[s];
            uint64_t first = (uint64_t)k * (uint64_t)batch;
            size_t n = (size_t)(per_site - (long)first < batch ? per_site - (long)first : batch);
            bs[n_items] = (mm_batch_t){.first_index = first,
                                       .n_entries = n,
                                       .entries = st->views + first,
                                       .checkpoint = st->cps[k].note,
                                       .checkpoint_len = st->cps[k].len};
            items[n_items] =
                (hub_mirror_item_t){cfg.sites[s].id, &bs[n_items], now0 + k * 1000000 + s, NULL};
            n_items++;
        }
    }
    double u0, s0, u1, s1;
    double c0 = cpu_s(&u0, &s0), t0 = now_s();
    for (size_t at = 0; at < n_items; at += (size_t)group) {
        size_t n = n_items - at < (size_t)group ? n_items - at : (size_t)group;
        for (size_t i = 0; i < n; i++)
            items[at + i].out = &answers[i];
        hub_mirror_batches(mirror, items + at, n);
        for (size_t i = 0; i < n; i++) {
            const hub_answer_t *a = &answers[i];
            const mm_batch_t *b = items[at + i].batch;
            if (a->ack.status != MM_ACK_OK || a->ack.size != b->first_index + b->n_entries) {
                if (refused++ < 5)
                    fprintf(stderr,
                            "bench_hub_ingest: %s batch at %" PRIu64 ": status %d size %" PRIu64
                            ": %s\n",
                            items[at + i].site, b->first_index, (int)a->ack.status, a->ack.size,
                            a->ack.reason);
            }
        }
    }
    double wall = now_s() - t0;
    double cpu = cpu_s(&u1, &s1) - c0;
    if (refused) {
        fprintf(stderr, "bench_hub_ingest: %ld batches not stored: the figures mean nothing\n",
                refused);
        return 1;
    }
    double hub_eps = (double)total / wall;
    printf("\nhub_mirror_batches (verify + store + cosign + registry), %ld batches a synced "
           "commit\n",
           group);
    printf("  entries %ld  wall %.2f s  entries/s %.0f  batches/s %.1f\n", total, wall, hub_eps,
           (double)(n_sites * n_batches) / wall);
    printf("  CPU %.2f s (user %.2f, sys %.2f) = %.0f %% of one core; %.2f us CPU per entry\n",
           cpu, u1 - u0, s1 - s0, 100.0 * cpu / wall, 1e6 * cpu / (double)total);

    /* --- (a) the site signatures alone -------------------------------------------------------*/
    t0 = now_s();
    for (long k = 0; k < n_batches; k++) {
        for (long s = 0; s < n_sites; s++) {
            mm_note_t note;
            err = mm_note_parse(sites[s].cps[k].note, sites[s].cps[k].len, &note);
            if (err == MM_OK)
                err = mm_note_verify(&note, &cfg.sites[s].verifier, NULL);
            if (err != MM_OK)
                die("verify checkpoint", err);
        }
    }
    double t_sig = now_s() - t0;

    /* --- (b) the leaf hashes alone -----------------------------------------------------------*/
    volatile uint8_t sink = 0;
    t0 = now_s();
    for (long s = 0; s < n_sites; s++) {
        for (long i = 0; i < per_site; i++) {
            mm_hash_t h;
            mm_merkle_leaf_hash(sites[s].views[i].data, sites[s].views[i].len, &h);
            sink ^= h.b[0];
        }
    }
    double t_leaf = now_s() - t0;

    /* --- (c) raw LMDB puts of the same bytes, grouped as the hub's were; (d) one per batch ---*/
    MDB_dbi raw1_dbi;
    if ((err = mm_db_dbi(db, "bench.raw1", 0, &raw1_dbi)) != MM_OK)
        die("open the raw table", err);
    double cpu_raw, uc, sc, cpu_raw1, uc1, sc1;
    double t_raw = raw_run(db, raw_dbi, 1, sites, n_sites, n_batches, batch, per_site, group, 0,
                           &cpu_raw, &uc, &sc);
    double t_raw1 = raw_run(db, raw1_dbi, 1, sites, n_sites, n_batches, batch, per_site, 1, 0,
                            &cpu_raw1, &uc1, &sc1);
    MDB_dbi rawa_dbi;
    if ((err = mm_db_dbi(db, "bench.rawa", 0, &rawa_dbi)) != MM_OK)
        die("open the raw table", err);
    double cpu_rawa, uca, sca;
    double t_rawa = raw_run(db, rawa_dbi, 1, sites, n_sites, n_batches, batch, per_site, group, 1,
                            &cpu_rawa, &uca, &sca);

    printf("\nbaseline, same data, same run               entries/s    hub / this\n");
    printf("  (a) checkpoint parse + Ed25519 verify  %12.0f    %.3f   (%.2f s, %.1f us/batch)\n",
           (double)total / t_sig, t_sig / wall, t_sig, 1e6 * t_sig / (double)(n_sites * n_batches));
    printf("  (b) leaf hashes (SHA-256)              %12.0f    %.3f   (%.2f s)\n",
           (double)total / t_leaf, t_leaf / wall, t_leaf);
    printf("  (c) raw mdb_put, %4ld batches a txn    %12.0f    %.3f   (%.2f s, CPU %.2f s: "
           "user %.2f, sys %.2f)\n",
           group, (double)total / t_raw, t_raw / wall, t_raw, cpu_raw, uc, sc);
    printf("  (d) raw mdb_put, synced txn per batch  %12.0f    %.3f   (%.2f s, CPU %.2f s: "
           "user %.2f, sys %.2f)\n",
           (double)total / t_raw1, t_raw1 / wall, t_raw1, cpu_raw1, uc1, sc1);
    printf("  (e) as (c), keys that only grow (APPEND) %10.0f    %.3f   (%.2f s, CPU %.2f s: "
           "user %.2f, sys %.2f)\n",
           (double)total / t_rawa, t_rawa / wall, t_rawa, cpu_rawa, uca, sca);
    printf("  (a) + (b) + (c)                        %12.0f    %.3f   (%.2f s)\n",
           (double)total / (t_sig + t_leaf + t_raw), (t_sig + t_leaf + t_raw) / wall,
           t_sig + t_leaf + t_raw);
    /* The most the hub could reach against (c) if every core did nothing but check the sites'
     * signatures, each once (which it must): (c)'s time over (a)'s spread on all cores. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double sig_ceiling = t_raw / (t_sig / (double)(cores > 0 ? cores : 1));
    printf("  ceiling against (c): (a) alone on all %ld cores allows at most %.3f of (c)%s\n",
           cores, sig_ceiling, sig_ceiling < 1 ? "" : " (more than (c): not the limit)");
    printf("\n{\"entries\": %ld, \"wall_s\": %.3f, \"entries_per_s\": %.0f, \"cpu_s\": %.3f, "
           "\"batches_per_s\": %.1f, \"group\": %ld, \"sig_eps\": %.0f, \"leaf_eps\": %.0f, "
           "\"raw_eps\": %.0f, \"raw_per_batch_eps\": %.0f, \"raw_append_eps\": %.0f, "
           "\"cores\": %ld, \"sig_ceiling_of_raw\": %.3f}\n",
           total, wall, hub_eps, cpu, (double)(n_sites * n_batches) / wall, group,
           (double)total / t_sig, (double)total / t_leaf, (double)total / t_raw,
           (double)total / t_raw1, (double)total / t_rawa, cores, sig_ceiling);
    free(bs);
    free(items);
    free(answers);

    hub_mirror_close(mirror);
    hub_registry_close(registry);
    hub_findings_close(findings);
    mm_db_close(db);
    for (long s = 0; s < n_sites; s++) {
        for (long k = 0; k < n_batches; k++)
            free(sites[s].cps[k].note);
        free(sites[s].cps);
        free(sites[s].views);
        free(sites[s].bytes);
        mm_ed25519_wipe(&sites[s].key);
    }
    free(sites);
    free(cfg.sites);
    mm_keys_wipe(&hub_keys);
    if (!keep) {
        char path[4200];
        snprintf(path, sizeof path, "%s/data.mdb", dir);
        remove(path);
        snprintf(path, sizeof path, "%s/lock.mdb", dir);
        remove(path);
        remove(dir);
    }
    (void)sink;
    return 0;
}
