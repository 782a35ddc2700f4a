/* rst-conv.c
 * Per-conversation summary: what each endpoint has sent, in constant space.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-conv.h"

#include "rst-hosts.h"
#include "rst-seq.h"

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
    rst_conv_note_predecessor(conv, &prev);
    conv->rst_count = prev.rst_count;   /* the count is per tcp.stream */
    return true;
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
    } else if (f & RST_TCP_ACK) {
        flow->state |= RST_FLOW_ACKED;
    }
    if ((f & RST_TCP_FIN) && !(f & RST_TCP_SYN))
        flow->state |= RST_FLOW_FIN;
    if (seg->len > 0)
        flow->state |= RST_FLOW_DATA;
}

/* Small IP ID steps between consecutive packets mean a per-connection
 * counter (Linux, older stacks), against which a RST's IP ID can be judged. */
static bool small_ipid_step(uint16_t from, uint16_t to)
{
    uint16_t step = (uint16_t)(to - from);

    return step >= 1 && step <= 64;
}

static void track_ip(rst_flow *flow, const rst_segment *seg)
{
    if (seg->flags & RST_TCP_RST)
        return;                 /* the baseline is the sender's own traffic */
    if (seg->has_ttl) {
        flow->last_ttl = seg->ttl;
        flow->state |= RST_FLOW_TTL;
    }
    if (seg->has_ipid) {
        if ((flow->state & RST_FLOW_IPID) && small_ipid_step(flow->last_ipid, seg->ipid))
            flow->state |= RST_FLOW_IPID_STEP;
        else if (flow->state & RST_FLOW_IPID)
            flow->state &= (uint16_t)~RST_FLOW_IPID_STEP;
        flow->last_ipid = seg->ipid;
        flow->state |= RST_FLOW_IPID;
    }
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
    track_ip(flow, seg);
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
