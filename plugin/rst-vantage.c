/* rst-vantage.c
 * Matching RST copies across capture points, once the whole capture is known.
 *
 * Clocks: for a handshake seen at points a and b, with d_syn and d_synack the
 * differences (time at b minus time at a) of its SYN and of its SYN/ACK, the
 * two packets cross the path between the points in opposite directions, so
 * the delay cancels: offset = (d_syn + d_synack) / 2, and |d_syn - d_synack|
 * / 2 is the path delay between them.  As NTP does, the sample with the
 * smallest delay is kept: it has the least room for asymmetry.
 *
 * Sides: an address's packets lose one TTL per router, so the point where its
 * usual TTL is highest is the one nearest to it, its side of the path.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-vantage.h"

#include "rst-hosts.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* Two copies of one packet are at most this far apart once the clock offset
 * is taken out: path delay plus the offset estimate's error. */
#define MATCH_NS (500 * RST_NS_PER_MS)

/* What identifies a packet at every point it crosses. */
typedef struct {
    rst_addr src, dst;
    uint16_t sport, dport;
    uint16_t flags;
    uint16_t ipid;              /* 0 when the packet has none */
    uint32_t seq, ack, len;
} copy_key;

typedef struct {
    uint32_t point;
    int64_t  ts_ns;
    bool     has_ttl;
    uint8_t  ttl;
} copy_seen;

/* One connection's handshake, as a key common to every point. */
typedef struct {
    rst_addr client, server;
    uint16_t cport, sport;
    uint32_t client_isn, server_isn;
} handshake_key;

typedef struct {
    uint32_t point;
    int64_t  syn_ts, synack_ts;
} handshake_seen;

typedef struct {
    bool    known;
    int64_t offset_ns;          /* clock of b minus clock of a */
    int64_t delay_ns;
} clock_pair;

struct rst_vantage_index {
    uint32_t npoints;
    rst_point_view *points;
    clock_pair *clocks;         /* [a * npoints + b] */
    GHashTable *copies;         /* copy_key* -> GArray of copy_seen, by point then time */
};

/* --- keys ------------------------------------------------------------- */

static void copy_key_of(const rst_facts *f, copy_key *key)
{
    rst_endpoints ends;

    rst_facts_endpoints(f, &ends);
    memset(key, 0, sizeof(*key));   /* hashed and compared bytewise */
    key->src = ends.src;
    key->dst = ends.dst;
    key->sport = ends.sport;
    key->dport = ends.dport;
    key->flags = f->flags;
    key->ipid = f->ipid;        /* 0 when the packet has none */
    key->seq = f->seq;
    key->ack = f->ack;
    key->len = rst_facts_len(f);
}

static guint bytes_hash(const void *p, size_t n)
{
    const uint8_t *b = p;
    guint h = 2166136261u;      /* FNV-1a */

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static guint copy_key_hash(gconstpointer p)
{
    return bytes_hash(p, sizeof(copy_key));
}

static gboolean copy_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(copy_key)) == 0;
}

static guint handshake_key_hash(gconstpointer p)
{
    return bytes_hash(p, sizeof(handshake_key));
}

static gboolean handshake_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(handshake_key)) == 0;
}

static void free_array(gpointer p)
{
    g_array_free(p, TRUE);
}

/* Append item to the array stored under key (a fresh copy of *key). */
static void append_under(GHashTable *table, const void *key, size_t key_size,
                         const void *item, size_t item_size)
{
    GArray *list = g_hash_table_lookup(table, key);

    if (!list) {
        list = g_array_sized_new(FALSE, FALSE, (guint)item_size, 2);
        g_hash_table_insert(table, g_memdup2(key, (guint)key_size), list);
    }
    g_array_append_vals(list, item, 1);
}

/* --- clocks ----------------------------------------------------------- */

typedef struct {
    GHashTable *handshakes;
    uint32_t point;
} handshake_walk;

static void collect_handshake(const rst_conv *conv, void *data)
{
    handshake_walk *walk = data;
    const rst_flow *client, *server;
    handshake_key key;
    handshake_seen seen;

    if (conv->client < 0)
        return;
    client = &conv->flow[conv->client];
    server = &conv->flow[!conv->client];
    if (!(client->state & RST_FLOW_SYN) || !(server->state & RST_FLOW_SYNACK))
        return;
    memset(&key, 0, sizeof(key));
    key.client = conv->addr[conv->client];
    key.server = conv->addr[!conv->client];
    key.cport = conv->port[conv->client];
    key.sport = conv->port[!conv->client];
    key.client_isn = client->syn_seq;
    key.server_isn = server->syn_seq;
    seen.point = walk->point;
    seen.syn_ts = client->syn_ts;
    seen.synack_ts = server->syn_ts;
    append_under(walk->handshakes, &key, sizeof(key), &seen, sizeof(seen));
}

static void clock_sample(rst_vantage_index *ix, const handshake_seen *a, const handshake_seen *b)
{
    int64_t d_syn = b->syn_ts - a->syn_ts, d_synack = b->synack_ts - a->synack_ts;
    int64_t offset = d_syn / 2 + d_synack / 2, delay = llabs(d_syn - d_synack) / 2;
    clock_pair *ab = &ix->clocks[a->point * ix->npoints + b->point];
    clock_pair *ba = &ix->clocks[b->point * ix->npoints + a->point];

    if (a->point == b->point || (ab->known && ab->delay_ns <= delay))
        return;
    *ab = (clock_pair){ true, offset, delay };
    *ba = (clock_pair){ true, -offset, delay };
}

static void estimate_clocks(rst_vantage_index *ix)
{
    GHashTable *handshakes = g_hash_table_new_full(handshake_key_hash, handshake_key_equal,
                                                   g_free, free_array);
    GHashTableIter iter;
    gpointer value;

    for (uint32_t p = 0; p < ix->npoints; p++) {
        handshake_walk walk = { handshakes, p };
        if (ix->points[p].engine)
            rst_engine_foreach_conv(ix->points[p].engine, collect_handshake, &walk);
    }
    g_hash_table_iter_init(&iter, handshakes);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        GArray *seen = value;
        for (guint i = 0; i < seen->len; i++)
            for (guint j = i + 1; j < seen->len; j++)
                clock_sample(ix, &g_array_index(seen, handshake_seen, i),
                             &g_array_index(seen, handshake_seen, j));
    }
    g_hash_table_destroy(handshakes);
}

/* Clock of point b minus clock of point a, when handshakes relate them. */
static bool clock_offset(const rst_vantage_index *ix, uint32_t a, uint32_t b, int64_t *offset_ns)
{
    const clock_pair *pair;

    if (a >= ix->npoints || b >= ix->npoints)
        return false;
    if (a == b) {
        *offset_ns = 0;
        return true;
    }
    pair = &ix->clocks[a * ix->npoints + b];
    *offset_ns = pair->offset_ns;
    return pair->known;
}

/* --- RST copies ------------------------------------------------------- */

typedef struct {
    GHashTable *copies;
    uint32_t point;
} copy_walk;

static void collect_copy(const rst_entry *entry, void *data)
{
    const rst_facts *f = &entry->facts;
    copy_walk *walk = data;
    copy_key key;
    copy_seen seen = { walk->point, f->ts_ns, rst_facts_has(f, RST_F_HAS_TTL), f->ttl };

    copy_key_of(f, &key);
    append_under(walk->copies, &key, sizeof(key), &seen, sizeof(seen));
}

static gint copy_order(gconstpointer pa, gconstpointer pb)
{
    const copy_seen *a = pa, *b = pb;

    if (a->point != b->point)
        return a->point < b->point ? -1 : 1;
    return a->ts_ns < b->ts_ns ? -1 : a->ts_ns > b->ts_ns;
}

static void sort_copies(GHashTable *copies)
{
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, copies);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_array_sort(value, copy_order);
}

/* The copy at point whose time is nearest to ts_ns, within MATCH_NS. */
static const copy_seen *copy_at(const GArray *list, uint32_t point, int64_t ts_ns)
{
    copy_seen probe = { point, ts_ns - MATCH_NS, false, 0 };
    guint lo = 0, hi = list->len;
    const copy_seen *best = NULL;

    while (lo < hi) {           /* first copy not before probe */
        guint mid = lo + (hi - lo) / 2;
        if (copy_order(&g_array_index(list, copy_seen, mid), &probe) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < list->len; lo++) {
        const copy_seen *c = &g_array_index(list, copy_seen, lo);
        if (c->point != point || c->ts_ns > ts_ns + MATCH_NS)
            break;
        if (!best || llabs(c->ts_ns - ts_ns) < llabs(best->ts_ns - ts_ns))
            best = c;
    }
    return best;
}

rst_vantage_index *rst_vantage_index_build(const rst_point_view *points, uint32_t npoints)
{
    rst_vantage_index *ix = g_new0(rst_vantage_index, 1);

    ix->npoints = npoints;
    ix->points = g_memdup2(points, sizeof(*points) * npoints);
    ix->clocks = g_new0(clock_pair, (gsize)npoints * npoints);
    ix->copies = g_hash_table_new_full(copy_key_hash, copy_key_equal, g_free, free_array);
    estimate_clocks(ix);
    for (uint32_t p = 0; p < npoints; p++) {
        copy_walk walk = { ix->copies, p };
        if (points[p].engine)
            rst_engine_foreach_entry(points[p].engine, collect_copy, &walk);
    }
    sort_copies(ix->copies);
    return ix;
}

void rst_vantage_index_free(rst_vantage_index *ix)
{
    if (!ix)
        return;
    g_hash_table_destroy(ix->copies);
    g_free(ix->clocks);
    g_free(ix->points);
    g_free(ix);
}

/* --- one RST ---------------------------------------------------------- */

/* The point nearest to addr: where its packets keep the highest TTL.  None
 * when two points tie (no router between them) or none saw it. */
static int side_of(const rst_vantage_index *ix, const rst_addr *addr)
{
    int side = -1;
    unsigned best = 0;
    bool tie = false;

    for (uint32_t p = 0; p < ix->npoints; p++) {
        uint8_t ttl;
        if (!ix->points[p].engine || !rst_engine_usual_ttl(ix->points[p].engine, addr, &ttl))
            continue;
        if (side < 0 || ttl > best) {
            side = (int)p;
            best = ttl;
            tie = false;
        } else if (ttl == best) {
            tie = true;
        }
    }
    return tie ? -1 : side;
}

/* The point captured packets around ts_ns (its clock): it would have seen a
 * packet passing then. */
static bool was_capturing(const rst_point_view *point, int64_t ts_ns)
{
    return point->engine && point->first_ts <= ts_ns + MATCH_NS &&
           point->last_ts >= ts_ns - MATCH_NS;
}

static void judge_side(const rst_vantage_index *ix, uint32_t point, const rst_facts *f,
                       const copy_seen *there, rst_crosspoint *out)
{
    int64_t offset;

    if (out->side_point < 0)
        return;
    if ((uint32_t)out->side_point == point) {
        out->side = RST_SIDE_SEEN;      /* this copy is the sender side's own */
        return;
    }
    if (!clock_offset(ix, point, (uint32_t)out->side_point, &offset))
        return;
    /* Worth quoting only beyond its own uncertainty, the path delay (an
     * asymmetric path shifts the estimate by up to that much). */
    if (llabs(offset) > ix->clocks[point * ix->npoints + (uint32_t)out->side_point].delay_ns) {
        out->has_side_clock = true;
        out->side_clock_ns = offset;
    }
    if (there) {
        out->side = RST_SIDE_SEEN;
        if (there->has_ttl && rst_facts_has(f, RST_F_HAS_TTL)) {
            out->has_side_hops = true;
            out->side_hops = (int32_t)there->ttl - f->ttl;
        }
    } else if (was_capturing(&ix->points[out->side_point], f->ts_ns + offset)) {
        out->side = RST_SIDE_ABSENT;
    }
}

void rst_vantage_match(const rst_vantage_index *ix, uint32_t point, const rst_facts *f,
                       rst_crosspoint *out)
{
    rst_endpoints ends;
    const copy_seen *at_side = NULL;
    const GArray *list;
    copy_key key;

    memset(out, 0, sizeof(*out));
    rst_facts_endpoints(f, &ends);
    out->side_point = side_of(ix, &ends.src);
    out->vantages = 1;
    copy_key_of(f, &key);
    list = g_hash_table_lookup(ix->copies, &key);
    for (uint32_t q = 0; list && q < ix->npoints; q++) {
        const copy_seen *c;
        int64_t offset;
        if (q == point || !clock_offset(ix, point, q, &offset))
            continue;
        c = copy_at(list, q, f->ts_ns + offset);
        out->vantages += c != NULL;
        if ((int)q == out->side_point)
            at_side = c;
    }
    judge_side(ix, point, f, at_side, out);
}
