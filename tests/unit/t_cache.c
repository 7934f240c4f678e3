/*++
/* NAME
/*	t_cache 1
/* SUMMARY
/*	key cache: rotation, sharing, corruption, concurrency
/* SYNOPSIS
/*	t_cache
/* DESCRIPTION
/*	Unit tests of xc_cache(3), in a scratch directory below /tmp,
/*	with the module's clock replaced by a counter in shared memory
/*	(xc_cache_set_clock()), so that expiry needs no sleeping and
/*	forked children agree on the time:
/* .IP \(bu
/*	memory-only caches for a null and an empty path;
/* .IP \(bu
/*	a file cache: mode 0600 whatever the umask, one pair shared by
/*	two handles of one process and by another process, hits and
/*	misses per handle and in the file, Z equal to xc_dh_shared(),
/*	bad peer values, the walk (fingerprints, no secrets), chown;
/* .IP \(bu
/*	expiry: the pair is replaced exactly at the lifetime, every Z
/*	of the old pair of that group is deleted (the other group's
/*	are kept), a caller still holding the old pair gets Z but it is
/*	not stored, a pair from the future is replaced;
/* .IP \(bu
/*	purge: nothing left, counters kept, new pairs afterwards;
/* .IP \(bu
/*	fork: a child's open of a file its parent has open;
/* .IP \(bu
/*	eight processes hammering one file with look-ups, inserts and
/*	rotations, then all of them asking for the pairs at one expired
/*	moment: one new pair per group for all, tdb_check() clean, every
/*	Z belongs to the current pair, no counter update lost;
/* .IP \(bu
/*	the checked-in fixtures (random octets, a truncated cache that
/*	tdb cannot open, a truncated tdb that opens but fails tdb_check(),
/*	a valid tdb with malformed records): a warning naming the file,
/*	the bad file kept aside, a working file cache afterwards;
/* .IP \(bu
/*	unusable paths (below a regular file, a directory, /proc): a
/*	warning and a working memory cache;
/* .IP \(bu
/*	a write failure at run time (the file descriptor replaced by a
/*	read-only one): one warning, correct values, then memory.
/* .PP
/*	Raw checks of the file open it with tdb directly (after closing
/*	the cache, since tdb refuses a second open in one process) and
/*	rely on the record layout documented in xc_cache(3).
/*--*/

/* checks: 79 */

/* System library. */

#include <sys_defs.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tdb.h>

/* Utility library. */

#include <msg.h>
#include <msg_output.h>
#include <msg_vstream.h>
#include <vstream.h>

/* libtomcrypt. */

#include <tomcrypt.h>

/* Application-specific. */

#include <xcrypt.h>
#include "t_check.h"

 /*
  * Record layout, from xc_cache(3).
  */
#define PAIR_SIZE	528
#define PAIR_OFF_PUB	272
#define Z_SIZE		288
#define Z_OFF_OWNFP	16

#define NCHILD		8
#define HAMMER_OPS	60
#define HAMMER_PEERS	6
#define LIFETIME	100

 /*
  * Shared with forked children.
  */
typedef struct {
    volatile long now;			/* the fake clock */
    char    fp[NCHILD][XC_GROUP_COUNT][17];
    int     errors[NCHILD];
    int     ok[NCHILD];
    int     warnings;
    int     memory_after;
    int     hit_after;
    int     same_pair_after;
} SHM;

static SHM *shm;
static char dir[64];
static int warnings;
static char last_warning[1024];

/* fake_now - the test clock */

static time_t fake_now(void)
{
    return ((time_t) __atomic_load_n(&shm->now, __ATOMIC_SEQ_CST));
}

/* advance - move the clock */

static void advance(long delta)
{
    __atomic_add_fetch(&shm->now, delta, __ATOMIC_SEQ_CST);
}

/* capture - remember warnings */

static void capture(int level, const char *text)
{
    if (level == MSG_WARN) {
	warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s", text);
    }
}

/* fp_hex - fingerprint of a public value */

static void fp_hex(const unsigned char *pub, size_t len, char *out)
{
    hash_state md;
    unsigned char h[32];
    int     i;

    sha256_init(&md);
    sha256_process(&md, pub, len);
    sha256_done(&md, h);
    for (i = 0; i < 8; i++)
	sprintf(out + 2 * i, "%02x", h[i]);
}

/* pair_fp - fingerprint of a pair's public value */

static void pair_fp(const XC_KEYPAIR *kp, char *out)
{
    fp_hex(kp->pub, xc_group(kp->group)->plen, out);
}

/* path_in - a name in the scratch directory */

static const char *path_in(const char *name)
{
    static char buf[4][256];
    static int n;

    n = (n + 1) % 4;
    snprintf(buf[n], sizeof(buf[n]), "%s/%s", dir, name);
    return (buf[n]);
}

 /*
  * Raw view of a cache file.
  */
typedef struct {
    int     opened;
    int     check_ok;
    int     pairs;			/* well-formed pair records */
    char    pair_fp[XC_GROUP_COUNT][17];
    int     z[XC_GROUP_COUNT];		/* Z records */
    int     foreign[XC_GROUP_COUNT];	/* Z records of another pair */
} SCAN;

/* scan_one - one record of the raw view */

static int scan_one(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data,
		            void *context)
{
    SCAN   *s = (SCAN *) context;
    int     g;

    for (g = 0; g < XC_GROUP_COUNT; g++) {
	const XC_GROUP *gp = xc_group(g);
	char    kp[40];
	char    kz[40];
	char    fp[17];

	snprintf(kp, sizeof(kp), "pair:%s", gp->name);
	snprintf(kz, sizeof(kz), "z:%s:", gp->name);
	if (key.dsize == strlen(kp) && memcmp(key.dptr, kp, key.dsize) == 0
	    && data.dsize == PAIR_SIZE && data.dptr[2] == 1) {
	    s->pairs++;
	    fp_hex(data.dptr + PAIR_OFF_PUB, gp->plen, s->pair_fp[g]);
	} else if (key.dsize > strlen(kz)
		   && memcmp(key.dptr, kz, strlen(kz)) == 0
		   && data.dsize == Z_SIZE) {
	    s->z[g]++;
	    for (int i = 0; i < 8; i++)
		sprintf(fp + 2 * i, "%02x", data.dptr[Z_OFF_OWNFP + i]);
	    /* Compared after the walk, when pair_fp is known. */
	    if (s->pair_fp[g][0] == 0)
		continue;
	    if (strcmp(fp, s->pair_fp[g]) != 0)
		s->foreign[g]++;
	}
    }
    return (0);
}

/* scan - open a cache file with tdb itself and look at every record */

static void scan(const char *path, SCAN *s)
{
    struct tdb_context *tdb;
    TDB_DATA key;
    TDB_DATA data;
    int     g;

    memset(s, 0, sizeof(*s));
    if ((tdb = tdb_open(path, 0, 0, O_RDONLY, 0)) == 0)
	return;
    s->opened = 1;
    s->check_ok = (tdb_check(tdb, 0, 0) == 0);

    /*
     * Pairs first, so that every Z can be compared with its group's pair.
     */
    for (g = 0; g < XC_GROUP_COUNT; g++) {
	char    kp[40];

	snprintf(kp, sizeof(kp), "pair:%s", xc_group(g)->name);
	key.dptr = (unsigned char *) kp;
	key.dsize = strlen(kp);
	data = tdb_fetch(tdb, key);
	if (data.dptr) {
	    if (data.dsize == PAIR_SIZE && data.dptr[2] == 1)
		fp_hex(data.dptr + PAIR_OFF_PUB, xc_group(g)->plen,
		       s->pair_fp[g]);
	    free(data.dptr);
	}
    }
    for (g = 0; g < XC_GROUP_COUNT; g++)
	if (s->pair_fp[g][0] == 0)
	    strcpy(s->pair_fp[g], "none");
    tdb_traverse_read(tdb, scan_one, s);
    tdb_close(tdb);
}

 /*
  * Walk results.
  */
typedef struct {
    int     pairs;
    int     peers;
    int     fp_ok;			/* pair fingerprints as expected */
    const char *want[XC_GROUP_COUNT];
    int     peer_fp_found;
    const char *want_peer;
} WALK;

/* walk_fn - count walk entries, compare fingerprints */

static void walk_fn(const XC_CACHE_ENTRY *e, void *context)
{
    WALK   *w = (WALK *) context;

    if (e->kind == XC_CACHE_KIND_PAIR) {
	w->pairs++;
	if (w->want[e->group] == 0 || strcmp(w->want[e->group], e->fingerprint))
	    w->fp_ok = 0;
    } else if (e->kind == XC_CACHE_KIND_PEER) {
	w->peers++;
	if (w->want_peer && strcmp(w->want_peer, e->fingerprint) == 0)
	    w->peer_fp_found = 1;
    }
}

/* shared_ok - Z from the cache equals a direct computation */

static int shared_ok(XC_CACHE *c, const XC_KEYPAIR *kp, const XC_KEYPAIR *peer,
		             int *hit)
{
    unsigned char z1[XC_PMAX];
    unsigned char z2[XC_PMAX];
    size_t  plen = xc_group(kp->group)->plen;

    if (xc_cache_shared(c, kp, peer->pub, plen, z1, hit) != XC_OK)
	return (0);
    if (xc_dh_shared(kp, peer->pub, plen, z2) != XC_OK)
	return (0);
    return (memcmp(z1, z2, plen) == 0);
}

/* test_memory - null and empty path */

static void test_memory(void)
{
    const char *paths[2] = {0, ""};
    const char *names[2] = {"memory_cache_for_null_path",
    "memory_cache_for_empty_path"};
    XC_CACHE *c;
    XC_CACHE *c2;
    XC_KEYPAIR a, b, peer, other;
    XC_CACHE_STATS st;
    char    fa[17], fb[17];
    int     i, hit1 = -1, hit2 = -1, ok;

    xc_dh_generate(XC_GROUP_OAKLEY1, &peer);
    for (i = 0; i < 2; i++) {
	warnings = 0;
	c = xc_cache_open(paths[i], LIFETIME);
	T_CHECK(names[i], xc_cache_is_memory(c) && warnings == 0);
	ok = (xc_cache_keypair(c, XC_GROUP_OAKLEY1, &a) == XC_OK
	      && xc_cache_keypair(c, XC_GROUP_OAKLEY1, &b) == XC_OK);
	pair_fp(&a, fa);
	pair_fp(&b, fb);
	T_CHECK(i ? "memory_cache_empty_path_keeps_pair"
		: "memory_cache_null_path_keeps_pair",
		ok && strcmp(fa, fb) == 0 && a.privlen == b.privlen
		&& memcmp(a.priv, b.priv, a.privlen) == 0);
	ok = shared_ok(c, &a, &peer, &hit1) && shared_ok(c, &a, &peer, &hit2);
	T_CHECKF(i ? "memory_cache_empty_path_miss_then_hit"
		 : "memory_cache_null_path_miss_then_hit",
		 ok && hit1 == 0 && hit2 == 1, "ok=%d hit1=%d hit2=%d",
		 ok, hit1, hit2);
	xc_cache_stats(c, &st);
	T_CHECKF(i ? "memory_cache_empty_path_counts"
		 : "memory_cache_null_path_counts",
		 st.hits == 1 && st.misses == 1 && st.rotations == 1,
		 "hits %lu misses %lu rotations %lu",
		 st.hits, st.misses, st.rotations);
	T_CHECK(i ? "memory_cache_chown_is_noop" : "memory_cache_chown_ok",
		xc_cache_chown(c, 65534, 65534) == XC_OK);

	/*
	 * Memory caches are private: another handle has its own pair.
	 */
	c2 = xc_cache_open(paths[i], LIFETIME);
	xc_cache_keypair(c2, XC_GROUP_OAKLEY1, &other);
	pair_fp(&other, fb);
	T_CHECK(i ? "memory_cache_empty_path_is_per_handle"
		: "memory_cache_null_path_is_per_handle",
		strcmp(fa, fb) != 0);
	xc_cache_close(c2);
	xc_cache_close(c);
    }
}

/* test_file - a file cache, shared within and across processes */

static void test_file(void)
{
    const char *path = path_in("basic.tdb");
    XC_CACHE *c, *c2;
    XC_KEYPAIR a[XC_GROUP_COUNT], b, peer, bad;
    XC_CACHE_STATS st, tot;
    struct stat sb;
    mode_t  old_umask;
    char    fa[XC_GROUP_COUNT][17], fb[17], fpeer[17];
    unsigned char z[XC_PMAX];
    int     g, ok, hit1 = -1, hit2 = -1, hit3 = -1, status;
    pid_t   pid;
    WALK    w;

    old_umask = umask(0);
    warnings = 0;
    c = xc_cache_open(path, LIFETIME);
    umask(old_umask);
    T_CHECK("file_cache_opens_without_warning",
	    !xc_cache_is_memory(c) && warnings == 0);
    T_CHECKF("file_cache_created_mode_0600_despite_umask_0",
	     stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0600,
	     "mode 0%o", (unsigned) (sb.st_mode & 07777));

    ok = 1;
    for (g = 0; g < XC_GROUP_COUNT; g++) {
	ok &= (xc_cache_keypair(c, g, &a[g]) == XC_OK);
	pair_fp(&a[g], fa[g]);
	ok &= (a[g].created == fake_now() && a[g].group == g);
    }
    T_CHECK("file_cache_creates_pair_per_group", ok);
    ok = (xc_cache_keypair(c, XC_GROUP_MODP14, &b) == XC_OK);
    pair_fp(&b, fb);
    T_CHECK("file_cache_returns_same_pair_within_lifetime",
	    ok && strcmp(fb, fa[XC_GROUP_MODP14]) == 0
	    && memcmp(b.priv, a[XC_GROUP_MODP14].priv, b.privlen) == 0);

    /*
     * A second handle in this process shares the file.
     */
    warnings = 0;
    c2 = xc_cache_open(path, LIFETIME);
    ok = (xc_cache_keypair(c2, XC_GROUP_MODP14, &b) == XC_OK);
    pair_fp(&b, fb);
    T_CHECK("two_handles_in_one_process_see_same_pair",
	    ok && !xc_cache_is_memory(c2) && warnings == 0
	    && strcmp(fb, fa[XC_GROUP_MODP14]) == 0);

    /*
     * Hits and misses, per handle and in the file.
     */
    xc_dh_generate(XC_GROUP_MODP14, &peer);
    fp_hex(peer.pub, 256, fpeer);
    ok = shared_ok(c, &a[XC_GROUP_MODP14], &peer, &hit1)
	&& shared_ok(c, &a[XC_GROUP_MODP14], &peer, &hit2)
	&& shared_ok(c2, &a[XC_GROUP_MODP14], &peer, &hit3);
    T_CHECKF("shared_value_miss_then_hit_in_both_handles",
	     ok && hit1 == 0 && hit2 == 1 && hit3 == 1,
	     "ok=%d hits %d %d %d", ok, hit1, hit2, hit3);
    xc_cache_stats(c, &st);
    T_CHECKF("per_handle_counters",
	     st.hits == 1 && st.misses == 1 && st.rotations == 2,
	     "hits %lu misses %lu rotations %lu",
	     st.hits, st.misses, st.rotations);
    xc_cache_totals(c2, &tot);
    T_CHECKF("persistent_counters_sum_all_handles",
	     tot.hits == 2 && tot.misses == 1 && tot.rotations == 2,
	     "hits %lu misses %lu rotations %lu",
	     tot.hits, tot.misses, tot.rotations);

    /*
     * Bad peer values: wrong length, out of range. Neither is cached.
     */
    T_CHECK("shared_rejects_wrong_length_peer",
	    xc_cache_shared(c, &a[XC_GROUP_MODP14], peer.pub, 255, z, &hit1)
	    == XC_ERR_SYNTAX);
    memset(&bad, 0, sizeof(bad));
    bad.pub[255] = 1;
    T_CHECK("shared_rejects_peer_value_one",
	    xc_cache_shared(c, &a[XC_GROUP_MODP14], bad.pub, 256, z, &hit1)
	    == XC_ERR_KEY_RANGE);
    T_CHECK("shared_rejects_unknown_group",
	    (bad.group = 7, xc_cache_shared(c, &bad, peer.pub, 256, z, &hit1))
	    == XC_ERR_SYNTAX && xc_cache_keypair(c, 7, &b) == XC_ERR_SYNTAX);

    /*
     * The walk shows fingerprints of the public values only.
     */
    memset(&w, 0, sizeof(w));
    w.fp_ok = 1;
    w.want[0] = fa[0];
    w.want[1] = fa[1];
    w.want_peer = fpeer;
    T_CHECK("walk_lists_pairs_and_peers",
	    xc_cache_walk(c, walk_fn, &w) == XC_OK && w.pairs == 2
	    && w.peers == 1 && w.fp_ok && w.peer_fp_found);

    /*
     * Another process sees the same pair.
     */
    shm->fp[0][0][0] = 0;
    if ((pid = fork()) == 0) {
	XC_CACHE *cc = xc_cache_open(path, LIFETIME);
	XC_KEYPAIR kp;

	if (xc_cache_keypair(cc, XC_GROUP_MODP14, &kp) == XC_OK)
	    pair_fp(&kp, shm->fp[0][0]);
	shm->ok[0] = !xc_cache_is_memory(cc);
	xc_cache_close(cc);
	_exit(0);
    }
    waitpid(pid, &status, 0);
    T_CHECKF("child_opened_after_fork_sees_same_pair",
	     status == 0 && shm->ok[0]
	     && strcmp(shm->fp[0][0], fa[XC_GROUP_MODP14]) == 0,
	     "child %s parent %s", shm->fp[0][0], fa[XC_GROUP_MODP14]);

    /*
     * Ownership for the daemons.
     */
    T_CHECK("chown_hands_file_to_mail_owner",
	    xc_cache_chown(c, 65534, 65534) == XC_OK
	    && stat(path, &sb) == 0 && sb.st_uid == 65534
	    && sb.st_gid == 65534);
    xc_cache_chown(c, 0, 0);

    xc_cache_close(c2);
    xc_cache_close(c);
    xc_keypair_wipe(&peer);
}

/* test_expiry - rotation and forgetting */

static void test_expiry(void)
{
    const char *path = path_in("expiry.tdb");
    XC_CACHE *c;
    XC_KEYPAIR p1, p2, q1, q2, peers[3], oak[2], late;
    XC_CACHE_STATS tot0, tot1;
    SCAN    s;
    char    f1[17], f2[17], fq1[17], fq2[17];
    long    t0 = fake_now();
    int     i, ok, hit, allmiss;

    c = xc_cache_open(path, LIFETIME);
    xc_cache_keypair(c, XC_GROUP_MODP14, &p1);
    xc_cache_keypair(c, XC_GROUP_OAKLEY1, &q1);
    pair_fp(&p1, f1);
    pair_fp(&q1, fq1);
    for (i = 0; i < 3; i++) {
	xc_dh_generate(XC_GROUP_MODP14, &peers[i]);
	shared_ok(c, &p1, &peers[i], &hit);
    }
    for (i = 0; i < 2; i++) {
	xc_dh_generate(XC_GROUP_OAKLEY1, &oak[i]);
	shared_ok(c, &q1, &oak[i], &hit);
    }
    xc_cache_totals(c, &tot0);

    advance(LIFETIME - 1);
    xc_cache_keypair(c, XC_GROUP_MODP14, &p2);
    pair_fp(&p2, f2);
    T_CHECK("pair_kept_one_second_before_lifetime", strcmp(f1, f2) == 0);

    advance(1);
    ok = (xc_cache_keypair(c, XC_GROUP_MODP14, &p2) == XC_OK);
    pair_fp(&p2, f2);
    T_CHECK("pair_replaced_at_lifetime",
	    ok && strcmp(f1, f2) != 0 && p2.created == fake_now());
    xc_cache_totals(c, &tot1);
    T_CHECKF("rotation_counted", tot1.rotations == tot0.rotations + 1,
	     "%lu -> %lu", tot0.rotations, tot1.rotations);
    xc_cache_close(c);

    scan(path, &s);
    T_CHECKF("rotation_deletes_every_z_of_old_pair",
	     s.opened && s.check_ok && s.z[XC_GROUP_MODP14] == 0
	     && strcmp(s.pair_fp[XC_GROUP_MODP14], f2) == 0,
	     "opened %d check %d z %d", s.opened, s.check_ok,
	     s.z[XC_GROUP_MODP14]);
    T_CHECKF("rotation_keeps_other_groups_z",
	     s.z[XC_GROUP_OAKLEY1] == 2 && s.foreign[XC_GROUP_OAKLEY1] == 0,
	     "z %d foreign %d", s.z[XC_GROUP_OAKLEY1],
	     s.foreign[XC_GROUP_OAKLEY1]);

    c = xc_cache_open(path, LIFETIME);
    allmiss = 1;
    for (i = 0; i < 3; i++) {
	ok = shared_ok(c, &p2, &peers[i], &hit);
	allmiss &= (ok && hit == 0);
    }
    T_CHECK("old_peers_miss_under_new_pair", allmiss);

    /*
     * A process still holding the old pair gets the right Z, but it is
     * not stored under any pair.
     */
    xc_dh_generate(XC_GROUP_MODP14, &late);
    ok = shared_ok(c, &p1, &late, &hit);
    T_CHECK("stale_pair_still_gets_z", ok && hit == 0);
    ok = shared_ok(c, &p1, &late, &hit);
    T_CHECK("stale_pair_z_not_cached", ok && hit == 0);
    xc_cache_close(c);
    scan(path, &s);
    T_CHECKF("every_z_belongs_to_current_pair",
	     s.check_ok && s.z[XC_GROUP_MODP14] == 3
	     && s.foreign[XC_GROUP_MODP14] == 0
	     && s.foreign[XC_GROUP_OAKLEY1] == 0,
	     "z %d foreign %d %d", s.z[XC_GROUP_MODP14],
	     s.foreign[XC_GROUP_MODP14], s.foreign[XC_GROUP_OAKLEY1]);

    /*
     * The other group expires on its own schedule.
     */
    c = xc_cache_open(path, LIFETIME);
    xc_cache_keypair(c, XC_GROUP_OAKLEY1, &q2);
    pair_fp(&q2, fq2);
    T_CHECK("other_group_expires_when_asked", strcmp(fq1, fq2) != 0);

    /*
     * A pair dated later than now + lifetime (the clock went back) is
     * not trusted.
     */
    shm->now = t0 - 2 * LIFETIME;
    xc_cache_keypair(c, XC_GROUP_OAKLEY1, &q1);
    pair_fp(&q1, fq1);
    T_CHECK("pair_from_the_future_is_replaced",
	    strcmp(fq1, fq2) != 0 && q1.created == fake_now());
    shm->now = t0 + 10 * LIFETIME;
    xc_cache_close(c);
    for (i = 0; i < 3; i++)
	xc_keypair_wipe(&peers[i]);
}

/* test_purge - forget everything, keep counting */

static void test_purge(void)
{
    const char *path = path_in("expiry.tdb");
    XC_CACHE *c;
    XC_KEYPAIR a, b;
    XC_CACHE_STATS t0, t1;
    char    fa[17], fb[17];
    WALK    w;

    c = xc_cache_open(path, LIFETIME);
    xc_cache_keypair(c, XC_GROUP_MODP14, &a);
    pair_fp(&a, fa);
    xc_cache_totals(c, &t0);
    T_CHECK("purge_succeeds", xc_cache_purge(c) == XC_OK);
    memset(&w, 0, sizeof(w));
    xc_cache_walk(c, walk_fn, &w);
    T_CHECKF("purge_leaves_no_pair_and_no_peer", w.pairs == 0 && w.peers == 0,
	     "pairs %d peers %d", w.pairs, w.peers);
    xc_cache_totals(c, &t1);
    T_CHECK("purge_keeps_counters", t1.hits == t0.hits
	    && t1.misses == t0.misses && t1.rotations == t0.rotations);
    xc_cache_keypair(c, XC_GROUP_MODP14, &b);
    pair_fp(&b, fb);
    T_CHECK("pair_after_purge_is_new", strcmp(fa, fb) != 0);
    xc_cache_close(c);
}

/* test_fork_inherited - child opens a file its parent has open */

static void test_fork_inherited(void)
{
    const char *path = path_in("inherit.tdb");
    XC_CACHE *c;
    XC_KEYPAIR a;
    char    fa[17];
    pid_t   pid;
    int     status;

    c = xc_cache_open(path, LIFETIME);
    xc_cache_keypair(c, XC_GROUP_OAKLEY1, &a);
    pair_fp(&a, fa);
    shm->ok[0] = 0;
    if ((pid = fork()) == 0) {
	XC_CACHE *cc = xc_cache_open(path, LIFETIME);
	XC_KEYPAIR kp, peer;
	int     hit = -1;
	char    f[17];

	xc_cache_keypair(cc, XC_GROUP_OAKLEY1, &kp);
	pair_fp(&kp, f);
	xc_dh_generate(XC_GROUP_OAKLEY1, &peer);
	shm->ok[0] = (!xc_cache_is_memory(cc) && strcmp(f, fa) == 0
		      && shared_ok(cc, &kp, &peer, &hit) && hit == 0
		      && shared_ok(cc, &kp, &peer, &hit) && hit == 1);
	xc_cache_close(cc);
	_exit(0);
    }
    waitpid(pid, &status, 0);
    T_CHECK("child_reopens_file_inherited_from_parent",
	    status == 0 && shm->ok[0]);
    xc_cache_close(c);
}

/* hammer_child - one of the processes of test_hammer */

static void hammer_child(int id, const char *path, XC_KEYPAIR peers[][HAMMER_PEERS],
			         int go1, int ready, int go2)
{
    XC_CACHE *c;
    XC_KEYPAIR kp;
    char    byte;
    int     i, g, hit;

    srand(getpid());
    c = xc_cache_open(path, LIFETIME);
    if (xc_cache_is_memory(c))
	shm->errors[id]++;
    if (read(go1, &byte, 1) != 0)
	shm->errors[id]++;
    for (i = 0; i < HAMMER_OPS; i++) {
	g = rand() % XC_GROUP_COUNT;
	if (xc_cache_keypair(c, g, &kp) != XC_OK
	    || !shared_ok(c, &kp, &peers[g][rand() % HAMMER_PEERS], &hit))
	    shm->errors[id]++;
	if (i % 5 == 4)
	    advance(7);
	if (i % 17 == 0 && xc_cache_purge(c) != XC_OK)
	    shm->errors[id]++;
    }
    if (write(ready, "r", 1) != 1)
	shm->errors[id]++;

    /*
     * All at one expired moment: everyone must end up with one pair.
     */
    if (read(go2, &byte, 1) != 0)
	shm->errors[id]++;
    for (g = 0; g < XC_GROUP_COUNT; g++) {
	if (xc_cache_keypair(c, g, &kp) != XC_OK)
	    shm->errors[id]++;
	pair_fp(&kp, shm->fp[id][g]);
    }
    shm->ok[id] = !xc_cache_is_memory(c);
    xc_cache_close(c);
    _exit(shm->errors[id] ? 1 : 0);
}

/* test_hammer - many processes on one file */

static void test_hammer(void)
{
    const char *path = path_in("hammer.tdb");
    XC_KEYPAIR peers[XC_GROUP_COUNT][HAMMER_PEERS];
    XC_CACHE *c;
    XC_CACHE_STATS t0, t1;
    SCAN    s;
    struct stat sb;
    int     go1[2], ready[2], go2[2];
    pid_t   pids[NCHILD];
    int     i, g, status, exits_ok = 1, errors = 0, same = 1, all_file = 1;
    char    byte;

    for (g = 0; g < XC_GROUP_COUNT; g++)
	for (i = 0; i < HAMMER_PEERS; i++)
	    xc_dh_generate(g, &peers[g][i]);
    if (pipe(go1) < 0 || pipe(ready) < 0 || pipe(go2) < 0)
	msg_fatal("pipe: %m");
    memset(shm->fp, 0, sizeof(shm->fp));
    memset(shm->errors, 0, sizeof(shm->errors));
    memset(shm->ok, 0, sizeof(shm->ok));
    for (i = 0; i < NCHILD; i++) {
	if ((pids[i] = fork()) < 0)
	    msg_fatal("fork: %m");
	if (pids[i] == 0) {
	    close(go1[1]);
	    close(ready[0]);
	    close(go2[1]);
	    hammer_child(i, path, peers, go1[0], ready[1], go2[0]);
	}
    }
    close(go1[0]);
    close(ready[1]);
    close(go2[0]);
    close(go1[1]);				/* everyone starts */
    for (i = 0; i < NCHILD; i++)
	if (read(ready[0], &byte, 1) != 1)
	    break;
    T_CHECK("all_hammer_children_finished_phase_one", i == NCHILD);

    c = xc_cache_open(path, LIFETIME);
    xc_cache_totals(c, &t0);
    xc_cache_close(c);
    advance(LIFETIME + 1);			/* every pair expired */
    close(go2[1]);				/* everyone asks at once */
    for (i = 0; i < NCHILD; i++) {
	waitpid(pids[i], &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
	    exits_ok = 0;
	errors += shm->errors[i];
	all_file &= shm->ok[i];
	for (g = 0; g < XC_GROUP_COUNT; g++)
	    if (strcmp(shm->fp[i][g], shm->fp[0][g]) != 0 || !shm->fp[i][g][0])
		same = 0;
    }
    close(ready[0]);
    T_CHECKF("hammer_children_no_errors_and_z_always_correct",
	     exits_ok && errors == 0 && all_file,
	     "exits_ok %d errors %d all_file %d", exits_ok, errors, all_file);
    T_CHECK("simultaneous_expiry_gives_every_process_one_pair", same);

    c = xc_cache_open(path, LIFETIME);
    xc_cache_totals(c, &t1);
    xc_cache_close(c);
    T_CHECKF("simultaneous_expiry_rotates_once_per_group",
	     t1.rotations == t0.rotations + XC_GROUP_COUNT,
	     "%lu -> %lu", t0.rotations, t1.rotations);
    T_CHECKF("no_counter_update_lost_under_contention",
	     t1.hits + t1.misses == NCHILD * HAMMER_OPS,
	     "hits %lu + misses %lu != %d", t1.hits, t1.misses,
	     NCHILD * HAMMER_OPS);
    T_CHECK("hammer_had_hits_and_misses", t1.hits > 0 && t1.misses > 0);
    scan(path, &s);
    T_CHECKF("hammered_file_passes_tdb_check", s.opened && s.check_ok,
	     "opened %d check %d", s.opened, s.check_ok);
    T_CHECKF("hammered_file_every_z_belongs_to_current_pair",
	     s.foreign[0] == 0 && s.foreign[1] == 0
	     && strcmp(s.pair_fp[0], shm->fp[0][0]) == 0
	     && strcmp(s.pair_fp[1], shm->fp[0][1]) == 0,
	     "foreign %d %d", s.foreign[0], s.foreign[1]);
    T_CHECK("hammered_file_still_mode_0600",
	    stat(path, &sb) == 0 && (sb.st_mode & 07777) == 0600);
    for (g = 0; g < XC_GROUP_COUNT; g++)
	for (i = 0; i < HAMMER_PEERS; i++)
	    xc_keypair_wipe(&peers[g][i]);
}

/* copy_file - copy a fixture */

static int copy_file(const char *from, const char *to, mode_t mode)
{
    char    buf[8192];
    ssize_t n;
    int     in, out;

    if ((in = open(from, O_RDONLY)) < 0)
	return (-1);
    if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode)) < 0) {
	close(in);
	return (-1);
    }
    while ((n = read(in, buf, sizeof(buf))) > 0)
	if (write(out, buf, n) != n)
	    n = -1;
    close(in);
    fchmod(out, mode);
    return (close(out) == 0 && n == 0 ? 0 : -1);
}

/* aside_exists - was the bad file kept as NAME.corrupt-TIME */

static int aside_exists(const char *name)
{
    DIR    *d;
    struct dirent *e;
    char    prefix[200];
    int     found = 0;

    snprintf(prefix, sizeof(prefix), "%s.corrupt-", name);
    if ((d = opendir(dir)) == 0)
	return (0);
    while ((e = readdir(d)) != 0)
	if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
	    found = 1;
    closedir(d);
    return (found);
}

/* works - pair, miss, hit */

static int works(XC_CACHE *c, int group)
{
    XC_KEYPAIR kp, peer;
    int     hit1 = -1, hit2 = -1, ok;

    xc_dh_generate(group, &peer);
    ok = (xc_cache_keypair(c, group, &kp) == XC_OK
	  && shared_ok(c, &kp, &peer, &hit1) && hit1 == 0
	  && shared_ok(c, &kp, &peer, &hit2) && hit2 == 1);
    xc_keypair_wipe(&peer);
    xc_keypair_wipe(&kp);
    return (ok);
}

/* test_fixtures - corrupt files */

static void test_fixtures(void)
{
    static const char *names[] = {
	"corrupt_cache.tdb", "truncated_cache.tdb",
	"truncated_records_cache.tdb",
    };
    const char *top = getenv("TOP");
    char    from[512];
    char    check[100];
    const char *path;
    XC_CACHE *c;
    XC_KEYPAIR kp;
    XC_CACHE_STATS tot;
    SCAN    s;
    WALK    w;
    int     i, w1;

    for (i = 0; i < 3; i++) {
	snprintf(from, sizeof(from), "%s/tests/fixtures/%s",
		 top ? top : ".", names[i]);
	path = path_in(names[i]);
	if (copy_file(from, path, 0600) < 0) {
	    T_CHECKF(names[i], 0, "cannot copy %s: %s", from, strerror(errno));
	    continue;
	}
	warnings = 0;
	last_warning[0] = 0;
	c = xc_cache_open(path, LIFETIME);
	snprintf(check, sizeof(check), "%s_warns_naming_file", names[i]);
	T_CHECKF(check, warnings > 0 && strstr(last_warning, path) != 0,
		 "warnings %d last \"%s\"", warnings, last_warning);
	snprintf(check, sizeof(check), "%s_recreated_as_file_cache", names[i]);
	T_CHECK(check, !xc_cache_is_memory(c) && works(c, XC_GROUP_MODP14));
	snprintf(check, sizeof(check), "%s_kept_aside", names[i]);
	T_CHECK(check, aside_exists(names[i]));
	xc_cache_close(c);
	scan(path, &s);
	snprintf(check, sizeof(check), "%s_replacement_passes_tdb_check",
		 names[i]);
	T_CHECK(check, s.opened && s.check_ok && s.pairs == 1);
    }

    /*
     * A valid tdb whose records do not parse: no trouble at open, each
     * bad record is replaced when used. The fixture is 0644: reset.
     */
    snprintf(from, sizeof(from), "%s/tests/fixtures/malformed_record_cache.tdb",
	     top ? top : ".");
    path = path_in("malformed.tdb");
    if (copy_file(from, path, 0644) < 0) {
	T_CHECKF("malformed_fixture", 0, "cannot copy %s", from);
	return;
    }
    warnings = 0;
    last_warning[0] = 0;
    c = xc_cache_open(path, LIFETIME);
    T_CHECK("loose_mode_is_reset_to_0600_with_warning",
	    warnings == 1 && strstr(last_warning, "0600") != 0);
    T_CHECK("malformed_records_open_as_file_cache", !xc_cache_is_memory(c));
    memset(&w, 0, sizeof(w));
    xc_cache_walk(c, walk_fn, &w);
    T_CHECKF("walk_skips_malformed_records", w.pairs == 0 && w.peers == 0,
	     "pairs %d peers %d", w.pairs, w.peers);
    warnings = 0;
    w1 = (xc_cache_keypair(c, XC_GROUP_MODP14, &kp) == XC_OK);
    T_CHECKF("short_pair_record_replaced_with_warning",
	     w1 && warnings == 1 && strstr(last_warning, "malformed") != 0,
	     "ok %d warnings %d last \"%s\"", w1, warnings, last_warning);
    warnings = 0;
    w1 = (xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp) == XC_OK);
    T_CHECK("wrong_version_pair_record_replaced_with_warning",
	    w1 && warnings == 1 && strstr(last_warning, "malformed") != 0);
    T_CHECK("malformed_cache_works_after_repair",
	    works(c, XC_GROUP_MODP14) && works(c, XC_GROUP_OAKLEY1));
    xc_cache_totals(c, &tot);
    T_CHECKF("malformed_counter_record_restarts_from_zero",
	     tot.hits == 2 && tot.misses == 2,
	     "hits %lu misses %lu", tot.hits, tot.misses);
    xc_cache_close(c);
    scan(path, &s);
    T_CHECK("repaired_records_are_well_formed",
	    s.check_ok && s.pairs == 2);
}

/* test_unusable - paths that cannot hold a file */

static void test_unusable(void)
{
    const char *file = path_in("plainfile");
    char    below[300];
    XC_CACHE *c;
    int     fd;

    if ((fd = open(file, O_WRONLY | O_CREAT, 0600)) >= 0)
	close(fd);
    snprintf(below, sizeof(below), "%s/cache.tdb", file);
    warnings = 0;
    last_warning[0] = 0;
    c = xc_cache_open(below, LIFETIME);
    T_CHECKF("path_below_regular_file_falls_back_to_memory",
	     xc_cache_is_memory(c) && warnings == 1
	     && strstr(last_warning, below) != 0,
	     "memory %d warnings %d \"%s\"", xc_cache_is_memory(c), warnings,
	     last_warning);
    T_CHECK("memory_fallback_works", works(c, XC_GROUP_MODP14));
    xc_cache_close(c);

    warnings = 0;
    c = xc_cache_open(dir, LIFETIME);
    T_CHECK("directory_as_path_falls_back_to_memory",
	    xc_cache_is_memory(c) && warnings == 1 && works(c, XC_GROUP_OAKLEY1));
    xc_cache_close(c);

    warnings = 0;
    c = xc_cache_open("/proc/xcrypt.tdb", LIFETIME);
    T_CHECK("proc_path_falls_back_to_memory",
	    xc_cache_is_memory(c) && warnings == 1 && works(c, XC_GROUP_OAKLEY1));
    xc_cache_close(c);
}

/* test_write_failure - the file goes bad under a running process */

static void test_write_failure(void)
{
    const char *path = path_in("writefail.tdb");
    pid_t   pid;
    int     status;

    shm->warnings = -1;
    if ((pid = fork()) == 0) {
	XC_CACHE *c = xc_cache_open(path, LIFETIME);
	XC_KEYPAIR kp, kp2, peer, peer2;
	char    link[PATH_MAX], want[PATH_MAX], f1[17], f2[17];
	char    name[64];
	int     fd, ro, hit = -1, ok;
	ssize_t n;

	xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp);
	pair_fp(&kp, f1);
	if (realpath(path, want) == 0)
	    snprintf(want, sizeof(want), "%s", path);

	/*
	 * Replace the tdb's descriptor with a read-only one: every lock
	 * for writing fails from now on.
	 */
	ro = open(path, O_RDONLY);
	for (fd = 0; fd < 256; fd++) {
	    snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	    if ((n = readlink(name, link, sizeof(link) - 1)) < 0 || fd == ro)
		continue;
	    link[n] = 0;
	    if (strcmp(link, want) == 0)
		dup2(ro, fd);
	}
	warnings = 0;
	xc_dh_generate(XC_GROUP_OAKLEY1, &peer);
	xc_dh_generate(XC_GROUP_OAKLEY1, &peer2);
	ok = shared_ok(c, &kp, &peer, &hit) && hit == 0;
	shm->warnings = warnings;
	ok &= shared_ok(c, &kp, &peer, &hit);
	shm->hit_after = hit;
	ok &= shared_ok(c, &kp, &peer2, &hit) && hit == 0;
	xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp2);
	pair_fp(&kp2, f2);
	shm->same_pair_after = (strcmp(f1, f2) == 0);
	shm->memory_after = xc_cache_is_memory(c);
	shm->ok[0] = ok && warnings == shm->warnings;
	xc_cache_close(c);
	_exit(0);
    }
    waitpid(pid, &status, 0);
    T_CHECKF("write_failure_warns_once_and_returns_z",
	     status == 0 && shm->ok[0] && shm->warnings >= 1,
	     "status %d ok %d warnings %d", status, shm->ok[0], shm->warnings);
    T_CHECK("write_failure_continues_in_memory_with_same_pair",
	    shm->memory_after && shm->same_pair_after && shm->hit_after == 1);
}

/* test_shrunk_under_process - the file shrinks under a running process */

static void test_shrunk_under_process(void)
{
    const char *path = path_in("shrunk.tdb");
    pid_t   pid;
    int     status;

    /*
     * Truncated in place (an operator's ": > file", a full disk) while a
     * process has it open: the process must go on (an I/O error, then
     * memory), never die of SIGBUS as it would reading a shrunk mapping.
     */
    shm->ok[0] = 0;
    if ((pid = fork()) == 0) {
	XC_CACHE *c = xc_cache_open(path, LIFETIME);
	XC_KEYPAIR kp;
	int     i, ok = 1;

	for (i = 0; i < 20; i++)
	    ok &= works(c, i % 2 ? XC_GROUP_MODP14 : XC_GROUP_OAKLEY1);
	xc_cache_keypair(c, XC_GROUP_OAKLEY1, &kp);
	if (truncate(path, 0) != 0)
	    _exit(3);
	for (i = 0; i < 20; i++)
	    ok &= works(c, i % 2 ? XC_GROUP_MODP14 : XC_GROUP_OAKLEY1);
	shm->ok[0] = ok;
	xc_cache_close(c);
	_exit(0);
    }
    waitpid(pid, &status, 0);
    T_CHECKF("shrunk_file_under_process_no_signal",
	     WIFEXITED(status) && WEXITSTATUS(status) == 0,
	     "status 0x%x (signal %d)", status,
	     WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    T_CHECK("shrunk_file_under_process_cache_still_works", shm->ok[0]);
}

/* main - run every test in a scratch directory */

int     main(int argc, char **argv)
{
    char    cmd[200];

    msg_vstream_init("t_cache", VSTREAM_ERR);
    msg_output(capture);
    xc_init();
    shm = (SHM *) mmap(0, sizeof(SHM), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shm == MAP_FAILED)
	msg_fatal("mmap: %m");
    memset(shm, 0, sizeof(*shm));
    shm->now = 1700000000;
    xc_cache_set_clock(fake_now);
    snprintf(dir, sizeof(dir), "/tmp/t_cache.XXXXXX");
    if (mkdtemp(dir) == 0)
	msg_fatal("mkdtemp: %m");

    test_memory();
    test_file();
    test_expiry();
    test_purge();
    test_fork_inherited();
    test_hammer();
    test_fixtures();
    test_unusable();
    test_write_failure();
    test_shrunk_under_process();

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
	msg_warn("cannot remove %s", dir);
    return (T_DONE());
}
