/* rst-decide.c
 * The diagnosis rules of the field contract (README.md, "Causes"), applied to
 * a RST's facts.  Evidence is gathered first, as facts anyone can check in
 * the packet list; the cause is then the most specific pattern those facts
 * fit (the contract's precedence order).  The shapes the conversation alone
 * tells were measured on the first pass (rst-measure.c); what is weighed
 * here depends on preferences, on the sender address's baselines or on
 * later packets.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-decide.h"

#include <stdlib.h>
#include <string.h>

static bool has(const rst_facts *f, uint32_t bits)
{
    return rst_facts_has(f, bits);
}

static bool trigger_is(const rst_facts *f, uint16_t set, uint16_t clear)
{
    return has(f, RST_F_HAS_TRIGGER) && (f->trigger_flags & set) == set &&
           !(f->trigger_flags & clear);
}

/* The trigger is a SYN without ACK: the RST refuses it. */
static bool answers_syn(const rst_facts *f)
{
    return trigger_is(f, RST_TCP_SYN, RST_TCP_ACK);
}

static bool after_synack(const rst_facts *f)
{
    return trigger_is(f, RST_TCP_SYN | RST_TCP_ACK, 0);
}

/* The RST answers a recent segment of its peer (rst_conv_find_answer). */
static bool answers_segment(const rst_facts *f)
{
    return f->answer_kind != RST_ANSWER_NONE;
}

/* --- measurements ------------------------------------------------------ */

static void measure_ttl(const rst_facts *f, const rst_context *ctx, rst_verdict *v)
{
    if (!has(f, RST_F_HAS_TTL))
        return;
    v->ttl = f->ttl;
    if (has(f, RST_F_HAS_SENDER_TTL)) {
        v->has_ttl_delta = true;
        v->ttl_delta = (int32_t)f->ttl - f->sender_last_ttl;
        v->sender_last_ttl = f->sender_last_ttl;
    }
    if (ctx->has_host_ttl) {
        v->has_host_ttl_delta = true;
        v->host_ttl_delta = (int32_t)f->ttl - ctx->host_ttl;
        v->host_usual_ttl = ctx->host_ttl;
    }
}

static void measure_seq(const rst_facts *f, rst_verdict *v)
{
    static const rst_evidence tag[] = {
        [RST_SEQ_EXACT] = RST_EV_SEQ_EXACT,
        [RST_SEQ_IN_WINDOW] = RST_EV_SEQ_IN_WINDOW,
        [RST_SEQ_OUT_OF_WINDOW] = RST_EV_SEQ_OUT_OF_WINDOW,
    };

    if (f->seq_class == RST_SEQ_UNKNOWN)
        return;
    v->has_seq_delta = true;
    v->seq_delta = f->seq_delta;
    rst_ev_add(&v->evidence, tag[f->seq_class]);
}

/* Idle timers fire a little early or late (jitter, coarse timer wheels,
 * keep-alive rounding): a gap within a tenth below the threshold is the same
 * timeout, so two connections reset at 59.9 s and 60.4 s get one cause. */
static int64_t idle_band_start(const rst_prefs *prefs)
{
    return (int64_t)prefs->idle_threshold_s * RST_NS_PER_S / 10 * 9;
}

static void measure_time(const rst_facts *f, const rst_prefs *prefs, rst_verdict *v)
{
    if (!has(f, RST_F_HAS_IDLE))
        return;
    v->has_idle = true;
    v->idle_ns = f->idle_ns;
    if (v->idle_ns >= idle_band_start(prefs))
        rst_ev_add(&v->evidence, RST_EV_IDLE);
}

/* A kernel-shaped answer a hop or two off after a long silence is the
 * sender's own: its path changed, or another member of its load-balanced or
 * anycast pool answered (RST_F_ROUTE_MAY_DRIFT). */
#define ROUTE_DRIFT_HOPS 2

static bool drifted_answer(const rst_facts *f, const rst_verdict *v)
{
    return has(f, RST_F_ROUTE_MAY_DRIFT) && v->has_ttl_delta &&
           abs(v->ttl_delta) <= ROUTE_DRIFT_HOPS;
}

/* Load-balanced, anycast and ECMP senders arrive with two or three TTLs of
 * their own: a TTL the sender itself used is no mismatch. */
static bool ttl_differs(const rst_facts *f, const rst_context *ctx, const rst_verdict *v,
                        const rst_prefs *prefs)
{
    if (has(f, RST_F_SENDER_USED_TTL) || ctx->host_used_ttl || drifted_answer(f, v))
        return false;
    if (v->has_ttl_delta)
        return (uint32_t)abs(v->ttl_delta) > prefs->ttl_tolerance;
    if (v->has_host_ttl_delta)
        return (uint32_t)abs(v->host_ttl_delta) > prefs->ttl_tolerance;
    return false;
}

static bool host_ttl_differs(const rst_context *ctx, const rst_verdict *v,
                             const rst_prefs *prefs)
{
    return v->has_host_ttl_delta && !ctx->host_used_ttl &&
           (uint32_t)abs(v->host_ttl_delta) > prefs->ttl_tolerance;
}

static bool within_time_wait(const rst_facts *f, const rst_prefs *prefs)
{
    int64_t since;

    if (!has(f, RST_F_AFTER_FIN_CLOSE) || !f->extra)
        return false;
    since = f->extra->since_prev_end_ns;
    /* Time running backwards (concatenated captures) proves nothing. */
    return since >= 0 && since <= (int64_t)prefs->time_wait_s * RST_NS_PER_S;
}

static bool keepalives_unanswered(const rst_facts *f, const rst_prefs *prefs)
{
    return prefs->keepalive_probes > 0 && f->keepalive_run >= prefs->keepalive_probes;
}

/* --- injection -------------------------------------------------------- */

/* A RST that answers a segment faster than half the sender's handshake round
 * trip cannot come from the sender (GFW 2023: 8 ms vs 248 ms).  Only a RST
 * that shows what it answers is timed (the ACK of its trigger, or the
 * trigger's ACK as its seq), from the earliest segment it could answer: a
 * reset sent independently crosses the peer's latest packets at any time.
 * The round trip must be one to trust (rst-hosts: a clean handshake, or
 * several that agree); sub-2 ms paths are too short to judge. */
#define TOO_EARLY_MIN_RTT_NS (2 * RST_NS_PER_MS)

bool rst_too_early(const rst_facts *f, bool has_rtt, int64_t rtt_ns, bool stable)
{
    if (!has_rtt || !stable || rtt_ns < TOO_EARLY_MIN_RTT_NS || !answers_segment(f))
        return false;
    return f->answer_latency_ns >= 0 && f->answer_latency_ns * 2 < rtt_ns;
}

/* Independent signs that a device forged the RST in the claimed sender's
 * name (Weaver, Sommer, Paxson 2009: prefer a missed injection to a false
 * alarm, so the verdict needs two).  A refusal of a SYN by a sender that
 * never accepted the connection is judged only by the signs a firewall
 * reject cannot also show: a firewall is nearer and builds its own RST.
 * Returns the evidence tags counted, each a phrase in the summary. */
#define EV_BIT(ev) (1u << (ev))

static rst_evidence_set injection_signs(const rst_facts *f, const rst_verdict *v)
{
    const rst_evidence_set always = EV_BIT(RST_EV_TTL_MISMATCH) | EV_BIT(RST_EV_DATA_AFTER_RST) |
                                    EV_BIT(RST_EV_RST_BURST);
    const rst_evidence_set unless_refusal = EV_BIT(RST_EV_NO_ACK) | EV_BIT(RST_EV_TOO_EARLY) |
                                            EV_BIT(RST_EV_IPID_MISMATCH) |
                                            EV_BIT(RST_EV_ABSENT_AT_SENDER_SIDE);
    bool refusal = answers_syn(f) && !has(f, RST_F_SENDER_ACCEPTED);
    rst_evidence_set signs = v->evidence & (always | (refusal ? 0 : unless_refusal));

    /* An answered RFC 5961 challenge is no burst; a RST without ACK is a
     * sign only where the sender's own stack would have set it. */
    if (rst_ev_has(v->evidence, RST_EV_CHALLENGE_ACK))
        signs &= ~EV_BIT(RST_EV_RST_BURST);
    if (!has(f, RST_F_ACK_MISSING))
        signs &= ~EV_BIT(RST_EV_NO_ACK);
    return signs;
}

/* The client is scanning its server: its SYN was crafted (a half-open
 * scanner's), or it reached several ports of that server in vain. */
#define SCAN_PORTS_MIN 4

static bool scanner(const rst_facts *f, const rst_context *ctx)
{
    return f->sender != RST_SENDER_UNKNOWN &&
           (has(f, RST_F_CLIENT_BARE_SYN) || ctx->scan_ports >= SCAN_PORTS_MIN);
}

/* Evidence that the facts carry as they are. */
static void add_fact_evidence(const rst_facts *f, rst_verdict *v)
{
    static const struct {
        uint32_t bits;
        rst_evidence ev;
    } direct[] = {
        { RST_F_IPID_OUT_OF_STEP, RST_EV_IPID_MISMATCH },
        { RST_F_CHALLENGE_ACK, RST_EV_CHALLENGE_ACK },
        { RST_F_ANY_FIN, RST_EV_AFTER_FIN },
        { RST_F_REUSED, RST_EV_REUSED_TUPLE },
        { RST_F_BURST_PREV, RST_EV_RST_BURST },
    };

    for (size_t i = 0; i < sizeof(direct) / sizeof(direct[0]); i++)
        if (has(f, direct[i].bits))
            rst_ev_add(&v->evidence, direct[i].ev);
}

static void gather_evidence(const rst_facts *f, const rst_context *ctx,
                            const rst_prefs *prefs, rst_verdict *v)
{
    bool quiet = !has(f, RST_F_ANY_DATA) && !has(f, RST_F_ANY_FIN);

    measure_ttl(f, ctx, v);
    measure_seq(f, v);
    measure_time(f, prefs, v);
    add_fact_evidence(f, v);
    if (answers_syn(f))
        rst_ev_add(&v->evidence, RST_EV_ANSWERS_SYN);
    if (after_synack(f))
        rst_ev_add(&v->evidence, RST_EV_AFTER_SYNACK);
    if (has(f, RST_F_HANDSHAKE_DONE) && quiet)
        rst_ev_add(&v->evidence, RST_EV_AFTER_HANDSHAKE);
    if (!(f->flags & RST_TCP_ACK))
        rst_ev_add(&v->evidence, RST_EV_NO_ACK);
    if (ttl_differs(f, ctx, v, prefs))
        rst_ev_add(&v->evidence, RST_EV_TTL_MISMATCH);
    if (answers_segment(f) && !has(f, RST_F_ANSWER_LATEST))
        rst_ev_add(&v->evidence, RST_EV_ANSWERS_INFLIGHT);
    if (quiet && scanner(f, ctx))
        rst_ev_add(&v->evidence, RST_EV_SCANNER);
    if (has(f, RST_F_HAS_IPID) && f->ipid == 0)
        rst_ev_add(&v->evidence, RST_EV_IPID_ZERO);
    if (f->retrans_run > 0)
        rst_ev_add(&v->evidence, RST_EV_RETRANSMISSIONS);
    if (answers_syn(f) && (f->trigger_flags & (RST_TCP_FIN | RST_TCP_RST | RST_TCP_URG)))
        rst_ev_add(&v->evidence, RST_EV_BAD_SYN_FLAGS);
    if (ctx->talk_after > 0)
        rst_ev_add(&v->evidence, RST_EV_DATA_AFTER_RST);
    if (ctx->burst_next > 0)
        rst_ev_add(&v->evidence, RST_EV_RST_BURST);
    if (keepalives_unanswered(f, prefs))
        rst_ev_add(&v->evidence, RST_EV_IDLE);
    if (ctx->too_early)
        rst_ev_add(&v->evidence, RST_EV_TOO_EARLY);
    if (ctx->sender_side == RST_SIDE_ABSENT)
        rst_ev_add(&v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE);
    else if (ctx->sender_side == RST_SIDE_SEEN)
        rst_ev_add(&v->evidence, RST_EV_SEEN_AT_SENDER_SIDE);
}

/* --- causes ------------------------------------------------------------ */

/* A RST refusing a SYN: which kind of refusal. */
static rst_cause refusal_cause(const rst_facts *f, const rst_context *ctx,
                               const rst_prefs *prefs, const rst_verdict *v)
{
    if (rst_ev_has(v->evidence, RST_EV_BAD_SYN_FLAGS))
        return RST_CAUSE_BAD_SYN;
    if (within_time_wait(f, prefs))
        return RST_CAUSE_TIME_WAIT;
    if (has(f, RST_F_SENDER_ACCEPTED))
        return RST_CAUSE_UNKNOWN;       /* it had accepted this connection */
    if (host_ttl_differs(ctx, v, prefs) || rst_ev_has(v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE))
        return RST_CAUSE_FIREWALL_REJECT;
    if (f->flags & RST_TCP_ACK)
        return RST_CAUSE_PORT_CLOSED;
    return RST_CAUSE_UNKNOWN;
}

/* A reset SYN/ACK alone is also what connection racing gives (happy
 * eyeballs, pre-connect: the late attempt's socket is gone), so a half-open
 * scan needs a client that behaves as a scanner. */
static bool syn_scan_reset(const rst_facts *f, const rst_verdict *v)
{
    return has(f, RST_F_SYN_SCAN) && rst_ev_has(v->evidence, RST_EV_SCANNER);
}

static bool connect_scan_reset(const rst_facts *f, const rst_verdict *v)
{
    return v->sender == RST_SENDER_CLIENT && rst_ev_has(v->evidence, RST_EV_AFTER_HANDSHAKE) &&
           (f->flags & RST_TCP_ACK);
}

/* Not when the TTL says that another device built the RST. */
static bool overflow_reset(const rst_facts *f, const rst_verdict *v)
{
    return has(f, RST_F_OVERFLOW) && !rst_ev_has(v->evidence, RST_EV_TTL_MISMATCH);
}

/* The connection can be told from one that a device or stack gave up on. */
static bool endpoint_abort(const rst_facts *f, const rst_verdict *v)
{
    return (f->flags & RST_TCP_ACK) && v->origin != RST_ORIGIN_MIDDLEBOX &&
           has(f, RST_F_SENDER_SYNCED);
}

static rst_cause heuristic_cause(const rst_facts *f, const rst_context *ctx,
                                 const rst_prefs *prefs, const rst_verdict *v)
{
    rst_cause refusal;

    if (rst_ev_has(v->evidence, RST_EV_IDLE))
        return RST_CAUSE_IDLE_TIMEOUT;  /* idle-timeout over injected */
    if (rst_ev_count(v->signs) >= 2)
        return RST_CAUSE_INJECTED;
    if (rst_ev_has(v->evidence, RST_EV_ANSWERS_SYN) &&
        (refusal = refusal_cause(f, ctx, prefs, v)) != RST_CAUSE_UNKNOWN)
        return refusal;
    if (has(f, RST_F_STALE_ACK))
        return RST_CAUSE_TIME_WAIT;
    if (syn_scan_reset(f, v))
        return RST_CAUSE_SYN_SCAN;
    if (has(f, RST_F_STEALTH_SCAN))
        return RST_CAUSE_STEALTH_SCAN;
    if (connect_scan_reset(f, v))
        return RST_CAUSE_CONNECT_SCAN;
    if (overflow_reset(f, v))
        return RST_CAUSE_LISTEN_OVERFLOW;
    if (has(f, RST_F_DATA_AFTER_CLOSE))
        return RST_CAUSE_DATA_AFTER_CLOSE;
    if (f->retrans_run >= prefs->retrans_limit && prefs->retrans_limit > 0)
        return RST_CAUSE_RETRANSMISSION_LIMIT;
    if (has(f, RST_F_NO_SOCKET))
        return RST_CAUSE_NO_SOCKET;
    if (has(f, RST_F_ANY_FIN | RST_F_PEER_LAST_EMPTY) && endpoint_abort(f, v))
        return RST_CAUSE_FAST_CLOSE;
    if (endpoint_abort(f, v))
        return RST_CAUSE_ABORT;
    return RST_CAUSE_UNKNOWN;
}

/* Who built the RST: TTL, IP ID and timing against the claimed sender's own
 * packets; an explicit vendor code is a device's own word; a RST that the
 * sender's own side of the path never saw leave was born beyond it. */
static rst_origin origin_of(const rst_verdict *v)
{
    if (v->cause == RST_CAUSE_FIREWALL_REJECT || rst_ev_has(v->evidence, RST_EV_TTL_MISMATCH) ||
        rst_ev_has(v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE) ||
        rst_ev_has(v->evidence, RST_EV_TOO_EARLY) || rst_ev_has(v->evidence, RST_EV_VENDOR_CODE))
        return RST_ORIGIN_MIDDLEBOX;
    if (v->has_ttl_delta || v->has_host_ttl_delta)
        return RST_ORIGIN_ENDPOINT;
    return RST_ORIGIN_UNKNOWN;
}

/* An explicit reason (decoded once, rst-measure.c) beats every heuristic. */
static bool explicit_cause(const rst_facts *f, rst_verdict *v)
{
    const rst_reason *reason = f->extra ? &f->extra->reason : NULL;

    if (!reason)
        return false;
    v->reason_kind = (uint8_t)reason->kind;
    v->reason_meaning = reason->meaning;
    switch (reason->kind) {
    case RST_REASON_DIAGNOSTIC:
        rst_ev_add(&v->evidence, RST_EV_REASON_CODE);
        break;
    case RST_REASON_NETSCALER:
        rst_ev_add(&v->evidence, RST_EV_VENDOR_CODE);
        break;
    case RST_REASON_TEXT:
        if (reason->cause != RST_CAUSE_UNKNOWN)
            rst_ev_add(&v->evidence, RST_EV_VENDOR_CODE);
        break;
    default:
        return false;
    }
    if (reason->kind != RST_REASON_TEXT) {
        v->has_reason_code = true;
        v->reason_code = reason->code;
    }
    if (reason->cause == RST_CAUSE_UNKNOWN)
        return false;
    v->cause = reason->cause;
    return true;
}

void rst_decide(const rst_facts *f, const rst_context *ctx, const rst_prefs *prefs,
                rst_verdict *out)
{
    bool explicit_reason;

    memset(out, 0, sizeof(*out));
    out->sender = (rst_sender)f->sender;
    out->phase = (rst_phase)f->phase;
    out->whole_capture = ctx->whole_capture;
    out->rst_count = ctx->rst_count;
    out->data_after = ctx->data_after;
    out->retransmissions = f->retrans_run;
    out->scan_ports = ctx->scan_ports;
    out->has_trigger = answers_segment(f) || has(f, RST_F_HAS_TRIGGER);
    out->trigger = f->trigger;
    gather_evidence(f, ctx, prefs, out);
    out->signs = injection_signs(f, out);
    explicit_reason = explicit_cause(f, out);
    out->origin = origin_of(out);
    if (!explicit_reason)
        out->cause = heuristic_cause(f, ctx, prefs, out);
    /* The claimed sender kept talking: whatever the pattern, this RST did not
     * end its connection, and one sign is too few to call it forged. */
    if (!explicit_reason && rst_ev_has(out->evidence, RST_EV_DATA_AFTER_RST) &&
        out->cause != RST_CAUSE_INJECTED && out->cause != RST_CAUSE_IDLE_TIMEOUT)
        out->cause = RST_CAUSE_UNKNOWN;
    if (out->cause == RST_CAUSE_FIREWALL_REJECT)
        out->origin = RST_ORIGIN_MIDDLEBOX;
    /* A half-open scanner crafts its SYNs (nmap picks random TTLs) and its
     * kernel answers the SYN/ACK: the TTL says nothing about another device. */
    if (out->cause == RST_CAUSE_SYN_SCAN &&
        !rst_ev_has(out->evidence, RST_EV_ABSENT_AT_SENDER_SIDE))
        out->origin = RST_ORIGIN_ENDPOINT;
}
