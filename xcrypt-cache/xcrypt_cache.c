/*++
/* NAME
/*	xcrypt-cache 1
/* SUMMARY
/*	XCRYPT key cache administration
/* SYNOPSIS
/* .fi
/*	\fBxcrypt-cache\fR [\fB-pv\fR] [\fB-c \fIconfig_dir\fR] [\fIfile\fR]
/* DESCRIPTION
/*	\fBxcrypt-cache\fR(1) shows, or purges, the key cache that the
/*	XCRYPT daemons share (spec section 7), like \fBpostmap\fR(1) or
/*	\fBtdbtool\fR(8) for this one file. Without \fIfile\fR it uses
/*	the \fBxcrypt_cache_database\fR parameter of the Postfix
/*	configuration.
/*
/*	The listing shows, one item per line:
/* .IP "\fBcache \fIfile\fR"
/*	The file.
/* .IP "\fBpair \fIgroup\fB fingerprint \fIhex\fB age \fIN\fBs rotation in \fIN\fBs\fR"
/*	This host's key pair for the group: the fingerprint of its public
/*	value (the first 8 octets of SHA-256, in hex), its age, and the
/*	time until it is replaced (\fBrotation due\fR when it has
/*	expired: the next use replaces it). A private value is never
/*	shown.
/* .IP "\fBpeers \fIN\fR"
/*	The number of cached shared values, followed by one line per
/*	peer:
/* .IP "\fBpeer \fIgroup\fB fingerprint \fIhex\fB age \fIN\fBs\fR"
/*	The fingerprint of the peer's public value and the age of the
/*	entry. The shared value itself is never shown.
/* .IP "\fBhits \fIN\fB misses \fIN\fB rotations \fIN\fR"
/*	Totals of all processes since the file was created: shared
/*	values found in and missing from the cache, and key pairs
/*	generated.
/* .PP
/*	Options:
/* .IP "\fB-c \fIconfig_dir\fR"
/*	Read \fBmain.cf\fR in the named directory instead of the default
/*	configuration directory.
/* .IP \fB-p\fR
/*	Purge: delete every key pair and every cached shared value, in
/*	one transaction, safe while the daemons run (the next use
/*	generates new pairs). The counters are kept.
/* .IP \fB-v\fR
/*	Verbose logging (repeat for more).
/* DIAGNOSTICS
/*	Problems are reported on the standard error stream. The exit
/*	status is non-zero for a missing, unreadable or corrupt file.
/*	Listing never creates a file (it opens an existing one
/*	read-only).
/* CONFIGURATION PARAMETERS
/* .ad
/* .fi
/* .IP "\fBxcrypt_cache_database ($data_directory/xcrypt_cache.tdb)\fR"
/*	The key cache file.
/* .IP "\fBxcrypt_key_lifetime (2h)\fR"
/*	How long a key pair is used before it is replaced.
/* SECURITY
/* .ad
/* .fi
/*	The file holds private values; it must be mode 0600 and owned
/*	by the mail system's account. This command reads it, but prints
/*	public fingerprints only.
/* SEE ALSO
/*	xc_cache(3), the key cache
/*	postconf(5), configuration parameters
/*--*/

/* System library. */

#include <sys_defs.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <msg_vstream.h>
#include <mymalloc.h>
#include <safe.h>
#include <stringops.h>
#include <vstream.h>

/* Global library. */

#include <mail_conf.h>
#include <mail_params.h>
#include <mail_version.h>

/* Application-specific. */

#include "xcrypt.h"


 /*
  * The walk collects entries so that pairs come first and peers can be
  * counted before they are listed.
  */
typedef struct {
    XC_CACHE_ENTRY *list;
    int     count;
    int     size;
} XC_LISTING;

/* usage - complain and exit */

static NORETURN usage(const char *myname)
{
    msg_fatal("usage: %s [-c config_dir] [-p] [-v] [file]", myname);
}

/* collect - remember one entry */

static void collect(const XC_CACHE_ENTRY *entry, void *context)
{
    XC_LISTING *lp = (XC_LISTING *) context;

    if (lp->count == lp->size) {
	if (lp->size == 0) {
	    lp->size = 16;
	    lp->list = (XC_CACHE_ENTRY *)
		mymalloc(lp->size * sizeof(*lp->list));
	} else {
	    lp->size *= 2;
	    lp->list = (XC_CACHE_ENTRY *)
		myrealloc((void *) lp->list, lp->size * sizeof(*lp->list));
	}
    }
    lp->list[lp->count++] = *entry;
}

/* group_name - printable group */

static const char *group_name(int id)
{
    const XC_GROUP *gp = xc_group(id);

    return (gp ? gp->name : "unknown");
}

/* entry_age - seconds since creation, 0 for a time in the future */

static long entry_age(const XC_CACHE_ENTRY *entry, time_t now)
{
    return (entry->created < now ? (long) (now - entry->created) : 0);
}

/* show - list the cache */

static void show(XC_CACHE *cache, const char *path, int lifetime)
{
    XC_LISTING listing;
    XC_CACHE_STATS totals;
    time_t  now = time((time_t *) 0);
    long    age;
    long    left;
    int     peers = 0;
    int     i;

    listing.list = 0;
    listing.count = listing.size = 0;
    if (xc_cache_walk(cache, collect, &listing) != XC_OK)
	msg_fatal("cannot read %s", path);
    vstream_printf("cache %s\n", path);
    for (i = 0; i < listing.count; i++) {
	if (listing.list[i].kind != XC_CACHE_KIND_PAIR)
	    continue;
	age = entry_age(listing.list + i, now);
	vstream_printf("pair %s fingerprint %s age %lds ",
		       group_name(listing.list[i].group),
		       listing.list[i].fingerprint, age);

	/*
	 * A pair from the future (the clock went back) is replaced when it
	 * is further ahead than one lifetime, else at its creation time plus
	 * the lifetime, as xc_cache(3) does.
	 */
	left = (long) (listing.list[i].created + lifetime - now);
	if (listing.list[i].created - now <= lifetime && left > 0)
	    vstream_printf("rotation in %lds\n", left);
	else
	    vstream_printf("rotation due\n");
    }
    for (i = 0; i < listing.count; i++)
	if (listing.list[i].kind == XC_CACHE_KIND_PEER)
	    peers++;
    vstream_printf("peers %d\n", peers);
    for (i = 0; i < listing.count; i++) {
	if (listing.list[i].kind != XC_CACHE_KIND_PEER)
	    continue;
	vstream_printf("peer %s fingerprint %s age %lds\n",
		       group_name(listing.list[i].group),
		       listing.list[i].fingerprint,
		       entry_age(listing.list + i, now));
    }
    xc_cache_totals(cache, &totals);
    vstream_printf("hits %lu misses %lu rotations %lu\n",
		   totals.hits, totals.misses, totals.rotations);
    if (vstream_fflush(VSTREAM_OUT))
	msg_fatal("write error: %m");
    if (listing.list)
	myfree((void *) listing.list);
}

/* open_or_die - open an existing cache with a clear diagnostic */

static XC_CACHE *open_or_die(const char *path, int lifetime, int writable)
{
    XC_CACHE *cache;

    if ((cache = xc_cache_open_existing(path, lifetime, writable)) != 0)
	return (cache);
    if (errno == EIO)
	msg_fatal("open %s: not a valid xcrypt key cache "
		  "(corrupt, or not a tdb file)", path);
    msg_fatal("open %s: %m", path);
}

/* main - list or purge the cache */

int     main(int argc, char **argv)
{
    XC_CACHE *cache;
    const char *path;
    const char *conf_dir;
    char   *main_cf;
    int     purge = 0;
    int     lifetime;
    int     ch;

    /*
     * Be consistent with file permissions.
     */
    umask(077);

    msg_vstream_init(argv[0], VSTREAM_ERR);
    XC_CHECK_POSTFIX_VERSION();
    while ((ch = GETOPT(argc, argv, "c:pv")) > 0) {
	switch (ch) {
	case 'c':
	    if (setenv(CONF_ENV_PATH, optarg, 1) < 0)
		msg_fatal("out of memory");
	    break;
	case 'p':
	    purge = 1;
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    usage(argv[0]);
	}
    }
    if (argc - optind > 1)
	usage(argv[0]);

    /*
     * The lifetime is needed for the listing even when a file is named;
     * then a missing main.cf is no reason to stop.
     */
    conf_dir = safe_getenv(CONF_ENV_PATH);
    main_cf = concatenate(conf_dir ? conf_dir : DEF_CONFIG_DIR, "/",
			  MAIN_CONF_FILE, (char *) 0);
    if (optind < argc && conf_dir == 0 && access(main_cf, R_OK) < 0) {
	if (msg_verbose)
	    msg_info("%s: %m; using %s = %s", main_cf,
		     VAR_XC_KEY_LIFETIME, DEF_XC_KEY_LIFETIME);
	lifetime = 2 * 3600;
    } else {
	mail_conf_read();
	lifetime = get_mail_conf_time(VAR_XC_KEY_LIFETIME,
				      DEF_XC_KEY_LIFETIME, 1, 0);
    }
    myfree(main_cf);
    if (optind < argc)
	path = argv[optind];
    else
	path = get_mail_conf_str(VAR_XC_CACHE_DB, DEF_XC_CACHE_DB,
				 0, 0);
    if (*path == 0)
	msg_fatal("%s is empty: the daemons keep their keys in memory only",
		  VAR_XC_CACHE_DB);

    cache = open_or_die(path, lifetime, purge);
    if (purge) {
	if (xc_cache_purge(cache) != XC_OK)
	    msg_fatal("cannot purge %s", path);
	vstream_printf("purged %s\n", path);
	if (vstream_fflush(VSTREAM_OUT))
	    msg_fatal("write error: %m");
    } else {
	show(cache, path, lifetime);
    }
    xc_cache_close(cache);
    return (0);
}
