/* packet-rstdiag-stats.c
 * The statistics tree: RSTs counted by phase and cause, by claimed sender and
 * by origin, and, in a capture merged from several points, by capture point.  It listens on rstdiag's own tap, which carries each RST's
 * verdict on every pass (single pass, tshark -2, GUI).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/stats_tree.h>

#include "packet-rstdiag-stats.h"
#include "rst-names.h"
#include "ws-compat.h"

static const char st_by_cause[] = "RSTs by phase and cause";
static const char st_by_sender[] = "RSTs by claimed sender";
static const char st_by_origin[] = "RSTs by origin";
static const char st_by_point[] = "RSTs by capture point";

static int st_node_by_cause = -1;
static int st_node_by_sender = -1;
static int st_node_by_origin = -1;
static int st_node_by_point = -1;

static void rstdiag_stats_tree_init(stats_tree *st)
{
    st_node_by_cause = stats_tree_create_node(st, st_by_cause, 0, STAT_DT_INT, TRUE);
    st_node_by_sender = stats_tree_create_node(st, st_by_sender, 0, STAT_DT_INT, TRUE);
    st_node_by_origin = stats_tree_create_node(st, st_by_origin, 0, STAT_DT_INT, TRUE);
    st_node_by_point = -1;      /* created by the first RST that has a point */
}

static tap_packet_status rstdiag_stats_tree_packet(stats_tree *st, packet_info *pinfo _U_,
                                                   epan_dissect_t *edt _U_, const void *data,
                                                   tap_flags_t flags _U_)
{
    const rst_verdict *v = data;
    int phase;

    tick_stat_node(st, st_by_cause, 0, TRUE);
    phase = tick_stat_node(st, rst_phase_name(v->phase), st_node_by_cause, TRUE);
    tick_stat_node(st, rst_cause_name(v->cause), phase, FALSE);
    tick_stat_node(st, st_by_sender, 0, TRUE);
    tick_stat_node(st, rst_sender_name(v->sender), st_node_by_sender, FALSE);
    tick_stat_node(st, st_by_origin, 0, TRUE);
    tick_stat_node(st, rst_origin_name(v->origin), st_node_by_origin, FALSE);
    if (v->vantage) {
        int point;
        if (st_node_by_point < 0)
            st_node_by_point = stats_tree_create_node(st, st_by_point, 0, STAT_DT_INT, TRUE);
        tick_stat_node(st, st_by_point, 0, TRUE);
        point = tick_stat_node(st, v->vantage, st_node_by_point, TRUE);
        tick_stat_node(st, rst_cause_name(v->cause), point, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

void rstdiag_register_stats_tree(void)
{
    stats_tree_register_plugin("rstdiag", "rstdiag", "TCP RST Diagnosis", 0,
                               rstdiag_stats_tree_packet, rstdiag_stats_tree_init, NULL);
}
