/* rst-reason.h
 * Explicit reset reasons a RST can carry: the diagnostic payload of
 * draft-ietf-tcpm-rst-diagnostic-payload, Citrix NetScaler's codes in the
 * window field, and vendors' reset-cause text in the payload.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_REASON_H
#define RST_REASON_H

#include <stddef.h>

#include "rst-model.h"

typedef enum {
    RST_REASON_NONE,
    RST_REASON_DIAGNOSTIC,      /* 0x33AA payload: code is its reason code */
    RST_REASON_NETSCALER,       /* window field: code is the NetScaler code */
    RST_REASON_TEXT             /* printable payload text, no code */
} rst_reason_kind;

typedef struct {
    rst_reason_kind kind;
    uint32_t   code;
    uint32_t   pen;             /* diagnostic payload: enterprise number, 0 = IANA */
    rst_cause  cause;           /* the cause the reason states, or RST_CAUSE_UNKNOWN */
    const char *meaning;        /* what the code means, or NULL */
} rst_reason;

/* Decode the explicit reason of a RST, if it carries one. */
void rst_reason_decode(const rst_segment *rst, rst_reason *out);

/* Copy the RST's payload as printable text (for the summary); false if it is
 * not text. */
bool rst_reason_text(const rst_segment *rst, char *buf, size_t size);

#endif /* RST_REASON_H */
