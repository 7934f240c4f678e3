/*++
/* NAME
/*	xcrypt-smtpd 8
/* SUMMARY
/*	XCRYPT front end for the Postfix SMTP server
/* SYNOPSIS
/*	\fBxcrypt-smtpd\fR [generic Postfix daemon options]
/* DESCRIPTION
/*	The xcrypt-smtpd(8) server accepts SMTP connections from the
/*	network on behalf of a stock smtpd(8) and adds the XCRYPT
/*	opportunistic encryption extension (../shared/XCRYPT-PROTOCOL.md)
/*	to the conversation. It runs under control by master(8) and,
/*	like postscreen(8), serves many clients per process from an
/*	event loop; a process runs until it has been idle for
/*	$max_idle seconds. After "postfix reload" (or when master goes
/*	away) it stops accepting connections, as postscreen(8) does:
/*	the sessions in progress finish (each bounded by
/*	$xcrypt_smtpd_timeout of silence, all of them by
/*	$xcrypt_smtpd_timeout after the reload at the latest), then
/*	it exits; new connections go to a new process.
/*
/*	For each client it creates a socket pair and hands one end,
/*	with the client's and the server's address and port, to the
/*	smtpd(8) that runs as a \fBpass\fR service (as postscreen(8)
/*	does). It then relays between the client and smtpd(8); smtpd(8)
/*	keeps all its policy, checks and queueing and logs the real
/*	client address.
/*
/*	In the relayed stream xcrypt-smtpd(8) adds "XCRYPT <suites>" to
/*	the EHLO reply, answers the XCRYPT, XCRYPT OK and XCRYPT FAIL
/*	commands itself, and, once XCRYPT is active, decrypts what the
/*	client sends and encrypts the replies of smtpd(8). It follows
/*	the SMTP stream under PIPELINING, DATA, BDAT and SASL so that
/*	message content is never taken for a command. A client that
/*	uses STARTTLS instead gets TLS end to end with smtpd(8).
/*
/*	Each message received over XCRYPT starts with a trace header
/*	that names the suite and the session fingerprint:
/*
/*	Received: by \fImyhostname\fR (xcrypt-smtpd) with XCRYPT
/*	(\fIsuite\fR, fingerprint \fIhex\fR); \fIdate\fR
/*
/*	(one header line, folded before the date). smtpd(8) adds its own
/*	Received: header above it.
/* SECURITY
/* .ad
/* .fi
/*	xcrypt-smtpd(8) talks to untrusted clients and runs with the
/*	privileges of the mail system (unprivileged, optionally chrooted).
/*	It opens the XCRYPT key cache before the privilege drop and hands
/*	the file to \fBmail_owner\fR. It never logs a secret.
/* DIAGNOSTICS
/*	Problems and transactions are logged to \fBsyslogd\fR(8) or
/*	\fBpostlogd\fR(8). Each XCRYPT session is logged as
/*
/*	XCRYPT session from [\fIaddr\fR]:\fIport\fR: suite=\fIsuite\fR
/*	group=\fIgroup\fR cache=hit|miss fingerprint=\fIhex\fR
/*
/*	When smtpd(8) cannot be reached the client gets "421 4.3.2
/*	Service currently unavailable". A record that does not verify
/*	closes the connection without another octet sent.
/* CONFIGURATION PARAMETERS
/* .ad
/* .fi
/*	Changes to \fBmain.cf\fR are picked up with "postfix reload"
/*	(or when a process has been idle for $max_idle seconds).
/*	Parameters may be overridden with \fB-o\fR in master.cf.
/* .IP "\fBxcrypt_smtpd_suites (chacha20poly1305_2.1 chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0)\fR"
/*	The suites offered in the EHLO reply, most preferred first.
/*	Empty: XCRYPT is not offered (a plain relay to smtpd(8)). A
/*	value that names an unknown suite is logged as a warning at
/*	each process start and XCRYPT is not offered either: the
/*	service keeps answering, as stock smtpd(8) would.
/* .IP "\fBxcrypt_smtpd_pass_service (smtpd)\fR"
/*	The name of the smtpd(8) \fBpass\fR service in master.cf that
/*	receives the connections (under $queue_directory/private).
/* .IP "\fBxcrypt_cache_database ($data_directory/xcrypt_cache.tdb)\fR"
/*	The shared DH key cache. Empty: memory only.
/* .IP "\fBxcrypt_key_lifetime (2h)\fR"
/*	How long a DH key pair is used before it is replaced.
/* .IP "\fBxcrypt_cache_peer_limit (10000)\fR"
/*	The most shared values (one per peer public value) the key
/*	cache keeps; the oldest are removed first.
/* .IP "\fBxcrypt_smtpd_received_header (yes)\fR"
/*	Start each message received over XCRYPT with the trace header
/*	shown above.
/* .IP "\fBxcrypt_smtpd_timeout (300s)\fR"
/*	How long a session may go without a word from either side.
/* .IP "\fBxcrypt_smtpd_pass_timeout (100s)\fR"
/*	Time limit for smtpd(8) to take a connection (postscreen's own
/*	limit for the same). The connect itself never waits longer than
/*	a second: when the smtpd(8) service cannot be reached, or has
/*	not taken the client nor said anything within this time, the
/*	client gets "421 4.3.2 Service currently unavailable".
/* .IP "\fBxcrypt_smtpd_upstream_proxy_protocol ($smtpd_upstream_proxy_protocol)\fR"
/*	As postscreen_upstream_proxy_protocol: empty, or \fBhaproxy\fR
/*	for connections from a proxy that sends a PROXY protocol v1 or
/*	v2 header. smtpd(8) then gets, logs and restricts the real
/*	client. A missing or malformed header gets "421 4.3.2 No system
/*	resources", as with postscreen(8). Any other value is a fatal
/*	configuration error.
/*	The default follows smtpd(8)'s own setting (main.cf or the
/*	front end's \fB-o\fR), so that a site that replaces smtpd(8)
/*	on a proxied port keeps parsing the header (smtpd(8) behind the
/*	front end ignores it, as behind postscreen(8)).
/* .IP "\fBxcrypt_smtpd_upstream_proxy_timeout ($smtpd_upstream_proxy_timeout)\fR"
/*	Time limit for the PROXY header.
/* .IP "\fBxcrypt_smtpd_handshake_limit (3)\fR"
/*	How many XCRYPT handshakes one session may start; later ones get
/*	"454 4.7.0 XCRYPT temporarily unavailable". A handshake that
/*	fails or is abandoned counts as an error against
/*	smtpd_hard_error_limit.
/* .IP "\fBsmtpd_tls_security_level\fR, \fBsmtpd_enforce_tls\fR"
/*	As the smtpd(8) pass service runs with: main.cf, overridden by
/*	the front end's own \fB-o\fR, overridden by a \fB-o\fR on the
/*	pass service's master.cf line (read at start). At level
/*	\fBencrypt\fR XCRYPT is not offered, so that clients use STARTTLS.
/* .IP "\fBsmtpd_forbid_bare_newline\fR, \fBsmtpd_forbid_bare_newline_exclusions\fR"
/*	Found the same way: the front end ends DATA exactly where
/*	smtpd(8) does. Exclusions are matched by client address only
/*	(the front end does no DNS lookups).
/* .IP "\fBsmtpd_discard_ehlo_keywords\fR, \fBsmtpd_discard_ehlo_keyword_address_maps\fR"
/*	Found the same way (main.cf, the front end's \fB-o\fR, the pass
/*	service's \fB-o\fR). smtpd(8) ignores keywords that it does not
/*	know, so the front end applies these itself to its own keyword:
/*	when the list in force for a client (the address maps' result
/*	for the client address, else smtpd_discard_ehlo_keywords) names
/*	"xcrypt", its EHLO replies to that client do not offer XCRYPT;
/*	the discard is logged unless the list names "silent-discard". A
/*	lookup error means no XCRYPT offer for that client.
/* .IP "\fBsmtpd_command_filter\fR"
/*	The table that the pass service's smtpd(8) rewrites each
/*	command line with (its \fB-o\fR, else main.cf). The front end
/*	opens it at start, as smtpd(8) does, looks every command line
/*	up the same way and tracks the rewritten command (DATA, BDAT and
/*	its count, XCRYPT); smtpd(8) still gets the client's own octets.
/*	A lookup error ends that session with "421 4.3.0 \fImyhostname\fR
/*	Server local data error", as in smtpd(8), and a warning. A
/*	message over XCRYPT whose first BDAT line of ours the table would
/*	rewrite gets no trace header. A \fB-o\fR on the front end's own
/*	line that differs from the pass service's value is a fatal error.
/* .IP "\fBsmtpd_tls_wrappermode (no)\fR"
/*	Must be set on the pass service's line (its smtpd(8) does the
/*	TLS; the front end relays a client's TLS handshake to it
/*	opaquely). A \fB-o smtpd_tls_wrappermode\fR on the front end's
/*	own line that differs from the pass service's value is a fatal
/*	error naming the parameter: port 465 would otherwise speak plain
/*	SMTP.
/* .IP "\fBsmtpd_hard_error_limit (20)\fR"
/*	As in smtpd(8), for the replies that xcrypt-smtpd(8) makes
/*	itself (to XCRYPT commands, which smtpd(8) never sees): after
/*	this many errors the client gets "421 4.7.0 \fImyhostname\fR
/*	Error: too many errors" and the connection closes.
/* .IP "\fBline_length_limit (2048)\fR"
/*	The command line length that smtpd(8) parses; longer command
/*	lines are relayed whole and never taken for XCRYPT.
/* .IP "\fBmyhostname\fR, \fBdata_directory\fR, \fBmail_owner\fR"
/*	As usual.
/* SEE ALSO
/*	smtpd(8), postscreen(8), master(8), xcrypt(3)
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstream.h>
#include <vstring.h>
#include <events.h>
#include <stringops.h>
#include <name_code.h>

/* Global library. */

#include <mail_params.h>
#include <mail_conf.h>
#include <mail_version.h>
#include <haproxy_srvr.h>
#include <match_parent_style.h>
#include <maps.h>
#include <dict.h>

/* Master process interface. */

#include <mail_server.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

 /*
  * Tunable parameters.
  */
char   *var_xsd_suites;
char   *var_xsd_pass_service;
char   *var_xsd_cache_db;
int     var_xsd_key_lifetime;
int     var_xsd_peer_limit;
bool    var_xsd_rcvd_hdr;
int     var_xsd_timeout;
int     var_xsd_pass_timeout;
char   *var_xsd_uproxy_proto;
int     var_xsd_uproxy_tmout;
int     var_xsd_hs_limit;
int     var_xsd_hard_erlim;
static char *var_xsd_tls_level;
static bool var_xsd_enforce_tls;
static char *var_xsd_bare_lf;
static char *var_xsd_bare_lf_excl;
char   *var_xsd_ehlo_dis_words;
static char *var_xsd_ehlo_dis_maps;
static char *var_xsd_smtpd_uproxy_proto;	/* default of ours */
static int var_xsd_smtpd_uproxy_tmout;	/* default of ours */
static char *var_xsd_cmd_filter;
static bool var_xsd_tls_wrapper;

XC_SUITE_LIST xsd_suites;
char    xsd_ehlo_keyword[256];
XC_CACHE *xsd_cache;
int     xsd_std_eod;
int     xsd_bare_lf_reject;
NAMADR_LIST *xsd_bare_lf_excl;
MAPS   *xsd_ehlo_dis_maps;
DICT   *xsd_cmd_filter;
int     xsd_utf8_check;

/* xsd_endpt_done - addresses known: hand the client to smtpd */

static void xsd_endpt_done(int status, VSTREAM *stream, const char *addr,
			           const char *port, const char *saddr,
			           const char *sport)
{
    static const char unavailable[] = "421 4.3.2 No system resources\r\n";

    if (status < 0) {
	/* As postscreen(8): best effort, never wait. */
	if (write(vstream_fileno(stream), unavailable,
		  sizeof(unavailable) - 1) < 0 && msg_verbose)
	    msg_info("write 421: %m");
	event_server_disconnect(stream);
	return;
    }
    xsd_relay_start(xsd_state_create(stream, addr, port, saddr, sport));
}

/* xsd_service - take one client */

static void xsd_service(VSTREAM *stream, char *unused_service,
			        char **unused_argv)
{
    xsd_endpt_lookup(stream, xsd_endpt_done);
}

/* xsd_drain_deadline - the sessions of a retired process took too long */

static void xsd_drain_deadline(int unused_event, void *unused_context)
{
    msg_info("%d session(s) still open %ds after reload: exiting",
	     xsd_session_count, var_xsd_timeout);
    exit(0);
}

/* xsd_drain_watch - exit once the last session is gone */

static void xsd_drain_watch(int unused_event, void *unused_context)
{
    if (xsd_session_count <= 0)
	exit(0);
    event_request_timer(xsd_drain_watch, (void *) 0, 1);
}

/* xsd_drain - "postfix reload": finish the sessions in progress */

static void xsd_drain(char *unused_service, char **unused_argv)
{
    int     count;

    /*
     * As postscreen(8): a background process finishes the sessions in
     * progress while master starts a new one for new clients.
     */
    for (count = 0; /* see below */ ; count++) {
	if (count >= 5) {
	    msg_warn("fork: %m: ending %d session(s) now", xsd_session_count);
	    exit(0);
	} else if (event_server_drain() != 0) {
	    msg_warn("fork: %m");
	    sleep(1);
	} else {
	    break;
	}
    }
    event_request_timer(xsd_drain_deadline, (void *) 0, var_xsd_timeout);
    event_request_timer(xsd_drain_watch, (void *) 0, 1);
}

/* xsd_tls_required - smtpd_tls_security_level as smtpd(8) computes it */

static int xsd_tls_required(void)
{
    if (*var_xsd_tls_level)
	return (strcasecmp(var_xsd_tls_level, "encrypt") == 0);
    return (var_xsd_enforce_tls);
}

/* xsd_pre_init - check the configuration, open the key cache */

static void xsd_pre_init(char *unused_name, char **argv)
{
    static const NAME_CODE bare_lf_table[] = {
	{"normalize", 1},
	{"yes", 1},
	{"reject", 2},
	{"no", 0},
	{0, -1},
    };
    static char *pass_enforce_tls;
    static char *pass_utf8;
    static char *pass_wrapper;
    const XSD_OVERRIDE overrides[] = {
	{VAR_SMTPD_TLS_LEVEL, &var_xsd_tls_level, 0, 0},
	{VAR_SMTPD_ENFORCE_TLS, &pass_enforce_tls, 0, 0},
	{VAR_SMTPD_FORBID_BARE_LF, &var_xsd_bare_lf, 0, 0},
	{VAR_SMTPD_FORBID_BARE_LF_EXCL, &var_xsd_bare_lf_excl, 0, 0},
	{VAR_SMTPD_EHLO_DIS_WORDS, &var_xsd_ehlo_dis_words, 0, 0},
	{VAR_SMTPD_EHLO_DIS_MAPS, &var_xsd_ehlo_dis_maps, 0, 0},
	{VAR_SMTPUTF8_ENABLE, &pass_utf8, 0, 0},
	{VAR_SMTPD_CMD_FILTER, &var_xsd_cmd_filter, XSD_OVR_FLAG_SMTPD_ONLY,
	DEF_SMTPD_CMD_FILTER},
	{VAR_SMTPD_TLS_WRAPPER, &pass_wrapper,
	XSD_OVR_FLAG_SMTPD_ONLY | XSD_OVR_FLAG_BOOL, CONFIG_BOOL_NO},
	{0},
    };
    const char *bad;
    int     bare;

    if (argv[0])
	msg_fatal("unexpected command-line argument: %s", argv[0]);
    if (*var_xsd_pass_service == 0 || strchr(var_xsd_pass_service, '/'))
	msg_fatal("bad %s value: %s", VAR_XSD_PASS_SERVICE,
		  var_xsd_pass_service);

    /*
     * What the smtpd(8) behind us runs with: its own -o settings win, also
     * for the boolean (as text here, then converted).
     */
    pass_enforce_tls = mystrdup(var_xsd_enforce_tls ? CONFIG_BOOL_YES :
				CONFIG_BOOL_NO);
    pass_utf8 = mystrdup(var_smtputf8_enable ? CONFIG_BOOL_YES :
			 CONFIG_BOOL_NO);

    /*
     * TLS on connect is the pass service's business (the front end relays
     * a TLS handshake opaquely): a wrapper mode set on our own line only
     * would silently turn port 465 into plain SMTP. Refused (fatal) there.
     */
    pass_wrapper = mystrdup(var_xsd_tls_wrapper ? CONFIG_BOOL_YES :
			    CONFIG_BOOL_NO);
    xsd_check_pass_service(overrides);
    xsd_utf8_check = (strcasecmp(pass_utf8, CONFIG_BOOL_YES) == 0);
    if (strcasecmp(pass_enforce_tls, CONFIG_BOOL_YES) == 0)
	var_xsd_enforce_tls = 1;
    else if (strcasecmp(pass_enforce_tls, CONFIG_BOOL_NO) == 0)
	var_xsd_enforce_tls = 0;
    else
	msg_fatal("bad boolean configuration: %s = %s",
		  VAR_SMTPD_ENFORCE_TLS, pass_enforce_tls);

    /*
     * Behind a proxy, the proxy's address is nobody's: refuse to run
     * rather than hand smtpd(8) the wrong client.
     */
    if (*var_xsd_uproxy_proto != 0
	&& strcmp(var_xsd_uproxy_proto, HAPROXY_PROTO_NAME) != 0)
	msg_fatal("unsupported %s value: \"%s\"", VAR_XSD_UPROXY_PROTO,
		  var_xsd_uproxy_proto);

    /*
     * End DATA where the smtpd(8) behind us does.
     */
    if ((bare = name_code(bare_lf_table, NAME_CODE_FLAG_NONE,
			  var_xsd_bare_lf)) < 0)
	msg_fatal("bad %s value: \"%s\"", VAR_SMTPD_FORBID_BARE_LF,
		  var_xsd_bare_lf);
    xsd_std_eod = (bare > 0);
    xsd_bare_lf_reject = (bare == 2);
    if (xsd_std_eod)
	xsd_bare_lf_excl =
	    namadr_list_init(VAR_SMTPD_FORBID_BARE_LF_EXCL, MATCH_FLAG_RETURN
			     | match_parent_style(VAR_MYNETWORKS),
			     var_xsd_bare_lf_excl);

    /*
     * XCRYPT is optional: a bad suite list must not take the port down
     * (master would throttle the service, and nobody would get a greeting).
     * Without it the front end is a plain relay to smtpd(8).
     */
    if (xc_suite_list_parse(var_xsd_suites, &xsd_suites, &bad) < 0) {
	msg_warn("bad %s value: \"%s\": XCRYPT is not offered",
		 VAR_XSD_SUITES, bad ? bad : var_xsd_suites);
	xsd_suites.count = 0;
    } else if (xsd_suites.count > 0 && xsd_tls_required()) {
	msg_info("%s = encrypt: XCRYPT is not offered",
		 VAR_SMTPD_TLS_LEVEL);
	xsd_suites.count = 0;
    } else if (xsd_suites.count > 0
	       && xc_format_ehlo_keyword(xsd_ehlo_keyword,
				     sizeof(xsd_ehlo_keyword), &xsd_suites) < 0) {
	msg_warn("cannot format the XCRYPT EHLO keyword: XCRYPT is not offered");
	xsd_suites.count = 0;
    }

    /*
     * smtpd(8) ignores EHLO keywords that it does not know: the discard
     * settings for ours are ours to apply. Open the maps before the chroot.
     */
    if (*var_xsd_ehlo_dis_maps)
	xsd_ehlo_dis_maps = maps_create(VAR_SMTPD_EHLO_DIS_MAPS,
					var_xsd_ehlo_dis_maps,
					DICT_FLAG_LOCK);

    /*
     * smtpd(8) rewrites each command line with this table before it parses
     * it: track the command that smtpd(8) will execute. Opened as smtpd(8)
     * opens it, before the chroot; a table that cannot be opened fails
     * every lookup, as in smtpd(8) (each session then ends with 421).
     */
    if (*var_xsd_cmd_filter)
	xsd_cmd_filter = dict_open(var_xsd_cmd_filter, O_RDONLY,
				   DICT_FLAG_LOCK | DICT_FLAG_FOLD_FIX);
    xc_init();
    xsd_cache = xc_cache_open_owned(var_xsd_cache_db, var_xsd_key_lifetime,
				    var_owner_uid, var_owner_gid);
    xc_cache_set_peer_limit(xsd_cache, var_xsd_peer_limit);
}

/* xsd_post_init - one process serves clients until idle or reload */

static void xsd_post_init(char *unused_name, char **unused_argv)
{
    var_use_limit = 0;
}

MAIL_VERSION_STAMP_DECLARE;

/* main - pass control to the event-driven skeleton */

int     main(int argc, char **argv)
{
    static const CONFIG_STR_TABLE str_table[] = {
	{VAR_XSD_SUITES, DEF_XSD_SUITES, &var_xsd_suites, 0, 0},
	{VAR_XSD_PASS_SERVICE, DEF_XSD_PASS_SERVICE, &var_xsd_pass_service, 1, 0},
	{VAR_XC_CACHE_DB, DEF_XC_CACHE_DB, &var_xsd_cache_db, 0, 0},
	{VAR_SMTPD_UPROXY_PROTO, DEF_SMTPD_UPROXY_PROTO, &var_xsd_smtpd_uproxy_proto, 0, 0},
	{VAR_XSD_UPROXY_PROTO, DEF_XSD_UPROXY_PROTO, &var_xsd_uproxy_proto, 0, 0},
	{VAR_SMTPD_TLS_LEVEL, DEF_SMTPD_TLS_LEVEL, &var_xsd_tls_level, 0, 0},
	{VAR_SMTPD_FORBID_BARE_LF, DEF_SMTPD_FORBID_BARE_LF, &var_xsd_bare_lf, 1, 0},
	{VAR_SMTPD_FORBID_BARE_LF_EXCL, DEF_SMTPD_FORBID_BARE_LF_EXCL, &var_xsd_bare_lf_excl, 0, 0},
	{VAR_SMTPD_EHLO_DIS_WORDS, DEF_SMTPD_EHLO_DIS_WORDS, &var_xsd_ehlo_dis_words, 0, 0},
	{VAR_SMTPD_EHLO_DIS_MAPS, DEF_SMTPD_EHLO_DIS_MAPS, &var_xsd_ehlo_dis_maps, 0, 0},
	{VAR_SMTPD_CMD_FILTER, DEF_SMTPD_CMD_FILTER, &var_xsd_cmd_filter, 0, 0},
	{0},
    };
    static const CONFIG_TIME_TABLE time_table[] = {
	{VAR_XC_KEY_LIFETIME, DEF_XC_KEY_LIFETIME, &var_xsd_key_lifetime, MIN_XC_KEY_LIFETIME, 0},
	{VAR_XSD_TIMEOUT, DEF_XSD_TIMEOUT, &var_xsd_timeout, 1, 0},
	{VAR_XSD_PASS_TIMEOUT, DEF_XSD_PASS_TIMEOUT, &var_xsd_pass_timeout, 1, 0},
	{VAR_SMTPD_UPROXY_TMOUT, DEF_SMTPD_UPROXY_TMOUT, &var_xsd_smtpd_uproxy_tmout, 1, 0},
	{VAR_XSD_UPROXY_TMOUT, DEF_XSD_UPROXY_TMOUT, &var_xsd_uproxy_tmout, 1, 0},
	{0},
    };
    static const CONFIG_INT_TABLE int_table[] = {
	{VAR_XSD_HS_LIMIT, DEF_XSD_HS_LIMIT, &var_xsd_hs_limit, 0, 0},
	{VAR_XC_CACHE_PEER_LIMIT, DEF_XC_CACHE_PEER_LIMIT, &var_xsd_peer_limit, 1, 0},
	{0},
    };
    static const CONFIG_NINT_TABLE nint_table[] = {
	{VAR_SMTPD_HARD_ERLIM, DEF_SMTPD_HARD_ERLIM, &var_xsd_hard_erlim, 1, 0},
	{0},
    };
    static const CONFIG_BOOL_TABLE bool_table[] = {
	{VAR_XSD_RCVD_HDR, DEF_XSD_RCVD_HDR, &var_xsd_rcvd_hdr},
	{VAR_SMTPD_ENFORCE_TLS, DEF_SMTPD_ENFORCE_TLS, &var_xsd_enforce_tls},
	{VAR_SMTPD_TLS_WRAPPER, DEF_SMTPD_TLS_WRAPPER, &var_xsd_tls_wrapper},
	{0},
    };

    MAIL_VERSION_STAMP_ALLOCATE;
    XC_CHECK_POSTFIX_VERSION();

    event_server_main(argc, argv, xsd_service,
		       CA_MAIL_SERVER_STR_TABLE(str_table),
		       CA_MAIL_SERVER_TIME_TABLE(time_table),
		       CA_MAIL_SERVER_INT_TABLE(int_table),
		       CA_MAIL_SERVER_NINT_TABLE(nint_table),
		       CA_MAIL_SERVER_BOOL_TABLE(bool_table),
		       CA_MAIL_SERVER_PRE_INIT(xsd_pre_init),
		       CA_MAIL_SERVER_POST_INIT(xsd_post_init),
		       CA_MAIL_SERVER_SLOW_EXIT(xsd_drain),
		       0);
}
