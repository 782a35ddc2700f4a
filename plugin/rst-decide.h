/* rst-decide.h
 * The diagnosis rules: a RST's facts (measured once, rst-measure.h) and what
 * is known beyond them (rst_context) in, a verdict out.  A pure function,
 * given again on any pass.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_DECIDE_H
#define RST_DECIDE_H

#include "rst-facts.h"

void rst_decide(const rst_facts *f, const rst_context *ctx, const rst_prefs *prefs,
                rst_verdict *out);

/* Did the RST answer a segment faster than half the sender's handshake
 * round trip (has_rtt: rtt_ns is known; stable: it can be trusted)? */
bool rst_too_early(const rst_facts *f, bool has_rtt, int64_t rtt_ns, bool stable);

#endif /* RST_DECIDE_H */
