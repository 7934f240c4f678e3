/*++
/* NAME
/*	fz_stream 1
/* SUMMARY
/*	libFuzzer target: the record layer's read path, through a VSTREAM
/* SYNOPSIS
/*	XC_FUZZ_SUITE=name fz_stream [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	The input is a script that builds what a peer sends after the
/*	switch: records (AEAD suite) or keystream octets (1.0 suites)
/*	made with the peer's real cipher, so that valid traffic is easy
/*	to reach, mixed with raw octets, flipped bits, truncation, two
/*	records swapped and a record sent twice. The result is read by
/*	xc_stream(3) in client role from a VSTREAM over a memory file,
/*	in read sizes that the script chooses.
/*
/*	Octet 0 selects the suite (modulo the number of suites) unless
/*	XC_FUZZ_SUITE names one; octet 1 the read sizes; then operations
/*	(one octet each, with arguments):
/* .IP "0 hi lo"
/*	a valid record (or keystream run) of (hi lo) modulo 16385
/*	octets of generated data.
/* .IP "1 n octets..."
/*	n raw octets from the script.
/* .IP "2 hi lo"
/*	flip one bit of the octet at (hi lo) modulo the wire length.
/* .IP "3 n"
/*	drop the last n + 1 octets.
/* .IP "4"
/*	swap the last two records.
/* .IP "5"
/*	send the last record again.
/* .PP
/*	Oracle (abort): with the AEAD suite, what is read must be a prefix
/*	of the data of the valid records in order, all of it with a clean
/*	end-of-file when nothing was tampered with, and after an error no
/*	read returns data again; with a keystream suite every octet is
/*	delivered, and the data exactly when nothing was tampered with.
/* SEE ALSO
/*	xc_stream(3), ../shared/XCRYPT-PROTOCOL.md sections 4.4 and 6
/*--*/

#define _GNU_SOURCE
#include <sys_defs.h>
#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <msg.h>
#include <vstream.h>

#include <xcrypt.h>

#define WIRE_MAX	(8 * XC_REC_MAX)
#define RECS_MAX	64

int     LLVMFuzzerInitialize(int *, char ***);
int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int fz_fd = -1;
static const XC_SUITE *fz_fixed_suite;
static unsigned char fz_wire[WIRE_MAX];
static unsigned char fz_want[WIRE_MAX];	/* data of every valid record */
static unsigned char fz_pure[WIRE_MAX];	/* the valid records alone */
static unsigned char fz_got[WIRE_MAX + XC_REC_DATA_MAX];
static unsigned char fz_data[XC_REC_DATA_MAX];

/* LLVMFuzzerInitialize - one memory file, the suite */

int     LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *name;
    int     i;

    xc_init();
    if ((fz_fd = memfd_create("fz_stream", 0)) < 0)
	abort();
    if (getenv("XC_FUZZ_LIST_SUITES")) {		/* for tests/fuzz/run.sh */
	for (i = 0; i < XC_SUITE_COUNT; i++)
	    printf("%s\n", xc_suite(i)->name);
	exit(0);
    }
    if ((name = getenv("XC_FUZZ_SUITE")) != 0 && *name) {
	if ((fz_fixed_suite = xc_suite_find(name, strlen(name))) == 0)
	    abort();
    }
    for (i = 0; i < XC_REC_DATA_MAX; i++)
	fz_data[i] = "MAIL FROM:<a@b>\r\n.\r\n"[i % 21];
    return (0);
}

typedef struct {
    size_t  off;
    size_t  len;
} REC;

/* LLVMFuzzerTestOneInput - build the wire, read it back */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t read_sizes[8] = {1, 2, 7, 31, 512, 4096, 16384, 65536};
    const XC_SUITE *suite;
    XC_CIPHER *peer;
    XC_KEYS keys;
    REC     recs[RECS_MAX];
    size_t  pure_end[RECS_MAX];		/* wire end of valid record i */
    size_t  data_end[RECS_MAX];		/* data end of valid record i */
    int     npure = 0;
    size_t  plen = 0;
    size_t  lcp;
    size_t  expect;
    int     k;
    int     nrec = 0;
    size_t  wlen = 0;
    size_t  want_len = 0;
    size_t  got_len = 0;
    size_t  pos = 2;
    size_t  n;
    size_t  rlen;
    unsigned char tmp[XC_REC_MAX];
    unsigned char rseed;
    int     tampered;
    int     failed = 0;
    int     eof = 0;
    int     reads;
    ssize_t r;
    VSTREAM *sp;

    if (size < 2)
	return (0);
    suite = fz_fixed_suite ? fz_fixed_suite : xc_suite(data[0] % XC_SUITE_COUNT);
    rseed = data[1];
    memset(&keys, 0, sizeof(keys));
    keys.key_len = suite->key_len;
    memset(keys.c2s, 0x5a, sizeof(keys.c2s));
    memset(keys.s2c, 0xa5, sizeof(keys.s2c));
    if ((peer = xc_cipher_create(suite, keys.s2c)) == 0)
	abort();

#define ARG(i) (pos + (i) < size ? data[pos + (i)] : 0)

    while (pos < size) {
	switch (data[pos++] % 6) {
	case 0:				/* valid record */
	    n = (ARG(0) << 8 | ARG(1)) % (XC_REC_DATA_MAX + 1);
	    pos += 2;
	    if (wlen + XC_REC_MAX > WIRE_MAX || plen + XC_REC_MAX > WIRE_MAX
		|| nrec == RECS_MAX || npure == RECS_MAX)
		break;
	    if (suite->aead) {
		if (xc_record_seal(peer, fz_data, n, fz_wire + wlen, &rlen) != XC_OK)
		    abort();
	    } else {
		if (xc_cipher_xor(peer, fz_data, n, fz_wire + wlen) != XC_OK)
		    abort();
		rlen = n;
	    }
	    recs[nrec].off = wlen;
	    recs[nrec].len = rlen;
	    nrec++;
	    memcpy(fz_pure + plen, fz_wire + wlen, rlen);
	    plen += rlen;
	    wlen += rlen;
	    memcpy(fz_want + want_len, fz_data, n);
	    want_len += n;
	    pure_end[npure] = plen;
	    data_end[npure] = want_len;
	    npure++;
	    break;
	case 1:				/* raw octets */
	    n = ARG(0);
	    pos += 1;
	    if (n > size - pos)
		n = size - pos;
	    if (wlen + n > WIRE_MAX)
		n = WIRE_MAX - wlen;
	    memcpy(fz_wire + wlen, data + pos, n);
	    pos += n;
	    wlen += n;
	    break;
	case 2:				/* flip a bit */
	    n = (ARG(0) << 8 | ARG(1));
	    pos += 2;
	    if (wlen > 0) {
		fz_wire[n % wlen] ^= 1 << (n % 8);
	    }
	    break;
	case 3:				/* truncate */
	    n = ARG(0) + 1;
	    pos += 1;
	    n = n < wlen ? n : wlen;
	    wlen -= n;
	    while (nrec > 0 && recs[nrec - 1].off + recs[nrec - 1].len > wlen)
		nrec--;
	    break;
	case 4:				/* swap the last two records */
	    if (nrec >= 2 && recs[nrec - 1].off + recs[nrec - 1].len == wlen
		&& recs[nrec - 2].off + recs[nrec - 2].len == recs[nrec - 1].off) {
		REC     a = recs[nrec - 2];
		REC     b = recs[nrec - 1];

		memcpy(tmp, fz_wire + a.off, a.len);
		memmove(fz_wire + a.off, fz_wire + b.off, b.len);
		memcpy(fz_wire + a.off + b.len, tmp, a.len);
		recs[nrec - 2].len = b.len;
		recs[nrec - 1].off = a.off + b.len;
		recs[nrec - 1].len = a.len;
	    }
	    break;
	case 5:				/* replay the last record */
	    if (nrec >= 1 && nrec < RECS_MAX && recs[nrec - 1].len > 0
		&& wlen + recs[nrec - 1].len <= WIRE_MAX) {
		memcpy(fz_wire + wlen, fz_wire + recs[nrec - 1].off,
		       recs[nrec - 1].len);
		recs[nrec].off = wlen;
		recs[nrec].len = recs[nrec - 1].len;
		nrec++;
		wlen += recs[nrec - 1].len;
	    }
	    break;
	}
    }
    xc_cipher_free(peer);

    /*
     * What the reader must deliver: the data of the valid records that
     * the final wire starts with, unchanged (tampering operations may
     * undo each other). Every other record fails: only the sender seals
     * a sequence number, once.
     */
    for (lcp = 0; lcp < wlen && lcp < plen && fz_wire[lcp] == fz_pure[lcp]; lcp++)
	 /* void */ ;
    for (k = 0; k < npure && pure_end[k] <= lcp; k++)
	 /* void */ ;
    expect = k > 0 ? data_end[k - 1] : 0;
    tampered = (wlen != plen || lcp != wlen);

    if (ftruncate(fz_fd, 0) < 0 || pwrite(fz_fd, fz_wire, wlen, 0) != (ssize_t) wlen
	|| lseek(fz_fd, 0, SEEK_SET) < 0)
	abort();
    sp = vstream_fdopen(dup(fz_fd), O_RDWR);
    if (xc_stream_start(sp, suite, &keys, XC_ROLE_CLIENT) != 0)
	abort();
    for (reads = 0; reads < 2 * WIRE_MAX + 16; reads++) {
	n = read_sizes[(rseed >> (3 * (reads % 2))) & 7];
	r = vstream_fread(sp, fz_got + got_len, n);
	if (r < 0 || (size_t) r > n)
	    abort();
	if (failed && r > 0)
	    abort();				/* data after an error */
	got_len += r;
	if (got_len > WIRE_MAX)
	    abort();
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
    xc_stream_stop(sp);
    (void) vstream_fclose(sp);

    if (suite->aead) {
	if (got_len != expect || memcmp(fz_got, fz_want, got_len) != 0)
	    abort();				/* lost or forged data */
	if (failed != (wlen > (k > 0 ? pure_end[k - 1] : 0)))
	    abort();				/* error, or none, wrongly */
    } else {
	if (got_len != wlen)
	    abort();				/* keystream: every octet */
	if (memcmp(fz_got, fz_want, lcp) != 0)
	    abort();				/* the intact part decrypts */
	if (!tampered && got_len != want_len)
	    abort();
    }
    return (0);
}
