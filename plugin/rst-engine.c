/* rst-engine.c
 * Ties the tables together: conversations by tcp.stream, the latest
 * conversation of each 4-tuple (to see reuse), host TTL baselines, and the
 * RSTs (rst-store.h: 120 bytes each, and an rst_extra for the few that carry
 * a reason or a payload).  Memory grows with conversations, hosts and
 * RSTs, never with ordinary packets.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-engine.h"

#include "rst-decide.h"
#include "rst-hosts.h"
#include "rst-measure.h"
#include "rst-seq.h"
#include "rst-store.h"

#include <glib.h>
#include <string.h>

/* A 4-tuple with its endpoints in a canonical order. */
typedef struct {
    rst_addr addr[2];
    uint16_t port[2];
} tuple_key;

typedef struct {
    tuple_key key;
    rst_conv *conv;             /* the latest conversation on this tuple */
} tuple_entry;

/* The ports of one server a client probed in vain (refused, or reset before
 * any payload): a vertical scan touches many. */
#define PROBE_PORTS_MAX 8

typedef struct {
    tuple_key key;              /* client, server; ports 0 */
    uint16_t port[PROBE_PORTS_MAX];
    uint8_t  nports;
} probe_entry;

struct rst_engine {
    GHashTable *convs;          /* tcp.stream -> rst_conv* (owned) */
    GHashTable *aliases;        /* tcp.stream -> rst_conv* of an earlier stream it continues */
    GHashTable *tuples;         /* tuple_key* -> tuple_entry* */
    GHashTable *probes;         /* tuple_key* (client, server) -> probe_entry* */
    rst_hosts  *hosts;
    rst_store  *store;          /* every RST */
    const rst_prefs *prefs;
};

static int endpoint_cmp(const rst_addr *a, uint16_t pa, const rst_addr *b, uint16_t pb)
{
    int c = memcmp(a, b, sizeof(*a));

    return c ? c : (int)pa - (int)pb;
}

static void make_tuple_key(const rst_segment *seg, tuple_key *key)
{
    int first = endpoint_cmp(&seg->src, seg->sport, &seg->dst, seg->dport) <= 0 ? 0 : 1;

    memset(key, 0, sizeof(*key));
    key->addr[first] = seg->src;
    key->port[first] = seg->sport;
    key->addr[!first] = seg->dst;
    key->port[!first] = seg->dport;
}

static guint tuple_hash(gconstpointer p)
{
    const tuple_key *k = p;

    return (rst_addr_hash(&k->addr[0]) * 65599u + rst_addr_hash(&k->addr[1])) ^
           ((guint)k->port[0] << 16 | k->port[1]);
}

static gboolean tuple_equal(gconstpointer a, gconstpointer b)
{
    const tuple_key *x = a, *y = b;

    return x->port[0] == y->port[0] && x->port[1] == y->port[1] &&
           rst_addr_equal(&x->addr[0], &y->addr[0]) && rst_addr_equal(&x->addr[1], &y->addr[1]);
}

rst_engine *rst_engine_new(const rst_prefs *prefs)
{
    rst_engine *e = g_new0(rst_engine, 1);

    e->prefs = prefs;
    e->convs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    e->aliases = g_hash_table_new(g_direct_hash, g_direct_equal);
    e->tuples = g_hash_table_new_full(tuple_hash, tuple_equal, NULL, g_free);
    e->probes = g_hash_table_new_full(tuple_hash, tuple_equal, NULL, g_free);
    e->hosts = rst_hosts_new();
    e->store = rst_store_new();
    return e;
}

void rst_engine_free(rst_engine *e)
{
    if (!e)
        return;
    g_hash_table_destroy(e->aliases);
    g_hash_table_destroy(e->convs);
    g_hash_table_destroy(e->tuples);
    g_hash_table_destroy(e->probes);
    rst_hosts_free(e->hosts);
    rst_store_free(e->store);
    g_free(e);
}

/* Remember conv as the latest on its 4-tuple; note the one it follows. */
static void link_tuple(rst_engine *e, rst_conv *conv, const rst_segment *seg)
{
    tuple_key key;
    tuple_entry *entry;

    make_tuple_key(seg, &key);
    entry = g_hash_table_lookup(e->tuples, &key);
    if (!entry) {
        entry = g_new0(tuple_entry, 1);
        entry->key = key;
        g_hash_table_insert(e->tuples, &entry->key, entry);
    } else if (entry->conv != conv) {
        rst_conv_note_predecessor(conv, entry->conv);
    }
    entry->conv = conv;
}

/* The conversation a new tcp.stream continues, when Wireshark split one
 * connection attempt in two (see rst_conv_continues); else NULL. */
static rst_conv *continued_conv(rst_engine *e, const rst_segment *seg)
{
    tuple_key key;
    const tuple_entry *entry;

    make_tuple_key(seg, &key);
    entry = g_hash_table_lookup(e->tuples, &key);
    return entry && rst_conv_continues(entry->conv, seg) ? entry->conv : NULL;
}

static rst_conv *find_conv(rst_engine *e, const rst_segment *seg)
{
    gpointer key = GUINT_TO_POINTER(seg->stream);
    rst_conv *conv = g_hash_table_lookup(e->convs, key);

    if (!conv)
        conv = g_hash_table_lookup(e->aliases, key);
    if (!conv && (conv = continued_conv(e, seg)) != NULL)
        g_hash_table_insert(e->aliases, key, conv);
    if (!conv) {
        conv = g_new(rst_conv, 1);
        rst_conv_init(conv, seg);
        g_hash_table_insert(e->convs, key, conv);
        link_tuple(e, conv, seg);
    }
    return conv;
}

static void probe_key(const rst_conv *conv, tuple_key *key)
{
    memset(key, 0, sizeof(*key));
    key->addr[0] = conv->addr[conv->client];
    key->addr[1] = conv->addr[!conv->client];
}

static uint8_t probed_ports(const rst_engine *e, const rst_conv *conv)
{
    tuple_key key;
    const probe_entry *probe;

    if (conv->client < 0)
        return 0;
    probe_key(conv, &key);
    probe = g_hash_table_lookup(e->probes, &key);
    return probe ? probe->nports : 0;
}

/* A RST ends a connection that carried no payload and no FIN: one more port
 * of that server the client reached in vain. */
static void note_probe(rst_engine *e, const rst_conv *conv)
{
    uint16_t either = conv->flow[0].state | conv->flow[1].state;
    uint16_t port;
    tuple_key key;
    probe_entry *probe;

    if (conv->client < 0 || (either & (RST_FLOW_DATA | RST_FLOW_FIN)))
        return;
    port = conv->port[!conv->client];
    probe_key(conv, &key);
    probe = g_hash_table_lookup(e->probes, &key);
    if (!probe) {
        probe = g_new0(probe_entry, 1);
        probe->key = key;
        g_hash_table_insert(e->probes, &probe->key, probe);
    }
    for (unsigned i = 0; i < probe->nports; i++)
        if (probe->port[i] == port)
            return;
    if (probe->nports < PROBE_PORTS_MAX)
        probe->port[probe->nports++] = port;
}

/* How far back a RST may answer a segment of its peer: a flight in transit
 * takes a round trip or so; a few seconds cover any path but a satellite's. */
static int64_t answer_horizon(const rst_engine *e, const rst_segment *seg)
{
    int64_t rtt;

    if (rst_hosts_min_rtt(e->hosts, &seg->src, &rtt) && 4 * rtt > 3 * RST_NS_PER_S)
        return MIN(4 * rtt, 30 * RST_NS_PER_S);
    return 3 * RST_NS_PER_S;
}

/* A segment sent before a RST can still be captured just after it when the
 * path reorders; more than this after the RST, it was sent after it. */
#define REORDER_NS RST_NS_PER_MS

/* A live sender whose connection was reset behind its back keeps sending, or
 * retransmits, within a few RTOs: that is the race that betrays an injected
 * RST.  Traffic much later is a new exchange, not the race. */
#define RACE_NS (5 * RST_NS_PER_S)

/* How far back through a burst a later segment is credited to its RSTs:
 * injectors send a handful; a hostile capture must not make this quadratic. */
#define BURST_CREDIT_MAX 8

static bool credit_talk(rst_entry *rst, const rst_segment *seg)
{
    int64_t since = seg->ts_ns - rst->facts.ts_ns;
    bool late = since >= REORDER_NS;
    bool data = (seg->len > 0 || (seg->flags & RST_TCP_FIN)) &&
                (late || rst_seq_diff(seg->seq, rst->facts.seq) >= 0);
    bool synack = (seg->flags & (RST_TCP_SYN | RST_TCP_ACK)) == (RST_TCP_SYN | RST_TCP_ACK);
    bool talks = data || synack ||
                 (late && (seg->flags & RST_TCP_ACK) && !(seg->flags & RST_TCP_SYN));

    if (data)
        rst->data_after++;
    if (talks && since <= RACE_NS)
        rst->talk_after++;
    return talks;
}

/* The claimed sender of earlier RSTs still speaks (Weaver's race): payload
 * or FIN at or beyond a RST's sequence number, or anything arriving well
 * after it (a dead socket sends nothing), or a SYN/ACK (a live listener; a
 * client's new SYN is only a retry, and ends the race).  data_after counts
 * payload and FIN segments, talk_after what came within the race window; a
 * burst's RSTs are all credited.  Returns the latest RST it speaks after. */
static const rst_entry *count_talk_after(rst_conv *conv, int dir, const rst_segment *seg)
{
    rst_entry *latest = conv->last_rst[dir], *rst = latest;
    bool talks = false;

    if (!latest || (seg->flags & RST_TCP_RST))
        return NULL;
    if ((seg->flags & (RST_TCP_SYN | RST_TCP_ACK)) == RST_TCP_SYN) {
        conv->last_rst[dir] = NULL;     /* a new attempt: what follows is its own */
        return NULL;
    }
    for (int n = 0; rst && n < BURST_CREDIT_MAX; n++, rst = rst->burst_prev)
        talks |= credit_talk(rst, seg);
    return talks ? latest : NULL;
}

/* Another RST of the same claimed sender shortly after its previous one, that
 * does not simply answer a newer segment of the peer, and differs from it in
 * sequence number, TTL or window: what injectors spray to hit the window
 * (GFW 2006: seq +0/+1460/+4380; GFW 2023: TTL and window +1 each). */
static bool continues_burst(const rst_conv *conv, int dir, const rst_segment *seg,
                            const rst_answer *answer, const rst_prefs *prefs)
{
    const rst_flow *flow = &conv->flow[dir], *peer = &conv->flow[!dir];

    if (!flow->rst_frame || seg->ts_ns - flow->rst_ts > (int64_t)prefs->burst_window_ms * RST_NS_PER_MS)
        return false;
    /* A kernel answers each segment of a flight in turn, all from one stack:
     * RSTs of another TTL are no such answer (INTANG's type-2 GFW bursts). */
    if (answer->fresh && seg->ttl == flow->rst_ttl)
        return false;
    if (peer->last_frame > flow->rst_frame)
        return false;           /* it answers something new */
    return seg->seq != flow->rst_seq || seg->ttl != flow->rst_ttl ||
           seg->window_raw != flow->rst_window;
}

/* A SYN/ACK after the peer's SYN measures the round trip to its sender. */
static void observe_handshake_rtt(rst_engine *e, const rst_conv *conv, int dir,
                                  const rst_segment *seg)
{
    const rst_flow *peer = &conv->flow[!dir], *own = &conv->flow[dir];
    bool clean = peer->retrans_run == 0 && !(own->state & RST_FLOW_SYNACK);

    if ((seg->flags & (RST_TCP_SYN | RST_TCP_ACK)) == (RST_TCP_SYN | RST_TCP_ACK) &&
        (peer->state & RST_FLOW_SYN) && (peer->last_flags & RST_TCP_SYN))
        rst_hosts_observe_rtt(e->hosts, &seg->src, seg->ts_ns - peer->syn_ts, clean);
}

/* What the engine knows of the RST seg beyond its conversation. */
static void fill_then(const rst_engine *e, const rst_conv *conv, const rst_segment *seg,
                      const rst_answer *answer, rst_then *then)
{
    int dir = rst_conv_direction(conv, seg);

    memset(then, 0, sizeof(*then));
    then->has_host_ttl = rst_hosts_usual_ttl(e->hosts, &seg->src, &then->host_ttl);
    then->host_used_ttl = seg->has_ttl &&
        rst_hosts_used_ttl(e->hosts, &seg->src, seg->ttl, e->prefs->ttl_tolerance);
    then->has_rtt = rst_hosts_min_rtt(e->hosts, &seg->src, &then->rtt_ns);
    then->rtt_stable = rst_hosts_rtt_stable(e->hosts, &seg->src);
    then->sender_used_ttl = seg->has_ttl &&
        rst_conv_used_ttl(conv, dir, seg->ttl, e->prefs->ttl_tolerance);
    then->burst_prev = continues_burst(conv, dir, seg, answer, e->prefs);
    then->scan_ports = probed_ports(e, conv);
}

/* A RST: measure it against its conversation as it stands, and store it. */
static rst_entry *observe_rst(rst_engine *e, rst_conv *conv, const rst_segment *seg)
{
    int dir = rst_conv_direction(conv, seg);
    rst_answer answer;
    rst_then then;
    rst_facts facts;
    rst_extra extra;
    rst_entry *entry;
    bool has_extra;

    rst_conv_find_answer(conv, dir, seg, answer_horizon(e, seg), &answer);
    note_probe(e, conv);
    fill_then(e, conv, seg, &answer, &then);
    has_extra = rst_measure(conv, seg, &answer, &then, &facts, &extra);
    entry = rst_store_add(e->store, &facts, has_extra ? &extra : NULL);
    if (then.burst_prev && conv->last_rst[dir]) {
        conv->last_rst[dir]->burst_next++;
        entry->burst_prev = conv->last_rst[dir];
    }
    conv->last_rst[dir] = entry;
    return entry;
}

rst_observation rst_engine_observe(rst_engine *e, const rst_segment *seg)
{
    rst_observation obs = { NULL, NULL, 0 };
    rst_conv *conv = find_conv(e, seg);
    int dir;

    /* A second copy of a packet is that packet, not a retransmission, a
     * burst or a TTL change: it adds nothing, and a RST copy shows its
     * first copy's verdict. */
    if (rst_conv_is_copy(conv, seg)) {
        dir = rst_conv_direction(conv, seg);
        obs.copy_of = conv->flow[dir].last_frame;
        if (seg->flags & RST_TCP_RST)
            obs.rst = conv->last_rst[dir];
        return obs;
    }
    if (rst_conv_restart_on_new_syn(conv, seg))
        link_tuple(e, conv, seg);
    dir = rst_conv_direction(conv, seg);
    if (seg->flags & RST_TCP_RST) {
        obs.rst = observe_rst(e, conv, seg);
    } else {
        obs.follows = count_talk_after(conv, dir, seg);
        observe_handshake_rtt(e, conv, dir, seg);
        if (seg->has_ttl)
            rst_hosts_observe(e->hosts, &seg->src, seg->ttl);
    }
    rst_conv_update(conv, seg);
    return obs;
}

void rst_engine_context(const rst_engine *e, const rst_entry *entry, bool whole_capture,
                        rst_context *ctx)
{
    const rst_facts *f = &entry->facts;

    memset(ctx, 0, sizeof(*ctx));
    ctx->whole_capture = whole_capture;
    if (whole_capture) {
        rst_endpoints ends;
        bool has_rtt, stable;
        int64_t rtt = 0;
        rst_facts_endpoints(f, &ends);
        ctx->has_host_ttl = rst_hosts_usual_ttl(e->hosts, &ends.src, &ctx->host_ttl);
        ctx->host_used_ttl = rst_facts_has(f, RST_F_HAS_TTL) &&
            rst_hosts_used_ttl(e->hosts, &ends.src, f->ttl, e->prefs->ttl_tolerance);
        has_rtt = rst_hosts_min_rtt(e->hosts, &ends.src, &rtt);
        stable = rst_hosts_rtt_stable(e->hosts, &ends.src);
        ctx->too_early = rst_too_early(f, has_rtt, rtt, stable);
        ctx->scan_ports = probed_ports(e, f->conv);
        ctx->rst_count = f->conv->rst_count;
        ctx->data_after = entry->data_after;
        ctx->talk_after = entry->talk_after;
        ctx->burst_next = entry->burst_next;
    } else {
        ctx->has_host_ttl = rst_facts_has(f, RST_F_HOST_TTL_THEN);
        ctx->host_ttl = f->host_ttl_then;
        ctx->host_used_ttl = rst_facts_has(f, RST_F_HOST_USED_TTL_THEN);
        ctx->too_early = rst_facts_has(f, RST_F_TOO_EARLY_THEN);
        ctx->scan_ports = f->scan_ports_then;
        ctx->rst_count = f->rst_ordinal;
    }
}

bool rst_engine_usual_ttl(const rst_engine *e, const rst_addr *addr, uint8_t *ttl)
{
    return rst_hosts_usual_ttl(e->hosts, addr, ttl);
}

void rst_engine_foreach_conv(const rst_engine *e, rst_conv_visitor visit, void *data)
{
    GHashTableIter iter;
    gpointer conv;

    g_hash_table_iter_init(&iter, e->convs);
    while (g_hash_table_iter_next(&iter, NULL, &conv))
        visit(conv, data);
}

void rst_engine_foreach_entry(const rst_engine *e, rst_entry_visitor visit, void *data)
{
    rst_store_foreach(e->store, visit, data);
}
