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
/*	after xc_stream_stop(). For the pipelined suite (spec 4.5), the
/*	spec's two flights produced and consumed by xc_stream_switch()
/*	(XC_STREAM_CONFIRM on the client, XC_STREAM_KEEP on the server),
/*	in one write each, whole and in pieces; a peer that waits for the
/*	confirmation line; every wrong answer to XCRYPT OK; injected
/*	plaintext after the line; refusals that leave the stream as it was.
/*
/*	Each check prints "PASS name" or "FAIL name: detail".
/*--*/

/* checks: 194 */

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
    "arrsyfor", "sober128", "chacha", "chacha21", "arrsyfor_leading_zero",
};

 /*
  * One example, decoded.
  */
typedef struct VEC {
    const T_SPEC9 *ex;
    const char *label;			/* check name prefix */
    const XC_SUITE *suite;
    XC_KEYS keys;			/* from the spec text */
    const char *c2s_text;		/* plaintext of the first c2s octets */
    const char *s2c_text;
    unsigned char c2s_wire[256];	/* the first record (or keystream) */
    size_t  c2s_wire_len;
    unsigned char s2c_wire[256];
    size_t  s2c_wire_len;
    unsigned char c2s_flight[256];	/* 2.1: line, then the record */
    size_t  c2s_flight_len;
    unsigned char s2c_flight[256];
    size_t  s2c_flight_len;
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
    v->c2s_text = T_SPEC9_TEXT_C2S(ex);
    v->s2c_text = T_SPEC9_TEXT_S2C(ex);
    if (ex->c2s_line) {
	v->c2s_flight_len = hex2bin(ex->c2s_wire, v->c2s_flight,
				    sizeof(v->c2s_flight));
	v->s2c_flight_len = hex2bin(ex->s2c_wire, v->s2c_flight,
				    sizeof(v->s2c_flight));
    }
    if (ex->c2s_wire) {
	v->c2s_wire_len = hex2bin(T_SPEC9_RECORD_C2S(ex), v->c2s_wire,
				  sizeof(v->c2s_wire));
	v->s2c_wire_len = hex2bin(T_SPEC9_RECORD_S2C(ex), v->s2c_wire,
				  sizeof(v->s2c_wire));
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
    const char *text = role == XC_ROLE_CLIENT ? v->c2s_text : v->s2c_text;
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
    const char *text = role == XC_ROLE_CLIENT ? v->s2c_text : v->c2s_text;
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
    return (vstream_fread(sp, got, strlen(v->c2s_text)) == strlen(v->c2s_text)
	    && memcmp(got, v->c2s_text, strlen(v->c2s_text)) == 0);
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
    vstream_fputs(v->s2c_text, sp);
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
    n = vstream_fread(sp, buf, strlen(v->s2c_text));
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
    n = vstream_fread(sp, buf, strlen(v->s2c_text));
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
	     n == strlen(v->s2c_text) && memcmp(buf, v->s2c_text, n) == 0
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
    char    line[200];

    peer = xc_cipher_create(v->suite, v->keys.s2c);
    if (xc_record_seal(peer, (const unsigned char *) "", 0, wire, &n) != XC_OK)
	msg_fatal("xc_record_seal");
    len += n;
    if (xc_record_seal(peer, (const unsigned char *) v->s2c_text,
		       strlen(v->s2c_text), wire + len, &n) != XC_OK)
	msg_fatal("xc_record_seal");
    len += n;
    xc_cipher_free(peer);

    sp = open_xcrypt(v, XC_ROLE_CLIENT, &raw);
    write_all(raw, wire, len);
    T_CHECK(name(v, "client", "empty_record_is_skipped_not_eof"),
	    vstream_fread(sp, line, strlen(v->s2c_text)) == strlen(v->s2c_text)
	    && memcmp(line, v->s2c_text, strlen(v->s2c_text)) == 0
	    && !vstream_feof(sp));
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
    while (off < strlen(v->s2c_text) && calls++ < 100) {
	n = sp->read_fn(vstream_fileno(sp), buf + off, 5, STREAM_TIMEOUT,
			vstream_context(sp));
	if (n <= 0 || n > 5)
	    break;
	off += n;
    }
    T_CHECKF(name(v, "client", "record_data_kept_across_small_reads"),
	     off == strlen(v->s2c_text)
	     && calls == (int) (strlen(v->s2c_text) + 4) / 5
	     && memcmp(buf, v->s2c_text, off) == 0,
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
    (void) vstream_fread(sp, buf, strlen(v->s2c_text));
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
    size_t  len = strlen(v->c2s_text);

    sp = open_pair(&raw);
    if (xc_stream_start(sp, v->suite, &keys, XC_ROLE_CLIENT) != 0)
	msg_fatal("xc_stream_start");
    xc_keys_wipe(&keys);
    memset((void *) &keys, 0x55, sizeof(keys));
    vstream_fputs(v->c2s_text, sp);
    vstream_fflush(sp);
    T_CHECK(name(v, "client", "keys_may_be_wiped_after_start"),
	    read_exact(raw, got, v->c2s_wire_len, 2000) == v->c2s_wire_len
	    && memcmp(got, v->c2s_wire, v->c2s_wire_len) == 0);
    (void) len;
    close_xcrypt(sp, raw);
}

/* open_seqpacket - as open_pair(), but every write is one packet */

static VSTREAM *open_seqpacket(int *raw)
{
    int     sv[2];
    VSTREAM *sp;

    /*
     * A SOCK_SEQPACKET read returns exactly one write: this is how the
     * tests see that a line and its records travel in one write (one
     * flight, and no Nagle delay between them on TCP).
     */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
	msg_fatal("socketpair: %m");
    sp = vstream_fdopen(sv[0], O_RDWR);
    vstream_control(sp, CA_VSTREAM_CTL_TIMEOUT(STREAM_TIMEOUT),
		    CA_VSTREAM_CTL_END);
    *raw = sv[1];
    return (sp);
}

/* read_packet - one packet (one write) from the raw end, or -1 */

static ssize_t read_packet(int fd, unsigned char *buf, size_t size, int ms)
{
    struct pollfd pfd;

    pfd.fd = fd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, ms) <= 0)
	return (-1);
    return (read(fd, buf, size));
}

/* switch_client - client: "XCRYPT OK" unflushed, then XC_STREAM_CONFIRM */

static VSTREAM *switch_client(const VEC *v, int seq, int *raw)
{
    VSTREAM *sp = seq ? open_seqpacket(raw) : open_pair(raw);
    ssize_t ret;

    vstream_fputs("XCRYPT OK\r\n", sp);
    if ((ret = xc_stream_switch(sp, v->suite, &v->keys, XC_ROLE_CLIENT,
				XC_STREAM_CONFIRM, (void *) 0, 0)) != 0)
	msg_fatal("xc_stream_switch: %ld", (long) ret);
    return (sp);
}

/* test21_client_flight - XCRYPT OK and the command group, one write */

static void test21_client_flight(const VEC *v, int piecewise)
{
    const char *text = v->c2s_text;
    size_t  len = strlen(text);
    unsigned char got[1024];
    ssize_t n;
    size_t  off;
    size_t  k;
    size_t  i;
    VSTREAM *sp;
    int     raw;
    int     ok = 1;

    sp = switch_client(v, 1, &raw);
    T_CHECK(name(v, "client", "confirm_switch_sends_nothing_yet"),
	    xc_stream_active(sp) && raw_pending(raw, 50) == 0);
    for (i = 0, off = 0; off < len; i++, off += k) {
	k = !piecewise ? len : i < 3 && pieces[i] < len - off ?
	    pieces[i] : len - off;
	if (vstream_fwrite(sp, text + off, k) != k)
	    ok = 0;
    }
    ok = vstream_fflush(sp) == 0 && ok;
    n = read_packet(raw, got, sizeof(got), 2000);
    T_CHECKF(name(v, "client", piecewise ?
		  "flight_is_spec_bytes_in_one_write_piecewise" :
		  "flight_is_spec_bytes_in_one_write"),
	     ok && n == (ssize_t) v->c2s_flight_len
	     && memcmp(got, v->c2s_flight, n) == 0
	     && raw_pending(raw, 50) == 0,
	     "ok=%d got %ld octets in the first write, want %lu",
	     ok, (long) n, (unsigned long) v->c2s_flight_len);
    close_xcrypt(sp, raw);
}

/* test21_client_reads - the server's flight: line checked, then records */

static void test21_client_reads(const VEC *v, int piecewise)
{
    const char *text = v->s2c_text;
    size_t  len = strlen(text);
    char    got[512];
    VSTREAM *sp;
    int     raw;
    int     ok;
    pid_t   pid;

    sp = switch_client(v, 0, &raw);
    if (!piecewise) {
	write_all(raw, v->s2c_flight, v->s2c_flight_len);
	ok = vstream_fread(sp, got, len) == len;
    } else {
	/* Line split over 1, 7 and 13 octets, with pauses. */
	pid = slow_writer(raw, v->s2c_flight, v->s2c_flight_len);
	ok = vstream_fread(sp, got, len) == len;
	ok = child_ok(pid) && ok;
    }
    T_CHECKF(name(v, "client", piecewise ?
		  "reads_spec_server_flight_piecewise" :
		  "reads_spec_server_flight"),
	     ok && memcmp(got, text, len) == 0 && xc_stream_error(sp) == 0,
	     "ok=%d error=%s", ok,
	     xc_stream_error(sp) ? xc_stream_error(sp) : "none");
    close_xcrypt(sp, raw);
}

/* test21_client_lower_case - the reply in another case, bare LF */

static void test21_client_lower_case(const VEC *v)
{
    const char *text = v->s2c_text;
    size_t  len = strlen(text);
    char    got[512];
    VSTREAM *sp;
    int     raw;

    sp = switch_client(v, 0, &raw);
    write_all(raw, (const unsigned char *) "250 xcrypt ok\n", 14);
    write_all(raw, v->s2c_flight + 15, v->s2c_flight_len - 15);
    T_CHECK(name(v, "client", "accepts_250_xcrypt_ok_any_case_bare_lf"),
	    vstream_fread(sp, got, len) == len && memcmp(got, text, len) == 0);
    close_xcrypt(sp, raw);
}

/* test21_client_bad - a reply other than 250 XCRYPT OK fails the stream */

static void test21_client_bad(const VEC *v, const char *what,
			              const char *wire, size_t wire_len,
			              int eof, const char *want_why)
{
    VSTREAM *sp;
    int     raw;
    char    buf[512];
    char    label[200];
    const char *why;
    ssize_t n;
    int     err;

    sp = switch_client(v, 0, &raw);
    write_all(raw, (const unsigned char *) wire, wire_len);
    if (eof)
	shutdown(raw, SHUT_WR);
    errno = 0;
    n = vstream_fread(sp, buf, 1);
    err = errno;
    why = xc_stream_error(sp);
    snprintf(label, sizeof(label), "%s_is_read_error", what);
    T_CHECKF(name(v, "client", label),
	     n == 0 && vstream_ferror(sp) && err == EIO && why != 0
	     && strcmp(why, want_why) == 0,
	     "n=%ld ferror=%d errno=%d why=%s", (long) n, vstream_ferror(sp),
	     err, why ? why : "(none)");

    /*
     * The answer was there before the read had to wait, so not even the
     * XCRYPT OK line went out; after the failure nothing ever does. (A
     * VSTREAM last used for writing keeps its write count after a failed
     * read: purge, as xcrypt-smtpd does, so that the next write is one.)
     */
    vstream_clearerr(sp);
    vstream_fpurge(sp, VSTREAM_PURGE_BOTH);
    vstream_fputs("QUIT\r\n", sp);
    snprintf(label, sizeof(label), "%s_then_nothing_written", what);
    n = vstream_fflush(sp);
    T_CHECKF(name(v, "client", label), n == VSTREAM_EOF
	     && raw_pending(raw, 50) == 0, "flush %ld pending %ld", (long) n,
	     (long) raw_pending(raw, 50));
    close_xcrypt(sp, raw);
}

/* test21_client_line_alone - a read before any write sends the line */

static void test21_client_line_alone(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    unsigned char got[100];
    char    buf[512];
    ssize_t n;
    pid_t   pid;

    sp = switch_client(v, 1, &raw);
    if ((pid = fork()) < 0)
	msg_fatal("fork: %m");
    if (pid == 0) {
	/* A server that waits for the line before it answers. */
	n = read_packet(raw, got, sizeof(got), 2000);
	if (n != 11 || memcmp(got, "XCRYPT OK\r\n", 11) != 0)
	    _exit(1);
	write_all(raw, v->s2c_flight, v->s2c_flight_len);
	_exit(0);
    }
    T_CHECK(name(v, "client", "read_first_sends_xcrypt_ok_alone_then_reads"),
	    vstream_fread(sp, buf, strlen(v->s2c_text)) == strlen(v->s2c_text)
	    && memcmp(buf, v->s2c_text, strlen(v->s2c_text)) == 0
	    && child_ok(pid));
    close_xcrypt(sp, raw);
}

/* server_read_ok - server: read the "XCRYPT OK" line from the stream */

static void server_read_ok(VSTREAM *sp)
{
    char    line[100];

    if (get_line(line, sizeof(line), sp) == 0 || strcmp(line, "XCRYPT OK\r\n"))
	msg_fatal("server_read_ok: got \"%s\"", line);
}

/* test21_server_flight - keep what follows XCRYPT OK; one reply flight */

static void test21_server_flight(const VEC *v, int how_ahead, int piecewise)
{
    const char *text = v->c2s_text;
    size_t  len = strlen(text);
    unsigned char ahead[256];
    ssize_t ahead_len = 0;
    unsigned char got[1024];
    char    in[512];
    const char *what;
    ssize_t ret;
    ssize_t n;
    VSTREAM *sp;
    int     raw;
    int     ok;
    pid_t   pid = 0;

    /*
     * how_ahead 0: the record waits in the VSTREAM buffer; 1: the caller
     * took it into a buffer of its own (as xcrypt-smtpd does). A single
     * buffered VSTREAM drops unread input when it is written to (vstream(3)),
     * so the first case needs a double-buffered one.
     */
    sp = open_seqpacket(&raw);
    if (!how_ahead)
	vstream_control(sp, CA_VSTREAM_CTL_DOUBLE, CA_VSTREAM_CTL_END);
    if (!piecewise) {
	write_all(raw, v->c2s_flight, v->c2s_flight_len);
    } else {
	/* 1, 7, 13, rest: the line ends inside the third piece. */
	pid = slow_writer(raw, v->c2s_flight, v->c2s_flight_len);
	if (!child_ok(pid))
	    msg_fatal("slow_writer");
    }
    server_read_ok(sp);
    if (how_ahead && (ahead_len = vstream_peek(sp)) > 0)
	ahead_len = vstream_fread(sp, ahead, ahead_len);
    vstream_fputs("250 XCRYPT OK\r\n", sp);
    ret = xc_stream_switch(sp, v->suite, &v->keys, XC_ROLE_SERVER,
			   XC_STREAM_KEEP, ahead, ahead_len);
    ok = (ret == 0 && vstream_fread(sp, in, len) == len
	  && memcmp(in, text, len) == 0);
    what = piecewise ? "keeps_record_split_around_the_line" : how_ahead ?
	"keeps_record_taken_ahead_by_caller" : "keeps_record_buffered_with_line";
    T_CHECKF(name(v, "server", what), ok, "switch %ld", (long) ret);
    vstream_fputs(v->s2c_text, sp);
    ok = vstream_fflush(sp) == 0;
    n = read_packet(raw, got, sizeof(got), 2000);
    what = piecewise ? "flight_is_spec_bytes_in_one_write_piecewise" : how_ahead ?
	"flight_is_spec_bytes_in_one_write_ahead" : "flight_is_spec_bytes_in_one_write";
    T_CHECKF(name(v, "server", what),
	     ok && n == (ssize_t) v->s2c_flight_len
	     && memcmp(got, v->s2c_flight, n) == 0 && raw_pending(raw, 50) == 0,
	     "got %ld octets in the first write, want %lu", (long) n,
	     (unsigned long) v->s2c_flight_len);
    close_xcrypt(sp, raw);
}

/* test21_server_waiting_client - a client that waits for 250 XCRYPT OK */

static void test21_server_waiting_client(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    unsigned char got[100];
    char    in[512];
    ssize_t n;
    pid_t   pid;

    sp = open_seqpacket(&raw);
    write_all(raw, (const unsigned char *) "XCRYPT OK\r\n", 11);
    server_read_ok(sp);
    vstream_fputs("250 XCRYPT OK\r\n", sp);
    if (xc_stream_switch(sp, v->suite, &v->keys, XC_ROLE_SERVER,
			 XC_STREAM_KEEP, (void *) 0, 0) != 0)
	msg_fatal("xc_stream_switch");
    if ((pid = fork()) < 0)
	msg_fatal("fork: %m");
    if (pid == 0) {
	n = read_packet(raw, got, sizeof(got), 2000);
	if (n != 15 || memcmp(got, "250 XCRYPT OK\r\n", 15) != 0)
	    _exit(1);
	write_all(raw, v->c2s_flight + 11, v->c2s_flight_len - 11);
	_exit(0);
    }
    T_CHECK(name(v, "server", "read_first_sends_250_alone_then_reads"),
	    vstream_fread(sp, in, strlen(v->c2s_text)) == strlen(v->c2s_text)
	    && memcmp(in, v->c2s_text, strlen(v->c2s_text)) == 0
	    && child_ok(pid));
    close_xcrypt(sp, raw);
}

/* test21_server_line_waits - a pipelining client waits for our replies */

static void test21_server_line_waits(const VEC *v)
{
    VSTREAM *sp;
    int     raw;
    unsigned char got[1024];
    char    in[512];
    ssize_t n;
    int     ch;

    /*
     * As xcrypt-smtpd reads: non-blocking, so that "nothing yet" is EAGAIN.
     * The client has sent its command group; the read after it finds
     * nothing, and must not send the line alone (the client waits for our
     * replies, which take it along).
     */
    sp = open_seqpacket(&raw);
    vstream_control(sp, CA_VSTREAM_CTL_DOUBLE, CA_VSTREAM_CTL_END);
    write_all(raw, v->c2s_flight, v->c2s_flight_len);
    server_read_ok(sp);
    vstream_fputs("250 XCRYPT OK\r\n", sp);
    if (xc_stream_switch(sp, v->suite, &v->keys, XC_ROLE_SERVER,
			 XC_STREAM_KEEP, (void *) 0, 0) != 0
	|| vstream_fread(sp, in, strlen(v->c2s_text)) != strlen(v->c2s_text))
	msg_fatal("test21_server_line_waits: switch or read");
    non_blocking(vstream_fileno(sp), NON_BLOCKING);
    vstream_control(sp, CA_VSTREAM_CTL_TIMEOUT(0), CA_VSTREAM_CTL_END);
    errno = 0;
    ch = VSTREAM_GETC(sp);
    T_CHECKF(name(v, "server", "read_after_pipelined_group_keeps_line_back"),
	     ch == VSTREAM_EOF && errno == EAGAIN && raw_pending(raw, 50) == 0,
	     "ch=%d errno=%d", ch, errno);
    vstream_clearerr(sp);
    vstream_fpurge(sp, VSTREAM_PURGE_READ);
    vstream_fputs(v->s2c_text, sp);
    n = vstream_fflush(sp) == 0 ? read_packet(raw, got, sizeof(got), 2000) : -1;
    T_CHECKF(name(v, "server", "line_goes_with_the_replies_in_one_write"),
	     n == (ssize_t) v->s2c_flight_len
	     && memcmp(got, v->s2c_flight, n) == 0, "got %ld", (long) n);
    close_xcrypt(sp, raw);
}

/* test21_server_injection - plaintext after XCRYPT OK: error, nothing out */

static void test21_server_injection(const VEC *v)
{
    static const char flight[] = "XCRYPT OK\r\nMAIL FROM:<evil@example.org>\r\n";
    VSTREAM *sp;
    int     raw;
    char    in[100];
    ssize_t ret;
    ssize_t n;
    int     err;

    sp = open_pair(&raw);
    vstream_control(sp, CA_VSTREAM_CTL_DOUBLE, CA_VSTREAM_CTL_END);
    write_all(raw, (const unsigned char *) flight, sizeof(flight) - 1);
    server_read_ok(sp);
    vstream_fputs("250 XCRYPT OK\r\n", sp);
    ret = xc_stream_switch(sp, v->suite, &v->keys, XC_ROLE_SERVER,
			   XC_STREAM_KEEP, (void *) 0, 0);
    errno = 0;
    n = vstream_fread(sp, in, 1);
    err = errno;
    T_CHECKF(name(v, "server", "injected_plaintext_after_ok_is_read_error"),
	     ret == 0 && n == 0 && vstream_ferror(sp) && err == EIO
	     && xc_stream_error(sp) != 0,
	     "switch %ld n=%ld errno=%d", (long) ret, (long) n, err);
    vstream_clearerr(sp);
    vstream_fputs("250 2.1.0 Ok\r\n", sp);
    T_CHECK(name(v, "server", "injected_plaintext_then_nothing_written"),
	    vstream_fflush(sp) == VSTREAM_EOF && raw_pending(raw, 50) == 0);
    close_xcrypt(sp, raw);
}

/* test21_large_ahead - more records ahead than the layer's buffer holds */

static void test21_large_ahead(const VEC *v)
{
#define AHEAD_RECORDS	12
    unsigned char *ahead = mymalloc(AHEAD_RECORDS * XC_REC_MAX);
    unsigned char *data = mymalloc(AHEAD_RECORDS * XC_REC_DATA_MAX);
    unsigned char *got = mymalloc(AHEAD_RECORDS * XC_REC_DATA_MAX);
    size_t  len = 0;
    size_t  n;
    int     i;
    XC_CIPHER *peer;
    VSTREAM *sp;
    int     raw;

    fill_random(data, AHEAD_RECORDS * XC_REC_DATA_MAX, 21);
    peer = xc_cipher_create(v->suite, v->keys.c2s);
    for (i = 0; i < AHEAD_RECORDS; i++) {
	if (xc_record_seal(peer, data + i * XC_REC_DATA_MAX, XC_REC_DATA_MAX,
			   ahead + len, &n) != XC_OK)
	    msg_fatal("xc_record_seal");
	len += n;
    }
    xc_cipher_free(peer);
    sp = open_pair(&raw);
    T_CHECK(name(v, "server", "keeps_196_kb_ahead_bigger_than_its_buffer"),
	    xc_stream_switch(sp, v->suite, &v->keys, XC_ROLE_SERVER,
			     XC_STREAM_KEEP, ahead, len) == 0
	    && vstream_fread(sp, got, AHEAD_RECORDS * XC_REC_DATA_MAX)
	    == AHEAD_RECORDS * XC_REC_DATA_MAX
	    && memcmp(got, data, AHEAD_RECORDS * XC_REC_DATA_MAX) == 0);
    close_xcrypt(sp, raw);
    myfree(ahead);
    myfree(data);
    myfree(got);
}

/* test21_refusals - what xc_stream_switch() refuses, leaving the stream */

static void test21_refusals(const VEC *v)
{
    const XC_SUITE *s20 = xc_suite(XC_SUITE_CHACHA);
    const XC_SUITE *s10 = xc_suite(XC_SUITE_ARRSYFOR);
    XC_KEYS k10 = v->keys;
    char    big[XC_LINE_MAX + 2];
    unsigned char got[100];
    VSTREAM *sp;
    int     raw;

    k10.key_len = 10;
    sp = open_pair(&raw);
    vstream_fputs("250 XCRYPT OK\r\n", sp);
    T_CHECK(name(v, "server", "keep_refused_for_2_0"),
	    xc_stream_switch(sp, s20, &v->keys, XC_ROLE_SERVER, XC_STREAM_KEEP,
			     (void *) 0, 0) == XC_ERR_SUITE);
    T_CHECK(name(v, "client", "confirm_refused_for_1_0"),
	    xc_stream_switch(sp, s10, &k10, XC_ROLE_CLIENT, XC_STREAM_CONFIRM,
			     (void *) 0, 0) == XC_ERR_SUITE);
    T_CHECK(name(v, "any", "switch_refuses_unknown_mode"),
	    xc_stream_switch(sp, v->suite, &v->keys, XC_ROLE_SERVER, 7,
			     (void *) 0, 0) == XC_ERR_STATE);
    T_CHECK(name(v, "server", "refused_switch_leaves_line_unsent_in_clear"),
	    !xc_stream_active(sp) && vstream_fflush(sp) == 0
	    && read_exact(raw, got, 15, 1000) == 15
	    && memcmp(got, "250 XCRYPT OK\r\n", 15) == 0);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    vstream_fputs(big, sp);
    T_CHECK(name(v, "server", "keep_refuses_unflushed_output_over_line_max"),
	    xc_stream_switch(sp, v->suite, &v->keys, XC_ROLE_SERVER,
			     XC_STREAM_KEEP, (void *) 0, 0) == XC_ERR_STATE
	    && !xc_stream_active(sp));
    vstream_fpurge(sp, VSTREAM_PURGE_BOTH);
    (void) vstream_fclose(sp);
    close(raw);
}

/* test21 - the pipelined confirmation (spec 4.5) */

static void test21(const VEC *v)
{
    static char too_long[XC_LINE_MAX + 10];
    static const char ok_then_plain[] = "250 XCRYPT OK\r\n250 2.1.0 Ok\r\n";

    test21_client_flight(v, 0);
    test21_client_flight(v, 1);
    test21_client_reads(v, 0);
    test21_client_reads(v, 1);
    test21_client_line_alone(v);
    test21_client_lower_case(v);
    test21_client_bad(v, "server_454_xcrypt_fail",
		      "454 4.7.0 XCRYPT FAIL\r\n", 23, 0,
		      "server answered 454 4.7.0 XCRYPT FAIL");
    test21_client_bad(v, "other_reply", "250 XCRYPT FAIL\r\n", 17, 0,
		      "unexpected reply to XCRYPT OK");
    test21_client_bad(v, "multiline_reply", "250-XCRYPT OK\r\n", 15, 0,
		      "unexpected reply to XCRYPT OK");
    test21_client_bad(v, "plaintext_after_250_xcrypt_ok", ok_then_plain,
		      sizeof(ok_then_plain) - 1, 0, "record length out of range");
    memset(too_long, '2', sizeof(too_long) - 1);
    test21_client_bad(v, "reply_line_over_512_octets", too_long,
		      sizeof(too_long) - 1, 0, "reply to XCRYPT OK too long");
    test21_client_bad(v, "eof_before_reply", "", 0, 1,
		      "end of file before 250 XCRYPT OK");
    test21_client_bad(v, "eof_inside_reply_line", "250 XCRY", 8, 1,
		      "end of file before 250 XCRYPT OK");
    test21_server_flight(v, 0, 0);
    test21_server_flight(v, 1, 0);
    test21_server_flight(v, 0, 1);
    test21_server_waiting_client(v);
    test21_server_line_waits(v);
    test21_server_injection(v);
    test21_large_ahead(v);
    test21_refusals(v);
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
	if (XC_SUITE_PIPELINED(vec.suite))
	    test21(&vec);
    }
    return (T_DONE());
}
