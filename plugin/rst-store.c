/* rst-store.c
 * Whole records and deltas in chunks of a bump allocator (see rst-store.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-store.h"

#include <glib.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES (256 * 1024)

/* An entry with the whole record, packed: the segment without its payload
 * buffer, the record's fields after the flows, the flows the endpoints have
 * used (a flow with nothing sent yet is all zero: a refused SYN's server),
 * then the payload bytes. */
typedef struct {
    rst_entry head;
    uint8_t   flows;            /* WHOLE_SENDER | WHOLE_PEER: stored */
} whole_entry;

#define WHOLE_SENDER 0x01
#define WHOLE_PEER   0x02

#define SEG_FIXED   offsetof(rst_segment, payload)
#define REC_TAIL_AT offsetof(rst_record, client_dir)
#define REC_TAIL    (sizeof(rst_record) - REC_TAIL_AT)

/* delta_entry.bits */
#define DELTA_HAS_TTL  0x01
#define DELTA_HAS_IPID 0x02
#define DELTA_SAME_DIR 0x04     /* same sender as the RST it follows */

/* An entry that follows another RST of the conversation: the RST's own
 * header fields (addresses and ports are the base's, maybe swapped);
 * payload_len bytes of payload follow the struct. */
typedef struct {
    rst_entry head;
    uint32_t  ack, len, window;
    uint16_t  flags, window_raw, ipid, payload_len;
    uint8_t   ttl, hdr_len, bits;
} delta_entry;

typedef struct {
    size_t used;
    uint8_t bytes[];            /* entries, each padded to 8 bytes */
} chunk;

struct rst_store {
    GPtrArray *chunks;
    const rst_entry *last;      /* the entry last rebuilt, and its record */
    rst_record last_rec;
};

rst_store *rst_store_new(void)
{
    rst_store *store = g_new0(rst_store, 1);

    store->chunks = g_ptr_array_new_with_free_func(g_free);
    return store;
}

void rst_store_free(rst_store *store)
{
    if (!store)
        return;
    g_ptr_array_free(store->chunks, TRUE);
    g_free(store);
}

static size_t padded(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static const uint8_t *whole_bytes(const whole_entry *w)
{
    return (const uint8_t *)(w + 1);
}

static uint16_t whole_payload_len(const whole_entry *w)
{
    uint16_t len;

    memcpy(&len, whole_bytes(w) + offsetof(rst_segment, payload_len), sizeof(len));
    return len;
}

static size_t whole_size(uint8_t flows, uint16_t payload_len)
{
    size_t n = ((flows & WHOLE_SENDER) ? 1 : 0) + ((flows & WHOLE_PEER) ? 1 : 0);

    return sizeof(whole_entry) + SEG_FIXED + REC_TAIL + n * sizeof(rst_flow) + payload_len;
}

static size_t entry_size(const rst_entry *e)
{
    const whole_entry *w = (const whole_entry *)e;

    if (!e->base)
        return padded(whole_size(w->flows, whole_payload_len(w)));
    return padded(sizeof(delta_entry) + ((const delta_entry *)e)->payload_len);
}

static void *allocate(rst_store *store, size_t size)
{
    chunk *c = store->chunks->len ? g_ptr_array_index(store->chunks, store->chunks->len - 1)
                                  : NULL;
    void *p;

    size = padded(size);
    if (!c || c->used + size > CHUNK_BYTES) {
        c = g_malloc(sizeof(chunk) + CHUNK_BYTES);
        c->used = 0;
        g_ptr_array_add(store->chunks, c);
    }
    p = c->bytes + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

/* The RST carries exactly its conversation's endpoints, so a delta can take
 * them from the RST it follows (a hostile capture can mix others into a
 * stream). */
static bool on_conv_endpoints(const rst_record *rec)
{
    const rst_conv *conv = rec->conv;
    int d = rec->sender_dir;

    return memcmp(&rec->rst.src, &conv->addr[d], sizeof(rst_addr)) == 0 &&
           memcmp(&rec->rst.dst, &conv->addr[!d], sizeof(rst_addr)) == 0 &&
           rec->rst.sport == conv->port[d] && rec->rst.dport == conv->port[!d];
}

static void fill_head(rst_entry *e, const rst_record *rec, rst_entry *base)
{
    e->base = base;
    e->ts_ns = rec->rst.ts_ns;
    e->seq = rec->rst.seq;
    e->frame = rec->rst.frame;
    e->chain = base ? (uint8_t)(base->chain + 1) : 0;
    e->sender_dir = (uint8_t)rec->sender_dir;
    e->on_endpoints = on_conv_endpoints(rec);
    e->burst_prev = rec->burst_prev;
    e->has_host_ttl = rec->has_host_ttl;
    e->host_ttl = rec->host_ttl;
    e->has_rtt = rec->has_rtt;
    e->rtt_ns = rec->rtt_ns;
    e->rtt_stable = rec->rtt_stable;
    e->host_used_ttl = rec->host_used_ttl;
    e->answer = rec->answer;
    e->sender_used_ttl = rec->sender_used_ttl;
    e->scan_ports = rec->scan_ports;
}

static rst_entry *add_delta(rst_store *store, const rst_record *rec, rst_entry *after)
{
    const rst_segment *s = &rec->rst;
    delta_entry *d = allocate(store, sizeof(delta_entry) + s->payload_len);

    fill_head(&d->head, rec, after);
    d->ack = s->ack;
    d->len = s->len;
    d->window = s->window;
    d->flags = s->flags;
    d->window_raw = s->window_raw;
    d->ipid = s->ipid;
    d->payload_len = s->payload_len;
    d->ttl = s->ttl;
    d->hdr_len = s->hdr_len;
    d->bits = (uint8_t)((s->has_ttl ? DELTA_HAS_TTL : 0) | (s->has_ipid ? DELTA_HAS_IPID : 0));
    memcpy(d + 1, s->payload, s->payload_len);
    return &d->head;
}

static bool flow_unused(const rst_flow *flow)
{
    static const rst_flow unused;

    return memcmp(flow, &unused, sizeof(unused)) == 0;
}

static rst_entry *add_whole(rst_store *store, const rst_record *rec)
{
    uint8_t flows = (uint8_t)((flow_unused(&rec->sender) ? 0 : WHOLE_SENDER) |
                              (flow_unused(&rec->peer) ? 0 : WHOLE_PEER));
    whole_entry *w = allocate(store, whole_size(flows, rec->rst.payload_len));
    uint8_t *p = (uint8_t *)(w + 1);

    fill_head(&w->head, rec, NULL);
    w->flows = flows;
    memcpy(p, &rec->rst, SEG_FIXED);
    p += SEG_FIXED;
    memcpy(p, (const uint8_t *)rec + REC_TAIL_AT, REC_TAIL);
    p += REC_TAIL;
    if (flows & WHOLE_SENDER) {
        memcpy(p, &rec->sender, sizeof(rst_flow));
        p += sizeof(rst_flow);
    }
    if (flows & WHOLE_PEER) {
        memcpy(p, &rec->peer, sizeof(rst_flow));
        p += sizeof(rst_flow);
    }
    memcpy(p, rec->rst.payload, rec->rst.payload_len);
    return &w->head;
}

static void whole_record(const whole_entry *w, rst_record *out)
{
    const uint8_t *p = whole_bytes(w);

    memset(out, 0, sizeof(*out));
    memcpy(&out->rst, p, SEG_FIXED);
    p += SEG_FIXED;
    memcpy((uint8_t *)out + REC_TAIL_AT, p, REC_TAIL);
    p += REC_TAIL;
    if (w->flows & WHOLE_SENDER) {
        memcpy(&out->sender, p, sizeof(rst_flow));
        p += sizeof(rst_flow);
    }
    if (w->flows & WHOLE_PEER) {
        memcpy(&out->peer, p, sizeof(rst_flow));
        p += sizeof(rst_flow);
    }
    memcpy(out->rst.payload, p, MIN(out->rst.payload_len, RST_PAYLOAD_MAX));
}

#ifdef RST_STORE_SELFCHECK
/* For the fuzzer: an entry must give back exactly the record it stands for. */
static void check_entry(rst_store *store, const rst_entry *e, const rst_record *want)
{
    rst_record got;
    const rst_segment *a = &got.rst, *b = &want->rst;

    rst_store_record(store, e, &got);
    if (a->frame != b->frame || a->ts_ns != b->ts_ns || a->stream != b->stream ||
        memcmp(&a->src, &b->src, sizeof(a->src)) || memcmp(&a->dst, &b->dst, sizeof(a->dst)) ||
        a->sport != b->sport || a->dport != b->dport || a->flags != b->flags ||
        a->seq != b->seq || a->ack != b->ack || a->len != b->len || a->window != b->window ||
        a->window_raw != b->window_raw || a->ttl != b->ttl || a->has_ttl != b->has_ttl ||
        a->hdr_len != b->hdr_len ||
        a->has_ipid != b->has_ipid || a->ipid != b->ipid || a->payload_len != b->payload_len ||
        memcmp(a->payload, b->payload, a->payload_len) ||
        memcmp(&got.sender, &want->sender, sizeof(got.sender)) ||
        memcmp(&got.peer, &want->peer, sizeof(got.peer)) ||
        got.client_dir != want->client_dir || got.sender_dir != want->sender_dir ||
        got.reused != want->reused || got.prev_closed != want->prev_closed ||
        got.prev_end_ts != want->prev_end_ts || got.has_prev_ts != want->has_prev_ts ||
        got.prev_ts != want->prev_ts || got.rst_ordinal != want->rst_ordinal ||
        got.conv != want->conv)
        abort();
}
#endif

rst_entry *rst_store_add(rst_store *store, const rst_record *rec, rst_entry *after)
{
    rst_entry *e;

    if (after && after->on_endpoints && on_conv_endpoints(rec) && after->chain + 1 < RST_STORE_CHAIN) {
        e = add_delta(store, rec, after);
        if (rec->sender_dir == after->sender_dir)
            ((delta_entry *)e)->bits |= DELTA_SAME_DIR;
#ifdef RST_STORE_SELFCHECK
        check_entry(store, e, rec);
#endif
        return e;
    }
    e = add_whole(store, rec);
#ifdef RST_STORE_SELFCHECK
    check_entry(store, e, rec);
#endif
    return e;
}

/* The state after the RST in rec, which d follows: replay that RST through a
 * conversation summary rebuilt from rec, then take d's own header. */
static void apply_delta(rst_record *rec, const delta_entry *d)
{
    int sd = rec->sender_dir, nd = (d->bits & DELTA_SAME_DIR) ? sd : !sd;
    rst_segment *s = &rec->rst;
    rst_conv conv;

    memset(&conv, 0, sizeof(conv));
    conv.addr[sd] = s->src;
    conv.port[sd] = s->sport;
    conv.addr[!sd] = s->dst;
    conv.port[!sd] = s->dport;
    conv.client = rec->client_dir;
    conv.flow[sd] = rec->sender;
    conv.flow[!sd] = rec->peer;
    conv.last_ts = rec->prev_ts;
    conv.has_last = rec->has_prev_ts;
    rst_conv_update(&conv, s);

    rec->prev_ts = s->ts_ns;
    rec->has_prev_ts = true;
    rec->rst_ordinal++;
    if (nd != sd) {
        rst_addr a = s->src;
        uint16_t p = s->sport;
        s->src = s->dst;
        s->sport = s->dport;
        s->dst = a;
        s->dport = p;
    }
    s->frame = d->head.frame;
    s->ts_ns = d->head.ts_ns;
    s->seq = d->head.seq;
    s->ack = d->ack;
    s->len = d->len;
    s->window = d->window;
    s->window_raw = d->window_raw;
    s->flags = d->flags;
    s->ipid = d->ipid;
    s->has_ipid = (d->bits & DELTA_HAS_IPID) != 0;
    s->ttl = d->ttl;
    s->hdr_len = d->hdr_len;
    s->has_ttl = (d->bits & DELTA_HAS_TTL) != 0;
    s->payload_len = d->payload_len;
    memset(s->payload, 0, sizeof(s->payload));
    memcpy(s->payload, d + 1, d->payload_len);

    rec->sender_dir = nd;
    rec->sender = conv.flow[nd];
    rec->peer = conv.flow[!nd];
    rec->client_dir = conv.client;
    if (rec->client_dir < 0 && (s->flags & (RST_TCP_SYN | RST_TCP_ACK)) == RST_TCP_SYN)
        rec->client_dir = nd;   /* as the engine does for a SYN+RST */
}

void rst_store_record(rst_store *store, const rst_entry *entry, rst_record *out)
{
    const rst_entry *chain[RST_STORE_CHAIN];
    const rst_entry *e = entry;
    int n = 0;

    while (e->base && e != store->last && n < RST_STORE_CHAIN) {
        chain[n++] = e;
        e = e->base;
    }
    if (e == store->last)
        *out = store->last_rec;
    else
        whole_record((const whole_entry *)e, out);
    while (n > 0)
        apply_delta(out, (const delta_entry *)chain[--n]);
    out->burst_prev = entry->burst_prev;
    out->has_host_ttl = entry->has_host_ttl;
    out->host_ttl = entry->host_ttl;
    out->has_rtt = entry->has_rtt;
    out->rtt_ns = entry->rtt_ns;
    out->rtt_stable = entry->rtt_stable;
    out->host_used_ttl = entry->host_used_ttl;
    out->answer = entry->answer;
    out->sender_used_ttl = entry->sender_used_ttl;
    out->scan_ports = entry->scan_ports;
    out->data_after = entry->data_after;
    out->talk_after = entry->talk_after;
    out->burst_next = entry->burst_next;
    store->last = entry;
    store->last_rec = *out;
}

void rst_store_foreach(const rst_store *store, rst_entry_visitor visit, void *data)
{
    for (guint i = 0; i < store->chunks->len; i++) {
        const chunk *c = g_ptr_array_index(store->chunks, i);
        for (size_t off = 0; off < c->used; off += entry_size((const rst_entry *)(c->bytes + off)))
            visit((const rst_entry *)(c->bytes + off), data);
    }
}
