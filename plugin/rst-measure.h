/* rst-measure.h
 * The first-pass half of the diagnosis: a RST and its conversation as they
 * stand when it arrives, measured into its facts (rst-facts.h) once.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_MEASURE_H
#define RST_MEASURE_H

#include "rst-facts.h"

/* What the engine knows of the RST beyond its conversation when it arrives. */
typedef struct {
    bool     has_host_ttl;
    uint8_t  host_ttl;          /* the sender address's usual TTL */
    bool     host_used_ttl;     /* the address had used the RST's TTL */
    bool     has_rtt;
    int64_t  rtt_ns;            /* shortest handshake round trip to the sender */
    bool     rtt_stable;        /* rst_hosts_rtt_stable */
    bool     sender_used_ttl;   /* its sender's own packets here used its TTL */
    bool     burst_prev;        /* it follows another RST of its sender in a burst */
    uint8_t  scan_ports;        /* ports of the server its client probed in vain */
} rst_then;

/* Measure the RST seg, which answers answer (rst_conv_find_answer), against
 * conv as it stands before seg.  Returns true when the facts need extra: the
 * caller stores it and points out->extra at the copy. */
bool rst_measure(const rst_conv *conv, const rst_segment *seg, const rst_answer *answer,
                 const rst_then *then, rst_facts *out, rst_extra *extra);

#endif /* RST_MEASURE_H */
