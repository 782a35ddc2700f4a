/* rst-engine.h
 * rstdiag's diagnosis core for one capture file: it is fed every TCP segment
 * once, in capture order, keeps the per-conversation and per-host summaries,
 * and returns a record for each RST that can be diagnosed at any later time.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_ENGINE_H
#define RST_ENGINE_H

#include "rst-record.h"

typedef struct rst_engine rst_engine;

rst_engine *rst_engine_new(void);
void        rst_engine_free(rst_engine *engine);

/* Feed one segment (first pass, capture order).  Returns the record when the
 * segment is a RST; it lives as long as the engine. */
const rst_record *rst_engine_observe(rst_engine *engine, const rst_segment *seg);

/* Diagnose a RST.  whole_capture: every packet has been observed, so totals
 * and baselines include what came after the RST (GUI, tshark -2). */
void rst_engine_diagnose(const rst_engine *engine, const rst_record *rec,
                         bool whole_capture, const rst_prefs *prefs, rst_verdict *out);

#endif /* RST_ENGINE_H */
