/* rst-measure.c
 * What the conversation before a RST shows, measured once: the shapes of
 * the causes (RFC 793/9293 answers, scans, TIME_WAIT, accept-queue overflow)
 * as far as packets tell them, and the deltas and signs that do not depend
 * on preferences or on later packets.  rst-decide.c weighs them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-measure.h"

#include "rst-decide.h"
#include "rst-hosts.h"
#include "rst-seq.h"

#include <string.h>

/* The RST and the conversation before it. */
typedef struct {
    const rst_segment *rst;
    int dir;                    /* endpoint of the conversation that sent it */
    const rst_flow *s;          /* claimed sender */
    const rst_flow *p;          /* peer */
    const rst_flow *client;     /* NULL: not known */
    const rst_answer *ans;      /* the peer's segment the RST answers (kind NONE: none) */
    bool     has_trigger;       /* the peer had sent something */
    uint16_t tflags;            /* the trigger's flags */
    rst_sender sender;
} scene;

static bool flow_has(const rst_flow *flow, uint16_t bits)
{
    return (flow->state & bits) == bits;
}

static void build_scene(const rst_conv *conv, const rst_segment *seg, const rst_answer *ans,
                        scene *sc)
{
    int dir = rst_conv_direction(conv, seg);
    int client_dir = conv->client;

    if (client_dir < 0 && (seg->flags & (RST_TCP_SYN | RST_TCP_ACK)) == RST_TCP_SYN)
        client_dir = dir;       /* a SYN+RST opens the conversation itself */
    memset(sc, 0, sizeof(*sc));
    sc->rst = seg;
    sc->dir = dir;
    sc->s = &conv->flow[dir];
    sc->p = &conv->flow[!dir];
    sc->client = client_dir < 0 ? NULL : &conv->flow[client_dir];
    sc->ans = ans;
    sc->has_trigger = flow_has(sc->p, RST_FLOW_SEEN);
    /* The trigger is the segment the RST answers, else the peer's latest. */
    sc->tflags = ans->kind ? ans->flags : sc->has_trigger ? sc->p->last_flags : 0;
    sc->sender = client_dir < 0 ? RST_SENDER_UNKNOWN
                 : client_dir == dir ? RST_SENDER_CLIENT : RST_SENDER_SERVER;
}

static bool trigger_is(const scene *sc, uint16_t set, uint16_t clear)
{
    return sc->has_trigger && (sc->tflags & set) == set && !(sc->tflags & clear);
}

static bool answers_segment(const scene *sc)
{
    return sc->ans->kind != RST_ANSWER_NONE;
}

static bool any_state(const scene *sc, uint16_t bits)
{
    return ((sc->s->state | sc->p->state) & bits) != 0;
}

static rst_phase phase_of(const scene *sc)
{
    if (any_state(sc, RST_FLOW_FIN))
        return RST_PHASE_TEARDOWN;
    if (any_state(sc, RST_FLOW_DATA))
        return RST_PHASE_DATA;
    if (flow_has(sc->s, RST_FLOW_SEEN) || sc->has_trigger)
        return RST_PHASE_HANDSHAKE;
    return RST_PHASE_UNKNOWN;
}

/* --- measurements ------------------------------------------------------ */

/* The sequence number the RST's receiver expects next from its sender. */
static bool expected_seq(const scene *sc, uint32_t *seq)
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

static void measure_seq(const scene *sc, rst_facts *f)
{
    uint32_t expected;
    int32_t d;

    if (!expected_seq(sc, &expected))
        return;
    d = rst_seq_diff(sc->rst->seq, expected);
    f->seq_delta = d;
    if (d == 0)
        f->seq_class = RST_SEQ_EXACT;
    /* -1 is the FIN's own number, which Linux accepts in CLOSE_WAIT/LAST_ACK. */
    else if (d == -1 || (d > 0 && (uint32_t)d < (sc->p->window ? sc->p->window : 1)))
        f->seq_class = RST_SEQ_IN_WINDOW;
    else
        f->seq_class = RST_SEQ_OUT_OF_WINDOW;
}

/* After a long silence the path to the sender may have changed, and a
 * load-balanced or anycast address may be answered by another member of its
 * pool (rst-decide.c weighs the TTL). */
#define ROUTE_DRIFT_NS (10 * RST_NS_PER_S)

static bool route_may_drift(const scene *sc)
{
    return answers_segment(sc) && !trigger_is(sc, RST_TCP_SYN, RST_TCP_ACK) &&
           sc->rst->ts_ns - sc->s->last_ts >= ROUTE_DRIFT_NS;
}

/* A live socket's RST continues its IP ID counter.  The evidence counts only
 * where the sender's own packets made a clear sequence (a run of small steps)
 * and the RST breaks it; and never for a kernel's bare answer to a segment:
 * Linux sends those from its control socket (IP ID 0 or a counter of its
 * own).  Windows and Cisco IOS number everything from a per-host counter that
 * moves with every other connection: its steps are not a clear sequence. */
#define IPID_RUN_MIN 4
#define IPID_STEP_MAX 1024      /* other connections' packets in between, at most */

static bool ipid_out_of_step(const scene *sc)
{
    const rst_segment *rst = sc->rst;
    uint16_t step;

    if (!rst->has_ipid || rst->ipid == 0 || sc->ans->kind == RST_ANSWER_BARE ||
        !flow_has(sc->s, RST_FLOW_IPID) || sc->s->ipid_run < IPID_RUN_MIN)
        return false;
    step = (uint16_t)(rst->ipid - sc->s->last_ipid);
    return step == 0 || step > IPID_STEP_MAX;
}

/* RFC 5961: an inexact RST drew a challenge ACK, and this RST carries the
 * sequence number that ACK asked for: legitimate, not a burst. */
static bool answers_challenge_ack(const scene *sc)
{
    return sc->s->rst_frame != 0 && sc->p->last_frame > sc->s->rst_frame &&
           trigger_is(sc, RST_TCP_ACK, RST_TCP_SYN | RST_TCP_FIN | RST_TCP_RST) &&
           sc->p->last_len == 0 && sc->rst->seq == sc->p->last_ack &&
           sc->s->rst_seq != sc->p->last_ack;
}

/* The sender had a synchronized connection, so its own stack would set ACK
 * (Linux tcp_send_active_reset, Windows) unless it answers a segment in
 * passive form.  Judged only where both directions were captured: without
 * the peer's packets, nothing says what the RST answers. */
static bool ack_missing(const scene *sc)
{
    return !(sc->rst->flags & RST_TCP_ACK) && flow_has(sc->s, RST_FLOW_SEEN) &&
           flow_has(sc->p, RST_FLOW_SEEN) &&
           (sc->s->state & (RST_FLOW_SYNACK | RST_FLOW_ACKED)) && !answers_segment(sc);
}

/* --- shapes of the causes ---------------------------------------------- */

/* The kernel's answer to a segment of its peer (RFC 9293 3.10.7.1): no ACK
 * flag and seq = that segment's ACK, or (RFC 793 for a segment without ACK;
 * Windows and active resets) RST/ACK whose ack = that segment's end.  The
 * segment need not be the peer's latest: each one of a flight in transit
 * when the socket went away draws its own. */
static bool passive_shape(const scene *sc)
{
    return sc->ans->kind == RST_ANSWER_BARE && !(sc->ans->flags & RST_TCP_RST);
}

static bool handshake_done(const scene *sc)
{
    const rst_flow *server;

    if (!sc->client)
        return false;
    server = sc->client == sc->s ? sc->p : sc->s;
    return flow_has(server, RST_FLOW_SYNACK) && flow_has(sc->client, RST_FLOW_ACKED);
}

/* Linux TIME_WAIT: the reused SYN drew a stale bare ACK (not acknowledging
 * it), and the client's SYN-SENT socket reset that ACK: <SEQ=SEG.ACK><RST>. */
static bool stale_ack_reset(const scene *sc, bool reused)
{
    const rst_flow *client = sc->s, *server = sc->p;

    return sc->sender == RST_SENDER_CLIENT && reused && !(sc->rst->flags & RST_TCP_ACK) &&
           flow_has(client, RST_FLOW_SYN) && !flow_has(server, RST_FLOW_SYNACK) &&
           trigger_is(sc, RST_TCP_ACK, RST_TCP_SYN | RST_TCP_RST) &&
           server->last_ack != client->syn_seq + 1 && sc->rst->seq == server->last_ack;
}

/* A half-open scan: the client's kernel resets the SYN/ACK of a SYN it never
 * sent itself (rst-decide.c also asks the client to behave as a scanner). */
static bool syn_scan_shape(const scene *sc)
{
    return sc->sender == RST_SENDER_CLIENT && trigger_is(sc, RST_TCP_SYN | RST_TCP_ACK, 0) &&
           !flow_has(sc->s, RST_FLOW_ACKED) && !(sc->rst->flags & RST_TCP_ACK);
}

/* RFC 9293 3.10.7.1: a closed port answers any segment without RST, so FIN,
 * NULL and XMAS probes (a first segment with neither SYN nor ACK) draw a
 * RST/ACK, seq 0, acknowledging the probe.  No stack opens a connection so. */
static bool stealth_scan_reset(const scene *sc)
{
    return sc->ans->kind == RST_ANSWER_ACK &&
           !(sc->p->state & (RST_FLOW_SYN | RST_FLOW_SYNACK | RST_FLOW_ACKED | RST_FLOW_DATA |
                             RST_FLOW_RST)) &&
           !(sc->s->state & ~(uint16_t)(RST_FLOW_SEEN | RST_FLOW_RST)) &&
           !(sc->tflags & (RST_TCP_SYN | RST_TCP_ACK | RST_TCP_RST)) &&
           sc->rst->seq == 0;
}

/* Server reset right after the client's ACK or first data, having sent no
 * data: a full accept queue with tcp_abort_on_overflow (passive form), or a
 * refusal after SYN/ACK retransmissions.  Not when the client had reset the
 * connection before (the server merely lost it); rst-decide.c also rules
 * out a TTL that says another device built the RST. */
static bool overflow_shape(const scene *sc)
{
    return sc->sender == RST_SENDER_SERVER && handshake_done(sc) &&
           !flow_has(sc->s, RST_FLOW_DATA) && !any_state(sc, RST_FLOW_FIN) &&
           !flow_has(sc->p, RST_FLOW_RST) &&
           trigger_is(sc, RST_TCP_ACK, RST_TCP_SYN | RST_TCP_RST | RST_TCP_FIN) &&
           (passive_shape(sc) || sc->s->retrans_run > 0);
}

/* The sender had closed its side (FIN) and the peer still sent data: each
 * RST that answers a data segment of that flight (Linux: the first with
 * TCP_ABORT_ON_DATA, the rest from the socket's absence). */
static bool data_after_close_reset(const scene *sc)
{
    uint32_t len = answers_segment(sc) ? sc->ans->len : sc->p->last_len;

    return flow_has(sc->s, RST_FLOW_FIN) && sc->has_trigger && len > 0 &&
           !(sc->tflags & RST_TCP_RST);
}

/* RFC 793 reply of a host without a connection to a segment with ACK (a
 * SYN/ACK included: the late answer to an attempt its client gave up); or a
 * further RST of the same sender, answering a segment of the flight that was
 * in transit when its first RST ended the connection. */
static bool no_socket_reset(const scene *sc)
{
    return (passive_shape(sc) && (sc->tflags & (RST_TCP_SYN | RST_TCP_ACK)) != RST_TCP_SYN) ||
           (flow_has(sc->s, RST_FLOW_RST) && answers_segment(sc) && !(sc->tflags & RST_TCP_SYN));
}

/* --- the facts --------------------------------------------------------- */

typedef struct {
    bool on;
    uint32_t bit;
} flag_bit;

static uint32_t bits_of(const flag_bit *list, size_t n)
{
    uint32_t bits = 0;

    for (size_t i = 0; i < n; i++)
        if (list[i].on)
            bits |= list[i].bit;
    return bits;
}

static uint32_t conversation_bits(const scene *sc, const rst_conv *conv, const rst_then *then)
{
    const rst_segment *rst = sc->rst;
    const flag_bit list[] = {
        { rst->has_ttl, RST_F_HAS_TTL },
        { rst->has_ipid, RST_F_HAS_IPID },
        { flow_has(sc->s, RST_FLOW_TTL), RST_F_HAS_SENDER_TTL },
        { conv->has_last, RST_F_HAS_IDLE },
        { sc->has_trigger, RST_F_HAS_TRIGGER },
        { any_state(sc, RST_FLOW_DATA), RST_F_ANY_DATA },
        { any_state(sc, RST_FLOW_FIN), RST_F_ANY_FIN },
        { handshake_done(sc), RST_F_HANDSHAKE_DONE },
        { flow_has(sc->s, RST_FLOW_SYNACK), RST_F_SENDER_ACCEPTED },
        { (sc->s->state & (RST_FLOW_SYNACK | RST_FLOW_ACKED)) != 0, RST_F_SENDER_SYNCED },
        { sc->client && flow_has(sc->client, RST_FLOW_BARE_SYN), RST_F_CLIENT_BARE_SYN },
        { sc->p->last_len == 0, RST_F_PEER_LAST_EMPTY },
        { sc->ans->latest, RST_F_ANSWER_LATEST },
        { conv->reused, RST_F_REUSED },
        { conv->reused && conv->prev_closed, RST_F_AFTER_FIN_CLOSE },
        { then->sender_used_ttl, RST_F_SENDER_USED_TTL },
        { then->burst_prev, RST_F_BURST_PREV },
        { route_may_drift(sc), RST_F_ROUTE_MAY_DRIFT },
        { ipid_out_of_step(sc), RST_F_IPID_OUT_OF_STEP },
        { answers_challenge_ack(sc), RST_F_CHALLENGE_ACK },
        { ack_missing(sc), RST_F_ACK_MISSING },
        { stale_ack_reset(sc, conv->reused), RST_F_STALE_ACK },
        { syn_scan_shape(sc), RST_F_SYN_SCAN },
        { stealth_scan_reset(sc), RST_F_STEALTH_SCAN },
        { overflow_shape(sc), RST_F_OVERFLOW },
        { data_after_close_reset(sc), RST_F_DATA_AFTER_CLOSE },
        { no_socket_reset(sc), RST_F_NO_SOCKET },
        { then->has_host_ttl, RST_F_HOST_TTL_THEN },
        { then->host_used_ttl, RST_F_HOST_USED_TTL_THEN },
    };

    return bits_of(list, sizeof(list) / sizeof(list[0]));
}

static bool on_conv_endpoints(const rst_conv *conv, int dir, const rst_segment *seg)
{
    return rst_addr_equal(&seg->src, &conv->addr[dir]) &&
           rst_addr_equal(&seg->dst, &conv->addr[!dir]) &&
           seg->sport == conv->port[dir] && seg->dport == conv->port[!dir];
}

/* What only some RSTs need; true when this one needs any of it. */
static bool measure_extra(const rst_conv *conv, int dir, const rst_segment *seg, rst_extra *x)
{
    bool needed;

    memset(x, 0, sizeof(*x));
    rst_reason_decode(seg, &x->reason);
    needed = x->reason.kind != RST_REASON_NONE;
    if (rst_reason_text(seg, x->text, sizeof(x->text)))
        needed = true;
    else
        x->text[0] = '\0';
    x->len = seg->len;
    needed |= seg->len != 0;
    if (conv->reused && conv->prev_closed) {
        x->since_prev_end_ns = seg->ts_ns - conv->prev_end_ts;
        needed = true;
    }
    if (!on_conv_endpoints(conv, dir, seg)) {
        x->own_endpoints = true;
        x->src = seg->src;
        x->dst = seg->dst;
        x->sport = seg->sport;
        x->dport = seg->dport;
        needed = true;
    }
    return needed;
}

bool rst_measure(const rst_conv *conv, const rst_segment *seg, const rst_answer *answer,
                 const rst_then *then, rst_facts *f, rst_extra *extra)
{
    scene sc;

    build_scene(conv, seg, answer, &sc);
    memset(f, 0, sizeof(*f));
    f->conv = conv;
    f->ts_ns = seg->ts_ns;
    f->frame = seg->frame;
    f->seq = seg->seq;
    f->ack = seg->ack;
    f->flags = seg->flags;
    f->ipid = seg->has_ipid ? seg->ipid : 0;
    f->ttl = seg->has_ttl ? seg->ttl : 0;
    f->sender_dir = (uint8_t)sc.dir;
    f->sender = sc.sender;
    f->phase = phase_of(&sc);
    f->bits = conversation_bits(&sc, conv, then);
    if (f->bits & RST_F_HAS_SENDER_TTL)
        f->sender_last_ttl = sc.s->last_ttl;
    measure_seq(&sc, f);
    /* Capture timestamps can run backwards; an idle time cannot. */
    if (conv->has_last)
        f->idle_ns = seg->ts_ns > conv->last_ts ? seg->ts_ns - conv->last_ts : 0;
    f->trigger_flags = sc.tflags;
    f->peer_last_flags = sc.p->last_flags;
    f->answer_kind = answer->kind;
    if (answer->kind != RST_ANSWER_NONE) {
        f->trigger = answer->frame;
        f->answer_latency_ns = seg->ts_ns - answer->first_ts;
    } else if (sc.has_trigger) {
        f->trigger = sc.p->last_frame;
    }
    f->retrans_run = sc.s->retrans_run;
    f->keepalive_run = sc.s->keepalive_run;
    f->rst_ordinal = conv->rst_count + 1;
    f->host_ttl_then = then->has_host_ttl ? then->host_ttl : 0;
    f->scan_ports_then = then->scan_ports;
    if (rst_too_early(f, then->has_rtt, then->rtt_ns, then->rtt_stable))
        f->bits |= RST_F_TOO_EARLY_THEN;
    return measure_extra(conv, sc.dir, seg, extra);
}

void rst_facts_endpoints(const rst_facts *f, rst_endpoints *out)
{
    int d = f->sender_dir;

    memset(out, 0, sizeof(*out));
    if (f->extra && f->extra->own_endpoints) {
        out->src = f->extra->src;
        out->dst = f->extra->dst;
        out->sport = f->extra->sport;
        out->dport = f->extra->dport;
    } else if (f->conv) {
        out->src = f->conv->addr[d];
        out->dst = f->conv->addr[!d];
        out->sport = f->conv->port[d];
        out->dport = f->conv->port[!d];
    }
}

uint32_t rst_facts_len(const rst_facts *f)
{
    return f->extra ? f->extra->len : 0;
}
