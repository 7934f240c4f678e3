/*++
/* NAME
/*	xcrypt_smtpd_relay 3
/* SUMMARY
/*	xcrypt-smtpd I/O: hand-off to smtpd, client and smtpd streams
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/*
/*	int	xsd_pass_connect(state)
/*	XSD_STATE *state;
/*
/*	int	xsd_client_fill(state)
/*	XSD_STATE *state;
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
/*	int	xsd_client_flush(state)
/*	XSD_STATE *state;
/*
/*	int	xsd_smtpd_fill(state)
/*	XSD_STATE *state;
/*
/*	int	xsd_smtpd_flush(state)
/*	XSD_STATE *state;
/* DESCRIPTION
/*	xsd_pass_connect() creates a socket pair, connects to the smtpd(8)
/*	pass service, sends it one end with the client's and the server's
/*	address and port (as postscreen(8) does: no read between the
/*	descriptor and the attributes) and keeps the other end in
/*	state->smtpd_fd. It returns -1 when smtpd(8) cannot be reached.
/*
/*	xsd_client_fill() appends to state->ibuf what the client stream
/*	has, without blocking: the client socket is non-blocking and the
/*	stream's timeout is zero for the duration of the read, so that a
/*	record that is still incomplete does not stall smtpd's replies.
/*	Reads go through the VSTREAM, so that with XCRYPT active they are
/*	decrypted. Result: 1 data, 0 nothing yet, -1 end of file or error
/*	(errno EIO: a record did not verify).
/*
/*	xsd_client_put() and xsd_client_reply() buffer output for the
/*	client; xsd_client_flush() sends it, one XCRYPT record per call.
/*
/*	xsd_smtpd_fill() appends to state->sbuf what smtpd(8) has sent,
/*	without blocking: 1 data, 0 nothing yet, -1 end of file or error. xsd_smtpd_flush() writes
/*	state->sout to smtpd(8) and empties it; -1 on error.
/* DIAGNOSTICS
/*	Problems with smtpd(8) are logged with msg_warn().
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/socket.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstream.h>
#include <vstring.h>
#include <iostuff.h>
#include <connect.h>
#include <attr.h>
#include <stringops.h>

/* Global library. */

#include <mail_proto.h>
#include <mail_params.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

#define STR(x)	vstring_str(x)
#define LEN(x)	VSTRING_LEN(x)

/* xsd_client_write_fn - write first, wait only when the socket is full */

static ssize_t xsd_client_write_fn(int fd, void *buf, size_t len,
				           int timeout, void *unused_context)
{
    ssize_t n;

    for (;;) {
	if ((n = write(fd, buf, len)) >= 0)
	    return (n);
	if (errno == EINTR)
	    continue;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
	    return (-1);
	if (write_wait(fd, timeout > 0 ? timeout : var_xsd_timeout) < 0)
	    return (-1);
    }
}

/* xsd_pass_connect - hand one end of a socket pair to smtpd */

int     xsd_pass_connect(XSD_STATE *state)
{
    char   *service;
    int     pair[2];
    int     server_fd;
    int     pass_err;
    VSTREAM *fp;
#if !defined(LINUX2) && !defined(LINUX3) && !defined(LINUX4) \
    && !defined(LINUX5) && !defined(LINUX6)
    char    junk;

#endif

    service = concatenate(MAIL_CLASS_PRIVATE, "/", var_xsd_pass_service,
			  (char *) 0);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0) {
	msg_warn("socketpair: %m");
	myfree(service);
	return (-1);
    }
    if ((server_fd = LOCAL_CONNECT(service, BLOCKING,
				   var_xsd_pass_timeout)) < 0) {
	msg_warn("cannot connect to service %s: %m", service);
	(void) close(pair[0]);
	(void) close(pair[1]);
	myfree(service);
	return (-1);
    }
    /* XXX Note: no dummy read between LOCAL_SEND_FD() and attr_print(). */
    fp = vstream_fdopen(server_fd, O_RDWR);
    vstream_control(fp, CA_VSTREAM_CTL_TIMEOUT(var_xsd_pass_timeout),
		    CA_VSTREAM_CTL_END);
    pass_err =
	(LOCAL_SEND_FD(server_fd, pair[1]) < 0
	 || (attr_print(fp, ATTR_FLAG_NONE,
			SEND_ATTR_STR(MAIL_ATTR_ACT_CLIENT_ADDR, state->addr),
			SEND_ATTR_STR(MAIL_ATTR_ACT_CLIENT_PORT, state->port),
			SEND_ATTR_STR(MAIL_ATTR_ACT_SERVER_ADDR, state->saddr),
			SEND_ATTR_STR(MAIL_ATTR_ACT_SERVER_PORT, state->sport),
			ATTR_TYPE_END) != 0)
	 || vstream_fflush(fp) != 0);
    (void) vstream_fdclose(fp);
    (void) close(pair[1]);
    if (pass_err) {
	msg_warn("cannot pass connection to service %s: %m", service);
	(void) close(server_fd);
	(void) close(pair[0]);
	myfree(service);
	return (-1);
    }

    /*
     * postscreen waits for the receiver to close first, because some
     * systems discard what was written when the writer closes at once. On
     * Linux, queued data and descriptors in flight survive the close, and
     * the round trip would cost every connection a scheduler pass.
     */
#ifndef LINUX2
#ifndef LINUX3
#ifndef LINUX4
#ifndef LINUX5
#ifndef LINUX6
    if (read_wait(server_fd, var_xsd_pass_timeout) == 0)
	if (read(server_fd, &junk, 1) > 0 && msg_verbose)
	    msg_info("service %s: unexpected data", service);
#endif
#endif
#endif
#endif
#endif
    (void) close(server_fd);
    myfree(service);
    state->smtpd_fd = pair[0];
    non_blocking(pair[0], NON_BLOCKING);
    non_blocking(vstream_fileno(state->client), NON_BLOCKING);
    vstream_control(state->client,
		    CA_VSTREAM_CTL_WRITE_FN(xsd_client_write_fn),
		    CA_VSTREAM_CTL_END);
    return (0);
}

/* xsd_client_fill - append what the client has sent, do not block */

int     xsd_client_fill(XSD_STATE *state)
{
    VSTREAM *fp = state->client;
    ssize_t n;
    int     ch;
    int     saved_errno;

    if (vstream_peek(fp) <= 0) {
	vstream_control(fp, CA_VSTREAM_CTL_TIMEOUT(0), CA_VSTREAM_CTL_END);
	errno = 0;
	ch = VSTREAM_GETC(fp);
	saved_errno = errno;
	vstream_control(fp, CA_VSTREAM_CTL_TIMEOUT(var_xsd_timeout),
			CA_VSTREAM_CTL_END);
	if (ch == VSTREAM_EOF) {
	    if (msg_verbose)
		msg_info("client read: eof=%d err=%d errno=%d",
			 vstream_feof(fp) != 0, vstream_ferror(fp) != 0,
			 saved_errno);
	    if (vstream_ferror(fp)
		&& (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {
		vstream_clearerr(fp);
		return (0);
	    }
	    /* vbuf_get() sets the EOF flag on errors, too. */
	    errno = vstream_ferror(fp) ? saved_errno : 0;
	    return (-1);
	}
	VSTRING_ADDCH(state->ibuf, ch);
	VSTRING_TERMINATE(state->ibuf);
    }
    if ((n = vstream_peek(fp)) > 0)
	(void) vstream_fread_app(fp, state->ibuf, n);
    return (1);
}

/* xsd_client_put - queue octets for the client */

void    xsd_client_put(XSD_STATE *state, const char *buf, ssize_t len)
{
    if (len > 0) {
	vstream_fwrite(state->client, buf, len);
	state->client_wrote = 1;
    }
}

/* xsd_client_reply - queue one reply line of our own */

void    xsd_client_reply(XSD_STATE *state, const char *text)
{
    if (msg_verbose)
	msg_info("> %s: %s", state->namaddr, text);
    vstream_fputs(text, state->client);
    vstream_fputs("\r\n", state->client);
    state->client_wrote = 1;
}

/* xsd_client_flush - send buffered output: one record */

int     xsd_client_flush(XSD_STATE *state)
{
    state->client_wrote = 0;
    if (vstream_fflush(state->client) != 0) {
	if (msg_verbose)
	    msg_info("write to client %s: %m", state->namaddr);
	return (-1);
    }
    return (0);
}

/* xsd_smtpd_fill - append what smtpd has sent */

int     xsd_smtpd_fill(XSD_STATE *state)
{
    char    buf[VSTREAM_BUFSIZE];
    ssize_t n;

    for (;;) {
	n = read(state->smtpd_fd, buf, sizeof(buf));
	if (n > 0) {
	    vstring_memcat(state->sbuf, buf, n);
	    VSTRING_TERMINATE(state->sbuf);
	    return (1);
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
	    return (0);
	return (-1);
    }
}

/* xsd_smtpd_flush - write everything queued for smtpd */

int     xsd_smtpd_flush(XSD_STATE *state)
{
    const char *cp = STR(state->sout);
    ssize_t left = LEN(state->sout);
    ssize_t n;

    while (left > 0) {
	if ((n = write(state->smtpd_fd, cp, left)) < 0) {
	    if (errno == EINTR)
		continue;
	    if ((errno == EAGAIN || errno == EWOULDBLOCK)
		&& write_wait(state->smtpd_fd, var_xsd_pass_timeout) == 0)
		continue;
	    msg_warn("write to service %s for %s: %m",
		     var_xsd_pass_service, state->namaddr);
	    VSTRING_RESET(state->sout);
	    return (-1);
	}
	cp += n;
	left -= n;
    }
    VSTRING_RESET(state->sout);
    VSTRING_TERMINATE(state->sout);
    return (0);
}
