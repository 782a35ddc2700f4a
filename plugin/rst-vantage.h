/* rst-vantage.h
 * Comparing capture points.  In a capture merged from several points, each
 * RST is looked for at every other point: the copies of one packet share its
 * 4-tuple, flags, sequence and acknowledgement numbers, IP ID and length, and
 * arrive at times that differ by the points' clock offset (estimated from
 * handshakes seen at both) plus the path delay.  Whether the claimed sender's
 * own side of the path saw the RST leave tells where it was born.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_VANTAGE_H
#define RST_VANTAGE_H

#include "rst-engine.h"

/* What the comparison needs of one capture point. */
typedef struct {
    const rst_engine *engine;   /* NULL: no packet was seen at this point */
    int64_t first_ts, last_ts;  /* its capture span, in its own clock */
} rst_point_view;

/* How one RST copy relates to the other points. */
typedef struct {
    uint32_t vantages;          /* points that saw this RST, this one included */
    rst_sender_side side;
    int      side_point;        /* the claimed sender's side point; -1 unknown */
    bool     has_side_hops;
    int32_t  side_hops;         /* TTL of the copy there minus TTL of this copy */
    bool     has_side_clock;    /* an offset larger than the estimate's error */
    int64_t  side_clock_ns;     /* clock of the side point minus clock of this one */
} rst_crosspoint;

typedef struct rst_vantage_index rst_vantage_index;

/* Index the RSTs and handshakes of every point (the whole capture known). */
rst_vantage_index *rst_vantage_index_build(const rst_point_view *points, uint32_t npoints);
void               rst_vantage_index_free(rst_vantage_index *index);

/* Where else the RST with facts f, seen at point, was seen. */
void rst_vantage_match(const rst_vantage_index *index, uint32_t point, const rst_facts *f,
                       rst_crosspoint *out);

#endif /* RST_VANTAGE_H */
