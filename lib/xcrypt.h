#ifndef _XCRYPT_H_INCLUDED_
#define _XCRYPT_H_INCLUDED_

/*++
/* NAME
/*	xcrypt 3h
/* SUMMARY
/*	XCRYPT opportunistic SMTP encryption library
/* SYNOPSIS
/*	#include <xcrypt.h>
/* DESCRIPTION
/*	The one public interface of lib/: groups and Diffie-Hellman key
/*	exchange, suites, key derivation, traffic protection, the XCRYPT
/*	line codec, the shared key cache, the session helper used by both
/*	daemons, and the VSTREAM layer that switches encryption on.
/*
/*	All functions return XC_OK (zero) on success and a negative XC_ERR_*
/*	code otherwise, unless documented differently. xc_strerror() names
/*	a code. Nothing here ever logs a secret.
/*
/*	Normative protocol text: ../shared/XCRYPT-PROTOCOL.md.
/*--*/

#include <sys/types.h>
#include <stddef.h>
#include <time.h>

 /*
  * Result codes.
  */
#define XC_OK			0
#define XC_ERR_SYNTAX		(-1)	/* malformed line or argument */
#define XC_ERR_KEY_RANGE	(-2)	/* public value not in [2, p-2] */
#define XC_ERR_SUITE		(-3)	/* unknown or not offered suite */
#define XC_ERR_CRYPTO		(-4)	/* libtomcrypt/libtommath failure */
#define XC_ERR_RANDOM		(-5)	/* no randomness */
#define XC_ERR_AUTH		(-6)	/* record did not verify */
#define XC_ERR_RECORD		(-7)	/* record length/format out of range */
#define XC_ERR_CACHE		(-8)	/* key cache unusable */
#define XC_ERR_OVERFLOW		(-9)	/* output buffer too small, counter wrap */
#define XC_ERR_STATE		(-10)	/* call out of sequence */

extern const char *xc_strerror(int);

 /*
  * Library initialization: registers libtommath as libtomcrypt's math
  * provider, the hashes (SHA-1, SHA-256) and the PRNG. Idempotent; must be
  * called before anything else (xc_cache_open() and xc_session_*() call it).
  */
extern void xc_init(void);

 /*
  * Refuse to run against a libpostfix other than the one we were built
  * with (the libraries carry no soname version). msg_fatal()s on mismatch.
  */
extern void xc_check_postfix_version(const char *build_version);

#define XC_CHECK_POSTFIX_VERSION() xc_check_postfix_version(DEF_MAIL_VERSION)

 /*
  * Diffie-Hellman groups (g = 2).
  */
#define XC_GROUP_OAKLEY1	0	/* RFC 2409 6.1, 768-bit */
#define XC_GROUP_MODP14		1	/* RFC 3526 3, 2048-bit */
#define XC_GROUP_COUNT		2

#define XC_PMAX			256	/* largest octet length of p */

typedef struct XC_GROUP {
    int     id;				/* XC_GROUP_* */
    const char *name;			/* "oakley1", "modp14" */
    const unsigned char *p;		/* prime, big-endian */
    size_t  plen;			/* octets: 96 or 256 */
    int     exp_bits;			/* private exponent size: 768, 256 */
} XC_GROUP;

extern const XC_GROUP *xc_group(int);

 /*
  * DH key pair. pub is always left-padded to the group's plen.
  */
typedef struct XC_KEYPAIR {
    int     group;			/* XC_GROUP_* */
    unsigned char priv[XC_PMAX];	/* private exponent, big-endian */
    size_t  privlen;
    unsigned char pub[XC_PMAX];		/* g^x mod p, padded to plen */
    time_t  created;			/* for rotation */
} XC_KEYPAIR;

extern int xc_dh_generate(int, XC_KEYPAIR *);
extern int xc_dh_set_private(int, const unsigned char *, size_t, XC_KEYPAIR *);
extern int xc_dh_check_public(int, const unsigned char *, size_t);
extern int xc_dh_shared(const XC_KEYPAIR *, const unsigned char *, size_t,
			        unsigned char *);
extern void xc_keypair_wipe(XC_KEYPAIR *);

 /*
  * Suites.
  */
#define XC_SUITE_ARRSYFOR	0	/* arrsyfor_1.0 */
#define XC_SUITE_SOBER128	1	/* sober128_1.0 */
#define XC_SUITE_CHACHA		2	/* chacha20poly1305_2.0 */
#define XC_SUITE_CHACHA21	3	/* chacha20poly1305_2.1 */
#define XC_SUITE_COUNT		4

#define XC_NONCE_MAX		16
#define XC_KEY_MAX		32

typedef struct XC_SUITE {
    int     id;				/* XC_SUITE_* */
    const char *name;			/* "arrsyfor_1.0", ... */
    int     group;			/* XC_GROUP_* */
    size_t  nonce_len;			/* 10 or 16 */
    size_t  key_len;			/* 10 or 32 */
    int     aead;			/* records (6.3) vs keystream */
    int     flags;			/* XC_SUITE_FLAG_* */
} XC_SUITE;

 /*
  * XC_SUITE_FLAG_PIPELINED_OK: the confirmation may be pipelined (spec 4.5):
  * the client sends protected octets right after XCRYPT OK, without waiting
  * for 250 XCRYPT OK, and the stream layer checks that reply itself
  * (XC_STREAM_CONFIRM); the server keeps what follows XCRYPT OK as protected
  * input (XC_STREAM_KEEP). Set for chacha20poly1305_2.1 only.
  */
#define XC_SUITE_FLAG_PIPELINED_OK	(1<<0)
#define XC_SUITE_PIPELINED(s)	((s)->flags & XC_SUITE_FLAG_PIPELINED_OK)

extern const XC_SUITE *xc_suite(int);
extern const XC_SUITE *xc_suite_find(const char *, size_t);

 /*
  * Suite lists, as in configuration ("chacha20poly1305_2.0, sober128_1.0")
  * and in the EHLO keyword. xc_suite_list_parse() fills ids[] in order,
  * returns the count, or XC_ERR_SUITE naming the bad entry in *bad (a
  * pointer into a static buffer) for configuration errors.
  */
typedef struct XC_SUITE_LIST {
    int     count;
    int     ids[XC_SUITE_COUNT];
} XC_SUITE_LIST;

extern int xc_suite_list_parse(const char *, XC_SUITE_LIST *, const char **);
extern int xc_suite_list_has(const XC_SUITE_LIST *, int);

 /*
  * Key derivation (spec 5). z has the group's plen octets.
  */
typedef struct XC_KEYS {
    unsigned char c2s[XC_KEY_MAX];
    unsigned char s2c[XC_KEY_MAX];
    size_t  key_len;
} XC_KEYS;

extern int xc_kdf(const XC_SUITE *, const unsigned char *, size_t,
		          const unsigned char *, const unsigned char *, XC_KEYS *);
extern void xc_keys_wipe(XC_KEYS *);

 /*
  * Traffic protection for one direction (spec 6).
  */
#define XC_REC_DATA_MAX		16384	/* datalen limit */
#define XC_REC_SEALED_MIN	48
#define XC_REC_SEALED_MAX	16432
#define XC_REC_MAX		(2 + XC_REC_SEALED_MAX)

typedef struct XC_CIPHER XC_CIPHER;	/* opaque, see xc_cipher.c */

extern XC_CIPHER *xc_cipher_create(const XC_SUITE *, const unsigned char *);
extern void xc_cipher_free(XC_CIPHER *);	/* wipes */

 /* Keystream suites: XOR in place or in -> out; any length. */
extern int xc_cipher_xor(XC_CIPHER *, const unsigned char *, size_t,
			         unsigned char *);

 /*
  * AEAD suite. xc_record_seal() writes one whole record (length || sealed)
  * for datalen <= XC_REC_DATA_MAX octets into out (XC_REC_MAX octets),
  * sets *outlen. xc_record_sealed_len() checks the 2-octet length prefix,
  * returns the sealed length or XC_ERR_RECORD. xc_record_open() takes the
  * whole record, writes up to XC_REC_DATA_MAX octets to data.
  */
extern int xc_record_seal(XC_CIPHER *, const unsigned char *, size_t,
			          unsigned char *, size_t *);
extern int xc_record_sealed_len(const unsigned char *);
extern int xc_record_open(XC_CIPHER *, const unsigned char *, size_t,
			          unsigned char *, size_t *);

 /*
  * Codec (spec 2, 4). Lines are passed without CRLF.
  */
#define XC_LINE_MAX		512	/* longest XCRYPT command line */

#define XC_REPLY_SYNTAX	"501 5.5.4 Syntax: XCRYPT suite public-key nonce"
#define XC_REPLY_BADKEY	"501 5.7.0 XCRYPT invalid public key"
#define XC_REPLY_SUITE	"504 5.5.4 XCRYPT suite not supported"
#define XC_REPLY_SEQUENCE "503 5.5.1 Bad sequence of commands"
#define XC_REPLY_TEMP	"454 4.7.0 XCRYPT temporarily unavailable"
#define XC_REPLY_FAILED	"250 XCRYPT FAIL"
#define XC_REPLY_OK	"250 XCRYPT OK"
#define XC_REPLY_OK_FAIL "454 4.7.0 XCRYPT FAIL"

 /* What a client line is, for the server. */
#define XC_CMD_OTHER	0		/* not an XCRYPT command: forward it */
#define XC_CMD_HELLO	1		/* XCRYPT suite Ka Na */
#define XC_CMD_OK	2		/* XCRYPT OK */
#define XC_CMD_FAIL	3		/* XCRYPT FAIL */
#define XC_CMD_BAD	4		/* XCRYPT verb, but malformed: see err */

typedef struct XC_HELLO {
    const XC_SUITE *suite;
    unsigned char pub[XC_PMAX];
    size_t  publen;
    unsigned char nonce[XC_NONCE_MAX];
    size_t  noncelen;
} XC_HELLO;

 /*
  * xc_parse_command() classifies one client line. For XC_CMD_BAD, *err is
  * XC_ERR_SYNTAX, XC_ERR_SUITE or XC_ERR_KEY_RANGE (choose the reply with
  * xc_reply_for_error()) and *why a precise static explanation for logs.
  * offered may be null (every known suite).
  */
extern int xc_parse_command(const char *, size_t, const XC_SUITE_LIST *,
			            XC_HELLO *, int *, const char **);
extern const char *xc_reply_for_error(int);

 /* Client side: parse the text of a "250 XCRYPT Kb Nb" reply line. */
extern int xc_parse_hello_reply(const char *, size_t, const XC_SUITE *,
				        XC_HELLO *, const char **);

 /*
  * Client side: if an EHLO reply line's text (after "250-" or "250 ") is
  * the XCRYPT keyword, fill the list with the known suites in server order
  * (unknown names ignored) and return 1; return 0 for other keywords.
  */
extern int xc_parse_ehlo_keyword(const char *, size_t, XC_SUITE_LIST *);

 /*
  * Both sides: does a discard_ehlo_keywords list name "xcrypt" (and
  * "silent-discard")?
  */
extern int xc_ehlo_discarded(const char *, int *);

 /* Formatting, NUL-terminated into buf of bufsize; returns length or error. */
extern ssize_t xc_format_ehlo_keyword(char *, size_t, const XC_SUITE_LIST *);
extern ssize_t xc_format_hello(char *, size_t, const XC_SUITE *,
			               const unsigned char *,
			               const unsigned char *);
extern ssize_t xc_format_hello_reply(char *, size_t, const XC_SUITE *,
				             const unsigned char *,
				             const unsigned char *);

 /* Strict base64 of exactly want octets. */
extern int xc_b64_decode_exact(const char *, size_t, unsigned char *, size_t);

 /*
  * The key cache (spec 7), on tdb, shared by all processes of an instance.
  * path null or "" = memory only. Opening never fails: on trouble it logs a
  * warning and falls back to memory (see xc_cache_is_memory()).
  */
typedef struct XC_CACHE XC_CACHE;

typedef struct XC_CACHE_STATS {
    unsigned long hits;
    unsigned long misses;
    unsigned long rotations;
} XC_CACHE_STATS;

extern XC_CACHE *xc_cache_open(const char *, int);	/* path, lifetime s */
extern void xc_cache_close(XC_CACHE *);
extern int xc_cache_is_memory(XC_CACHE *);

 /* This host's current pair for the group; rotates when expired. */
extern int xc_cache_keypair(XC_CACHE *, int, XC_KEYPAIR *);

 /*
  * Z for the peer's public value under the given (current) pair: cached, or
  * computed and stored. *hit says which. z gets the group's plen octets.
  */
extern int xc_cache_shared(XC_CACHE *, const XC_KEYPAIR *,
			           const unsigned char *, size_t,
			           unsigned char *, int *);
 /* The same in two steps: find (cached, or computed; no write), store. */
extern int xc_cache_shared_find(XC_CACHE *, const XC_KEYPAIR *,
				        const unsigned char *, size_t,
				        unsigned char *, int *);
extern int xc_cache_shared_store(XC_CACHE *, const XC_KEYPAIR *,
				         const unsigned char *, size_t,
				         const unsigned char *);
extern int xc_cache_purge(XC_CACHE *);
extern int xc_cache_stats(XC_CACHE *, XC_CACHE_STATS *);

 /* For xcrypt-cache(1): walk without revealing secrets. */
typedef struct XC_CACHE_ENTRY {
    int     kind;			/* XC_CACHE_KIND_* */
    int     group;
    time_t  created;
    char    fingerprint[17];		/* hex, of the (own or peer) public */
} XC_CACHE_ENTRY;

#define XC_CACHE_KIND_PAIR	1
#define XC_CACHE_KIND_PEER	2

typedef void (*XC_CACHE_WALK_FN) (const XC_CACHE_ENTRY *, void *);
extern int xc_cache_walk(XC_CACHE *, XC_CACHE_WALK_FN, void *);

 /*
  * Daemons open the cache in pre-init as root, then hand the file to
  * mail_owner (fchown of the open file; no-op for memory caches).
  * xc_cache_totals(): counters of all processes, kept in the file
  * (xc_cache_stats(): this handle's). xc_cache_open_existing(): for
  * xcrypt-cache(1), never creates nor falls back: null + errno on error
  * (EIO: not a valid cache file). xc_cache_set_clock(): test hook
  * replacing time(), null restores it.
  */
extern int xc_cache_chown(XC_CACHE *, uid_t, gid_t);
extern XC_CACHE *xc_cache_open_owned(const char *, int, uid_t, gid_t);
extern int xc_cache_totals(XC_CACHE *, XC_CACHE_STATS *);
extern XC_CACHE *xc_cache_open_existing(const char *, int, int);
extern void xc_cache_set_clock(time_t (*) (void));

 /*
  * The most peer entries (cached shared values) a cache keeps; the oldest
  * go first (xc_cache_set_peer_limit()).
  */
extern void xc_cache_set_peer_limit(XC_CACHE *, int);

 /*
  * The parameters that both daemons and xcrypt-cache(1) share. The lifetime
  * has a floor so that a slip ("2" for "2h") cannot rotate pairs, and
  * forget every cached Z, once a second.
  */
#define VAR_XC_CACHE_DB		"xcrypt_cache_database"
#define DEF_XC_CACHE_DB		"$data_directory/xcrypt_cache.tdb"
#define VAR_XC_KEY_LIFETIME	"xcrypt_key_lifetime"
#define DEF_XC_KEY_LIFETIME	"2h"
#define MIN_XC_KEY_LIFETIME	60
#define VAR_XC_CACHE_PEER_LIMIT	"xcrypt_cache_peer_limit"
#define DEF_XC_CACHE_PEER_LIMIT	10000

 /*
  * A handshake in progress, for either side (xc_session.c). start: fetch
  * the pair for the suite's group and draw a fresh nonce. finish: validate
  * the peer value, get Z through the cache, derive the keys, and compute
  * the session fingerprint: the first 8 octets (16 hex digits) of
  * SHA-256(Ka || Kb || Na || Nb), client values first, so both ends log
  * the same one.
  */
#define XC_ROLE_CLIENT	0
#define XC_ROLE_SERVER	1

typedef struct XC_SESSION {
    const XC_SUITE *suite;
    int     role;
    XC_KEYPAIR pair;			/* ours */
    unsigned char nonce[XC_NONCE_MAX];	/* ours */
    XC_KEYS keys;
    int     cache_hit;
    char    fingerprint[17];
    unsigned char peer[XC_PMAX];	/* unsaved: peer value ... */
    unsigned char z[XC_PMAX];		/* ... and Z, until saved */
    int     unsaved;
} XC_SESSION;

extern int xc_session_start(XC_SESSION *, XC_CACHE *, const XC_SUITE *, int);
extern int xc_session_finish(XC_SESSION *, XC_CACHE *, const XC_HELLO *);

 /*
  * A server stores Z only after the client's XCRYPT OK: finish_unsaved()
  * keeps a freshly computed Z in the session (wiped by xc_session_wipe());
  * save() stores it in the cache.
  */
extern int xc_session_finish_unsaved(XC_SESSION *, XC_CACHE *,
				             const XC_HELLO *);
extern void xc_session_save(XC_SESSION *, XC_CACHE *);
extern void xc_session_wipe(XC_SESSION *);
extern int xc_random(unsigned char *, size_t);

 /*
  * The client's steps of one handshake (xc_client.c), the one copy used by
  * xcrypt-smtp's hook, the test tools and the bench. The caller sends and
  * receives (it owns the SMTP dialogue, its timeouts and its logging); the
  * object owns every secret (DH pair, nonce, keys) on the heap, so that a
  * caller that longjmps away still finds them in xc_client_free().
  *
  * xc_client_choose(): the first offered suite that allowed holds, or null.
  * xc_client_hello(): start, format "XCRYPT suite Ka Na" into buf.
  * xc_client_reply(): the text of the server's "250 XCRYPT Kb Nb" reply
  * line (after "250 "): validate, Z, keys, fingerprint; on error *why says
  * why and the caller sends XC_CLIENT_FAIL. xc_client_pipelined(): the
  * suite lets the client switch right after XC_CLIENT_OK (spec 4.5)
  * without waiting; otherwise the caller reads the reply and checks it
  * with xc_client_confirmed() (the text after "250 "). xc_client_switch():
  * xc_stream_start() with the session keys (for a pipelined suite, right
  * after XC_CLIENT_OK was written and not flushed: xc_stream_switch() with
  * XC_STREAM_CONFIRM), then wipes the keys and pair here; returns the
  * count of discarded octets or an error. xc_client_switch_confirmed():
  * the same for a client that read 250 XCRYPT OK itself (with a pipelined
  * suite, what follows is then kept as protected input).
  * xc_client_free(): wipe and release.
  */
#define XC_CLIENT_OK	"XCRYPT OK"
#define XC_CLIENT_FAIL	"XCRYPT FAIL"

#define XC_CLIENT_STATE_NEW	0	/* nothing sent yet */
#define XC_CLIENT_STATE_HELLO	1	/* XCRYPT sent, reply awaited */
#define XC_CLIENT_STATE_KEYS	2	/* keys derived, confirm next */
#define XC_CLIENT_STATE_ON	3	/* stream switched */
#define XC_CLIENT_STATE_FAILED	4	/* handshake abandoned */

typedef struct XC_CLIENT {
    const XC_SUITE *suite;		/* chosen suite */
    int     state;			/* XC_CLIENT_STATE_* */
    XC_SESSION sess;			/* pair, nonce, keys, fingerprint */
} XC_CLIENT;

extern XC_CLIENT *xc_client_create(void);
extern const XC_SUITE *xc_client_choose(const XC_SUITE_LIST *,
					        const XC_SUITE_LIST *);
extern ssize_t xc_client_hello(XC_CLIENT *, XC_CACHE *, const XC_SUITE *,
			               char *, size_t);
extern int xc_client_reply(XC_CLIENT *, XC_CACHE *, const char *, size_t,
			           const char **);
extern int xc_client_pipelined(const XC_CLIENT *);
extern int xc_client_confirmed(const char *, size_t);
extern void xc_client_free(XC_CLIENT *);

#ifdef _VSTREAM_H_INCLUDED_
extern ssize_t xc_client_switch(XC_CLIENT *, VSTREAM *);
extern ssize_t xc_client_switch_confirmed(XC_CLIENT *, VSTREAM *);
#endif

 /*
  * The VSTREAM layer (xc_stream.c): tls_stream style. xc_stream_start()
  * discards any octets already buffered for reading (the injection rule,
  * spec 4.3) and returns how many it discarded (>= 0), or an error; from
  * then on the stream reads and writes through the session keys. The
  * caller must have flushed the stream before. For the AEAD suite every
  * flush becomes one record (or several of at most XC_REC_DATA_MAX).
  * A record that does not verify is a read error (errno EIO), and the
  * stream refuses to write anything further. xc_stream_stop() wipes keys
  * and cipher state and installs dummy functions that refuse I/O; call
  * it before vstream_fclose().
  *
  * xc_stream_switch() is the general form (see xc_stream(3)): how says what
  * becomes of the octets that follow the confirmation, those the caller
  * already took from the stream (ahead) and those still buffered:
  * discarded (spec 4.3, every suite), kept as protected input (spec 4.5,
  * server of a pipelined suite), or, on the client of a pipelined suite,
  * read as one plaintext "250 XCRYPT OK" line then protected input.
  * xc_stream_error() says why a stream failed.
  */
#define XC_STREAM_DISCARD	0	/* 4.3: drop what follows */
#define XC_STREAM_KEEP		1	/* 4.5 server: what follows is protected */
#define XC_STREAM_CONFIRM	2	/* 4.5 client: 250 XCRYPT OK, then protected */

#ifdef _VSTREAM_H_INCLUDED_
extern ssize_t xc_stream_start(VSTREAM *, const XC_SUITE *, const XC_KEYS *, int);
extern ssize_t xc_stream_switch(VSTREAM *, const XC_SUITE *, const XC_KEYS *,
				        int, int, const void *, size_t);
extern const char *xc_stream_error(VSTREAM *);
extern void xc_stream_stop(VSTREAM *);
extern int xc_stream_active(VSTREAM *);
extern int xc_stream_verify_failed(VSTREAM *);
#endif

#endif
