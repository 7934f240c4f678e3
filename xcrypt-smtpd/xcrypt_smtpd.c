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
/*	$max_idle seconds, or until "postfix reload".
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
/* .IP "\fBxcrypt_smtpd_suites (chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0)\fR"
/*	The suites offered in the EHLO reply, most preferred first.
/*	Empty: XCRYPT is not offered.
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
/* .IP "\fBxcrypt_smtpd_pass_timeout (300s)\fR"
/*	Time limit for handing a connection to smtpd(8). The connect
/*	itself never waits: when the smtpd(8) service has no room, the
/*	client gets "421 4.3.2", as with postscreen(8).
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
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstream.h>
#include <vstring.h>
#include <myaddrinfo.h>
#include <sock_addr.h>
#include <iostuff.h>
#include <stringops.h>

/* Global library. */

#include <mail_params.h>
#include <mail_conf.h>
#include <mail_version.h>

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
int     var_xsd_hard_erlim;

XC_SUITE_LIST xsd_suites;
XC_CACHE *xsd_cache;

/* xsd_endpoint - address and port strings of one end */

static void xsd_endpoint(int fd, int peer, char **addr, char **port)
{
    struct sockaddr_storage ss;
    SOCKADDR_SIZE len = sizeof(ss);
    MAI_HOSTADDR_STR host;
    MAI_SERVPORT_STR serv;
    int     err;

    if ((peer ? getpeername(fd, (struct sockaddr *) &ss, &len) :
	 getsockname(fd, (struct sockaddr *) &ss, &len)) < 0
	|| (err = sockaddr_to_hostaddr((struct sockaddr *) &ss, len,
				       &host, &serv, 0)) != 0) {
	*addr = mystrdup(peer ? "unknown" : "127.0.0.1");
	*port = mystrdup("0");
	return;
    }
    /* IPv4 in IPv6: as smtpd(8) would show it. */
    if (strncasecmp(host.buf, "::ffff:", 7) == 0 && strchr(host.buf + 7, ':') == 0)
	*addr = mystrdup(host.buf + 7);
    else
	*addr = mystrdup(host.buf);
    *port = mystrdup(serv.buf);
}

/* xsd_state_free - release one session */

void    xsd_state_free(XSD_STATE *state)
{
    if (state->smtpd_fd >= 0)
	(void) close(state->smtpd_fd);

    /*
     * With XCRYPT on, stop the layer before the skeleton closes the client
     * stream, so that nothing leaks in plaintext.
     */
    if (xc_stream_active(state->client))
	xc_stream_stop(state->client);
    xc_session_wipe(&state->session);
    myfree(state->addr);
    myfree(state->port);
    myfree(state->saddr);
    myfree(state->sport);
    myfree(state->namaddr);
    vstring_free(state->ibuf);
    vstring_free(state->sout);
    vstring_free(state->sbuf);
    vstring_free(state->pend);
    vstring_free(state->line);
    myfree((void *) state);
}

/* xsd_service - take one client, hand it to smtpd, relay from events */

static void xsd_service(VSTREAM *stream, char *unused_service, char **argv)
{
    XSD_STATE *state;

    if (argv[0])
	msg_fatal("unexpected command-line argument: %s", argv[0]);

    state = (XSD_STATE *) mymalloc(sizeof(*state));
    memset((void *) state, 0, sizeof(*state));
    state->client = stream;
    state->smtpd_fd = -1;
    state->smtpd_wfd = -1;
    xsd_endpoint(vstream_fileno(stream), 1, &state->addr, &state->port);
    xsd_endpoint(vstream_fileno(stream), 0, &state->saddr, &state->sport);
    state->namaddr = concatenate("[", state->addr, "]:", state->port,
				 (char *) 0);
    state->ibuf = vstring_alloc(4096);
    state->sout = vstring_alloc(4096);
    state->sbuf = vstring_alloc(4096);
    state->pend = vstring_alloc(32);
    state->line = vstring_alloc(512);
    state->long_bdat = -1;
    vstream_control(stream, CA_VSTREAM_CTL_TIMEOUT(var_xsd_timeout),
		    CA_VSTREAM_CTL_END);

    if (xsd_pass_connect(state) < 0) {
	state->closing = 1;
	xsd_client_reply(state, "421 4.3.2 Service currently unavailable");
	(void) xsd_client_flush(state);
	xsd_state_free(state);
	event_server_disconnect(stream);
	return;
    }
    xsd_relay_start(state);
}

/* xsd_pre_init - open the key cache before the privilege drop */

static void xsd_pre_init(char *unused_name, char **unused_argv)
{
    const char *bad;

    if (xc_suite_list_parse(var_xsd_suites, &xsd_suites, &bad) < 0)
	msg_fatal("bad %s value: %s", VAR_XSD_SUITES, bad ? bad : var_xsd_suites);
    if (*var_xsd_pass_service == 0 || strchr(var_xsd_pass_service, '/'))
	msg_fatal("bad %s value: %s", VAR_XSD_PASS_SERVICE,
		  var_xsd_pass_service);
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
	{0},
    };
    static const CONFIG_TIME_TABLE time_table[] = {
	{VAR_XC_KEY_LIFETIME, DEF_XC_KEY_LIFETIME, &var_xsd_key_lifetime, MIN_XC_KEY_LIFETIME, 0},
	{VAR_XSD_TIMEOUT, DEF_XSD_TIMEOUT, &var_xsd_timeout, 1, 0},
	{VAR_XSD_PASS_TIMEOUT, DEF_XSD_PASS_TIMEOUT, &var_xsd_pass_timeout, 1, 0},
	{0},
    };
    static const CONFIG_INT_TABLE int_table[] = {
	{VAR_XC_CACHE_PEER_LIMIT, DEF_XC_CACHE_PEER_LIMIT, &var_xsd_peer_limit, 1, 0},
	{0},
    };
    static const CONFIG_NINT_TABLE nint_table[] = {
	{VAR_SMTPD_HARD_ERLIM, DEF_SMTPD_HARD_ERLIM, &var_xsd_hard_erlim, 1, 0},
	{0},
    };
    static const CONFIG_BOOL_TABLE bool_table[] = {
	{VAR_XSD_RCVD_HDR, DEF_XSD_RCVD_HDR, &var_xsd_rcvd_hdr},
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
		       0);
}
