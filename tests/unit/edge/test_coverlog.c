/*
 * test_coverlog.c: a camera's coverage is logged (R-K2.1.3a, R-N5.2-3) when the edge starts it,
 * once: again only when the map, the policy or the exception changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/policy.h"
#include "edge/coverlog.h"

static char dir[] = "/tmp/mm-test-coverlog-XXXXXX";

/* The left 0.7 of the frame public, the rest private; the top-right corner masked. */
static void make_gov(edge_camera_gov_t *g, edge_polygon_t areas[3], const char *exception)
{
    memset(g, 0, sizeof *g);
    edge_polygon_t pub = {.kind = EDGE_AREA_PUBLIC, .n = 4, .x = {0, 0.7, 0.7, 0}, .y = {0, 0, 1, 1}};
    edge_polygon_t priv = {.kind = EDGE_AREA_PRIVATE, .n = 4, .x = {0.7, 1, 1, 0.7},
                           .y = {0, 0, 1, 1}};
    edge_polygon_t mask = {.kind = EDGE_AREA_MASKED, .n = 4, .x = {0.8, 1, 1, 0.8},
                           .y = {0, 0, 0.5, 0.5}};
    areas[0] = pub, areas[1] = priv, areas[2] = mask;
    g->areas = areas;
    g->n_areas = 3;
    assert_int_equal(edge_coverage_compute(areas, 3, &g->coverage), MM_OK);
    g->exception = (char *)exception;
    g->threshold = mm_policy_share_threshold(MM_POLICY_KAWAGUCHI, exception != NULL);
}

static void logged_once_then_on_change(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(dir));
    edge_store_t *st;
    assert_int_equal(edge_store_open(dir, &st), MM_OK);
    edge_camera_gov_t g;
    edge_polygon_t areas[3];
    make_gov(&g, areas, NULL);

    int logged = 0;
    assert_int_equal(edge_coverage_log(st, "cam1", MM_POLICY_KAWAGUCHI, &g, 1000, &logged), MM_OK);
    assert_true(logged);
    assert_int_equal(edge_coverage_log(st, "cam1", MM_POLICY_KAWAGUCHI, &g, 2000, &logged), MM_OK);
    assert_false(logged);
    /* Another camera with the same map has an entry of its own. */
    assert_int_equal(edge_coverage_log(st, "cam2", MM_POLICY_KAWAGUCHI, &g, 2500, &logged), MM_OK);
    assert_true(logged);
    /* A written exception changes the threshold and the entry. */
    make_gov(&g, areas, "建物が迫る");
    assert_int_equal(edge_coverage_log(st, "cam1", MM_POLICY_KAWAGUCHI, &g, 3000, &logged), MM_OK);
    assert_true(logged);
    /* So does the policy. */
    assert_int_equal(edge_coverage_log(st, "cam1", MM_POLICY_NAHA, &g, 4000, &logged), MM_OK);
    assert_true(logged);

    uint64_t size;
    assert_int_equal(edge_store_size(st, &size), MM_OK);
    assert_int_equal(size, 4);
    mm_bytes_t *es = NULL;
    assert_int_equal(edge_store_entries(st, 0, 4, &es), MM_OK);
    mm_entry_t *e = malloc(sizeof *e);
    assert_int_equal(mm_entry_decode(es[0].data, es[0].len, e), MM_OK);
    assert_int_equal(e->kind, MM_ENTRY_CAMERA_COVERAGE);
    assert_int_equal(e->time_us, 1000);
    const mm_camera_coverage_t *c = &e->u.camera_coverage;
    assert_string_equal(c->camera, "cam1");
    assert_int_equal(c->policy, MM_POLICY_KAWAGUCHI);
    /* Public 0.7; private 0.3 less the masked 0.1; share 0.7 / 0.9. */
    assert_int_equal(c->public_ppm, 700000);
    assert_int_equal(c->private_ppm, 200000);
    assert_int_equal(c->masked_ppm, 100000);
    assert_int_equal(c->share_ppm, 777778);
    assert_int_equal(c->threshold_ppm, 666667);
    assert_string_equal(c->exception, "");
    assert_int_equal(mm_entry_decode(es[2].data, es[2].len, e), MM_OK);
    assert_int_equal(e->u.camera_coverage.threshold_ppm, 500000);
    assert_string_equal(e->u.camera_coverage.exception, "建物が迫る");
    assert_int_equal(mm_entry_decode(es[3].data, es[3].len, e), MM_OK);
    assert_int_equal(e->u.camera_coverage.threshold_ppm, 0);
    assert_int_equal(e->u.camera_coverage.policy, MM_POLICY_NAHA);
    free(e);
    free(es);
    edge_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logged_once_then_on_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
