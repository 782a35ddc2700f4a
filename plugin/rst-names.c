/* rst-names.c
 * The field contract's words (README.md, "Fields") for the core's enums.  These
 * strings are public API: display filters and scripts match on them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-names.h"

#define NAME_OR_UNKNOWN(table, index) \
    ((unsigned)(index) < sizeof(table) / sizeof((table)[0]) ? (table)[index] : "unknown")

typedef struct {
    const char *name;           /* contract word */
    const char *title;          /* how the summary starts */
    rst_alarm   alarm;
} cause_info;

static const cause_info causes[RST_CAUSE_COUNT] = {
    [RST_CAUSE_UNKNOWN]              = { "unknown",              "Unexplained RST",       RST_ALARM_NOTE },
    [RST_CAUSE_PORT_CLOSED]          = { "port-closed",          "Port closed",           RST_ALARM_WARNING },
    [RST_CAUSE_FIREWALL_REJECT]      = { "firewall-reject",      "Firewall reject",       RST_ALARM_WARNING },
    [RST_CAUSE_LISTEN_OVERFLOW]      = { "listen-overflow",      "Listen queue overflow", RST_ALARM_WARNING },
    [RST_CAUSE_TIME_WAIT]            = { "time-wait",            "TIME_WAIT reuse",       RST_ALARM_WARNING },
    [RST_CAUSE_BAD_SYN]              = { "bad-syn",              "Malformed SYN refused", RST_ALARM_SECURITY },
    [RST_CAUSE_SYN_SCAN]             = { "syn-scan",             "SYN scan",              RST_ALARM_SECURITY },
    [RST_CAUSE_CONNECT_SCAN]         = { "connect-scan",         "Connect scan",          RST_ALARM_SECURITY },
    [RST_CAUSE_STEALTH_SCAN]         = { "stealth-scan",         "Stealth scan",          RST_ALARM_SECURITY },
    [RST_CAUSE_RETRANSMISSION_LIMIT] = { "retransmission-limit", "Retransmission limit",  RST_ALARM_WARNING },
    [RST_CAUSE_IDLE_TIMEOUT]         = { "idle-timeout",         "Idle timeout",          RST_ALARM_WARNING },
    [RST_CAUSE_INJECTED]             = { "injected",             "Likely injection",      RST_ALARM_SECURITY },
    [RST_CAUSE_DATA_AFTER_CLOSE]     = { "data-after-close",     "Data after close",      RST_ALARM_NOTE },
    [RST_CAUSE_FAST_CLOSE]           = { "fast-close",           "Fast close",            RST_ALARM_NOTE },
    [RST_CAUSE_NO_SOCKET]            = { "no-socket",            "No socket",             RST_ALARM_WARNING },
    [RST_CAUSE_ABORT]                = { "abort",                "Abortive close",        RST_ALARM_NOTE },
};

static const char *const phases[RST_PHASE_COUNT] = {
    "unknown", "handshake", "data", "teardown",
};

static const char *const senders[RST_SENDER_COUNT] = {
    "unknown", "client", "server",
};

static const char *const origins[RST_ORIGIN_COUNT] = {
    "unknown", "endpoint", "middlebox",
};

static const char *const evidence[RST_EV_COUNT] = {
    [RST_EV_ANSWERS_SYN]           = "answers-syn",
    [RST_EV_AFTER_SYNACK]          = "after-synack",
    [RST_EV_AFTER_HANDSHAKE]       = "after-handshake",
    [RST_EV_NO_ACK]                = "no-ack",
    [RST_EV_TTL_MISMATCH]          = "ttl-mismatch",
    [RST_EV_IPID_ZERO]             = "ipid-zero",
    [RST_EV_IPID_MISMATCH]         = "ipid-mismatch",
    [RST_EV_SEQ_EXACT]             = "seq-exact",
    [RST_EV_SEQ_IN_WINDOW]         = "seq-in-window",
    [RST_EV_SEQ_OUT_OF_WINDOW]     = "seq-out-of-window",
    [RST_EV_DATA_AFTER_RST]        = "data-after-rst",
    [RST_EV_RST_BURST]             = "rst-burst",
    [RST_EV_RETRANSMISSIONS]       = "retransmissions",
    [RST_EV_IDLE]                  = "idle",
    [RST_EV_AFTER_FIN]             = "after-fin",
    [RST_EV_REUSED_TUPLE]          = "reused-tuple",
    [RST_EV_BAD_SYN_FLAGS]         = "bad-syn-flags",
    [RST_EV_CHALLENGE_ACK]         = "challenge-ack",
    [RST_EV_REASON_CODE]           = "reason-code",
    [RST_EV_VENDOR_CODE]           = "vendor-code",
    [RST_EV_ABSENT_AT_SENDER_SIDE] = "absent-at-sender-side",
    [RST_EV_SEEN_AT_SENDER_SIDE]   = "seen-at-sender-side",
    [RST_EV_TOO_EARLY]             = "too-early",
    [RST_EV_ANSWERS_INFLIGHT]      = "answers-inflight",
    [RST_EV_SCANNER]               = "scanner",
    [RST_EV_COPY]                  = "copy",
};

const char *rst_phase_name(rst_phase phase)
{
    return NAME_OR_UNKNOWN(phases, phase);
}

const char *rst_cause_name(rst_cause cause)
{
    return (unsigned)cause < RST_CAUSE_COUNT ? causes[cause].name : "unknown";
}

const char *rst_cause_title(rst_cause cause)
{
    return (unsigned)cause < RST_CAUSE_COUNT ? causes[cause].title : causes[0].title;
}

rst_alarm rst_cause_alarm(rst_cause cause)
{
    return (unsigned)cause < RST_CAUSE_COUNT ? causes[cause].alarm : RST_ALARM_NOTE;
}

const char *rst_sender_name(rst_sender sender)
{
    return NAME_OR_UNKNOWN(senders, sender);
}

const char *rst_origin_name(rst_origin origin)
{
    return NAME_OR_UNKNOWN(origins, origin);
}

const char *rst_evidence_name(rst_evidence ev)
{
    return NAME_OR_UNKNOWN(evidence, ev);
}
