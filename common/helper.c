/*
 * helper.c: one job at a time on a second thread (see helper.h).
 */
#include "common/helper.h"

static void *helper_main(void *arg)
{
    mm_helper_t *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->busy && !h->quit)
            pthread_cond_wait(&h->cv, &h->mu);
        if (!h->busy)
            break;
        pthread_mutex_unlock(&h->mu);
        h->fn(h->arg);
        pthread_mutex_lock(&h->mu);
        h->busy = 0;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

void mm_helper_start(mm_helper_t *h)
{
    *h = (mm_helper_t){0};
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->started = pthread_create(&h->th, NULL, helper_main, h) == 0;
}

void mm_helper_wait(mm_helper_t *h)
{
    if (!h->started)
        return;
    pthread_mutex_lock(&h->mu);
    while (h->busy)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

void mm_helper_run(mm_helper_t *h, void (*fn)(void *arg), void *arg)
{
    if (!h->started) {
        fn(arg);
        return;
    }
    mm_helper_wait(h);
    pthread_mutex_lock(&h->mu);
    h->fn = fn;
    h->arg = arg;
    h->busy = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void mm_helper_stop(mm_helper_t *h)
{
    if (h->started) {
        mm_helper_wait(h);
        pthread_mutex_lock(&h->mu);
        h->quit = 1;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->th, NULL);
        h->started = 0;
    }
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
}
