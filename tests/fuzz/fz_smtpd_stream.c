/*++
/* NAME
/*	fz_smtpd_stream 1
/* SUMMARY
/*	libFuzzer target: the front end's SMTP stream tracking
/* SYNOPSIS
/*	fz_smtpd_stream [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	Drives xcrypt-smtpd's protocol engine in-process (tests/drive,
/*	the engine's own objects, built for fuzzing) with a script of
/*	client and smtpd chunks.
/*
/*	Octet 0 is the configuration: bits 0-1 smtpd_forbid_bare_newline
/*	(0 no, 1 normalize, 2 reject, 3 normalize with this client
/*	excluded); bit 2 XCRYPT offered; bits 3-4 the suites offered
/*	(chacha20poly1305_2.0; arrsyfor_1.0 sober128_1.0;
/*	chacha20poly1305_2.1 chacha20poly1305_2.0; all four); bit 5 no
/*	prelude (otherwise the session starts after "220", "EHLO c" and
/*	a 250 reply with PIPELINING and CHUNKING); bit 6
/*	line_length_limit 64 instead of 2048.
/*
/*	Then chunks: one octet h, bit 7 set for smtpd -> front end, clear
/*	for client -> front end; its low 7 bits are the length, or when
/*	they are 0, the length is 128 + 4 times the next octet; then that
/*	many octets (fewer at the end of the input). Each chunk is one
/*	xsd_drive_client() or xsd_drive_smtpd() call, i.e. one read
/*	event of the relay.
/*
/*	Oracle (abort), besides the sanitizers: until the session has
/*	switched to XCRYPT (the drive hands the engine plaintext after
/*	the switch too, and the engine then adds its trace header), what
/*	reaches smtpd is a subsequence of what the client sent, in
/*	order (whole XCRYPT commands taken out, nothing added or
/*	reordered), so never more than the client sent; once the engine
/*	ends the session (closing) or smtpd said goodbye, not one more
/*	octet reaches smtpd; the error count never exceeds the hard
/*	error limit by more than the one that ended the session.
/*
/*	The engine's logging is dropped unless XC_FUZZ_LOG is set (a
/*	panic or fatal error still ends the run).
/* SEE ALSO
/*	t_smtpd_proto(1), xsd_drive(3), xcrypt_smtpd_proto.c
/*--*/

#include <sys_defs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <msg_output.h>
#include <mail_params.h>
#include <vstring.h>

#include "xsd_drive.h"

int     LLVMFuzzerInitialize(int *, char ***);
int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *fz_suites[4] = {
    "chacha20poly1305_2.0",
    "arrsyfor_1.0 sober128_1.0",
    "chacha20poly1305_2.1 chacha20poly1305_2.0",
    "chacha20poly1305_2.0 chacha20poly1305_2.1 sober128_1.0 arrsyfor_1.0",
};
static unsigned fz_count;
static VSTRING *fz_sent;		/* what the client sent */

#define STR(x)	vstring_str(x)
#define LEN(x)	VSTRING_LEN(x)

/* fz_quiet - the engine's logging, dropped (XC_FUZZ_LOG=1 keeps it) */

static void fz_quiet(int level, const char *text)
{
}

/* LLVMFuzzerInitialize - once */

int     LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (getenv("XC_FUZZ_LOG") == 0)
	msg_output(fz_quiet);
    var_line_limit = 2048;
    xsd_drive_init("", 0, "");
    fz_sent = vstring_alloc(4096);
    return (0);
}

/* check_relay - smtpd got a subsequence of what the client sent */

static void check_relay(XSD_DRIVE *dp, size_t *matched, size_t *pos)
{
    const char *got = STR(dp->to_smtpd);
    const char *sent = STR(fz_sent);
    size_t  glen = LEN(dp->to_smtpd);
    size_t  slen = LEN(fz_sent);

    if (glen > slen)
	abort();				/* more than the client sent */
    while (*matched < glen) {
	while (*pos < slen && sent[*pos] != got[*matched])
	    (*pos)++;
	if (*pos == slen)
	    abort();				/* added or reordered */
	(*pos)++;
	(*matched)++;
    }
}

/* LLVMFuzzerTestOneInput - one session */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XSD_DRIVE *dp;
    int     conf;
    int     bare;
    size_t  pos = 1;
    size_t  len;
    size_t  matched = 0;		/* to_smtpd octets checked */
    size_t  spos = 0;			/* in fz_sent */
    ssize_t ended = -1;			/* to_smtpd length at the end */
    int     xcrypt = 0;
    int     smtpd;

    if (size < 1)
	return (0);
    conf = data[0];

    /* The memory key cache holds Z of every peer: renew it now and then. */
    if (++fz_count % 4096 == 0 && xsd_cache) {
	xc_cache_close(xsd_cache);
	xsd_cache = 0;
    }
    bare = conf & 3;
    var_line_limit = (conf & 0x40) ? 64 : 2048;
    var_xsd_hard_erlim = 20;
    xsd_drive_init((conf & 4) ? fz_suites[(conf >> 3) & 3] : "",
		   bare == 3 ? 1 : bare, bare == 3 ? "192.0.2.0/24" : "");
    dp = xsd_drive_create("192.0.2.1");
    VSTRING_RESET(fz_sent);
    if ((conf & 0x20) == 0) {
	xsd_drive_smtpd(dp, "220 mx ESMTP\r\n", 14);
	xsd_drive_client(dp, "EHLO c\r\n", 8);
	xsd_drive_smtpd(dp, "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n", 38);
	xsd_drive_reset(dp);
    }
    while (pos < size) {
	smtpd = data[pos] & 0x80;
	len = data[pos++] & 0x7f;
	if (len == 0) {
	    len = 128 + 4 * (pos < size ? data[pos] : 0);
	    pos++;
	}
	if (pos >= size)
	    break;
	if (len > size - pos)
	    len = size - pos;
	if (smtpd) {
	    xsd_drive_smtpd(dp, (const char *) data + pos, len);
	} else {
	    vstring_memcat(fz_sent, (const char *) data + pos, len);
	    VSTRING_TERMINATE(fz_sent);
	    xsd_drive_client(dp, (const char *) data + pos, len);
	}
	pos += len;
	if (ended >= 0 && LEN(dp->to_smtpd) != (size_t) ended)
	    abort();				/* relayed after the end */
	if (!xcrypt)
	    check_relay(dp, &matched, &spos);
	if (XSD_IS(dp->state, XSD_FLAG_XCRYPT))
	    xcrypt = 1;
	if (ended < 0 && XSD_IS(dp->state, XSD_FLAG_CLOSING | XSD_FLAG_SMTPD_BYE))
	    ended = LEN(dp->to_smtpd);
	if (dp->state->errors > var_xsd_hard_erlim + 1)
	    abort();				/* error limit not enforced */
    }
    xsd_drive_free(dp);
    return (0);
}
