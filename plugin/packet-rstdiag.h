/* packet-rstdiag.h
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PACKET_RSTDIAG_H
#define PACKET_RSTDIAG_H

void proto_register_rstdiag(void);
void proto_reg_handoff_rstdiag(void);

#endif /* PACKET_RSTDIAG_H */
