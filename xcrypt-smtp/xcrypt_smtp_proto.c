/*++
/* NAME
/*	xcrypt_smtp_proto 3
/* SUMMARY
/*	the SMTP and XCRYPT dialogue with one server
/* SYNOPSIS
/*	#include "xcrypt_smtp.h"
/*
/*	int	xs_session(state)
/*	XS_STATE *state;
/*
/*	void	xs_rcpt_final(state, n, accepted_only, relay)
/*	XS_STATE *state;
/*	int	n;
/*	int	accepted_only;
/*	const char *relay;
/*
/*	void	xs_fail_pending(state, final)
/*	XS_STATE *state;
/*	int	final;
/* DESCRIPTION
/*	xs_session() runs one SMTP session over state->stream, which
/*	xcrypt_smtp_connect.c has just connected: greeting, EHLO (HELO
/*	when EHLO is refused), the XCRYPT handshake of spec section 4
/*	when the server offers it and the policy allows (else STARTTLS
/*	when offered, else plaintext), then MAIL FROM, one RCPT TO per
/*	pending recipient, DATA, the message as Postfix stored it, and
/*	QUIT. A message of up to 512 kB to a server that offers CHUNKING
/*	and PIPELINING goes out instead as "BDAT \fIcount\fR LAST" with
/*	the message, in the group of MAIL FROM, RCPT TO and QUIT (RFC
/*	3030; xcrypt_smtp_chunking = no turns this off). Commands are
/*	pipelined when the server offers PIPELINING,
/*	except XCRYPT, XCRYPT OK/FAIL and STARTTLS, which each end a
/*	group (spec 4.3); QUIT goes out with the end of data, as smtp(8)
/*	does. After the XCRYPT switch, EHLO is sent again only with
/*	xcrypt_smtp_ehlo_after_xcrypt = yes (spec 4.3 makes it optional).
/*	It closes the stream and returns XS_SESS_DONE when no other
/*	server should be tried, XS_SESS_NEXT otherwise; state->why then
/*	says what went wrong.
/*
/*	Opportunistic TLS as smtp(8) at level "may": when the STARTTLS
/*	handshake fails, or a TLS session is lost or times out with
/*	recipients left that this server has not answered, the session
/*	sets state->tls_retry_plain (and logs "retrying host[addr]:port
/*	in plaintext") so that the caller connects to the same address
/*	again with state->tls_disabled; but only for mail that has been
/*	queued for $minimal_backoff_time (or an address probe): new mail
/*	is deferred with "Cannot start TLS: handshake failure" and tries
/*	TLS again first.
/*
/*	A session that breaks (EOF, timeout, a read error such as an
/*	XCRYPT record that does not verify) never reports a recipient
/*	sent: only the server's 2xx reply to the end of data does. The
/*	reason is "lost connection with host[addr] while <stage>" (with
/*	": XCRYPT data from the server failed to verify" for a bad record),
/*	or "conversation with host[addr] timed out while <stage>", and
/*	the recipients go to the next server or are deferred.
/*
/*	Per recipient: a 2xx reply to the end of data means sent(), a
/*	5xx reply bounce_append(), a 4xx reply defer_append(), except
/*	that a temporary failure leaves the recipient for the next
/*	server when this is not the last one, as smtp(8) does. A
/*	message is reported sent only after the server's reply to the
/*	end of data.
/*
/*	A greeting other than 2xx is "host host[addr] refused to talk
/*	to me: reply", as with smtp(8): a 5xx greeting counts as
/*	temporary unless smtp_skip_5xx_greeting = no; the recipients
/*	go to the next server (the reason is logged) or, at the last
/*	one, are deferred or bounced at once.
/*
/*	At security level encrypt, a server without XCRYPT, or a failed
/*	handshake, ends the session with a 4.7.4 reason that says so.
/*	At level may, a refused or failed handshake continues in
/*	plaintext (spec 4.1, 4.2); a connection that breaks after the
/*	switch is a failed delivery to that server (spec 4.4).
/*
/*	As smtp(8), and proven against it by tests/smtp_semantics.test:
/*	a message larger than the server's EHLO SIZE limit bounces
/*	(5.3.4) without MAIL FROM; mail that needs SMTPUTF8 bounces
/*	(5.6.7) when the server does not offer it; 8-bit MIME content
/*	for a server without 8BITMIME is converted to quoted-printable
/*	(and SIZE is not announced); lines longer than
/*	$xcrypt_smtp_line_length_limit (0: never) are broken with
/*	<CR><LF><SPACE>;
/*	envelope addresses are quoted per smtp_quote_rfc821_envelope;
/*	ORCPT comes before NOTIFY; with a DSN-capable server, no
/*	"relayed" success notice is sent; a pipelined reply that is
/*	lost is reported "while sending" the command it answers.
/*
/*	xs_fail_pending() defers or bounces every recipient that is not
/*	yet final with the reason in state->why; with final zero, a
/*	temporary reason leaves them for the next server.
/*
/*	xs_rcpt_final() reports recipient n with state->why: sent for a
/*	2.x.x status, deferred for 4.x.x, bounced for 5.x.x.
/* SEE ALSO
/*	smtp_proto(3) in the Postfix source, ../shared/XCRYPT-PROTOCOL.md
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>
#include <ctype.h>
#include <stdlib.h>
#include <errno.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstring.h>
#include <vstream.h>
#include <argv.h>
#include <stringops.h>
#include <split_at.h>

/* Global library. */

#include <mail_params.h>
#include <mail_proto.h>
#include <deliver_request.h>
#include <deliver_completed.h>
#include <dsn_buf.h>
#include <dsn_util.h>
#include <dsn_mask.h>
#include <sent.h>
#include <defer.h>
#include <bounce.h>
#include <record.h>
#include <rec_type.h>
#include <smtp_stream.h>
#include <xtext.h>
#include <smtputf8.h>
#include <quote_822_local.h>
#include <quote_821_local.h>
#include <uxtext.h>
#include <mime_state.h>
#include <off_cvt.h>

/* Application-specific. */

#include "xcrypt_smtp.h"

#define STR(x)	vstring_str(x)
#define LEN(x)	VSTRING_LEN(x)

#define XS_REPLY_LINE_MAX	4096	/* one reply line */
#define XS_REPLY_LINES_MAX	100	/* lines of one reply */

#define BOUNCE_FLAGS(request) DEL_REQ_TRACE_FLAGS((request)->flags)

 /*
  * Outcome of the XCRYPT handshake.
  */
#define XS_XC_ON	0		/* switched */
#define XS_XC_PLAIN	1		/* declined or fell back */
#define XS_XC_BROKEN	2		/* connection unusable */

/* xs_resp_create - reply buffers */

static XS_RESP *xs_resp_create(void)
{
    XS_RESP *resp = (XS_RESP *) mymalloc(sizeof(*resp));

    resp->code = 0;
    resp->dsn[0] = 0;
    resp->str = vstring_alloc(100);
    resp->lines = argv_alloc(10);
    return (resp);
}

/* xs_resp_free - release reply buffers */

static void xs_resp_free(XS_RESP *resp)
{
    vstring_free(resp->str);
    argv_free(resp->lines);
    myfree((void *) resp);
}

/* xs_get_reply - read one possibly multi-line reply */

static void xs_get_reply(XS_STATE *state, XS_RESP *resp)
{
    const char *line;
    size_t  dsn_len;
    int     more;
    int     nlines = 0;

    VSTRING_RESET(resp->str);
    argv_truncate(resp->lines, 0);
    resp->code = 0;
    resp->dsn[0] = 0;

    do {
	(void) smtp_get(state->buf, state->stream, XS_REPLY_LINE_MAX,
			SMTP_GET_FLAG_SKIP);
	line = STR(state->buf);
	if (msg_verbose)
	    msg_info("< %s: %s", STR(state->namaddrport), line);
	if (nlines++ < XS_REPLY_LINES_MAX) {
	    if (LEN(resp->str))
		VSTRING_ADDCH(resp->str, ' ');
	    vstring_strcat(resp->str, line);
	}
	more = (LEN(state->buf) >= 4 && line[3] == '-');
	if (LEN(state->buf) >= 3 && ISDIGIT(line[0]) && ISDIGIT(line[1])
	    && ISDIGIT(line[2]) && (line[3] == 0 || line[3] == ' '
				    || line[3] == '-')) {
	    if (nlines == 1)
		resp->code = atoi(line) > 0 ? (line[0] - '0') * 100
		    + (line[1] - '0') * 10 + (line[2] - '0') : 0;
	    argv_add(resp->lines, line[3] ? line + 4 : "", (char *) 0);
	} else {
	    /* Not an SMTP reply line: treat the reply as malformed. */
	    resp->code = 0;
	    argv_add(resp->lines, line, (char *) 0);
	    more = 0;
	}
    } while (more);
    VSTRING_TERMINATE(resp->str);

    /*
     * Enhanced status code from the first line, or one made up from the
     * reply class, as smtp(8) does.
     */
    if (resp->code >= 200 && resp->code <= 599) {
	line = resp->lines->argv[0];
	if ((dsn_len = dsn_valid(line)) > 0 && dsn_len < sizeof(resp->dsn)
	    && line[0] == STR(resp->str)[0]) {
	    memcpy(resp->dsn, line, dsn_len);
	    resp->dsn[dsn_len] = 0;
	} else {
	    snprintf(resp->dsn, sizeof(resp->dsn), "%c.0.0", '0' + resp->code / 100);
	}
    } else {
	resp->code = 0;
	strcpy(resp->dsn, "5.5.2");		/* protocol error */
    }
}

/* xs_command - send one command, flush unless pipelining */

static void xs_command(XS_STATE *state, int flush, const char *cmd)
{
    if (msg_verbose)
	msg_info("> %s: %s", STR(state->namaddrport), cmd);
    smtp_fputs(cmd, strlen(cmd), state->stream);
    if (flush)
	smtp_flush(state->stream);
}

/* xs_reply_why - make state->why from a failed reply */

static void xs_reply_why(XS_STATE *state, XS_RESP *resp, const char *command)
{
    char    dsn[sizeof(resp->dsn)];

    /* A malformed reply is a temporary problem with this server. */
    strcpy(dsn, resp->code ? resp->dsn : "4.5.0");
    if (resp->code >= 200 && resp->code < 400)
	dsn[0] = '4';
    dsb_update(state->why, dsn, DSB_DEF_ACTION, DSB_MTYPE_DNS,
	       STR(state->host), DSB_DTYPE_SMTP, STR(resp->str),
	       "host %s said: %s (in reply to %s)", STR(state->namaddr),
	       printable(STR(resp->str), '?'), command);
}

/* xs_greeting_why - make state->why from a refused greeting */

static void xs_greeting_why(XS_STATE *state, XS_RESP *resp)
{
    char    dsn[sizeof(resp->dsn)];

    /*
     * As smtp(8): a 5XX greeting only means "not this server" unless
     * smtp_skip_5xx_greeting = no; a malformed one is temporary.
     */
    strcpy(dsn, resp->code ? resp->dsn : "4.5.0");
    if (resp->code < 400 || (resp->code >= 500 && var_xs_skip_5xx))
	dsn[0] = '4';
    dsb_update(state->why, dsn, DSB_DEF_ACTION, DSB_MTYPE_DNS,
	       STR(state->host), DSB_DTYPE_SMTP, STR(resp->str),
	       "host %s refused to talk to me: %s", STR(state->namaddr),
	       printable(STR(resp->str), '?'));
}

/* xs_stamp_done - delays= bookkeeping before a final status */

static void xs_stamp_done(XS_STATE *state)
{
    MSG_STATS *stats = &state->request->msg_stats;

    if (stats->conn_setup_done.tv_sec == 0) {
	GETTIMEOFDAY(&stats->conn_setup_done);
	stats->deliver_done = stats->conn_setup_done;
    } else
	GETTIMEOFDAY(&stats->deliver_done);
}

/* xs_rcpt_final - report one recipient with state->why */

void    xs_rcpt_final(XS_STATE *state, int n, int unused, const char *relay)
{
    DELIVER_REQUEST *request = state->request;
    RECIPIENT *rcpt = request->rcpt_list.info + n;
    int     status;
    int     kind = STR(state->why->status)[0];

    if (state->rcpt_status[n] != XS_RCPT_PENDING)
	msg_panic("xs_rcpt_final: recipient <%s> already final", rcpt->address);
    (void) DSN_FROM_DSN_BUF(state->why);
    if (kind == '2') {
	/* As smtp(8): the server took over DSN; no "relayed" notice. */
	if (state->features & XS_FEATURE_DSN)
	    rcpt->dsn_notify &= ~DSN_NOTIFY_SUCCESS;
	status = sent(BOUNCE_FLAGS(request), request->queue_id,
		      &request->msg_stats, rcpt, relay, &state->why->dsn);
	if (status == 0 && (request->flags & DEL_REQ_FLAG_SUCCESS))
	    deliver_completed(state->src, rcpt->offset);
    } else {
	status = (kind == '5' ? bounce_append : defer_append)
	    (BOUNCE_FLAGS(request), request->queue_id, &request->msg_stats,
	     rcpt, relay, &state->why->dsn);
	if (status == 0)
	    deliver_completed(state->src, rcpt->offset);
    }
    state->rcpt_status[n] = XS_RCPT_DONE;
    state->pending--;
    state->status |= status;
}

/* xs_rcpt_fail - a recipient failed: final now, or kept for the next host */

static void xs_rcpt_fail(XS_STATE *state, int n)
{
    state->rcpt_accepted[n] = XS_RCPT_REJECTED;
    if (STR(state->why->status)[0] == '4' && !state->final_server) {
	msg_info("%s: %s", state->request->queue_id, STR(state->why->reason));
	return;
    }
    xs_stamp_done(state);
    xs_rcpt_final(state, n, 0, STR(state->namaddrport));
}

/* xs_rcpt_reply - account for one recipient's reply to RCPT TO */

static int xs_rcpt_reply(XS_STATE *state, XS_RESP *resp, int n)
{
    if (resp->code / 100 == 2) {
	state->rcpt_accepted[n] = XS_RCPT_ACCEPTED;
	return (1);
    }
    xs_reply_why(state, resp, "RCPT TO command");
    xs_rcpt_fail(state, n);
    return (0);
}

/* xs_fail_pending - fail every recipient that is not yet final */

void    xs_fail_pending(XS_STATE *state, int final)
{
    int     n;

    if (STR(state->why->status)[0] == '4' && !final) {
	msg_info("%s: %s", state->request->queue_id, STR(state->why->reason));
	return;
    }
    xs_stamp_done(state);
    for (n = 0; n < state->request->rcpt_list.len; n++)
	if (state->rcpt_status[n] == XS_RCPT_PENDING)
	    xs_rcpt_final(state, n, 0, STR(state->namaddrport));
}

/* xs_fail_accepted - the transaction failed for the accepted recipients */

static void xs_fail_accepted(XS_STATE *state)
{
    int     n;

    for (n = 0; n < state->request->rcpt_list.len; n++)
	if (state->rcpt_accepted[n] == XS_RCPT_ACCEPTED
	    && state->rcpt_status[n] == XS_RCPT_PENDING)
	    xs_rcpt_fail(state, n);
}

/* xs_ehlo - EHLO, or HELO if EHLO is refused; learn the features */

static int xs_ehlo(XS_STATE *state, XS_RESP *resp)
{
    char  **cpp;
    const char *cp;
    size_t  len;

    state->where = "performing the EHLO handshake";
    smtp_stream_setup(state->stream, var_xs_helo_tmout, 0, 0);
    vstring_sprintf(state->cmd, "EHLO %s", var_xs_helo_name);
    xs_command(state, 1, STR(state->cmd));
    xs_get_reply(state, resp);
    state->features = 0;
    state->size_limit = 0;
    state->offered.count = 0;
    if (resp->code / 100 == 2) {
	state->features |= XS_FEATURE_ESMTP;
	cp = resp->lines->argv[0];
	len = strcspn(cp, " \t");
	vstring_strncpy(state->helo_name, cp, len);
	for (cpp = resp->lines->argv + 1; *cpp; cpp++) {
	    cp = *cpp;
	    len = strcspn(cp, " \t");
#define KW(s) (len == sizeof(s) - 1 && strncasecmp(cp, (s), len) == 0)
	    if (KW("PIPELINING"))
		state->features |= XS_FEATURE_PIPELINING;
	    else if (KW("SIZE")) {
		state->features |= XS_FEATURE_SIZE;
		cp += len;
		cp += strspn(cp, " \t");
		len = strcspn(cp, " \t");
		if (len > 0 && cp[len] == 0) {
		    if (!alldig(cp))
			msg_warn("bad EHLO SIZE limit \"%s\" from %s",
				 cp, STR(state->namaddrport));
		    else
			state->size_limit = off_cvt_string(cp);
		}
	    }
	    else if (KW("8BITMIME"))
		state->features |= XS_FEATURE_8BITMIME;
	    else if (KW("DSN"))
		state->features |= XS_FEATURE_DSN;
	    else if (KW("SMTPUTF8"))
		state->features |= XS_FEATURE_SMTPUTF8;
	    else if (KW("STARTTLS"))
		state->features |= XS_FEATURE_STARTTLS;
	    else if (KW("CHUNKING"))
		state->features |= XS_FEATURE_CHUNKING;
	    else if (xc_parse_ehlo_keyword(cp, strlen(cp), &state->offered) == 1)
		state->features |= XS_FEATURE_XCRYPT;
	}

	/*
	 * As smtp(8): a server with SMTPUTF8 but without 8BITMIME gets
	 * 8-bit mail as is.
	 */
	if ((state->features & XS_FEATURE_SMTPUTF8)
	    && (state->features & XS_FEATURE_8BITMIME) == 0) {
	    msg_info("host %s offers SMTPUTF8 support, but not 8BITMIME",
		     STR(state->namaddr));
	    state->features |= XS_FEATURE_8BITMIME;
	}
	return (0);
    }
    vstring_sprintf(state->cmd, "HELO %s", var_xs_helo_name);
    xs_command(state, 1, STR(state->cmd));
    xs_get_reply(state, resp);
    if (resp->code / 100 == 2) {
	vstring_strcpy(state->helo_name, "");
	return (0);
    }
    xs_reply_why(state, resp, "HELO command");
    return (-1);
}

/* xs_choose_suite - first server suite that our policy allows */

static const XC_SUITE *xs_choose_suite(XS_STATE *state)
{
    int     n;

    for (n = 0; n < state->offered.count; n++)
	if (xc_suite_list_has(&xs_suites, state->offered.ids[n]))
	    return (xc_suite(state->offered.ids[n]));
    return (0);
}

/* xs_xcrypt - the handshake of spec section 4 */

static int xs_xcrypt(XS_STATE *state, const XC_SUITE *suite, XS_RESP *resp)
{
    XC_SESSION sess;
    XC_HELLO hello;
    char    line[XC_LINE_MAX + 1];
    const char *why = 0;
    const char *text;
    ssize_t len;
    ssize_t discarded;
    int     err;

    state->where = "performing the XCRYPT handshake";
    smtp_stream_setup(state->stream, var_xs_cmd_tmout, 0, 0);
    memset(&sess, 0, sizeof(sess));
    memset(&hello, 0, sizeof(hello));

    if ((err = xc_session_start(&sess, xs_cache, suite, XC_ROLE_CLIENT)) != XC_OK
	|| (len = xc_format_hello(line, sizeof(line), suite, sess.pair.pub,
				  sess.nonce)) < 0) {
	msg_warn("%s: XCRYPT with %s: cannot start handshake: %s",
		 state->request->queue_id, STR(state->namaddrport),
		 xc_strerror(err));
	xc_session_wipe(&sess);
	dsb_simple(state->why, "4.7.4", "XCRYPT handshake with %s failed: "
		   "local error: %s", STR(state->namaddr), xc_strerror(err));
	return (XS_XC_PLAIN);
    }

    /*
     * XCRYPT ends a pipelined group: wait for the reply (spec 4.3).
     */
    xs_command(state, 1, line);
    xs_get_reply(state, resp);
    if (resp->code != 250) {
	msg_info("%s: XCRYPT refused by %s: %s", state->request->queue_id,
		 STR(state->namaddrport), printable(STR(resp->str), '?'));
	xc_session_wipe(&sess);
	xs_reply_why(state, resp, "XCRYPT command");
	return (XS_XC_PLAIN);
    }

    /*
     * Validate everything the server sent; on any doubt, XCRYPT FAIL and
     * plaintext (spec 4.2).
     */
    text = resp->lines->argv[0];
    if (resp->lines->argc != 1)
	why = "multi-line reply to XCRYPT";
    else if ((err = xc_parse_hello_reply(text, strlen(text), suite, &hello,
					 &why)) != XC_OK) {
	if (why == 0 || *why == 0)
	    why = xc_strerror(err);
    } else if ((err = xc_session_finish(&sess, xs_cache, &hello)) != XC_OK)
	why = xc_strerror(err);
    else
	why = 0;				/* the parser sets "" on success */
    if (why != 0) {
	msg_warn("%s: XCRYPT with %s: bad reply: %s", state->request->queue_id,
		 STR(state->namaddrport), why);
	dsb_simple(state->why, "4.7.4", "XCRYPT handshake with %s failed: %s",
		   STR(state->namaddr), why);
	xc_session_wipe(&sess);
	memset(&hello, 0, sizeof(hello));
	xs_command(state, 1, "XCRYPT FAIL");
	xs_get_reply(state, resp);
	return (XS_XC_PLAIN);
    }
    memset(&hello, 0, sizeof(hello));

    xs_command(state, 1, "XCRYPT OK");
    xs_get_reply(state, resp);
    if (resp->code != 250) {
	msg_info("%s: XCRYPT confirmation refused by %s: %s",
		 state->request->queue_id, STR(state->namaddrport),
		 printable(STR(resp->str), '?'));
	xs_reply_why(state, resp, "XCRYPT OK command");
	xc_session_wipe(&sess);
	return (XS_XC_PLAIN);
    }
    if (resp->lines->argc != 1
	|| strcasecmp(resp->lines->argv[0], "XCRYPT OK") != 0) {
	msg_warn("%s: XCRYPT with %s: unexpected confirmation: %s",
		 state->request->queue_id, STR(state->namaddrport),
		 printable(STR(resp->str), '?'));
	dsb_simple(state->why, "4.7.4", "XCRYPT handshake with %s failed: "
		   "unexpected reply to XCRYPT OK", STR(state->namaddr));
	xc_session_wipe(&sess);
	return (XS_XC_BROKEN);
    }

    /*
     * The switch. xc_stream_start() drops whatever the server sent beyond
     * the CRLF of "250 XCRYPT OK": it cannot be genuine (spec 4.3).
     */
    discarded = xc_stream_start(state->stream, suite, &sess.keys, XC_ROLE_CLIENT);
    if (discarded < 0) {
	msg_warn("%s: XCRYPT with %s: cannot switch: %s",
		 state->request->queue_id, STR(state->namaddrport),
		 xc_strerror((int) discarded));
	dsb_simple(state->why, "4.7.4", "XCRYPT handshake with %s failed: "
		   "local error: %s", STR(state->namaddr),
		   xc_strerror((int) discarded));
	xc_session_wipe(&sess);
	return (XS_XC_BROKEN);
    }
    if (discarded > 0)
	msg_warn("%s: XCRYPT with %s: discarded %ld octets sent before the "
		 "switch (possible injection)", state->request->queue_id,
		 STR(state->namaddrport), (long) discarded);
    state->xcrypt_active = 1;
    msg_info("%s: XCRYPT session to %s: suite=%s group=%s cache=%s "
	     "fingerprint=%s", state->request->queue_id,
	     STR(state->namaddrport), suite->name, xc_group(suite->group)->name,
	     sess.cache_hit ? "hit" : "miss", sess.fingerprint);
    xc_session_wipe(&sess);
    return (XS_XC_ON);
}

/* xs_quote_addr - envelope address as smtp(8) sends it */

static const char *xs_quote_addr(VSTRING *buf, const char *addr)
{
    if (*addr && var_xs_quote_821_env)
	quote_821_local(buf, addr);
    else
	vstring_strcpy(buf, addr);
    return (STR(buf));
}

 /*
  * As smtp(8): 8-bit content (or content of unknown encoding) for a server
  * without 8BITMIME is converted to 7-bit MIME, unless that is turned off.
  */
#define XS_MIME_DOWNGRADE(state) \
    (var_disable_mime_oconv == 0 \
     && ((state)->features & XS_FEATURE_8BITMIME) == 0 \
     && strcmp((state)->request->encoding, MAIL_ATTR_ENC_7BIT) != 0)

/* xs_mail_command - MAIL FROM with the parameters the server supports */

static void xs_mail_command(XS_STATE *state)
{
    DELIVER_REQUEST *request = state->request;
    VSTRING *tmp = vstring_alloc(100);

    vstring_sprintf(state->cmd, "MAIL FROM:<%s>",
		    xs_quote_addr(tmp, request->sender));
    vstring_free(tmp);
    /* The size after a downgrade is unknown: don't announce it. */
    if ((state->features & XS_FEATURE_SIZE) && !XS_MIME_DOWNGRADE(state))
	vstring_sprintf_append(state->cmd, " SIZE=%lu",
			       (unsigned long) request->data_size);
    if (state->features & XS_FEATURE_8BITMIME) {
	if (strcmp(request->encoding, MAIL_ATTR_ENC_8BIT) == 0)
	    vstring_strcat(state->cmd, " BODY=8BITMIME");
	else if (strcmp(request->encoding, MAIL_ATTR_ENC_7BIT) == 0)
	    vstring_strcat(state->cmd, " BODY=7BIT");
	else if (strcmp(request->encoding, MAIL_ATTR_ENC_NONE) != 0)
	    msg_warn("%s: unknown content encoding: %s",
		     request->queue_id, request->encoding);
    }
    if (state->features & XS_FEATURE_DSN) {
	if (request->dsn_envid[0]) {
	    vstring_strcat(state->cmd, " ENVID=");
	    xtext_quote_append(state->cmd, request->dsn_envid, "+=");
	}
	if (request->dsn_ret)
	    vstring_sprintf_append(state->cmd, " RET=%s",
				   dsn_ret_str(request->dsn_ret));
    }
    if ((state->features & XS_FEATURE_SMTPUTF8)
	&& (request->smtputf8 & SMTPUTF8_FLAG_REQUESTED))
	vstring_strcat(state->cmd, " SMTPUTF8");
}

/* xs_rcpt_command - RCPT TO with NOTIFY and ORCPT when supported */

static void xs_rcpt_command(XS_STATE *state, RECIPIENT *rcpt)
{
    VSTRING *tmp = vstring_alloc(100);
    VSTRING *tmp2;
    const char *orcpt = rcpt->dsn_orcpt;

    vstring_sprintf(state->cmd, "RCPT TO:<%s>",
		    xs_quote_addr(tmp, rcpt->address));
    if ((state->features & XS_FEATURE_DSN) == 0) {
	vstring_free(tmp);
	return;
    }

    /*
     * As smtp(8): ORCPT first, from the original address when the sender
     * gave none, typed utf-8 only for mail that asked for SMTPUTF8; then
     * NOTIFY.
     */
    tmp2 = vstring_alloc(100);
    if (orcpt[0] == 0 && rcpt->orig_addr[0] != 0) {
	quote_822_local(tmp, rcpt->orig_addr);
	vstring_sprintf(tmp2, "%s;%s",
			(state->request->smtputf8 != 0 && !allascii(STR(tmp))) ?
			"utf-8" : "rfc822", STR(tmp));
	orcpt = STR(tmp2);
    }
    if (orcpt[0] != 0) {
	if (strncasecmp(orcpt, "utf-8;", 6) == 0) {
	    if (uxtext_quote(tmp, orcpt, "+=") != 0)
		vstring_sprintf_append(state->cmd, " ORCPT=%s", STR(tmp));
	} else {
	    xtext_quote(tmp, orcpt, "=");
	    vstring_sprintf_append(state->cmd, " ORCPT=%s", STR(tmp));
	}
    }
    if (rcpt->dsn_notify)
	vstring_sprintf_append(state->cmd, " NOTIFY=%s",
			       dsn_notify_str(rcpt->dsn_notify));
    vstring_free(tmp);
    vstring_free(tmp2);
}

/* xs_put - message text to the server, or to the BDAT chunk */

static void xs_put(XS_STATE *state, const char *text, ssize_t len, int eol)
{
    if (state->chunk) {
	vstring_memcat(state->chunk, text, len);
	if (eol)
	    vstring_memcat(state->chunk, "\r\n", 2);
    } else if (eol) {
	smtp_fputs(text, len, state->stream);
    } else {
	smtp_fwrite(text, len, state->stream);
    }
}

/* xs_text_out - one header or body record, dot-stuffed, lines limited */

static void xs_text_out(void *context, int rec_type, const char *text,
			        ssize_t len, off_t unused_offset)
{
    XS_STATE *state = (XS_STATE *) context;
    ssize_t data_left = len;
    const char *data_start = text;

    /*
     * As smtp(8): stuff a dot at the start of a line (not in a BDAT
     * chunk, which has no end-of-data marker), and break lines longer than
     * $xcrypt_smtp_line_length_limit with <CR><LF><SPACE>.
     */
    do {
	if (state->space_left == var_xs_line_limit && state->chunk == 0
	    && data_left > 0 && *data_start == '.')
	    xs_put(state, ".", 1, 0);
	if (var_xs_line_limit > 0 && data_left >= state->space_left) {
	    xs_put(state, data_start, state->space_left, 1);
	    data_start += state->space_left;
	    data_left -= state->space_left;
	    state->space_left = var_xs_line_limit;
	    if (data_left > 0 || rec_type == REC_TYPE_CONT) {
		xs_put(state, " ", 1, 0);
		state->space_left -= 1;
		if (state->logged_line_limit == 0) {
		    msg_info("%s: breaking line > %d bytes with <CR><LF>SPACE",
			     state->request->queue_id, var_xs_line_limit);
		    state->logged_line_limit = 1;
		}
	    }
	} else {
	    if (rec_type == REC_TYPE_CONT) {
		xs_put(state, data_start, data_left, 0);
		state->space_left -= data_left;
	    } else {
		xs_put(state, data_start, data_left, 1);
		state->space_left = var_xs_line_limit;
	    }
	    break;
	}
    } while (data_left > 0);
}

/* xs_header_out - one (possibly folded) message header */

static void xs_header_out(void *context, int unused_class,
			          const HEADER_OPTS *unused_info,
			          VSTRING *buf, off_t offset)
{
    char   *line;
    char   *next_line;

    for (line = STR(buf); line; line = next_line) {
	next_line = split_at(line, '\n');
	xs_text_out(context, REC_TYPE_NORM, line, next_line ?
		    next_line - line - 1 : (ssize_t) strlen(line), offset);
    }
}

/* xs_mime_fail - a MIME problem while converting: the message bounces */

static void xs_mime_fail(XS_STATE *state, int mime_errs)
{
    const MIME_STATE_DETAIL *detail = mime_state_detail(mime_errs);

    dsb_simple(state->why, detail->dsn, "%s", detail->text);
    xs_fail_pending(state, 1);
}

/* xs_send_body - the message as stored (7-bit MIME for a 7-bit server) */

static int xs_send_body(XS_STATE *state)
{
    DELIVER_REQUEST *request = state->request;
    MIME_STATE *mime_state = 0;
    int     rec_type;
    int     prev_type = REC_TYPE_NORM;
    int     mime_errs = 0;

    if (vstream_fseek(state->src, request->data_offset, SEEK_SET) < 0)
	msg_fatal("seek queue file %s: %m", VSTREAM_PATH(state->src));
    if (XS_MIME_DOWNGRADE(state))
	mime_state = mime_state_alloc(MIME_OPT_DOWNGRADE
				      | MIME_OPT_REPORT_NESTING,
				      xs_header_out, (MIME_STATE_ANY_END) 0,
				      xs_text_out, (MIME_STATE_ANY_END) 0,
				      (MIME_STATE_ERR_PRINT) 0,
				      (void *) state);
    state->space_left = var_xs_line_limit;
    state->logged_line_limit = 0;

    /*
     * A long line is stored as REC_TYPE_CONT pieces ending with one
     * REC_TYPE_NORM piece: join them without inserting line breaks, and
     * dot-stuff only at the start of a real line.
     */
    while ((rec_type = rec_get(state->src, state->buf, 0)) > 0) {
	if (rec_type != REC_TYPE_NORM && rec_type != REC_TYPE_CONT)
	    break;
	if (mime_state == 0)
	    xs_text_out((void *) state, rec_type, STR(state->buf),
			LEN(state->buf), 0);
	else if ((mime_errs = mime_state_update(mime_state, rec_type,
						STR(state->buf),
						LEN(state->buf))) != 0)
	    break;
	prev_type = rec_type;
    }
    if (mime_state) {
	/* Flush what a message without a final newline left behind. */
	if (mime_errs == 0)
	    mime_errs = mime_state_update(mime_state, rec_type, "", 0);
	mime_state = mime_state_free(mime_state);
	if (mime_errs) {
	    xs_mime_fail(state, mime_errs);
	    return (-1);
	}
    } else if (prev_type == REC_TYPE_CONT)	/* a last line without newline */
	xs_put(state, "", 0, 1);
    if (rec_type != REC_TYPE_XTRA) {
	msg_warn("%s: error reading queue file %s: unexpected record type %d",
		 request->queue_id, VSTREAM_PATH(state->src), rec_type);
	dsb_simple(state->why, "4.3.0", "error reading queue file");
	xs_fail_pending(state, 1);
	return (-1);
    }
    return (0);
}

 /*
  * Where a session that breaks after the end of the message was sent
  * stands (smtp(8)'s words).
  */
#define XS_WHERE_EOD	"sending end of data -- message may be sent more than once"

/* xs_end_of_data - the reply to the end of the message */

static void xs_end_of_data(XS_STATE *state, XS_RESP *resp, const char *command)
{
    DELIVER_REQUEST *request = state->request;
    int     n;

    if (resp->code / 100 == 2) {
	dsb_update(state->why, resp->dsn, "relayed", DSB_MTYPE_DNS,
		   STR(state->host), DSB_DTYPE_SMTP, STR(resp->str),
		   "%s", printable(STR(resp->str), '?'));
	xs_stamp_done(state);
	for (n = 0; n < request->rcpt_list.len; n++)
	    if (state->rcpt_accepted[n] == XS_RCPT_ACCEPTED
		&& state->rcpt_status[n] == XS_RCPT_PENDING)
		xs_rcpt_final(state, n, 0, STR(state->namaddrport));
    } else {
	xs_reply_why(state, resp, command);
	xs_fail_accepted(state);
    }
}

/* xs_transaction - MAIL, RCPT, DATA or BDAT, message, end of data */

static void xs_transaction(XS_STATE *state, XS_RESP *resp)
{
    static VSTRING *chunk;
    DELIVER_REQUEST *request = state->request;
    int     pipelining = (state->features & XS_FEATURE_PIPELINING) != 0;
    int     bdat;
    int     ready;
    int    *sent_rcpt;
    int     nsent = 0;
    int     naccepted = 0;
    int     mail_ok = 1;
    int     n;
    int     i;

    /*
     * As smtp(8): not even MAIL FROM for a message larger than the
     * server's SIZE limit.
     */
    if (state->size_limit > 0 && state->size_limit < request->data_size) {
	dsb_simple(state->why, "5.3.4", "message size %lu exceeds size "
		   "limit %.0f of server %s", (unsigned long) request->data_size,
		   (double) state->size_limit, STR(state->namaddr));
	xs_fail_pending(state, 1);
	return;
    }
    request->msg_stats.reuse_count = 0;
    GETTIMEOFDAY(&request->msg_stats.conn_setup_done);

    /*
     * A small message to a server with CHUNKING and PIPELINING goes out as
     * one BDAT chunk in the group of MAIL and RCPT (RFC 3030), instead of
     * waiting for the reply to DATA. It is made ready before anything is
     * sent, so that a problem with the queue file or the MIME conversion
     * leaves the server with no transaction at all.
     */
    bdat = (var_xs_chunking && pipelining
	    && (state->features & XS_FEATURE_CHUNKING)
	    && request->data_size <= XS_BDAT_MAX);
    if (bdat) {
	if (chunk == 0)
	    chunk = vstring_alloc(VSTREAM_BUFSIZE);
	VSTRING_RESET(chunk);
	state->chunk = chunk;
	ready = xs_send_body(state);
	state->chunk = 0;
	if (ready < 0)
	    return;
    }
    state->where = "sending MAIL FROM";
    smtp_stream_setup(state->stream, var_xs_cmd_tmout, 0, 0);
    sent_rcpt = (int *) mymalloc(sizeof(int) * request->rcpt_list.len);

    /*
     * Without PIPELINING: one command, one reply. With it: MAIL, every
     * RCPT and DATA (or BDAT, the message and QUIT) in one group, then the
     * replies in order.
     */
    xs_mail_command(state);
    xs_command(state, !pipelining, STR(state->cmd));
    if (!pipelining) {
	xs_get_reply(state, resp);
	if (resp->code / 100 != 2) {
	    mail_ok = 0;
	    xs_reply_why(state, resp, "MAIL FROM command");
	    xs_fail_pending(state, state->final_server);
	    myfree((void *) sent_rcpt);
	    return;
	}
    }
    state->where = "sending RCPT TO";
    for (n = 0; n < request->rcpt_list.len; n++) {
	if (state->rcpt_status[n] != XS_RCPT_PENDING)
	    continue;
	xs_rcpt_command(state, request->rcpt_list.info + n);
	xs_command(state, !pipelining, STR(state->cmd));
	sent_rcpt[nsent++] = n;
	if (!pipelining) {
	    xs_get_reply(state, resp);
	    naccepted += xs_rcpt_reply(state, resp, n);
	}
    }
    if (!pipelining && naccepted == 0) {
	myfree((void *) sent_rcpt);
	return;
    }
    if (bdat) {
	state->where = "sending message body";
	smtp_stream_setup(state->stream, var_xs_data_tmout, 0, 0);
	vstring_sprintf(state->cmd, "BDAT %ld LAST", (long) LEN(chunk));
	xs_command(state, 0, STR(state->cmd));
	smtp_fwrite(STR(chunk), LEN(chunk), state->stream);
	xs_command(state, 1, "QUIT");
	state->quit_sent = 1;
    } else {
	state->where = "sending DATA command";
	xs_command(state, 1, "DATA");
    }
    if (pipelining) {

	/*
	 * As smtp(8): a lost reply is lost "while sending" its command; once
	 * BDAT LAST is out, the server may have taken the message.
	 */
	state->where = bdat ? XS_WHERE_EOD : "sending MAIL FROM";
	xs_get_reply(state, resp);
	if (resp->code / 100 != 2) {
	    mail_ok = 0;
	    xs_reply_why(state, resp, "MAIL FROM command");
	}
	if (!bdat)
	    state->where = "sending RCPT TO";
	for (i = 0; i < nsent; i++) {
	    n = sent_rcpt[i];
	    xs_get_reply(state, resp);
	    if (mail_ok)
		naccepted += xs_rcpt_reply(state, resp, n);
	}
    }
    myfree((void *) sent_rcpt);

    /*
     * The reply to BDAT LAST is the reply to the end of the message. When
     * MAIL or every RCPT failed, the server skipped the chunk (RFC 3030).
     */
    if (bdat) {
	xs_get_reply(state, resp);
	if (!mail_ok)
	    xs_fail_pending(state, state->final_server);
	else if (naccepted > 0)
	    xs_end_of_data(state, resp, "BDAT command");
	return;
    }
    state->where = "sending DATA command";
    xs_get_reply(state, resp);

    /*
     * Nothing to send: a server that still said 354 gets an empty message
     * that it must not deliver for want of recipients.
     */
    if (!mail_ok || naccepted == 0) {
	if (resp->code == 354) {
	    xs_command(state, 1, ".");
	    xs_get_reply(state, resp);
	}
	if (!mail_ok) {
	    /* state->why still holds the MAIL FROM reason. */
	    xs_fail_pending(state, state->final_server);
	}
	return;
    }
    if (resp->code != 354) {
	xs_reply_why(state, resp, "DATA command");
	xs_fail_accepted(state);
	return;
    }

    state->where = "sending message body";
    smtp_stream_setup(state->stream, var_xs_data_tmout, 0, 0);
    if (xs_send_body(state) < 0) {
	/* Don't send the final dot: the server must not deliver this. */
	vstream_longjmp(state->stream, SMTP_ERR_QUIET);
    }
    state->where = XS_WHERE_EOD;

    /*
     * As smtp(8) does without connection caching, pipeline QUIT after the
     * end of data when the server supports it: one round trip less.
     */
    if (pipelining) {
	xs_command(state, 0, ".");
	xs_command(state, 1, "QUIT");
	state->quit_sent = 1;
    } else {
	xs_command(state, 1, ".");
    }
    xs_get_reply(state, resp);
    xs_end_of_data(state, resp, "end of DATA command");
}

/* xs_tls_fallback - retry this address in plaintext, when smtp(8) would */

static void xs_tls_fallback(XS_STATE *state)
{
    DELIVER_REQUEST *request = state->request;
    int     n;
    int     left = 0;

    /*
     * As smtp(8) at TLS level "may": after a failed handshake, or a TLS
     * session that broke, try the same server again without STARTTLS,
     * rather than defer forever mail for a destination whose only server
     * has broken TLS. Like smtp(8), only for mail that has waited at least
     * $minimal_backoff_time (or an address probe), so that new mail first
     * tries TLS again later; and not when every recipient that is left
     * already had its answer in this session.
     */
    if (DEL_REQ_TRACE_ONLY(request->flags) == 0
	&& (request->msg_stats.active_arrival.tv_sec
	    - request->msg_stats.incoming_arrival.tv_sec
	    < var_min_backoff_time))
	return;
    for (n = 0; n < request->rcpt_list.len; n++)
	if (state->rcpt_status[n] == XS_RCPT_PENDING
	    && state->rcpt_accepted[n] != XS_RCPT_REJECTED)
	    left++;
    if (left == 0)
	return;
    state->tls_retry_plain = 1;
    msg_info("%s: %s: retrying %s in plaintext, without STARTTLS",
	     request->queue_id, STR(state->why->reason),
	     STR(state->namaddrport));
}

/* xs_quit - QUIT after the last transaction; its reply changes nothing */

static void xs_quit(XS_STATE *state, XS_RESP *resp)
{
    state->where = "sending QUIT";
    smtp_stream_setup(state->stream, var_xs_cmd_tmout, 0, 0);
    if (!state->quit_sent)
	xs_command(state, 1, "QUIT");
    state->quit_sent = 1;
    xs_get_reply(state, resp);
}

/* xs_dialog - everything between connect and QUIT */

static int xs_dialog(XS_STATE *state, XS_RESP *resp)
{
    const XC_SUITE *suite = 0;
    int     xc = XS_XC_PLAIN;
    int     tried_xcrypt = 0;

    /*
     * Greeting.
     */
    state->where = "receiving the initial server greeting";
    smtp_stream_setup(state->stream, var_xs_greet_tmout, 0, 0);
    xs_get_reply(state, resp);
    if (resp->code / 100 != 2) {
	xs_greeting_why(state, resp);
	xs_fail_pending(state, state->final_server);
	return (XS_SESS_NEXT);
    }
    if (xs_ehlo(state, resp) < 0)
	return (XS_SESS_NEXT);

    /*
     * As smtp(8), before any encryption: mail whose envelope or headers
     * need SMTPUTF8 bounces when the server does not offer it.
     */
    if ((state->features & XS_FEATURE_SMTPUTF8) == 0
	&& (state->request->smtputf8 & SMTPUTF8_FLAG_REQUESTED)
	&& (state->request->smtputf8 & ~SMTPUTF8_FLAG_REQUESTED)) {
	dsb_simple(state->why, "5.6.7", "SMTPUTF8 is required, "
		   "but was not offered by host %s", STR(state->namaddr));
	xs_fail_pending(state, 1);
	xs_quit(state, resp);
	return (XS_SESS_DONE);
    }

    /*
     * XCRYPT first when offered and allowed.
     */
    if (state->level != XS_LEVEL_NONE && (state->features & XS_FEATURE_XCRYPT)
	&& (suite = xs_choose_suite(state)) != 0) {
	tried_xcrypt = 1;
	xc = xs_xcrypt(state, suite, resp);
	if (xc == XS_XC_BROKEN)
	    return (XS_SESS_NEXT);

	/*
	 * The session state survives the switch (spec 4.3): the features
	 * of the first EHLO reply still hold, so a second EHLO is optional.
	 */
	if (xc == XS_XC_ON && var_xs_xc_ehlo && xs_ehlo(state, resp) < 0)
	    return (XS_SESS_NEXT);
    }
    if (state->level == XS_LEVEL_ENCRYPT && !state->xcrypt_active) {
	if (!tried_xcrypt)
	    dsb_simple(state->why, "4.7.4", "XCRYPT encryption required by "
		       "policy, but %s by %s",
		       (state->features & XS_FEATURE_XCRYPT) ?
		       "no allowed suite offered" : "not offered",
		       STR(state->namaddr));
	else {
	    /* The reason is formatted into the buffer it came from. */
	    VSTRING *cause = vstring_strcpy(vstring_alloc(100),
					    STR(state->why->reason));

	    dsb_simple(state->why, "4.7.4", "XCRYPT encryption required by "
		       "policy, but %s", STR(cause));
	    vstring_free(cause);
	}
	xs_command(state, 1, "QUIT");
	return (XS_SESS_NEXT);
    }

    /*
     * Otherwise opportunistic STARTTLS, so that this transport never
     * protects mail less than smtp(8) would.
     */
    if (!state->xcrypt_active && !state->tls_disabled
	&& (state->features & XS_FEATURE_STARTTLS) && xs_tls_available()) {
	state->where = "sending STARTTLS";
	smtp_stream_setup(state->stream, var_xs_cmd_tmout, 0, 0);
	xs_command(state, 1, "STARTTLS");
	xs_get_reply(state, resp);
	if (resp->code == 220) {
	    if (xs_tls_start(state) < 0) {
		/* Nothing more on this connection: the peer is in limbo. */
		vstream_fpurge(state->stream, VSTREAM_PURGE_BOTH);
		xs_tls_fallback(state);
		return (XS_SESS_NEXT);
	    }
	    state->where = "performing the EHLO handshake after STARTTLS";
	    if (xs_ehlo(state, resp) < 0)
		return (XS_SESS_NEXT);
	}
    }
    xs_transaction(state, resp);

    /*
     * Every recipient that could be final here is; a problem with QUIT
     * changes nothing.
     */
    xs_quit(state, resp);
    return (state->pending > 0 ? XS_SESS_NEXT : XS_SESS_DONE);
}

/* xs_session - one SMTP session; closes the stream */

int     xs_session(XS_STATE *state)
{
    XS_RESP *resp = xs_resp_create();
    int     ret;
    int     except;
    int     failed = 0;
    int     saved_errno;
    int     n;

    state->features = 0;
    state->xcrypt_active = 0;
    state->tls_context = 0;
    state->quit_sent = 0;
    state->tls_retry_plain = 0;
    for (n = 0; n < state->request->rcpt_list.len; n++)
	state->rcpt_accepted[n] = XS_RCPT_UNTRIED;
    state->where = "receiving the initial server greeting";
    smtp_stream_setup(state->stream, var_xs_greet_tmout, 0, 0);

    if ((except = vstream_setjmp(state->stream)) != 0) {
	saved_errno = errno;
	failed = 1;
	switch (except) {
	case SMTP_ERR_EOF:

	    /*
	     * After the XCRYPT switch a record that does not verify is a read
	     * error with EIO (spec 4.4): say so, it is not a mere hang-up.
	     */
	    if (state->xcrypt_active && vstream_ferror(state->stream)
		&& saved_errno == EIO)
		dsb_simple(state->why, "4.4.2", "lost connection with %s "
			   "while %s: XCRYPT data from the server failed "
			   "to verify", STR(state->namaddr), state->where);
	    else
		dsb_simple(state->why, "4.4.2", "lost connection with %s "
			   "while %s", STR(state->namaddr), state->where);
	    break;
	case SMTP_ERR_TIME:
	    dsb_simple(state->why, "4.4.2", "conversation with %s timed out "
		       "while %s", STR(state->namaddr), state->where);
	    break;
	case SMTP_ERR_QUIET:
	    break;
	default:
	    dsb_simple(state->why, "4.3.0", "local data error while talking "
		       "to %s", STR(state->namaddr));
	    break;
	}
	/* A problem with QUIT, once every recipient is final, is no news. */
	if (except != SMTP_ERR_QUIET && state->pending > 0)
	    msg_info("%s: %s", state->request->queue_id,
		     STR(state->why->reason));
	if (state->tls_context && state->pending > 0
	    && (except == SMTP_ERR_EOF || except == SMTP_ERR_TIME))
	    xs_tls_fallback(state);
	ret = XS_SESS_NEXT;
    } else {
	ret = xs_dialog(state, resp);
    }

    /*
     * Tear down: no further plaintext after a failure (spec 4.4).
     */
    if (failed)
	vstream_fpurge(state->stream, VSTREAM_PURGE_BOTH);
    if (state->xcrypt_active)
	xc_stream_stop(state->stream);
    if (state->tls_context)
	xs_tls_stop(state, failed);
    (void) vstream_fclose(state->stream);
    state->stream = 0;
    xs_resp_free(resp);
    if (state->pending == 0)
	ret = XS_SESS_DONE;
    return (ret);
}
