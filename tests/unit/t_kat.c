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
/*	Every worked example of XCRYPT-PROTOCOL.md section 9: public
/*	values (base64, as in the command and the reply), Z from both
/*	sides, SHA-1 and HKDF keys, the first octets on the wire in
/*	each direction (sealed and opened back), and the keystream
/*	suites split into pieces.
/* .PP
/*	Output: one PASS/FAIL line per check (t_check.h).
/*--*/

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
  * XCRYPT-PROTOCOL.md section 9, generated from the spec text. Hex with an
  * odd number of digits is a number whose leading zero digit was not
  * written (sober128 xb).
  */
struct spec_example {
    const char *label;
    const char *suite;
    const char *xa, *xb;		/* private exponents, hex */
    const char *ka, *na64;		/* client command, base64 */
    const char *kb, *nb64;		/* server reply, base64 */
    const char *na, *nb;		/* nonces, hex */
    const char *z;			/* shared value, hex */
    const char *k;			/* SHA-1(Z || Na || Nb), or null */
    const char *c2s, *s2c;		/* keys */
    const char *c2swire, *s2cwire;	/* first octets, or null */
};

static const struct spec_example spec_examples[] = {
    {"arrsyfor", "arrsyfor_1.0",
	/* xa */
	"600312c555a92c9a099da45b043417bd7fa2aa3e0f77e3ba1767a35820a9f1af"
	"1e971d38cf7fc6b5311b5033ed70fc85f138a54cbe0f27f93b74d0ccab5efe5f"
	"b69ed0854af08f3491c84ab20889b8409a6c2e0c90f85ee9a529f4c4a3c9262c",
	/* xb */
	"ea9ea645b06866820a3e53d771eff8bdd4f0244e9d3421de8edd6558eb6cc610"
	"18fd1e73ff1e7af59aa70850a4cabb79a9adeb18c5ca9354b159391a8fde4621"
	"a00ee42a777f07baa32cd46182afdcafad49e1a1f470b6687ed5385859b17409",
	/* ka */
	"9wNdu/CbzsIZcKBbkn34KcfKgB1CZICYTZ6scW4CSiFXwbMZvTfqnXSr8kuKT2Rl"
	"Nc0uenAhQyKs2z6z8U+NVn5sUT4Y4Qf0lbqEJj2DqP/p1/4XCpkfL2KtpgB1Xhd/",
	/* na64 */
	"mP64gsVRHa25Qg==",
	/* kb */
	"m42NCoGDiBwHvBVUE7m8ZsmFDyTXsr9tv3nQP4Cn5BM8lzDNYAufkAWYuF981eRV"
	"2A6xO4ivlvN/fBhHkHp4zL7uAtLaAcpdHjz+8PQpSS6mbOko3/hXfNk3r+Qqh1PV",
	/* nb64 */
	"gjiSpU06BTKRDQ==",
	/* na */
	"98feb882c5511dadb942",
	/* nb */
	"823892a54d3a0532910d",
	/* z */
	"8e8ed8e14fd4b9960664be951180ff9c5fd8190c92353d6da8235fe93d54c93d"
	"27ab8e594657e9c7df1c8c3b57a35bdbffb9792c2cfc3bdf440b4b855aceb1d6"
	"d417de72635be03429333f57a716b463d17bdd33ef98cafce453641716d0ed17",
	/* k */
	"35fbb0a193221892d1b302792d42d2709930eb5d",
	/* c2s */
	"35fbb0a193221892d1b3",
	/* s2c */
	"02792d42d2709930eb5d",
	/* c2swire */
	"bcf40b3698b438b649f4642653bc087181026f7337adb200b78f5fe24cde2c",
	/* s2cwire */
	"a638147669e3cfa07f5cb87c91b0",
    },
    {"sober128", "sober128_1.0",
	/* xa */
	"a2801e56665f246ab168036f9e24cc021979dc7c316bba9a4931aeaea7abaf75"
	"ff4e7473703e8a251d0d21b04c5747aa170adb4c09a736bc92183e4eb6baa212"
	"f24637861fc1f7813ecaca7fa4954006020962f171d1db1a86d5172465a43276",
	/* xb */
	"4519f00b6feb6718147d6612b5356866354e8d2502c9f2f40f8fb06ac58c0de6"
	"302d71520e1dc3a6e1745542f739c4f2cc993cb683bd5df25457c89f9e5ca19c"
	"1e13133093ee9b50316faeceba267ab4a85726ea4f8713705f2c0e629458fca",
	/* ka */
	"/7iZ8U8OvL4Q8dxzScEcnhjOOW/A6BpnYtuTmT3wkt2uPTPWEI76miWIcakxy+x1"
	"MBUeoHpv0WvjkmSLA74dIHh3i3h8kDqOp1z78rNaNs/3a7ZSCkXMhzQBtPxFV6ka",
	/* na64 */
	"OV9pJO/Io4SIeQ==",
	/* kb */
	"TphuKcrgPGUULzQkImfKfrPK8ovxABdRVI9GjYeht/2m49FiqprTFVPO9EWYQPAg"
	"ZusFceOcywtXIeZ1Bc4F7gcl8jFAi7+E/UH5av00ybIuPeBIjAILGHHC/okrZ6bl",
	/* nb64 */
	"Ablsucd+1yRPkA==",
	/* na */
	"395f6924efc8a3848879",
	/* nb */
	"01b96cb9c77ed7244f90",
	/* z */
	"df7fabe093efd20b726cc806d77b4bf857d019425b1432a78cb5bf7173ebc656"
	"0f96042ad6f60df397255723fd556484003f9f7ff6a79e5b84f4a950c6de8fd1"
	"adce2cdf57d744622a6c454db0031e0bb7afe6eee4b25ccc744b51d821c49e21",
	/* k */
	"1ee08e637ef045da3005076fb855acb6aa7625de",
	/* c2s */
	"1ee08e637ef045da3005",
	/* s2c */
	"076fb855acb6aa7625de",
	/* c2swire */
	"7e34faaae4e11f0744940afee4604ff1327b73ff97b32c9c879c30e447605c",
	/* s2cwire */
	"9bc77c46a4b74e5498503f505021",
    },
    {"chacha", "chacha20poly1305_2.0",
	/* xa */
	"d2b4fa304e77e92e4917d4c61fa3a22ae3c131a2280219dd98e227114c7497cb",
	/* xb */
	"7982b66a68d289eb5d698920dc721face186d8669a5727fe659d45e4b1bfd826",
	/* ka */
	"WJ7sNIU8n8S/oIILHqMJGVKLcZqyIwT8KIegonkl0jxIm1tFAcT0OgaoSXv+suLA"
	"hnDqV2HJrYCF3x5YM4LKWKwWHyfSZDUwtf4rZux2oX0hFvc9pgnPnAMpsobkiyqn"
	"OqKgO9GdscjRCpn4C3FgPjjROcJcN8MYqR8jJKfumPc82FMkQ8LjMXxEU5/tC759"
	"1W7h+1ncWtz84llgDFFOIrNvjpvC/4hATRT3zpKyerO91OiQaaYPLuwyAHtytit8"
	"o+4p8xOgmyTK6CVN9V1G9beFx2hS7z2lTFA8C7uiq4x+Pa9GzzatX8ER6dEN/w+9"
	"MP5h6vfuealyxQmWr/JIpQ==",
	/* na64 */
	"1+6Wk5aBxPxWrEp5ubir+A==",
	/* kb */
	"5soEJY1YoMjgYYhxiP34V8wLYkvO//Rd4ptk9SYFk0FeXAkwr3Khs3Upx/bGp/PG"
	"nOtoMP0mk1H91DX+EBrqgrb9SgH8XS5B4iNxyhBnwlfHULE1IID0aC78z+01bpco"
	"2xb9OHFxUbZEkFOxHOQurvx9TLqp1sUOZEJSzADg+TDaauw4cA5T2WtZYeLAGJpX"
	"LWm+OE7uMczGY+dYwYmoqg7MGGr6wPJIWQuLgMdTHCfjQs2rDLK/l/42W++xRU+h"
	"OD74QY/VwCAc6nrt0bgxQ9rY8T7m9SaohldoUFc34sUO8+dzUbGWAouqB53ThQ6Q"
	"OaIjw88qZOMVP9xSFiekPA==",
	/* nb64 */
	"2WyusidV6i3MzCIYGs/URA==",
	/* na */
	"d7ee96939681c4fc56ac4a79b9b8abf8",
	/* nb */
	"d96caeb22755ea2dcccc22181acfd444",
	/* z */
	"ca8b25fb641fde5c303438fc0c262b3c4db0a56edf7ae753281c6ace30e6c5ae"
	"c5a2a423725c6c49fb96590527fe7551e1f79d00b645ecc08c05f193e6bab182"
	"e0e4740bd83f09030816fbfc006c874e52012c2212d942b9364c4f8bb4dcfcb7"
	"1c0a32f1ea714f7dd52804976a20924a56300b9d7c39e78930c811f4d14607cc"
	"b37cf26dbccd06e4ce750703e9952695ea354b7bf8fe292f58aac138fdd722a6"
	"f849c46457129b2cadb495523a28487ca3a27be7b1bc27105cd339ff95d919ab"
	"4c0e47562bcfde19b6bf0f13faf2825c465649260a0a5e7af367ede20eaa6805"
	"61072efbe5e514586271cdb61b201609f5b814a211d1a4a57c87bbed646e39f5",
	/* k */ 0,
	/* c2s */
	"9c9335e1c7fd002f990680494c51927e39a1b861207528289389eb31f956123d",
	/* s2c */
	"2b838f5ea40a572f23f6778e4b58ef40ae91ec778a98c8ce05fe15bfc4dc5783",
	/* c2swire */
	"00507c397cdd34daf8f95959928eccfda24fc8c448625e634f043f311511b30d"
	"a4cc2bf4c617e71e9d2ed29fa2c67ab60fe4d25d3122b730ed7a893f820e1ee9"
	"4d53726a4fb6c819ef7a1d447465f718b938",
	/* s2cwire */
	"0030015d6db9134531d77f4d629848ea743cf3276a561536635770ea77952122"
	"fad4f8e9618f57c3bb7861d1a600f6af64a6",
    },
    {"arrsyfor_zero_lead", "arrsyfor_1.0",
	/* xa */
	"1ef984abf52522d7392dca98a675820e55a77084ec34519c14bea75586de98c0"
	"91d6ba1afabcdd0677bd640c9f696d08fb7d52974d409015ce849247796ee666"
	"65ee4bd6174de504afdfb7e6b22f8bfac61e86460fec0c739357906d0ce4c012",
	/* xb */
	"b9c72edc407818c7060df18b08409f4daec1f5cc799ba992ee11e36442ad3930"
	"d946af28905003a8fb431b8a94779bbfed4f7ef7bd8692dfaa3e7e130ebf1db4"
	"6f5e59c684fc3e3d9e7e3fd4b8a8e2e38fc905acc73744a72e4da6853e10f470",
	/* ka */
	"fiF58AvimGb4dPZOGGp1MP7Y9K1RknedUmOiS+KRF6duLT7DPTuPvkbmsQ5HDks2"
	"kktrWtZq5FgufW8nW2oCE6Ou254VuoqfX182qRsAZZOKvtqzzsKhZDRmZv9sRvR/",
	/* na64 */
	"v23iU1zHoIJqww==",
	/* kb */
	"wX2SXpPLc5eDLPo2jW79CvTu2vaFB2y4JJoggxkaok8ipm9/2bilu96PzuLlN5Jz"
	"43zabtprgRdqph438YIoTRAal994ShouDFrLdlX4Y3S9zn1h9qAy8hwEw5Gpd98Z",
	/* nb64 */
	"gryk1cdsygv0EA==",
	/* na */
	"bf6de2535cc7a0826ac3",
	/* nb */
	"82bca4d5c76cca0bf410",
	/* z */
	"002fd68472f2d80708b3d18b52296aa4cc25165a3cc9a2cdd042258189c5e0b4"
	"abf21073c1962dd5cc9c08d7f6fafac346dc5ef3255e146a1f97801c5908f3e0"
	"d7ec55d05735aa51cea3157b4e8b61e34cf16c84ecaaa31afa87e46388d3f207",
	/* k */ 0,
	/* c2s */
	"3b77a4c48a8df95824a9",
	/* s2c */
	"41b6d10d277211f64484",
	/* c2swire */ 0,
	/* s2cwire */ 0,
    },
};

#define C2S_TEXT	"MAIL FROM:<alice@example.org>\r\n"
#define S2C_TEXT	"250 2.1.0 Ok\r\n"

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

static void test_wire_keystream(const struct spec_example *ex,
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
    snprintf(label, sizeof(label), "spec_%s_%s_first_wire_octets", ex->label, dir);
    T_CHECKF(label, c != 0 && xc_cipher_xor(c, (const unsigned char *) text,
						 len, out) == XC_OK
	     && same_hex(out, len, wire), "wire octets differ");
    if (c)
	xc_cipher_free(c);

    wlen = hexdec(wire, wbytes, sizeof(wbytes));
    c = xc_cipher_create(suite, key);
    snprintf(label, sizeof(label), "spec_%s_%s_wire_decrypts_to_plaintext",
	     ex->label, dir);
    T_CHECKF(label, c != 0 && xc_cipher_xor(c, wbytes, wlen, back) == XC_OK
	     && wlen == len && memcmp(back, text, len) == 0, "plaintext differs");
    if (c)
	xc_cipher_free(c);

    for (i = 0; i < 4; i++) {
	snprintf(label, sizeof(label), "spec_%s_%s_piecewise_%s_same_wire",
		 ex->label, dir, pattern_names[i]);
	T_CHECKF(label, piecewise(suite, key, text, patterns[i], out)
		 && same_hex(out, len, wire), "wire octets differ");
    }
}

/* test_wire_record - first record of the AEAD suite */

static void test_wire_record(const struct spec_example *ex,
			             const XC_SUITE *suite,
			             const char *dir, const unsigned char *key,
			             const char *text, const char *wire)
{
    unsigned char rec[XC_REC_MAX], data[XC_REC_DATA_MAX], wbytes[XC_REC_MAX];
    size_t  len = strlen(text), reclen, wlen, dlen;
    XC_CIPHER *c;
    char    label[200];

    c = xc_cipher_create(suite, key);
    snprintf(label, sizeof(label), "spec_%s_%s_first_record_seq0", ex->label, dir);
    T_CHECKF(label, c != 0 && xc_record_seal(c, (const unsigned char *) text,
					      len, rec, &reclen) == XC_OK
	     && same_hex(rec, reclen, wire), "record differs");
    if (c)
	xc_cipher_free(c);

    wlen = hexdec(wire, wbytes, sizeof(wbytes));
    snprintf(label, sizeof(label), "spec_%s_%s_record_length_prefix_valid",
	     ex->label, dir);
    T_CHECK(label, xc_record_sealed_len(wbytes) == (int) wlen - 2);
    c = xc_cipher_create(suite, key);
    snprintf(label, sizeof(label), "spec_%s_%s_record_opens_to_plaintext",
	     ex->label, dir);
    T_CHECKF(label, c != 0 && xc_record_open(c, wbytes, wlen, data, &dlen) == XC_OK
	     && dlen == len && memcmp(data, text, len) == 0, "open failed");
    if (c)
	xc_cipher_free(c);
}

/* test_spec_example - one worked example of section 9 */

static void test_spec_example(const struct spec_example *ex)
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
    char    label[200];

    snprintf(label, sizeof(label), "spec_%s_suite_known", ex->label);
    T_CHECK(label, suite != 0);
    if (suite == 0)
	return;
    g = xc_group(suite->group);

    xlen = hexdec(ex->xa, x, sizeof(x));
    snprintf(label, sizeof(label), "spec_%s_client_public_matches_command", ex->label);
    T_CHECKF(label, xc_dh_set_private(suite->group, x, xlen, &client) == XC_OK
	     && strcmp(b64(client.pub, g->plen), ex->ka) == 0,
	     "got %s", b64(client.pub, g->plen));
    xlen = hexdec(ex->xb, x, sizeof(x));
    snprintf(label, sizeof(label), "spec_%s_server_public_matches_reply", ex->label);
    T_CHECKF(label, xc_dh_set_private(suite->group, x, xlen, &server) == XC_OK
	     && strcmp(b64(server.pub, g->plen), ex->kb) == 0,
	     "got %s", b64(server.pub, g->plen));
    zeromem(x, sizeof(x));

    snprintf(label, sizeof(label), "spec_%s_client_public_in_range", ex->label);
    T_CHECK(label, xc_dh_check_public(suite->group, client.pub, g->plen) == XC_OK);
    snprintf(label, sizeof(label), "spec_%s_server_public_in_range", ex->label);
    T_CHECK(label, xc_dh_check_public(suite->group, server.pub, g->plen) == XC_OK);

    hexdec(ex->na, na, sizeof(na));
    hexdec(ex->nb, nb, sizeof(nb));
    snprintf(label, sizeof(label), "spec_%s_nonces_match_base64", ex->label);
    T_CHECK(label, strcmp(b64(na, suite->nonce_len), ex->na64) == 0
	    && strcmp(b64(nb, suite->nonce_len), ex->nb64) == 0);

    snprintf(label, sizeof(label), "spec_%s_client_computes_z", ex->label);
    T_CHECK(label, xc_dh_shared(&client, server.pub, g->plen, za) == XC_OK
	    && same_hex(za, g->plen, ex->z));
    snprintf(label, sizeof(label), "spec_%s_server_computes_z", ex->label);
    T_CHECK(label, xc_dh_shared(&server, client.pub, g->plen, zb) == XC_OK
	    && same_hex(zb, g->plen, ex->z));

    if (ex->k) {
	sha1_init(&md);
	sha1_process(&md, za, g->plen);
	sha1_process(&md, na, suite->nonce_len);
	sha1_process(&md, nb, suite->nonce_len);
	sha1_done(&md, k);
	snprintf(label, sizeof(label), "spec_%s_sha1_z_na_nb", ex->label);
	T_CHECK(label, same_hex(k, 20, ex->k));
    }
    snprintf(label, sizeof(label), "spec_%s_kdf_keys", ex->label);
    T_CHECK(label, xc_kdf(suite, za, g->plen, na, nb, &keys) == XC_OK
	    && keys.key_len == suite->key_len
	    && same_hex(keys.c2s, keys.key_len, ex->c2s)
	    && same_hex(keys.s2c, keys.key_len, ex->s2c));

    if (ex->c2swire) {
	if (suite->aead)
	    test_wire_record(ex, suite, "c2s", keys.c2s, C2S_TEXT, ex->c2swire);
	else
	    test_wire_keystream(ex, suite, "c2s", keys.c2s, C2S_TEXT, ex->c2swire);
    }
    if (ex->s2cwire) {
	if (suite->aead)
	    test_wire_record(ex, suite, "s2c", keys.s2c, S2C_TEXT, ex->s2cwire);
	else
	    test_wire_keystream(ex, suite, "s2c", keys.s2c, S2C_TEXT, ex->s2cwire);
    }
    xc_keys_wipe(&keys);
    xc_keypair_wipe(&client);
    xc_keypair_wipe(&server);
}

/* test_leading_zero - the example whose Z starts with a zero octet */

static void test_leading_zero(const struct spec_example *ex)
{
    const XC_SUITE *suite = xc_suite(XC_SUITE_ARRSYFOR);
    unsigned char x[XC_PMAX], z[XC_PMAX];
    size_t  xlen = hexdec(ex->xa, x, sizeof(x));
    XC_KEYPAIR client;
    unsigned char kb[XC_PMAX];
    unsigned long kblen = sizeof(kb);

    hexdec(ex->z, z, sizeof(z));
    T_CHECK("spec_leading_zero_example_z_starts_with_00", z[0] == 0);
    (void) xc_dh_set_private(suite->group, x, xlen, &client);
    (void) base64_decode((const unsigned char *) ex->kb, strlen(ex->kb), kb,
			 &kblen);
    T_CHECK("spec_leading_zero_shared_value_padded_to_96",
	    kblen == 96 && xc_dh_shared(&client, kb, kblen, z) == XC_OK && z[0] == 0
	    && same_hex(z, 96, ex->z));
    xc_keypair_wipe(&client);
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
	    && xc_suite(XC_SUITE_CHACHA)->aead);

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

    XC_CHECK_POSTFIX_VERSION();
    T_CHECK("postfix_version_check_accepts_build_version", 1);

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
    for (i = 0; i < sizeof(spec_examples) / sizeof(spec_examples[0]); i++)
	test_spec_example(spec_examples + i);
    test_leading_zero(spec_examples + 3);
    test_misc();
    test_version_check();
    return (T_DONE());
}
