/*++
/* NAME
/*	t_codec 1
/* SUMMARY
/*	XCRYPT line codec under hostile input
/* SYNOPSIS
/*	t_codec
/* DESCRIPTION
/*	Unit tests of xc_codec(3) and xc_b64(3):
/* .IP \(bu
/*	strict base64: pad bits, padding, alphabet, exact length;
/* .IP \(bu
/*	a table of malformed and edge-case client lines, each with the
/*	expected classification, error, exact SMTP reply and log text:
/*	argument counts, base64 damage, wrong decoded lengths, public
/*	values 0, 1, 2, p-2, p-1, p and all-ones for both groups (built
/*	from xc_group()), unknown, unoffered and miscased suites, long
/*	lines, NUL octets, command case and white space;
/* .IP \(bu
/*	the worked examples of spec section 9 (t_spec9.h): the client
/*	commands and server replies parse to 2^x mod p (computed here
/*	with libtommath from the published private exponents, which
/*	reads the odd-length sober128 xb with its leading 0) and the
/*	published nonces, and formatting the parsed values gives back
/*	the exact lines;
/* .IP \(bu
/*	the EHLO keyword both ways, and output buffer overflow.
/* .PP
/*	Every input line lives in a heap buffer of exactly its length,
/*	without a terminator, so that a read past the end shows up under
/*	valgrind or AddressSanitizer.
/*--*/

/* checks: 219 */

/* System library. */

#include <sys_defs.h>
#include <sys/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libtomcrypt, libtommath. */

#include <tomcrypt.h>
#include <tommath.h>

/* Application-specific. */

#include <xcrypt.h>
#include "t_check.h"
#include "t_spec9.h"

 /*
  * The reply texts of spec 4.1, spelled out here rather than taken from
  * xcrypt.h, so that a change of the header shows up as a failure.
  */
#define R_SYNTAX	"501 5.5.4 Syntax: XCRYPT suite public-key nonce"
#define R_BADKEY	"501 5.7.0 XCRYPT invalid public key"
#define R_SUITE		"504 5.5.4 XCRYPT suite not supported"

#define OTHER	XC_CMD_OTHER
#define HELLO	XC_CMD_HELLO
#define OK	XC_CMD_OK
#define FAIL	XC_CMD_FAIL
#define BAD	XC_CMD_BAD

#define E_OK	XC_OK
#define E_SYN	XC_ERR_SYNTAX
#define E_KEY	XC_ERR_KEY_RANGE
#define E_SUITE	XC_ERR_SUITE

 /*
  * Check name prefix of each example of t_spec9.h (spec section 9).
  */
static const char *vector_names[T_SPEC9_COUNT] = {
    "arrsyfor_1_0", "sober128_1_0", "chacha20poly1305_2_0",
    "chacha20poly1305_2_1", "arrsyfor_1_0_leading_zero_z",
};

/* xmalloc - malloc or die */

static void *xmalloc(size_t n)
{
    void   *p;

    if ((p = malloc(n ? n : 1)) == 0) {
	perror("malloc");
	exit(2);
    }
    return (p);
}

/* vfmt - format into a fresh buffer */

static char *vfmt(const char *f, va_list ap)
{
    va_list ap2;
    char   *buf;
    char    probe[1];
    int     n;

    va_copy(ap2, ap);
    n = vsnprintf(probe, sizeof(probe), f, ap2);
    va_end(ap2);
    buf = xmalloc(n + 1);
    vsnprintf(buf, n + 1, f, ap);
    return (buf);
}

/* fmt - format into a fresh buffer */

static char *fmt(const char *f,...)
{
    va_list ap;
    char   *buf;

    va_start(ap, f);
    buf = vfmt(f, ap);
    va_end(ap);
    return (buf);
}

/* hex2bin - decode hex, return the length */

static size_t hex2bin(const char *hex, unsigned char *out, size_t max)
{
    size_t  n = 0;
    unsigned int v;

    while (hex[0] && hex[1] && n < max) {
	if (sscanf(hex, "%2x", &v) != 1)
	    break;
	out[n++] = v;
	hex += 2;
    }
    return (n);
}

/* word - the n-th (from 0) space-separated word of a line, fresh string */

static char *word(const char *line, int n)
{
    for (; n > 0; n--)
	line = strchr(line, ' ') + 1;
    return (fmt("%.*s", (int) strcspn(line, " "), line));
}

/* b64 - base64 with libtomcrypt, in a fresh string */

static char *b64(const unsigned char *data, size_t n)
{
    unsigned long outlen = 4 * ((n + 2) / 3) + 1;
    char   *buf = xmalloc(outlen);

    if (base64_encode(data, n, (unsigned char *) buf, &outlen) != CRYPT_OK) {
	fprintf(stderr, "base64_encode failed\n");
	exit(2);
    }
    return (buf);
}

/* b64_fill - base64 of n octets of one value */

static char *b64_fill(int c, size_t n)
{
    unsigned char buf[2 * XC_PMAX];

    memset(buf, c, n);
    return (b64(buf, n));
}

/* modexp - 2^x mod p, left-padded to plen */

static int modexp(const XC_GROUP *grp, const char *xhex, unsigned char *out)
{
    mp_int  g, x, p, y;
    size_t  n;
    int     ok = 0;

    if (mp_init_multi(&g, &x, &p, &y, NULL) != MP_OKAY)
	return (0);
    mp_set(&g, 2);
    if (mp_read_radix(&x, xhex, 16) == MP_OKAY
	&& mp_from_ubin(&p, grp->p, grp->plen) == MP_OKAY
	&& mp_exptmod(&g, &x, &p, &y) == MP_OKAY
	&& (n = mp_ubin_size(&y)) <= grp->plen) {
	memset(out, 0, grp->plen);
	ok = mp_to_ubin(&y, out + grp->plen - n, n, &n) == MP_OKAY;
    }
    mp_clear_multi(&g, &x, &p, &y, NULL);
    return (ok);
}

 /*
  * Special public values, built from the group's prime. Both primes end
  * in 64 one bits, so p-1 and p-2 only change the last octet.
  */
#define V_ZERO	0
#define V_ONE	1
#define V_TWO	2
#define V_PM2	3
#define V_PM1	4
#define V_P	5
#define V_FF	6

/* b64_value - base64 of a special public value of the group */

static char *b64_value(const XC_GROUP *grp, int which)
{
    unsigned char v[XC_PMAX];

    switch (which) {
    case V_ZERO:
    case V_ONE:
    case V_TWO:
	memset(v, 0, grp->plen);
	v[grp->plen - 1] = which;
	break;
    case V_PM2:
    case V_PM1:
    case V_P:
	memcpy(v, grp->p, grp->plen);
	v[grp->plen - 1] -= V_P - which;
	break;
    case V_FF:
	memset(v, 0xff, grp->plen);
	break;
    }
    return (b64(v, grp->plen));
}

/* replace_chars - copy of s with every a replaced by b */

static char *replace_chars(const char *s, int a, int b)
{
    char   *r = fmt("%s", s);
    char   *cp;

    for (cp = r; *cp; cp++)
	if (*cp == a)
	    *cp = b;
    return (r);
}

 /*
  * The table of client lines. Each line is a heap buffer of exactly len
  * octets, no terminator.
  */
typedef struct CASE {
    const char *name;
    char   *line;
    size_t  len;
    const XC_SUITE_LIST *offered;	/* null: all known */
    int     cmd;			/* XC_CMD_* */
    int     err;			/* XC_OK or XC_ERR_* */
    const char *why;			/* exact log text, or null */
} CASE;

#define CASE_MAX	200

static CASE cases[CASE_MAX];
static int ncases;

/* add_bytes - add a case with an explicit octet string */

static void add_bytes(const char *name, const XC_SUITE_LIST *offered,
		              int cmd, int err, const char *why,
		              const char *line, size_t len)
{
    CASE   *c;

    if (ncases >= CASE_MAX) {
	fprintf(stderr, "too many cases\n");
	exit(2);
    }
    c = cases + ncases++;
    c->name = name;
    c->line = xmalloc(len);
    memcpy(c->line, line, len);
    c->len = len;
    c->offered = offered;
    c->cmd = cmd;
    c->err = err;
    c->why = why;
}

/* add - add a case from a format */

static void add(const char *name, int cmd, int err, const char *why,
		        const char *f,...)
{
    va_list ap;
    char   *line;

    va_start(ap, f);
    line = vfmt(f, ap);
    va_end(ap);
    add_bytes(name, (XC_SUITE_LIST *) 0, cmd, err, why, line, strlen(line));
    free(line);
}

/* expected_reply - the spec's reply text for an error */

static const char *expected_reply(int err)
{
    switch (err) {
    case XC_ERR_SUITE:
	return (R_SUITE);
    case XC_ERR_KEY_RANGE:
	return (R_BADKEY);
    default:
	return (R_SYNTAX);
    }
}

/* run_cases - run the table */

static void run_cases(void)
{
    char    name[200];
    CASE   *c;
    XC_HELLO hello;
    const char *why;
    const char *reply;
    const XC_GROUP *grp;
    int     err;
    int     cmd;
    int     ok;

    for (c = cases; c < cases + ncases; c++) {
	memset(&hello, 0, sizeof(hello));
	err = 12345;
	why = 0;
	cmd = xc_parse_command(c->line, c->len, c->offered, &hello, &err, &why);
	reply = cmd == BAD ? xc_reply_for_error(err) : "";
	ok = (cmd == c->cmd && err == c->err && why != 0
	      && (c->why == 0 || strcmp(why, c->why) == 0)
	      && (cmd != BAD || strcmp(reply, expected_reply(c->err)) == 0));
	if (ok && cmd == HELLO) {
	    grp = hello.suite ? xc_group(hello.suite->group) : 0;
	    ok = (grp != 0 && hello.publen == grp->plen
		  && hello.noncelen == hello.suite->nonce_len);
	}
	if (ok && cmd != HELLO)
	    ok = hello.suite == 0 && hello.publen == 0;	/* untouched */
	snprintf(name, sizeof(name), "parse_command_%s", c->name);
	T_CHECKF(name, ok, "got cmd %d err %d why \"%s\" reply \"%s\"; "
		 "want cmd %d err %d why \"%s\"", cmd, err,
		 why ? why : "(null)", reply, c->cmd, c->err,
		 c->why ? c->why : "(any)");
    }
}

/* build_cases - fill the table */

static void build_cases(void)
{
    const XC_SUITE *sa = xc_suite(XC_SUITE_ARRSYFOR);
    const XC_SUITE *sc = xc_suite(XC_SUITE_CHACHA);
    const XC_GROUP *ga = xc_group(sa->group);
    const XC_GROUP *gc = xc_group(sc->group);
    static XC_SUITE_LIST only_chacha = {1, {XC_SUITE_CHACHA}};
    static XC_SUITE_LIST only_1_0 = {2, {XC_SUITE_SOBER128, XC_SUITE_ARRSYFOR}};
    char   *ka;				/* valid arrsyfor public */
    char   *na;				/* valid arrsyfor nonce */
    char   *kc;				/* valid chacha public */
    char   *nc;				/* valid chacha nonce */
    char   *hello;
    char   *big;
    char    longname[101] = "";
    size_t  n;

    /* From the spec: valid arguments. */
    ka = word(t_spec9[T_SPEC9_ARRSYFOR].command, 2);
    na = word(t_spec9[T_SPEC9_ARRSYFOR].command, 3);
    kc = word(t_spec9[T_SPEC9_CHACHA].command, 2);
    nc = word(t_spec9[T_SPEC9_CHACHA].command, 3);
    hello = fmt("XCRYPT arrsyfor_1.0 %s %s", ka, na);

    /* The good ones, as a baseline. */
    add("valid_hello_arrsyfor", HELLO, E_OK, "", "%s", hello);
    add("valid_hello_chacha", HELLO, E_OK, "",
	"XCRYPT chacha20poly1305_2.0 %s %s", kc, nc);
    add("valid_ok", OK, E_OK, "", "XCRYPT OK");
    add("valid_fail", FAIL, E_OK, "", "XCRYPT FAIL");

    /* Not ours: pass on. */
    add("empty_line_is_other", OTHER, E_OK, "", "");
    add("xcryptok_one_word_is_other", OTHER, E_OK, "", "XCRYPTOK");
    add("xcryptx_verb_is_other", OTHER, E_OK, "", "XCRYPTX arrsyfor_1.0 %s %s", ka, na);
    add("xcryp_prefix_is_other", OTHER, E_OK, "", "XCRYP OK");
    add("leading_space_is_other", OTHER, E_OK, "", " XCRYPT OK");
    add("mail_from_is_other", OTHER, E_OK, "", "MAIL FROM:<alice@example.org>");
    add("ehlo_is_other", OTHER, E_OK, "", "EHLO client.example.net");

    /* Argument counts. */
    add("verb_alone_0_args", BAD, E_SYN, "no arguments", "XCRYPT");
    add("verb_trailing_space_0_args", BAD, E_SYN, "no arguments", "XCRYPT ");
    add("1_arg", BAD, E_SYN, "too few arguments", "XCRYPT arrsyfor_1.0");
    add("1_arg_okay_not_ok", BAD, E_SYN, "too few arguments", "XCRYPT OKAY");
    add("2_args", BAD, E_SYN, "too few arguments", "XCRYPT arrsyfor_1.0 %s", ka);
    add("4_args", BAD, E_SYN, "too many arguments", "%s extra", hello);
    add("5_args", BAD, E_SYN, "too many arguments", "%s a b", hello);
    add("ok_extra", BAD, E_SYN, "XCRYPT OK: too many arguments", "XCRYPT OK extra");
    add("fail_extra", BAD, E_SYN, "XCRYPT FAIL: too many arguments", "XCRYPT FAIL now please");
    add("ok_with_3_more_args_is_not_a_suite", BAD, E_SYN,
	"XCRYPT OK: too many arguments", "XCRYPT OK %s %s", ka, na);
    add("wrong_count_checked_before_suite", BAD, E_SYN, "too few arguments",
	"XCRYPT nosuch_1.0 %s", ka);

    /* Case and white space. */
    add("lower_case_ok", OK, E_OK, "", "xcrypt ok");
    add("mixed_case_fail", FAIL, E_OK, "", "Xcrypt Fail");
    add("mixed_case_ok_keyword", OK, E_OK, "", "XCRYPT oK");
    add("lower_case_verb_hello", HELLO, E_OK, "", "xcrypt arrsyfor_1.0 %s %s", ka, na);
    add("double_space_ok_tolerated", OK, E_OK, "", "XCRYPT  OK");
    add("tab_separator_ok_tolerated", OK, E_OK, "", "XCRYPT\tOK");
    add("trailing_space_ok_tolerated", OK, E_OK, "", "XCRYPT OK ");
    add("trailing_tab_ok_tolerated", OK, E_OK, "", "XCRYPT OK \t");
    add("double_spaces_hello_tolerated", HELLO, E_OK, "",
	"XCRYPT  arrsyfor_1.0   %s  %s  ", ka, na);
    add("trailing_cr_is_not_white_space", BAD, E_SYN, "too few arguments", "XCRYPT OK\r");
    add("vertical_tab_is_not_a_separator_so_other", OTHER, E_OK, "",
	"XCRYPT\vOK");
    add("vertical_tab_inside_args_not_a_separator", BAD, E_SYN,
	"too few arguments", "XCRYPT OK\vFAIL");

    /* Suites. */
    add("unknown_suite", BAD, E_SUITE, "unknown suite: foo_1.0", "XCRYPT foo_1.0 %s %s", ka, na);
    add("suite_wrong_case", BAD, E_SUITE, "unknown suite: ARRSYFOR_1.0",
	"XCRYPT ARRSYFOR_1.0 %s %s", ka, na);
    add("suite_prefix", BAD, E_SUITE, "unknown suite: arrsyfor",
	"XCRYPT arrsyfor %s %s", ka, na);
    add("suite_checked_before_base64", BAD, E_SUITE, "unknown suite: foo_1.0",
	"XCRYPT foo_1.0 !!!! !!!!");
    add("suite_name_unprintable_in_log", BAD, E_SUITE, "unknown suite: foo?bar",
	"XCRYPT foo\001bar %s %s", ka, na);
    add("suite_name_cut_in_log", BAD, E_SUITE,
	"unknown suite: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...",
	"XCRYPT %s %s %s", memset(longname, 'a', 100), ka, na);
    add_bytes("suite_known_not_offered", &only_chacha, BAD, E_SUITE,
	      "suite not offered: arrsyfor_1.0", hello, strlen(hello));
    add_bytes("suite_offered_in_list", &only_1_0, HELLO, E_OK, "",
	      hello, strlen(hello));

    /* Bad base64. */
    add("public_bad_char", BAD, E_SYN, "public key: bad base64",
	"XCRYPT arrsyfor_1.0 !%s %s", ka + 1, na);
    add("public_8bit_octet", BAD, E_SYN, "public key: bad base64",
	"XCRYPT arrsyfor_1.0 \303%s %s", ka + 1, na);
    add("public_urlsafe_alphabet", BAD, E_SYN, "public key: bad base64",
	"XCRYPT arrsyfor_1.0 %s %s",
	replace_chars(replace_chars(ka, '+', '-'), '/', '_'), na);
    add("public_space_inside_splits_words", BAD, E_SYN, "too many arguments",
	"XCRYPT arrsyfor_1.0 %.60s %s %s", ka, ka + 60, na);
    add("public_cr_inside", BAD, E_SYN, "public key: bad base64",
	"XCRYPT arrsyfor_1.0 %.60s\r%s %s", ka, ka + 61, na);
    add("nonce_missing_padding", BAD, E_SYN, "nonce: bad base64",
	"XCRYPT arrsyfor_1.0 %s mP64gsVRHa25Qg", ka);
    add("nonce_extra_padding", BAD, E_SYN, "nonce: bad base64",
	"XCRYPT arrsyfor_1.0 %s mP64gsVRHa25Qg===", ka);
    add("nonce_nonzero_pad_bits", BAD, E_SYN, "nonce: bad base64",
	"XCRYPT arrsyfor_1.0 %s mP64gsVRHa25Qh==", ka);
    add("nonce_padding_in_middle", BAD, E_SYN, "nonce: bad base64",
	"XCRYPT arrsyfor_1.0 %s mP64gs==Ha25Qg==", ka);
    add("nonce_lf_inside", BAD, E_SYN, "nonce: bad base64",
	"XCRYPT arrsyfor_1.0 %s mP64gsVR\nHa25Qg==", ka);
    add("nonce_only_padding", BAD, E_SYN, "nonce: bad base64",
	"XCRYPT arrsyfor_1.0 %s ================", ka);

    /* Wrong decoded lengths. */
    add("public_95_octets", BAD, E_SYN, "public key: 95 octets, want 96",
	"XCRYPT arrsyfor_1.0 %s %s", b64_fill(0x42, 95), na);
    add("public_97_octets", BAD, E_SYN, "public key: 97 octets, want 96",
	"XCRYPT arrsyfor_1.0 %s %s", b64_fill(0x42, 97), na);
    add("public_chacha_255_octets", BAD, E_SYN, "public key: 255 octets, want 256",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_fill(0x42, 255), nc);
    add("public_chacha_257_octets", BAD, E_SYN, "public key: 257 octets, want 256",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_fill(0x42, 257), nc);
    add("public_chacha_key_for_arrsyfor", BAD, E_SYN, "public key: 256 octets, want 96",
	"XCRYPT arrsyfor_1.0 %s %s", kc, na);
    add("nonce_9_octets", BAD, E_SYN, "nonce: 9 octets, want 10",
	"XCRYPT arrsyfor_1.0 %s %s", ka, b64_fill(7, 9));
    add("nonce_11_octets", BAD, E_SYN, "nonce: 11 octets, want 10",
	"XCRYPT arrsyfor_1.0 %s %s", ka, b64_fill(7, 11));
    add("nonce_chacha_15_octets", BAD, E_SYN, "nonce: 15 octets, want 16",
	"XCRYPT chacha20poly1305_2.0 %s %s", kc, b64_fill(7, 15));
    add("nonce_chacha_17_octets", BAD, E_SYN, "nonce: 17 octets, want 16",
	"XCRYPT chacha20poly1305_2.0 %s %s", kc, b64_fill(7, 17));
    add("public_syntax_before_nonce_syntax", BAD, E_SYN, "public key: bad base64",
	"XCRYPT arrsyfor_1.0 !!!! !!!!");

    /* Public value range, both groups. */
    add("oakley1_public_0", BAD, E_KEY, "public key out of range",
	"XCRYPT arrsyfor_1.0 %s %s", b64_value(ga, V_ZERO), na);
    add("oakley1_public_1", BAD, E_KEY, "public key out of range",
	"XCRYPT arrsyfor_1.0 %s %s", b64_value(ga, V_ONE), na);
    add("oakley1_public_2_accepted", HELLO, E_OK, "",
	"XCRYPT arrsyfor_1.0 %s %s", b64_value(ga, V_TWO), na);
    add("oakley1_public_p_minus_2_accepted", HELLO, E_OK, "",
	"XCRYPT sober128_1.0 %s %s", b64_value(ga, V_PM2), na);
    add("oakley1_public_p_minus_1", BAD, E_KEY, "public key out of range",
	"XCRYPT arrsyfor_1.0 %s %s", b64_value(ga, V_PM1), na);
    add("oakley1_public_p", BAD, E_KEY, "public key out of range",
	"XCRYPT arrsyfor_1.0 %s %s", b64_value(ga, V_P), na);
    add("oakley1_public_all_ff", BAD, E_KEY, "public key out of range",
	"XCRYPT sober128_1.0 %s %s", b64_value(ga, V_FF), na);
    add("modp14_public_0", BAD, E_KEY, "public key out of range",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_value(gc, V_ZERO), nc);
    add("modp14_public_1", BAD, E_KEY, "public key out of range",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_value(gc, V_ONE), nc);
    add("modp14_public_2_accepted", HELLO, E_OK, "",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_value(gc, V_TWO), nc);
    add("modp14_public_p_minus_2_accepted", HELLO, E_OK, "",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_value(gc, V_PM2), nc);
    add("modp14_public_p_minus_1", BAD, E_KEY, "public key out of range",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_value(gc, V_PM1), nc);
    add("modp14_public_p", BAD, E_KEY, "public key out of range",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_value(gc, V_P), nc);
    add("modp14_public_all_ff", BAD, E_KEY, "public key out of range",
	"XCRYPT chacha20poly1305_2.0 %s %s", b64_value(gc, V_FF), nc);
    add("nonce_syntax_before_range", BAD, E_SYN, "nonce: 9 octets, want 10",
	"XCRYPT arrsyfor_1.0 %s %s", b64_value(ga, V_ZERO), b64_fill(7, 9));

    /* Long lines. */
    big = xmalloc(100 * 1024);
    n = strlen(hello);
    memset(big, ' ', XC_LINE_MAX + 1);
    memcpy(big, hello, n);
    add_bytes("line_512_octets_padded_accepted", 0, HELLO, E_OK, "",
	      big, XC_LINE_MAX);
    add_bytes("line_513_octets_too_long", 0, BAD, E_SYN, "line too long",
	      big, XC_LINE_MAX + 1);
    memset(big, 'A', 100 * 1024);
    memcpy(big, "XCRYPT ", 7);
    add_bytes("line_100k_too_long", 0, BAD, E_SYN, "line too long",
	      big, 100 * 1024);
    memcpy(big, "xcrypt ok ", 10);
    add_bytes("line_100k_lower_case_too_long", 0, BAD, E_SYN, "line too long",
	      big, 100 * 1024);
    memcpy(big, "RCPT TO:<", 9);
    add_bytes("line_100k_other_passed_on", 0, OTHER, E_OK, "",
	      big, 100 * 1024);
    free(big);

    /* NUL octets. */
    add_bytes("nul_after_verb", 0, BAD, E_SYN, "NUL in line", "XCRYPT\0OK", 9);
    add_bytes("nul_before_ok", 0, BAD, E_SYN, "NUL in line", "XCRYPT \0OK", 10);
    add_bytes("nul_after_ok", 0, BAD, E_SYN, "NUL in line", "XCRYPT OK\0", 10);
    add_bytes("nul_alone_after_verb", 0, BAD, E_SYN, "NUL in line", "XCRYPT\0", 7);
    add_bytes("nul_in_verb_is_other", 0, OTHER, E_OK, "", "XCR\0YPT OK", 10);
    add_bytes("nul_first_is_other", 0, OTHER, E_OK, "", "\0XCRYPT OK", 10);
    big = fmt("%s", hello);
    big[40] = 0;
    add_bytes("nul_inside_public", 0, BAD, E_SYN, "NUL in line", big, n);
    big[40] = hello[40];
    big[n - 1] = 0;
    add_bytes("nul_last_octet_of_nonce", 0, BAD, E_SYN, "NUL in line", big, n);
    add_bytes("nul_after_valid_hello", 0, BAD, E_SYN, "NUL in line", hello, n + 1);
    free(big);
}

/* test_b64 - strict base64 decoding */

static void test_b64(void)
{
    unsigned char out[100];
    unsigned char data[64];
    char   *text;
    size_t  n;
    int     ok;

#define DEC(s, want) xc_b64_decode_exact((s), sizeof(s) - 1, out, (want))

    out[0] = 0x77;
    T_CHECK("b64_zero_pad_bits_accepted_AA==",
	    DEC("AA==", 1) == XC_OK && out[0] == 0);
    T_CHECK("b64_nonzero_pad_bits_rejected_AB==", DEC("AB==", 1) == XC_ERR_SYNTAX);
    T_CHECK("b64_nonzero_pad_bits_rejected_AP==", DEC("AP==", 1) == XC_ERR_SYNTAX);
    T_CHECK("b64_zero_pad_bits_accepted_AAE=",
	    DEC("AAE=", 2) == XC_OK && out[0] == 0 && out[1] == 1);
    T_CHECK("b64_nonzero_pad_bits_rejected_AAF=", DEC("AAF=", 2) == XC_ERR_SYNTAX);
    T_CHECK("b64_three_octets_no_padding",
	    DEC("QUJD", 3) == XC_OK && memcmp(out, "ABC", 3) == 0);
    T_CHECK("b64_empty_is_zero_octets", DEC("", 0) == XC_OK);
    T_CHECK("b64_only_padding_rejected_want_0", DEC("====", 0) == XC_ERR_SYNTAX);
    T_CHECK("b64_only_padding_rejected_want_1", DEC("====", 1) == XC_ERR_SYNTAX);
    T_CHECK("b64_missing_padding_rejected", DEC("AA", 1) == XC_ERR_SYNTAX);
    T_CHECK("b64_short_padding_rejected", DEC("AA=", 1) == XC_ERR_SYNTAX);
    T_CHECK("b64_extra_padding_rejected", DEC("AA===", 1) == XC_ERR_SYNTAX);
    T_CHECK("b64_padding_for_wrong_length_rejected", DEC("QUI=", 1) == XC_ERR_SYNTAX);
    T_CHECK("b64_too_much_padding_rejected", DEC("QQ==", 2) == XC_ERR_SYNTAX);
    T_CHECK("b64_wrong_want_shorter_rejected", DEC("QUJD", 2) == XC_ERR_SYNTAX);
    T_CHECK("b64_wrong_want_longer_rejected", DEC("QUJD", 4) == XC_ERR_SYNTAX);
    T_CHECK("b64_space_inside_rejected", DEC("QU JD", 3) == XC_ERR_SYNTAX);
    T_CHECK("b64_space_replacing_char_rejected", DEC("QU D", 3) == XC_ERR_SYNTAX);
    T_CHECK("b64_line_break_rejected", DEC("QU\nD", 3) == XC_ERR_SYNTAX);
    T_CHECK("b64_trailing_newline_rejected", DEC("QUJD\n", 3) == XC_ERR_SYNTAX);
    T_CHECK("b64_urlsafe_alphabet_rejected", DEC("-_8=", 2) == XC_ERR_SYNTAX);
    T_CHECK("b64_standard_alphabet_accepted",
	    DEC("+/8=", 2) == XC_OK && out[0] == 0xfb && out[1] == 0xff);
    T_CHECK("b64_nul_rejected", DEC("QU\0D", 3) == XC_ERR_SYNTAX);
    T_CHECK("b64_8bit_rejected", DEC("QU\303D", 3) == XC_ERR_SYNTAX);
    T_CHECK("b64_padding_in_middle_rejected", DEC("QQ==QQ==", 4) == XC_ERR_SYNTAX);
    T_CHECK("b64_padding_first_rejected", DEC("=QUJ", 3) == XC_ERR_SYNTAX);
    memset(out, 0x77, sizeof(out));
    (void) DEC("QUJDAB==", 4);
    T_CHECK("b64_nothing_written_on_error", out[0] == 0x77 && out[3] == 0x77);

    /* Round trip with libtomcrypt's encoder, every length 0..64. */
    ok = 1;
    for (n = 0; n <= sizeof(data); n++) {
	memset(data, 0, sizeof(data));
	for (size_t i = 0; i < n; i++)
	    data[i] = (unsigned char) (i * 37 + n * 11 + 0x80);
	text = b64(data, n);
	if (xc_b64_decode_exact(text, strlen(text), out, n) != XC_OK
	    || memcmp(out, data, n) != 0)
	    ok = 0;
	if (xc_b64_decode_exact(text, strlen(text), out, n + 1) == XC_OK
	    || (n > 0 && xc_b64_decode_exact(text, strlen(text), out, n - 1) == XC_OK))
	    ok = 0;
	free(text);
    }
    T_CHECK("b64_libtomcrypt_encoding_round_trips_lengths_0_to_64", ok);
#undef DEC
}

/* test_vectors - the worked examples of spec section 9 */

static void test_vectors(void)
{
    const T_SPEC9 *v;
    const XC_SUITE *suite;
    const XC_GROUP *grp;
    XC_HELLO hello;
    unsigned char pub[XC_PMAX];
    unsigned char nonce[XC_NONCE_MAX];
    char    name[200];
    char    buf[1024];
    const char *why;
    ssize_t n;
    int     err;
    int     cmd;
    int     ret;
    int     i;
    const char *label;

    for (i = 0; i < T_SPEC9_COUNT; i++) {
	v = t_spec9 + i;
	label = vector_names[i];
	suite = xc_suite_find(v->suite, strlen(v->suite));
	grp = xc_group(suite->group);

	/* Client command. */
	memset(&hello, 0, sizeof(hello));
	why = "";
	cmd = xc_parse_command(v->command, strlen(v->command), 0, &hello,
			       &err, &why);
	snprintf(name, sizeof(name), "spec_%s_command_parses_to_hello", label);
	T_CHECKF(name, cmd == HELLO && err == XC_OK && hello.suite == suite,
		 "cmd %d err %d why %s", cmd, err, why);
	snprintf(name, sizeof(name), "spec_%s_command_public_is_2_pow_xa", label);
	T_CHECK(name, modexp(grp, v->xa, pub) && hello.publen == grp->plen
		&& memcmp(hello.pub, pub, grp->plen) == 0);
	snprintf(name, sizeof(name), "spec_%s_command_nonce_is_na", label);
	T_CHECK(name, hex2bin(v->na, nonce, sizeof(nonce)) == suite->nonce_len
		&& hello.noncelen == suite->nonce_len
		&& memcmp(hello.nonce, nonce, suite->nonce_len) == 0);
	n = xc_format_hello(buf, sizeof(buf), suite, hello.pub, hello.nonce);
	snprintf(name, sizeof(name), "spec_%s_command_format_parse_round_trip", label);
	T_CHECKF(name, n == (ssize_t) strlen(v->command) && strcmp(buf, v->command) == 0,
		 "got \"%s\"", buf);

	/* Server reply, without "250 ". */
	memset(&hello, 0, sizeof(hello));
	ret = xc_parse_hello_reply(v->reply + 4, strlen(v->reply + 4), suite,
				   &hello, &why);
	snprintf(name, sizeof(name), "spec_%s_reply_parses", label);
	T_CHECKF(name, ret == XC_OK && hello.suite == suite, "ret %d why %s", ret, why);
	snprintf(name, sizeof(name), "spec_%s_reply_public_is_2_pow_xb", label);
	T_CHECK(name, modexp(grp, v->xb, pub) && hello.publen == grp->plen
		&& memcmp(hello.pub, pub, grp->plen) == 0);
	snprintf(name, sizeof(name), "spec_%s_reply_nonce_is_nb", label);
	T_CHECK(name, hex2bin(v->nb, nonce, sizeof(nonce)) == suite->nonce_len
		&& hello.noncelen == suite->nonce_len
		&& memcmp(hello.nonce, nonce, suite->nonce_len) == 0);
	n = xc_format_hello_reply(buf, sizeof(buf), suite, hello.pub, hello.nonce);
	snprintf(name, sizeof(name), "spec_%s_reply_format_parse_round_trip", label);
	T_CHECKF(name, n == (ssize_t) strlen(v->reply) && strcmp(buf, v->reply) == 0,
		 "got \"%s\"", buf);
    }
}

/* reply_case - one xc_parse_hello_reply() check on an exact buffer */

static void reply_case(const char *name, const XC_SUITE *suite,
		               const char *text, size_t len, int want,
		               const char *want_why)
{
    XC_HELLO hello;
    const char *why = 0;
    char   *copy = xmalloc(len);
    int     ret;

    memcpy(copy, text, len);
    memset(&hello, 0, sizeof(hello));
    ret = xc_parse_hello_reply(copy, len, suite, &hello, &why);
    T_CHECKF(name, ret == want && why != 0 && strcmp(why, want_why) == 0
	     && (ret == XC_OK) == (hello.suite == suite),
	     "got %d \"%s\", want %d \"%s\"", ret, why ? why : "(null)",
	     want, want_why);
    free(copy);
}

/* reply_str - reply_case() for a string */

static void reply_str(const char *name, const XC_SUITE *suite,
		              const char *text, int want, const char *want_why)
{
    reply_case(name, suite, text, strlen(text), want, want_why);
}

/* test_reply - hostile server replies */

static void test_reply(void)
{
    const XC_SUITE *sa = xc_suite(XC_SUITE_ARRSYFOR);
    const XC_SUITE *sc = xc_suite(XC_SUITE_CHACHA);
    const XC_GROUP *ga = xc_group(sa->group);
    const char *good = t_spec9[T_SPEC9_ARRSYFOR].reply + 4;
    char   *kb = word(good, 1);
    char   *nb = word(good, 2);
    char   *t;

#define RC reply_str

    RC("reply_good", sa, good, XC_OK, "");
    RC("reply_lower_case_keyword", sa, t = fmt("xcrypt %s", good + 7), XC_OK, "");
    free(t);
    RC("reply_empty", sa, "", XC_ERR_SYNTAX, "not an XCRYPT reply");
    RC("reply_keyword_alone", sa, "XCRYPT", XC_ERR_SYNTAX, "too few arguments");
    RC("reply_one_arg", sa, t = fmt("XCRYPT %s", kb), XC_ERR_SYNTAX, "too few arguments");
    free(t);
    RC("reply_three_args", sa, t = fmt("%s x", good), XC_ERR_SYNTAX, "too many arguments");
    free(t);
    RC("reply_xcryptx_keyword", sa, t = fmt("XCRYPTX %s", good + 7),
       XC_ERR_SYNTAX, "not an XCRYPT reply");
    free(t);
    RC("reply_ok_is_not_a_hello_reply", sa, "XCRYPT OK", XC_ERR_SYNTAX, "too few arguments");
    RC("reply_with_code_left_on", sa, t_spec9[T_SPEC9_ARRSYFOR].reply,
       XC_ERR_SYNTAX, "not an XCRYPT reply");
    RC("reply_bad_base64_public", sa, t = fmt("XCRYPT %s %s",
					    replace_chars(kb, '/', '_'), nb),
       XC_ERR_SYNTAX, "public key: bad base64");
    free(t);
    RC("reply_nonce_pad_bits", sa, t = fmt("XCRYPT %s gjiSpU06BTKRDR==", kb),
       XC_ERR_SYNTAX, "nonce: bad base64");
    free(t);
    RC("reply_for_other_suite_wrong_lengths", sc, good, XC_ERR_SYNTAX,
       "public key: 96 octets, want 256");
    RC("reply_public_p_minus_1", sa, t = fmt("XCRYPT %s %s",
					   b64_value(ga, V_PM1), nb),
       XC_ERR_KEY_RANGE, "public key out of range");
    free(t);
    RC("reply_public_1", sa, t = fmt("XCRYPT %s %s",
				   b64_value(ga, V_ONE), nb),
       XC_ERR_KEY_RANGE, "public key out of range");
    free(t);
    t = fmt("%s%*s", good, XC_LINE_MAX, "");
    reply_case("reply_513_octets_too_long", sa, t, XC_LINE_MAX + 1,
	       XC_ERR_SYNTAX, "reply too long");
    reply_case("reply_512_octets_padded_accepted", sa, t, XC_LINE_MAX,
	       XC_OK, "");
    free(t);
    reply_case("reply_nul_inside", sa, "XCRYPT\0abc", 10, XC_ERR_SYNTAX, "NUL in reply");
    reply_case("reply_nul_after_valid", sa, good, strlen(good) + 1,
	       XC_ERR_SYNTAX, "NUL in reply");
    free(kb);
    free(nb);
#undef RC
}

/* ehlo_case - one xc_parse_ehlo_keyword() check */

static void ehlo_case(const char *name, const char *text, size_t len,
		              int want, int count, int id0, int id1, int id2)
{
    XC_SUITE_LIST list;
    char   *copy = xmalloc(len);
    int     ids[3] = {id0, id1, id2};
    int     ret;
    int     ok;
    int     i;

    memcpy(copy, text, len);
    list.count = -7;			/* "untouched" marker */
    ret = xc_parse_ehlo_keyword(copy, len, &list);
    ok = ret == want && list.count == count;
    for (i = 0; ok && i < count; i++)
	ok = list.ids[i] == ids[i];
    T_CHECKF(name, ok, "got ret %d count %d ids %d %d %d", ret, list.count,
	     list.count > 0 ? list.ids[0] : -1, list.count > 1 ? list.ids[1] : -1,
	     list.count > 2 ? list.ids[2] : -1);
    free(copy);
}

/* test_ehlo - the EHLO keyword, both ways */

static void test_ehlo(void)
{
    XC_SUITE_LIST list;
    char    buf[200];
    char   *big;
    ssize_t n;

#define A XC_SUITE_ARRSYFOR
#define S XC_SUITE_SOBER128
#define C XC_SUITE_CHACHA
#define EC(name, s, want, count, a, b, c) \
	ehlo_case((name), (s), strlen(s), (want), (count), (a), (b), (c))

    EC("ehlo_spec_keyword_server_order",
       "XCRYPT chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0", 1, 3, C, S, A);
    EC("ehlo_other_order_kept", "XCRYPT arrsyfor_1.0 chacha20poly1305_2.0", 1, 2, A, C, 0);
    EC("ehlo_unknown_suites_ignored",
       "XCRYPT t32_1.0 sober128_1.0 foo chacha20poly1305_3.0 arrsyfor_1.0 x_9",
       1, 2, S, A, 0);
    EC("ehlo_lower_case_keyword", "xcrypt sober128_1.0", 1, 1, S, 0, 0);
    EC("ehlo_suite_names_case_sensitive", "XCRYPT SOBER128_1.0 Arrsyfor_1.0", 1, 0, 0, 0, 0);
    EC("ehlo_duplicates_ignored",
       "XCRYPT sober128_1.0 sober128_1.0 arrsyfor_1.0 sober128_1.0", 1, 2, S, A, 0);
    EC("ehlo_at_most_suite_count",
       "XCRYPT arrsyfor_1.0 sober128_1.0 chacha20poly1305_2.0 arrsyfor_1.0 "
       "sober128_1.0 chacha20poly1305_2.0", 1, 3, A, S, C);
    EC("ehlo_keyword_without_suites", "XCRYPT", 1, 0, 0, 0, 0);
    EC("ehlo_keyword_trailing_space", "XCRYPT  ", 1, 0, 0, 0, 0);
    EC("ehlo_tabs_and_spaces_separate", "XCRYPT\tsober128_1.0  \tarrsyfor_1.0 ", 1, 2, S, A, 0);
    EC("ehlo_xcryptx_not_keyword", "XCRYPTX sober128_1.0", 0, -7, 0, 0, 0);
    EC("ehlo_other_keyword", "PIPELINING", 0, -7, 0, 0, 0);
    EC("ehlo_starttls_keyword", "STARTTLS", 0, -7, 0, 0, 0);
    EC("ehlo_empty_line", "", 0, -7, 0, 0, 0);
    EC("ehlo_suite_glued_to_keyword", "XCRYPTsober128_1.0", 0, -7, 0, 0, 0);
    EC("ehlo_comma_list_not_split", "XCRYPT sober128_1.0,arrsyfor_1.0", 1, 0, 0, 0, 0);
    ehlo_case("ehlo_nul_in_name_ignored", "XCRYPT sober128_1.0\0 arrsyfor_1.0",
	      33, 1, 1, A, 0, 0);
    ehlo_case("ehlo_nul_after_keyword_not_keyword", "XCRYPT\0 arrsyfor_1.0",
	      21, 0, -7, 0, 0, 0);

    /* 100 KB of junk names, then a real one. */
    big = xmalloc(100 * 1024);
    memset(big, 'z', 100 * 1024);
    memcpy(big, "XCRYPT ", 7);
    big[50000] = ' ';
    memcpy(big + 100 * 1024 - 13, " sober128_1.0", 13);
    ehlo_case("ehlo_100k_line_bounded", big, 100 * 1024, 1, 1, S, 0, 0);
    free(big);

    /* Formatting, in configured order. */
    list.count = 3;
    list.ids[0] = S;
    list.ids[1] = C;
    list.ids[2] = A;
    n = xc_format_ehlo_keyword(buf, sizeof(buf), &list);
    T_CHECKF("ehlo_format_configured_order",
	     n > 0 && strcmp(buf, "XCRYPT sober128_1.0 chacha20poly1305_2.0 "
			     "arrsyfor_1.0") == 0 && n == (ssize_t) strlen(buf),
	     "got %ld \"%s\"", (long) n, buf);
    ehlo_case("ehlo_format_parse_round_trip", buf, strlen(buf), 1, 3, S, C, A);
    list.count = 1;
    list.ids[0] = C;
    n = xc_format_ehlo_keyword(buf, sizeof(buf), &list);
    T_CHECKF("ehlo_format_one_suite", n == 27
	     && strcmp(buf, "XCRYPT chacha20poly1305_2.0") == 0, "got \"%s\"", buf);
    list.count = 0;
    n = xc_format_ehlo_keyword(buf, sizeof(buf), &list);
    T_CHECKF("ehlo_format_no_suites", n == 6 && strcmp(buf, "XCRYPT") == 0,
	     "got \"%s\"", buf);
#undef A
#undef S
#undef C
#undef EC
}

/* test_ehlo_discard - xc_ehlo_discarded() reads a discard list as ehlo_mask() */

static void test_ehlo_discard(void)
{
    int     silent = -1;

    T_CHECK("ehlo_discard_null_names_nothing",
	    xc_ehlo_discarded((char *) 0, &silent) == 0 && silent == 0);
    T_CHECK("ehlo_discard_empty_names_nothing",
	    xc_ehlo_discarded("", (int *) 0) == 0);
    T_CHECK("ehlo_discard_other_keywords_only",
	    xc_ehlo_discarded("pipelining, starttls", &silent) == 0
	    && silent == 0);
    T_CHECK("ehlo_discard_xcrypt_any_case_among_others",
	    xc_ehlo_discarded("pipelining,XCrypt\tdsn", &silent) == 1
	    && silent == 0);
    T_CHECK("ehlo_discard_silent_discard_seen",
	    xc_ehlo_discarded(" silent-discard , xcrypt ", &silent) == 1
	    && silent == 1);
    T_CHECK("ehlo_discard_prefix_or_longer_word_is_not_xcrypt",
	    xc_ehlo_discarded("xcrypt2 xcryp xcrypt_smtp", (int *) 0) == 0);
}

/* test_overflow - formatting into small buffers */

static void test_overflow(void)
{
    const XC_SUITE *sc = xc_suite(XC_SUITE_CHACHA);
    const XC_SUITE *sa = xc_suite(XC_SUITE_ARRSYFOR);
    unsigned char pub[XC_PMAX];
    unsigned char nonce[XC_NONCE_MAX];
    XC_SUITE_LIST list = {3, {XC_SUITE_CHACHA, XC_SUITE_SOBER128, XC_SUITE_ARRSYFOR}};
    char    big[1024];
    char   *small;
    ssize_t n;
    ssize_t m;
    size_t  size;
    int     ok;

    memset(pub, 0x5c, sizeof(pub));
    memset(nonce, 0xc5, sizeof(nonce));

    n = xc_format_hello(big, sizeof(big), sc, pub, nonce);
    T_CHECKF("format_hello_chacha_length",
	     n == 7 + 20 + 1 + 344 + 1 + 24 && n == (ssize_t) strlen(big),
	     "got %ld", (long) n);
    ok = 1;
    for (size = 0; size <= (size_t) n; size++) {
	small = xmalloc(size);
	if (size > 0)
	    memset(small, 'x', size);
	m = xc_format_hello(small, size, sc, pub, nonce);
	if (m != XC_ERR_OVERFLOW || (size > 0 && small[0] != 0))
	    ok = 0;
	free(small);
    }
    T_CHECK("format_hello_overflow_every_size_below_length_plus_1", ok);
    small = xmalloc(n + 1);
    m = xc_format_hello(small, n + 1, sc, pub, nonce);
    T_CHECK("format_hello_fits_length_plus_1", m == n && strcmp(small, big) == 0);
    free(small);

    n = xc_format_hello_reply(big, sizeof(big), sa, pub, nonce);
    T_CHECKF("format_reply_arrsyfor_length", n == 10 + 1 + 128 + 1 + 16,
	     "got %ld", (long) n);
    ok = 1;
    for (size = 0; size <= (size_t) n; size++) {
	small = xmalloc(size);
	m = xc_format_hello_reply(small, size, sa, pub, nonce);
	if (m != XC_ERR_OVERFLOW || (size > 0 && small[0] != 0))
	    ok = 0;
	free(small);
    }
    T_CHECK("format_reply_overflow_every_size_below_length_plus_1", ok);
    small = xmalloc(n + 1);
    T_CHECK("format_reply_fits_length_plus_1",
	    xc_format_hello_reply(small, n + 1, sa, pub, nonce) == n
	    && strcmp(small, big) == 0);
    free(small);

    n = xc_format_ehlo_keyword(big, sizeof(big), &list);
    ok = n == 53;
    for (size = 0; size <= (size_t) n; size++) {
	small = xmalloc(size);
	m = xc_format_ehlo_keyword(small, size, &list);
	if (m != XC_ERR_OVERFLOW || (size > 0 && small[0] != 0))
	    ok = 0;
	free(small);
    }
    T_CHECK("format_ehlo_overflow_every_size_below_length_plus_1", ok);
    small = xmalloc(n + 1);
    T_CHECK("format_ehlo_fits_length_plus_1",
	    xc_format_ehlo_keyword(small, n + 1, &list) == n
	    && strcmp(small, big) == 0);
    free(small);
}

/* test_replies - error to reply mapping */

static void test_replies(void)
{
    T_CHECK("reply_for_syntax_error_is_501_5_5_4",
	    strcmp(xc_reply_for_error(XC_ERR_SYNTAX), R_SYNTAX) == 0);
    T_CHECK("reply_for_suite_error_is_504",
	    strcmp(xc_reply_for_error(XC_ERR_SUITE), R_SUITE) == 0);
    T_CHECK("reply_for_range_error_is_501_5_7_0",
	    strcmp(xc_reply_for_error(XC_ERR_KEY_RANGE), R_BADKEY) == 0);
}

int     main(int argc, char **argv)
{
    xc_init();
    test_b64();
    test_replies();
    build_cases();
    T_CHECKF("table_has_at_least_40_hostile_lines", ncases >= 40, "%d", ncases);
    run_cases();
    test_vectors();
    test_reply();
    test_ehlo();
    test_ehlo_discard();
    test_overflow();
    return (T_DONE());
}
