/*++
/* NAME
/*	xc_client 3
/* SUMMARY
/*	the client's steps of one XCRYPT handshake
/* SYNOPSIS
/*	#include <vstream.h>
/*	#include <xcrypt.h>
/*
/*	XC_CLIENT *xc_client_create()
/*
/*	const XC_SUITE *xc_client_choose(offered, allowed)
/*	const XC_SUITE_LIST *offered;
/*	const XC_SUITE_LIST *allowed;
/*
/*	ssize_t	xc_client_hello(xc, cache, suite, buf, size)
/*	XC_CLIENT *xc;
/*	XC_CACHE *cache;
/*	const XC_SUITE *suite;
/*	char	*buf;
/*	size_t	size;
/*
/*	int	xc_client_reply(xc, cache, text, len, why)
/*	XC_CLIENT *xc;
/*	XC_CACHE *cache;
/*	const char *text;
/*	size_t	len;
/*	const char **why;
/*
/*	int	xc_client_pipelined(xc)
/*	const XC_CLIENT *xc;
/*
/*	int	xc_client_confirmed(text, len)
/*	const char *text;
/*	size_t	len;
/*
/*	ssize_t	xc_client_switch(xc, stream)
/*	XC_CLIENT *xc;
/*	VSTREAM	*stream;
/*
/*	ssize_t	xc_client_switch_confirmed(xc, stream)
/*	XC_CLIENT *xc;
/*	VSTREAM	*stream;
/*
/*	void	xc_client_free(xc)
/*	XC_CLIENT *xc;
/* DESCRIPTION
/*	This module is the one implementation of the client side of
/*	the XCRYPT handshake (spec sections 4.1 to 4.3). It does no I/O
/*	of its own besides the switch: the caller sends the commands and
/*	reads the replies with its own SMTP machinery (timeouts, reply
/*	size limits, logging), and hands each reply's text to the next
/*	step. The handshake's secrets (the DH key pair, our nonce, the
/*	derived keys) live in the heap-allocated XC_CLIENT, never on the
/*	caller's stack, so that a caller that leaves by longjmp() still
/*	wipes them with xc_client_free().
/*
/*	xc_client_create() returns a new object in state
/*	XC_CLIENT_STATE_NEW.
/*
/*	xc_client_choose() returns the first suite of the server's list
/*	(offered, in server order) that the client's list (allowed) also
/*	holds, or a null pointer (spec 4: the server suggests).
/*
/*	xc_client_hello() fetches this host's key pair for the suite's
/*	group from the cache (a null cache: a fresh pair), draws a fresh
/*	nonce and formats the command "XCRYPT suite Ka Na", without CRLF,
/*	into buf of size octets (XC_LINE_MAX + 1 is enough). It returns
/*	the command's length or an XC_ERR_* code.
/*
/*	xc_client_reply() takes the text of the server's one-line reply
/*	to that command after "250 " ("XCRYPT Kb Nb"), validates it
/*	(spec 4: lengths, alphabet, range of Kb), gets Z through the
/*	cache, derives the keys and the session fingerprint. On error
/*	it sets *why to a short static explanation for logs, wipes the
/*	secrets, and the caller must send XC_CLIENT_FAIL (spec 4.2).
/*
/*	xc_client_pipelined() returns non-zero when the chosen suite
/*	allows the client to switch right after it sent XC_CLIENT_OK,
/*	without waiting for the reply (spec 4.5, XC_SUITE_FLAG_PIPELINED_OK);
/*	the stream layer then checks the plaintext "250 XCRYPT OK" itself.
/*	Otherwise the caller reads the reply to XC_CLIENT_OK, checks it
/*	with xc_client_confirmed(), and switches after it (spec 4.3).
/*
/*	xc_client_confirmed() returns non-zero when a reply text (after
/*	"250 ") is "XCRYPT OK", in any case.
/*
/*	xc_client_switch() turns protection on for the stream
/*	(xc_stream_start() with XC_ROLE_CLIENT), which discards octets
/*	that the server sent beyond the confirmation (spec 4.3). For a
/*	pipelined suite it is called right after the caller wrote
/*	XC_CLIENT_OK, without flushing it and without waiting for the
/*	reply: xc_stream_switch() with XC_STREAM_CONFIRM sends that line
/*	in front of the first protected octets, in one write, and reads
/*	and checks "250 XCRYPT OK" before everything else it reads, of
/*	which it discards nothing (spec 4.5). Then it
/*	wipes the keys and the key pair held here (the stream layer has
/*	its own copy). The fingerprint, the suite and the cache hit flag
/*	stay for logging. It returns the number of discarded octets, or
/*	an XC_ERR_* code.
/*
/*	xc_client_switch_confirmed() is for a client that waited for
/*	"250 XCRYPT OK" and read it itself, which spec 4.5 allows with a
/*	pipelined suite too: then what follows that line is protected
/*	input, never discarded (XC_STREAM_KEEP); with the other suites it
/*	is xc_client_switch().
/*
/*	xc_client_free() wipes everything and releases the object. A
/*	null pointer is allowed.
/* DIAGNOSTICS
/*	XC_ERR_STATE: a step out of sequence. Other codes come from
/*	xc_session(3), xc_codec(3) and xc_stream(3).
/* SEE ALSO
/*	xc_session(3), xc_codec(3), xc_stream(3)
/*	../shared/XCRYPT-PROTOCOL.md, section 4.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>

/* Utility library. */

#include <mymalloc.h>
#include <vstream.h>

/* Application-specific. */

#include "xc_private.h"

/* xc_client_create - new handshake object */

XC_CLIENT *xc_client_create(void)
{
    XC_CLIENT *xc;

    xc = (XC_CLIENT *) mymalloc(sizeof(*xc));
    memset((void *) xc, 0, sizeof(*xc));
    xc->state = XC_CLIENT_STATE_NEW;
    return (xc);
}

/* xc_client_choose - first server suite that the client allows */

const XC_SUITE *xc_client_choose(const XC_SUITE_LIST *offered,
				         const XC_SUITE_LIST *allowed)
{
    int     n;

    for (n = 0; n < offered->count; n++)
	if (xc_suite_list_has(allowed, offered->ids[n]))
	    return (xc_suite(offered->ids[n]));
    return (0);
}

/* xc_client_fail - abandon the handshake, wipe the secrets */

static int xc_client_fail(XC_CLIENT *xc, int err)
{
    xc_session_wipe(&xc->sess);
    xc->state = XC_CLIENT_STATE_FAILED;
    return (err);
}

/* xc_client_hello - start, format XCRYPT suite Ka Na */

ssize_t xc_client_hello(XC_CLIENT *xc, XC_CACHE *cache, const XC_SUITE *suite,
			        char *buf, size_t size)
{
    ssize_t len;
    int     ret;

    if (xc->state != XC_CLIENT_STATE_NEW)
	return (XC_ERR_STATE);
    xc->suite = suite;
    if ((ret = xc_session_start(&xc->sess, cache, suite,
				XC_ROLE_CLIENT)) != XC_OK)
	return (xc_client_fail(xc, ret));
    if ((len = xc_format_hello(buf, size, suite, xc->sess.pair.pub,
			       xc->sess.nonce)) < 0)
	return (xc_client_fail(xc, (int) len));
    xc->state = XC_CLIENT_STATE_HELLO;
    return (len);
}

/* xc_client_reply - validate 250 XCRYPT Kb Nb, derive the keys */

int     xc_client_reply(XC_CLIENT *xc, XC_CACHE *cache, const char *text,
			        size_t len, const char **why)
{
    XC_HELLO hello;
    const char *dummy_why;
    int     ret;

    if (why == 0)
	why = &dummy_why;
    *why = "";
    if (xc->state != XC_CLIENT_STATE_HELLO) {
	*why = "reply out of sequence";
	return (xc_client_fail(xc, XC_ERR_STATE));
    }
    memset((void *) &hello, 0, sizeof(hello));
    if ((ret = xc_parse_hello_reply(text, len, xc->suite, &hello,
				    why)) == XC_OK
	&& (ret = xc_session_finish(&xc->sess, cache, &hello)) != XC_OK)
	*why = xc_strerror(ret);
    zeromem((void *) &hello, sizeof(hello));
    if (ret != XC_OK) {
	if (*why == 0 || **why == 0)
	    *why = xc_strerror(ret);
	return (xc_client_fail(xc, ret));
    }
    xc->state = XC_CLIENT_STATE_KEYS;
    return (XC_OK);
}

/* xc_client_pipelined - may the client switch without waiting? */

int     xc_client_pipelined(const XC_CLIENT *xc)
{
    return (xc->suite != 0
	    && (xc->suite->flags & XC_SUITE_FLAG_PIPELINED_OK) != 0);
}

/* xc_client_confirmed - is this the text of 250 XCRYPT OK? */

int     xc_client_confirmed(const char *text, size_t len)
{
    return (len == sizeof(XC_CLIENT_OK) - 1
	    && strncasecmp(text, XC_CLIENT_OK, len) == 0);
}

/* xc_client_switch_how - protection on, secrets off */

static ssize_t xc_client_switch_how(XC_CLIENT *xc, VSTREAM *stream, int how)
{
    ssize_t discarded;

    if (xc->state != XC_CLIENT_STATE_KEYS)
	return (XC_ERR_STATE);
    discarded = xc_stream_switch(stream, xc->suite, &xc->sess.keys,
				 XC_ROLE_CLIENT, how, (void *) 0, 0);
    xc_keys_wipe(&xc->sess.keys);
    xc_keypair_wipe(&xc->sess.pair);
    zeromem((void *) xc->sess.nonce, sizeof(xc->sess.nonce));
    if (discarded < 0)
	return (xc_client_fail(xc, (int) discarded));
    xc->state = XC_CLIENT_STATE_ON;
    return (discarded);
}

/* xc_client_switch - switch after XC_CLIENT_OK (pipelined) or its reply */

ssize_t xc_client_switch(XC_CLIENT *xc, VSTREAM *stream)
{
    return (xc_client_switch_how(xc, stream, xc_client_pipelined(xc) ?
				 XC_STREAM_CONFIRM : XC_STREAM_DISCARD));
}

/* xc_client_switch_confirmed - switch after reading 250 XCRYPT OK */

ssize_t xc_client_switch_confirmed(XC_CLIENT *xc, VSTREAM *stream)
{
    return (xc_client_switch_how(xc, stream, xc_client_pipelined(xc) ?
				 XC_STREAM_KEEP : XC_STREAM_DISCARD));
}

/* xc_client_free - wipe and release */

void    xc_client_free(XC_CLIENT *xc)
{
    if (xc == 0)
	return;
    xc_session_wipe(&xc->sess);
    zeromem((void *) xc, sizeof(*xc));
    myfree((void *) xc);
}
