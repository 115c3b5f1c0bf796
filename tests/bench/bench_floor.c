/*
 * bench_floor: what the per-byte cryptography the formats ask for costs on this machine, in CPU
 * seconds per GB, for the benchmarks to set their goals against (bench_writer.py and
 * bench_export.py run it in the same run as their baselines).
 *
 *   sha256       mm_sha256_update over 1 MiB pieces: every content hash, every file's SHA-256
 *   aes256gcm    mm_aes256gcm_seal of 256 KiB messages: a segment's chunks (open costs the same)
 *   age          mm_age_write through a sink that drops the bytes: ChaCha20-Poly1305 in 64 KiB
 *                chunks, an export's encryption for its requester
 *   curve        1 GB in 512 KiB messages from a ZeroMQ DEALER to a ROUTER over TCP on
 *                127.0.0.1 with CURVE, both in this process: the whole process's CPU (both I/O
 *                threads encrypt and decrypt, the kernel copies), an export chunk's way to the hub
 *   zmq_plain    the same without CURVE: what the transport costs apart from its cryptography
 *
 * Each over --mb MB (default 1024) of random bytes, CPU from getrusage (the calling thread's, or
 * the process's for the transfers). Prints one JSON object. Nothing is asserted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zmq.h>

#include "common/age.h"
#include "common/crypto.h"

#define PIECE (1024 * 1024)
#define RANDOM_BYTES (64u * 1024 * 1024)

static double cpu_s(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static uint8_t *data;
static uint64_t total;

static double per_gb(double cpu)
{
    return cpu / ((double)total / 1e9);
}

static double bench_sha256(void)
{
    mm_sha256_ctx_t *ctx;
    if (mm_sha256_create(&ctx) != MM_OK)
        exit(1);
    double c0 = cpu_s(RUSAGE_THREAD);
    for (uint64_t done = 0; done < total; done += PIECE)
        mm_sha256_update(ctx, data + done % RANDOM_BYTES, PIECE);
    double c = cpu_s(RUSAGE_THREAD) - c0;
    uint8_t out[32];
    mm_sha256_final(ctx, out);
    mm_sha256_destroy(ctx);
    return per_gb(c);
}

static double bench_gcm(void)
{
    enum { MSG = 256 * 1024 };
    uint8_t key[MM_AES_KEY_LEN], nonce[MM_GCM_NONCE_LEN] = {0}, tag[MM_GCM_TAG_LEN];
    uint8_t *out = malloc(MSG);
    if (!out || mm_random(key, sizeof key) != MM_OK)
        exit(1);
    double c0 = cpu_s(RUSAGE_THREAD);
    uint32_t n = 0;
    for (uint64_t done = 0; done < total; done += MSG, n++) {
        memcpy(nonce, &n, sizeof n);
        if (mm_aes256gcm_seal(key, nonce, "aad", 3, data + done % RANDOM_BYTES, MSG, out, tag) !=
            MM_OK)
            exit(1);
    }
    double c = cpu_s(RUSAGE_THREAD) - c0;
    free(out);
    return per_gb(c);
}

static int drop(void *arg, const uint8_t *d, size_t len)
{
    (void)d;
    *(uint64_t *)arg += len;
    return 0;
}

static double bench_age(void)
{
    uint8_t recipient[32];
    uint64_t out = 0;
    mm_age_writer_t *w;
    if (mm_random(recipient, sizeof recipient) != MM_OK)
        exit(1);
    recipient[31] &= 0x7f;
    if (mm_age_begin(recipient, drop, &out, &w) != MM_OK)
        exit(1);
    double c0 = cpu_s(RUSAGE_THREAD);
    for (uint64_t done = 0; done < total; done += PIECE)
        if (mm_age_write(w, data + done % RANDOM_BYTES, PIECE) != MM_OK)
            exit(1);
    if (mm_age_end(w) != MM_OK)
        exit(1);
    return per_gb(cpu_s(RUSAGE_THREAD) - c0);
}

/* total bytes in 512 KiB messages, DEALER to ROUTER on loopback, each answered every 16 MiB so
 * that at most 32 MiB are in flight (the uplink's window is 16 MiB). */
static double bench_zmq(int curve)
{
    enum { MSG = 512 * 1024, ANSWER_EVERY = 32 };
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER), *dealer = zmq_socket(ctx, ZMQ_DEALER);
    char spub[41], ssec[41], cpub[41], csec[41];
    int one = 1, hwm = 0;
    if (curve && (zmq_curve_keypair(spub, ssec) != 0 || zmq_curve_keypair(cpub, csec) != 0)) {
        fprintf(stderr, "bench_floor: this libzmq has no CURVE\n");
        exit(1);
    }
    if (curve) {
        zmq_setsockopt(router, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(router, ZMQ_CURVE_SECRETKEY, ssec, 40);
        zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, spub, 40);
        zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, cpub, 40);
        zmq_setsockopt(dealer, ZMQ_CURVE_SECRETKEY, csec, 40);
    }
    zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(dealer, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_bind(router, "tcp://127.0.0.1:*") != 0)
        exit(1);
    char ep[64];
    size_t eplen = sizeof ep;
    zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, ep, &eplen);
    if (zmq_connect(dealer, ep) != 0)
        exit(1);
    uint64_t n = total / MSG;
    double c0 = cpu_s(RUSAGE_SELF);
    uint64_t sent = 0, got = 0, answered = 0;
    uint8_t id[256], small[16];
    while (got < n) {
        /* Send while fewer than two answers' worth are unanswered. */
        while (sent < n && sent - answered < 2 * ANSWER_EVERY) {
            if (zmq_send(dealer, data + (sent * MSG) % RANDOM_BYTES, MSG, 0) != MSG)
                exit(1);
            sent++;
        }
        int idlen = zmq_recv(router, id, sizeof id, 0);
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (idlen < 0 || zmq_msg_recv(&m, router, 0) != MSG)
            exit(1);
        zmq_msg_close(&m);
        if (++got % ANSWER_EVERY == 0 || got == n) {
            zmq_send(router, id, (size_t)idlen, ZMQ_SNDMORE);
            zmq_send(router, "ok", 2, 0);
            if (zmq_recv(dealer, small, sizeof small, 0) < 0)
                exit(1);
            answered = got;
        }
    }
    double c = cpu_s(RUSAGE_SELF) - c0;
    zmq_close(dealer);
    zmq_close(router);
    zmq_ctx_term(ctx);
    return per_gb(c);
}

int main(int argc, char **argv)
{
    uint64_t mb = 1024;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mb") == 0 && i + 1 < argc) {
            mb = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: bench_floor [--mb N]\n");
            return 2;
        }
    }
    total = (mb * 1000000 + PIECE - 1) / PIECE * PIECE;
    if (!(data = malloc(RANDOM_BYTES)) || mm_random(data, RANDOM_BYTES) != MM_OK)
        return 1;
    double sha = bench_sha256(), gcm = bench_gcm(), age = bench_age();
    double curve = bench_zmq(1), plain = bench_zmq(0);
    printf("{\"bytes\": %" PRIu64 ", \"sha256_s_per_gb\": %.3f, \"aes256gcm_s_per_gb\": %.3f, "
           "\"age_s_per_gb\": %.3f, \"curve_s_per_gb\": %.3f, \"zmq_plain_s_per_gb\": %.3f}\n",
           total, sha, gcm, age, curve, plain);
    free(data);
    return 0;
}
