/*++
/* NAME
/*	xsd_drive 3
/* SUMMARY
/*	drive the xcrypt-smtpd protocol engine in-process
/* SYNOPSIS
/*	#include "xsd_drive.h"
/*
/*	void	xsd_drive_init(suites, bare_lf, bare_lf_excl)
/*	const char *suites;
/*	int	bare_lf;
/*	const char *bare_lf_excl;
/*
/*	XSD_DRIVE *xsd_drive_create(addr)
/*	const char *addr;
/*
/*	void	xsd_drive_client(dp, buf, len)
/*	void	xsd_drive_smtpd(dp, buf, len)
/*	XSD_DRIVE *dp;
/*	const char *buf;
/*	ssize_t	len;
/*
/*	void	xsd_drive_reset(dp)
/*	void	xsd_drive_fake_xcrypt(dp)
/*	int	xsd_drive_closing(dp)
/*	void	xsd_drive_free(dp)
/*	XSD_DRIVE *dp;
/* DESCRIPTION
/*	The same calls as xcrypt_smtpd_relay.c makes, without sockets
/*	or an event loop, for unit tests and fuzz targets: the engine's
/*	objects (proto, out, state) are linked as they are.
/*
/*	xsd_drive_init() sets what xcrypt_smtpd.c derives from the
/*	configuration: the suites on offer (null or "": none), the
/*	smtpd_forbid_bare_newline mode (0 no, 1 normalize, 2 reject)
/*	and its exclusions, a memory key cache, line_length_limit 2048
/*	and smtpd_hard_error_limit 20 (tests may change the var_
/*	variables afterwards).
/*
/*	xsd_drive_create() starts a session for a client at addr. The
/*	engine writes client output into a pipe, read back into
/*	dp->to_client; what it queues for smtpd goes to dp->to_smtpd.
/*
/*	xsd_drive_client() appends octets from the client and lets the
/*	engine handle them; xsd_drive_smtpd() does the same for smtpd
/*	output (then handles pending client input, as the relay does).
/*	Both flush client output once per call, as the relay does per
/*	event. xsd_drive_reset() empties to_client and to_smtpd.
/*
/*	xsd_drive_fake_xcrypt() marks the session as switched to XCRYPT
/*	(suite chacha20poly1305_2.0, a fixed fingerprint) without a
/*	handshake or a stream layer: the engine's XCRYPT-only paths
/*	(trace header, BDAT count) in plaintext.
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <iostuff.h>

/* Global library. */

#include <mail_params.h>

/* Application-specific. */

#include "xsd_drive.h"

 /*
  * What xcrypt_smtpd.c defines in the daemon.
  */
char   *var_xsd_suites = "";
char   *var_xsd_pass_service = "smtpd";
char   *var_xsd_cache_db = "";
int     var_xsd_key_lifetime = 7200;
bool    var_xsd_rcvd_hdr = 1;
int     var_xsd_timeout = 300;
int     var_xsd_pass_timeout = 100;
char   *var_xsd_uproxy_proto = "";
int     var_xsd_uproxy_tmout = 5;
int     var_xsd_hs_limit = DEF_XSD_HS_LIMIT;
int     var_xsd_hard_erlim = 20;

XC_SUITE_LIST xsd_suites;
char    xsd_ehlo_keyword[256];
XC_CACHE *xsd_cache;
int     xsd_std_eod;
int     xsd_bare_lf_reject;
NAMADR_LIST *xsd_bare_lf_excl;
char   *var_xsd_ehlo_dis_words = "";
MAPS   *xsd_ehlo_dis_maps;

#define STR(x)	vstring_str(x)
#define LEN(x)	VSTRING_LEN(x)

/* xsd_drive_init - the configuration */

void    xsd_drive_init(const char *suites, int bare_lf, const char *excl)
{
    const char *bad;

    xc_init();
    if (var_myhostname == 0)
	var_myhostname = "mx.test";
    if (var_line_limit == 0)
	var_line_limit = 2048;
    memset(&xsd_suites, 0, sizeof(xsd_suites));
    xsd_ehlo_keyword[0] = 0;
    if (suites && *suites) {
	if (xc_suite_list_parse(suites, &xsd_suites, &bad) < 0)
	    msg_fatal("bad suites: %s", suites);
	if (xc_format_ehlo_keyword(xsd_ehlo_keyword, sizeof(xsd_ehlo_keyword),
				   &xsd_suites) < 0)
	    msg_fatal("cannot format keyword");
    }
    xsd_std_eod = (bare_lf > 0);
    xsd_bare_lf_reject = (bare_lf == 2);
    if (xsd_bare_lf_excl) {
	namadr_list_free(xsd_bare_lf_excl);
	xsd_bare_lf_excl = 0;
    }
    if (excl && *excl)
	xsd_bare_lf_excl = namadr_list_init("test", MATCH_FLAG_RETURN, excl);
    if (xsd_cache == 0)
	xsd_cache = xc_cache_open((char *) 0, 7200);
}

/* xsd_drive_collect - move engine output into the transcripts */

void    xsd_drive_collect(XSD_DRIVE *dp)
{
    char    buf[4096];
    ssize_t n;

    if (XSD_IS(dp->state, XSD_FLAG_CLIENT_WROTE))
	(void) xsd_client_flush(dp->state);
    while ((n = read(dp->pipe[0], buf, sizeof(buf))) > 0)
	vstring_memcat(dp->to_client, buf, n);
    VSTRING_TERMINATE(dp->to_client);
    vstring_memcat(dp->to_smtpd, STR(dp->state->sout), LEN(dp->state->sout));
    VSTRING_TERMINATE(dp->to_smtpd);
    VSTRING_RESET(dp->state->sout);
    VSTRING_TERMINATE(dp->state->sout);
}

/* xsd_drive_create - a session */

XSD_DRIVE *xsd_drive_create(const char *addr)
{
    XSD_DRIVE *dp = (XSD_DRIVE *) mymalloc(sizeof(*dp));
    VSTREAM *client;

    if (pipe(dp->pipe) < 0)
	msg_fatal("pipe: %m");
    non_blocking(dp->pipe[0], NON_BLOCKING);
    client = vstream_fdopen(dp->pipe[1], O_WRONLY);
    dp->state = xsd_state_create(client, addr, "4711", "127.0.0.1", "25");
    dp->to_client = vstring_alloc(1024);
    dp->to_smtpd = vstring_alloc(1024);
    xsd_proto_start(dp->state);
    return (dp);
}

/* xsd_drive_client - the client sends */

void    xsd_drive_client(XSD_DRIVE *dp, const char *buf, ssize_t len)
{
    vstring_memcat(dp->state->ibuf, buf, len);
    VSTRING_TERMINATE(dp->state->ibuf);
    xsd_client_process(dp->state);
    xsd_drive_collect(dp);
}

/* xsd_drive_smtpd - smtpd sends */

void    xsd_drive_smtpd(XSD_DRIVE *dp, const char *buf, ssize_t len)
{
    vstring_memcat(dp->state->sbuf, buf, len);
    VSTRING_TERMINATE(dp->state->sbuf);
    xsd_smtpd_process(dp->state);
    xsd_client_process(dp->state);
    xsd_drive_collect(dp);
}

/* xsd_drive_reset - forget the transcripts so far */

void    xsd_drive_reset(XSD_DRIVE *dp)
{
    VSTRING_RESET(dp->to_client);
    VSTRING_TERMINATE(dp->to_client);
    VSTRING_RESET(dp->to_smtpd);
    VSTRING_TERMINATE(dp->to_smtpd);
}

/* xsd_drive_fake_xcrypt - XCRYPT on, without the crypto */

void    xsd_drive_fake_xcrypt(XSD_DRIVE *dp)
{
    XSD_SET(dp->state, XSD_FLAG_XCRYPT);
    dp->state->suite = xc_suite(XC_SUITE_CHACHA);
    strcpy(dp->state->fingerprint, "0123456789abcdef");
}

/* xsd_drive_closing - does the engine end the session */

int     xsd_drive_closing(XSD_DRIVE *dp)
{
    return (XSD_IS(dp->state, XSD_FLAG_CLOSING));
}

/* xsd_drive_free - end the session */

void    xsd_drive_free(XSD_DRIVE *dp)
{
    VSTREAM *client = dp->state->client;

    xsd_state_free(dp->state);
    (void) vstream_fclose(client);
    (void) close(dp->pipe[0]);
    vstring_free(dp->to_client);
    vstring_free(dp->to_smtpd);
    myfree((void *) dp);
}
