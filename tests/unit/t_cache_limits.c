/*++
/* NAME
/*	t_cache_limits 1
/* SUMMARY
/*	key cache: corrupt creation times, the peer limit, the size bound
/* SYNOPSIS
/*	t_cache_limits
/* DESCRIPTION
/*	Regression tests of audit findings in xc_cache(3):
/* .IP \(bu
/*	a pair or peer record whose creation time is out of range
/*	(2^63, 2^40) is corrupt: the pair is replaced, the peer entry is
/*	neither listed nor used (a miss that replaces it); no time
/*	arithmetic overflows (the sanitizer build checks that);
/* .IP \(bu
/*	xcrypt-cache(1) prints no negative age for a record from the
/*	future (the clock went back);
/* .IP \(bu
/*	xc_cache_set_peer_limit(): with limit 64, 400 fresh peer values
/*	leave at most 64 peer entries, the oldest gone and the newest
/*	kept, and the file no larger than after the first 64 plus a
/*	small slack (the size bound against handshake floods);
/* .IP \(bu
/*	a rotation gives the space back: a file grown by 3000 peer entries
/*	(compaction floor lowered to 256 kB with the test hook) is, after
/*	the pair's rotation deleted them, a new file of a few kB (another
/*	inode) that passes tdb_check() and has mode 0600, holding the new
/*	pair and the counters; a process that had the old file open moves
/*	to the new one at its next use: it gets the same new pair, and the
/*	value it stores lands in the new file.
/* .PP
/*	Raw record edits open the file with tdb directly, relying on the
/*	layout of xc_cache(3). The clock is the module's test hook.
/*	The path of xcrypt-cache(1) comes from XCRYPT_CACHE_BIN, by
/*	default xcrypt-cache/xcrypt-cache (tests/run.sh runs from the top).
/*--*/

/* checks: 18 */

/* System library. */

#include <sys_defs.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tdb.h>

/* Utility library. */

#include <msg.h>
#include <msg_vstream.h>
#include <vstream.h>

/* Application-specific. */

#include <xcrypt.h>
#include "xc_private.h"
#include "t_check.h"

#define LIFETIME	3600
#define PAIR_OFF_CREATED 8
#define Z_OFF_CREATED	8
#define Z_SIZE		288
#define PEERS		400
#define LIMIT		64

static time_t t_now = 1700000000;

/* clock_fn - the test's clock */

static time_t clock_fn(void)
{
    return (t_now);
}

/* put64 - big-endian */

static void put64(unsigned char *p, unsigned long long v)
{
    int     i;

    for (i = 7; i >= 0; i--, v >>= 8)
	p[i] = v & 0xff;
}

 /*
  * Patch the creation time of every record whose key starts with prefix.
  */
typedef struct {
    const char *prefix;
    unsigned long long created;
    int     done;
} PATCH;

/* patch_one - rewrite one record's creation time */

static int patch_one(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data,
		             void *context)
{
    PATCH  *p = (PATCH *) context;
    unsigned char buf[600];

    if (key.dsize < strlen(p->prefix)
	|| memcmp(key.dptr, p->prefix, strlen(p->prefix)) != 0
	|| data.dsize > sizeof(buf) || data.dsize < 16)
	return (0);
    memcpy(buf, data.dptr, data.dsize);
    put64(buf + PAIR_OFF_CREATED, p->created);	/* same offset for Z */
    data.dptr = buf;
    if (tdb_store(tdb, key, data, TDB_REPLACE) == 0)
	p->done++;
    return (0);
}

/* patch - raw edit of a closed cache file */

static int patch(const char *path, const char *prefix, unsigned long long t)
{
    struct tdb_context *tdb;
    PATCH   p;

    if ((tdb = tdb_open(path, 0, 0, O_RDWR, 0)) == 0)
	msg_fatal("tdb_open %s: %m", path);
    p.prefix = prefix;
    p.created = t;
    p.done = 0;
    tdb_traverse(tdb, patch_one, &p);
    tdb_close(tdb);
    return (p.done);
}

 /*
  * Walk results.
  */
typedef struct {
    int     pairs;
    int     peers;
    time_t  pair_created;
    char    peer_fp[PEERS][17];
} WALK;

/* walk_fn - collect */

static void walk_fn(const XC_CACHE_ENTRY *e, void *context)
{
    WALK   *w = (WALK *) context;

    if (e->kind == XC_CACHE_KIND_PAIR) {
	w->pairs++;
	w->pair_created = e->created;
    } else if (e->kind == XC_CACHE_KIND_PEER && w->peers < PEERS) {
	memcpy(w->peer_fp[w->peers++], e->fingerprint, 17);
    }
}

/* walk - list the cache */

static void walk(XC_CACHE *c, WALK *w)
{
    memset(w, 0, sizeof(*w));
    if (xc_cache_walk(c, walk_fn, w) != XC_OK)
	msg_fatal("walk failed");
}

/* peer_value - a valid public value of the group, from a fresh pair */

static void peer_value(int group, unsigned char *pub)
{
    XC_KEYPAIR kp;

    if (xc_dh_generate(group, &kp) != XC_OK)
	msg_fatal("xc_dh_generate failed");
    memcpy(pub, kp.pub, xc_group(group)->plen);
    xc_keypair_wipe(&kp);
}

/* test_times - out-of-range creation times make records corrupt */

static void test_times(const char *dir)
{
    char    path[512];
    XC_CACHE *c;
    XC_KEYPAIR kp;
    XC_KEYPAIR kp2;
    unsigned char peer[XC_PMAX];
    unsigned char z[XC_PMAX];
    WALK    w;
    int     hit;
    int     n;
    static const unsigned long long bad[2] = {
	1ULL << 63, 1ULL << 40,
    };
    static const char *bad_names[2] = {"2p63", "2p40"};
    char    name[200];
    int     i;
    int     ok;

    for (i = 0; i < 2; i++) {
	snprintf(path, sizeof(path), "%s/times%d.tdb", dir, i);
	c = xc_cache_open(path, LIFETIME);
	if (xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp) != XC_OK)
	    msg_fatal("keypair failed");
	peer_value(XC_GROUP_OAKLEY1, peer);
	if (xc_cache_shared(c, &kp, peer, 96, z, &hit) != XC_OK)
	    msg_fatal("shared failed");
	xc_cache_close(c);
	n = patch(path, "pair:", bad[i]) + patch(path, "z:", bad[i]);
	if (n != 2)
	    msg_fatal("patched %d records", n);

	/* Listing: neither the pair nor the peer. */
	c = xc_cache_open(path, LIFETIME);
	walk(c, &w);
	snprintf(name, sizeof(name), "created_%s_records_not_listed",
		 bad_names[i]);
	T_CHECKF(name, w.pairs == 0 && w.peers == 0, "pairs=%d peers=%d",
		 w.pairs, w.peers);

	/* The pair is replaced by a new one of the current time. */
	ok = xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp2) == XC_OK
	    && memcmp(kp.pub, kp2.pub, 96) != 0 && kp2.created == t_now;
	snprintf(name, sizeof(name), "created_%s_pair_replaced", bad_names[i]);
	T_CHECK(name, ok);

	/* The peer record is not used: a miss, which stores a good one. */
	ok = xc_cache_shared(c, &kp2, peer, 96, z, &hit) == XC_OK && !hit;
	walk(c, &w);
	snprintf(name, sizeof(name), "created_%s_peer_entry_is_a_miss_and_replaced",
		 bad_names[i]);
	T_CHECKF(name, ok && w.peers == 1, "ok=%d peers=%d", ok, w.peers);
	xc_cache_close(c);
	xc_keypair_wipe(&kp);
	xc_keypair_wipe(&kp2);
    }
}

/* test_future_age - xcrypt-cache shows no negative age */

static void test_future_age(const char *dir)
{
    char    path[512];
    char    cmd[1200];
    char    line[300];
    const char *bin;
    XC_CACHE *c;
    XC_KEYPAIR kp;
    unsigned char peer[XC_PMAX];
    unsigned char z[XC_PMAX];
    FILE   *fp;
    int     hit;
    int     lines = 0;
    int     negative = 0;

    snprintf(path, sizeof(path), "%s/future.tdb", dir);
    c = xc_cache_open(path, LIFETIME);
    if (xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp) != XC_OK)
	msg_fatal("keypair failed");
    peer_value(XC_GROUP_OAKLEY1, peer);
    if (xc_cache_shared(c, &kp, peer, 96, z, &hit) != XC_OK)
	msg_fatal("shared failed");
    xc_cache_close(c);
    xc_keypair_wipe(&kp);
    /* An hour ahead of the real clock that xcrypt-cache uses. */
    patch(path, "pair:", (unsigned long long) time((time_t *) 0) + 1800);
    patch(path, "z:", (unsigned long long) time((time_t *) 0) + 1800);
    if ((bin = getenv("XCRYPT_CACHE_BIN")) == 0)
	bin = "xcrypt-cache/xcrypt-cache";
    snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bin, path);
    if ((fp = popen(cmd, "r")) == 0)
	msg_fatal("popen: %m");
    while (fgets(line, sizeof(line), fp)) {
	if (strstr(line, " age "))
	    lines++;
	if (strstr(line, " age -") || strstr(line, " in -"))
	    negative++;
    }
    pclose(fp);
    T_CHECKF("xcrypt_cache_future_records_no_negative_age",
	     lines == 2 && negative == 0, "%d age lines, %d negative",
	     lines, negative);
}

/* file_size - octets */

static long file_size(const char *path)
{
    struct stat st;

    return (stat(path, &st) == 0 ? (long) st.st_size : -1);
}

/* test_peer_limit - oldest out first, the file stays bounded */

static void test_peer_limit(const char *dir)
{
    static unsigned char peers[PEERS][96];
    char    path[512];
    XC_CACHE *c;
    XC_KEYPAIR kp;
    unsigned char z[XC_PMAX];
    WALK    w;
    long    size_at_limit = 0;
    long    size_end;
    int     hit;
    int     i;
    int     ok = 1;
    int     most = 0;

    snprintf(path, sizeof(path), "%s/limit.tdb", dir);
    c = xc_cache_open(path, LIFETIME);
    xc_cache_set_peer_limit(c, LIMIT);
    if (xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp) != XC_OK)
	msg_fatal("keypair failed");
    for (i = 0; i < PEERS; i++) {
	peer_value(XC_GROUP_OAKLEY1, peers[i]);
	t_now++;				/* one second apart */
	if (xc_cache_shared(c, &kp, peers[i], 96, z, &hit) != XC_OK || hit)
	    ok = 0;
	if (i % 16 == 15) {
	    walk(c, &w);
	    if (w.peers > most)
		most = w.peers;
	}
	if (i == LIMIT - 1)
	    size_at_limit = file_size(path);
    }
    T_CHECK("peer_limit_new_values_all_misses", ok);
    T_CHECKF("peer_limit_never_more_entries_than_limit", most <= LIMIT
	     && most >= LIMIT - LIMIT / 16, "most %d, limit %d", most, LIMIT);
    ok = xc_cache_shared(c, &kp, peers[PEERS - 1], 96, z, &hit) == XC_OK
	&& hit;
    T_CHECK("peer_limit_newest_kept", ok);
    ok = xc_cache_shared(c, &kp, peers[0], 96, z, &hit) == XC_OK && !hit;
    T_CHECK("peer_limit_oldest_removed", ok);
    size_end = file_size(path);

    /*
     * Deleted records leave free space that tdb reuses: after six times
     * the limit the file is within a quarter of its size at the limit.
     */
    T_CHECKF("peer_limit_file_size_bounded",
	     size_at_limit > 0 && size_end <= size_at_limit + size_at_limit / 4,
	     "%ld octets at the limit, %ld after %d peers", size_at_limit,
	     size_end, PEERS);
    msg_info("file size: %ld octets at %d peers, %ld after %d (limit %d)",
	     size_at_limit, LIMIT, size_end, PEERS, LIMIT);
    xc_keypair_wipe(&kp);
    xc_cache_close(c);
}

/* test_compaction - a rotation gives the file's space back */

static void test_compaction(const char *dir)
{
    char    path[512];
    XC_CACHE *c;
    XC_CACHE *cc;
    XC_KEYPAIR kp;
    XC_KEYPAIR kp2;
    XC_CACHE_STATS st;
    unsigned char peer[XC_PMAX];
    unsigned char z[XC_PMAX];
    unsigned char child_pub[96];
    struct stat sb1;
    struct stat sb2;
    struct tdb_context *tdb;
    WALK    w;
    int     go[2];
    int     back[2];
    int     hit;
    int     i;
    int     ok;
    int     status;
    pid_t   pid;
    char    ch;

    snprintf(path, sizeof(path), "%s/compact.tdb", dir);
    xc_cache_set_compact_min(256 * 1024);
    c = xc_cache_open(path, LIFETIME);
    if (xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp) != XC_OK)
	msg_fatal("keypair failed");
    for (i = 0; i < 3000; i++) {
	peer_value(XC_GROUP_OAKLEY1, peer);
	t_now++;
	if (xc_cache_shared(c, &kp, peer, 96, z, &hit) != XC_OK)
	    msg_fatal("shared failed");
    }
    if (stat(path, &sb1) < 0)
	msg_fatal("stat %s: %m", path);

    /*
     * Another process with the file open, waiting for the rotation.
     */
    if (pipe(go) < 0 || pipe(back) < 0)
	msg_fatal("pipe: %m");
    if ((pid = fork()) < 0)
	msg_fatal("fork: %m");
    if (pid == 0) {
	cc = xc_cache_open(path, LIFETIME);
	if (xc_cache_keypair(cc, XC_GROUP_OAKLEY1, &kp2) != XC_OK
	    || write(back[1], "r", 1) != 1 || read(go[0], &ch, 1) != 1)
	    _exit(1);
	t_now += LIFETIME + 10;			/* the parent's clock too */
	if (xc_cache_keypair(cc, XC_GROUP_OAKLEY1, &kp2) != XC_OK)
	    _exit(1);
	peer_value(XC_GROUP_OAKLEY1, peer);
	if (xc_cache_shared(cc, &kp2, peer, 96, z, &hit) != XC_OK
	    || write(back[1], kp2.pub, 96) != 96)
	    _exit(1);
	xc_cache_close(cc);
	_exit(0);
    }
    if (read(back[0], &ch, 1) != 1)
	msg_fatal("child failed");

    /* Rotate: every peer entry of the group goes, the file is rewritten. */
    t_now += LIFETIME + 10;
    ok = xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp2) == XC_OK
	&& memcmp(kp.pub, kp2.pub, 96) != 0;
    if (stat(path, &sb2) < 0)
	msg_fatal("stat %s: %m", path);
    T_CHECKF("rotation_compacts_the_file", ok && sb2.st_ino != sb1.st_ino
	     && sb2.st_size <= 64 * 1024 && sb2.st_size * 4 < sb1.st_size,
	     "ok=%d, %ld octets (inode %lu) before, %ld (inode %lu) after",
	     ok, (long) sb1.st_size, (unsigned long) sb1.st_ino,
	     (long) sb2.st_size, (unsigned long) sb2.st_ino);
    msg_info("file size: %ld octets with 3000 peer entries, %ld after the "
	     "rotation", (long) sb1.st_size, (long) sb2.st_size);
    T_CHECKF("compacted_file_mode_0600", (sb2.st_mode & 07777) == 0600,
	     "mode 0%o", (unsigned) (sb2.st_mode & 07777));

    /* The other process moves to the new file. */
    ok = write(go[1], "g", 1) == 1 && read(back[0], child_pub, 96) == 96
	&& waitpid(pid, &status, 0) == pid && WIFEXITED(status)
	&& WEXITSTATUS(status) == 0;
    T_CHECK("other_process_follows_to_the_new_pair",
	    ok && memcmp(child_pub, kp2.pub, 96) == 0);
    walk(c, &w);
    T_CHECKF("other_process_stores_into_the_new_file",
	     w.pairs == 1 && w.peers == 1, "pairs=%d peers=%d", w.pairs,
	     w.peers);
    xc_cache_totals(c, &st);
    T_CHECKF("compaction_keeps_the_counters", st.misses >= 3000
	     && st.rotations >= 2, "misses %lu rotations %lu", st.misses,
	     st.rotations);
    xc_cache_close(c);
    xc_keypair_wipe(&kp);
    xc_keypair_wipe(&kp2);
    ok = (tdb = tdb_open(path, 0, 0, O_RDONLY, 0)) != 0
	&& tdb_check(tdb, 0, 0) == 0;
    if (tdb)
	tdb_close(tdb);
    T_CHECK("compacted_file_passes_tdb_check", ok);
    xc_cache_set_compact_min(0);
}

int     main(int argc, char **argv)
{
    char    dir[] = "/tmp/t_cache_limits.XXXXXX";
    char    cmd[100];

    msg_vstream_init(argv[0], VSTREAM_ERR);
    xc_init();
    if (mkdtemp(dir) == 0)
	msg_fatal("mkdtemp: %m");
    xc_cache_set_clock(clock_fn);
    test_times(dir);
    test_future_age(dir);
    test_peer_limit(dir);
    test_compaction(dir);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
	msg_warn("cannot remove %s", dir);
    return (T_DONE());
}
