/* test-vantage.c
 * Unit tests of the multi-point comparison (rst-capture, rst-vantage).
 * A small wire model: client -- point 0 -- router -- point 1 -- server.  A
 * packet is captured first at its sender's side and, 5 ms later and one TTL
 * lower, at the other point; point 1's clock runs `skew` ahead.  The copies
 * are fed to rst_capture in the order a merged capture would list them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "rst-capture.h"
#include "rst-names.h"
#include "rst-summary.h"

enum { CLIENT_SIDE = 0, SERVER_SIDE = 1 };
enum { C, S, ROUTER_AS_S, ROUTER_AS_C };   /* who puts a packet on the wire */

#define SYN RST_TCP_SYN
#define ACK RST_TCP_ACK
#define RST RST_TCP_RST
#define FIN RST_TCP_FIN
#define PSH RST_TCP_PSH

#define MS 1000000LL

typedef struct {
    rst_segment seg;
    uint32_t point;
} copy;

typedef struct {
    rst_capture *cap;
    rst_prefs prefs;
    GArray *copies;             /* of copy, in capture order once sorted */
    int64_t now_ns, skew_ns;
    uint32_t frame;
    uint16_t ipid;
    uint16_t cport;             /* client port of the current connection */
    bool only_point0;           /* point 1 is not capturing */
} wire;

static void wire_init(wire *w, int64_t skew_ns)
{
    rst_prefs defaults = RST_PREFS_DEFAULT;

    memset(w, 0, sizeof(*w));
    w->prefs = defaults;
    w->cap = rst_capture_new(&w->prefs);
    rst_capture_name_point(w->cap, CLIENT_SIDE, "cli0");
    rst_capture_name_point(w->cap, SERVER_SIDE, "srv0");
    w->copies = g_array_new(FALSE, TRUE, sizeof(copy));
    w->now_ns = G_GINT64_CONSTANT(1700000000) * 1000000000;
    w->skew_ns = skew_ns;
    w->ipid = 100;
    w->cport = 40000;
}

static void wire_free(wire *w)
{
    rst_capture_free(w->cap);
    g_array_free(w->copies, TRUE);
}

static void set_addr(rst_addr *a, uint8_t last)
{
    memset(a, 0, sizeof(*a));
    a->family = 4;
    a->bytes[0] = 10;
    a->bytes[3] = last;
}

static void add_copy(wire *w, const rst_segment *seg, uint32_t point, int64_t delay, int hops)
{
    copy c = { *seg, point };

    if (point == SERVER_SIDE && w->only_point0)
        return;
    c.seg.ts_ns += delay + (point == SERVER_SIDE ? w->skew_ns : 0);
    c.seg.ttl = (uint8_t)(c.seg.ttl - hops);
    g_array_append_val(w->copies, c);
}

/* One packet, 10 ms after the previous one.  Endpoints send with TTL 64 and
 * are captured on their own link; the router's forgeries leave it with 64
 * toward one side only. */
/* A segment between client 10.0.0.1:cport and server 10.0.0.2:80. */
static void make_segment(rst_segment *seg, int64_t ts_ns, bool from_client, uint16_t cport,
                         uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len, uint8_t ttl)
{
    memset(seg, 0, sizeof(*seg));
    seg->ts_ns = ts_ns;
    set_addr(from_client ? &seg->src : &seg->dst, 1);
    set_addr(from_client ? &seg->dst : &seg->src, 2);
    seg->sport = from_client ? cport : 80;
    seg->dport = from_client ? 80 : cport;
    seg->flags = flags;
    seg->seq = seq;
    seg->ack = ack;
    seg->len = len;
    seg->window = seg->window_raw = 64240;
    seg->ttl = ttl;
    seg->has_ttl = true;
}

static void send(wire *w, int who, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    bool from_client = who == C || who == ROUTER_AS_C;
    rst_segment seg;

    w->now_ns += 10 * MS;
    make_segment(&seg, w->now_ns, from_client, w->cport, flags, seq, ack, len, 64);
    seg.stream = w->cport;      /* one tcp.stream per connection */
    seg.has_ipid = true;
    seg.ipid = w->ipid++;
    if (who == C) {
        add_copy(w, &seg, CLIENT_SIDE, 0, 0);
        add_copy(w, &seg, SERVER_SIDE, 5 * MS, 1);
    } else if (who == S) {
        add_copy(w, &seg, SERVER_SIDE, 0, 0);
        add_copy(w, &seg, CLIENT_SIDE, 5 * MS, 1);
    } else {
        add_copy(w, &seg, who == ROUTER_AS_S ? CLIENT_SIDE : SERVER_SIDE, 2 * MS, 0);
    }
}

static gint by_time(gconstpointer a, gconstpointer b)
{
    const copy *x = a, *y = b;

    return x->seg.ts_ns < y->seg.ts_ns ? -1 : x->seg.ts_ns > y->seg.ts_ns;
}

typedef struct {
    const rst_entry *entry;
    uint32_t point;
} seen_rst;

/* Feed the merged capture; returns the RSTs in capture order. */
static GArray *replay(wire *w)
{
    GArray *rsts = g_array_new(FALSE, FALSE, sizeof(seen_rst));

    g_array_sort(w->copies, by_time);
    for (guint i = 0; i < w->copies->len; i++) {
        copy *c = &g_array_index(w->copies, copy, i);
        rst_observation obs;
        c->seg.frame = i + 1;
        obs = rst_capture_observe(w->cap, c->point, &c->seg);
        if (obs.rst) {
            seen_rst r = { .entry = obs.rst, .point = c->point };
            g_array_append_val(rsts, r);
        }
    }
    return rsts;
}

static void handshake_and_request(wire *w)
{
    send(w, C, SYN, 1000, 0, 0);
    send(w, S, SYN | ACK, 5000, 1001, 0);
    send(w, C, ACK, 1001, 5001, 0);
    send(w, C, PSH | ACK, 1001, 5001, 100);
}

/* The verdict of the n-th RST of the capture, whole capture known. */
static void verdict_of(wire *w, GArray *rsts, guint n, rst_verdict *v)
{
    const seen_rst *r;

    g_assert_cmpuint(n, <, rsts->len);
    r = &g_array_index(rsts, seen_rst, n);
    rst_capture_diagnose(w->cap, r->point, r->entry, true, v);
}

static void assert_verdict(const rst_verdict *v, const char *cause, const char *origin,
                           const char *vantage, uint32_t vantages, rst_evidence side)
{
    g_assert_cmpstr(rst_cause_name(v->cause), ==, cause);
    g_assert_cmpstr(rst_origin_name(v->origin), ==, origin);
    g_assert_cmpstr(v->vantage, ==, vantage);
    g_assert_cmpuint(v->vantages, ==, vantages);
    g_assert_true(rst_ev_has(v->evidence, side));
}

/* The server aborts: its RST crosses both points, one hop apart. */
static void check_server_abort(int64_t skew_ns)
{
    wire w;
    GArray *rsts;
    rst_verdict v;

    wire_init(&w, skew_ns);
    handshake_and_request(&w);
    send(&w, S, ACK, 5001, 1101, 0);
    send(&w, S, RST | ACK, 5001, 1101, 0);
    send(&w, C, PSH | ACK, 1101, 5001, 10);     /* both points keep capturing */
    rsts = replay(&w);
    g_assert_cmpuint(rsts->len, ==, 2);
    for (guint i = 0; i < 2; i++) {
        bool far = g_array_index(rsts, seen_rst, i).point == CLIENT_SIDE;
        verdict_of(&w, rsts, i, &v);
        g_assert_cmpstr(v.sender_side, ==, "srv0");
        assert_verdict(&v, "abort", "endpoint", far ? "cli0" : "srv0", 2,
                       RST_EV_SEEN_AT_SENDER_SIDE);
        g_assert_false(rst_ev_has(v.evidence, RST_EV_ABSENT_AT_SENDER_SIDE));
        if (far) {
            g_assert_true(v.has_side_hops);
            g_assert_cmpint(v.side_hops, ==, 1);
        }
    }
    g_array_free(rsts, TRUE);
    wire_free(&w);
}

static void test_server_abort(void)
{
    check_server_abort(0);
}

static void test_server_abort_skewed(void)
{
    check_server_abort(45500 * MS);
    check_server_abort(-3217 * MS);
}

/* The router forges a RST to the client in the server's name (TTL 64 where
 * the server's packets have 63), and one to the server in the client's. */
static void check_router_injection(int64_t skew_ns)
{
    wire w;
    GArray *rsts;
    rst_verdict v;
    char summary[RST_SUMMARY_MAX];

    wire_init(&w, skew_ns);
    handshake_and_request(&w);
    send(&w, ROUTER_AS_S, RST | ACK, 5001, 1101, 0);
    send(&w, ROUTER_AS_C, RST | ACK, 1101, 5001, 0);
    send(&w, S, ACK, 5001, 1101, 0);
    rsts = replay(&w);
    g_assert_cmpuint(rsts->len, ==, 2);
    for (guint i = 0; i < 2; i++) {
        const seen_rst *r = &g_array_index(rsts, seen_rst, i);
        bool to_client = r->point == CLIENT_SIDE;
        verdict_of(&w, rsts, i, &v);
        assert_verdict(&v, "injected", "middlebox", to_client ? "cli0" : "srv0", 1,
                       RST_EV_ABSENT_AT_SENDER_SIDE);
        g_assert_cmpstr(v.sender_side, ==, to_client ? "srv0" : "cli0");
        rst_summary(&v, &r->entry->facts, summary, sizeof(summary));
        g_assert_nonnull(strstr(summary, to_client ? "seen at cli0, never sent at srv0"
                                                   : "seen at srv0, never sent at cli0"));
    }
    g_array_free(rsts, TRUE);
    wire_free(&w);
}

static void test_router_injection(void)
{
    check_router_injection(0);
    check_router_injection(3217 * MS);
    check_router_injection(-45500 * MS);
}

/* A forger that copies the server's TTL: only the points betray it, one
 * sign, so the origin is a middlebox but the cause stays unproven. */
static void test_ttl_copying_forger(void)
{
    wire w;
    GArray *rsts;
    rst_verdict v;

    wire_init(&w, 0);
    handshake_and_request(&w);
    send(&w, ROUTER_AS_S, RST | ACK, 5001, 1101, 0);
    g_array_index(w.copies, copy, w.copies->len - 1).seg.ttl = 63;
    send(&w, C, PSH | ACK, 1101, 5001, 10);
    rsts = replay(&w);
    verdict_of(&w, rsts, 0, &v);
    g_assert_cmpstr(rst_origin_name(v.origin), ==, "middlebox");
    g_assert_true(rst_ev_has(v.evidence, RST_EV_ABSENT_AT_SENDER_SIDE));
    g_assert_false(rst_ev_has(v.evidence, RST_EV_TTL_MISMATCH));
    g_assert_cmpuint(rst_ev_count(v.signs), ==, 1);
    g_assert_cmpstr(rst_cause_name(v.cause), !=, "injected");
    g_array_free(rsts, TRUE);
    wire_free(&w);
}

/* The router refuses a SYN in the server's name; the server saw nothing. */
static void test_firewall_reject(void)
{
    wire w;
    GArray *rsts;
    rst_verdict v;

    wire_init(&w, 0);
    handshake_and_request(&w);                  /* the server is known at both */
    send(&w, S, ACK, 5001, 1101, 0);
    w.cport = 40001;
    send(&w, C, SYN, 9000, 0, 0);
    /* the router drops the SYN before point 1 and answers it */
    g_array_remove_index(w.copies, w.copies->len - 1);
    send(&w, ROUTER_AS_S, RST | ACK, 0, 9001, 0);
    w.cport = 40000;
    send(&w, S, PSH | ACK, 5001, 1101, 10);     /* both points keep capturing */
    rsts = replay(&w);
    verdict_of(&w, rsts, 0, &v);
    assert_verdict(&v, "firewall-reject", "middlebox", "cli0", 1, RST_EV_ABSENT_AT_SENDER_SIDE);
    g_array_free(rsts, TRUE);
    wire_free(&w);
}

/* Absence proves nothing when the sender's side was not capturing then. */
static void test_side_not_capturing(void)
{
    wire w;
    GArray *rsts;
    rst_verdict v;

    wire_init(&w, 0);
    handshake_and_request(&w);
    w.only_point0 = true;
    w.now_ns += 10 * 1000 * MS;
    send(&w, ROUTER_AS_S, RST | ACK, 5001, 1101, 0);
    rsts = replay(&w);
    verdict_of(&w, rsts, 0, &v);
    g_assert_cmpuint(v.vantages, ==, 1);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_ABSENT_AT_SENDER_SIDE));
    g_assert_false(rst_ev_has(v.evidence, RST_EV_SEEN_AT_SENDER_SIDE));
    g_array_free(rsts, TRUE);
    wire_free(&w);
}

/* One point: no vantage, and a single pass never claims absence. */
static void test_single_point_and_pass(void)
{
    wire w;
    GArray *rsts;
    rst_verdict v;
    const seen_rst *r;

    wire_init(&w, 0);
    w.only_point0 = true;
    handshake_and_request(&w);
    send(&w, ROUTER_AS_S, RST | ACK, 5001, 1101, 0);
    rsts = replay(&w);
    verdict_of(&w, rsts, 0, &v);
    g_assert_null(v.vantage);
    g_assert_cmpuint(v.vantages, ==, 0);
    g_array_free(rsts, TRUE);
    wire_free(&w);

    wire_init(&w, 0);
    handshake_and_request(&w);
    send(&w, ROUTER_AS_S, RST | ACK, 5001, 1101, 0);
    send(&w, S, ACK, 5001, 1101, 0);
    rsts = replay(&w);
    r = &g_array_index(rsts, seen_rst, 0);
    rst_capture_diagnose(w.cap, r->point, r->entry, false, &v);
    g_assert_cmpstr(v.vantage, ==, "cli0");
    g_assert_cmpuint(v.vantages, ==, 0);
    g_assert_false(rst_ev_has(v.evidence, RST_EV_ABSENT_AT_SENDER_SIDE));
    g_array_free(rsts, TRUE);
    wire_free(&w);
}

/* Expert messages hold 239 bytes: a longer summary is cut after a clause. */
static void test_summary_fit(void)
{
    char buf[32], longer[300];

    g_assert_cmpstr(rst_summary_fit("Abort: short", buf, sizeof(buf)), ==, "Abort: short");
    g_assert_cmpstr(rst_summary_fit("Injected: one; two, three four five six", buf, 24), ==,
                    "Injected: one; two\xe2\x80\xa6");
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    longer[27] = '\xc3';           /* a UTF-8 pair across the cut */
    longer[28] = '\xa9';
    rst_summary_fit(longer, buf, sizeof(buf));
    g_assert_cmpuint(strlen(buf), <, sizeof(buf));
    g_assert_true(g_utf8_validate(buf, -1, NULL));
    g_assert_cmpstr(rst_summary_fit("abc", buf, 2), ==, "");
}

/* rst_capture_cause() keeps a whole-capture cause only while no segment has
 * been fed since: a forged RST with one sign so far becomes injected once its
 * claimed sender is seen still talking. */
static rst_observation feed(rst_capture *cap, uint32_t frame, int from, uint16_t flags,
                            uint32_t seq, uint32_t ack, uint32_t len, uint8_t ttl)
{
    rst_segment seg;

    make_segment(&seg, G_GINT64_CONSTANT(1700000000) * 1000000000 + frame * 20 * MS, from == C,
                 40000, flags, seq, ack, len, ttl);
    seg.frame = frame;
    seg.hdr_len = 20;
    return rst_capture_observe(cap, 0, &seg);
}

static void test_cause_per_generation(void)
{
    rst_prefs prefs = RST_PREFS_DEFAULT;
    rst_capture *cap = rst_capture_new(&prefs);
    const rst_entry *forged;

    feed(cap, 1, C, SYN, 1000, 0, 0, 64);
    feed(cap, 2, S, SYN | ACK, 5000, 1001, 0, 63);
    feed(cap, 3, C, ACK, 1001, 5001, 0, 64);
    feed(cap, 4, C, PSH | ACK, 1001, 5001, 100, 64);
    forged = feed(cap, 5, S, RST | ACK, 5001, 1101, 0, 40).rst;
    g_assert_nonnull(forged);
    g_assert_cmpstr(rst_cause_name(rst_capture_cause(cap, 0, forged, true)), !=, "injected");
    g_assert_cmpstr(rst_cause_name(rst_capture_cause(cap, 0, forged, true)), !=, "injected");
    g_assert_true(feed(cap, 6, S, PSH | ACK, 5001, 1101, 200, 63).follows == forged);
    g_assert_cmpstr(rst_cause_name(rst_capture_cause(cap, 0, forged, true)), ==, "injected");
    /* A single pass knows nothing after the RST, and caches nothing. */
    g_assert_cmpstr(rst_cause_name(rst_capture_cause(cap, 0, forged, false)), !=, "injected");
    g_assert_cmpstr(rst_cause_name(rst_capture_cause(cap, 0, forged, true)), ==, "injected");
    rst_capture_free(cap);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vantage/server-abort", test_server_abort);
    g_test_add_func("/vantage/server-abort-skewed", test_server_abort_skewed);
    g_test_add_func("/vantage/router-injection", test_router_injection);
    g_test_add_func("/vantage/ttl-copying-forger", test_ttl_copying_forger);
    g_test_add_func("/vantage/firewall-reject", test_firewall_reject);
    g_test_add_func("/vantage/side-not-capturing", test_side_not_capturing);
    g_test_add_func("/vantage/single-point-and-pass", test_single_point_and_pass);
    g_test_add_func("/summary/fit", test_summary_fit);
    g_test_add_func("/capture/cause-per-generation", test_cause_per_generation);
    return g_test_run();
}
