/*++
/* NAME
/*	xc_codec 3
/* SUMMARY
/*	XCRYPT command, reply and EHLO keyword codec
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	int	xc_parse_command(line, len, offered, hello, err, why)
/*	const char *line;
/*	size_t	len;
/*	const XC_SUITE_LIST *offered;
/*	XC_HELLO *hello;
/*	int	*err;
/*	const char **why;
/*
/*	const char *xc_reply_for_error(err)
/*	int	err;
/*
/*	int	xc_parse_hello_reply(text, len, suite, hello, why)
/*	const char *text;
/*	size_t	len;
/*	const XC_SUITE *suite;
/*	XC_HELLO *hello;
/*	const char **why;
/*
/*	int	xc_parse_ehlo_keyword(text, len, list)
/*	const char *text;
/*	size_t	len;
/*	XC_SUITE_LIST *list;
/*
/*	ssize_t	xc_format_ehlo_keyword(buf, size, list)
/*	char	*buf;
/*	size_t	size;
/*	const XC_SUITE_LIST *list;
/*
/*	int	xc_ehlo_discarded(words, silent)
/*	const char *words;
/*	int	*silent;
/*
/*	ssize_t	xc_format_hello(buf, size, suite, pub, nonce)
/*	char	*buf;
/*	size_t	size;
/*	const XC_SUITE *suite;
/*	const unsigned char *pub;
/*	const unsigned char *nonce;
/*
/*	ssize_t	xc_format_hello_reply(buf, size, suite, pub, nonce)
/*	char	*buf;
/*	size_t	size;
/*	const XC_SUITE *suite;
/*	const unsigned char *pub;
/*	const unsigned char *nonce;
/* DESCRIPTION
/*	This module turns XCRYPT protocol lines (spec sections 2 and 4)
/*	into values and back. Input lines come without CRLF, are given
/*	as (pointer, length), need not be null-terminated, may contain
/*	NUL octets and are never read past their length.
/*
/*	Lexical rules, for commands and for the server's hello reply:
/* .IP \(bu
/*	The verb is the run of octets before the first SP, HT or NUL.
/*	The line is an XCRYPT command when the verb is "XCRYPT" in any
/*	case. So "XCRYPTX ..." and "XCRYPTOK" are other commands, and so
/*	is a line with leading white space (the SMTP server behind us
/*	rejects those); but "XCRYPT<NUL>..." is ours (and malformed), so
/*	that nothing that a NUL-truncating reader would take for XCRYPT
/*	is ever passed on.
/* .IP \(bu
/*	Words are separated by runs of SP or HT, and trailing SP or HT
/*	is ignored: RFC 5321 asks for single spaces, but Postfix's own
/*	smtpd splits commands the same liberal way, and base64 text has
/*	no spaces that could be confused. "XCRYPT  OK" is XCRYPT OK.
/*	No other octet (CR, LF, VT, FF, 8-bit) separates words; such an
/*	octet makes its word fail the checks below.
/* .IP \(bu
/*	The verb and the confirmation keywords OK and FAIL are case
/*	insensitive; suite names and base64 text are case sensitive.
/* .PP
/*	xc_parse_command() classifies one client line: XC_CMD_OTHER when
/*	the verb is not XCRYPT (pass the line on; its length and content
/*	are not looked at), XC_CMD_OK or XC_CMD_FAIL for "XCRYPT OK" and
/*	"XCRYPT FAIL" with nothing after the keyword, XC_CMD_HELLO for a
/*	fully valid "XCRYPT suite Ka Na", stored in *hello (which is not
/*	touched otherwise), and XC_CMD_BAD otherwise. For XC_CMD_BAD,
/*	*err says which reply to send, and *why says why, for the log.
/*	The checks are made in this order, the first failure wins:
/* .IP "1. XC_ERR_SYNTAX"
/*	The line is longer than XC_LINE_MAX octets ("line too long"), or
/*	contains a NUL octet ("NUL in line").
/* .IP "2. XC_ERR_SYNTAX"
/*	The first argument is OK or FAIL but more arguments follow; or
/*	the number of arguments is not 3.
/* .IP "3. XC_ERR_SUITE"
/*	The suite is unknown (exact, case-sensitive name) or, when
/*	offered is not null, not in the offered list.
/* .IP "4. XC_ERR_SYNTAX"
/*	Ka is not strict base64 (xc_b64_decode_exact()) or does not
/*	decode to the octet length of the suite's prime; then the same
/*	for Na and the suite's nonce length.
/* .IP "5. XC_ERR_KEY_RANGE"
/*	Ka is not in [2, p-2] (xc_dh_check_public()).
/* .PP
/*	So every syntax error in the line is reported before a range
/*	error. For XC_CMD_OTHER, XC_CMD_OK, XC_CMD_FAIL and XC_CMD_HELLO
/*	*err is XC_OK and *why is "". err and why may be null.
/*
/*	xc_reply_for_error() maps XC_ERR_SUITE to XC_REPLY_SUITE,
/*	XC_ERR_KEY_RANGE to XC_REPLY_BADKEY and anything else to
/*	XC_REPLY_SYNTAX.
/*
/*	xc_parse_hello_reply() parses the text of the server's reply after
/*	"250 " ("XCRYPT Kb Nb"), with the lexical rules above, for the
/*	suite that the client proposed. Exactly two arguments, strict
/*	base64 of exactly the lengths of the suite, then the range check.
/*	On success *hello gets suite, public value and nonce.
/*
/*	xc_parse_ehlo_keyword() looks at the text of one EHLO reply line
/*	(after "250-" or "250 "). When its keyword (the run of octets
/*	before the first SP or HT) is XCRYPT in any case, it fills *list
/*	with the known suites named, in the server's order, skipping
/*	unknown names, names in the wrong case, duplicates and names
/*	longer than 64 octets, at most XC_SUITE_COUNT, and returns 1
/*	(also when no suite is known: then list->count is 0). For any
/*	other keyword it returns 0 and leaves *list alone.
/*
/*	xc_ehlo_discarded() looks at a *_discard_ehlo_keywords value (or
/*	the result of a *_discard_ehlo_keyword_address_maps lookup): a
/*	list of EHLO keywords separated by comma or white space, in any
/*	case, as Postfix's ehlo_mask(3) reads it. It returns non-zero when
/*	the list names "xcrypt", and sets *silent (which may be null) to
/*	non-zero when it also names "silent-discard" (do not log the
/*	discard). Postfix's own code ignores keywords it does not know, so
/*	both daemons must look for ours themselves. A null or empty list
/*	names nothing.
/*
/*	xc_format_ehlo_keyword() writes "XCRYPT" followed by the names in
/*	list, in list order; xc_format_hello() writes "XCRYPT suite Ka
/*	Na" and xc_format_hello_reply() "250 XCRYPT Kb Nb", where pub has
/*	the octet length of the suite's prime and nonce the suite's nonce
/*	length. All three null-terminate and return the length without
/*	the null.
/* DIAGNOSTICS
/*	xc_parse_command(): see above. xc_parse_hello_reply(): XC_OK,
/*	XC_ERR_SYNTAX or XC_ERR_KEY_RANGE. The formatting functions:
/*	XC_ERR_OVERFLOW when buf is too small (buf then holds "" if size
/*	is not zero).
/*
/*	The *why texts are static. Some (those naming a suite or a length)
/*	live in one static buffer that the next call of xc_parse_command()
/*	or xc_parse_hello_reply() overwrites: log them before that. Suite
/*	names in them are cut at 40 octets, non-printable octets shown as
/*	'?'.
/*
/*	Panic: a null suite, or an invalid suite id in a list.
/* SEE ALSO
/*	xc_b64(3), strict base64
/*	XCRYPT-PROTOCOL.md, sections 2 and 4
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/types.h>
#include <string.h>
#include <stdio.h>

/* Utility library. */

#include <msg.h>

/* libtomcrypt. */

#include <tomcrypt.h>

/* Application-specific. */

#include <xcrypt.h>

 /*
  * A word of a line: pointer and length, never null-terminated.
  */
typedef struct XC_WORD {
    const char *ptr;
    size_t  len;
} XC_WORD;

#define XC_ARGS_MAX	4		/* enough to tell "too many" */
#define XC_NAME_SHOW	40		/* suite name octets in a why */
#define XC_NAME_MAX	64		/* longer names are not looked up */

#define XC_IS_WSP(c)	((c) == ' ' || (c) == '\t')

static char xc_why_buf[128];

/* xc_ascii_caseeq - ASCII case-insensitive compare with a literal */

static int xc_ascii_caseeq(const XC_WORD *w, const char *lit)
{
    size_t  i;
    int     a;
    int     b;

    if (w->len != strlen(lit))
	return (0);
    for (i = 0; i < w->len; i++) {
	a = (unsigned char) w->ptr[i];
	b = (unsigned char) lit[i];
	if (a >= 'a' && a <= 'z')
	    a -= 'a' - 'A';
	if (b >= 'a' && b <= 'z')
	    b -= 'a' - 'A';
	if (a != b)
	    return (0);
    }
    return (1);
}

/* xc_verb - the run before the first SP, HT or NUL */

static void xc_verb(const char *line, size_t len, XC_WORD *w)
{
    size_t  i;

    for (i = 0; i < len && !XC_IS_WSP(line[i]) && line[i] != 0; i++)
	 /* void */ ;
    w->ptr = line;
    w->len = i;
}

/* xc_split - words after the verb, at most max; returns the count */

static int xc_split(const char *line, size_t len, size_t start,
		            XC_WORD *words, int max)
{
    size_t  i = start;
    size_t  begin;
    int     count = 0;

    /*
     * Returns max + 1 when there are more than max words, without
     * looking further.
     */
    for (;;) {
	while (i < len && XC_IS_WSP(line[i]))
	    i++;
	if (i >= len)
	    return (count);
	if (count >= max)
	    return (max + 1);
	begin = i;
	while (i < len && !XC_IS_WSP(line[i]))
	    i++;
	words[count].ptr = line + begin;
	words[count].len = i - begin;
	count++;
    }
}

/* xc_why_name - format a why that names a suite, safely */

static const char *xc_why_name(const char *prefix, const XC_WORD *w)
{
    char    name[XC_NAME_SHOW + 4];
    size_t  i;
    size_t  n;
    int     c;

    n = w->len > XC_NAME_SHOW ? XC_NAME_SHOW : w->len;
    for (i = 0; i < n; i++) {
	c = (unsigned char) w->ptr[i];
	name[i] = (c > 0x20 && c < 0x7f) ? c : '?';
    }
    if (w->len > n) {
	memcpy(name + n, "...", 3);
	n += 3;
    }
    name[n] = 0;
    snprintf(xc_why_buf, sizeof(xc_why_buf), "%s: %s", prefix, name);
    return (xc_why_buf);
}

/* xc_find_suite - exact, case-sensitive suite lookup */

static const XC_SUITE *xc_find_suite(const XC_WORD *w)
{
    const XC_SUITE *suite;

    /*
     * Belt and braces: insist on the exact spelling here too, whatever
     * xc_suite_find() does about case.
     */
    if (w->len == 0 || w->len > XC_NAME_MAX || memchr(w->ptr, 0, w->len))
	return (0);
    if ((suite = xc_suite_find(w->ptr, w->len)) == 0
	|| strlen(suite->name) != w->len
	|| memcmp(suite->name, w->ptr, w->len) != 0)
	return (0);
    return (suite);
}

/* xc_decode_arg - one base64 argument of exactly want octets */

static int xc_decode_arg(const XC_WORD *w, unsigned char *out, size_t want,
			         const char *what, const char **why)
{
    unsigned char tmp[XC_PMAX + 3];
    size_t  have;

    /*
     * Find the length that the text claims, decode it strictly, and only
     * then compare, so that the log can say "95 octets, want 96" for a
     * well-formed value of the wrong size and "bad base64" otherwise.
     */
    if (w->len % 4 != 0 || w->len == 0) {
	snprintf(xc_why_buf, sizeof(xc_why_buf), "%s: bad base64", what);
	*why = xc_why_buf;
	return (XC_ERR_SYNTAX);
    }
    have = w->len / 4 * 3;
    if (w->ptr[w->len - 1] == '=')
	have--;
    if (w->ptr[w->len - 2] == '=')
	have--;
    if (have > sizeof(tmp)) {
	snprintf(xc_why_buf, sizeof(xc_why_buf),
		 "%s: too long, want %lu octets", what, (unsigned long) want);
	*why = xc_why_buf;
	return (XC_ERR_SYNTAX);
    }
    if (xc_b64_decode_exact(w->ptr, w->len, tmp, have) != XC_OK) {
	snprintf(xc_why_buf, sizeof(xc_why_buf), "%s: bad base64", what);
	*why = xc_why_buf;
	return (XC_ERR_SYNTAX);
    }
    if (have != want) {
	snprintf(xc_why_buf, sizeof(xc_why_buf), "%s: %lu octets, want %lu",
		 what, (unsigned long) have, (unsigned long) want);
	*why = xc_why_buf;
	return (XC_ERR_SYNTAX);
    }
    memcpy(out, tmp, want);
    zeromem(tmp, sizeof(tmp));
    return (XC_OK);
}

/* xc_decode_pair - public value and nonce, then the range check */

static int xc_decode_pair(const XC_SUITE *suite, const XC_WORD *kw,
			          const XC_WORD *nw, XC_HELLO *hello,
			          const char **why)
{
    const XC_GROUP *group;
    unsigned char pub[XC_PMAX];
    unsigned char nonce[XC_NONCE_MAX];
    int     ret;

    if ((group = xc_group(suite->group)) == 0)
	msg_panic("xc_decode_pair: suite %s: bad group %d",
		  suite->name, suite->group);
    if ((ret = xc_decode_arg(kw, pub, group->plen, "public key", why)) != XC_OK)
	return (ret);
    if ((ret = xc_decode_arg(nw, nonce, suite->nonce_len, "nonce", why)) != XC_OK)
	return (ret);
    switch (ret = xc_dh_check_public(suite->group, pub, group->plen)) {
    case XC_OK:
	break;
    case XC_ERR_KEY_RANGE:
	*why = "public key out of range";
	return (ret);
    default:
	*why = "public key: rejected";
	return (XC_ERR_SYNTAX);
    }
    hello->suite = suite;
    memcpy(hello->pub, pub, group->plen);
    hello->publen = group->plen;
    memcpy(hello->nonce, nonce, suite->nonce_len);
    hello->noncelen = suite->nonce_len;
    return (XC_OK);
}

/* xc_parse_command - classify one client line */

int     xc_parse_command(const char *line, size_t len,
			         const XC_SUITE_LIST *offered, XC_HELLO *hello,
			         int *err, const char **why)
{
    XC_WORD verb;
    XC_WORD args[XC_ARGS_MAX];
    const XC_SUITE *suite;
    const char *dummy_why;
    int     dummy_err;
    int     argc;
    int     ret;

    if (err == 0)
	err = &dummy_err;
    if (why == 0)
	why = &dummy_why;
    *err = XC_OK;
    *why = "";

    /*
     * Not ours: pass it on untouched. Only the verb is looked at, so a
     * long line costs nothing here.
     */
    xc_verb(line, len, &verb);
    if (!xc_ascii_caseeq(&verb, "XCRYPT"))
	return (XC_CMD_OTHER);

    /*
     * Ours. Each check below sets *err and *why and returns XC_CMD_BAD.
     */
#define XC_BAD(e, w) do { *err = (e); *why = (w); return (XC_CMD_BAD); } while (0)

    if (len > XC_LINE_MAX)
	XC_BAD(XC_ERR_SYNTAX, "line too long");
    if (memchr(line, 0, len) != 0)
	XC_BAD(XC_ERR_SYNTAX, "NUL in line");

    argc = xc_split(line, len, verb.len, args, XC_ARGS_MAX);
    if (argc >= 1 && xc_ascii_caseeq(args + 0, "OK")) {
	if (argc > 1)
	    XC_BAD(XC_ERR_SYNTAX, "XCRYPT OK: too many arguments");
	return (XC_CMD_OK);
    }
    if (argc >= 1 && xc_ascii_caseeq(args + 0, "FAIL")) {
	if (argc > 1)
	    XC_BAD(XC_ERR_SYNTAX, "XCRYPT FAIL: too many arguments");
	return (XC_CMD_FAIL);
    }
    if (argc == 0)
	XC_BAD(XC_ERR_SYNTAX, "no arguments");
    if (argc < 3)
	XC_BAD(XC_ERR_SYNTAX, "too few arguments");
    if (argc > 3)
	XC_BAD(XC_ERR_SYNTAX, "too many arguments");

    if ((suite = xc_find_suite(args + 0)) == 0)
	XC_BAD(XC_ERR_SUITE, xc_why_name("unknown suite", args + 0));
    if (offered != 0 && !xc_suite_list_has(offered, suite->id))
	XC_BAD(XC_ERR_SUITE, xc_why_name("suite not offered", args + 0));

    if ((ret = xc_decode_pair(suite, args + 1, args + 2, hello, why)) != XC_OK) {
	*err = ret;
	return (XC_CMD_BAD);
    }
    return (XC_CMD_HELLO);
#undef XC_BAD
}

/* xc_reply_for_error - SMTP reply for an XC_CMD_BAD error */

const char *xc_reply_for_error(int err)
{
    switch (err) {
    case XC_ERR_SUITE:
	return (XC_REPLY_SUITE);
    case XC_ERR_KEY_RANGE:
	return (XC_REPLY_BADKEY);
    default:
	return (XC_REPLY_SYNTAX);
    }
}

/* xc_parse_hello_reply - parse "XCRYPT Kb Nb" for the proposed suite */

int     xc_parse_hello_reply(const char *text, size_t len,
			             const XC_SUITE *suite, XC_HELLO *hello,
			             const char **why)
{
    XC_WORD verb;
    XC_WORD args[2];
    const char *dummy_why;
    int     argc;

    if (suite == 0)
	msg_panic("xc_parse_hello_reply: null suite");
    if (why == 0)
	why = &dummy_why;
    *why = "";

    if (len > XC_LINE_MAX) {
	*why = "reply too long";
	return (XC_ERR_SYNTAX);
    }
    if (memchr(text, 0, len) != 0) {
	*why = "NUL in reply";
	return (XC_ERR_SYNTAX);
    }
    xc_verb(text, len, &verb);
    if (!xc_ascii_caseeq(&verb, "XCRYPT")) {
	*why = "not an XCRYPT reply";
	return (XC_ERR_SYNTAX);
    }
    if ((argc = xc_split(text, len, verb.len, args, 2)) != 2) {
	*why = argc < 2 ? "too few arguments" : "too many arguments";
	return (XC_ERR_SYNTAX);
    }
    return (xc_decode_pair(suite, args + 0, args + 1, hello, why));
}

/* xc_parse_ehlo_keyword - the XCRYPT EHLO keyword and its suites */

int     xc_parse_ehlo_keyword(const char *text, size_t len,
			              XC_SUITE_LIST *list)
{
    XC_WORD verb;
    XC_WORD word;
    const XC_SUITE *suite;
    size_t  i;

    for (i = 0; i < len && !XC_IS_WSP(text[i]); i++)
	 /* void */ ;
    verb.ptr = text;
    verb.len = i;
    if (!xc_ascii_caseeq(&verb, "XCRYPT"))
	return (0);

    /*
     * One pass over the line; each name is bounded by xc_find_suite(),
     * the list by XC_SUITE_COUNT.
     */
    list->count = 0;
    while (i < len) {
	while (i < len && XC_IS_WSP(text[i]))
	    i++;
	word.ptr = text + i;
	while (i < len && !XC_IS_WSP(text[i]))
	    i++;
	word.len = text + i - word.ptr;
	if (word.len == 0 || (suite = xc_find_suite(&word)) == 0)
	    continue;
	if (xc_suite_list_has(list, suite->id))
	    continue;
	if (list->count < XC_SUITE_COUNT)
	    list->ids[list->count++] = suite->id;
    }
    return (1);
}

/* xc_put - append octets, keeping room for the null */

static int xc_put(char *buf, size_t size, size_t *pos, const char *str,
		          size_t n)
{
    if (size - *pos <= n)
	return (XC_ERR_OVERFLOW);
    memcpy(buf + *pos, str, n);
    *pos += n;
    buf[*pos] = 0;
    return (XC_OK);
}

/* xc_put_b64 - append base64 */

static int xc_put_b64(char *buf, size_t size, size_t *pos,
		              const unsigned char *data, size_t n)
{
    unsigned long outlen;

    /*
     * base64_encode() wants room for its null terminator, as we do.
     */
    if (size - *pos < 4 * ((n + 2) / 3) + 1)
	return (XC_ERR_OVERFLOW);
    outlen = size - *pos;
    if (base64_encode(data, n, (unsigned char *) buf + *pos, &outlen) != CRYPT_OK)
	return (XC_ERR_OVERFLOW);
    *pos += outlen;
    buf[*pos] = 0;
    return (XC_OK);
}

/* xc_format_done - common exit of the formatters */

static ssize_t xc_format_done(char *buf, size_t size, size_t pos, int ret)
{
    if (ret != XC_OK) {
	if (size > 0)
	    buf[0] = 0;
	return (ret);
    }
    return ((ssize_t) pos);
}

/* xc_ehlo_discarded - does a discard_ehlo_keywords list name XCRYPT? */

int     xc_ehlo_discarded(const char *words, int *silent)
{
    static const char sep[] = ", \t\r\n";
    const char *cp;
    size_t  len;
    int     found = 0;

    if (silent)
	*silent = 0;
    if (words == 0)
	return (0);
    for (cp = words; *(cp += strspn(cp, sep)) != 0; cp += len) {
	len = strcspn(cp, sep);
	if (len == 6 && strncasecmp(cp, "xcrypt", 6) == 0)
	    found = 1;
	else if (len == 14 && strncasecmp(cp, "silent-discard", 14) == 0
		 && silent)
	    *silent = 1;
    }
    return (found);
}

/* xc_format_ehlo_keyword - "XCRYPT name name ..." */

ssize_t xc_format_ehlo_keyword(char *buf, size_t size,
			               const XC_SUITE_LIST *list)
{
    const XC_SUITE *suite;
    size_t  pos = 0;
    int     ret;
    int     i;

    if (size == 0)
	return (XC_ERR_OVERFLOW);
    ret = xc_put(buf, size, &pos, "XCRYPT", 6);
    for (i = 0; ret == XC_OK && i < list->count; i++) {
	if ((suite = xc_suite(list->ids[i])) == 0)
	    msg_panic("xc_format_ehlo_keyword: bad suite id %d", list->ids[i]);
	if ((ret = xc_put(buf, size, &pos, " ", 1)) == XC_OK)
	    ret = xc_put(buf, size, &pos, suite->name, strlen(suite->name));
    }
    return (xc_format_done(buf, size, pos, ret));
}

/* xc_format_pair - " Kx Nx" for the suite */

static int xc_format_pair(char *buf, size_t size, size_t *pos,
			          const XC_SUITE *suite,
			          const unsigned char *pub,
			          const unsigned char *nonce)
{
    const XC_GROUP *group;
    int     ret;

    if ((group = xc_group(suite->group)) == 0)
	msg_panic("xc_format_pair: suite %s: bad group %d",
		  suite->name, suite->group);
    if ((ret = xc_put(buf, size, pos, " ", 1)) == XC_OK
	&& (ret = xc_put_b64(buf, size, pos, pub, group->plen)) == XC_OK
	&& (ret = xc_put(buf, size, pos, " ", 1)) == XC_OK)
	ret = xc_put_b64(buf, size, pos, nonce, suite->nonce_len);
    return (ret);
}

/* xc_format_hello - client command "XCRYPT suite Ka Na" */

ssize_t xc_format_hello(char *buf, size_t size, const XC_SUITE *suite,
			        const unsigned char *pub,
			        const unsigned char *nonce)
{
    size_t  pos = 0;
    int     ret;

    if (suite == 0)
	msg_panic("xc_format_hello: null suite");
    if (size == 0)
	return (XC_ERR_OVERFLOW);
    if ((ret = xc_put(buf, size, &pos, "XCRYPT ", 7)) == XC_OK
	&& (ret = xc_put(buf, size, &pos, suite->name,
			 strlen(suite->name))) == XC_OK)
	ret = xc_format_pair(buf, size, &pos, suite, pub, nonce);
    return (xc_format_done(buf, size, pos, ret));
}

/* xc_format_hello_reply - server reply "250 XCRYPT Kb Nb" */

ssize_t xc_format_hello_reply(char *buf, size_t size, const XC_SUITE *suite,
			              const unsigned char *pub,
			              const unsigned char *nonce)
{
    size_t  pos = 0;
    int     ret;

    if (suite == 0)
	msg_panic("xc_format_hello_reply: null suite");
    if (size == 0)
	return (XC_ERR_OVERFLOW);
    if ((ret = xc_put(buf, size, &pos, "250 XCRYPT", 10)) == XC_OK)
	ret = xc_format_pair(buf, size, &pos, suite, pub, nonce);
    return (xc_format_done(buf, size, pos, ret));
}
