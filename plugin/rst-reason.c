/* rst-reason.c
 * Explicit reset reasons.  An explicit reason beats every heuristic, so the
 * codes are matched exactly and only known ones are believed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-reason.h"

#include <glib.h>
#include <string.h>

#define DIAG_MAGIC 0x33AA

typedef struct {
    uint32_t   code;
    rst_cause  cause;
    const char *meaning;
} code_entry;

/* IANA "TCP Failure Causes" (draft-ietf-tcpm-rst-diagnostic-payload). */
static const code_entry diagnostic_codes[] = {
    { 1,  RST_CAUSE_UNKNOWN,              "illegal option length" },
    { 2,  RST_CAUSE_NO_SOCKET,            "desynchronized state" },
    { 3,  RST_CAUSE_DATA_AFTER_CLOSE,     "new data after CLOSE" },
    { 4,  RST_CAUSE_ABORT,                "ABORT" },
    { 5,  RST_CAUSE_NO_SOCKET,            "unexpected ACK in a non-synchronized state" },
    { 6,  RST_CAUSE_UNKNOWN,              "unexpected SYN in window" },
    { 7,  RST_CAUSE_FIREWALL_REJECT,      "security compartment" },
    { 8,  RST_CAUSE_UNKNOWN,              "malformed message" },
    { 9,  RST_CAUSE_FIREWALL_REJECT,      "not authorized" },
    { 10, RST_CAUSE_LISTEN_OVERFLOW,      "resource exceeded" },
    { 11, RST_CAUSE_RETRANSMISSION_LIMIT, "network failure" },
    { 12, RST_CAUSE_UNKNOWN,              "reset received from the peer" },
    { 13, RST_CAUSE_RETRANSMISSION_LIMIT, "destination unreachable" },
    { 14, RST_CAUSE_IDLE_TIMEOUT,         "connection timeout" },
    { 15, RST_CAUSE_UNKNOWN,              "MPTCP: too much outstanding data" },
    { 16, RST_CAUSE_UNKNOWN,              "MPTCP: unacceptable performance" },
    { 17, RST_CAUSE_UNKNOWN,              "MPTCP: middlebox interference" },
};

/* Citrix NetScaler reset codes in the window field (CTX200852). */
static const code_entry netscaler_codes[] = {
    { 8201, RST_CAUSE_NO_SOCKET,            "stray packet on a closed socket" },
    { 8202, RST_CAUSE_NO_SOCKET,            "no PCB / SYN cookie expired" },
    { 9100, RST_CAUSE_ABORT,                "orphan HTTP connection" },
    { 9300, RST_CAUSE_IDLE_TIMEOUT,         "idle timeout" },
    { 9301, RST_CAUSE_IDLE_TIMEOUT,         "idle timeout" },
    { 9302, RST_CAUSE_IDLE_TIMEOUT,         "zombie timeout" },
    { 9303, RST_CAUSE_IDLE_TIMEOUT,         "zombie timeout" },
    { 9304, RST_CAUSE_RETRANSMISSION_LIMIT, "zero-window probe gave up" },
    { 9700, RST_CAUSE_UNKNOWN,              "forwarded peer RST" },
    { 9701, RST_CAUSE_UNKNOWN,              "forwarded peer RST" },
    { 9814, RST_CAUSE_FIREWALL_REJECT,      "policy RESET action" },
    { 9830, RST_CAUSE_FIREWALL_REJECT,      "ACL deny" },
};

/* Words in vendors' reset-cause text (F5's "Idle timeout", "ACL deny", …). */
static const struct {
    const char *word;
    rst_cause   cause;
} text_causes[] = {
    { "idle timeout", RST_CAUSE_IDLE_TIMEOUT },
    { "deny",         RST_CAUSE_FIREWALL_REJECT },
    { "denied",       RST_CAUSE_FIREWALL_REJECT },
    { "reject",       RST_CAUSE_FIREWALL_REJECT },
};

static const code_entry *find_code(const code_entry *table, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return &table[i];
    return NULL;
}

static void set_from_entry(rst_reason *out, rst_reason_kind kind, uint32_t code,
                           const code_entry *entry)
{
    out->kind = kind;
    out->code = code;
    if (entry) {
        out->cause = entry->cause;
        out->meaning = entry->meaning;
    }
}

static bool decode_diagnostic(const rst_segment *rst, rst_reason *out)
{
    const uint8_t *p = rst->payload;
    uint32_t code;

    /* The draft requires exactly 8 bytes; anything else with the magic is ignored. */
    if (rst->len != 8 || rst->payload_len < 8 || ((p[0] << 8) | p[1]) != DIAG_MAGIC)
        return false;
    code = (uint32_t)((p[2] << 8) | p[3]);
    out->pen = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
    set_from_entry(out, RST_REASON_DIAGNOSTIC, code,
                   out->pen == 0 ? find_code(diagnostic_codes, G_N_ELEMENTS(diagnostic_codes), code)
                                 : NULL);
    return true;
}

static bool decode_netscaler(const rst_segment *rst, rst_reason *out)
{
    const code_entry *entry = find_code(netscaler_codes, G_N_ELEMENTS(netscaler_codes),
                                        rst->window_raw);

    if (!entry)
        return false;
    set_from_entry(out, RST_REASON_NETSCALER, rst->window_raw, entry);
    return true;
}

bool rst_reason_text(const rst_segment *rst, char *buf, size_t size)
{
    size_t n = MIN((size_t)rst->payload_len, size - 1);
    size_t printable = 0;

    if (size == 0 || n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = rst->payload[i];
        if (c == 0 && i > 0)
            break;
        if (c < 0x20 || c > 0x7e)
            return false;
        buf[printable++] = (char)c;
    }
    buf[printable] = '\0';
    return printable >= 4;
}

static bool decode_text(const rst_segment *rst, rst_reason *out)
{
    char text[RST_PAYLOAD_MAX + 1];

    if (!rst_reason_text(rst, text, sizeof(text)))
        return false;
    out->kind = RST_REASON_TEXT;
    for (char *c = text; *c; c++)
        *c = g_ascii_tolower(*c);
    for (size_t i = 0; i < G_N_ELEMENTS(text_causes); i++) {
        if (strstr(text, text_causes[i].word)) {
            out->cause = text_causes[i].cause;
            break;
        }
    }
    return true;
}

void rst_reason_decode(const rst_segment *rst, rst_reason *out)
{
    memset(out, 0, sizeof(*out));
    out->cause = RST_CAUSE_UNKNOWN;
    if (!(rst->flags & RST_TCP_RST))
        return;
    if (!decode_diagnostic(rst, out) && !decode_netscaler(rst, out))
        decode_text(rst, out);
}
