/*++
/* NAME
/*	xcrypt_smtpd_state 3
/* SUMMARY
/*	xcrypt-smtpd session state
/* SYNOPSIS
/*	#include "xcrypt_smtpd.h"
/*
/*	XSD_STATE *xsd_state_create(client, addr, port, saddr, sport)
/*	VSTREAM	*client;
/*	const char *addr;
/*	const char *port;
/*	const char *saddr;
/*	const char *sport;
/*
/*	void	xsd_state_free(state)
/*	XSD_STATE *state;
/*
/*	int	xsd_session_count;
/* DESCRIPTION
/*	xsd_state_create() bundles up a new session: the client stream,
/*	its real address and port and the server's (after any PROXY
/*	header), and empty buffers. smtpd_forbid_bare_newline applies
/*	to this client unless it matches
/*	smtpd_forbid_bare_newline_exclusions, as in smtpd(8).
/*
/*	xsd_state_free() closes the descriptors of the session (not
/*	the client stream: that goes back to the skeleton), stops the
/*	XCRYPT layer on the client stream (so that nothing goes out
/*	unprotected) and wipes the handshake.
/*
/*	xsd_session_count is the number of sessions in this process.
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <mymalloc.h>
#include <stringops.h>

/* Application-specific. */

#include "xcrypt_smtpd.h"

int     xsd_session_count;

/* xsd_state_create - a new session */

XSD_STATE *xsd_state_create(VSTREAM *client, const char *addr,
			            const char *port, const char *saddr,
			            const char *sport)
{
    XSD_STATE *state;

    state = (XSD_STATE *) mymalloc(sizeof(*state));
    memset((void *) state, 0, sizeof(*state));
    state->client = client;
    state->smtpd_fd = -1;
    state->smtpd_wfd = -1;
    state->pass_fd = -1;
    state->addr = mystrdup(addr);
    state->port = mystrdup(port);
    state->saddr = mystrdup(saddr);
    state->sport = mystrdup(sport);
    state->namaddr = concatenate("[", addr, "]:", port, (char *) 0);
    state->ibuf = vstring_alloc(4096);
    state->sout = vstring_alloc(4096);
    state->sbuf = vstring_alloc(4096);
    state->pend = vstring_alloc(32);
    state->line = vstring_alloc(512);
    state->long_bdat = -1;
    if (xsd_std_eod && (xsd_bare_lf_excl == 0
	     || !namadr_list_match(xsd_bare_lf_excl, "unknown", addr))) {
	XSD_SET(state, XSD_FLAG_BARE_LF_STD);
	if (xsd_bare_lf_reject)
	    XSD_SET(state, XSD_FLAG_BARE_LF_REJ);
    }
    xsd_session_count++;
    return (state);
}

/* xsd_state_free - release one session */

void    xsd_state_free(XSD_STATE *state)
{
    if (state->smtpd_fd >= 0)
	(void) close(state->smtpd_fd);
    if (state->smtpd_wfd >= 0)
	(void) close(state->smtpd_wfd);
    if (state->pass_fd >= 0)
	(void) close(state->pass_fd);

    /*
     * With XCRYPT on, stop the layer before the skeleton closes the client
     * stream, so that nothing leaks in plaintext.
     */
    if (xc_stream_active(state->client))
	xc_stream_stop(state->client);
    xc_session_wipe(&state->session);
    myfree(state->addr);
    myfree(state->port);
    myfree(state->saddr);
    myfree(state->sport);
    myfree(state->namaddr);
    vstring_free(state->ibuf);
    vstring_free(state->sout);
    vstring_free(state->sbuf);
    vstring_free(state->pend);
    vstring_free(state->line);
    myfree((void *) state);
    xsd_session_count--;
}
