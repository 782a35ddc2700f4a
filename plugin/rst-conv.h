/* rst-conv.h
 * The fixed-size summary rstdiag keeps per TCP conversation (tcp.stream): one
 * rst_flow per direction, updated by every segment, never a packet list.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_CONV_H
#define RST_CONV_H

#include "rst-model.h"

/* rst_flow.state bits: what one endpoint has sent so far. */
#define RST_FLOW_SEEN      0x0001   /* any segment */
#define RST_FLOW_SYN       0x0002   /* a SYN without ACK */
#define RST_FLOW_SYNACK    0x0004   /* a SYN/ACK */
#define RST_FLOW_ACKED     0x0008   /* an ACK-bearing segment other than SYN/ACK and RST */
#define RST_FLOW_DATA      0x0010   /* payload */
#define RST_FLOW_FIN       0x0020   /* a FIN not riding on a SYN */
#define RST_FLOW_NEXT_SEQ  0x0040   /* next_seq is known */
#define RST_FLOW_ACK_SENT  0x0080   /* acked is known */
#define RST_FLOW_TTL       0x0100   /* last_ttl is known */
#define RST_FLOW_IPID      0x0200   /* last_ipid is known */
#define RST_FLOW_RST       0x0400   /* a RST */
#define RST_FLOW_BARE_SYN  0x0800   /* its SYN looked crafted (see looks_crafted) */

/* What one endpoint of a conversation has sent. */
typedef struct {
    uint16_t state;             /* RST_FLOW_* */
    uint16_t last_flags;        /* of its latest segment */
    uint32_t last_frame;
    uint32_t last_seq, last_ack, last_len;
    int64_t  last_ts;
    uint32_t next_seq;          /* end of the highest sequence space it used */
    uint32_t acked;             /* highest ACK number it sent */
    uint32_t window;            /* latest window it advertised */
    uint32_t syn_seq;           /* ISN of its SYN or SYN/ACK */
    int64_t  syn_ts;            /* when it last sent its SYN or SYN/ACK */
    uint32_t retrans_run;       /* retransmissions since it last made progress */
    uint32_t keepalive_run;     /* keep-alive probes the peer has not answered */
    uint8_t  last_ttl;          /* of its latest non-RST segment */
    uint16_t last_ipid;
    uint8_t  ipid_run;          /* consecutive small IP ID steps up to last_ipid */
    /* Its latest RST, to recognise bursts. */
    uint32_t rst_frame;         /* 0 = none yet */
    int64_t  rst_ts;
    uint32_t rst_seq, rst_window;
    uint8_t  rst_ttl;
} rst_flow;

struct rst_entry;

/* A recent segment of one endpoint, kept to recognise the RST that answers
 * it after others followed (a flight in transit when the socket went away). */
typedef struct {
    int64_t  ts;
    uint32_t frame;
    uint32_t ack;               /* its ACK number; only with RST_TCP_ACK in flags */
    uint32_t end;               /* seq + payload + SYN + FIN */
    uint16_t flags;
    uint16_t len;               /* payload, saturated */
} rst_recent;

#define RST_RECENT_MAX 6

/* The IP-layer facts of an endpoint's latest segment (its TCP facts are in
 * rst_flow.last_*), to recognise a second copy of it on the same interface. */
typedef struct {
    uint16_t ipid, window_raw;
    uint8_t  ttl;
    bool     has_ttl, has_ipid;
} rst_last_wire;

typedef struct {
    rst_addr addr[2];           /* endpoint 0 sent the first segment seen; a restart
                                 * (rst_conv_restart_on_new_syn) keeps the order */
    uint16_t port[2];
    int      client;            /* endpoint that sent the first SYN; -1 unknown */
    rst_flow flow[2];
    int64_t  last_ts;           /* latest segment, either direction */
    bool     has_last;
    uint32_t rst_count;
    bool     reused;            /* a SYN reused the 4-tuple of an earlier connection */
    bool     prev_closed;       /* that connection had ended with FINs (TIME_WAIT), no RST */
    int64_t  prev_end_ts;       /* its last segment */
    struct rst_entry *last_rst[2];  /* latest RST claimed by each endpoint */
    rst_recent recent[2][RST_RECENT_MAX];  /* each endpoint's latest segments, a ring */
    uint8_t  recent_next[2];    /* ring slot the next segment goes to */
    uint32_t answered[2];       /* latest frame of the peer the endpoint's RSTs answered */
    uint8_t  ttls[2][32];       /* TTLs each endpoint's own packets used, a bit set */
    rst_last_wire last_wire[2];
} rst_conv;

/* Start a conversation summary from its first segment. */
void rst_conv_init(rst_conv *conv, const rst_segment *seg);

/* Index (0/1) of the endpoint that sent seg. */
int rst_conv_direction(const rst_conv *conv, const rst_segment *seg);

/* Has the conversation ended (FIN or RST seen)? */
bool rst_conv_closed(const rst_conv *conv);

/* Mark conv as reusing the 4-tuple of prev (an earlier, other conversation). */
void rst_conv_note_predecessor(rst_conv *conv, const rst_conv *prev);

/* A fresh SYN inside a closed conversation starts a new connection on the
 * same 4-tuple (when the TCP dissector did not split the stream): restart the
 * summary and remember the old one.  Returns true when it did so. */
bool rst_conv_restart_on_new_syn(rst_conv *conv, const rst_segment *seg);

/* Does seg, the first segment of a new tcp.stream on conv's 4-tuple, carry on
 * conv's connection attempt?  From 4.4 on, Wireshark starts a new stream at a
 * SYN or SYN/ACK that follows a RST (an injected one, say) even when it is
 * the same attempt: the client's SYN again with its ISN, or the server's
 * SYN/ACK acknowledging that ISN. */
bool rst_conv_continues(const rst_conv *conv, const rst_segment *seg);

/* The answer a RST gives to a recent segment of its peer. */
typedef enum {
    RST_ANSWER_NONE,
    RST_ANSWER_BARE,            /* no ACK flag, seq = that segment's ACK number */
    RST_ANSWER_ACK              /* RST/ACK whose ack = that segment's end */
} rst_answer_kind;

typedef struct {
    rst_answer_kind kind;
    bool     fresh;             /* no earlier RST of the sender answered it */
    bool     latest;            /* it is the peer's latest segment */
    uint16_t flags, len;
    uint32_t frame;
    int64_t  ts;
    int64_t  first_ts;          /* the earliest recent segment it could answer */
} rst_answer;

/* Which recent segment of the peer the RST seg (from endpoint dir) answers,
 * looking back `horizon_ns` at most; claims it for that endpoint. */
void rst_conv_find_answer(rst_conv *conv, int dir, const rst_segment *seg, int64_t horizon_ns,
                          rst_answer *out);

/* Has endpoint dir sent a non-RST packet with this TTL (within tolerance)? */
bool rst_conv_used_ttl(const rst_conv *conv, int dir, uint8_t ttl, uint32_t tolerance);

/* Is seg a second copy, on the same interface, of the last segment its
 * sender sent (before and after a forwarding hop)?  That segment is then
 * conv->flow[dir].last_frame. */
bool rst_conv_is_copy(const rst_conv *conv, const rst_segment *seg);

/* Fold one segment (RST or not) into the summary. */
void rst_conv_update(rst_conv *conv, const rst_segment *seg);

#endif /* RST_CONV_H */
