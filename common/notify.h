/*
 * notify.h: telling systemd how the daemon is doing (sd_notify through Debian's libsystemd).
 *
 * The units (packaging/systemd) are Type=notify with WatchdogSec=: the daemon says READY=1 once
 * it serves, pings WATCHDOG=1 from its own libuv loop at half the interval systemd asked for (so
 * a loop that hangs is restarted), and says STOPPING=1 when it begins to stop. Outside systemd
 * (no $NOTIFY_SOCKET, no $WATCHDOG_USEC) every call does nothing.
 */
#ifndef MM_NOTIFY_H
#define MM_NOTIFY_H

#include <uv.h>

void mm_notify_ready(void);
/* Before re-reading the configuration; mm_notify_ready() again when the reload is done. */
void mm_notify_reloading(void);
void mm_notify_stopping(void);
/* A one-line status that `systemctl status` shows. */
void mm_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog's timer, on the daemon's loop. */
typedef struct {
    uv_timer_t timer;
    int started;
} mm_notify_watchdog_t;

/*
 * Starts pinging WATCHDOG=1 every half of $WATCHDOG_USEC when systemd asked this process for it;
 * otherwise does nothing. The timer does not keep the loop alive. Returns the interval in
 * milliseconds, 0 when there is no watchdog.
 */
uint64_t mm_notify_watchdog_start(uv_loop_t *loop, mm_notify_watchdog_t *wd);
/* Stops and closes the timer (if started and not closed already). */
void mm_notify_watchdog_stop(mm_notify_watchdog_t *wd);

#endif
