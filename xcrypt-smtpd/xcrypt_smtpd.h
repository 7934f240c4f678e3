/*++
/* NAME
/*	xcrypt_smtpd 3h
/* SUMMARY
/*	XCRYPT SMTP front end, private interface
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/* DESCRIPTION
/*	State and functions shared by the modules of xcrypt-smtpd(8).
/*--*/

 /*
  * System library.
  */
#include <sys/types.h>

 /*
  * Utility library.
  */
#include <vstream.h>
#include <vstring.h>

 /*
  * Application-specific.
  */
#include <xcrypt.h>

 /*
  * Configuration parameters.
  */
#define VAR_XSD_SUITES		"xcrypt_smtpd_suites"
#define DEF_XSD_SUITES		"chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0"
extern char *var_xsd_suites;

#define VAR_XSD_PASS_SERVICE	"xcrypt_smtpd_pass_service"
#define DEF_XSD_PASS_SERVICE	"smtpd"
extern char *var_xsd_pass_service;

extern char *var_xsd_cache_db;		/* VAR_XC_CACHE_DB, xcrypt.h */
extern int var_xsd_key_lifetime;	/* VAR_XC_KEY_LIFETIME, xcrypt.h */
extern int var_xsd_peer_limit;	/* VAR_XC_CACHE_PEER_LIMIT, xcrypt.h */

#define VAR_XSD_RCVD_HDR	"xcrypt_smtpd_received_header"
#define DEF_XSD_RCVD_HDR	1
extern bool var_xsd_rcvd_hdr;

#define VAR_XSD_TIMEOUT		"xcrypt_smtpd_timeout"
#define DEF_XSD_TIMEOUT		"300s"
extern int var_xsd_timeout;

#define VAR_XSD_PASS_TIMEOUT	"xcrypt_smtpd_pass_timeout"
#define DEF_XSD_PASS_TIMEOUT	"300s"
extern int var_xsd_pass_timeout;

extern int var_xsd_hard_erlim;		/* smtpd_hard_error_limit */

extern XC_SUITE_LIST xsd_suites;	/* parsed xcrypt_smtpd_suites */
extern XC_CACHE *xsd_cache;		/* opened in pre-init */

 /*
  * Where the client byte stream is, as far as SMTP is concerned.
  */
#define XSD_MODE_CMD	0		/* command lines */
#define XSD_MODE_DATA	1		/* DATA content until CRLF.CRLF */
#define XSD_MODE_BDAT	2		/* BDAT chunk: count octets */
#define XSD_MODE_AUTH	3		/* next line is a SASL response */
#define XSD_MODE_OPAQUE	4		/* after STARTTLS: relay only */

 /*
  * What smtpd's next reply answers (pending reply queue).
  */
#define XSD_K_GREET	'g'
#define XSD_K_EHLO	'E'
#define XSD_K_HELO	'H'
#define XSD_K_MAIL	'M'
#define XSD_K_RSET	'R'
#define XSD_K_DATA	'D'
#define XSD_K_DOT	'.'		/* end of DATA content */
#define XSD_K_BDAT	'B'
#define XSD_K_BDAT_LAST	'L'
#define XSD_K_STARTTLS	'S'
#define XSD_K_AUTH	'A'
#define XSD_K_OTHER	'o'

 /*
  * Per-connection state.
  */
typedef struct XSD_STATE {
    VSTREAM *client;			/* the SMTP client */
    int     smtpd_fd;			/* our end of the pair, or -1 */
    int     smtpd_wfd;			/* its duplicate for write events */
    char   *addr;			/* client address */
    char   *port;			/* client port */
    char   *saddr;			/* server address */
    char   *sport;			/* server port */
    char   *namaddr;			/* [addr]:port, for logging */
    VSTRING *ibuf;			/* client input not yet handled */
    ssize_t ioff;			/* first unhandled octet in ibuf */
    VSTRING *sout;			/* octets for smtpd, not yet sent */
    ssize_t soff;			/* first unsent octet in sout */
    VSTRING *sbuf;			/* smtpd output not yet handled */
    VSTRING *pend;			/* kinds of expected smtpd replies */
    ssize_t poff;			/* first pending kind */
    VSTRING *line;			/* scratch */
    int     mode;			/* XSD_MODE_* */
    int     hold;			/* no command parsing until reply */
    int     dot_state;			/* DATA end-of-content detector */
    off_t   bdat_left;			/* BDAT octets still to relay */
    int     long_line;			/* relaying the rest of a long line */
    off_t   long_bdat;			/* BDAT count of that line, or -1 */
    int     long_bdat_last;		/* ... with LAST */
    int     long_discard;		/* ... answered by us: drop it */
    int     ehlo_ok;			/* EHLO accepted */
    int     in_tx;			/* MAIL accepted, not yet ended */
    int     bdat_first;			/* next BDAT starts a message */
    int     tls;			/* STARTTLS accepted */
    int     xcrypt;			/* XCRYPT switched on */
    int     hs_pending;			/* 250 XCRYPT sent, awaiting OK */
    XC_SESSION session;			/* handshake in progress */
    const XC_SUITE *suite;		/* active suite */
    char    fingerprint[17];		/* active session */
    int     client_wrote;		/* unflushed client output */
    int     closing;			/* stop after this round */
    int     smtpd_bye;			/* smtpd sent 421/521: relay only */
    int     errors;			/* our own 4xx/5xx replies */
    /* Event bookkeeping (xcrypt_smtpd_relay.c). */
    int     client_maybe;		/* the client may have input */
    int     client_eof;			/* the client closed its side */
    int     client_reading;		/* read events on the client */
    int     smtpd_writing;		/* write events on smtpd_wfd */
} XSD_STATE;

 /*
  * Do not read more from the client while this much is not yet handled
  * (e.g. while we wait for the reply to DATA).
  */
#define XSD_IN_MAX	(256 * 1024)

#define XSD_PEND_LEN(s)	(VSTRING_LEN((s)->pend) - (s)->poff)
#define XSD_IN_LEN(s)	(VSTRING_LEN((s)->ibuf) - (s)->ioff)
#define XSD_IN_PTR(s)	(vstring_str((s)->ibuf) + (s)->ioff)

 /*
  * xcrypt_smtpd_relay.c
  */
extern int xsd_pass_connect(XSD_STATE *);
extern void xsd_relay_start(XSD_STATE *);
extern void xsd_client_put(XSD_STATE *, const char *, ssize_t);
extern void xsd_client_reply(XSD_STATE *, const char *);
extern int xsd_client_flush(XSD_STATE *);

 /*
  * xcrypt_smtpd_proto.c
  */
extern void xsd_proto_start(XSD_STATE *);
extern void xsd_client_process(XSD_STATE *);
extern void xsd_smtpd_process(XSD_STATE *);

 /*
  * xcrypt_smtpd.c
  */
extern void xsd_state_free(XSD_STATE *);

/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/
