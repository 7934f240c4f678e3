/*++
/* NAME
/*	fz_b64 1
/* SUMMARY
/*	libFuzzer target: strict base64 (xc_b64_decode_exact)
/* SYNOPSIS
/*	fz_b64 [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	The first octet is the wanted octet count (0..255, covering the
/*	16-octet nonces and, scaled, the 96- and 256-octet values: counts
/*	of 200 and more mean 256); the rest is the text, in a buffer of
/*	exactly its length.
/*
/*	Differential oracle (abort on disagreement): what xc_b64_decode_exact()
/*	accepts must be exactly the canonical RFC 4648 encoding of the
/*	octets it returns (libtomcrypt's encoder re-encodes them to the same
/*	text), and every canonical encoding of the wanted length must be
/*	accepted, decoding to the octets libtomcrypt's strict decoder
/*	returns.
/* SEE ALSO
/*	xc_b64(3), RFC 4648 section 4
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#ifndef LTM_DESC
#define LTM_DESC
#endif
#include <tomcrypt.h>

#include <xcrypt.h>

int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - one text, one length */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char out[256];
    unsigned char ref[1024];
    char    enc[1024];
    unsigned long reflen = sizeof(ref);
    unsigned long enclen = sizeof(enc);
    size_t  want;
    size_t  len;
    char   *text;
    int     ours;
    int     canonical;

    if (size < 1)
	return (0);
    want = data[0] >= 200 ? 256 : data[0];
    len = size - 1;
    text = malloc(len ? len : 1);
    memcpy(text, data + 1, len);
    ours = xc_b64_decode_exact(text, len, out, want);

    /*
     * The reference: libtomcrypt's strict decoder, then its encoder; the
     * text is canonical for want octets when the round trip gives it back.
     */
    canonical = 0;
    if (len < sizeof(enc)
	&& base64_strict_decode((const unsigned char *) text, len, ref,
				&reflen) == CRYPT_OK
	&& reflen == want
	&& base64_encode(ref, reflen, (unsigned char *) enc, &enclen) == CRYPT_OK
	&& enclen == len && memcmp(enc, text, len) == 0)
	canonical = 1;
    if (ours == XC_OK) {
	enclen = sizeof(enc);
	if (base64_encode(out, want, (unsigned char *) enc, &enclen) != CRYPT_OK
	    || enclen != len || memcmp(enc, text, len) != 0)
	    abort();				/* accepted a non-canonical text */
	if (!canonical || memcmp(out, ref, want) != 0)
	    abort();
    } else if (ours != XC_ERR_SYNTAX || canonical) {
	abort();				/* refused a canonical text */
    }
    free(text);
    return (0);
}
