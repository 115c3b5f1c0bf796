/*
 * coverage.h: how much of a camera's image shows public space (R-K2.1.3a: at least 2/3 of every
 * camera image, or 1/2 where buildings make 2/3 impossible).
 *
 * A coverage map is a list of polygons in normalised frame coordinates: x to the right, y down,
 * the frame is the unit square [0, 1] x [0, 1]. Each polygon is public, private or masked
 * (blacked out by a privacy mask, so not in the recorded image at all). Polygons may be convex
 * or concave, in either orientation, may overlap one another and may reach outside the frame;
 * only what lies inside the frame counts. Where kinds overlap, masked wins over private and
 * private over public. Area that no polygon covers is not public.
 *
 *   public share = area(public minus private minus masked) / area(frame minus masked)
 *
 * The areas are exact for the straight-edged polygons given, up to double rounding (about
 * 1e-15 of the frame): see coverage.c.
 */
#ifndef EDGE_COVERAGE_H
#define EDGE_COVERAGE_H

#include <stddef.h>

#include "common/err.h"

/* The values are the precedence: where polygons overlap, the greater kind wins. */
typedef enum {
    EDGE_AREA_PUBLIC = 1,
    EDGE_AREA_PRIVATE = 2,
    EDGE_AREA_MASKED = 3,
} edge_area_kind_t;

#define EDGE_POLYGON_MAX_POINTS 64

/* One polygon: points (x[i], y[i]) for i < n, the last joined to the first (do not repeat the
 * first point at the end). */
typedef struct {
    edge_area_kind_t kind;
    size_t n;
    double x[EDGE_POLYGON_MAX_POINTS];
    double y[EDGE_POLYGON_MAX_POINTS];
} edge_polygon_t;

/*
 * What a coverage map gives one camera. The four areas are fractions of the frame and sum to 1
 * (to rounding). public_share is the public part of what is recorded, public_area /
 * (1 - masked_area). all_masked is set when masks cover the whole frame (all but 1e-12 of it):
 * the camera records nothing, and public_share is then 0.
 */
typedef struct {
    double public_area;  /* public, and neither private nor masked */
    double private_area; /* private, and not masked */
    double masked_area;
    double unlabelled_area; /* covered by no polygon */
    double public_share;
    int all_masked;
} edge_coverage_t;

/*
 * Computes the coverage of a map of n polygons (polys may be NULL when n is 0) into *out.
 * MM_EINVAL, naming nothing (the caller names the key), when out is NULL or a polygon is
 * unacceptable (edge_polygon_problem() says why); MM_ENOMEM. *out is untouched on error.
 */
mm_err_t edge_coverage_compute(const edge_polygon_t *polys, size_t n, edge_coverage_t *out);

/*
 * Why polygon p is unacceptable, for a configuration error message ("polygon 3 has zero
 * area"), or NULL when it is fine. Unacceptable: a kind that is none of the three, fewer than 3
 * or more than EDGE_POLYGON_MAX_POINTS points, a coordinate that is not finite or lies outside
 * [-1, 2], the same point twice in a row (the last and the first included), an area below 1e-12
 * of the frame, or edges that cross or touch other than at their shared corners. The message is
 * static.
 */
const char *edge_polygon_problem(const edge_polygon_t *p);

/* "public", "private", "masked"; "unknown" for any other value. Static, never NULL. */
const char *edge_area_kind_name(edge_area_kind_t k);

/* Parses one of the three names above (exact, lower case): MM_OK with *out set, or MM_EINVAL. */
mm_err_t edge_area_kind_parse(const char *s, edge_area_kind_t *out);

#endif
