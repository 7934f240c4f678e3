/*++
/* NAME
/*	xc_b64 3
/* SUMMARY
/*	strict base64 of an exact length
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	int	xc_b64_decode_exact(text, len, out, want)
/*	const char *text;
/*	size_t	len;
/*	unsigned char *out;
/*	size_t	want;
/* DESCRIPTION
/*	xc_b64_decode_exact() decodes the len octets at text, which need
/*	not be null-terminated and may contain anything, into exactly want
/*	octets at out. It accepts only the one canonical RFC 4648 section 4
/*	encoding of want octets:
/* .IP \(bu
/*	exactly 4 * ceil(want / 3) characters, so a missing, extra or
/*	short padding, or trailing garbage, is an error;
/* .IP \(bu
/*	characters from the standard alphabet A-Z a-z 0-9 + / only: no
/*	white space, no line breaks, no URL-safe - and _, no NUL;
/* .IP \(bu
/*	'=' only as the last one or two characters, as many as want
/*	requires (none, "==" for one leftover octet, "=" for two);
/* .IP \(bu
/*	the unused low bits of the last character before the padding
/*	must be zero ("AA==" decodes, "AB==" does not), so that every
/*	value has one spelling only.
/* .PP
/*	Nothing is written to out unless the whole text is valid.
/*
/*	Encoding is left to libtomcrypt's base64_encode(), which produces
/*	exactly this form. Decoding is done here because libtomcrypt 1.18.2
/*	base64_strict_decode() accepts non-zero pad bits ("AB==") and a
/*	text of padding only ("===="), and base64_decode() also skips
/*	white space and junk.
/* DIAGNOSTICS
/*	XC_OK, or XC_ERR_SYNTAX for anything else.
/* SEE ALSO
/*	RFC 4648, section 4 and 3.5 (canonical encoding)
/*	xc_codec(3), the XCRYPT line codec
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/types.h>

/* Application-specific. */

#include <xcrypt.h>

 /*
  * Character values, -1 for everything outside the alphabet (including
  * '=', which is handled by position, and NUL).
  */
static const signed char xc_b64_value[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

#define XC_B64_VAL(c)	xc_b64_value[(unsigned char) (c)]

/* xc_b64_decode_exact - strict canonical base64 of exactly want octets */

int     xc_b64_decode_exact(const char *text, size_t len, unsigned char *out,
			            size_t want)
{
    size_t  pad;
    size_t  data;
    size_t  i;
    size_t  o;
    unsigned long acc;
    int     bits;

    /*
     * The length is fixed by want; checking it first also bounds all the
     * work below, whatever len the caller passes. The division form
     * cannot overflow.
     */
    if (want / 3 + (want % 3 != 0) != len / 4 || len % 4 != 0)
	return (XC_ERR_SYNTAX);
    pad = (3 - want % 3) % 3;
    data = len - pad;

    /*
     * Validate everything before writing anything.
     */
    for (i = 0; i < data; i++)
	if (XC_B64_VAL(text[i]) < 0)
	    return (XC_ERR_SYNTAX);
    for (i = data; i < len; i++)
	if (text[i] != '=')
	    return (XC_ERR_SYNTAX);
    if (pad == 2 && (XC_B64_VAL(text[data - 1]) & 0x0f) != 0)
	return (XC_ERR_SYNTAX);
    if (pad == 1 && (XC_B64_VAL(text[data - 1]) & 0x03) != 0)
	return (XC_ERR_SYNTAX);

    /*
     * Decode: 6 bits in per character, one octet out per 8 bits. The
     * leftover bits at the end are the pad bits checked above.
     */
    acc = 0;
    bits = 0;
    o = 0;
    for (i = 0; i < data; i++) {
	acc = (acc << 6) | (unsigned long) XC_B64_VAL(text[i]);
	bits += 6;
	if (bits >= 8) {
	    bits -= 8;
	    if (o < want)
		out[o++] = (unsigned char) (acc >> bits);
	    acc &= (1UL << bits) - 1;
	}
    }
    if (o != want)				/* can't happen */
	return (XC_ERR_SYNTAX);
    return (XC_OK);
}
