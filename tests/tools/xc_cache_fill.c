/*++
/* NAME
/*	xc_cache_fill 1
/* SUMMARY
/*	populate a key cache for the xcrypt-cache tests
/* SYNOPSIS
/*	xc_cache_fill [-a age] file [peers]
/* DESCRIPTION
/*	xc_cache_fill opens (creates) the key cache file through the
/*	library, fetches this host's pair for each group, and for each
/*	group generates the given number of peer public values (default
/*	3) and asks for each peer's shared value twice (a miss, then a
/*	hit).
/*
/*	With \fB-a\fR \fIage\fR the library's clock runs \fIage\fR
/*	seconds behind: the pairs (and values) it creates are that old
/*	when the call returns (the test of a cache that two instances
/*	share lets one of them find the pair expired).
/*
/*	On standard output it writes what the test needs to check that
/*	xcrypt-cache(1) shows the right entries and no secret, one item
/*	per line:
/* .IP "pair GROUP FINGERPRINT"
/*	the own public value's fingerprint (first 8 octets of SHA-256,
/*	hex).
/* .IP "peer GROUP FINGERPRINT"
/*	a peer public value's fingerprint.
/* .IP "secret HEX"
/*	a private exponent or a shared value, in hex.
/* .IP "secret64 BASE64"
/*	the same, in base64.
/* DIAGNOSTICS
/*	Exit status non-zero on any library error.
/* SEE ALSO
/*	xcrypt-cache(1), tests/xcrypt_cache.test
/*--*/

/* System library. */

#include <sys_defs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Utility library. */

#include <msg.h>
#include <msg_vstream.h>
#include <vstream.h>

/* Application-specific. */

#include <tomcrypt.h>
#include "xcrypt.h"

/* print_hex - one labelled hex line */

static void print_hex(const char *label, const char *group,
		              const unsigned char *p, size_t len)
{
    size_t  i;

    printf("%s", label);
    if (group)
	printf(" %s", group);
    printf(" ");
    for (i = 0; i < len; i++)
	printf("%02x", p[i]);
    printf("\n");
}

/* print_secret - a secret, hex and base64 */

static void print_secret(const unsigned char *p, size_t len)
{
    unsigned char b64[4 * XC_PMAX / 3 + 8];
    unsigned long b64len = sizeof(b64);

    print_hex("secret", (char *) 0, p, len);
    if (base64_encode(p, len, b64, &b64len) == CRYPT_OK)
	printf("secret64 %.*s\n", (int) b64len, (char *) b64);
}

/* print_fp - a public value's fingerprint */

static void print_fp(const char *label, const char *group,
		             const unsigned char *pub, size_t len)
{
    hash_state md;
    unsigned char out[32];

    sha256_init(&md);
    sha256_process(&md, pub, len);
    sha256_done(&md, out);
    print_hex(label, group, out, 8);
}

/* main - fill a cache */

static time_t fill_age;

/* fill_clock - the clock, fill_age seconds behind */

static time_t fill_clock(void)
{
    return (time((time_t *) 0) - fill_age);
}

int     main(int argc, char **argv)
{
    XC_CACHE *cache;
    XC_KEYPAIR pair;
    XC_KEYPAIR peer;
    unsigned char z[XC_PMAX];
    const XC_GROUP *gp;
    int     peers = 3;
    int     g, i, round, hit, ret;

    msg_vstream_init(argv[0], VSTREAM_ERR);
    if (argc > 2 && strcmp(argv[1], "-a") == 0) {
	fill_age = atol(argv[2]);
	xc_cache_set_clock(fill_clock);
	argv += 2;
	argc -= 2;
    }
    if (argc < 2 || argc > 3)
	msg_fatal("usage: %s [-a age] file [peers]", argv[0]);
    if (argc == 3)
	peers = atoi(argv[2]);
    xc_init();
    cache = xc_cache_open(argv[1], 7200);
    if (xc_cache_is_memory(cache))
	msg_fatal("%s: cache fell back to memory", argv[1]);
    for (g = 0; g < XC_GROUP_COUNT; g++) {
	gp = xc_group(g);
	if ((ret = xc_cache_keypair(cache, g, &pair)) != XC_OK)
	    msg_fatal("xc_cache_keypair %s: %s", gp->name, xc_strerror(ret));
	print_fp("pair", gp->name, pair.pub, gp->plen);
	print_secret(pair.priv, pair.privlen);
	for (i = 0; i < peers; i++) {
	    if ((ret = xc_dh_generate(g, &peer)) != XC_OK)
		msg_fatal("xc_dh_generate: %s", xc_strerror(ret));
	    print_fp("peer", gp->name, peer.pub, gp->plen);
	    for (round = 0; round < 2; round++) {
		if ((ret = xc_cache_shared(cache, &pair, peer.pub, gp->plen,
					   z, &hit)) != XC_OK)
		    msg_fatal("xc_cache_shared: %s", xc_strerror(ret));
		if (hit != round)
		    msg_fatal("round %d: hit=%d", round, hit);
	    }
	    print_secret(z, gp->plen);
	    xc_keypair_wipe(&peer);
	}
	xc_keypair_wipe(&pair);
    }
    xc_cache_close(cache);
    fflush(stdout);
    return (0);
}
