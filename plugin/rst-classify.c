/* rst-classify.c
 * The diagnosis rules of ../shared/contract.md.  Evidence is gathered first,
 * as facts anyone can check in the packet list; the cause is then the most
 * specific pattern those facts fit (the contract's precedence order).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-classify.h"

#include "rst-reason.h"
#include "rst-seq.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000LL

/* The RST and its surroundings, derived once. */
typedef struct {
    const rst_record *rec;
    const rst_flow *s;          /* claimed sender, before the RST */
    const rst_flow *p;          /* peer, before the RST */
    uint16_t flags;             /* the RST's flags */
    uint16_t tflags;            /* the trigger's flags */
    bool     has_trigger;
    bool     any_data, any_fin;
    bool     handshake_done;    /* server sent SYN/ACK, client ACKed after it */
} rst_scene;

static bool flow_has(const rst_flow *flow, uint16_t bits)
{
    return (flow->state & bits) == bits;
}

static void build_scene(const rst_record *rec, rst_scene *sc)
{
    const rst_flow *client, *server;

    memset(sc, 0, sizeof(*sc));
    sc->rec = rec;
    sc->s = &rec->sender;
    sc->p = &rec->peer;
    sc->flags = rec->rst.flags;
    sc->has_trigger = flow_has(sc->p, RST_FLOW_SEEN);
    sc->tflags = sc->has_trigger ? sc->p->last_flags : 0;
    sc->any_data = ((sc->s->state | sc->p->state) & RST_FLOW_DATA) != 0;
    sc->any_fin = ((sc->s->state | sc->p->state) & RST_FLOW_FIN) != 0;
    if (rec->client_dir >= 0) {
        client = rec->client_dir == rec->sender_dir ? sc->s : sc->p;
        server = client == sc->s ? sc->p : sc->s;
        sc->handshake_done = flow_has(server, RST_FLOW_SYNACK) && flow_has(client, RST_FLOW_ACKED);
    }
}

static rst_sender sender_role(const rst_record *rec)
{
    if (rec->client_dir < 0)
        return RST_SENDER_UNKNOWN;
    return rec->client_dir == rec->sender_dir ? RST_SENDER_CLIENT : RST_SENDER_SERVER;
}

static rst_phase phase_of(const rst_scene *sc)
{
    if (sc->any_fin)
        return RST_PHASE_TEARDOWN;
    if (sc->any_data)
        return RST_PHASE_DATA;
    if (flow_has(sc->s, RST_FLOW_SEEN) || sc->has_trigger)
        return RST_PHASE_HANDSHAKE;
    return RST_PHASE_UNKNOWN;
}

static bool trigger_is(const rst_scene *sc, uint16_t set, uint16_t clear)
{
    return sc->has_trigger && (sc->tflags & set) == set && !(sc->tflags & clear);
}

/* The peer's latest segment is a SYN without ACK: the RST refuses it. */
static bool answers_syn(const rst_scene *sc)
{
    return trigger_is(sc, RST_TCP_SYN, RST_TCP_ACK);
}

static bool after_synack(const rst_scene *sc)
{
    return trigger_is(sc, RST_TCP_SYN | RST_TCP_ACK, 0);
}

/* --- measurements ------------------------------------------------------ */

static void measure_ttl(const rst_scene *sc, const rst_context *ctx, rst_verdict *v)
{
    const rst_segment *rst = &sc->rec->rst;

    if (!rst->has_ttl)
        return;
    v->ttl = rst->ttl;
    if (flow_has(sc->s, RST_FLOW_TTL)) {
        v->has_ttl_delta = true;
        v->ttl_delta = (int32_t)rst->ttl - sc->s->last_ttl;
        v->sender_last_ttl = sc->s->last_ttl;
    }
    if (ctx->has_host_ttl) {
        v->has_host_ttl_delta = true;
        v->host_ttl_delta = (int32_t)rst->ttl - ctx->host_ttl;
        v->host_usual_ttl = ctx->host_ttl;
    }
}

/* The sequence number the RST's receiver expects next from its sender. */
static bool expected_seq(const rst_scene *sc, uint32_t *seq)
{
    bool own = flow_has(sc->s, RST_FLOW_NEXT_SEQ);
    bool acked = flow_has(sc->p, RST_FLOW_ACK_SENT);

    if (own && acked)
        *seq = rst_seq_max(sc->s->next_seq, sc->p->acked);
    else if (own)
        *seq = sc->s->next_seq;
    else if (acked)
        *seq = sc->p->acked;
    return own || acked;
}

static void measure_seq(const rst_scene *sc, rst_verdict *v)
{
    uint32_t expected;
    int32_t d;

    if (!expected_seq(sc, &expected))
        return;
    d = rst_seq_diff(sc->rec->rst.seq, expected);
    v->has_seq_delta = true;
    v->seq_delta = d;
    if (d == 0)
        rst_ev_add(&v->evidence, RST_EV_SEQ_EXACT);
    /* -1 is the FIN's own number, which Linux accepts in CLOSE_WAIT/LAST_ACK. */
    else if (d == -1 || (d > 0 && (uint32_t)d < (sc->p->window ? sc->p->window : 1)))
        rst_ev_add(&v->evidence, RST_EV_SEQ_IN_WINDOW);
    else
        rst_ev_add(&v->evidence, RST_EV_SEQ_OUT_OF_WINDOW);
}

static void measure_time(const rst_scene *sc, const rst_prefs *prefs, rst_verdict *v)
{
    const rst_record *rec = sc->rec;

    if (!rec->has_prev_ts)
        return;
    v->has_idle = true;
    /* Capture timestamps can run backwards; an idle time cannot. */
    v->idle_ns = rec->rst.ts_ns > rec->prev_ts ? rec->rst.ts_ns - rec->prev_ts : 0;
    if (v->idle_ns >= (int64_t)prefs->idle_threshold_s * NS_PER_S)
        rst_ev_add(&v->evidence, RST_EV_IDLE);
}

static bool ttl_differs(const rst_verdict *v, const rst_prefs *prefs)
{
    if (v->has_ttl_delta)
        return (uint32_t)abs(v->ttl_delta) > prefs->ttl_tolerance;
    if (v->has_host_ttl_delta)
        return (uint32_t)abs(v->host_ttl_delta) > prefs->ttl_tolerance;
    return false;
}

static bool host_ttl_differs(const rst_verdict *v, const rst_prefs *prefs)
{
    return v->has_host_ttl_delta && (uint32_t)abs(v->host_ttl_delta) > prefs->ttl_tolerance;
}

static bool within_time_wait(const rst_record *rec, const rst_prefs *prefs)
{
    int64_t since = rec->rst.ts_ns - rec->prev_end_ts;

    /* Time running backwards (concatenated captures) proves nothing. */
    return rec->reused && rec->prev_closed && since >= 0 &&
           since <= (int64_t)prefs->time_wait_s * NS_PER_S;
}

/* A live socket's RST continues its IP ID counter; a jump away from a counter
 * that moved in small steps says another device built it.  IP ID 0 is the
 * Linux control socket's passive reset, a stack, not a forger. */
static bool ipid_out_of_step(const rst_scene *sc)
{
    const rst_segment *rst = &sc->rec->rst;
    uint16_t step;

    if (!rst->has_ipid || rst->ipid == 0 || !flow_has(sc->s, RST_FLOW_IPID | RST_FLOW_IPID_STEP))
        return false;
    step = (uint16_t)(rst->ipid - sc->s->last_ipid);
    return step == 0 || step > 1024;
}

/* RFC 5961: an inexact RST drew a challenge ACK, and this RST carries the
 * sequence number that ACK asked for: legitimate, not a burst. */
static bool answers_challenge_ack(const rst_scene *sc)
{
    return sc->s->rst_frame != 0 && sc->p->last_frame > sc->s->rst_frame &&
           trigger_is(sc, RST_TCP_ACK, RST_TCP_SYN | RST_TCP_FIN | RST_TCP_RST) &&
           sc->p->last_len == 0 && sc->rec->rst.seq == sc->p->last_ack &&
           sc->s->rst_seq != sc->p->last_ack;
}

static bool keepalives_unanswered(const rst_scene *sc, const rst_prefs *prefs)
{
    return prefs->keepalive_probes > 0 && sc->s->keepalive_run >= prefs->keepalive_probes;
}

static void gather_evidence(const rst_scene *sc, const rst_context *ctx,
                            const rst_prefs *prefs, rst_verdict *v)
{
    const rst_record *rec = sc->rec;

    measure_ttl(sc, ctx, v);
    measure_seq(sc, v);
    measure_time(sc, prefs, v);
    if (answers_syn(sc))
        rst_ev_add(&v->evidence, RST_EV_ANSWERS_SYN);
    if (after_synack(sc))
        rst_ev_add(&v->evidence, RST_EV_AFTER_SYNACK);
    if (sc->handshake_done && !sc->any_data && !sc->any_fin)
        rst_ev_add(&v->evidence, RST_EV_AFTER_HANDSHAKE);
    if (!(sc->flags & RST_TCP_ACK))
        rst_ev_add(&v->evidence, RST_EV_NO_ACK);
    if (ttl_differs(v, prefs))
        rst_ev_add(&v->evidence, RST_EV_TTL_MISMATCH);
    if (rec->rst.has_ipid && rec->rst.ipid == 0)
        rst_ev_add(&v->evidence, RST_EV_IPID_ZERO);
    if (sc->s->retrans_run > 0)
        rst_ev_add(&v->evidence, RST_EV_RETRANSMISSIONS);
    if (sc->any_fin)
        rst_ev_add(&v->evidence, RST_EV_AFTER_FIN);
    if (rec->reused)
        rst_ev_add(&v->evidence, RST_EV_REUSED_TUPLE);
    if (answers_syn(sc) && (sc->tflags & (RST_TCP_FIN | RST_TCP_RST | RST_TCP_URG)))
        rst_ev_add(&v->evidence, RST_EV_BAD_SYN_FLAGS);
    if (ipid_out_of_step(sc))
        rst_ev_add(&v->evidence, RST_EV_IPID_MISMATCH);
    if (ctx->talk_after > 0)
        rst_ev_add(&v->evidence, RST_EV_DATA_AFTER_RST);
    if (sc->rec->burst_prev || ctx->burst_next > 0)
        rst_ev_add(&v->evidence, RST_EV_RST_BURST);
    if (answers_challenge_ack(sc))
        rst_ev_add(&v->evidence, RST_EV_CHALLENGE_ACK);
    if (keepalives_unanswered(sc, prefs))
        rst_ev_add(&v->evidence, RST_EV_IDLE);
    if (ctx->sender_side == RST_SIDE_ABSENT)
        rst_ev_add(&v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE);
    else if (ctx->sender_side == RST_SIDE_SEEN)
        rst_ev_add(&v->evidence, RST_EV_SEEN_AT_SENDER_SIDE);
}

/* --- injection -------------------------------------------------------- */

/* The textbook passive reset (RFC 793): no ACK flag, seq = the trigger's ACK. */
static bool passive_shape(const rst_scene *sc)
{
    return !(sc->flags & RST_TCP_ACK) && trigger_is(sc, RST_TCP_ACK, RST_TCP_RST) &&
           sc->rec->rst.seq == sc->p->last_ack;
}

/* The sender had a synchronized connection, so its own stack would set ACK
 * (Linux tcp_send_active_reset, Windows) unless it answers in passive form. */
static bool ack_missing(const rst_scene *sc)
{
    return !(sc->flags & RST_TCP_ACK) && flow_has(sc->s, RST_FLOW_SEEN) &&
           (sc->s->state & (RST_FLOW_SYNACK | RST_FLOW_ACKED)) && !passive_shape(sc);
}

/* A RST that answers its trigger faster than half the sender's shortest
 * handshake round trip cannot come from the sender (GFW 2023: 8 ms vs 248 ms).
 * Sub-2 ms paths are too short to judge. */
static bool too_early(const rst_scene *sc, const rst_context *ctx)
{
    int64_t latency;

    if (!ctx->has_rtt || ctx->rtt_ns < 2000000 || !sc->has_trigger)
        return false;
    latency = sc->rec->rst.ts_ns - sc->p->last_ts;
    return latency >= 0 && latency * 2 < ctx->rtt_ns;
}

/* Independent signs that a device forged the RST in the claimed sender's
 * name (Weaver, Sommer, Paxson 2009: prefer a missed injection to a false
 * alarm, so the verdict needs two).  A refusal of a SYN by a sender that
 * never accepted the connection is judged only by the signs a firewall
 * reject cannot also show: a firewall is nearer and builds its own RST. */
static unsigned injection_signs(const rst_scene *sc, const rst_context *ctx, const rst_verdict *v)
{
    bool refusal = answers_syn(sc) && !flow_has(sc->s, RST_FLOW_SYNACK);
    unsigned n = 0;

    n += rst_ev_has(v->evidence, RST_EV_TTL_MISMATCH);
    n += rst_ev_has(v->evidence, RST_EV_DATA_AFTER_RST);
    n += rst_ev_has(v->evidence, RST_EV_RST_BURST) && !rst_ev_has(v->evidence, RST_EV_CHALLENGE_ACK);
    if (!refusal) {
        n += ack_missing(sc);
        n += too_early(sc, ctx);
        n += rst_ev_has(v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE);
    }
    return n;
}

/* --- causes ------------------------------------------------------------ */

/* A RST refusing a SYN: which kind of refusal. */
static rst_cause refusal_cause(const rst_scene *sc, const rst_prefs *prefs, const rst_verdict *v)
{
    if (rst_ev_has(v->evidence, RST_EV_BAD_SYN_FLAGS))
        return RST_CAUSE_BAD_SYN;
    if (within_time_wait(sc->rec, prefs))
        return RST_CAUSE_TIME_WAIT;
    if (flow_has(sc->s, RST_FLOW_SYNACK))
        return RST_CAUSE_UNKNOWN;       /* it had accepted this connection */
    if (host_ttl_differs(v, prefs) || rst_ev_has(v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE))
        return RST_CAUSE_FIREWALL_REJECT;
    if (sc->flags & RST_TCP_ACK)
        return RST_CAUSE_PORT_CLOSED;
    return RST_CAUSE_UNKNOWN;
}

/* Linux TIME_WAIT: the reused SYN drew a stale bare ACK (not acknowledging
 * it), and the client's SYN-SENT socket reset that ACK: <SEQ=SEG.ACK><RST>. */
static bool stale_ack_reset(const rst_scene *sc, rst_sender sender)
{
    const rst_flow *client = sc->s, *server = sc->p;

    return sender == RST_SENDER_CLIENT && sc->rec->reused && !(sc->flags & RST_TCP_ACK) &&
           flow_has(client, RST_FLOW_SYN) && !flow_has(server, RST_FLOW_SYNACK) &&
           trigger_is(sc, RST_TCP_ACK, RST_TCP_SYN | RST_TCP_RST) &&
           server->last_ack != client->syn_seq + 1 && sc->rec->rst.seq == server->last_ack;
}

static bool syn_scan_reset(const rst_scene *sc, rst_sender sender)
{
    return sender == RST_SENDER_CLIENT && after_synack(sc) &&
           !flow_has(sc->s, RST_FLOW_ACKED) && !(sc->flags & RST_TCP_ACK);
}

static bool connect_scan_reset(const rst_scene *sc, rst_sender sender, const rst_verdict *v)
{
    return sender == RST_SENDER_CLIENT && rst_ev_has(v->evidence, RST_EV_AFTER_HANDSHAKE) &&
           (sc->flags & RST_TCP_ACK);
}

/* Server reset right after the client's ACK or first data, having sent no
 * data: a full accept queue with tcp_abort_on_overflow (passive form), or a
 * refusal after SYN/ACK retransmissions.  Not when the client had reset the
 * connection before (the server merely lost it), nor when the TTL says that
 * another device built the RST. */
static bool overflow_reset(const rst_scene *sc, rst_sender sender, const rst_verdict *v)
{
    return sender == RST_SENDER_SERVER && sc->handshake_done &&
           !rst_ev_has(v->evidence, RST_EV_TTL_MISMATCH) &&
           !flow_has(sc->s, RST_FLOW_DATA) && !sc->any_fin && !flow_has(sc->p, RST_FLOW_RST) &&
           trigger_is(sc, RST_TCP_ACK, RST_TCP_SYN | RST_TCP_RST | RST_TCP_FIN) &&
           (passive_shape(sc) || sc->s->retrans_run > 0);
}

/* The sender had closed its side (FIN) and the peer still sent data. */
static bool data_after_close_reset(const rst_scene *sc)
{
    return flow_has(sc->s, RST_FLOW_FIN) && sc->has_trigger && sc->p->last_len > 0 &&
           !(sc->tflags & RST_TCP_RST);
}

/* RFC 793 reply of a host without a connection to a segment with ACK. */
static bool no_socket_reset(const rst_scene *sc)
{
    return passive_shape(sc) && !(sc->tflags & RST_TCP_SYN);
}

/* The connection can be told from one that a device or stack gave up on. */
static bool endpoint_abort(const rst_scene *sc, const rst_verdict *v)
{
    return (sc->flags & RST_TCP_ACK) && v->origin != RST_ORIGIN_MIDDLEBOX &&
           (sc->s->state & (RST_FLOW_SYNACK | RST_FLOW_ACKED));
}

static rst_cause heuristic_cause(const rst_scene *sc, const rst_prefs *prefs, const rst_verdict *v)
{
    rst_cause refusal;

    if (rst_ev_has(v->evidence, RST_EV_IDLE))
        return RST_CAUSE_IDLE_TIMEOUT;  /* idle-timeout over injected */
    if (v->injection_signs >= 2)
        return RST_CAUSE_INJECTED;
    if (rst_ev_has(v->evidence, RST_EV_ANSWERS_SYN) &&
        (refusal = refusal_cause(sc, prefs, v)) != RST_CAUSE_UNKNOWN)
        return refusal;
    if (stale_ack_reset(sc, v->sender))
        return RST_CAUSE_TIME_WAIT;
    if (syn_scan_reset(sc, v->sender))
        return RST_CAUSE_SYN_SCAN;
    if (connect_scan_reset(sc, v->sender, v))
        return RST_CAUSE_CONNECT_SCAN;
    if (overflow_reset(sc, v->sender, v))
        return RST_CAUSE_LISTEN_OVERFLOW;
    if (data_after_close_reset(sc))
        return RST_CAUSE_DATA_AFTER_CLOSE;
    if (sc->s->retrans_run >= prefs->retrans_limit && prefs->retrans_limit > 0)
        return RST_CAUSE_RETRANSMISSION_LIMIT;
    if (no_socket_reset(sc))
        return RST_CAUSE_NO_SOCKET;
    if (sc->any_fin && sc->p->last_len == 0 && endpoint_abort(sc, v))
        return RST_CAUSE_FAST_CLOSE;
    if (endpoint_abort(sc, v))
        return RST_CAUSE_ABORT;
    return RST_CAUSE_UNKNOWN;
}

/* Who built the RST: TTL, IP ID and timing against the claimed sender's own
 * packets; an explicit vendor code is a device's own word; a RST that the
 * sender's own side of the path never saw leave was born beyond it. */
static rst_origin origin_of(const rst_scene *sc, const rst_context *ctx, const rst_verdict *v)
{
    if (v->cause == RST_CAUSE_FIREWALL_REJECT || rst_ev_has(v->evidence, RST_EV_TTL_MISMATCH) ||
        rst_ev_has(v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE) ||
        rst_ev_has(v->evidence, RST_EV_IPID_MISMATCH) || too_early(sc, ctx) ||
        rst_ev_has(v->evidence, RST_EV_VENDOR_CODE))
        return RST_ORIGIN_MIDDLEBOX;
    if (v->has_ttl_delta || v->has_host_ttl_delta)
        return RST_ORIGIN_ENDPOINT;
    return RST_ORIGIN_UNKNOWN;
}

/* An explicit reason beats every heuristic. */
static bool explicit_cause(const rst_record *rec, rst_verdict *v)
{
    rst_reason reason;

    rst_reason_decode(&rec->rst, &reason);
    switch (reason.kind) {
    case RST_REASON_DIAGNOSTIC:
        rst_ev_add(&v->evidence, RST_EV_REASON_CODE);
        break;
    case RST_REASON_NETSCALER:
        rst_ev_add(&v->evidence, RST_EV_VENDOR_CODE);
        break;
    case RST_REASON_TEXT:
        if (reason.cause != RST_CAUSE_UNKNOWN)
            rst_ev_add(&v->evidence, RST_EV_VENDOR_CODE);
        break;
    default:
        return false;
    }
    if (reason.kind != RST_REASON_TEXT) {
        v->has_reason_code = true;
        v->reason_code = reason.code;
    }
    if (reason.cause == RST_CAUSE_UNKNOWN)
        return false;
    v->cause = reason.cause;
    return true;
}

void rst_classify(const rst_record *rec, const rst_context *ctx,
                  const rst_prefs *prefs, rst_verdict *out)
{
    rst_scene sc;
    bool explicit_reason;

    memset(out, 0, sizeof(*out));
    build_scene(rec, &sc);
    out->sender = sender_role(rec);
    out->phase = phase_of(&sc);
    out->whole_capture = ctx->whole_capture;
    out->rst_count = ctx->rst_count;
    out->data_after = ctx->data_after;
    out->retransmissions = sc.s->retrans_run;
    if (sc.has_trigger) {
        out->has_trigger = true;
        out->trigger = sc.p->last_frame;
    }
    gather_evidence(&sc, ctx, prefs, out);
    out->injection_signs = injection_signs(&sc, ctx, out);
    explicit_reason = explicit_cause(rec, out);
    out->origin = origin_of(&sc, ctx, out);
    if (!explicit_reason)
        out->cause = heuristic_cause(&sc, prefs, out);
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
