/* packet-rstdiag-extract.h
 * Reading one TCP segment's facts out of the dissection tree (epan glue).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PACKET_RSTDIAG_EXTRACT_H
#define PACKET_RSTDIAG_EXTRACT_H

#include <epan/packet.h>

#include "rst-model.h"

/* Resolve the fields rstdiag reads (in handoff, once all are registered). */
void rst_extract_resolve_fields(void);

/* A new array of those field ids, for set_postdissector_wanted_hfids(). */
GArray *rst_extract_wanted_fields(void);

/* Fill seg from the innermost TCP layer of the frame and the IP layer right
 * below it.  False when the frame has no usable TCP segment: none, a header
 * truncated before its flags, or only a header quoted inside an ICMP error. */
bool rst_extract_segment(proto_tree *tree, packet_info *pinfo, rst_segment *seg);

#endif /* PACKET_RSTDIAG_EXTRACT_H */
