/*++
/* NAME
/*	xc_kdf 3
/* SUMMARY
/*	session key derivation
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	int	xc_kdf(suite, z, zlen, na, nb, keys)
/*	const XC_SUITE *suite;
/*	const unsigned char *z;
/*	size_t	zlen;
/*	const unsigned char *na;
/*	const unsigned char *nb;
/*	XC_KEYS	*keys;
/*
/*	void	xc_keys_wipe(keys)
/*	XC_KEYS	*keys;
/* DESCRIPTION
/*	xc_kdf() derives the two direction keys of spec section 5 from
/*	the shared value Z (zlen must be the octet length of the
/*	suite's group prime), the client nonce na and the server nonce
/*	nb (each of the suite's nonce length, raw octets):
/* .IP "suites 1.0"
/*	K = SHA-1(Z || Na || Nb); client-to-server key K[0..9],
/*	server-to-client key K[10..19].
/* .IP "chacha20poly1305_2.0"
/*	PRK = HKDF-Extract(salt = Na || Nb, Z); the keys are
/*	HKDF-Expand(PRK, "XCRYPT 2.0 c2s", 32) and
/*	HKDF-Expand(PRK, "XCRYPT 2.0 s2c", 32), info without a NUL.
/* .IP "chacha20poly1305_2.1"
/*	The same with the info strings "XCRYPT 2.1 c2s" and
/*	"XCRYPT 2.1 s2c", so that keys of one suite are never keys of
/*	the other.
/* .PP
/*	xc_keys_wipe() zeroes the keys.
/* DIAGNOSTICS
/*	XC_ERR_SYNTAX for a wrong Z length, XC_ERR_CRYPTO when
/*	libtomcrypt fails. On error the keys are wiped.
/* SEE ALSO
/*	RFC 5869, HKDF
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>

/* Application-specific. */

#include "xc_private.h"

 /*
  * HKDF info strings (spec 5.2): 14 octets each, no terminator.
  */
#define XC_INFO_LEN	14
#define XC_INFO_C2S_20	"XCRYPT 2.0 c2s"
#define XC_INFO_S2C_20	"XCRYPT 2.0 s2c"
#define XC_INFO_C2S_21	"XCRYPT 2.1 c2s"
#define XC_INFO_S2C_21	"XCRYPT 2.1 s2c"

/* xc_kdf_sha1 - spec 5.1 */

static int xc_kdf_sha1(const XC_SUITE *suite, const unsigned char *z,
		               size_t zlen, const unsigned char *na,
		               const unsigned char *nb, XC_KEYS *keys)
{
    hash_state md;
    unsigned char k[20];
    int     ok;

    ok = (sha1_init(&md) == CRYPT_OK
	  && sha1_process(&md, z, zlen) == CRYPT_OK
	  && sha1_process(&md, na, suite->nonce_len) == CRYPT_OK
	  && sha1_process(&md, nb, suite->nonce_len) == CRYPT_OK
	  && sha1_done(&md, k) == CRYPT_OK);
    if (ok) {
	memcpy(keys->c2s, k, 10);
	memcpy(keys->s2c, k + 10, 10);
	keys->key_len = 10;
    }
    zeromem(&md, sizeof(md));
    zeromem(k, sizeof(k));
    return (ok ? XC_OK : XC_ERR_CRYPTO);
}

/* xc_kdf_hkdf - spec 5.2 */

static int xc_kdf_hkdf(const XC_SUITE *suite, const unsigned char *z,
		               size_t zlen, const unsigned char *na,
		               const unsigned char *nb, XC_KEYS *keys)
{
    unsigned char salt[2 * XC_NONCE_MAX];
    unsigned char prk[32];
    unsigned long prklen = sizeof(prk);
    const char *c2s;
    const char *s2c;
    int     ok;

    switch (suite->id) {
    case XC_SUITE_CHACHA:
	c2s = XC_INFO_C2S_20;
	s2c = XC_INFO_S2C_20;
	break;
    case XC_SUITE_CHACHA21:
	c2s = XC_INFO_C2S_21;
	s2c = XC_INFO_S2C_21;
	break;
    default:
	return (XC_ERR_SUITE);
    }
    memcpy(salt, na, suite->nonce_len);
    memcpy(salt + suite->nonce_len, nb, suite->nonce_len);
    ok = (hkdf_extract(xc_hash_sha256, salt, 2 * suite->nonce_len,
		       z, zlen, prk, &prklen) == CRYPT_OK
	  && hkdf_expand(xc_hash_sha256,
			 (const unsigned char *) c2s, XC_INFO_LEN, prk, prklen,
			 keys->c2s, 32) == CRYPT_OK
	  && hkdf_expand(xc_hash_sha256,
			 (const unsigned char *) s2c, XC_INFO_LEN, prk, prklen,
			 keys->s2c, 32) == CRYPT_OK);
    if (ok)
	keys->key_len = 32;
    zeromem(salt, sizeof(salt));
    zeromem(prk, sizeof(prk));
    return (ok ? XC_OK : XC_ERR_CRYPTO);
}

/* xc_kdf - Z and nonces to direction keys */

int     xc_kdf(const XC_SUITE *suite, const unsigned char *z, size_t zlen,
	               const unsigned char *na, const unsigned char *nb,
	               XC_KEYS *keys)
{
    const XC_GROUP *g;
    int     ret;

    xc_init();
    memset(keys, 0, sizeof(*keys));
    if (suite == 0 || (g = xc_group(suite->group)) == 0)
	return (XC_ERR_SUITE);
    if (z == 0 || zlen != g->plen || na == 0 || nb == 0)
	return (XC_ERR_SYNTAX);
    if (suite->aead)
	ret = xc_kdf_hkdf(suite, z, zlen, na, nb, keys);
    else
	ret = xc_kdf_sha1(suite, z, zlen, na, nb, keys);
    if (ret != XC_OK)
	xc_keys_wipe(keys);
    return (ret);
}

/* xc_keys_wipe - zero session keys */

void    xc_keys_wipe(XC_KEYS *keys)
{
    zeromem(keys, sizeof(*keys));
}
