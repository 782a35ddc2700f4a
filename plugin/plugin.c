/* plugin.c
 * The symbols Wireshark's plugin loader looks up, and nothing else.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/proto.h>

#include "packet-rstdiag.h"
#include "ws-compat.h"

WS_DLL_PUBLIC_DEF const char plugin_version[] = RSTDIAG_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_rstdiag;
    plug.register_handoff = proto_reg_handoff_rstdiag;
    proto_register_plugin(&plug);
}

#ifdef RST_HAVE_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
