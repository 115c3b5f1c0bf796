/*
 * hubconf.h: the hub's configuration.
 *
 *   {"name": "hub", "key_file": "hub.key", "state_dir": "hub",
 *    "listen": "tcp://127.0.0.1:7400",
 *    "http": {"host": "127.0.0.1", "port": 8480,
 *             "tls": {"certificate": "tls/hub.crt", "private_key": "tls/hub.key"},
 *             "insecure_http": false, "hsts_max_age": 31536000},
 *    "timezone": "Asia/Tokyo",   the zone of the hub's own pages (optional; a site's page shows
 *                                times in the zone the site reports)
 *    "sites": [{"id": "site-a", "verifier": "site-a+1a2b3c4d+AQ...", "curve_public": "<Z85>"}],
 *    "city": {"name": "川口市 防犯対策課", "contact": "048-000-0000"},
 *    "watch": {...},             what the hub watches with its own clock (watchconf.h)
 *    "city_rules": {"naha": {"retention_days_min": 7, "retention_days_max": 31,
 *                            "rule": "..."}},    the city's rules for the retention period
 *    "feed": {"max_subscribers": 64, "max_per_person": 4, "max_behind_bytes": 1048576}}
 *                                the feed's limits (optional; feedapi.h): streams open at once
 *                                in all (1..10000) and per person (1..10000), and how far behind
 *                                (1048576..4194304 bytes unsent) a client may fall before it is
 *                                dropped
 *
 * "city" (optional) is whom residents turn to when a site's answer to a complaint does not
 * satisfy them (R-N12(2)): the public registry shows it. Person id "public" is reserved for
 * residents who complain online (requests.h).
 *
 * "http.tls" (optional) serves the API and the dashboard over HTTPS only (hub/http.h): PEM
 * files, the certificate's chain and its private key, which group and others may not read
 * (common/tls.h). Without it the hub speaks plain HTTP, which is a configuration problem on a
 * host other than loopback (127.0.0.1, ::1, localhost) — bearer tokens and logins would cross
 * the network in clear — unless "insecure_http" is true (behind a TLS proxy on another
 * machine, say). hsts_max_age (0 .. 315360000 s, a year unless given) is the
 * Strict-Transport-Security every HTTPS answer carries.
 *
 * Relative paths resolve against the directory of the file. Every problem is reported at once,
 * each naming the file and the key.
 */
#ifndef HUB_HUBCONF_H
#define HUB_HUBCONF_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/enum.h"
#include "common/err.h"
#include "common/keys.h"
#include "common/note.h"
#include "common/timefmt.h"
#include "common/vocab.h"
#include "hub/watchconf.h"

#define HUB_MAX_SITES 1024
/* Named LMDB tables the hub's database may hold: its own few dozen, and a table for each site's
 * log and for its own log (log.h MM_LOG_OWN_TABLES). A log begun when no room is left (more than
 * HUB_MAX_SITES sites over the hub's life) keeps its entries in the shared table. Not more: LMDB
 * allocates and zeroes room for every table in each read transaction (49 bytes a table). */
#define HUB_DB_TABLES (64 + HUB_MAX_SITES + 1)
#define HUB_FEED_MAX_SUBSCRIBERS 64   /* "feed.max_subscribers" unless configured */
#define HUB_FEED_MAX_PER_PERSON 4     /* "feed.max_per_person" unless configured */
#define HUB_FEED_MAX_BEHIND (1 << 20) /* "feed.max_behind_bytes" unless configured */

typedef struct {
    char id[MM_KEY_NAME_MAX];
    mm_note_verifier_t verifier;
    char curve_public[MM_Z85_KEY_LEN + 1];
    uint8_t curve_raw[32];
    int existing_installer; /* ran cameras when the ordinance took effect (R-N-T) */
} hub_site_conf_t;

/*
 * Roles of the people who use the hub's API (R-N10-12; issue 5), by the names the configuration
 * and the hub's log give them: city oversight staff (every city action), a disclosure requester
 * (police, ...), public intake (registers complaints), and readonly (reads what oversight reads,
 * changes nothing). A person holds one; a route admits a set of them, as bits (HUB_ROLE_*).
 */
#define HUB_PERSON_ROLE_MAP(X, P)                                                                  \
    X(P, OVERSIGHT, "oversight")                                                                   \
    X(P, REQUESTER, "requester") X(P, INTAKE, "intake") X(P, READONLY, "readonly")
MM_ENUM_DECLARE(hub_person_role, HUB_PERSON_ROLE, HUB_PERSON_ROLE_MAP)

#define HUB_ROLE_BIT(r) (1u << (r))
enum {
    HUB_ROLE_OVERSIGHT = HUB_ROLE_BIT(HUB_PERSON_ROLE_OVERSIGHT),
    HUB_ROLE_REQUESTER = HUB_ROLE_BIT(HUB_PERSON_ROLE_REQUESTER),
    HUB_ROLE_INTAKE = HUB_ROLE_BIT(HUB_PERSON_ROLE_INTAKE),
    HUB_ROLE_READONLY = HUB_ROLE_BIT(HUB_PERSON_ROLE_READONLY),
};
#define HUB_ROLES_ANY                                                                              \
    (HUB_ROLE_OVERSIGHT | HUB_ROLE_REQUESTER | HUB_ROLE_INTAKE | HUB_ROLE_READONLY)
#define HUB_MAX_PEOPLE 256
#define HUB_CITY_TEXT_MAX 256 /* bytes of the city's name and contact, with the NUL */

/*
 * The city's rule for the retention period of one policy whose text leaves the period to the
 * city (common/policy.h: naha, Naha 第7条第5号; city, Naha 第9条), in "city_rules":
 *
 *   "city_rules": {"naha": {"retention_days_min": 7, "retention_days_max": 31,
 *                           "rule": "那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条"}}
 *
 * retention_days_min (required) and retention_days_max (optional; absent: no maximum) are 1 to
 * 3650 days, the maximum not below the minimum; rule is the rule's citation, one line of 1 to
 * 255 bytes. A policy whose text sets the period itself (kawaguchi, voluntary) has no rule
 * here: naming one is a configuration problem. The hub sends each site of the policy the rule,
 * signed (cityrules.h), and raises a finding for a site whose facts lie outside it (rules.h).
 */
typedef struct {
    int set;                      /* configured */
    int min_days, max_days;       /* max 0: none */
    char rule[HUB_CITY_TEXT_MAX]; /* the rule's citation */
} hub_city_rule_conf_t;

/*
 * A person of the hub (people[i] in the configuration):
 *
 *   {"id": "kanri", "name": "...", "role": "oversight",
 *    "token_sha256": "<64 hex>",       an API token for machines (optional): only its SHA-256
 *    "token_expires": "2027-03-31",    the last day (in the hub's zone) the token works (optional)
 *    "password_argon2id": "$argon2id$v=19$...",   the dashboard's login (optional, hub/login.h)
 *    "totp_secret": "<base32>"}        its second factor (required with a password)
 *
 * mimamori-hub person ... writes these (hub/cli.h). A configuration that holds a password hash
 * or a TOTP secret must be readable by its owner only (mode 0600), else it does not load.
 */
#define HUB_TOTP_MAX 64 /* bytes of a TOTP secret */
typedef struct {
    char id[MM_KEY_NAME_MAX];
    char name[128];
    unsigned role; /* one HUB_ROLE_* bit: HUB_ROLE_BIT of the person's hub_person_role_t */
    int has_token;
    uint8_t token_sha256[32];
    char token_expires[11]; /* "YYYY-MM-DD", "" when the token does not expire */
    char password[160];     /* an encoded Argon2id hash (common/auth.h), "" when none */
    uint8_t totp[HUB_TOTP_MAX];
    size_t totp_len; /* 0 when none */
} hub_person_t;

/* The dashboard's sessions and logins ("sessions", optional; hub/login.h):
 *   {"idle_seconds": 1800, "absolute_seconds": 43200, "lock_after_failures": 5,
 *    "lock_seconds": 900} */
typedef struct {
    int idle_s, absolute_s; /* a session ends after idle_s without a request or absolute_s */
    int lock_after;         /* failed logins in a row that lock the person out */
    int lock_s;             /* for this long */
} hub_session_conf_t;

/* The name of the role whose bit is role ("oversight", ...), "none" for anything else. */
const char *hub_role_name(unsigned role);

typedef struct {
    char name[MM_KEY_NAME_MAX];
    char *key_file;
    char *state_dir;
    char *listen;
    char *http_host;
    int http_port;
    char *tls_certificate; /* "http.tls", resolved; both NULL: plain HTTP */
    char *tls_private_key;
    int insecure_http;        /* "http.insecure_http": plain HTTP off loopback accepted */
    int hsts_max_age;         /* seconds, "http.hsts_max_age" */
    int silent_after_minutes; /* a site without a verified checkpoint this long: a finding */
    int filing_grace_days;    /* a new standards version unfiled this long: a finding */
    int64_t ordinance_us;     /* the ordinance's day ("ordinance_effective"), 0 when unset */
    int disclosure_days;      /* a disclosure request's deadline after filing (1..90, 14) */
    int disclosure_max_hours; /* the longest range one request may name (1..168, 24) */
    char timezone[MM_TZ_NAME_MAX]; /* the hub's pages' zone, "Asia/Tokyo" unless configured */
    size_t n_sites;
    hub_site_conf_t *sites;
    size_t n_people;
    hub_person_t *people;
    char *city_name;    /* NULL when "city" is not configured */
    char *city_contact; /* NULL when "city" is not configured */
    hub_watch_conf_t watch; /* "watch" (watchconf.h): the defaults unless configured */
    hub_city_rule_conf_t city_rules[MM_POLICY_COUNT]; /* by policy; set 0 when none */
    hub_session_conf_t sessions;                      /* "sessions": the defaults unless set */
    int holds_secrets; /* a person's password hash or TOTP secret is configured */
    int feed_max_subscribers;  /* "feed.max_subscribers" */
    int feed_max_per_person;   /* "feed.max_per_person" */
    int feed_max_behind_bytes; /* "feed.max_behind_bytes" */
} hub_config_t;

/* The person whose token this is (compared by SHA-256, in constant time), or NULL. A token
 * that has expired is still found: hub_person_token_expired says so. */
const hub_person_t *hub_config_person_by_token(const hub_config_t *cfg, const char *token,
                                               size_t len);
/* Whether p's token has expired at now_us: its token_expires day in the hub's zone (cfg's
 * timezone) is over. */
int hub_person_token_expired(const hub_config_t *cfg, const hub_person_t *p, int64_t now_us);
/* The person with id, or NULL. */
const hub_person_t *hub_config_person(const hub_config_t *cfg, const char *id);

/* Reads the configuration out of conf, recording every problem there. MM_ECONFIG if any. */
mm_err_t hub_config_parse(mm_conf_t *conf, hub_config_t *out);
/* Loads and parses path; on MM_ECONFIG every problem has been written to the log. A file that
 * holds secrets (holds_secrets) must be mode 0600 or stricter: a problem naming the file else. */
mm_err_t hub_config_load(const char *path, hub_config_t *out);
void hub_config_free(hub_config_t *cfg);

/* The site whose CURVE public key (32 raw bytes) is key, or NULL. */
const hub_site_conf_t *hub_config_site_by_key(const hub_config_t *cfg, const uint8_t key[32]);
/* The site with id, or NULL. */
const hub_site_conf_t *hub_config_site(const hub_config_t *cfg, const char *id);

#endif
