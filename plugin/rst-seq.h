/* rst-seq.h
 * Wrap-safe arithmetic on 32-bit TCP sequence numbers (RFC 1982 style, like
 * the GT_SEQ/LT_SEQ macros of packet-tcp.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_SEQ_H
#define RST_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* a - b as a signed distance on the sequence circle. */
static inline int32_t rst_seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static inline bool rst_seq_after(uint32_t a, uint32_t b)
{
    return rst_seq_diff(a, b) > 0;
}

static inline uint32_t rst_seq_max(uint32_t a, uint32_t b)
{
    return rst_seq_after(a, b) ? a : b;
}

#endif /* RST_SEQ_H */
