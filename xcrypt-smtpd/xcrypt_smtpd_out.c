/*++
/* NAME
/*	xcrypt_smtpd_out 3
/* SUMMARY
/*	xcrypt-smtpd output to the client and to smtpd
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/*
/*	void	xsd_client_put(state, buf, len)
/*	XSD_STATE *state;
/*	const char *buf;
/*	ssize_t	len;
/*
/*	void	xsd_client_reply(state, text)
/*	XSD_STATE *state;
/*	const char *text;
/*
/*	void	xsd_client_error(state)
/*	XSD_STATE *state;
/*
/*	int	xsd_client_flush(state)
/*	XSD_STATE *state;
/*
/*	void	xsd_smtpd_put(state, buf, len)
/*	XSD_STATE *state;
/*	const char *buf;
/*	ssize_t	len;
/* DESCRIPTION
/*	This module owns everything the front end sends. The protocol
/*	engine and the event loop call it; it calls neither.
/*
/*	xsd_client_put() and xsd_client_reply() buffer output for the
/*	client (in the client VSTREAM, whose write function never
/*	waits); xsd_client_flush() sends it: one XCRYPT record per call.
/*	xsd_client_reply() counts our own 4xx/5xx replies against
/*	smtpd_hard_error_limit (xsd_client_error() counts one more
/*	error, e.g. a failed handshake) and, at the limit, adds "421 4.7.0
/*	\fImyhostname\fR Error: too many errors" and ends the session.
/*
/*	xsd_smtpd_put() queues octets for smtpd(8) (state->sout); the
/*	event loop writes them when smtpd's socket takes them.
/* DIAGNOSTICS
/*	xsd_client_flush() returns -1 when the client's socket is gone
/*	or full (a client that leaves its replies unread).
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <errno.h>

/* Utility library. */

#include <msg.h>
#include <vstream.h>
#include <vstring.h>
#include <iostuff.h>

/* Global library. */

#include <mail_params.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

/* xsd_client_put - queue octets for the client */

void    xsd_client_put(XSD_STATE *state, const char *buf, ssize_t len)
{
    if (len > 0) {
	vstream_fwrite(state->client, buf, len);
	XSD_SET(state, XSD_FLAG_CLIENT_WROTE);
    }
}

/* xsd_client_reply - queue one reply line of our own */

void    xsd_client_reply(XSD_STATE *state, const char *text)
{
    if (msg_verbose)
	msg_info("> %s: %s", state->namaddr, text);
    vstream_fputs(text, state->client);
    vstream_fputs("\r\n", state->client);
    XSD_SET(state, XSD_FLAG_CLIENT_WROTE);
    if (*text == '4' || *text == '5')
	xsd_client_error(state);
}

/* xsd_client_error - count one error of the client's */

void    xsd_client_error(XSD_STATE *state)
{

    /*
     * smtpd(8) never sees the commands that we answer, so its error limit
     * cannot stop a client that sends nothing but bad XCRYPT commands; one
     * process serves many clients, so ours must.
     */
    if (!XSD_IS(state, XSD_FLAG_CLOSING)
	&& ++state->errors >= var_xsd_hard_erlim) {
	msg_info("too many errors after XCRYPT from %s", state->namaddr);
	vstream_fprintf(state->client, "421 4.7.0 %s Error: too many errors\r\n",
			var_myhostname);
	XSD_SET(state, XSD_FLAG_CLOSING);
    }
}

/* xsd_client_flush - send buffered output: one record */

int     xsd_client_flush(XSD_STATE *state)
{
    XSD_CLR(state, XSD_FLAG_CLIENT_WROTE);
    if (vstream_fflush(state->client) != 0) {
	/* The write may have failed earlier, when a reply filled the buffer. */
	if (vstream_fileno(state->client) >= 0
	    && write_wait(vstream_fileno(state->client), 0) < 0
	    && errno == ETIMEDOUT)
	    msg_info("%s leaves its replies unread: disconnecting",
		     state->namaddr);
	else if (msg_verbose)
	    msg_info("write to client %s: %m", state->namaddr);
	return (-1);
    }
    return (0);
}

/* xsd_smtpd_put - queue octets for smtpd */

void    xsd_smtpd_put(XSD_STATE *state, const char *buf, ssize_t len)
{
    if (len > 0) {
	vstring_memcat(state->sout, buf, len);
	VSTRING_TERMINATE(state->sout);
    }
}
