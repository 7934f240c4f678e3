/*++
/* NAME
/*	t_dh 1
/* SUMMARY
/*	Diffie-Hellman validation and AEAD record robustness tests
/* SYNOPSIS
/*	t_dh
/* DESCRIPTION
/*	Public value checks at the edges of [2, p-2] and of the encoded
/*	length, generated key pairs, agreement on Z, and every way an
/*	AEAD record (spec 6.3) can be malformed or tampered with: length
/*	prefix, ciphertext, tag, padding, datalen, sequence numbers,
/*	sealing limits and counter exhaustion.
/*--*/

/* checks: 98 */

/* System library. */

#include <sys_defs.h>
#include <string.h>

/* Application-specific. */

#include "xc_private.h"
#include "t_check.h"

/* be_add - big-endian add a small signed value, in place */

static void be_add(unsigned char *v, size_t len, int delta)
{
    int     carry = delta;
    size_t  i;

    for (i = len; i-- > 0 && carry != 0;) {
	int     t = v[i] + carry;

	v[i] = (unsigned char) (t & 0xff);
	carry = (t < 0) ? -1 : (t >> 8);
    }
}

/* check_range - one group's edge cases */

static void check_range(int group, const char *gname)
{
    const XC_GROUP *g = xc_group(group);
    unsigned char v[XC_PMAX + 2];
    char    label[120];
    size_t  plen = g->plen;

#define CHECK_VALUE(what, expect) do { \
	snprintf(label, sizeof(label), "dh_%s_%s", gname, what); \
	T_CHECKF(label, xc_dh_check_public(group, v, plen) == (expect), \
		 "got %d", xc_dh_check_public(group, v, plen)); \
    } while (0)

    memset(v, 0, plen);
    CHECK_VALUE("rejects_0", XC_ERR_KEY_RANGE);
    v[plen - 1] = 1;
    CHECK_VALUE("rejects_1", XC_ERR_KEY_RANGE);
    v[plen - 1] = 2;
    CHECK_VALUE("accepts_2", XC_OK);
    v[plen - 1] = 3;
    CHECK_VALUE("accepts_3", XC_OK);

    memcpy(v, g->p, plen);
    CHECK_VALUE("rejects_p", XC_ERR_KEY_RANGE);
    be_add(v, plen, -1);
    CHECK_VALUE("rejects_p_minus_1", XC_ERR_KEY_RANGE);
    be_add(v, plen, -1);
    CHECK_VALUE("accepts_p_minus_2", XC_OK);
    be_add(v, plen, -1);
    CHECK_VALUE("accepts_p_minus_3", XC_OK);
    memcpy(v, g->p, plen);
    be_add(v, plen, 1);
    CHECK_VALUE("rejects_p_plus_1", XC_ERR_KEY_RANGE);
    memset(v, 0xff, plen);
    CHECK_VALUE("rejects_all_ones", XC_ERR_KEY_RANGE);

    /*
     * Wrong lengths, with values that would be fine at the right length.
     */
    memset(v, 0, sizeof(v));
    v[plen - 2] = 2;
    snprintf(label, sizeof(label), "dh_%s_rejects_length_%d", gname, (int) plen - 1);
    T_CHECK(label, xc_dh_check_public(group, v, plen - 1) == XC_ERR_SYNTAX);
    memset(v, 0, sizeof(v));
    v[plen] = 2;
    snprintf(label, sizeof(label), "dh_%s_rejects_length_%d_leading_zero",
	     gname, (int) plen + 1);
    T_CHECK(label, xc_dh_check_public(group, v, plen + 1) == XC_ERR_SYNTAX);
    snprintf(label, sizeof(label), "dh_%s_rejects_length_0", gname);
    T_CHECK(label, xc_dh_check_public(group, v, 0) == XC_ERR_SYNTAX);
#undef CHECK_VALUE
}

/* check_pairs - generation and agreement */

static void check_pairs(int group, const char *gname)
{
    const XC_GROUP *g = xc_group(group);
    XC_KEYPAIR a, b, c;
    unsigned char za[XC_PMAX], zb[XC_PMAX], bad[XC_PMAX];
    char    label[120];
    int     ra, rb;

    ra = xc_dh_generate(group, &a);
    rb = xc_dh_generate(group, &b);
    snprintf(label, sizeof(label), "dh_%s_generate_succeeds", gname);
    T_CHECK(label, ra == XC_OK && rb == XC_OK);
    snprintf(label, sizeof(label), "dh_%s_generated_exponent_has_%d_bits",
	     gname, g->exp_bits);
    T_CHECK(label, a.privlen * 8 == (size_t) g->exp_bits
	    && b.privlen * 8 == (size_t) g->exp_bits && a.group == group);
    snprintf(label, sizeof(label), "dh_%s_generated_public_is_valid", gname);
    T_CHECK(label, xc_dh_check_public(group, a.pub, g->plen) == XC_OK
	    && xc_dh_check_public(group, b.pub, g->plen) == XC_OK);
    snprintf(label, sizeof(label), "dh_%s_generated_pairs_differ", gname);
    T_CHECK(label, memcmp(a.priv, b.priv, a.privlen) != 0
	    && memcmp(a.pub, b.pub, g->plen) != 0);
    snprintf(label, sizeof(label), "dh_%s_generated_pair_has_creation_time", gname);
    T_CHECK(label, a.created > 0);
    snprintf(label, sizeof(label), "dh_%s_pairs_agree_on_z", gname);
    T_CHECK(label, xc_dh_shared(&a, b.pub, g->plen, za) == XC_OK
	    && xc_dh_shared(&b, a.pub, g->plen, zb) == XC_OK
	    && memcmp(za, zb, g->plen) == 0);

    snprintf(label, sizeof(label), "dh_%s_set_private_reproduces_public", gname);
    T_CHECK(label, xc_dh_set_private(group, a.priv, a.privlen, &c) == XC_OK
	    && memcmp(c.pub, a.pub, g->plen) == 0);

    memcpy(bad, g->p, g->plen);
    be_add(bad, g->plen, -1);
    snprintf(label, sizeof(label), "dh_%s_shared_rejects_p_minus_1", gname);
    T_CHECK(label, xc_dh_shared(&a, bad, g->plen, za) == XC_ERR_KEY_RANGE);
    snprintf(label, sizeof(label), "dh_%s_shared_rejects_short_value", gname);
    T_CHECK(label, xc_dh_shared(&a, b.pub + 1, g->plen - 1, za) == XC_ERR_SYNTAX);

    memset(bad, 0, sizeof(bad));
    snprintf(label, sizeof(label), "dh_%s_set_private_rejects_0_and_1", gname);
    T_CHECK(label, xc_dh_set_private(group, bad, 32, &c) != XC_OK
	    && (bad[31] = 1, xc_dh_set_private(group, bad, 32, &c)) != XC_OK);

    xc_keypair_wipe(&a);
    snprintf(label, sizeof(label), "dh_%s_keypair_wipe_zeroes", gname);
    memset(bad, 0, sizeof(bad));
    T_CHECK(label, a.privlen == 0 && memcmp(a.priv, bad, XC_PMAX) == 0);
    xc_keypair_wipe(&b);
    xc_keypair_wipe(&c);
}

static const unsigned char rec_key[32] = {
    0x9c, 0x93, 0x35, 0xe1, 0xc7, 0xfd, 0x00, 0x2f,
    0x99, 0x06, 0x80, 0x49, 0x4c, 0x51, 0x92, 0x7e,
    0x39, 0xa1, 0xb8, 0x61, 0x20, 0x75, 0x28, 0x28,
    0x93, 0x89, 0xeb, 0x31, 0xf9, 0x56, 0x12, 0x3d,
};

/* craft - seal an arbitrary body with the raw AEAD, as a hostile peer */

static size_t craft(const unsigned char *body, size_t bodylen, uint64_t seq,
		            unsigned char *rec)
{
    chacha20poly1305_state st;
    unsigned char nonce[12];
    unsigned long taglen = 16;
    size_t  sealed = bodylen + 16;
    int     i;

    memset(nonce, 0, sizeof(nonce));
    for (i = 11; i >= 4; i--, seq >>= 8)
	nonce[i] = (unsigned char) seq;
    rec[0] = (unsigned char) (sealed >> 8);
    rec[1] = (unsigned char) sealed;
    chacha20poly1305_init(&st, rec_key, 32);
    chacha20poly1305_setiv(&st, nonce, 12);
    chacha20poly1305_add_aad(&st, rec, 2);
    chacha20poly1305_encrypt(&st, body, bodylen, rec + 2);
    chacha20poly1305_done(&st, rec + 2 + bodylen, &taglen);
    return (2 + sealed);
}

/* open_fresh - open one record with a receiver at sequence seq */

static int open_fresh(const unsigned char *rec, size_t len, uint64_t seq,
		              unsigned char *data, size_t *dlen)
{
    XC_CIPHER *c = xc_cipher_create(xc_suite(XC_SUITE_CHACHA), rec_key);
    int     ret;

    xc_cipher_set_seq(c, seq);
    ret = xc_record_open(c, rec, len, data, dlen);
    xc_cipher_free(c);
    return (ret);
}

/* check_records - AEAD record robustness */

static void check_records(void)
{

    /* One bit flipped at an offset (negative: from the end). */
    static const struct {
	int     at;
	unsigned char mask;
	int     want;
	const char *name;
    }       flips[] = {
	{1, 0x01, XC_ERR_RECORD, "record_length_bit_flip_rejected"},
	{0, 0x01, XC_ERR_RECORD, "record_length_high_bit_flip_rejected"},
	{2, 0x01, XC_ERR_AUTH, "record_ciphertext_datalen_bit_flip_fails_auth"},
	{20, 0x80, XC_ERR_AUTH, "record_ciphertext_bit_flip_fails_auth"},
	{-17, 0x01, XC_ERR_AUTH, "record_padding_ciphertext_bit_flip_fails_auth"},
	{-1, 0x01, XC_ERR_AUTH, "record_tag_bit_flip_fails_auth"},
	{-16, 0x40, XC_ERR_AUTH, "record_tag_first_octet_flip_fails_auth"},
    }, *flip;
    const XC_SUITE *suite = xc_suite(XC_SUITE_CHACHA);
    static unsigned char data[XC_REC_DATA_MAX + 1];
    static unsigned char out[XC_REC_DATA_MAX];
    static unsigned char rec[XC_REC_MAX], rec1[XC_REC_MAX], tmp[XC_REC_MAX];
    unsigned char body[XC_REC_SEALED_MAX];
    unsigned char prefix[2];
    XC_CIPHER *tx, *rx;
    size_t  len, len1, dlen, i;
    int     ok;
    static const size_t sizes[] = {0, 1, 29, 30, 31, 16383, XC_REC_DATA_MAX};

    for (i = 0; i < sizeof(data); i++)
	data[i] = (unsigned char) (i * 7 + 1);

    /*
     * Length prefix validation.
     */
#define PREFIX_LEN(n) (prefix[0] = (unsigned char) ((n) >> 8), \
	prefix[1] = (unsigned char) (n), xc_record_sealed_len(prefix))
    T_CHECK("record_length_47_rejected", PREFIX_LEN(47) == XC_ERR_RECORD);
    T_CHECK("record_length_48_accepted", PREFIX_LEN(48) == 48);
    T_CHECK("record_length_49_rejected", PREFIX_LEN(49) == XC_ERR_RECORD);
    T_CHECK("record_length_64_rejected", PREFIX_LEN(64) == XC_ERR_RECORD);
    T_CHECK("record_length_80_accepted", PREFIX_LEN(80) == 80);
    T_CHECK("record_length_16432_accepted", PREFIX_LEN(16432) == 16432);
    T_CHECK("record_length_16433_rejected", PREFIX_LEN(16433) == XC_ERR_RECORD);
    T_CHECK("record_length_16464_rejected", PREFIX_LEN(16464) == XC_ERR_RECORD);
    T_CHECK("record_length_0_rejected", PREFIX_LEN(0) == XC_ERR_RECORD);
    T_CHECK("record_length_65535_rejected", PREFIX_LEN(65535) == XC_ERR_RECORD);

    /*
     * Sealing limits and round trips.
     */
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
	char    label[100];
	size_t  want = 2 + ((2 + sizes[i] + 31) / 32) * 32 + 16;

	tx = xc_cipher_create(suite, rec_key);
	rx = xc_cipher_create(suite, rec_key);
	ok = (xc_record_seal(tx, data, sizes[i], rec, &len) == XC_OK
	      && len == want
	      && xc_record_sealed_len(rec) == (int) len - 2
	      && xc_record_open(rx, rec, len, out, &dlen) == XC_OK
	      && dlen == sizes[i] && memcmp(out, data, dlen) == 0);
	snprintf(label, sizeof(label), "record_seal_open_datalen_%d",
		 (int) sizes[i]);
	T_CHECKF(label, ok, "len %d want %d", (int) len, (int) want);
	xc_cipher_free(tx);
	xc_cipher_free(rx);
    }
    tx = xc_cipher_create(suite, rec_key);
    T_CHECK("record_seal_datalen_16385_rejected",
	    xc_record_seal(tx, data, XC_REC_DATA_MAX + 1, rec, &len) == XC_ERR_OVERFLOW
	    && len == 0 && xc_cipher_get_seq(tx) == 0);
    xc_cipher_free(tx);

    /*
     * A reference record at seq 0 and another at seq 1.
     */
    tx = xc_cipher_create(suite, rec_key);
    (void) xc_record_seal(tx, (const unsigned char *) "RCPT TO:<bob@example.org>\r\n",
			  27, rec, &len);
    (void) xc_record_seal(tx, (const unsigned char *) "DATA\r\n", 6, rec1, &len1);
    xc_cipher_free(tx);
    T_CHECK("record_reference_opens",
	    open_fresh(rec, len, 0, out, &dlen) == XC_OK && dlen == 27);

    for (flip = flips; flip < flips + sizeof(flips) / sizeof(flips[0]); flip++) {
	memcpy(tmp, rec, len);
	tmp[flip->at < 0 ? (ssize_t) len + flip->at : flip->at] ^= flip->mask;
	T_CHECKF(flip->name, open_fresh(tmp, len, 0, out, &dlen) == flip->want,
		 "flip at %d", flip->at);
    }
    T_CHECK("record_truncated_rejected",
	    open_fresh(rec, len - 1, 0, out, &dlen) == XC_ERR_RECORD);
    memcpy(tmp, rec, len);
    tmp[len] = 0;
    T_CHECK("record_with_trailing_octet_rejected",
	    open_fresh(tmp, len + 1, 0, out, &dlen) == XC_ERR_RECORD);
    T_CHECK("record_one_octet_rejected",
	    open_fresh(rec, 1, 0, out, &dlen) == XC_ERR_RECORD);

    /*
     * A failing record leaves the output alone and reports no data.
     */
    memset(out, 0xaa, 64);
    memcpy(tmp, rec, len);
    tmp[len - 1] ^= 0x01;
    dlen = 12345;
    (void) open_fresh(tmp, len, 0, out, &dlen);
    for (ok = 1, i = 0; i < 64; i++)
	if (out[i] != 0xaa)
	    ok = 0;
    T_CHECK("record_failure_writes_no_data", ok && dlen == 0);

    /*
     * Sequence numbers: out of order, replay, wrong key.
     */
    T_CHECK("record_seq1_opened_as_seq0_fails_auth",
	    open_fresh(rec1, len1, 0, out, &dlen) == XC_ERR_AUTH);
    T_CHECK("record_seq0_opened_as_seq1_fails_auth",
	    open_fresh(rec, len, 1, out, &dlen) == XC_ERR_AUTH);
    rx = xc_cipher_create(suite, rec_key);
    T_CHECK("record_failed_open_keeps_sequence",
	    xc_record_open(rx, rec1, len1, out, &dlen) == XC_ERR_AUTH
	    && xc_cipher_get_seq(rx) == 0);
    T_CHECK("record_in_order_opens",
	    xc_record_open(rx, rec, len, out, &dlen) == XC_OK
	    && xc_record_open(rx, rec1, len1, out, &dlen) == XC_OK
	    && dlen == 6 && memcmp(out, "DATA\r\n", 6) == 0
	    && xc_cipher_get_seq(rx) == 2);
    T_CHECK("record_replay_fails_auth",
	    xc_record_open(rx, rec1, len1, out, &dlen) == XC_ERR_AUTH);
    xc_cipher_free(rx);
    {
	unsigned char other[32];

	memcpy(other, rec_key, 32);
	other[31] ^= 1;
	rx = xc_cipher_create(suite, other);
	T_CHECK("record_wrong_key_fails_auth",
		xc_record_open(rx, rec, len, out, &dlen) == XC_ERR_AUTH);
	xc_cipher_free(rx);
    }

    /*
     * Hostile but authentic bodies: nonzero padding, datalen too large.
     */
    memset(body, 0, sizeof(body));
    body[1] = 5;
    memcpy(body + 2, "hello", 5);
    len = craft(body, 32, 0, tmp);
    T_CHECK("record_crafted_valid_body_opens",
	    open_fresh(tmp, len, 0, out, &dlen) == XC_OK && dlen == 5);
    body[31] = 0x01;
    len = craft(body, 32, 0, tmp);
    T_CHECK("record_nonzero_padding_last_octet_rejected",
	    open_fresh(tmp, len, 0, out, &dlen) == XC_ERR_RECORD && dlen == 0);
    body[31] = 0;
    body[7] = 0x80;
    len = craft(body, 32, 0, tmp);
    T_CHECK("record_nonzero_padding_first_octet_rejected",
	    open_fresh(tmp, len, 0, out, &dlen) == XC_ERR_RECORD);
    memset(body, 0, sizeof(body));
    body[1] = 30;
    len = craft(body, 32, 0, tmp);
    T_CHECK("record_datalen_filling_body_opens",
	    open_fresh(tmp, len, 0, out, &dlen) == XC_OK && dlen == 30);
    body[1] = 31;
    len = craft(body, 32, 0, tmp);
    T_CHECK("record_datalen_exceeding_body_rejected",
	    open_fresh(tmp, len, 0, out, &dlen) == XC_ERR_RECORD);
    body[0] = 0xff;
    body[1] = 0xff;
    len = craft(body, 32, 0, tmp);
    T_CHECK("record_datalen_65535_rejected",
	    open_fresh(tmp, len, 0, out, &dlen) == XC_ERR_RECORD);
    memset(body, 0, sizeof(body));
    body[0] = (XC_REC_DATA_MAX + 1) >> 8;
    body[1] = (XC_REC_DATA_MAX + 1) & 0xff;
    len = craft(body, XC_REC_SEALED_MAX - 16, 0, tmp);
    T_CHECK("record_datalen_16385_in_largest_body_rejected",
	    open_fresh(tmp, len, 0, out, &dlen) == XC_ERR_RECORD);

    /*
     * Counter exhaustion: never wrap.
     */
    tx = xc_cipher_create(suite, rec_key);
    xc_cipher_set_seq(tx, UINT64_MAX);
    T_CHECK("record_last_sequence_number_seals",
	    xc_record_seal(tx, data, 4, rec, &len) == XC_OK);
    T_CHECK("record_seal_refuses_to_wrap",
	    xc_record_seal(tx, data, 4, rec1, &len1) == XC_ERR_OVERFLOW);
    xc_cipher_free(tx);
    rx = xc_cipher_create(suite, rec_key);
    xc_cipher_set_seq(rx, UINT64_MAX);
    T_CHECK("record_last_sequence_number_opens",
	    xc_record_open(rx, rec, len, out, &dlen) == XC_OK && dlen == 4);
    T_CHECK("record_open_refuses_to_wrap",
	    xc_record_open(rx, rec, len, out, &dlen) == XC_ERR_OVERFLOW);
    xc_cipher_free(rx);

    /*
     * Wrong kind of call for the suite.
     */
    tx = xc_cipher_create(suite, rec_key);
    T_CHECK("aead_cipher_refuses_keystream_xor",
	    xc_cipher_xor(tx, data, 4, out) == XC_ERR_STATE);
    xc_cipher_free(tx);
    tx = xc_cipher_create(xc_suite(XC_SUITE_ARRSYFOR), rec_key);
    T_CHECK("keystream_cipher_refuses_records",
	    xc_record_seal(tx, data, 4, rec, &len) == XC_ERR_STATE
	    && xc_record_open(tx, rec, 50, out, &dlen) == XC_ERR_STATE);
    xc_cipher_free(tx);
}

int     main(int argc, char **argv)
{
    unsigned char r1[32], r2[32];

    xc_init();
    check_range(XC_GROUP_OAKLEY1, "oakley1");
    check_range(XC_GROUP_MODP14, "modp14");
    check_pairs(XC_GROUP_OAKLEY1, "oakley1");
    check_pairs(XC_GROUP_MODP14, "modp14");
    T_CHECK("random_fills_and_differs",
	    xc_random(r1, sizeof(r1)) == XC_OK && xc_random(r2, sizeof(r2)) == XC_OK
	    && memcmp(r1, r2, sizeof(r1)) != 0);
    check_records();
    return (T_DONE());
}
