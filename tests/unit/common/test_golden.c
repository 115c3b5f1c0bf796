/*
 * test_golden.c: the site log's bytes do not change when its code does.
 *
 * tests/data/entries.golden holds every distinct entry that the whole test suite and a run of
 * ops/demo.sh produced before the entry table (entry.h) replaced the hand-written encoder and
 * decoder: one line per entry, its bytes in hex, a tab, and its JSON view as that code wrote it.
 * Every one must decode, encode again to the same bytes, and show the same JSON, byte for byte.
 * The bytes are Merkle leaves that hubs have cosigned, and the JSON is what the API and the
 * dashboard read: neither may drift.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "common/entry.h"

#define GOLDEN MM_TEST_DATA "/entries.golden"

static void test_golden_entries_round_trip_to_the_same_bytes_and_json(void **state)
{
    (void)state;
    FILE *f = fopen(GOLDEN, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0, n_lines = 0;
    ssize_t n;
    int seen[64] = {0};
    mm_entry_t *e = malloc(sizeof *e);
    assert_non_null(e);
    while ((n = getline(&line, &cap, f)) > 0) {
        n_lines++;
        if (line[n - 1] == '\n')
            line[--n] = 0;
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = 0;
        size_t hex_len = (size_t)(tab - line);
        uint8_t *bytes = malloc(hex_len / 2 + 1);
        assert_int_equal(mm_hex_decode(line, hex_len, bytes, hex_len / 2 + 1), (int)(hex_len / 2));
        size_t len = hex_len / 2;
        if (mm_entry_decode(bytes, len, e) != MM_OK)
            fail_msg("line %zu does not decode", n_lines);
        seen[e->kind % 64] = 1;
        uint8_t *again = NULL;
        size_t again_len = 0;
        assert_int_equal(mm_entry_encode(e, &again, &again_len), MM_OK);
        if (again_len != len || memcmp(again, bytes, len) != 0)
            fail_msg("line %zu (%s) encodes to other bytes", n_lines, mm_entry_kind_name(e->kind));
        json_t *j = mm_entry_to_json(bytes, len);
        assert_non_null(j);
        char *text = json_dumps(j, JSON_COMPACT);
        if (strcmp(text, tab + 1) != 0)
            fail_msg("line %zu (%s) shows other JSON:\n%s\nnot\n%s", n_lines,
                     mm_entry_kind_name(e->kind), text, tab + 1);
        free(text);
        json_decref(j);
        free(again);
        free(bytes);
    }
    free(e);
    free(line);
    fclose(f);
    assert_true(n_lines > 1000);
    /* The file holds every kind there was when it was written (kinds 10 to 30); a kind added
     * since is the entry table's test's to check, not this file's. */
    for (int k = MM_ENTRY_SEGMENT_RECORDED; k <= MM_ENTRY_DISCLOSURE; k++)
        if (!seen[k])
            fail_msg("no golden entry of kind %s", mm_entry_kind_name((mm_entry_kind_t)k));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_entries_round_trip_to_the_same_bytes_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
