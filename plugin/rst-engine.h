/* rst-engine.h
 * rstdiag's diagnosis core for one capture file: it is fed every TCP segment
 * once, in capture order, keeps the per-conversation and per-host summaries,
 * and measures each RST once into facts that can be decided at any later time.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_ENGINE_H
#define RST_ENGINE_H

#include "rst-store.h"

typedef struct rst_engine rst_engine;

/* prefs must outlive the engine; the diagnosis reads them as they are then. */
rst_engine *rst_engine_new(const rst_prefs *prefs);
void        rst_engine_free(rst_engine *engine);

/* What one segment is to rstdiag; entries (a RST's facts, with what was
 * learnt after it so far) live as long as the engine. */
typedef struct {
    const rst_entry *rst;       /* the segment is this RST */
    const rst_entry *follows;   /* the segment is its sender speaking after this RST */
    uint32_t copy_of;           /* the segment is a second copy of this frame (0: not) */
} rst_observation;

/* Feed one segment (first pass, capture order). */
rst_observation rst_engine_observe(rst_engine *engine, const rst_segment *seg);

/* What a RST is decided with (rst_decide()) beyond its facts.
 * whole_capture: every packet has been observed, so totals and baselines
 * include what came after the RST (GUI, tshark -2). */
void rst_engine_context(const rst_engine *engine, const rst_entry *entry,
                        bool whole_capture, rst_context *ctx);

/* The most frequent TTL of addr's non-RST packets so far. */
bool rst_engine_usual_ttl(const rst_engine *engine, const rst_addr *addr, uint8_t *ttl);

/* Visit every conversation summary (in no set order) / every RST (in the
 * order observed). */
typedef void (*rst_conv_visitor)(const rst_conv *conv, void *data);
void rst_engine_foreach_conv(const rst_engine *engine, rst_conv_visitor visit, void *data);
void rst_engine_foreach_entry(const rst_engine *engine, rst_entry_visitor visit, void *data);

#endif /* RST_ENGINE_H */
