/* rst-hosts.c
 * Per-address TTL baselines.  Each address keeps a fixed handful of
 * (TTL, count) slots maintained with the space-saving heavy-hitter rule, so
 * memory per host is constant however many packets or TTL values it sends.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-hosts.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define TTL_SLOTS 4

typedef struct {
    rst_addr addr;
    uint8_t  ttl[TTL_SLOTS];
    uint32_t count[TTL_SLOTS];  /* 0 = free slot */
    int64_t  min_rtt_ns;        /* 0 = none seen */
    int64_t  max_rtt_ns;
    uint32_t rtt_samples;
    uint32_t clean_rtt_samples; /* first SYN answered by the first SYN/ACK */
} host_entry;

struct rst_hosts {
    GHashTable *by_addr;        /* rst_addr* (inside the entry) -> host_entry* */
};

/* Bytes of the address in use: rst_addr.bytes holds an IPv4 address in its
 * first 4. */
static unsigned addr_len(const rst_addr *addr)
{
    return addr->family == 6 ? sizeof(addr->bytes) : 4;
}

unsigned rst_addr_hash(const rst_addr *addr)
{
    unsigned len = addr_len(addr);
    unsigned h = addr->family;

    for (unsigned i = 0; i < len; i++)
        h = h * 31 + addr->bytes[i];
    return h;
}

bool rst_addr_equal(const rst_addr *a, const rst_addr *b)
{
    unsigned len = addr_len(a);

    return a->family == b->family && memcmp(a->bytes, b->bytes, len) == 0;
}

static guint addr_key_hash(gconstpointer key)
{
    return rst_addr_hash(key);
}

static gboolean addr_key_equal(gconstpointer a, gconstpointer b)
{
    return rst_addr_equal(a, b);
}

rst_hosts *rst_hosts_new(void)
{
    rst_hosts *hosts = g_new0(rst_hosts, 1);

    hosts->by_addr = g_hash_table_new_full(addr_key_hash, addr_key_equal, NULL, g_free);
    return hosts;
}

void rst_hosts_free(rst_hosts *hosts)
{
    if (!hosts)
        return;
    g_hash_table_destroy(hosts->by_addr);
    g_free(hosts);
}

static host_entry *host_of(rst_hosts *hosts, const rst_addr *addr)
{
    host_entry *host = g_hash_table_lookup(hosts->by_addr, addr);

    if (!host) {
        host = g_new0(host_entry, 1);
        host->addr = *addr;
        g_hash_table_insert(hosts->by_addr, &host->addr, host);
    }
    return host;
}

void rst_hosts_observe_rtt(rst_hosts *hosts, const rst_addr *addr, int64_t rtt_ns, bool clean)
{
    host_entry *host;

    if (addr->family == 0 || rtt_ns <= 0)
        return;
    host = host_of(hosts, addr);
    if (host->min_rtt_ns == 0 || rtt_ns < host->min_rtt_ns)
        host->min_rtt_ns = rtt_ns;
    host->max_rtt_ns = MAX(host->max_rtt_ns, rtt_ns);
    host->rtt_samples++;
    host->clean_rtt_samples += clean;
}

/* A handshake whose SYN or SYN/ACK was retransmitted measures a timer, not
 * the path.  The round trip is trusted when one handshake was clean (the
 * kernel sends its SYN/ACK at once), or several agree within a factor of 4. */
bool rst_hosts_rtt_stable(const rst_hosts *hosts, const rst_addr *addr)
{
    const host_entry *host = g_hash_table_lookup(hosts->by_addr, addr);

    return host && (host->clean_rtt_samples > 0 ||
                    (host->rtt_samples >= 2 && host->max_rtt_ns <= 4 * host->min_rtt_ns));
}

bool rst_hosts_min_rtt(const rst_hosts *hosts, const rst_addr *addr, int64_t *rtt_ns)
{
    const host_entry *host = g_hash_table_lookup(hosts->by_addr, addr);

    if (!host || host->min_rtt_ns == 0)
        return false;
    *rtt_ns = host->min_rtt_ns;
    return true;
}

void rst_hosts_observe(rst_hosts *hosts, const rst_addr *addr, uint8_t ttl)
{
    host_entry *host;
    unsigned victim = 0;

    if (addr->family == 0)
        return;
    host = host_of(hosts, addr);
    for (unsigned i = 0; i < TTL_SLOTS; i++) {
        if (host->count[i] && host->ttl[i] == ttl) {
            host->count[i]++;
            return;
        }
        if (host->count[i] < host->count[victim])
            victim = i;
    }
    /* Space-saving: the newcomer takes the weakest slot and inherits its count. */
    host->ttl[victim] = ttl;
    host->count[victim]++;
}

bool rst_hosts_usual_ttl(const rst_hosts *hosts, const rst_addr *addr, uint8_t *ttl)
{
    const host_entry *host = g_hash_table_lookup(hosts->by_addr, addr);
    unsigned best = 0;

    if (!host)
        return false;
    for (unsigned i = 1; i < TTL_SLOTS; i++)
        if (host->count[i] > host->count[best])
            best = i;
    if (!host->count[best])
        return false;
    *ttl = host->ttl[best];
    return true;
}

/* A TTL the address's own packets used at least twice: one stray packet does
 * not make a baseline. */
bool rst_hosts_used_ttl(const rst_hosts *hosts, const rst_addr *addr, uint8_t ttl,
                        uint32_t tolerance)
{
    const host_entry *host = g_hash_table_lookup(hosts->by_addr, addr);

    if (!host)
        return false;
    for (unsigned i = 0; i < TTL_SLOTS; i++)
        if (host->count[i] >= 2 && (uint32_t)abs((int)host->ttl[i] - (int)ttl) <= tolerance)
            return true;
    return false;
}
