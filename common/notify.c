/*
 * notify.c: readiness, watchdog and status for systemd (see notify.h).
 */
#include "common/notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "common/diag.h"

static void notify_send(const char *state)
{
    int rc = sd_notify(0, state);
    if (rc < 0)
        MM_DEBUG("sd_notify(%s): error %d", state, rc);
}

void mm_notify_ready(void)
{
    notify_send("READY=1");
}

void mm_notify_reloading(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char msg[64];
    snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
             (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
    notify_send(msg);
}

void mm_notify_stopping(void)
{
    notify_send("STOPPING=1");
}

void mm_notify_status(const char *fmt, ...)
{
    char msg[512] = "STATUS=";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + 7, sizeof msg - 7, fmt, ap);
    va_end(ap);
    /* One line: a newline would start another assignment. */
    for (char *p = msg; *p; p++)
        if (*p == '\n')
            *p = ' ';
    notify_send(msg);
}

static void on_watchdog(uv_timer_t *t)
{
    (void)t;
    notify_send("WATCHDOG=1");
}

uint64_t mm_notify_watchdog_start(uv_loop_t *loop, mm_notify_watchdog_t *wd)
{
    wd->started = 0;
    uint64_t usec = 0;
    /* > 0 only when $WATCHDOG_USEC is set and $WATCHDOG_PID (if set) names this process. */
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return 0;
    uint64_t ms = usec / 2000;
    if (ms == 0)
        ms = 1;
    if (uv_timer_init(loop, &wd->timer) != 0)
        return 0;
    wd->started = 1;
    uv_unref((uv_handle_t *)&wd->timer);
    uv_timer_start(&wd->timer, on_watchdog, 0, ms);
    MM_DEBUG("systemd watchdog: a ping every %llu ms", (unsigned long long)ms);
    return ms;
}

void mm_notify_watchdog_stop(mm_notify_watchdog_t *wd)
{
    if (!wd->started)
        return;
    wd->started = 0;
    uv_timer_stop(&wd->timer);
    if (!uv_is_closing((uv_handle_t *)&wd->timer))
        uv_close((uv_handle_t *)&wd->timer, NULL);
}
