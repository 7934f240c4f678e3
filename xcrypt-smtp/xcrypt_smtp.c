/*++
/* NAME
/*	xcrypt-smtp 8
/* SUMMARY
/*	Postfix SMTP delivery agent with XCRYPT opportunistic encryption
/* SYNOPSIS
/*	\fBxcrypt-smtp\fR [generic Postfix daemon options]
/* DESCRIPTION
/*	The xcrypt-smtp(8) delivery agent takes delivery requests from
/*	the queue manager, as smtp(8) does, and delivers them over SMTP.
/*	When the server lists the XCRYPT extension and the policy allows,
/*	it runs the XCRYPT handshake (Diffie-Hellman key agreement, then
/*	stream or record encryption) before it sends the envelope, so
/*	that addresses and message text never cross the wire in clear.
/*	Without XCRYPT it uses opportunistic STARTTLS as smtp(8) does at
/*	level "may" (including smtp(8)'s retry of the same server in
/*	plaintext after a failed TLS handshake, for mail that has waited
/*	$minimal_backoff_time), and otherwise plaintext; at security level
/*	"encrypt" it defers mail for a server that does not offer XCRYPT.
/*
/*	The next hop is found as smtp(8) finds it: the MX hosts of a
/*	domain in order of preference, or its address records;
/*	[host] and [host]:port literals; a list of next hops separated
/*	by comma or space is tried in order.
/*
/*	Each recipient is reported with the standard calls, so that the
/*	maillog and postqueue(1) show the usual to=, relay=, delay=,
/*	delays=, dsn= and status= details. Each XCRYPT session is
/*	logged as
/*
/*	\fIqueueid\fR: XCRYPT session to \fIhost\fR[\fIaddr\fR]:\fIport\fR:
/*	suite=\fIsuite\fR group=\fIgroup\fR cache=hit|miss
/*	fingerprint=\fIhex\fR
/* SECURITY
/* .ad
/* .fi
/*	The program runs with mail_owner privileges. It opens the key
/*	cache as root before it drops privileges, and makes it owned by
/*	mail_owner. Secrets are never logged and are wiped after use.
/*	The Diffie-Hellman exchange is unauthenticated: XCRYPT protects
/*	against passive eavesdropping only.
/* DIAGNOSTICS
/*	Problems and transactions are logged to the Postfix maillog.
/*	Bad configuration values are fatal errors that name the
/*	parameter.
/* CONFIGURATION PARAMETERS
/* .ad
/* .fi
/*	Changes to main.cf are picked up automatically, as xcrypt-smtp(8)
/*	processes run for only a limited amount of time. Parameters can
/*	be overridden per service with "-o name=value" in master.cf.
/* .IP "\fBxcrypt_smtp_security_level (may)\fR"
/*	none (never XCRYPT), may (XCRYPT when offered, else STARTTLS or
/*	plaintext) or encrypt (defer mail unless XCRYPT succeeds).
/* .IP "\fBxcrypt_smtp_policy_maps (empty)\fR"
/*	Optional lookup tables from next hop (as in the delivery request,
/*	then without brackets and port) to a security level.
/* .IP "\fBxcrypt_smtp_suites (chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0)\fR"
/*	The suites this client may use; the first one in the server's
/*	list that is also in this list is chosen.
/* .IP "\fBxcrypt_cache_database ($data_directory/xcrypt_cache.tdb)\fR"
/*	The key cache shared with xcrypt-smtpd(8); empty means memory
/*	only.
/* .IP "\fBxcrypt_key_lifetime (2h)\fR"
/*	How long a Diffie-Hellman key pair is used.
/* .IP "\fBxcrypt_cache_peer_limit (10000)\fR"
/*	The most shared values (one per peer public value) the key
/*	cache keeps; the oldest are removed first.
/* .IP "\fBxcrypt_smtp_helo_name ($myhostname)\fR"
/*	The name sent with EHLO or HELO.
/* .IP "\fBxcrypt_smtp_tls_security_level (may)\fR"
/*	none or may: whether opportunistic STARTTLS is used when the
/*	server offers no XCRYPT.
/* .IP "\fBxcrypt_smtp_ehlo_after_xcrypt (no)\fR"
/*	Send EHLO again inside the protected session. The spec makes
/*	this optional (the session state survives the switch); the
/*	server's features are known from the first EHLO, and leaving it
/*	out saves one round trip per connection.
/* .IP "\fBxcrypt_smtp_chunking (yes)\fR"
/*	When the server offers CHUNKING and PIPELINING, send a message
/*	of up to 512 kB as one "BDAT \fIcount\fR LAST" chunk in the
/*	same group as MAIL FROM, RCPT TO and QUIT (RFC 3030), instead
/*	of waiting for the reply to DATA: one round trip less per
/*	message. Larger messages, and every message with "no", use DATA.
/* .IP "\fBxcrypt_smtp_line_length_limit (0)\fR"
/*	Break message lines longer than this with <CR><LF><SPACE>, as
/*	smtp(8) does with smtp_line_length_limit (998 there). The
/*	default, 0, sends every line as Postfix stored it, byte for
/*	byte; set 998 to behave like smtp(8) toward receivers that
/*	truncate long lines.
/* .IP "\fBxcrypt_smtp_connect_timeout (30s)\fR"
/*	Time limit for completing a TCP connection.
/* .IP "\fBxcrypt_smtp_greeting_timeout (300s)\fR"
/*	Time limit for receiving the server's greeting.
/* .IP "\fBxcrypt_smtp_helo_timeout (300s)\fR"
/*	Time limit for sending EHLO/HELO and receiving the reply.
/* .IP "\fBxcrypt_smtp_command_timeout (300s)\fR"
/*	Time limit for XCRYPT, STARTTLS, MAIL, RCPT, DATA, QUIT.
/* .IP "\fBxcrypt_smtp_data_timeout (600s)\fR"
/*	Time limit for sending the message and receiving the reply to
/*	the end of data.
/* .PP
/*	Stock parameters honoured as smtp(8) does: disable_dns_lookups,
/*	smtp_dns_support_level ("dnssec" without validation),
/*	smtp_host_lookup, smtp_tcp_port, smtp_mx_address_limit,
/*	smtp_randomize_addresses, smtp_defer_if_no_mx_address_found,
/*	smtp_skip_5xx_greeting, smtp_quote_rfc821_envelope,
/*	disable_mime_output_conversion
/*	(8-bit MIME content is converted to quoted-printable for a
/*	server without 8BITMIME), smtputf8_enable, inet_interfaces and proxy_interfaces
/*	(mail loop detection), smtp_tls_loglevel,
/*	smtp_tls_CAfile, smtp_tls_CApath, smtp_tls_protocols,
/*	smtp_tls_ciphers, smtp_tls_exclude_ciphers,
/*	smtp_tls_fingerprint_digest, smtp_starttls_timeout,
/*	minimal_backoff_time (as smtp(8), a failed opportunistic TLS
/*	handshake is retried in plaintext only for mail that has been
/*	queued at least this long).
/* SEE ALSO
/*	smtp(8), xcrypt-smtpd(8), ../shared/XCRYPT-PROTOCOL.md
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <unistd.h>
#include <string.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstream.h>
#include <stringops.h>
#include <name_code.h>
#include <name_mask.h>

/* Global library. */

#include <mail_params.h>
#include <mail_conf.h>
#include <mail_version.h>
#include <mail_queue.h>
#include <deliver_request.h>
#include <flush_clnt.h>
#include <dict.h>
#include <maps.h>

/* Single server skeleton. */

#include <mail_server.h>

/* Application-specific. */

#include "xcrypt_smtp.h"

 /*
  * Tunable parameters.
  */
char   *var_xs_sec_level;
char   *var_xs_policy_maps;
char   *var_xs_suites;
char   *var_xs_cache_db;
int     var_xs_key_lifetime;
int     var_xs_peer_limit;
char   *var_xs_helo_name;
char   *var_xs_tls_level;
int     var_xs_conn_tmout;
int     var_xs_greet_tmout;
int     var_xs_helo_tmout;
int     var_xs_cmd_tmout;
int     var_xs_data_tmout;
char   *var_xs_host_lookup;
char   *var_xs_dns_support;
char   *var_xs_tls_loglevel;
char   *var_xs_tls_CAfile;
char   *var_xs_tls_CApath;
char   *var_xs_tls_protocols;
char   *var_xs_tls_ciphers;
char   *var_xs_tls_excl_ciph;
char   *var_xs_tls_fpt_dgst;
int     var_xs_starttls_tmout;
int     var_xs_xc_ehlo;
int     var_xs_chunking;
int     var_min_backoff_time;
char   *var_xs_tcp_port;
int     var_xs_rand_addr;
int     var_xs_mxaddr_limit;
int     var_xs_defer_mxaddr;
int     var_xs_skip_5xx;
int     var_xs_quote_821_env;
int     var_xs_line_limit;

 /*
  * Process-wide state.
  */
XC_CACHE *xs_cache;
XC_SUITE_LIST xs_suites;
int     xs_level;
MAPS   *xs_policy_maps;
int     xs_dns_enabled;
int     xs_host_lookup_mask;

static const NAME_CODE xs_level_table[] = {
    {"none", XS_LEVEL_NONE},
    {"may", XS_LEVEL_MAY},
    {"encrypt", XS_LEVEL_ENCRYPT},
    {0, XS_LEVEL_INVALID},
};

static const NAME_CODE xs_dns_support_table[] = {
    {"disabled", 0},
    {"enabled", 1},
    {"dnssec", 1},			/* no validation: as "enabled" */
    {0, -1},
};

static const NAME_MASK xs_host_lookup_table[] = {
    {"dns", XS_HOST_FLAG_DNS},
    {"native", XS_HOST_FLAG_NATIVE},
    {0, 0},
};

/* xs_level_code - security level name to code */

int     xs_level_code(const char *name)
{
    return (name_code(xs_level_table, NAME_CODE_FLAG_NONE, name));
}

/* xs_level_name - security level code to name */

const char *xs_level_name(int level)
{
    const char *name = str_name_code(xs_level_table, level);

    return (name ? name : "invalid");
}

/* xs_deliver_message - deliver one request, report every recipient */

static int xs_deliver_message(DELIVER_REQUEST *request)
{
    XS_STATE state;
    int     n;

    if (request->nexthop[0] == 0)
	msg_fatal("empty nexthop hostname");
    if (request->rcpt_list.len <= 0)
	msg_fatal("recipient count: %d", request->rcpt_list.len);

    /*
     * deliver_request_read() has opened and share-locked the queue file:
     * read the message through that stream, as smtp(8) does, rather than
     * open it a second time.
     */
    memset(&state, 0, sizeof(state));
    state.request = request;
    state.src = request->fp;
    state.rcpt_status = (int *) mymalloc(sizeof(int) * request->rcpt_list.len);
    state.rcpt_accepted = (int *) mymalloc(sizeof(int) * request->rcpt_list.len);
    for (n = 0; n < request->rcpt_list.len; n++)
	state.rcpt_status[n] = XS_RCPT_PENDING;
    state.pending = request->rcpt_list.len;
    state.why = dsb_create();
    state.host = vstring_alloc(100);
    state.addr = vstring_alloc(100);
    state.namaddr = vstring_alloc(100);
    state.namaddrport = vstring_alloc(100);
    state.helo_name = vstring_alloc(100);
    state.buf = vstring_alloc(1000);
    state.cmd = vstring_alloc(1000);

    (void) xs_deliver(&state);

    myfree((void *) state.rcpt_status);
    myfree((void *) state.rcpt_accepted);
    dsb_free(state.why);
    vstring_free(state.host);
    vstring_free(state.addr);
    vstring_free(state.namaddr);
    vstring_free(state.namaddrport);
    vstring_free(state.helo_name);
    vstring_free(state.buf);
    vstring_free(state.cmd);
    return (state.status);
}

/* xs_service - one delivery request from the queue manager */

static void xs_service(VSTREAM *client_stream, char *unused_service,
		               char **argv)
{
    DELIVER_REQUEST *request;
    int     status;

    if (argv[0])
	msg_fatal("unexpected command-line argument: %s", argv[0]);

    if ((request = deliver_request_read(client_stream)) != 0) {
	status = xs_deliver_message(request);
	deliver_request_done(client_stream, request, status);
    }
}

 /*
  * Free heap that this process keeps, see pre_init().
  */
#define XS_TRIM_THRESHOLD	(1024 * 1024)

/* pre_init - as root, before chroot: key cache, tables, TLS */

static void pre_init(char *unused_name, char **unused_argv)
{
    const char *bad;

    XC_CHECK_POSTFIX_VERSION();

    /*
     * Each XCRYPT session grows the stream's buffers to 64 KiB and frees
     * them at the end; with glibc's default trim threshold the freed top
     * of the heap goes back to the kernel every time, so that the next
     * session pays for brk() calls and a page fault per 4 KiB again. Keep
     * up to 1 MiB of free heap instead. (Not in the sanitizer build:
     * ASan's allocator replaces glibc's and refuses mallopt().)
     */
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD) \
    && !defined(__SANITIZE_ADDRESS__)
    if (mallopt(M_TRIM_THRESHOLD, XS_TRIM_THRESHOLD) == 0)
	msg_warn("mallopt M_TRIM_THRESHOLD failed; continuing");
#endif

    /*
     * Validate enumerated values once, with a message that names the
     * parameter.
     */
    if ((xs_level = xs_level_code(var_xs_sec_level)) == XS_LEVEL_INVALID)
	msg_fatal("bad %s value: %s", VAR_XS_SEC_LEVEL, var_xs_sec_level);
    if (strcmp(var_xs_tls_level, "none") != 0
	&& strcmp(var_xs_tls_level, "may") != 0)
	msg_fatal("bad %s value: %s", VAR_XS_TLS_LEVEL, var_xs_tls_level);
    if (xc_suite_list_parse(var_xs_suites, &xs_suites, &bad) < 0)
	msg_fatal("bad %s value: %s (unknown suite \"%s\")",
		  VAR_XS_SUITES, var_xs_suites, bad ? bad : "");

    /*
     * Name service as smtp(8) decides it: an empty
     * smtp_dns_support_level defers to disable_dns_lookups; without DNS,
     * host addresses come from the native name service. smtp_host_lookup
     * is a set, not a sequence: DNS, when listed, is always asked first.
     */
    if (*var_xs_dns_support == 0) {
	xs_dns_enabled = !var_disable_dns;
    } else {
	switch (name_code(xs_dns_support_table, NAME_CODE_FLAG_NONE,
			  var_xs_dns_support)) {
	case 0:
	    xs_dns_enabled = 0;
	    break;
	case 1:
	    xs_dns_enabled = 1;
	    break;
	default:
	    msg_fatal("bad %s value: %s", VAR_SMTP_DNS_SUPPORT,
		      var_xs_dns_support);
	}
    }
    xs_host_lookup_mask = name_mask(VAR_SMTP_HOST_LOOKUP, xs_host_lookup_table,
				    var_xs_host_lookup);
    if (xs_host_lookup_mask == 0)
	msg_fatal("bad %s value: %s", VAR_SMTP_HOST_LOOKUP, var_xs_host_lookup);
    if (!xs_dns_enabled)
	xs_host_lookup_mask = XS_HOST_FLAG_NATIVE;

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
    if (strcmp(var_xs_tls_level, "may") == 0)
	xs_tls_pre_init();
    flush_init();
}

MAIL_VERSION_STAMP_DECLARE;

/* main - pass control to the single-threaded skeleton */

int     main(int argc, char **argv)
{
    static const CONFIG_STR_TABLE str_table[] = {
	{VAR_XS_SEC_LEVEL, DEF_XS_SEC_LEVEL, &var_xs_sec_level, 1, 0},
	{VAR_XS_POLICY_MAPS, DEF_XS_POLICY_MAPS, &var_xs_policy_maps, 0, 0},
	{VAR_XS_SUITES, DEF_XS_SUITES, &var_xs_suites, 0, 0},
	{VAR_XC_CACHE_DB, DEF_XC_CACHE_DB, &var_xs_cache_db, 0, 0},
	{VAR_XS_HELO_NAME, DEF_XS_HELO_NAME, &var_xs_helo_name, 1, 0},
	{VAR_XS_TLS_LEVEL, DEF_XS_TLS_LEVEL, &var_xs_tls_level, 1, 0},
	{VAR_SMTP_HOST_LOOKUP, DEF_SMTP_HOST_LOOKUP, &var_xs_host_lookup, 1, 0},
	{VAR_SMTP_DNS_SUPPORT, DEF_SMTP_DNS_SUPPORT, &var_xs_dns_support, 0, 0},
	{VAR_SMTP_TLS_LOGLEVEL, DEF_SMTP_TLS_LOGLEVEL, &var_xs_tls_loglevel, 0, 0},
	{VAR_SMTP_TLS_CA_FILE, DEF_SMTP_TLS_CA_FILE, &var_xs_tls_CAfile, 0, 0},
	{VAR_SMTP_TLS_CA_PATH, DEF_SMTP_TLS_CA_PATH, &var_xs_tls_CApath, 0, 0},
	{VAR_SMTP_TLS_PROTO, DEF_SMTP_TLS_PROTO, &var_xs_tls_protocols, 0, 0},
	{VAR_SMTP_TLS_CIPH, DEF_SMTP_TLS_CIPH, &var_xs_tls_ciphers, 1, 0},
	{VAR_SMTP_TLS_EXCL_CIPH, DEF_SMTP_TLS_EXCL_CIPH, &var_xs_tls_excl_ciph, 0, 0},
	{VAR_SMTP_TLS_FPT_DGST, "sha256", &var_xs_tls_fpt_dgst, 1, 0},
	{VAR_SMTP_TCP_PORT, DEF_SMTP_TCP_PORT, &var_xs_tcp_port, 1, 0},
	{0},
    };
    static const CONFIG_TIME_TABLE time_table[] = {
	{VAR_XC_KEY_LIFETIME, DEF_XC_KEY_LIFETIME, &var_xs_key_lifetime, MIN_XC_KEY_LIFETIME, 0},
	{VAR_XS_CONN_TMOUT, DEF_XS_CONN_TMOUT, &var_xs_conn_tmout, 0, 0},
	{VAR_XS_GREET_TMOUT, DEF_XS_GREET_TMOUT, &var_xs_greet_tmout, 1, 0},
	{VAR_XS_HELO_TMOUT, DEF_XS_HELO_TMOUT, &var_xs_helo_tmout, 1, 0},
	{VAR_XS_CMD_TMOUT, DEF_XS_CMD_TMOUT, &var_xs_cmd_tmout, 1, 0},
	{VAR_XS_DATA_TMOUT, DEF_XS_DATA_TMOUT, &var_xs_data_tmout, 1, 0},
	{VAR_SMTP_STARTTLS_TMOUT, DEF_SMTP_STARTTLS_TMOUT, &var_xs_starttls_tmout, 1, 0},
	{VAR_MIN_BACKOFF_TIME, DEF_MIN_BACKOFF_TIME, &var_min_backoff_time, 1, 0},
	{0},
    };
    static const CONFIG_INT_TABLE int_table[] = {
	{VAR_SMTP_MXADDR_LIMIT, DEF_SMTP_MXADDR_LIMIT, &var_xs_mxaddr_limit, 0, 0},
	{VAR_XS_LINE_LIMIT, DEF_XS_LINE_LIMIT, &var_xs_line_limit, 0, 0},
	{VAR_XC_CACHE_PEER_LIMIT, DEF_XC_CACHE_PEER_LIMIT, &var_xs_peer_limit, 1, 0},
	{0},
    };
    static const CONFIG_BOOL_TABLE bool_table[] = {
	{VAR_XS_XC_EHLO, DEF_XS_XC_EHLO, &var_xs_xc_ehlo},
	{VAR_XS_CHUNKING, DEF_XS_CHUNKING, &var_xs_chunking},
	{VAR_SMTP_RAND_ADDR, DEF_SMTP_RAND_ADDR, &var_xs_rand_addr},
	{VAR_SMTP_DEFER_MXADDR, DEF_SMTP_DEFER_MXADDR, &var_xs_defer_mxaddr},
	{VAR_SMTP_SKIP_5XX, DEF_SMTP_SKIP_5XX, &var_xs_skip_5xx},
	{VAR_SMTP_QUOTE_821_ENV, DEF_SMTP_QUOTE_821_ENV, &var_xs_quote_821_env},
	{0},
    };

    /*
     * Fingerprint executables and core dumps.
     */
    MAIL_VERSION_STAMP_ALLOCATE;

    single_server_main(argc, argv, xs_service,
		       CA_MAIL_SERVER_STR_TABLE(str_table),
		       CA_MAIL_SERVER_INT_TABLE(int_table),
		       CA_MAIL_SERVER_TIME_TABLE(time_table),
		       CA_MAIL_SERVER_BOOL_TABLE(bool_table),
		       CA_MAIL_SERVER_PRE_INIT(pre_init),
		       0);
}
