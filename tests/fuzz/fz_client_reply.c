/*++
/* NAME
/*	fz_client_reply 1
/* SUMMARY
/*	libFuzzer target: the client's handling of server input
/* SYNOPSIS
/*	fz_client_reply [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	Bit 7 of octet 0 picks one of two client steps that take what
/*	a server sent.
/*
/*	Bit 7 clear: xc_client_reply(3). A client made its XCRYPT
/*	command for the suite in the low bits of octet 0 (modulo the
/*	number of suites) with xc_client_hello(); the rest of the input
/*	is the text of the "250 XCRYPT Kb Nb" reply (after "250 "), in
/*	a buffer of exactly its length. Oracle (abort): an accepted
/*	reply has a public value Kb with 1 < Kb < p - 1 for the suite's
/*	group, the client is then ready to switch; a refused one has a
/*	reason.
/*
/*	Bit 7 set: the confirmation read of suite chacha20poly1305_2.1
/*	(spec 4.5, xc_stream_switch() with XC_STREAM_CONFIRM in client
/*	role): the client wrote "XCRYPT OK" and switched at once; what
/*	the server sent is a VSTREAM over a memory file built from
/*	octet 1 (read sizes) and operations, as fz_stream(1): "0 hi lo"
/*	a valid record of (hi lo) modulo 16385 octets sealed with the
/*	server's real key, "1 n octets..." n raw octets (the plaintext
/*	line comes this way), "2 hi lo" flip a bit, "3 n" drop the last
/*	n + 1 octets. Oracle (abort): no read returns an octet unless
/*	the wire starts with exactly one "250 XCRYPT OK" line (any case,
/*	CR optional, at most XC_LINE_MAX octets), and then only the data
/*	of the valid records, in order; all of it, with a clean end of
/*	file, when the wire is that line and those records untouched;
/*	no data after an error.
/* SEE ALSO
/*	xc_client(3), xc_stream(3), ../shared/XCRYPT-PROTOCOL.md
/*	sections 4.1 to 4.5
/*--*/

#define _GNU_SOURCE
#include <sys_defs.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <vstream.h>

#include <xcrypt.h>

#define WIRE_MAX	(4 * XC_REC_MAX)

int     LLVMFuzzerInitialize(int *, char ***);
int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int fz_fd = -1;			/* what the server sent */
static int fz_null = -1;		/* what the client sends */
static XC_CACHE *fz_cache;		/* the client's key pairs */
static unsigned fz_count;
static unsigned char fz_wire[WIRE_MAX];
static unsigned char fz_want[WIRE_MAX];
static unsigned char fz_got[WIRE_MAX + XC_REC_DATA_MAX];
static unsigned char fz_data[XC_REC_DATA_MAX];

/* LLVMFuzzerInitialize - memory file, sink, cache */

int     LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int     i;

    xc_init();
    if ((fz_fd = memfd_create("fz_client_reply", 0)) < 0
	|| (fz_null = open("/dev/null", O_WRONLY)) < 0)
	abort();
    for (i = 0; i < XC_REC_DATA_MAX; i++)
	fz_data[i] = "250 2.0.0 Ok: queued\r\n"[i % 22];
    return (0);
}

/* in_range - 1 < v < p - 1, both big-endian of plen octets */

static int in_range(const unsigned char *v, const XC_GROUP *g)
{
    unsigned char pm1[XC_PMAX];
    size_t  i;

    for (i = 0; i + 1 < g->plen && v[i] == 0; i++)
	 /* void */ ;
    if (i + 1 == g->plen && v[i] <= 1)
	return (0);				/* 0 or 1 */
    memcpy(pm1, g->p, g->plen);
    for (i = g->plen; i-- > 0 && pm1[i] == 0;)
	pm1[i] = 0xff;
    pm1[i]--;
    return (memcmp(v, pm1, g->plen) < 0);
}

/* fuzz_reply - xc_client_reply() on a reply text */

static void fuzz_reply(const XC_SUITE *suite, const uint8_t *data, size_t size)
{
    char    hello[XC_LINE_MAX + 1];
    XC_CLIENT *xc;
    XC_HELLO parsed;
    const char *why;
    const char *pwhy;
    char   *text;
    int     ret;

    /* A memory cache keeps our pair; renew it before it grows. */
    if (fz_cache == 0 || ++fz_count % 512 == 0) {
	if (fz_cache)
	    xc_cache_close(fz_cache);
	if ((fz_cache = xc_cache_open((char *) 0, 7200)) == 0)
	    abort();
    }
    xc = xc_client_create();
    if (xc_client_hello(xc, fz_cache, suite, hello, sizeof(hello)) < 0)
	abort();
    text = malloc(size ? size : 1);
    memcpy(text, data, size);
    why = 0;
    ret = xc_client_reply(xc, fz_cache, text, size, &why);
    if (ret == XC_OK) {
	memset(&parsed, 0, sizeof(parsed));
	if (xc_parse_hello_reply(text, size, suite, &parsed, &pwhy) != XC_OK)
	    abort();				/* accepted what the codec refuses */
	if (parsed.publen != xc_group(suite->group)->plen
	    || !in_range(parsed.pub, xc_group(suite->group)))
	    abort();				/* Kb out of range */
	if (xc->state != XC_CLIENT_STATE_KEYS)
	    abort();
    } else {
	if (why == 0 || *why == 0 || xc->state != XC_CLIENT_STATE_FAILED)
	    abort();
    }
    xc_client_free(xc);
    free(text);
}

/* line_ok - does the wire start with exactly one 250 XCRYPT OK line */

static size_t line_ok(const unsigned char *w, size_t len)
{
    const unsigned char *nl;
    size_t  text;

    if ((nl = memchr(w, '\n', len < XC_LINE_MAX ? len : XC_LINE_MAX)) == 0)
	return (0);
    text = nl - w;
    if (text > 0 && w[text - 1] == '\r')
	text--;
    if (text != sizeof(XC_REPLY_OK) - 1
	|| strncasecmp((const char *) w, XC_REPLY_OK, text) != 0)
	return (0);
    return (nl + 1 - w);
}

/* fuzz_confirm - the 2.1 confirmation read */

static void fuzz_confirm(const uint8_t *data, size_t size)
{
    static const size_t read_sizes[8] = {1, 2, 7, 31, 512, 4096, 16384, 65536};
    const XC_SUITE *suite = xc_suite(XC_SUITE_CHACHA21);
    XC_CIPHER *peer;
    XC_KEYS keys;
    size_t  wlen = 0;
    size_t  want_len = 0;
    size_t  got_len = 0;
    size_t  pos = 1;
    size_t  n;
    size_t  rlen;
    size_t  ok_len;
    int     clean = 1;			/* OK line, then records, untouched */
    int     op = 0;
    int     failed = 0;
    int     eof = 0;
    int     reads;
    unsigned char rseed;
    ssize_t r;
    VSTREAM *sp;

    if (size < 1)
	return;
    rseed = data[0];
    memset(&keys, 0, sizeof(keys));
    keys.key_len = suite->key_len;
    memset(keys.c2s, 0x3c, sizeof(keys.c2s));
    memset(keys.s2c, 0xc3, sizeof(keys.s2c));
    if ((peer = xc_cipher_create(suite, keys.s2c)) == 0)
	abort();

#define ARG(i) (pos + (i) < size ? data[pos + (i)] : 0)

    while (pos < size) {
	switch (data[pos++] % 4) {
	case 0:				/* valid record */
	    n = (ARG(0) << 8 | ARG(1)) % (XC_REC_DATA_MAX + 1);
	    pos += 2;
	    if (wlen + XC_REC_MAX > WIRE_MAX || want_len + n > WIRE_MAX) {
		clean = 0;
		break;
	    }
	    if (op == 0)
		clean = 0;			/* no line first */
	    if (xc_record_seal(peer, fz_data, n, fz_wire + wlen, &rlen) != XC_OK)
		abort();
	    wlen += rlen;
	    memcpy(fz_want + want_len, fz_data, n);
	    want_len += n;
	    break;
	case 1:				/* raw octets */
	    n = ARG(0);
	    pos += 1;
	    if (n > size - pos)
		n = size - pos;
	    if (wlen + n > WIRE_MAX)
		n = WIRE_MAX - wlen;
	    memcpy(fz_wire + wlen, data + pos, n);
	    if (op != 0 || n == 0 || line_ok(fz_wire, n) != n)
		clean = 0;			/* not just the line */
	    pos += n;
	    wlen += n;
	    break;
	case 2:				/* flip a bit */
	    n = (ARG(0) << 8 | ARG(1));
	    pos += 2;
	    if (wlen > 0)
		fz_wire[n % wlen] ^= 1 << (n % 8);
	    clean = 0;
	    break;
	case 3:				/* truncate */
	    n = ARG(0) + 1;
	    pos += 1;
	    wlen -= n < wlen ? n : wlen;
	    clean = 0;
	    break;
	}
	op++;
    }
    xc_cipher_free(peer);
    if (op == 0)
	clean = 0;
    ok_len = line_ok(fz_wire, wlen);

    if (ftruncate(fz_fd, 0) < 0 || pwrite(fz_fd, fz_wire, wlen, 0) != (ssize_t) wlen
	|| lseek(fz_fd, 0, SEEK_SET) < 0)
	abort();
    sp = vstream_fdopen(dup(fz_fd), O_RDWR);
    vstream_control(sp, CA_VSTREAM_CTL_DOUBLE,
		    CA_VSTREAM_CTL_WRITE_FD(dup(fz_null)),
		    CA_VSTREAM_CTL_END);
    vstream_fputs(XC_CLIENT_OK "\r\n", sp);	/* sent with the first record */
    if (xc_stream_switch(sp, suite, &keys, XC_ROLE_CLIENT, XC_STREAM_CONFIRM,
			 (void *) 0, 0) != 0)
	abort();
    for (reads = 0; reads < 2 * WIRE_MAX + 16; reads++) {
	n = read_sizes[(rseed >> (3 * (reads % 2))) & 7];
	r = vstream_fread(sp, fz_got + got_len, n);
	if (r < 0 || (size_t) r > n)
	    abort();
	if (failed && r > 0)
	    abort();				/* data after an error */
	got_len += r;
	if (got_len > want_len)
	    abort();				/* more than was sealed */
	if ((size_t) r < n) {
	    if (vstream_ferror(sp))
		failed = 1;
	    else if (vstream_feof(sp))
		eof = 1;
	    if (reads > 0 && (failed || eof) && r == 0)
		break;
	    vstream_clearerr(sp);
	}
    }
    if (got_len > 0 && ok_len == 0)
	abort();				/* data without the confirmation */
    if (memcmp(fz_got, fz_want, got_len) != 0)
	abort();				/* forged or reordered data */
    if (ok_len == 0 && !failed)
	abort();				/* no confirmation, no error */
    if (clean && (failed || got_len != want_len))
	abort();				/* a clean wire lost data */
    xc_stream_stop(sp);
    (void) vstream_fclose(sp);
}

/* LLVMFuzzerTestOneInput - one reply, or one confirmation read */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
	return (0);
    if (data[0] & 0x80)
	fuzz_confirm(data + 1, size - 1);
    else
	fuzz_reply(xc_suite((data[0] & 0x7f) % XC_SUITE_COUNT), data + 1, size - 1);
    return (0);
}
