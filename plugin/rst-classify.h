/* rst-classify.h
 * The diagnosis rules: a RST's record and context in, a verdict out.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef RST_CLASSIFY_H
#define RST_CLASSIFY_H

#include "rst-record.h"

void rst_classify(const rst_record *rec, const rst_context *ctx,
                  const rst_prefs *prefs, rst_verdict *out);

#endif /* RST_CLASSIFY_H */
