/* ws-compat.h
 * Every Wireshark version difference rstdiag depends on, in one place.
 * Built with -Werror and tested against 4.0 (Debian bookworm), 4.4 (trixie)
 * and 4.6 (sid): every branch below is compiled by at least one of them.
 * 4.2 has no Debian suite; where a change came with 4.2 the branch follows
 * the upstream headers (epan/proto.h, epan/packet.h of that release).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef WS_COMPAT_H
#define WS_COMPAT_H

#include <ws_version.h>
#include <epan/tvbuff.h>
/* The interface macros below read wtap_rec members, which 4.4's
 * epan/frame_data.h only forward-declares. */
#include <wiretap/wtap.h>

#define RST_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/* 4.4 deprecates the GLib-typed tvb getters (an error with -Werror);
 * 4.0 has only those. */
#if !RST_WS_AT_LEAST(4, 4)
#define tvb_get_uint8(tvb, offset) tvb_get_guint8((tvb), (offset))
#endif

/* 4.2 turned field_info's embedded fvalue into a pointer. */
#if RST_WS_AT_LEAST(4, 2)
#define RST_FI_VALUE(fi) ((fi)->value)
#else
#define RST_FI_VALUE(fi) (&(fi)->value)
#endif

/* 4.4 loader looks up plugin_describe() (optional) from wsutil/plugins.h,
 * which 4.0's libwsutil-dev does not ship. */
#if RST_WS_AT_LEAST(4, 4)
#include <wsutil/plugins.h>
#define RST_HAVE_DESCRIBE 1
#endif

/* The frame's pcapng interface (capture point); 0 when the file has none.
 * 4.2 added the section number to epan_get_interface_name(). */
#define RST_INTERFACE_ID(pinfo) \
    (((pinfo)->rec->presence_flags & WTAP_HAS_INTERFACE_ID) ? \
     (pinfo)->rec->rec_header.packet_header.interface_id : 0)
#if RST_WS_AT_LEAST(4, 2)
#define RST_INTERFACE_NAME(pinfo, id) \
    epan_get_interface_name((pinfo)->epan, (id), (pinfo)->rec->section_number)
#else
#define RST_INTERFACE_NAME(pinfo, id) epan_get_interface_name((pinfo)->epan, (id))
#endif

#endif /* WS_COMPAT_H */
