/*++
/* NAME
/*	fz_cache_record 1
/* SUMMARY
/*	libFuzzer target: decoding of key cache records
/* SYNOPSIS
/*	fz_cache_record [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	Fills an in-memory key cache (the same code as the file cache,
/*	through the xc_cache_tdb() test hook) with records from the input,
/*	then lists it, reads the counters, and, when octet 0 says so, asks
/*	for the oakley1 pair and the shared value with a fixed peer.
/*
/*	Input: octet 0 (bit 0: ask for the pair and Z; bits 4-7: the peer
/*	limit less one), then records: kind (one octet), length (two
/*	octets, big-endian), value. Kinds modulo 6: pair:oakley1,
/*	pair:modp14, the z: record of the fixed pair and peer, stats,
/*	peers, any key (one length octet and the key precede the value).
/*	The fixed pair has a known private exponent, so that seeds can
/*	hold its records.
/*
/*	Oracle (abort): every listed entry has a known kind and group, a
/*	16-digit fingerprint and a creation time in range; the pair
/*	returned is in range for its group and not expired; Z is returned
/*	for the fixed peer.
/* SEE ALSO
/*	xc_cache(3) (FILE FORMAT)
/*--*/

#include <sys_defs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tdb.h>

#include "xc_private.h"

#define LIFETIME	7200
#define NOW		1700000000

int     LLVMFuzzerInitialize(int *, char ***);
int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static XC_CACHE *fz_cache;
static XC_KEYPAIR fz_pair;		/* fixed */
static unsigned char fz_peer[96];	/* fixed, valid */

/* fz_clock - fixed time */

static time_t fz_clock(void)
{
    return (NOW);
}

/* LLVMFuzzerInitialize - a memory cache, the fixed pair and peer */

int     LLVMFuzzerInitialize(int *argc, char ***argv)
{
    unsigned char priv[96];
    XC_KEYPAIR other;
    int     i;

    xc_init();
    xc_cache_set_clock(fz_clock);
    fz_cache = xc_cache_open("", LIFETIME);
    for (i = 0; i < 96; i++)
	priv[i] = 0x31 + i;
    if (xc_dh_set_private(XC_GROUP_OAKLEY1, priv, sizeof(priv), &fz_pair) != XC_OK)
	abort();
    fz_pair.created = NOW - 10;
    for (i = 0; i < 96; i++)
	priv[i] = 0x77 ^ i;
    if (xc_dh_set_private(XC_GROUP_OAKLEY1, priv, sizeof(priv), &other) != XC_OK)
	abort();
    memcpy(fz_peer, other.pub, 96);
    xc_keypair_wipe(&other);
    return (0);
}

/* fz_walk - check each entry */

static void fz_walk(const XC_CACHE_ENTRY *e, void *context)
{
    size_t  i;

    if ((e->kind != XC_CACHE_KIND_PAIR && e->kind != XC_CACHE_KIND_PEER)
	|| xc_group(e->group) == 0 || e->created < 0
	|| e->created >= ((time_t) 1 << 40)
	|| strlen(e->fingerprint) != 16)
	abort();
    for (i = 0; i < 16; i++)
	if (strchr("0123456789abcdef", e->fingerprint[i]) == 0)
	    abort();
}

/* fz_zkey - the z: key of the fixed pair and peer, as xc_cache(3) makes it */

static size_t fz_zkey(char *buf)
{
    hash_state md;
    unsigned char id = XC_GROUP_OAKLEY1;
    unsigned char out[32];
    size_t  i;

    sha256_init(&md);
    sha256_process(&md, &id, 1);
    sha256_process(&md, fz_pair.pub, 96);
    sha256_process(&md, fz_peer, 96);
    sha256_done(&md, out);
    strcpy(buf, "z:oakley1:");
    for (i = 0; i < 32; i++)
	sprintf(buf + 10 + 2 * i, "%02x", out[i]);
    return (10 + 64);
}

/* LLVMFuzzerTestOneInput - store the records, use the cache */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tdb_context *tdb = xc_cache_tdb(fz_cache);
    static const char *names[5] = {
	"pair:oakley1", "pair:modp14", 0, "stats", "peers",
    };
    char    zkey[100];
    TDB_DATA key;
    TDB_DATA val;
    XC_KEYPAIR kp;
    XC_CACHE_STATS st;
    unsigned char z[XC_PMAX];
    size_t  pos = 1;
    size_t  len;
    size_t  klen;
    int     kind;
    int     hit;

    if (size < 1)
	return (0);
    xc_cache_set_peer_limit(fz_cache, 1 + (data[0] >> 4));
    if (tdb_wipe_all(tdb) != 0)
	abort();
    while (pos + 3 <= size) {
	kind = data[pos] % 6;
	len = data[pos + 1] << 8 | data[pos + 2];
	pos += 3;
	if (kind == 5) {
	    klen = len >> 8;
	    len &= 0xff;
	    if (klen > size - pos)
		klen = size - pos;
	    key.dptr = (unsigned char *) data + pos;
	    key.dsize = klen;
	    pos += klen;
	} else if (kind == 2) {
	    key.dptr = (unsigned char *) zkey;
	    key.dsize = fz_zkey(zkey);
	} else {
	    key.dptr = (unsigned char *) names[kind];
	    key.dsize = strlen(names[kind]);
	}
	if (len > size - pos)
	    len = size - pos;
	val.dptr = (unsigned char *) data + pos;
	val.dsize = len;
	pos += len;
	(void) tdb_store(tdb, key, val, TDB_REPLACE);
    }
    if (xc_cache_walk(fz_cache, fz_walk, (void *) 0) != XC_OK)
	abort();
    (void) xc_cache_totals(fz_cache, &st);
    if (data[0] & 1) {
	if (xc_cache_keypair(fz_cache, XC_GROUP_OAKLEY1, &kp) != XC_OK
	    || xc_dh_check_public(XC_GROUP_OAKLEY1, kp.pub, 96) != XC_OK
	    || NOW - kp.created >= LIFETIME || kp.created - NOW > LIFETIME)
	    abort();
	xc_keypair_wipe(&kp);
	if (xc_cache_shared(fz_cache, &fz_pair, fz_peer, 96, z, &hit) != XC_OK)
	    abort();
	if (xc_cache_walk(fz_cache, fz_walk, (void *) 0) != XC_OK)
	    abort();
    }
    return (0);
}
