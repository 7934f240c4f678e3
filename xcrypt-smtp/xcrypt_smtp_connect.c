/*++
/* NAME
/*	xcrypt_smtp_connect 3
/* SUMMARY
/*	next hop, server addresses and connections
/* SYNOPSIS
/*	#include "xcrypt_smtp.h"
/*
/*	int	xs_deliver(state)
/*	XS_STATE *state;
/* DESCRIPTION
/*	xs_deliver() finds the servers for the delivery request's next
/*	hop, connects to them in order and runs an SMTP session with
/*	each until every recipient has a final status, then defers or
/*	bounces whatever is left with the last reason.
/*
/*	When an opportunistic STARTTLS handshake with a server fails,
/*	or a TLS session breaks with recipients left, and the session
/*	asks for it (see xcrypt_smtp_proto(3)), the same address is
/*	tried once more in plaintext, before the next one.
/*
/*	The next hop is a list of destinations separated by comma or
/*	white space. Each is \fI[host]\fR, \fI[host]:port\fR,
/*	\fIdomain\fR or \fIdomain:port\fR. A bracketed host, or any
/*	destination when DNS lookups are disabled (disable_dns_lookups
/*	or smtp_dns_support_level = disabled), is resolved to its
/*	addresses directly; a domain is resolved to its MX hosts in
/*	order of preference (equal preferences shuffled), and to its
/*	own addresses when it has no MX record. Host addresses come
/*	from getaddrinfo() when smtp_host_lookup says native, and from
/*	DNS otherwise.
/*
/*	The security level for the next hop comes from
/*	xcrypt_smtp_policy_maps (the next hop as given, then without
/*	brackets and port), else xcrypt_smtp_security_level.
/* DIAGNOSTICS
/*	Connection failures are logged and recorded as the reason with
/*	which the mail is deferred when no server is left.
/* SEE ALSO
/*	smtp_connect(3), smtp_addr(3) in the Postfix source
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>
#include <string.h>
#include <errno.h>
#include <ctype.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <vstring.h>
#include <vstream.h>
#include <argv.h>
#include <stringops.h>
#include <myaddrinfo.h>
#include <inet_proto.h>
#include <timed_connect.h>
#include <iostuff.h>
#include <sock_addr.h>

/* Global library. */

#include <mail_params.h>
#include <dsn_buf.h>

/* DNS library. */

#include <dns.h>

/* Application-specific. */

#include "xcrypt_smtp.h"

 /*
  * One server address to try.
  */
typedef struct XS_ADDR {
    char   *host;			/* name for logging */
    struct sockaddr_storage sa;
    SOCKADDR_SIZE salen;
    unsigned port;			/* host byte order */
} XS_ADDR;

typedef struct XS_ADDR_LIST {
    XS_ADDR *addrs;
    int     len;
    int     size;
} XS_ADDR_LIST;

#define XS_MAX_ADDRS	50		/* as smtp_mx_address_limit */

/* xs_addr_add - append one address, skipping duplicates */

static void xs_addr_add(XS_ADDR_LIST *list, const char *host,
			        struct sockaddr *sa, SOCKADDR_SIZE salen,
			        unsigned port)
{
    XS_ADDR *ap;
    int     n;

    if (list->len >= XS_MAX_ADDRS || salen > sizeof(ap->sa))
	return;
    if (strchr((char *) inet_proto_info()->sa_family_list, sa->sa_family) == 0)
	return;
    for (n = 0; n < list->len; n++)
	if (list->addrs[n].port == port
	    && list->addrs[n].salen == salen
	    && memcmp(&list->addrs[n].sa, sa, salen) == 0)
	    return;
    if (list->len >= list->size) {
	list->size = list->size ? 2 * list->size : 8;
	if (list->addrs == 0)
	    list->addrs = (XS_ADDR *) mymalloc(list->size * sizeof(XS_ADDR));
	else
	    list->addrs = (XS_ADDR *) myrealloc((void *) list->addrs,
						list->size * sizeof(XS_ADDR));
    }
    ap = list->addrs + list->len++;
    ap->host = mystrdup(host);
    memset(&ap->sa, 0, sizeof(ap->sa));
    memcpy(&ap->sa, sa, salen);
    ap->salen = salen;
    ap->port = port;
}

/* xs_dns_enabled - smtp(8)'s DNS switches */

static int xs_dns_enabled(void)
{
    return (!var_disable_dns && strcasecmp(var_xs_dns_support, "disabled") != 0);
}

/* xs_host_addr - the addresses of one host */

static int xs_host_addr(XS_ADDR_LIST *list, const char *host, unsigned port,
			        int literal, DSN_BUF *why)
{
    struct addrinfo *res0;
    struct addrinfo *res;
    int     aierr;
    int     before = list->len;
    int     use_native;

    use_native = literal || !xs_dns_enabled()
	|| strncasecmp(var_xs_host_lookup, "native", 6) == 0;

    if (use_native) {
	if ((aierr = hostname_to_sockaddr(host, (char *) 0, SOCK_STREAM,
					  &res0)) != 0) {
	    dsb_simple(why, (aierr == EAI_AGAIN) ? "4.4.4" : "5.4.4",
		       "Host or domain name not found. "
		       "Name service error for name=%s type=A: %s",
		       host, (aierr == EAI_AGAIN) ? "Host not found, try again"
		       : "Host not found");
	    return (-1);
	}
	for (res = res0; res; res = res->ai_next)
	    xs_addr_add(list, host, res->ai_addr, res->ai_addrlen, port);
	freeaddrinfo(res0);
    } else {
	DNS_RR *rr = 0;
	DNS_RR *rp;
	VSTRING *err = vstring_alloc(100);
	int     status;
	struct sockaddr_storage ss;
	SOCKADDR_SIZE sslen;

	status = dns_lookup_l(host, 0, &rr, (VSTRING *) 0, err, DNS_REQ_FLAG_NONE,
			      inet_proto_info()->dns_atype_list[0],
			      inet_proto_info()->dns_atype_list[1], 0);
	if (status != DNS_OK) {
	    dsb_simple(why, status == DNS_RETRY ? "4.4.3" : "5.4.4",
		       "%s", vstring_str(err));
	    vstring_free(err);
	    return (-1);
	}
	for (rp = rr; rp; rp = rp->next) {
	    sslen = sizeof(ss);
	    if (dns_rr_to_sa(rp, htons(port), (struct sockaddr *) &ss, &sslen) == 0)
		xs_addr_add(list, host, (struct sockaddr *) &ss, sslen, port);
	}
	dns_rr_free(rr);
	vstring_free(err);
	/* dns_rr_to_sa() sets the port; ours is stored separately. */
    }
    if (list->len == before) {
	dsb_simple(why, "5.4.4", "Host or domain name not found. "
		   "Name service error for name=%s type=A: Host not found",
		   host);
	return (-1);
    }
    return (0);
}

/* xs_domain_addr - MX hosts of a domain, or its own addresses */

static int xs_domain_addr(XS_ADDR_LIST *list, const char *domain,
			          unsigned port, DSN_BUF *why)
{
    DNS_RR *mx = 0;
    DNS_RR *rp;
    VSTRING *err;
    int     status;
    int     found = 0;

    err = vstring_alloc(100);
    status = dns_lookup(domain, T_MX, 0, &mx, (VSTRING *) 0, err);
    switch (status) {
    case DNS_OK:
	mx = dns_rr_shuffle(mx);
	mx = dns_rr_sort(mx, dns_rr_compare_pref_any);
	for (rp = mx; rp; rp = rp->next)
	    if (xs_host_addr(list, rp->data, port, 0, why) == 0)
		found = 1;
	dns_rr_free(mx);
	break;
    case DNS_NOTFOUND:
	found = (xs_host_addr(list, domain, port, 0, why) == 0);
	break;
    default:
	dsb_simple(why, status == DNS_RETRY ? "4.4.3" : "5.4.4",
		   "%s", vstring_str(err));
	break;
    }
    vstring_free(err);
    return (found ? 0 : -1);
}

/* xs_parse_port - service name or number */

static unsigned xs_parse_port(const char *service)
{
    struct servent *sp;

    if (alldig(service) && *service)
	return ((unsigned) atoi(service));
    if ((sp = getservbyname(service, "tcp")) != 0)
	return (ntohs(sp->s_port));
    return (25);
}

/* xs_resolve - all addresses for the next-hop list */

static void xs_resolve(XS_STATE *state, XS_ADDR_LIST *list)
{
    ARGV   *hops = argv_split(state->request->nexthop, CHARS_COMMA_SP);
    char  **cpp;

    for (cpp = hops->argv; *cpp; cpp++) {
	char   *hop = mystrdup(*cpp);
	char   *name = hop;
	char   *port = 0;
	char   *cp;
	int     literal = 0;

	if (*name == '[') {
	    literal = 1;
	    name++;
	    if ((cp = strchr(name, ']')) != 0) {
		*cp++ = 0;
		if (*cp == ':')
		    port = cp + 1;
	    }
	} else if ((cp = strrchr(name, ':')) != 0 && strchr(name, ':') == cp) {
	    *cp = 0;
	    port = cp + 1;
	}
	if (literal || !xs_dns_enabled())
	    (void) xs_host_addr(list, name, xs_parse_port(port ? port : "smtp"),
				literal, state->why);
	else
	    (void) xs_domain_addr(list, name, xs_parse_port(port ? port : "smtp"),
				  state->why);
	myfree(hop);
    }
    argv_free(hops);
}

/* xs_policy_level - security level for this next hop */

static int xs_policy_level(XS_STATE *state)
{
    const char *hop = state->request->nexthop;
    const char *value = 0;
    char   *bare;
    char   *cp;
    int     level;

    if (xs_policy_maps == 0)
	return (xs_level);
    if ((value = maps_find(xs_policy_maps, hop, 0)) == 0
	&& xs_policy_maps->error == 0) {
	bare = mystrdup(hop[0] == '[' ? hop + 1 : hop);
	if ((cp = strchr(bare, ']')) != 0 || (cp = strrchr(bare, ':')) != 0)
	    *cp = 0;
	value = maps_find(xs_policy_maps, bare, 0);
	myfree(bare);
    }
    if (xs_policy_maps->error) {
	msg_warn("%s: %s lookup error for \"%s\": using level encrypt",
		 state->request->queue_id, VAR_XS_POLICY_MAPS, hop);
	return (XS_LEVEL_ENCRYPT);
    }
    if (value == 0)
	return (xs_level);
    if ((level = xs_level_code(value)) == XS_LEVEL_INVALID) {
	msg_warn("%s: bad %s value for \"%s\": %s: using level encrypt",
		 state->request->queue_id, VAR_XS_POLICY_MAPS, hop, value);
	return (XS_LEVEL_ENCRYPT);
    }
    return (level);
}

/* xs_connect_addr - open a TCP connection to one address */

static VSTREAM *xs_connect_addr(XS_STATE *state, XS_ADDR *ap)
{
    MAI_HOSTADDR_STR hostaddr;
    struct sockaddr_storage ss;
    int     sock;
    int     err;

    memcpy(&ss, &ap->sa, sizeof(ss));
    if (ss.ss_family == AF_INET)
	((struct sockaddr_in *) &ss)->sin_port = htons(ap->port);
#ifdef HAS_IPV6
    else if (ss.ss_family == AF_INET6)
	((struct sockaddr_in6 *) &ss)->sin6_port = htons(ap->port);
#endif
    if (sockaddr_to_hostaddr((struct sockaddr *) &ss, ap->salen, &hostaddr,
			     (MAI_SERVPORT_STR *) 0, 0) != 0)
	strcpy(hostaddr.buf, "unknown");
    vstring_strcpy(state->host, ap->host);
    vstring_strcpy(state->addr, hostaddr.buf);
    state->port = ap->port;
    vstring_sprintf(state->namaddr, "%s[%s]", ap->host, hostaddr.buf);
    vstring_sprintf(state->namaddrport, "%s[%s]:%u", ap->host, hostaddr.buf,
		    ap->port);

    if ((sock = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
	msg_fatal("socket: %m");
    if (var_xs_conn_tmout > 0) {
	non_blocking(sock, NON_BLOCKING);
	err = timed_connect(sock, (struct sockaddr *) &ss, ap->salen,
			    var_xs_conn_tmout);
	non_blocking(sock, BLOCKING);
    } else {
	err = connect(sock, (struct sockaddr *) &ss, ap->salen);
    }
    if (err < 0) {
	int     saved_errno = errno;

	dsb_simple(state->why, "4.4.1", "connect to %s: %s",
		   vstring_str(state->namaddrport),
		   saved_errno == ETIMEDOUT ? "Connection timed out"
		   : strerror(saved_errno));
	msg_info("%s: %s", state->request->queue_id,
		 vstring_str(state->why->reason));
	(void) close(sock);
	return (0);
    }

    /*
     * Every flush of ours is one write (one record with the AEAD suite),
     * and we wait for the reply after each group: Nagle's algorithm can
     * only delay the last piece of a flush that had to be split (a large
     * message body) until the peer's delayed ACK, tens of milliseconds.
     */
    if (ss.ss_family == AF_INET
#ifdef HAS_IPV6
	|| ss.ss_family == AF_INET6
#endif
	) {
	int     on = 1;

	if (setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, (void *) &on,
		       sizeof(on)) < 0)
	    msg_warn("setsockopt TCP_NODELAY: %m");
    }
    return (vstream_fdopen(sock, O_RDWR));
}

/* xs_deliver - try each server until every recipient is final */

int     xs_deliver(XS_STATE *state)
{
    XS_ADDR_LIST list;
    int     n;
    int     connected = 0;

    memset(&list, 0, sizeof(list));
    state->level = xs_policy_level(state);
    if (msg_verbose)
	msg_info("%s: nexthop %s level %s", state->request->queue_id,
		 state->request->nexthop, xs_level_name(state->level));

    dsb_simple(state->why, "4.4.4", "no server address for %s",
	       state->request->nexthop);
    xs_resolve(state, &list);

    for (n = 0; n < list.len && state->pending > 0; n++) {
	connected = 0;
	state->tls_disabled = 0;
	state->stream = xs_connect_addr(state, list.addrs + n);
	if (state->stream == 0)
	    continue;
	connected = 1;
	state->final_server = (n == list.len - 1);
	if (xs_session(state) == XS_SESS_DONE)
	    break;

	/*
	 * Opportunistic TLS failed with this server: as smtp(8) does at
	 * level "may", try the same address once more, without STARTTLS.
	 * The session did not make the remaining recipients final.
	 */
	if (state->tls_retry_plain && state->pending > 0) {
	    state->tls_disabled = 1;
	    state->stream = xs_connect_addr(state, list.addrs + n);
	    if (state->stream == 0) {
		connected = 0;
		continue;
	    }
	    if (xs_session(state) == XS_SESS_DONE)
		break;
	}
    }

    /*
     * Whatever is left gets the last reason: deferred for a temporary
     * problem, bounced for a permanent one. As with smtp(8), the relay is
     * "none" when the last attempt did not get a connection.
     */
    if (state->pending > 0) {
	if (!connected)
	    vstring_strcpy(state->namaddrport, "none");
	xs_fail_pending(state, 1);
    }
    for (n = 0; n < list.len; n++)
	myfree(list.addrs[n].host);
    if (list.addrs)
	myfree((void *) list.addrs);
    return (state->status);
}
