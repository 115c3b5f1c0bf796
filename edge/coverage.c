/*
 * coverage.c: the public share of a camera image from its coverage map (see coverage.h).
 *
 * The areas come from a vertical slab decomposition, which is exact for straight edges. The
 * frame is cut at every x where something can change order along a vertical line: every
 * vertex, every crossing of two sides of different polygons (the sides of one simple polygon
 * meet only at its vertices), every crossing of a side with the frame's top or bottom edge (where
 * clipping starts or stops), and 0 and 1. Inside a slab no two of these lines cross, so every
 * length measured along a vertical line (how much of it is public, private, masked, unlabelled)
 * is a linear function of x, and its value at the slab's middle times the slab's width is the
 * exact area. At that middle line each polygon covers the y-intervals between its crossings,
 * taken in pairs (even-odd; for a simple polygon that is its inside in either orientation);
 * the intervals are clipped to [0, 1] and combined by precedence: the masked length is the union
 * of masked intervals, the private length is the union of private and masked minus the masked
 * length, and so on.
 *
 * A side crosses the middle line when exactly one of its ends lies to the right of it. Vertices
 * are slab boundaries, so in exact arithmetic none lies on the middle line; the half-open rule
 * keeps the count of crossings even even if rounding puts one there. Each side is stored with
 * its ends ordered by x, so a side shared by two polygons, in whatever direction each lists it,
 * gives the same crossing to the last bit: two masks that meet along a diagonal leave no gap.
 *
 * Cost: O(E^2) to find the cuts for E sides (polygons whose bounding boxes are apart are not
 * compared), then O(E + S log S) per slab for S intervals. Measured on random, heavily
 * overlapping maps: 30 polygons of 6 points about 0.6 ms, 10 of 64 points about 2 ms, 50 of 64
 * points about 0.1 s (thousands of crossings, so thousands of slabs).
 */
#include "edge/coverage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_POLYGON_AREA 1e-12 /* below this a polygon has no area (rounding is ~1e-15) */
#define NOTHING_RECORDED 1e-12 /* an unmasked remainder this small is rounding, not image */
#define COORD_MIN (-1.0)
#define COORD_MAX 2.0

#define STR_(x) #x
#define STR(x) STR_(x)

typedef struct {
    double x, y;
} pt_t;

/* One side of a polygon, its ends ordered by x (x0 <= x1). */
typedef struct {
    double x0, y0, x1, y1;
} side_t;

/* One polygon among all the sides: sides [first, first + count), and its bounding box. */
typedef struct {
    size_t first, count;
    edge_area_kind_t kind;
    double xlo, xhi, ylo, yhi;
} outline_t;

/* One y-interval covered by a polygon on a slab's middle line. */
typedef struct {
    double lo, hi;
    edge_area_kind_t kind;
} span_t;

typedef struct {
    double *v;
    size_t n, cap;
} cuts_t;

/* Plain comparisons will do: no NaN gets this far (edge_polygon_problem refuses them). */
static double dmin(double a, double b)
{
    return a < b ? a : b;
}

static double dmax(double a, double b)
{
    return a > b ? a : b;
}

static pt_t point(const edge_polygon_t *p, size_t i)
{
    pt_t q = {p->x[i % p->n], p->y[i % p->n]};
    return q;
}

/* Twice the signed area of triangle abc: its sign says on which side of a->b c lies. */
static double orient(pt_t a, pt_t b, pt_t c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/* c, known to be collinear with a and b, lies on the closed segment ab. */
static int within(pt_t a, pt_t b, pt_t c)
{
    return dmin(a.x, b.x) <= c.x && c.x <= dmax(a.x, b.x) && dmin(a.y, b.y) <= c.y &&
           c.y <= dmax(a.y, b.y);
}

static int opposite(double d1, double d2)
{
    return (d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0);
}

/* The closed segments ab and cd have a point in common. */
static int segments_meet(pt_t a, pt_t b, pt_t c, pt_t d)
{
    double d1 = orient(c, d, a), d2 = orient(c, d, b);
    double d3 = orient(a, b, c), d4 = orient(a, b, d);
    if (opposite(d1, d2) && opposite(d3, d4))
        return 1;
    return (d1 == 0 && within(c, d, a)) || (d2 == 0 && within(c, d, b)) ||
           (d3 == 0 && within(a, b, c)) || (d4 == 0 && within(a, b, d));
}

/*
 * Two sides that are not neighbours have a point in common. Neighbours share a corner and need
 * no test: they overlap only where the outline doubles back, and then the side after the fold
 * starts on (or the side before it ends on) a side that is not its neighbour, or, in a triangle,
 * the three points are on one line.
 */
static int self_intersects(const edge_polygon_t *p)
{
    size_t n = p->n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 2; j < n; j++)
            if (!(i == 0 && j == n - 1) &&
                segments_meet(point(p, i), point(p, i + 1), point(p, j), point(p, j + 1)))
                return 1;
    return 0;
}

static double polygon_area(const edge_polygon_t *p)
{
    /* Relative to the first point, so that the terms stay small and the rounding with them. */
    double s = 0;
    for (size_t i = 1; i + 1 < p->n; i++)
        s += (p->x[i] - p->x[0]) * (p->y[i + 1] - p->y[0]) -
             (p->x[i + 1] - p->x[0]) * (p->y[i] - p->y[0]);
    return fabs(s) / 2;
}

/* All points lie on one line (to within MIN_POLYGON_AREA): the line through the first point
 * and the one farthest from it. */
static int collinear(const edge_polygon_t *p)
{
    pt_t o = point(p, 0), far = o;
    double d = 0;
    for (size_t i = 1; i < p->n; i++) {
        pt_t q = point(p, i);
        double dq = (q.x - o.x) * (q.x - o.x) + (q.y - o.y) * (q.y - o.y);
        if (dq > d) {
            d = dq;
            far = q;
        }
    }
    for (size_t i = 1; i < p->n; i++)
        if (fabs(orient(o, far, point(p, i))) >= 2 * MIN_POLYGON_AREA)
            return 0;
    return 1;
}

const char *edge_polygon_problem(const edge_polygon_t *p)
{
    if (p->kind != EDGE_AREA_PUBLIC && p->kind != EDGE_AREA_PRIVATE && p->kind != EDGE_AREA_MASKED)
        return "has no kind (public, private or masked)";
    if (p->n < 3)
        return "has fewer than 3 points";
    if (p->n > EDGE_POLYGON_MAX_POINTS)
        return "has more than " STR(EDGE_POLYGON_MAX_POINTS) " points";
    for (size_t i = 0; i < p->n; i++)
        if (!isfinite(p->x[i]) || !isfinite(p->y[i]))
            return "has a coordinate that is not a finite number";
    for (size_t i = 0; i < p->n; i++)
        if (p->x[i] < COORD_MIN || p->x[i] > COORD_MAX || p->y[i] < COORD_MIN ||
            p->y[i] > COORD_MAX)
            return "has a coordinate outside [-1, 2] (the frame is [0, 1])";
    for (size_t i = 0; i < p->n; i++) {
        pt_t a = point(p, i), b = point(p, i + 1);
        if (a.x == b.x && a.y == b.y)
            return "has the same point twice in a row (do not repeat the first point at the end)";
    }
    /* Points on one line also fold back over each other, but "zero area" says it better. The
     * area is checked only once the outline is known to be simple: the lobes of a bow-tie can
     * cancel in it. */
    if (collinear(p))
        return "has zero area";
    if (self_intersects(p))
        return "has sides that cross or touch each other";
    if (polygon_area(p) < MIN_POLYGON_AREA)
        return "has zero area";
    return NULL;
}

const char *edge_area_kind_name(edge_area_kind_t k)
{
    switch (k) {
    case EDGE_AREA_PUBLIC:
        return "public";
    case EDGE_AREA_PRIVATE:
        return "private";
    case EDGE_AREA_MASKED:
        return "masked";
    }
    return "unknown";
}

mm_err_t edge_area_kind_parse(const char *s, edge_area_kind_t *out)
{
    static const edge_area_kind_t kinds[] = {EDGE_AREA_PUBLIC, EDGE_AREA_PRIVATE, EDGE_AREA_MASKED};
    for (size_t i = 0; s != NULL && i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(s, edge_area_kind_name(kinds[i])) == 0) {
            *out = kinds[i];
            return MM_OK;
        }
    }
    return MM_EINVAL;
}

/* --- the slab decomposition -------------------------------------------------------------- */

/* Adds x as a cut when it lies strictly inside the frame (0 and 1 are always cuts). */
static mm_err_t cut(cuts_t *c, double x)
{
    if (!(x > 0 && x < 1))
        return MM_OK;
    if (c->n == c->cap) {
        size_t cap = c->cap * 2;
        double *v = realloc(c->v, cap * sizeof *v);
        if (v == NULL)
            return MM_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = x;
    return MM_OK;
}

/* Cuts where side s crosses the horizontal line at height y (its ends are vertices already). */
static mm_err_t cut_horizontal(cuts_t *c, const side_t *s, double y)
{
    if ((s->y0 < y && s->y1 > y) || (s->y0 > y && s->y1 < y))
        return cut(c, s->x0 + (y - s->y0) * (s->x1 - s->x0) / (s->y1 - s->y0));
    return MM_OK;
}

/* Cuts where sides a and b cross. Parallel sides never change order, so they need no cut. */
static mm_err_t cut_crossing(cuts_t *c, const side_t *a, const side_t *b)
{
    if (a->x1 < b->x0 || b->x1 < a->x0 || a->x1 <= 0 || a->x0 >= 1 || b->x1 <= 0 || b->x0 >= 1)
        return MM_OK;
    if (dmax(a->y0, a->y1) < dmin(b->y0, b->y1) || dmax(b->y0, b->y1) < dmin(a->y0, a->y1))
        return MM_OK;
    double rx = a->x1 - a->x0, ry = a->y1 - a->y0;
    double sx = b->x1 - b->x0, sy = b->y1 - b->y0;
    double qx = b->x0 - a->x0, qy = b->y0 - a->y0;
    double den = rx * sy - ry * sx;
    if (den == 0)
        return MM_OK;
    double t = (qx * sy - qy * sx) / den, u = (qx * ry - qy * rx) / den;
    /* A little slack: a cut too many costs a slab, a cut missed costs accuracy. */
    const double slack = 1e-9;
    if (t < -slack || t > 1 + slack || u < -slack || u > 1 + slack)
        return MM_OK;
    return cut(c, a->x0 + t * rx);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_span(const void *a, const void *b)
{
    return cmp_double(&((const span_t *)a)->lo, &((const span_t *)b)->lo);
}

/*
 * Appends to spans the parts of [0, 1] that polygon sides[0..n) covers on the line x = xm;
 * returns how many.
 */
static size_t polygon_spans(const side_t *sides, size_t n, edge_area_kind_t kind, double xm,
                            span_t *spans)
{
    double ys[EDGE_POLYGON_MAX_POINTS];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const side_t *s = &sides[i];
        if (s->x0 <= xm && xm < s->x1) {
            double y = s->y0 + (xm - s->x0) * (s->y1 - s->y0) / (s->x1 - s->x0);
            size_t j = k++;
            for (; j > 0 && ys[j - 1] > y; j--)
                ys[j] = ys[j - 1];
            ys[j] = y;
        }
    }
    size_t m = 0;
    for (size_t i = 0; i + 1 < k; i += 2) {
        double lo = dmax(ys[i], 0), hi = dmin(ys[i + 1], 1);
        if (hi > lo)
            spans[m++] = (span_t){lo, hi, kind};
    }
    return m;
}

/* Length of the union of the spans (sorted by lo) whose kind is at least min. */
static double union_length(const span_t *spans, size_t n, edge_area_kind_t min)
{
    double len = 0, lo = 0, hi = 0;
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].kind < min)
            continue;
        if (open && spans[i].lo <= hi) {
            hi = dmax(hi, spans[i].hi);
            continue;
        }
        if (open)
            len += hi - lo;
        lo = spans[i].lo;
        hi = spans[i].hi;
        open = 1;
    }
    return open ? len + hi - lo : len;
}

mm_err_t edge_coverage_compute(const edge_polygon_t *polys, size_t n, edge_coverage_t *out)
{
    if (out == NULL || (polys == NULL && n > 0))
        return MM_EINVAL;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (edge_polygon_problem(&polys[i]) != NULL)
            return MM_EINVAL;
        total += polys[i].n;
    }

    mm_err_t err = MM_ENOMEM;
    side_t *sides = malloc((total + 1) * sizeof *sides);
    outline_t *outlines = malloc((n + 1) * sizeof *outlines);
    span_t *spans = malloc((total / 2 + 1) * sizeof *spans);
    cuts_t cuts = {malloc((3 * total + 2) * sizeof(double)), 2, 3 * total + 2};
    if (sides == NULL || outlines == NULL || spans == NULL || cuts.v == NULL)
        goto out;

    cuts.v[0] = 0;
    cuts.v[1] = 1;
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        const edge_polygon_t *p = &polys[i];
        outline_t *o = &outlines[i];
        *o = (outline_t){e, p->n, p->kind, p->x[0], p->x[0], p->y[0], p->y[0]};
        for (size_t j = 0; j < p->n; j++) {
            o->xlo = dmin(o->xlo, p->x[j]);
            o->xhi = dmax(o->xhi, p->x[j]);
            o->ylo = dmin(o->ylo, p->y[j]);
            o->yhi = dmax(o->yhi, p->y[j]);
            pt_t a = point(p, j), b = point(p, j + 1);
            if (b.x < a.x || (b.x == a.x && b.y < a.y)) {
                pt_t t = a;
                a = b;
                b = t;
            }
            sides[e] = (side_t){a.x, a.y, b.x, b.y};
            if ((err = cut(&cuts, p->x[j])) != MM_OK ||
                (err = cut_horizontal(&cuts, &sides[e], 0)) != MM_OK ||
                (err = cut_horizontal(&cuts, &sides[e], 1)) != MM_OK)
                goto out;
            e++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const outline_t *o = &outlines[i];
        for (size_t j = i + 1; j < n; j++) {
            const outline_t *q = &outlines[j];
            if (o->xhi < q->xlo || q->xhi < o->xlo || o->yhi < q->ylo || q->yhi < o->ylo)
                continue;
            for (size_t a = o->first; a < o->first + o->count; a++)
                for (size_t b = q->first; b < q->first + q->count; b++)
                    if ((err = cut_crossing(&cuts, &sides[a], &sides[b])) != MM_OK)
                        goto out;
        }
    }
    qsort(cuts.v, cuts.n, sizeof *cuts.v, cmp_double);

    double pub = 0, priv = 0, masked = 0, unlabelled = 0;
    for (size_t k = 0; k + 1 < cuts.n; k++) {
        double w = cuts.v[k + 1] - cuts.v[k];
        if (w <= 0)
            continue;
        double xm = cuts.v[k] + w / 2;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const outline_t *o = &outlines[i];
            if (o->xlo < xm && xm < o->xhi && o->ylo < 1 && o->yhi > 0)
                m += polygon_spans(&sides[o->first], o->count, o->kind, xm, &spans[m]);
        }
        qsort(spans, m, sizeof *spans, cmp_span);
        double l_masked = union_length(spans, m, EDGE_AREA_MASKED);
        double l_private = union_length(spans, m, EDGE_AREA_PRIVATE); /* private or masked */
        double l_any = union_length(spans, m, EDGE_AREA_PUBLIC);
        masked += w * l_masked;
        priv += w * dmax(l_private - l_masked, 0);
        pub += w * dmax(l_any - l_private, 0);
        unlabelled += w * dmax(1 - l_any, 0);
    }

    double recorded = pub + priv + unlabelled;
    *out = (edge_coverage_t){
        .public_area = pub,
        .private_area = priv,
        .masked_area = masked,
        .unlabelled_area = unlabelled,
        .public_share = recorded > NOTHING_RECORDED ? dmin(pub / recorded, 1) : 0,
        .all_masked = !(recorded > NOTHING_RECORDED),
    };
    err = MM_OK;
out:
    free(sides);
    free(outlines);
    free(spans);
    free(cuts.v);
    return err;
}
