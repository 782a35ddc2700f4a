/* rst-classify.c
 * The diagnosis rules of the field contract (README.md, "Causes").
 * Evidence is gathered first, as facts anyone can check in the packet list;
 * the cause is then the most specific pattern those facts fit (the
 * contract's precedence order).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-classify.h"

#include "rst-reason.h"
#include "rst-seq.h"

#include <stdlib.h>
#include <string.h>

/* The RST and its surroundings, derived once. */
typedef struct {
    const rst_record *rec;
    const rst_flow *s;          /* claimed sender, before the RST */
    const rst_flow *p;          /* peer, before the RST */
    uint16_t flags;             /* the RST's flags */
    uint16_t tflags;            /* the trigger's flags */
    bool     has_trigger;
    const rst_answer *ans;      /* the peer's segment the RST answers (kind NONE: none) */
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
    sc->ans = &rec->answer;
    /* The trigger is the segment the RST answers, else the peer's latest. */
    sc->tflags = sc->ans->kind ? sc->ans->flags : sc->has_trigger ? sc->p->last_flags : 0;
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

/* The RST answers a recent segment of its peer (rst_conv_find_answer). */
static bool answers_segment(const rst_scene *sc)
{
    return sc->ans->kind != RST_ANSWER_NONE;
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

/* Idle timers fire a little early or late (jitter, coarse timer wheels,
 * keep-alive rounding): a gap within a tenth below the threshold is the same
 * timeout, so two connections reset at 59.9 s and 60.4 s get one cause. */
static int64_t idle_band_start(const rst_prefs *prefs)
{
    return (int64_t)prefs->idle_threshold_s * RST_NS_PER_S / 10 * 9;
}

static void measure_time(const rst_scene *sc, const rst_prefs *prefs, rst_verdict *v)
{
    const rst_record *rec = sc->rec;

    if (!rec->has_prev_ts)
        return;
    v->has_idle = true;
    /* Capture timestamps can run backwards; an idle time cannot. */
    v->idle_ns = rec->rst.ts_ns > rec->prev_ts ? rec->rst.ts_ns - rec->prev_ts : 0;
    if (v->idle_ns >= idle_band_start(prefs))
        rst_ev_add(&v->evidence, RST_EV_IDLE);
}

/* After a long silence the path to the sender may have changed, and a
 * load-balanced or anycast address may be answered by another member of its
 * pool: a kernel-shaped answer a hop or two off is then the sender's own. */
#define ROUTE_DRIFT_HOPS 2
#define ROUTE_DRIFT_NS (10 * RST_NS_PER_S)

static bool drifted_answer(const rst_scene *sc, const rst_verdict *v)
{
    return answers_segment(sc) && !answers_syn(sc) && v->has_ttl_delta &&
           abs(v->ttl_delta) <= ROUTE_DRIFT_HOPS &&
           sc->rec->rst.ts_ns - sc->s->last_ts >= ROUTE_DRIFT_NS;
}

/* Load-balanced, anycast and ECMP senders arrive with two or three TTLs of
 * their own: a TTL the sender itself used is no mismatch. */
static bool ttl_differs(const rst_scene *sc, const rst_context *ctx, const rst_verdict *v,
                        const rst_prefs *prefs)
{
    if (sc->rec->sender_used_ttl || ctx->host_used_ttl || drifted_answer(sc, v))
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

static bool within_time_wait(const rst_record *rec, const rst_prefs *prefs)
{
    int64_t since = rec->rst.ts_ns - rec->prev_end_ts;

    /* Time running backwards (concatenated captures) proves nothing. */
    return rec->reused && rec->prev_closed && since >= 0 &&
           since <= (int64_t)prefs->time_wait_s * RST_NS_PER_S;
}

/* A live socket's RST continues its IP ID counter.  The evidence counts only
 * where the sender's own packets made a clear sequence (a run of small steps)
 * and the RST breaks it; and never for a kernel's bare answer to a segment:
 * Linux sends those from its control socket (IP ID 0 or a counter of its
 * own).  Windows and Cisco IOS number everything from a per-host counter that
 * moves with every other connection: its steps are not a clear sequence. */
#define IPID_RUN_MIN 4
#define IPID_STEP_MAX 1024      /* other connections' packets in between, at most */

static bool ipid_out_of_step(const rst_scene *sc)
{
    const rst_segment *rst = &sc->rec->rst;
    uint16_t step;

    if (!rst->has_ipid || rst->ipid == 0 || sc->ans->kind == RST_ANSWER_BARE ||
        !flow_has(sc->s, RST_FLOW_IPID) || sc->s->ipid_run < IPID_RUN_MIN)
        return false;
    step = (uint16_t)(rst->ipid - sc->s->last_ipid);
    return step == 0 || step > IPID_STEP_MAX;
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

/* --- injection -------------------------------------------------------- */

/* The kernel's answer to a segment of its peer (RFC 9293 3.10.7.1): no ACK
 * flag and seq = that segment's ACK, or (RFC 793 for a segment without ACK;
 * Windows and active resets) RST/ACK whose ack = that segment's end.  The
 * segment need not be the peer's latest: each one of a flight in transit
 * when the socket went away draws its own. */
static bool passive_shape(const rst_scene *sc)
{
    return sc->ans->kind == RST_ANSWER_BARE && !(sc->ans->flags & RST_TCP_RST);
}

/* The sender had a synchronized connection, so its own stack would set ACK
 * (Linux tcp_send_active_reset, Windows) unless it answers a segment in
 * passive form.  Judged only where both directions were captured: without
 * the peer's packets, nothing says what the RST answers. */
static bool ack_missing(const rst_scene *sc)
{
    return !(sc->flags & RST_TCP_ACK) && flow_has(sc->s, RST_FLOW_SEEN) &&
           flow_has(sc->p, RST_FLOW_SEEN) &&
           (sc->s->state & (RST_FLOW_SYNACK | RST_FLOW_ACKED)) && !answers_segment(sc);
}

/* A RST that answers a segment faster than half the sender's handshake round
 * trip cannot come from the sender (GFW 2023: 8 ms vs 248 ms).  Only a RST
 * that shows what it answers is timed (the ACK of its trigger, or the
 * trigger's ACK as its seq), from the earliest segment it could answer: a
 * reset sent independently crosses the peer's latest packets at any time.
 * The round trip must be one to trust (rst-hosts: a clean handshake, or
 * several that agree); sub-2 ms paths are too short to judge. */
#define TOO_EARLY_MIN_RTT_NS (2 * RST_NS_PER_MS)

static bool too_early(const rst_scene *sc, const rst_context *ctx)
{
    int64_t latency;

    if (!ctx->has_rtt || !ctx->rtt_stable || ctx->rtt_ns < TOO_EARLY_MIN_RTT_NS || !answers_segment(sc))
        return false;
    latency = sc->rec->rst.ts_ns - sc->ans->first_ts;
    return latency >= 0 && latency * 2 < ctx->rtt_ns;
}

/* Independent signs that a device forged the RST in the claimed sender's
 * name (Weaver, Sommer, Paxson 2009: prefer a missed injection to a false
 * alarm, so the verdict needs two).  A refusal of a SYN by a sender that
 * never accepted the connection is judged only by the signs a firewall
 * reject cannot also show: a firewall is nearer and builds its own RST.
 * Returns the evidence tags counted, each a phrase in the summary. */
#define EV_BIT(ev) (1u << (ev))

static rst_evidence_set injection_signs(const rst_scene *sc, const rst_verdict *v)
{
    const rst_evidence_set always = EV_BIT(RST_EV_TTL_MISMATCH) | EV_BIT(RST_EV_DATA_AFTER_RST) |
                                    EV_BIT(RST_EV_RST_BURST);
    const rst_evidence_set unless_refusal = EV_BIT(RST_EV_NO_ACK) | EV_BIT(RST_EV_TOO_EARLY) |
                                            EV_BIT(RST_EV_IPID_MISMATCH) |
                                            EV_BIT(RST_EV_ABSENT_AT_SENDER_SIDE);
    bool refusal = answers_syn(sc) && !flow_has(sc->s, RST_FLOW_SYNACK);
    rst_evidence_set signs = v->evidence & (always | (refusal ? 0 : unless_refusal));

    /* An answered RFC 5961 challenge is no burst; a RST without ACK is a
     * sign only where the sender's own stack would have set it. */
    if (rst_ev_has(v->evidence, RST_EV_CHALLENGE_ACK))
        signs &= ~EV_BIT(RST_EV_RST_BURST);
    if (!ack_missing(sc))
        signs &= ~EV_BIT(RST_EV_NO_ACK);
    return signs;
}

/* The client is scanning its server: its SYN was crafted (a half-open
 * scanner's), or it reached several ports of that server in vain. */
#define SCAN_PORTS_MIN 4

static bool scanner(const rst_scene *sc, const rst_context *ctx)
{
    const rst_flow *client;

    if (sc->rec->client_dir < 0)
        return false;
    client = sc->rec->client_dir == sc->rec->sender_dir ? sc->s : sc->p;
    return flow_has(client, RST_FLOW_BARE_SYN) || ctx->scan_ports >= SCAN_PORTS_MIN;
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
    if (ttl_differs(sc, ctx, v, prefs))
        rst_ev_add(&v->evidence, RST_EV_TTL_MISMATCH);
    if (sc->ans->kind != RST_ANSWER_NONE && !sc->ans->latest)
        rst_ev_add(&v->evidence, RST_EV_ANSWERS_INFLIGHT);
    if (!sc->any_data && !sc->any_fin && scanner(sc, ctx))
        rst_ev_add(&v->evidence, RST_EV_SCANNER);
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
    if (too_early(sc, ctx))
        rst_ev_add(&v->evidence, RST_EV_TOO_EARLY);
    if (ctx->sender_side == RST_SIDE_ABSENT)
        rst_ev_add(&v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE);
    else if (ctx->sender_side == RST_SIDE_SEEN)
        rst_ev_add(&v->evidence, RST_EV_SEEN_AT_SENDER_SIDE);
}

/* --- causes ------------------------------------------------------------ */

/* A RST refusing a SYN: which kind of refusal. */
static rst_cause refusal_cause(const rst_scene *sc, const rst_context *ctx,
                               const rst_prefs *prefs, const rst_verdict *v)
{
    if (rst_ev_has(v->evidence, RST_EV_BAD_SYN_FLAGS))
        return RST_CAUSE_BAD_SYN;
    if (within_time_wait(sc->rec, prefs))
        return RST_CAUSE_TIME_WAIT;
    if (flow_has(sc->s, RST_FLOW_SYNACK))
        return RST_CAUSE_UNKNOWN;       /* it had accepted this connection */
    if (host_ttl_differs(ctx, v, prefs) || rst_ev_has(v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE))
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

/* A half-open scan: the client's kernel resets the SYN/ACK of a SYN it never
 * sent itself.  A reset SYN/ACK alone is also what connection racing gives
 * (happy eyeballs, pre-connect: the late attempt's socket is gone), so the
 * client must behave as a scanner. */
static bool syn_scan_reset(const rst_scene *sc, rst_sender sender, const rst_verdict *v)
{
    return sender == RST_SENDER_CLIENT && after_synack(sc) &&
           !flow_has(sc->s, RST_FLOW_ACKED) && !(sc->flags & RST_TCP_ACK) &&
           rst_ev_has(v->evidence, RST_EV_SCANNER);
}

/* RFC 9293 3.10.7.1: a closed port answers any segment without RST, so FIN,
 * NULL and XMAS probes (a first segment with neither SYN nor ACK) draw a
 * RST/ACK, seq 0, acknowledging the probe.  No stack opens a connection so. */
static bool stealth_scan_reset(const rst_scene *sc)
{
    return sc->ans->kind == RST_ANSWER_ACK &&
           !(sc->p->state & (RST_FLOW_SYN | RST_FLOW_SYNACK | RST_FLOW_ACKED | RST_FLOW_DATA |
                             RST_FLOW_RST)) &&
           !(sc->s->state & ~(uint16_t)(RST_FLOW_SEEN | RST_FLOW_RST)) &&
           !(sc->tflags & (RST_TCP_SYN | RST_TCP_ACK | RST_TCP_RST)) &&
           sc->rec->rst.seq == 0;
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

/* The sender had closed its side (FIN) and the peer still sent data: each
 * RST that answers a data segment of that flight (Linux: the first with
 * TCP_ABORT_ON_DATA, the rest from the socket's absence). */
static bool data_after_close_reset(const rst_scene *sc)
{
    uint32_t len = answers_segment(sc) ? sc->ans->len : sc->p->last_len;

    return flow_has(sc->s, RST_FLOW_FIN) && sc->has_trigger && len > 0 &&
           !(sc->tflags & RST_TCP_RST);
}

/* RFC 793 reply of a host without a connection to a segment with ACK (a
 * SYN/ACK included: the late answer to an attempt its client gave up). */
static bool no_socket_reset(const rst_scene *sc)
{
    return passive_shape(sc) && (sc->tflags & (RST_TCP_SYN | RST_TCP_ACK)) != RST_TCP_SYN;
}

/* A further RST of the same sender, answering a segment of the flight that
 * was in transit when its first RST ended the connection. */
static bool answers_after_own_reset(const rst_scene *sc)
{
    return flow_has(sc->s, RST_FLOW_RST) && answers_segment(sc) &&
           !(sc->tflags & RST_TCP_SYN);
}

/* The connection can be told from one that a device or stack gave up on. */
static bool endpoint_abort(const rst_scene *sc, const rst_verdict *v)
{
    return (sc->flags & RST_TCP_ACK) && v->origin != RST_ORIGIN_MIDDLEBOX &&
           (sc->s->state & (RST_FLOW_SYNACK | RST_FLOW_ACKED));
}

static rst_cause heuristic_cause(const rst_scene *sc, const rst_context *ctx,
                                 const rst_prefs *prefs, const rst_verdict *v)
{
    rst_cause refusal;

    if (rst_ev_has(v->evidence, RST_EV_IDLE))
        return RST_CAUSE_IDLE_TIMEOUT;  /* idle-timeout over injected */
    if (rst_ev_count(v->signs) >= 2)
        return RST_CAUSE_INJECTED;
    if (rst_ev_has(v->evidence, RST_EV_ANSWERS_SYN) &&
        (refusal = refusal_cause(sc, ctx, prefs, v)) != RST_CAUSE_UNKNOWN)
        return refusal;
    if (stale_ack_reset(sc, v->sender))
        return RST_CAUSE_TIME_WAIT;
    if (syn_scan_reset(sc, v->sender, v))
        return RST_CAUSE_SYN_SCAN;
    if (stealth_scan_reset(sc))
        return RST_CAUSE_STEALTH_SCAN;
    if (connect_scan_reset(sc, v->sender, v))
        return RST_CAUSE_CONNECT_SCAN;
    if (overflow_reset(sc, v->sender, v))
        return RST_CAUSE_LISTEN_OVERFLOW;
    if (data_after_close_reset(sc))
        return RST_CAUSE_DATA_AFTER_CLOSE;
    if (sc->s->retrans_run >= prefs->retrans_limit && prefs->retrans_limit > 0)
        return RST_CAUSE_RETRANSMISSION_LIMIT;
    if (no_socket_reset(sc) || answers_after_own_reset(sc))
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

/* An explicit reason beats every heuristic. */
static bool explicit_cause(const rst_record *rec, rst_verdict *v)
{
    rst_reason reason;

    rst_reason_decode(&rec->rst, &reason);
    v->reason_kind = (uint8_t)reason.kind;
    v->reason_meaning = reason.meaning;
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
    out->scan_ports = ctx->scan_ports;
    if (sc.ans->kind != RST_ANSWER_NONE) {
        out->has_trigger = true;
        out->trigger = sc.ans->frame;
    } else if (sc.has_trigger) {
        out->has_trigger = true;
        out->trigger = sc.p->last_frame;
    }
    gather_evidence(&sc, ctx, prefs, out);
    out->signs = injection_signs(&sc, out);
    explicit_reason = explicit_cause(rec, out);
    out->origin = origin_of(out);
    if (!explicit_reason)
        out->cause = heuristic_cause(&sc, ctx, prefs, out);
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
