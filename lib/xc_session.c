/*++
/* NAME
/*	xc_session 3
/* SUMMARY
/*	one XCRYPT handshake, either side
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	int	xc_session_start(s, cache, suite, role)
/*	XC_SESSION *s;
/*	XC_CACHE *cache;
/*	const XC_SUITE *suite;
/*	int	role;
/*
/*	int	xc_session_finish(s, cache, peer)
/*	XC_SESSION *s;
/*	XC_CACHE *cache;
/*	const XC_HELLO *peer;
/*
/*	int	xc_session_finish_unsaved(s, cache, peer)
/*	XC_SESSION *s;
/*	XC_CACHE *cache;
/*	const XC_HELLO *peer;
/*
/*	void	xc_session_save(s, cache)
/*	XC_SESSION *s;
/*	XC_CACHE *cache;
/*
/*	void	xc_session_wipe(s)
/*	XC_SESSION *s;
/* DESCRIPTION
/*	These functions hold the crypto of one handshake (spec section
/*	4 and 5) for the client (XC_ROLE_CLIENT) and the server
/*	(XC_ROLE_SERVER) alike.
/*
/*	xc_session_start() initializes the library, fetches this host's
/*	current key pair for the suite's group from the cache (a null
/*	cache means a fresh pair), and draws a fresh nonce of the
/*	suite's length: a new one for every handshake, also when the
/*	pair is reused.
/*
/*	xc_session_finish() takes the peer's public value and nonce
/*	(from the parsed command or reply), validates the public value
/*	(exact length, 2 <= y <= p-2), gets Z through the cache (which
/*	sets s->cache_hit; a null cache computes Z directly), derives
/*	the direction keys with Na the client's nonce and Nb the
/*	server's, and computes the session fingerprint: the first 8
/*	octets of SHA-256(Ka || Kb || Na || Nb), client values first,
/*	as 16 lower-case hex digits, so that both ends log the same
/*	one. Z is wiped before return.
/*
/*	xc_session_finish_unsaved() does the same, but a Z that was not
/*	in the cache is kept in the session instead of being stored;
/*	xc_session_save() stores it (once the peer has confirmed the
/*	handshake) and wipes it. xc_session_wipe() wipes it too, so a
/*	handshake that is never confirmed leaves nothing in the cache.
/*
/*	xc_session_wipe() zeroes the session, keys and key pair
/*	included.
/* DIAGNOSTICS
/*	XC_ERR_SUITE: the peer's suite differs from ours. XC_ERR_SYNTAX:
/*	wrong public value or nonce length. XC_ERR_KEY_RANGE: public
/*	value out of range. XC_ERR_RANDOM, XC_ERR_CACHE, XC_ERR_CRYPTO:
/*	from the layers below. XC_ERR_STATE: finish before start.
/*	On error from xc_session_finish() the keys are wiped.
/* SEE ALSO
/*	xc_cache(3), key cache
/*	xc_kdf(3), key derivation
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>

/* Application-specific. */

#include "xc_private.h"

/* xc_session_start - our half of a handshake */

int     xc_session_start(XC_SESSION *s, XC_CACHE *cache,
			         const XC_SUITE *suite, int role)
{
    int     ret;

    xc_init();
    memset(s, 0, sizeof(*s));
    if (suite == 0 || xc_suite(suite->id) != suite)
	return (XC_ERR_SUITE);
    if (role != XC_ROLE_CLIENT && role != XC_ROLE_SERVER)
	return (XC_ERR_STATE);
    s->suite = suite;
    s->role = role;
    if (cache != 0)
	ret = xc_cache_keypair(cache, suite->group, &s->pair);
    else
	ret = xc_dh_generate(suite->group, &s->pair);
    if (ret == XC_OK)
	ret = xc_random(s->nonce, suite->nonce_len);
    if (ret != XC_OK)
	xc_session_wipe(s);
    return (ret);
}

/* xc_session_fingerprint - SHA-256(Ka || Kb || Na || Nb), 8 octets */

static int xc_session_fingerprint(XC_SESSION *s, const unsigned char *ka,
				          const unsigned char *kb,
				          const unsigned char *na,
				          const unsigned char *nb, size_t plen)
{
    hash_state md;
    unsigned char digest[32];
    int     ok;

    ok = (sha256_init(&md) == CRYPT_OK
	  && sha256_process(&md, ka, plen) == CRYPT_OK
	  && sha256_process(&md, kb, plen) == CRYPT_OK
	  && sha256_process(&md, na, s->suite->nonce_len) == CRYPT_OK
	  && sha256_process(&md, nb, s->suite->nonce_len) == CRYPT_OK
	  && sha256_done(&md, digest) == CRYPT_OK);
    if (ok)
	xc_hex(digest, 8, s->fingerprint);
    zeromem(&md, sizeof(md));
    return (ok ? XC_OK : XC_ERR_CRYPTO);
}

/* xc_session_derive - the peer's half: Z, keys, fingerprint */

static int xc_session_derive(XC_SESSION *s, XC_CACHE *cache,
			             const XC_HELLO *peer, int save)
{
    const XC_GROUP *g;
    unsigned char z[XC_PMAX];
    const unsigned char *ka, *kb, *na, *nb;
    int     hit = 0;
    int     ret;

    if (s->suite == 0 || s->pair.privlen == 0)
	return (XC_ERR_STATE);
    if (peer == 0)
	return (XC_ERR_SYNTAX);
    if (peer->suite != 0 && peer->suite->id != s->suite->id)
	return (XC_ERR_SUITE);
    g = xc_group(s->suite->group);
    if (peer->noncelen != s->suite->nonce_len)
	return (XC_ERR_SYNTAX);
    if ((ret = xc_dh_check_public(s->suite->group, peer->pub,
				  peer->publen)) != XC_OK)
	return (ret);
    if (cache != 0 && save)
	ret = xc_cache_shared(cache, &s->pair, peer->pub, peer->publen, z, &hit);
    else if (cache != 0)
	ret = xc_cache_shared_find(cache, &s->pair, peer->pub, peer->publen,
				   z, &hit);
    else
	ret = xc_dh_shared(&s->pair, peer->pub, peer->publen, z);
    if (ret != XC_OK) {
	zeromem(z, sizeof(z));
	return (ret);
    }
    s->cache_hit = hit;
    if (s->role == XC_ROLE_CLIENT) {
	ka = s->pair.pub;
	na = s->nonce;
	kb = peer->pub;
	nb = peer->nonce;
    } else {
	ka = peer->pub;
	na = peer->nonce;
	kb = s->pair.pub;
	nb = s->nonce;
    }
    ret = xc_kdf(s->suite, z, g->plen, na, nb, &s->keys);
    if (ret == XC_OK && cache != 0 && !save && !hit) {
	memcpy(s->z, z, g->plen);
	memcpy(s->peer, peer->pub, g->plen);
	s->unsaved = 1;
    }
    zeromem(z, sizeof(z));
    if (ret == XC_OK)
	ret = xc_session_fingerprint(s, ka, kb, na, nb, g->plen);
    if (ret != XC_OK) {
	xc_keys_wipe(&s->keys);
	s->fingerprint[0] = 0;
	zeromem(s->z, sizeof(s->z));
	s->unsaved = 0;
    }
    return (ret);
}

/* xc_session_finish - the peer's half, Z cached at once */

int     xc_session_finish(XC_SESSION *s, XC_CACHE *cache,
			          const XC_HELLO *peer)
{
    return (xc_session_derive(s, cache, peer, 1));
}

/* xc_session_finish_unsaved - the peer's half, Z kept for later */

int     xc_session_finish_unsaved(XC_SESSION *s, XC_CACHE *cache,
				          const XC_HELLO *peer)
{
    return (xc_session_derive(s, cache, peer, 0));
}

/* xc_session_save - store a Z kept by xc_session_finish_unsaved() */

void    xc_session_save(XC_SESSION *s, XC_CACHE *cache)
{
    const XC_GROUP *g;

    if (s->unsaved && cache != 0 && s->suite != 0) {
	g = xc_group(s->suite->group);
	(void) xc_cache_shared_store(cache, &s->pair, s->peer, g->plen, s->z);
    }
    zeromem(s->z, sizeof(s->z));
    s->unsaved = 0;
}

/* xc_session_wipe - forget everything */

void    xc_session_wipe(XC_SESSION *s)
{
    xc_keypair_wipe(&s->pair);
    xc_keys_wipe(&s->keys);
    zeromem(s, sizeof(*s));
}
