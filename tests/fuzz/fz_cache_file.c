/*++
/* NAME
/*	fz_cache_file 1
/* SUMMARY
/*	libFuzzer target: opening a corrupt key cache file
/* SYNOPSIS
/*	fz_cache_file [libFuzzer options] [corpus ...]
/* DESCRIPTION
/*	Writes the input as a whole cache file, then opens it as
/*	xcrypt-cache(1) does (xc_cache_open_existing(), read-only: tdb
/*	open and tdb_check()) and, when that succeeds, lists it and reads
/*	the counters; when octet 0 is odd also as the daemons do
/*	(xc_cache_open(): a bad file is moved aside and created again, or
/*	the handle falls back to memory), then lists it.
/*
/*	Oracle (abort): open_existing() fails only with errno set; every
/*	listed entry has a known kind and group and a creation time in
/*	range; xc_cache_open() always returns a handle.
/* SEE ALSO
/*	xc_cache(3), xcrypt-cache(1)
/*--*/

#include <sys_defs.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xcrypt.h>

#define LIFETIME	7200

int     LLVMFuzzerInitialize(int *, char ***);
int     LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char fz_dir[200];
static char fz_path[300];

/* LLVMFuzzerInitialize - a private directory */

int     LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");

    xc_init();
    snprintf(fz_dir, sizeof(fz_dir), "%s/fz_cache_file.XXXXXX",
	     tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(fz_dir) == 0)
	abort();
    snprintf(fz_path, sizeof(fz_path), "%s/cache.tdb", fz_dir);
    return (0);
}

/* fz_walk - check each entry */

static void fz_walk(const XC_CACHE_ENTRY *e, void *context)
{
    if ((e->kind != XC_CACHE_KIND_PAIR && e->kind != XC_CACHE_KIND_PEER)
	|| xc_group(e->group) == 0 || e->created < 0
	|| e->created >= ((time_t) 1 << 40))
	abort();
}

/* fz_clean - remove every file of the directory */

static void fz_clean(void)
{
    DIR    *dp;
    struct dirent *de;
    char    path[600];

    if ((dp = opendir(fz_dir)) == 0)
	abort();
    while ((de = readdir(dp)) != 0) {
	if (de->d_name[0] == '.')
	    continue;
	snprintf(path, sizeof(path), "%s/%s", fz_dir, de->d_name);
	(void) unlink(path);
    }
    closedir(dp);
}

/* fz_write - the input as the file */

static void fz_write(const uint8_t *data, size_t size)
{
    int     fd;

    if ((fd = open(fz_path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0
	|| write(fd, data, size) != (ssize_t) size)
	abort();
    close(fd);
}

/* LLVMFuzzerTestOneInput - one file */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XC_CACHE *cp;
    XC_CACHE_STATS st;

    fz_write(data, size);
    errno = 0;
    if ((cp = xc_cache_open_existing(fz_path, LIFETIME, 0)) != 0) {
	(void) xc_cache_walk(cp, fz_walk, (void *) 0);
	(void) xc_cache_totals(cp, &st);
	xc_cache_close(cp);
    } else if (errno == 0) {
	abort();
    }
    if (size > 0 && (data[0] & 1)) {
	fz_write(data, size);
	if ((cp = xc_cache_open(fz_path, LIFETIME)) == 0)
	    abort();
	(void) xc_cache_walk(cp, fz_walk, (void *) 0);
	xc_cache_close(cp);
	fz_clean();
    } else {
	(void) unlink(fz_path);
    }
    return (0);
}
