/*
 * helper.h: one job at a time on a second thread, beside the caller's.
 *
 * The export hashes what it also writes (the clip's frames, the clear MP4, the ciphertext): the
 * hash and the write only read the same bytes, so on a box with two cores they can go side by
 * side. mm_helper_run hands a job over and returns at once; mm_helper_wait returns once it is
 * done, after which the caller may change or free what the job reads. Jobs run in the order
 * given, one at a time. A helper whose thread could not be made runs each job in
 * mm_helper_run itself: the same result, one after the other.
 */
#ifndef MM_HELPER_H
#define MM_HELPER_H

#include <pthread.h>

typedef struct {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started, busy, quit;
    void (*fn)(void *arg);
    void *arg;
} mm_helper_t;

/* Starts the helper's thread (or not: see above). Always followed by mm_helper_stop. */
void mm_helper_start(mm_helper_t *h);

/* Runs fn(arg) on the helper once the job before it is done. */
void mm_helper_run(mm_helper_t *h, void (*fn)(void *arg), void *arg);

/* Waits for the job given last to be done. */
void mm_helper_wait(mm_helper_t *h);

/* Waits, then ends the thread. */
void mm_helper_stop(mm_helper_t *h);

#endif
