/* rst-capture.h
 * The diagnosis of one capture file, which may be merged from several capture
 * points (pcapng interfaces).  Each point gets its own engine: the same packet
 * has another TTL, time and history at each point, and mixing the copies
 * would turn every packet into its own retransmission.  Once the whole
 * capture is known, the points are compared (rst-vantage.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_CAPTURE_H
#define RST_CAPTURE_H

#include "rst-engine.h"

/* Points told apart; interface ids beyond share the last one. */
#define RST_POINTS_MAX 64

typedef struct rst_capture rst_capture;

/* prefs must outlive the capture. */
rst_capture *rst_capture_new(const rst_prefs *prefs);
void         rst_capture_free(rst_capture *capture);

/* Points are named by the caller (interface names) the first time they
 * appear; a point without a name is called by its number. */
bool rst_capture_point_named(const rst_capture *capture, uint32_t point);
void rst_capture_name_point(rst_capture *capture, uint32_t point, const char *name);

/* Feed one segment seen at point (first pass, capture order). */
rst_observation rst_capture_observe(rst_capture *capture, uint32_t point,
                                    const rst_segment *seg);

/* Diagnose a RST seen at point (an entry rst_capture_observe gave); with
 * several points and the whole capture known, this includes what the other
 * points saw of it. */
void rst_capture_diagnose(rst_capture *capture, uint32_t point, const rst_entry *entry,
                          bool whole_capture, rst_verdict *out);

/* The cause of a RST seen at point, as rst_capture_diagnose() gives it.  With
 * the whole capture known it is computed once per generation (the segments
 * observed so far) and kept: every segment that follows an injected RST asks
 * for its cause again. */
rst_cause rst_capture_cause(rst_capture *capture, uint32_t point, const rst_entry *entry,
                            bool whole_capture);

#endif /* RST_CAPTURE_H */
