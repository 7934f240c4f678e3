/*++
/* NAME
/*	xcrypt_smtpd 3h
/* SUMMARY
/*	XCRYPT SMTP front end, private interface
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/* DESCRIPTION
/*	State and functions shared by the modules of xcrypt-smtpd(8).
/*	Calls between the modules run one way:
/*
/*	xcrypt_smtpd.c (parameters, service entry, drain)
/* .br
/*	-> xcrypt_smtpd_check.c (the pass service's master.cf entry)
/* .br
/*	-> xcrypt_smtpd_endpt.c (client/server address, PROXY protocol)
/* .br
/*	-> xcrypt_smtpd_relay.c (hand-off to smtpd, event-driven I/O)
/* .br
/*	-> xcrypt_smtpd_proto.c (SMTP stream tracking, XCRYPT engine)
/* .br
/*	-> xcrypt_smtpd_out.c (everything that goes to the client or
/*	is queued for smtpd) and xcrypt_smtpd_state.c (create/free).
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
  * Global library.
  */
#include <mail_params.h>
#include <namadr_list.h>
#include <maps.h>
#include <dict.h>

 /*
  * Application-specific.
  */
#include <xcrypt.h>

 /*
  * Configuration parameters.
  */
#define VAR_XSD_SUITES		"xcrypt_smtpd_suites"
#define DEF_XSD_SUITES		"chacha20poly1305_2.1 chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0"
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
#define DEF_XSD_PASS_TIMEOUT	"100s"
extern int var_xsd_pass_timeout;

#define VAR_XSD_UPROXY_PROTO	"xcrypt_smtpd_upstream_proxy_protocol"
#define DEF_XSD_UPROXY_PROTO	"$" VAR_SMTPD_UPROXY_PROTO
extern char *var_xsd_uproxy_proto;

#define VAR_XSD_UPROXY_TMOUT	"xcrypt_smtpd_upstream_proxy_timeout"
#define DEF_XSD_UPROXY_TMOUT	"$" VAR_SMTPD_UPROXY_TMOUT
extern int var_xsd_uproxy_tmout;

#define VAR_XSD_HS_LIMIT	"xcrypt_smtpd_handshake_limit"
#define DEF_XSD_HS_LIMIT	3
extern int var_xsd_hs_limit;

extern int var_xsd_hard_erlim;		/* smtpd_hard_error_limit */

 /*
  * What the front end derives from the configuration (xcrypt_smtpd.c, or a
  * test driver): the suites on offer (count 0: no XCRYPT at all), the EHLO
  * keyword for them, and how the smtpd(8) behind us ends DATA.
  */
extern XC_SUITE_LIST xsd_suites;
extern char xsd_ehlo_keyword[256];
extern XC_CACHE *xsd_cache;		/* opened in pre-init */
extern int xsd_std_eod;			/* smtpd wants CRLF.CRLF */
extern int xsd_bare_lf_reject;		/* ... and rejects bare LF */
extern NAMADR_LIST *xsd_bare_lf_excl;	/* clients exempt */
extern char *var_xsd_ehlo_dis_words;	/* smtpd_discard_ehlo_keywords */
extern MAPS *xsd_ehlo_dis_maps;		/* ..._address_maps, or null */
extern DICT *xsd_cmd_filter;		/* smtpd_command_filter, or null */
extern int xsd_utf8_check;		/* smtputf8_enable: valid UTF-8 */

 /*
  * Where the client byte stream is, as far as SMTP is concerned.
  */
#define XSD_MODE_CMD	0		/* command lines */
#define XSD_MODE_DATA	1		/* DATA content until CRLF.CRLF */
#define XSD_MODE_BDAT	2		/* BDAT chunk: count octets */
#define XSD_MODE_AUTH	3		/* next line is a SASL response */
#define XSD_MODE_OPAQUE	4		/* after STARTTLS, or TLS wrapper */

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
  * Session flags, one bit each in state->flags.
  */
#define XSD_FLAG_HOLD		(1<<0)	/* no command parsing until reply */
#define XSD_FLAG_EHLO_OK	(1<<1)	/* EHLO accepted */
#define XSD_FLAG_IN_TX		(1<<2)	/* MAIL accepted, not yet ended */
#define XSD_FLAG_BDAT_FIRST	(1<<3)	/* next BDAT starts a message */
#define XSD_FLAG_TLS		(1<<4)	/* STARTTLS accepted, or wrapper */
#define XSD_FLAG_XCRYPT		(1<<5)	/* XCRYPT switched on */
#define XSD_FLAG_HS_PENDING	(1<<6)	/* 250 XCRYPT sent, awaiting OK */
#define XSD_FLAG_CLIENT_WROTE	(1<<7)	/* unflushed client output */
#define XSD_FLAG_CLOSING	(1<<8)	/* stop after this round */
#define XSD_FLAG_SMTPD_BYE	(1<<9)	/* smtpd sent 421/521: relay only */
#define XSD_FLAG_LONG_LINE	(1<<10)	/* relaying the rest of a long line */
#define XSD_FLAG_LONG_DISCARD	(1<<11)	/* ... answered by us: drop it */
#define XSD_FLAG_LONG_LAST	(1<<12)	/* ... a BDAT LAST */
#define XSD_FLAG_PREV_BARE	(1<<13)	/* DATA: last line ended in bare LF */
#define XSD_FLAG_SMTPD_SPOKE	(1<<14)	/* smtpd has sent something */
#define XSD_FLAG_BARE_LF_STD	(1<<15)	/* this client: CRLF.CRLF only */
#define XSD_FLAG_BARE_LF_REJ	(1<<16)	/* this client: bare LF rejected */
#define XSD_FLAG_CLIENT_MAYBE	(1<<20)	/* the client may have input */
#define XSD_FLAG_CLIENT_EOF	(1<<21)	/* the client closed its side */
#define XSD_FLAG_CLIENT_READING	(1<<22)	/* read events on the client */
#define XSD_FLAG_SMTPD_WRITING	(1<<23)	/* write events on smtpd_wfd */

#define XSD_IS(s, f)	(((s)->flags & (f)) != 0)
#define XSD_SET(s, f)	((s)->flags |= (f))
#define XSD_CLR(s, f)	((s)->flags &= ~(f))

 /*
  * Per-connection state.
  */
typedef struct XSD_STATE {
    int     flags;			/* XSD_FLAG_* */
    int     mode;			/* XSD_MODE_* */
    VSTREAM *client;			/* the SMTP client */
    int     smtpd_fd;			/* our end of the pair, or -1 */
    int     smtpd_wfd;			/* its duplicate for write events */
    int     pass_fd;			/* hand-off in progress, or -1 */
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
    int     dot_state;			/* DATA end-of-content detector */
    off_t   bdat_left;			/* BDAT octets still to relay */
    off_t   long_bdat;			/* BDAT count of a long line, or -1 */
    int     errors;			/* our own 4xx/5xx replies */
    int     handshakes;			/* XCRYPT attempts so far */
    XC_SESSION session;			/* handshake in progress */
    const XC_SUITE *suite;		/* active suite */
    char    fingerprint[17];		/* active session */
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
  * xcrypt_smtpd_check.c
  */
typedef struct XSD_OVERRIDE {
    const char *name;			/* parameter */
    char  **value;			/* its variable */
    int     flags;			/* XSD_OVR_FLAG_* */
    const char *def;			/* its default (SMTPD_ONLY) */
} XSD_OVERRIDE;

#define XSD_OVR_FLAG_SMTPD_ONLY	(1<<0)	/* no -o of ours that differs */
#define XSD_OVR_FLAG_BOOL	(1<<1)	/* compare as yes/no */
extern void xsd_check_pass_service(const XSD_OVERRIDE *);

 /*
  * xcrypt_smtpd_endpt.c
  */
typedef void (*XSD_ENDPT_FN) (int, VSTREAM *, const char *, const char *,
			              const char *, const char *);
extern void xsd_endpt_lookup(VSTREAM *, XSD_ENDPT_FN);

 /*
  * xcrypt_smtpd_relay.c
  */
extern void xsd_relay_start(XSD_STATE *);

 /*
  * xcrypt_smtpd_proto.c: the engine of one session, no I/O of its own.
  */
extern void xsd_proto_start(XSD_STATE *);
extern void xsd_client_process(XSD_STATE *);
extern void xsd_smtpd_process(XSD_STATE *);

 /*
  * xcrypt_smtpd_out.c
  */
extern void xsd_client_put(XSD_STATE *, const char *, ssize_t);
extern void xsd_client_reply(XSD_STATE *, const char *);
extern void xsd_client_error(XSD_STATE *);
extern int xsd_client_flush(XSD_STATE *);
extern void xsd_smtpd_put(XSD_STATE *, const char *, ssize_t);

 /*
  * xcrypt_smtpd_state.c
  */
extern XSD_STATE *xsd_state_create(VSTREAM *, const char *, const char *,
				           const char *, const char *);
extern void xsd_state_free(XSD_STATE *);
extern int xsd_session_count;

/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/
