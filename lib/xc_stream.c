/*++
/* NAME
/*	xc_stream 3
/* SUMMARY
/*	XCRYPT traffic protection on a VSTREAM
/* SYNOPSIS
/*	#include <vstream.h>
/*	#include <xcrypt.h>
/*
/*	ssize_t	xc_stream_start(stream, suite, keys, role)
/*	VSTREAM	*stream;
/*	const XC_SUITE *suite;
/*	const XC_KEYS *keys;
/*	int	role;
/*
/*	ssize_t	xc_stream_switch(stream, suite, keys, role, how, ahead, aheadlen)
/*	VSTREAM	*stream;
/*	const XC_SUITE *suite;
/*	const XC_KEYS *keys;
/*	int	role;
/*	int	how;
/*	const void *ahead;
/*	size_t	aheadlen;
/*
/*	const char *xc_stream_error(stream)
/*	VSTREAM	*stream;
/*
/*	void	xc_stream_stop(stream)
/*	VSTREAM	*stream;
/*
/*	int	xc_stream_active(stream)
/*	VSTREAM	*stream;
/*
/*	int	xc_stream_verify_failed(stream)
/*	VSTREAM	*stream;
/* DESCRIPTION
/*	This module turns XCRYPT protection on and off for a VSTREAM in the
/*	manner of tls_stream(3): it replaces the stream's read and write
/*	functions, so that the code above keeps reading and writing
/*	plaintext. The underlying I/O uses timed_read(3) and timed_write(3)
/*	with the timeout that the VSTREAM hands down, so the stream's
/*	timeout and deadline settings keep working.
/*
/*	xc_stream_start() switches the stream to the session keys (spec
/*	4.3): with role XC_ROLE_CLIENT it sends with keys->c2s and receives
/*	with keys->s2c, with XC_ROLE_SERVER the other way around. It first
/*	discards any octets already buffered for reading (they were sent
/*	before the peer could know of the switch and cannot be genuine) and
/*	returns their count. It copies what it needs of the keys, so the
/*	caller may wipe its XC_KEYS at once. The caller must flush the
/*	stream before; unflushed output is an error (XC_ERR_STATE). The
/*	stream's buffer is raised to 64 KiB.
/*
/*	xc_stream_switch() is the general form; xc_stream_start() is
/*	xc_stream_switch() with how XC_STREAM_DISCARD and nothing ahead.
/*	ahead points to aheadlen octets that the caller has already
/*	taken from the stream beyond the confirmation line; they count
/*	as arriving before what the VSTREAM itself has buffered. how is
/*	one of:
/* .IP XC_STREAM_DISCARD
/*	Spec 4.3, suites 1.0 and 2.0: the octets ahead and those
/*	buffered are discarded and counted, as described above.
/* .IP XC_STREAM_KEEP
/*	Spec 4.5, server side of a suite with the pipelined flag: the
/*	octets ahead and those buffered are the first protected input
/*	(ciphertext, opened like everything read later); nothing is
/*	discarded and the result is 0. The buffer for them grows as
/*	needed: the caller bounds aheadlen.
/* .IP XC_STREAM_CONFIRM
/*	Spec 4.5, client side of a suite with the pipelined flag: the
/*	write side is protected at once; the read side first consumes
/*	and checks one plaintext line, which must be "250 XCRYPT OK"
/*	(any case), then opens everything after it as records, never
/*	discarding any of it. The octets ahead and those buffered are
/*	part of that input: nothing is discarded and the result is 0.
/*	A line longer than XC_LINE_MAX octets, "454 4.7.0 XCRYPT FAIL",
/*	any other line, or end-of-file before the line is a read error
/*	(EIO); xc_stream_error() says which.
/* .PP
/*	With XC_STREAM_KEEP and XC_STREAM_CONFIRM, output written but not
/*	yet flushed at the switch (the confirmation line, "XCRYPT OK" or
/*	"250 XCRYPT OK" with CRLF, at most XC_LINE_MAX octets) stays
/*	plaintext: it goes out in front of the first protected octets in
/*	the same write, so that line and records travel in one flight,
/*	or alone before the first read that has to wait for the peer
/*	(a peer may wait for the line before it sends more; but once it
/*	has sent protected data, it waits for our replies, and the line
/*	waits for the first of them).
/*	Note that writing to a single-buffered VSTREAM drops its unread
/*	input (vstream(3)): a caller that writes the confirmation line
/*	before the switch takes what follows first and passes it as
/*	ahead, or uses a double-buffered stream.
/*
/*	xc_stream_error() returns a static text that says why the stream
/*	failed, or a null pointer when it did not (or is not active).
/*
/*	With a keystream suite (spec 6.1, 6.2) every octet is XORed with
/*	the keystream of its direction. With the AEAD suite (spec 6.3)
/*	every flush of the stream becomes one record, or several of at most
/*	XC_REC_DATA_MAX data octets; reading opens whole records and keeps
/*	what does not fit the caller's buffer for the next read.
/*
/*	xc_stream_stop() discards any buffered plaintext, wipes the cipher
/*	state and installs dummy read and write functions that fail, to
/*	prevent data leakage. Call it before vstream_fclose(); flush first
/*	what must still be sent. The staging buffers (ciphertext, and the
/*	wiped plaintext buffer of the AEAD suite) are kept for the next
/*	xc_stream_start() of the process instead of being freed.
/*
/*	xc_stream_active() returns non-zero when the stream reads and
/*	writes through xc_stream_start()'s functions.
/*
/*	xc_stream_verify_failed() returns non-zero when the stream is
/*	active and has failed for a cryptographic reason (see
/*	DIAGNOSTICS), so that a caller can tell a peer that sent
/*	garbage from one that merely hung up.
/* DIAGNOSTICS
/*	xc_stream_start() returns the count of discarded octets (>= 0), or
/*	XC_ERR_STATE (already active, unflushed output), XC_ERR_SUITE
/*	(suite and key length disagree), XC_ERR_CRYPTO (cipher setup).
/*	xc_stream_switch() also returns XC_ERR_SUITE for XC_STREAM_KEEP
/*	or XC_STREAM_CONFIRM with a suite without the pipelined flag, and
/*	XC_ERR_STATE for an unknown how or more than XC_LINE_MAX octets
/*	of unflushed output. On error the stream is left as it was:
/*	unflushed output is still there (a server may replace its
/*	"250 XCRYPT OK" with "454 4.7.0 XCRYPT FAIL").
/*
/*	After the switch, a read or write error of the stream reports errno
/*	EIO for anything cryptographic: a record that does not verify, a
/*	record length out of range, end-of-file inside a record, a sequence
/*	number that would wrap. From then on every read and write fails
/*	with EIO, so nothing further is ever sent (spec 4.4). When records
/*	that verified precede the bad one in what one read call took in,
/*	that call still returns their data, and the next read fails: no
/*	write is accepted in between. Errors of the
/*	underlying I/O keep their errno (ETIMEDOUT, EPIPE, ...).
/* SEE ALSO
/*	tls_stream(3), vstream(3), timed_read(3), xc_cipher(3)
/*	../shared/XCRYPT-PROTOCOL.md, sections 4.3, 4.4, 4.5 and 6.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <errno.h>
#include <string.h>
#include <time.h>

/* Utility library. */

#include <msg.h>
#include <mymalloc.h>
#include <iostuff.h>
#include <vstream.h>

/* Application-specific. */

#include "xc_private.h"

 /*
  * One flush of the VSTREAM buffer, and the most one read hands back: four
  * full AEAD records. Larger buffers mean fewer system calls and fewer
  * cipher calls per octet.
  */
#define XC_STREAM_BUFSIZE	(4 * XC_REC_DATA_MAX)

 /*
  * Ciphertext staging: keystream output, or up to four sealed records.
  */
#define XC_STREAM_WBUF_KS	XC_STREAM_BUFSIZE
#define XC_STREAM_WBUF_AEAD	(4 * XC_REC_MAX)
#define XC_STREAM_RBUF_AEAD	(4 * XC_REC_MAX)

 /*
  * The staging buffers of a finished stream, kept for the next one of this
  * process: a daemon runs one session after another (xcrypt-smtpd many at
  * once), and allocating (and having mymalloc() fill) some 150 kB per
  * session, then freeing it, costs more than the handshake itself. Room for
  * the buffers of 8 streams (at most about 1.2 MB kept). Ciphertext buffers
  * hold nothing secret; the plaintext buffer is wiped before it is kept.
  */
typedef struct XC_STREAM_SPARE {
    unsigned char *buf;
    size_t  size;
} XC_STREAM_SPARE;

#define XC_STREAM_SPARES	(8 * 3)	/* 8 x (wbuf, rbuf, plain) */

static XC_STREAM_SPARE xc_stream_spares[XC_STREAM_SPARES];

typedef struct XC_STREAM {
    const XC_SUITE *suite;
    XC_CIPHER *tx;			/* our sending direction */
    XC_CIPHER *rx;			/* our receiving direction */
    int     failed;			/* refuse all further I/O */
    int     verify_failed;		/* ... because of spec 4.4 */
    unsigned char *wbuf;		/* ciphertext out */
    size_t  wsize;
    unsigned char *rbuf;		/* AEAD: ciphertext in */
    size_t  rsize;
    size_t  roff;			/* first unconsumed octet */
    size_t  rlen;			/* unconsumed octets */
    unsigned char *plain;		/* AEAD: one record's data */
    size_t  plain_off;
    size_t  plain_len;			/* not yet delivered */
    int     confirm;			/* 250 XCRYPT OK not yet read */
    unsigned char prefix[XC_LINE_MAX];	/* plaintext to send first */
    size_t  prefix_len;			/* not yet sent */
    int     delivered;			/* protected data was read */
    const char *why;			/* failure, for xc_stream_error() */
} XC_STREAM;

 /*
  * The confirmation that XC_STREAM_CONFIRM reads (spec 4.5), and the
  * failure that the server may send instead.
  */
#define XC_STREAM_OK_LINE	XC_REPLY_OK
#define XC_STREAM_FAIL_LINE	XC_REPLY_OK_FAIL

 /*
  * Per-call time budget. The VSTREAM passes the time left for one read or
  * write call; when we must make several system calls for it (partial
  * writes, a record that arrives in pieces), they share that budget.
  */
typedef struct XC_BUDGET {
    int     timeout;			/* seconds, 0 = none */
    int     started;
    struct timespec start;
} XC_BUDGET;

static ssize_t xc_stream_ks_read(int, void *, size_t, int, void *);
static ssize_t xc_stream_ks_write(int, void *, size_t, int, void *);
static ssize_t xc_stream_aead_read(int, void *, size_t, int, void *);
static ssize_t xc_stream_aead_write(int, void *, size_t, int, void *);

/* xc_budget_init - start a time budget */

static void xc_budget_init(XC_BUDGET *bp, int timeout)
{
    bp->timeout = timeout;
    bp->started = 0;
}

/* xc_budget_left - seconds left for the next system call, -1 if none */

static int xc_budget_left(XC_BUDGET *bp)
{
    struct timespec now;
    long    left_ms;

    if (bp->timeout <= 0)
	return (0);
    if (!bp->started) {
	clock_gettime(CLOCK_MONOTONIC, &bp->start);
	bp->started = 1;
	return (bp->timeout);
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    left_ms = bp->timeout * 1000L
	- ((now.tv_sec - bp->start.tv_sec) * 1000L
	   + (now.tv_nsec - bp->start.tv_nsec) / 1000000L);
    if (left_ms <= 0)
	return (-1);
    return ((int) ((left_ms + 999) / 1000));
}

/* xc_stream_fail - refuse all further I/O, report EIO */

static ssize_t xc_stream_fail(XC_STREAM *xs, const char *why)
{
    xs->failed = 1;
    if (xs->why == 0)
	xs->why = why;
    xs->verify_failed = 1;
    errno = EIO;
    return (-1);
}

/* xc_stream_fail_after - fail, but deliver the data that verified */

static ssize_t xc_stream_fail_after(XC_STREAM *xs, size_t done,
				            const char *why)
{

    /*
     * Records that verified before the bad one in the same read are
     * authentic: an end-of-data reply among them must reach the caller, or
     * a client would take an accepted message for a lost one and send it
     * again. Hand them over; the failure shows on the next read, and
     * nothing more is written from now on.
     */
    if (done > 0) {
	xs->failed = 1;
	if (xs->why == 0)
	    xs->why = why;
	xs->verify_failed = 1;
	return (done);
    }
    return (xc_stream_fail(xs, why));
}

/* xc_write_all - write everything, sharing one time budget */

static int xc_write_all(int fd, const unsigned char *buf, size_t len,
			        XC_BUDGET *bp)
{
    ssize_t n;
    int     left;

    while (len > 0) {
	if ((left = xc_budget_left(bp)) < 0) {
	    errno = ETIMEDOUT;
	    return (-1);
	}
	if ((n = timed_write(fd, buf, len, left, (void *) 0)) <= 0) {
	    if (n == 0)
		errno = EIO;
	    return (-1);
	}
	buf += n;
	len -= n;
    }
    return (0);
}

/* xc_stream_ks_read - read, then XOR with the receive keystream */

static ssize_t xc_stream_ks_read(int fd, void *buf, size_t len, int timeout,
				         void *context)
{
    XC_STREAM *xs = (XC_STREAM *) context;
    ssize_t n;

    if (xs == 0)
	msg_panic("xc_stream_ks_read: no context");
    if (xs->failed) {
	errno = EIO;
	return (-1);
    }
    if ((n = timed_read(fd, buf, len, timeout, (void *) 0)) > 0
	&& xc_cipher_xor(xs->rx, buf, n, buf) != XC_OK)
	return (xc_stream_fail(xs, "keystream failure"));
    return (n);
}

/* xc_stream_ks_write - XOR with the send keystream, then write it all */

static ssize_t xc_stream_ks_write(int fd, void *buf, size_t len, int timeout,
				          void *context)
{
    XC_STREAM *xs = (XC_STREAM *) context;
    const unsigned char *in = (const unsigned char *) buf;
    size_t  left;
    size_t  chunk;
    XC_BUDGET budget;

    if (xs == 0)
	msg_panic("xc_stream_ks_write: no context");
    if (xs->failed) {
	errno = EIO;
	return (-1);
    }

    /*
     * The keystream advances with every octet we encrypt, so every octet we
     * encrypt must reach the wire: we write it all before we return, rather
     * than report a partial write that the VSTREAM would hand us again. A
     * write error leaves the keystream out of step with the peer: from then
     * on we refuse.
     */
    xc_budget_init(&budget, timeout);
    for (left = len; left > 0; left -= chunk, in += chunk) {
	chunk = left < xs->wsize ? left : xs->wsize;
	if (xc_cipher_xor(xs->tx, in, chunk, xs->wbuf) != XC_OK)
	    return (xc_stream_fail(xs, "keystream failure"));
	if (xc_write_all(fd, xs->wbuf, chunk, &budget) < 0) {
	    xs->failed = 1;
	    if (xs->why == 0)
		xs->why = "write error";
	    return (-1);
	}
    }
    return (len);
}

/* xc_stream_aead_write - seal one flush as records, write them all */

static ssize_t xc_stream_aead_write(int fd, void *buf, size_t len,
				            int timeout, void *context)
{
    XC_STREAM *xs = (XC_STREAM *) context;
    const unsigned char *in = (const unsigned char *) buf;
    size_t  left = len;
    size_t  chunk;
    size_t  used;
    size_t  outlen;
    XC_BUDGET budget;

    if (xs == 0)
	msg_panic("xc_stream_aead_write: no context");
    if (xs->failed) {
	errno = EIO;
	return (-1);
    }

    /*
     * One flush = one record, so that padding hides the length of each
     * command or reply (spec 6.3); longer flushes are cut at the data limit.
     * Seal up to four records, then write them with one system call. A
     * plaintext confirmation line not yet sent goes in front of the first
     * ones, in the same write (spec 4.5: one flight).
     */
    xc_budget_init(&budget, timeout);
    while (left > 0) {
	used = 0;
	if (xs->prefix_len > 0) {
	    memcpy(xs->wbuf, xs->prefix, xs->prefix_len);
	    used = xs->prefix_len;
	    xs->prefix_len = 0;
	}
	for (; left > 0 && used + XC_REC_MAX <= xs->wsize; used += outlen) {
	    chunk = left < XC_REC_DATA_MAX ? left : XC_REC_DATA_MAX;
	    if (xc_record_seal(xs->tx, in, chunk, xs->wbuf + used,
			       &outlen) != XC_OK)
		return (xc_stream_fail(xs, "cannot seal a record"));
	    in += chunk;
	    left -= chunk;
	}
	if (xc_write_all(fd, xs->wbuf, used, &budget) < 0) {
	    xs->failed = 1;
	    if (xs->why == 0)
		xs->why = "write error";
	    return (-1);
	}
    }
    return (len);
}

/* xc_stream_confirm - consume and check the plaintext 250 XCRYPT OK line */

static int xc_stream_confirm(XC_STREAM *xs)
{
    const unsigned char *line = xs->rbuf + xs->roff;
    const unsigned char *nl;
    size_t  len;
    size_t  textlen;

    /*
     * Only this one line is plaintext; everything after its LF is records
     * and stays in the buffer (spec 4.5: never discarded). Bound the line.
     */
    if ((nl = memchr(line, '\n', xs->rlen)) == 0) {
	if (xs->rlen >= XC_LINE_MAX)
	    return (xc_stream_fail(xs, "reply to XCRYPT OK too long"));
	return (0);				/* need more */
    }
    len = nl + 1 - line;
    if (len > XC_LINE_MAX)
	return (xc_stream_fail(xs, "reply to XCRYPT OK too long"));
    textlen = len - 1;
    if (textlen > 0 && line[textlen - 1] == '\r')
	textlen--;
    if (textlen == sizeof(XC_STREAM_OK_LINE) - 1
	&& strncasecmp((const char *) line, XC_STREAM_OK_LINE, textlen) == 0) {
	xs->roff += len;
	xs->rlen -= len;
	xs->confirm = 0;
	return (1);
    }
    if (textlen == sizeof(XC_STREAM_FAIL_LINE) - 1
	&& strncasecmp((const char *) line, XC_STREAM_FAIL_LINE, textlen) == 0)
	return (xc_stream_fail(xs, "server answered " XC_STREAM_FAIL_LINE));
    return (xc_stream_fail(xs, "unexpected reply to XCRYPT OK"));
}

/* xc_stream_aead_read - read whole records, deliver their data */

static ssize_t xc_stream_aead_read(int fd, void *buf, size_t len, int timeout,
				           void *context)
{
    XC_STREAM *xs = (XC_STREAM *) context;
    unsigned char *out = (unsigned char *) buf;
    unsigned char *rec;
    size_t  done = 0;
    size_t  datalen;
    size_t  n;
    ssize_t got;
    int     sealed;
    int     left;
    XC_BUDGET budget;

    if (xs == 0)
	msg_panic("xc_stream_aead_read: no context");
    if (xs->failed) {
	errno = EIO;
	return (-1);
    }
    if (len == 0)
	msg_panic("xc_stream_aead_read: zero-length read");

    /*
     * Data of an earlier record that did not fit the caller's buffer.
     */
    if (xs->plain_len > 0) {
	n = len < xs->plain_len ? len : xs->plain_len;
	memcpy(out, xs->plain + xs->plain_off, n);
	xs->plain_off += n;
	xs->plain_len -= n;
	return (n);
    }
    xc_budget_init(&budget, timeout);
    for (;;) {

	/*
	 * Open every whole record that we already have, while the caller has
	 * room for a full one. A record without data delivers nothing, but
	 * is no end-of-file: go on with the next. With XC_STREAM_CONFIRM, the
	 * plaintext confirmation line comes first.
	 */
	if (xs->confirm && xc_stream_confirm(xs) < 0)
	    return (-1);
	while (!xs->confirm && (done == 0 || len - done >= XC_REC_DATA_MAX)) {
	    if (xs->rlen < 2)
		break;
	    rec = xs->rbuf + xs->roff;
	    if ((sealed = xc_record_sealed_len(rec)) < 0)
		return (xc_stream_fail_after(xs, done,
					     "record length out of range"));
	    if (xs->rlen < 2 + (size_t) sealed)
		break;
	    if (len - done >= XC_REC_DATA_MAX) {
		if (xc_record_open(xs->rx, rec, 2 + sealed, out + done,
				   &datalen) != XC_OK)
		    return (xc_stream_fail_after(xs, done,
						 "record did not verify"));
		done += datalen;
	    } else {
		if (xc_record_open(xs->rx, rec, 2 + sealed, xs->plain,
				   &datalen) != XC_OK)
		    return (xc_stream_fail_after(xs, done,
						 "record did not verify"));
		n = len < datalen ? len : datalen;
		memcpy(out, xs->plain, n);
		xs->plain_off = n;
		xs->plain_len = datalen - n;
		done = n;
	    }
	    xs->roff += 2 + sealed;
	    xs->rlen -= 2 + sealed;
	    if (xs->plain_len > 0)
		break;
	}
	if (xs->rlen == 0)
	    xs->roff = 0;
	if (done > 0) {
	    xs->delivered = 1;
	    return (done);
	}

	/*
	 * Need more. Keep the partial record at the front so that a whole one
	 * always fits, and read as much as the peer has sent.
	 */
	if (xs->roff > 0) {
	    memmove(xs->rbuf, xs->rbuf + xs->roff, xs->rlen);
	    xs->roff = 0;
	}
	if ((left = xc_budget_left(&budget)) < 0) {
	    errno = ETIMEDOUT;
	    return (-1);
	}

	/*
	 * The peer may wait for our plaintext confirmation line before it
	 * sends more: it goes out before we wait. Not when the peer has
	 * already sent more: a peer that pipelines waits for our replies,
	 * and the line travels with the first of them.
	 */
	if (xs->prefix_len > 0 && !xs->delivered && !readable(fd)) {
	    if (xc_write_all(fd, xs->prefix, xs->prefix_len, &budget) < 0) {
		xs->failed = 1;
		if (xs->why == 0)
		    xs->why = "write error";
		return (-1);
	    }
	    xs->prefix_len = 0;
	    if ((left = xc_budget_left(&budget)) < 0) {
		errno = ETIMEDOUT;
		return (-1);
	    }
	}
	got = timed_read(fd, xs->rbuf + xs->rlen, xs->rsize - xs->rlen, left,
			 (void *) 0);
	if (got < 0)
	    return (-1);
	if (got == 0) {
	    if (xs->confirm)
		return (xc_stream_fail(xs, "end of file before 250 XCRYPT OK"));
	    if (xs->rlen == 0)
		return (0);
	    return (xc_stream_fail(xs, "end of file inside a record"));
	}
	xs->rlen += got;
    }
}

/* xc_stream_refuse_read - after xc_stream_stop(): no plaintext fallback */

static ssize_t xc_stream_refuse_read(int fd, void *buf, size_t len,
				             int timeout, void *context)
{
    errno = EIO;
    return (-1);
}

/* xc_stream_refuse_write - after xc_stream_stop(): no plaintext fallback */

static ssize_t xc_stream_refuse_write(int fd, void *buf, size_t len,
				              int timeout, void *context)
{
    errno = EIO;
    return (-1);
}

/* xc_stream_buf_get - a kept buffer of this size, or a new one */

static unsigned char *xc_stream_buf_get(size_t size)
{
    XC_STREAM_SPARE *sp;
    unsigned char *buf;

    for (sp = xc_stream_spares; sp < xc_stream_spares + XC_STREAM_SPARES; sp++) {
	if (sp->buf != 0 && sp->size == size) {
	    buf = sp->buf;
	    sp->buf = 0;
	    sp->size = 0;
	    return (buf);
	}
    }
    return ((unsigned char *) mymalloc(size));
}

/* xc_stream_buf_put - keep a buffer for the next stream, or free it */

static void xc_stream_buf_put(unsigned char *buf, size_t size)
{
    XC_STREAM_SPARE *sp;

    for (sp = xc_stream_spares; sp < xc_stream_spares + XC_STREAM_SPARES; sp++) {
	if (sp->buf == 0) {
	    sp->buf = buf;
	    sp->size = size;
	    return;
	}
    }
    myfree((void *) buf);
}

/* xc_stream_free - wipe and release the context */

static void xc_stream_free(XC_STREAM *xs)
{
    if (xs->tx)
	xc_cipher_free(xs->tx);
    if (xs->rx)
	xc_cipher_free(xs->rx);
    if (xs->wbuf)
	xc_stream_buf_put(xs->wbuf, xs->wsize);
    if (xs->rbuf && xs->rsize == XC_STREAM_RBUF_AEAD)
	xc_stream_buf_put(xs->rbuf, xs->rsize);
    else if (xs->rbuf)
	myfree((void *) xs->rbuf);
    if (xs->plain) {
	zeromem(xs->plain, XC_REC_DATA_MAX);
	xc_stream_buf_put(xs->plain, XC_REC_DATA_MAX);
    }
    zeromem((void *) xs, sizeof(*xs));
    myfree((void *) xs);
}

/* xc_stream_active - is protection on? */

int     xc_stream_active(VSTREAM *stream)
{
    return (vstream_context(stream) != 0
	    && (stream->read_fn == xc_stream_ks_read
		|| stream->read_fn == xc_stream_aead_read));
}


/* xc_stream_verify_failed - did protected data fail to verify? */

int     xc_stream_verify_failed(VSTREAM *stream)
{
    return (xc_stream_active(stream)
	    && ((XC_STREAM *) vstream_context(stream))->verify_failed);
}

/* xc_stream_capture - take unflushed output as the plaintext prefix */

static ssize_t xc_stream_capture(int fd, void *buf, size_t len, int timeout,
				         void *context)
{
    XC_STREAM *xs = (XC_STREAM *) context;

    if (xs->prefix_len + len > sizeof(xs->prefix))
	msg_panic("xc_stream_capture: %lu octets, room for %lu",
		  (unsigned long) len,
		  (unsigned long) (sizeof(xs->prefix) - xs->prefix_len));
    memcpy(xs->prefix + xs->prefix_len, buf, len);
    xs->prefix_len += len;
    return (len);
}

/* xc_stream_start - switch the stream to the session keys (spec 4.3) */

ssize_t xc_stream_start(VSTREAM *stream, const XC_SUITE *suite,
			        const XC_KEYS *keys, int role)
{
    return (xc_stream_switch(stream, suite, keys, role, XC_STREAM_DISCARD,
			     (void *) 0, 0));
}

/* xc_stream_switch - switch the stream to the session keys */

ssize_t xc_stream_switch(VSTREAM *stream, const XC_SUITE *suite,
			         const XC_KEYS *keys, int role, int how,
			         const void *ahead, size_t aheadlen)
{
    XC_STREAM *xs;
    const unsigned char *txkey;
    const unsigned char *rxkey;
    const char *data;
    ssize_t buffered;
    ssize_t pending;
    size_t  total;

    /*
     * Sanity checks. Nothing below may fail once we touch the stream, so
     * that a caller that cannot switch still has its unflushed output.
     */
    if (suite == 0 || keys == 0 || keys->key_len != suite->key_len)
	return (XC_ERR_SUITE);
    if (role != XC_ROLE_CLIENT && role != XC_ROLE_SERVER)
	return (XC_ERR_STATE);
    if (how != XC_STREAM_DISCARD && how != XC_STREAM_KEEP
	&& how != XC_STREAM_CONFIRM)
	return (XC_ERR_STATE);
    if (how != XC_STREAM_DISCARD && !(XC_SUITE_PIPELINED(suite) && suite->aead))
	return (XC_ERR_SUITE);
    if (ahead == 0)
	aheadlen = 0;
    if (xc_stream_active(stream))
	return (XC_ERR_STATE);
    pending = vstream_bufstat(stream, VSTREAM_BST_OUT_PEND);
    if (pending > (how == XC_STREAM_DISCARD ? 0 : XC_LINE_MAX))
	return (XC_ERR_STATE);

    txkey = role == XC_ROLE_CLIENT ? keys->c2s : keys->s2c;
    rxkey = role == XC_ROLE_CLIENT ? keys->s2c : keys->c2s;
    xs = (XC_STREAM *) mymalloc(sizeof(*xs));
    memset((void *) xs, 0, sizeof(*xs));
    xs->suite = suite;
    if ((xs->tx = xc_cipher_create(suite, txkey)) == 0
	|| (xs->rx = xc_cipher_create(suite, rxkey)) == 0) {
	xc_stream_free(xs);
	return (XC_ERR_CRYPTO);
    }
    if ((buffered = vstream_peek(stream)) < 0)
	buffered = 0;
    if (suite->aead) {
	xs->wsize = XC_STREAM_WBUF_AEAD;
	total = (how == XC_STREAM_DISCARD ? 0 : aheadlen + buffered);
	if (total <= XC_STREAM_RBUF_AEAD) {
	    xs->rsize = XC_STREAM_RBUF_AEAD;
	    xs->rbuf = xc_stream_buf_get(xs->rsize);
	} else {
	    xs->rsize = total;
	    xs->rbuf = (unsigned char *) mymalloc(xs->rsize);
	}
	xs->plain = xc_stream_buf_get(XC_REC_DATA_MAX);
    } else {
	xs->wsize = XC_STREAM_WBUF_KS;
    }
    xs->wbuf = xc_stream_buf_get(xs->wsize);

    if (how == XC_STREAM_DISCARD) {

	/*
	 * The injection rule (spec 4.3): what we have buffered now arrived
	 * before the peer could know of the switch. Never interpret it.
	 */
	vstream_fpurge(stream, VSTREAM_PURGE_READ);
    } else {

	/*
	 * Spec 4.5: what follows the confirmation is protected, whether it
	 * came with the line or later. It becomes the first ciphertext in.
	 */
	if (aheadlen > 0)
	    memcpy(xs->rbuf, ahead, aheadlen);
	if (buffered > 0 && (data = vstream_peek_data(stream)) != 0)
	    memcpy(xs->rbuf + aheadlen, data, buffered);
	xs->rlen = aheadlen + buffered;
	vstream_fpurge(stream, VSTREAM_PURGE_READ);
	xs->confirm = (how == XC_STREAM_CONFIRM);

	/*
	 * The confirmation line that the caller wrote stays plaintext, and
	 * waits to travel with the first records.
	 */
	if (pending > 0) {
	    vstream_control(stream,
			    CA_VSTREAM_CTL_WRITE_FN(xc_stream_capture),
			    CA_VSTREAM_CTL_CONTEXT((void *) xs),
			    CA_VSTREAM_CTL_END);
	    if (vstream_fflush(stream) != 0 || xs->prefix_len != pending)
		msg_panic("xc_stream_switch: cannot take %ld unflushed octets",
			  (long) pending);
	}
    }
    vstream_control(stream,
		    CA_VSTREAM_CTL_READ_FN(suite->aead ?
				       xc_stream_aead_read : xc_stream_ks_read),
		    CA_VSTREAM_CTL_WRITE_FN(suite->aead ?
				     xc_stream_aead_write : xc_stream_ks_write),
		    CA_VSTREAM_CTL_CONTEXT((void *) xs),
		    CA_VSTREAM_CTL_BUFSIZE((ssize_t) XC_STREAM_BUFSIZE),
		    CA_VSTREAM_CTL_END);
    return (how == XC_STREAM_DISCARD ? (ssize_t) (aheadlen + buffered) : 0);
}

/* xc_stream_error - why the stream failed */

const char *xc_stream_error(VSTREAM *stream)
{
    XC_STREAM *xs;

    if (!xc_stream_active(stream))
	return (0);
    xs = (XC_STREAM *) vstream_context(stream);
    return (xs->failed ? (xs->why ? xs->why : "I/O error") : 0);
}

/* xc_stream_stop - wipe the keys, refuse further I/O */

void    xc_stream_stop(VSTREAM *stream)
{
    XC_STREAM *xs;

    if (!xc_stream_active(stream))
	return;
    xs = (XC_STREAM *) vstream_context(stream);

    /*
     * Prevent data leakage: nothing buffered may go out or be read in the
     * clear once the keys are gone.
     */
    vstream_fpurge(stream, VSTREAM_PURGE_BOTH);
    vstream_control(stream,
		    CA_VSTREAM_CTL_READ_FN(xc_stream_refuse_read),
		    CA_VSTREAM_CTL_WRITE_FN(xc_stream_refuse_write),
		    CA_VSTREAM_CTL_CONTEXT((void *) 0),
		    CA_VSTREAM_CTL_END);
    xc_stream_free(xs);
}
