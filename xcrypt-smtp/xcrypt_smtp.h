/*++
/* NAME
/*	xcrypt_smtp 3h
/* SUMMARY
/*	XCRYPT delivery agent, private interface
/* SYNOPSIS
/*	#include "xcrypt_smtp.h"
/* DESCRIPTION
/*	Shared state and prototypes of the xcrypt-smtp(8) modules:
/*	xcrypt_smtp.c (parameters, skeleton), xcrypt_smtp_connect.c
/*	(next hop, addresses, connections), xcrypt_smtp_proto.c (the
/*	SMTP and XCRYPT dialogue) and xcrypt_smtp_tls.c (STARTTLS).
/*--*/

 /*
  * System library.
  */
#include <sys/time.h>

 /*
  * Utility library.
  */
#include <vstream.h>
#include <vstring.h>
#include <argv.h>

 /*
  * Global library.
  */
#include <deliver_request.h>
#include <dsn_buf.h>
#include <maps.h>

 /*
  * XCRYPT library.
  */
#include <xcrypt.h>

 /*
  * Configuration parameters (xcrypt_smtp.c).
  */
#define VAR_XS_SEC_LEVEL	"xcrypt_smtp_security_level"
#define DEF_XS_SEC_LEVEL	"may"
extern char *var_xs_sec_level;

#define VAR_XS_POLICY_MAPS	"xcrypt_smtp_policy_maps"
#define DEF_XS_POLICY_MAPS	""
extern char *var_xs_policy_maps;

#define VAR_XS_SUITES		"xcrypt_smtp_suites"
#define DEF_XS_SUITES		"chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0"
extern char *var_xs_suites;

extern char *var_xs_cache_db;		/* VAR_XC_CACHE_DB, xcrypt.h */
extern int var_xs_key_lifetime;		/* VAR_XC_KEY_LIFETIME, xcrypt.h */
extern int var_xs_peer_limit;		/* VAR_XC_CACHE_PEER_LIMIT, xcrypt.h */

#define VAR_XS_HELO_NAME	"xcrypt_smtp_helo_name"
#define DEF_XS_HELO_NAME	"$myhostname"
extern char *var_xs_helo_name;

#define VAR_XS_TLS_LEVEL	"xcrypt_smtp_tls_security_level"
#define DEF_XS_TLS_LEVEL	"may"
extern char *var_xs_tls_level;

#define VAR_XS_XC_EHLO		"xcrypt_smtp_ehlo_after_xcrypt"
#define DEF_XS_XC_EHLO		0
extern int var_xs_xc_ehlo;

#define VAR_XS_CHUNKING		"xcrypt_smtp_chunking"
#define DEF_XS_CHUNKING		1
extern int var_xs_chunking;

 /*
  * A message this small (queue file content, LF line ends) goes out as one
  * pipelined BDAT chunk; CRLF at most doubles it.
  */
#define XS_BDAT_MAX		(512 * 1024)

#define VAR_XS_CONN_TMOUT	"xcrypt_smtp_connect_timeout"
#define DEF_XS_CONN_TMOUT	"30s"
extern int var_xs_conn_tmout;

#define VAR_XS_GREET_TMOUT	"xcrypt_smtp_greeting_timeout"
#define DEF_XS_GREET_TMOUT	"300s"
extern int var_xs_greet_tmout;

#define VAR_XS_HELO_TMOUT	"xcrypt_smtp_helo_timeout"
#define DEF_XS_HELO_TMOUT	"300s"
extern int var_xs_helo_tmout;

#define VAR_XS_CMD_TMOUT	"xcrypt_smtp_command_timeout"
#define DEF_XS_CMD_TMOUT	"300s"
extern int var_xs_cmd_tmout;

#define VAR_XS_DATA_TMOUT	"xcrypt_smtp_data_timeout"
#define DEF_XS_DATA_TMOUT	"600s"
extern int var_xs_data_tmout;

 /*
  * Stock smtp(8) parameters that we honour as smtp(8) does.
  */
extern char *var_xs_host_lookup;	/* smtp_host_lookup */
extern char *var_xs_dns_support;	/* smtp_dns_support_level */
extern char *var_xs_tls_loglevel;	/* smtp_tls_loglevel */
extern char *var_xs_tls_CAfile;		/* smtp_tls_CAfile */
extern char *var_xs_tls_CApath;		/* smtp_tls_CApath */
extern char *var_xs_tls_protocols;	/* smtp_tls_protocols */
extern char *var_xs_tls_ciphers;	/* smtp_tls_ciphers */
extern char *var_xs_tls_excl_ciph;	/* smtp_tls_exclude_ciphers */
extern char *var_xs_tls_fpt_dgst;	/* smtp_tls_fingerprint_digest */
extern int var_xs_starttls_tmout;	/* smtp_starttls_timeout */
extern int var_min_backoff_time;	/* minimal_backoff_time */
extern char *var_xs_tcp_port;		/* smtp_tcp_port */
extern int var_xs_rand_addr;		/* smtp_randomize_addresses */
extern int var_xs_mxaddr_limit;		/* smtp_mx_address_limit */
extern int var_xs_defer_mxaddr;		/* smtp_defer_if_no_mx_address_found */
extern int var_xs_skip_5xx;		/* smtp_skip_5xx_greeting */
extern int var_xs_quote_821_env;	/* smtp_quote_rfc821_envelope */
#define VAR_XS_LINE_LIMIT	"xcrypt_smtp_line_length_limit"
#define DEF_XS_LINE_LIMIT	0
extern int var_xs_line_limit;

 /*
  * Name service, from smtp_dns_support_level, disable_dns_lookups and
  * smtp_host_lookup, decided once at start-up as smtp(8) does.
  */
extern int xs_dns_enabled;		/* MX and address lookups in DNS */
extern int xs_host_lookup_mask;		/* XS_HOST_FLAG_* */

#define XS_HOST_FLAG_DNS	(1<<0)	/* host addresses from DNS */
#define XS_HOST_FLAG_NATIVE	(1<<1)	/* host addresses from getaddrinfo() */

 /*
  * Security levels.
  */
#define XS_LEVEL_INVALID	(-1)
#define XS_LEVEL_NONE		0
#define XS_LEVEL_MAY		1
#define XS_LEVEL_ENCRYPT	2

extern int xs_level_code(const char *);
extern const char *xs_level_name(int);

 /*
  * Process-wide state set up at start-up.
  */
extern XC_CACHE *xs_cache;		/* shared key cache */
extern XC_SUITE_LIST xs_suites;		/* suites we allow */
extern int xs_level;			/* default security level */
extern MAPS *xs_policy_maps;		/* per-nexthop level */

 /*
  * Server features from the EHLO reply.
  */
#define XS_FEATURE_ESMTP	(1<<0)
#define XS_FEATURE_PIPELINING	(1<<1)
#define XS_FEATURE_SIZE		(1<<2)
#define XS_FEATURE_8BITMIME	(1<<3)
#define XS_FEATURE_DSN		(1<<4)
#define XS_FEATURE_SMTPUTF8	(1<<5)
#define XS_FEATURE_STARTTLS	(1<<6)
#define XS_FEATURE_XCRYPT	(1<<7)
#define XS_FEATURE_CHUNKING	(1<<8)

 /*
  * Per-recipient bookkeeping during one delivery request.
  */
#define XS_RCPT_PENDING		0	/* not yet final */
#define XS_RCPT_DONE		1	/* sent, deferred or bounced */

#define XS_RCPT_UNTRIED		0	/* no reply in this session */
#define XS_RCPT_ACCEPTED	1	/* RCPT TO accepted */
#define XS_RCPT_REJECTED	(-1)	/* RCPT TO refused */

 /*
  * One delivery attempt: request, queue file, current session.
  */
typedef struct XS_STATE {
    DELIVER_REQUEST *request;
    VSTREAM *src;			/* queue file */
    int     status;			/* aggregate of sent()/defer/bounce */
    int    *rcpt_status;		/* XS_RCPT_* per recipient */
    int    *rcpt_accepted;		/* XS_RCPT_* in this session */
    int     pending;			/* recipients not yet final */
    DSN_BUF *why;			/* last session-level trouble */
    int     final_server;		/* no more addresses after this one */
    int     level;			/* XCRYPT level for this next hop */
    /* Session. */
    VSTREAM *stream;			/* null if none */
    VSTRING *host;			/* server host name */
    VSTRING *addr;			/* server address, printable */
    unsigned port;			/* host byte order */
    VSTRING *namaddr;			/* host[addr] */
    VSTRING *namaddrport;		/* host[addr]:port */
    const char *where;			/* for timeout/EOF messages */
    int     features;			/* XS_FEATURE_* */
    off_t   size_limit;			/* EHLO SIZE value, 0 if none */
    ssize_t space_left;			/* room on this output line */
    int     logged_line_limit;		/* "breaking line" was logged */
    XC_SUITE_LIST offered;		/* server's XCRYPT suites */
    VSTRING *helo_name;			/* server name from EHLO reply */
    void   *tls_context;		/* TLS_SESS_STATE or null */
    int     xcrypt_active;
    int     quit_sent;			/* QUIT pipelined after "." */
    VSTRING *chunk;			/* BDAT content, or null: DATA */
    int     tls_disabled;		/* plaintext retry: no STARTTLS */
    int     tls_retry_plain;		/* retry this address in plaintext */
    /* Scratch. */
    VSTRING *buf;
    VSTRING *cmd;
} XS_STATE;

 /*
  * Session outcome, from xs_session().
  */
#define XS_SESS_DONE	0		/* no reason to try another host */
#define XS_SESS_NEXT	1		/* try the next address */

 /*
  * One server reply.
  */
typedef struct XS_RESP {
    int     code;			/* 0 if malformed */
    char    dsn[16];			/* enhanced status */
    VSTRING *str;			/* all lines, joined by a space */
    ARGV   *lines;			/* line texts after "NNN-" */
} XS_RESP;

 /*
  * xcrypt_smtp_connect.c
  */
extern int xs_deliver(XS_STATE *);

 /*
  * xcrypt_smtp_proto.c
  */
extern int xs_session(XS_STATE *);
extern void xs_rcpt_final(XS_STATE *, int, int, const char *);
extern void xs_fail_pending(XS_STATE *, int);

 /*
  * xcrypt_smtp_tls.c
  */
extern void xs_tls_pre_init(void);
extern int xs_tls_available(void);
extern int xs_tls_start(XS_STATE *);
extern void xs_tls_stop(XS_STATE *, int);

/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/
