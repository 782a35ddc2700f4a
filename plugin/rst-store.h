/* rst-store.h
 * Where the engine keeps its RSTs, compactly.  A RST's record is the
 * conversation as it stood just before it (rst-record.h, 488 bytes on
 * x86-64), kept packed: 326 bytes plus 104 for each endpoint that had sent
 * something, plus the payload kept (no empty payload buffer, no unused
 * flow).  When the conversation's previous segment was itself a RST -- a
 * burst, a flood -- that state is the previous RST's state updated by that
 * RST, so only a delta is stored: the RST's own header fields and the values
 * learnt elsewhere (128 bytes plus payload).  Every RST_STORE_CHAIN-th RST
 * of a run is stored whole again, so rebuilding a record replays at most
 * that many segments.
 *
 * Entries live in large chunks freed together, never moved: the glue keeps
 * pointers to them as per-frame data.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_STORE_H
#define RST_STORE_H

#include "rst-record.h"

#define RST_STORE_CHAIN 32

/* One stored RST.  The engine amends the lookahead counters and burst links
 * as later packets arrive; everything else is fixed once stored. */
typedef struct rst_entry {
    struct rst_entry *base;     /* delta: the RST it follows; NULL: whole */
    struct rst_entry *burst_prev_rec;   /* previous RST of the same burst */
    uint32_t data_after, talk_after, burst_next;
    int64_t  ts_ns;             /* the RST's time, sequence number and frame */
    uint32_t seq;
    uint32_t frame;
    uint8_t  chain;             /* deltas since the last whole record */
    uint8_t  sender_dir;        /* as rst_record.sender_dir */
    bool     on_endpoints;      /* its addresses and ports are its conversation's */
    bool     burst_prev;
    bool     has_host_ttl;
    uint8_t  host_ttl;          /* single-pass baselines, as known then */
    bool     has_rtt;
    bool     rtt_stable;
    bool     sender_used_ttl;
    bool     host_used_ttl;
    uint8_t  scan_ports;
    int64_t  rtt_ns;
    rst_answer answer;
} rst_entry;

typedef struct rst_store rst_store;

rst_store *rst_store_new(void);
void       rst_store_free(rst_store *store);

/* Store the RST described by rec (a whole record, as the engine builds it).
 * after: the entry of the conversation's previous segment when that was a
 * RST (rec is then that RST's state updated by it), else NULL. */
rst_entry *rst_store_add(rst_store *store, const rst_record *rec, rst_entry *after);

/* Rebuild the whole record of an entry (of this store), with its current
 * counters.  The last record rebuilt is kept, so that a pass through the
 * capture in order replays one delta per RST. */
void rst_store_record(rst_store *store, const rst_entry *entry, rst_record *out);

/* Every entry, in the order stored. */
typedef void (*rst_entry_visitor)(const rst_entry *entry, void *data);
void rst_store_foreach(const rst_store *store, rst_entry_visitor visit, void *data);

#endif /* RST_STORE_H */
