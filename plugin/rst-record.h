/* rst-record.h
 * What rstdiag knows of each RST: the segment and the conversation summary as
 * it stood just before it.  The verdict is a pure function of a record and of
 * what was learnt later (rst_context), so it can be given again, with
 * lookahead, whenever Wireshark re-dissects the frame.  Records are stored
 * compactly (rst-store.h) and rebuilt when a verdict is wanted.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_RECORD_H
#define RST_RECORD_H

#include "rst-conv.h"

typedef struct rst_record rst_record;

struct rst_record {
    rst_segment rst;
    rst_flow  sender;           /* the claimed sender, before the RST */
    rst_flow  peer;             /* the other endpoint, before the RST */
    int       client_dir;       /* as rst_conv.client */
    int       sender_dir;
    bool      reused, prev_closed;
    int64_t   prev_end_ts;
    bool      has_prev_ts;
    int64_t   prev_ts;          /* previous segment of the conversation */
    bool      has_host_ttl;
    uint8_t   host_ttl;         /* sender address's usual TTL, as known then */
    bool      has_rtt;
    int64_t   rtt_ns;           /* shortest handshake round trip to the sender, as known then */
    bool      rtt_stable;       /* the round trip can be trusted (rst_hosts_rtt_stable), as known then */
    bool      host_used_ttl;    /* the sender address had used the RST's TTL, as known then */
    bool      burst_prev;       /* follows another RST of its sender in a burst */
    rst_answer answer;          /* the peer's segment it answers, if it answers one */
    bool      sender_used_ttl;  /* its TTL is one its sender's own packets used here */
    uint8_t   scan_ports;       /* ports of the server the client probed in vain, as known then */
    uint32_t  rst_ordinal;      /* 1 for the conversation's first RST */
    const rst_conv *conv;       /* for totals known later */
    /* Amended as later packets arrive (complete once the capture is read). */
    uint32_t  data_after;       /* payload/FIN segments its sender sent after it */
    uint32_t  talk_after;       /* the same, plus SYNs: its sender still speaks */
    uint32_t  burst_next;       /* later RSTs of its sender in the same burst */
};

/* Whether the claimed sender's own side of the path saw a RST leave, in a
 * capture merged from several capture points. */
typedef enum {
    RST_SIDE_UNKNOWN,           /* one point, no relation, or no side for the sender */
    RST_SIDE_SEEN,              /* a copy was captured at the sender's side */
    RST_SIDE_ABSENT             /* that side was capturing, and no copy is there */
} rst_sender_side;

/* What is known about a RST beyond its record. */
typedef struct {
    bool     whole_capture;     /* every packet of the capture has been seen */
    bool     has_host_ttl;
    uint8_t  host_ttl;
    bool     has_rtt;
    int64_t  rtt_ns;
    bool     rtt_stable;        /* rtt_ns can be trusted (rst_hosts_rtt_stable) */
    bool     host_used_ttl;     /* the sender address's own packets used the RST's TTL */
    uint8_t  scan_ports;        /* as rst_record.scan_ports */
    uint32_t rst_count;
    uint32_t data_after;
    uint32_t talk_after;
    uint32_t burst_next;
    rst_sender_side sender_side;    /* several capture points, whole capture only */
} rst_context;

#endif /* RST_RECORD_H */
