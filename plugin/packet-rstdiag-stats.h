/* packet-rstdiag-stats.h
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PACKET_RSTDIAG_STATS_H
#define PACKET_RSTDIAG_STATS_H

/* Register the "rstdiag" statistics tree on the "rstdiag" tap
 * (tshark -z rstdiag,tree; Statistics › TCP RST Diagnosis). */
void rstdiag_register_stats_tree(void);

#endif /* PACKET_RSTDIAG_STATS_H */
