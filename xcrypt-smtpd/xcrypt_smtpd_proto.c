/*++
/* NAME
/*	xcrypt_smtpd_proto 3
/* SUMMARY
/*	xcrypt-smtpd SMTP stream tracking and XCRYPT engine
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/*
/*	void	xsd_proto_start(state)
/*	XSD_STATE *state;
/*
/*	void	xsd_client_process(state)
/*	XSD_STATE *state;
/*
/*	void	xsd_smtpd_process(state)
/*	XSD_STATE *state;
/* DESCRIPTION
/*	This module is the protocol engine of one session. It does no
/*	I/O of its own: the event loop (xcrypt_smtpd_relay.c), or a test
/*	driver, moves the octets, and everything it sends goes through
/*	xcrypt_smtpd_out.c.
/*	xsd_proto_start() sets up a new session (smtpd's greeting is
/*	the first reply expected). xsd_client_process() handles what
/*	the client has sent so far (state->ibuf): it queues octets for
/*	smtpd(8) and replies of its own for the client.
/*	xsd_smtpd_process() handles what smtpd(8) has sent so far
/*	(state->sbuf) and queues the replies for the client.
/*
/*	It follows the client's byte stream the way smtpd(8) reads it:
/*	lines are parsed only in command mode; after DATA it waits for
/*	smtpd's reply and, on 354, passes content until the line that
/*	ends it for smtpd(8) (see below); a well-formed BDAT command is
/*	followed by exactly its count of octets; after AUTH and a 334
/*	reply the next line is a SASL response; after STARTTLS and a 220
/*	reply everything is opaque.
/*	A command line longer than line_length_limit is classified by
/*	its first line_length_limit octets, as smtpd(8) does, relayed
/*	byte-exactly, and never taken for XCRYPT.
/*
/*	Commands are looked up in one table (verb, kind of reply,
/*	flags, handler). Every command relayed to smtpd(8) adds one
/*	entry to a queue of expected replies, so that under PIPELINING
/*	each reply is matched to its command: the EHLO reply gets the
/*	XCRYPT keyword (or, with XCRYPT on, loses STARTTLS); 2xx to MAIL
/*	opens a transaction; RSET, a new EHLO/HELO and the end of a
/*	message close it. Commands are split into words as smtpd_token()
/*	does: at any ASCII white space, not only space and tab.
/*
/*	End of DATA: without smtpd_forbid_bare_newline (or for a client
/*	in smtpd_forbid_bare_newline_exclusions) a line that is "."
/*	after its LF and the CRs before it are removed; with it, only a
/*	line ".<CR><LF>" that follows a line ended by <CR><LF>, exactly
/*	as smtpd(8) 3.7.11 reads it. With "reject", a command line that
/*	ends in a bare LF is never taken for XCRYPT: smtpd(8) rejects it.
/*
/*	XCRYPT, XCRYPT OK and XCRYPT FAIL are answered here, in order
/*	with smtpd's replies (only when no smtpd reply is outstanding),
/*	with the replies and state rules of the protocol's section 4.
/*	A session may start at most $xcrypt_smtpd_handshake_limit
/*	handshakes (then 454); a handshake that fails or is abandoned
/*	counts as an error against smtpd_hard_error_limit. The shared
/*	value Z goes into the key cache only after XCRYPT OK.
/*
/*	The switch to XCRYPT happens in one place, xsd_switch(): the
/*	reply to XCRYPT OK goes out in plaintext, every octet received
/*	beyond that line is discarded (plaintext injection, 4.3), and the
/*	client stream switches to the session keys through the lib's
/*	VSTREAM layer: from then on this module reads and writes plaintext.
/*	With suite chacha20poly1305_2.1 (4.5) nothing is discarded: what
/*	follows the line is protected input (a client may pipeline its
/*	next command group), the 250 travels with the replies to it, and
/*	plaintext there fails verification and ends the session; if the
/*	switch fails, the reply is 454 4.7.0 XCRYPT FAIL and the session
/*	ends.
/*
/*	All replies of one smtpd(8) write go out with one flush, which is
/*	one record for the AEAD suite.
/*
/*	A client whose first octets, before smtpd's greeting, open a TLS
/*	handshake record (an SMTPS client on a port where smtpd(8) runs
/*	with smtpd_tls_wrappermode) is relayed opaquely from the start:
/*	no XCRYPT inside TLS. Other early talkers are relayed as usual,
/*	and smtpd(8) handles them as it would.
/*
/*	Once smtpd(8) has sent a 421 or 521 reply (after which it hangs
/*	up), the client hears nothing more from this module: only what
/*	smtpd(8) still sends, then the connection closes.
/*
/*	Messages received with XCRYPT on start with a Received: header
/*	naming the suite, inserted after smtpd's 354 reply to DATA, or
/*	in front of the first BDAT chunk (whose count grows to match;
/*	a count so large that it cannot grow is relayed unchanged and
/*	gets no header: such a chunk can never be sent).
/* DIAGNOSTICS
/*	A record that does not verify ends the session at once: nothing
/*	more is sent to the client, and smtpd(8) sees the connection
/*	close, which aborts a transaction in progress.
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstream.h>
#include <vstring.h>
#include <stringops.h>

/* Global library. */

#include <mail_params.h>
#include <mail_date.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

#define STR(x)	vstring_str(x)
#define LEN(x)	VSTRING_LEN(x)

 /*
  * DATA end-of-content detector states.
  */
#define XSD_DOT_BOL	0		/* at the start of a line */
#define XSD_DOT_DOT	1		/* "." at the start of a line */
#define XSD_DOT_CR	2		/* ".\r" */
#define XSD_DOT_CRS	3		/* ".\r\r", ".\r\r\r", ... */
#define XSD_DOT_MID	4		/* elsewhere in a line */
#define XSD_DOT_MID_CR	5		/* ... just after a CR */

 /*
  * smtpd_token() separates words at any ASCII white space (ISSPACE), not
  * only at space and tab: "DATA\f" is DATA, "BDAT 5\rLAST" is BDAT 5 LAST.
  * Classify commands with the same separators, or content would be taken
  * for commands and the other way around.
  */
#define XSD_SPACE	" \t\n\v\f\r"

 /*
  * The command table. A command that is not in it is relayed and its reply
  * relayed unchanged (XSD_K_OTHER).
  */
typedef struct XSD_CMD {
    const char *verb;
    int     kind;			/* XSD_K_*: what its reply answers */
    int     flags;			/* XSD_CMD_FLAG_* */
    int     (*action) (XSD_STATE *, const struct XSD_CMD *, ssize_t, int);
} XSD_CMD;

#define XSD_CMD_FLAG_HOLD	(1<<0)	/* parse nothing until the reply */
#define XSD_CMD_FLAG_NEW_MSG	(1<<1)	/* the next BDAT starts a message */
#define XSD_CMD_FLAG_NO_XCRYPT	(1<<2)	/* refused inside XCRYPT */

static int xsd_cmd_xcrypt(XSD_STATE *, const XSD_CMD *, ssize_t, int);
static int xsd_cmd_bdat(XSD_STATE *, const XSD_CMD *, ssize_t, int);

static const XSD_CMD xsd_cmd_table[] = {
    {"EHLO", XSD_K_EHLO, 0, 0},
    {"HELO", XSD_K_HELO, 0, 0},
    {"MAIL", XSD_K_MAIL, XSD_CMD_FLAG_NEW_MSG, 0},
    {"RSET", XSD_K_RSET, 0, 0},
    {"DATA", XSD_K_DATA, XSD_CMD_FLAG_HOLD, 0},
    {"BDAT", XSD_K_BDAT, 0, xsd_cmd_bdat},
    {"STARTTLS", XSD_K_STARTTLS, XSD_CMD_FLAG_HOLD | XSD_CMD_FLAG_NO_XCRYPT, 0},
    {"AUTH", XSD_K_AUTH, XSD_CMD_FLAG_HOLD, 0},
    {"XCRYPT", XSD_K_OTHER, 0, xsd_cmd_xcrypt},
    {0, XSD_K_OTHER, 0, 0},
};

/* xsd_pend_push - expect one more reply from smtpd */

static void xsd_pend_push(XSD_STATE *state, int kind)
{
    VSTRING_ADDCH(state->pend, kind);
    VSTRING_TERMINATE(state->pend);
}

/* xsd_pend_pop - the kind of command that this reply answers */

static int xsd_pend_pop(XSD_STATE *state)
{
    int     kind;

    if (XSD_PEND_LEN(state) <= 0)
	return (0);
    kind = STR(state->pend)[state->poff++];
    if (state->poff >= LEN(state->pend)) {
	VSTRING_RESET(state->pend);
	state->poff = 0;
    }
    return (kind);
}

/* xsd_consume - drop octets from the front of the client input */

static void xsd_consume(XSD_STATE *state, ssize_t len)
{
    state->ioff += len;
    if (state->ioff >= LEN(state->ibuf)) {
	VSTRING_RESET(state->ibuf);
	VSTRING_TERMINATE(state->ibuf);
	state->ioff = 0;
    } else if (state->ioff > 65536 && state->ioff * 2 > LEN(state->ibuf)) {
	ssize_t left = XSD_IN_LEN(state);

	memmove(STR(state->ibuf), XSD_IN_PTR(state), left);
	vstring_truncate(state->ibuf, left);
	VSTRING_TERMINATE(state->ibuf);
	state->ioff = 0;
    }
}

/* xsd_forward - relay client octets to smtpd and consume them */

static void xsd_forward(XSD_STATE *state, ssize_t len)
{
    xsd_smtpd_put(state, XSD_IN_PTR(state), len);
    xsd_consume(state, len);
}

/* xsd_skip_long - the rest of an over-long line: relay or drop it */

static void xsd_skip_long(XSD_STATE *state, int discard, off_t bdat, int last)
{
    XSD_SET(state, XSD_FLAG_LONG_LINE);
    if (discard)
	XSD_SET(state, XSD_FLAG_LONG_DISCARD);
    if (last)
	XSD_SET(state, XSD_FLAG_LONG_LAST);
    state->long_bdat = bdat;
}

/* xsd_trace_header - the Received: header for a message over XCRYPT */

static void xsd_trace_header(XSD_STATE *state, VSTRING *buf)
{
    vstring_sprintf(buf, "Received: by %s (xcrypt-smtpd) with XCRYPT"
		    " (%s, fingerprint %s);\r\n\t%s\r\n",
		    var_myhostname, state->suite->name, state->fingerprint,
		    mail_date(time((time_t *) 0)));
}

/* xsd_want_header - does the next message get the trace header */

static int xsd_want_header(XSD_STATE *state)
{
    return (XSD_IS(state, XSD_FLAG_XCRYPT) && var_xsd_rcvd_hdr);
}

/* xsd_eol - a content line ends: remember whether with a bare LF */

static void xsd_eol(XSD_STATE *state, int bare)
{
    if (bare)
	XSD_SET(state, XSD_FLAG_PREV_BARE);
    else
	XSD_CLR(state, XSD_FLAG_PREV_BARE);
}

/* xsd_data_scan - length of DATA content up to and including its end */

static ssize_t xsd_data_scan(XSD_STATE *state, const char *buf, ssize_t len,
			             int *done)
{
    const char *cp = buf;
    const char *end = buf + len;
    const char *nl;
    int     ds = state->dot_state;
    int     std = XSD_IS(state, XSD_FLAG_BARE_LF_STD);
    int     eod;

    *done = 0;
    while (cp < end) {
	switch (ds) {
	case XSD_DOT_MID:
	case XSD_DOT_MID_CR:
	    if ((nl = memchr(cp, '\n', end - cp)) == 0) {
		ds = (end[-1] == '\r' ? XSD_DOT_MID_CR : XSD_DOT_MID);
		cp = end;
		continue;
	    }
	    xsd_eol(state, nl == cp ? ds != XSD_DOT_MID_CR : nl[-1] != '\r');
	    cp = nl + 1;
	    ds = XSD_DOT_BOL;
	    continue;
	case XSD_DOT_BOL:
	    if (*cp == '\n')
		xsd_eol(state, 1);
	    ds = (*cp == '.' ? XSD_DOT_DOT : *cp == '\n' ? XSD_DOT_BOL :
		  *cp == '\r' ? XSD_DOT_MID_CR : XSD_DOT_MID);
	    break;
	case XSD_DOT_DOT:
	case XSD_DOT_CR:
	case XSD_DOT_CRS:
	    if (*cp == '\n') {

		/*
		 * smtpd(8) without bare-LF detection strips every CR before
		 * the LF; with it, one CR, and a "." line after or with a
		 * bare LF is dropped, not the end.
		 */
		eod = (!std || (ds == XSD_DOT_CR
				&& !XSD_IS(state, XSD_FLAG_PREV_BARE)));
		xsd_eol(state, ds == XSD_DOT_DOT);
		if (eod) {
		    state->dot_state = XSD_DOT_BOL;
		    *done = 1;
		    return (cp + 1 - buf);
		}
		ds = XSD_DOT_BOL;
		break;
	    }
	    ds = (*cp != '\r' ? XSD_DOT_MID :
		  ds == XSD_DOT_DOT ? XSD_DOT_CR : XSD_DOT_CRS);
	    break;
	}
	cp++;
    }
    state->dot_state = ds;
    return (len);
}

/* xsd_bdat_args - parse BDAT arguments as smtpd(8) does */

static int xsd_bdat_args(char *args, off_t *count, int *last)
{
    char   *size;
    char   *tok;
    char   *end;
    unsigned long long n;

    /* As off_cvt_string(): any count up to the largest off_t. */
    if ((size = mystrtok(&args, XSD_SPACE)) == 0 || !alldig(size))
	return (0);
    errno = 0;
    n = strtoull(size, &end, 10);
    if (errno != 0 || *end != 0 || n > (unsigned long long) OFF_T_MAX)
	return (0);
    *last = 0;
    if ((tok = mystrtok(&args, XSD_SPACE)) != 0) {
	if (strcasecmp(tok, "LAST") != 0 || mystrtok(&args, XSD_SPACE) != 0)
	    return (0);
	*last = 1;
    }
    *count = (off_t) n;
    return (1);
}

/* xsd_cancel - forget a pending handshake */

static void xsd_cancel(XSD_STATE *state)
{
    xc_session_wipe(&state->session);
    XSD_CLR(state, XSD_FLAG_HS_PENDING);
}

static void xsd_switched(XSD_STATE *, const XC_SUITE *);

/* xsd_switch_pipelined - XCRYPT OK for 2.1: what follows is protected */

static int xsd_switch_pipelined(XSD_STATE *state)
{
    const XC_SUITE *suite = state->session.suite;
    ssize_t n;

    /*
     * Spec 4.5: every octet after the XCRYPT OK line is protected, whether
     * it came with the line or later; the lib opens it, and closes the
     * session on anything that does not verify (injected plaintext). Our
     * 250 goes out in front of the replies to the pipelined commands, in one
     * write. A server that cannot switch says so and hangs up: what follows
     * cannot be read as plaintext.
     */
    xsd_client_reply(state, XC_REPLY_OK);
    if ((n = xc_stream_switch(state->client, suite, &state->session.keys,
			      XC_ROLE_SERVER, XC_STREAM_KEEP,
			      XSD_IN_PTR(state), XSD_IN_LEN(state))) < 0) {
	msg_warn("cannot start XCRYPT for %s: %s", state->namaddr,
		 xc_strerror((int) n));
	(void) vstream_fpurge(state->client, VSTREAM_PURGE_WRITE);
	xsd_client_reply(state, XC_REPLY_OK_FAIL);
	XSD_SET(state, XSD_FLAG_CLOSING);
	return (-1);
    }
    xsd_consume(state, XSD_IN_LEN(state));
    XSD_SET(state, XSD_FLAG_CLIENT_MAYBE);	/* records may wait in the lib */
    return (0);
}

/* xsd_switch - XCRYPT OK: reply, drop injected plaintext, switch */

static void xsd_switch(XSD_STATE *state)
{
    const XC_SUITE *suite = state->session.suite;
    ssize_t discard;
    ssize_t n;

    if (XC_SUITE_PIPELINED(suite)) {
	if (xsd_switch_pipelined(state) < 0) {
	    xsd_cancel(state);
	    return;
	}
	xsd_switched(state, suite);
	return;
    }
    xsd_client_reply(state, XC_REPLY_OK);
    if (xsd_client_flush(state) < 0) {
	XSD_SET(state, XSD_FLAG_CLOSING);
	return;
    }

    /*
     * Whatever follows the XCRYPT OK line was sent before the client could
     * have seen our reply: it cannot be genuine (spec 4.3).
     */
    discard = XSD_IN_LEN(state);
    xsd_consume(state, discard);

    /*
     * Spec 4.2's "454 4.7.0 XCRYPT FAIL" would need a failure before the
     * 250 goes out, and xc_stream_start() wants that 250 flushed first. Its
     * errors are can't-happen ones (suite/key mismatch, already active,
     * cipher setup with a valid key; memory exhaustion is fatal in
     * mymalloc()). If one happens anyway, the client has switched on our
     * 250: hang up rather than go on in plaintext.
     */
    if ((n = xc_stream_start(state->client, suite, &state->session.keys,
			     XC_ROLE_SERVER)) < 0) {
	msg_warn("cannot start XCRYPT for %s: %s", state->namaddr,
		 xc_strerror((int) n));
	XSD_SET(state, XSD_FLAG_CLOSING);
	xsd_cancel(state);
	return;
    }
    discard += n;
    if (discard > 0)
	msg_warn("%s: discarded %ld octets sent after XCRYPT OK"
		 " (plaintext injection?)", state->namaddr, (long) discard);
    xsd_switched(state, suite);
}

/* xsd_switched - the client stream is protected: log, forget the handshake */

static void xsd_switched(XSD_STATE *state, const XC_SUITE *suite)
{
    XSD_SET(state, XSD_FLAG_XCRYPT);
    state->suite = suite;
    memcpy(state->fingerprint, state->session.fingerprint,
	   sizeof(state->fingerprint));
    state->fingerprint[sizeof(state->fingerprint) - 1] = 0;
    xc_session_save(&state->session, xsd_cache);
    msg_info("XCRYPT session from %s: suite=%s group=%s cache=%s"
	     " fingerprint=%s", state->namaddr, suite->name,
	     xc_group(suite->group)->name,
	     state->session.cache_hit ? "hit" : "miss", state->fingerprint);
    xsd_cancel(state);
}

/* xsd_hello - answer XCRYPT suite Ka Na */

static void xsd_hello(XSD_STATE *state, const XC_HELLO *hello)
{
    char    reply[2 * XC_PMAX + 64];
    int     ret;

    if (state->handshakes >= var_xsd_hs_limit) {
	msg_info("XCRYPT from %s: handshake limit %d reached",
		 state->namaddr, var_xsd_hs_limit);
	xsd_client_reply(state, XC_REPLY_TEMP);
	return;
    }
    state->handshakes++;
    if ((ret = xc_session_start(&state->session, xsd_cache,
				hello->suite, XC_ROLE_SERVER)) != XC_OK
	|| (ret = xc_session_finish_unsaved(&state->session, xsd_cache,
					    hello)) != XC_OK) {
	xsd_cancel(state);
	if (ret == XC_ERR_KEY_RANGE) {
	    xsd_client_reply(state, XC_REPLY_BADKEY);
	} else {
	    msg_warn("XCRYPT from %s: %s", state->namaddr, xc_strerror(ret));
	    xsd_client_reply(state, XC_REPLY_TEMP);
	}
    } else if (xc_format_hello_reply(reply, sizeof(reply), hello->suite,
				     state->session.pair.pub,
				     state->session.nonce) < 0) {
	xsd_cancel(state);
	msg_warn("XCRYPT from %s: cannot format reply", state->namaddr);
	xsd_client_reply(state, XC_REPLY_TEMP);
    } else {
	state->session.suite = hello->suite;
	XSD_SET(state, XSD_FLAG_HS_PENDING);
	xsd_client_reply(state, reply);
    }
}

/* xsd_xcrypt - answer XCRYPT, XCRYPT OK, XCRYPT FAIL */

static void xsd_xcrypt(XSD_STATE *state, int kind, const XC_HELLO *hello,
		               int err, const char *why)
{
    int     pending = XSD_IS(state, XSD_FLAG_HS_PENDING);

    if (kind == XC_CMD_OK || kind == XC_CMD_FAIL) {
	if (!pending || XSD_IS(state, XSD_FLAG_XCRYPT)) {
	    xsd_client_reply(state, XC_REPLY_SEQUENCE);
	} else if (kind == XC_CMD_FAIL) {
	    /* A failed handshake is an error, though its reply is 250. */
	    xsd_cancel(state);
	    xsd_client_reply(state, XC_REPLY_FAILED);
	    xsd_client_error(state);
	} else if (state->session.suite == 0) {
	    xsd_cancel(state);
	    xsd_client_reply(state, XC_REPLY_OK_FAIL);
	} else {
	    xsd_switch(state);
	}
	return;
    }

    /*
     * XCRYPT suite Ka Na, well-formed or not.
     */
    if (pending) {
	xsd_cancel(state);
	xsd_client_reply(state, XC_REPLY_SEQUENCE);
    } else if (!XSD_IS(state, XSD_FLAG_EHLO_OK)
	       || XSD_IS(state, XSD_FLAG_IN_TX | XSD_FLAG_XCRYPT | XSD_FLAG_TLS)) {
	xsd_client_reply(state, XC_REPLY_SEQUENCE);
    } else if (kind == XC_CMD_BAD) {
	if (msg_verbose)
	    msg_info("XCRYPT from %s: %s", state->namaddr, why);
	xsd_client_reply(state, xc_reply_for_error(err));
    } else {
	xsd_hello(state, hello);
    }
}

/* xsd_cmd_xcrypt - XCRYPT, when we offer it: ours, in order */

static int xsd_cmd_xcrypt(XSD_STATE *state, const XSD_CMD *cmd,
			          ssize_t len, int blocked)
{
    XC_HELLO hello;
    int     xkind;
    int     err;
    const char *why;

    xkind = xc_parse_command(STR(state->line), LEN(state->line), &xsd_suites,
			     &hello, &err, &why);
    if (xkind == XC_CMD_OTHER)
	return (-1);
    if (blocked)
	return (0);
    xsd_consume(state, len);
    xsd_xcrypt(state, xkind, &hello, err, why);
    return (1);
}

/* xsd_cmd_bdat - BDAT: the count, and the trace header of a message */

static int xsd_cmd_bdat(XSD_STATE *state, const XSD_CMD *cmd,
			        ssize_t len, int is_long)
{
    const char *verb = STR(state->line) + strspn(STR(state->line), XSD_SPACE);
    off_t   count = -1;
    int     last = 0;
    int     first = XSD_IS(state, XSD_FLAG_BDAT_FIRST);
    VSTRING *hdr;
    char    size[64];

    if (!xsd_bdat_args((char *) verb + 4, &count, &last)) {
	xsd_pend_push(state, XSD_K_OTHER);
	return (0);
    }
    XSD_CLR(state, XSD_FLAG_BDAT_FIRST);
    xsd_pend_push(state, last ? XSD_K_BDAT_LAST : XSD_K_BDAT);

    /*
     * The first chunk of a message over XCRYPT: our own command line with
     * the count grown by the trace header, then the header. Of an over-long
     * line smtpd(8) would skip the rest: drop it here. A count that cannot
     * grow (near OFF_T_MAX) goes as it is: nobody can send that much.
     */
    if (first && xsd_want_header(state)) {
	hdr = vstring_alloc(200);
	xsd_trace_header(state, hdr);
	if (count <= OFF_T_MAX - (off_t) LEN(hdr)) {
	    snprintf(size, sizeof(size), "%lld", (long long) (count + LEN(hdr)));
	    vstring_sprintf(state->line, "BDAT %s%s\r\n", size,
			    last ? " LAST" : "");
	    xsd_smtpd_put(state, STR(state->line), LEN(state->line));
	    xsd_smtpd_put(state, STR(hdr), LEN(hdr));
	    xsd_consume(state, len);
	    vstring_free(hdr);
	    if (is_long)
		xsd_skip_long(state, 1, count, last);
	    else if (count > 0) {
		state->mode = XSD_MODE_BDAT;
		state->bdat_left = count;
	    }
	    return (1);
	}
	vstring_free(hdr);
    }
    xsd_forward(state, len);
    if (is_long)
	xsd_skip_long(state, 0, count, last);
    else if (count > 0) {
	state->mode = XSD_MODE_BDAT;
	state->bdat_left = count;
    }
    return (1);
}

/* xsd_cmd_find - look up a verb */

static const XSD_CMD *xsd_cmd_find(const char *verb, ssize_t vlen)
{
    const XSD_CMD *cmd;

    for (cmd = xsd_cmd_table; cmd->verb; cmd++)
	if (vlen == (ssize_t) strlen(cmd->verb)
	    && strncasecmp(verb, cmd->verb, vlen) == 0)
	    break;
    return (cmd);
}

/* xsd_command - handle one command line (or the head of a long one) */

static int xsd_command(XSD_STATE *state, ssize_t len, int is_long)
{
    const char *ptr = XSD_IN_PTR(state);
    ssize_t tlen = len;
    const char *verb;
    ssize_t vlen;
    const XSD_CMD *cmd;
    int     blocked = (XSD_PEND_LEN(state) > 0);
    int     bare_lf = 0;
    int     ret;

    /*
     * The command text as smtpd(8) sees it: without LF and the CRs before
     * it.
     */
    if (!is_long) {
	tlen--;					/* LF */
	bare_lf = (tlen == 0 || ptr[tlen - 1] != '\r');
	while (tlen > 0 && ptr[tlen - 1] == '\r')
	    tlen--;
    }
    vstring_strncpy(state->line, ptr, tlen);
    verb = STR(state->line) + strspn(STR(state->line), XSD_SPACE);
    vlen = strcspn(verb, XSD_SPACE);
    cmd = xsd_cmd_find(verb, vlen);
    if (msg_verbose)
	msg_info("< %s: %.100s%s", state->namaddr, STR(state->line),
		 is_long ? "..." : "");

    /*
     * XCRYPT and its confirmation are ours, answered in order with smtpd's
     * replies. Only whole lines count: a fragment is never XCRYPT; nor is a
     * line that smtpd(8) would reject for its bare LF.
     */
    if (cmd->action == xsd_cmd_xcrypt && !is_long && xsd_suites.count > 0
	&& !(bare_lf && XSD_IS(state, XSD_FLAG_BARE_LF_REJ))) {
	if ((ret = xsd_cmd_xcrypt(state, cmd, len, blocked)) >= 0)
	    return (ret);
	cmd = xsd_cmd_find("", 0);
    }

    /*
     * While 250 XCRYPT is waiting for its confirmation, anything but QUIT
     * is out of sequence and abandons the handshake.
     */
    if (XSD_IS(state, XSD_FLAG_HS_PENDING)) {
	if (blocked)
	    return (0);
	if (is_long || !(vlen == 4 && strncasecmp(verb, "QUIT", 4) == 0)) {
	    xsd_cancel(state);
	    xsd_client_reply(state, XC_REPLY_SEQUENCE);
	    if (is_long)
		xsd_skip_long(state, 1, -1, 0);
	    xsd_consume(state, len);
	    return (1);
	}
	xsd_cancel(state);
    }

    /*
     * One layer at a time: no STARTTLS inside XCRYPT.
     */
    if (XSD_IS(state, XSD_FLAG_XCRYPT) && (cmd->flags & XSD_CMD_FLAG_NO_XCRYPT)) {
	if (blocked)
	    return (0);
	xsd_consume(state, len);
	if (is_long)
	    xsd_skip_long(state, 1, -1, 0);
	xsd_client_reply(state, "502 5.5.1 Error: command not implemented");
	return (1);
    }

    /*
     * Relay, and remember what the reply will answer.
     */
    if (cmd->flags & XSD_CMD_FLAG_HOLD)
	XSD_SET(state, XSD_FLAG_HOLD);
    if (cmd->flags & XSD_CMD_FLAG_NEW_MSG)
	XSD_SET(state, XSD_FLAG_BDAT_FIRST);
    if (cmd->action == xsd_cmd_bdat && xsd_cmd_bdat(state, cmd, len, is_long))
	return (1);
    if (cmd->action != xsd_cmd_bdat)
	xsd_pend_push(state, cmd->kind);
    xsd_forward(state, len);
    if (is_long)
	xsd_skip_long(state, 0, -1, 0);
    return (1);
}

/* xsd_tls_wrapper - SMTPS: a TLS handshake record before the greeting */

static int xsd_tls_wrapper(XSD_STATE *state)
{
    const unsigned char *cp = (const unsigned char *) XSD_IN_PTR(state);

    /*
     * A TLS record header: type 22 (handshake), then major version 3. Only
     * as the very first octets, while smtpd(8) has said nothing.
     */
    if (XSD_IS(state, XSD_FLAG_SMTPD_SPOKE) || XSD_PEND_LEN(state) != 1
	|| STR(state->pend)[state->poff] != XSD_K_GREET || cp[0] != 0x16)
	return (0);
    if (XSD_IN_LEN(state) < 2)
	return (-1);
    if (cp[1] != 0x03)
	return (0);
    msg_info("TLS handshake from %s before the greeting:"
	     " relaying it to smtpd", state->namaddr);
    XSD_SET(state, XSD_FLAG_TLS);
    state->mode = XSD_MODE_OPAQUE;
    return (1);
}

/* xsd_client_process - handle what the client has sent so far */

void    xsd_client_process(XSD_STATE *state)
{
    ssize_t avail;
    ssize_t n;
    const char *cp;
    const char *nl;
    int     done;

    while ((avail = XSD_IN_LEN(state)) > 0
	   && !XSD_IS(state, XSD_FLAG_CLOSING | XSD_FLAG_SMTPD_BYE)) {
	cp = XSD_IN_PTR(state);
	switch (state->mode) {

	case XSD_MODE_OPAQUE:
	    xsd_forward(state, avail);
	    continue;

	case XSD_MODE_DATA:
	    n = xsd_data_scan(state, cp, avail, &done);
	    xsd_forward(state, n);
	    if (done)
		state->mode = XSD_MODE_CMD;
	    continue;

	case XSD_MODE_BDAT:
	    n = (off_t) avail < state->bdat_left ? avail : (ssize_t) state->bdat_left;
	    xsd_forward(state, n);
	    if ((state->bdat_left -= n) == 0)
		state->mode = XSD_MODE_CMD;
	    continue;
	}

	/*
	 * The rest of an over-long line: relay it as it is (or drop it, if
	 * we answered the line ourselves), then act on its head.
	 */
	if (XSD_IS(state, XSD_FLAG_LONG_LINE)) {
	    nl = memchr(cp, '\n', avail);
	    n = nl ? nl + 1 - cp : avail;
	    if (XSD_IS(state, XSD_FLAG_LONG_DISCARD))
		xsd_consume(state, n);
	    else
		xsd_forward(state, n);
	    if (nl) {
		XSD_CLR(state, XSD_FLAG_LONG_LINE | XSD_FLAG_LONG_DISCARD
			| XSD_FLAG_LONG_LAST);
		if (state->long_bdat > 0) {
		    state->mode = XSD_MODE_BDAT;
		    state->bdat_left = state->long_bdat;
		}
		state->long_bdat = -1;
	    }
	    continue;
	}
	if (XSD_IS(state, XSD_FLAG_HOLD))
	    return;

	switch (xsd_tls_wrapper(state)) {
	case 1:
	    continue;
	case -1:
	    return;
	}

	/*
	 * A SASL response line, after 334: relay it, wait for the reply.
	 */
	nl = memchr(cp, '\n', avail < var_line_limit ? avail : var_line_limit);
	if (state->mode == XSD_MODE_AUTH) {
	    if (nl == 0 && avail < var_line_limit)
		return;
	    state->mode = XSD_MODE_CMD;
	    xsd_pend_push(state, XSD_K_AUTH);
	    XSD_SET(state, XSD_FLAG_HOLD);
	    if (nl) {
		xsd_forward(state, nl + 1 - cp);
	    } else {
		/* Only the head: what follows its LF is not ours to pass. */
		xsd_forward(state, var_line_limit);
		xsd_skip_long(state, 0, -1, 0);
	    }
	    continue;
	}

	/*
	 * A command line, whole or (longer than smtpd parses) its head.
	 */
	if (nl != 0) {
	    if (xsd_command(state, nl + 1 - cp, 0) == 0)
		return;
	} else if (avail >= var_line_limit) {
	    if (xsd_command(state, var_line_limit, 1) == 0)
		return;
	} else {
	    return;
	}
    }
}

/* xsd_ehlo_discard - do the discard settings hide XCRYPT from this client? */

static int xsd_ehlo_discard(XSD_STATE *state)
{
    const char *words = var_xsd_ehlo_dis_words;
    const char *value;
    int     silent;

    /*
     * As smtpd(8): the address maps' answer for the client replaces the
     * list. A lookup error must not offer what the site may have hidden
     * (and smtpd(8) answers that EHLO with 451 anyway).
     */
    if (xsd_ehlo_dis_maps != 0) {
	if ((value = maps_find(xsd_ehlo_dis_maps, state->addr, 0)) != 0) {
	    words = value;
	} else if (xsd_ehlo_dis_maps->error) {
	    msg_warn("%s: %s lookup error for %s: XCRYPT not offered",
		     state->namaddr, xsd_ehlo_dis_maps->title, state->addr);
	    return (1);
	}
    }
    if (!xc_ehlo_discarded(words, &silent))
	return (0);
    if (!silent)
	msg_info("%s: discarding EHLO keywords: XCRYPT", state->namaddr);
    return (1);
}

/* xsd_ehlo_reply - add XCRYPT, or drop STARTTLS, in an EHLO reply */

static void xsd_ehlo_reply(XSD_STATE *state, const char *reply, ssize_t len)
{
    VSTRING *out = state->line;
    const char *cp = reply;
    const char *end = reply + len;
    const char *nl;
    ssize_t last = -1;			/* start of the last line out */
    int     xcrypt = XSD_IS(state, XSD_FLAG_XCRYPT);
    int     offer = (!xcrypt && !XSD_IS(state, XSD_FLAG_TLS)
		     && xsd_suites.count > 0 && xsd_ehlo_keyword[0]
		     && !xsd_ehlo_discard(state));

    /*
     * Every line goes out as "250-...", and the last one as "250 ...": the
     * keyword may become the last line, STARTTLS may have been it.
     */
    VSTRING_RESET(out);
    for (; cp < end; cp = nl + 1) {
	if ((nl = memchr(cp, '\n', end - cp)) == 0)
	    nl = end - 1;
	if (xcrypt && nl - cp >= 12
	    && strncasecmp(cp + 4, "STARTTLS", 8) == 0
	    && (cp[12] == '\r' || cp[12] == '\n' || cp[12] == ' '))
	    continue;
	last = LEN(out);
	vstring_memcat(out, cp, nl + 1 - cp);
	if (nl - cp > 3 && (cp[3] == ' ' || cp[3] == '-'))
	    STR(out)[last + 3] = '-';
	if (cp == reply && offer) {
	    last = LEN(out);
	    vstring_sprintf_append(out, "250-%s\r\n", xsd_ehlo_keyword);
	}
    }
    if (last >= 0 && last + 3 < (ssize_t) LEN(out)
	&& STR(out)[last + 3] == '-')
	STR(out)[last + 3] = ' ';
    xsd_client_put(state, STR(out), LEN(out));
}

/* xsd_reply_closes - is this reply 421 or 521 */

static int xsd_reply_closes(const char *reply, ssize_t len)
{
    const char *last = reply;
    const char *cp;

    /* The code of a multi-line reply is that of its last line. */
    for (cp = reply; cp < reply + len - 1; cp++)
	if (*cp == '\n')
	    last = cp + 1;
    return (reply + len - last >= 3
	    && (strncmp(last, "421", 3) == 0 || strncmp(last, "521", 3) == 0));
}

/* xsd_reply - act on one complete smtpd reply, and relay it */

static void xsd_reply(XSD_STATE *state, const char *reply, ssize_t len)
{
    int     kind = xsd_pend_pop(state);
    int     code = (len >= 3 ? reply[0] : 0);
    int     is250 = (len >= 3 && strncmp(reply, "250", 3) == 0);
    VSTRING *hdr;

    if (msg_verbose)
	msg_info("> %s: %.*s", state->namaddr, (int) (len > 100 ? 100 : len),
		 reply);

    /*
     * 421 and 521 close the channel (smtpd(8) hangs up after them): from
     * here on the client hears only what smtpd(8) still says, nothing of
     * ours (e.g. no 503 to a pipelined XCRYPT OK).
     */
    if (xsd_reply_closes(reply, len))
	XSD_SET(state, XSD_FLAG_SMTPD_BYE);
    switch (kind) {
    case XSD_K_EHLO:
	if (is250) {
	    XSD_SET(state, XSD_FLAG_EHLO_OK);
	    XSD_CLR(state, XSD_FLAG_IN_TX);
	    xsd_ehlo_reply(state, reply, len);
	    return;
	}
	break;
    case XSD_K_HELO:
	if (is250)
	    XSD_CLR(state, XSD_FLAG_EHLO_OK | XSD_FLAG_IN_TX);
	break;
    case XSD_K_MAIL:
	if (code == '2')
	    XSD_SET(state, XSD_FLAG_IN_TX);
	break;
    case XSD_K_RSET:
	if (code == '2')
	    XSD_CLR(state, XSD_FLAG_IN_TX);
	break;
    case XSD_K_DATA:
	XSD_CLR(state, XSD_FLAG_HOLD);
	if (len >= 3 && strncmp(reply, "354", 3) == 0) {
	    xsd_client_put(state, reply, len);
	    state->mode = XSD_MODE_DATA;
	    state->dot_state = XSD_DOT_BOL;
	    XSD_CLR(state, XSD_FLAG_PREV_BARE);
	    xsd_pend_push(state, XSD_K_DOT);
	    if (xsd_want_header(state)) {
		hdr = vstring_alloc(200);
		xsd_trace_header(state, hdr);
		xsd_smtpd_put(state, STR(hdr), LEN(hdr));
		vstring_free(hdr);
	    }
	    return;
	}
	break;
    case XSD_K_DOT:
    case XSD_K_BDAT_LAST:
	XSD_CLR(state, XSD_FLAG_IN_TX);
	break;
    case XSD_K_STARTTLS:
	XSD_CLR(state, XSD_FLAG_HOLD);
	if (len >= 3 && strncmp(reply, "220", 3) == 0) {
	    XSD_SET(state, XSD_FLAG_TLS);
	    state->mode = XSD_MODE_OPAQUE;
	}
	break;
    case XSD_K_AUTH:
	XSD_CLR(state, XSD_FLAG_HOLD);
	if (len >= 3 && strncmp(reply, "334", 3) == 0)
	    state->mode = XSD_MODE_AUTH;
	break;
    }
    xsd_client_put(state, reply, len);
}

/* xsd_smtpd_process - split smtpd output into replies */

void    xsd_smtpd_process(XSD_STATE *state)
{
    const char *start = STR(state->sbuf);
    const char *end = start + LEN(state->sbuf);
    const char *cp = start;
    const char *line;
    const char *nl;
    ssize_t used = 0;

    if (LEN(state->sbuf) > 0)
	XSD_SET(state, XSD_FLAG_SMTPD_SPOKE);
    while (cp < end) {
	if (state->mode == XSD_MODE_OPAQUE) {
	    xsd_client_put(state, cp, end - cp);
	    cp = end;
	    used = end - start;
	    break;
	}
	line = cp;
	if ((nl = memchr(line, '\n', end - line)) == 0)
	    break;
	cp = nl + 1;
	/* A line "NNN-..." continues the reply. */
	if (nl - line >= 4 && line[3] == '-')
	    continue;
	xsd_reply(state, start + used, cp - (start + used));
	used = cp - start;
    }
    if (used > 0) {
	memmove(STR(state->sbuf), start + used, LEN(state->sbuf) - used);
	vstring_truncate(state->sbuf, LEN(state->sbuf) - used);
	VSTRING_TERMINATE(state->sbuf);
    }
}

/* xsd_proto_start - a new session: the greeting comes first */

void    xsd_proto_start(XSD_STATE *state)
{
    xsd_pend_push(state, XSD_K_GREET);
}
