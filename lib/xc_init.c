/*++
/* NAME
/*	xc_init 3
/* SUMMARY
/*	library initialization, error names, randomness
/* SYNOPSIS
/*	#include <xcrypt.h>
/*
/*	void	xc_init()
/*
/*	const char *xc_strerror(code)
/*	int	code;
/*
/*	void	xc_check_postfix_version(build_version)
/*	const char *build_version;
/*
/*	int	xc_random(buf, len)
/*	unsigned char *buf;
/*	size_t	len;
/* DESCRIPTION
/*	xc_init() makes libtommath libtomcrypt's math provider,
/*	registers SHA-1, SHA-256 and the sprng PRNG. It may be called
/*	any number of times; only the first call does work.
/*
/*	xc_strerror() returns a short static text for an XC_OK or
/*	XC_ERR_* code.
/*
/*	xc_check_postfix_version() compares the version string that
/*	the caller was built with (DEF_MAIL_VERSION, through the
/*	XC_CHECK_POSTFIX_VERSION() macro) with the one compiled into
/*	the libpostfix-* libraries that are loaded at run time. The
/*	libraries carry no soname version, so a Postfix update can
/*	replace them under a program that was built against other
/*	struct layouts.
/*
/*	xc_random() fills a buffer with len octets from the kernel
/*	random source: getrandom(2), which also works inside a chroot
/*	jail, else /dev/urandom. It never falls back to anything
/*	weaker.
/* DIAGNOSTICS
/*	xc_check_postfix_version() terminates the process with a
/*	fatal error on mismatch. xc_init() terminates the process when
/*	libtomcrypt refuses a registration (cannot happen with a sane
/*	libtomcrypt). xc_random() returns XC_OK or XC_ERR_RANDOM.
/* SEE ALSO
/*	xcrypt(3h), library interface
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/types.h>
#include <sys/random.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>

/* Global library. */

#include <mail_version.h>

/* Application-specific. */

#include "xc_private.h"

int     xc_hash_sha1 = -1;
int     xc_hash_sha256 = -1;

/* xc_init - one-time libtomcrypt setup */

void    xc_init(void)
{
    static int done;

    if (done)
	return;
    ltc_mp = ltm_desc;
    if (register_hash(&sha1_desc) < 0
	|| register_hash(&sha256_desc) < 0
	|| register_prng(&sprng_desc) < 0)
	msg_fatal("xc_init: cannot register libtomcrypt algorithms");
    if ((xc_hash_sha1 = find_hash("sha1")) < 0
	|| (xc_hash_sha256 = find_hash("sha256")) < 0)
	msg_fatal("xc_init: libtomcrypt lacks SHA-1 or SHA-256");
    done = 1;
}

/* xc_strerror - name a result code */

const char *xc_strerror(int code)
{
    switch (code) {
    case XC_OK:
	return ("success");
    case XC_ERR_SYNTAX:
	return ("malformed line or argument");
    case XC_ERR_KEY_RANGE:
	return ("public value out of range");
    case XC_ERR_SUITE:
	return ("unknown or not offered suite");
    case XC_ERR_CRYPTO:
	return ("cryptographic library failure");
    case XC_ERR_RANDOM:
	return ("no randomness available");
    case XC_ERR_AUTH:
	return ("record did not verify");
    case XC_ERR_RECORD:
	return ("record length or format out of range");
    case XC_ERR_CACHE:
	return ("key cache unusable");
    case XC_ERR_OVERFLOW:
	return ("buffer too small or counter exhausted");
    case XC_ERR_STATE:
	return ("call out of sequence");
    default:
	return ("unknown error");
    }
}

/* xc_check_postfix_version - refuse a foreign libpostfix */

void    xc_check_postfix_version(const char *build_version)
{
    const char *run_version = get_mail_version();

    if (build_version == 0 || run_version == 0
	|| strcmp(build_version, run_version) != 0)
	msg_fatal("xcrypt was built for Postfix %s but runs with "
		  "libpostfix %s: rebuild xcrypt for this Postfix",
		  build_version ? build_version : "(unknown)",
		  run_version ? run_version : "(unknown)");
}

/* xc_random_urandom - read from /dev/urandom */

static int xc_random_urandom(unsigned char *buf, size_t len)
{
    int     fd;
    ssize_t n;

    if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0)
	return (XC_ERR_RANDOM);
    while (len > 0) {
	if ((n = read(fd, buf, len)) < 0 && errno == EINTR)
	    continue;
	if (n <= 0) {
	    (void) close(fd);
	    return (XC_ERR_RANDOM);
	}
	buf += n;
	len -= n;
    }
    (void) close(fd);
    return (XC_OK);
}

/* xc_random - kernel randomness, or failure */

int     xc_random(unsigned char *buf, size_t len)
{
    unsigned char *cp = buf;
    size_t  left = len;
    ssize_t n;

    while (left > 0) {
	n = getrandom(cp, left, 0);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && errno == ENOSYS)
	    return (xc_random_urandom(cp, left));
	if (n <= 0) {
	    zeromem(buf, len);
	    return (XC_ERR_RANDOM);
	}
	cp += n;
	left -= n;
    }
    return (XC_OK);
}

/* xc_mp_wipe - zero and release a big number */

void    xc_mp_wipe(mp_int *a)
{
    if (a->dp != 0)
	zeromem(a->dp, (size_t) a->alloc * sizeof(mp_digit));
    mp_clear(a);
}

/* xc_hex - lower-case hex */

void    xc_hex(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t  i;

    for (i = 0; i < len; i++) {
	out[2 * i] = digits[in[i] >> 4];
	out[2 * i + 1] = digits[in[i] & 0xf];
    }
    out[2 * len] = 0;
}
