#ifndef _XC_PRIVATE_H_INCLUDED_
#define _XC_PRIVATE_H_INCLUDED_

/*++
/* NAME
/*	xc_private 3h
/* SUMMARY
/*	lib/ internals shared by the crypto core
/* SYNOPSIS
/*	#include "xc_private.h"
/* DESCRIPTION
/*	Not part of the public interface (that is xcrypt.h). Pulls in
/*	libtomcrypt with the libtommath descriptor declared, and names
/*	the few helpers that more than one lib/ file needs, plus the
/*	test-only hooks of the cipher and cache modules.
/*--*/

#include <stdint.h>

#ifndef LTM_DESC
#define LTM_DESC			/* declare ltm_desc in tomcrypt_math.h */
#endif
#include <tomcrypt.h>
#include <tommath.h>

#include "xcrypt.h"

 /*
  * Hash indexes registered by xc_init().
  */
extern int xc_hash_sha1;
extern int xc_hash_sha256;

 /*
  * Zero an mp_int's digits, then release it.
  */
extern void xc_mp_wipe(mp_int *);

 /*
  * Hex, lower case, NUL-terminated: out has 2 * len + 1 octets.
  */
extern void xc_hex(const unsigned char *, size_t, char *);

 /*
  * Test hooks: the record sequence number of an AEAD cipher.
  */
extern void xc_cipher_set_seq(XC_CIPHER *, uint64_t);
extern uint64_t xc_cipher_get_seq(const XC_CIPHER *);

 /*
  * Test hooks: the tdb under a cache handle (fuzzing of record decoding),
  * the size from which a file is compacted after a rotation.
  */
struct tdb_context;
extern struct tdb_context *xc_cache_tdb(XC_CACHE *);
extern void xc_cache_set_compact_min(off_t);

#endif
