/*++
/* NAME
/*	xc_cache 3
/* SUMMARY
/*	shared key cache on tdb
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	XC_CACHE *xc_cache_open(path, lifetime)
/*	const char *path;
/*	int	lifetime;
/*
/*	XC_CACHE *xc_cache_open_existing(path, lifetime, writable)
/*	const char *path;
/*	int	lifetime;
/*	int	writable;
/*
/*	void	xc_cache_close(cache)
/*	XC_CACHE *cache;
/*
/*	int	xc_cache_is_memory(cache)
/*	XC_CACHE *cache;
/*
/*	int	xc_cache_chown(cache, uid, gid)
/*	XC_CACHE *cache;
/*	uid_t	uid;
/*	gid_t	gid;
/*
/*	int	xc_cache_keypair(cache, group, pair)
/*	XC_CACHE *cache;
/*	int	group;
/*	XC_KEYPAIR *pair;
/*
/*	int	xc_cache_shared(cache, pair, peer, peerlen, z, hit)
/*	XC_CACHE *cache;
/*	const XC_KEYPAIR *pair;
/*	const unsigned char *peer;
/*	size_t	peerlen;
/*	unsigned char *z;
/*	int	*hit;
/*
/*	int	xc_cache_shared_find(cache, pair, peer, peerlen, z, hit)
/*	XC_CACHE *cache;
/*	const XC_KEYPAIR *pair;
/*	const unsigned char *peer;
/*	size_t	peerlen;
/*	unsigned char *z;
/*	int	*hit;
/*
/*	int	xc_cache_shared_store(cache, pair, peer, peerlen, z)
/*	XC_CACHE *cache;
/*	const XC_KEYPAIR *pair;
/*	const unsigned char *peer;
/*	size_t	peerlen;
/*	const unsigned char *z;
/*
/*	int	xc_cache_purge(cache)
/*	XC_CACHE *cache;
/*
/*	int	xc_cache_stats(cache, stats)
/*	XC_CACHE *cache;
/*	XC_CACHE_STATS *stats;
/*
/*	int	xc_cache_totals(cache, stats)
/*	XC_CACHE *cache;
/*	XC_CACHE_STATS *stats;
/*
/*	int	xc_cache_walk(cache, fn, context)
/*	XC_CACHE *cache;
/*	XC_CACHE_WALK_FN fn;
/*	void	*context;
/*
/*	void	xc_cache_set_clock(fn)
/*	time_t	(*fn)(void);
/*
/*	void	xc_cache_set_peer_limit(cache, limit)
/*	XC_CACHE *cache;
/*	int	limit;
/* DESCRIPTION
/*	This module keeps, for spec section 7, this host's DH key pair
/*	per group and the shared values Z computed with it, in one tdb
/*	file shared by every process of a Postfix instance.
/*
/*	xc_cache_open() opens or creates the file (mode 0600) with key
/*	pairs that live for lifetime seconds (7200 when lifetime <= 0).
/*	A null or empty path selects a per-process memory cache (a tdb
/*	opened with TDB_INTERNAL, so that the same code runs). Opening
/*	never fails: a file that tdb cannot open, that fails tdb_check(),
/*	or that has the wrong format is logged, moved aside to
/*	PATH.corrupt-TIME (or removed) and created again; when that is
/*	not possible either (unwritable directory, a path below a regular
/*	file, ...) the handle falls back to memory. A second open of the
/*	same file in one process shares the first one's tdb (tdb refuses
/*	to open a file twice per process); after fork() the child's first
/*	open of the file re-opens it (tdb_reopen()).
/*
/*	xc_cache_open_existing() is for xcrypt-cache(1): it opens an
/*	existing file read-only, or read-write when writable is
/*	non-zero, never creates it, never falls back, and returns a null
/*	pointer with errno set on failure (EIO for a file that is not a
/*	valid tdb, or that fails tdb_check()).
/*
/*	The daemons open the cache in their pre-init phase as root; the
/*	file must then belong to mail_owner. xc_cache_chown() fchown()s
/*	the open file to the given owner (a no-op for memory caches).
/*
/*	xc_cache_keypair() returns the current pair for the group, and
/*	replaces it when it is missing, malformed or older than the
/*	lifetime. The replacement happens in one tdb transaction that
/*	reads the pair again (another process may have replaced it
/*	meanwhile: then that one is used), generates and stores the new
/*	pair, and deletes every Z of the group: all processes that find
/*	the pair expired at the same moment end up with one new pair,
/*	and no Z computed with an old pair survives it. A tdb file never
/*	shrinks; so when, after that, the file is at least 4 MB and its
/*	records fill less than a quarter of it, the same transaction
/*	writes them into a new file that replaces the old one (rename).
/*	Every function below first checks (stat()) whether the file at
/*	the path was replaced, and then moves to the new one, so that all
/*	processes follow within one use of the cache.
/*
/*	xc_cache_shared() returns Z for the peer's public value (which
/*	must be exactly as long as the group's p) under the given pair:
/*	from the cache (*hit = 1), or computed with xc_dh_shared() and
/*	stored (*hit = 0). Entries are keyed by SHA-256 of the group, the
/*	own and the peer's public value, so entries of an old pair are
/*	unreachable even before they are deleted, and a hit is returned
/*	only when the record also names the pair's public value. A value
/*	computed with a pair that is no longer the current one is
/*	returned but not stored. It is xc_cache_shared_find() (cached,
/*	or computed without storing) followed on a miss by
/*	xc_cache_shared_store(): a server stores Z only once the peer
/*	has confirmed the handshake, so that a client that never does
/*	cannot fill the file.
/*
/*	xc_cache_purge() deletes all pairs and shared values, in one
/*	transaction, safe while daemons use the file: the next use
/*	generates new pairs. The counters are kept.
/*
/*	xc_cache_stats() reports this handle's hits, misses and
/*	rotations (key pairs generated) since it was opened;
/*	xc_cache_totals() the totals of all processes, kept in the file
/*	(updated under the tdb chain lock of the counter record, or in
/*	the transaction that stores a value, so none is lost). Only Z
/*	look-ups count as hits or misses.
/*
/*	xc_cache_walk() calls fn once for each pair and each cached
/*	peer, with the group, the creation time and a fingerprint (the
/*	first 8 octets of SHA-256 of the own or of the peer's public
/*	value, in hex); it never reveals a private value or a Z.
/*
/*	xc_cache_set_clock() replaces time() for this module (a test
/*	hook); a null pointer restores time().
/*
/*	xc_cache_tdb() (xc_private.h, a test hook for the fuzz targets)
/*	returns the tdb under a handle; xc_cache_set_compact_min() (the
/*	same) sets the size from which a file is compacted.
/*
/*	xc_cache_set_peer_limit() bounds the number of shared values
/*	(peer entries) in the file (default DEF_XC_CACHE_PEER_LIMIT,
/*	values below 1 mean 1). When storing a new one makes the count
/*	exceed the limit, the oldest entries (by creation time) are
/*	deleted, down to the limit less a sixteenth of it, in the same
/*	transaction; so a client that sends fresh public values without
/*	end cannot grow the file without end. The count is kept in the
/*	file and recounted whenever its record is missing or malformed,
/*	and after every rotation.
/* FILE FORMAT
/* .ad
/* .fi
/*	tdb keys are text; values are fixed-size binary records that
/*	start with the magic "XC", a version octet (1) and a kind octet,
/*	integers big-endian. A record of the wrong size, magic, version,
/*	kind or group, or with a creation time beyond XC_CACHE_TIME_MAX
/*	(2^40 - 1 seconds, year 36812), is treated as missing and
/*	rewritten (so that no time arithmetic can overflow).
/* .IP "pair:GROUP (528 octets)"
/*	"XC" 1 'P', group id, 0, private length (2), creation time (8),
/*	private exponent (256, left-aligned, zero-filled), public value
/*	(256, padded to the group's length, zero-filled after it).
/* .IP "z:GROUP:HEX (288 octets)"
/*	HEX: SHA-256(group id || own public || peer public) in hex.
/*	"XC" 1 'Z', group id, 0, 0, 0, creation time (8), own public
/*	fingerprint (8), peer public fingerprint (8), Z (256, padded).
/* .IP "stats (32 octets)"
/*	"XC" 1 'S', 0, 0, 0, 0, hits (8), misses (8), rotations (8).
/* .IP "peers (16 octets)"
/*	"XC" 1 'N', 0, 0, 0, 0, the number of z: records (8).
/* SECURITY
/* .ad
/* .fi
/*	The file holds private exponents and shared values: it is
/*	created with mode 0600 and a file found with group or other
/*	permissions is reset to 0600. Record buffers on the stack are
/*	zeroed after use, and so are the heap copies that tdb hands to
/*	our callbacks (traversals, and reads inside a transaction) before
/*	tdb frees them. Not reached from here: the block and recovery
/*	buffers of tdb's own transaction code (a process that writes a
/*	record may keep copies of nearby records in freed heap), and the
/*	memory of TDB_INTERNAL caches, freed without being zeroed.
/* DIAGNOSTICS
/*	Problems with the file are logged with msg_warn() and the
/*	handle carries on in memory; a write failure at run time is
/*	logged once, after which the handle keeps its values in memory.
/*	Functions return XC_OK, XC_ERR_SYNTAX (unknown group, wrong
/*	length of a public value), XC_ERR_CACHE (read-only handle,
/*	fchown() failure), or the error of xc_dh_generate() and
/*	xc_dh_shared().
/* BUGS
/*	Two processes that find the same file corrupt at the same time
/*	may each create a new one; the one that loses keeps using a file
/*	that is no longer linked until its next use of the cache.
/*	Updates that other processes make to a file while it is being
/*	compacted (counters, a shared value stored just then) are lost.
/* SEE ALSO
/*	xcrypt-cache(1), cache administration
/*	tdb(3), the trivial database
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tdb.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>

/* Application-specific. */

#include "xc_private.h"

 /*
  * Record layout (see FILE FORMAT above).
  */
#define XC_REC_MAGIC0		'X'
#define XC_REC_MAGIC1		'C'
#define XC_REC_VERSION		1
#define XC_REC_KIND_PAIR	'P'
#define XC_REC_KIND_Z		'Z'
#define XC_REC_KIND_STATS	'S'

#define XC_FP_LEN		8	/* fingerprint octets */

#define XC_PAIR_OFF_PRIVLEN	6
#define XC_PAIR_OFF_CREATED	8
#define XC_PAIR_OFF_PRIV	16
#define XC_PAIR_OFF_PUB		(XC_PAIR_OFF_PRIV + XC_PMAX)
#define XC_PAIR_SIZE		(XC_PAIR_OFF_PUB + XC_PMAX)	/* 528 */

#define XC_Z_OFF_CREATED	8
#define XC_Z_OFF_OWNFP		16
#define XC_Z_OFF_PEERFP		(XC_Z_OFF_OWNFP + XC_FP_LEN)
#define XC_Z_OFF_Z		(XC_Z_OFF_PEERFP + XC_FP_LEN)
#define XC_Z_SIZE		(XC_Z_OFF_Z + XC_PMAX)	/* 288 */

#define XC_ST_OFF_HITS		8
#define XC_ST_OFF_MISSES	16
#define XC_ST_OFF_ROTATIONS	24
#define XC_ST_SIZE		32

#define XC_PEERS_OFF_COUNT	8
#define XC_PEERS_SIZE		16
#define XC_REC_KIND_PEERS	'N'
#define XC_KEY_PEERS		"peers"

 /*
  * Creation times beyond this are corrupt: the expiry arithmetic (now -
  * created, created - now) then cannot overflow a time_t.
  */
#define XC_CACHE_TIME_MAX	((((uint64_t) 1) << 40) - 1)

#define XC_KEY_STATS		"stats"
#define XC_CACHE_KEY_MAX		100	/* "z:" name ":" 64 hex */

#define XC_CACHE_HASH_SIZE	1021

 /*
  * Compaction after a rotation: a file of at least XC_CACHE_COMPACT_MIN
  * octets that holds less than 1/XC_CACHE_COMPACT_RATIO of its size in
  * records (counting XC_CACHE_REC_OVERHEAD octets of tdb's per record) is
  * written anew. A file that transactions have touched is some 1 MB
  * whatever it holds, hence the floor. xc_cache_set_compact_min() is a
  * test hook.
  */
#define XC_CACHE_COMPACT_MIN	(4 * 1024 * 1024)
#define XC_CACHE_COMPACT_RATIO	4
#define XC_CACHE_REC_OVERHEAD	32

 /*
  * A cache: no fsync. No mmap either: a file that shrinks or cannot be
  * written under a mapping (truncated in place, made immutable, ...) would
  * kill the process with SIGBUS, and the front end with all its sessions;
  * with read() and write() tdb reports an I/O error and the process goes
  * on with an in-memory cache (t_cache: shrunk_file_under_process_*;
  * tests/soak.sh, faults cache_truncate and cache_unwritable).
  */
#define XC_CACHE_TDB_FLAGS	(TDB_NOSYNC | TDB_NOMMAP)
#define XC_CACHE_DEF_LIFETIME	7200

#define XC_FETCH_NONE		0	/* no such record */
#define XC_FETCH_OK		1
#define XC_FETCH_BAD		2	/* wrong size */

 /*
  * One open file, shared by all handles of this process.
  */
typedef struct XC_CACHE_FILE {
    struct tdb_context *tdb;
    dev_t   dev;
    ino_t   ino;
    pid_t   pid;			/* opener, see fork() */
    int     refs;
    struct XC_CACHE_FILE *next;
} XC_CACHE_FILE;

static XC_CACHE_FILE *xc_cache_files;
static off_t xc_cache_compact_min = XC_CACHE_COMPACT_MIN;

struct XC_CACHE {
    struct tdb_context *tdb;		/* the file's, or TDB_INTERNAL */
    XC_CACHE_FILE *file;		/* shared file, or null */
    char   *path;			/* for diagnostics */
    int     lifetime;
    int     memory;			/* TDB_INTERNAL */
    int     readonly;			/* xc_cache_open_existing() */
    int     peer_limit;			/* most z: records */
    int     in_tx;			/* in a tdb transaction (file) */
    XC_CACHE_STATS stats;		/* this handle */
};

static time_t (*xc_cache_clock) (void);

 /*
  * The last message that tdb logged, for our warnings.
  */
static char xc_cache_tdb_why[256];

/* xc_cache_tdb_log - remember what tdb complains about */

static void PRINTFLIKE(3, 4) xc_cache_tdb_log(struct tdb_context *tdb,
					              enum tdb_debug_level level,
					              const char *fmt,...)
{
    va_list ap;
    size_t  len;

    va_start(ap, fmt);
    vsnprintf(xc_cache_tdb_why, sizeof(xc_cache_tdb_why), fmt, ap);
    va_end(ap);
    len = strlen(xc_cache_tdb_why);
    while (len > 0 && (xc_cache_tdb_why[len - 1] == '\n'
		       || xc_cache_tdb_why[len - 1] == ' '))
	xc_cache_tdb_why[--len] = 0;
    if (msg_verbose)
	msg_info("tdb: %s", xc_cache_tdb_why);
}

static const struct tdb_logging_context xc_cache_tdb_log_ctx = {
    xc_cache_tdb_log, 0,
};

/* xc_cache_set_clock - test hook */

void    xc_cache_set_clock(time_t (*fn) (void))
{
    xc_cache_clock = fn;
}

/* xc_cache_now - the time, or the test's */

static time_t xc_cache_now(void)
{
    return (xc_cache_clock ? xc_cache_clock() : time((time_t *) 0));
}

/* xc_put16 - big-endian 16-bit integer */

static void xc_put16(unsigned char *p, unsigned v)
{
    p[0] = (v >> 8) & 0xff;
    p[1] = v & 0xff;
}

/* xc_get16 - big-endian 16-bit integer */

static unsigned xc_get16(const unsigned char *p)
{
    return ((unsigned) p[0] << 8 | p[1]);
}

/* xc_put64 - big-endian 64-bit integer */

static void xc_put64(unsigned char *p, uint64_t v)
{
    int     i;

    for (i = 7; i >= 0; i--, v >>= 8)
	p[i] = v & 0xff;
}

/* xc_get64 - big-endian 64-bit integer */

static uint64_t xc_get64(const unsigned char *p)
{
    uint64_t v = 0;
    int     i;

    for (i = 0; i < 8; i++)
	v = v << 8 | p[i];
    return (v);
}

/* xc_cache_fp - first octets of SHA-256 of a public value */

static void xc_cache_fp(const unsigned char *pub, size_t len,
			        unsigned char *fp)
{
    hash_state md;
    unsigned char out[32];

    sha256_init(&md);
    sha256_process(&md, pub, len);
    sha256_done(&md, out);
    memcpy(fp, out, XC_FP_LEN);
}

/* xc_cache_fp_hex - the same, as text */

static void xc_cache_fp_hex(const unsigned char *fp, char *hex)
{
    xc_hex(fp, XC_FP_LEN, hex);
}

/* xc_cache_key_pair - key of a group's pair */

static TDB_DATA xc_cache_key_pair(char *buf, const XC_GROUP *gp)
{
    TDB_DATA key;

    snprintf(buf, XC_CACHE_KEY_MAX, "pair:%s", gp->name);
    key.dptr = (unsigned char *) buf;
    key.dsize = strlen(buf);
    return (key);
}

/* xc_cache_key_z - key of the Z for own and peer public value */

static TDB_DATA xc_cache_key_z(char *buf, const XC_GROUP *gp,
			               const unsigned char *own,
			               const unsigned char *peer)
{
    hash_state md;
    unsigned char id = gp->id;
    unsigned char out[32];
    TDB_DATA key;
    size_t  len;

    sha256_init(&md);
    sha256_process(&md, &id, 1);
    sha256_process(&md, own, gp->plen);
    sha256_process(&md, peer, gp->plen);
    sha256_done(&md, out);
    len = snprintf(buf, XC_CACHE_KEY_MAX, "z:%s:", gp->name);
    xc_hex(out, sizeof(out), buf + len);
    key.dptr = (unsigned char *) buf;
    key.dsize = strlen(buf);
    return (key);
}

/* xc_cache_key_is - does a tdb key start with text */

static int xc_cache_key_is(TDB_DATA key, const char *prefix)
{
    size_t  len = strlen(prefix);

    return (key.dsize >= len && memcmp(key.dptr, prefix, len) == 0);
}

/* xc_cache_rec_ok - common record header check */

static int xc_cache_rec_ok(const unsigned char *rec, int kind)
{
    return (rec[0] == XC_REC_MAGIC0 && rec[1] == XC_REC_MAGIC1
	    && rec[2] == XC_REC_VERSION && rec[3] == kind);
}

/* xc_cache_zero_tail - are the octets after a value zero */

static int xc_cache_zero_tail(const unsigned char *p, size_t from, size_t to)
{
    unsigned char acc = 0;

    for (; from < to; from++)
	acc |= p[from];
    return (acc == 0);
}

/* xc_cache_pair_encode - pair record */

static void xc_cache_pair_encode(const XC_KEYPAIR *kp, unsigned char *rec)
{
    const XC_GROUP *gp = xc_group(kp->group);

    memset(rec, 0, XC_PAIR_SIZE);
    rec[0] = XC_REC_MAGIC0;
    rec[1] = XC_REC_MAGIC1;
    rec[2] = XC_REC_VERSION;
    rec[3] = XC_REC_KIND_PAIR;
    rec[4] = kp->group;
    xc_put16(rec + XC_PAIR_OFF_PRIVLEN, kp->privlen);
    xc_put64(rec + XC_PAIR_OFF_CREATED, (uint64_t) kp->created);
    memcpy(rec + XC_PAIR_OFF_PRIV, kp->priv, kp->privlen);
    memcpy(rec + XC_PAIR_OFF_PUB, kp->pub, gp->plen);
}

/* xc_cache_pair_decode - validate a pair record, optionally unpack */

static int xc_cache_pair_decode(const unsigned char *rec, const XC_GROUP *gp,
				        XC_KEYPAIR *kp)
{
    size_t  privlen;

    if (!xc_cache_rec_ok(rec, XC_REC_KIND_PAIR) || rec[4] != gp->id
	|| rec[5] != 0)
	return (0);
    privlen = xc_get16(rec + XC_PAIR_OFF_PRIVLEN);
    if (xc_get64(rec + XC_PAIR_OFF_CREATED) > XC_CACHE_TIME_MAX)
	return (0);
    if (privlen == 0 || privlen > gp->plen
	|| !xc_cache_zero_tail(rec + XC_PAIR_OFF_PRIV, privlen, XC_PMAX)
	|| !xc_cache_zero_tail(rec + XC_PAIR_OFF_PUB, gp->plen, XC_PMAX)
	|| xc_cache_zero_tail(rec + XC_PAIR_OFF_PUB, 0, gp->plen))
	return (0);
    if (kp != 0) {
	memset(kp, 0, sizeof(*kp));
	kp->group = gp->id;
	kp->privlen = privlen;
	memcpy(kp->priv, rec + XC_PAIR_OFF_PRIV, privlen);
	memcpy(kp->pub, rec + XC_PAIR_OFF_PUB, gp->plen);
	kp->created = (time_t) xc_get64(rec + XC_PAIR_OFF_CREATED);
    }
    return (1);
}

/* xc_cache_z_decode - validate a Z record */

static int xc_cache_z_decode(const unsigned char *rec, const XC_GROUP *gp)
{
    return (xc_cache_rec_ok(rec, XC_REC_KIND_Z) && rec[4] == gp->id
	    && xc_cache_zero_tail(rec, 5, 8)
	    && xc_get64(rec + XC_Z_OFF_CREATED) <= XC_CACHE_TIME_MAX
	    && xc_cache_zero_tail(rec + XC_Z_OFF_Z, gp->plen, XC_PMAX));
}

typedef struct {
    unsigned char *buf;
    size_t  want;
    int     wipe;			/* data is tdb's heap copy */
} XC_CACHE_FETCH;

/* xc_cache_parser - copy a record of the expected size */

static int xc_cache_parser(TDB_DATA key, TDB_DATA data, void *context)
{
    XC_CACHE_FETCH *f = (XC_CACHE_FETCH *) context;

    int     ret = XC_FETCH_BAD;

    if (data.dsize == f->want) {
	memcpy(f->buf, data.dptr, f->want);
	ret = XC_FETCH_OK;
    }
    if (f->wipe)
	zeromem(data.dptr, data.dsize);
    return (ret);
}

/* xc_cache_fetch - read a record into a fixed buffer */

static int xc_cache_fetch(XC_CACHE *cp, TDB_DATA key, unsigned char *buf,
			          size_t want)
{
    XC_CACHE_FETCH f;
    int     ret;

    f.buf = buf;
    f.want = want;

    /*
     * A file is opened without mmap (XC_CACHE_TDB_FLAGS), and inside a
     * transaction tdb reads through the transaction anyway: either way it
     * reads the record into a heap copy that it frees without zeroing.
     * Wipe it, it may hold a private exponent or a shared value. Only a
     * memory cache (TDB_INTERNAL) hands the parser a pointer into the
     * database itself: never write there. (The sanitizer build found the
     * copies: ASan's allocator keeps freed memory in quarantine, where
     * glibc's soon reuses it.)
     */
    f.wipe = cp->in_tx
	|| (!cp->memory && (XC_CACHE_TDB_FLAGS & TDB_NOMMAP) != 0);
    ret = tdb_parse_record(cp->tdb, key, xc_cache_parser, &f);
    if (ret != XC_FETCH_OK && ret != XC_FETCH_BAD) {
	if (tdb_error(cp->tdb) != TDB_ERR_NOEXIST)
	    msg_warn("%s: read error: %s", cp->path, tdb_errorstr(cp->tdb));
	return (XC_FETCH_NONE);
    }
    return (ret);
}

/* xc_cache_store - write a record */

static int xc_cache_store(XC_CACHE *cp, TDB_DATA key, unsigned char *rec,
			          size_t len)
{
    TDB_DATA val;

    val.dptr = rec;
    val.dsize = len;
    return (tdb_store(cp->tdb, key, val, TDB_REPLACE));
}

/* xc_cache_memory_tdb - a fresh in-memory database */

static struct tdb_context *xc_cache_memory_tdb(void)
{
    struct tdb_context *tdb;

    if ((tdb = tdb_open_ex("xcrypt-memory-cache", 31, TDB_INTERNAL,
			   O_RDWR | O_CREAT, 0600,
			   &xc_cache_tdb_log_ctx, 0)) == 0)
	msg_fatal("cannot create in-memory key cache: %m");
    return (tdb);
}

/* xc_cache_file_release - drop one reference to an open file */

static void xc_cache_file_release(XC_CACHE_FILE *fp)
{
    XC_CACHE_FILE **pp;

    if (--fp->refs > 0)
	return;
    for (pp = &xc_cache_files; *pp; pp = &(*pp)->next) {
	if (*pp == fp) {
	    *pp = fp->next;
	    break;
	}
    }
    tdb_close(fp->tdb);
    myfree((void *) fp);
}

/* xc_cache_degrade - after a write failure, carry on in memory */

static void xc_cache_degrade(XC_CACHE *cp, const char *what)
{
    struct tdb_context *mem;
    unsigned char rec[XC_PAIR_SIZE];
    char    kbuf[XC_CACHE_KEY_MAX];
    TDB_DATA key;
    TDB_DATA val;
    int     g;

    if (cp->memory)
	return;
    msg_warn("%s: %s failed: %s; this process continues with an "
	     "in-memory key cache", cp->path, what, tdb_errorstr(cp->tdb));

    /*
     * Keep using the current pairs, if they can still be read, so that
     * the values cached from now on belong to them.
     */
    mem = xc_cache_memory_tdb();
    for (g = 0; g < XC_GROUP_COUNT; g++) {
	key = xc_cache_key_pair(kbuf, xc_group(g));
	if (xc_cache_fetch(cp, key, rec, sizeof(rec)) == XC_FETCH_OK
	    && xc_cache_pair_decode(rec, xc_group(g), (XC_KEYPAIR *) 0)) {
	    val.dptr = rec;
	    val.dsize = sizeof(rec);
	    (void) tdb_store(mem, key, val, TDB_REPLACE);
	}
	zeromem(rec, sizeof(rec));
    }
    if (cp->file)
	xc_cache_file_release(cp->file);
    else
	tdb_close(cp->tdb);
    cp->file = 0;
    cp->memory = 1;
    cp->tdb = mem;
}

/* xc_cache_tx_begin - start a transaction (files only) */

static int xc_cache_tx_begin(XC_CACHE *cp)
{
    if (cp->memory)
	return (0);
    if (tdb_transaction_start(cp->tdb) != 0)
	return (-1);
    cp->in_tx = 1;
    return (0);
}

/* xc_cache_tx_commit - commit (files only) */

static int xc_cache_tx_commit(XC_CACHE *cp)
{
    int     ret;

    if (cp->memory)
	return (0);
    ret = tdb_transaction_commit(cp->tdb);
    if (ret == 0)
	cp->in_tx = 0;
    return (ret);
}

/* xc_cache_tx_cancel - cancel (files only) */

static void xc_cache_tx_cancel(XC_CACHE *cp)
{
    if (!cp->memory)
	(void) tdb_transaction_cancel(cp->tdb);
    cp->in_tx = 0;
}

/* xc_cache_count_locked - add to the persistent counters */

static int xc_cache_count_locked(XC_CACHE *cp, int offset)
{
    unsigned char rec[XC_ST_SIZE];
    TDB_DATA key;

    key.dptr = (unsigned char *) XC_KEY_STATS;
    key.dsize = strlen(XC_KEY_STATS);
    if (xc_cache_fetch(cp, key, rec, sizeof(rec)) != XC_FETCH_OK
	|| !xc_cache_rec_ok(rec, XC_REC_KIND_STATS)) {
	memset(rec, 0, sizeof(rec));
	rec[0] = XC_REC_MAGIC0;
	rec[1] = XC_REC_MAGIC1;
	rec[2] = XC_REC_VERSION;
	rec[3] = XC_REC_KIND_STATS;
    }
    xc_put64(rec + offset, xc_get64(rec + offset) + 1);
    return (xc_cache_store(cp, key, rec, sizeof(rec)));
}

/* xc_cache_count - count one event outside a transaction */

static void xc_cache_count(XC_CACHE *cp, int offset)
{
    TDB_DATA key;
    int     ret;

    key.dptr = (unsigned char *) XC_KEY_STATS;
    key.dsize = strlen(XC_KEY_STATS);
    if (cp->memory) {
	(void) xc_cache_count_locked(cp, offset);
	return;
    }
    if (tdb_chainlock(cp->tdb, key) != 0) {
	xc_cache_degrade(cp, "counter lock");
	(void) xc_cache_count_locked(cp, offset);
	return;
    }
    ret = xc_cache_count_locked(cp, offset);
    (void) tdb_chainunlock(cp->tdb, key);
    if (ret != 0) {
	xc_cache_degrade(cp, "counter update");
	(void) xc_cache_count_locked(cp, offset);
    }
}

/* xc_cache_env_errno - open failed because of the environment, not the file */

static int xc_cache_env_errno(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOENT:
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case EBUSY:				/* tdb: already open in this process */
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case ENOSPC:
    case EAGAIN:
    case EINTR:
    case ENOLCK:
    case EDEADLK:
	return (1);
    default:
	return (0);
    }
}

/* xc_cache_open_file - open, check, and if need be recreate the file */

static struct tdb_context *xc_cache_open_file(const char *path)
{
    struct tdb_context *tdb;
    struct stat st;
    struct stat st2;
    char    why[300];
    char   *aside;
    int     oflags;
    int     attempt;

    for (attempt = 0; /* see below */ ; attempt++) {

	/*
	 * A missing or empty file is created (tdb initializes an empty one
	 * under its open lock, also when another process created it a moment
	 * ago). An existing file is opened without O_CREAT, because tdb
	 * would silently overwrite one whose header it does not recognize.
	 */
	if (stat(path, &st) < 0) {
	    if (errno != ENOENT) {
		msg_warn("cannot access key cache %s: %m; "
			 "using an in-memory key cache", path);
		return (0);
	    }
	    oflags = O_RDWR | O_CREAT;
	} else if (!S_ISREG(st.st_mode)) {
	    msg_warn("key cache %s is not a regular file; "
		     "using an in-memory key cache", path);
	    return (0);
	} else {
	    oflags = (st.st_size == 0 ? O_RDWR | O_CREAT : O_RDWR);
	}
	xc_cache_tdb_why[0] = 0;
	tdb = tdb_open_ex(path, XC_CACHE_HASH_SIZE, XC_CACHE_TDB_FLAGS,
			  oflags, 0600, &xc_cache_tdb_log_ctx, 0);
	if (tdb != 0) {
	    if (tdb_check(tdb, 0, 0) == 0)
		break;
	    snprintf(why, sizeof(why), "tdb_check failed%s%s",
		     xc_cache_tdb_why[0] ? ": " : "", xc_cache_tdb_why);
	    tdb_close(tdb);
	} else if (xc_cache_env_errno(errno)) {
	    msg_warn("cannot open key cache %s: %m; "
		     "using an in-memory key cache", path);
	    return (0);
	} else {
	    snprintf(why, sizeof(why), "not a valid tdb file%s%s",
		     xc_cache_tdb_why[0] ? ": " : "", xc_cache_tdb_why);
	}
	if (attempt > 0) {
	    msg_warn("key cache %s: %s, even after re-creating it; "
		     "using an in-memory key cache", path, why);
	    return (0);
	}

	/*
	 * Move the bad file aside, unless another process already replaced
	 * it: then just try again.
	 */
	msg_warn("key cache %s is corrupt (%s); re-creating it", path, why);
	if (stat(path, &st2) == 0 && st2.st_dev == st.st_dev
	    && st2.st_ino == st.st_ino) {
	    aside = mymalloc(strlen(path) + 40);
	    sprintf(aside, "%s.corrupt-%ld", path, (long) time((time_t *) 0));
	    if (rename(path, aside) == 0) {
		msg_warn("key cache %s: kept the corrupt file as %s",
			 path, aside);
	    } else if (unlink(path) < 0 && errno != ENOENT) {
		msg_warn("cannot remove corrupt key cache %s: %m; "
			 "using an in-memory key cache", path);
		myfree(aside);
		return (0);
	    }
	    myfree(aside);
	}
    }

    /*
     * The file holds secrets.
     */
    if (fstat(tdb_fd(tdb), &st) == 0 && (st.st_mode & 077) != 0) {
	msg_warn("key cache %s had mode 0%o; setting 0600",
		 path, (unsigned) (st.st_mode & 07777));
	if (fchmod(tdb_fd(tdb), 0600) < 0)
	    msg_warn("fchmod %s: %m", path);
    }
    return (tdb);
}

/* xc_cache_alloc - a handle */

static XC_CACHE *xc_cache_alloc(const char *path, int lifetime)
{
    XC_CACHE *cp = (XC_CACHE *) mymalloc(sizeof(*cp));

    memset(cp, 0, sizeof(*cp));
    cp->path = mystrdup(path && *path ? path : "(memory)");
    cp->lifetime = (lifetime > 0 ? lifetime : XC_CACHE_DEF_LIFETIME);
    cp->peer_limit = DEF_XC_CACHE_PEER_LIMIT;
    return (cp);
}

/* xc_cache_file_get - this process's open file for the path, or a new one */

static XC_CACHE_FILE *xc_cache_file_get(const char *path)
{
    XC_CACHE_FILE *fp;
    struct tdb_context *tdb;
    struct stat st;

    /*
     * tdb refuses to open one file twice in a process: share it.
     */
    if (stat(path, &st) == 0) {
	for (fp = xc_cache_files; fp; fp = fp->next) {
	    if (fp->dev != st.st_dev || fp->ino != st.st_ino)
		continue;
	    if (fp->pid != getpid()) {
		if (tdb_reopen(fp->tdb) != 0) {
		    /* tdb_reopen() closed it: never match it again. */
		    msg_warn("cannot re-open key cache %s after fork: %s; "
			     "using an in-memory key cache", path,
			     xc_cache_tdb_why);
		    fp->dev = 0;
		    fp->ino = 0;
		    return (0);
		}
		fp->pid = getpid();
	    }
	    fp->refs++;
	    return (fp);
	}
    }
    if ((tdb = xc_cache_open_file(path)) == 0)
	return (0);
    fp = (XC_CACHE_FILE *) mymalloc(sizeof(*fp));
    fp->tdb = tdb;
    if (fstat(tdb_fd(tdb), &st) == 0) {
	fp->dev = st.st_dev;
	fp->ino = st.st_ino;
    } else {
	fp->dev = 0;
	fp->ino = 0;
    }
    fp->pid = getpid();
    fp->refs = 1;
    fp->next = xc_cache_files;
    xc_cache_files = fp;
    return (fp);
}

/* xc_cache_follow - use the file now at the path, if another replaced it */

static void xc_cache_follow(XC_CACHE *cp)
{
    XC_CACHE_FILE *fp;
    struct stat st;

    /*
     * A rotation that compacts the file (xc_cache_compact()) puts a new
     * file in place of the old one: every process moves to it at its next
     * use of the cache. A path that is gone or not a regular file changes
     * nothing here.
     */
    if (cp->file == 0 || cp->memory || stat(cp->path, &st) < 0
	|| !S_ISREG(st.st_mode)
	|| (st.st_dev == cp->file->dev && st.st_ino == cp->file->ino))
	return;
    if ((fp = xc_cache_file_get(cp->path)) == 0)
	return;
    if (msg_verbose)
	msg_info("%s: the file was replaced; using the new one", cp->path);
    xc_cache_file_release(cp->file);
    cp->file = fp;
    cp->tdb = fp->tdb;
}

/* xc_cache_open - open or create the cache, or fall back to memory */

XC_CACHE *xc_cache_open(const char *path, int lifetime)
{
    XC_CACHE *cp;
    XC_CACHE_FILE *fp;

    xc_init();
    cp = xc_cache_alloc(path, lifetime);
    if (path == 0 || *path == 0) {
	cp->memory = 1;
	cp->tdb = xc_cache_memory_tdb();
	return (cp);
    }

    if ((fp = xc_cache_file_get(path)) == 0) {
	cp->memory = 1;
	cp->tdb = xc_cache_memory_tdb();
	return (cp);
    }
    cp->file = fp;
    cp->tdb = fp->tdb;
    return (cp);
}

/* xc_cache_open_existing - open for administration, no fallback */

XC_CACHE *xc_cache_open_existing(const char *path, int lifetime, int writable)
{
    XC_CACHE *cp;
    struct tdb_context *tdb;
    struct stat st;

    xc_init();
    if (path == 0 || *path == 0) {
	errno = EINVAL;
	return (0);
    }
    if (stat(path, &st) < 0)
	return (0);
    if (S_ISDIR(st.st_mode)) {
	errno = EISDIR;
	return (0);
    }
    xc_cache_tdb_why[0] = 0;
    if ((tdb = tdb_open_ex(path, 0, XC_CACHE_TDB_FLAGS,
			   writable ? O_RDWR : O_RDONLY, 0,
			   &xc_cache_tdb_log_ctx, 0)) == 0) {
	if (errno == EINVAL || errno == ENOSYS || errno == 0)
	    errno = EIO;
	return (0);
    }
    if (tdb_check(tdb, 0, 0) != 0) {
	tdb_close(tdb);
	errno = EIO;
	return (0);
    }
    cp = xc_cache_alloc(path, lifetime);
    cp->tdb = tdb;
    cp->readonly = !writable;
    return (cp);
}

/* xc_cache_close - release a handle */

void    xc_cache_close(XC_CACHE *cp)
{
    if (cp->file)
	xc_cache_file_release(cp->file);
    else
	tdb_close(cp->tdb);
    myfree(cp->path);
    zeromem(cp, sizeof(*cp));
    myfree((void *) cp);
}

/* xc_cache_set_compact_min - test hook: the compaction floor */

void    xc_cache_set_compact_min(off_t size)
{
    xc_cache_compact_min = (size > 0 ? size : XC_CACHE_COMPACT_MIN);
}

/* xc_cache_tdb - test hook: the handle's database */

struct tdb_context *xc_cache_tdb(XC_CACHE *cp)
{
    return (cp->tdb);
}

/* xc_cache_is_memory - in-memory only? */

int     xc_cache_is_memory(XC_CACHE *cp)
{
    return (cp->memory);
}

/* xc_cache_chown - hand the file to the mail owner */

int     xc_cache_chown(XC_CACHE *cp, uid_t uid, gid_t gid)
{
    if (cp->memory)
	return (XC_OK);
    if (fchown(tdb_fd(cp->tdb), uid, gid) < 0) {
	msg_warn("fchown %s to %ld:%ld: %m", cp->path, (long) uid, (long) gid);
	return (XC_ERR_CACHE);
    }
    return (XC_OK);
}

/* xc_cache_open_owned - daemon pre-init: open as root, hand to mail_owner */

XC_CACHE *xc_cache_open_owned(const char *path, int lifetime,
			              uid_t uid, gid_t gid)
{
    XC_CACHE *cp = xc_cache_open(path, lifetime);

    (void) xc_cache_chown(cp, uid, gid);
    return (cp);
}

/* xc_cache_expired - is a pair too old (or from the future) */

static int xc_cache_expired(XC_CACHE *cp, const XC_KEYPAIR *kp, time_t now)
{
    return (now - kp->created >= cp->lifetime
	    || kp->created - now > cp->lifetime);
}

/* xc_cache_load_pair - read and validate a group's pair */

static int xc_cache_load_pair(XC_CACHE *cp, const XC_GROUP *gp,
			              XC_KEYPAIR *kp)
{
    unsigned char rec[XC_PAIR_SIZE];
    char    kbuf[XC_CACHE_KEY_MAX];
    int     ret;

    ret = xc_cache_fetch(cp, xc_cache_key_pair(kbuf, gp), rec, sizeof(rec));
    if (ret == XC_FETCH_OK && !xc_cache_pair_decode(rec, gp, kp))
	ret = XC_FETCH_BAD;
    zeromem(rec, sizeof(rec));
    if (ret != XC_FETCH_OK)
	xc_keypair_wipe(kp);
    return (ret);
}

typedef struct {
    const char *prefix;			/* null: all but the counters */
    TDB_DATA *keys;
    size_t  count;
    size_t  size;
} XC_CACHE_DOOMED;

/* xc_cache_doom - collect keys to delete */

static int xc_cache_doom(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data,
			         void *context)
{
    XC_CACHE_DOOMED *d = (XC_CACHE_DOOMED *) context;

    /* A traversal hands out tdb's heap copy, freed without zeroing. */
    zeromem(data.dptr, data.dsize);
    if (d->prefix ? !xc_cache_key_is(key, d->prefix) :
	(key.dsize == strlen(XC_KEY_STATS)
	 && memcmp(key.dptr, XC_KEY_STATS, key.dsize) == 0))
	return (0);
    if (d->count == d->size) {
	if (d->size == 0) {
	    d->size = 16;
	    d->keys = (TDB_DATA *) mymalloc(d->size * sizeof(*d->keys));
	} else {
	    d->size *= 2;
	    d->keys = (TDB_DATA *) myrealloc((void *) d->keys,
					     d->size * sizeof(*d->keys));
	}
    }
    d->keys[d->count].dptr = (unsigned char *) mymemdup(key.dptr, key.dsize);
    d->keys[d->count].dsize = key.dsize;
    d->count++;
    return (0);
}

/* xc_cache_delete - delete every Z of a group, or all but the counters */

static int xc_cache_delete(XC_CACHE *cp, const char *prefix)
{
    XC_CACHE_DOOMED d;
    size_t  i;
    int     ret = 0;

    d.prefix = prefix;
    d.keys = 0;
    d.count = d.size = 0;
    if (tdb_traverse(cp->tdb, xc_cache_doom, &d) < 0)
	ret = -1;
    for (i = 0; i < d.count; i++) {
	if (ret == 0 && tdb_delete(cp->tdb, d.keys[i]) != 0
	    && tdb_error(cp->tdb) != TDB_ERR_NOEXIST)
	    ret = -1;
	myfree((void *) d.keys[i].dptr);
    }
    if (d.keys)
	myfree((void *) d.keys);
    return (ret);
}

typedef struct {
    uint64_t created;
    TDB_DATA key;
} XC_CACHE_AGE;

typedef struct {
    XC_CACHE_AGE *list;
    size_t  count;
    size_t  size;
} XC_CACHE_AGES;

/* xc_cache_age_one - collect a z: key with its creation time */

static int xc_cache_age_one(struct tdb_context *tdb, TDB_DATA key,
			            TDB_DATA data, void *context)
{
    XC_CACHE_AGES *a = (XC_CACHE_AGES *) context;
    uint64_t created = 0;

    if (!xc_cache_key_is(key, "z:")) {
	/* A traversal hands out tdb's heap copy, freed without zeroing. */
	zeromem(data.dptr, data.dsize);
	return (0);
    }

    /*
     * A malformed record counts as the oldest: it goes first.
     */
    if (data.dsize == XC_Z_SIZE
	&& (created = xc_get64(data.dptr + XC_Z_OFF_CREATED)) > XC_CACHE_TIME_MAX)
	created = 0;
    zeromem(data.dptr, data.dsize);
    if (a->count == a->size) {
	if (a->size == 0) {
	    a->size = 64;
	    a->list = (XC_CACHE_AGE *) mymalloc(a->size * sizeof(*a->list));
	} else {
	    a->size *= 2;
	    a->list = (XC_CACHE_AGE *) myrealloc((void *) a->list,
						 a->size * sizeof(*a->list));
	}
    }
    a->list[a->count].created = created;
    a->list[a->count].key.dptr = (unsigned char *) mymemdup(key.dptr, key.dsize);
    a->list[a->count].key.dsize = key.dsize;
    a->count++;
    return (0);
}

/* xc_cache_age_cmp - oldest first */

static int xc_cache_age_cmp(const void *a, const void *b)
{
    uint64_t ta = ((const XC_CACHE_AGE *) a)->created;
    uint64_t tb = ((const XC_CACHE_AGE *) b)->created;

    return (ta < tb ? -1 : ta > tb ? 1 : 0);
}

/* xc_cache_peers_store - write the peer count */

static int xc_cache_peers_store(XC_CACHE *cp, uint64_t count)
{
    unsigned char rec[XC_PEERS_SIZE];
    TDB_DATA key;

    memset(rec, 0, sizeof(rec));
    rec[0] = XC_REC_MAGIC0;
    rec[1] = XC_REC_MAGIC1;
    rec[2] = XC_REC_VERSION;
    rec[3] = XC_REC_KIND_PEERS;
    xc_put64(rec + XC_PEERS_OFF_COUNT, count);
    key.dptr = (unsigned char *) XC_KEY_PEERS;
    key.dsize = strlen(XC_KEY_PEERS);
    return (xc_cache_store(cp, key, rec, sizeof(rec)));
}

/* xc_cache_peers_trim - count the peer entries, drop the oldest beyond */

static int xc_cache_peers_trim(XC_CACHE *cp)
{
    XC_CACHE_AGES a;
    size_t  limit = cp->peer_limit;
    size_t  keep = limit - limit / 16;
    size_t  i;
    int     ret = 0;

    /*
     * When over the limit, go down to a sixteenth below it, so that the
     * next inserts need no walk over the whole file.
     */
    a.list = 0;
    a.count = a.size = 0;
    if (tdb_traverse(cp->tdb, xc_cache_age_one, &a) < 0)
	ret = -1;
    if (ret == 0 && a.count > limit) {
	qsort((void *) a.list, a.count, sizeof(*a.list), xc_cache_age_cmp);
	if (msg_verbose)
	    msg_info("%s: %lu peer entries, limit %lu: removing the %lu oldest",
		     cp->path, (unsigned long) a.count, (unsigned long) limit,
		     (unsigned long) (a.count - keep));
	for (i = 0; ret == 0 && i < a.count - keep; i++)
	    if (tdb_delete(cp->tdb, a.list[i].key) != 0
		&& tdb_error(cp->tdb) != TDB_ERR_NOEXIST)
		ret = -1;
    }
    if (ret == 0)
	ret = xc_cache_peers_store(cp, a.count > limit ? keep : a.count);
    for (i = 0; i < a.count; i++)
	myfree((void *) a.list[i].key.dptr);
    if (a.list)
	myfree((void *) a.list);
    return (ret);
}

/* xc_cache_peers_added - count one new peer entry, keep the limit */

static int xc_cache_peers_added(XC_CACHE *cp)
{
    unsigned char rec[XC_PEERS_SIZE];
    TDB_DATA key;
    uint64_t count;

    key.dptr = (unsigned char *) XC_KEY_PEERS;
    key.dsize = strlen(XC_KEY_PEERS);
    if (xc_cache_fetch(cp, key, rec, sizeof(rec)) == XC_FETCH_OK
	&& xc_cache_rec_ok(rec, XC_REC_KIND_PEERS)
	&& xc_cache_zero_tail(rec, 4, XC_PEERS_OFF_COUNT)
	&& (count = xc_get64(rec + XC_PEERS_OFF_COUNT)) < (uint64_t) cp->peer_limit)
	return (xc_cache_peers_store(cp, count + 1));

    /*
     * At the limit, or no count we can trust: count, and trim.
     */
    return (xc_cache_peers_trim(cp));
}

/* xc_cache_set_peer_limit - most peer entries in the file */

void    xc_cache_set_peer_limit(XC_CACHE *cp, int limit)
{
    cp->peer_limit = (limit > 0 ? limit : 1);
}

/* xc_cache_rotate_write - store a new pair, forget the group's Zs */

static int xc_cache_rotate_write(XC_CACHE *cp, const XC_GROUP *gp,
				         const XC_KEYPAIR *kp)
{
    unsigned char rec[XC_PAIR_SIZE];
    char    kbuf[XC_CACHE_KEY_MAX];
    char    prefix[XC_CACHE_KEY_MAX];
    int     ret;

    xc_cache_pair_encode(kp, rec);
    ret = xc_cache_store(cp, xc_cache_key_pair(kbuf, gp), rec, sizeof(rec));
    zeromem(rec, sizeof(rec));
    snprintf(prefix, sizeof(prefix), "z:%s:", gp->name);
    if (ret == 0)
	ret = xc_cache_delete(cp, prefix);
    if (ret == 0)
	ret = xc_cache_peers_trim(cp);
    if (ret == 0)
	ret = xc_cache_count_locked(cp, XC_ST_OFF_ROTATIONS);
    return (ret);
}

typedef struct {
    struct tdb_context *dest;
    size_t  live;			/* octets of the records */
    int     error;
} XC_CACHE_COPY;

/* xc_cache_copy_one - copy one record into the new file */

static int xc_cache_copy_one(struct tdb_context *tdb, TDB_DATA key,
			             TDB_DATA data, void *context)
{
    XC_CACHE_COPY *c = (XC_CACHE_COPY *) context;

    int     ret = 0;

    if (c->dest != 0 && tdb_store(c->dest, key, data, TDB_INSERT) != 0) {
	c->error = 1;
	ret = -1;
    }
    c->live += key.dsize + data.dsize + XC_CACHE_REC_OVERHEAD;
    /* A traversal hands out tdb's heap copy, freed without zeroing. */
    zeromem(data.dptr, data.dsize);
    return (ret);
}

/* xc_cache_compact - after a rotation, rewrite an oversized file */

static void xc_cache_compact(XC_CACHE *cp)
{
    XC_CACHE_COPY c;
    struct stat st;
    char   *tmp;
    int     fd;

    /*
     * A tdb file never shrinks: space that deleted records leave is only
     * reused. After a rotation has deleted a group's shared values, a file
     * much larger than what it holds is written anew next to the old one,
     * and renamed over it. This runs inside the rotation's transaction,
     * so no other process changes the old file meanwhile (but counters,
     * updated under a record lock only, may lose a few counts); every
     * process moves to the new file at its next use (xc_cache_follow()).
     */
    if (cp->memory || cp->file == 0 || fstat(tdb_fd(cp->tdb), &st) < 0
	|| st.st_size < xc_cache_compact_min)
	return;
    c.dest = 0;
    c.live = 0;
    c.error = 0;
    if (tdb_traverse_read(cp->tdb, xc_cache_copy_one, &c) < 0
	|| (off_t) c.live * XC_CACHE_COMPACT_RATIO > st.st_size)
	return;
    tmp = mymalloc(strlen(cp->path) + 40);
    sprintf(tmp, "%s.new-%ld", cp->path, (long) getpid());
    (void) unlink(tmp);
    if ((c.dest = tdb_open_ex(tmp, XC_CACHE_HASH_SIZE, XC_CACHE_TDB_FLAGS,
			      O_RDWR | O_CREAT | O_EXCL, 0600,
			      &xc_cache_tdb_log_ctx, 0)) == 0) {
	msg_warn("%s: cannot create %s to compact the key cache: %m",
		 cp->path, tmp);
	myfree(tmp);
	return;
    }
    c.live = 0;
    fd = tdb_fd(c.dest);
    if (tdb_traverse_read(cp->tdb, xc_cache_copy_one, &c) < 0 || c.error
	|| (fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
	|| fchmod(fd, 0600) < 0) {
	msg_warn("%s: cannot compact the key cache: %s", cp->path,
		 tdb_errorstr(c.dest));
	tdb_close(c.dest);
	(void) unlink(tmp);
	myfree(tmp);
	return;
    }
    if (tdb_close(c.dest) != 0 || rename(tmp, cp->path) < 0) {
	msg_warn("%s: cannot compact the key cache: %m", cp->path);
	(void) unlink(tmp);
	myfree(tmp);
	return;
    }
    msg_info("%s: key cache compacted from %ld to about %ld octets",
	     cp->path, (long) st.st_size, (long) c.live);
    myfree(tmp);
}

/* xc_cache_keypair - this host's current pair for the group */

int     xc_cache_keypair(XC_CACHE *cp, int group, XC_KEYPAIR *kp)
{
    const XC_GROUP *gp = xc_group(group);
    time_t  now = xc_cache_now();
    int     ret;

    if (gp == 0)
	return (XC_ERR_SYNTAX);
    if (cp->readonly)
	return (XC_ERR_CACHE);
    xc_cache_follow(cp);

    /*
     * Fast path: a valid, current pair, without locks beyond tdb's own
     * chain lock for the read.
     */
    if (xc_cache_load_pair(cp, gp, kp) == XC_FETCH_OK
	&& !xc_cache_expired(cp, kp, now))
	return (XC_OK);

    /*
     * Slow path, in a transaction: look again (another process may have
     * rotated the pair while we waited for the lock), then generate.
     * Generation takes a millisecond or two; other writers wait.
     */
    if (xc_cache_tx_begin(cp) != 0)
	xc_cache_degrade(cp, "transaction start");
    ret = xc_cache_load_pair(cp, gp, kp);
    if (ret == XC_FETCH_OK && !xc_cache_expired(cp, kp, now)) {
	xc_cache_tx_cancel(cp);
	return (XC_OK);
    }
    if (ret == XC_FETCH_BAD)
	msg_warn("%s: malformed key pair record for %s; replacing it",
		 cp->path, gp->name);
    if ((ret = xc_dh_generate(group, kp)) != XC_OK) {
	xc_cache_tx_cancel(cp);
	return (ret);
    }
    kp->created = now;
    cp->stats.rotations++;
    if (msg_verbose)
	msg_info("%s: new %s key pair", cp->path, gp->name);
    if (xc_cache_rotate_write(cp, gp, kp) != 0) {
	xc_cache_tx_cancel(cp);
	xc_cache_degrade(cp, "key pair update");
	(void) xc_cache_rotate_write(cp, gp, kp);
	return (XC_OK);
    }
    xc_cache_compact(cp);
    if (xc_cache_tx_commit(cp) != 0) {
	xc_cache_tx_cancel(cp);
	xc_cache_degrade(cp, "key pair update");
	(void) xc_cache_rotate_write(cp, gp, kp);
	return (XC_OK);
    }
    xc_cache_follow(cp);
    return (XC_OK);
}

/* xc_cache_z_write - store Z if the pair is still current; count a miss */

static int xc_cache_z_write(XC_CACHE *cp, const XC_GROUP *gp,
			            const XC_KEYPAIR *kp, TDB_DATA key,
			            unsigned char *rec)
{
    XC_KEYPAIR cur;
    int     current;
    int     existed;
    int     ret = 0;

    current = (xc_cache_load_pair(cp, gp, &cur) == XC_FETCH_OK
	       && memcmp(cur.pub, kp->pub, gp->plen) == 0);
    xc_keypair_wipe(&cur);
    if (current) {
	existed = tdb_exists(cp->tdb, key);
	ret = xc_cache_store(cp, key, rec, XC_Z_SIZE);
	if (ret == 0 && !existed)
	    ret = xc_cache_peers_added(cp);
    } else if (msg_verbose)
	msg_info("%s: %s pair was replaced; not caching", cp->path, gp->name);
    if (ret == 0)
	ret = xc_cache_count_locked(cp, XC_ST_OFF_MISSES);
    return (ret);
}

/* xc_cache_shared_find - Z for a peer: cached, or computed and not stored */

int     xc_cache_shared_find(XC_CACHE *cp, const XC_KEYPAIR *kp,
			             const unsigned char *peer, size_t peerlen,
			             unsigned char *z, int *hit)
{
    const XC_GROUP *gp = xc_group(kp->group);
    unsigned char rec[XC_Z_SIZE];
    unsigned char ownfp[XC_FP_LEN];
    char    kbuf[XC_CACHE_KEY_MAX];
    TDB_DATA key;
    int     ret;

    *hit = 0;
    if (gp == 0 || peerlen != gp->plen)
	return (XC_ERR_SYNTAX);
    if (cp->readonly)
	return (XC_ERR_CACHE);
    xc_cache_follow(cp);
    key = xc_cache_key_z(kbuf, gp, kp->pub, peer);
    xc_cache_fp(kp->pub, gp->plen, ownfp);

    /*
     * Hit: a well-formed record of this group made with this pair.
     */
    ret = xc_cache_fetch(cp, key, rec, sizeof(rec));
    if (ret == XC_FETCH_OK && xc_cache_z_decode(rec, gp)
	&& memcmp(rec + XC_Z_OFF_OWNFP, ownfp, XC_FP_LEN) == 0) {
	memcpy(z, rec + XC_Z_OFF_Z, gp->plen);
	zeromem(rec, sizeof(rec));
	*hit = 1;
	cp->stats.hits++;
	xc_cache_count(cp, XC_ST_OFF_HITS);
	return (XC_OK);
    }
    zeromem(rec, sizeof(rec));
    if (ret != XC_FETCH_NONE)
	msg_warn("%s: malformed shared value record for %s; replacing it",
		 cp->path, gp->name);

    /*
     * Miss: compute.
     */
    if ((ret = xc_dh_shared(kp, peer, peerlen, z)) != XC_OK)
	return (ret);
    cp->stats.misses++;
    return (XC_OK);
}

/* xc_cache_shared_store - remember Z, unless the pair was replaced */

int     xc_cache_shared_store(XC_CACHE *cp, const XC_KEYPAIR *kp,
			              const unsigned char *peer, size_t peerlen,
			              const unsigned char *z)
{
    const XC_GROUP *gp = xc_group(kp->group);
    unsigned char rec[XC_Z_SIZE];
    char    kbuf[XC_CACHE_KEY_MAX];
    TDB_DATA key;

    if (gp == 0 || peerlen != gp->plen)
	return (XC_ERR_SYNTAX);
    if (cp->readonly)
	return (XC_ERR_CACHE);
    xc_cache_follow(cp);
    key = xc_cache_key_z(kbuf, gp, kp->pub, peer);
    memset(rec, 0, sizeof(rec));
    rec[0] = XC_REC_MAGIC0;
    rec[1] = XC_REC_MAGIC1;
    rec[2] = XC_REC_VERSION;
    rec[3] = XC_REC_KIND_Z;
    rec[4] = gp->id;
    xc_put64(rec + XC_Z_OFF_CREATED, (uint64_t) xc_cache_now());
    xc_cache_fp(kp->pub, gp->plen, rec + XC_Z_OFF_OWNFP);
    xc_cache_fp(peer, gp->plen, rec + XC_Z_OFF_PEERFP);
    memcpy(rec + XC_Z_OFF_Z, z, gp->plen);
    if (xc_cache_tx_begin(cp) != 0)
	xc_cache_degrade(cp, "transaction start");
    if (xc_cache_z_write(cp, gp, kp, key, rec) != 0
	|| xc_cache_tx_commit(cp) != 0) {
	xc_cache_tx_cancel(cp);
	xc_cache_degrade(cp, "shared value update");
	(void) xc_cache_z_write(cp, gp, kp, key, rec);
    }
    zeromem(rec, sizeof(rec));
    return (XC_OK);
}

/* xc_cache_shared - Z for a peer, cached or computed and stored */

int     xc_cache_shared(XC_CACHE *cp, const XC_KEYPAIR *kp,
			        const unsigned char *peer, size_t peerlen,
			        unsigned char *z, int *hit)
{
    int     ret;

    if ((ret = xc_cache_shared_find(cp, kp, peer, peerlen, z, hit)) == XC_OK
	&& *hit == 0)
	ret = xc_cache_shared_store(cp, kp, peer, peerlen, z);
    return (ret);
}

/* xc_cache_purge - forget all pairs and shared values */

int     xc_cache_purge(XC_CACHE *cp)
{
    if (cp->readonly)
	return (XC_ERR_CACHE);
    xc_cache_follow(cp);
    if (xc_cache_tx_begin(cp) != 0) {
	msg_warn("%s: cannot start transaction: %s",
		 cp->path, tdb_errorstr(cp->tdb));
	return (XC_ERR_CACHE);
    }
    if (xc_cache_delete(cp, (char *) 0) != 0 || xc_cache_tx_commit(cp) != 0) {
	msg_warn("%s: purge failed: %s", cp->path, tdb_errorstr(cp->tdb));
	xc_cache_tx_cancel(cp);
	return (XC_ERR_CACHE);
    }
    return (XC_OK);
}

/* xc_cache_stats - this handle's counters */

int     xc_cache_stats(XC_CACHE *cp, XC_CACHE_STATS *st)
{
    *st = cp->stats;
    return (XC_OK);
}

/* xc_cache_totals - all processes' counters */

int     xc_cache_totals(XC_CACHE *cp, XC_CACHE_STATS *st)
{
    unsigned char rec[XC_ST_SIZE];
    TDB_DATA key;

    memset(st, 0, sizeof(*st));
    xc_cache_follow(cp);
    key.dptr = (unsigned char *) XC_KEY_STATS;
    key.dsize = strlen(XC_KEY_STATS);
    if (xc_cache_fetch(cp, key, rec, sizeof(rec)) == XC_FETCH_OK
	&& xc_cache_rec_ok(rec, XC_REC_KIND_STATS)) {
	st->hits = xc_get64(rec + XC_ST_OFF_HITS);
	st->misses = xc_get64(rec + XC_ST_OFF_MISSES);
	st->rotations = xc_get64(rec + XC_ST_OFF_ROTATIONS);
    }
    return (XC_OK);
}

typedef struct {
    XC_CACHE_WALK_FN fn;
    void   *context;
} XC_CACHE_WALKER;

/* xc_cache_walk_one - report one record, no secrets */

static int xc_cache_walk_one(struct tdb_context *tdb, TDB_DATA key,
			             TDB_DATA data, void *context)
{
    XC_CACHE_WALKER *w = (XC_CACHE_WALKER *) context;
    XC_CACHE_ENTRY entry;
    const XC_GROUP *gp;
    const unsigned char *rec = data.dptr;
    unsigned char fp[XC_FP_LEN];

    if (data.dsize < 5 || (gp = xc_group(rec[4])) == 0)
	return (0);
    memset(&entry, 0, sizeof(entry));
    entry.group = gp->id;
    if (data.dsize == XC_PAIR_SIZE && xc_cache_key_is(key, "pair:")
	&& xc_cache_pair_decode(rec, gp, (XC_KEYPAIR *) 0)) {
	entry.kind = XC_CACHE_KIND_PAIR;
	entry.created = (time_t) xc_get64(rec + XC_PAIR_OFF_CREATED);
	xc_cache_fp(rec + XC_PAIR_OFF_PUB, gp->plen, fp);
	xc_cache_fp_hex(fp, entry.fingerprint);
    } else if (data.dsize == XC_Z_SIZE && xc_cache_key_is(key, "z:")
	       && xc_cache_z_decode(rec, gp)) {
	entry.kind = XC_CACHE_KIND_PEER;
	entry.created = (time_t) xc_get64(rec + XC_Z_OFF_CREATED);
	xc_cache_fp_hex(rec + XC_Z_OFF_PEERFP, entry.fingerprint);
    } else {
	zeromem(data.dptr, data.dsize);
	return (0);
    }
    /* A traversal hands out tdb's heap copy, freed without zeroing. */
    zeromem(data.dptr, data.dsize);
    w->fn(&entry, w->context);
    return (0);
}

/* xc_cache_walk - list pairs and peers */

int     xc_cache_walk(XC_CACHE *cp, XC_CACHE_WALK_FN fn, void *context)
{
    XC_CACHE_WALKER w;

    w.fn = fn;
    w.context = context;
    xc_cache_follow(cp);
    if (tdb_traverse_read(cp->tdb, xc_cache_walk_one, &w) < 0) {
	msg_warn("%s: cannot read: %s", cp->path, tdb_errorstr(cp->tdb));
	return (XC_ERR_CACHE);
    }
    return (XC_OK);
}
