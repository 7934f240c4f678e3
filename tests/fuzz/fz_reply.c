/*++
/* NAME
/*	fz_reply 1
/* SUMMARY
/*	libFuzzer target: the "250 XCRYPT Kb Nb" reply (client side)
/* SYNOPSIS
/*	fz_reply [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	Feeds xc_parse_hello_reply() with the text of a reply line (after
/*	"250 "), in a buffer of exactly its length; the first octet picks
/*	the suite the client proposed. Findings besides crashes (abort):
/*	success with a value or nonce of the wrong length, a failure
/*	without a reason, and a success that xc_format_hello_reply() does
/*	not reproduce as a line that parses to the same values.
/* SEE ALSO
/*	xc_codec(3), ../shared/XCRYPT-PROTOCOL.md section 4
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <xcrypt.h>

int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - one reply text */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const XC_SUITE *suite;
    XC_HELLO hello;
    XC_HELLO again;
    char    fmt[XC_LINE_MAX + 1];
    char   *text;
    const char *why;
    ssize_t flen;
    int     ret;

    if (size < 1)
	return (0);
    suite = xc_suite(data[0] % XC_SUITE_COUNT);
    text = malloc(size - 1 ? size - 1 : 1);
    memcpy(text, data + 1, size - 1);
    memset(&hello, 0, sizeof(hello));
    why = 0;
    ret = xc_parse_hello_reply(text, size - 1, suite, &hello, &why);
    if (ret == XC_OK) {
	if (hello.publen != xc_group(suite->group)->plen
	    || hello.noncelen != suite->nonce_len)
	    abort();
	flen = xc_format_hello_reply(fmt, sizeof(fmt), suite, hello.pub,
				     hello.nonce);
	if (flen < 4 || strncmp(fmt, "250 ", 4) != 0)
	    abort();
	memset(&again, 0, sizeof(again));
	if (xc_parse_hello_reply(fmt + 4, flen - 4, suite, &again, &why) != XC_OK
	    || memcmp(again.pub, hello.pub, hello.publen) != 0
	    || memcmp(again.nonce, hello.nonce, hello.noncelen) != 0)
	    abort();
    } else if (why == 0 || *why == 0) {
	abort();
    }
    free(text);
    return (0);
}
