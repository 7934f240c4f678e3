/*++
/* NAME
/*	t_kat 1
/* SUMMARY
/*	known-answer tests for the crypto core
/* SYNOPSIS
/*	t_kat
/* DESCRIPTION
/*	Pins the primitives and the protocol's key schedule to
/*	published values:
/* .IP \(bu
/*	RFC 6229 RC4 keystream for both 80-bit keys of section 2
/*	(0x0102030405060708090a and 0x8b37641910833222772a) at every
/*	listed offset, through XC_CIPHER, in one call and piecewise.
/* .IP \(bu
/*	libtomcrypt's SOBER-128 vector (sober128_stream_test() and the
/*	vector itself through the raw API: its 128-bit key and IV do not
/*	fit the suite's key shape).
/* .IP \(bu
/*	RFC 8439 section 2.8.2 ChaCha20-Poly1305 AEAD through libtomcrypt.
/* .IP \(bu
/*	Every worked example of XCRYPT-PROTOCOL.md section 9
/*	(t_spec9.h): public values (base64, as in the command and the
/*	reply), Z from both sides, SHA-1 and HKDF keys, the first
/*	octets on the wire in each direction (sealed and opened back),
/*	and the keystream suites split into pieces.
/* .PP
/*	Output: one PASS/FAIL line per check (t_check.h).
/*--*/

/* checks: 163 */

/* System library. */

#include <sys_defs.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

/* Utility library. */

#include <msg.h>
#include <msg_vstream.h>
#include <vstream.h>

/* Global library. */

#include <mail_version.h>

/* Application-specific. */

#include "xc_private.h"
#include "t_check.h"
#include "t_spec9.h"

#define C2S_TEXT	T_SPEC9_C2S_TEXT	/* plaintexts of the examples */
#define S2C_TEXT	T_SPEC9_S2C_TEXT

#define BUFSZ	4200

/* hexdec - hex text to octets; an odd digit count means a leading 0 */

static size_t hexdec(const char *hex, unsigned char *out, size_t max)
{
    size_t  n = strlen(hex);
    size_t  i, o = 0, digits;
    int     hi = -1, v;

    digits = strspn(hex, "0123456789abcdefABCDEF");
    if (digits == n && n % 2)
	hi = 0;
    for (i = 0; i < n; i++) {
	char    c = hex[i];

	v = (c >= '0' && c <= '9') ? c - '0' :
	    (c >= 'a' && c <= 'f') ? c - 'a' + 10 :
	    (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
	if (v < 0)
	    continue;
	if (hi < 0) {
	    hi = v;
	} else {
	    if (o >= max)
		return (0);
	    out[o++] = (unsigned char) (hi << 4 | v);
	    hi = -1;
	}
    }
    return (o);
}

/* same_hex - compare octets with hex text */

static int same_hex(const unsigned char *got, size_t len, const char *hex)
{
    unsigned char want[BUFSZ];
    size_t  wlen = hexdec(hex, want, sizeof(want));

    return (wlen == len && memcmp(got, want, len) == 0);
}

/* b64 - base64 of octets, NUL-terminated */

static const char *b64(const unsigned char *in, size_t len)
{
    static unsigned char out[1024];
    unsigned long outlen = sizeof(out) - 1;

    if (base64_encode(in, len, out, &outlen) != CRYPT_OK)
	return ("(base64 error)");
    out[outlen] = 0;
    return ((const char *) out);
}

/* name - check name from parts */

static const char *name(const char *a, const char *b)
{
    static char buf[200];

    snprintf(buf, sizeof(buf), "%s_%s", a, b);
    return (buf);
}

 /*
  * RFC 6229 section 2, the two 80-bit keys: 16 octets at each offset.
  */
static const int rc4_offsets[] = {
    0, 16, 240, 256, 496, 512, 752, 768, 1008, 1024, 1520, 1536,
    2032, 2048, 3056, 3072, 4080, 4096,
};

#define RC4_NOFF (sizeof(rc4_offsets) / sizeof(rc4_offsets[0]))

struct rc4_vector {
    const char *label;
    const char *key;
    const char *stream[RC4_NOFF];
};

static const struct rc4_vector rc4_vectors[] = {
    {"0102030405060708090a", "0102030405060708090a", {
	    "ede3b04643e586cc907dc21851709902",
	    "03516ba78f413beb223aa5d4d2df6711",
	    "3cfd6cb58ee0fdde640176ad0000044d",
	    "48532b21fb6079c9114c0ffd9c04a1ad",
	    "3e8cea98017109979084b1ef92f99d86",
	    "e20fb49bdb337ee48b8d8dc0f4afeffe",
	    "5c2521eacd7966f15e056544bea0d315",
	    "e067a7031931a246a6c3875d2f678acb",
	    "a64f70af88ae56b6f87581c0e23e6b08",
	    "f449031de312814ec6f319291f4a0516",
	    "bdae85924b3cb1d0a2e33a30c6d79599",
	    "8a0feddbac865a09bcd127fb562ed60a",
	    "b55a0a5b51a12a8be34899c3e047511a",
	    "d9a09cea3ce75fe39698070317a71339",
	    "552225ed1177f44584ac8cfa6c4eb5fc",
	    "7e82cbabfc95381b080998442129c2f8",
	    "1f135ed14ce60a91369d2322bef25e3c",
	    "08b6be45124a43e2eb77953f84dc8553",
    }},
    {"8b37641910833222772a", "8b37641910833222772a", {
	    "ab65c26eddb287600db2fda10d1e605c",
	    "bb759010c29658f2c72d93a2d16d2930",
	    "b901e8036ed1c383cd3c4c4dd0a6ab05",
	    "3d25ce4922924c55f064943353d78a6c",
	    "12c1aa44bbf87e75e611f69b2c38f49b",
	    "28f2b3434b65c09877470044c6ea170d",
	    "bd9ef822de5288196134cf8af7839304",
	    "67559c23f052158470a296f725735a32",
	    "8bab26fbc2c12b0f13e2ab185eabf241",
	    "31185a6d696f0cfa9b42808b38e132a2",
	    "564d3dae183c5234c8af1e51061c44b5",
	    "3c0778a7b5f72d3c23a3135c7d67b9f4",
	    "f34369890fcf16fb517dcaae4463b2dd",
	    "02f31c81e8200731b899b028e791bfa7",
	    "72da646283228c14300853701795616f",
	    "4e0a8c6f7934a788e2265e81d6d0c8f4",
	    "438dd5eafea0111b6f36b4b938da2a68",
	    "5f6bfc73815874d97100f086979357d8",
    }},
};

/* test_rc4_rfc6229 - RC4 keystream through XC_CIPHER */

static void test_rc4_rfc6229(void)
{
    static unsigned char zero[BUFSZ];
    static unsigned char ks[BUFSZ];
    static unsigned char ks2[BUFSZ];
    static const size_t steps[] = {1, 7, 13, 35, 5, 255, 1000};
    const XC_SUITE *suite = xc_suite(XC_SUITE_ARRSYFOR);
    const struct rc4_vector *v;
    unsigned char key[10];
    XC_CIPHER *c;
    size_t  off, n, i, k;
    char    label[100];

    for (v = rc4_vectors; v < rc4_vectors + 2; v++) {
	hexdec(v->key, key, sizeof(key));
	c = xc_cipher_create(suite, key);
	T_CHECK(name("kat_rc4_rfc6229_cipher_created", v->label), c != 0);
	if (c == 0)
	    continue;
	T_CHECK(name("kat_rc4_rfc6229_one_call", v->label),
		xc_cipher_xor(c, zero, 4112, ks) == XC_OK);
	xc_cipher_free(c);
	for (i = 0; i < RC4_NOFF; i++) {
	    snprintf(label, sizeof(label), "kat_rc4_rfc6229_%s_offset_%d",
		     v->label, rc4_offsets[i]);
	    T_CHECKF(label, same_hex(ks + rc4_offsets[i], 16, v->stream[i]),
		     "keystream differs");
	}

	/*
	 * The same keystream in pieces of odd sizes, in place.
	 */
	c = xc_cipher_create(suite, key);
	memset(ks2, 0, sizeof(ks2));
	for (off = 0, k = 0; off < 4112; off += n, k++) {
	    n = steps[k % (sizeof(steps) / sizeof(steps[0]))];
	    if (n > 4112 - off)
		n = 4112 - off;
	    (void) xc_cipher_xor(c, ks2 + off, n, ks2 + off);
	}
	xc_cipher_free(c);
	T_CHECK(name("kat_rc4_rfc6229_piecewise_in_place_same_keystream",
		     v->label), memcmp(ks, ks2, 4112) == 0);
    }
}

/* test_sober128 - libtomcrypt's SOBER-128 vector */

static void test_sober128(void)
{
    static const unsigned char key[16] = "test key 128bits";
    static const unsigned char iv[4] = {0, 0, 0, 0};
    const char *want = "43500ccf89919f1daa377495f4b458c240378bbb";
    unsigned char zero[20], out[20];
    sober128_state st;
    int     ok;

    T_CHECK("kat_sober128_libtomcrypt_selftest",
	    sober128_stream_test() == CRYPT_OK);

    memset(zero, 0, sizeof(zero));
    ok = (sober128_stream_setup(&st, key, sizeof(key)) == CRYPT_OK
	  && sober128_stream_setiv(&st, iv, sizeof(iv)) == CRYPT_OK
	  && sober128_stream_crypt(&st, zero, 20, out) == CRYPT_OK);
    T_CHECK("kat_sober128_vector_one_call", ok && same_hex(out, 20, want));

    ok = (sober128_stream_setup(&st, key, sizeof(key)) == CRYPT_OK
	  && sober128_stream_setiv(&st, iv, sizeof(iv)) == CRYPT_OK
	  && sober128_stream_crypt(&st, zero, 1, out) == CRYPT_OK
	  && sober128_stream_crypt(&st, zero, 6, out + 1) == CRYPT_OK
	  && sober128_stream_crypt(&st, zero, 13, out + 7) == CRYPT_OK);
    T_CHECK("kat_sober128_vector_piecewise_1_6_13",
	    ok && same_hex(out, 20, want));
    zeromem(&st, sizeof(st));
}

/* test_rfc8439 - ChaCha20-Poly1305 AEAD, section 2.8.2 */

static void test_rfc8439(void)
{
    static const char pt[] = "Ladies and Gentlemen of the class of '99: "
    "If I could offer you only one tip for the future, sunscreen would be it.";
    const char *ct_hex =
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
    "3ff4def08e4b7a9de576d26586cec64b6116";
    const char *tag_hex = "1ae10b594f09e26a7e902ecbd0600691";
    unsigned char key[32], nonce[12], aad[12];
    unsigned char ct[114], back[114], tag[16];
    unsigned long taglen = sizeof(tag);
    chacha20poly1305_state st;
    int     ok;

    T_CHECK("kat_chacha20poly1305_libtomcrypt_selftest",
	    chacha20poly1305_test() == CRYPT_OK);
    hexdec("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	   key, sizeof(key));
    hexdec("070000004041424344454647", nonce, sizeof(nonce));
    hexdec("50515253c0c1c2c3c4c5c6c7", aad, sizeof(aad));
    T_CHECK("kat_rfc8439_plaintext_is_114_octets", strlen(pt) == 114);

    ok = (chacha20poly1305_init(&st, key, 32) == CRYPT_OK
	  && chacha20poly1305_setiv(&st, nonce, 12) == CRYPT_OK
	  && chacha20poly1305_add_aad(&st, aad, 12) == CRYPT_OK
	  && chacha20poly1305_encrypt(&st, (const unsigned char *) pt, 114,
				      ct) == CRYPT_OK
	  && chacha20poly1305_done(&st, tag, &taglen) == CRYPT_OK);
    T_CHECK("kat_rfc8439_2_8_2_ciphertext", ok && same_hex(ct, 114, ct_hex));
    T_CHECK("kat_rfc8439_2_8_2_tag", ok && same_hex(tag, taglen, tag_hex));

    taglen = sizeof(tag);
    ok = (chacha20poly1305_init(&st, key, 32) == CRYPT_OK
	  && chacha20poly1305_setiv(&st, nonce, 12) == CRYPT_OK
	  && chacha20poly1305_add_aad(&st, aad, 12) == CRYPT_OK
	  && chacha20poly1305_decrypt(&st, ct, 114, back) == CRYPT_OK
	  && chacha20poly1305_done(&st, tag, &taglen) == CRYPT_OK);
    T_CHECK("kat_rfc8439_2_8_2_decrypts_to_plaintext",
	    ok && memcmp(back, pt, 114) == 0 && same_hex(tag, taglen, tag_hex));
}

 /*
  * Check name prefix of each example of t_spec9.h.
  */
static const char *spec_labels[T_SPEC9_COUNT] = {
    "arrsyfor", "sober128", "chacha", "chacha21", "arrsyfor_zero_lead",
};

/* word - the n-th (from 0) space-separated word of a protocol line */

static const char *word(const char *line, int n, char *buf, size_t size)
{
    size_t  len;

    for (; n > 0 && (line = strchr(line, ' ')) != 0; n--)
	line++;
    if (line == 0 || (len = strcspn(line, " ")) >= size)
	return ("(no such word)");
    memcpy(buf, line, len);
    buf[len] = 0;
    return (buf);
}

/* piecewise - XOR a text through a fresh cipher in pieces */

static int piecewise(const XC_SUITE *suite, const unsigned char *key,
		             const char *text, const size_t *pieces,
		             unsigned char *out)
{
    XC_CIPHER *c;
    size_t  len = strlen(text), off = 0, n;
    int     ok = 1;

    if ((c = xc_cipher_create(suite, key)) == 0)
	return (0);
    memcpy(out, text, len);
    for (; off < len; pieces++) {
	n = *pieces ? *pieces : len - off;
	if (n > len - off)
	    n = len - off;
	if (xc_cipher_xor(c, out + off, n, out + off) != XC_OK)
	    ok = 0;
	off += n;
    }
    xc_cipher_free(c);
    return (ok);
}

/* test_wire_keystream - first octets of a keystream suite */

static void test_wire_keystream(const char *exlabel,
				        const XC_SUITE *suite,
				        const char *dir, const unsigned char *key,
				        const char *text, const char *wire)
{
    static const size_t p_1_7_rest[] = {1, 7, 0};
    static const size_t p_13_rest[] = {13, 0};
    static const size_t p_singles[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    static const size_t p_2_3_5_rest[] = {2, 3, 5, 0};
    static const size_t *patterns[] = {p_1_7_rest, p_13_rest, p_singles,
    p_2_3_5_rest};
    static const char *pattern_names[] = {"1_7_rest", "13_rest", "singles",
    "2_3_5_rest"};
    unsigned char out[BUFSZ], back[BUFSZ], wbytes[BUFSZ];
    size_t  len = strlen(text), wlen;
    XC_CIPHER *c;
    char    label[200];
    int     i;

    c = xc_cipher_create(suite, key);
    snprintf(label, sizeof(label), "spec_%s_%s_first_wire_octets", exlabel, dir);
    T_CHECKF(label, c != 0 && xc_cipher_xor(c, (const unsigned char *) text,
						 len, out) == XC_OK
	     && same_hex(out, len, wire), "wire octets differ");
    if (c)
	xc_cipher_free(c);

    wlen = hexdec(wire, wbytes, sizeof(wbytes));
    c = xc_cipher_create(suite, key);
    snprintf(label, sizeof(label), "spec_%s_%s_wire_decrypts_to_plaintext",
	     exlabel, dir);
    T_CHECKF(label, c != 0 && xc_cipher_xor(c, wbytes, wlen, back) == XC_OK
	     && wlen == len && memcmp(back, text, len) == 0, "plaintext differs");
    if (c)
	xc_cipher_free(c);

    for (i = 0; i < 4; i++) {
	snprintf(label, sizeof(label), "spec_%s_%s_piecewise_%s_same_wire",
		 exlabel, dir, pattern_names[i]);
	T_CHECKF(label, piecewise(suite, key, text, patterns[i], out)
		 && same_hex(out, len, wire), "wire octets differ");
    }
}

/* test_wire_record - first record of the AEAD suite */

static void test_wire_record(const char *exlabel,
			             const XC_SUITE *suite,
			             const char *dir, const unsigned char *key,
			             const char *text, const char *wire)
{
    unsigned char rec[XC_REC_MAX], data[XC_REC_DATA_MAX], wbytes[XC_REC_MAX];
    size_t  len = strlen(text), reclen, wlen, dlen;
    XC_CIPHER *c;
    char    label[200];

    c = xc_cipher_create(suite, key);
    snprintf(label, sizeof(label), "spec_%s_%s_first_record_seq0", exlabel, dir);
    T_CHECKF(label, c != 0 && xc_record_seal(c, (const unsigned char *) text,
					      len, rec, &reclen) == XC_OK
	     && same_hex(rec, reclen, wire), "record differs");
    if (c)
	xc_cipher_free(c);

    wlen = hexdec(wire, wbytes, sizeof(wbytes));
    snprintf(label, sizeof(label), "spec_%s_%s_record_length_prefix_valid",
	     exlabel, dir);
    T_CHECK(label, xc_record_sealed_len(wbytes) == (int) wlen - 2);
    c = xc_cipher_create(suite, key);
    snprintf(label, sizeof(label), "spec_%s_%s_record_opens_to_plaintext",
	     exlabel, dir);
    T_CHECKF(label, c != 0 && xc_record_open(c, wbytes, wlen, data, &dlen) == XC_OK
	     && dlen == len && memcmp(data, text, len) == 0, "open failed");
    if (c)
	xc_cipher_free(c);
}

/* test_flight - a pipelined flight: plaintext line, then the record */

static void test_flight(const char *exlabel, const char *dir,
			        const char *line, const char *flight_hex,
			        size_t want_len)
{
    unsigned char flight[XC_REC_MAX];
    size_t  len = hexdec(flight_hex, flight, sizeof(flight));
    size_t  llen = strlen(line);
    char    label[200];

    snprintf(label, sizeof(label), "spec_%s_%s_flight_is_%lu_octets",
	     exlabel, dir, (unsigned long) want_len);
    T_CHECKF(label, len == want_len, "got %lu", (unsigned long) len);
    snprintf(label, sizeof(label),
	     "spec_%s_%s_flight_is_plaintext_line_then_one_record",
	     exlabel, dir);
    T_CHECK(label, len > llen + 2 && memcmp(flight, line, llen) == 0
	    && xc_record_sealed_len(flight + llen) == (int) (len - llen - 2));
}

/* test_spec_example - one worked example of section 9 */

static void test_spec_example(const T_SPEC9 *ex, const char *exlabel)
{
    const XC_SUITE *suite = xc_suite_find(ex->suite, strlen(ex->suite));
    const XC_GROUP *g;
    unsigned char x[XC_PMAX], na[XC_NONCE_MAX], nb[XC_NONCE_MAX];
    unsigned char za[XC_PMAX], zb[XC_PMAX];
    unsigned char k[20];
    size_t  xlen;
    XC_KEYPAIR client, server;
    XC_KEYS keys;
    hash_state md;
    char    label[200], w1[400], w2[400];

    snprintf(label, sizeof(label), "spec_%s_suite_known", exlabel);
    T_CHECK(label, suite != 0);
    if (suite == 0)
	return;
    g = xc_group(suite->group);

    xlen = hexdec(ex->xa, x, sizeof(x));
    snprintf(label, sizeof(label), "spec_%s_client_public_matches_command", exlabel);
    T_CHECKF(label, xc_dh_set_private(suite->group, x, xlen, &client) == XC_OK
	     && strcmp(b64(client.pub, g->plen),
		       word(ex->command, 2, w1, sizeof(w1))) == 0,
	     "got %s", b64(client.pub, g->plen));
    xlen = hexdec(ex->xb, x, sizeof(x));
    snprintf(label, sizeof(label), "spec_%s_server_public_matches_reply", exlabel);
    T_CHECKF(label, xc_dh_set_private(suite->group, x, xlen, &server) == XC_OK
	     && strcmp(b64(server.pub, g->plen),
		       word(ex->reply, 2, w1, sizeof(w1))) == 0,
	     "got %s", b64(server.pub, g->plen));
    zeromem(x, sizeof(x));

    snprintf(label, sizeof(label), "spec_%s_client_public_in_range", exlabel);
    T_CHECK(label, xc_dh_check_public(suite->group, client.pub, g->plen) == XC_OK);
    snprintf(label, sizeof(label), "spec_%s_server_public_in_range", exlabel);
    T_CHECK(label, xc_dh_check_public(suite->group, server.pub, g->plen) == XC_OK);

    hexdec(ex->na, na, sizeof(na));
    hexdec(ex->nb, nb, sizeof(nb));
    snprintf(label, sizeof(label), "spec_%s_nonces_match_base64", exlabel);
    T_CHECK(label, strcmp(b64(na, suite->nonce_len),
			  word(ex->command, 3, w1, sizeof(w1))) == 0
	    && strcmp(b64(nb, suite->nonce_len),
		      word(ex->reply, 3, w2, sizeof(w2))) == 0);

    snprintf(label, sizeof(label), "spec_%s_client_computes_z", exlabel);
    T_CHECK(label, xc_dh_shared(&client, server.pub, g->plen, za) == XC_OK
	    && same_hex(za, g->plen, ex->z));
    snprintf(label, sizeof(label), "spec_%s_server_computes_z", exlabel);
    T_CHECK(label, xc_dh_shared(&server, client.pub, g->plen, zb) == XC_OK
	    && same_hex(zb, g->plen, ex->z));

    if (ex->k) {
	sha1_init(&md);
	sha1_process(&md, za, g->plen);
	sha1_process(&md, na, suite->nonce_len);
	sha1_process(&md, nb, suite->nonce_len);
	sha1_done(&md, k);
	snprintf(label, sizeof(label), "spec_%s_sha1_z_na_nb", exlabel);
	T_CHECK(label, same_hex(k, 20, ex->k));
    }
    snprintf(label, sizeof(label), "spec_%s_kdf_keys", exlabel);
    T_CHECK(label, xc_kdf(suite, za, g->plen, na, nb, &keys) == XC_OK
	    && keys.key_len == suite->key_len
	    && same_hex(keys.c2s, keys.key_len, ex->c2s_key)
	    && same_hex(keys.s2c, keys.key_len, ex->s2c_key));

    if (ex->c2s_wire) {
	if (suite->aead)
	    test_wire_record(exlabel, suite, "c2s", keys.c2s,
			     T_SPEC9_TEXT_C2S(ex), T_SPEC9_RECORD_C2S(ex));
	else
	    test_wire_keystream(exlabel, suite, "c2s", keys.c2s,
				C2S_TEXT, ex->c2s_wire);
    }
    if (ex->s2c_wire) {
	if (suite->aead)
	    test_wire_record(exlabel, suite, "s2c", keys.s2c,
			     T_SPEC9_TEXT_S2C(ex), T_SPEC9_RECORD_S2C(ex));
	else
	    test_wire_keystream(exlabel, suite, "s2c", keys.s2c,
				S2C_TEXT, ex->s2c_wire);
    }
    if (ex->c2s_line) {
	test_flight(exlabel, "c2s", ex->c2s_line, ex->c2s_wire,
		    ex->c2s_flight_len);
	test_flight(exlabel, "s2c", ex->s2c_line, ex->s2c_wire,
		    ex->s2c_flight_len);
    }
    xc_keys_wipe(&keys);
    xc_keypair_wipe(&client);
    xc_keypair_wipe(&server);
}

/* test_leading_zero - the example whose Z starts with a zero octet */

static void test_leading_zero(const T_SPEC9 *ex)
{
    const XC_SUITE *suite = xc_suite(XC_SUITE_ARRSYFOR);
    unsigned char x[XC_PMAX], z[XC_PMAX];
    size_t  xlen = hexdec(ex->xa, x, sizeof(x));
    XC_KEYPAIR client;
    unsigned char kb[XC_PMAX];
    unsigned long kblen = sizeof(kb);
    char    w[400];

    hexdec(ex->z, z, sizeof(z));
    T_CHECK("spec_leading_zero_example_z_starts_with_00", z[0] == 0);
    (void) xc_dh_set_private(suite->group, x, xlen, &client);
    (void) word(ex->reply, 2, w, sizeof(w));
    (void) base64_decode((const unsigned char *) w, strlen(w), kb, &kblen);
    T_CHECK("spec_leading_zero_shared_value_padded_to_96",
	    kblen == 96 && xc_dh_shared(&client, kb, kblen, z) == XC_OK && z[0] == 0
	    && same_hex(z, 96, ex->z));
    xc_keypair_wipe(&client);
}

/* test_labels - 2.0 and 2.1 derive different keys from the same input */

static void test_labels(const T_SPEC9 *ex)
{
    unsigned char z[XC_PMAX], na[XC_NONCE_MAX], nb[XC_NONCE_MAX];
    size_t  zlen = hexdec(ex->z, z, sizeof(z));
    XC_KEYS k20, k21;

    hexdec(ex->na, na, sizeof(na));
    hexdec(ex->nb, nb, sizeof(nb));
    T_CHECK("kdf_2_0_and_2_1_labels_give_different_keys",
	    xc_kdf(xc_suite(XC_SUITE_CHACHA), z, zlen, na, nb, &k20) == XC_OK
	    && xc_kdf(xc_suite(XC_SUITE_CHACHA21), z, zlen, na, nb, &k21) == XC_OK
	    && same_hex(k21.c2s, 32, ex->c2s_key)
	    && memcmp(k20.c2s, k21.c2s, 32) != 0
	    && memcmp(k20.s2c, k21.s2c, 32) != 0
	    && memcmp(k20.c2s, k21.s2c, 32) != 0);
    xc_keys_wipe(&k20);
    xc_keys_wipe(&k21);
}

/* test_misc - suites, groups, error names */

static void test_misc(void)
{
    const XC_GROUP *g1 = xc_group(XC_GROUP_OAKLEY1);
    const XC_GROUP *g14 = xc_group(XC_GROUP_MODP14);
    XC_SUITE_LIST list;
    const char *bad = 0;

    T_CHECK("group_oakley1_is_768_bit", g1->plen == 96 && g1->exp_bits == 768);
    T_CHECK("group_modp14_is_2048_bit", g14->plen == 256 && g14->exp_bits >= 256);
    T_CHECK("group_modp14_shares_640_bits_with_oakley1",
	    memcmp(g1->p, g14->p, 80) == 0);
    T_CHECK("group_primes_end_in_64_ones",
	    memcmp(g1->p + 88, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) == 0
	    && memcmp(g14->p + 248, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) == 0);
    T_CHECK("group_unknown_id_is_null", xc_group(2) == 0 && xc_group(-1) == 0);

    T_CHECK("suite_find_exact", xc_suite_find("sober128_1.0", 12) == xc_suite(XC_SUITE_SOBER128));
    T_CHECK("suite_find_is_case_sensitive", xc_suite_find("SOBER128_1.0", 12) == 0);
    T_CHECK("suite_find_rejects_prefix", xc_suite_find("sober128_1.0", 11) == 0);
    T_CHECK("suite_find_uses_length_not_nul",
	    xc_suite_find("arrsyfor_1.0 sober128_1.0", 12) == xc_suite(XC_SUITE_ARRSYFOR));
    T_CHECK("suite_table_matches_spec_section_3",
	    xc_suite(XC_SUITE_ARRSYFOR)->group == XC_GROUP_OAKLEY1
	    && xc_suite(XC_SUITE_ARRSYFOR)->nonce_len == 10
	    && xc_suite(XC_SUITE_ARRSYFOR)->key_len == 10
	    && !xc_suite(XC_SUITE_ARRSYFOR)->aead
	    && xc_suite(XC_SUITE_SOBER128)->group == XC_GROUP_OAKLEY1
	    && xc_suite(XC_SUITE_SOBER128)->nonce_len == 10
	    && !xc_suite(XC_SUITE_SOBER128)->aead
	    && xc_suite(XC_SUITE_CHACHA)->group == XC_GROUP_MODP14
	    && xc_suite(XC_SUITE_CHACHA)->nonce_len == 16
	    && xc_suite(XC_SUITE_CHACHA)->key_len == 32
	    && xc_suite(XC_SUITE_CHACHA)->aead
	    && !XC_SUITE_PIPELINED(xc_suite(XC_SUITE_CHACHA))
	    && !XC_SUITE_PIPELINED(xc_suite(XC_SUITE_ARRSYFOR))
	    && !XC_SUITE_PIPELINED(xc_suite(XC_SUITE_SOBER128))
	    && xc_suite(XC_SUITE_CHACHA21)->group == XC_GROUP_MODP14
	    && xc_suite(XC_SUITE_CHACHA21)->nonce_len == 16
	    && xc_suite(XC_SUITE_CHACHA21)->key_len == 32
	    && xc_suite(XC_SUITE_CHACHA21)->aead
	    && XC_SUITE_PIPELINED(xc_suite(XC_SUITE_CHACHA21)));
    T_CHECK("suite_find_2_1",
	    xc_suite_find("chacha20poly1305_2.1", 20) == xc_suite(XC_SUITE_CHACHA21)
	    && xc_suite(XC_SUITE_COUNT) == 0);
    T_CHECK("suite_list_parse_2_1_first",
	    xc_suite_list_parse("chacha20poly1305_2.1 chacha20poly1305_2.0"
				" sober128_1.0 arrsyfor_1.0", &list, &bad) == 4
	    && list.ids[0] == XC_SUITE_CHACHA21 && list.ids[1] == XC_SUITE_CHACHA);

    T_CHECK("suite_list_parse_keeps_order",
	    xc_suite_list_parse("chacha20poly1305_2.0, sober128_1.0\tarrsyfor_1.0",
				&list, &bad) == 3
	    && list.ids[0] == XC_SUITE_CHACHA && list.ids[1] == XC_SUITE_SOBER128
	    && list.ids[2] == XC_SUITE_ARRSYFOR);
    T_CHECK("suite_list_parse_tolerates_extra_separators",
	    xc_suite_list_parse(" ,sober128_1.0,, ", &list, &bad) == 1
	    && list.ids[0] == XC_SUITE_SOBER128);
    T_CHECK("suite_list_has",
	    xc_suite_list_has(&list, XC_SUITE_SOBER128)
	    && !xc_suite_list_has(&list, XC_SUITE_CHACHA));
    bad = 0;
    T_CHECK("suite_list_parse_rejects_unknown_naming_it",
	    xc_suite_list_parse("sober128_1.0, rot13_1.0", &list, &bad) == XC_ERR_SUITE
	    && bad != 0 && strcmp(bad, "rot13_1.0") == 0);
    bad = 0;
    T_CHECK("suite_list_parse_rejects_duplicate_naming_it",
	    xc_suite_list_parse("arrsyfor_1.0 sober128_1.0 arrsyfor_1.0", &list, &bad)
	    == XC_ERR_SUITE && bad != 0 && strcmp(bad, "arrsyfor_1.0") == 0);
    T_CHECK("suite_list_parse_rejects_wrong_case",
	    xc_suite_list_parse("Arrsyfor_1.0", &list, &bad) == XC_ERR_SUITE);
    T_CHECK("suite_list_parse_rejects_empty_list",
	    xc_suite_list_parse(" , ", &list, &bad) == XC_ERR_SUITE
	    && xc_suite_list_parse("", &list, (const char **) 0) == XC_ERR_SUITE);

    T_CHECK("strerror_names_every_code",
	    strcmp(xc_strerror(XC_ERR_AUTH), xc_strerror(XC_ERR_RECORD)) != 0
	    && strcmp(xc_strerror(-99), "unknown error") == 0);
}

/* test_version_check - refuse a foreign libpostfix, loudly */

static void test_version_check(void)
{
    char    buf[1000];
    int     fds[2], status = 0;
    ssize_t n, got = 0;
    pid_t   pid;

    /*
     * The build's own version passes: a child that checks it exits 0 and
     * says nothing (a mismatch would be fatal, with a message).
     */
    if (pipe(fds) < 0 || (pid = fork()) < 0) {
	T_CHECK("postfix_version_check_fork", 0);
	return;
    }
    if (pid == 0) {
	(void) dup2(fds[1], 2);
	msg_vstream_init("t_kat", VSTREAM_ERR);
	XC_CHECK_POSTFIX_VERSION();
	_exit(0);
    }
    (void) close(fds[1]);
    while (got < (ssize_t) sizeof(buf) - 1
	   && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
	got += n;
    buf[got] = 0;
    (void) close(fds[0]);
    (void) waitpid(pid, &status, 0);
    T_CHECKF("postfix_version_check_accepts_build_version",
	     WIFEXITED(status) && WEXITSTATUS(status) == 0 && got == 0,
	     "status %d output '%s'", status, buf);
    got = 0;

    if (pipe(fds) < 0 || (pid = fork()) < 0) {
	T_CHECK("postfix_version_check_fork", 0);
	return;
    }
    if (pid == 0) {
	(void) dup2(fds[1], 2);
	msg_vstream_init("t_kat", VSTREAM_ERR);
	xc_check_postfix_version("2.0.0-test");
	_exit(0);
    }
    (void) close(fds[1]);
    while (got < (ssize_t) sizeof(buf) - 1
	   && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
	got += n;
    buf[got] = 0;
    (void) close(fds[0]);
    (void) waitpid(pid, &status, 0);
    T_CHECKF("postfix_version_mismatch_is_fatal_naming_both_versions",
	     WIFEXITED(status) && WEXITSTATUS(status) != 0
	     && strstr(buf, "2.0.0-test") != 0
	     && strstr(buf, get_mail_version()) != 0
	     && strstr(buf, "rebuild") != 0, "status %d output '%s'", status, buf);
}

int     main(int argc, char **argv)
{
    size_t  i;

    xc_init();
    xc_init();					/* idempotent */
    T_CHECK("kat_rc4_libtomcrypt_selftest", rc4_stream_test() == CRYPT_OK);
    test_rc4_rfc6229();
    test_sober128();
    test_rfc8439();
    for (i = 0; i < T_SPEC9_COUNT; i++)
	test_spec_example(t_spec9 + i, spec_labels[i]);
    test_leading_zero(t_spec9 + T_SPEC9_ZERO_LEAD);
    test_labels(t_spec9 + T_SPEC9_CHACHA21);
    test_misc();
    test_version_check();
    return (T_DONE());
}
