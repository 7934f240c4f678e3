/*++
/* NAME
/*	t_smtpd_proto 1
/* SUMMARY
/*	xcrypt-smtpd stream tracking, in-process
/* SYNOPSIS
/*	t_smtpd_proto
/* DESCRIPTION
/*	Drives the front end's protocol engine (tests/drive) without
/*	sockets: a table of client and smtpd octet sequences, each with
/*	the exact octets that smtpd and the client must receive. Each
/*	case but the pre-greeting ones starts after the greeting and an
/*	EHLO. A command that the engine answers itself ("XCRYPT OK"
/*	outside a handshake: 503) shows whether a line was taken as a
/*	command or as content. Then: long lines, the trace header of a
/*	BDAT message, a whole handshake with octets injected at the
/*	switch, the handshake limit and the key cache (Z stored only
/*	after XCRYPT OK).
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* checks: 37 */

#include <sys_defs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msg.h>
#include <msg_vstream.h>
#include <stringops.h>
#include <vstring.h>

#include "xsd_drive.h"
#include "t_check.h"

#define STR(x)	vstring_str(x)
#define LEN(x)	VSTRING_LEN(x)

#define SEQ	"503 5.5.1 Bad sequence of commands\r\n"
#define TX	"MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\n"

 /*
  * Modes of smtpd_forbid_bare_newline, and session set-up.
  */
#define NO	0
#define NORM	1
#define REJ	2
#define EXCL	3			/* normalize, client excluded */
#define F_PREGREET	(1<<4)		/* no greeting/EHLO first */
#define F_XCRYPT	(1<<5)		/* XCRYPT on (without crypto) */

typedef struct CASE {
    const char *name;
    int     mode;			/* NO..EXCL | F_* */
    const char *steps[10];		/* 'c' or 's', then the octets */
    const char *smtpd;			/* what smtpd must receive */
    const char *client;			/* what the client must receive */
} CASE;

static const CASE cases[] = {
    {"data_end_split_over_reads", NO,
	{"c" TX "DATA\r\n", "s250 a\r\n250 b\r\n354 c\r\n",
	    "chello\r\nXCRYPT OK\r\n.", "c\r", "c\n", "s250 q\r\n",
	"cXCRYPT OK\r\n"},
	TX "DATA\r\nhello\r\nXCRYPT OK\r\n.\r\n",
    "250 a\r\n250 b\r\n354 c\r\n250 q\r\n" SEQ},
    {"bare_lf_no_ends_data_at_lf_dot_lf", NO,
	{"c" TX "DATA\r\n", "s250 a\r\n250 b\r\n354 c\r\n",
	"cx\n.\nXCRYPT OK\r\n", "s250 q\r\n"},
	TX "DATA\r\nx\n.\n",
    "250 a\r\n250 b\r\n354 c\r\n250 q\r\n" SEQ},
    {"bare_lf_normalize_ends_data_at_crlf_dot_crlf_only", NORM,
	{"c" TX "DATA\r\n", "s250 a\r\n250 b\r\n354 c\r\n",
	"cx\n.\nXCRYPT OK\r\n.\r\n", "s250 q\r\n"},
	TX "DATA\r\nx\n.\nXCRYPT OK\r\n.\r\n",
    "250 a\r\n250 b\r\n354 c\r\n250 q\r\n"},
    {"bare_lf_reject_ends_data_at_crlf_dot_crlf_only", REJ,
	{"c" TX "DATA\r\n", "s250 a\r\n250 b\r\n354 c\r\n",
	"cx\n.\nXCRYPT OK\r\n.\r\n", "s550 bare\r\n"},
	TX "DATA\r\nx\n.\nXCRYPT OK\r\n.\r\n",
    "250 a\r\n250 b\r\n354 c\r\n550 bare\r\n"},
    {"bare_lf_normalize_excluded_client_as_no", EXCL,
	{"c" TX "DATA\r\n", "s250 a\r\n250 b\r\n354 c\r\n",
	"cx\n.\nXCRYPT OK\r\n", "s250 q\r\n"},
	TX "DATA\r\nx\n.\n",
    "250 a\r\n250 b\r\n354 c\r\n250 q\r\n" SEQ},
    {"bare_lf_normalize_dot_after_bare_lf_line_not_end", NORM,
	{"c" TX "DATA\r\n", "s250 a\r\n250 b\r\n354 c\r\n",
	"ca\n.\r\nXCRYPT OK\r\n.\r\n", "s250 q\r\n"},
	TX "DATA\r\na\n.\r\nXCRYPT OK\r\n.\r\n",
    "250 a\r\n250 b\r\n354 c\r\n250 q\r\n"},
    {"bare_lf_normalize_dot_cr_cr_lf_not_end", NORM,
	{"c" TX "DATA\r\n", "s250 a\r\n250 b\r\n354 c\r\n",
	"cx\r\n.\r\r\nXCRYPT OK\r\n.\r\n", "s250 q\r\n"},
	TX "DATA\r\nx\r\n.\r\r\nXCRYPT OK\r\n.\r\n",
    "250 a\r\n250 b\r\n354 c\r\n250 q\r\n"},
    {"bare_lf_no_dot_cr_cr_lf_is_end", NO,
	{"c" TX "DATA\r\n", "s250 a\r\n250 b\r\n354 c\r\n",
	"cx\r\n.\r\r\n", "s250 q\r\n", "cXCRYPT OK\r\n"},
	TX "DATA\r\nx\r\n.\r\r\n",
    "250 a\r\n250 b\r\n354 c\r\n250 q\r\n" SEQ},
    {"bare_lf_reject_bare_lf_command_not_ours", REJ,
	{"cXCRYPT OK\n"},
	"XCRYPT OK\n", ""},
    {"bdat_odd_chunking", NO,
	{"c" TX "BDAT 11\r\nXCRY", "cPT OK\r", "c\nBDAT 3 LAST\r\nab", "cc",
	"s250 a\r\n250 b\r\n250 c\r\n250 d\r\n", "cXCRYPT OK\r\n"},
	TX "BDAT 11\r\nXCRYPT OK\r\nBDAT 3 LAST\r\nabc",
    "250 a\r\n250 b\r\n250 c\r\n250 d\r\n" SEQ},
    {"bdat_zero_and_malformed_count", NO,
	{"cBDAT 0\r\nBDAT x\r\nXCRYPT OK\r\n", "s250 a\r\n501 b\r\n"},
	"BDAT 0\r\nBDAT x\r\n",
    "250 a\r\n501 b\r\n" SEQ},
    {"pipelined_group_replies_in_order", NO,
	{"c" TX "RCPT TO:<c@y>\r\nDATA\r\nXCRYPT OK\r\n",
	"s250 a\r\n250 b\r\n550 c\r\n554 no rcpt\r\n"},
	TX "RCPT TO:<c@y>\r\nDATA\r\n",
    "250 a\r\n250 b\r\n550 c\r\n554 no rcpt\r\n" SEQ},
    {"xcrypt_in_transaction_out_of_sequence", NO,
	{"cMAIL FROM:<a@x>\r\n", "s250 a\r\n",
	"cXCRYPT chacha20poly1305_2.0 AAAA AAAA\r\n"},
	"MAIL FROM:<a@x>\r\n", "250 a\r\n" SEQ},
    {"auth_response_line_relayed", NO,
	{"cAUTH PLAIN\r\n", "s334 \r\n", "cXCRYPT OK\r\n", "s235 ok\r\n"},
	"AUTH PLAIN\r\nXCRYPT OK\r\n", "334 \r\n235 ok\r\n"},
    {"starttls_then_opaque", NO,
	{"cSTARTTLS\r\n", "s220 go\r\n", "c\x16\x03\x01XCRYPT OK\r\n",
	"s\x16\x03\x03\x00\x01\n"},
	"STARTTLS\r\n\x16\x03\x01XCRYPT OK\r\n", "220 go\r\n\x16\x03\x03"},
    {"tls_wrapper_first_octets_opaque", NO | F_PREGREET,
	{"c\x16\x03\x01\x02\x00hello\r\nXCRYPT OK\r\n", "s\x16\x03\x03srv\n250 x\r\n"},
	"\x16\x03\x01\x02", "\x16\x03\x03srv\n250 x\r\n"},
    {"early_talker_not_tls_keeps_smtp", NO | F_PREGREET,
	{"cEHLO c\r\n", "s220 mx\r\n250 mx\r\n"},
	"EHLO c\r\n", "220 mx\r\n250-mx\r\n250 XCRYPT chacha20poly1305_2.0\r\n"},
    {"bdat_count_off_t_max_over_xcrypt_relayed_unchanged", NO | F_XCRYPT,
	{"cMAIL FROM:<a@x>\r\n", "s250 a\r\n",
	"cBDAT 9223372036854775807 LAST\r\n"},
	"MAIL FROM:<a@x>\r\nBDAT 9223372036854775807 LAST\r\n", "250 a\r\n"},
    {"bdat_count_near_off_t_max_over_xcrypt_relayed_unchanged", NO | F_XCRYPT,
	{"cMAIL FROM:<a@x>\r\n", "s250 a\r\n",
	"cBDAT 9223372036854775797\r\n"},
	"MAIL FROM:<a@x>\r\nBDAT 9223372036854775797\r\n", "250 a\r\n"},
    {0},
};

/* session - a session after greeting and EHLO, transcripts empty */

static XSD_DRIVE *session(int mode)
{
    XSD_DRIVE *dp;

    xsd_drive_init("chacha20poly1305_2.0", (mode & 15) == EXCL ? NORM : mode & 15,
		   (mode & 15) == EXCL ? "192.0.2.0/24" : "");
    dp = xsd_drive_create("192.0.2.1");
    if ((mode & F_PREGREET) == 0) {
	xsd_drive_smtpd(dp, "220 mx ESMTP\r\n", 14);
	xsd_drive_client(dp, "EHLO c\r\n", 8);
	xsd_drive_smtpd(dp, "250-mx\r\n250 PIPELINING\r\n", 24);
	xsd_drive_reset(dp);
    }
    if (mode & F_XCRYPT)
	xsd_drive_fake_xcrypt(dp);
    return (dp);
}

/* step - one step of a case; octets may contain NUL (given by length) */

static void step(XSD_DRIVE *dp, const char *s)
{
    ssize_t len = strlen(s + 1);

    if (s[0] == 'c')
	xsd_drive_client(dp, s + 1, len);
    else
	xsd_drive_smtpd(dp, s + 1, len);
}

/* same - compare a transcript, print the difference */

static int same(VSTRING *got, const char *want, const char *what)
{
    VSTRING *a, *b;

    if (LEN(got) == strlen(want) && memcmp(STR(got), want, LEN(got)) == 0)
	return (1);
    a = vstring_alloc(100);
    b = vstring_alloc(100);
    escape(a, STR(got), LEN(got));
    escape(b, want, strlen(want));
    printf("%s: got \"%.300s\", want \"%.300s\"\n", what, STR(a), STR(b));
    vstring_free(a);
    vstring_free(b);
    return (0);
}

/* run_table - every case */

static void run_table(void)
{
    const CASE *cp;
    XSD_DRIVE *dp;
    char    name[200];
    int     i;

    for (cp = cases; cp->name; cp++) {
	dp = session(cp->mode);
	for (i = 0; i < 10 && cp->steps[i]; i++)
	    step(dp, cp->steps[i]);
	snprintf(name, sizeof(name), "smtpd_proto_%s", cp->name);
	T_CHECK(name, same(dp->to_smtpd, cp->smtpd, "smtpd")
		& same(dp->to_client, cp->client, "client"));
	xsd_drive_free(dp);
    }
}

/* run_long_lines - longer than line_length_limit */

static void run_long_lines(void)
{
    XSD_DRIVE *dp;
    VSTRING *line = vstring_alloc(4000);

    dp = session(NO);
    vstring_strcpy(line, "NOOP ");
    while (LEN(line) < 3000)
	VSTRING_ADDCH(line, 'x');
    vstring_strcat(line, "\r\n");
    xsd_drive_client(dp, STR(line), 1000);
    xsd_drive_client(dp, STR(line) + 1000, LEN(line) - 1000);
    xsd_drive_smtpd(dp, "250 ok\r\n", 8);
    T_CHECK("smtpd_proto_long_command_relayed_whole",
	    same(dp->to_smtpd, STR(line), "smtpd")
	    & same(dp->to_client, "250 ok\r\n", "client"));
    xsd_drive_free(dp);

    /* A long line that starts with XCRYPT OK is never ours. */
    dp = session(NO);
    vstring_strcpy(line, "XCRYPT OK");
    while (LEN(line) < 3000)
	VSTRING_ADDCH(line, ' ');
    vstring_strcat(line, "\r\n");
    xsd_drive_client(dp, STR(line), LEN(line));
    T_CHECK("smtpd_proto_long_xcrypt_line_not_ours",
	    same(dp->to_smtpd, STR(line), "smtpd")
	    & same(dp->to_client, "", "client"));
    xsd_drive_free(dp);
    vstring_free(line);
}

/* run_trace_header - the first BDAT chunk over XCRYPT grows */

static void run_trace_header(void)
{
    XSD_DRIVE *dp;
    long long count;
    char   *hdr;
    char   *end;

    dp = session(F_XCRYPT);
    xsd_drive_client(dp, "MAIL FROM:<a@x>\r\n", 17);
    xsd_drive_smtpd(dp, "250 a\r\n", 7);
    xsd_drive_reset(dp);
    xsd_drive_client(dp, "BDAT 5 LAST\r\nhello", 18);
    hdr = strstr(STR(dp->to_smtpd), "\r\n");
    count = strtoll(STR(dp->to_smtpd) + 5, &end, 10);
    T_CHECK("smtpd_proto_bdat_trace_header_inserted",
	    strncmp(STR(dp->to_smtpd), "BDAT ", 5) == 0 && hdr != 0
	    && strcmp(end, hdr) != 0 && strncmp(end, " LAST\r\n", 7) == 0
	    && strncmp(hdr + 2, "Received: by mx.test (xcrypt-smtpd) with XCRYPT"
		       " (chacha20poly1305_2.0, fingerprint 0123456789abcdef)", 85) == 0);
    T_CHECKF("smtpd_proto_bdat_count_covers_header_and_chunk",
	     hdr != 0 && count == (long long) (LEN(dp->to_smtpd) - (hdr + 2 - STR(dp->to_smtpd)))
	     && strcmp(STR(dp->to_smtpd) + LEN(dp->to_smtpd) - 5, "hello") == 0,
	     "count %lld, %ld octets follow", count,
	     (long) (hdr ? LEN(dp->to_smtpd) - (hdr + 2 - STR(dp->to_smtpd)) : -1));
    xsd_drive_free(dp);
}

 /*
  * The client's half of a handshake, with lib/ (a memory cache of its own).
  */
static XC_CACHE *client_cache;

/* hello - send XCRYPT suite Ka Na, parse the reply; 1 = 250 XCRYPT Kb Nb */

static int hello(XSD_DRIVE *dp, XC_SESSION *cs, int finish)
{
    const XC_SUITE *suite = xc_suite(XC_SUITE_CHACHA);
    char    buf[2 * XC_PMAX + 100];
    XC_HELLO peer;
    const char *why;
    ssize_t n;
    char   *reply;

    if (xc_session_start(cs, client_cache, suite, XC_ROLE_CLIENT) != XC_OK
     || (n = xc_format_hello(buf, sizeof(buf) - 2, suite, cs->pair.pub,
			     cs->nonce)) < 0)
	return (0);
    memcpy(buf + n, "\r\n", 3);
    xsd_drive_reset(dp);
    xsd_drive_client(dp, buf, n + 2);
    reply = STR(dp->to_client);
    if (strncmp(reply, "250 XCRYPT ", 11) != 0)
	return (0);
    if (!finish)
	return (1);
    return (xc_parse_hello_reply(reply + 4, strcspn(reply + 4, "\r"), suite,
				 &peer, &why) == XC_OK
	    && xc_session_finish(cs, client_cache, &peer) == XC_OK);
}

/* count_z - Z records in the server's cache */

static void count_z_fn(const XC_CACHE_ENTRY *ep, void *context)
{
    if (ep->kind == XC_CACHE_KIND_PEER)
	(*(int *) context)++;
}

static int count_z(void)
{
    int     n = 0;

    (void) xc_cache_walk(xsd_cache, count_z_fn, (void *) &n);
    return (n);
}

/* run_handshakes - switch, injection, limits, cache */

static void run_handshakes(void)
{
    XC_SESSION cs;
    XSD_DRIVE *dp;
    int     z0;
    int     i;
    static const char inject[] = "XCRYPT OK\r\nMAIL FROM:<evil@x>\r\n";

    client_cache = xc_cache_open((char *) 0, 7200);

    /*
     * Handshake, then XCRYPT OK with plaintext behind it in the same write:
     * the reply goes out in plaintext, the rest never reaches smtpd.
     */
    dp = session(NO);
    z0 = count_z();
    T_CHECK("smtpd_proto_handshake_reply", hello(dp, &cs, 1));
    T_CHECK("smtpd_proto_z_not_stored_before_ok", count_z() == z0);
    xsd_drive_reset(dp);
    xsd_drive_client(dp, inject, sizeof(inject) - 1);
    T_CHECK("smtpd_proto_switch_reply_in_plaintext",
	    same(dp->to_client, "250 XCRYPT OK\r\n", "client"));
    T_CHECK("smtpd_proto_injection_at_switch_discarded",
	    same(dp->to_smtpd, "", "smtpd"));
    T_CHECK("smtpd_proto_switched",
	    XSD_IS(dp->state, XSD_FLAG_XCRYPT) && xc_stream_active(dp->state->client));
    T_CHECK("smtpd_proto_z_stored_after_ok", count_z() == z0 + 1);
    xsd_drive_client(dp, "MAIL FROM:<good@x>\r\n", 20);
    T_CHECK("smtpd_proto_after_switch_commands_relayed",
	    same(dp->to_smtpd, "MAIL FROM:<good@x>\r\n", "smtpd"));
    xsd_drive_free(dp);
    xc_session_wipe(&cs);

    /*
     * A flood: handshake after handshake abandoned with XCRYPT FAIL. Each
     * costs the server work, none may reach the cache, the count is
     * bounded, and every failure is an error.
     */
    var_xsd_hard_erlim = 6;
    dp = session(NO);
    z0 = count_z();
    for (i = 0; i < var_xsd_hs_limit; i++) {
	if (!hello(dp, &cs, 0))
	    break;
	xc_session_wipe(&cs);
	xsd_drive_reset(dp);
	xsd_drive_client(dp, "XCRYPT FAIL\r\n", 13);
	if (!same(dp->to_client, "250 XCRYPT FAIL\r\n", "client"))
	    break;
    }
    T_CHECKF("smtpd_proto_handshakes_up_to_limit", i == var_xsd_hs_limit,
	     "%d of %d", i, var_xsd_hs_limit);
    T_CHECK("smtpd_proto_abandoned_handshakes_not_cached", count_z() == z0);
    T_CHECK("smtpd_proto_handshake_over_limit_454", !hello(dp, &cs, 0)
	    && same(dp->to_client, "454 4.7.0 XCRYPT temporarily unavailable\r\n",
		    "client"));
    xc_session_wipe(&cs);
    T_CHECK("smtpd_proto_failed_handshakes_count_as_errors",
	    dp->state->errors == var_xsd_hs_limit + 1);
    for (i = 0; i < 10 && !xsd_drive_closing(dp); i++)
	(void) hello(dp, &cs, 0);
    xc_session_wipe(&cs);
    T_CHECKF("smtpd_proto_handshake_flood_hits_error_limit",
	     xsd_drive_closing(dp) && strstr(STR(dp->to_client),
				     "421 4.7.0 mx.test Error: too many errors"),
	     "closing %d, last output \"%s\"", xsd_drive_closing(dp),
	     STR(dp->to_client));
    T_CHECK("smtpd_proto_handshake_flood_nothing_to_smtpd",
	    same(dp->to_smtpd, "", "smtpd"));
    xsd_drive_free(dp);
    var_xsd_hard_erlim = 20;

    /* A handshake abandoned by another command: not cached either. */
    dp = session(NO);
    z0 = count_z();
    (void) hello(dp, &cs, 0);
    xc_session_wipe(&cs);
    xsd_drive_reset(dp);
    xsd_drive_client(dp, "NOOP\r\n", 6);
    T_CHECK("smtpd_proto_handshake_abandoned_by_command",
	    same(dp->to_client, SEQ, "client") && count_z() == z0);
    xsd_drive_free(dp);
    xc_cache_close(client_cache);
}

int     main(int argc, char **argv)
{
    msg_vstream_init(argv[0], VSTREAM_ERR);
    run_table();
    run_long_lines();
    run_trace_header();
    run_handshakes();
    return (T_DONE());
}
