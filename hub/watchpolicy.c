/*
 * watchpolicy.c: the policies' duties as the hub watches them (see watchpolicy.h).
 *
 * Read from the texts in ../shared/regulations:
 *
 * - Kawaguchi's standard keeps footage "about 7 days or more" and erases it for certain after
 *   (第2 2(6)イ・ウ, R-K2.2.6b); its installers do not leak or misuse what images show, nor let
 *   those who work the cameras do so (第2 2(3)(4), R-K2.2.3-4); cameras, the minimum needed, run
 *   five years (第2 1(3), R-K2.1.3b: a long suspension takes from those years, and a change in
 *   their number is what the hub flags); a sign shows that cameras operate and who installed
 *   them (第2 2(1), R-K2.2.1); and cameras run 24 hours a day in principle (第2 2(6)ア,
 *   R-K2.2.6a). The standard knows no suspension at all, so a suspended camera is held to the
 *   24 hours like any other.
 * - Naha's ordinance sets a retention period by the city's rule and destroys footage past it
 *   (7条5号, R-N7.5); nobody leaks or misuses information from images (7条2号, R-N7.2); the
 *   standards are filed again on any change and when a camera is suspended, resumed or abolished
 *   (4条2項, R-N4.2), which makes a suspension a filed state of its own, with no limit on its
 *   length and no operating hours asked: a suspended camera is not held to the uptime rule, and
 *   a long suspension is no finding; a sign shows that a camera operates and the installer's name
 *   (5条4号, R-N5.4).
 * - The city's own cameras (R-N9, Naha 9条) handle images under the personal information law
 *   instead of 7条-8条, still show a sign (5条4号) and file nothing; a
 *   voluntary site (R-K4, Kawaguchi 第4) follows the standard's spirit with no duty to the city:
 *   the hub watches their footage, viewing and signs under those IDs, never their filings.
 */
#include "hub/watchpolicy.h"

#include <stddef.h>

static const hub_watch_policy_t policies[MM_POLICY_COUNT] = {
    [MM_POLICY_KAWAGUCHI] =
        {
            .erasure = {"R-K2.2.6b", "Kawaguchi standard 2.2(6)(b)-(c)"},
            .viewing = {"R-K2.2.3-4", "Kawaguchi standard 2.2(3)-(4)"},
            .suspension = {"R-K2.1.3b", "Kawaguchi standard 2.1(3): cameras run five years"},
            .camera_count = {"R-K2.1.3b", "Kawaguchi standard 2.1(3)"},
            .sign = {"R-K2.2.1", "Kawaguchi standard 2.2(1)"},
            .uptime_counts_suspended = 1,
            .uptime = {"R-K2.2.6a", "Kawaguchi standard 2.2(6)(a): 24 hours a day in principle"},
        },
    [MM_POLICY_NAHA] =
        {
            .erasure = {"R-N7.5", "Naha ordinance art. 7(5)"},
            .viewing = {"R-N7.2", "Naha ordinance art. 7(2)"},
            .suspension = {NULL, "Naha ordinance art. 4(2): a filed suspension has no limit"},
            .camera_count = {"R-N4.2", "Naha ordinance art. 4(2)"},
            .sign = {"R-N5.4", "Naha ordinance art. 5(4)"},
            .uptime_counts_suspended = 0,
            .uptime = {"R-K2.2.6a", "a suspension filed under Naha ordinance art. 4(2)"},
        },
    [MM_POLICY_CITY] =
        {
            .erasure = {"R-N9", "Naha ordinance art. 9: the personal information law, not art. 7"},
            .viewing = {"R-N9", "Naha ordinance art. 9: the personal information law, not art. 7"},
            .suspension = {NULL, "the city's own cameras file nothing (art. 9)"},
            .camera_count = {NULL, "the city's own cameras file nothing (art. 9)"},
            .sign = {"R-N5.4", "Naha ordinance art. 5(4) (art. 9 sets aside arts. 7-8 only)"},
            .uptime_counts_suspended = 0,
            .uptime = {"R-N9", "the city's own cameras under art. 9"},
        },
    [MM_POLICY_VOLUNTARY] =
        {
            .erasure = {"R-K4", "Kawaguchi standard 4: the standard's spirit (2.2(6)(b)-(c))"},
            .viewing = {"R-K4", "Kawaguchi standard 4: the standard's spirit (2.2(3)-(4))"},
            .suspension = {NULL, "a voluntary site's filing is a notice only"},
            .camera_count = {NULL, "a voluntary site's filing is a notice only"},
            .sign = {"R-K4", "Kawaguchi standard 4: the standard's spirit (2.2(1))"},
            .uptime_counts_suspended = 0,
            .uptime = {"R-K4", "Kawaguchi standard 4: the standard's spirit (2.2(6)(a))"},
        },
};

const hub_watch_policy_t *hub_watch_policy(mm_policy_t p)
{
    /* A policy without its row (every row names the erasure duty) has none. */
    return (int)p >= 0 && p < MM_POLICY_COUNT && policies[p].erasure.rule ? &policies[p] : NULL;
}
