/*
 * console_auth.c: passwords, TOTP codes and the console's accounts (see console_auth.h).
 */
#include "edge/console_auth.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/db.h"

/* --- the accounts --------------------------------------------------------------------------- */

struct edge_accounts {
    edge_store_t *store;
    mm_db_t *db;
    MDB_dbi dbi; /* console.accounts */
};

mm_err_t edge_accounts_open(edge_store_t *store, edge_accounts_t **out)
{
    edge_accounts_t *a = calloc(1, sizeof *a);
    if (!a)
        return MM_ENOMEM;
    a->store = store;
    a->db = edge_store_db(store);
    mm_err_t err = mm_db_dbi(a->db, "console.accounts", 0, &a->dbi);
    if (err != MM_OK) {
        free(a);
        return err;
    }
    *out = a;
    return MM_OK;
}

void edge_accounts_close(edge_accounts_t *a)
{
    free(a);
}

static json_t *account_json(const edge_account_t *acc)
{
    char hex[2 * MM_TOTP_SECRET_LEN + 1];
    mm_hex_encode(acc->totp, sizeof acc->totp, hex, sizeof hex);
    json_t *j = json_pack("{s:s, s:s, s:b, s:I, s:i, s:b, s:I, s:s}", "hash", acc->hash, "totp",
                          hex, "totp_confirmed", acc->totp_confirmed, "totp_last",
                          (json_int_t)acc->totp_last, "failures", acc->failures, "locked",
                          acc->locked, "changed_us", (json_int_t)acc->changed_us, "by", acc->by);
    OPENSSL_cleanse(hex, sizeof hex);
    return j;
}

static mm_err_t account_from_json(json_t *j, edge_account_t *acc)
{
    const char *hash = json_string_value(json_object_get(j, "hash"));
    const char *totp = json_string_value(json_object_get(j, "totp"));
    const char *by = json_string_value(json_object_get(j, "by"));
    if (!hash || !totp || !by || strlen(hash) >= sizeof acc->hash || strlen(by) >= sizeof acc->by ||
        mm_hex_decode(totp, strlen(totp), acc->totp, sizeof acc->totp) != MM_TOTP_SECRET_LEN)
        return MM_ECORRUPT;
    snprintf(acc->hash, sizeof acc->hash, "%s", hash);
    snprintf(acc->by, sizeof acc->by, "%s", by);
    acc->totp_confirmed = json_is_true(json_object_get(j, "totp_confirmed"));
    acc->totp_last = json_integer_value(json_object_get(j, "totp_last"));
    acc->failures = (int)json_integer_value(json_object_get(j, "failures"));
    acc->locked = json_is_true(json_object_get(j, "locked"));
    acc->changed_us = json_integer_value(json_object_get(j, "changed_us"));
    return MM_OK;
}

mm_err_t edge_accounts_get(edge_accounts_t *a, const char *person, edge_account_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->person, sizeof out->person, "%s", person);
    MDB_txn *txn;
    mm_err_t err = mm_db_read(a->db, &txn);
    if (err != MM_OK)
        return err;
    MDB_val k = {strlen(person), (void *)person}, v;
    err = mm_db_err(mdb_get(txn, a->dbi, &k, &v), "get console account");
    json_t *j = err == MM_OK ? json_loadb(v.mv_data, v.mv_size, 0, NULL) : NULL;
    mdb_txn_abort(txn);
    if (err != MM_OK)
        return err;
    err = j ? account_from_json(j, out) : MM_ECORRUPT;
    json_decref(j);
    return err;
}

typedef struct {
    edge_accounts_t *a;
    const char *person;
    const char *text;
    const mm_entry_t *e;
    size_t n;
} put_ctx_t;

static mm_err_t put_txn(MDB_txn *txn, void *arg)
{
    put_ctx_t *c = arg;
    MDB_val k = {strlen(c->person), (void *)c->person}, v = {strlen(c->text), (void *)c->text};
    mm_err_t err = mm_db_err(mdb_put(txn, c->a->dbi, &k, &v, 0), "put console account");
    for (size_t i = 0; err == MM_OK && i < c->n; i++)
        err = edge_store_append_in(c->a->store, txn, &c->e[i], NULL);
    return err;
}

mm_err_t edge_accounts_put(edge_accounts_t *a, const edge_account_t *acc, const mm_entry_t *e,
                           size_t n)
{
    json_t *j = account_json(acc);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return MM_ENOMEM;
    put_ctx_t c = {.a = a, .person = acc->person, .text = text, .e = e, .n = n};
    mm_err_t err = mm_db_write(a->db, put_txn, &c);
    OPENSSL_cleanse(text, strlen(text));
    free(text);
    return err;
}
