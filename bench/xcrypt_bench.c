/*++
/* NAME
/*	xcrypt-bench 1
/* SUMMARY
/*	XCRYPT cost figures, after Table 3 of the ssmail paper
/* SYNOPSIS
/*	xcrypt-bench [-q]
/* DESCRIPTION
/*	xcrypt-bench measures on this machine, for every suite, what
/*	Table 3 of "ssmail: Opportunistic Encryption in sendmail"
/*	(Bentley, Rose, Whalen; LISA 1999) reports for 1999 hardware:
/* .IP "DH key generation"
/*	a fresh key pair, g^x mod p, with the suite's exponent size.
/* .IP "DH key agreement"
/*	the shared value Z = y^x mod p.
/* .IP "key derivation"
/*	xc_kdf(): SHA-1 (suites 1.0) or HKDF-SHA-256 (2.0).
/* .IP "cipher key setup"
/*	xc_cipher_create() for both directions.
/* .IP "key setup, client side / server side"
/*	what one party computes per handshake without any cache: a new
/*	pair, Z, the keys, both cipher states. The "two key setups" of
/*	a connection are the client's and the server's; their sum is
/*	the computing cost of one uncached handshake.
/* .IP "encryption of the mean message"
/*	14,671 octets (the paper's mean message size) through the
/*	suite's cipher (AEAD: in records, as on the wire).
/* .IP "throughput"
/*	MB/s (10^6 octets per second) of the cipher API over 1 MiB.
/* .PP
/*	Beyond the paper it reports the Diffie-Hellman cost per group,
/*	the whole handshake cost with a key cache hit
/*	(xc_session_start() + xc_session_finish() against a memory cache
/*	that already holds Z; target below 50 microseconds) beside a
/*	cache miss of the same run, and the stream layer against the raw
/*	libtomcrypt primitive on 64 KiB writes (64 MiB through a VSTREAM
/*	to /dev/null and to a reader process over a socketpair, versus
/*	rc4_stream_crypt(), sober128_stream_crypt() or per-16 KiB-record
/*	chacha20poly1305 into a buffer over the same octets; target
/*	ratio >= 0.90).
/*
/*	Every figure is the median of repeated runs timed with
/*	CLOCK_MONOTONIC; rates are interleaved (raw, stream, raw, ...)
/*	so that drift hits both sides alike. Ratios compare figures of
/*	the same run only.
/*
/*	The paper's own figures are not part of this project (its text
/*	is not in the repository); the "paper 1999" column says "n/a"
/*	where no figure is known.
/*
/*	Option -q: fewer repetitions, for a smoke test.
/* DIAGNOSTICS
/*	Exit status 0 when every measurement ran, 1 on any library
/*	failure. Missed targets are reported, not fatal.
/* SEE ALSO
/*	bench/run.sh, runs this and the other benchmarks
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <msg_vstream.h>
#include <mymalloc.h>
#include <vstream.h>

/* Crypto library. */

#include <tomcrypt.h>

/* Application-specific. */

#include <xcrypt.h>

#define MEAN_MESSAGE	14671		/* octets, the paper's mean message */
#define CHUNK		65536		/* one write */
#define STREAM_TOTAL	(64 * 1024 * 1024)	/* per timed stream run */
#define TPUT_LEN	(1024 * 1024)	/* cipher API throughput buffer */
#define HIT_TARGET_US	50.0
#define RATIO_TARGET	0.90

static int quick;			/* -q */
static int failures;

 /*
  * The paper's figures (Table 3, 1999 hardware), where known. None are:
  * the paper's text is not in this repository and could not be found.
  */
#define PAPER_NA	"n/a"

/* now_s - monotonic seconds */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* cmp_double - qsort */

static int cmp_double(const void *a, const void *b)
{
    double  x = *(const double *) a;
    double  y = *(const double *) b;

    return (x < y ? -1 : x > y);
}

/* median - of n values (sorts them) */

static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

 /*
  * One timed operation: fn(ctx) runs it once. Repeat up to max times, but
  * stop after budget seconds once at least min runs are in.
  */
typedef void (*BENCH_FN) (void *);

#define MAX_REPS	4001

/* bench - median seconds of one run of fn */

static double bench(BENCH_FN fn, void *ctx, int min, int max, double budget)
{
    static double v[MAX_REPS];
    double  start = now_s();
    double  t0;
    int     n;

    if (quick) {
	max = max / 10 > min ? max / 10 : min;
	budget /= 10;
    }
    if (max > MAX_REPS)
	max = MAX_REPS;
    fn(ctx);					/* warm up */
    for (n = 0; n < max; n++) {
	t0 = now_s();
	fn(ctx);
	v[n] = now_s() - t0;
	if (n + 1 >= min && now_s() - start > budget) {
	    n++;
	    break;
	}
    }
    return (median(v, n));
}

/* check - count library failures */

static void check(int ok, const char *what)
{
    if (!ok) {
	msg_warn("%s failed", what);
	failures++;
    }
}

 /*
  * Per-suite state for the timed operations.
  */
typedef struct BCTX {
    const XC_SUITE *suite;
    const XC_GROUP *group;
    XC_KEYPAIR mine;
    XC_KEYPAIR peer;
    unsigned char z[XC_PMAX];
    unsigned char na[XC_NONCE_MAX];
    unsigned char nb[XC_NONCE_MAX];
    XC_KEYS keys;
    unsigned char *msg;
    unsigned char *out;
    size_t  len;
    XC_CACHE *cache;
    XC_HELLO hello;
    char    reply[XC_LINE_MAX + 1];	/* "XCRYPT Kb Nb", client side */
    XC_HELLO *hellos;			/* cache misses: fresh peers */
    int     nhellos;
    int     next_hello;
} BCTX;

/* op_keygen - DH key generation */

static void op_keygen(void *ctx)
{
    BCTX   *b = (BCTX *) ctx;
    XC_KEYPAIR kp;

    check(xc_dh_generate(b->group->id, &kp) == XC_OK, "xc_dh_generate");
    xc_keypair_wipe(&kp);
}

/* op_agree - DH key agreement */

static void op_agree(void *ctx)
{
    BCTX   *b = (BCTX *) ctx;

    check(xc_dh_shared(&b->mine, b->peer.pub, b->group->plen, b->z) == XC_OK,
	  "xc_dh_shared");
}

/* op_kdf - key derivation */

static void op_kdf(void *ctx)
{
    BCTX   *b = (BCTX *) ctx;

    check(xc_kdf(b->suite, b->z, b->group->plen, b->na, b->nb,
		 &b->keys) == XC_OK, "xc_kdf");
}

/* op_setup - both cipher states */

static void op_setup(void *ctx)
{
    BCTX   *b = (BCTX *) ctx;
    XC_CIPHER *tx = xc_cipher_create(b->suite, b->keys.c2s);
    XC_CIPHER *rx = xc_cipher_create(b->suite, b->keys.s2c);

    check(tx != 0 && rx != 0, "xc_cipher_create");
    xc_cipher_free(tx);
    xc_cipher_free(rx);
}

/* op_side - one party's whole uncached key setup */

static void op_side(void *ctx)
{
    BCTX   *b = (BCTX *) ctx;
    XC_KEYPAIR kp;
    XC_KEYS keys;
    XC_CIPHER *tx;
    XC_CIPHER *rx;

    check(xc_dh_generate(b->group->id, &kp) == XC_OK, "xc_dh_generate");
    check(xc_dh_shared(&kp, b->peer.pub, b->group->plen, b->z) == XC_OK,
	  "xc_dh_shared");
    check(xc_kdf(b->suite, b->z, b->group->plen, b->na, b->nb,
		 &keys) == XC_OK, "xc_kdf");
    tx = xc_cipher_create(b->suite, keys.c2s);
    rx = xc_cipher_create(b->suite, keys.s2c);
    check(tx != 0 && rx != 0, "xc_cipher_create");
    xc_cipher_free(tx);
    xc_cipher_free(rx);
    xc_keys_wipe(&keys);
    xc_keypair_wipe(&kp);
}

/* encrypt_buf - b->len octets of b->msg through a fresh cipher */

static void encrypt_buf(BCTX *b, XC_CIPHER *c)
{
    size_t  off;
    size_t  n;
    size_t  outlen;

    if (!b->suite->aead) {
	check(xc_cipher_xor(c, b->msg, b->len, b->out) == XC_OK,
	      "xc_cipher_xor");
	return;
    }
    for (off = 0; off < b->len; off += n) {
	n = b->len - off < XC_REC_DATA_MAX ? b->len - off : XC_REC_DATA_MAX;
	check(xc_record_seal(c, b->msg + off, n, b->out, &outlen) == XC_OK,
	      "xc_record_seal");
    }
}

 /*
  * The encryption rows time the cipher work only: the cipher state is set
  * up once and keeps running (keystream) or counting records (AEAD).
  */
static XC_CIPHER *enc_cipher;

/* op_encrypt - b->len octets */

static void op_encrypt(void *ctx)
{
    encrypt_buf((BCTX *) ctx, enc_cipher);
}

/* op_hit - server handshake whose Z is in the cache */

static void op_hit(void *ctx)
{
    BCTX   *b = (BCTX *) ctx;
    XC_SESSION s;

    check(xc_session_start(&s, b->cache, b->suite, XC_ROLE_SERVER) == XC_OK,
	  "xc_session_start");
    check(xc_session_finish(&s, b->cache, &b->hello) == XC_OK
	  && s.cache_hit, "xc_session_finish (hit)");
    xc_session_wipe(&s);
}

/* op_client_hit - client handshake steps (xc_client), Z in the cache */

static void op_client_hit(void *ctx)
{
    BCTX   *b = (BCTX *) ctx;
    XC_CLIENT *xc = xc_client_create();
    char    line[XC_LINE_MAX + 1];

    check(xc_client_hello(xc, b->cache, b->suite, line, sizeof(line)) > 0,
	  "xc_client_hello");
    check(xc_client_reply(xc, b->cache, b->reply, strlen(b->reply),
			  (const char **) 0) == XC_OK
	  && xc->sess.cache_hit, "xc_client_reply (hit)");
    xc_client_free(xc);
}

/* op_miss - server handshake with a peer never seen */

static void op_miss(void *ctx)
{
    BCTX   *b = (BCTX *) ctx;
    XC_SESSION s;
    XC_HELLO *h = b->hellos + (b->next_hello++ % b->nhellos);

    check(xc_session_start(&s, b->cache, b->suite, XC_ROLE_SERVER) == XC_OK,
	  "xc_session_start");
    check(xc_session_finish(&s, b->cache, h) == XC_OK,
	  "xc_session_finish (miss)");
    xc_session_wipe(&s);
}

/* row - one line of the table */

static void row(const char *label, double value, const char *unit,
		        const char *paper)
{
    vstream_printf("  %-44s %12.3f %-5s %10s\n", label, value, unit, paper);
}

/* us - seconds to microseconds */

#define US(s)	((s) * 1e6)
#define MS(s)	((s) * 1e3)
#define MBPS(len, s) ((len) / (s) / 1e6)

 /*
  * Stream versus raw primitive.
  */
typedef struct RATE {
    const XC_SUITE *suite;
    XC_KEYS keys;
    unsigned char *src;
    unsigned char *dst;
    int     sink;				/* 0 = /dev/null, 1 = socketpair */
} RATE;

/* raw_run - the libtomcrypt primitive over STREAM_TOTAL octets */

static double raw_run(RATE *r)
{
    rc4_state rc4;
    sober128_state sober;
    chacha20poly1305_state cc;
    unsigned char key12[12];
    unsigned char nonce[12];
    unsigned char tag[16];
    unsigned long taglen;
    unsigned char aad[2] = {0x40, 0x10};
    size_t  done;
    size_t  off;
    uint64_t seq = 0;
    double  t0;
    int     i;
    int     ok = 1;

    t0 = now_s();
    switch (r->suite->id) {
    case XC_SUITE_ARRSYFOR:
	ok = rc4_stream_setup(&rc4, r->keys.c2s, 10) == CRYPT_OK;
	for (done = 0; ok && done < STREAM_TOTAL; done += CHUNK)
	    ok = rc4_stream_crypt(&rc4, r->src, CHUNK, r->dst) == CRYPT_OK;
	rc4_stream_done(&rc4);
	break;
    case XC_SUITE_SOBER128:
	memcpy(key12, r->keys.c2s, 10);
	key12[10] = key12[11] = 0;
	ok = sober128_stream_setup(&sober, key12, 12) == CRYPT_OK;
	for (done = 0; ok && done < STREAM_TOTAL; done += CHUNK)
	    ok = sober128_stream_crypt(&sober, r->src, CHUNK, r->dst) == CRYPT_OK;
	sober128_stream_done(&sober);
	break;
    case XC_SUITE_CHACHA:
	memset(nonce, 0, sizeof(nonce));
	for (done = 0; ok && done < STREAM_TOTAL; done += CHUNK) {
	    for (off = 0; ok && off < CHUNK; off += XC_REC_DATA_MAX) {
		for (i = 0; i < 8; i++)
		    nonce[11 - i] = (unsigned char) (seq >> (8 * i));
		seq++;
		taglen = sizeof(tag);
		ok = chacha20poly1305_init(&cc, r->keys.c2s, 32) == CRYPT_OK
		    && chacha20poly1305_setiv(&cc, nonce, 12) == CRYPT_OK
		    && chacha20poly1305_add_aad(&cc, aad, 2) == CRYPT_OK
		    && chacha20poly1305_encrypt(&cc, r->src + off,
						XC_REC_DATA_MAX,
						r->dst + off) == CRYPT_OK
		    && chacha20poly1305_done(&cc, tag, &taglen) == CRYPT_OK;
	    }
	}
	break;
    }
    check(ok, "raw primitive");
    return (now_s() - t0);
}

/* stream_run - STREAM_TOTAL octets through xc_stream in CHUNK writes */

static double stream_run(RATE *r)
{
    VSTREAM *sp;
    int     fd;
    int     sv[2];
    pid_t   pid = -1;
    size_t  done;
    double  t0;
    double  t;
    char    buf[CHUNK];
    int     status;

    if (r->sink == 0) {
	if ((fd = open("/dev/null", O_WRONLY)) < 0)
	    msg_fatal("open /dev/null: %m");
    } else {
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
	    msg_fatal("socketpair: %m");
	if ((pid = fork()) < 0)
	    msg_fatal("fork: %m");
	if (pid == 0) {
	    close(sv[0]);
	    while (read(sv[1], buf, sizeof(buf)) > 0)
		 /* void */ ;
	    _exit(0);
	}
	close(sv[1]);
	fd = sv[0];
    }
    sp = vstream_fdopen(fd, O_WRONLY);
    check(xc_stream_start(sp, r->suite, &r->keys, XC_ROLE_CLIENT) == 0,
	  "xc_stream_start");
    t0 = now_s();
    for (done = 0; done < STREAM_TOTAL; done += CHUNK)
	if (vstream_fwrite(sp, r->src, CHUNK) != CHUNK)
	    break;
    check(vstream_fflush(sp) == 0 && done == STREAM_TOTAL, "stream write");
    t = now_s() - t0;
    xc_stream_stop(sp);
    (void) vstream_fclose(sp);
    if (pid > 0)
	waitpid(pid, &status, 0);
    return (t);
}

/* stream_vs_raw - interleaved medians, ratio */

static void stream_vs_raw(const XC_SUITE *suite, int sink)
{
    RATE    r;
    double  raw[9];
    double  str[9];
    int     reps = quick ? 1 : (sink ? 3 : 9);
    int     i;
    double  raw_mbps;
    double  str_mbps;
    double  ratio;

    r.suite = suite;
    r.sink = sink;
    r.keys.key_len = suite->key_len;
    check(xc_random(r.keys.c2s, sizeof(r.keys.c2s)) == XC_OK
	  && xc_random(r.keys.s2c, sizeof(r.keys.s2c)) == XC_OK, "xc_random");
    r.src = (unsigned char *) mymalloc(CHUNK);
    r.dst = (unsigned char *) mymalloc(CHUNK);
    memset(r.dst, 0, CHUNK);
    check(xc_random(r.src, CHUNK) == XC_OK, "xc_random");
    for (i = 0; i < reps; i++) {
	raw[i] = raw_run(&r);
	str[i] = stream_run(&r);
    }
    raw_mbps = MBPS((double) STREAM_TOTAL, median(raw, reps));
    str_mbps = MBPS((double) STREAM_TOTAL, median(str, reps));
    ratio = str_mbps / raw_mbps;
    vstream_printf("  %-44s raw %7.1f MB/s  stream %7.1f MB/s  ratio %.3f %s\n",
		   sink ? "stream vs raw, 64 KiB writes, socketpair" :
		   "stream vs raw, 64 KiB writes, /dev/null",
		   raw_mbps, str_mbps, ratio,
		   sink ? "(incl. kernel copy, info)" :
		   ratio >= RATIO_TARGET ? "(target >= 0.90: met)" :
		   "(target >= 0.90: MISSED)");
    myfree((void *) r.src);
    myfree((void *) r.dst);
    xc_keys_wipe(&r.keys);
}

/* bench_group - Diffie-Hellman cost per group */

static void bench_group(int gid)
{
    BCTX    b;
    double  gen;
    double  agree;

    memset((void *) &b, 0, sizeof(b));
    b.group = xc_group(gid);
    check(xc_dh_generate(gid, &b.mine) == XC_OK
	  && xc_dh_generate(gid, &b.peer) == XC_OK, "xc_dh_generate");
    gen = bench(op_keygen, &b, 11, 101, 1.5);
    agree = bench(op_agree, &b, 11, 101, 1.5);
    vstream_printf("  %-8s p %4d bits, exponent %4d bits: "
		   "generation %8.3f ms, agreement %8.3f ms\n",
		   b.group->name, (int) b.group->plen * 8, b.group->exp_bits,
		   MS(gen), MS(agree));
    xc_keypair_wipe(&b.mine);
    xc_keypair_wipe(&b.peer);
}

/* bench_suite - the Table 3 rows and the rest for one suite */

static void bench_suite(const XC_SUITE *suite)
{
    BCTX    b;
    double  gen, agree, kdf, setup, client, server, mean, tput, hit, miss;
    double  client_hit;
    int     i;

    memset((void *) &b, 0, sizeof(b));
    b.suite = suite;
    b.group = xc_group(suite->group);
    check(xc_dh_generate(b.group->id, &b.mine) == XC_OK
	  && xc_dh_generate(b.group->id, &b.peer) == XC_OK, "xc_dh_generate");
    check(xc_random(b.na, sizeof(b.na)) == XC_OK
	  && xc_random(b.nb, sizeof(b.nb)) == XC_OK, "xc_random");
    check(xc_dh_shared(&b.mine, b.peer.pub, b.group->plen, b.z) == XC_OK,
	  "xc_dh_shared");
    check(xc_kdf(suite, b.z, b.group->plen, b.na, b.nb, &b.keys) == XC_OK,
	  "xc_kdf");

    vstream_printf("\nsuite %s (group %s, %d-bit p, %d-bit exponent)\n",
		   suite->name, b.group->name, (int) b.group->plen * 8,
		   b.group->exp_bits);
    vstream_printf("  %-44s %18s %10s\n", "", "this machine", "paper 1999");

    gen = bench(op_keygen, &b, 11, 101, 1.5);
    row("DH key generation", MS(gen), "ms", PAPER_NA);
    agree = bench(op_agree, &b, 11, 101, 1.5);
    row("DH key agreement (shared value Z)", MS(agree), "ms", PAPER_NA);
    kdf = bench(op_kdf, &b, 101, 4001, 0.5);
    row("key derivation", US(kdf), "us", PAPER_NA);
    setup = bench(op_setup, &b, 101, 4001, 0.5);
    row("cipher key setup (both directions)", US(setup), "us", PAPER_NA);
    client = bench(op_side, &b, 11, 51, 1.5);
    row("key setup, client side (all of the above)", MS(client), "ms",
	PAPER_NA);
    server = bench(op_side, &b, 11, 51, 1.5);
    row("key setup, server side (all of the above)", MS(server), "ms",
	PAPER_NA);
    row("two key setups (client + server)", MS(client + server), "ms",
	PAPER_NA);

    b.msg = (unsigned char *) mymalloc(TPUT_LEN);
    b.out = (unsigned char *) mymalloc(XC_REC_MAX > TPUT_LEN ?
				       XC_REC_MAX : TPUT_LEN);
    check(xc_random(b.msg, TPUT_LEN) == XC_OK, "xc_random");
    enc_cipher = xc_cipher_create(suite, b.keys.c2s);
    check(enc_cipher != 0, "xc_cipher_create");
    b.len = MEAN_MESSAGE;
    mean = bench(op_encrypt, &b, 101, 2001, 0.5);
    row("encryption of the mean message (14671 oct.)", US(mean), "us",
	PAPER_NA);
    b.len = TPUT_LEN;
    tput = bench(op_encrypt, &b, 11, 201, 1.0);
    row("throughput (cipher API, 1 MiB)", MBPS((double) TPUT_LEN, tput),
	"MB/s", PAPER_NA);
    xc_cipher_free(enc_cipher);

    /*
     * Cache: one peer whose Z the memory cache already holds (hit), and a
     * few peers never seen before (miss) as the baseline of this run.
     */
    b.cache = xc_cache_open("", 0);
    b.hello.suite = suite;
    memcpy(b.hello.pub, b.peer.pub, b.group->plen);
    b.hello.publen = b.group->plen;
    b.hello.noncelen = suite->nonce_len;
    check(xc_random(b.hello.nonce, suite->nonce_len) == XC_OK, "xc_random");
    b.nhellos = quick ? 3 : 15;
    b.hellos = (XC_HELLO *) mymalloc(b.nhellos * sizeof(XC_HELLO));
    for (i = 0; i < b.nhellos; i++) {
	XC_KEYPAIR kp;

	check(xc_dh_generate(b.group->id, &kp) == XC_OK, "xc_dh_generate");
	b.hellos[i] = b.hello;
	memcpy(b.hellos[i].pub, kp.pub, b.group->plen);
	xc_keypair_wipe(&kp);
    }
    /* The first handshake with this peer computes Z and stores it. */
    {
	XC_SESSION s;

	check(xc_session_start(&s, b.cache, suite, XC_ROLE_SERVER) == XC_OK
	      && xc_session_finish(&s, b.cache, &b.hello) == XC_OK,
	      "xc_session_finish (first)");
	xc_session_wipe(&s);
    }
    hit = bench(op_hit, &b, 101, 4001, 0.5);

    /*
     * The client's steps, as xcrypt-smtp runs them (lib/xc_client.c),
     * toward a server whose public value the cache already knows.
     */
    check(xc_format_hello_reply(b.reply, sizeof(b.reply), suite, b.peer.pub,
				b.hello.nonce) > 4, "xc_format_hello_reply");
    memmove(b.reply, b.reply + 4, strlen(b.reply + 4) + 1);
    client_hit = bench(op_client_hit, &b, 101, 4001, 0.5);
    b.next_hello = 0;				/* warm-up #0, timed the rest */
    miss = bench(op_miss, &b, b.nhellos - 1, b.nhellos - 1, 10.0);
    vstream_printf("  %-44s %12.3f %-5s %10s  %s\n",
		   "handshake, cache hit (session start+finish)", US(hit),
		   "us", PAPER_NA, US(hit) < HIT_TARGET_US ?
		   "(target < 50 us: met)" : "(target < 50 us: MISSED)");
    vstream_printf("  %-44s %12.3f %-5s %10s  hit/miss ratio %.4f\n",
		   "handshake, cache miss (same run)", US(miss), "us",
		   PAPER_NA, hit / miss);
    row("handshake, client side, cache hit (xc_client)", US(client_hit),
	"us", PAPER_NA);
    xc_cache_close(b.cache);
    myfree((void *) b.hellos);
    myfree((void *) b.msg);
    myfree((void *) b.out);

    stream_vs_raw(suite, 0);
    stream_vs_raw(suite, 1);

    xc_keypair_wipe(&b.mine);
    xc_keypair_wipe(&b.peer);
    xc_keys_wipe(&b.keys);
    explicit_bzero(b.z, sizeof(b.z));
    vstream_fflush(VSTREAM_OUT);
}

int     main(int argc, char **argv)
{
    int     ch;
    int     i;
    double  t0 = now_s();

    msg_vstream_init(argv[0], VSTREAM_ERR);
    signal(SIGPIPE, SIG_IGN);
    while ((ch = getopt(argc, argv, "q")) > 0) {
	switch (ch) {
	case 'q':
	    quick = 1;
	    break;
	default:
	    msg_fatal("usage: %s [-q]", argv[0]);
	}
    }
    xc_init();

    vstream_printf("xcrypt-bench: Table 3 of ssmail (Bentley, Rose, Whalen, "
		   "LISA 1999), on this machine\n");
    vstream_printf("medians of repeated runs, CLOCK_MONOTONIC; MB = 10^6 "
		   "octets; paper 1999 column: n/a = figure not available\n");
    vstream_printf("\nDiffie-Hellman per group (g = 2)\n");
    for (i = 0; i < XC_GROUP_COUNT; i++)
	bench_group(i);
    vstream_fflush(VSTREAM_OUT);
    for (i = 0; i < XC_SUITE_COUNT; i++)
	bench_suite(xc_suite(i));
    vstream_printf("\ntotal bench time %.1f s%s\n", now_s() - t0,
		   failures ? ", WITH LIBRARY FAILURES" : "");
    vstream_fflush(VSTREAM_OUT);
    return (failures ? 1 : 0);
}
