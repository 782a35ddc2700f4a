/* rst-summary.h
 * The one line a person reads: the verdict and the evidence behind it.  Used
 * for rstdiag.summary and as the expert-info text.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_SUMMARY_H
#define RST_SUMMARY_H

#include <stddef.h>

#include "rst-facts.h"

#define RST_SUMMARY_MAX 512

/* Write the summary of v (for the RST with facts f) into buf; returns buf. */
char *rst_summary(const rst_verdict *v, const rst_facts *f, char *buf, size_t size);

/* Append to a copy's summary that it repeats first_frame (same interface,
 * after a forwarding hop). */
void rst_summary_note_copy(char *summary, size_t size, uint32_t first_frame);

/* summary cut to fit size bytes (NUL included) at the end of a clause, with
 * "…" where it was cut: for texts Wireshark truncates (expert info).
 * Returns buf. */
char *rst_summary_fit(const char *summary, char *buf, size_t size);

#endif /* RST_SUMMARY_H */
