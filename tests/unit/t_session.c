/*++
/* NAME
/*	t_session 1
/* SUMMARY
/*	handshake helper tests, memory key caches
/* SYNOPSIS
/*	t_session
/* DESCRIPTION
/*	A client and a server session per suite, each with its own
/*	memory cache (xc_cache_open(NULL, 7200)): both ends derive the
/*	same keys and fingerprint, nonces are fresh for every
/*	handshake, a second handshake with the same peer key is a cache
/*	hit on both ends and still yields new keys, and bad peer values
/*	are refused.
/*--*/

/* checks: 90 */

/* System library. */

#include <sys_defs.h>
#include <string.h>

/* Application-specific. */

#include "xc_private.h"
#include "t_check.h"

/* hello_of - what the peer would parse from our command or reply */

static void hello_of(const XC_SESSION *s, XC_HELLO *h)
{
    const XC_GROUP *g = xc_group(s->suite->group);

    memset(h, 0, sizeof(*h));
    h->suite = s->suite;
    memcpy(h->pub, s->pair.pub, g->plen);
    h->publen = g->plen;
    memcpy(h->nonce, s->nonce, s->suite->nonce_len);
    h->noncelen = s->suite->nonce_len;
}

/* is_hex16 - 16 lower-case hex digits */

static int is_hex16(const char *fp)
{
    return (strlen(fp) == 16 && strspn(fp, "0123456789abcdef") == 16);
}

/* expected_fingerprint - SHA-256(Ka || Kb || Na || Nb), first 8 octets */

static void expected_fingerprint(const XC_SESSION *c, const XC_SESSION *s,
				         char *out)
{
    size_t  plen = xc_group(c->suite->group)->plen;
    size_t  nlen = c->suite->nonce_len;
    hash_state md;
    unsigned char d[32];

    sha256_init(&md);
    sha256_process(&md, c->pair.pub, plen);
    sha256_process(&md, s->pair.pub, plen);
    sha256_process(&md, c->nonce, nlen);
    sha256_process(&md, s->nonce, nlen);
    sha256_done(&md, d);
    xc_hex(d, 8, out);
}

/* same_keys - both ends agree */

static int same_keys(const XC_SESSION *a, const XC_SESSION *b)
{
    return (a->keys.key_len == a->suite->key_len
	    && b->keys.key_len == a->keys.key_len
	    && memcmp(a->keys.c2s, b->keys.c2s, a->keys.key_len) == 0
	    && memcmp(a->keys.s2c, b->keys.s2c, a->keys.key_len) == 0
	    && memcmp(a->keys.c2s, a->keys.s2c, a->keys.key_len) != 0);
}

/* traffic - client to server through the derived keys */

static int traffic(const XC_SESSION *c, const XC_SESSION *s)
{
    static const char text[] = "MAIL FROM:<alice@example.org>\r\n";
    unsigned char wire[XC_REC_MAX], back[XC_REC_DATA_MAX];
    size_t  wlen, blen;
    XC_CIPHER *tx = xc_cipher_create(c->suite, c->keys.c2s);
    XC_CIPHER *rx = xc_cipher_create(s->suite, s->keys.c2s);
    int     ok;

    if (c->suite->aead)
	ok = (xc_record_seal(tx, (const unsigned char *) text, 31, wire, &wlen) == XC_OK
	      && xc_record_open(rx, wire, wlen, back, &blen) == XC_OK
	      && blen == 31 && memcmp(back, text, 31) == 0);
    else
	ok = (xc_cipher_xor(tx, (const unsigned char *) text, 31, wire) == XC_OK
	      && memcmp(wire, text, 31) != 0
	      && xc_cipher_xor(rx, wire, 31, back) == XC_OK
	      && memcmp(back, text, 31) == 0);
    xc_cipher_free(tx);
    xc_cipher_free(rx);
    return (ok);
}

/* check_suite - two handshakes between the same hosts */

static void check_suite(const XC_SUITE *suite, XC_CACHE *ccache,
			        XC_CACHE *scache)
{
    XC_SESSION c1, s1, c2, s2;
    XC_HELLO hc, hs;
    char    fp[17];
    char    label[120];
    size_t  nlen = suite->nonce_len;
    size_t  plen = xc_group(suite->group)->plen;
    unsigned char zero[XC_PMAX];

#define LABEL(what) (snprintf(label, sizeof(label), "session_%s_%s", \
	suite->name, (what)), label)

    T_CHECK(LABEL("start_both"),
	    xc_session_start(&c1, ccache, suite, XC_ROLE_CLIENT) == XC_OK
	    && xc_session_start(&s1, scache, suite, XC_ROLE_SERVER) == XC_OK);
    hello_of(&c1, &hc);
    hello_of(&s1, &hs);
    T_CHECK(LABEL("finish_both"),
	    xc_session_finish(&s1, scache, &hc) == XC_OK
	    && xc_session_finish(&c1, ccache, &hs) == XC_OK);
    T_CHECK(LABEL("ends_agree_on_keys"), same_keys(&c1, &s1));
    T_CHECK(LABEL("ends_agree_on_fingerprint"),
	    is_hex16(c1.fingerprint) && strcmp(c1.fingerprint, s1.fingerprint) == 0);
    expected_fingerprint(&c1, &s1, fp);
    T_CHECKF(LABEL("fingerprint_is_sha256_ka_kb_na_nb"),
	     strcmp(c1.fingerprint, fp) == 0, "%s vs %s", c1.fingerprint, fp);
    T_CHECK(LABEL("hosts_have_own_pairs"),
	    memcmp(c1.pair.pub, s1.pair.pub, plen) != 0);
    T_CHECK(LABEL("first_handshake_is_cache_miss"),
	    c1.cache_hit == 0 && s1.cache_hit == 0);
    T_CHECK(LABEL("keys_protect_traffic"), traffic(&c1, &s1));

    T_CHECK(LABEL("second_start_both"),
	    xc_session_start(&c2, ccache, suite, XC_ROLE_CLIENT) == XC_OK
	    && xc_session_start(&s2, scache, suite, XC_ROLE_SERVER) == XC_OK);
    T_CHECK(LABEL("second_handshake_reuses_cached_pairs"),
	    memcmp(c1.pair.pub, c2.pair.pub, plen) == 0
	    && memcmp(s1.pair.pub, s2.pair.pub, plen) == 0);
    T_CHECK(LABEL("second_handshake_draws_fresh_nonces"),
	    memcmp(c1.nonce, c2.nonce, nlen) != 0
	    && memcmp(s1.nonce, s2.nonce, nlen) != 0
	    && memcmp(c2.nonce, s2.nonce, nlen) != 0);
    hello_of(&c2, &hc);
    hello_of(&s2, &hs);
    T_CHECK(LABEL("second_finish_both"),
	    xc_session_finish(&s2, scache, &hc) == XC_OK
	    && xc_session_finish(&c2, ccache, &hs) == XC_OK);
    T_CHECK(LABEL("second_handshake_same_peer_key_is_cache_hit"),
	    c2.cache_hit == 1 && s2.cache_hit == 1);
    T_CHECK(LABEL("second_handshake_ends_agree"),
	    same_keys(&c2, &s2) && strcmp(c2.fingerprint, s2.fingerprint) == 0);
    T_CHECK(LABEL("second_handshake_new_keys_and_fingerprint"),
	    memcmp(c1.keys.c2s, c2.keys.c2s, suite->key_len) != 0
	    && memcmp(c1.keys.s2c, c2.keys.s2c, suite->key_len) != 0
	    && strcmp(c1.fingerprint, c2.fingerprint) != 0);

    /*
     * Refusals.
     */
    hello_of(&c1, &hc);
    memset(hc.pub, 0, plen);
    hc.pub[plen - 1] = 1;
    T_CHECK(LABEL("finish_rejects_public_value_1"),
	    xc_session_finish(&s1, scache, &hc) == XC_ERR_KEY_RANGE);
    hello_of(&c1, &hc);
    hc.publen = plen - 1;
    T_CHECK(LABEL("finish_rejects_short_public_value"),
	    xc_session_finish(&s1, scache, &hc) == XC_ERR_SYNTAX);
    hello_of(&c1, &hc);
    hc.noncelen = nlen - 1;
    T_CHECK(LABEL("finish_rejects_wrong_nonce_length"),
	    xc_session_finish(&s1, scache, &hc) == XC_ERR_SYNTAX);
    hello_of(&c1, &hc);
    hc.suite = xc_suite(suite->id == XC_SUITE_ARRSYFOR ?
			XC_SUITE_SOBER128 : XC_SUITE_ARRSYFOR);
    T_CHECK(LABEL("finish_rejects_other_suite"),
	    xc_session_finish(&s1, scache, &hc) == XC_ERR_SUITE);

    xc_session_wipe(&c1);
    memset(zero, 0, sizeof(zero));
    T_CHECK(LABEL("wipe_zeroes_keys_and_pair"),
	    memcmp(c1.keys.c2s, zero, XC_KEY_MAX) == 0
	    && memcmp(c1.pair.priv, zero, XC_PMAX) == 0 && c1.suite == 0);
    hello_of(&s2, &hs);
    T_CHECK(LABEL("finish_after_wipe_is_out_of_sequence"),
	    xc_session_finish(&c1, ccache, &hs) == XC_ERR_STATE);
    xc_session_wipe(&s1);
    xc_session_wipe(&c2);
    xc_session_wipe(&s2);
#undef LABEL
}

int     main(int argc, char **argv)
{
    XC_CACHE *ccache, *scache;
    XC_SESSION c, s;
    XC_HELLO hc, hs;
    int     i;

    /*
     * Fresh caches per suite: arrsyfor and sober128 share a group, and
     * hence the cached pairs and Z.
     */
    for (i = 0; i < XC_SUITE_COUNT; i++) {
	ccache = xc_cache_open((char *) 0, 7200);
	scache = xc_cache_open((char *) 0, 7200);
	T_CHECK("session_memory_caches_open",
		ccache != 0 && scache != 0 && xc_cache_is_memory(ccache)
		&& xc_cache_is_memory(scache));
	check_suite(xc_suite(i), ccache, scache);
	xc_cache_close(ccache);
	xc_cache_close(scache);
    }
    ccache = xc_cache_open((char *) 0, 7200);
    scache = xc_cache_open((char *) 0, 7200);

    /*
     * Without a cache: fresh pairs, Z computed directly.
     */
    T_CHECK("session_without_cache_agrees",
	    xc_session_start(&c, (XC_CACHE *) 0, xc_suite(XC_SUITE_CHACHA),
			     XC_ROLE_CLIENT) == XC_OK
	    && xc_session_start(&s, (XC_CACHE *) 0, xc_suite(XC_SUITE_CHACHA),
				XC_ROLE_SERVER) == XC_OK
	    && (hello_of(&c, &hc), hello_of(&s, &hs),
		xc_session_finish(&s, (XC_CACHE *) 0, &hc)) == XC_OK
	    && xc_session_finish(&c, (XC_CACHE *) 0, &hs) == XC_OK
	    && same_keys(&c, &s) && c.cache_hit == 0
	    && strcmp(c.fingerprint, s.fingerprint) == 0);
    xc_session_wipe(&c);
    xc_session_wipe(&s);
    T_CHECK("session_start_rejects_bad_role",
	    xc_session_start(&c, ccache, xc_suite(0), 7) == XC_ERR_STATE);
    xc_cache_close(ccache);
    xc_cache_close(scache);
    return (T_DONE());
}
