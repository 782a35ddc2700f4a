/* rst-capture.c
 * One engine per capture point, and the cross-point index, built when a
 * verdict first needs it and rebuilt if packets arrived since (a live
 * capture).  A one-point capture holds one engine and no index: it is
 * diagnosed exactly as before points existed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-capture.h"

#include "rst-decide.h"
#include "rst-vantage.h"

#include <glib.h>
#include <string.h>

typedef struct {
    rst_engine *engine;         /* NULL until a packet is seen here */
    char *name;
    int64_t first_ts, last_ts;
} capture_point;

struct rst_capture {
    const rst_prefs *prefs;
    capture_point points[RST_POINTS_MAX];
    uint32_t npoints;           /* points with packets */
    uint32_t slots;             /* highest such point + 1 */
    uint64_t observed;          /* segments fed so far */
    rst_vantage_index *index;
    uint64_t index_observed;    /* segments fed when the index was built */
    GHashTable *causes;         /* const rst_entry* -> known_cause*, RSTs asked for */
};

/* A whole-capture cause, valid while no further segment has been fed. */
typedef struct {
    uint64_t observed;
    rst_cause cause;
} known_cause;

static uint32_t slot_of(uint32_t point)
{
    return point < RST_POINTS_MAX ? point : RST_POINTS_MAX - 1;
}

rst_capture *rst_capture_new(const rst_prefs *prefs)
{
    rst_capture *cap = g_new0(rst_capture, 1);

    cap->prefs = prefs;
    cap->causes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    return cap;
}

void rst_capture_free(rst_capture *cap)
{
    if (!cap)
        return;
    rst_vantage_index_free(cap->index);
    g_hash_table_destroy(cap->causes);
    for (uint32_t p = 0; p < RST_POINTS_MAX; p++) {
        rst_engine_free(cap->points[p].engine);
        g_free(cap->points[p].name);
    }
    g_free(cap);
}

bool rst_capture_point_named(const rst_capture *cap, uint32_t point)
{
    return cap->points[slot_of(point)].name != NULL;
}

void rst_capture_name_point(rst_capture *cap, uint32_t point, const char *name)
{
    capture_point *cp = &cap->points[slot_of(point)];

    g_free(cp->name);
    cp->name = name && *name ? g_strdup(name) : g_strdup_printf("%u", slot_of(point));
}

rst_observation rst_capture_observe(rst_capture *cap, uint32_t point, const rst_segment *seg)
{
    uint32_t slot = slot_of(point);
    capture_point *cp = &cap->points[slot];

    if (!cp->engine) {
        if (!cp->name)
            rst_capture_name_point(cap, point, NULL);
        cp->engine = rst_engine_new(cap->prefs);
        cp->first_ts = cp->last_ts = seg->ts_ns;
        cap->npoints++;
        cap->slots = MAX(cap->slots, slot + 1);
    }
    cp->first_ts = MIN(cp->first_ts, seg->ts_ns);
    cp->last_ts = MAX(cp->last_ts, seg->ts_ns);
    cap->observed++;
    return rst_engine_observe(cp->engine, seg);
}

static const rst_vantage_index *current_index(rst_capture *cap)
{
    rst_point_view views[RST_POINTS_MAX];

    if (cap->index && cap->index_observed == cap->observed)
        return cap->index;
    rst_vantage_index_free(cap->index);
    for (uint32_t p = 0; p < cap->slots; p++)
        views[p] = (rst_point_view){ cap->points[p].engine, cap->points[p].first_ts,
                                     cap->points[p].last_ts };
    cap->index = rst_vantage_index_build(views, cap->slots);
    cap->index_observed = cap->observed;
    return cap->index;
}

static const char *point_name(const rst_capture *cap, int point)
{
    return point >= 0 ? cap->points[point].name : NULL;
}

void rst_capture_diagnose(rst_capture *cap, uint32_t point, const rst_entry *entry,
                          bool whole_capture, rst_verdict *out)
{
    uint32_t slot = slot_of(point);
    const rst_engine *engine = cap->points[slot].engine;
    rst_crosspoint cross = { 0, RST_SIDE_UNKNOWN, -1, false, 0, false, 0 };
    rst_context ctx;

    rst_engine_context(engine, entry, whole_capture, &ctx);
    if (cap->npoints > 1 && whole_capture) {
        rst_vantage_match(current_index(cap), slot, &entry->facts, &cross);
        ctx.sender_side = cross.side;
    }
    rst_decide(&entry->facts, &ctx, cap->prefs, out);
    if (cap->npoints > 1) {
        out->vantage = point_name(cap, (int)slot);
        out->vantages = cross.vantages;
        out->sender_side = point_name(cap, cross.side_point);
        out->has_side_hops = cross.has_side_hops;
        out->side_hops = cross.side_hops;
        out->has_side_clock = cross.has_side_clock;
        out->side_clock_ns = cross.side_clock_ns;
    }
}

rst_cause rst_capture_cause(rst_capture *cap, uint32_t point, const rst_entry *entry,
                            bool whole_capture)
{
    known_cause *known = whole_capture ? g_hash_table_lookup(cap->causes, entry) : NULL;
    rst_verdict v;

    if (known && known->observed == cap->observed)
        return known->cause;
    rst_capture_diagnose(cap, point, entry, whole_capture, &v);
    if (whole_capture) {
        if (!known) {
            known = g_new(known_cause, 1);
            g_hash_table_insert(cap->causes, (gpointer)entry, known);
        }
        known->observed = cap->observed;
        known->cause = v.cause;
    }
    return v.cause;
}
