/* packet-rstdiag.c
 * rstdiag: a postdissector that tells why each TCP RST happened.
 *
 * This file is the Wireshark glue: registration of the fields, expert info,
 * preferences and tap; feeding the diagnosis core on the first pass; and
 * showing the (re)computed verdict on every pass.  The diagnosis itself is in
 * the epan-free rst-*.c core.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_BUILD_DLL
#define WS_LOG_DOMAIN "rstdiag"
#include <wireshark.h>
#include <epan/epan.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/tap.h>

#include "packet-rstdiag.h"
#include "packet-rstdiag-extract.h"
#include "packet-rstdiag-stats.h"
#include "rst-capture.h"
#include "rst-names.h"
#include "rst-summary.h"
#include "ws-compat.h"

static int proto_rstdiag = -1;

static int hf_phase = -1;
static int hf_cause = -1;
static int hf_sender = -1;
static int hf_origin = -1;
static int hf_summary = -1;
static int hf_evidence = -1;
static int hf_ttl_delta = -1;
static int hf_host_ttl_delta = -1;
static int hf_seq_delta = -1;
static int hf_idle = -1;
static int hf_retransmissions = -1;
static int hf_data_after = -1;
static int hf_rst_count = -1;
static int hf_trigger = -1;
static int hf_vantage = -1;
static int hf_vantages = -1;
static int hf_reason_code = -1;
static int hf_after_injected = -1;

static gint ett_rstdiag = -1;

static expert_field ei_cause[RST_CAUSE_COUNT];
static expert_field ei_after_injected = EI_INIT;

static dissector_handle_t rstdiag_handle;
static int rstdiag_tap = -1;
static int proto_expert_info = -1;     /* "_ws.expert" */
static int expert_tap = 0;              /* "expert"; 0 = none */

static rst_prefs diag_prefs = RST_PREFS_DEFAULT;

/* The diagnosis core for the open capture file (between init and cleanup). */
static rst_capture *capture;

/* Whether the whole file is known when a frame is dissected again.  Reading
 * a file (tshark -2, the GUI opening a file, a reload) dissects every frame
 * once before any frame is dissected again.  A live capture in the GUI
 * interleaves them: rows are drawn and packets selected while new packets
 * still arrive.  Once a new packet follows a repeated dissection, lookahead
 * is never complete for this file; its verdicts stay single-pass ones (and
 * say so) until the file is read again (View > Reload). */
static bool dissected_again;
static bool file_growing;

static bool whole_file_known(packet_info *pinfo)
{
    if (!PINFO_FD_VISITED(pinfo)) {
        file_growing |= dissected_again;
        return false;
    }
    dissected_again = true;
    return !file_growing;
}

/* Expert info's protocol and tap, which epan registers after the handoffs. */
static void resolve_expert_info(void)
{
    proto_expert_info = proto_get_id_by_filter_name("_ws.expert");
    expert_tap = find_tap_id("expert");
}

static void rstdiag_init(void)
{
    resolve_expert_info();
    dissected_again = file_growing = false;
    capture = rst_capture_new(&diag_prefs);
    set_postdissector_wanted_hfids(rstdiag_handle, rst_extract_wanted_fields());
}

static void rstdiag_cleanup(void)
{
    set_postdissector_wanted_hfids(rstdiag_handle, NULL);
    rst_capture_free(capture);
    capture = NULL;
}

/* The capture point of this frame: its pcapng interface, named when first met. */
static uint32_t capture_point(packet_info *pinfo)
{
    uint32_t point = RST_INTERFACE_ID(pinfo);
    const char *name;

    if (!rst_capture_point_named(capture, point)) {
        /* Wireshark says "unknown" for an interface without a name. */
        name = RST_INTERFACE_NAME(pinfo, point);
        rst_capture_name_point(capture, point, g_strcmp0(name, "unknown") ? name : NULL);
    }
    return point;
}

/* Per-frame cache keys. */
enum { KEY_RST, KEY_FOLLOWS, KEY_COPY_OF };

/* First pass: feed the core; what it says of the frame is cached on it. */
static rst_observation observe(proto_tree *tree, packet_info *pinfo)
{
    rst_observation obs = { NULL, NULL, 0 };
    rst_segment seg;

    if (!capture || !rst_extract_segment(tree, pinfo, &seg))
        return obs;
    obs = rst_capture_observe(capture, capture_point(pinfo), &seg);
    if (obs.rst)
        p_add_proto_data(wmem_file_scope(), pinfo, proto_rstdiag, KEY_RST, (void *)obs.rst);
    if (obs.follows)
        p_add_proto_data(wmem_file_scope(), pinfo, proto_rstdiag, KEY_FOLLOWS,
                         (void *)obs.follows);
    if (obs.copy_of)
        p_add_proto_data(wmem_file_scope(), pinfo, proto_rstdiag, KEY_COPY_OF,
                         GUINT_TO_POINTER(obs.copy_of));
    return obs;
}

static rst_observation cached(packet_info *pinfo)
{
    rst_observation obs;

    obs.rst = p_get_proto_data(wmem_file_scope(), pinfo, proto_rstdiag, KEY_RST);
    obs.follows = p_get_proto_data(wmem_file_scope(), pinfo, proto_rstdiag, KEY_FOLLOWS);
    obs.copy_of = GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, proto_rstdiag,
                                                    KEY_COPY_OF));
    return obs;
}

static void add_int(proto_tree *tree, int hf, tvbuff_t *tvb, bool present, int32_t value)
{
    if (present)
        proto_item_set_generated(proto_tree_add_int(tree, hf, tvb, 0, 0, value));
}

static void add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, uint32_t value)
{
    proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, value));
}

static void add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    proto_item_set_generated(proto_tree_add_string(tree, hf, tvb, 0, 0, value));
}

static void add_evidence(proto_tree *tree, tvbuff_t *tvb, rst_evidence_set evidence)
{
    for (int ev = 0; ev < RST_EV_COUNT; ev++)
        if (rst_ev_has(evidence, (rst_evidence)ev))
            add_string(tree, hf_evidence, tvb, rst_evidence_name((rst_evidence)ev));
}

static void add_idle(proto_tree *tree, tvbuff_t *tvb, const rst_verdict *v)
{
    nstime_t idle;

    if (!v->has_idle)
        return;
    idle.secs = (time_t)(v->idle_ns / RST_NS_PER_S);
    idle.nsecs = (int)(v->idle_ns % RST_NS_PER_S);
    proto_item_set_generated(proto_tree_add_time(tree, hf_idle, tvb, 0, 0, &idle));
}

static proto_item *show_verdict(proto_tree *tree, tvbuff_t *tvb, const rst_verdict *v,
                                const char *summary)
{
    proto_item *ti = proto_tree_add_item(tree, proto_rstdiag, tvb, 0, 0, ENC_NA);
    proto_tree *st = proto_item_add_subtree(ti, ett_rstdiag);

    proto_item_set_generated(ti);
    proto_item_append_text(ti, ": %s", rst_cause_name(v->cause));
    add_string(st, hf_phase, tvb, rst_phase_name(v->phase));
    add_string(st, hf_cause, tvb, rst_cause_name(v->cause));
    add_string(st, hf_sender, tvb, rst_sender_name(v->sender));
    add_string(st, hf_origin, tvb, rst_origin_name(v->origin));
    add_string(st, hf_summary, tvb, summary);
    add_evidence(st, tvb, v->evidence);
    add_int(st, hf_ttl_delta, tvb, v->has_ttl_delta, v->ttl_delta);
    add_int(st, hf_host_ttl_delta, tvb, v->has_host_ttl_delta, v->host_ttl_delta);
    add_int(st, hf_seq_delta, tvb, v->has_seq_delta, v->seq_delta);
    add_idle(st, tvb, v);
    add_uint(st, hf_retransmissions, tvb, v->retransmissions);
    if (v->whole_capture)
        add_uint(st, hf_data_after, tvb, v->data_after);
    add_uint(st, hf_rst_count, tvb, v->rst_count);
    if (v->has_trigger)
        add_uint(st, hf_trigger, tvb, v->trigger);
    if (v->has_reason_code)
        add_uint(st, hf_reason_code, tvb, v->reason_code);
    if (v->vantage)
        add_string(st, hf_vantage, tvb, v->vantage);
    if (v->vantages)
        add_uint(st, hf_vantages, tvb, v->vantages);
    return ti;
}

/* A segment from the claimed sender of a RST judged injected: the RST did
 * not end its connection, so point back to it. */
static void note_after_injection(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                 const rst_entry *rst, bool whole_file)
{
    proto_item *ti;

    if (rst_capture_cause(capture, capture_point(pinfo), rst, whole_file) != RST_CAUSE_INJECTED)
        return;
    ti = proto_tree_add_item(tree, proto_rstdiag, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_item_append_text(ti, ": sender still speaks after the injected RST in frame %u",
                           rst->facts.frame);
    add_uint(proto_item_add_subtree(ti, ett_rstdiag), hf_after_injected, tvb, rst->facts.frame);
    expert_add_info_format(pinfo, ti, &ei_after_injected,
        "Segment from the claimed sender after the RST in frame %u, which was judged injected",
        rst->facts.frame);
}

/* What this dissection needs of a RST, so that nothing nobody reads is built.
 * A filter that prints nothing (tshark -Y 'rstdiag.cause == "injected"' -w,
 * the GUI colouring its packet list) needs the verdict but no sentence; the
 * first pass of tshark -2 (no field primed yet) needs nothing at all.  A
 * visible tree needs everything: tshark makes it so for -T fields too. */
typedef struct {
    bool items;                 /* some rstdiag field is shown, filtered or printed */
    bool expert;                /* expert info is shown, filtered, tapped or in a column */
    bool summary;               /* the sentence: its field, or the expert message */
    bool tap;                   /* the rstdiag tap has a listener (statistics) */
} wanted_output;

static wanted_output wanted(proto_tree *tree, packet_info *pinfo)
{
    wanted_output w;

    w.items = proto_field_is_referenced(tree, proto_rstdiag);
    w.expert = (tree && PTREE_DATA(tree)->visible) || pinfo->cinfo ||
               (proto_expert_info > 0 && proto_field_is_referenced(tree, proto_expert_info)) ||
               (expert_tap > 0 && have_tap_listener(expert_tap));
    w.summary = w.expert || proto_field_is_referenced(tree, hf_summary);
    w.tap = have_tap_listener(rstdiag_tap);
    return w;
}

static void show_rst(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                     const rst_observation *obs, const wanted_output *w, bool whole_file)
{
    rst_verdict *v;
    char summary[RST_SUMMARY_MAX] = "";
    char expert_text[ITEM_LABEL_LENGTH];    /* what an expert message holds */
    proto_item *ti;

    v = wmem_new(pinfo->pool, rst_verdict);
    rst_capture_diagnose(capture, capture_point(pinfo), obs->rst, whole_file, v);
    if (w->summary)
        rst_summary(v, &obs->rst->facts, summary, sizeof(summary));
    if (obs->copy_of) {
        /* The same packet seen again after a forwarding hop: its verdict. */
        rst_ev_add(&v->evidence, RST_EV_COPY);
        if (w->summary)
            rst_summary_note_copy(summary, sizeof(summary), obs->copy_of);
    }
    if (w->items || w->expert) {
        ti = show_verdict(tree, tvb, v, summary);
        if (w->expert)
            expert_add_info_format(pinfo, ti, &ei_cause[v->cause], "%s",
                                   rst_summary_fit(summary, expert_text, sizeof(expert_text)));
    }
    if (w->tap && !obs->copy_of)
        tap_queue_packet(rstdiag_tap, pinfo, v);     /* one packet, counted once */
}

static int dissect_rstdiag(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    bool whole_file = whole_file_known(pinfo);
    rst_observation obs = PINFO_FD_VISITED(pinfo) ? cached(pinfo) : observe(tree, pinfo);
    wanted_output w;

    if (!capture || (!obs.rst && !obs.follows))
        return 0;
    w = wanted(tree, pinfo);
    if (obs.follows && (w.items || w.expert))
        note_after_injection(tvb, pinfo, tree, obs.follows, whole_file);
    if (obs.rst && (w.items || w.expert || w.tap))
        show_rst(tvb, pinfo, tree, &obs, &w, whole_file);
    return tvb_captured_length(tvb);
}

static void register_expert_info(void)
{
    static ei_register_info ei[RST_CAUSE_COUNT];
    static char names[RST_CAUSE_COUNT][48];
    static const int group[] = { PI_SECURITY, PI_SEQUENCE, PI_SEQUENCE };
    static const int severity[] = { PI_WARN, PI_WARN, PI_NOTE };
    expert_module_t *module = expert_register_protocol(proto_rstdiag);

    /* One entry per cause, so the Expert Information dialog groups by cause. */
    for (int c = 0; c < RST_CAUSE_COUNT; c++) {
        rst_alarm alarm = rst_cause_alarm((rst_cause)c);
        ei_register_info entry = {
            &ei_cause[c],
            { names[c],
              group[alarm], severity[alarm], rst_cause_title((rst_cause)c), EXPFILL }
        };
        snprintf(names[c], sizeof(names[c]), "rstdiag.expert.%s", rst_cause_name((rst_cause)c));
        ei_cause[c] = (expert_field)EI_INIT;
        ei[c] = entry;
    }
    expert_register_field_array(module, ei, array_length(ei));
    {
        static ei_register_info follow_up[] = {
            { &ei_after_injected, { "rstdiag.expert.after_injected", PI_SECURITY, PI_NOTE,
              "Segment from the claimed sender after an injected RST", EXPFILL } },
        };
        expert_register_field_array(module, follow_up, array_length(follow_up));
    }
}

/* Every threshold of the diagnosis, documented for -G defaultprefs. */
static void register_preferences(void)
{
    static const struct {
        const char *name, *title, *description;
        guint *value;
    } thresholds[] = {
        { "idle_threshold", "Idle threshold (seconds)",
          "A RST after a gap of at least this many seconds in its conversation "
          "counts as an idle timeout", &diag_prefs.idle_threshold_s },
        { "ttl_tolerance", "TTL tolerance (hops)",
          "A RST whose TTL/hop limit differs from its claimed sender's own packets by "
          "more than this many hops is taken to come from another device",
          &diag_prefs.ttl_tolerance },
        { "time_wait", "TIME_WAIT window (seconds)",
          "A SYN reusing the 4-tuple of a connection closed with FINs at most this many "
          "seconds before is refused because of TIME_WAIT (Linux keeps 60 s, Windows up "
          "to 240 s)", &diag_prefs.time_wait_s },
        { "retrans_limit", "Retransmission limit",
          "A RST after at least this many retransmissions of unacknowledged data by its "
          "sender is a retransmission-limit reset (Windows gives up after 5)",
          &diag_prefs.retrans_limit },
        { "keepalive_probes", "Unanswered keep-alives",
          "A RST after at least this many unanswered keep-alive probes by its sender "
          "is an idle timeout (0 = never)", &diag_prefs.keepalive_probes },
        { "burst_window", "RST burst window (ms)",
          "RSTs of one claimed sender this close together, with differing sequence "
          "numbers, TTLs or windows, form a burst (a sign of injection)",
          &diag_prefs.burst_window_ms },
    };
    module_t *module = prefs_register_protocol(proto_rstdiag, NULL);

    for (size_t i = 0; i < array_length(thresholds); i++)
        prefs_register_uint_preference(module, thresholds[i].name, thresholds[i].title,
                                       thresholds[i].description, 10, thresholds[i].value);
}

void proto_register_rstdiag(void)
{
    static hf_register_info hf[] = {
        { &hf_phase, { "Phase", "rstdiag.phase", FT_STRING, BASE_NONE, NULL, 0x0,
          "Where in the connection the RST came: handshake, data, teardown, unknown", HFILL } },
        { &hf_cause, { "Cause", "rstdiag.cause", FT_STRING, BASE_NONE, NULL, 0x0,
          "Why the RST was sent", HFILL } },
        { &hf_sender, { "Sender", "rstdiag.sender", FT_STRING, BASE_NONE, NULL, 0x0,
          "Claimed sender: client (sent the first SYN), server, unknown", HFILL } },
        { &hf_origin, { "Origin", "rstdiag.origin", FT_STRING, BASE_NONE, NULL, 0x0,
          "Who really sent it: endpoint, middlebox, unknown", HFILL } },
        { &hf_summary, { "Summary", "rstdiag.summary", FT_STRING, BASE_NONE, NULL, 0x0,
          "The verdict and its evidence in one line", HFILL } },
        { &hf_evidence, { "Evidence", "rstdiag.evidence", FT_STRING, BASE_NONE, NULL, 0x0,
          "A piece of evidence behind the verdict", HFILL } },
        { &hf_ttl_delta, { "TTL delta", "rstdiag.ttl_delta", FT_INT32, BASE_DEC, NULL, 0x0,
          "TTL/hop limit minus that of the claimed sender's latest earlier packet "
          "in this conversation", HFILL } },
        { &hf_host_ttl_delta, { "Host TTL delta", "rstdiag.host_ttl_delta", FT_INT32, BASE_DEC,
          NULL, 0x0, "TTL/hop limit minus the claimed sender's usual TTL in the capture", HFILL } },
        { &hf_seq_delta, { "Sequence delta", "rstdiag.seq_delta", FT_INT32, BASE_DEC, NULL, 0x0,
          "Sequence number minus the next one expected from its sender", HFILL } },
        { &hf_idle, { "Idle time", "rstdiag.idle", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
          "Time since the previous packet of the conversation", HFILL } },
        { &hf_retransmissions, { "Retransmissions", "rstdiag.retransmissions", FT_UINT32,
          BASE_DEC, NULL, 0x0, "Retransmissions by the RST's sender just before it", HFILL } },
        { &hf_data_after, { "Data after", "rstdiag.data_after", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Segments with payload or FIN the claimed sender sent after the RST "
          "(only when the whole capture is known: GUI, tshark -2)", HFILL } },
        { &hf_rst_count, { "RST count", "rstdiag.rst_count", FT_UINT32, BASE_DEC, NULL, 0x0,
          "RST segments in this conversation (so far, in a single pass)", HFILL } },
        { &hf_trigger, { "Trigger", "rstdiag.trigger", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
          "The packet the RST answers: the latest earlier packet from the other side", HFILL } },
        { &hf_vantage, { "Vantage point", "rstdiag.vantage", FT_STRING, BASE_NONE, NULL, 0x0,
          "Capture point where this copy was seen (multi-point captures)", HFILL } },
        { &hf_vantages, { "Vantage points", "rstdiag.vantages", FT_UINT32, BASE_DEC, NULL, 0x0,
          "How many capture points saw this RST (multi-point captures)", HFILL } },
        { &hf_reason_code, { "Reason code", "rstdiag.reason_code", FT_UINT32, BASE_DEC, NULL,
          0x0, "Explicit reset reason carried by the RST (diagnostic payload or vendor code)",
          HFILL } },
        { &hf_after_injected, { "After injected RST", "rstdiag.after_injected", FT_FRAMENUM,
          BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0,
          "This segment comes from the claimed sender of an injected RST, after it", HFILL } },
    };
    static gint *ett[] = { &ett_rstdiag };

    proto_rstdiag = proto_register_protocol("TCP RST Diagnosis", "RSTDIAG", "rstdiag");
    proto_register_field_array(proto_rstdiag, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    register_expert_info();
    register_preferences();

    rstdiag_handle = create_dissector_handle(dissect_rstdiag, proto_rstdiag);
    register_init_routine(rstdiag_init);
    register_cleanup_routine(rstdiag_cleanup);
    rstdiag_tap = register_tap("rstdiag");
    rstdiag_register_stats_tree();
}

void proto_reg_handoff_rstdiag(void)
{
    rst_extract_resolve_fields();
    register_postdissector(rstdiag_handle);
}
