/* rst-summary.c
 * "<Title>: <what happened>; <measurements>" -- for example
 * "Firewall reject: a RST in the server's name refused the SYN in frame 4;
 *  TTL 64, host's usual 63".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-summary.h"

#include "rst-names.h"
#include "rst-reason.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char    *buf;
    size_t   size, used;
    unsigned items;             /* measurements written so far */
} text;

static void put(text *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->used + 1 >= t->size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->used, t->size - t->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->used = MIN(t->used + (size_t)n, t->size - 1);
}

static const char *who(const rst_verdict *v)
{
    return v->sender == RST_SENDER_UNKNOWN ? "the sender" : rst_sender_name(v->sender);
}

static const char *syn_extra_flags(uint16_t flags)
{
    if (flags & RST_TCP_RST)
        return "RST";
    if (flags & RST_TCP_FIN)
        return "FIN";
    return "URG";
}

static const char *probe_name(uint16_t flags)
{
    if (!(flags & (RST_TCP_FIN | RST_TCP_PSH | RST_TCP_URG)))
        return "NULL";
    if ((flags & (RST_TCP_FIN | RST_TCP_PSH | RST_TCP_URG)) == (RST_TCP_FIN | RST_TCP_PSH | RST_TCP_URG))
        return "XMAS";
    return flags & RST_TCP_FIN ? "FIN" : "flag";
}

static void what_happened(text *t, const rst_verdict *v, const rst_facts *f)
{
    rst_endpoints ends;

    rst_facts_endpoints(f, &ends);

    switch (v->cause) {
    case RST_CAUSE_PORT_CLOSED:
        put(t, "server refused the SYN in frame %u with RST/ACK: nothing listens on port %u",
            v->trigger, ends.sport);
        break;
    case RST_CAUSE_FIREWALL_REJECT:
        put(t, "a RST in the server's name refused the SYN in frame %u, but its TTL says "
            "a device in the path sent it", v->trigger);
        break;
    case RST_CAUSE_LISTEN_OVERFLOW:
        put(t, "server reset the connection right after the client completed the handshake "
            "(frame %u) without sending data: accept queue full", v->trigger);
        break;
    case RST_CAUSE_TIME_WAIT:
        if (rst_ev_has(v->evidence, RST_EV_ANSWERS_SYN))
            put(t, "the SYN in frame %u reused the 4-tuple of a connection closed %.1f s "
                "before, and the server refused it", v->trigger,
                (double)(f->extra ? f->extra->since_prev_end_ns : 0) / RST_NS_PER_S);
        else
            put(t, "client reset the stale ACK in frame %u that the server's TIME_WAIT "
                "state sent to its reused SYN", v->trigger);
        break;
    case RST_CAUSE_BAD_SYN:
        put(t, "RST answering a SYN that also carries %s (frame %u)",
            syn_extra_flags(f->peer_last_flags), v->trigger);
        break;
    case RST_CAUSE_SYN_SCAN:
        put(t, "client reset the SYN/ACK in frame %u without ever acknowledging it: "
            "half-open scan", v->trigger);
        if (rst_facts_has(f, RST_F_CLIENT_BARE_SYN))   /* the sender is the client */
            put(t, " (the scanner crafted its SYN: no TCP option, or only MSS with a small "
                "window; its kernel sent this RST)");
        else
            put(t, " (%u ports of this server probed in vain)", v->scan_ports);
        break;
    case RST_CAUSE_CONNECT_SCAN:
        put(t, "client completed the handshake and reset at once, no data either way");
        break;
    case RST_CAUSE_STEALTH_SCAN:
        put(t, "closed port %u answered the %s probe in frame %u (no SYN, no ACK): "
            "FIN/NULL/XMAS scan", ends.sport, probe_name(f->trigger_flags), v->trigger);
        break;
    case RST_CAUSE_RETRANSMISSION_LIMIT:
        put(t, "%s gave up after retransmitting unacknowledged data %u times",
            who(v), v->retransmissions);
        break;
    case RST_CAUSE_IDLE_TIMEOUT:
        if (v->has_idle && v->idle_ns >= RST_NS_PER_S)
            put(t, "RST after %.1f s of silence in the conversation", (double)v->idle_ns / RST_NS_PER_S);
        else
            put(t, "RST after unanswered keep-alives or an explicit idle-timeout reason");
        if (v->origin == RST_ORIGIN_MIDDLEBOX)
            put(t, ", sent by a device whose state timed out");
        break;
    case RST_CAUSE_INJECTED:
        put(t, "RST in the %s's name with %u signs of forgery", who(v), rst_ev_count(v->signs));
        break;
    case RST_CAUSE_DATA_AFTER_CLOSE:
        put(t, "%s had closed its side (FIN) and reset the data its peer still sent (frame %u)",
            who(v), v->trigger);
        break;
    case RST_CAUSE_FAST_CLOSE:
        put(t, "%s ended the FIN exchange with a RST instead of the last ACK", who(v));
        break;
    case RST_CAUSE_ABORT:
        put(t, "%s aborted the connection (SO_LINGER 0 or close with unread data)", who(v));
        break;
    case RST_CAUSE_NO_SOCKET:
        if (f->answer_kind == RST_ANSWER_ACK)
            put(t, "%s answered frame %u with a RST/ACK acknowledging just that segment: "
                "it holds no connection for it", who(v), v->trigger);
        else
            put(t, "%s answered frame %u with a bare RST whose seq is that segment's ACK: "
                "it holds no connection for it", who(v), v->trigger);
        break;
    default:
        if (rst_ev_has(v->evidence, RST_EV_DATA_AFTER_RST))
            put(t, "%s kept sending after this RST, so it did not end the connection; "
                "%u sign%s of forgery, too few to call it injected", who(v), rst_ev_count(v->signs),
                rst_ev_count(v->signs) == 1 ? "" : "s");
        else if (v->has_trigger)
            put(t, "%s reset after frame %u; no known pattern fits", who(v), v->trigger);
        else
            put(t, "%s reset; nothing of the conversation precedes it", who(v));
        break;
    }
}

/* One item of the measurement list: "; " before the first, ", " after. */
static void item(text *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void item(text *t, const char *fmt, ...)
{
    char buf[96];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    put(t, "%s%s", t->items++ ? ", " : "; ", buf);
}

typedef struct {
    rst_evidence ev;
    const char  *phrase;
} evidence_phrase;

static void evidence_items(text *t, const rst_verdict *v, const evidence_phrase *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rst_ev_has(v->evidence, list[i].ev))
            item(t, "%s", list[i].phrase);
}

/* Each measurement once, in the order an analyst checks them. */
static void measurements(text *t, const rst_verdict *v)
{
    static const evidence_phrase shape[] = {
        { RST_EV_NO_ACK, "no ACK flag" },
        { RST_EV_IPID_ZERO, "IP ID 0" },
    };
    static const evidence_phrase signs[] = {
        { RST_EV_ANSWERS_INFLIGHT, "answers a segment of a flight in transit, not the latest" },
        { RST_EV_TOO_EARLY, "earlier than half the path's round trip" },
        { RST_EV_IPID_MISMATCH, "IP ID out of the sender's sequence" },
        { RST_EV_RST_BURST, "part of a RST burst" },
        { RST_EV_DATA_AFTER_RST, "the sender kept sending after it" },
        { RST_EV_CHALLENGE_ACK, "answers an RFC 5961 challenge ACK" },
    };

    if (rst_ev_has(v->evidence, RST_EV_TTL_MISMATCH) && v->has_ttl_delta)
        item(t, "TTL %u differs from the sender's %u", v->ttl, v->sender_last_ttl);
    else if (rst_ev_has(v->evidence, RST_EV_TTL_MISMATCH) && v->has_host_ttl_delta)
        item(t, "TTL %u differs from the host's usual %u", v->ttl, v->host_usual_ttl);
    else if (v->has_host_ttl_delta)
        item(t, "TTL %u, host's usual %u", v->ttl, v->host_usual_ttl);
    else if (v->has_ttl_delta)
        item(t, "TTL %u, sender's last %u", v->ttl, v->sender_last_ttl);
    evidence_items(t, v, shape, G_N_ELEMENTS(shape));
    if (v->has_seq_delta)
        item(t, "seq %+d from expected", v->seq_delta);
    if (v->retransmissions)
        item(t, "%u retransmission%s before", v->retransmissions,
             v->retransmissions == 1 ? "" : "s");
    evidence_items(t, v, signs, G_N_ELEMENTS(signs));
    if (rst_ev_has(v->evidence, RST_EV_IDLE) && v->has_idle &&
        v->idle_ns >= RST_NS_PER_S)
        item(t, "idle %.1f s", (double)v->idle_ns / RST_NS_PER_S);
}

/* The explicit reason, decoded once (rst_verdict.reason_*). */
static void explicit_reason(text *t, const rst_verdict *v, const rst_facts *f)
{
    const char *meaning = v->reason_meaning;

    if (v->reason_kind == RST_REASON_DIAGNOSTIC)
        put(t, "; diagnostic payload: reason %u%s%s%s", v->reason_code,
            meaning ? " (" : "", meaning ? meaning : "", meaning ? ")" : "");
    else if (v->reason_kind == RST_REASON_NETSCALER)
        put(t, "; NetScaler code %u (%s)", v->reason_code, meaning);
    else if (f->extra && f->extra->text[0])
        put(t, "; payload \"%s\"", f->extra->text);
}

/* The other point's clock, when it is off by a millisecond or more: the
 * copies were matched across that offset. */
static void clock_note(text *t, const rst_verdict *v)
{
    if (v->has_side_clock && (v->side_clock_ns >= RST_NS_PER_MS || v->side_clock_ns <= -RST_NS_PER_MS))
        put(t, ", its clock %+.3f s from this point's", (double)v->side_clock_ns / RST_NS_PER_S);
}

/* Several capture points: where the RST was and was not seen. */
static void vantage_note(text *t, const rst_verdict *v)
{
    const char *side = v->sender_side;
    uint32_t others = v->vantages ? v->vantages - 1 : 0;

    if (!v->vantage || !v->vantages)
        return;
    if (rst_ev_has(v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE)) {
        put(t, "; seen at %s, never sent at %s (the %s's side", v->vantage, side, who(v));
        clock_note(t, v);
        put(t, "): created in the path between them");
    } else if (rst_ev_has(v->evidence, RST_EV_SEEN_AT_SENDER_SIDE) && strcmp(side, v->vantage)) {
        put(t, "; also seen at %s (the %s's side", side, who(v));
        if (v->has_side_hops)
            put(t, ", %d hop%s nearer", v->side_hops, abs(v->side_hops) == 1 ? "" : "s");
        clock_note(t, v);
        put(t, ")");
        others -= others > 0;
    } else if (rst_ev_has(v->evidence, RST_EV_SEEN_AT_SENDER_SIDE)) {
        put(t, "; seen at %s, the %s's side", v->vantage, who(v));
    } else {
        put(t, "; seen at %s", v->vantage);
    }
    if (others)
        put(t, "%s %u other capture point%s", others == v->vantages - 1 ? ", and at" : ", at",
            others, others == 1 ? "" : "s");
}

/* In a single pass later packets are unknown: say where they could matter. */
static void lookahead_note(text *t, const rst_verdict *v)
{
    if (v->whole_capture)
        return;
    if (rst_ev_count(v->signs) == 1 && v->cause != RST_CAUSE_INJECTED &&
        v->cause != RST_CAUSE_SYN_SCAN && v->cause != RST_CAUSE_FIREWALL_REJECT &&
        v->cause != RST_CAUSE_IDLE_TIMEOUT)
        put(t, " (single pass: 1 sign of injection so far; later packets may add more)");
    else if ((v->cause == RST_CAUSE_PORT_CLOSED || v->cause == RST_CAUSE_UNKNOWN) &&
             !v->has_host_ttl_delta)
        put(t, " (single pass: no TTL baseline for the sender yet)");
}

char *rst_summary(const rst_verdict *v, const rst_facts *f, char *buf, size_t size)
{
    text t = { buf, size, 0, 0 };

    if (size == 0)
        return buf;
    buf[0] = '\0';
    put(&t, "%s: ", rst_cause_title(v->cause));
    what_happened(&t, v, f);
    vantage_note(&t, v);
    measurements(&t, v);
    explicit_reason(&t, v, f);
    lookahead_note(&t, v);
    return buf;
}

char *rst_summary_fit(const char *summary, char *buf, size_t size)
{
    static const char ellipsis[] = "\xe2\x80\xa6";     /* U+2026 */
    size_t len = strlen(summary), cut;

    if (size == 0)
        return buf;
    if (len < size) {
        memcpy(buf, summary, len + 1);
        return buf;
    }
    if (size < sizeof(ellipsis)) {
        buf[0] = '\0';
        return buf;
    }
    /* The last clause boundary that leaves room for the ellipsis. */
    for (cut = size - sizeof(ellipsis); cut > 0; cut--)
        if ((summary[cut] == ';' || summary[cut] == ',') && summary[cut + 1] == ' ')
            break;
    if (cut == 0)               /* one long clause: cut between UTF-8 characters */
        for (cut = size - sizeof(ellipsis); cut > 0 && (summary[cut] & 0xC0) == 0x80; cut--)
            ;
    memcpy(buf, summary, cut);
    memcpy(buf + cut, ellipsis, sizeof(ellipsis));
    return buf;
}

void rst_summary_note_copy(char *summary, size_t size, uint32_t first_frame)
{
    text t = { summary, size, strlen(summary), 1 };

    put(&t, "; a second copy of frame %u on the same interface (seen again after a "
        "forwarding hop), not another RST", first_frame);
}
