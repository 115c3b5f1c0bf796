/*
 * ops_passwd.c: the site console's passwords and second factors (ops_impl.h, console_auth.h) —
 * `passwd` sets a person's password (the manager anyone's, a person their own:
 * edge_access_decide_passwd) and, for a person who has none or when asked, a new TOTP secret to
 * enrol; `passwd_unlock` (the manager) unlocks an account locked by failed logins. The account
 * is written in one transaction with the call's access entry, which names whose password was
 * set and by whom, never the password or the secret. The answer carries the new secret and its
 * otpauth:// URI, once, for the person to enrol (console_auth.h); the person confirms it with a
 * code at their first login to the console.
 *
 * Hashing (Argon2id) takes a tenth of a second or so on the loop: a manager's action, rare.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/diag.h"
#include "edge/ops_impl.h"

edge_accounts_t *edge_ops_accounts(edge_ops_t *ops)
{
    return ops->accounts;
}

void edge_ops_on_account(edge_ops_t *ops, void (*fn)(void *arg, const char *person), void *arg)
{
    ops->account_changed = fn;
    ops->account_arg = arg;
}

mm_role_t edge_ops_role(const edge_ops_t *ops, int person)
{
    const edge_governance_t *g = &ops->cfg->gov;
    if (person >= 0 && person == g->manager)
        return MM_ROLE_MANAGER;
    return edge_access_is_operator(&ops->access, g, person) ? MM_ROLE_OPERATOR : MM_ROLE_NONE;
}

mm_err_t edge_ops_log(edge_ops_t *ops, mm_entry_t *e)
{
    return edge_ops_append(ops, e, NULL, NULL, 0);
}

void edge_ops_set_console(edge_ops_t *ops, const char *url, const char *fingerprint)
{
    snprintf(ops->console_url, sizeof ops->console_url, "%s", url);
    snprintf(ops->console_fingerprint, sizeof ops->console_fingerprint, "%s", fingerprint);
}

/* Writes acc with the call's access entry (allowed, note), and answers with result. */
static void save_and_answer(edge_ops_call_t *c, edge_account_t *acc, const char *note,
                            json_t *result)
{
    mm_entry_t e;
    edge_ops_call_entry(c, 1, note, &e);
    mm_err_t err = edge_accounts_put(c->ops->accounts, acc, &e, 1);
    if (err != MM_OK) {
        json_decref(result);
        edge_ops_refuse(c, "internal", "cannot store the account: %s", mm_strerror(err));
        return;
    }
    c->logged = 1;
    if (c->ops->logged)
        c->ops->logged(c->ops->arg);
    if (c->ops->account_changed)
        c->ops->account_changed(c->ops->account_arg, acc->person);
    edge_ops_answer(c, result, NULL);
}

/* The person named by the call, or -1 once refused. */
static int target_of(edge_ops_call_t *c, edge_account_t *acc)
{
    int p = edge_governance_person(&c->ops->cfg->gov, c->r->person);
    if (p < 0) {
        edge_ops_refuse(c, "not_found", "the site has no person %s", c->r->person);
        return -1;
    }
    mm_err_t err = edge_accounts_get(c->ops->accounts, c->r->person, acc);
    if (err != MM_OK && err != MM_ENOTFOUND) {
        edge_ops_refuse(c, "internal", "cannot read the account of %s: %s", c->r->person,
                        mm_strerror(err));
        return -1;
    }
    return p;
}

void edge_ops_do_passwd(edge_ops_call_t *c)
{
    edge_account_t acc;
    if (target_of(c, &acc) < 0)
        return;
    const char *why = mm_password_problem(c->r->password);
    if (why) {
        edge_ops_refuse(c, "invalid", "%s", why);
        return;
    }
    int fresh = !acc.hash[0] || c->r->new_totp;
    if (mm_password_hash(c->r->password, acc.hash) != MM_OK ||
        (fresh && mm_random(acc.totp, sizeof acc.totp) != MM_OK)) {
        edge_ops_refuse(c, "internal", "cannot hash the password or make a secret");
        return;
    }
    if (fresh) {
        acc.totp_confirmed = 0;
        acc.totp_last = 0;
    }
    acc.failures = 0;
    acc.locked = 0;
    acc.changed_us = mm_now_us();
    snprintf(acc.by, sizeof acc.by, "%s", c->person);
    char note[MM_TEXT_MAX], b32[MM_TOTP_B32_LEN], uri[MM_OTPAUTH_MAX];
    snprintf(note, sizeof note, "console password of %s set%s", acc.person,
             fresh ? ", with a new TOTP secret to enrol" : "");
    json_t *res = json_pack("{s:s, s:b}", "person", acc.person, "totp_new", fresh);
    if (fresh && res && mm_base32(acc.totp, sizeof acc.totp, b32, sizeof b32) == 0 &&
        mm_otpauth_uri(c->ops->cfg->site, acc.person, acc.totp, uri, sizeof uri) == 0) {
        json_object_set_new(res, "totp_secret", json_string(b32));
        json_object_set_new(res, "otpauth_uri", json_string(uri));
    }
    OPENSSL_cleanse(b32, sizeof b32);
    OPENSSL_cleanse(uri, sizeof uri);
    MM_INFO("console: %s set the password of %s", c->person, acc.person);
    save_and_answer(c, &acc, note, res);
    OPENSSL_cleanse(&acc, sizeof acc);
}

void edge_ops_do_passwd_unlock(edge_ops_call_t *c)
{
    edge_account_t acc;
    if (target_of(c, &acc) < 0)
        return;
    if (!acc.hash[0]) {
        edge_ops_refuse(c, "not_found", "%s has no console password", acc.person);
        return;
    }
    if (!acc.locked && !acc.failures) {
        edge_ops_refuse(c, "conflict", "the console account of %s is not locked", acc.person);
        return;
    }
    acc.locked = 0;
    acc.failures = 0;
    char note[MM_TEXT_MAX];
    snprintf(note, sizeof note, "console account of %s unlocked", acc.person);
    MM_INFO("console: %s unlocked the account of %s", c->person, acc.person);
    save_and_answer(c, &acc, note, json_pack("{s:s, s:b}", "person", acc.person, "locked", 0));
    OPENSSL_cleanse(&acc, sizeof acc);
}
