/*++
/* NAME
/*	xc_chat 1
/* SUMMARY
/*	scripted SMTP client that speaks XCRYPT
/* SYNOPSIS
/*	xc_chat [-v] [-c cache] [-k keyfile] [-t timeout] host port < script
/* DESCRIPTION
/*	xc_chat connects to host:port, reads the server greeting, then
/*	runs the script on standard input, one command per line, and
/*	prints every line it sends and receives: "-> " and "<- " for
/*	lines that crossed the wire in clear, "=> " and "<= " for lines
/*	that crossed it inside XCRYPT (sent after the switch to
/*	encryption, or read through the decrypting stream), so that a
/*	test can tell what was protected from the transcript. The first
/*	line is "local port \fIN\fR", the client's TCP port, by which a
/*	test finds the session in the server's log.
/*	With -c it keeps its DH key pairs in that key cache file, so that
/*	a later run reuses them (the server's cache then hits); by default
/*	it uses a memory-only cache.
/*
/*	With -k it appends the session keys of each XCRYPT session to
/*	keyfile, one "key HEX" line per direction (client to server
/*	first) and one for the DH shared value Z, when the session
/*	switches to encryption: the material a
/*	test greps the server's log for (it must never be there). Test
/*	use only; the file is created mode 0600.
/*
/*	> \fItext\fR
/*		Queue text and CRLF for sending. Queued lines go out in
/*		one write (one XCRYPT record) before the next command
/*		that is not ">" or "+", which makes pipelining easy.
/* .IP "+ \fItext\fR"
/*		Queue text with C escapes (\\r \\n \\t \\\\ \\xHH), no CRLF.
/* .IP "< [\fIprefix\fR]"
/*		Read one (multi-line) reply; its last line must start with
/*		prefix.
/* .IP "!hello [\fIsuite\fR]"
/*		Send XCRYPT suite Ka Na (default: the first suite of the
/*		last EHLO reply that this program knows) and expect
/*		"250 XCRYPT Kb Nb".
/* .IP "!ok [\fIinjected text with escapes\fR]"
/*		Send XCRYPT OK (and the injected octets in the same write),
/*		expect "250 XCRYPT OK" and switch on encryption. Prints
/*		"suite NAME", "cache hit|miss" and "fingerprint HEX".
/* .IP "!xcrypt [\fIsuite\fR]"
/*		!hello then !ok.
/* .IP "!tamper \fItext\fR"
/*		chacha20poly1305_2.0 only: send text and CRLF as the next
/*		record, with one bit of its ciphertext flipped.
/* .IP "!expect_close"
/*		The server must close the connection without sending
/*		anything more.
/* .IP "!sleep \fIseconds\fR"
/* .IP "!close"
/*		Drop the connection now and exit.
/* .PP
/*	Lines starting with # and empty lines are ignored.
/* DIAGNOSTICS
/*	Exit status 0 when every expectation held, 1 otherwise; each
/*	mismatch is printed as "xc_chat: FAILED ...".
/* LICENSE
/* .ad
/* .fi
/*	The Secure Mailer license must be distributed with this software.
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <msg_vstream.h>
#include <mymalloc.h>
#include <vstream.h>
#include <vstring.h>
#include <vstring_vstream.h>
#include <stringops.h>

/* Application-specific. */

#include <tomcrypt.h>
#include <xcrypt.h>

static VSTREAM *xcc_fp;
static VSTRING *xcc_out;
static XC_CACHE *xcc_cache;
static XC_SUITE_LIST xcc_offered;
static XC_CLIENT *xcc_client;
static XC_KEYS xcc_keys;
static const XC_SUITE *xcc_suite;
static int xcc_active;
static unsigned long xcc_records;	/* AEAD records sent */
static int xcc_failed;
static int xcc_timeout = 30;
static const char *xcc_keyfile;
static VSTRING *xcc_server_hello;	/* "XCRYPT Kb Nb", for -k */

 /*
  * Transcript prefixes: in clear, and inside XCRYPT.
  */
#define XCC_USAGE \
	"usage: %s [-v] [-c cache] [-k keyfile] [-t timeout] host port < script"
#define XCC_SENT()	(xcc_active ? "=>" : "->")
#define XCC_READ()	(xcc_active ? "<=" : "<-")

#define STR(x)	vstring_str(x)
#define LEN(x)	VSTRING_LEN(x)

/* xcc_fail - report a mismatch */

static void xcc_fail(const char *fmt, const char *arg)
{
    printf("xc_chat: FAILED ");
    printf(fmt, arg);
    printf("\n");
    fflush(stdout);
    xcc_failed = 1;
}

/* xcc_unescape - C escapes to octets */

static void xcc_unescape(VSTRING *out, const char *cp)
{
    int     ch;

    for (; *cp; cp++) {
	if (*cp != '\\' || cp[1] == 0) {
	    VSTRING_ADDCH(out, *cp);
	    continue;
	}
	switch (*++cp) {
	case 'r':
	    ch = '\r';
	    break;
	case 'n':
	    ch = '\n';
	    break;
	case 't':
	    ch = '\t';
	    break;
	case 'x':
	    if (sscanf(cp + 1, "%2x", &ch) == 1) {
		cp += 2;
		break;
	    }
	    /* FALLTHROUGH */
	default:
	    ch = *cp;
	}
	VSTRING_ADDCH(out, ch);
    }
    VSTRING_TERMINATE(out);
}

/* xcc_flush - send what is queued, one write */

static void xcc_flush(void)
{
    if (LEN(xcc_out) == 0)
	return;
    vstream_fwrite(xcc_fp, STR(xcc_out), LEN(xcc_out));
    if (vstream_fflush(xcc_fp) != 0)
	xcc_fail("write: %s", strerror(errno));
    if (xcc_active && xcc_suite->aead)
	xcc_records += (LEN(xcc_out) + XC_REC_DATA_MAX - 1) / XC_REC_DATA_MAX;
    VSTRING_RESET(xcc_out);
    VSTRING_TERMINATE(xcc_out);
}

/* xcc_queue - queue a line and show it */

static void xcc_queue(const char *text, int crlf)
{
    vstring_strcat(xcc_out, text);
    if (crlf)
	vstring_strcat(xcc_out, "\r\n");
    printf("%s %s\n", XCC_SENT(), text);
    fflush(stdout);
}

/* xcc_reply - read one reply; return the last line, or 0 at EOF */

static const char *xcc_reply(VSTRING *last)
{
    static VSTRING *line;
    XC_SUITE_LIST list;
    int     ch;

    if (line == 0)
	line = vstring_alloc(100);
    for (;;) {
	ch = vstring_get_nonl(line, xcc_fp);
	if (ch == VSTREAM_EOF && LEN(line) == 0) {
	    printf("<- (connection closed%s%s)\n",
		   vstream_ferror(xcc_fp) ? ": " : "",
		   vstream_ferror(xcc_fp) ? strerror(errno) : "");
	    fflush(stdout);
	    return (0);
	}
	if (LEN(line) > 0 && STR(line)[LEN(line) - 1] == '\r')
	    vstring_truncate(line, LEN(line) - 1);
	VSTRING_TERMINATE(line);
	printf("%s %s\n", XCC_READ(), STR(line));
	fflush(stdout);
	if (xcc_keyfile && strncmp(STR(line), "250 XCRYPT ", 11) == 0
	    && strcmp(STR(line), "250 XCRYPT OK") != 0
	    && strcmp(STR(line), "250 XCRYPT FAIL") != 0) {
	    if (xcc_server_hello == 0)
		xcc_server_hello = vstring_alloc(100);
	    vstring_strcpy(xcc_server_hello, STR(line) + 4);
	}
	if (LEN(line) > 4 && strncmp(STR(line), "250", 3) == 0
	    && xc_parse_ehlo_keyword(STR(line) + 4, LEN(line) - 4, &list))
	    xcc_offered = list;
	if (LEN(line) < 4 || STR(line)[3] != '-')
	    break;
    }
    vstring_strcpy(last, STR(line));
    return (STR(last));
}

/* xcc_expect - read a reply and check its prefix */

static const char *xcc_expect(VSTRING *last, const char *prefix)
{
    const char *reply;

    xcc_flush();
    if ((reply = xcc_reply(last)) == 0) {
	xcc_fail("expected \"%s\", got end of connection", prefix);
	return (0);
    }
    if (strncmp(reply, prefix, strlen(prefix)) != 0) {
	xcc_fail("expected \"%s\"", prefix);
	return (0);
    }
    return (reply);
}

/* xcc_hello - XCRYPT suite Ka Na, expect 250 XCRYPT Kb Nb */

static int xcc_hello(const char *name)
{
    static VSTRING *last;
    char    buf[XC_LINE_MAX + 1];
    const char *why;
    const char *reply;
    const XC_SUITE *suite;
    ssize_t len;
    int     ret;

    if (last == 0)
	last = vstring_alloc(100);
    if (name && *name) {
	suite = xc_suite_find(name, strlen(name));
    } else {
	suite = xcc_offered.count > 0 ? xc_suite(xcc_offered.ids[0]) : 0;
    }
    if (suite == 0) {
	xcc_fail("no usable suite: %s", name ? name : "(none offered)");
	return (-1);
    }
    xc_client_free(xcc_client);
    xcc_client = xc_client_create();
    if ((len = xc_client_hello(xcc_client, xcc_cache, suite, buf,
			       sizeof(buf))) < 0) {
	xcc_fail("session start: %s", xc_strerror((int) len));
	return (-1);
    }
    xcc_flush();
    xcc_queue(buf, 1);
    if ((reply = xcc_expect(last, "250 XCRYPT ")) == 0)
	return (-1);
    if ((ret = xc_client_reply(xcc_client, xcc_cache, reply + 4,
			       strlen(reply + 4), &why)) != XC_OK) {
	xcc_fail("bad XCRYPT reply: %s", why);
	return (-1);
    }
    return (0);
}

/* xcc_dump_keys - append the session keys to the -k file (tests only) */

static void xcc_dump_keys(const XC_KEYS *keys, const XC_KEYPAIR *pair)
{
    FILE   *fp;
    int     fd;
    size_t  i;
    XC_HELLO hello;
    const char *why;
    unsigned char z[XC_PMAX];
    size_t  zlen = 0;

    /* The shared value, computed again from the server's reply. */
    if (xcc_server_hello != 0
	&& xc_parse_hello_reply(STR(xcc_server_hello), LEN(xcc_server_hello),
				xcc_suite, &hello, &why) == XC_OK
	&& xc_dh_shared(pair, hello.pub, hello.publen, z) == XC_OK)
	zlen = hello.publen;

    if ((fd = open(xcc_keyfile, O_WRONLY | O_APPEND | O_CREAT, 0600)) < 0
	|| (fp = fdopen(fd, "a")) == 0) {
	xcc_fail("open key file %s", xcc_keyfile);
	return;
    }
    fprintf(fp, "key ");
    for (i = 0; i < keys->key_len; i++)
	fprintf(fp, "%02x", keys->c2s[i]);
    fprintf(fp, "\nkey ");
    for (i = 0; i < keys->key_len; i++)
	fprintf(fp, "%02x", keys->s2c[i]);
    fprintf(fp, "\n");
    if (zlen > 0) {
	fprintf(fp, "key ");
	for (i = 0; i < zlen; i++)
	    fprintf(fp, "%02x", z[i]);
	fprintf(fp, "\n");
    } else {
	xcc_fail("%s", "no shared value for the key file");
    }
    zeromem(z, sizeof(z));
    if (fclose(fp) != 0)
	xcc_fail("write key file %s", xcc_keyfile);
}

/* xcc_ok - XCRYPT OK [+ injected octets], expect 250 XCRYPT OK, switch */

static int xcc_ok(const char *inject)
{
    XC_KEYPAIR pair;
    static VSTRING *last;
    const char *reply;
    ssize_t n;

    if (last == 0)
	last = vstring_alloc(100);
    if (xcc_client == 0 || xcc_client->state != XC_CLIENT_STATE_KEYS) {
	xcc_fail("%s", "!ok without a good !hello");
	return (-1);
    }
    xcc_flush();
    xcc_queue(XC_CLIENT_OK, 1);
    if (inject && *inject) {
	printf("%s (injected) %s\n", XCC_SENT(), inject);
	xcc_unescape(xcc_out, inject);
    }
    if ((reply = xcc_expect(last, "250 ")) == 0)
	return (-1);
    if (!xc_client_confirmed(reply + 4, strlen(reply + 4))) {
	xcc_fail("expected \"%s\"", "250 XCRYPT OK");
	return (-1);
    }
    /*
     * !tamper forges records: this test tool keeps the send key; -k dumps
     * the keys and Z, for which it needs the pair that the switch wipes.
     */
    xcc_keys = xcc_client->sess.keys;
    xcc_suite = xcc_client->suite;
    pair = xcc_client->sess.pair;
    if ((n = xc_client_switch_confirmed(xcc_client, xcc_fp)) < 0) {
	xc_keypair_wipe(&pair);
	xcc_fail("xc_client_switch_confirmed: %s", xc_strerror((int) n));
	return (-1);
    }
    xcc_active = 1;
    if (xcc_keyfile)
	xcc_dump_keys(&xcc_keys, &pair);
    xc_keypair_wipe(&pair);
    printf("suite %s\n", xcc_suite->name);
    printf("cache %s\n", xcc_client->sess.cache_hit ? "hit" : "miss");
    printf("fingerprint %s\n", xcc_client->sess.fingerprint);
    fflush(stdout);
    return (0);
}

/* xcc_tamper - send one record with a flipped bit */

static void xcc_tamper(const char *text)
{
    XC_CIPHER *cp;
    unsigned char rec[XC_REC_MAX];
    size_t  len;
    unsigned long i;
    VSTRING *buf = vstring_alloc(100);

    if (!xcc_active || !xcc_suite->aead) {
	xcc_fail("%s", "!tamper needs an active AEAD session");
	return;
    }
    xcc_flush();
    vstring_sprintf(buf, "%s\r\n", text);
    cp = xc_cipher_create(xcc_suite, xcc_keys.c2s);
    /* Bring the sequence number to the next record's. */
    for (i = 0; i <= xcc_records; i++)
	if (xc_record_seal(cp, (unsigned char *) STR(buf), LEN(buf),
			   rec, &len) != XC_OK)
	    msg_fatal("xc_record_seal failed");
    rec[2 + 5] ^= 0x10;
    printf("-> (tampered record) %s\n", text);
    fflush(stdout);
    if (write(vstream_fileno(xcc_fp), rec, len) != (ssize_t) len)
	xcc_fail("write: %s", strerror(errno));
    xcc_records++;
    xc_cipher_free(cp);
    vstring_free(buf);
}

/* xcc_expect_close - the server must hang up without a word */

static void xcc_expect_close(void)
{
    char    buf[100];
    ssize_t n;

    xcc_flush();
    vstream_control(xcc_fp, CA_VSTREAM_CTL_TIMEOUT(xcc_timeout),
		    CA_VSTREAM_CTL_END);
    n = vstream_fread(xcc_fp, buf, 1);
    if (n > 0) {
	xcc_fail("%s", "expected close, got data");
    } else {
	printf("<- (connection closed)\n");
	fflush(stdout);
    }
}

/* xcc_connect - TCP connect to host:port */

static int xcc_connect(const char *host, const char *port)
{
    struct sockaddr_in sin;
    int     fd;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(atoi(port));
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
	msg_fatal("bad IPv4 address: %s", host);
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
	msg_fatal("socket: %m");
    if (connect(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0)
	msg_fatal("connect %s:%s: %m", host, port);
    return (fd);
}

/* xcc_show_port - "local port N": the test finds the session in logs */

static void xcc_show_port(void)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);

    if (getsockname(vstream_fileno(xcc_fp), (struct sockaddr *) &sin,
		    &len) == 0)
	printf("local port %d\n", ntohs(sin.sin_port));
    fflush(stdout);
}

/* main - run the script */

int     main(int argc, char **argv)
{
    VSTRING *line = vstring_alloc(512);
    VSTRING *last = vstring_alloc(512);
    char   *cmd;
    char   *arg;
    char   *cache_path = "";
    int     ch;

    msg_vstream_init("xc_chat", VSTREAM_ERR);
    while ((ch = GETOPT(argc, argv, "c:k:t:v")) > 0) {
	switch (ch) {
	case 'c':
	    cache_path = optarg;
	    break;
	case 'k':
	    xcc_keyfile = optarg;
	    break;
	case 't':
	    xcc_timeout = atoi(optarg);
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    msg_fatal(XCC_USAGE, argv[0]);
	}
    }
    if (argc - optind != 2)
	msg_fatal(XCC_USAGE, argv[0]);
    xc_init();
    xcc_cache = xc_cache_open(cache_path, 7200);
    xcc_out = vstring_alloc(1024);
    xcc_fp = vstream_fdopen(xcc_connect(argv[optind], argv[optind + 1]),
			    O_RDWR);
    vstream_control(xcc_fp, CA_VSTREAM_CTL_TIMEOUT(xcc_timeout),
		    CA_VSTREAM_CTL_END);
    xcc_show_port();
    if (xcc_reply(last) == 0)
	xcc_fail("%s", "no greeting");

    while (vstring_get_nonl(line, VSTREAM_IN) != VSTREAM_EOF) {
	cmd = STR(line);
	if (*cmd == 0 || *cmd == '#')
	    continue;
	arg = cmd + 1;
	if (*arg == ' ')
	    arg++;
	switch (*cmd) {
	case '>':
	    xcc_queue(arg, 1);
	    continue;
	case '+':
	    printf("%s (raw) %s\n", XCC_SENT(), arg);
	    xcc_unescape(xcc_out, arg);
	    continue;
	case '<':
	    if (xcc_expect(last, arg) == 0)
		break;
	    continue;
	case '!':
	    break;
	default:
	    msg_fatal("bad script line: %s", cmd);
	}
	if (xcc_failed)
	    break;
	xcc_flush();
	if ((arg = strchr(cmd, ' ')) != 0)
	    *arg++ = 0;
	if (strcmp(cmd, "!hello") == 0) {
	    (void) xcc_hello(arg);
	} else if (strcmp(cmd, "!ok") == 0) {
	    (void) xcc_ok(arg);
	} else if (strcmp(cmd, "!xcrypt") == 0) {
	    if (xcc_hello(arg) == 0)
		(void) xcc_ok((char *) 0);
	} else if (strcmp(cmd, "!tamper") == 0) {
	    xcc_tamper(arg ? arg : "NOOP");
	} else if (strcmp(cmd, "!expect_close") == 0) {
	    xcc_expect_close();
	} else if (strcmp(cmd, "!sleep") == 0) {
	    sleep(arg ? atoi(arg) : 1);
	} else if (strcmp(cmd, "!close") == 0) {
	    _exit(xcc_failed);
	} else {
	    msg_fatal("bad script command: %s", cmd);
	}
	if (xcc_failed)
	    break;
    }
    xcc_flush();
    if (xcc_active)
	xc_stream_stop(xcc_fp);
    xc_client_free(xcc_client);
    xc_keys_wipe(&xcc_keys);
    (void) vstream_fclose(xcc_fp);
    xc_cache_close(xcc_cache);
    exit(xcc_failed);
}
