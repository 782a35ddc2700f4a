/* packet-rstdiag-extract.c
 * Reading packet facts the postdissector way: wanted fields and
 * proto_get_finfo_ptr_array().  Tunnels give a frame several IP (and even TCP)
 * layers, so every value is taken from the innermost TCP layer, or from the
 * IP/IPv6 layer closest below it, using each field_info's layer number.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "packet-rstdiag-extract.h"
#include "ws-compat.h"

#include <limits.h>
#include <string.h>

typedef enum {
    F_TCP_FLAGS,                /* first: it defines the TCP layer */
    F_TCP_STREAM,
    F_TCP_SRCPORT,
    F_TCP_DSTPORT,
    F_TCP_SEQ_RAW,
    F_TCP_ACK_RAW,
    F_TCP_LEN,
    F_TCP_WINDOW,
    F_TCP_WINDOW_VALUE,
    F_IP_TTL,
    F_IP_ID,
    F_IP_SRC,
    F_IP_DST,
    F_IPV6_HLIM,
    F_IPV6_SRC,
    F_IPV6_DST,
    F_TCP_RESET_CAUSE,
    F_TCP_PAYLOAD,
    F_COUNT
} field_index;

static const char *const field_names[F_COUNT] = {
    [F_TCP_FLAGS] = "tcp.flags",
    [F_TCP_STREAM] = "tcp.stream",
    [F_TCP_SRCPORT] = "tcp.srcport",
    [F_TCP_DSTPORT] = "tcp.dstport",
    [F_TCP_SEQ_RAW] = "tcp.seq_raw",
    [F_TCP_ACK_RAW] = "tcp.ack_raw",
    [F_TCP_LEN] = "tcp.len",
    [F_TCP_WINDOW] = "tcp.window_size",
    [F_TCP_WINDOW_VALUE] = "tcp.window_size_value",
    [F_IP_TTL] = "ip.ttl",
    [F_IP_ID] = "ip.id",
    [F_IP_SRC] = "ip.src",
    [F_IP_DST] = "ip.dst",
    [F_IPV6_HLIM] = "ipv6.hlim",
    [F_IPV6_SRC] = "ipv6.src",
    [F_IPV6_DST] = "ipv6.dst",
    [F_TCP_RESET_CAUSE] = "tcp.reset_cause",
    [F_TCP_PAYLOAD] = "tcp.payload",
};

static int field_ids[F_COUNT];

void rst_extract_resolve_fields(void)
{
    for (int i = 0; i < F_COUNT; i++)
        field_ids[i] = proto_registrar_get_id_byname(field_names[i]);
}

GArray *rst_extract_wanted_fields(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));

    for (int i = 0; i < F_COUNT; i++)
        if (field_ids[i] > 0)
            g_array_append_val(wanted, field_ids[i]);
    return wanted;
}

/* The occurrence of a field whose layer is the deepest within [lo, hi]. */
static field_info *deepest(proto_tree *tree, field_index f, int lo, int hi)
{
    GPtrArray *found;
    field_info *best = NULL;

    if (field_ids[f] <= 0)
        return NULL;
    found = proto_get_finfo_ptr_array(tree, field_ids[f]);
    if (!found)
        return NULL;
    for (guint i = 0; i < found->len; i++) {
        field_info *fi = g_ptr_array_index(found, i);
        if (fi->total_layer_num >= lo && fi->total_layer_num <= hi &&
            (!best || fi->total_layer_num >= best->total_layer_num))
            best = fi;
    }
    return best;
}

static bool read_uint(proto_tree *tree, field_index f, int lo, int hi, uint32_t *out)
{
    field_info *fi = deepest(tree, f, lo, hi);

    if (!fi)
        return false;
    *out = fvalue_get_uinteger(RST_FI_VALUE(fi));
    return true;
}

/* Addresses are copied from the packet bytes behind the field: this avoids the
 * address getters, whose names and types changed between versions. */
static bool read_addr(proto_tree *tree, field_index f, int layer, uint8_t family, rst_addr *out)
{
    field_info *fi = deepest(tree, f, layer, layer);
    int len = family == 6 ? 16 : 4;

    if (!fi || fi->length != len || !fi->ds_tvb || !tvb_bytes_exist(fi->ds_tvb, fi->start, len))
        return false;
    tvb_memcpy(fi->ds_tvb, out->bytes, fi->start, len);
    out->family = family;
    return true;
}

static bool read_tcp(proto_tree *tree, int layer, rst_segment *seg)
{
    uint32_t flags, sport, dport, win;

    if (!read_uint(tree, F_TCP_FLAGS, layer, INT_MAX, &flags) ||
        !read_uint(tree, F_TCP_STREAM, layer, INT_MAX, &seg->stream) ||
        !read_uint(tree, F_TCP_SRCPORT, layer, INT_MAX, &sport) ||
        !read_uint(tree, F_TCP_DSTPORT, layer, INT_MAX, &dport) ||
        !read_uint(tree, F_TCP_SEQ_RAW, layer, INT_MAX, &seg->seq))
        return false;
    seg->flags = (uint16_t)flags;
    seg->sport = (uint16_t)sport;
    seg->dport = (uint16_t)dport;
    if (!read_uint(tree, F_TCP_ACK_RAW, layer, INT_MAX, &seg->ack))
        seg->ack = 0;
    if (!read_uint(tree, F_TCP_LEN, layer, INT_MAX, &seg->len))
        seg->len = 0;
    if (read_uint(tree, F_TCP_WINDOW_VALUE, layer, INT_MAX, &win))
        seg->window = seg->window_raw = (uint16_t)win;
    if (read_uint(tree, F_TCP_WINDOW, layer, INT_MAX, &win))
        seg->window = win;      /* scaled, once the handshake told the scale */
    return true;
}

/* The IP or IPv6 layer right below the TCP layer. */
static void read_ip(proto_tree *tree, int tcp_layer, rst_segment *seg)
{
    field_info *v4 = deepest(tree, F_IP_TTL, 0, tcp_layer - 1);
    field_info *v6 = deepest(tree, F_IPV6_HLIM, 0, tcp_layer - 1);
    uint32_t ipid;

    if (v6 && (!v4 || v6->total_layer_num > v4->total_layer_num)) {
        seg->ttl = (uint8_t)fvalue_get_uinteger(RST_FI_VALUE(v6));
        seg->has_ttl = true;
        read_addr(tree, F_IPV6_SRC, v6->total_layer_num, 6, &seg->src);
        read_addr(tree, F_IPV6_DST, v6->total_layer_num, 6, &seg->dst);
    } else if (v4) {
        seg->ttl = (uint8_t)fvalue_get_uinteger(RST_FI_VALUE(v4));
        seg->has_ttl = true;
        read_addr(tree, F_IP_SRC, v4->total_layer_num, 4, &seg->src);
        read_addr(tree, F_IP_DST, v4->total_layer_num, 4, &seg->dst);
        if (read_uint(tree, F_IP_ID, v4->total_layer_num, v4->total_layer_num, &ipid)) {
            seg->ipid = (uint16_t)ipid;
            seg->has_ipid = true;
        }
    }
}

/* The first bytes of a RST's payload, where explicit reasons are carried. */
static void read_rst_payload(proto_tree *tree, int layer, rst_segment *seg)
{
    field_info *fi = deepest(tree, F_TCP_RESET_CAUSE, layer, INT_MAX);
    int len;

    if (!fi)
        fi = deepest(tree, F_TCP_PAYLOAD, layer, INT_MAX);
    if (!fi || !fi->ds_tvb || fi->length <= 0)
        return;
    len = MIN(fi->length, RST_PAYLOAD_MAX);
    len = MIN(len, (int)tvb_captured_length_remaining(fi->ds_tvb, fi->start));
    if (len <= 0)
        return;
    tvb_memcpy(fi->ds_tvb, seg->payload, fi->start, len);
    seg->payload_len = (uint16_t)len;
}

static int tcp_layer_of(proto_tree *tree)
{
    field_info *fi = deepest(tree, F_TCP_FLAGS, 0, INT_MAX);

    return fi ? fi->total_layer_num : -1;
}

bool rst_extract_segment(proto_tree *tree, packet_info *pinfo, rst_segment *seg)
{
    int layer;

    /* A TCP header quoted in an ICMP error is not a segment of the capture. */
    if (!tree || proto_is_frame_protocol(pinfo->layers, "icmp") ||
        proto_is_frame_protocol(pinfo->layers, "icmpv6"))
        return false;
    layer = tcp_layer_of(tree);
    if (layer < 0)
        return false;
    memset(seg, 0, sizeof(*seg));
    if (!read_tcp(tree, layer, seg))
        return false;
    read_ip(tree, layer, seg);
    if (seg->flags & RST_TCP_RST)
        read_rst_payload(tree, layer, seg);
    seg->frame = pinfo->num;
    seg->ts_ns = (int64_t)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
    return true;
}
