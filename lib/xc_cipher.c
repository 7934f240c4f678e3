/*++
/* NAME
/*	xc_cipher 3
/* SUMMARY
/*	traffic protection for one direction
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	XC_CIPHER *xc_cipher_create(suite, key)
/*	const XC_SUITE *suite;
/*	const unsigned char *key;
/*
/*	void	xc_cipher_free(cipher)
/*	XC_CIPHER *cipher;
/*
/*	int	xc_cipher_xor(cipher, in, len, out)
/*	XC_CIPHER *cipher;
/*	const unsigned char *in;
/*	size_t	len;
/*	unsigned char *out;
/*
/*	int	xc_record_seal(cipher, data, datalen, out, outlen)
/*	XC_CIPHER *cipher;
/*	const unsigned char *data;
/*	size_t	datalen;
/*	unsigned char *out;
/*	size_t	*outlen;
/*
/*	int	xc_record_sealed_len(prefix)
/*	const unsigned char *prefix;
/*
/*	int	xc_record_open(cipher, rec, reclen, data, datalen)
/*	XC_CIPHER *cipher;
/*	const unsigned char *rec;
/*	size_t	reclen;
/*	unsigned char *data;
/*	size_t	*datalen;
/* DESCRIPTION
/*	An XC_CIPHER protects one direction of a connection with the
/*	suite's key for that direction (spec section 6).
/*
/*	xc_cipher_create() sets up the cipher: RC4 keyed with the
/*	10-octet key (arrsyfor_1.0, no keystream octets dropped);
/*	SOBER-128 keyed with the 10-octet key followed by two zero
/*	octets and no IV (sober128_1.0: libtomcrypt's key setup alone,
/*	sober128_stream_setiv() is not called; that is what the spec's
/*	worked example encodes); or ChaCha20-Poly1305 with the 32-octet
/*	key and record sequence number 0. It returns a null pointer when
/*	libtomcrypt refuses the key.
/*
/*	xc_cipher_free() zeroes the state, then releases it.
/*
/*	xc_cipher_xor() (keystream suites) XORs the next len octets of
/*	keystream with in and writes them to out, which may equal in.
/*	Calls may be split anywhere: the keystream simply continues.
/*
/*	xc_record_seal() (AEAD suite) builds one record, length ||
/*	ChaCha20-Poly1305(nonce = 0^32 || seq, aad = length, body =
/*	datalen || data || zero padding to a multiple of 32), into out
/*	(XC_REC_MAX octets, not overlapping data), sets *outlen and
/*	advances the sequence number. datalen is at most
/*	XC_REC_DATA_MAX. The sequence number never wraps: after record
/*	2^64-1 the cipher refuses to seal.
/*
/*	xc_record_sealed_len() takes the first two octets of a record
/*	and returns the length of the sealed part that follows (48 to
/*	16432, and 16 more than a multiple of 32), or XC_ERR_RECORD.
/*
/*	xc_record_open() takes one whole record (length prefix
/*	included), verifies the tag in constant time, checks datalen
/*	and that the padding is all zero, writes the data (at most
/*	XC_REC_DATA_MAX octets) to data, sets *datalen and advances the
/*	sequence number. Nothing of a record that fails is written to
/*	data, and the sequence number stays put.
/* DIAGNOSTICS
/*	XC_ERR_STATE: keystream call on the AEAD suite or vice versa.
/*	XC_ERR_OVERFLOW: datalen too large, sequence numbers exhausted.
/*	XC_ERR_RECORD: bad record length, datalen, or padding.
/*	XC_ERR_AUTH: the tag does not verify. XC_ERR_CRYPTO:
/*	libtomcrypt failure.
/* SEE ALSO
/*	RFC 8439, ChaCha20 and Poly1305
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>

/* Application-specific. */

#include "xc_private.h"

#define XC_TAG_LEN	16
#define XC_BODY_MAX	(XC_REC_SEALED_MAX - XC_TAG_LEN)

struct XC_CIPHER {
    const XC_SUITE *suite;
    union {
	rc4_state rc4;
	sober128_state sober;
	chacha20poly1305_state aead;
    }       st;
    unsigned char key[XC_KEY_MAX];	/* AEAD: re-keyed per record */
    uint64_t seq;			/* next record sequence number */
    int     seq_exhausted;		/* record 2^64-1 was used */
    unsigned char body[XC_BODY_MAX];	/* opened plaintext, wiped */
};

/* xc_cipher_create - set up one direction */

XC_CIPHER *xc_cipher_create(const XC_SUITE *suite, const unsigned char *key)
{
    XC_CIPHER *c;
    unsigned char sober_key[12];
    int     err;

    xc_init();
    if (suite == 0 || key == 0)
	return (0);
    c = (XC_CIPHER *) mymalloc(sizeof(*c));
    memset(c, 0, sizeof(*c));
    c->suite = suite;
    switch (suite->id) {
    case XC_SUITE_ARRSYFOR:
	err = rc4_stream_setup(&c->st.rc4, key, suite->key_len);
	break;
    case XC_SUITE_SOBER128:
	memcpy(sober_key, key, 10);
	sober_key[10] = sober_key[11] = 0;
	err = sober128_stream_setup(&c->st.sober, sober_key, sizeof(sober_key));
	zeromem(sober_key, sizeof(sober_key));
	break;
    case XC_SUITE_CHACHA:
    case XC_SUITE_CHACHA21:
	memcpy(c->key, key, suite->key_len);
	err = CRYPT_OK;
	break;
    default:
	err = CRYPT_INVALID_ARG;
	break;
    }
    if (err != CRYPT_OK) {
	xc_cipher_free(c);
	return (0);
    }
    return (c);
}

/* xc_cipher_free - wipe and release */

void    xc_cipher_free(XC_CIPHER *c)
{
    if (c == 0)
	return;
    zeromem(c, sizeof(*c));
    myfree((void *) c);
}

/* xc_cipher_xor - keystream suites */

int     xc_cipher_xor(XC_CIPHER *c, const unsigned char *in, size_t len,
		              unsigned char *out)
{
    int     err;

    if (c->suite->aead)
	return (XC_ERR_STATE);
    if (len == 0)
	return (XC_OK);
    if (c->suite->id == XC_SUITE_ARRSYFOR)
	err = rc4_stream_crypt(&c->st.rc4, in, len, out);
    else
	err = sober128_stream_crypt(&c->st.sober, in, len, out);
    return (err == CRYPT_OK ? XC_OK : XC_ERR_CRYPTO);
}

/* xc_record_start - key, nonce and aad for one record */

static int xc_record_start(XC_CIPHER *c, const unsigned char *aad)
{
    unsigned char nonce[12];
    uint64_t seq = c->seq;
    int     i;

    memset(nonce, 0, 4);
    for (i = 11; i >= 4; i--) {
	nonce[i] = (unsigned char) seq;
	seq >>= 8;
    }
    if (chacha20poly1305_init(&c->st.aead, c->key, 32) != CRYPT_OK
	|| chacha20poly1305_setiv(&c->st.aead, nonce, sizeof(nonce)) != CRYPT_OK
	|| chacha20poly1305_add_aad(&c->st.aead, aad, 2) != CRYPT_OK)
	return (XC_ERR_CRYPTO);
    return (XC_OK);
}

/* xc_record_next - advance the sequence number, never wrap */

static void xc_record_next(XC_CIPHER *c)
{
    if (c->seq == UINT64_MAX)
	c->seq_exhausted = 1;
    else
	c->seq++;
}

/* xc_record_seal - data to one record */

int     xc_record_seal(XC_CIPHER *c, const unsigned char *data, size_t datalen,
		               unsigned char *out, size_t *outlen)
{
    size_t  bodylen;
    size_t  sealedlen;
    unsigned long taglen = XC_TAG_LEN;
    unsigned char *body = out + 2;
    int     ret;

    *outlen = 0;
    if (!c->suite->aead)
	return (XC_ERR_STATE);
    if (datalen > XC_REC_DATA_MAX)
	return (XC_ERR_OVERFLOW);
    if (c->seq_exhausted)
	return (XC_ERR_OVERFLOW);
    bodylen = (2 + datalen + 31) & ~(size_t) 31;
    sealedlen = bodylen + XC_TAG_LEN;
    out[0] = (unsigned char) (sealedlen >> 8);
    out[1] = (unsigned char) sealedlen;
    body[0] = (unsigned char) (datalen >> 8);
    body[1] = (unsigned char) datalen;
    if (datalen > 0)
	memmove(body + 2, data, datalen);
    memset(body + 2 + datalen, 0, bodylen - 2 - datalen);
    if ((ret = xc_record_start(c, out)) != XC_OK
	|| chacha20poly1305_encrypt(&c->st.aead, body, bodylen, body) != CRYPT_OK
	|| chacha20poly1305_done(&c->st.aead, body + bodylen, &taglen) != CRYPT_OK
	|| taglen != XC_TAG_LEN) {
	zeromem(&c->st.aead, sizeof(c->st.aead));
	zeromem(out, 2 + sealedlen);
	return (XC_ERR_CRYPTO);
    }
    zeromem(&c->st.aead, sizeof(c->st.aead));
    xc_record_next(c);
    *outlen = 2 + sealedlen;
    return (XC_OK);
}

/* xc_record_sealed_len - validate the length prefix */

int     xc_record_sealed_len(const unsigned char *prefix)
{
    int     len = (prefix[0] << 8) | prefix[1];

    if (len < XC_REC_SEALED_MIN || len > XC_REC_SEALED_MAX
	|| (len - XC_TAG_LEN) % 32 != 0)
	return (XC_ERR_RECORD);
    return (len);
}

/* xc_record_open - one record to data */

int     xc_record_open(XC_CIPHER *c, const unsigned char *rec, size_t reclen,
		               unsigned char *data, size_t *datalen)
{
    unsigned char tag[XC_TAG_LEN];
    unsigned long taglen = sizeof(tag);
    size_t  bodylen;
    size_t  dlen;
    size_t  i;
    unsigned char pad;
    int     sealedlen;
    int     ret;

    *datalen = 0;
    if (!c->suite->aead)
	return (XC_ERR_STATE);
    if (c->seq_exhausted)
	return (XC_ERR_OVERFLOW);
    if (reclen < 2 || (sealedlen = xc_record_sealed_len(rec)) < 0
	|| reclen != 2 + (size_t) sealedlen)
	return (XC_ERR_RECORD);
    bodylen = sealedlen - XC_TAG_LEN;

    /*
     * Decrypt into private memory; hand out nothing unless the tag, the
     * length field and the padding are all right.
     */
    if ((ret = xc_record_start(c, rec)) != XC_OK
	|| chacha20poly1305_decrypt(&c->st.aead, rec + 2, bodylen, c->body) != CRYPT_OK
	|| chacha20poly1305_done(&c->st.aead, tag, &taglen) != CRYPT_OK
	|| taglen != XC_TAG_LEN) {
	ret = XC_ERR_CRYPTO;
    } else if (mem_neq(tag, rec + 2 + bodylen, XC_TAG_LEN)) {
	ret = XC_ERR_AUTH;
    } else if ((dlen = (c->body[0] << 8) | c->body[1]) > bodylen - 2
	       || dlen > XC_REC_DATA_MAX) {
	ret = XC_ERR_RECORD;
    } else {
	for (pad = 0, i = 2 + dlen; i < bodylen; i++)
	    pad |= c->body[i];
	if (pad != 0) {
	    ret = XC_ERR_RECORD;
	} else {
	    memcpy(data, c->body + 2, dlen);
	    *datalen = dlen;
	    xc_record_next(c);
	    ret = XC_OK;
	}
    }
    zeromem(&c->st.aead, sizeof(c->st.aead));
    zeromem(c->body, bodylen);
    zeromem(tag, sizeof(tag));
    return (ret);
}

/* xc_cipher_set_seq - test hook */

void    xc_cipher_set_seq(XC_CIPHER *c, uint64_t seq)
{
    c->seq = seq;
    c->seq_exhausted = 0;
}

/* xc_cipher_get_seq - test hook */

uint64_t xc_cipher_get_seq(const XC_CIPHER *c)
{
    return (c->seq);
}
