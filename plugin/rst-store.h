/* rst-store.h
 * Where the engine keeps its RSTs: each one's facts (rst-facts.h), fixed once
 * measured, and what later packets add to them.  Entries are a fixed size
 * and live in large chunks freed together, never moved: the glue keeps
 * pointers to them as per-frame data.  The few RSTs that carry a reason, a
 * payload or a time-wait predecessor get their rst_extra from the same
 * store.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_STORE_H
#define RST_STORE_H

#include "rst-facts.h"

/* One stored RST: 120 bytes on x86-64. */
typedef struct rst_entry {
    rst_facts facts;
    /* Amended by the engine as later packets arrive. */
    struct rst_entry *burst_prev;   /* previous RST of the same burst */
    uint32_t data_after;        /* payload/FIN segments its sender sent after it */
    uint32_t talk_after;        /* the same, plus SYNs: its sender still speaks */
    uint32_t burst_next;        /* later RSTs of its sender in the same burst */
} rst_entry;

typedef struct rst_store rst_store;

rst_store *rst_store_new(void);
void       rst_store_free(rst_store *store);

/* Store a RST's facts, and its extra when extra is not NULL. */
rst_entry *rst_store_add(rst_store *store, const rst_facts *facts, const rst_extra *extra);

/* Every entry, in the order stored. */
typedef void (*rst_entry_visitor)(const rst_entry *entry, void *data);
void rst_store_foreach(const rst_store *store, rst_entry_visitor visit, void *data);

#endif /* RST_STORE_H */
