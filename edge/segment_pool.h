/*
 * segment_pool.h: the segment writers' chunk buffers, sized per camera from its bit rate and
 * reused across segments.
 *
 * Buffers come in size classes (powers of two from 64 KiB). A writer takes one of the class its
 * camera needed in its last segment (the largest chunk it held: about 0.5 s of the stream at its
 * bit rate, keyframes included), grows to the next class when a chunk does not fit, and gives it
 * back when the segment ends, telling the pool what its largest chunk was. Idle buffers are kept
 * for the next segment up to a bound (EDGE_SEGPOOL_IDLE_MAX bytes), so that memory follows the
 * cameras' bit rates and a burst of large buffers is returned to the system.
 *
 * Thread-safe: every function takes the pool's lock briefly.
 */
#ifndef EDGE_SEGMENT_POOL_H
#define EDGE_SEGMENT_POOL_H

#include <stddef.h>
#include <stdint.h>

#define EDGE_SEGPOOL_MIN (64u * 1024)             /* the smallest class */
#define EDGE_SEGPOOL_IDLE_MAX (32u * 1024 * 1024) /* idle bytes kept at most */

/* The buffer size a chunk of need bytes gets: the smallest class that holds it (or need itself
 * beyond the largest class). */
size_t edge_segpool_class(size_t need);

/* The size the camera's last segment needed (its largest chunk), 0 when unknown. */
size_t edge_segpool_hint(const char *camera);

/* A buffer of edge_segpool_class(need) bytes (*cap is set to it); NULL when out of memory. */
uint8_t *edge_segpool_get(size_t need, size_t *cap);

/* Gives back a buffer from edge_segpool_get (NULL ignored). Its contents must not be secret: the
 * caller wipes what it must first. */
void edge_segpool_put(uint8_t *buf, size_t cap);

/* Frees a buffer from edge_segpool_get instead of keeping it idle: one a writer outgrew, whose
 * class its camera no longer needs (NULL ignored). Wiping is the caller's, as for put. */
void edge_segpool_drop(uint8_t *buf);

/* Notes the largest chunk a camera's segment held, for the camera's next segment. */
void edge_segpool_learn(const char *camera, size_t largest);

/* Idle bytes held by the pool, and buffers handed out and not yet returned; for tests. */
size_t edge_segpool_idle(size_t *in_use);

#endif
