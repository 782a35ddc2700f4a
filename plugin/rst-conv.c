/* rst-conv.c
 * Per-conversation summary: what each endpoint has sent, in constant space.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-conv.h"

#include "rst-hosts.h"
#include "rst-seq.h"

#include <glib.h>
#include <string.h>

void rst_conv_init(rst_conv *conv, const rst_segment *seg)
{
    memset(conv, 0, sizeof(*conv));
    conv->addr[0] = seg->src;
    conv->addr[1] = seg->dst;
    conv->port[0] = seg->sport;
    conv->port[1] = seg->dport;
    conv->client = -1;
}

int rst_conv_direction(const rst_conv *conv, const rst_segment *seg)
{
    return seg->sport == conv->port[0] && rst_addr_equal(&seg->src, &conv->addr[0]) ? 0 : 1;
}

bool rst_conv_closed(const rst_conv *conv)
{
    uint16_t either = conv->flow[0].state | conv->flow[1].state;

    return (either & (RST_FLOW_FIN | RST_FLOW_RST)) != 0;
}

void rst_conv_note_predecessor(rst_conv *conv, const rst_conv *prev)
{
    uint16_t either = prev->flow[0].state | prev->flow[1].state;

    conv->reused = true;
    /* Only a FIN close leaves TIME_WAIT behind; a RST frees the 4-tuple. */
    conv->prev_closed = (either & RST_FLOW_FIN) && !(either & RST_FLOW_RST);
    conv->prev_end_ts = prev->last_ts;
}

static bool is_plain_syn(uint16_t flags)
{
    return (flags & (RST_TCP_SYN | RST_TCP_ACK | RST_TCP_RST)) == RST_TCP_SYN;
}

bool rst_conv_restart_on_new_syn(rst_conv *conv, const rst_segment *seg)
{
    const rst_flow *old;
    rst_conv prev;

    if (!is_plain_syn(seg->flags) || !rst_conv_closed(conv))
        return false;
    old = &conv->flow[rst_conv_direction(conv, seg)];
    if ((old->state & RST_FLOW_SYN) && old->syn_seq == seg->seq)
        return false;           /* a retransmission of the old SYN */
    prev = *conv;
    rst_conv_init(conv, seg);
    /* Keep the endpoints' order: the facts of earlier RSTs name their
     * sender by it. */
    if (rst_conv_direction(&prev, seg) == 1) {
        conv->addr[0] = prev.addr[0];
        conv->addr[1] = prev.addr[1];
        conv->port[0] = prev.port[0];
        conv->port[1] = prev.port[1];
    }
    rst_conv_note_predecessor(conv, &prev);
    conv->rst_count = prev.rst_count;   /* the count is per tcp.stream */
    return true;
}

bool rst_conv_continues(const rst_conv *conv, const rst_segment *seg)
{
    const rst_flow *client, *server;
    int dir;

    if (conv->client < 0 || (seg->flags & RST_TCP_RST))
        return false;
    dir = rst_conv_direction(conv, seg);
    client = &conv->flow[conv->client];
    server = &conv->flow[!conv->client];
    if (!(client->state & RST_FLOW_SYN))
        return false;
    if (is_plain_syn(seg->flags))
        return dir == conv->client && seg->seq == client->syn_seq;
    if ((seg->flags & (RST_TCP_SYN | RST_TCP_ACK)) != (RST_TCP_SYN | RST_TCP_ACK) ||
        dir == conv->client || seg->ack != client->syn_seq + 1)
        return false;
    return !(server->state & RST_FLOW_SYNACK) || server->syn_seq == seg->seq;
}

/* Sequence space a segment occupies: payload plus one for SYN and for FIN. */
static uint32_t seq_space(const rst_segment *seg)
{
    return seg->len + ((seg->flags & RST_TCP_SYN) ? 1 : 0) + ((seg->flags & RST_TCP_FIN) ? 1 : 0);
}

/* A keep-alive probe: at most one byte, one below the next sequence number. */
static bool is_keepalive(const rst_flow *flow, const rst_segment *seg)
{
    return (flow->state & RST_FLOW_NEXT_SEQ) && seg->len <= 1 &&
           !(seg->flags & (RST_TCP_SYN | RST_TCP_FIN)) &&
           seg->seq == flow->next_seq - 1;
}

static void track_sequence_space(rst_flow *flow, const rst_segment *seg)
{
    uint32_t space = seq_space(seg);
    uint32_t end = seg->seq + space;

    if (is_keepalive(flow, seg)) {
        flow->keepalive_run++;
        return;
    }
    if (space == 0)
        return;
    flow->keepalive_run = 0;
    if ((flow->state & RST_FLOW_NEXT_SEQ) && !rst_seq_after(end, flow->next_seq)) {
        flow->retrans_run++;    /* nothing new: sent before */
        return;
    }
    flow->retrans_run = 0;
    flow->next_seq = end;
    flow->state |= RST_FLOW_NEXT_SEQ;
}

static void track_acknowledgement(rst_flow *flow, rst_flow *peer, const rst_segment *seg)
{
    if (!(seg->flags & RST_TCP_ACK))
        return;
    if (flow->state & RST_FLOW_ACK_SENT) {
        if (!rst_seq_after(seg->ack, flow->acked))
            return;
        peer->retrans_run = 0;  /* the peer made progress */
    }
    flow->acked = seg->ack;
    flow->state |= RST_FLOW_ACK_SENT;
}

static void track_rst(rst_flow *flow, const rst_segment *seg)
{
    flow->state |= RST_FLOW_RST;
    flow->rst_frame = seg->frame;
    flow->rst_ts = seg->ts_ns;
    flow->rst_seq = seg->seq;
    flow->rst_window = seg->window_raw;
    flow->rst_ttl = seg->ttl;
}

static void set_bit(uint16_t *state, uint16_t bit, bool on)
{
    *state = on ? (uint16_t)(*state | bit) : (uint16_t)(*state & ~bit);
}

/* Half-open scanners build their SYNs by hand: nmap and masscan send a
 * window of 1024-4096 and no option but MSS; Internet-wide scanners often no
 * option at all.  Every general-purpose stack offers at least an MSS, and
 * with it window scaling or SACK and a larger window. */
static bool looks_crafted(const rst_segment *syn)
{
    return syn->hdr_len == 20 || (syn->hdr_len == 24 && syn->window_raw <= 4096);
}

static void track_flags(rst_conv *conv, int dir, const rst_segment *seg)
{
    rst_flow *flow = &conv->flow[dir];
    uint16_t f = seg->flags;

    if ((f & (RST_TCP_SYN | RST_TCP_ACK)) == RST_TCP_SYN && conv->client < 0)
        conv->client = dir;     /* even a malformed SYN (SYN+RST) opens it */
    if (f & RST_TCP_RST) {
        track_rst(flow, seg);
        return;
    }
    if (f & RST_TCP_SYN) {
        flow->state |= (f & RST_TCP_ACK) ? RST_FLOW_SYNACK : RST_FLOW_SYN;
        flow->syn_seq = seg->seq;
        flow->syn_ts = seg->ts_ns;
        if (!(f & RST_TCP_ACK))
            set_bit(&flow->state, RST_FLOW_BARE_SYN, looks_crafted(seg));
    } else if (f & RST_TCP_ACK) {
        flow->state |= RST_FLOW_ACKED;
    }
    if ((f & RST_TCP_FIN) && !(f & RST_TCP_SYN))
        flow->state |= RST_FLOW_FIN;
    if (seg->len > 0)
        flow->state |= RST_FLOW_DATA;
}

/* Small IP ID steps between consecutive packets mean a per-connection or a
 * quiet per-host counter, against which a RST's IP ID can be judged. */
static bool small_ipid_step(uint16_t from, uint16_t to)
{
    uint16_t step = (uint16_t)(to - from);

    return step >= 1 && step <= 64;
}

static void track_ip(rst_conv *conv, int dir, const rst_segment *seg)
{
    rst_flow *flow = &conv->flow[dir];

    if (seg->flags & RST_TCP_RST)
        return;                 /* the baseline is the sender's own traffic */
    if (seg->has_ttl) {
        flow->last_ttl = seg->ttl;
        flow->state |= RST_FLOW_TTL;
        conv->ttls[dir][seg->ttl >> 3] |= (uint8_t)(1u << (seg->ttl & 7));
    }
    if (seg->has_ipid) {
        if ((flow->state & RST_FLOW_IPID) && small_ipid_step(flow->last_ipid, seg->ipid))
            flow->ipid_run = flow->ipid_run < UINT8_MAX ? flow->ipid_run + 1 : UINT8_MAX;
        else
            flow->ipid_run = 0;
        flow->last_ipid = seg->ipid;
        flow->state |= RST_FLOW_IPID;
    }
}

bool rst_conv_used_ttl(const rst_conv *conv, int dir, uint8_t ttl, uint32_t tolerance)
{
    int lo = (int)ttl - (int)MIN(tolerance, 255u), hi = (int)ttl + (int)MIN(tolerance, 255u);

    for (int t = MAX(lo, 0); t <= MIN(hi, 255); t++)
        if (conv->ttls[dir][t >> 3] & (1u << (t & 7)))
            return true;
    return false;
}

static void remember_recent(rst_conv *conv, int dir, const rst_segment *seg)
{
    rst_recent *r;

    if (seg->flags & RST_TCP_RST)
        return;
    r = &conv->recent[dir][conv->recent_next[dir]];
    conv->recent_next[dir] = (uint8_t)((conv->recent_next[dir] + 1) % RST_RECENT_MAX);
    r->ts = seg->ts_ns;
    r->frame = seg->frame;
    r->ack = seg->ack;
    r->end = seg->seq + seq_space(seg);
    r->flags = seg->flags;
    r->len = (uint16_t)MIN(seg->len, (uint32_t)UINT16_MAX);
}

static rst_answer_kind answer_kind(const rst_recent *r, const rst_segment *rst)
{
    if (!r->frame || (r->flags & RST_TCP_RST))
        return RST_ANSWER_NONE;
    if (!(rst->flags & RST_TCP_ACK))
        return (r->flags & RST_TCP_ACK) && rst->seq == r->ack ? RST_ANSWER_BARE : RST_ANSWER_NONE;
    /* RFC 793's reply to a segment without ACK (seq 0), or an active reset
     * whose ACK covers the segment: ack = its end. */
    return rst->ack == r->end ? RST_ANSWER_ACK : RST_ANSWER_NONE;
}

static bool is_empty(const rst_recent *r)
{
    return r->len == 0 && !(r->flags & (RST_TCP_SYN | RST_TCP_FIN));
}

/* A segment the sender had acknowledged was taken in by its live socket; the
 * RST answers one it had not (pure ACKs carry nothing to acknowledge). */
static bool unacknowledged_by(const rst_flow *sender, const rst_recent *r)
{
    return !(sender->state & RST_FLOW_ACK_SENT) || rst_seq_after(r->end, sender->acked) ||
           (is_empty(r) && r->end == sender->acked);
}

static bool earlier(const rst_recent *a, const rst_recent *b)
{
    return !b || a->frame < b->frame;
}

/* The kernel answers each arriving segment in turn (RFC 9293 3.10.7.1), so a
 * run of RSTs answers a flight in order: each RST answers the earliest
 * matching segment that its sender had not acknowledged and that no earlier
 * RST of its answered -- one with payload or FIN first, as a socket that
 * still lives (FIN_WAIT2) takes pure ACKs in silence; failing that, the
 * latest matching one. */
void rst_conv_find_answer(rst_conv *conv, int dir, const rst_segment *seg, int64_t horizon_ns,
                          rst_answer *out)
{
    int peer = !dir;
    const rst_flow *sender = &conv->flow[dir];
    const rst_recent *full = NULL, *empty = NULL, *fresh = NULL, *any = NULL, *first = NULL;
    const rst_recent *newest = NULL, *pick;

    memset(out, 0, sizeof(*out));
    for (int i = 0; i < RST_RECENT_MAX; i++) {
        const rst_recent *r = &conv->recent[peer][i];
        if (!r->frame)
            continue;
        if (!newest || r->frame > newest->frame)
            newest = r;
        if (r->frame > seg->frame || seg->ts_ns - r->ts > horizon_ns ||
            answer_kind(r, seg) == RST_ANSWER_NONE)
            continue;
        if (!any || r->frame > any->frame)
            any = r;
        if (earlier(r, first))
            first = r;
        if (r->frame <= conv->answered[dir])
            continue;
        if (earlier(r, fresh))
            fresh = r;
        if (!unacknowledged_by(sender, r))
            continue;
        if (is_empty(r) ? earlier(r, empty) : earlier(r, full)) {
            if (is_empty(r))
                empty = r;
            else
                full = r;
        }
    }
    if (!any)
        return;
    out->fresh = fresh != NULL;
    pick = full ? full : empty ? empty : fresh ? fresh : any;
    out->kind = answer_kind(pick, seg);
    out->latest = pick == newest;
    out->flags = pick->flags;
    out->len = pick->len;
    out->frame = pick->frame;
    out->ts = pick->ts;
    out->first_ts = first->ts;
    if (pick->frame > conv->answered[dir])
        conv->answered[dir] = pick->frame;
}

void rst_conv_update(rst_conv *conv, const rst_segment *seg)
{
    int dir = rst_conv_direction(conv, seg);
    rst_flow *flow = &conv->flow[dir];

    track_flags(conv, dir, seg);
    if (!(seg->flags & RST_TCP_RST)) {
        track_sequence_space(flow, seg);
        track_acknowledgement(flow, &conv->flow[!dir], seg);
        flow->window = seg->window;
        conv->flow[!dir].keepalive_run = 0;     /* it answered (or spoke) */
    }
    track_ip(conv, dir, seg);
    remember_recent(conv, dir, seg);
    conv->last_wire[dir] = (rst_last_wire){ seg->ipid, seg->window_raw, seg->ttl, seg->has_ttl,
                                            seg->has_ipid };
    flow->state |= RST_FLOW_SEEN;
    flow->last_flags = seg->flags;
    flow->last_frame = seg->frame;
    flow->last_seq = seg->seq;
    flow->last_ack = seg->ack;
    flow->last_len = seg->len;
    flow->last_ts = seg->ts_ns;
    conv->last_ts = seg->ts_ns;
    conv->has_last = true;
    if (seg->flags & RST_TCP_RST)
        conv->rst_count++;
}

/* A router, bridge or VM host capturing on one interface sees a packet on its
 * way in and on its way out: within a few milliseconds, every TCP field and
 * the IP ID the same, the TTL lowered by the hop (or kept, by a bridge).  A
 * repeated IPv4 ID 0 proves nothing (Linux's control socket sends many), nor
 * does an IPv6 copy with the same hop limit (a retransmission can look so). */
#define COPY_NS 10000000LL

bool rst_conv_is_copy(const rst_conv *conv, const rst_segment *seg)
{
    int dir = rst_conv_direction(conv, seg);
    const rst_flow *last = &conv->flow[dir];
    const rst_last_wire *w = &conv->last_wire[dir];
    int64_t since = seg->ts_ns - last->last_ts;
    int drop = (int)w->ttl - (int)seg->ttl;

    if (!(last->state & RST_FLOW_SEEN) || !w->has_ttl || !seg->has_ttl || since < 0 ||
        since > COPY_NS || last->last_seq != seg->seq || last->last_ack != seg->ack ||
        last->last_len != seg->len || last->last_flags != seg->flags ||
        w->window_raw != seg->window_raw || drop < 0 || drop > 2 || w->has_ipid != seg->has_ipid)
        return false;
    return seg->has_ipid ? w->ipid == seg->ipid && (seg->ipid != 0 || drop > 0) : drop > 0;
}
