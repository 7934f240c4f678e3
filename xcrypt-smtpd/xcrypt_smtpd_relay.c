/*++
/* NAME
/*	xcrypt_smtpd_relay 3
/* SUMMARY
/*	xcrypt-smtpd I/O: hand-off to smtpd, event-driven relay
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/*
/*	void	xsd_relay_start(state)
/*	XSD_STATE *state;
/* DESCRIPTION
/*	xsd_relay_start() creates a socket pair, connects to the smtpd(8)
/*	pass service, sends it one end with the client's and the server's
/*	address and port (as postscreen(8) does: no read between the
/*	descriptor and the attributes), keeps the other end and hands
/*	the session to the event loop; one process serves many sessions,
/*	as postscreen(8) does.
/*
/*	The hand-off never waits: the connect is non-blocking (bounded
/*	by one second, as postscreen's), the descriptor and attributes
/*	are written without waiting, and the end of the hand-off (smtpd
/*	closes the pass connection once it has taken the client) is an
/*	event. When smtpd(8) cannot be reached, or has not taken the
/*	client and said nothing within $xcrypt_smtpd_pass_timeout, the
/*	client gets "421 4.3.2 Service currently unavailable" and only
/*	that session ends. Nothing else here blocks either:
/* .IP \(bu
/*	The client is read when it has input (whole XCRYPT records may
/*	also wait in the layer's buffer, where no event shows them), as
/*	long as less than XSD_IN_MAX octets wait to be handled and
/*	smtpd(8) has taken everything so far: a client cannot make us
/*	buffer without bound.
/* .IP \(bu
/*	Octets for smtpd(8) that its socket does not take at once wait
/*	in state->sout for a write event (on a duplicate of the
/*	descriptor, so that smtpd's replies are still read meanwhile).
/* .IP \(bu
/*	What goes to the client (replies, a few hundred octets at a
/*	time) is written without waiting. A client that leaves so many
/*	replies unread that its socket is full is disconnected, as
/*	postscreen(8) does.
/* .IP \(bu
/*	When neither side has anything to say for $xcrypt_smtpd_timeout,
/*	the session ends.
/* .PP
/*	The session ends when either side goes away, when a record does
/*	not verify, or when the protocol engine says so (XSD_FLAG_CLOSING);
/*	xsd_state_free() then releases it, and the client stream goes
/*	back to the skeleton.
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
#include <events.h>

/* Global library. */

#include <mail_proto.h>
#include <mail_params.h>

/* Master process interface. */

#include <mail_server.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

 /*
  * As postscreen(8): the connect to the pass service waits at most this
  * long (a local socket: it either has room or it has not).
  */
#define XSD_PASS_CONNECT_TIMEOUT	1

#define STR(x)	vstring_str(x)
#define LEN(x)	VSTRING_LEN(x)

/* xsd_client_write_fn - write what the client's socket takes, never wait */

static ssize_t xsd_client_write_fn(int fd, void *buf, size_t len,
				           int unused_timeout,
				           void *unused_context)
{
    ssize_t n;

    while ((n = write(fd, buf, len)) < 0 && errno == EINTR)
	 /* void */ ;
    return (n);
}

/* xsd_pass_connect - hand one end of a socket pair to smtpd */

static int xsd_pass_connect(XSD_STATE *state)
{
    char   *service;
    int     pair[2];
    int     server_fd;
    int     pass_err;
    VSTREAM *fp;

    service = concatenate(MAIL_CLASS_PRIVATE, "/", var_xsd_pass_service,
			  (char *) 0);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0) {
	msg_warn("socketpair: %m");
	myfree(service);
	return (-1);
    }
    if ((server_fd = LOCAL_CONNECT(service, NON_BLOCKING,
				   XSD_PASS_CONNECT_TIMEOUT)) < 0) {
	msg_warn("cannot connect to service %s: %m", service);
	(void) close(pair[0]);
	(void) close(pair[1]);
	myfree(service);
	return (-1);
    }

    /*
     * The socket is non-blocking and the stream has no time limit: a write
     * that would wait fails instead, as in postscreen(8). No dummy read
     * between LOCAL_SEND_FD() and attr_print().
     */
    fp = vstream_fdopen(server_fd, O_RDWR);
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
    myfree(service);
    state->smtpd_fd = pair[0];
    non_blocking(pair[0], NON_BLOCKING);

    /*
     * smtpd(8) closes the pass connection once it has taken the client.
     * Until then (or until it speaks), the hand-off is not complete.
     */
    state->pass_fd = server_fd;
    return (0);
}

/* xsd_client_fill - append what the client has sent, do not block */

static int xsd_client_fill(XSD_STATE *state)
{
    VSTREAM *fp = state->client;
    ssize_t n;
    int     ch;
    int     saved_errno;

    if (vstream_peek(fp) <= 0) {
	errno = 0;
	ch = VSTREAM_GETC(fp);
	saved_errno = errno;
	if (ch == VSTREAM_EOF) {
	    if (msg_verbose)
		msg_info("client read: eof=%d err=%d errno=%d",
			 vstream_feof(fp) != 0, vstream_ferror(fp) != 0,
			 saved_errno);
	    if (vstream_ferror(fp)
		&& (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {

		/*
		 * Nothing yet. A VSTREAM buffer that was last used for writing
		 * keeps the write's count after a read that failed: put it
		 * back in a clean (empty) read state, or the next reply we
		 * queue would be lost.
		 */
		vstream_clearerr(fp);
		(void) vstream_fpurge(fp, VSTREAM_PURGE_READ);
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

/* xsd_smtpd_fill - append what smtpd has sent */

static int xsd_smtpd_fill(XSD_STATE *state)
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
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
	    return (0);
	return (-1);
    }
}

/* xsd_smtpd_flush - write what smtpd's socket takes: -1 error, 1 more */

static int xsd_smtpd_flush(XSD_STATE *state)
{
    ssize_t n;

    while (state->soff < LEN(state->sout)) {
	n = write(state->smtpd_fd, STR(state->sout) + state->soff,
		  LEN(state->sout) - state->soff);
	if (n < 0) {
	    if (errno == EINTR)
		continue;
	    if (errno == EAGAIN || errno == EWOULDBLOCK)
		return (1);
	    msg_warn("write to service %s for %s: %m",
		     var_xsd_pass_service, state->namaddr);
	    return (-1);
	}
	state->soff += n;
    }
    VSTRING_RESET(state->sout);
    VSTRING_TERMINATE(state->sout);
    state->soff = 0;
    return (0);
}

static void xsd_client_event(int, void *);
static void xsd_smtpd_event(int, void *);
static void xsd_smtpd_write_event(int, void *);
static void xsd_timeout_event(int, void *);
static void xsd_pass_event(int, void *);

/* xsd_relay_close - end the session */

static void xsd_relay_close(XSD_STATE *state)
{
    VSTREAM *client = state->client;

    event_cancel_timer(xsd_timeout_event, (void *) state);
    event_cancel_timer(xsd_pass_event, (void *) state);
    event_disable_readwrite(vstream_fileno(client));
    if (state->smtpd_fd >= 0)
	event_disable_readwrite(state->smtpd_fd);
    if (state->smtpd_wfd >= 0)
	event_disable_readwrite(state->smtpd_wfd);
    if (state->pass_fd >= 0)
	event_disable_readwrite(state->pass_fd);
    xsd_state_free(state);
    event_server_disconnect(client);
}

/* xsd_relay_unavailable - smtpd cannot be reached: 421, end one session */

static void xsd_relay_unavailable(XSD_STATE *state)
{
    XSD_SET(state, XSD_FLAG_CLOSING);
    xsd_client_reply(state, "421 4.3.2 Service currently unavailable");
    (void) xsd_client_flush(state);
    xsd_relay_close(state);
}

/* xsd_pass_done - the hand-off is complete */

static void xsd_pass_done(XSD_STATE *state)
{
    event_cancel_timer(xsd_pass_event, (void *) state);
    event_disable_readwrite(state->pass_fd);
    (void) close(state->pass_fd);
    state->pass_fd = -1;
}

/* xsd_pass_event - smtpd took the client, or did not in time */

static void xsd_pass_event(int event, void *context)
{
    XSD_STATE *state = (XSD_STATE *) context;

    if (event != EVENT_TIME) {
	xsd_pass_done(state);
	return;
    }
    if (XSD_IS(state, XSD_FLAG_SMTPD_SPOKE)) {
	xsd_pass_done(state);
	return;
    }
    msg_warn("timeout sending connection to service %s for %s",
	     var_xsd_pass_service, state->namaddr);
    xsd_relay_unavailable(state);
}

/* xsd_relay_run - do all that can be done now, then wait for events */

static void xsd_relay_run(XSD_STATE *state)
{
    int     want_client;
    int     ret;

    for (;;) {
	xsd_client_process(state);
	if (LEN(state->sout) > state->soff && xsd_smtpd_flush(state) < 0) {
	    xsd_relay_close(state);
	    return;
	}
	if (XSD_IS(state, XSD_FLAG_CLIENT_WROTE) && xsd_client_flush(state) < 0) {
	    xsd_relay_close(state);
	    return;
	}
	if (XSD_IS(state, XSD_FLAG_CLOSING)) {
	    xsd_relay_close(state);
	    return;
	}

	/*
	 * Read the client while there is room and smtpd keeps up. With
	 * records, whole ones may wait in the layer's buffer, where no read
	 * event shows them: read until the layer says "nothing yet".
	 */
	want_client = (!XSD_IS(state, XSD_FLAG_CLIENT_EOF) && XSD_IN_LEN(state) < XSD_IN_MAX
		       && LEN(state->sout) == 0);
	if (want_client && XSD_IS(state, XSD_FLAG_CLIENT_MAYBE)) {
	    if ((ret = xsd_client_fill(state)) > 0) {

		/*
		 * In plaintext a read event tells the truth; with records,
		 * whole ones may wait in the layer's buffer.
		 */
		if (!XSD_IS(state, XSD_FLAG_XCRYPT) || !state->suite->aead)
		    XSD_CLR(state, XSD_FLAG_CLIENT_MAYBE);
		continue;
	    }
	    if (ret < 0) {
		if (errno == EIO && XSD_IS(state, XSD_FLAG_XCRYPT)) {
		    msg_warn("XCRYPT record from %s did not verify:"
			     " closing the connection", state->namaddr);
		    xsd_relay_close(state);
		    return;
		}
		if (errno != 0 && msg_verbose)
		    msg_info("read from %s: %m", state->namaddr);

		/*
		 * Between commands, let smtpd see the end of input and relay
		 * what it still has to say; in the middle of a message or a
		 * line, hang up at once so that nothing is half-queued.
		 */
		if (errno != 0 || state->mode != XSD_MODE_CMD
		    || XSD_IS(state, XSD_FLAG_LONG_LINE) || XSD_IN_LEN(state) > 0) {
		    xsd_relay_close(state);
		    return;
		}
		XSD_SET(state, XSD_FLAG_CLIENT_EOF);
		(void) shutdown(state->smtpd_fd, SHUT_WR);
		continue;
	    }
	    XSD_CLR(state, XSD_FLAG_CLIENT_MAYBE);
	}
	break;
    }

    /*
     * Wait for what can happen next. smtpd is always read: it may have to
     * finish a reply before it reads more.
     */
    if (want_client && !XSD_IS(state, XSD_FLAG_CLIENT_READING)) {
	event_enable_read(vstream_fileno(state->client), xsd_client_event,
			  (void *) state);
	XSD_SET(state, XSD_FLAG_CLIENT_READING);
    } else if (!want_client && XSD_IS(state, XSD_FLAG_CLIENT_READING)) {
	event_disable_readwrite(vstream_fileno(state->client));
	XSD_CLR(state, XSD_FLAG_CLIENT_READING);
    }
    if (LEN(state->sout) > 0 && !XSD_IS(state, XSD_FLAG_SMTPD_WRITING)) {
	if (state->smtpd_wfd < 0 && (state->smtpd_wfd = dup(state->smtpd_fd)) < 0) {
	    msg_warn("dup: %m: closing the session with %s", state->namaddr);
	    xsd_relay_close(state);
	    return;
	}
	event_enable_write(state->smtpd_wfd, xsd_smtpd_write_event,
			   (void *) state);
	XSD_SET(state, XSD_FLAG_SMTPD_WRITING);
    } else if (LEN(state->sout) == 0 && XSD_IS(state, XSD_FLAG_SMTPD_WRITING)) {
	event_disable_readwrite(state->smtpd_wfd);
	XSD_CLR(state, XSD_FLAG_SMTPD_WRITING);
    }
    event_request_timer(xsd_timeout_event, (void *) state, var_xsd_timeout);
}

/* xsd_client_event - the client has input */

static void xsd_client_event(int unused_event, void *context)
{
    XSD_STATE *state = (XSD_STATE *) context;

    XSD_SET(state, XSD_FLAG_CLIENT_MAYBE);
    xsd_relay_run(state);
}

/* xsd_smtpd_event - smtpd has output */

static void xsd_smtpd_event(int unused_event, void *context)
{
    XSD_STATE *state = (XSD_STATE *) context;
    int     ret;

    if ((ret = xsd_smtpd_fill(state)) < 0) {
	/* smtpd hung up: relay a last partial reply, if any. */
	if (LEN(state->sbuf) > 0)
	    xsd_client_put(state, STR(state->sbuf), LEN(state->sbuf));
	if (XSD_IS(state, XSD_FLAG_CLIENT_WROTE))
	    (void) xsd_client_flush(state);
	xsd_relay_close(state);
	return;
    }
    if (ret > 0)
	xsd_smtpd_process(state);
    xsd_relay_run(state);
}

/* xsd_smtpd_write_event - smtpd's socket takes more */

static void xsd_smtpd_write_event(int unused_event, void *context)
{
    xsd_relay_run((XSD_STATE *) context);
}

/* xsd_timeout_event - nothing happened for too long */

static void xsd_timeout_event(int unused_event, void *context)
{
    XSD_STATE *state = (XSD_STATE *) context;

    msg_info("timeout after %ds with %s", var_xsd_timeout, state->namaddr);
    xsd_relay_close(state);
}

/* xsd_relay_start - hand the client to smtpd, relay from the event loop */

void    xsd_relay_start(XSD_STATE *state)
{
    non_blocking(vstream_fileno(state->client), NON_BLOCKING);
    vstream_control(state->client,
		    CA_VSTREAM_CTL_WRITE_FN(xsd_client_write_fn),
		    CA_VSTREAM_CTL_TIMEOUT(0),
		    CA_VSTREAM_CTL_END);
    if (xsd_pass_connect(state) < 0) {
	xsd_relay_unavailable(state);
	return;
    }
    event_enable_read(state->pass_fd, xsd_pass_event, (void *) state);
    event_request_timer(xsd_pass_event, (void *) state, var_xsd_pass_timeout);
    xsd_proto_start(state);
    event_enable_read(state->smtpd_fd, xsd_smtpd_event, (void *) state);
    xsd_relay_run(state);
}
