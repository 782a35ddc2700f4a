/* ws-compat.h
 * Every Wireshark version difference rstdiag depends on, in one place.
 * Built and tested here against 4.0; the 4.2/4.4/4.6 branches follow the
 * upstream headers as documented in ../shared/notes/wireshark-plugin-api.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef WS_COMPAT_H
#define WS_COMPAT_H

#include <ws_version.h>

#define RST_WS_AT_LEAST(maj, min) \
    (WIRESHARK_VERSION_MAJOR > (maj) || \
     (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

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

/* Boolean preferences: gboolean* up to 4.2, bool* from 4.4. */
#if RST_WS_AT_LEAST(4, 4)
typedef bool rst_pref_bool;
#else
typedef gboolean rst_pref_bool;
#endif

/* stats_tree menu paths: 4.4 splits on STATS_TREE_MENU_SEPARATOR ("//"),
 * older versions on "/". */
#ifdef STATS_TREE_MENU_SEPARATOR
#define RST_ST_PATH(a, b) a STATS_TREE_MENU_SEPARATOR b
#else
#define RST_ST_PATH(a, b) a "/" b
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
