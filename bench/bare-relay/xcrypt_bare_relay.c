/*++
/* NAME
/*	xcrypt-bare-relay 8
/* SUMMARY
/*	benchmark baseline: a bare event relay in front of smtpd
/* SYNOPSIS
/*	\fBxcrypt-bare-relay\fR [generic Postfix daemon options]
/* DESCRIPTION
/*	The floor of the front-end architecture, for bench/: an event
/*	server like xcrypt-smtpd(8), with the same hand-off to the smtpd
/*	pass service ($xcrypt_smtpd_pass_service: a socket pair, one end
/*	and the client's and the server's address and port sent with
/*	LOCAL_SEND_FD and attr_print, the connect bounded as in
/*	xcrypt-smtpd), and a relay that copies octets both ways without
/*	looking at them: no SMTP, no XCRYPT. What xcrypt-smtpd costs
/*	beyond this is the cost of its SMTP stream tracking.
/*
/*	Not for production: it offers nothing that smtpd alone does not.
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
#include <events.h>
#include <iostuff.h>
#include <connect.h>
#include <attr.h>
#include <myaddrinfo.h>
#include <sock_addr.h>
#include <stringops.h>

/* Global library. */

#include <mail_params.h>
#include <mail_proto.h>
#include <mail_conf.h>
#include <mail_version.h>

/* Master process interface. */

#include <mail_server.h>

static char *var_pass_service;
static int var_relay_timeout;

 /*
  * One direction of the relay: octets read from one side, not yet written
  * to the other.
  */
typedef struct BR_PIPE {
    struct BR_STATE *st;
    int     from;
    int     to;
    char    buf[16384];
    ssize_t len;
    ssize_t off;
} BR_PIPE;

typedef struct BR_STATE {
    VSTREAM *client;
    int     smtpd_fd;
    BR_PIPE up;				/* client -> smtpd */
    BR_PIPE down;			/* smtpd -> client */
} BR_STATE;

static void br_read_event(int, void *);
static void br_write_event(int, void *);
static void br_timeout_event(int, void *);

/* br_close - end the session */

static void br_close(BR_STATE *st)
{
    event_cancel_timer(br_timeout_event, (void *) st);
    event_disable_readwrite(vstream_fileno(st->client));
    event_disable_readwrite(st->smtpd_fd);
    (void) close(st->smtpd_fd);
    event_server_disconnect(st->client);
    myfree((void *) st);
}

/* br_flush - write what is pending; 1 = all out, 0 = wait, -1 = error */

static int br_flush(BR_PIPE *pp)
{
    ssize_t n;

    while (pp->off < pp->len) {
	if ((n = write(pp->to, pp->buf + pp->off, pp->len - pp->off)) < 0) {
	    if (errno == EINTR)
		continue;
	    return ((errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1);
	}
	pp->off += n;
    }
    pp->len = pp->off = 0;
    return (1);
}

/* br_timeout_event - nothing for too long */

static void br_timeout_event(int unused_event, void *context)
{
    br_close((BR_STATE *) context);
}

/* br_read_event - one side has input: pass it on */

static void br_read_event(int unused_event, void *context)
{
    BR_PIPE *pp = (BR_PIPE *) context;
    BR_STATE *st = pp->st;
    int     ret;

    if ((pp->len = read(pp->from, pp->buf, sizeof(pp->buf))) <= 0) {
	if (pp->len < 0 && (errno == EAGAIN || errno == EINTR)) {
	    pp->len = 0;
	    return;
	}
	br_close(st);
	return;
    }
    if ((ret = br_flush(pp)) < 0) {
	br_close(st);
	return;
    } else if (ret == 0) {
	/* One request per descriptor: stop reading both until it is out. */
	event_disable_readwrite(pp->from);
	event_disable_readwrite(pp->to);
	event_enable_write(pp->to, br_write_event, (void *) pp);
    }
    event_request_timer(br_timeout_event, (void *) st, var_relay_timeout);
}

/* br_write_event - the other side takes more */

static void br_write_event(int unused_event, void *context)
{
    BR_PIPE *pp = (BR_PIPE *) context;
    BR_STATE *st = pp->st;
    int     ret;

    if ((ret = br_flush(pp)) < 0) {
	br_close(st);
    } else if (ret > 0) {
	event_disable_readwrite(pp->to);
	event_enable_read(st->up.from, br_read_event, (void *) &st->up);
	event_enable_read(st->down.from, br_read_event, (void *) &st->down);
    }
}

/* br_endpoint - address and port of one end */

static void br_endpoint(int fd, int peer, MAI_HOSTADDR_STR *host,
			        MAI_SERVPORT_STR *serv)
{
    struct sockaddr_storage ss;
    SOCKADDR_SIZE len = sizeof(ss);

    if ((peer ? getpeername(fd, (struct sockaddr *) &ss, &len) :
	 getsockname(fd, (struct sockaddr *) &ss, &len)) < 0
	|| sockaddr_to_hostaddr((struct sockaddr *) &ss, len, host, serv, 0) != 0) {
	strcpy(host->buf, "127.0.0.1");
	strcpy(serv->buf, "0");
    }
}

/* br_service - hand the client to smtpd, then copy octets */

static void br_service(VSTREAM *stream, char *unused_service, char **argv)
{
    BR_STATE *st;
    MAI_HOSTADDR_STR addr, saddr;
    MAI_SERVPORT_STR port, sport;
    char   *service;
    int     pair[2];
    int     server_fd;
    int     err;
    VSTREAM *fp;
    int     fd = vstream_fileno(stream);

    br_endpoint(fd, 1, &addr, &port);
    br_endpoint(fd, 0, &saddr, &sport);
    service = concatenate(MAIL_CLASS_PRIVATE, "/", var_pass_service, (char *) 0);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0) {
	msg_warn("socketpair: %m");
	event_server_disconnect(stream);
	myfree(service);
	return;
    }
    if ((server_fd = LOCAL_CONNECT(service, NON_BLOCKING, 1)) < 0) {
	msg_warn("connect %s: %m", service);
	(void) close(pair[0]);
	(void) close(pair[1]);
	event_server_disconnect(stream);
	myfree(service);
	return;
    }
    fp = vstream_fdopen(server_fd, O_RDWR);
    err = (LOCAL_SEND_FD(server_fd, pair[1]) < 0
	   || attr_print(fp, ATTR_FLAG_NONE,
			 SEND_ATTR_STR(MAIL_ATTR_ACT_CLIENT_ADDR, addr.buf),
			 SEND_ATTR_STR(MAIL_ATTR_ACT_CLIENT_PORT, port.buf),
			 SEND_ATTR_STR(MAIL_ATTR_ACT_SERVER_ADDR, saddr.buf),
			 SEND_ATTR_STR(MAIL_ATTR_ACT_SERVER_PORT, sport.buf),
			 ATTR_TYPE_END) != 0
	   || vstream_fflush(fp) != 0);
    (void) vstream_fclose(fp);
    (void) close(pair[1]);
    myfree(service);
    if (err) {
	(void) close(pair[0]);
	event_server_disconnect(stream);
	return;
    }
    st = (BR_STATE *) mymalloc(sizeof(*st));
    st->client = stream;
    st->smtpd_fd = pair[0];
    st->up.st = st->down.st = st;
    st->up.from = fd;
    st->up.to = pair[0];
    st->up.len = st->up.off = 0;
    st->down.from = pair[0];
    st->down.to = fd;
    st->down.len = st->down.off = 0;
    non_blocking(fd, NON_BLOCKING);
    non_blocking(pair[0], NON_BLOCKING);
    event_enable_read(fd, br_read_event, (void *) &st->up);
    event_enable_read(pair[0], br_read_event, (void *) &st->down);
    event_request_timer(br_timeout_event, (void *) st, var_relay_timeout);
}

/* br_post_init - one process for all clients */

static void br_post_init(char *unused_name, char **unused_argv)
{
    var_use_limit = 0;
}

MAIL_VERSION_STAMP_DECLARE;

int     main(int argc, char **argv)
{
    static const CONFIG_STR_TABLE str_table[] = {
	{"xcrypt_smtpd_pass_service", "smtpd", &var_pass_service, 1, 0},
	{0},
    };
    static const CONFIG_TIME_TABLE time_table[] = {
	{"xcrypt_smtpd_timeout", "300s", &var_relay_timeout, 1, 0},
	{0},
    };

    MAIL_VERSION_STAMP_ALLOCATE;
    event_server_main(argc, argv, br_service,
		      CA_MAIL_SERVER_STR_TABLE(str_table),
		      CA_MAIL_SERVER_TIME_TABLE(time_table),
		      CA_MAIL_SERVER_POST_INIT(br_post_init),
		      0);
}
