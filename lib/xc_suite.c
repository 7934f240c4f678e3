/*++
/* NAME
/*	xc_suite 3
/* SUMMARY
/*	XCRYPT suites and suite lists
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	const XC_SUITE *xc_suite(id)
/*	int	id;
/*
/*	const XC_SUITE *xc_suite_find(name, len)
/*	const char *name;
/*	size_t	len;
/*
/*	int	xc_suite_list_parse(text, list, bad)
/*	const char *text;
/*	XC_SUITE_LIST *list;
/*	const char **bad;
/*
/*	int	xc_suite_list_has(list, id)
/*	const XC_SUITE_LIST *list;
/*	int	id;
/* DESCRIPTION
/*	The suite table of spec section 3:
/* .IP arrsyfor_1.0
/*	Oakley group 1, 10-octet nonces, SHA-1 key derivation, RC4.
/* .IP sober128_1.0
/*	Oakley group 1, 10-octet nonces, SHA-1 key derivation,
/*	SOBER-128.
/* .IP chacha20poly1305_2.0
/*	MODP group 14, 16-octet nonces, HKDF-SHA-256, ChaCha20-Poly1305
/*	records.
/* .IP chacha20poly1305_2.1
/*	As chacha20poly1305_2.0, with key derivation labels of its own;
/*	its flag XC_SUITE_FLAG_PIPELINED_OK says that the confirmation may
/*	travel with the first protected octets (spec 4.5, xc_stream(3)).
/* .PP
/*	xc_suite() returns a suite by id, or a null pointer.
/*
/*	xc_suite_find() returns the suite whose name is exactly the len
/*	octets at name (case-sensitive, as suite names travel inside
/*	case-sensitive protocol text), or a null pointer.
/*
/*	xc_suite_list_parse() parses a list of suite names separated by
/*	spaces, tabs, commas or newlines, as in configuration, and
/*	stores their ids in list order. It returns the number of suites.
/*	An unknown name, a duplicate, or an empty list is an error:
/*	the result is XC_ERR_SUITE and, when bad is not null, *bad
/*	points to the offending name (truncated if very long), or to
/*	"(empty list)", in a static buffer that the next call
/*	overwrites.
/*
/*	xc_suite_list_has() returns non-zero when the list contains the
/*	suite id.
/* SEE ALSO
/*	xc_group(3), the groups
/*--*/

/* System library. */

#include <sys_defs.h>
#include <string.h>

/* Application-specific. */

#include "xcrypt.h"

static const XC_SUITE xc_suites[XC_SUITE_COUNT] = {
    {XC_SUITE_ARRSYFOR, "arrsyfor_1.0", XC_GROUP_OAKLEY1, 10, 10, 0, 0},
    {XC_SUITE_SOBER128, "sober128_1.0", XC_GROUP_OAKLEY1, 10, 10, 0, 0},
    {XC_SUITE_CHACHA, "chacha20poly1305_2.0", XC_GROUP_MODP14, 16, 32, 1, 0},
    {XC_SUITE_CHACHA21, "chacha20poly1305_2.1", XC_GROUP_MODP14, 16, 32, 1,
    XC_SUITE_FLAG_PIPELINED_OK},
};

#define XC_SUITE_SEP	" \t,\r\n"
#define XC_SUITE_BADLEN	64

/* xc_suite - suite by id */

const XC_SUITE *xc_suite(int id)
{
    if (id < 0 || id >= XC_SUITE_COUNT)
	return (0);
    return (xc_suites + id);
}

/* xc_suite_find - suite by exact name */

const XC_SUITE *xc_suite_find(const char *name, size_t len)
{
    const XC_SUITE *s;

    if (name == 0)
	return (0);
    for (s = xc_suites; s < xc_suites + XC_SUITE_COUNT; s++)
	if (strlen(s->name) == len && memcmp(s->name, name, len) == 0)
	    return (s);
    return (0);
}

/* xc_suite_list_bad - report the offending entry */

static int xc_suite_list_bad(const char *name, size_t len, const char **bad)
{
    static char buf[XC_SUITE_BADLEN + 4];

    if (len > XC_SUITE_BADLEN) {
	memcpy(buf, name, XC_SUITE_BADLEN);
	memcpy(buf + XC_SUITE_BADLEN, "...", 4);
    } else {
	memcpy(buf, name, len);
	buf[len] = 0;
    }
    if (bad)
	*bad = buf;
    return (XC_ERR_SUITE);
}

/* xc_suite_list_parse - configuration text to suite list */

int     xc_suite_list_parse(const char *text, XC_SUITE_LIST *list,
			            const char **bad)
{
    const XC_SUITE *s;
    const char *cp;
    size_t  len;

    list->count = 0;
    if (text == 0)
	text = "";
    for (cp = text; *(cp += strspn(cp, XC_SUITE_SEP)) != 0; cp += len) {
	len = strcspn(cp, XC_SUITE_SEP);
	if ((s = xc_suite_find(cp, len)) == 0
	    || xc_suite_list_has(list, s->id)) {
	    list->count = 0;
	    return (xc_suite_list_bad(cp, len, bad));
	}
	list->ids[list->count++] = s->id;
    }
    if (list->count == 0)
	return (xc_suite_list_bad("(empty list)", 12, bad));
    return (list->count);
}

/* xc_suite_list_has - membership */

int     xc_suite_list_has(const XC_SUITE_LIST *list, int id)
{
    int     i;

    if (list == 0)
	return (0);
    for (i = 0; i < list->count; i++)
	if (list->ids[i] == id)
	    return (1);
    return (0);
}
