/*++
/* NAME
/*	xc_dh 3
/* SUMMARY
/*	Diffie-Hellman key exchange
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	int	xc_dh_generate(group, pair)
/*	int	group;
/*	XC_KEYPAIR *pair;
/*
/*	int	xc_dh_set_private(group, priv, privlen, pair)
/*	int	group;
/*	const unsigned char *priv;
/*	size_t	privlen;
/*	XC_KEYPAIR *pair;
/*
/*	int	xc_dh_check_public(group, pub, publen)
/*	int	group;
/*	const unsigned char *pub;
/*	size_t	publen;
/*
/*	int	xc_dh_shared(pair, peer, peerlen, z)
/*	const XC_KEYPAIR *pair;
/*	const unsigned char *peer;
/*	size_t	peerlen;
/*	unsigned char *z;
/*
/*	void	xc_keypair_wipe(pair)
/*	XC_KEYPAIR *pair;
/* DESCRIPTION
/*	This module does the modular arithmetic of spec section 4 and
/*	5 with libtommath directly: libtomcrypt's dh_* key generation
/*	picks its own (too short) exponent size and strips leading
/*	zero octets, while the protocol fixes both.
/*
/*	xc_dh_generate() draws a private exponent of the group's
/*	exp_bits random bits (never 0 or 1) and computes the public
/*	value g^x mod p, left-padded with zero octets to the octet
/*	length of p. It sets the creation time.
/*
/*	xc_dh_set_private() does the same with a given exponent (for
/*	known-answer tests).
/*
/*	xc_dh_check_public() accepts a peer's public value only when it
/*	is exactly as long as p and 2 <= y <= p-2.
/*
/*	xc_dh_shared() validates the peer value as above and writes Z =
/*	peer^x mod p, left-padded to the octet length of p, to z.
/*
/*	xc_keypair_wipe() zeroes a key pair.
/*
/*	Big numbers are zeroed before they are released; the exponent
/*	never leaves the XC_KEYPAIR and z buffers of the caller.
/* DIAGNOSTICS
/*	XC_ERR_SYNTAX: a value of the wrong length. XC_ERR_KEY_RANGE:
/*	a public value outside [2, p-2], or a degenerate shared value.
/*	XC_ERR_RANDOM: no randomness. XC_ERR_CRYPTO: libtommath failure
/*	or an unusable private exponent. Panic: unknown group.
/* SEE ALSO
/*	xc_group(3), the groups
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>
#include <time.h>

/* Utility library. */

#include <msg.h>

/* Application-specific. */

#include "xc_private.h"

#define XC_DH_TRIES	8		/* give up on a broken RNG */

/* xc_dh_group - group id to description, or panic */

static const XC_GROUP *xc_dh_group(const char *myname, int id)
{
    const XC_GROUP *g;

    if ((g = xc_group(id)) == 0)
	msg_panic("%s: unknown group %d", myname, id);
    return (g);
}

/* xc_dh_modexp - out = base^exp mod p, padded to plen */

static int xc_dh_modexp(const XC_GROUP *g, const unsigned char *base,
			        size_t baselen, const unsigned char *exp,
			        size_t explen, unsigned char *out)
{
    mp_int  b, e, p, r;
    size_t  n;
    size_t  written;
    int     ret = XC_ERR_CRYPTO;

    if (mp_init_multi(&b, &e, &p, &r, (mp_int *) 0) != MP_OKAY)
	return (XC_ERR_CRYPTO);
    if (mp_from_ubin(&p, g->p, g->plen) != MP_OKAY
	|| mp_from_ubin(&e, exp, explen) != MP_OKAY)
	goto done;
    if (base != 0) {
	if (mp_from_ubin(&b, base, baselen) != MP_OKAY)
	    goto done;
    } else {
	mp_set(&b, 2);
    }
    if (mp_exptmod(&b, &e, &p, &r) != MP_OKAY)
	goto done;
    if ((n = mp_ubin_size(&r)) > g->plen)
	goto done;
    memset(out, 0, g->plen - n);
    if (mp_to_ubin(&r, out + g->plen - n, n, &written) != MP_OKAY
	|| written != n) {
	zeromem(out, g->plen);
	goto done;
    }
    ret = XC_OK;

done:
    xc_mp_wipe(&b);
    xc_mp_wipe(&e);
    xc_mp_wipe(&p);
    xc_mp_wipe(&r);
    return (ret);
}

/* xc_dh_small - is a big-endian number 0 or 1? */

static int xc_dh_small(const unsigned char *v, size_t len)
{
    unsigned char acc = 0;
    size_t  i;

    if (len == 0)
	return (1);
    for (i = 0; i < len - 1; i++)
	acc |= v[i];
    return (acc == 0 && v[len - 1] <= 1);
}

/* xc_dh_in_range - 2 <= y <= p-2, y has plen octets */

static int xc_dh_in_range(const XC_GROUP *g, const unsigned char *y)
{
    unsigned char pm1[XC_PMAX];
    int     ok;

    /*
     * p is odd, so p-1 differs from p only in its last octet. y <= p-2
     * is y < p-1; equal lengths make memcmp() a numeric comparison.
     */
    memcpy(pm1, g->p, g->plen);
    pm1[g->plen - 1] -= 1;
    ok = !xc_dh_small(y, g->plen) && memcmp(y, pm1, g->plen) < 0;
    return (ok);
}

/* xc_dh_check_public - validate a peer public value */

int     xc_dh_check_public(int group, const unsigned char *pub, size_t publen)
{
    const XC_GROUP *g = xc_dh_group("xc_dh_check_public", group);

    if (pub == 0 || publen != g->plen)
	return (XC_ERR_SYNTAX);
    if (!xc_dh_in_range(g, pub))
	return (XC_ERR_KEY_RANGE);
    return (XC_OK);
}

/* xc_dh_set_private - key pair from a given exponent */

int     xc_dh_set_private(int group, const unsigned char *priv,
			          size_t privlen, XC_KEYPAIR *pair)
{
    const XC_GROUP *g = xc_dh_group("xc_dh_set_private", group);
    int     ret;

    xc_init();
    memset(pair, 0, sizeof(*pair));
    if (priv == 0 || privlen == 0 || privlen > XC_PMAX)
	return (XC_ERR_SYNTAX);
    if (xc_dh_small(priv, privlen))
	return (XC_ERR_CRYPTO);
    pair->group = group;
    memcpy(pair->priv, priv, privlen);
    pair->privlen = privlen;
    if ((ret = xc_dh_modexp(g, (unsigned char *) 0, 0, priv, privlen,
			    pair->pub)) != XC_OK) {
	xc_keypair_wipe(pair);
	return (ret);
    }
    if (!xc_dh_in_range(g, pair->pub)) {
	xc_keypair_wipe(pair);
	return (XC_ERR_KEY_RANGE);
    }
    pair->created = time((time_t *) 0);
    return (XC_OK);
}

/* xc_dh_generate - fresh key pair */

int     xc_dh_generate(int group, XC_KEYPAIR *pair)
{
    const XC_GROUP *g = xc_dh_group("xc_dh_generate", group);
    unsigned char x[XC_PMAX];
    size_t  xlen = (g->exp_bits + 7) / 8;
    int     tries;
    int     ret = XC_ERR_CRYPTO;

    xc_init();
    for (tries = 0; tries < XC_DH_TRIES; tries++) {
	if ((ret = xc_random(x, xlen)) != XC_OK)
	    break;
	if (g->exp_bits % 8)
	    x[0] &= 0xff >> (8 - g->exp_bits % 8);
	if (xc_dh_small(x, xlen)) {		/* 2^-exp_bits: broken RNG */
	    ret = XC_ERR_RANDOM;
	    continue;
	}
	if ((ret = xc_dh_set_private(group, x, xlen, pair)) != XC_ERR_KEY_RANGE)
	    break;
    }
    zeromem(x, sizeof(x));
    if (ret != XC_OK)
	xc_keypair_wipe(pair);
    return (ret);
}

/* xc_dh_shared - Z from our pair and the peer's public value */

int     xc_dh_shared(const XC_KEYPAIR *pair, const unsigned char *peer,
		             size_t peerlen, unsigned char *z)
{
    const XC_GROUP *g = xc_dh_group("xc_dh_shared", pair->group);
    int     ret;

    xc_init();
    if ((ret = xc_dh_check_public(pair->group, peer, peerlen)) != XC_OK)
	return (ret);
    if (pair->privlen == 0 || xc_dh_small(pair->priv, pair->privlen))
	return (XC_ERR_STATE);
    if ((ret = xc_dh_modexp(g, peer, peerlen, pair->priv, pair->privlen,
			    z)) != XC_OK)
	return (ret);

    /*
     * With y in [2, p-2] and p a safe prime, Z is 1 only when q divides
     * the exponent. Never hand out a value that an attacker can predict.
     */
    if (xc_dh_small(z, g->plen)) {
	zeromem(z, g->plen);
	return (XC_ERR_KEY_RANGE);
    }
    return (XC_OK);
}

/* xc_keypair_wipe - zero a key pair */

void    xc_keypair_wipe(XC_KEYPAIR *pair)
{
    zeromem(pair, sizeof(*pair));
}
