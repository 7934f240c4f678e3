/*++
/* NAME
/*	fz_command 1
/* SUMMARY
/*	libFuzzer target: the XCRYPT command line (server side)
/* SYNOPSIS
/*	fz_command [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	Feeds xc_parse_command() with a client line as it comes off the
/*	network (no CRLF, not null-terminated, in a buffer of exactly its
/*	length so that ASan sees any read beyond it). The first octet
/*	selects the offered suite list (bit 7: none given, i.e. every known
/*	suite; else the low bits pick suites); the rest is the line.
/*
/*	Besides crashes and sanitizer reports, these are findings (abort):
/*	a HELLO whose value or nonce length is not the suite's, a suite not
/*	offered, a BAD without an error code or with a reply other than
/*	the spec's three, and a HELLO that xc_format_hello() does not
/*	reproduce as a line that parses to the same values.
/* SEE ALSO
/*	xc_codec(3), ../shared/XCRYPT-PROTOCOL.md section 4.1
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <xcrypt.h>

int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - one line */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XC_SUITE_LIST offered;
    XC_SUITE_LIST *op = 0;
    XC_HELLO hello;
    XC_HELLO again;
    char    fmt[XC_LINE_MAX + 1];
    char   *line;
    const char *why;
    const char *reply;
    ssize_t flen;
    int     err;
    int     ret;
    int     i;

    if (size < 1)
	return (0);
    if ((data[0] & 0x80) == 0) {
	offered.count = 0;
	for (i = 0; i < XC_SUITE_COUNT; i++)
	    if (data[0] & (1 << i))
		offered.ids[offered.count++] = i;
	op = &offered;
    }
    line = malloc(size - 1 ? size - 1 : 1);
    memcpy(line, data + 1, size - 1);
    memset(&hello, 0, sizeof(hello));
    ret = xc_parse_command(line, size - 1, op, &hello, &err, &why);
    switch (ret) {
    case XC_CMD_OTHER:
    case XC_CMD_OK:
    case XC_CMD_FAIL:
	break;
    case XC_CMD_BAD:
	reply = xc_reply_for_error(err);
	if (err == XC_OK || why == 0 || *why == 0
	    || (strcmp(reply, XC_REPLY_SYNTAX) && strcmp(reply, XC_REPLY_BADKEY)
		&& strcmp(reply, XC_REPLY_SUITE)))
	    abort();
	break;
    case XC_CMD_HELLO:
	if (hello.suite == 0
	    || hello.publen != xc_group(hello.suite->group)->plen
	    || hello.noncelen != hello.suite->nonce_len
	    || (op && !xc_suite_list_has(op, hello.suite->id)))
	    abort();
	flen = xc_format_hello(fmt, sizeof(fmt), hello.suite, hello.pub,
			       hello.nonce);
	if (flen < 0)
	    abort();
	memset(&again, 0, sizeof(again));
	if (xc_parse_command(fmt, flen, op, &again, &err, &why) != XC_CMD_HELLO
	    || again.suite != hello.suite
	    || memcmp(again.pub, hello.pub, hello.publen) != 0
	    || memcmp(again.nonce, hello.nonce, hello.noncelen) != 0)
	    abort();
	break;
    default:
	abort();
    }
    free(line);
    return (0);
}
