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

/* Header layouts: offsets in bytes from the header's start.  An anchor
 * field's own offset says how far behind its bytes the header starts. */

/* Both IP versions: the version is the first byte's high 4 bits (and rst_addr's family). */
#define IP_VERSION_OFFSET       0
#define IP_VERSION_SHIFT        4
#define IPV4_VERSION            4
#define IPV6_VERSION            6

/* IPv4 header, RFC 791 section 3.1. */
#define IPV4_MIN_HDR_LEN        20      /* without options */
#define IPV4_ID_OFFSET          4
#define IPV4_TTL_OFFSET         8       /* ip.ttl, the anchor */
#define IPV4_SRC_OFFSET         12
#define IPV4_DST_OFFSET         16
#define IPV4_ADDR_LEN           4

/* IPv6 fixed header, RFC 8200 section 3. */
#define IPV6_HDR_LEN            40
#define IPV6_HLIM_OFFSET        7       /* ipv6.hlim, the anchor */
#define IPV6_SRC_OFFSET         8
#define IPV6_DST_OFFSET         24
#define IPV6_ADDR_LEN           16

/* TCP header, RFC 9293 section 3.1. */
#define TCP_MIN_HDR_LEN         20      /* without options */
#define TCP_SRC_PORT_OFFSET     0
#define TCP_DST_PORT_OFFSET     2
#define TCP_SEQ_OFFSET          4
#define TCP_ACK_OFFSET          8
#define TCP_FLAGS_OFFSET        12      /* tcp.flags, the anchor: a 16-bit word */
#define TCP_FLAGS_MASK          0x0FFF  /* its reserved and control bits, all tcp.flags covers */
#define TCP_HDR_LEN_OFFSET      12      /* Data Offset: that word's high 4 bits, */
#define TCP_HDR_LEN_SHIFT       4
#define TCP_HDR_LEN_UNIT        4       /* counting the header in 32-bit words */
#define TCP_WINDOW_OFFSET       14

typedef enum {
    F_TCP_FLAGS,                /* the TCP header: defines the TCP layer */
    F_TCP_STREAM,
    F_TCP_LEN,
    F_TCP_WINDOW,               /* scaled by the TCP dissector */
    F_IP_TTL,                   /* the IPv4 header */
    F_IPV6_HLIM,                /* the IPv6 header */
    F_COUNT
} field_index;

/* Only what the TCP dissector computes, and one anchor per header: every
 * field wanted here is built for every packet, so the rest is read from the
 * header bytes behind the anchors (and checked against them). */
static const char *const field_names[F_COUNT] = {
    [F_TCP_FLAGS] = "tcp.flags",
    [F_TCP_STREAM] = "tcp.stream",
    [F_TCP_LEN] = "tcp.len",
    [F_TCP_WINDOW] = "tcp.window_size",
    [F_IP_TTL] = "ip.ttl",
    [F_IPV6_HLIM] = "ipv6.hlim",
};

static int field_ids[F_COUNT];
static int proto_icmp_id = -1;
static int proto_icmpv6_id = -1;

void rst_extract_resolve_fields(void)
{
    for (int i = 0; i < F_COUNT; i++)
        field_ids[i] = proto_registrar_get_id_byname(field_names[i]);
    proto_icmp_id = proto_get_id_by_filter_name("icmp");
    proto_icmpv6_id = proto_get_id_by_filter_name("icmpv6");
}

/* Does the frame carry an ICMP or ICMPv6 error?  (The layers list holds
 * protocol ids: comparing ids spares proto_is_frame_protocol()'s string
 * comparisons on every packet.) */
static bool carries_icmp(const packet_info *pinfo)
{
    for (wmem_list_frame_t *l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l)) {
        int proto = GPOINTER_TO_INT(wmem_list_frame_data(l));
        if (proto == proto_icmp_id || proto == proto_icmpv6_id)
            return true;
    }
    return false;
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

/* A header that starts `offset` bytes before a field's bytes and is at
 * least `len` bytes long, if all of it was captured. */
typedef struct {
    tvbuff_t *tvb;
    int start;
} header;

static bool header_behind(const field_info *fi, int offset, int len, header *h)
{
    if (!fi || !fi->ds_tvb || fi->start < offset ||
        !tvb_bytes_exist(fi->ds_tvb, fi->start - offset, len))
        return false;
    h->tvb = fi->ds_tvb;
    h->start = fi->start - offset;
    return true;
}

/* The TCP header behind tcp.flags (bytes 12-13): ports, raw sequence and
 * acknowledgement numbers, window field, and where the payload starts. */
static bool read_tcp(proto_tree *tree, field_info *flags_fi, int layer, rst_segment *seg,
                     int *payload_start)
{
    header h;
    uint32_t win;

    if (!header_behind(flags_fi, TCP_FLAGS_OFFSET, TCP_MIN_HDR_LEN, &h))
        return false;
    seg->flags = (uint16_t)fvalue_get_uinteger(RST_FI_VALUE(flags_fi));
    if ((tvb_get_ntohs(h.tvb, h.start + TCP_FLAGS_OFFSET) & TCP_FLAGS_MASK) != seg->flags)
        return false;           /* not the header we think: no verdict */
    if (!read_uint(tree, F_TCP_STREAM, layer, INT_MAX, &seg->stream))
        return false;
    seg->sport = tvb_get_ntohs(h.tvb, h.start + TCP_SRC_PORT_OFFSET);
    seg->dport = tvb_get_ntohs(h.tvb, h.start + TCP_DST_PORT_OFFSET);
    seg->seq = tvb_get_ntohl(h.tvb, h.start + TCP_SEQ_OFFSET);
    seg->ack = tvb_get_ntohl(h.tvb, h.start + TCP_ACK_OFFSET);
    seg->window = seg->window_raw = tvb_get_ntohs(h.tvb, h.start + TCP_WINDOW_OFFSET);
    if (read_uint(tree, F_TCP_WINDOW, layer, INT_MAX, &win))
        seg->window = win;      /* scaled, once the handshake told the scale */
    if (!read_uint(tree, F_TCP_LEN, layer, INT_MAX, &seg->len))
        seg->len = 0;
    seg->hdr_len = (uint8_t)((tvb_get_uint8(h.tvb, h.start + TCP_HDR_LEN_OFFSET) >>
                              TCP_HDR_LEN_SHIFT) * TCP_HDR_LEN_UNIT);
    *payload_start = h.start + seg->hdr_len;
    return true;
}

static void copy_addr(const header *h, int offset, uint8_t family, rst_addr *out)
{
    out->family = family;
    tvb_memcpy(h->tvb, out->bytes, h->start + offset,
               family == IPV6_VERSION ? IPV6_ADDR_LEN : IPV4_ADDR_LEN);
}

/* The IP or IPv6 header right below the TCP layer, behind its TTL/hop limit. */
static void read_ip(proto_tree *tree, int tcp_layer, rst_segment *seg)
{
    field_info *v4 = deepest(tree, F_IP_TTL, 0, tcp_layer - 1);
    field_info *v6 = deepest(tree, F_IPV6_HLIM, 0, tcp_layer - 1);
    header h;

    if (v6 && (!v4 || v6->total_layer_num > v4->total_layer_num)) {
        if (!header_behind(v6, IPV6_HLIM_OFFSET, IPV6_HDR_LEN, &h) ||
            (tvb_get_uint8(h.tvb, h.start + IP_VERSION_OFFSET) >> IP_VERSION_SHIFT) != IPV6_VERSION)
            return;
        seg->ttl = tvb_get_uint8(h.tvb, h.start + IPV6_HLIM_OFFSET);
        seg->has_ttl = true;
        copy_addr(&h, IPV6_SRC_OFFSET, IPV6_VERSION, &seg->src);
        copy_addr(&h, IPV6_DST_OFFSET, IPV6_VERSION, &seg->dst);
    } else if (v4) {
        if (!header_behind(v4, IPV4_TTL_OFFSET, IPV4_MIN_HDR_LEN, &h) ||
            (tvb_get_uint8(h.tvb, h.start + IP_VERSION_OFFSET) >> IP_VERSION_SHIFT) != IPV4_VERSION)
            return;
        seg->ttl = tvb_get_uint8(h.tvb, h.start + IPV4_TTL_OFFSET);
        seg->has_ttl = true;
        seg->ipid = tvb_get_ntohs(h.tvb, h.start + IPV4_ID_OFFSET);
        seg->has_ipid = true;
        copy_addr(&h, IPV4_SRC_OFFSET, IPV4_VERSION, &seg->src);
        copy_addr(&h, IPV4_DST_OFFSET, IPV4_VERSION, &seg->dst);
    }
}

/* The first bytes of a RST's payload, where explicit reasons are carried. */
static void read_rst_payload(const field_info *flags_fi, int payload_start, rst_segment *seg)
{
    int len = MIN((int)MIN(seg->len, (uint32_t)RST_PAYLOAD_MAX),
                  tvb_captured_length_remaining(flags_fi->ds_tvb, payload_start));

    if (len <= 0)
        return;
    tvb_memcpy(flags_fi->ds_tvb, seg->payload, payload_start, len);
    seg->payload_len = (uint16_t)len;
}

bool rst_extract_segment(proto_tree *tree, packet_info *pinfo, rst_segment *seg)
{
    field_info *flags_fi;
    int payload_start;

    /* A TCP header quoted in an ICMP error is not a segment of the capture. */
    if (!tree || carries_icmp(pinfo))
        return false;
    flags_fi = deepest(tree, F_TCP_FLAGS, 0, INT_MAX);
    if (!flags_fi)
        return false;
    memset(seg, 0, sizeof(*seg));
    if (!read_tcp(tree, flags_fi, flags_fi->total_layer_num, seg, &payload_start))
        return false;
    read_ip(tree, flags_fi->total_layer_num, seg);
    if (seg->flags & RST_TCP_RST)
        read_rst_payload(flags_fi, payload_start, seg);
    seg->frame = pinfo->num;
    seg->ts_ns = (int64_t)pinfo->abs_ts.secs * RST_NS_PER_S + pinfo->abs_ts.nsecs;
    return true;
}
