/*++
/* NAME
/*	t_stream 1
/* SUMMARY
/*	unit tests of the XCRYPT VSTREAM layer
/* SYNOPSIS
/*	t_stream
/* DESCRIPTION
/*	Runs xc_stream(3) over socketpairs: one end is a VSTREAM with
/*	XCRYPT switched on, the other a raw descriptor on which the test
/*	looks at (or forges) the octets on the wire.
/*
/*	Pinned behaviour: the worked examples of spec section 9
/*	(t_spec9.h) in both roles and both directions, in one piece and
/*	in odd pieces; the injection rule; tampered, truncated and empty
/*	AEAD records; one record per flush; large transfers in both
/*	directions; timeouts; refusal of all I/O after a failure and
/*	after xc_stream_stop().
/*
/*	Each check prints "PASS name" or "FAIL name: detail".
/*--*/

/* checks: 110 */

/* System library. */

#include <sys_defs.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <msg_vstream.h>
#include <mymalloc.h>
#include <iostuff.h>
#include <vstream.h>

/* Crypto library. */

#include <tomcrypt.h>

/* Application-specific. */

#include <xcrypt.h>
#include "t_check.h"
#include "t_spec9.h"

#define C2S_TEXT	T_SPEC9_C2S_TEXT	/* plaintexts of the examples */
#define S2C_TEXT	T_SPEC9_S2C_TEXT

#define STREAM_TIMEOUT	10

 /*
  * Check name prefix of each example of t_spec9.h (spec section 9). The
  * leading-zero example gives no wire bytes: its expected wire is computed
  * with libtomcrypt's RC4.
  */
static const char *example_labels[T_SPEC9_COUNT] = {
    "arrsyfor", "sober128", "chacha", "arrsyfor_leading_zero",
};

 /*
  * One example, decoded.
  */
typedef struct VEC {
    const T_SPEC9 *ex;
    const char *label;			/* check name prefix */
    const XC_SUITE *suite;
    XC_KEYS keys;			/* from the spec text */
    unsigned char c2s_wire[256];
    size_t  c2s_wire_len;
    unsigned char s2c_wire[256];
    size_t  s2c_wire_len;
} VEC;

static const size_t pieces[] = {1, 7, 13};	/* then the rest */

/* hex2bin - decode hex, return the octet count */

static size_t hex2bin(const char *hex, unsigned char *out, size_t outsize)
{
    size_t  n;
    unsigned int v;

    for (n = 0; hex[2 * n] && hex[2 * n + 1]; n++) {
	if (n >= outsize || sscanf(hex + 2 * n, "%2x", &v) != 1)
	    msg_fatal("hex2bin: bad test vector");
	out[n] = v;
    }
    return (n);
}

/* rc4_wire - what RC4 with this key makes of the text (independent check) */

static size_t rc4_wire(const unsigned char *key, const char *text,
		               unsigned char *out)
{
    rc4_state st;
    size_t  len = strlen(text);

    if (rc4_stream_setup(&st, key, 10) != CRYPT_OK
	|| rc4_stream_crypt(&st, (const unsigned char *) text, len, out) != CRYPT_OK)
	msg_fatal("rc4_wire: libtomcrypt failure");
    rc4_stream_done(&st);
    return (len);
}

/* vec_load - decode an example */

static void vec_load(VEC *v, const T_SPEC9 *ex, const char *label)
{
    memset((void *) v, 0, sizeof(*v));
    v->ex = ex;
    v->label = label;
    if ((v->suite = xc_suite_find(ex->suite, strlen(ex->suite))) == 0)
	msg_fatal("no suite %s", ex->suite);
    v->keys.key_len = hex2bin(ex->c2s_key, v->keys.c2s, sizeof(v->keys.c2s));
    hex2bin(ex->s2c_key, v->keys.s2c, sizeof(v->keys.s2c));
    if (ex->c2s_wire) {
	v->c2s_wire_len = hex2bin(ex->c2s_wire, v->c2s_wire, sizeof(v->c2s_wire));
	v->s2c_wire_len = hex2bin(ex->s2c_wire, v->s2c_wire, sizeof(v->s2c_wire));
    } else {
	v->c2s_wire_len = rc4_wire(v->keys.c2s, C2S_TEXT, v->c2s_wire);
	v->s2c_wire_len = rc4_wire(v->keys.s2c, S2C_TEXT, v->s2c_wire);
    }
}

/* read_exact - read n octets from a raw descriptor, give up after ms */

static size_t read_exact(int fd, unsigned char *buf, size_t n, int ms)
{
    struct pollfd pfd;
    size_t  got = 0;
    ssize_t r;

    while (got < n) {
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) <= 0)
	    break;
	if ((r = read(fd, buf + got, n - got)) <= 0)
	    break;
	got += r;
    }
    return (got);
}

/* raw_pending - octets the raw end can read within ms (0 = silence) */

static ssize_t raw_pending(int fd, int ms)
{
    struct pollfd pfd;
    unsigned char buf[4096];

    pfd.fd = fd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, ms) <= 0)
	return (0);
    return (recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
}

/* get_line - read one line with its CRLF, null on EOF or error */

static char *get_line(char *buf, size_t size, VSTREAM *sp)
{
    size_t  n = 0;
    int     ch;

    while (n + 1 < size && (ch = VSTREAM_GETC(sp)) != VSTREAM_EOF) {
	buf[n++] = ch;
	if (ch == '\n')
	    break;
    }
    buf[n] = 0;
    return (n > 0 && buf[n - 1] == '\n' ? buf : 0);
}

/* write_all - raw write */

static void write_all(int fd, const unsigned char *buf, size_t len)
{
    ssize_t n;

    while (len > 0) {
	if ((n = write(fd, buf, len)) <= 0)
	    msg_fatal("write: %m");
	buf += n;
	len -= n;
    }
}

/* open_pair - socketpair: *sp a VSTREAM (not yet switched), *raw the peer */

static VSTREAM *open_pair(int *raw)
{
    int     sv[2];
    VSTREAM *sp;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
	msg_fatal("socketpair: %m");
    sp = vstream_fdopen(sv[0], O_RDWR);
    vstream_control(sp, CA_VSTREAM_CTL_TIMEOUT(STREAM_TIMEOUT),
		    CA_VSTREAM_CTL_END);
    *raw = sv[1];
    return (sp);
}

/* open_xcrypt - socketpair with XCRYPT on in the given role */

static VSTREAM *open_xcrypt(const VEC *v, int role, int *raw)
{
    VSTREAM *sp = open_pair(raw);
    ssize_t ret;

    if ((ret = xc_stream_start(sp, v->suite, &v->keys, role)) != 0)
	msg_fatal("xc_stream_start: %ld", (long) ret);
    return (sp);
}

/* close_xcrypt - stop and close both ends */

static void close_xcrypt(VSTREAM *sp, int raw)
{
    xc_stream_stop(sp);
    (void) vstream_fclose(sp);
    if (raw >= 0)
	close(raw);
}

/* slow_writer - child: write raw octets in odd pieces, with pauses */

static pid_t slow_writer(int fd, const unsigned char *buf, size_t len)
{
    pid_t   pid;
    size_t  i;
    size_t  n;

    if ((pid = fork()) < 0)
	msg_fatal("fork: %m");
    if (pid == 0) {
	for (i = 0; len > 0; i++) {
	    n = i < 3 ? pieces[i] : len;
	    if (n > len)
		n = len;
	    write_all(fd, buf, n);
	    buf += n;
	    len -= n;
	    usleep(20000);
	}
	_exit(0);
    }
    return (pid);
}

/* child_ok - reap a child, non-zero if it exited 0 */

static int child_ok(pid_t pid)
{
    int     status;

    if (waitpid(pid, &status, 0) != pid)
	return (0);
    return (WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* name - test name from parts */

static const char *name(const VEC *v, const char *role, const char *what)
{
    static char buf[256];

    snprintf(buf, sizeof(buf), "%s_%s_%s", v->label, role, what);
    return (buf);
}

/* test_kdf - xc_kdf() reproduces the example keys */

static void test_kdf(const VEC *v)
{
    unsigned char z[XC_PMAX];
    unsigned char na[XC_NONCE_MAX];
    unsigned char nb[XC_NONCE_MAX];
    size_t  zlen;
    XC_KEYS keys;
    int     ret;

    zlen = hex2bin(v->ex->z, z, sizeof(z));
    hex2bin(v->ex->na, na, sizeof(na));
    hex2bin(v->ex->nb, nb, sizeof(nb));
    memset((void *) &keys, 0, sizeof(keys));
    ret = xc_kdf(v->suite, z, zlen, na, nb, &keys);
    T_CHECKF(name(v, "kdf", "keys_match_spec"),
	     ret == XC_OK && keys.key_len == v->keys.key_len
	     && memcmp(keys.c2s, v->keys.c2s, keys.key_len) == 0
	     && memcmp(keys.s2c, v->keys.s2c, keys.key_len) == 0,
	     "ret=%d key_len=%lu", ret, (unsigned long) keys.key_len);
}

/* test_send - write the plaintext, compare the wire with the spec */

static void test_send(const VEC *v, int role, int piecewise)
{
    const char *text = role == XC_ROLE_CLIENT ? C2S_TEXT : S2C_TEXT;
    const unsigned char *want = role == XC_ROLE_CLIENT ? v->c2s_wire : v->s2c_wire;
    size_t  want_len = role == XC_ROLE_CLIENT ? v->c2s_wire_len : v->s2c_wire_len;
    size_t  len = strlen(text);
    unsigned char got[512];
    size_t  got_len;
    ssize_t extra;
    size_t  off;
    size_t  n;
    size_t  i;
    VSTREAM *sp;
    int     raw;
    int     ok = 1;

    sp = open_xcrypt(v, role, &raw);
    if (!piecewise) {
	ok = vstream_fwrite(sp, text, len) == len && vstream_fflush(sp) == 0;
    } else {

	/*
	 * Keystream suites: every piece its own flush; the keystream must go
	 * on where it stopped. AEAD: pieces buffered, one flush, one record.
	 */
	for (i = 0, off = 0; off < len; i++, off += n) {
	    n = i < 3 && pieces[i] < len - off ? pieces[i] : len - off;
	    if (vstream_fwrite(sp, text + off, n) != n)
		ok = 0;
	    if (!v->suite->aead && vstream_fflush(sp) != 0)
		ok = 0;
	}
	if (v->suite->aead && vstream_fflush(sp) != 0)
	    ok = 0;
    }
    got_len = read_exact(raw, got, want_len, 2000);
    extra = raw_pending(raw, 50);
    T_CHECKF(name(v, role == XC_ROLE_CLIENT ? "client" : "server",
		  piecewise ? "sends_spec_wire_bytes_piecewise" :
		  "sends_spec_wire_bytes"),
	     ok && got_len == want_len && memcmp(got, want, want_len) == 0
	     && extra == 0,
	     "write ok=%d got %lu octets of %lu, %ld extra",
	     ok, (unsigned long) got_len, (unsigned long) want_len,
	     (long) extra);
    close_xcrypt(sp, raw);
}

/* test_recv - forge the spec wire, read the plaintext */

static void test_recv(const VEC *v, int role, int piecewise)
{
    const char *text = role == XC_ROLE_CLIENT ? S2C_TEXT : C2S_TEXT;
    const unsigned char *wire = role == XC_ROLE_CLIENT ? v->s2c_wire : v->c2s_wire;
    size_t  wire_len = role == XC_ROLE_CLIENT ? v->s2c_wire_len : v->c2s_wire_len;
    size_t  len = strlen(text);
    char    got[512];
    size_t  off;
    size_t  n;
    size_t  i;
    VSTREAM *sp;
    int     raw;
    int     ok = 1;
    pid_t   pid = 0;

    sp = open_xcrypt(v, role, &raw);
    if (!piecewise) {
	write_all(raw, wire, wire_len);
	ok = vstream_fread(sp, got, len) == len;
    } else {
	pid = slow_writer(raw, wire, wire_len);
	for (i = 0, off = 0; off < len; i++, off += n) {
	    n = i < 3 && pieces[i] < len - off ? pieces[i] : len - off;
	    if (vstream_fread(sp, got + off, n) != n) {
		ok = 0;
		break;
	    }
	}
	ok = child_ok(pid) && ok;
    }
    T_CHECKF(name(v, role == XC_ROLE_CLIENT ? "client" : "server",
		  piecewise ? "reads_spec_wire_bytes_piecewise" :
		  "reads_spec_wire_bytes"),
	     ok && memcmp(got, text, len) == 0,
	     "read ok=%d", ok);
    close_xcrypt(sp, raw);
}

/* switch_after_ok - server side: read "XCRYPT OK" and what follows, switch */

static ssize_t switch_after_ok(VSTREAM *sp, int raw, const char *pre,
			               const VEC *v)
{
    char    line[100];

    write_all(raw, (const unsigned char *) pre, strlen(pre));
    if (get_line(line, sizeof(line), sp) == 0)
	msg_fatal("get_line");
    /* The server switches right after the CRLF of "XCRYPT OK". */
    return (xc_stream_start(sp, v->suite, &v->keys, XC_ROLE_SERVER));
}

/* reads_c2s_text - the spec's client wire bytes read back as plaintext */

static int reads_c2s_text(VSTREAM *sp, int raw, const VEC *v)
{
    char    got[100];

    write_all(raw, v->c2s_wire, v->c2s_wire_len);
    return (vstream_fread(sp, got, strlen(C2S_TEXT)) == strlen(C2S_TEXT)
	    && memcmp(got, C2S_TEXT, strlen(C2S_TEXT)) == 0);
}

/* test_injection - octets buffered before the switch are discarded */

static void test_injection(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    ssize_t ret;

    sp = open_pair(&raw);
    ret = switch_after_ok(sp, raw, "XCRYPT OK\r\nRSET\r\nQUIT\r\n", v);
    T_CHECKF(name(v, "server", "start_discards_and_counts_injected_octets"),
	     ret == (ssize_t) strlen("RSET\r\nQUIT\r\n"),
	     "xc_stream_start returned %ld", (long) ret);
    T_CHECK(name(v, "server", "reads_genuine_data_after_injection"),
	    reads_c2s_text(sp, raw, v));
    close_xcrypt(sp, raw);
}

/* test_double - a double-buffered stream (as smtpd's tlsproxy one) */

static void test_double(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    unsigned char wire[256];
    ssize_t ret;

    sp = open_pair(&raw);
    vstream_control(sp, CA_VSTREAM_CTL_DOUBLE, CA_VSTREAM_CTL_END);
    ret = switch_after_ok(sp, raw, "XCRYPT OK\r\nINJECT\r\n", v);
    T_CHECKF(name(v, "server", "double_buffered_start_discards_injection"),
	     ret == (ssize_t) strlen("INJECT\r\n"),
	     "xc_stream_start returned %ld", (long) ret);

    /* Reply buffered, not flushed: the next read flushes it first. */
    vstream_fputs(S2C_TEXT, sp);
    T_CHECK(name(v, "server", "double_buffered_reads_through_keys"),
	    reads_c2s_text(sp, raw, v));
    T_CHECK(name(v, "server", "double_buffered_delayed_flush_encrypted"),
	    read_exact(raw, wire, v->s2c_wire_len, 2000) == v->s2c_wire_len
	    && memcmp(wire, v->s2c_wire, v->s2c_wire_len) == 0);
    close_xcrypt(sp, raw);
}

/* test_unflushed - start refuses a stream with pending output */

static void test_unflushed(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    ssize_t ret;

    sp = open_pair(&raw);
    vstream_fputs("250 XCRYPT OK\r\n", sp);
    ret = xc_stream_start(sp, v->suite, &v->keys, XC_ROLE_SERVER);
    T_CHECKF(name(v, "server", "start_refuses_unflushed_output"),
	     ret == XC_ERR_STATE && !xc_stream_active(sp),
	     "xc_stream_start returned %ld", (long) ret);
    vstream_fflush(sp);
    (void) vstream_fclose(sp);
    close(raw);
}

/* test_stop - after xc_stream_stop() nothing is read or written */

static void test_stop(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    char    buf[100];
    int     was_active;

    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    was_active = xc_stream_active(sp);
    vstream_fputs("unflushed secret\r\n", sp);
    xc_stream_stop(sp);
    T_CHECK(name(v, "client", "active_until_stop"),
	    was_active && !xc_stream_active(sp));
    vstream_fputs("QUIT\r\n", sp);
    T_CHECK(name(v, "client", "write_after_stop_fails"),
	    vstream_fflush(sp) == VSTREAM_EOF);
    T_CHECK(name(v, "client", "nothing_on_wire_after_stop"),
	    raw_pending(raw, 50) == 0);
    vstream_clearerr(sp);
    write_all(raw, (const unsigned char *) "220 x\r\n", 7);
    T_CHECK(name(v, "client", "read_after_stop_fails"),
	    vstream_fread(sp, buf, 7) == 0 && vstream_ferror(sp));
    vstream_clearerr(sp);
    (void) vstream_fclose(sp);
    close(raw);
}

/* fill_random - deterministic test data */

static void fill_random(unsigned char *buf, size_t len, unsigned seed)
{
    size_t  i;
    unsigned x = seed * 2654435761u + 1;

    for (i = 0; i < len; i++) {
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	buf[i] = x >> 8;
    }
}

/* send_chunks - write in changing chunk sizes, flush now and then */

static int send_chunks(VSTREAM *sp, const unsigned char *buf, size_t len)
{
    size_t  off;
    size_t  n;
    size_t  i;

    for (i = 0, off = 0; off < len; i++, off += n) {
	n = 1 + (i * 7919) % 40000;
	if (n > len - off)
	    n = len - off;
	if (vstream_fwrite(sp, buf + off, n) != n)
	    return (0);
	if (i % 3 == 0 && vstream_fflush(sp) != 0)
	    return (0);
    }
    return (vstream_fflush(sp) == 0);
}

/* test_large - 1 MB each way between two XCRYPT ends */

static void test_large(const VEC *v, int nonblock)
{
#define LARGE	(1024 * 1024)
    unsigned char *c2s = mymalloc(LARGE);
    unsigned char *s2c = mymalloc(LARGE);
    unsigned char *got = mymalloc(LARGE);
    int     sv[2];
    VSTREAM *sp;
    pid_t   pid;
    int     ok;
    int     i;

    fill_random(c2s, LARGE, 1 + v->suite->id);
    fill_random(s2c, LARGE, 101 + v->suite->id);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
	msg_fatal("socketpair: %m");
    if ((pid = fork()) < 0)
	msg_fatal("fork: %m");
    if (nonblock) {
	int     small = 4096;

	/* Small socket buffers: 64 KiB writes must come back partial. */
	for (i = 0; i < 2; i++) {
	    non_blocking(sv[i], NON_BLOCKING);
	    (void) setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	}
    }
    if (pid == 0) {
	close(sv[0]);
	sp = vstream_fdopen(sv[1], O_RDWR);
	vstream_control(sp, CA_VSTREAM_CTL_TIMEOUT(STREAM_TIMEOUT),
			CA_VSTREAM_CTL_END);
	if (xc_stream_start(sp, v->suite, &v->keys, XC_ROLE_SERVER) != 0)
	    _exit(2);
	if (vstream_fread(sp, got, LARGE) != LARGE || memcmp(got, c2s, LARGE))
	    _exit(1);
	if (!send_chunks(sp, s2c, LARGE))
	    _exit(3);
	_exit(0);
    }
    close(sv[1]);
    sp = vstream_fdopen(sv[0], O_RDWR);
    vstream_control(sp, CA_VSTREAM_CTL_TIMEOUT(STREAM_TIMEOUT),
		    CA_VSTREAM_CTL_END);
    if (xc_stream_start(sp, v->suite, &v->keys, XC_ROLE_CLIENT) != 0)
	msg_fatal("xc_stream_start");
    ok = send_chunks(sp, c2s, LARGE);
    ok = vstream_fread(sp, got, LARGE) == LARGE && memcmp(got, s2c, LARGE) == 0
	&& ok;
    T_CHECK(name(v, "both", nonblock ?
		 "one_megabyte_server_to_client_intact_partial_writes" :
		 "one_megabyte_server_to_client_intact"), ok);
    T_CHECK(name(v, "both", nonblock ?
		 "one_megabyte_client_to_server_intact_partial_writes" :
		 "one_megabyte_client_to_server_intact"), child_ok(pid));
    close_xcrypt(sp, -1);
    myfree(c2s);
    myfree(s2c);
    myfree(got);
}

/* test_write_timeout - a peer that never reads; then nothing more */

static void test_write_timeout(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    unsigned char *big = mymalloc(LARGE);
    time_t  start;
    int     ok;

    /*
     * Non-blocking, as a blocking write(2) may wait beyond any timeout
     * (stock Postfix behaves the same on blocking sockets).
     */
    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    non_blocking(vstream_fileno(sp), NON_BLOCKING);
    vstream_control(sp, CA_VSTREAM_CTL_TIMEOUT(1), CA_VSTREAM_CTL_END);
    memset(big, 'x', LARGE);
    start = time((time_t *) 0);
    ok = vstream_fwrite(sp, big, LARGE) != LARGE
	|| vstream_fflush(sp) == VSTREAM_EOF;
    T_CHECKF(name(v, "client", "stalled_write_times_out"),
	     ok && vstream_ftimeout(sp) && time((time_t *) 0) - start <= 4,
	     "failed=%d ftimeout=%d elapsed=%ld", ok, vstream_ftimeout(sp),
	     (long) (time((time_t *) 0) - start));

    /* Part of a ciphertext went out: the stream must not go on. */
    while (raw_pending(raw, 10) > 0)
	 /* void */ ;
    vstream_clearerr(sp);
    vstream_fpurge(sp, VSTREAM_PURGE_WRITE);
    vstream_fputs("QUIT\r\n", sp);
    T_CHECK(name(v, "client", "no_write_after_write_error"),
	    vstream_fflush(sp) == VSTREAM_EOF && raw_pending(raw, 50) == 0);
    close_xcrypt(sp, raw);
    myfree(big);
}

/* test_records - one flush, one record; long flushes are cut */

static void test_records(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    unsigned char *big = mymalloc(20000);
    unsigned char *wire = mymalloc(2 * XC_REC_MAX);
    unsigned char *data = mymalloc(20000 + XC_REC_DATA_MAX);
    size_t  want_wire;
    size_t  got;
    size_t  off;
    size_t  datalen;
    size_t  total = 0;
    int     sealed;
    int     nrec = 0;
    int     ok = 1;
    XC_CIPHER *peer;

    fill_random(big, 20000, 7);
    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    peer = xc_cipher_create(v->suite, v->keys.c2s);

    /* 16384 + 3616 data octets: sealed 16432 and 3664 octets. */
    want_wire = 2 + 16432 + 2 + 3664;
    ok = vstream_fwrite(sp, big, 20000) == 20000 && vstream_fflush(sp) == 0;
    got = read_exact(raw, wire, want_wire, 2000);
    ok = ok && got == want_wire && raw_pending(raw, 50) == 0;
    for (off = 0; ok && off < got; off += 2 + sealed, nrec++) {
	if ((sealed = xc_record_sealed_len(wire + off)) < 0
	    || off + 2 + sealed > got
	    || xc_record_open(peer, wire + off, 2 + sealed, data + total,
			      &datalen) != XC_OK)
	    ok = 0;
	else
	    total += datalen;
    }
    T_CHECKF(name(v, "client", "flush_of_20000_octets_is_two_records"),
	     ok && nrec == 2 && total == 20000 && memcmp(data, big, 20000) == 0,
	     "ok=%d records=%d wire=%lu data=%lu", ok, nrec,
	     (unsigned long) got, (unsigned long) total);

    /* Three short lines, three flushes: three minimal records. */
    ok = 1;
    for (nrec = 0; nrec < 3; nrec++) {
	vstream_fputs("RSET\r\n", sp);
	if (vstream_fflush(sp) != 0)
	    ok = 0;
    }
    got = read_exact(raw, wire, 3 * 50, 2000);
    ok = ok && got == 3 * 50 && raw_pending(raw, 50) == 0;
    for (off = 0; ok && off < got; off += 50)
	if (xc_record_sealed_len(wire + off) != XC_REC_SEALED_MIN
	    || xc_record_open(peer, wire + off, 50, data, &datalen) != XC_OK
	    || datalen != 6 || memcmp(data, "RSET\r\n", 6) != 0)
	    ok = 0;
    T_CHECKF(name(v, "client", "each_short_flush_is_one_50_octet_record"),
	     ok, "got %lu octets", (unsigned long) got);
    xc_cipher_free(peer);
    close_xcrypt(sp, raw);
    myfree(big);
    myfree(wire);
    myfree(data);
}

/* test_tamper - a flipped bit stops the stream for good */

static void test_tamper(const VEC *v, size_t bit, const char *what)
{
    VSTREAM *sp;
    int     raw;
    unsigned char wire[256];
    char    buf[100];
    char    after[100];
    ssize_t n;
    int     err;
    int     ok;

    memcpy(wire, v->s2c_wire, v->s2c_wire_len);
    wire[bit / 8] ^= 1 << (bit % 8);
    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    write_all(raw, wire, v->s2c_wire_len);
    errno = 0;
    n = vstream_fread(sp, buf, strlen(S2C_TEXT));
    err = errno;
    snprintf(after, sizeof(after), "%s_is_read_error", what);
    T_CHECKF(name(v, "client", after), n == 0 && vstream_ferror(sp)
	     && !vstream_feof(sp) && err == EIO,
	     "n=%ld ferror=%d feof=%d errno=%d", (long) n,
	     vstream_ferror(sp), vstream_feof(sp), err);

    /* Even if the application ignores the error, nothing goes out. */
    vstream_clearerr(sp);
    vstream_fputs("QUIT\r\n", sp);
    ok = vstream_fflush(sp) == VSTREAM_EOF;
    snprintf(after, sizeof(after), "then_nothing_written_%s", what);
    T_CHECK(name(v, "client", after), ok && raw_pending(raw, 50) == 0);
    vstream_clearerr(sp);
    snprintf(after, sizeof(after), "then_nothing_read_%s", what);
    T_CHECK(name(v, "client", after),
	    vstream_fread(sp, buf, 1) == 0 && vstream_ferror(sp));
    close_xcrypt(sp, raw);
}

/* test_truncated - EOF inside a record is an error, not end of file */

static void test_truncated(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    char    buf[100];
    ssize_t n;

    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    write_all(raw, v->s2c_wire, 30);
    shutdown(raw, SHUT_WR);
    errno = 0;
    n = vstream_fread(sp, buf, strlen(S2C_TEXT));
    T_CHECKF(name(v, "client", "eof_inside_record_is_error"),
	     n == 0 && vstream_ferror(sp) && !vstream_feof(sp) && errno == EIO,
	     "n=%ld ferror=%d feof=%d", (long) n, vstream_ferror(sp),
	     vstream_feof(sp));
    close_xcrypt(sp, raw);

    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    write_all(raw, v->s2c_wire, v->s2c_wire_len);
    shutdown(raw, SHUT_WR);
    n = vstream_fread(sp, buf, sizeof(buf));
    T_CHECKF(name(v, "client", "eof_after_whole_record_is_eof"),
	     n == strlen(S2C_TEXT) && memcmp(buf, S2C_TEXT, n) == 0
	     && vstream_feof(sp) && !vstream_ferror(sp),
	     "n=%ld ferror=%d feof=%d", (long) n, vstream_ferror(sp),
	     vstream_feof(sp));
    close_xcrypt(sp, raw);
}

/* test_empty_record - datalen 0 is legal and is not end-of-file */

static void test_empty_record(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    XC_CIPHER *peer;
    unsigned char wire[3 * XC_REC_MAX];
    size_t  len = 0;
    size_t  n;
    char    line[100];

    peer = xc_cipher_create(v->suite, v->keys.s2c);
    if (xc_record_seal(peer, (const unsigned char *) "", 0, wire, &n) != XC_OK)
	msg_fatal("xc_record_seal");
    len += n;
    if (xc_record_seal(peer, (const unsigned char *) S2C_TEXT,
		       strlen(S2C_TEXT), wire + len, &n) != XC_OK)
	msg_fatal("xc_record_seal");
    len += n;
    xc_cipher_free(peer);

    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    write_all(raw, wire, len);
    T_CHECK(name(v, "client", "empty_record_is_skipped_not_eof"),
	    get_line(line, sizeof(line), sp) != 0
	    && strcmp(line, S2C_TEXT) == 0 && !vstream_feof(sp));
    close_xcrypt(sp, raw);

    /* An empty record alone, then EOF: end-of-file, no error. */
    peer = xc_cipher_create(v->suite, v->keys.s2c);
    xc_record_seal(peer, (const unsigned char *) "", 0, wire, &n);
    xc_cipher_free(peer);
    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    write_all(raw, wire, n);
    shutdown(raw, SHUT_WR);
    T_CHECK(name(v, "client", "empty_record_then_eof_is_eof"),
	    VSTREAM_GETC(sp) == VSTREAM_EOF && vstream_feof(sp)
	    && !vstream_ferror(sp));
    close_xcrypt(sp, raw);
}

/* test_small_reads - a record larger than the reader's buffer */

static void test_small_reads(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    unsigned char buf[100];
    size_t  off = 0;
    ssize_t n;
    int     calls = 0;

    /*
     * The VSTREAM always offers its whole (64 KiB) buffer, so call the read
     * function directly with a 5-octet buffer, as a smaller buffer would.
     */
    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    write_all(raw, v->s2c_wire, v->s2c_wire_len);
    while (off < strlen(S2C_TEXT) && calls++ < 10) {
	n = sp->read_fn(vstream_fileno(sp), buf + off, 5, STREAM_TIMEOUT,
			vstream_context(sp));
	if (n <= 0 || n > 5)
	    break;
	off += n;
    }
    T_CHECKF(name(v, "client", "record_data_kept_across_small_reads"),
	     off == strlen(S2C_TEXT) && calls == 3
	     && memcmp(buf, S2C_TEXT, off) == 0,
	     "off=%lu calls=%d", (unsigned long) off, calls);
    close_xcrypt(sp, raw);
}

/* test_timeout - a record that never completes times out */

static void test_timeout(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    char    buf[100];
    time_t  start;

    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    vstream_control(sp, CA_VSTREAM_CTL_TIMEOUT(1), CA_VSTREAM_CTL_END);
    write_all(raw, v->s2c_wire, 10);
    start = time((time_t *) 0);
    (void) vstream_fread(sp, buf, strlen(S2C_TEXT));
    T_CHECKF(name(v, "client", "partial_record_times_out"),
	     vstream_ftimeout(sp) && time((time_t *) 0) - start <= 3,
	     "ftimeout=%d elapsed=%ld", vstream_ftimeout(sp),
	     (long) (time((time_t *) 0) - start));
    close_xcrypt(sp, raw);
}

/* test_bad_start - arguments that cannot work */

static void test_bad_start(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    XC_KEYS keys = v->keys;

    sp = open_pair(&raw);
    keys.key_len = v->keys.key_len == 10 ? 32 : 10;
    T_CHECK(name(v, "any", "start_refuses_wrong_key_length"),
	    xc_stream_start(sp, v->suite, &keys, XC_ROLE_CLIENT) < 0
	    && !xc_stream_active(sp));
    T_CHECK(name(v, "any", "start_twice_refused"),
	    xc_stream_start(sp, v->suite, &v->keys, XC_ROLE_CLIENT) == 0
	    && xc_stream_start(sp, v->suite, &v->keys, XC_ROLE_CLIENT)
	    == XC_ERR_STATE);
    close_xcrypt(sp, raw);
}

/* test_keys_copied - the caller may wipe its keys right after start */

static void test_keys_copied(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    XC_KEYS keys = v->keys;
    unsigned char got[256];
    size_t  len = strlen(C2S_TEXT);

    sp = open_pair(&raw);
    if (xc_stream_start(sp, v->suite, &keys, XC_ROLE_CLIENT) != 0)
	msg_fatal("xc_stream_start");
    xc_keys_wipe(&keys);
    memset((void *) &keys, 0x55, sizeof(keys));
    vstream_fputs(C2S_TEXT, sp);
    vstream_fflush(sp);
    T_CHECK(name(v, "client", "keys_may_be_wiped_after_start"),
	    read_exact(raw, got, v->c2s_wire_len, 2000) == v->c2s_wire_len
	    && memcmp(got, v->c2s_wire, v->c2s_wire_len) == 0);
    (void) len;
    close_xcrypt(sp, raw);
}

int     main(int argc, char **argv)
{
    VEC     vec;
    size_t  i;
    int     role;
    int     pw;

    msg_vstream_init(argv[0], VSTREAM_ERR);
    signal(SIGPIPE, SIG_IGN);
    xc_init();

    for (i = 0; i < T_SPEC9_COUNT; i++) {
	vec_load(&vec, t_spec9 + i, example_labels[i]);
	test_kdf(&vec);
	for (role = XC_ROLE_CLIENT; role <= XC_ROLE_SERVER; role++) {
	    for (pw = 0; pw <= 1; pw++) {
		test_send(&vec, role, pw);
		test_recv(&vec, role, pw);
	    }
	}
	if (i == T_SPEC9_ZERO_LEAD)
	    continue;				/* the rest once per suite */
	test_injection(&vec);
	test_double(&vec);
	test_unflushed(&vec);
	test_stop(&vec);
	test_bad_start(&vec);
	test_keys_copied(&vec);
	test_large(&vec, 0);
	test_large(&vec, 1);
	test_write_timeout(&vec);
	if (vec.suite->aead) {
	    test_records(&vec);
	    test_tamper(&vec, 8 * 20 + 3, "flipped_ciphertext_bit");
	    test_tamper(&vec, 8 * (vec.s2c_wire_len - 1),
			"flipped_tag_bit");
	    test_tamper(&vec, 8, "bad_record_length");
	    test_truncated(&vec);
	    test_empty_record(&vec);
	    test_small_reads(&vec);
	    test_timeout(&vec);
	}
    }
    return (T_DONE());
}
