/* test-core.c
 * Unit tests of the epan-free diagnosis core (GLib's test framework).
 * Each test plays a conversation into a fresh engine, segment by segment, the
 * way the postdissector does on the first pass, and checks the verdict.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "rst-decide.h"
#include "rst-engine.h"
#include "rst-hosts.h"
#include "rst-names.h"
#include "rst-seq.h"
#include "rst-summary.h"

enum { C = 1, S = 0 };          /* who sends: client or server */

#define SYN RST_TCP_SYN
#define ACK RST_TCP_ACK
#define RST RST_TCP_RST
#define FIN RST_TCP_FIN
#define URG RST_TCP_URG
#define PSH RST_TCP_PSH

typedef struct {
    rst_engine *engine;
    rst_prefs prefs;
    uint32_t frame;
    int64_t now_ns;
    uint32_t stream;
    uint16_t cport;             /* client port of the current connection */
    uint8_t client_ttl, server_ttl;
    uint8_t hdr_len;            /* TCP header length of the segments played */
    uint16_t window;            /* their window field */
    int64_t step_ns;            /* time from one segment to the next */
    int32_t ipid;               /* IP ID of the next segment; -1: the default */
    uint16_t sport;             /* the server's port */
} lab;

static void lab_init(lab *l)
{
    rst_prefs defaults = RST_PREFS_DEFAULT;

    memset(l, 0, sizeof(*l));
    l->prefs = defaults;
    l->engine = rst_engine_new(&l->prefs);
    l->now_ns = G_GINT64_CONSTANT(1700000000) * 1000000000;
    l->cport = 40000;
    l->client_ttl = 64;
    l->server_ttl = 63;
    l->hdr_len = 40;            /* a general-purpose stack's SYN options */
    l->window = 64240;
    l->step_ns = 10 * 1000000;
    l->ipid = -1;
    l->sport = 80;
}

static void lab_free(lab *l)
{
    rst_engine_free(l->engine);
}

static void set_addr(rst_addr *a, uint8_t last)
{
    memset(a, 0, sizeof(*a));
    a->family = 4;
    a->bytes[0] = 10;
    a->bytes[3] = last;
}

/* Play one segment, step_ns (10 ms) after the previous one, with ttl. */
static rst_observation play_obs(lab *l, int from, uint16_t flags, uint32_t seq, uint32_t ack,
                                uint32_t len, uint8_t ttl)
{
    rst_segment seg;

    memset(&seg, 0, sizeof(seg));
    seg.frame = ++l->frame;
    l->now_ns += l->step_ns;
    seg.ts_ns = l->now_ns;
    seg.stream = l->stream;
    set_addr(from == C ? &seg.src : &seg.dst, 1);
    set_addr(from == C ? &seg.dst : &seg.src, 2);
    seg.sport = from == C ? l->cport : l->sport;
    seg.dport = from == C ? l->sport : l->cport;
    seg.flags = flags;
    seg.seq = seq;
    seg.ack = ack;
    seg.len = len;
    seg.window = seg.window_raw = l->window;
    seg.hdr_len = l->hdr_len;
    seg.ttl = ttl;
    seg.has_ttl = true;
    seg.has_ipid = true;
    seg.ipid = (flags & RST) && !(flags & ACK) ? 0 : (uint16_t)(1000 + seg.frame);
    if (l->ipid >= 0)
        seg.ipid = (uint16_t)l->ipid;
    l->ipid = -1;
    return rst_engine_observe(l->engine, &seg);
}

static const rst_entry *play_ttl(lab *l, int from, uint16_t flags, uint32_t seq, uint32_t ack,
                                 uint32_t len, uint8_t ttl)
{
    return play_obs(l, from, flags, seq, ack, len, ttl).rst;
}

static const rst_entry *play(lab *l, int from, uint16_t flags, uint32_t seq, uint32_t ack,
                              uint32_t len)
{
    return play_ttl(l, from, flags, seq, ack, len, from == C ? l->client_ttl : l->server_ttl);
}

static void diagnose(lab *l, const rst_entry *entry, bool whole, rst_verdict *v)
{
    rst_context ctx;

    g_assert_nonnull(entry);
    rst_engine_context(l->engine, entry, whole, &ctx);
    rst_decide(&entry->facts, &ctx, &l->prefs, v);
}

static void assert_cause(const rst_verdict *v, rst_cause cause)
{
    g_assert_cmpstr(rst_cause_name(v->cause), ==, rst_cause_name(cause));
}

/* SYN, SYN/ACK, ACK: client ISN 1000, server ISN 5000. */
static void play_handshake(lab *l)
{
    play(l, C, SYN, 1000, 0, 0);
    play(l, S, SYN | ACK, 5000, 1001, 0);
    play(l, C, ACK, 1001, 5001, 0);
}

/* A short connection closed cleanly, server first: client ISN 1000, server 5000. */
static void play_clean_connection(lab *l)
{
    play_handshake(l);
    play(l, C, PSH | ACK, 1001, 5001, 10);
    play(l, S, PSH | ACK, 5001, 1011, 20);
    play(l, S, FIN | ACK, 5021, 1011, 0);
    play(l, C, FIN | ACK, 1011, 5022, 0);
    play(l, S, ACK, 5022, 1012, 0);
}

static void next_connection(lab *l, uint16_t cport)
{
    l->stream++;
    l->cport = cport;
}

/* --- sequence arithmetic and host baselines --------------------------- */

static void test_seq_wrap(void)
{
    g_assert_cmpint(rst_seq_diff(5, 0xFFFFFFF0u), ==, 21);
    g_assert_true(rst_seq_after(5, 0xFFFFFFF0u));
    g_assert_cmpuint(rst_seq_max(0xFFFFFFF0u, 5), ==, 5);
    g_assert_cmpint(rst_seq_diff(0xFFFFFFF0u, 0x10), ==, -32);
}

static void test_host_baseline(void)
{
    rst_hosts *hosts = rst_hosts_new();
    rst_addr a, b;
    uint8_t ttl = 0;

    set_addr(&a, 1);
    set_addr(&b, 2);
    g_assert_false(rst_hosts_usual_ttl(hosts, &a, &ttl));
    for (int i = 0; i < 10; i++)
        rst_hosts_observe(hosts, &a, 63);
    /* Many distinct rare TTLs must not displace the usual one. */
    for (int i = 0; i < 200; i++)
        rst_hosts_observe(hosts, &a, (uint8_t)(100 + i % 7));
    for (int i = 0; i < 300; i++)
        rst_hosts_observe(hosts, &a, 63);
    g_assert_true(rst_hosts_usual_ttl(hosts, &a, &ttl));
    g_assert_cmpuint(ttl, ==, 63);
    g_assert_false(rst_hosts_usual_ttl(hosts, &b, &ttl));
    rst_hosts_free(hosts);
}

/* --- handshake-phase causes ------------------------------------------- */

static void test_port_closed(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_clean_connection(&l);
    next_connection(&l, 40001);
    play(&l, C, SYN, 7000, 0, 0);
    diagnose(&l, play(&l, S, RST | ACK, 0, 7001, 0), false, &v);
    assert_cause(&v, RST_CAUSE_PORT_CLOSED);
    g_assert_cmpint(v.sender, ==, RST_SENDER_SERVER);
    g_assert_cmpint(v.phase, ==, RST_PHASE_HANDSHAKE);
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_ENDPOINT);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_ANSWERS_SYN));
    g_assert_false(v.has_ttl_delta);    /* the server sent nothing else in it */
    g_assert_true(v.has_host_ttl_delta);
    g_assert_cmpint(v.host_ttl_delta, ==, 0);
    g_assert_false(v.has_seq_delta);
    g_assert_cmpuint(v.trigger, ==, 9);
    g_assert_cmpuint(v.rst_count, ==, 1);
    lab_free(&l);
}

static void test_firewall_reject(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_clean_connection(&l);
    next_connection(&l, 40001);
    play(&l, C, SYN, 7000, 0, 0);
    diagnose(&l, play_ttl(&l, S, RST | ACK, 0, 7001, 0, 64), false, &v);
    assert_cause(&v, RST_CAUSE_FIREWALL_REJECT);
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_MIDDLEBOX);
    g_assert_cmpint(v.host_ttl_delta, ==, 1);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_TTL_MISMATCH));
    lab_free(&l);
}

/* The server's own packets come only after the refusal: a single pass cannot
 * tell, the whole capture can. */
static void test_firewall_reject_needs_lookahead(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *rec;

    lab_init(&l);
    l.cport = 40001;
    play(&l, C, SYN, 7000, 0, 0);
    rec = play_ttl(&l, S, RST | ACK, 0, 7001, 0, 64);
    next_connection(&l, 40002);
    play_clean_connection(&l);
    diagnose(&l, rec, false, &v);
    assert_cause(&v, RST_CAUSE_PORT_CLOSED);
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_UNKNOWN);
    diagnose(&l, rec, true, &v);
    assert_cause(&v, RST_CAUSE_FIREWALL_REJECT);
    lab_free(&l);
}

static void test_bad_syn(void)
{
    static const uint16_t extra[] = { FIN, URG, RST };
    lab l;
    rst_verdict v;

    lab_init(&l);
    for (unsigned i = 0; i < G_N_ELEMENTS(extra); i++) {
        next_connection(&l, (uint16_t)(41000 + i));
        play(&l, C, SYN | extra[i], 7000, 0, 0);
        diagnose(&l, play(&l, S, RST | ACK, 0, 7001, 0), false, &v);
        assert_cause(&v, RST_CAUSE_BAD_SYN);
        g_assert_true(rst_ev_has(v.evidence, RST_EV_BAD_SYN_FLAGS));
    }
    lab_free(&l);
}

static void test_time_wait_refused_syn(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_clean_connection(&l);
    next_connection(&l, 40000);         /* same 4-tuple, new tcp.stream */
    l.now_ns += 1000000000;
    play(&l, C, SYN, 900, 0, 0);
    diagnose(&l, play(&l, S, RST | ACK, 0, 901, 0), false, &v);
    assert_cause(&v, RST_CAUSE_TIME_WAIT);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_REUSED_TUPLE));

    /* Long after the old connection ended it is a plain refusal. */
    next_connection(&l, 40000);
    l.now_ns += G_GINT64_CONSTANT(600) * 1000000000;
    play(&l, C, SYN, 800, 0, 0);
    diagnose(&l, play(&l, S, RST | ACK, 0, 801, 0), false, &v);
    assert_cause(&v, RST_CAUSE_PORT_CLOSED);
    lab_free(&l);
}

/* Linux: the TIME_WAIT server answers the reused SYN with a stale ACK, the
 * client resets that ACK, retries, and connects. */
static void test_time_wait_stale_ack(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *rec;

    lab_init(&l);
    play_clean_connection(&l);
    l.now_ns += 1000000000;
    play(&l, C, SYN, 900, 0, 0);        /* same tcp.stream: restarts it */
    play(&l, S, ACK, 5022, 1012, 0);
    rec = play(&l, C, RST, 1012, 0, 0);
    l.now_ns += 1000000000;
    play(&l, C, SYN, 900, 0, 0);
    play(&l, S, SYN | ACK, 9000, 901, 0);
    diagnose(&l, rec, true, &v);
    assert_cause(&v, RST_CAUSE_TIME_WAIT);
    g_assert_cmpint(v.sender, ==, RST_SENDER_CLIENT);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_REUSED_TUPLE));
    g_assert_true(rst_ev_has(v.evidence, RST_EV_NO_ACK));
    lab_free(&l);
}

/* The same stale-ACK shape with no earlier connection is not TIME_WAIT. */
static void test_stale_ack_without_reuse(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play(&l, C, SYN, 900, 0, 0);
    play(&l, S, ACK, 5022, 1012, 0);
    diagnose(&l, play(&l, C, RST, 1012, 0, 0), false, &v);
    g_assert_cmpint(v.cause, !=, RST_CAUSE_TIME_WAIT);
    lab_free(&l);
}

/* A scanner's hand-made SYN (TCP header hdr_len, window, ISN isn), the
 * server's ordinary SYN/ACK and the client kernel's RST to it. */
static void play_crafted_syn_probe(lab *l, uint8_t hdr_len, uint16_t window, uint32_t isn,
                                   bool whole, rst_verdict *v)
{
    lab_init(l);
    l->hdr_len = hdr_len;
    l->window = window;
    play(l, C, SYN, isn, 0, 0);
    l->hdr_len = 40;
    l->window = 64240;
    play(l, S, SYN | ACK, 5000, isn + 1, 0);
    diagnose(l, play(l, C, RST, isn + 1, 0, 0), whole, v);
}

/* nmap's half-open SYN: window 1024, only the MSS option. */
static void test_syn_scan(void)
{
    lab l;
    rst_verdict v;

    play_crafted_syn_probe(&l, 24, 1024, 1000, false, &v);
    assert_cause(&v, RST_CAUSE_SYN_SCAN);
    g_assert_cmpint(v.sender, ==, RST_SENDER_CLIENT);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_AFTER_SYNACK));
    g_assert_true(rst_ev_has(v.evidence, RST_EV_SEQ_EXACT));
    g_assert_cmpint(v.seq_delta, ==, 0);
    g_assert_cmpint(v.ttl_delta, ==, 0);
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_ENDPOINT);
    lab_free(&l);
}

/* An Internet-wide scanner's SYN: seq 0, window 65535, no TCP option at all. */
static void test_syn_scan_without_options(void)
{
    lab l;
    rst_verdict v;

    play_crafted_syn_probe(&l, 20, 65535, 0, true, &v);
    assert_cause(&v, RST_CAUSE_SYN_SCAN);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_SCANNER));
    lab_free(&l);
}

static void test_connect_scan(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_handshake(&l);
    diagnose(&l, play(&l, C, RST | ACK, 1001, 5001, 0), false, &v);
    assert_cause(&v, RST_CAUSE_CONNECT_SCAN);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_AFTER_HANDSHAKE));
    g_assert_cmpint(v.phase, ==, RST_PHASE_HANDSHAKE);
    lab_free(&l);
}

static void test_listen_overflow(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_handshake(&l);
    play(&l, C, PSH | ACK, 1001, 5001, 5);
    diagnose(&l, play(&l, S, RST, 5001, 0, 0), false, &v);
    assert_cause(&v, RST_CAUSE_LISTEN_OVERFLOW);
    g_assert_cmpint(v.phase, ==, RST_PHASE_DATA);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_IPID_ZERO));
    lab_free(&l);
}

static void test_listen_overflow_after_synack_retransmissions(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play(&l, C, SYN, 1000, 0, 0);
    play(&l, S, SYN | ACK, 5000, 1001, 0);
    play(&l, S, SYN | ACK, 5000, 1001, 0);
    play(&l, S, SYN | ACK, 5000, 1001, 0);
    play(&l, C, ACK, 1001, 5001, 0);
    diagnose(&l, play(&l, S, RST | ACK, 5001, 1001, 0), false, &v);
    assert_cause(&v, RST_CAUSE_LISTEN_OVERFLOW);
    g_assert_cmpuint(v.retransmissions, ==, 2);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_RETRANSMISSIONS));
    lab_free(&l);
}

static void test_no_socket(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_handshake(&l);
    play(&l, C, PSH | ACK, 1001, 5001, 10);
    play(&l, S, PSH | ACK, 5001, 1011, 100);
    play(&l, C, ACK, 1011, 5101, 0);
    play(&l, C, PSH | ACK, 1011, 5101, 10);     /* the server has forgotten */
    diagnose(&l, play(&l, S, RST, 5101, 0, 0), false, &v);
    assert_cause(&v, RST_CAUSE_NO_SOCKET);
    g_assert_cmpint(v.phase, ==, RST_PHASE_DATA);
    g_assert_cmpint(v.seq_delta, ==, 0);
    lab_free(&l);
}

static void test_midstream(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    diagnose(&l, play(&l, S, RST | ACK, 5000, 1000, 0), false, &v);
    g_assert_cmpint(v.phase, ==, RST_PHASE_UNKNOWN);
    g_assert_cmpint(v.sender, ==, RST_SENDER_UNKNOWN);
    g_assert_false(v.has_idle);
    g_assert_false(v.has_trigger);
    assert_cause(&v, RST_CAUSE_UNKNOWN);
    lab_free(&l);
}

/* --- bookkeeping ------------------------------------------------------- */

static void test_counts_and_lookahead(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *first;

    lab_init(&l);
    play_handshake(&l);
    play(&l, C, PSH | ACK, 1001, 5001, 10);
    first = play(&l, S, RST | ACK, 5001, 1011, 0);
    l.now_ns -= 9900000;                        /* 0.1 ms later: */
    play(&l, S, PSH | ACK, 4990, 1011, 11);     /* in flight before it: not counted */
    play(&l, S, PSH | ACK, 5001, 1011, 50);     /* the "reset" sender still talks */
    play(&l, S, FIN | ACK, 5051, 1011, 0);
    play(&l, S, RST | ACK, 5052, 1011, 0);
    diagnose(&l, first, false, &v);
    g_assert_cmpuint(v.rst_count, ==, 1);
    g_assert_false(v.whole_capture);
    diagnose(&l, first, true, &v);
    g_assert_cmpuint(v.rst_count, ==, 2);
    g_assert_cmpuint(v.data_after, ==, 2);
    lab_free(&l);
}

static void test_backwards_time_and_idle(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *rec;

    lab_init(&l);
    play_handshake(&l);
    l.now_ns -= G_GINT64_CONSTANT(5) * 1000000000;
    rec = play(&l, C, RST | ACK, 1001, 5001, 0);
    diagnose(&l, rec, false, &v);
    g_assert_true(v.has_idle);
    g_assert_cmpint(v.idle_ns, ==, 0);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_IDLE));
    lab_free(&l);
}

static void test_names_and_summaries(void)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    rst_facts facts;
    rst_verdict v;
    char buf[RST_SUMMARY_MAX];

    for (int c = 0; c < RST_CAUSE_COUNT; c++) {
        const char *name = rst_cause_name((rst_cause)c);
        g_assert_nonnull(name);
        g_assert_false(g_hash_table_contains(seen, name));
        g_hash_table_add(seen, (gpointer)name);
    }
    g_assert_cmpstr(rst_cause_name(RST_CAUSE_COUNT), ==, "unknown");
    for (int e = 0; e < RST_EV_COUNT; e++)
        g_assert_nonnull(rst_evidence_name((rst_evidence)e));
    memset(&facts, 0, sizeof(facts));
    memset(&v, 0, sizeof(v));
    for (int c = 0; c < RST_CAUSE_COUNT; c++) {
        v.cause = (rst_cause)c;
        v.evidence = ~0u;
        v.retransmissions = 7;
        v.has_seq_delta = v.has_host_ttl_delta = true;
        rst_summary(&v, &facts, buf, sizeof(buf));
        g_assert_true(g_str_has_prefix(buf, rst_cause_title((rst_cause)c)));
        g_assert_cmpuint(strlen(buf), <, sizeof(buf));
        rst_summary(&v, &facts, buf, 8);      /* truncates, still terminated */
        g_assert_cmpuint(strlen(buf), ==, 7);
    }
    g_hash_table_destroy(seen);
}


/* --- data, teardown and injection ------------------------------------- */

/* Client ISN 1000, server ISN 5000, request of 10 bytes, response of 100. */
static void play_exchange(lab *l)
{
    play_handshake(l);
    play(l, C, PSH | ACK, 1001, 5001, 10);
    play(l, S, PSH | ACK, 5001, 1011, 100);
    play(l, C, ACK, 1011, 5101, 0);
}

static void test_abort(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    diagnose(&l, play(&l, C, RST | ACK, 1011, 5101, 0), true, &v);
    assert_cause(&v, RST_CAUSE_ABORT);
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_ENDPOINT);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_SEQ_EXACT));
    g_assert_cmpuint(rst_ev_count(v.signs), ==, 0);
    lab_free(&l);
}

static void test_fast_close(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    play(&l, S, FIN | ACK, 5101, 1011, 0);
    play(&l, C, FIN | ACK, 1011, 5102, 0);
    diagnose(&l, play(&l, S, RST | ACK, 5102, 1012, 0), true, &v);
    assert_cause(&v, RST_CAUSE_FAST_CLOSE);
    g_assert_cmpint(v.phase, ==, RST_PHASE_TEARDOWN);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_AFTER_FIN));
    lab_free(&l);
}

static void test_data_after_close(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    play(&l, S, FIN | ACK, 5101, 1011, 0);
    play(&l, C, ACK, 1011, 5102, 0);
    play(&l, C, PSH | ACK, 1011, 5102, 10);
    diagnose(&l, play(&l, S, RST, 5102, 0, 0), true, &v);
    assert_cause(&v, RST_CAUSE_DATA_AFTER_CLOSE);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_IPID_ZERO));
    lab_free(&l);
}

/* A host answering each segment of an in-flight burst after close: identical
 * passive RSTs, no burst, no injection. */
static void test_inflight_burst_is_not_injection(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *rsts[4];

    lab_init(&l);
    play_exchange(&l);
    play(&l, S, FIN | ACK, 5101, 1011, 0);
    for (int i = 0; i < 4; i++)
        play(&l, C, PSH | ACK, 1011 + 100 * i, 5101, 100);
    for (int i = 0; i < 4; i++)
        rsts[i] = play(&l, S, RST, 5101, 0, 0);
    for (int i = 0; i < 4; i++) {
        diagnose(&l, rsts[i], true, &v);
        assert_cause(&v, RST_CAUSE_DATA_AFTER_CLOSE);
        g_assert_false(rst_ev_has(v.evidence, RST_EV_RST_BURST));
    }
    lab_free(&l);
}

static void test_retransmission_limit(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    play(&l, S, PSH | ACK, 5101, 1011, 100);
    for (int i = 0; i < 5; i++)
        play(&l, S, PSH | ACK, 5101, 1011, 100);
    diagnose(&l, play(&l, S, RST | ACK, 5201, 1011, 0), true, &v);
    assert_cause(&v, RST_CAUSE_RETRANSMISSION_LIMIT);
    g_assert_cmpuint(v.retransmissions, ==, 5);
    lab_free(&l);
}

static void test_idle_timeout_from_middlebox(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    l.now_ns += G_GINT64_CONSTANT(300) * 1000000000;
    /* A load balancer resets in the server's name: TTL differs, exact seq. */
    diagnose(&l, play_ttl(&l, S, RST | ACK, 5101, 1011, 0, 64), true, &v);
    assert_cause(&v, RST_CAUSE_IDLE_TIMEOUT);
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_MIDDLEBOX);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_IDLE));
    lab_free(&l);
}

static void test_keepalive_exhaustion(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    for (int i = 0; i < 3; i++)
        play(&l, C, ACK, 1010, 5101, 0);     /* keep-alive probes, unanswered */
    diagnose(&l, play(&l, C, RST | ACK, 1011, 5101, 0), true, &v);
    assert_cause(&v, RST_CAUSE_IDLE_TIMEOUT);
    lab_free(&l);
}

/* RST without ACK in the server's name right after its SYN/ACK, TTL off,
 * and the real server keeps sending. */
static void test_bypass_injection(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *rec;

    lab_init(&l);
    play(&l, C, SYN, 1000, 0, 0);
    play(&l, S, SYN | ACK, 5000, 1001, 0);
    rec = play_ttl(&l, S, RST, 5001, 0, 0, 52);
    play(&l, C, ACK, 1001, 5001, 0);
    play(&l, C, PSH | ACK, 1001, 5001, 10);
    play(&l, S, PSH | ACK, 5001, 1011, 100);
    diagnose(&l, rec, true, &v);
    assert_cause(&v, RST_CAUSE_INJECTED);
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_MIDDLEBOX);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_TTL_MISMATCH));
    g_assert_true(rst_ev_has(v.evidence, RST_EV_DATA_AFTER_RST));
    g_assert_cmpuint(v.data_after, ==, 1);
    g_assert_cmpuint(rst_ev_count(v.signs), >=, 2);
    lab_free(&l);
}

/* Clayton et al. 2006: three RSTs at +0, +1460, +4380 from a device. */
static void test_gfw_2006_burst(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *rsts[3];
    static const uint32_t offset[] = { 0, 1460, 4380 };

    lab_init(&l);
    play_handshake(&l);
    play(&l, C, PSH | ACK, 1001, 5001, 300);
    for (int i = 0; i < 3; i++)
        rsts[i] = play_ttl(&l, S, RST | ACK, 5001 + offset[i], 1301, 0, 47);
    play(&l, S, PSH | ACK, 5001, 1301, 500);
    for (int i = 0; i < 3; i++) {
        diagnose(&l, rsts[i], true, &v);
        assert_cause(&v, RST_CAUSE_INJECTED);
        g_assert_true(rst_ev_has(v.evidence, RST_EV_RST_BURST));
    }
    lab_free(&l);
}

/* RFC 5961: inexact RST, challenge ACK, exact RST: neither is injection. */
static void test_challenge_ack_dance(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *first, *second;

    lab_init(&l);
    play_exchange(&l);
    first = play(&l, C, RST | ACK, 2011, 5101, 0);
    play(&l, S, ACK, 5101, 1011, 0);
    second = play(&l, C, RST, 1011, 0, 0);
    diagnose(&l, first, true, &v);
    g_assert_cmpint(v.cause, !=, RST_CAUSE_INJECTED);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_SEQ_IN_WINDOW));
    diagnose(&l, second, true, &v);
    g_assert_cmpint(v.cause, !=, RST_CAUSE_INJECTED);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_CHALLENGE_ACK));
    g_assert_false(rst_ev_has(v.evidence, RST_EV_RST_BURST));
    lab_free(&l);
}

/* A route change moves the server's TTL by one hop for good: no mismatch. */
static void test_route_change(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    l.server_ttl = 62;
    play(&l, S, PSH | ACK, 5101, 1011, 100);
    diagnose(&l, play(&l, S, RST | ACK, 5201, 1011, 0), true, &v);
    assert_cause(&v, RST_CAUSE_ABORT);
    g_assert_cmpint(v.ttl_delta, ==, 0);
    lab_free(&l);
}

static void play_rst_with_payload(lab *l, const uint8_t *payload, uint16_t len, rst_verdict *v)
{
    rst_segment seg;
    const rst_entry *rec;

    play_exchange(l);
    memset(&seg, 0, sizeof(seg));
    seg.frame = ++l->frame;
    seg.ts_ns = l->now_ns + 1000000;
    seg.stream = l->stream;
    set_addr(&seg.src, 2);
    set_addr(&seg.dst, 1);
    seg.sport = 80;
    seg.dport = l->cport;
    seg.flags = RST | ACK;
    seg.seq = 5101;
    seg.ack = 1011;
    seg.len = len;
    seg.ttl = l->server_ttl;
    seg.has_ttl = true;
    memcpy(seg.payload, payload, len);
    seg.payload_len = len;
    rec = rst_engine_observe(l->engine, &seg).rst;
    diagnose(l, rec, true, v);
}

static void test_diagnostic_payload(void)
{
    static const uint8_t timeout[] = { 0x33, 0xAA, 0x00, 14, 0, 0, 0, 0 };
    static const uint8_t f5[] = "BIG-IP: [0x2409d71:704] Idle timeout (300)";
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_rst_with_payload(&l, timeout, sizeof(timeout), &v);
    assert_cause(&v, RST_CAUSE_IDLE_TIMEOUT);
    g_assert_true(v.has_reason_code);
    g_assert_cmpuint(v.reason_code, ==, 14);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_REASON_CODE));
    next_connection(&l, 40001);
    play_rst_with_payload(&l, f5, sizeof(f5) - 1, &v);
    assert_cause(&v, RST_CAUSE_IDLE_TIMEOUT);
    g_assert_false(v.has_reason_code);
    lab_free(&l);
}

/* --- real-world precision (issue 10) ---------------------------------- */

/* The client closed; the server's flight (data, FIN, ACK) was in transit.
 * The client's kernel answers each segment in turn with a bare RST, seq =
 * that segment's ACK: data after close first, then no socket.  Not a burst,
 * no sign of forgery from the missing ACK. */
static void test_inflight_answers(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *r[3];
    uint32_t data_frame;

    lab_init(&l);
    play_exchange(&l);
    play(&l, C, FIN | ACK, 1011, 5101, 0);
    play(&l, S, PSH | ACK, 5101, 1011, 100);
    data_frame = l.frame;
    play(&l, S, FIN | ACK, 5201, 1011, 0);
    play(&l, S, ACK, 5202, 1012, 0);
    r[0] = play(&l, C, RST, 1011, 0, 0);
    r[1] = play(&l, C, RST, 1011, 0, 0);
    r[2] = play(&l, C, RST, 1012, 0, 0);
    for (int i = 0; i < 3; i++) {
        diagnose(&l, r[i], true, &v);
        assert_cause(&v, i == 0 ? RST_CAUSE_DATA_AFTER_CLOSE : RST_CAUSE_NO_SOCKET);
        g_assert_cmpuint(v.trigger, ==, data_frame + (uint32_t)i);
        g_assert_false(rst_ev_has(v.evidence, RST_EV_RST_BURST));
        g_assert_cmpuint(rst_ev_count(v.signs), ==, 0);
        g_assert_cmpint(v.origin, ==, RST_ORIGIN_ENDPOINT);
    }
    diagnose(&l, r[0], true, &v);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_ANSWERS_INFLIGHT));
    lab_free(&l);
}

/* Windows' RST/ACK form: seq = the peer's last ACK, ack = an earlier
 * segment's end; then bare answers for the rest of the flight. */
static void test_inflight_rst_ack_form(void)
{
    lab l;
    rst_verdict v;
    const rst_entry *rst;

    lab_init(&l);
    play_exchange(&l);
    for (int i = 0; i < 4; i++)
        play(&l, C, PSH | ACK, 1011 + 100 * (uint32_t)i, 5101, 100);
    rst = play(&l, S, RST | ACK, 5101, 1211, 0);     /* had read two of the four */
    diagnose(&l, rst, true, &v);
    assert_cause(&v, RST_CAUSE_ABORT);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_ANSWERS_INFLIGHT));
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_ENDPOINT);
    diagnose(&l, play(&l, S, RST, 5101, 0, 0), true, &v);
    assert_cause(&v, RST_CAUSE_NO_SOCKET);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_RST_BURST));
    lab_free(&l);
}

/* An IP ID jump is one sign at most, never a middlebox on its own; none at
 * all for a kernel's answer (another counter) or without a clear sequence. */
static void test_ipid_jump_alone(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    for (int i = 0; i < 5; i++)
        play(&l, S, PSH | ACK, 5101 + 100 * (uint32_t)i, 1011, 100);
    l.ipid = 40000;
    diagnose(&l, play(&l, S, RST | ACK, 5601, 1011, 0), true, &v);
    assert_cause(&v, RST_CAUSE_ABORT);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_IPID_MISMATCH));
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_ENDPOINT);
    g_assert_cmpuint(rst_ev_count(v.signs), ==, 1);
    lab_free(&l);

    /* Control: the same jump on the kernel's answer to a segment. */
    lab_init(&l);
    play_exchange(&l);
    for (int i = 0; i < 5; i++)
        play(&l, S, PSH | ACK, 5101 + 100 * (uint32_t)i, 1011, 100);
    play(&l, C, PSH | ACK, 1011, 5601, 10);
    l.ipid = 40000;
    diagnose(&l, play(&l, S, RST, 5601, 0, 0), true, &v);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_IPID_MISMATCH));
    lab_free(&l);

    /* Control: no clear sequence (the server's IDs jump about). */
    lab_init(&l);
    play_handshake(&l);
    for (int i = 0; i < 5; i++) {
        l.ipid = 7000 * (i + 1);
        play(&l, S, PSH | ACK, 5001 + 100 * (uint32_t)i, 1001, 100);
    }
    l.ipid = 2;
    diagnose(&l, play(&l, S, RST | ACK, 5501, 1001, 0), true, &v);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_IPID_MISMATCH));
    lab_free(&l);
}

/* Play a segment twice on one interface: before and after a hop. */
static rst_observation play_twice(lab *l, int from, uint16_t flags, uint32_t seq, uint32_t ack,
                                  uint32_t len, rst_observation *second)
{
    uint8_t ttl = from == C ? l->client_ttl : l->server_ttl;
    int32_t ipid = 3000 + (int32_t)l->frame;
    rst_observation first;

    l->ipid = ipid;
    first = play_obs(l, from, flags, seq, ack, len, ttl);
    l->ipid = ipid;
    l->step_ns = 100000;        /* 0.1 ms later, one hop further */
    *second = play_obs(l, from, flags, seq, ack, len, (uint8_t)(ttl - 1));
    l->step_ns = 10 * 1000000;
    return first;
}

/* A router's capture: every packet twice, TTL -1.  No burst, no TTL change,
 * no retransmission; the RST's copy shows its first copy's verdict. */
static void test_copies_on_one_interface(void)
{
    lab l;
    rst_verdict v;
    rst_observation a, b;

    lab_init(&l);
    play_twice(&l, C, SYN, 1000, 0, 0, &b);
    g_assert_cmpuint(b.copy_of, ==, 1);
    play_twice(&l, S, SYN | ACK, 5000, 1001, 0, &b);
    play_twice(&l, C, ACK, 1001, 5001, 0, &b);
    play_twice(&l, C, PSH | ACK, 1001, 5001, 10, &b);
    play_twice(&l, S, PSH | ACK, 5001, 1011, 100, &b);
    a = play_twice(&l, S, RST | ACK, 5101, 1011, 0, &b);
    g_assert_true(a.rst == b.rst);
    g_assert_cmpuint(b.copy_of, ==, l.frame - 1);
    diagnose(&l, a.rst, true, &v);
    assert_cause(&v, RST_CAUSE_ABORT);
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_ENDPOINT);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_RST_BURST));
    g_assert_false(rst_ev_has(v.evidence, RST_EV_TTL_MISMATCH));
    g_assert_cmpuint(v.retransmissions, ==, 0);
    g_assert_cmpuint(v.rst_count, ==, 1);
    lab_free(&l);

    /* Control: a real second RST (new IP ID, 50 ms later) is not a copy. */
    lab_init(&l);
    play_exchange(&l);
    l.ipid = 500;
    play_obs(&l, S, RST | ACK, 5101, 1011, 0, 63);
    l.ipid = 900;
    l.step_ns = 50 * 1000000;
    a = play_obs(&l, S, RST | ACK, 5101, 1011, 0, 62);
    g_assert_cmpuint(a.copy_of, ==, 0);
    g_assert_nonnull(a.rst);
    lab_free(&l);
}

/* A load-balanced server: SYN/ACK with TTL 116, data with 117.  Its RST/ACK
 * at 116 is its own. */
static void test_sender_with_two_ttls(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play(&l, C, SYN, 1000, 0, 0);
    play_ttl(&l, S, SYN | ACK, 5000, 1001, 0, 116);
    play(&l, C, ACK, 1001, 5001, 0);
    play(&l, C, PSH | ACK, 1001, 5001, 10);
    play_ttl(&l, S, PSH | ACK, 5001, 1011, 100, 117);
    diagnose(&l, play_ttl(&l, S, RST | ACK, 5101, 1011, 0, 116), true, &v);
    assert_cause(&v, RST_CAUSE_ABORT);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_TTL_MISMATCH));
    g_assert_cmpint(v.origin, ==, RST_ORIGIN_ENDPOINT);
    /* Control: a TTL it never used. */
    diagnose(&l, play_ttl(&l, S, RST | ACK, 5101, 1011, 0, 100), true, &v);
    g_assert_true(rst_ev_has(v.evidence, RST_EV_TTL_MISMATCH));
    lab_free(&l);
}

/* Happy eyeballs: a completed connection, and a sibling whose late SYN/ACK
 * the client's kernel resets: no socket, not a scan. */
static void test_connection_racing(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_exchange(&l);
    next_connection(&l, 40001);
    play(&l, C, SYN, 2000, 0, 0);
    play(&l, S, SYN | ACK, 6000, 2001, 0);
    diagnose(&l, play(&l, C, RST, 2001, 0, 0), true, &v);
    assert_cause(&v, RST_CAUSE_NO_SOCKET);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_SCANNER));
    lab_free(&l);
}

/* Four half-open resets with a kernel's SYNs: to one port they are racing
 * or retries, to four ports of the server a vertical scan. */
static void play_half_open(lab *l, uint16_t ports, bool distinct, rst_verdict *v)
{
    const rst_entry *rst = NULL;

    for (uint16_t i = 0; i < ports; i++) {
        next_connection(l, (uint16_t)(41000 + i));
        l->sport = distinct ? (uint16_t)(80 + i) : 80;
        play(l, C, SYN, 1000 + i, 0, 0);
        play(l, S, SYN | ACK, 5000, 1001 + i, 0);
        rst = play(l, C, RST, 1001 + i, 0, 0);
    }
    diagnose(l, rst, false, v);
}

static void test_one_port_is_no_scan(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_half_open(&l, 4, false, &v);
    assert_cause(&v, RST_CAUSE_NO_SOCKET);
    lab_free(&l);
}

static void test_vertical_scan(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play_half_open(&l, 4, true, &v);
    assert_cause(&v, RST_CAUSE_SYN_SCAN);
    g_assert_cmpuint(v.scan_ports, ==, 4);
    lab_free(&l);
}

static void test_stealth_scan(void)
{
    static const uint16_t probes[] = { FIN, 0, FIN | PSH | URG };
    lab l;
    rst_verdict v;

    lab_init(&l);
    for (unsigned i = 0; i < G_N_ELEMENTS(probes); i++) {
        next_connection(&l, (uint16_t)(42000 + i));
        play(&l, C, probes[i], 7000, 0, 0);
        diagnose(&l, play(&l, S, RST | ACK, 0, 7000 + ((probes[i] & FIN) ? 1 : 0), 0), true, &v);
        assert_cause(&v, RST_CAUSE_STEALTH_SCAN);
    }
    /* Control: a midstream ACK answered by a RST is no probe. */
    next_connection(&l, 42009);
    play(&l, C, ACK, 7000, 9000, 0);
    diagnose(&l, play(&l, S, RST, 9000, 0, 0), true, &v);
    g_assert_cmpint(v.cause, !=, RST_CAUSE_STEALTH_SCAN);
    lab_free(&l);
}

/* Only the server's direction was captured: its RST without ACK, even at
 * another TTL, is one sign at most. */
static void test_one_direction(void)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    play(&l, S, PSH | ACK, 5001, 1001, 100);
    play(&l, S, PSH | ACK, 5101, 1001, 100);
    diagnose(&l, play_ttl(&l, S, RST, 5201, 0, 0, 50), true, &v);
    g_assert_cmpint(v.cause, !=, RST_CAUSE_INJECTED);
    g_assert_cmpuint(rst_ev_count(v.signs), <=, 1);
    lab_free(&l);
}

/* Two idle connections reset at 59.9 s and 60.4 s: one cause. */
static void test_idle_band(void)
{
    static const int64_t idle_ms[] = { 59900, 60400 };
    lab l;
    rst_verdict v;

    lab_init(&l);
    for (unsigned i = 0; i < G_N_ELEMENTS(idle_ms); i++) {
        next_connection(&l, (uint16_t)(43000 + i));
        play_exchange(&l);
        l.step_ns = idle_ms[i] * 1000000;
        diagnose(&l, play(&l, C, RST | ACK, 1011, 5101, 0), true, &v);
        l.step_ns = 10 * 1000000;
        assert_cause(&v, RST_CAUSE_IDLE_TIMEOUT);
    }
    lab_free(&l);
}

/* "Too early" needs a trusted round trip: a clean 40 ms handshake makes a
 * RST/ACK 2 ms after the request it acknowledges too early; after a
 * retransmitted SYN the one sample proves nothing. */
static void test_too_early_needs_trusted_rtt(void)
{
    lab l;
    rst_verdict v;

    for (int retransmitted = 0; retransmitted < 2; retransmitted++) {
        lab_init(&l);
        play(&l, C, SYN, 1000, 0, 0);
        if (retransmitted)
            play(&l, C, SYN, 1000, 0, 0);
        l.step_ns = 40 * 1000000;
        play(&l, S, SYN | ACK, 5000, 1001, 0);
        l.step_ns = 1000000;
        play(&l, C, ACK, 1001, 5001, 0);
        play(&l, C, PSH | ACK, 1001, 5001, 10);
        l.step_ns = 2 * 1000000;
        diagnose(&l, play(&l, S, RST | ACK, 5001, 1011, 0), true, &v);
        g_assert_cmpint(rst_ev_has(v.evidence, RST_EV_TOO_EARLY), ==, !retransmitted);
        lab_free(&l);
    }
}

/* --- Wireshark versions ------------------------------------------------ */

/* GFW 2023: SYN, three forged RST/ACKs, then the real SYN/ACK and data. From
 * 4.4 on, Wireshark puts the SYN/ACK after the RSTs in a new tcp.stream
 * (split); the verdicts must be those of the unsplit conversation. A later
 * connection with a fresh ISN on the same 4-tuple stays a connection of its
 * own. */
static void play_gfw_2023(lab *l, bool split, rst_verdict *v)
{
    const rst_entry *rec;

    lab_init(l);
    l->server_ttl = 47;
    play(l, C, SYN, 1000, 0, 0);
    rec = play_ttl(l, S, RST | ACK, 0, 1001, 0, 65);
    play_ttl(l, S, RST | ACK, 0, 1001, 0, 66);
    if (split)
        l->stream++;
    play(l, S, SYN | ACK, 5000, 1001, 0);
    play(l, C, ACK, 1001, 5001, 0);
    play(l, C, PSH | ACK, 1001, 5001, 200);
    play(l, S, PSH | ACK, 5001, 1201, 1000);
    play(l, C, FIN | ACK, 1201, 6001, 0);
    play(l, S, FIN | ACK, 6001, 1202, 0);
    play(l, C, ACK, 1202, 6002, 0);
    l->stream++;                    /* a new connection: a new ISN */
    play(l, C, SYN, 90000, 0, 0);
    play(l, S, SYN | ACK, 70000, 90001, 0);
    play(l, S, PSH | ACK, 70001, 90001, 500);
    diagnose(l, rec, true, v);
}

static void test_stream_split_after_rst(void)
{
    lab whole, split;
    rst_verdict a, b;

    play_gfw_2023(&whole, false, &a);
    play_gfw_2023(&split, true, &b);
    assert_cause(&a, RST_CAUSE_INJECTED);
    assert_cause(&b, RST_CAUSE_INJECTED);
    g_assert_true(rst_ev_has(b.evidence, RST_EV_DATA_AFTER_RST));
    g_assert_cmpuint(a.data_after, ==, 2);      /* the data and the FIN */
    g_assert_cmpuint(b.data_after, ==, a.data_after);
    g_assert_cmpuint(rst_ev_count(b.signs), ==, rst_ev_count(a.signs));
    g_assert_true(memcmp(&a.evidence, &b.evidence, sizeof(a.evidence)) == 0);
    lab_free(&whole);
    lab_free(&split);
}

/* --- preferences ------------------------------------------------------ */

/* Every preference, set to a value other than its default, changes a
 * verdict: each scenario's RST is diagnosed (whole capture) with the
 * defaults and with the one preference changed before anything is played. */

static const rst_entry *idle_then_reset(lab *l)
{
    play_exchange(l);
    l->now_ns += G_GINT64_CONSTANT(90) * RST_NS_PER_S;
    return play(l, S, RST | ACK, 5101, 1011, 0);
}

static const rst_entry *refusal_one_hop_off(lab *l)
{
    play_clean_connection(l);
    next_connection(l, 40001);
    play(l, C, SYN, 7000, 0, 0);
    return play_ttl(l, S, RST | ACK, 0, 7001, 0, 64);
}

static const rst_entry *refusal_of_reused_tuple(lab *l)
{
    play_clean_connection(l);
    next_connection(l, 40000);
    l->now_ns += RST_NS_PER_S;
    play(l, C, SYN, 900, 0, 0);
    return play(l, S, RST | ACK, 0, 901, 0);
}

static const rst_entry *reset_after_retransmissions(lab *l)
{
    play_exchange(l);
    for (int i = 0; i < 6; i++)
        play(l, S, PSH | ACK, 5101, 1011, 100);
    return play(l, S, RST | ACK, 5201, 1011, 0);
}

static const rst_entry *reset_after_keepalives(lab *l)
{
    play_exchange(l);
    for (int i = 0; i < 3; i++)
        play(l, C, ACK, 1010, 5101, 0);
    return play(l, C, RST | ACK, 1011, 5101, 0);
}

/* Three RSTs of another TTL a millisecond apart, a round trip after the data
 * they answer, nothing after them: a TTL mismatch and a burst, two signs. */
static const rst_entry *forged_burst(lab *l)
{
    static const uint32_t offset[] = { 0, 1460, 4380 };
    const rst_entry *last = NULL;

    play_handshake(l);
    play(l, C, PSH | ACK, 1001, 5001, 300);
    for (int i = 0; i < 3; i++) {
        last = play_ttl(l, S, RST | ACK, 5001 + offset[i], 1301, 0, 47);
        l->step_ns = RST_NS_PER_MS;
    }
    return last;
}

typedef struct {
    const char *name;
    const rst_entry *(*scenario)(lab *l);
    size_t pref;                /* offsetof(rst_prefs, ...) */
    uint32_t value;
    rst_cause by_default, changed;
} pref_case;

static const pref_case pref_cases[] = {
    { "idle_threshold", idle_then_reset, offsetof(rst_prefs, idle_threshold_s), 3600,
      RST_CAUSE_IDLE_TIMEOUT, RST_CAUSE_ABORT },
    { "ttl_tolerance", refusal_one_hop_off, offsetof(rst_prefs, ttl_tolerance), 1,
      RST_CAUSE_FIREWALL_REJECT, RST_CAUSE_PORT_CLOSED },
    { "time_wait", refusal_of_reused_tuple, offsetof(rst_prefs, time_wait_s), 0,
      RST_CAUSE_TIME_WAIT, RST_CAUSE_PORT_CLOSED },
    { "retrans_limit", reset_after_retransmissions, offsetof(rst_prefs, retrans_limit), 10,
      RST_CAUSE_RETRANSMISSION_LIMIT, RST_CAUSE_ABORT },
    { "keepalive_probes", reset_after_keepalives, offsetof(rst_prefs, keepalive_probes), 0,
      RST_CAUSE_IDLE_TIMEOUT, RST_CAUSE_ABORT },
    { "burst_window", forged_burst, offsetof(rst_prefs, burst_window_ms), 0,
      RST_CAUSE_INJECTED, RST_CAUSE_NO_SOCKET },
};

static rst_cause cause_with(const pref_case *c, bool changed)
{
    lab l;
    rst_verdict v;

    lab_init(&l);
    if (changed)
        memcpy((char *)&l.prefs + c->pref, &c->value, sizeof(c->value));
    diagnose(&l, c->scenario(&l), true, &v);
    lab_free(&l);
    return v.cause;
}

static void test_preference(gconstpointer data)
{
    const pref_case *c = data;

    g_assert_cmpstr(rst_cause_name(cause_with(c, false)), ==, rst_cause_name(c->by_default));
    g_assert_cmpstr(rst_cause_name(cause_with(c, true)), ==, rst_cause_name(c->changed));
}

/* A RST's facts name its endpoints through its conversation: a new
 * connection on the same tcp.stream, opened from the other side, must not
 * turn an earlier RST's sender into its peer.  And only a RST that needs
 * them gets extras. */
static void test_facts_survive_restart(void)
{
    lab l;
    const rst_entry *first, *second;
    rst_endpoints ends;

    lab_init(&l);
    play_handshake(&l);
    first = play(&l, C, RST | ACK, 1001, 5001, 0);
    g_assert_null(first->facts.extra);
    play(&l, S, SYN, 9000, 0, 0);      /* the server side opens the next connection */
    second = play(&l, C, RST | ACK, 0, 9001, 0);
    rst_facts_endpoints(&first->facts, &ends);
    g_assert_cmpuint(ends.src.bytes[3], ==, 1);
    g_assert_cmpuint(ends.sport, ==, l.cport);
    g_assert_cmpuint(ends.dport, ==, l.sport);
    rst_facts_endpoints(&second->facts, &ends);
    g_assert_cmpuint(ends.src.bytes[3], ==, 1);
    g_assert_cmpuint(ends.sport, ==, l.cport);
    g_assert_cmpuint(first->facts.sender, ==, RST_SENDER_CLIENT);
    g_assert_cmpuint(second->facts.sender, ==, RST_SENDER_SERVER);
    lab_free(&l);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/seq/wrap", test_seq_wrap);
    g_test_add_func("/versions/stream-split-after-rst", test_stream_split_after_rst);
    g_test_add_func("/hosts/baseline", test_host_baseline);
    g_test_add_func("/handshake/port-closed", test_port_closed);
    g_test_add_func("/handshake/firewall-reject", test_firewall_reject);
    g_test_add_func("/handshake/firewall-reject-lookahead", test_firewall_reject_needs_lookahead);
    g_test_add_func("/handshake/bad-syn", test_bad_syn);
    g_test_add_func("/handshake/time-wait-refused-syn", test_time_wait_refused_syn);
    g_test_add_func("/handshake/time-wait-stale-ack", test_time_wait_stale_ack);
    g_test_add_func("/handshake/stale-ack-without-reuse", test_stale_ack_without_reuse);
    g_test_add_func("/handshake/syn-scan", test_syn_scan);
    g_test_add_func("/handshake/syn-scan-without-options", test_syn_scan_without_options);
    g_test_add_func("/handshake/connect-scan", test_connect_scan);
    g_test_add_func("/handshake/listen-overflow", test_listen_overflow);
    g_test_add_func("/handshake/listen-overflow-retransmissions",
                    test_listen_overflow_after_synack_retransmissions);
    g_test_add_func("/data/no-socket", test_no_socket);
    g_test_add_func("/unknown/midstream", test_midstream);
    g_test_add_func("/record/counts-and-lookahead", test_counts_and_lookahead);
    g_test_add_func("/record/backwards-time", test_backwards_time_and_idle);
    g_test_add_func("/names/summaries", test_names_and_summaries);
    g_test_add_func("/data/abort", test_abort);
    g_test_add_func("/teardown/fast-close", test_fast_close);
    g_test_add_func("/teardown/data-after-close", test_data_after_close);
    g_test_add_func("/teardown/inflight-burst-not-injection", test_inflight_burst_is_not_injection);
    g_test_add_func("/data/retransmission-limit", test_retransmission_limit);
    g_test_add_func("/data/idle-timeout-middlebox", test_idle_timeout_from_middlebox);
    g_test_add_func("/data/keepalive-exhaustion", test_keepalive_exhaustion);
    g_test_add_func("/injection/bypass", test_bypass_injection);
    g_test_add_func("/injection/gfw-2006-burst", test_gfw_2006_burst);
    g_test_add_func("/injection/challenge-ack-dance", test_challenge_ack_dance);
    g_test_add_func("/injection/route-change", test_route_change);
    g_test_add_func("/reason/diagnostic-payload", test_diagnostic_payload);
    g_test_add_func("/precision/inflight-answers", test_inflight_answers);
    g_test_add_func("/precision/inflight-rst-ack-form", test_inflight_rst_ack_form);
    g_test_add_func("/precision/ipid-jump-alone", test_ipid_jump_alone);
    g_test_add_func("/precision/copies-on-one-interface", test_copies_on_one_interface);
    g_test_add_func("/precision/sender-with-two-ttls", test_sender_with_two_ttls);
    g_test_add_func("/precision/connection-racing", test_connection_racing);
    g_test_add_func("/precision/one-port-is-no-scan", test_one_port_is_no_scan);
    g_test_add_func("/precision/vertical-scan", test_vertical_scan);
    g_test_add_func("/precision/stealth-scan", test_stealth_scan);
    g_test_add_func("/precision/one-direction", test_one_direction);
    g_test_add_func("/precision/idle-band", test_idle_band);
    g_test_add_func("/precision/too-early-needs-trusted-rtt", test_too_early_needs_trusted_rtt);
    g_test_add_func("/facts/survive-restart", test_facts_survive_restart);
    for (size_t i = 0; i < G_N_ELEMENTS(pref_cases); i++) {
        char *path = g_strdup_printf("/prefs/%s", pref_cases[i].name);
        g_test_add_data_func(path, &pref_cases[i], test_preference);
        g_free(path);
    }
    return g_test_run();
}
