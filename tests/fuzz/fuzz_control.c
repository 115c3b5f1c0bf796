/*
 * fuzz_control.c: control-socket request lines as anyone on the machine could send them — the
 * socket is mode 0666 (control.h), so the parser sees arbitrary bytes. Nothing may crash or
 * hang. A request that parses must be one the handlers can trust without checking again: a
 * known action, every string NUL-terminated inside its buffer and free of control characters
 * (line fields) or of all but newline and tab (reason, text), a range that runs forwards,
 * minutes within a grant's limit, only grantable actions, kept regions only on an approval (one
 * to EDGE_KEEP_MAX non-empty line strings), "all" only on a list of notices or of complaints, a
 * complaint's step, channel, id and time only on a complaint (a step always, a known one), a
 * hold's days only on hold_place and within EDGE_REQUEST_DAYS_MAX, a playback's player, stream,
 * speed, purpose and basis only on a playback (at most a day of footage, 1-8x, a player or the
 * stream), a still frame's camera and time (from_us alone), a timeline's range at most 48
 * hours, and every field the action needs. A
 * request that does not parse must say why: a non-empty, NUL-terminated message. Violations
 * abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "edge/control.h"

/* A NUL-terminated string of UTF-8 inside buf (cap bytes); multi: newline and tab allowed. */
static void check_text(const char *buf, size_t cap, int multi)
{
    const char *nul = memchr(buf, 0, cap);
    if (!nul)
        abort();
    size_t n = (size_t)(nul - buf);
    if (!mm_utf8_valid(buf, n))
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20 && !(multi && (buf[i] == '\n' || buf[i] == '\t')))
            abort();
}

static void check_ok(const edge_request_t *r)
{
    if ((unsigned)r->action >= EDGE_ACT_COUNT)
        abort();
    check_text(r->camera, sizeof r->camera, 0);
    check_text(r->person, sizeof r->person, 0);
    check_text(r->grant_id, sizeof r->grant_id, 0);
    check_text(r->cameras, sizeof r->cameras, 0);
    check_text(r->reason, sizeof r->reason, 1);
    check_text(r->text, sizeof r->text, 1);
    check_text(r->request_id, sizeof r->request_id, 0);
    check_text(r->complaint_id, sizeof r->complaint_id, 0);
    check_text(r->hold_id, sizeof r->hold_id, 0);
    if (r->n_keep > EDGE_KEEP_MAX)
        abort();
    for (size_t i = 0; i < r->n_keep; i++) {
        check_text(r->keep[i], sizeof r->keep[i], 0);
        if (!r->keep[i][0])
            abort();
    }
    if (r->from_us < 0 || r->to_us < 0)
        abort();
    if (r->from_us && r->to_us && r->from_us >= r->to_us)
        abort();
    if (r->minutes && (r->minutes < 1 || r->minutes > EDGE_GRANT_MAX_MINUTES))
        abort();
    if (r->actions & ~EDGE_GRANTABLE)
        abort();
    if (r->html != 0 && r->html != 1)
        abort();

    /* What each action needs (control.c, action_keys), and nothing it may not have. */
    int range = r->action == EDGE_ACT_SEARCH || r->action == EDGE_ACT_PLAYBACK ||
                r->action == EDGE_ACT_TIMELINE;
    int prepare = r->action == EDGE_ACT_DISCLOSURE_PREPARE;
    /* The manager's disclosure steps: approve, deny, release the hold. Each names a request and
     * gives a reason. */
    int decide = r->action == EDGE_ACT_DISCLOSURE_APPROVE ||
                 r->action == EDGE_ACT_DISCLOSURE_DENY || r->action == EDGE_ACT_DISCLOSURE_RELEASE;
    /* A still frame (the site console's) names a camera and one time, from_us. */
    int still = r->action == EDGE_ACT_STILL;
    int camera = range || still || r->action == EDGE_ACT_CAMERA_SUSPEND ||
                 r->action == EDGE_ACT_CAMERA_RESUME || r->action == EDGE_ACT_CAMERA_ABOLISH;
    int person = r->action == EDGE_ACT_OPERATOR_DESIGNATE ||
                 r->action == EDGE_ACT_OPERATOR_REVOKE || r->action == EDGE_ACT_EMERGENCY_GRANT ||
                 r->action == EDGE_ACT_PASSWD || r->action == EDGE_ACT_PASSWD_UNLOCK;
    int grant = r->action == EDGE_ACT_EMERGENCY_GRANT;
    int grant_id = r->action == EDGE_ACT_EMERGENCY_REVOKE || r->action == EDGE_ACT_EMERGENCY_REPORT;
    int request_id = r->action == EDGE_ACT_REQUEST_ANSWER || prepare || decide ||
                     r->action == EDGE_ACT_NOTICE_ACK;
    int complaint = r->action == EDGE_ACT_COMPLAINT;
    int text =
        r->action == EDGE_ACT_EMERGENCY_REPORT || r->action == EDGE_ACT_REQUEST_ANSWER || complaint;
    /* The notices may name one (to show it); an acknowledgement may have words, or none. */
    int notices = r->action == EDGE_ACT_NOTICES;
    int ack = r->action == EDGE_ACT_NOTICE_ACK;
    /* A site hold names cameras, a range and a reason, maybe its days; its release the hold. */
    int hold = r->action == EDGE_ACT_HOLD_PLACE;
    int hold_id = r->action == EDGE_ACT_HOLD_RELEASE;
    /* A preparation may name a range, either end or none; a search, a playback and a hold need
     * one. */
    if (!prepare &&
        ((range || hold || still) != (r->from_us > 0) || (range || hold) != (r->to_us > 0)))
        abort();
    if (hold_id != (r->hold_id[0] != 0) || (hold && !r->cameras[0]))
        abort();
    if (r->days && (!hold || r->days < 1 || r->days > EDGE_REQUEST_DAYS_MAX))
        abort();
    if (range && r->to_us - r->from_us > 31LL * 86400 * 1000000)
        abort();
    if (r->action == EDGE_ACT_TIMELINE && r->to_us - r->from_us > EDGE_TIMELINE_SPAN_MAX_US)
        abort();
    /* A playback: at most a day, at 1, 2, 4 or 8 times real time (1 when not given), to a player
     * or to the caller, not both; a purpose and a basis only there (R-N7.3, R-K2.2.5). */
    int playback = r->action == EDGE_ACT_PLAYBACK;
    check_text(r->player, sizeof r->player, 0);
    check_text(r->purpose, sizeof r->purpose, 0);
    if (playback && (r->to_us - r->from_us > EDGE_PLAYBACK_SPAN_MAX_US ||
                     !edge_playback_speed_ok(r->speed) || (r->player[0] && r->stream)))
        abort();
    if (!playback &&
        (r->player[0] || r->stream || r->speed || r->purpose[0] || r->basis != MM_LEGAL_BASIS_NONE))
        abort();
    if (r->stream != 0 && r->stream != 1)
        abort();
    if ((unsigned)r->basis >= (unsigned)MM_LEGAL_BASIS_COUNT)
        abort();
    /* A complaint may name its camera, or not. */
    if ((!complaint && camera != (r->camera[0] != 0)) || person != (r->person[0] != 0) ||
        grant_id != (r->grant_id[0] != 0) || (!notices && request_id != (r->request_id[0] != 0)))
        abort();
    if (grant != (r->minutes != 0) || grant != (r->actions != 0))
        abort();
    if (!grant && !prepare && !hold && r->cameras[0])
        abort();
    if ((grant || decide || hold || (camera && !range && !still)) && !r->reason[0])
        abort();
    if (r->reason[0] && !grant && !decide && !camera && !hold && !hold_id &&
        r->action != EDGE_ACT_OPERATOR_DESIGNATE && r->action != EDGE_ACT_OPERATOR_REVOKE &&
        r->action != EDGE_ACT_EMERGENCY_REVOKE)
        abort();
    if (text ? !r->text[0] : (r->text[0] && !prepare && !ack))
        abort();
    if (r->all && ((!notices && r->action != EDGE_ACT_COMPLAINTS) || r->all != 1))
        abort();
    if (r->n_keep && r->action != EDGE_ACT_DISCLOSURE_APPROVE)
        abort();
    if (r->html && r->action != EDGE_ACT_STANDARDS)
        abort();
    if (complaint != r->has_step ||
        (r->has_step && (unsigned)r->step >= (unsigned)MM_COMPLAINT_STEP_COUNT))
        abort();
    if ((r->has_channel || r->complaint_id[0] || r->received_us) && !complaint)
        abort();
    if (r->has_channel && (unsigned)r->channel >= (unsigned)MM_COMPLAINT_CHANNEL_COUNT)
        abort();
    if (r->received_us < 0)
        abort();
}

/* A failure's message: non-empty and NUL-terminated within cap (msg was filled with 'X'). */
static void check_msg(const char *msg, size_t cap)
{
    if (cap == 0)
        return;
    const char *nul = memchr(msg, 0, cap);
    if (!nul || (cap > 1 && nul == msg))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static edge_request_t req;
    char msg[MM_TEXT_MAX];
    memset(msg, 'X', sizeof msg);
    memset(&req, 0xa5, sizeof req); /* the parser must not rely on a zeroed request */
    mm_err_t err = edge_request_parse((const char *)data, size, &req, msg, sizeof msg);
    if (err == MM_OK) {
        check_ok(&req);
    } else {
        if (err != MM_EPROTO)
            abort();
        check_msg(msg, sizeof msg);
        /* A short buffer truncates the message, still terminated. */
        char small[8];
        memset(small, 'X', sizeof small);
        if (edge_request_parse((const char *)data, size, &req, small, sizeof small) == MM_OK)
            abort();
        check_msg(small, sizeof small);
    }
    return 0;
}
