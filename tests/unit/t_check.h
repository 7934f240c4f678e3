#ifndef _T_CHECK_H_INCLUDED_
#define _T_CHECK_H_INCLUDED_

/*++
/* NAME
/*	t_check 3h
/* SUMMARY
/*	minimal test reporting for the unit test programs
/* SYNOPSIS
/*	#include "t_check.h"
/*
/*	T_CHECK(name, cond)
/*	T_CHECKF(name, cond, fmt, ...)
/*	return T_DONE();
/* DESCRIPTION
/*	Each check prints one line "PASS name" or "FAIL name: detail" on
/*	stdout; tests/run.sh counts them. T_DONE() returns the exit status
/*	(1 if anything failed). Names are the behaviour pinned, e.g.
/*	"kat_rc4_rfc6229_offset_1520".
/*
/*	Each program's source declares how many checks it runs, on a line
/*	of its own: a comment that holds exactly "checks: N"; tests/run.sh
/*	fails a program that runs a different number.
/*--*/

#include <stdio.h>

static int t_failed;

#define T_CHECKF(name, cond, ...) do { \
	if (cond) { \
	    printf("PASS %s\n", (name)); \
	} else { \
	    printf("FAIL %s: ", (name)); \
	    printf(__VA_ARGS__); \
	    printf(" (%s:%d)\n", __FILE__, __LINE__); \
	    t_failed = 1; \
	} \
	fflush(stdout); \
    } while (0)

#define T_CHECK(name, cond) T_CHECKF((name), (cond), "%s", #cond)
#define T_DONE() (t_failed ? 1 : 0)

#endif
