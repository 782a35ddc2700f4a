/* rst-model.h
 * The vocabulary of rstdiag's diagnosis core: the facts read from one TCP
 * segment, and the verdict given to a RST.  Plain C + GLib, no epan, so the
 * core can be unit-tested and fuzzed without Wireshark.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_MODEL_H
#define RST_MODEL_H

#include <stdbool.h>
#include <stdint.h>

/* TCP header flag bits, as in the 12-bit tcp.flags field. */
#define RST_TCP_FIN 0x001
#define RST_TCP_SYN 0x002
#define RST_TCP_RST 0x004
#define RST_TCP_PSH 0x008
#define RST_TCP_ACK 0x010
#define RST_TCP_URG 0x020

/* Capture times are nanoseconds. */
#define RST_NS_PER_MS 1000000LL
#define RST_NS_PER_S  1000000000LL

/* How much of a RST's payload is kept: the diagnostic payload is 8 bytes,
 * vendors' reset-cause texts a few dozen. */
#define RST_PAYLOAD_MAX 64

/* An IPv4 or IPv6 address; family 0 means "not known". */
typedef struct {
    uint8_t family;             /* 4, 6 or 0 */
    uint8_t bytes[16];          /* IPv4 uses the first 4 */
} rst_addr;

/* What one TCP segment of the capture says, read by the epan glue. */
typedef struct {
    uint32_t frame;             /* frame number */
    int64_t  ts_ns;             /* capture time, ns since the epoch */
    uint32_t stream;            /* tcp.stream */
    rst_addr src, dst;          /* from the IP layer right below TCP */
    uint16_t sport, dport;
    uint16_t flags;             /* RST_TCP_* */
    uint32_t seq, ack;          /* raw, unrelativised */
    uint32_t len;               /* TCP payload length */
    uint32_t window;            /* advertised window, scaled where known */
    uint16_t window_raw;        /* the window field as sent (vendors put codes there) */
    uint8_t  hdr_len;           /* TCP header length in bytes (20 = no options) */
    uint8_t  ttl;               /* IPv4 TTL or IPv6 hop limit */
    bool     has_ttl;
    bool     has_ipid;          /* IPv4 only */
    uint16_t ipid;
    uint16_t payload_len;       /* bytes in payload[]: the start of a RST's payload */
    uint8_t  payload[RST_PAYLOAD_MAX];
} rst_segment;

typedef enum {
    RST_PHASE_UNKNOWN,
    RST_PHASE_HANDSHAKE,
    RST_PHASE_DATA,
    RST_PHASE_TEARDOWN,
    RST_PHASE_COUNT
} rst_phase;

typedef enum {
    RST_CAUSE_UNKNOWN,
    RST_CAUSE_PORT_CLOSED,
    RST_CAUSE_FIREWALL_REJECT,
    RST_CAUSE_LISTEN_OVERFLOW,
    RST_CAUSE_TIME_WAIT,
    RST_CAUSE_BAD_SYN,
    RST_CAUSE_SYN_SCAN,
    RST_CAUSE_CONNECT_SCAN,
    RST_CAUSE_STEALTH_SCAN,
    RST_CAUSE_RETRANSMISSION_LIMIT,
    RST_CAUSE_IDLE_TIMEOUT,
    RST_CAUSE_INJECTED,
    RST_CAUSE_DATA_AFTER_CLOSE,
    RST_CAUSE_FAST_CLOSE,
    RST_CAUSE_NO_SOCKET,
    RST_CAUSE_ABORT,
    RST_CAUSE_COUNT
} rst_cause;

typedef enum {
    RST_SENDER_UNKNOWN,
    RST_SENDER_CLIENT,
    RST_SENDER_SERVER,
    RST_SENDER_COUNT
} rst_sender;

typedef enum {
    RST_ORIGIN_UNKNOWN,
    RST_ORIGIN_ENDPOINT,
    RST_ORIGIN_MIDDLEBOX,
    RST_ORIGIN_COUNT
} rst_origin;

/* Evidence tags; the verdict carries them as a bit set. */
typedef enum {
    RST_EV_ANSWERS_SYN,
    RST_EV_AFTER_SYNACK,
    RST_EV_AFTER_HANDSHAKE,
    RST_EV_NO_ACK,
    RST_EV_TTL_MISMATCH,
    RST_EV_IPID_ZERO,
    RST_EV_IPID_MISMATCH,
    RST_EV_SEQ_EXACT,
    RST_EV_SEQ_IN_WINDOW,
    RST_EV_SEQ_OUT_OF_WINDOW,
    RST_EV_DATA_AFTER_RST,
    RST_EV_RST_BURST,
    RST_EV_RETRANSMISSIONS,
    RST_EV_IDLE,
    RST_EV_AFTER_FIN,
    RST_EV_REUSED_TUPLE,
    RST_EV_BAD_SYN_FLAGS,
    RST_EV_CHALLENGE_ACK,
    RST_EV_REASON_CODE,
    RST_EV_VENDOR_CODE,
    RST_EV_ABSENT_AT_SENDER_SIDE,
    RST_EV_SEEN_AT_SENDER_SIDE,
    RST_EV_TOO_EARLY,
    RST_EV_ANSWERS_INFLIGHT,
    RST_EV_SCANNER,
    RST_EV_COPY,
    RST_EV_COUNT
} rst_evidence;

typedef uint32_t rst_evidence_set;

static inline bool rst_ev_has(rst_evidence_set set, rst_evidence ev)
{
    return (set >> ev) & 1u;
}

static inline void rst_ev_add(rst_evidence_set *set, rst_evidence ev)
{
    *set |= 1u << ev;
}

static inline unsigned rst_ev_count(rst_evidence_set set)
{
    unsigned n = 0;

    for (; set; set &= set - 1)
        n++;
    return n;
}

/* Thresholds the diagnosis uses; the glue fills them from preferences. */
typedef struct {
    uint32_t idle_threshold_s;  /* idle gap that makes an idle timeout */
    uint32_t ttl_tolerance;     /* TTL difference still counted as "same" */
    uint32_t time_wait_s;       /* how long a closed 4-tuple stays in TIME_WAIT */
    uint32_t retrans_limit;     /* retransmissions that make a retransmission limit */
    uint32_t keepalive_probes;  /* unanswered keep-alives that make an idle timeout */
    uint32_t burst_window_ms;   /* RSTs this close together form a burst */
} rst_prefs;

#define RST_PREFS_DEFAULT { 60, 0, 240, 3, 2, 2000 }

/* The diagnosis of one RST. */
typedef struct {
    rst_phase  phase;
    rst_cause  cause;
    rst_sender sender;
    rst_origin origin;
    rst_evidence_set evidence;

    bool     has_ttl_delta, has_host_ttl_delta, has_seq_delta, has_idle;
    bool     has_trigger;
    int32_t  ttl_delta;         /* vs the sender's latest packet in the conversation */
    int32_t  host_ttl_delta;    /* vs the sender address's usual TTL */
    int32_t  seq_delta;         /* vs the next sequence number expected from the sender */
    int64_t  idle_ns;           /* since the previous packet of the conversation */
    uint32_t retransmissions;
    uint32_t data_after;
    uint32_t rst_count;
    uint32_t trigger;           /* frame number the RST answers */
    bool     has_reason_code;
    uint32_t reason_code;       /* explicit reset reason carried by the RST */
    uint8_t  reason_kind;       /* rst_reason_kind (rst-reason.h), decoded once */
    const char *reason_meaning; /* what the code means, or NULL */
    rst_evidence_set signs;     /* the evidence counted as signs of injection
                                 * (how many: rst_ev_count) */
    uint8_t  scan_ports;        /* ports of the server its client probed in vain */

    /* Values quoted by the summary. */
    uint8_t  ttl;
    uint8_t  sender_last_ttl;
    uint8_t  host_usual_ttl;
    bool     whole_capture;     /* lookahead was available */

    /* A capture merged from several capture points (pcapng interfaces). */
    const char *vantage;        /* this copy's point; NULL in a one-point capture */
    uint32_t vantages;          /* points that saw this RST; 0 = not known (single pass) */
    const char *sender_side;    /* the claimed sender's side point, when known */
    bool     has_side_hops;
    int32_t  side_hops;         /* TTL at the sender's side minus TTL here */
    bool     has_side_clock;
    int64_t  side_clock_ns;     /* clock there minus clock here, as estimated */
} rst_verdict;

#endif /* RST_MODEL_H */
