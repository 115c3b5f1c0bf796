/*
 * test_cityrules.c: the city's rules for the retention period at the hub (hub/cityrules, R-N7.5)
 * — a site whose policy leaves the period to the city is sent the configured rule once, as a
 * city_rule notice signed with the hub's key over the city-rule statement, with its city action
 * in the hub's log; again, as a new notice, when the configuration changes it; never to a site
 * whose policy's text sets the period, nor before the hub knows the policy. Where the site stands
 * with it: not configured, not sent, pending, received.
 */
#include "hub_fixture.h"
#include "common/crypto.h"
#include "common/wire.h"
#include "hub/cityrules.h"
#include "hub/registry_codec.h"

#define T0 (1795000000LL * 1000000)
#define RULE "那覇市防犯カメラの設置及び運用に関する条例施行規則 第5条"

static int setup(void **state)
{
    *state = hubfx_new("cityrules", HUBFX_REGISTRY | HUBFX_AUDIT);
    return 0;
}

typedef struct {
    hubfx_t *h;
    const char *site;
    const mm_entry_t *e;
    uint64_t index;
} apply_t;

static mm_err_t apply_txn(MDB_txn *txn, void *arg)
{
    apply_t *a = arg;
    hub_registry_batch_t b;
    hub_registry_batch_begin(&b, a->h->reg, txn, a->site);
    mm_err_t err = hub_registry_apply(&b, a->index, a->e);
    mm_err_t end = hub_registry_batch_end(&b, err == MM_OK);
    return err != MM_OK ? err : end;
}

static void apply(hubfx_t *h, const char *site, uint64_t index, const mm_entry_t *e)
{
    apply_t a = {h, site, e, index};
    assert_int_equal(mm_db_write(h->db, apply_txn, &a), MM_OK);
}

static void facts(hubfx_t *h, const char *site, mm_policy_t policy)
{
    mm_entry_t e = {.time_us = T0, .kind = MM_ENTRY_SITE_FACTS};
    e.u.site_facts.policy = policy;
    e.u.site_facts.retention_days = 7;
    e.u.site_facts.registered_retention_days = 14;
    snprintf(e.u.site_facts.installer_name, MM_LONG_TEXT_MAX, "組合");
    apply(h, site, 0, &e);
}

static hub_site_record_t *record(hubfx_t *h, const char *site)
{
    hub_site_record_t *r;
    assert_int_equal(hub_registry_read(h->reg, site, &r), MM_OK);
    return r;
}

static const char *state_of(hubfx_t *h, const char *site, const hub_config_t *cfg)
{
    static char out[32];
    hub_site_record_t *r = record(h, site);
    json_t *s = hub_city_rule_status(r, cfg);
    snprintf(out, sizeof out, "%s",
             json_is_null(s) ? "null" : json_string_value(json_object_get(s, "state")));
    json_decref(s);
    hub_site_record_free(r);
    return out;
}

static int send(hubfx_t *h, const char *site, const hub_config_t *cfg, int64_t now)
{
    int sent = -1;
    assert_int_equal(hub_city_rule_send(h->reg, h->audit, cfg, &h->keys, site, now, &sent), MM_OK);
    return sent;
}

static void R_N7_5_the_rule_is_sent_signed_once_and_again_when_changed(void **state)
{
    hubfx_t *h = *state;
    hub_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    /* Before the hub knows the policy: nothing to say, nothing to send. */
    assert_string_equal(state_of(h, "site-n", &cfg), "null");
    facts(h, "site-n", MM_POLICY_NAHA);
    facts(h, "site-k", MM_POLICY_KAWAGUCHI);
    assert_string_equal(state_of(h, "site-n", &cfg), "not_configured");
    assert_string_equal(state_of(h, "site-k", &cfg), "text");
    assert_int_equal(send(h, "site-n", &cfg, T0), 0);

    cfg.city_rules[MM_POLICY_NAHA] =
        (hub_city_rule_conf_t){.set = 1, .min_days = 7, .max_days = 14, .rule = RULE};
    assert_string_equal(state_of(h, "site-n", &cfg), "not_sent");
    hub_site_record_t *r = record(h, "site-n");
    assert_true(hub_city_rule_due(r, &cfg));
    hub_site_record_free(r);
    r = record(h, "site-k");
    assert_false(hub_city_rule_due(r, &cfg)); /* its text sets the period */
    hub_site_record_free(r);
    assert_int_equal(send(h, "site-k", &cfg, T0), 0);

    assert_int_equal(send(h, "site-n", &cfg, T0 + 1), 1);
    assert_int_equal(send(h, "site-n", &cfg, T0 + 2), 0); /* once */
    assert_string_equal(state_of(h, "site-n", &cfg), "pending");
    hubfx_logged(h, 0,
                 (hubfx_action_t){.action = "city_rule_sent",
                                  .site = "site-n",
                                  .subject = "policy/naha",
                                  .person = "hub",
                                  .role = "hub",
                                  .reason = RULE,
                                  .detail = "{\"notice\":\"notice-1\",\"retention_days_min\":"
                                            "7,\"retention_days_max\":14}"});
    assert_int_equal(hubfx_log_size(h), 1);

    /* It goes out whole, signed by the hub's key over the statement for this site. */
    mm_city_request_t *out = calloc(MM_WIRE_REQUESTS_MAX, sizeof *out);
    assert_int_equal(hub_registry_pending(h->reg, "site-n", out, MM_WIRE_REQUESTS_MAX), 1);
    assert_int_equal(out[0].kind, MM_REQUEST_KIND_CITY_RULE);
    assert_string_equal(out[0].id, "notice-1");
    assert_string_equal(out[0].subject, "policy/naha");
    assert_string_equal(out[0].text, RULE);
    assert_int_equal(out[0].retention_days_min, 7);
    assert_int_equal(out[0].retention_days_max, 14);
    assert_int_equal(out[0].time_us, T0 + 1);
    assert_non_null(strstr(out[0].detail, "\"clause\":\"那覇市防犯カメラの設置及び運用に関する条例 "
                                          "第7条第5号\""));
    char stmt[MM_STATEMENT_MAX];
    size_t len = 0;
    assert_int_equal(mm_city_rule_statement(&out[0], "site-n", stmt, sizeof stmt, &len), MM_OK);
    assert_true(out[0].has_signature);
    assert_int_equal(mm_ed25519_verify(h->keys.sign.pub, stmt, len, out[0].signature), MM_OK);

    /* The site logs it: received. */
    mm_entry_t e = {.time_us = T0 + 5, .kind = MM_ENTRY_CITY_REQUEST};
    snprintf(e.u.city_request.id, MM_ID_MAX, "notice-1");
    e.u.city_request.kind = MM_REQUEST_KIND_CITY_RULE;
    snprintf(e.u.city_request.subject, MM_ID_MAX, "policy/naha");
    e.u.city_request.retention_days_min = 7;
    e.u.city_request.retention_days_max = 14;
    apply(h, "site-n", 9, &e);
    assert_string_equal(state_of(h, "site-n", &cfg), "received");
    r = record(h, "site-n");
    json_t *s = hub_city_rule_status(r, &cfg);
    assert_int_equal(json_integer_value(json_object_get(s, "received_index")), 9);
    assert_string_equal(json_string_value(json_object_get(s, "notice")), "notice-1");
    json_decref(s);
    /* Stored and read back byte for byte, with its days and signature. */
    char *stored = hub_site_record_encode(r);
    hub_site_record_t *back = malloc(sizeof *back);
    assert_int_equal(hub_site_record_decode(stored, strlen(stored), back), MM_OK);
    char *again = hub_site_record_encode(back);
    assert_string_equal(again, stored);
    assert_int_equal(hub_site_record_request(back, "notice-1")->retention_days_max, 14);
    free(stored);
    free(again);
    hub_site_record_free(back);
    hub_site_record_free(r);

    /* The configuration changes the rule: a new notice; removes it: nothing more is sent. */
    cfg.city_rules[MM_POLICY_NAHA].max_days = 31;
    assert_string_equal(state_of(h, "site-n", &cfg), "not_sent");
    assert_int_equal(send(h, "site-n", &cfg, T0 + 9), 1);
    assert_int_equal(hub_registry_pending(h->reg, "site-n", out, MM_WIRE_REQUESTS_MAX), 1);
    assert_string_equal(out[0].id, "notice-2");
    assert_int_equal(out[0].retention_days_max, 31);
    cfg.city_rules[MM_POLICY_NAHA].set = 0;
    assert_string_equal(state_of(h, "site-n", &cfg), "not_configured");
    assert_int_equal(send(h, "site-n", &cfg, T0 + 10), 0);
    assert_int_equal(hubfx_log_size(h), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(R_N7_5_the_rule_is_sent_signed_once_and_again_when_changed,
                                        setup, hubfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
