/*++
/* NAME
/*	xcrypt-bench 1
/* SUMMARY
/*	XCRYPT cost figures, after Table 3 of the ssmail paper
/* SYNOPSIS
/*	xcrypt-bench [-q] [-r]
/* DESCRIPTION
/*	xcrypt-bench measures on this machine, for every suite, what
/*	Table 3 of "ssmail: Opportunistic Encryption in sendmail"
/*	(Bentley, Rose, Whalen; LISA 1999) reports for 1999 hardware:
/* .IP "DH key generation"
/*	a fresh key pair, g^x mod p, with the suite's exponent size.
/* .IP "DH key agreement"
/*	the shared value Z = y^x mod p.
/* .IP "key derivation"
/*	xc_kdf(): SHA-1 (suites 1.0) or HKDF-SHA-256 (2.0, 2.1): the
/*	paper's "key generation (SHA-1 over Z and both nonces)".
/* .IP "cipher key setup"
/*	xc_cipher_create() for both directions: the paper's "two key
/*	setups (one per direction)".
/* .IP "key setup, client side / server side"
/*	what one party computes per handshake without any cache: a new
/*	pair, Z, the keys, both cipher states; their sum is the
/*	computing cost of one uncached handshake.
/* .IP "encryption of the mean message"
/*	14,671 octets (the paper's mean message size) through the
/*	suite's cipher (AEAD: in records, as on the wire).
/* .IP "total"
/*	key derivation + cipher key setup + encryption of the mean
/*	message, as the paper's total.
/* .IP "speed"
/*	the mean message over its encryption time, in MB/s (10^6 octets
/*	per second), as the paper's speed row.
/* .IP "throughput"
/*	MB/s of the cipher API over 1 MiB.
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
/*	The "paper 1999" column holds the paper's figures, compiled in
/*	(../shared/PAPER-FIGURES.md): Table 3 (Pentium Pro 233 MHz, gcc
/*	-O3, Linux 2.0.33) for arrsyfor_1.0 and, in its t32 column, for
/*	sober128_1.0 (SOBER-128 stands in for t32, spec 6.2); the text's
/*	0.3387 s per Diffie-Hellman computation in the 768-bit group.
/*	"n/a" marks a row the paper has no figure for (the 2.x suites
/*	did not exist). The last column is the paper's figure over
/*	today's (how many times faster this machine is), or today's over
/*	the paper's for rates.
/*
/*	The cache-savings replay drives the lib's key cache (the real
/*	xc_cache code, in memory, with a simulated clock through
/*	xc_cache_set_clock()) through the paper's trace model: 1,322
/*	messages over 372.6 hours, 994 of them from one hub, 328 from
/*	hosts that each send once, key pairs replaced every 2 hours by
/*	both the hub and this server. Arrival times are drawn uniformly
/*	from a fixed seed, so every run replays the same trace. It
/*	prints the receiving server's DH computations (cache misses)
/*	beside the paper's 515 ("the cache saved over 60%"), with the
/*	768-bit group of 1999 and then with today's defaults (the group
/*	of the first suite of the default xcrypt_smtpd_suites and the
/*	default xcrypt_key_lifetime), and the DH time per message.
/*
/*	Option -q: fewer repetitions, for a smoke test. Option -r: the
/*	cache-savings replay only.
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

/* Global library. */

#include <conv_time.h>

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
static int replay_only;			/* -r */
static int failures;

 /*
  * The paper's figures: facts from "ssmail: Opportunistic Encryption in
  * sendmail" (Bentley, Rose, Whalen, 13th LISA, 1999) as quoted in
  * ../shared/PAPER-FIGURES.md, the 1999 column. Table 3: CPU time in
  * microseconds on a COMPAQ DeskPro, Pentium Pro 233 MHz, gcc -O3, Linux
  * 2.0.33, per message of the mean size (14,671 octets); columns arrsyfor
  * (RC4) and t32, whose place sober128_1.0 takes (spec 6.2). A negative
  * value: the paper has no such figure.
  */
#define PAPER_NONE	(-1.0)

typedef struct PAPER_T3 {
    double  kdf_us;			/* key generation (SHA-1 over Z, Na, Nb) */
    double  setup_us;			/* two key setups (one per direction) */
    double  enc_us;			/* message encryption (14,671 octets) */
    double  total_us;			/* total */
    double  mbps;			/* speed, MB/s */
} PAPER_T3;

static const PAPER_T3 paper_t3[XC_SUITE_COUNT] = {
    [XC_SUITE_ARRSYFOR] = {22.12, 127.6, 1640, 1790, 8.947},
    [XC_SUITE_SOBER128] = {22.12, 6.06, 1213, 1241, 12.09},
    [XC_SUITE_CHACHA] = {PAPER_NONE, PAPER_NONE, PAPER_NONE, PAPER_NONE,
    PAPER_NONE},
    [XC_SUITE_CHACHA21] = {PAPER_NONE, PAPER_NONE, PAPER_NONE, PAPER_NONE,
    PAPER_NONE},
};

 /*
  * The text: one Diffie-Hellman computation of the shared secret in the
  * 768-bit group with a 768-bit exponent took 0.3387 s on the same Pentium
  * Pro. The trace: 1,322 messages over 372.6 hours, 994 from one corporate
  * hub, 328 from other hosts (assumed to miss the cache), key pair replaced
  * every 2 hours: 515 DH computations ("the cache saved over 60%"), 0.1317
  * s of DH per message on average.
  */
#define PAPER_DH_768_MS		338.7
#define PAPER_TRACE_HOURS	372.6
#define PAPER_TRACE_HUB		994
#define PAPER_TRACE_OTHERS	328
#define PAPER_TRACE_LIFETIME	(2 * 3600)
#define PAPER_TRACE_DH		515
#define PAPER_TRACE_DH_PER_MSG_S 0.1317

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

/* row - one line of the table: today, the paper, paper/today */

static void row(const char *label, double value, const char *unit,
		        double paper)
{
    if (paper < 0)
	vstream_printf("  %-44s %12.3f %-5s %10s\n", label, value, unit, "n/a");
    else if (strcmp(unit, "MB/s") == 0)
	vstream_printf("  %-44s %12.3f %-5s %10.4g  x%.0f\n", label, value,
		       unit, paper, value / paper);
    else
	vstream_printf("  %-44s %12.3f %-5s %10.4g  x%.0f\n", label, value,
		       unit, paper, paper / value);
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
    case XC_SUITE_CHACHA21:
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
    default:
	msg_panic("raw_run: no raw primitive for suite %s", r->suite->name);
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

 /*
  * The cache-savings replay: a simulated clock for xc_cache(3).
  */
static time_t replay_now;

/* replay_clock - the simulated time */

static time_t replay_clock(void)
{
    return (replay_now);
}

 /*
  * Today's defaults: the first suite of xcrypt-smtpd's default suite list
  * (DEF_XSD_SUITES in xcrypt-smtpd/xcrypt_smtpd.h), and the default key
  * lifetime (DEF_XC_KEY_LIFETIME).
  */
#define TODAY_SUITE	"chacha20poly1305_2.1"

typedef struct REPLAY_MSG {
    double  hour;			/* arrival, hours from the start */
    int     hub;			/* from the hub, or a one-time host */
} REPLAY_MSG;

/* replay_cmp - by arrival time */

static int replay_cmp(const void *a, const void *b)
{
    double  x = ((const REPLAY_MSG *) a)->hour;
    double  y = ((const REPLAY_MSG *) b)->hour;

    return (x < y ? -1 : x > y);
}

/* replay_trace - the paper's trace model, from a fixed seed */

static REPLAY_MSG *replay_trace(int *count)
{
    int     n = PAPER_TRACE_HUB + PAPER_TRACE_OTHERS;
    REPLAY_MSG *m = (REPLAY_MSG *) mymalloc(n * sizeof(*m));
    uint64_t x = 0x5eedULL;
    int     i;

    /*
     * Arrival times uniform over the trace (xorshift64*, fixed seed, so that
     * every run replays the same trace); the paper gives only the counts.
     */
    for (i = 0; i < n; i++) {
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m[i].hour = PAPER_TRACE_HOURS
	    * (double) ((x * 0x2545F4914F6CDD1DULL) >> 11) / (double) (1ULL << 53);
	m[i].hub = (i < PAPER_TRACE_HUB);
    }
    qsort(m, n, sizeof(*m), replay_cmp);
    *count = n;
    return (m);
}

/* replay - one run of the trace through the real cache code */

static void replay(const char *label, int gid, int lifetime)
{
    const XC_GROUP *g = xc_group(gid);
    REPLAY_MSG *m;
    XC_CACHE *srv;
    XC_CACHE *hub;
    XC_KEYPAIR spair;
    XC_KEYPAIR hpair;
    XC_KEYPAIR once;
    XC_CACHE_STATS sst;
    XC_CACHE_STATS hst;
    unsigned char z[XC_PMAX];
    const unsigned char *pub;
    int     n;
    int     i;
    int     hit;
    int     dh = 0;
    int     dh_hub = 0;
    double  dh_s = 0;
    double  t0;
    double  saved;

    /*
     * This server and the hub each keep their pair in a cache of their own
     * (memory caches: the same code as the tdb file); both replace their
     * pairs after the lifetime, when next used. Every one-time host brings
     * a fresh public value. A DH computation of the server is a cache miss
     * of xc_cache_shared(); only those are timed.
     */
    m = replay_trace(&n);
    replay_now = 946684800;			/* 2000-01-01, any start will do */
    xc_cache_set_clock(replay_clock);
    srv = xc_cache_open("", lifetime);
    hub = xc_cache_open("", lifetime);
    for (i = 0; i < n; i++) {
	replay_now = 946684800 + (time_t) (m[i].hour * 3600);
	check(xc_cache_keypair(srv, gid, &spair) == XC_OK, "xc_cache_keypair");
	if (m[i].hub) {
	    check(xc_cache_keypair(hub, gid, &hpair) == XC_OK,
		  "xc_cache_keypair");
	    pub = hpair.pub;
	    check(xc_cache_shared(hub, &hpair, spair.pub, g->plen, z,
				  &hit) == XC_OK, "xc_cache_shared (hub)");
	} else {
	    check(xc_dh_generate(gid, &once) == XC_OK, "xc_dh_generate");
	    pub = once.pub;
	}
	t0 = now_s();
	check(xc_cache_shared(srv, &spair, pub, g->plen, z, &hit) == XC_OK,
	      "xc_cache_shared");
	if (!hit) {
	    dh_s += now_s() - t0;
	    dh++;
	    dh_hub += m[i].hub;
	}
    }
    check(xc_cache_stats(srv, &sst) == XC_OK && xc_cache_stats(hub, &hst) == XC_OK,
	  "xc_cache_stats");
    xc_cache_close(srv);
    xc_cache_close(hub);
    xc_cache_set_clock((time_t (*) (void)) 0);
    xc_keypair_wipe(&spair);
    xc_keypair_wipe(&hpair);
    xc_keypair_wipe(&once);
    zeromem(z, sizeof(z));
    myfree((void *) m);

    saved = 100.0 * (1.0 - (double) dh / n);
    vstream_printf("  %s: group %s, key lifetime %ds\n", label, g->name,
		   lifetime);
    vstream_printf("    %-42s %6d (hub %d, one-time hosts %d)   paper %d\n",
		   "DH computations of the receiving server", dh, dh_hub,
		   dh - dh_hub, PAPER_TRACE_DH);
    vstream_printf("    %-42s %5.1f%%   paper %.1f%% (\"over 60%%\")  ratio %.3f\n",
		   "saved by the cache", saved,
		   100.0 * (1.0 - (double) PAPER_TRACE_DH / n),
		   (double) dh / PAPER_TRACE_DH);
    vstream_printf("    %-42s server %lu, hub %lu   (paper: 187 epochs)\n",
		   "key pairs generated", sst.rotations, hst.rotations);
    vstream_printf("    %-42s %.6f s   paper %.4f s   x%.0f\n",
		   "DH time per message (this machine)", dh_s / n,
		   PAPER_TRACE_DH_PER_MSG_S, PAPER_TRACE_DH_PER_MSG_S / (dh_s / n));
}

/* bench_replay - the paper's trace, then today's defaults */

static void bench_replay(void)
{
    const XC_SUITE *today = xc_suite_find(TODAY_SUITE, strlen(TODAY_SUITE));
    int     lifetime;

    if (today == 0)
	msg_panic("no suite %s", TODAY_SUITE);
    if (!conv_time(DEF_XC_KEY_LIFETIME, &lifetime, 's'))
	msg_panic("bad default %s: %s", VAR_XC_KEY_LIFETIME, DEF_XC_KEY_LIFETIME);
    vstream_printf("\ncache-savings replay: the paper's trace model, %d"
		   " messages over %.1f h (%d from one hub, %d from hosts"
		   " that send once), real xc_cache code, simulated clock\n",
		   PAPER_TRACE_HUB + PAPER_TRACE_OTHERS, PAPER_TRACE_HOURS,
		   PAPER_TRACE_HUB, PAPER_TRACE_OTHERS);
    replay("as in 1999", XC_GROUP_OAKLEY1, PAPER_TRACE_LIFETIME);
    replay("today's defaults (" TODAY_SUITE ")", today->group, lifetime);
    vstream_fflush(VSTREAM_OUT);
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
		   "generation %8.3f ms, agreement %8.3f ms",
		   b.group->name, (int) b.group->plen * 8, b.group->exp_bits,
		   MS(gen), MS(agree));
    if (gid == XC_GROUP_OAKLEY1)
	vstream_printf(" (paper 1999: agreement %.1f ms, x%.0f)",
		       PAPER_DH_768_MS, PAPER_DH_768_MS / MS(agree));
    vstream_printf("\n");
    xc_keypair_wipe(&b.mine);
    xc_keypair_wipe(&b.peer);
}

/* bench_suite - the Table 3 rows and the rest for one suite */

static void bench_suite(const XC_SUITE *suite)
{
    BCTX    b;
    double  gen, agree, kdf, setup, client, server, mean, tput, hit, miss;
    const PAPER_T3 *t3 = paper_t3 + suite->id;
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
    vstream_printf("  %-44s %18s %10s  %s\n", "", "this machine",
		   "paper 1999", "x faster");

    gen = bench(op_keygen, &b, 11, 101, 1.5);
    row("DH key generation", MS(gen), "ms", PAPER_NONE);
    agree = bench(op_agree, &b, 11, 101, 1.5);
    row("DH key agreement (shared value Z)", MS(agree), "ms",
	b.group->id == XC_GROUP_OAKLEY1 ? PAPER_DH_768_MS : PAPER_NONE);
    kdf = bench(op_kdf, &b, 101, 4001, 0.5);
    row("key derivation (paper: key generation)", US(kdf), "us", t3->kdf_us);
    setup = bench(op_setup, &b, 101, 4001, 0.5);
    row("cipher key setup, both directions", US(setup), "us", t3->setup_us);
    client = bench(op_side, &b, 11, 51, 1.5);
    row("key setup, client side (DH, KDF, ciphers)", MS(client), "ms",
	PAPER_NONE);
    server = bench(op_side, &b, 11, 51, 1.5);
    row("key setup, server side (DH, KDF, ciphers)", MS(server), "ms",
	PAPER_NONE);
    row("uncached handshake work, client + server", MS(client + server),
	"ms", PAPER_NONE);

    b.msg = (unsigned char *) mymalloc(TPUT_LEN);
    b.out = (unsigned char *) mymalloc(XC_REC_MAX > TPUT_LEN ?
				       XC_REC_MAX : TPUT_LEN);
    check(xc_random(b.msg, TPUT_LEN) == XC_OK, "xc_random");
    enc_cipher = xc_cipher_create(suite, b.keys.c2s);
    check(enc_cipher != 0, "xc_cipher_create");
    b.len = MEAN_MESSAGE;
    mean = bench(op_encrypt, &b, 101, 2001, 0.5);
    row("encryption of the mean message (14671 oct.)", US(mean), "us",
	t3->enc_us);
    row("total (derivation + key setups + encryption)",
	US(kdf + setup + mean), "us", t3->total_us);
    row("speed (mean message / its encryption)",
	MBPS((double) MEAN_MESSAGE, mean), "MB/s", t3->mbps);
    b.len = TPUT_LEN;
    tput = bench(op_encrypt, &b, 11, 201, 1.0);
    row("throughput (cipher API, 1 MiB)", MBPS((double) TPUT_LEN, tput),
	"MB/s", PAPER_NONE);
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
		   "us", "n/a", US(hit) < HIT_TARGET_US ?
		   "(target < 50 us: met)" : "(target < 50 us: MISSED)");
    vstream_printf("  %-44s %12.3f %-5s %10s  hit/miss ratio %.4f\n",
		   "handshake, cache miss (same run)", US(miss), "us",
		   "n/a", hit / miss);
    row("handshake, client side, cache hit (xc_client)", US(client_hit),
	"us", PAPER_NONE);
    xc_cache_close(b.cache);
    myfree((void *) b.hellos);
    myfree((void *) b.msg);
    myfree((void *) b.out);

    stream_vs_raw(suite, 0);
    stream_vs_raw(suite, 1);

    xc_keypair_wipe(&b.mine);
    xc_keypair_wipe(&b.peer);
    xc_keys_wipe(&b.keys);
    zeromem(b.z, sizeof(b.z));
    vstream_fflush(VSTREAM_OUT);
}

int     main(int argc, char **argv)
{
    int     ch;
    int     i;
    double  t0 = now_s();

    msg_vstream_init(argv[0], VSTREAM_ERR);
    signal(SIGPIPE, SIG_IGN);
    while ((ch = getopt(argc, argv, "qr")) > 0) {
	switch (ch) {
	case 'q':
	    quick = 1;
	    break;
	case 'r':
	    replay_only = 1;
	    break;
	default:
	    msg_fatal("usage: %s [-q] [-r]", argv[0]);
	}
    }
    xc_init();
    if (replay_only) {
	bench_replay();
	return (failures ? 1 : 0);
    }

    vstream_printf("xcrypt-bench: Table 3 of ssmail (Bentley, Rose, Whalen, "
		   "LISA 1999), on this machine\n");
    vstream_printf("medians of repeated runs, CLOCK_MONOTONIC; MB = 10^6 "
		   "octets; paper 1999 column: Pentium Pro 233 MHz (t32 column "
		   "for sober128_1.0), n/a = no figure\n");
    vstream_printf("\nDiffie-Hellman per group (g = 2)\n");
    for (i = 0; i < XC_GROUP_COUNT; i++)
	bench_group(i);
    vstream_fflush(VSTREAM_OUT);
    for (i = 0; i < XC_SUITE_COUNT; i++)
	bench_suite(xc_suite(i));
    bench_replay();
    vstream_printf("\ntotal bench time %.1f s%s\n", now_s() - t0,
		   failures ? ", WITH LIBRARY FAILURES" : "");
    vstream_fflush(VSTREAM_OUT);
    return (failures ? 1 : 0);
}
