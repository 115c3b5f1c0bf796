/*
 * reload.c: swapping the configuration's people and sites (see reload.h).
 */
#include "hub/reload.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/diag.h"

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Warns about each setting only a restart changes that differs in next. */
static void warn_kept(const hub_config_t *cur, const hub_config_t *next)
{
    const char *kept[8];
    size_t n = 0;
    if (strcmp(cur->name, next->name) != 0)
        kept[n++] = "name";
    if (!same_str(cur->key_file, next->key_file))
        kept[n++] = "key_file";
    if (!same_str(cur->state_dir, next->state_dir))
        kept[n++] = "state_dir";
    if (!same_str(cur->listen, next->listen))
        kept[n++] = "listen";
    if (!same_str(cur->http_host, next->http_host) || cur->http_port != next->http_port ||
        !same_str(cur->tls_certificate, next->tls_certificate) ||
        !same_str(cur->tls_private_key, next->tls_private_key) ||
        cur->insecure_http != next->insecure_http || cur->hsts_max_age != next->hsts_max_age)
        kept[n++] = "http";
    if (strcmp(cur->timezone, next->timezone) != 0)
        kept[n++] = "timezone";
    if (memcmp(&cur->sessions, &next->sessions, sizeof cur->sessions) != 0)
        kept[n++] = "sessions";
    for (size_t i = 0; i < n; i++)
        MM_WARN("reload: \"%s\" changed in the configuration; it takes effect at the next "
                "restart (kept as it was)",
                kept[i]);
}

static int same_site(const hub_site_conf_t *a, const hub_site_conf_t *b)
{
    return !strcmp(a->id, b->id) && !memcmp(a->curve_raw, b->curve_raw, 32);
}

static int same_person(const hub_person_t *a, const hub_person_t *b)
{
    return !strcmp(a->name, b->name) && a->role == b->role && a->has_token == b->has_token &&
           !CRYPTO_memcmp(a->token_sha256, b->token_sha256, 32) &&
           !strcmp(a->token_expires, b->token_expires) && !strcmp(a->password, b->password) &&
           a->totp_len == b->totp_len && !CRYPTO_memcmp(a->totp, b->totp, sizeof a->totp);
}

static void diff(const hub_config_t *cur, const hub_config_t *next, hub_reload_changes_t *ch)
{
    for (size_t i = 0; i < next->n_sites; i++) {
        const hub_site_conf_t *was = hub_config_site(cur, next->sites[i].id);
        if (!was || !same_site(was, &next->sites[i]))
            memcpy(ch->sites_added[ch->n_sites_added++], next->sites[i].id, MM_KEY_NAME_MAX);
    }
    for (size_t i = 0; i < cur->n_sites; i++) {
        const hub_site_conf_t *now = hub_config_site(next, cur->sites[i].id);
        if (!now || !same_site(now, &cur->sites[i]))
            memcpy(ch->sites_removed[ch->n_sites_removed++], cur->sites[i].id, MM_KEY_NAME_MAX);
    }
    for (size_t i = 0; i < next->n_people; i++) {
        const hub_person_t *was = hub_config_person(cur, next->people[i].id);
        ch->n_people_added += !was;
        ch->n_people_changed += was && !same_person(was, &next->people[i]);
    }
    for (size_t i = 0; i < cur->n_people; i++)
        ch->n_people_removed += !hub_config_person(next, cur->people[i].id);
}

mm_err_t hub_reload_swap(hub_config_t *cur, hub_config_t *next, hub_config_t *old,
                         hub_reload_changes_t *ch)
{
    memset(ch, 0, sizeof *ch);
    memset(old, 0, sizeof *old);
    ch->sites_added = calloc(next->n_sites + 1, sizeof *ch->sites_added);
    ch->sites_removed = calloc(cur->n_sites + 1, sizeof *ch->sites_removed);
    if (!ch->sites_added || !ch->sites_removed) {
        hub_reload_changes_free(ch);
        return MM_ENOMEM;
    }
    warn_kept(cur, next);
    diff(cur, next, ch);
    old->sites = cur->sites;
    old->n_sites = cur->n_sites;
    old->people = cur->people;
    old->n_people = cur->n_people;
    cur->sites = next->sites;
    cur->n_sites = next->n_sites;
    cur->people = next->people;
    cur->n_people = next->n_people;
    cur->holds_secrets = next->holds_secrets;
    next->sites = NULL;
    next->people = NULL;
    next->n_sites = next->n_people = 0;
    return MM_OK;
}

void hub_reload_changes_free(hub_reload_changes_t *ch)
{
    free(ch->sites_added);
    free(ch->sites_removed);
    memset(ch, 0, sizeof *ch);
}

int hub_pidfile_write(const char *state_dir)
{
    char path[4096], tmp[4200], text[32];
    snprintf(path, sizeof path, "%s/hub.pid", state_dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int ok = fd >= 0 && write(fd, text, (size_t)n) == n && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        MM_ERROR("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

void hub_pidfile_remove(const char *state_dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/hub.pid", state_dir);
    unlink(path);
}
