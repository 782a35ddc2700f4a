/* rst-facts.h
 * What rstdiag measures of each RST, once, on the first pass
 * (rst-measure.h): a fixed, small record of the signs knowable then, the
 * deltas, the trigger, the decoded reason and the key that matches the RST's
 * copies at other capture points.  The verdict is a pure function of these
 * facts and of what was learnt after the RST (rst_context; rst-decide.h), so
 * a later dissection decides again without rebuilding the conversation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_FACTS_H
#define RST_FACTS_H

#include "rst-conv.h"
#include "rst-reason.h"

/* rst_facts.bits: the RST's own header. */
#define RST_F_HAS_TTL           (1u << 0)
#define RST_F_HAS_IPID          (1u << 1)
/* The conversation before it. */
#define RST_F_HAS_SENDER_TTL    (1u << 2)   /* sender_last_ttl is known */
#define RST_F_HAS_IDLE          (1u << 4)   /* the conversation had a segment before it */
#define RST_F_HAS_TRIGGER       (1u << 5)   /* the peer had sent something */
#define RST_F_ANY_DATA          (1u << 6)   /* payload either way */
#define RST_F_ANY_FIN           (1u << 7)   /* a FIN either way */
#define RST_F_HANDSHAKE_DONE    (1u << 8)   /* server sent SYN/ACK, client ACKed after it */
#define RST_F_SENDER_ACCEPTED   (1u << 9)   /* the sender had sent a SYN/ACK */
#define RST_F_SENDER_SYNCED     (1u << 10)  /* the sender had sent a SYN/ACK or an ACK */
#define RST_F_CLIENT_BARE_SYN   (1u << 11)  /* the client's SYN looked crafted */
#define RST_F_PEER_LAST_EMPTY   (1u << 12)  /* the peer's latest segment had no payload */
#define RST_F_ANSWER_LATEST     (1u << 13)  /* the segment it answers is the peer's latest */
#define RST_F_REUSED            (1u << 14)  /* a SYN reused the 4-tuple of an earlier connection */
#define RST_F_AFTER_FIN_CLOSE   (1u << 15)  /* that connection ended with FINs (extra: when) */
#define RST_F_SENDER_USED_TTL   (1u << 16)  /* its TTL is one its sender's own packets used here */
#define RST_F_BURST_PREV        (1u << 17)  /* follows another RST of its sender in a burst */
#define RST_F_ROUTE_MAY_DRIFT   (1u << 18)  /* answers a segment after a long silence of its sender */
#define RST_F_IPID_OUT_OF_STEP  (1u << 19)  /* breaks its sender's clear IP ID sequence */
#define RST_F_CHALLENGE_ACK     (1u << 20)  /* answers an RFC 5961 challenge ACK */
#define RST_F_ACK_MISSING       (1u << 21)  /* no ACK where the sender's stack would set it */
/* The shapes of the causes, as far as the conversation tells them. */
#define RST_F_STALE_ACK         (1u << 22)  /* client reset TIME_WAIT's stale ACK */
#define RST_F_SYN_SCAN          (1u << 23)  /* client reset a SYN/ACK it never acknowledged */
#define RST_F_STEALTH_SCAN      (1u << 24)  /* closed port answered a FIN/NULL/XMAS probe */
#define RST_F_OVERFLOW          (1u << 25)  /* server reset the handshake's end, no data sent */
#define RST_F_DATA_AFTER_CLOSE  (1u << 26)  /* sender had sent FIN, the peer still sent data */
#define RST_F_NO_SOCKET         (1u << 27)  /* the RFC 793 answer of a host without a connection */
/* What the sender's address had shown by then (single-pass context). */
#define RST_F_HOST_TTL_THEN     (1u << 28)  /* host_ttl_then is known */
#define RST_F_HOST_USED_TTL_THEN (1u << 29) /* the address had used the RST's TTL */
#define RST_F_TOO_EARLY_THEN    (1u << 30)  /* faster than half its known round trip */

/* rst_facts.seq_class: the RST's sequence number against the expected one
 * (UNKNOWN: no expected number, and no seq_delta). */
typedef enum {
    RST_SEQ_UNKNOWN,
    RST_SEQ_EXACT,
    RST_SEQ_IN_WINDOW,
    RST_SEQ_OUT_OF_WINDOW
} rst_seq_class;

/* What only some RSTs need, kept out of line. */
typedef struct {
    rst_reason reason;          /* kind NONE: none */
    char     text[RST_PAYLOAD_MAX + 1];     /* the payload as text, when it is text */
    uint32_t len;               /* TCP payload length */
    int64_t  since_prev_end_ns; /* RST_F_AFTER_FIN_CLOSE: since that connection's last segment */
    bool     own_endpoints;     /* the addresses below, not the conversation's */
    rst_addr src, dst;
    uint16_t sport, dport;
} rst_extra;

/* 96 bytes on x86-64.  Times stay nanoseconds, as the capture gives them:
 * thresholds and the fields shown are exact. */
typedef struct {
    const rst_conv  *conv;      /* its endpoints, and totals known later */
    const rst_extra *extra;     /* NULL: no reason, payload or time-wait predecessor */
    int64_t  ts_ns;
    int64_t  idle_ns;           /* since the conversation's previous segment */
    int64_t  answer_latency_ns; /* since the earliest peer segment it could answer */
    uint32_t frame;
    uint32_t seq, ack;
    uint32_t trigger;           /* the frame it answers, else the peer's latest */
    int32_t  seq_delta;         /* vs the sequence number expected from its sender */
    uint32_t retrans_run;       /* sender's retransmissions since its last progress */
    uint32_t keepalive_run;     /* sender's keep-alives the peer left unanswered */
    uint32_t rst_ordinal;       /* 1 for the conversation's first RST */
    uint32_t bits;              /* RST_F_* */
    uint16_t flags;             /* the RST's */
    uint16_t ipid;
    uint16_t trigger_flags;
    uint16_t peer_last_flags;   /* of the peer's latest segment */
    uint8_t  ttl;
    uint8_t  sender_last_ttl;   /* of the sender's latest non-RST packet */
    uint8_t  host_ttl_then;     /* the sender address's usual TTL by then */
    uint8_t  scan_ports_then;   /* ports of the server its client probed in vain by then */
    uint8_t  sender_dir : 1;    /* endpoint of conv that sent it */
    uint8_t  sender : 2;        /* rst_sender */
    uint8_t  phase : 2;         /* rst_phase */
    uint8_t  seq_class : 2;     /* rst_seq_class */
    uint8_t  answer_kind : 2;   /* rst_answer_kind of the peer segment it answers */
} rst_facts;

static inline bool rst_facts_has(const rst_facts *f, uint32_t bits)
{
    return (f->bits & bits) == bits;
}

/* A RST's addresses and ports. */
typedef struct {
    rst_addr src, dst;
    uint16_t sport, dport;
} rst_endpoints;

void rst_facts_endpoints(const rst_facts *f, rst_endpoints *out);

/* Its TCP payload length (0 for almost every RST). */
uint32_t rst_facts_len(const rst_facts *f);

/* Whether the claimed sender's own side of the path saw a RST leave, in a
 * capture merged from several capture points. */
typedef enum {
    RST_SIDE_UNKNOWN,           /* one point, no relation, or no side for the sender */
    RST_SIDE_SEEN,              /* a copy was captured at the sender's side */
    RST_SIDE_ABSENT             /* that side was capturing, and no copy is there */
} rst_sender_side;

/* What is known about a RST beyond its facts: with the whole capture, what
 * came after it; in a single pass, what its facts say was known then. */
typedef struct {
    bool     whole_capture;     /* every packet of the capture has been seen */
    bool     has_host_ttl;
    uint8_t  host_ttl;
    bool     host_used_ttl;     /* the sender address's own packets used the RST's TTL */
    bool     too_early;         /* it answered faster than the sender could (rst_too_early) */
    uint8_t  scan_ports;        /* as rst_facts.scan_ports_then */
    uint32_t rst_count;
    uint32_t data_after;        /* payload/FIN segments its sender sent after it */
    uint32_t talk_after;        /* the same, plus SYNs: its sender still speaks */
    uint32_t burst_next;        /* later RSTs of its sender in the same burst */
    rst_sender_side sender_side;    /* several capture points, whole capture only */
} rst_context;

#endif /* RST_FACTS_H */
