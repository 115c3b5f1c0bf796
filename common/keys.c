/*
 * keys.c: key pairs and key files (see keys.h).
 */
#include "common/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "common/note.h"

int mm_keys_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= MM_KEY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

mm_err_t mm_keys_z85_decode(const char *z85, uint8_t *raw)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   ".-:+=^!/*?&<>()[]{}@%$#";
    if (strlen(z85) != MM_Z85_KEY_LEN)
        return MM_EPARSE;
    for (const char *p = z85; *p; p++)
        if (!strchr(alphabet, *p))
            return MM_EPARSE;
    uint8_t tmp[32];
    if (!zmq_z85_decode(raw ? raw : tmp, z85))
        return MM_EPARSE;
    return MM_OK;
}

mm_err_t mm_keys_generate(const char *name, mm_keypair_t *out)
{
    memset(out, 0, sizeof *out);
    if (!mm_keys_name_ok(name))
        return MM_EINVAL;
    snprintf(out->name, sizeof out->name, "%s", name);
    if (mm_ed25519_generate(&out->sign) != MM_OK)
        return MM_ECRYPTO;
    if (zmq_curve_keypair(out->curve_public, out->curve_secret) != 0) {
        mm_keys_wipe(out);
        return MM_ECRYPTO;
    }
    return MM_OK;
}

mm_err_t mm_keys_save(const mm_keypair_t *k, const char *path)
{
    char seed[64];
    if (mm_base64_encode(k->sign.seed, MM_ED25519_SEED_LEN, seed, sizeof seed) < 0)
        return MM_EINVAL;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", k->name, "sign_seed", seed,
                          "curve_public", k->curve_public, "curve_secret", k->curve_secret);
    mm_wipe(seed, sizeof seed);
    if (!o)
        return MM_ENOMEM;
    char *text = json_dumps(o, JSON_INDENT(2));
    json_decref(o); /* jansson copies strings; the secret copies are freed with it */
    if (!text)
        return MM_ENOMEM;
    mm_err_t err = MM_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err = errno == EEXIST ? MM_EEXIST : MM_EIO;
    } else {
        size_t len = strlen(text);
        if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0)
            err = MM_EIO;
        if (close(fd) != 0)
            err = MM_EIO;
        if (err != MM_OK)
            unlink(path);
    }
    mm_wipe(text, strlen(text));
    free(text);
    return err;
}

static mm_err_t field(json_t *o, const char *path, const char *name, const char **out, char *err,
                      size_t cap)
{
    json_t *v = json_object_get(o, name);
    if (!v || !json_is_string(v)) {
        if (err)
            snprintf(err, cap, "%s: %s: %s", path, name, v ? "must be a string" : "missing");
        return MM_ECONFIG;
    }
    *out = json_string_value(v);
    return MM_OK;
}

mm_err_t mm_keys_load(const char *path, mm_keypair_t *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err)
            snprintf(err, cap, "%s: cannot read the key file: %s", path, strerror(errno));
        return MM_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        if (err)
            snprintf(err, cap, "%s: cannot read the key file: %s", path, strerror(errno));
        close(fd);
        return MM_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        if (err)
            snprintf(err, cap, "%s: not a regular file", path);
        close(fd);
        return MM_ECONFIG;
    }
    if (st.st_mode & 077) {
        /* The secrets may already have leaked; refuse rather than quietly carry on. */
        if (err)
            snprintf(err, cap,
                     "%s: the key file is accessible by group or others (mode %04o); run "
                     "chmod 600 %s (only its owner may read it)",
                     path, (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return MM_ECONFIG;
    }
    json_error_t jerr;
    json_t *o = json_loadfd(fd, JSON_REJECT_DUPLICATES, &jerr);
    close(fd);
    if (!o || !json_is_object(o)) {
        if (err && o)
            snprintf(err, cap, "%s: not a key file: the top level is not a JSON object", path);
        else if (err)
            snprintf(err, cap, "%s: not a key file: line %d, column %d: %s", path, jerr.line,
                     jerr.column, jerr.text);
        json_decref(o);
        return MM_ECONFIG;
    }
    const char *name, *seed, *cpub, *csec;
    mm_err_t e = MM_OK;
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val) {
        if (strcmp(key, "name") != 0 && strcmp(key, "sign_seed") != 0 &&
            strcmp(key, "curve_public") != 0 && strcmp(key, "curve_secret") != 0) {
            if (err)
                snprintf(err, cap, "%s: %s: unknown key", path, key);
            e = MM_ECONFIG;
            break;
        }
    }
    if (e == MM_OK)
        e = field(o, path, "name", &name, err, cap);
    if (e == MM_OK)
        e = field(o, path, "sign_seed", &seed, err, cap);
    if (e == MM_OK)
        e = field(o, path, "curve_public", &cpub, err, cap);
    if (e == MM_OK)
        e = field(o, path, "curve_secret", &csec, err, cap);
    if (e == MM_OK && !mm_keys_name_ok(name)) {
        if (err)
            snprintf(err, cap, "%s: name: must be 1-63 characters of A-Z a-z 0-9 . _ -", path);
        e = MM_ECONFIG;
    }
    uint8_t seedb[MM_ED25519_SEED_LEN + 4];
    if (e == MM_OK &&
        mm_base64_decode(seed, strlen(seed), seedb, sizeof seedb) != MM_ED25519_SEED_LEN) {
        if (err)
            snprintf(err, cap, "%s: sign_seed: must be 32 bytes in base64", path);
        e = MM_ECONFIG;
    }
    uint8_t raw[32];
    if (e == MM_OK && mm_keys_z85_decode(cpub, raw) != MM_OK) {
        if (err)
            snprintf(err, cap, "%s: curve_public: must be a 40-character Z85 key", path);
        e = MM_ECONFIG;
    }
    if (e == MM_OK && mm_keys_z85_decode(csec, raw) != MM_OK) {
        if (err)
            snprintf(err, cap, "%s: curve_secret: must be a 40-character Z85 key", path);
        e = MM_ECONFIG;
    }
    if (e == MM_OK) {
        /* The public half must belong to the secret one. */
        char derived[MM_Z85_KEY_LEN + 1];
        if (zmq_curve_public(derived, csec) != 0 || strcmp(derived, cpub) != 0) {
            if (err)
                snprintf(err, cap, "%s: curve_public: does not belong to curve_secret", path);
            e = MM_ECONFIG;
        }
    }
    if (e == MM_OK && mm_ed25519_from_seed(seedb, &out->sign) != MM_OK) {
        if (err)
            snprintf(err, cap, "%s: sign_seed: not a usable Ed25519 seed", path);
        e = MM_ECONFIG;
    }
    if (e == MM_OK) {
        snprintf(out->name, sizeof out->name, "%s", name);
        memcpy(out->curve_public, cpub, MM_Z85_KEY_LEN + 1);
        memcpy(out->curve_secret, csec, MM_Z85_KEY_LEN + 1);
    }
    mm_wipe(seedb, sizeof seedb);
    mm_wipe(raw, sizeof raw);
    json_decref(o);
    if (e != MM_OK)
        mm_keys_wipe(out);
    return e;
}

mm_err_t mm_keys_verifier(const mm_keypair_t *k, char *out, size_t cap)
{
    mm_note_verifier_t v;
    mm_err_t err = mm_note_verifier_make(k->name, MM_NOTE_ALG_ED25519, k->sign.pub, &v);
    if (err == MM_OK)
        err = mm_note_verifier_format(&v, out, cap);
    return err;
}

void mm_keys_wipe(mm_keypair_t *k)
{
    mm_ed25519_wipe(&k->sign);
    mm_wipe(k->curve_secret, sizeof k->curve_secret);
}
