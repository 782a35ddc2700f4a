/* rst-names.h
 * The contract's words for the core's enums, and how loud each cause is.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_NAMES_H
#define RST_NAMES_H

#include "rst-model.h"

/* How an analyst should weigh a cause: the glue maps this to expert severity. */
typedef enum {
    RST_ALARM_SECURITY,         /* scans, injection, malformed SYNs */
    RST_ALARM_WARNING,          /* refusals, overflow, TIME_WAIT, lost state, timeouts */
    RST_ALARM_NOTE              /* ordinary aborts and closes */
} rst_alarm;

const char *rst_phase_name(rst_phase phase);
const char *rst_cause_name(rst_cause cause);
const char *rst_cause_title(rst_cause cause);
const char *rst_sender_name(rst_sender sender);
const char *rst_origin_name(rst_origin origin);
const char *rst_evidence_name(rst_evidence ev);
rst_alarm   rst_cause_alarm(rst_cause cause);

#endif /* RST_NAMES_H */
