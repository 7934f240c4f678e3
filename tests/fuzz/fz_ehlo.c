/*++
/* NAME
/*	fz_ehlo 1
/* SUMMARY
/*	libFuzzer target: the XCRYPT EHLO keyword (client side)
/* SYNOPSIS
/*	fz_ehlo [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	Feeds xc_parse_ehlo_keyword() with the text of one EHLO reply line
/*	(after "250-"), in a buffer of exactly its length. Findings besides
/*	crashes (abort): a list longer than XC_SUITE_COUNT, an unknown or
/*	repeated suite id, and a list that xc_format_ehlo_keyword() does
/*	not reproduce as a keyword that parses to the same list.
/* SEE ALSO
/*	xc_codec(3), ../shared/XCRYPT-PROTOCOL.md section 2
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <xcrypt.h>

int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - one keyword line */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XC_SUITE_LIST list;
    XC_SUITE_LIST again;
    char    fmt[XC_LINE_MAX + 1];
    char   *text;
    ssize_t flen;
    int     i;
    int     j;

    text = malloc(size ? size : 1);
    memcpy(text, data, size);
    memset(&list, 0, sizeof(list));
    if (xc_parse_ehlo_keyword(text, size, &list) == 1) {
	if (list.count < 0 || list.count > XC_SUITE_COUNT)
	    abort();
	for (i = 0; i < list.count; i++) {
	    if (xc_suite(list.ids[i]) == 0)
		abort();
	    for (j = 0; j < i; j++)
		if (list.ids[j] == list.ids[i])
		    abort();
	}
	flen = xc_format_ehlo_keyword(fmt, sizeof(fmt), &list);
	if (flen < 0)
	    abort();
	memset(&again, 0, sizeof(again));
	if (xc_parse_ehlo_keyword(fmt, flen, &again) != 1
	    || again.count != list.count
	    || memcmp(again.ids, list.ids, list.count * sizeof(int)) != 0)
	    abort();
    }
    free(text);
    return (0);
}
