/*++
/* NAME
/*	smtp_xcrypt 3
/* SUMMARY
/*	XCRYPT opportunistic encryption for the Postfix SMTP client
/* SYNOPSIS
/*	#include "smtp.h"
/*
/*	void	smtp_xcrypt_pre_init()
/*
/*	int	smtp_xcrypt_ehlo(session, keyword, args, discard_words)
/*	SMTP_SESSION *session;
/*	const char *keyword;
/*	char	*args;
/*	const char *discard_words;
/*
/*	int	smtp_xcrypt_helo(state)
/*	SMTP_STATE *state;
/*
/*	int	smtp_xcrypt_active(session)
/*	SMTP_SESSION *session;
/*
/*	const char *smtp_xcrypt_except(session)
/*	SMTP_SESSION *session;
/*
/*	const char *smtp_xcrypt_sasl_service()
/*
/*	void	smtp_xcrypt_session_free(session)
/*	SMTP_SESSION *session;
/* DESCRIPTION
/*	This module is everything that xcrypt-smtp(8) adds to Postfix's
/*	own smtp(8): the delivery agent is smtp(8), built from the source
/*	of the installed Postfix version, plus a small patch
/*	(xcrypt-smtp/patches/postfix-VERSION.patch) that calls the
/*	functions below at a few points. The handshake steps themselves
/*	are lib/'s (xc_client(3)); the SMTP dialogue (commands, replies,
/*	timeouts, the bounded reading of replies, logging of the
/*	conversation) is smtp(8)'s.
/*
/*	smtp_xcrypt_pre_init() runs from smtp(8)'s pre_init(), as root,
/*	before the chroot: it refuses to run against another libpostfix
/*	version than the one it was built with, reads the xcrypt_*
/*	parameters (main.cf and master.cf -o), validates them (fatal
/*	errors name the parameter), opens the shared key cache and hands
/*	it to mail_owner, and opens xcrypt_smtp_policy_maps.
/*
/*	smtp_xcrypt_ehlo() is called for each EHLO keyword in smtp_helo().
/*	It returns zero for keywords other than XCRYPT. For XCRYPT it
/*	records the server's suites that this program knows (server
/*	order, possibly none) and sets SMTP_FEATURE_XCRYPT, unless
/*	discard_words (the
/*	smtp_discard_ehlo_keywords value in force for this server) lists
/*	"xcrypt"; it returns non-zero either way.
/*
/*	smtp_xcrypt_helo() runs in smtp_helo() after EHLO, before the
/*	STARTTLS decision, and only on the plaintext connection. The
/*	destination's effective TLS level (state->tls->level, from
/*	smtp_tls_security_level, smtp_tls_policy_maps and -o) decides
/*	first: above "may" (encrypt, fingerprint, dane, dane-only,
/*	verify, secure) XCRYPT is not used and smtp(8) does TLS. Otherwise
/*	the XCRYPT level of the next hop (xcrypt_smtp_policy_maps, else
/*	xcrypt_smtp_security_level) and xcrypt_smtp_suites decide: with
/*	"may" or "encrypt", XCRYPT when offered (at "may", a suite of
/*	the 1999 design, without integrity, is not used when the server
/*	offers STARTTLS and smtp(8)'s TLS level is "may": smtp(8) then
/*	uses TLS, as it would without XCRYPT); the handshake runs
/*	through smtp_chat_cmd() and smtp_chat_resp() under smtp(8)'s
/*	EHLO time limit. With a suite whose confirmation is pipelined
/*	(chacha20poly1305_2.1, spec 4.5) the stream switches right after
/*	XCRYPT OK is written: the line goes out with smtp(8)'s next command
/*	group, and the stream layer checks the reply. After the switch, STARTTLS is off for the
/*	session (one layer at a time) and the session is never cached
/*	(its cipher state lives in this process). The return value is
/*	zero to go on with smtp_helo() (after the switch, or in
/*	plaintext after a declined or failed handshake at level "may"),
/*	or smtp_site_fail()'s result: level "encrypt" without a switch,
/*	or a connection that is unusable after a broken confirmation.
/*	It arms no jump target of its own: a lost connection or timeout
/*	longjmps to smtp_helo()'s, and smtp_session_free() wipes.
/*
/*	smtp_xcrypt_active() returns non-zero when the session's stream
/*	is protected by XCRYPT (SASL then applies
/*	smtp_sasl_tls_security_options, as for TLS).
/*
/*	smtp_xcrypt_except() returns a suffix for smtp(8)'s "lost
/*	connection" reason: ": XCRYPT data from the server failed to
/*	verify" when the protected stream failed for a cryptographic
/*	reason (spec 4.4), ": XCRYPT confirmation failed: ..." when a
/*	pipelined confirmation (spec 4.5) got another answer than 250
/*	XCRYPT OK, else "".
/*
/*	smtp_xcrypt_sasl_service() returns the SASL service name that
/*	smtp(8) would use: "smtp" for the program name xcrypt-smtp.
/*
/*	smtp_xcrypt_session_free() runs from smtp_session_free() after
/*	the final flush: it stops the protected stream (which wipes the
/*	keys and cipher state and refuses further I/O) and wipes the
/*	handshake state (DH key pair, nonce, keys). It is the one place
/*	that wipes on every exit path, smtp(8)'s longjmp included.
/* DIAGNOSTICS
/*	Each XCRYPT session is logged as "queueid: XCRYPT session to
/*	host[addr]:port: suite=... group=... cache=hit|miss
/*	fingerprint=...". A declined or failed handshake is logged with
/*	msg_info() or msg_warn(); everything else is smtp(8)'s own.
/* SEE ALSO
/*	smtp(8), xc_client(3), xc_stream(3), README.postfix
/*	../shared/XCRYPT-PROTOCOL.md
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <stdarg.h>
#include <string.h>
#include <netinet/in.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstring.h>
#include <vstream.h>
#include <stringops.h>
#include <name_code.h>

/* Global library. */

#include <mail_params.h>
#include <mail_conf.h>
#include <mail_version.h>
#include <maps.h>
#include <dict.h>
#include <dsn_util.h>
#include <smtp_stream.h>

/* Application-specific. */

#include "smtp.h"
#include <xcrypt.h>

#ifndef USE_TLS
#error "smtp_xcrypt.c needs smtp(8) built with USE_TLS"
#endif

 /*
  * Parameters of our own (names and defaults in smtp_xcrypt.h).
  * Everything else is smtp(8)'s.
  */
static char *var_xs_sec_level;
static char *var_xs_policy_maps;
static char *var_xs_suites;
static char *var_xs_cache_db;
static int var_xs_key_lifetime;
static int var_xs_peer_limit;

 /*
  * XCRYPT levels.
  */
#define XS_LEVEL_INVALID	(-1)
#define XS_LEVEL_NONE		0
#define XS_LEVEL_MAY		1
#define XS_LEVEL_ENCRYPT	2

static const NAME_CODE xs_level_table[] = {
    {"none", XS_LEVEL_NONE},
    {"may", XS_LEVEL_MAY},
    {"encrypt", XS_LEVEL_ENCRYPT},
    {0, XS_LEVEL_INVALID},
};

 /*
  * Process-wide state, set up in pre-init.
  */
static XC_CACHE *xs_cache;		/* shared key cache */
static XC_SUITE_LIST xs_suites;		/* suites we allow */
static int xs_level;			/* default level */
static MAPS *xs_policy_maps;		/* per next hop */

 /*
  * Per-session state. The handshake object owns every secret.
  */
struct SMTP_XCRYPT {
    XC_SUITE_LIST offered;		/* server's suites, server order */
    XC_CLIENT *client;			/* handshake, or null */
};

 /*
  * Keep freed heap: each XCRYPT session grows the stream buffers to 64 KiB
  * and frees them at the end; with glibc's default trim threshold the next
  * session pays brk() and page faults for them again.
  */
#define XS_TRIM_THRESHOLD	(1024 * 1024)


/* smtp_xcrypt_pre_init - parameters, version check, key cache */

void    smtp_xcrypt_pre_init(void)
{
    static const CONFIG_STR_TABLE str_table[] = {
	{VAR_XS_SEC_LEVEL, DEF_XS_SEC_LEVEL, &var_xs_sec_level, 1, 0},
	{VAR_XS_POLICY_MAPS, DEF_XS_POLICY_MAPS, &var_xs_policy_maps, 0, 0},
	{VAR_XS_SUITES, DEF_XS_SUITES, &var_xs_suites, 0, 0},
	{VAR_XC_CACHE_DB, DEF_XC_CACHE_DB, &var_xs_cache_db, 0, 0},
	{0},
    };
    static const CONFIG_TIME_TABLE time_table[] = {
	{VAR_XC_KEY_LIFETIME, DEF_XC_KEY_LIFETIME, &var_xs_key_lifetime,
	MIN_XC_KEY_LIFETIME, 0},
	{0},
    };
    static const CONFIG_INT_TABLE int_table[] = {
	{VAR_XC_CACHE_PEER_LIMIT, DEF_XC_CACHE_PEER_LIMIT, &var_xs_peer_limit,
	1, 0},
	{0},
    };
    const char *bad;

    /*
     * The libraries carry no version in their soname: a Postfix update
     * under us would change struct layouts without a word.
     */
    XC_CHECK_POSTFIX_VERSION();

    /*
     * main.cf, with master.cf -o overrides already applied.
     */
    get_mail_conf_str_table(str_table);
    get_mail_conf_time_table(time_table);
    get_mail_conf_int_table(int_table);
    if ((xs_level = name_code(xs_level_table, NAME_CODE_FLAG_NONE,
			      var_xs_sec_level)) == XS_LEVEL_INVALID)
	msg_fatal("bad %s value: %s", VAR_XS_SEC_LEVEL, var_xs_sec_level);
    if (xc_suite_list_parse(var_xs_suites, &xs_suites, &bad) < 0)
	msg_fatal("bad %s value: %s (unknown suite \"%s\")",
		  VAR_XS_SUITES, var_xs_suites, bad ? bad : "");

    /* Not under ASan: its allocator replaces glibc's, refuses mallopt(). */
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD) \
    && !defined(__SANITIZE_ADDRESS__)
    if (mallopt(M_TRIM_THRESHOLD, XS_TRIM_THRESHOLD) == 0)
	msg_warn("mallopt M_TRIM_THRESHOLD failed; continuing");
#endif

    /*
     * The key cache holds secrets: open it while we are root, and hand it
     * to the mail system's own account (spec 7).
     */
    xs_cache = xc_cache_open_owned(var_xs_cache_db, var_xs_key_lifetime,
				   var_owner_uid, var_owner_gid);
    xc_cache_set_peer_limit(xs_cache, var_xs_peer_limit);
    if (*var_xs_policy_maps)
	xs_policy_maps = maps_create(VAR_XS_POLICY_MAPS, var_xs_policy_maps,
				     DICT_FLAG_LOCK | DICT_FLAG_FOLD_FIX);
}

/* smtp_xcrypt_get - the session's XCRYPT state, created on demand */

static SMTP_XCRYPT *smtp_xcrypt_get(SMTP_SESSION *session)
{
    SMTP_XCRYPT *xs;

    if ((xs = session->xcrypt) == 0) {
	xs = (SMTP_XCRYPT *) mymalloc(sizeof(*xs));
	memset((void *) xs, 0, sizeof(*xs));
	session->xcrypt = xs;
    }
    return (xs);
}

/* smtp_xcrypt_ehlo - the XCRYPT EHLO keyword */

int     smtp_xcrypt_ehlo(SMTP_SESSION *session, const char *keyword,
			         char *args, const char *discard_words)
{
    static VSTRING *line;
    SMTP_XCRYPT *xs;
    int     silent;

    if (strcasecmp(keyword, "XCRYPT") != 0)
	return (0);
    if (xc_ehlo_discarded(discard_words, &silent)) {
	if (!silent)
	    msg_info("discarding EHLO keywords: XCRYPT");
	return (1);
    }

    /*
     * lib/ parses the keyword line; smtp_helo() has split off the keyword.
     * Its parser bounds the list (known suites, no duplicates).
     */
    if (line == 0)
	line = vstring_alloc(100);
    vstring_sprintf(line, "XCRYPT %s", args ? args : "");
    xs = smtp_xcrypt_get(session);
    if (xc_parse_ehlo_keyword(STR(line), VSTRING_LEN(line), &xs->offered) == 1)
	session->features |= SMTP_FEATURE_XCRYPT;
    return (1);
}

/* smtp_xcrypt_level - XCRYPT level for the current next hop */

static int smtp_xcrypt_level(SMTP_STATE *state)
{
    const char *hop = STR(state->iterator->dest);
    const char *value;
    char   *bare;
    char   *cp;
    int     level;

    if (xs_policy_maps == 0)
	return (xs_level);

    /*
     * The next hop as smtp(8) has it ([host]:port or domain), then without
     * brackets and port. A lookup error or a bad value must not weaken the
     * policy: use "encrypt".
     */
    if ((value = maps_find(xs_policy_maps, hop, 0)) == 0
	&& xs_policy_maps->error == 0) {
	bare = mystrdup(hop[0] == '[' ? hop + 1 : hop);
	if ((cp = strchr(bare, ']')) != 0 || (cp = strrchr(bare, ':')) != 0)
	    *cp = 0;
	value = maps_find(xs_policy_maps, bare, 0);
	myfree(bare);
    }
    if (xs_policy_maps->error) {
	msg_warn("%s: %s lookup error for \"%s\": using level encrypt",
		 state->request->queue_id, VAR_XS_POLICY_MAPS, hop);
	return (XS_LEVEL_ENCRYPT);
    }
    if (value == 0)
	return (xs_level);
    if ((level = name_code(xs_level_table, NAME_CODE_FLAG_NONE,
			   value)) == XS_LEVEL_INVALID) {
	msg_warn("%s: bad %s value for \"%s\": %s: using level encrypt",
		 state->request->queue_id, VAR_XS_POLICY_MAPS, hop, value);
	return (XS_LEVEL_ENCRYPT);
    }
    return (level);
}

/* smtp_xcrypt_drop - forget a handshake that did not switch */

static void smtp_xcrypt_drop(SMTP_XCRYPT *xs)
{
    xc_client_free(xs->client);
    xs->client = 0;
}

/* smtp_xcrypt_required - level encrypt without a switch: defer */

static int PRINTFLIKE(2, 3) smtp_xcrypt_required(SMTP_STATE *state,
						         const char *fmt,...)
{
    SMTP_RESP fake;
    VSTRING *why = vstring_alloc(100);
    va_list ap;
    int     ret;

    va_start(ap, fmt);
    vstring_vsprintf(why, fmt, ap);
    va_end(ap);
    ret = smtp_site_fail(state, DSN_BY_LOCAL_MTA,
			 SMTP_RESP_FAKE(&fake, "4.7.4"),
			 "XCRYPT encryption required by policy, but %s",
			 STR(why));
    vstring_free(why);
    return (ret);
}

/* smtp_xcrypt_reply_text - a one-line 2xx reply's text after "NNN " */

static const char *smtp_xcrypt_reply_text(SMTP_RESP *resp)
{
    if (resp->code != 250 || strchr(resp->str, '\n') != 0
	|| strncmp(resp->str, "250 ", 4) != 0)
	return (0);
    return (resp->str + 4);
}

static int smtp_xcrypt_switch(SMTP_STATE *, SMTP_XCRYPT *, const XC_SUITE *);

/* smtp_xcrypt_helo - XCRYPT before STARTTLS, when policy allows */

int     smtp_xcrypt_helo(SMTP_STATE *state)
{
    SMTP_SESSION *session = state->session;
    SMTP_XCRYPT *xs = session->xcrypt;
    const char *queue_id = state->request->queue_id;
    const XC_SUITE *suite;
    SMTP_RESP *resp;
    SMTP_RESP fake;
    char    line[XC_LINE_MAX + 1];
    const char *text;
    const char *why;
    ssize_t len;
    int     level;
    int     err;

    /*
     * smtp(8)'s TLS policy first: XCRYPT is unauthenticated and never
     * stands in for a TLS level above "may".
     */
    if (TLS_REQUIRED(state->tls->level))
	return (0);

    /*
     * The connection cache key holds the TLS level but not the XCRYPT
     * level of a next hop: with per-destination XCRYPT levels, a
     * plaintext session must not be reused for another destination.
     */
    if (xs_policy_maps != 0)
	DONT_CACHE_THIS_SESSION;
    if ((level = smtp_xcrypt_level(state)) == XS_LEVEL_NONE)
	return (0);
    if ((session->features & SMTP_FEATURE_XCRYPT) == 0 || xs == 0
	|| (suite = xc_client_choose(&xs->offered, &xs_suites)) == 0) {
	if (level != XS_LEVEL_ENCRYPT)
	    return (0);
	return (smtp_xcrypt_required(state, "%s by %s",
				     (session->features & SMTP_FEATURE_XCRYPT) ?
				     "no allowed suite offered" : "not offered",
				     session->namaddr));
    }

    /*
     * A suite of the 1999 design (768-bit DH, 80-bit keys, no integrity) is
     * weaker than the TLS that smtp(8) negotiates at TLS level "may": it
     * never displaces STARTTLS, unless the XCRYPT policy requires XCRYPT.
     */
    if (!suite->aead && level == XS_LEVEL_MAY
	&& state->tls->level == TLS_LEV_MAY && smtp_tls_ctx != 0
	&& (session->features & SMTP_FEATURE_STARTTLS) != 0) {
	msg_info("%s: %s offers STARTTLS: not using the weaker XCRYPT "
		 "suite %s", queue_id, session->namaddrport, suite->name);
	return (0);
    }

    /*
     * No jump target of our own: smtp_helo()'s catches a timeout or a lost
     * connection, and smtp_session_free() wipes what we hold.
     */
    smtp_stream_setup(session->stream, var_smtp_helo_tmout,
		      var_smtp_req_deadline, 0);
    xs->client = xc_client_create();
    if ((len = xc_client_hello(xs->client, xs_cache, suite, line,
			       sizeof(line))) < 0) {
	msg_warn("%s: XCRYPT with %s: cannot start handshake: %s",
		 queue_id, session->namaddrport, xc_strerror((int) len));
	smtp_xcrypt_drop(xs);
	if (level != XS_LEVEL_ENCRYPT)
	    return (0);
	return (smtp_xcrypt_required(state, "XCRYPT handshake with %s failed: "
				     "local error: %s", session->namaddr,
				     xc_strerror((int) len)));
    }

    /*
     * XCRYPT ends a pipelined group: smtp_chat_resp() flushes it and waits
     * (spec 4.3). Its reply reading is smtp(8)'s, bounded as for any reply.
     */
    smtp_chat_cmd(session, "%s", line);
    memset(line, 0, sizeof(line));
    resp = smtp_chat_resp(session);
    if (resp->code / 100 != 2) {
	msg_info("%s: XCRYPT refused by %s: %s", queue_id,
		 session->namaddrport, translit(resp->str, "\n", " "));
	smtp_xcrypt_drop(xs);
	if (level != XS_LEVEL_ENCRYPT)
	    return (0);
	return (smtp_xcrypt_required(state, "host %s refused XCRYPT: %s",
				     session->namaddr, resp->str));
    }

    /*
     * Validate everything; on any doubt XCRYPT FAIL, and the session goes
     * on in plaintext (spec 4.2).
     */
    if ((text = smtp_xcrypt_reply_text(resp)) == 0) {
	why = "malformed or multi-line reply to XCRYPT";
	err = XC_ERR_SYNTAX;
    } else {
	err = xc_client_reply(xs->client, xs_cache, text, strlen(text), &why);
    }
    if (err != XC_OK) {
	msg_warn("%s: XCRYPT with %s: bad reply: %s", queue_id,
		 session->namaddrport, why);
	smtp_xcrypt_drop(xs);
	smtp_chat_cmd(session, "%s", XC_CLIENT_FAIL);
	(void) smtp_chat_resp(session);
	if (level != XS_LEVEL_ENCRYPT)
	    return (0);
	return (smtp_xcrypt_required(state, "XCRYPT handshake with %s "
				     "failed: %s", session->namaddr, why));
    }

    /*
     * A pipelined suite (spec 4.5): XCRYPT OK stays in the stream's buffer,
     * and the switch makes it travel with the next command group, in one
     * write, without waiting. The stream layer then reads and checks the
     * plaintext 250 XCRYPT OK itself before the replies, so smtp(8) reads
     * only the replies to its own commands; any other answer, plaintext
     * after it, or a record that does not verify is a lost connection.
     */
    if (xc_client_pipelined(xs->client)) {
	smtp_chat_cmd(session, "%s", XC_CLIENT_OK);
	return (smtp_xcrypt_switch(state, xs, suite));
    }

    /*
     * XCRYPT OK, then the switch.
     */
    smtp_chat_cmd(session, "%s", XC_CLIENT_OK);
    resp = smtp_chat_resp(session);
    if (resp->code / 100 != 2) {
	msg_info("%s: XCRYPT confirmation refused by %s: %s", queue_id,
		 session->namaddrport, translit(resp->str, "\n", " "));
	smtp_xcrypt_drop(xs);
	if (level != XS_LEVEL_ENCRYPT)
	    return (0);
	return (smtp_xcrypt_required(state, "host %s refused to switch: %s",
				     session->namaddr, resp->str));
    }
    if ((text = smtp_xcrypt_reply_text(resp)) == 0
	|| !xc_client_confirmed(text, strlen(text))) {
	msg_warn("%s: XCRYPT with %s: unexpected confirmation: %s", queue_id,
		 session->namaddrport, translit(resp->str, "\n", " "));
	smtp_xcrypt_drop(xs);
	DONT_CACHE_THIS_SESSION;
	return (smtp_site_fail(state, DSN_BY_LOCAL_MTA,
			       SMTP_RESP_FAKE(&fake, "4.7.4"),
			       "XCRYPT handshake with %s failed: "
			       "unexpected reply to XCRYPT OK",
			       session->namaddr));
    }

    /*
     * The switch drops whatever the server sent beyond the CRLF of "250
     * XCRYPT OK": it cannot be genuine (spec 4.3). Nothing is pending for
     * output: reading the reply flushed it.
     */
    return (smtp_xcrypt_switch(state, xs, suite));
}

/* smtp_xcrypt_switch - protection on, STARTTLS and connection cache off */

static int smtp_xcrypt_switch(SMTP_STATE *state, SMTP_XCRYPT *xs,
			              const XC_SUITE *suite)
{
    SMTP_SESSION *session = state->session;
    const char *queue_id = state->request->queue_id;
    SMTP_RESP fake;
    ssize_t discarded;

    if ((discarded = xc_client_switch(xs->client, session->stream)) < 0) {
	msg_warn("%s: XCRYPT with %s: cannot switch: %s", queue_id,
		 session->namaddrport, xc_strerror((int) discarded));
	smtp_xcrypt_drop(xs);
	DONT_CACHE_THIS_SESSION;
	return (smtp_site_fail(state, DSN_BY_LOCAL_MTA,
			       SMTP_RESP_FAKE(&fake, "4.7.4"),
			       "XCRYPT handshake with %s failed: "
			       "local error: %s", session->namaddr,
			       xc_strerror((int) discarded)));
    }
    if (discarded > 0)
	msg_warn("%s: XCRYPT with %s: discarded %ld octets sent before the "
		 "switch (possible injection)", queue_id,
		 session->namaddrport, (long) discarded);

    /*
     * One layer at a time; the cipher state lives in this process, so the
     * session cannot be handed to the connection cache.
     */
    session->features &= ~SMTP_FEATURE_STARTTLS;
    DONT_CACHE_THIS_SESSION;
    msg_info("%s: XCRYPT session to %s: suite=%s group=%s cache=%s "
	     "fingerprint=%s", queue_id, session->namaddrport, suite->name,
	     xc_group(suite->group)->name,
	     xs->client->sess.cache_hit ? "hit" : "miss",
	     xs->client->sess.fingerprint);
    return (0);
}

/* smtp_xcrypt_active - is the session's stream protected? */

int     smtp_xcrypt_active(SMTP_SESSION *session)
{
    SMTP_XCRYPT *xs = session->xcrypt;

    return (xs != 0 && xs->client != 0
	    && xs->client->state == XC_CLIENT_STATE_ON);
}

/* smtp_xcrypt_except - say why a protected stream broke */

const char *smtp_xcrypt_except(SMTP_SESSION *session)
{
    static VSTRING *buf;
    const char *why;

    if (!smtp_xcrypt_active(session) || session->stream == 0
	|| !xc_stream_verify_failed(session->stream))
	return ("");

    /*
     * With a pipelined suite the stream layer also checks the reply to
     * XCRYPT OK (spec 4.5): say which answer it got instead.
     */
    if ((why = xc_stream_error(session->stream)) != 0
	&& strstr(why, "XCRYPT") != 0) {
	if (buf == 0)
	    buf = vstring_alloc(100);
	vstring_sprintf(buf, ": XCRYPT confirmation failed: %s", why);
	return (STR(buf));
    }
    return (": XCRYPT data from the server failed to verify");
}

/* smtp_xcrypt_sasl_service - the SASL service name of smtp(8) */

const char *smtp_xcrypt_sasl_service(void)
{
    if (strcmp(var_procname, "xcrypt-smtp") == 0)
	return ("smtp");
    return (var_procname);
}

/* smtp_xcrypt_session_free - stop the stream, wipe the handshake */

void    smtp_xcrypt_session_free(SMTP_SESSION *session)
{
    SMTP_XCRYPT *xs = session->xcrypt;

    if (xs == 0)
	return;
    if (session->stream != 0 && xc_stream_active(session->stream))
	xc_stream_stop(session->stream);
    xc_client_free(xs->client);
    memset((void *) xs, 0, sizeof(*xs));
    myfree((void *) xs);
    session->xcrypt = 0;
}
