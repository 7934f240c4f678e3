/*++
/* NAME
/*	xcrypt_smtp_tls 3
/* SUMMARY
/*	opportunistic STARTTLS through Postfix's TLS library
/* SYNOPSIS
/*	#include "xcrypt_smtp.h"
/*
/*	void	xs_tls_pre_init()
/*
/*	int	xs_tls_available()
/*
/*	int	xs_tls_start(state)
/*	XS_STATE *state;
/*
/*	void	xs_tls_stop(state, failure)
/*	XS_STATE *state;
/*	int	failure;
/* DESCRIPTION
/*	When a server offers no XCRYPT (or the handshake fell back), this
/*	module lets xcrypt-smtp(8) use STARTTLS as smtp(8) does at
/*	security level "may": unauthenticated, opportunistic encryption
/*	through libpostfix-tls, with smtp(8)'s own TLS parameters
/*	(smtp_tls_loglevel, smtp_tls_CAfile, smtp_tls_CApath,
/*	smtp_tls_protocols, smtp_tls_ciphers, smtp_tls_exclude_ciphers,
/*	smtp_tls_fingerprint_digest, smtp_starttls_timeout).
/*
/*	xs_tls_pre_init() initializes the TLS client before the process
/*	drops privileges. xs_tls_available() says whether that worked.
/*
/*	xs_tls_start() runs the TLS handshake after the server's 220
/*	reply to STARTTLS; it returns 0 on success (the stream then reads
/*	and writes through TLS), and -1 with state->why set when the
/*	handshake failed (the connection is then unusable).
/*
/*	xs_tls_stop() ends the TLS session before the stream is closed.
/* SEE ALSO
/*	tls_client(3), smtp_proto(3) in the Postfix source
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>

/* Utility library. */

#include <msg.h>
#include <vstring.h>
#include <vstream.h>

/* Global library. */

#include <mail_params.h>
#include <dsn_buf.h>

/* TLS library. */

#include <tls.h>
#include <tls_mgr.h>

/* Application-specific. */

#include "xcrypt_smtp.h"

static TLS_APPL_STATE *xs_tls_ctx;

/* xs_tls_pre_init - TLS client initialization, as root */

void    xs_tls_pre_init(void)
{
    TLS_CLIENT_INIT_PROPS props;

    tls_pre_jail_init(TLS_ROLE_CLIENT);
    xs_tls_ctx = TLS_CLIENT_INIT(&props,
				 log_param = VAR_SMTP_TLS_LOGLEVEL,
				 log_level = var_xs_tls_loglevel,
				 verifydepth = 9,
				 cache_type = TLS_MGR_SCACHE_SMTP,
				 chain_files = "",
				 cert_file = "",
				 key_file = "",
				 dcert_file = "",
				 dkey_file = "",
				 eccert_file = "",
				 eckey_file = "",
				 CAfile = var_xs_tls_CAfile,
				 CApath = var_xs_tls_CApath,
				 mdalg = var_xs_tls_fpt_dgst);
    if (xs_tls_ctx == 0)
	msg_warn("TLS client initialization failed: STARTTLS disabled");
}

/* xs_tls_available - can we do STARTTLS */

int     xs_tls_available(void)
{
    return (xs_tls_ctx != 0);
}

/* xs_tls_start - TLS handshake after "220" to STARTTLS */

int     xs_tls_start(XS_STATE *state)
{
    TLS_CLIENT_START_PROPS props;
    TLS_SESS_STATE *ctx;
    VSTRING *serverid = vstring_alloc(100);

    vstring_sprintf(serverid, "xcrypt-smtp:%s:%u:%s", vstring_str(state->addr),
		    state->port, vstring_str(state->host));
    ctx = TLS_CLIENT_START(&props,
			   ctx = xs_tls_ctx,
			   stream = state->stream,
			   fd = -1,
			   timeout = var_xs_starttls_tmout,
			   tls_level = TLS_LEV_MAY,
			   nexthop = state->request->nexthop,
			   host = vstring_str(state->host),
			   namaddr = vstring_str(state->namaddrport),
			   sni = 0,
			   serverid = vstring_str(serverid),
			   helo = vstring_str(state->helo_name),
			   protocols = var_xs_tls_protocols,
			   cipher_grade = var_xs_tls_ciphers,
			   cipher_exclusions = var_xs_tls_excl_ciph,
			   matchargv = 0,
			   mdalg = var_xs_tls_fpt_dgst,
			   dane = 0);
    vstring_free(serverid);
    vstream_fpurge(state->stream, VSTREAM_PURGE_BOTH);
    if (ctx == 0) {
	dsb_simple(state->why, "4.7.5", "Cannot start TLS: handshake failure "
		   "with %s", vstring_str(state->namaddr));
	msg_info("%s: %s", state->request->queue_id,
		 vstring_str(state->why->reason));
	return (-1);
    }
    state->tls_context = (void *) ctx;
    return (0);
}

/* xs_tls_stop - end the TLS session */

void    xs_tls_stop(XS_STATE *state, int failure)
{
    tls_client_stop(xs_tls_ctx, state->stream, var_xs_starttls_tmout, failure,
		    (TLS_SESS_STATE *) state->tls_context);
    state->tls_context = 0;
}
