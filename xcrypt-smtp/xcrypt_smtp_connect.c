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
/*	white space, tried in order as smtp(8) tries them. Each is
/*	\fI[host]\fR, \fI[host]:port\fR, \fIdomain\fR or
/*	\fIdomain:port\fR; without a port, smtp_tcp_port. A bracketed
/*	host, or any destination when DNS is off (smtp_dns_support_level,
/*	or disable_dns_lookups when that is empty), is resolved to its
/*	addresses directly; a domain is resolved to its MX hosts in order
/*	of preference (equal preferences shuffled), and to its own
/*	addresses when it has no MX record. A null MX (RFC 7505) bounces
/*	with 5.1.0. Host addresses come from DNS and, for a name that DNS
/*	does not know, from the native name service, as smtp_host_lookup
/*	allows; a numeric host is its own address. With
/*	smtp_randomize_addresses the addresses of equal preference are
/*	shuffled; at most smtp_mx_address_limit are tried per destination.
/*
/*	A temporary lookup error of one MX host outweighs a permanent one
/*	of another, so that the mail is deferred, not bounced, when no MX
/*	host has an address ("no MX host for \fIdomain\fR has a valid
/*	address record" is logged).
/*
/*	Mail loops are detected as smtp(8) detects them, for the SMTP
/*	port: addresses of this mail system (inet_interfaces,
/*	proxy_interfaces) truncate the MX list at their preference; when
/*	nothing is left, or a host without MX is this mail system, the
/*	mail bounces with 5.4.6 "mail for \fIdomain\fR loops back to
/*	myself" (or is deferred when better MX hosts had no address),
/*	and later destinations in the list are not tried.
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
#include <host_port.h>
#include <known_tcp_ports.h>

/* Global library. */

#include <mail_params.h>
#include <dsn_buf.h>
#include <own_inet_addr.h>

/* DNS library. */

#include <dns.h>

/* Application-specific. */

#include "xcrypt_smtp.h"

#define STR(x)	vstring_str(x)

 /*
  * DSN status classes, as smtp(8) keeps them: a soft (4.X.X) lookup error
  * dominates past and future hard ones for the same next hop, so that a
  * temporary DNS failure never turns into a bounce.
  */
#define XS_HAS_DSN(why)		(STR((why)->status)[0] != 0)
#define XS_HAS_SOFT_DSN(why)	(STR((why)->status)[0] == '4')
#define XS_HAS_HARD_DSN(why)	(STR((why)->status)[0] == '5')
#define XS_SET_SOFT_DSN(why)	(STR((why)->status)[0] = '4')
#define XS_HAS_LOOP_DSN(why) \
    (XS_HAS_DSN(why) && strcmp(STR((why)->status) + 1, ".4.6") == 0)

#define XS_SOFT_OR(why, soft, hard) (XS_HAS_SOFT_DSN(why) ? (soft) : (hard))

 /*
  * MX preferences from DNS are 0..65535: this one means "no MX record".
  */
#define XS_PREF_NONE	(~0U)

/* xs_addr_one - append the addresses of one host */

static DNS_RR *xs_addr_one(DNS_RR *list, const char *host, unsigned pref,
			           DSN_BUF *why)
{
    const INET_PROTO_INFO *proto_info = inet_proto_info();
    struct addrinfo *res0;
    struct addrinfo *res;
    DNS_RR *addr = 0;
    DNS_RR *rr;
    int     aierr;
    int     found;

    /*
     * A numeric host is its own address, whatever smtp_host_lookup says.
     */
    if (hostaddr_to_sockaddr(host, (char *) 0, SOCK_STREAM, &res0) == 0) {
	if (strchr((char *) proto_info->sa_family_list, res0->ai_family) == 0) {
	    dsb_simple(why, XS_SOFT_OR(why, "4.4.4", "5.4.4"),
		       "address family of host %s is not enabled "
		       "with inet_protocols", host);
	} else {
	    if ((addr = dns_sa_to_rr(host, pref, res0->ai_addr)) == 0)
		msg_fatal("host %s: conversion error for address family "
			  "%d: %m", host, res0->ai_family);
	    list = dns_rr_append(list, addr);
	}
	freeaddrinfo(res0);
	return (list);
    }

    /*
     * DNS first, when enabled; only a name that DNS does not know goes on
     * to the native name service (/etc/hosts and the like).
     */
    if (xs_host_lookup_mask & XS_HOST_FLAG_DNS) {
	switch (dns_lookup_v(host, 0, &addr, (VSTRING *) 0, why->reason,
			     DNS_REQ_FLAG_NONE, proto_info->dns_atype_list)) {
	case DNS_OK:
	    for (rr = addr; rr; rr = rr->next)
		rr->pref = pref;
	    return (dns_rr_append(list, addr));
	default:
	    dsb_status(why, "4.4.3");
	    return (list);
	case DNS_FAIL:
	    dsb_status(why, XS_SOFT_OR(why, "4.4.3", "5.4.3"));
	    return (list);
	case DNS_INVAL:
	    dsb_status(why, XS_SOFT_OR(why, "4.4.4", "5.4.4"));
	    return (list);
	case DNS_POLICY:
	    dsb_status(why, "4.7.0");
	    return (list);
	case DNS_NOTFOUND:
	    dsb_status(why, XS_SOFT_OR(why, "4.4.4", "5.4.4"));
	    break;
	}
    }
    if (xs_host_lookup_mask & XS_HOST_FLAG_NATIVE) {
	if ((aierr = hostname_to_sockaddr(host, (char *) 0, SOCK_STREAM,
					  &res0)) != 0) {
	    int     nohost = (aierr == EAI_AGAIN || aierr == EAI_NONAME
#ifdef EAI_NODATA
			      || aierr == EAI_NODATA
#endif
	    );
	    int     soft = XS_HAS_SOFT_DSN(why) || aierr == EAI_AGAIN
	    || aierr == EAI_MEMORY || aierr == EAI_SYSTEM;

	    dsb_simple(why, soft ? (nohost ? "4.4.4" : "4.3.0") :
		       (nohost ? "5.4.4" : "5.3.0"),
		       "unable to look up host %s: %s",
		       host, MAI_STRERROR(aierr));
	    return (list);
	}
	for (found = 0, res = res0; res; res = res->ai_next) {
	    if (strchr((char *) proto_info->sa_family_list,
		       res->ai_family) == 0)
		continue;
	    if ((addr = dns_sa_to_rr(host, pref, res->ai_addr)) == 0)
		msg_fatal("host %s: conversion error for address family "
			  "%d: %m", host, res->ai_family);
	    list = dns_rr_append(list, addr);
	    found++;
	}
	freeaddrinfo(res0);
	if (found == 0)
	    dsb_simple(why, XS_SOFT_OR(why, "4.4.4", "5.4.4"),
		       "%s: host not found", host);
    }
    return (list);
}

/* xs_find_self - the first address of this mail system in the list */

static DNS_RR *xs_find_self(DNS_RR *list)
{
    struct sockaddr_storage ss;
    SOCKADDR_SIZE sslen;
    DNS_RR *rr;

    for (rr = list; rr; rr = rr->next) {
	sslen = sizeof(ss);
	if (dns_rr_to_sa(rr, 0, (struct sockaddr *) &ss, &sslen) != 0)
	    continue;
	if (own_inet_addr((struct sockaddr *) &ss)
	    || proxy_inet_addr((struct sockaddr *) &ss)) {
	    if (msg_verbose)
		msg_info("xs_find_self: found self at pref %u", rr->pref);
	    return (rr);
	}
    }
    return (0);
}

/* xs_truncate_self - drop self and everything at or after its preference */

static DNS_RR *xs_truncate_self(DNS_RR *list, unsigned pref)
{
    DNS_RR *rr;
    DNS_RR *last;

    for (last = 0, rr = list; rr; last = rr, rr = rr->next) {
	if (rr->pref == pref) {
	    if (last == 0)
		list = 0;
	    else
		last->next = 0;
	    dns_rr_free(rr);
	    break;
	}
    }
    return (list);
}

/* xs_host_addr - the addresses of a host: [host], or a domain without MX */

static DNS_RR *xs_host_addr(const char *host, int loop_detect, DSN_BUF *why)
{
    DNS_RR *list;

    dsb_reset(why);
    list = xs_addr_one((DNS_RR *) 0, host, 0, why);
    if (list && loop_detect && xs_find_self(list) != 0) {
	dns_rr_free(list);
	dsb_simple(why, "5.4.6", "mail for %s loops back to myself", host);
	return (0);
    }
    if (list && list->next && var_xs_rand_addr)
	list = dns_rr_shuffle(list);
    return (list);
}

/* xs_domain_addr - the MX hosts of a domain, or its own addresses */

static DNS_RR *xs_domain_addr(const char *name, int loop_detect,
			              DSN_BUF *why, int *found_myself)
{
    DNS_RR *mx = 0;
    DNS_RR *list = 0;
    DNS_RR *rr;
    DNS_RR *self;
    unsigned best_pref;
    unsigned best_found;

    dsb_reset(why);
    switch (dns_lookup(name, T_MX, 0, &mx, (VSTRING *) 0, why->reason)) {
    default:
	dsb_status(why, "4.4.3");
	break;
    case DNS_INVAL:
	dsb_status(why, "5.4.4");
	break;
    case DNS_NULLMX:
	dsb_status(why, "5.1.0");
	break;
    case DNS_POLICY:
	dsb_status(why, "4.7.0");
	break;
    case DNS_FAIL:
	dsb_status(why, "5.4.3");
	break;
    case DNS_NOTFOUND:
	list = xs_host_addr(name, loop_detect, why);
	break;
    case DNS_OK:

	/*
	 * Equal preferences in random order (RFC 5321 section 5.1), then
	 * the addresses of each host, in preference order.
	 */
	mx = dns_rr_shuffle(mx);
	mx = dns_rr_sort(mx, dns_rr_compare_pref_any);
	best_pref = mx ? mx->pref : XS_PREF_NONE;
	for (rr = mx; rr; rr = rr->next) {
	    list = xs_addr_one(list, (char *) rr->data, rr->pref, why);
	    if (list && DNS_RR_IS_TRUNCATED(list))
		break;
	}
	dns_rr_free(mx);
	if (list == 0) {
	    if (var_xs_defer_mxaddr && XS_HAS_HARD_DSN(why))
		XS_SET_SOFT_DSN(why);
	    msg_warn("no MX host for %s has a valid address record", name);
	    break;
	}

	/*
	 * An MX host that is this mail system: only the more preferred
	 * ones may get the mail; if there are none, the mail loops, unless
	 * better MX hosts exist that we could not find.
	 */
	best_found = list->pref;
	if (loop_detect && (self = xs_find_self(list)) != 0) {
	    *found_myself = 1;
	    if ((list = xs_truncate_self(list, self->pref)) == 0) {
		if (best_pref != best_found)
		    dsb_simple(why, "4.4.4",
			       "unable to find primary relay for %s", name);
		else
		    dsb_simple(why, "5.4.6",
			       "mail for %s loops back to myself", name);
	    }
	}
	if (list && list->next) {
	    if (var_xs_rand_addr)
		list = dns_rr_shuffle(list);
	    list = dns_rr_sort(list, dns_rr_compare_pref_any);
	}
	break;
    }
    return (list);
}

/* xs_parse_dest - host and port of one next-hop destination */

static char *xs_parse_dest(const char *dest, char **host, unsigned *port,
			           DSN_BUF *why)
{
    char   *buf = mystrdup(dest);
    char   *service;
    const char *err;
    struct servent *sp;
    unsigned num;

    if ((err = host_port(buf, host, (char *) 0, &service,
			 var_xs_tcp_port)) != 0) {
	dsb_simple(why, "4.3.5", "%s in server description: %s", err, dest);
	myfree(buf);
	return (0);
    }
    service = (char *) filter_known_tcp_port(service);
    if (alldig(service)) {
	if ((num = atoi(service)) >= 65536 || num == 0) {
	    dsb_simple(why, "4.3.5", "bad network port: %s for destination: %s",
		       service, dest);
	    myfree(buf);
	    return (0);
	}
	*port = num;
    } else if ((sp = getservbyname(service, "tcp")) != 0) {
	*port = ntohs(sp->s_port);
    } else {
	dsb_simple(why, "4.3.5", "unknown service: %s/tcp for destination: %s",
		   service, dest);
	myfree(buf);
	return (0);
    }
    return (buf);
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

static VSTREAM *xs_connect_addr(XS_STATE *state, DNS_RR *rr, unsigned port)
{
    MAI_HOSTADDR_STR hostaddr;
    struct sockaddr_storage ss;
    SOCKADDR_SIZE sslen = sizeof(ss);
    int     sock;
    int     err;

    if (dns_rr_to_sa(rr, htons(port), (struct sockaddr *) &ss, &sslen) != 0
	|| dns_rr_to_pa(rr, &hostaddr) == 0) {
	msg_warn("%s: cannot convert type %s record for %s to an address",
		 state->request->queue_id, dns_strtype(rr->type), rr->qname);
	return (0);
    }
    vstring_strcpy(state->host, rr->qname);
    vstring_strcpy(state->addr, hostaddr.buf);
    state->port = port;
    vstring_sprintf(state->namaddr, "%s[%s]", rr->qname, hostaddr.buf);
    vstring_sprintf(state->namaddrport, "%s[%s]:%u", rr->qname, hostaddr.buf,
		    port);

    if ((sock = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
	msg_fatal("socket: %m");
    if (var_xs_conn_tmout > 0) {
	non_blocking(sock, NON_BLOCKING);
	err = timed_connect(sock, (struct sockaddr *) &ss, sslen,
			    var_xs_conn_tmout);
	non_blocking(sock, BLOCKING);
    } else {
	err = connect(sock, (struct sockaddr *) &ss, sslen);
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
    ARGV   *sites;
    char  **cpp;
    int     connected = 0;

    state->level = xs_policy_level(state);
    if (msg_verbose)
	msg_info("%s: nexthop %s level %s", state->request->queue_id,
		 state->request->nexthop, xs_level_name(state->level));

    dsb_reset(state->why);
    sites = argv_split(state->request->nexthop, CHARS_COMMA_SP);
    if (inet_proto_info()->ai_family_list[0] == 0)
	dsb_simple(state->why, "4.4.4", "all network protocols are disabled");
    else
	for (cpp = sites->argv; state->pending > 0 && *cpp; cpp++) {
	    char   *dest_buf;
	    char   *host;
	    unsigned port;
	    DNS_RR *list;
	    DNS_RR *rr;
	    DNS_RR *next;
	    int     loop_detect;
	    int     final_hop = (cpp[1] == 0);
	    int     i_am_mx = 0;
	    int     addr_count = 0;

	    if ((dest_buf = xs_parse_dest(*cpp, &host, &port,
					  state->why)) == 0) {
		msg_warn("%s: %s", state->request->queue_id,
			 STR(state->why->reason));
		continue;
	    }

	    /*
	     * As smtp(8): MX lookup unless the destination is [bracketed]
	     * or DNS is off; loop detection for the SMTP port only.
	     */
	    loop_detect = (port == 25);
	    if (xs_dns_enabled && **cpp != '[') {
		list = xs_domain_addr(host, loop_detect, state->why, &i_am_mx);
		/* When we are an MX host, no non-MX backups. */
		if (i_am_mx)
		    final_hop = 1;
	    } else {
		list = xs_host_addr(host, loop_detect, state->why);
	    }
	    /* Mail that loops must not go on to the next destination. */
	    if (list == 0 && XS_HAS_LOOP_DSN(state->why))
		final_hop = 1;

	    for (rr = list; state->pending > 0 && rr; rr = next) {
		next = rr->next;
		if (++addr_count == var_xs_mxaddr_limit)
		    next = 0;
		connected = 0;
		state->tls_disabled = 0;
		state->final_server = (final_hop && next == 0);
		if ((state->stream = xs_connect_addr(state, rr, port)) == 0)
		    continue;
		connected = 1;
		if (xs_session(state) == XS_SESS_DONE)
		    break;

		/*
		 * Opportunistic TLS failed with this server: as smtp(8) does
		 * at level "may", try the same address once more, without
		 * STARTTLS. The session did not make the remaining
		 * recipients final.
		 */
		if (state->tls_retry_plain && state->pending > 0) {
		    state->tls_disabled = 1;
		    if ((state->stream = xs_connect_addr(state, rr, port)) == 0) {
			connected = 0;
			continue;
		    }
		    if (xs_session(state) == XS_SESS_DONE)
			break;
		}
	    }
	    if (list)
		dns_rr_free(list);
	    myfree(dest_buf);
	    if (final_hop)
		break;
	}
    argv_free(sites);

    /*
     * Whatever is left gets the last reason: deferred for a temporary
     * problem, bounced for a permanent one. As with smtp(8), the relay is
     * "none" when the last attempt did not get a connection.
     */
    if (state->pending > 0) {
	if (!XS_HAS_DSN(state->why))
	    dsb_simple(state->why, "4.3.0",
		       "server unavailable or unable to receive mail");
	if (!connected)
	    vstring_strcpy(state->namaddrport, "none");
	xs_fail_pending(state, 1);
    }
    return (state->status);
}
