/* fuzz-core.c
 * libFuzzer harness for the diagnosis core: any sequence of packet facts must
 * never crash, hang or break an invariant of the verdict.
 *
 * The input is read as 24-byte segment records.  Sequence and acknowledgement
 * numbers are offsets from per-direction bases, so that the fuzzer reaches
 * the exact-match patterns (seq = trigger's ACK, …) the rules look for.
 * Two bits pick one of four capture points, so the points are compared too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rst-capture.h"
#include "rst-hosts.h"
#include "rst-names.h"
#include "rst-summary.h"

#define RECORD 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant aborts, naming itself. */
static void fail(const char *what, int line)
{
    fprintf(stderr, "fuzz-core.c:%d: required: %s\n", line, what);
    abort();
}

#define require(ok) ((ok) ? (void)0 : fail(#ok, __LINE__))

static uint16_t u16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void decode(const uint8_t *r, uint32_t frame, int64_t *now, rst_segment *seg)
{
    static const uint32_t base[2] = { 1000000u, 0xFFFFF000u };   /* one near the wrap */
    int dir = r[1] & 1;
    int v6 = (r[1] >> 4) & 1;

    memset(seg, 0, sizeof(*seg));
    seg->frame = frame;
    *now += (int64_t)(int16_t)u16(r + 11) * 1000000;   /* may run backwards */
    seg->ts_ns = *now;
    seg->stream = (r[1] >> 1) & 7;
    seg->src.family = seg->dst.family = v6 ? 6 : 4;
    seg->src.bytes[0] = seg->dst.bytes[0] = 10;
    seg->src.bytes[3] = (uint8_t)(1 + dir);
    seg->dst.bytes[3] = (uint8_t)(2 - dir);
    seg->sport = dir ? 80 : (uint16_t)(40000 + (r[15] & 3));
    seg->dport = dir ? (uint16_t)(40000 + (r[15] & 3)) : 80;
    seg->flags = r[0] & 0x3F;
    seg->seq = base[dir] + (uint32_t)(int16_t)u16(r + 5);
    seg->ack = base[!dir] + (uint32_t)(int16_t)u16(r + 7);
    seg->len = u16(r + 9) & 0x7FF;
    seg->window = seg->window_raw = u16(r + 13);
    seg->ttl = r[2];
    seg->has_ttl = (r[1] >> 5) & 1;
    seg->has_ipid = !v6 && ((r[1] >> 6) & 1);
    seg->ipid = u16(r + 3);
    seg->payload_len = (uint16_t)(r[16] & 7) + 1 <= RST_PAYLOAD_MAX ? (uint16_t)((r[16] & 7) + 1) : 0;
    memcpy(seg->payload, r + 16, seg->payload_len);
    if (seg->flags & RST_TCP_RST && r[17] == 0x33)
        memcpy(seg->payload, "\x33\xAA", 2);            /* reach the diagnostic payload */
}

static uint32_t point_of(const uint8_t *r)
{
    return (r[15] >> 2) & 3;
}

/* What the summary says for each sign of injection the verdict counts. */
static const struct {
    rst_evidence ev;
    const char *words;
} sign_words[] = {
    { RST_EV_TTL_MISMATCH, " differs from the " },
    { RST_EV_NO_ACK, "no ACK flag" },
    { RST_EV_DATA_AFTER_RST, "kept sending after" },
    { RST_EV_RST_BURST, "RST burst" },
    { RST_EV_TOO_EARLY, "half the path's round trip" },
    { RST_EV_IPID_MISMATCH, "IP ID out of" },
    { RST_EV_ABSENT_AT_SENDER_SIDE, "never sent at" },
};

/* "N signs of forgery": N evidence tags, each named in the summary. */
static void check_signs(const rst_verdict *v, const char *summary)
{
    rst_evidence_set named = 0;

    require((v->signs & ~v->evidence) == 0);
    for (size_t i = 0; i < sizeof(sign_words) / sizeof(sign_words[0]); i++)
        if (rst_ev_has(v->signs, sign_words[i].ev)) {
            rst_ev_add(&named, sign_words[i].ev);
            require(strstr(summary, sign_words[i].words) != NULL);
        }
    require(named == v->signs);
}

static void check_verdict(const rst_verdict *v, const rst_entry *rst)
{
    char summary[RST_SUMMARY_MAX];

    require((unsigned)v->cause < RST_CAUSE_COUNT && (unsigned)v->phase < RST_PHASE_COUNT);
    require((unsigned)v->sender < RST_SENDER_COUNT && (unsigned)v->origin < RST_ORIGIN_COUNT);
    require((v->evidence >> RST_EV_COUNT) == 0);
    require(v->cause != RST_CAUSE_INJECTED || rst_ev_count(v->signs) >= 2);
    require(!v->has_trigger || v->trigger < rst->facts.frame);
    require(strcmp(rst_cause_name(v->cause), "unknown") != 0 || v->cause == RST_CAUSE_UNKNOWN);
    require(v->vantages <= 4 && (!v->vantages || v->vantage));
    require(!rst_ev_has(v->evidence, RST_EV_ABSENT_AT_SENDER_SIDE) ||
            (!rst_ev_has(v->evidence, RST_EV_SEEN_AT_SENDER_SIDE) && v->whole_capture &&
             v->sender_side && v->origin == RST_ORIGIN_MIDDLEBOX));
    rst_summary(v, &rst->facts, summary, sizeof(summary));
    require(strlen(summary) < sizeof(summary) && summary[0] != '\0');
    check_signs(v, summary);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rst_prefs prefs = RST_PREFS_DEFAULT;
    rst_capture *capture = rst_capture_new(&prefs);
    const rst_entry *records[512];
    uint32_t points[512];
    size_t nrec = 0;
    int64_t now = 1700000000LL * 1000000000LL;
    rst_verdict v;

    for (size_t off = 0; off + RECORD <= size; off += RECORD) {
        rst_segment seg;
        rst_observation obs;

        decode(data + off, (uint32_t)(off / RECORD + 1), &now, &seg);
        obs = rst_capture_observe(capture, point_of(data + off), &seg);
        require(!obs.rst || (seg.flags & RST_TCP_RST));
        if (obs.rst) {
            const rst_facts *f = &obs.rst->facts;
            rst_endpoints ends;
            rst_facts_endpoints(f, &ends);
            /* A second copy (one interface, after a hop) shows its first copy. */
            require(f->frame == (obs.copy_of ? obs.copy_of : seg.frame));
            require(f->seq == seg.seq && f->ack == seg.ack && f->flags == seg.flags);
            require(ends.sport == seg.sport && ends.dport == seg.dport);
            require(rst_addr_equal(&ends.src, &seg.src) && rst_addr_equal(&ends.dst, &seg.dst));
            require(rst_facts_len(f) == seg.len);
            require(!seg.has_ttl || (obs.copy_of ? f->ttl >= seg.ttl && f->ttl - seg.ttl <= 2
                                                 : f->ttl == seg.ttl));
            rst_capture_diagnose(capture, point_of(data + off), obs.rst, false, &v);
            check_verdict(&v, obs.rst);
            if (nrec < sizeof(records) / sizeof(records[0])) {
                points[nrec] = point_of(data + off);
                records[nrec++] = obs.rst;
            }
        }
    }
    for (size_t i = 0; i < nrec; i++) {         /* the whole capture known */
        rst_capture_diagnose(capture, points[i], records[i], true, &v);
        check_verdict(&v, records[i]);
    }
    rst_capture_free(capture);
    return 0;
}
