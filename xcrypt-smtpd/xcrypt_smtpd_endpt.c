/*++
/* NAME
/*	xcrypt_smtpd_endpt 3
/* SUMMARY
/*	xcrypt-smtpd client and server endpoint lookup
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/*
/*	void	xsd_endpt_lookup(stream, notify)
/*	VSTREAM	*stream;
/*	void	(*notify)(status, stream, addr, port, saddr, sport)
/*	int	status;
/*	const char *addr, *port, *saddr, *sport;
/* DESCRIPTION
/*	xsd_endpt_lookup() finds the real client and server address and
/*	port of a new connection and calls notify() with them (status
/*	0), or with status -1 when they cannot be had.
/*
/*	When the front end runs as a \fBpass\fR service behind
/*	postscreen(8), they are those that postscreen(8) passed along
/*	with the connection (smtpd(8) does the same). Otherwise, with
/*	$xcrypt_smtpd_upstream_proxy_protocol empty, they are the
/*	socket's own. With "haproxy" the connection comes from a proxy
/*	that sends a PROXY protocol v1 or v2 header first: it is read
/*	from the event loop (at most $xcrypt_smtpd_upstream_proxy_timeout)
/*	and parsed by Postfix's own haproxy_srvr_receive(), as
/*	postscreen(8) does; a header that says the connection is not
/*	proxied ("LOCAL", "UNKNOWN") gives the socket's own addresses.
/*	A missing, malformed or late header gives status -1 (the caller
/*	answers "421 4.3.2 No system resources", as postscreen(8)).
/*
/*	IPv4 addresses in IPv6 form are given in IPv4 form, as smtpd(8)
/*	shows them.
/* DIAGNOSTICS
/*	haproxy_srvr_receive() logs what is wrong with a header; a
/*	timeout is logged here.
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/socket.h>
#include <string.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <events.h>
#include <myaddrinfo.h>
#include <sock_addr.h>
#include <stringops.h>
#include <htable.h>

/* Global library. */

#include <haproxy_srvr.h>
#include <mail_proto.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

 /*
  * A PROXY header being read.
  */
typedef struct XSD_ENDPT {
    VSTREAM *stream;
    XSD_ENDPT_FN notify;
} XSD_ENDPT;

/* xsd_endpt_unmap - IPv4 in IPv6 form as IPv4, in place */

static void xsd_endpt_unmap(MAI_HOSTADDR_STR *host)
{
    if (strncasecmp(host->buf, "::ffff:", 7) == 0
	&& strchr(host->buf + 7, ':') == 0)
	memmove(host->buf, host->buf + 7, strlen(host->buf + 7) + 1);
}

/* xsd_endpt_local - address and port of one end of the socket */

static int xsd_endpt_local(int fd, int peer, MAI_HOSTADDR_STR *host,
			           MAI_SERVPORT_STR *serv)
{
    struct sockaddr_storage ss;
    SOCKADDR_SIZE len = sizeof(ss);

    if ((peer ? getpeername(fd, (struct sockaddr *) &ss, &len) :
	 getsockname(fd, (struct sockaddr *) &ss, &len)) < 0
	|| sockaddr_to_hostaddr((struct sockaddr *) &ss, len,
				host, serv, 0) != 0)
	return (-1);
    xsd_endpt_unmap(host);
    return (0);
}

/* xsd_endpt_local_lookup - the socket's own addresses */

static void xsd_endpt_local_lookup(VSTREAM *stream, XSD_ENDPT_FN notify)
{
    MAI_HOSTADDR_STR addr;
    MAI_SERVPORT_STR port;
    MAI_HOSTADDR_STR saddr;
    MAI_SERVPORT_STR sport;
    int     fd = vstream_fileno(stream);

    if (xsd_endpt_local(fd, 1, &addr, &port) < 0) {
	msg_warn("cannot get the client address: %m");
	notify(-1, stream, "", "", "", "");
	return;
    }
    if (xsd_endpt_local(fd, 0, &saddr, &sport) < 0) {
	msg_warn("cannot get the server address of [%s]:%s: %m",
		 addr.buf, port.buf);
	notify(-1, stream, "", "", "", "");
	return;
    }
    notify(0, stream, addr.buf, port.buf, saddr.buf, sport.buf);
}

/* xsd_endpt_haproxy_event - the PROXY header is here, or late */

static void xsd_endpt_haproxy_event(int event, void *context)
{
    XSD_ENDPT *ep = (XSD_ENDPT *) context;
    VSTREAM *stream = ep->stream;
    XSD_ENDPT_FN notify = ep->notify;
    int     fd = vstream_fileno(stream);
    MAI_HOSTADDR_STR addr;
    MAI_SERVPORT_STR port;
    MAI_HOSTADDR_STR saddr;
    MAI_SERVPORT_STR sport;
    int     non_proxy = 0;
    int     status = -1;

    event_cancel_timer(xsd_endpt_haproxy_event, context);
    event_disable_readwrite(fd);
    myfree((void *) ep);
    if (event == EVENT_TIME) {
	msg_warn("haproxy read: time limit exceeded");
    } else {
	status = haproxy_srvr_receive(fd, &non_proxy, &addr, &port,
				      &saddr, &sport);
    }
    if (status == 0 && non_proxy) {
	xsd_endpt_local_lookup(stream, notify);
    } else if (status == 0) {
	xsd_endpt_unmap(&addr);
	xsd_endpt_unmap(&saddr);
	notify(0, stream, addr.buf, port.buf, saddr.buf, sport.buf);
    } else {
	notify(-1, stream, "", "", "", "");
    }
}

/* xsd_endpt_lookup - real client and server endpoint */

void    xsd_endpt_lookup(VSTREAM *stream, XSD_ENDPT_FN notify)
{
    XSD_ENDPT *ep;
    HTABLE *attr = (HTABLE *) vstream_context(stream);
    const char *addr, *port, *saddr, *sport;

    /*
     * A pass service: the skeleton keeps the attributes as the stream's
     * context, and frees them when we return. Do not keep a pointer.
     */
    if (attr != 0) {
	vstream_control(stream, CA_VSTREAM_CTL_CONTEXT((void *) 0),
			CA_VSTREAM_CTL_END);
	if ((addr = htable_find(attr, MAIL_ATTR_ACT_CLIENT_ADDR)) != 0
	    && (port = htable_find(attr, MAIL_ATTR_ACT_CLIENT_PORT)) != 0
	    && (saddr = htable_find(attr, MAIL_ATTR_ACT_SERVER_ADDR)) != 0
	    && (sport = htable_find(attr, MAIL_ATTR_ACT_SERVER_PORT)) != 0) {
	    notify(0, stream, addr, port, saddr, sport);
	    return;
	}
    }
    if (*var_xsd_uproxy_proto == 0) {
	xsd_endpt_local_lookup(stream, notify);
	return;
    }
    ep = (XSD_ENDPT *) mymalloc(sizeof(*ep));
    ep->stream = stream;
    ep->notify = notify;
    event_enable_read(vstream_fileno(stream), xsd_endpt_haproxy_event,
		      (void *) ep);
    event_request_timer(xsd_endpt_haproxy_event, (void *) ep,
			var_xsd_uproxy_tmout);
}
