/*++
/* NAME
/*	t_stream_partial 1
/* SUMMARY
/*	verified records before a bad one are delivered
/* SYNOPSIS
/*	t_stream_partial
/* DESCRIPTION
/*	Regression test of the audit finding "verified data dropped"
/*	(xc_stream.c): when one read of the VSTREAM takes in records that
/*	verify followed by one that does not, the data of the good ones
/*	reaches the caller (an end-of-data reply among them must not be
/*	taken for a lost connection), the next read fails with EIO, and
/*	nothing is written in between or afterwards.
/*
/*	For every AEAD suite, the peer end of a socketpair writes, in one
/*	write(2), good records followed by a record with a flipped
/*	ciphertext bit, or with a length out of range.
/*--*/

/* checks: 10 */

/* System library. */

#include <sys_defs.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <msg_vstream.h>
#include <vstream.h>

/* Application-specific. */

#include <xcrypt.h>
#include "t_check.h"

#define REPLY1	"250 2.1.5 Ok\r\n"
#define REPLY2	"250 2.0.0 Ok: queued as 4XyzAbc\r\n"

/* seal - one record of text into out, return its length */

static size_t seal(XC_CIPHER *c, const char *text, unsigned char *out)
{
    size_t  len;

    if (xc_record_seal(c, (const unsigned char *) text, strlen(text),
		       out, &len) != XC_OK)
	msg_fatal("xc_record_seal failed");
    return (len);
}

/* get_line - one line with its CRLF, null on EOF or error */

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

/* silent - nothing arrives on the raw end within ms */

static int silent(int fd, int ms)
{
    struct pollfd pfd;

    pfd.fd = fd;
    pfd.events = POLLIN;
    return (poll(&pfd, 1, ms) == 0);
}

#define NRES	5

static const char *res_names[NRES] = {
    "first_verified_reply_delivered",
    "second_verified_reply_delivered",
    "no_write_after_bad_record",
    "next_read_fails_eio",
    "and_stays_failed",
};

/* run - good records, then a bad one, in one write; results into res */

static void run(const XC_SUITE *suite, int how, int *res)
{
    XC_KEYS keys;
    XC_CIPHER *peer;
    VSTREAM *sp;
    unsigned char wire[4 * XC_REC_MAX];
    size_t  len = 0;
    size_t  bad;
    char    line[200];
    int     sv[2];
    int     err;

    memset(&keys, 0, sizeof(keys));
    keys.key_len = suite->key_len;
    memset(keys.c2s, 0x11, sizeof(keys.c2s));
    memset(keys.s2c, 0x22, sizeof(keys.s2c));
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
	msg_fatal("socketpair: %m");
    sp = vstream_fdopen(sv[0], O_RDWR);
    vstream_control(sp, CA_VSTREAM_CTL_TIMEOUT(10), CA_VSTREAM_CTL_END);
    if (xc_stream_start(sp, suite, &keys, XC_ROLE_CLIENT) != 0)
	msg_fatal("xc_stream_start failed");

    /* The server's replies, then a record that must fail. */
    if ((peer = xc_cipher_create(suite, keys.s2c)) == 0)
	msg_fatal("xc_cipher_create failed");
    len += seal(peer, REPLY1, wire + len);
    len += seal(peer, REPLY2, wire + len);
    bad = len;
    len += seal(peer, "221 2.0.0 Bye\r\n", wire + len);
    if (how == 0)
	wire[bad + 10] ^= 0x04;			/* ciphertext bit */
    else
	wire[bad + 1] ^= 0x01;			/* length not 16 + 32k */
    xc_cipher_free(peer);
    if (write(sv[1], wire, len) != (ssize_t) len)
	msg_fatal("write: %m");

    res[0] = get_line(line, sizeof(line), sp) != 0
	&& strcmp(line, REPLY1) == 0;
    res[1] = get_line(line, sizeof(line), sp) != 0
	&& strcmp(line, REPLY2) == 0;

    /* Nothing goes out once the bad record was seen. */
    vstream_fputs("QUIT\r\n", sp);
    res[2] = vstream_fflush(sp) == VSTREAM_EOF && silent(sv[1], 100);
    vstream_fpurge(sp, VSTREAM_PURGE_WRITE);
    vstream_clearerr(sp);

    /*
     * The next read fails: a read error with EIO, not a clean end-of-file
     * (VSTREAM_GETC() sets the EOF flag for both; the error flag tells).
     */
    errno = 0;
    res[3] = get_line(line, sizeof(line), sp) == 0;
    err = errno;
    res[3] = res[3] && vstream_ferror(sp) && err == EIO;
    vstream_clearerr(sp);
    res[4] = VSTREAM_GETC(sp) == VSTREAM_EOF && vstream_ferror(sp);

    xc_stream_stop(sp);
    (void) vstream_fclose(sp);
    close(sv[1]);
}

int     main(int argc, char **argv)
{
    static const char *hows[2] = {"tampered", "bad_length"};
    const XC_SUITE *suite;
    char    failed[NRES][200];
    char    name[200];
    int     res[NRES];
    int     how;
    int     id;
    int     i;
    int     n = 0;

    msg_vstream_init(argv[0], VSTREAM_ERR);
    signal(SIGPIPE, SIG_IGN);
    xc_init();

    /*
     * One check per behaviour and kind of bad record, over every AEAD
     * suite (so the count does not depend on how many there are); the
     * detail names the suites that failed.
     */
    for (how = 0; how < 2; how++) {
	for (i = 0; i < NRES; i++)
	    failed[i][0] = 0;
	for (id = 0; id < XC_SUITE_COUNT; id++) {
	    if ((suite = xc_suite(id)) == 0 || !suite->aead)
		continue;
	    n++;
	    run(suite, how, res);
	    for (i = 0; i < NRES; i++)
		if (!res[i])
		    snprintf(failed[i] + strlen(failed[i]),
			     sizeof(failed[i]) - strlen(failed[i]),
			     " %s", suite->name);
	}
	for (i = 0; i < NRES; i++) {
	    snprintf(name, sizeof(name), "aead_%s_record_after_good_ones_%s",
		     hows[how], res_names[i]);
	    T_CHECKF(name, n > 0 && failed[i][0] == 0, "failed for:%s",
		     failed[i]);
	}
    }
    return (T_DONE());
}
