/*
 * test_coverage.c: the public share of a camera image from its coverage map (R-K2.1.3a: at
 * least 2/3 of every image public, 1/2 where buildings make 2/3 impossible). Every expected area
 * is worked out by hand in the test's comments; two randomized tests check the slab
 * decomposition against an exact grid computation for rectangles and against itself with x and y
 * swapped for triangles.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "edge/coverage.h"

#define EPS 1e-12

#define assert_near(actual, expected, tol)                                                         \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected);                                                     \
        if (!(fabs(a_ - e_) <= (tol)))                                                             \
            fail_msg("%s = %.17g, expected %.17g", #actual, a_, e_);                               \
    } while (0)

enum { PUB = EDGE_AREA_PUBLIC, PRIV = EDGE_AREA_PRIVATE, MASK = EDGE_AREA_MASKED };

/* The rectangle [x0, x1] x [y0, y1], counter-clockwise on screen (y down). */
static edge_polygon_t rect(int kind, double x0, double y0, double x1, double y1)
{
    edge_polygon_t p = {.kind = (edge_area_kind_t)kind, .n = 4};
    double xs[4] = {x0, x1, x1, x0}, ys[4] = {y0, y0, y1, y1};
    memcpy(p.x, xs, sizeof xs);
    memcpy(p.y, ys, sizeof ys);
    return p;
}

/* A polygon from n points given as x, y pairs. */
static edge_polygon_t poly(int kind, size_t n, const double *xy)
{
    edge_polygon_t p = {.kind = (edge_area_kind_t)kind, .n = n};
    for (size_t i = 0; i < n; i++) {
        p.x[i] = xy[2 * i];
        p.y[i] = xy[2 * i + 1];
    }
    return p;
}

/* The same polygon walked the other way round. */
static edge_polygon_t reversed(edge_polygon_t p)
{
    edge_polygon_t r = p;
    for (size_t i = 0; i < p.n; i++) {
        r.x[i] = p.x[p.n - 1 - i];
        r.y[i] = p.y[p.n - 1 - i];
    }
    return r;
}

/* The same polygon starting at its k-th point. */
static edge_polygon_t rotated(edge_polygon_t p, size_t k)
{
    edge_polygon_t r = p;
    for (size_t i = 0; i < p.n; i++) {
        r.x[i] = p.x[(i + k) % p.n];
        r.y[i] = p.y[(i + k) % p.n];
    }
    return r;
}

/* Computes a map that must be accepted; its four areas always make up the frame. */
static edge_coverage_t cover(const edge_polygon_t *p, size_t n)
{
    edge_coverage_t c;
    assert_int_equal(edge_coverage_compute(p, n, &c), MM_OK);
    assert_near(c.public_area + c.private_area + c.masked_area + c.unlabelled_area, 1, EPS);
    assert_true(c.public_area >= 0 && c.private_area >= 0 && c.masked_area >= 0 &&
                c.unlabelled_area >= 0);
    assert_true(c.public_share >= 0 && c.public_share <= 1);
    return c;
}

static void public_rectangle_share_is_its_area(void **state)
{
    (void)state;
    /* The left 3/4 of the frame: 0.75 public, 0.25 unlabelled, nothing masked. */
    edge_polygon_t p = rect(PUB, 0, 0, 0.75, 1);
    edge_coverage_t c = cover(&p, 1);
    assert_near(c.public_share, 0.75, EPS);
    assert_near(c.public_area, 0.75, EPS);
    assert_near(c.unlabelled_area, 0.25, EPS);
    assert_near(c.private_area, 0, EPS);
    assert_near(c.masked_area, 0, EPS);
    assert_int_equal(c.all_masked, 0);

    /* The whole frame. */
    p = rect(PUB, 0, 0, 1, 1);
    c = cover(&p, 1);
    assert_near(c.public_share, 1, EPS);
    assert_near(c.unlabelled_area, 0, EPS);
}

static void overlapping_public_polygons_count_once(void **state)
{
    (void)state;
    /* [0, 0.6] and [0.4, 1] across the full height: the union is the frame (1.0), not the sum
     * of their areas (0.6 + 0.6 = 1.2). */
    edge_polygon_t p[2] = {rect(PUB, 0, 0, 0.6, 1), rect(PUB, 0.4, 0, 1, 1)};
    assert_near(cover(p, 2).public_share, 1, EPS);

    /* The triangles below the anti-diagonal (x + y <= 1) and above the diagonal on screen
     * (y <= x), 0.5 each, share the triangle (0,0), (1,0), (0.5,0.5) of area 0.25: the union is
     * 0.75. Their sides cross at x = 0.5, which is no vertex, so this needs that cut. */
    double a[] = {0, 0, 1, 0, 0, 1}, b[] = {0, 0, 1, 0, 1, 1};
    p[0] = poly(PUB, 3, a);
    p[1] = poly(PUB, 3, b);
    assert_near(cover(p, 2).public_share, 0.75, EPS);
}

static void private_area_is_taken_out_of_public(void **state)
{
    (void)state;
    /* A private square of 0.5 x 0.5 = 0.25 on a public frame: 0.75 public, in either order. */
    edge_polygon_t p[2] = {rect(PUB, 0, 0, 1, 1), rect(PRIV, 0.25, 0.25, 0.75, 0.75)};
    edge_coverage_t c = cover(p, 2);
    assert_near(c.public_share, 0.75, EPS);
    assert_near(c.public_area, 0.75, EPS);
    assert_near(c.private_area, 0.25, EPS);
    edge_polygon_t q[2] = {p[1], p[0]};
    assert_near(cover(q, 2).public_share, 0.75, EPS);
}

static void masked_area_leaves_the_image(void **state)
{
    (void)state;
    /* A masked square of 0.5 x 0.5 = 0.25 on a public frame: what is recorded (0.75) is all
     * public, so the share is 1. */
    edge_polygon_t p[2] = {rect(MASK, 0, 0, 0.5, 0.5), rect(PUB, 0, 0, 1, 1)};
    edge_coverage_t c = cover(p, 2);
    assert_near(c.public_share, 1, EPS);
    assert_near(c.masked_area, 0.25, EPS);
    assert_near(c.public_area, 0.75, EPS);
    assert_int_equal(c.all_masked, 0);

    /* Masking private space raises the share: public [0, 0.5] (0.5), private [0.5, 1] of
     * which the top half (0.25) is masked: 0.5 / (1 - 0.25) = 2/3 exactly. */
    edge_polygon_t q[3] = {rect(PUB, 0, 0, 0.5, 1), rect(PRIV, 0.5, 0, 1, 1),
                           rect(MASK, 0.5, 0, 1, 0.5)};
    c = cover(q, 3);
    assert_near(c.public_share, 2.0 / 3, EPS);
    assert_near(c.private_area, 0.25, EPS);
}

static void private_inside_mask_counts_once_as_masked(void **state)
{
    (void)state;
    /* Public frame; masked left half (0.5); private [0.25, 0.75] x [0, 0.5] (0.25), half of it
     * under the mask. Masked 0.5, private 0.125, public 1 - 0.5 - 0.125 = 0.375, and the share
     * is 0.375 / 0.5 = 0.75. */
    edge_polygon_t p[3] = {rect(PRIV, 0.25, 0, 0.75, 0.5), rect(PUB, 0, 0, 1, 1),
                           rect(MASK, 0, 0, 0.5, 1)};
    edge_coverage_t c = cover(p, 3);
    assert_near(c.masked_area, 0.5, EPS);
    assert_near(c.private_area, 0.125, EPS);
    assert_near(c.public_area, 0.375, EPS);
    assert_near(c.public_share, 0.75, EPS);

    /* Private wholly under the mask: nothing private is left, and the mask counts once. */
    p[0] = rect(PRIV, 0.1, 0.1, 0.4, 0.9);
    c = cover(p, 3);
    assert_near(c.masked_area, 0.5, EPS);
    assert_near(c.private_area, 0, EPS);
    assert_near(c.public_share, 1, EPS);
}

static void triangle_covers_half(void **state)
{
    (void)state;
    /* (0,0), (1,0), (0,1): half the unit square. */
    double t[] = {0, 0, 1, 0, 0, 1};
    edge_polygon_t p = poly(PUB, 3, t);
    assert_near(cover(&p, 1).public_share, 0.5, EPS);

    /* The diamond through the middles of the frame's sides: the frame minus four corner
     * triangles of 1/8 each = 0.5. */
    double d[] = {0.5, 0, 1, 0.5, 0.5, 1, 0, 0.5};
    p = poly(PUB, 4, d);
    assert_near(cover(&p, 1).public_share, 0.5, EPS);
}

static void concave_shapes_have_their_own_area(void **state)
{
    (void)state;
    /* An L: the frame minus its bottom-right quarter, 1 - 0.25 = 0.75. */
    double l[] = {0, 0, 1, 0, 1, 0.5, 0.5, 0.5, 0.5, 1, 0, 1};
    edge_polygon_t p = poly(PUB, 6, l);
    assert_near(cover(&p, 1).public_share, 0.75, EPS);

    /* A C open to the right: the frame minus [0.25, 1] x [0.25, 0.75], 1 - 0.75 * 0.5 = 0.625.
     * A vertical line at x > 0.25 crosses it four times. */
    double cc[] = {0, 0, 1, 0, 1, 0.25, 0.25, 0.25, 0.25, 0.75, 1, 0.75, 1, 1, 0, 1};
    p = poly(PUB, 8, cc);
    assert_near(cover(&p, 1).public_share, 0.625, EPS);

    /* A private C on a public frame leaves its notch public: 1 - 0.625 = 0.375. */
    edge_polygon_t q[2] = {rect(PUB, 0, 0, 1, 1), poly(PRIV, 8, cc)};
    assert_near(cover(q, 2).public_share, 0.375, EPS);
}

static void clockwise_and_counter_clockwise_give_the_same(void **state)
{
    (void)state;
    double cc[] = {0, 0, 1, 0, 1, 0.25, 0.25, 0.25, 0.25, 0.75, 1, 0.75, 1, 1, 0, 1};
    double t[] = {0, 0, 1, 0, 0, 1};
    edge_polygon_t shapes[2] = {poly(PUB, 8, cc), poly(PUB, 3, t)};
    double expect[2] = {0.625, 0.5};
    for (int s = 0; s < 2; s++) {
        for (size_t k = 0; k < shapes[s].n; k++) {
            edge_polygon_t p = rotated(shapes[s], k);
            assert_near(cover(&p, 1).public_share, expect[s], EPS);
            p = reversed(p);
            assert_near(cover(&p, 1).public_share, expect[s], EPS);
        }
    }
    /* And with precedence at work: a private square, either way round, on a public frame. */
    edge_polygon_t q[2] = {rect(PUB, 0, 0, 1, 1), reversed(rect(PRIV, 0.25, 0.25, 0.75, 0.75))};
    assert_near(cover(q, 2).public_share, 0.75, EPS);
}

static void only_the_part_inside_the_frame_counts(void **state)
{
    (void)state;
    /* [-0.5, 0.5] x [0, 1]: half of it is in the frame. */
    edge_polygon_t p = rect(PUB, -0.5, 0, 0.5, 1);
    edge_coverage_t c = cover(&p, 1);
    assert_near(c.public_share, 0.5, EPS);
    assert_near(c.public_area, 0.5, EPS);

    /* Entirely outside, to the right and above. */
    p = rect(PUB, 1.2, 0, 1.8, 1);
    assert_near(cover(&p, 1).public_share, 0, EPS);
    p = rect(PUB, 0, -1, 1, -0.5);
    assert_near(cover(&p, 1).public_share, 0, EPS);

    /* Larger than the frame on every side: all of it. */
    p = rect(PUB, -1, -1, 2, 2);
    assert_near(cover(&p, 1).public_share, 1, EPS);

    /* The triangle (0,0), (1,2), (0,2) leaves the frame through its bottom edge at x = 0.5;
     * inside, it is y from 2x to 1 for x in [0, 0.5]: the integral of 1 - 2x is 0.25. */
    double t[] = {0, 0, 1, 2, 0, 2};
    p = poly(PUB, 3, t);
    assert_near(cover(&p, 1).public_share, 0.25, EPS);
}

static void two_thirds_public_meets_the_two_thirds_rule(void **state)
{
    (void)state;
    /* [0, 2/3] x [0, 1]: exactly the 2/3 of R-K2.1.3a, which a caller compares with >=. */
    edge_polygon_t p = rect(PUB, 0, 0, 2.0 / 3, 1);
    edge_coverage_t c = cover(&p, 1);
    assert_true(c.public_share >= 2.0 / 3 - EPS);
    assert_near(c.public_share, 2.0 / 3, EPS);

    /* Just under it: [0, 0.66] is 0.66 < 2/3, but meets the 1/2 of the exception. */
    p = rect(PUB, 0, 0, 0.66, 1);
    c = cover(&p, 1);
    assert_true(c.public_share < 2.0 / 3 - EPS);
    assert_true(c.public_share >= 0.5 - EPS);
}

static void everything_masked_records_nothing(void **state)
{
    (void)state;
    /* A mask over the frame: nothing is recorded, the share is 0 and says so. */
    edge_polygon_t p[2] = {rect(PUB, 0, 0, 1, 1), rect(MASK, -0.5, -0.5, 1.5, 1.5)};
    edge_coverage_t c = cover(p, 2);
    assert_int_equal(c.all_masked, 1);
    assert_near(c.public_share, 0, 0);
    assert_near(c.masked_area, 1, EPS);
    assert_near(c.public_area, 0, EPS);

    /* Two masked triangles that meet along the diagonal, listed in opposite directions. */
    double a[] = {0, 0, 1, 0, 0, 1}, b[] = {1, 0, 1, 1, 0, 1};
    p[0] = poly(MASK, 3, a);
    p[1] = poly(MASK, 3, b);
    c = cover(p, 2);
    assert_int_equal(c.all_masked, 1);
    assert_near(c.public_share, 0, 0);

    /* A strip of 0.01 left unmasked is an image: all of it public. */
    p[0] = rect(MASK, 0, 0, 0.99, 1);
    p[1] = rect(PUB, 0, 0, 1, 1);
    c = cover(p, 2);
    assert_int_equal(c.all_masked, 0);
    assert_near(c.public_share, 1, 1e-9);
    assert_near(c.public_area, 0.01, EPS);
}

static void empty_map_has_no_public_space(void **state)
{
    (void)state;
    edge_coverage_t c = cover(NULL, 0);
    assert_near(c.unlabelled_area, 1, 0);
    assert_near(c.public_share, 0, 0);
    assert_int_equal(c.all_masked, 0);
}

static void bad_polygons_are_refused_with_a_reason(void **state)
{
    (void)state;
    double two[] = {0, 0, 1, 1};
    double line[] = {0, 0, 0.5, 0.5, 1, 1, 0.25, 0.25}; /* collinear: zero area */
    double bowtie[] = {0, 0, 1, 1, 1, 0, 0, 1};         /* sides cross at (0.5, 0.5) */
    double closed[] = {0, 0, 1, 0, 1, 1, 0, 0};         /* first point repeated at the end */
    double pinched[] = {0, 0, 1, 0, 0.5, 0.5, 1, 1, 0, 1, 0.5, 0.5}; /* touches at (0.5, 0.5) */
    double spike[] = {0, 0, 1, 0, 1, 1, 1, 0.5};                     /* doubles back along x = 1 */
    double tiny[] = {0, 0, 1e-7, 0, 0, 1e-7};                        /* area 5e-15 < 1e-12 */
    edge_polygon_t bad[12];
    bad[0] = poly(PUB, 2, two);
    bad[1] = rect(PUB, 0, 0, 1, 1);
    bad[1].y[2] = NAN;
    bad[2] = rect(PRIV, 0, 0, 1, 1);
    bad[2].x[1] = INFINITY;
    bad[3] = rect(PUB, 0, 0, 2.5, 1);
    bad[4] = poly(PUB, 4, line);
    bad[5] = poly(PUB, 4, bowtie);
    bad[6] = poly(PUB, 4, closed);
    bad[7] = poly(MASK, 6, pinched);
    bad[8] = poly(PUB, 4, spike);
    bad[9] = rect(PUB, 0, 0, 1, 1);
    bad[9].n = EDGE_POLYGON_MAX_POINTS + 1;
    bad[10] = rect(0, 0, 0, 1, 1);
    bad[11] = poly(PRIV, 3, tiny);
    const char *want[12] = {"fewer than 3", "finite",    "finite", "outside",
                            "zero area",    "cross",     "twice",  "cross",
                            "cross",        "more than", "kind",   "zero area"};
    edge_polygon_t good = rect(PUB, 0, 0, 1, 1);
    for (int i = 0; i < 12; i++) {
        const char *why = edge_polygon_problem(&bad[i]);
        if (why == NULL || strstr(why, want[i]) == NULL)
            fail_msg("polygon %d: %s, expected a message with \"%s\"", i, why ? why : "(NULL)",
                     want[i]);
        edge_polygon_t map[2] = {good, bad[i]};
        edge_coverage_t c = {.public_share = -7};
        assert_int_equal(edge_coverage_compute(map, 2, &c), MM_EINVAL);
        assert_near(c.public_share, -7, 0); /* untouched */
    }
    /* The pinched outline's two halves share a vertex in a map of two polygons: fine. */
    double lower[] = {0, 0, 1, 0, 0.5, 0.5}, upper[] = {0.5, 0.5, 1, 1, 0, 1};
    edge_polygon_t halves[2] = {poly(PUB, 3, lower), poly(PUB, 3, upper)};
    assert_null(edge_polygon_problem(&halves[0]));
    assert_null(edge_polygon_problem(&halves[1]));
    assert_near(cover(halves, 2).public_share, 0.5, EPS);

    /* A point in the middle of a straight side is no fold: (0,0), (0.5,0), (1,0), (0,1) is the
     * half-frame triangle. */
    double midpoint[] = {0, 0, 0.5, 0, 1, 0, 0, 1};
    edge_polygon_t tri = poly(PUB, 4, midpoint);
    assert_null(edge_polygon_problem(&tri));
    assert_near(cover(&tri, 1).public_share, 0.5, EPS);

    /* At the edges of the accepted range. */
    good = rect(MASK, -1, -1, 2, 2);
    assert_null(edge_polygon_problem(&good));
    assert_int_equal(edge_coverage_compute(&good, 1, NULL), MM_EINVAL);
    assert_int_equal(edge_coverage_compute(NULL, 1, &(edge_coverage_t){0}), MM_EINVAL);
}

static void kind_names_round_trip(void **state)
{
    (void)state;
    edge_area_kind_t k;
    const char *names[] = {"public", "private", "masked"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(edge_area_kind_parse(names[i], &k), MM_OK);
        assert_string_equal(edge_area_kind_name(k), names[i]);
    }
    assert_int_equal(edge_area_kind_parse("Public", &k), MM_EINVAL);
    assert_int_equal(edge_area_kind_parse("", &k), MM_EINVAL);
    assert_int_equal(edge_area_kind_parse(NULL, &k), MM_EINVAL);
    assert_string_equal(edge_area_kind_name((edge_area_kind_t)0), "unknown");
}

/* --- randomized cross-checks ------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static double uniform(void) /* [0, 1) */
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 0x2545f4914f6cdd1du) >> 11) / 9007199254740992.0;
}

/* A coordinate in [-0.5, 1.5]: half the time on a grid of eighths, so that sides coincide. */
static double coord(void)
{
    if (uniform() < 0.5)
        return -0.5 + (double)(int)(uniform() * 17) / 8;
    return -0.5 + 2 * uniform();
}

static double clip01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * The reference for axis-aligned rectangles: the lines of all their sides (and the frame's)
 * cut the frame into cells that each lie wholly inside or outside every rectangle; a cell
 * belongs to the greatest kind among the rectangles holding its centre.
 */
static void grid_reference(const edge_polygon_t *r, size_t n, double area[4])
{
    double xs[2 * 16 + 2], ys[2 * 16 + 2];
    size_t nx = 0, ny = 0;
    xs[nx++] = ys[ny++] = 0;
    xs[nx++] = ys[ny++] = 1;
    for (size_t i = 0; i < n; i++) {
        xs[nx++] = clip01(r[i].x[0]);
        xs[nx++] = clip01(r[i].x[2]);
        ys[ny++] = clip01(r[i].y[0]);
        ys[ny++] = clip01(r[i].y[2]);
    }
    qsort(xs, nx, sizeof *xs, cmp_double);
    qsort(ys, ny, sizeof *ys, cmp_double);
    memset(area, 0, 4 * sizeof *area);
    for (size_t i = 0; i + 1 < nx; i++) {
        for (size_t j = 0; j + 1 < ny; j++) {
            double cx = (xs[i] + xs[i + 1]) / 2, cy = (ys[j] + ys[j + 1]) / 2;
            int top = 0;
            for (size_t k = 0; k < n; k++) {
                double ax = r[k].x[0], bx = r[k].x[2], ay = r[k].y[0], by = r[k].y[2];
                int inside_x = (ax < cx && cx < bx) || (bx < cx && cx < ax);
                int inside_y = (ay < cy && cy < by) || (by < cy && cy < ay);
                if (inside_x && inside_y && (int)r[k].kind > top)
                    top = (int)r[k].kind;
            }
            area[top] += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
        }
    }
}

static void random_rectangles_match_a_grid_reference(void **state)
{
    (void)state;
    for (int iter = 0; iter < 2000; iter++) {
        edge_polygon_t r[16];
        size_t n = 1 + (size_t)(uniform() * 16);
        for (size_t i = 0; i < n; i++) {
            double x0, x1, y0, y1;
            do {
                x0 = coord(), x1 = coord(), y0 = coord(), y1 = coord();
            } while (fabs(x1 - x0) < 1e-3 || fabs(y1 - y0) < 1e-3);
            r[i] = rect(1 + (int)(uniform() * 3), x0, y0, x1, y1);
        }
        double ref[4];
        grid_reference(r, n, ref); /* before shuffling the points: it reads x[0], x[2] */
        for (size_t i = 0; i < n; i++) {
            r[i] = rotated(r[i], (size_t)(uniform() * 4));
            if (uniform() < 0.5)
                r[i] = reversed(r[i]);
        }
        edge_coverage_t c = cover(r, n);
        assert_near(c.unlabelled_area, ref[0], 1e-9);
        assert_near(c.public_area, ref[PUB], 1e-9);
        assert_near(c.private_area, ref[PRIV], 1e-9);
        assert_near(c.masked_area, ref[MASK], 1e-9);
        double recorded = ref[0] + ref[PUB] + ref[PRIV];
        if (recorded > 1e-9)
            assert_near(c.public_share, ref[PUB] / recorded, 1e-9);
    }
}

/* Mirrors a map in the diagonal x = y, which maps the frame onto itself and turns the slabs
 * across: the same areas must come out of entirely different cuts. */
static void random_triangles_give_the_same_areas_when_mirrored(void **state)
{
    (void)state;
    for (int iter = 0; iter < 1000; iter++) {
        edge_polygon_t t[12], m[12];
        size_t n = 1 + (size_t)(uniform() * 12);
        for (size_t i = 0; i < n; i++) {
            t[i] = (edge_polygon_t){.kind = (edge_area_kind_t)(1 + (int)(uniform() * 3)), .n = 3};
            do {
                for (int k = 0; k < 3; k++) {
                    t[i].x[k] = -0.3 + 1.6 * uniform();
                    t[i].y[k] = -0.3 + 1.6 * uniform();
                }
            } while (edge_polygon_problem(&t[i]) != NULL ||
                     fabs((t[i].x[1] - t[i].x[0]) * (t[i].y[2] - t[i].y[0]) -
                          (t[i].x[2] - t[i].x[0]) * (t[i].y[1] - t[i].y[0])) < 1e-3);
            m[i] = t[i];
            memcpy(m[i].x, t[i].y, sizeof m[i].x);
            memcpy(m[i].y, t[i].x, sizeof m[i].y);
        }
        edge_coverage_t a = cover(t, n), b = cover(m, n);
        assert_near(a.public_area, b.public_area, 1e-9);
        assert_near(a.private_area, b.private_area, 1e-9);
        assert_near(a.masked_area, b.masked_area, 1e-9);
        assert_near(a.unlabelled_area, b.unlabelled_area, 1e-9);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(public_rectangle_share_is_its_area),
        cmocka_unit_test(overlapping_public_polygons_count_once),
        cmocka_unit_test(private_area_is_taken_out_of_public),
        cmocka_unit_test(masked_area_leaves_the_image),
        cmocka_unit_test(private_inside_mask_counts_once_as_masked),
        cmocka_unit_test(triangle_covers_half),
        cmocka_unit_test(concave_shapes_have_their_own_area),
        cmocka_unit_test(clockwise_and_counter_clockwise_give_the_same),
        cmocka_unit_test(only_the_part_inside_the_frame_counts),
        cmocka_unit_test(two_thirds_public_meets_the_two_thirds_rule),
        cmocka_unit_test(everything_masked_records_nothing),
        cmocka_unit_test(empty_map_has_no_public_space),
        cmocka_unit_test(bad_polygons_are_refused_with_a_reason),
        cmocka_unit_test(kind_names_round_trip),
        cmocka_unit_test(random_rectangles_match_a_grid_reference),
        cmocka_unit_test(random_triangles_give_the_same_areas_when_mirrored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
