/* rst-hosts.h
 * Per-address TTL baselines: the TTL (hop limit) an address's packets usually
 * arrive with across the whole capture, to tell the host's own packets from a
 * device speaking in its name.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_HOSTS_H
#define RST_HOSTS_H

#include "rst-model.h"

typedef struct rst_hosts rst_hosts;

rst_hosts *rst_hosts_new(void);
void       rst_hosts_free(rst_hosts *hosts);

/* Count one non-RST packet from addr arriving with ttl. */
void rst_hosts_observe(rst_hosts *hosts, const rst_addr *addr, uint8_t ttl);

/* The most frequent TTL seen from addr so far; false when none was seen. */
bool rst_hosts_usual_ttl(const rst_hosts *hosts, const rst_addr *addr, uint8_t *ttl);

/* Record a handshake round trip to addr (its SYN/ACK after the peer's SYN);
 * clean: neither was a retransmission. */
void rst_hosts_observe_rtt(rst_hosts *hosts, const rst_addr *addr, int64_t rtt_ns, bool clean);

/* The shortest handshake round trip seen to addr; false when none. */
bool rst_hosts_min_rtt(const rst_hosts *hosts, const rst_addr *addr, int64_t *rtt_ns);

/* Do several handshakes to addr agree on its round trip? */
bool rst_hosts_rtt_stable(const rst_hosts *hosts, const rst_addr *addr);

/* Did addr's own (non-RST) packets use ttl, within tolerance? */
bool rst_hosts_used_ttl(const rst_hosts *hosts, const rst_addr *addr, uint8_t ttl,
                        uint32_t tolerance);

/* Shared by the tables keyed on addresses. */
unsigned rst_addr_hash(const rst_addr *addr);
bool     rst_addr_equal(const rst_addr *a, const rst_addr *b);

#endif /* RST_HOSTS_H */
