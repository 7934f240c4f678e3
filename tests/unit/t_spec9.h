#ifndef _T_SPEC9_H_INCLUDED_
#define _T_SPEC9_H_INCLUDED_

/*++
/* NAME
/*	t_spec9 3h
/* SUMMARY
/*	the worked examples of XCRYPT-PROTOCOL.md section 9
/* SYNOPSIS
/*	#include "t_spec9.h"
/*
/*	const T_SPEC9 t_spec9[T_SPEC9_COUNT];
/*
/*	T_SPEC9_C2S_TEXT
/*	T_SPEC9_S2C_TEXT
/* DESCRIPTION
/*	One table of the five worked examples (arrsyfor_1.0, sober128_1.0,
/*	chacha20poly1305_2.0, chacha20poly1305_2.1 with the confirmation
/*	pipelined, and arrsyfor_1.0 with a shared value that starts with
/*	a zero octet), in the order of the spec, holding each
/*	value as the spec prints it: hex or whole protocol lines, as text.
/*	Long strings are split for the line length only. A value the spec
/*	does not print is a null pointer: SHA-1(Z || Na || Nb) of the
/*	last two examples, and the wire bytes of the last one.
/*
/*	The sober128 server exponent xb has an odd number of hex digits
/*	(191): it is a number whose leading zero digit was not written.
/*	Readers must decode it as such (a leading 0), not drop a digit.
/*
/*	T_SPEC9_C2S_TEXT and T_SPEC9_S2C_TEXT are the plaintexts whose
/*	first octets on the wire the examples give, unless an example
/*	names its own (c2s_text, s2c_text: the 2.1 example's command
/*	group and its replies). T_SPEC9_TEXT_C2S(ex) and
/*	T_SPEC9_TEXT_S2C(ex) choose.
/*
/*	The 2.1 example prints whole flights: the plaintext confirmation
/*	line (c2s_line "XCRYPT OK" CRLF, s2c_line "250 XCRYPT OK" CRLF)
/*	followed by record 0. c2s_wire and s2c_wire hold the flight as
/*	printed; T_SPEC9_RECORD_C2S(ex) and T_SPEC9_RECORD_S2C(ex) point
/*	into that hex text past the line, at the record. For the other
/*	examples the lines are null and the two are the same.
/*
/*	Each test program derives what it needs (octets, base64 fields,
/*	suite ids, check names) locally. T_SPEC9_ARRSYFOR and friends
/*	index the table.
/* SEE ALSO
/*	/work/shared/XCRYPT-PROTOCOL.md, section 9
/*	t_kat(1), t_codec(1), t_stream(1), the users
/*--*/

typedef struct T_SPEC9 {
    const char *suite;			/* suite name */
    const char *xa;			/* client private exponent, hex */
    const char *xb;			/* server private exponent, hex */
    const char *command;		/* client command line */
    const char *reply;			/* server reply line, with "250 " */
    const char *na;			/* client nonce, hex */
    const char *nb;			/* server nonce, hex */
    const char *z;			/* shared value, hex */
    const char *k;			/* SHA-1(Z || Na || Nb), hex, or null */
    const char *c2s_key;		/* client->server key, hex */
    const char *s2c_key;		/* server->client key, hex */
    const char *c2s_wire;		/* first c2s octets, hex, or null */
    const char *s2c_wire;		/* first s2c octets, hex, or null */
    const char *c2s_text;		/* c2s plaintext, or null (default) */
    const char *s2c_text;		/* s2c plaintext, or null (default) */
    const char *c2s_line;		/* plaintext heading the c2s flight */
    const char *s2c_line;		/* plaintext heading the s2c flight */
    size_t  c2s_flight_len;		/* octets the spec says, or 0 */
    size_t  s2c_flight_len;
} T_SPEC9;

#define T_SPEC9_C2S_TEXT	"MAIL FROM:<alice@example.org>\r\n"
#define T_SPEC9_S2C_TEXT	"250 2.1.0 Ok\r\n"

#define T_SPEC9_TEXT_C2S(ex)	((ex)->c2s_text ? (ex)->c2s_text : T_SPEC9_C2S_TEXT)
#define T_SPEC9_TEXT_S2C(ex)	((ex)->s2c_text ? (ex)->s2c_text : T_SPEC9_S2C_TEXT)
#define T_SPEC9_RECORD_C2S(ex) \
	((ex)->c2s_wire + ((ex)->c2s_line ? 2 * strlen((ex)->c2s_line) : 0))
#define T_SPEC9_RECORD_S2C(ex) \
	((ex)->s2c_wire + ((ex)->s2c_line ? 2 * strlen((ex)->s2c_line) : 0))

#define T_SPEC9_ARRSYFOR	0
#define T_SPEC9_SOBER128	1
#define T_SPEC9_CHACHA		2
#define T_SPEC9_CHACHA21	3
#define T_SPEC9_ZERO_LEAD	4
#define T_SPEC9_COUNT		5

static const T_SPEC9 t_spec9[T_SPEC9_COUNT] = {
    /* arrsyfor_1.0 */
    {
	/* suite */ "arrsyfor_1.0",
	/* xa */
	"600312c555a92c9a099da45b043417bd7fa2aa3e0f77e3ba1767a35820a9f1af"
	"1e971d38cf7fc6b5311b5033ed70fc85f138a54cbe0f27f93b74d0ccab5efe5f"
	"b69ed0854af08f3491c84ab20889b8409a6c2e0c90f85ee9a529f4c4a3c9262c",
	/* xb */
	"ea9ea645b06866820a3e53d771eff8bdd4f0244e9d3421de8edd6558eb6cc610"
	"18fd1e73ff1e7af59aa70850a4cabb79a9adeb18c5ca9354b159391a8fde4621"
	"a00ee42a777f07baa32cd46182afdcafad49e1a1f470b6687ed5385859b17409",
	/* command */
	"XCRYPT arrsyfor_1.0 9wNdu/CbzsIZcKBbkn34KcfKgB1CZICYTZ6scW4CSiFX"
	"wbMZvTfqnXSr8kuKT2RlNc0uenAhQyKs2z6z8U+NVn5sUT4Y4Qf0lbqEJj2DqP/p"
	"1/4XCpkfL2KtpgB1Xhd/ mP64gsVRHa25Qg==",
	/* reply */
	"250 XCRYPT m42NCoGDiBwHvBVUE7m8ZsmFDyTXsr9tv3nQP4Cn5BM8lzDNYAufk"
	"AWYuF981eRV2A6xO4ivlvN/fBhHkHp4zL7uAtLaAcpdHjz+8PQpSS6mbOko3/hXf"
	"Nk3r+Qqh1PV gjiSpU06BTKRDQ==",
	/* na */ "98feb882c5511dadb942",
	/* nb */ "823892a54d3a0532910d",
	/* z */
	"8e8ed8e14fd4b9960664be951180ff9c5fd8190c92353d6da8235fe93d54c93d"
	"27ab8e594657e9c7df1c8c3b57a35bdbffb9792c2cfc3bdf440b4b855aceb1d6"
	"d417de72635be03429333f57a716b463d17bdd33ef98cafce453641716d0ed17",
	/* k */ "35fbb0a193221892d1b302792d42d2709930eb5d",
	/* c2s_key */ "35fbb0a193221892d1b3",
	/* s2c_key */ "02792d42d2709930eb5d",
	/* c2s_wire */
	"bcf40b3698b438b649f4642653bc087181026f7337adb200b78f5fe24cde2c",
	/* s2c_wire */ "a638147669e3cfa07f5cb87c91b0",
	/* texts, lines, flight lengths */ 0, 0, 0, 0, 0, 0,
    },
    /* sober128_1.0 */
    {
	/* suite */ "sober128_1.0",
	/* xa */
	"a2801e56665f246ab168036f9e24cc021979dc7c316bba9a4931aeaea7abaf75"
	"ff4e7473703e8a251d0d21b04c5747aa170adb4c09a736bc92183e4eb6baa212"
	"f24637861fc1f7813ecaca7fa4954006020962f171d1db1a86d5172465a43276",
	/* xb */
	"4519f00b6feb6718147d6612b5356866354e8d2502c9f2f40f8fb06ac58c0de6"
	"302d71520e1dc3a6e1745542f739c4f2cc993cb683bd5df25457c89f9e5ca19c"
	"1e13133093ee9b50316faeceba267ab4a85726ea4f8713705f2c0e629458fca",
	/* command */
	"XCRYPT sober128_1.0 /7iZ8U8OvL4Q8dxzScEcnhjOOW/A6BpnYtuTmT3wkt2u"
	"PTPWEI76miWIcakxy+x1MBUeoHpv0WvjkmSLA74dIHh3i3h8kDqOp1z78rNaNs/3"
	"a7ZSCkXMhzQBtPxFV6ka OV9pJO/Io4SIeQ==",
	/* reply */
	"250 XCRYPT TphuKcrgPGUULzQkImfKfrPK8ovxABdRVI9GjYeht/2m49FiqprTF"
	"VPO9EWYQPAgZusFceOcywtXIeZ1Bc4F7gcl8jFAi7+E/UH5av00ybIuPeBIjAILG"
	"HHC/okrZ6bl Ablsucd+1yRPkA==",
	/* na */ "395f6924efc8a3848879",
	/* nb */ "01b96cb9c77ed7244f90",
	/* z */
	"df7fabe093efd20b726cc806d77b4bf857d019425b1432a78cb5bf7173ebc656"
	"0f96042ad6f60df397255723fd556484003f9f7ff6a79e5b84f4a950c6de8fd1"
	"adce2cdf57d744622a6c454db0031e0bb7afe6eee4b25ccc744b51d821c49e21",
	/* k */ "1ee08e637ef045da3005076fb855acb6aa7625de",
	/* c2s_key */ "1ee08e637ef045da3005",
	/* s2c_key */ "076fb855acb6aa7625de",
	/* c2s_wire */
	"7e34faaae4e11f0744940afee4604ff1327b73ff97b32c9c879c30e447605c",
	/* s2c_wire */ "9bc77c46a4b74e5498503f505021",
	/* texts, lines, flight lengths */ 0, 0, 0, 0, 0, 0,
    },
    /* chacha20poly1305_2.0 */
    {
	/* suite */ "chacha20poly1305_2.0",
	/* xa */
	"d2b4fa304e77e92e4917d4c61fa3a22ae3c131a2280219dd98e227114c7497cb",
	/* xb */
	"7982b66a68d289eb5d698920dc721face186d8669a5727fe659d45e4b1bfd826",
	/* command */
	"XCRYPT chacha20poly1305_2.0 WJ7sNIU8n8S/oIILHqMJGVKLcZqyIwT8KIeg"
	"onkl0jxIm1tFAcT0OgaoSXv+suLAhnDqV2HJrYCF3x5YM4LKWKwWHyfSZDUwtf4r"
	"Zux2oX0hFvc9pgnPnAMpsobkiyqnOqKgO9GdscjRCpn4C3FgPjjROcJcN8MYqR8j"
	"JKfumPc82FMkQ8LjMXxEU5/tC7591W7h+1ncWtz84llgDFFOIrNvjpvC/4hATRT3"
	"zpKyerO91OiQaaYPLuwyAHtytit8o+4p8xOgmyTK6CVN9V1G9beFx2hS7z2lTFA8"
	"C7uiq4x+Pa9GzzatX8ER6dEN/w+9MP5h6vfuealyxQmWr/JIpQ== 1+6Wk5aBxPx"
	"WrEp5ubir+A==",
	/* reply */
	"250 XCRYPT 5soEJY1YoMjgYYhxiP34V8wLYkvO//Rd4ptk9SYFk0FeXAkwr3Khs"
	"3Upx/bGp/PGnOtoMP0mk1H91DX+EBrqgrb9SgH8XS5B4iNxyhBnwlfHULE1IID0a"
	"C78z+01bpco2xb9OHFxUbZEkFOxHOQurvx9TLqp1sUOZEJSzADg+TDaauw4cA5T2"
	"WtZYeLAGJpXLWm+OE7uMczGY+dYwYmoqg7MGGr6wPJIWQuLgMdTHCfjQs2rDLK/l"
	"/42W++xRU+hOD74QY/VwCAc6nrt0bgxQ9rY8T7m9SaohldoUFc34sUO8+dzUbGWA"
	"ouqB53ThQ6QOaIjw88qZOMVP9xSFiekPA== 2WyusidV6i3MzCIYGs/URA==",
	/* na */ "d7ee96939681c4fc56ac4a79b9b8abf8",
	/* nb */ "d96caeb22755ea2dcccc22181acfd444",
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
	/* c2s_key */
	"9c9335e1c7fd002f990680494c51927e39a1b861207528289389eb31f956123d",
	/* s2c_key */
	"2b838f5ea40a572f23f6778e4b58ef40ae91ec778a98c8ce05fe15bfc4dc5783",
	/* c2s_wire */
	"00507c397cdd34daf8f95959928eccfda24fc8c448625e634f043f311511b30d"
	"a4cc2bf4c617e71e9d2ed29fa2c67ab60fe4d25d3122b730ed7a893f820e1ee9"
	"4d53726a4fb6c819ef7a1d447465f718b938",
	/* s2c_wire */
	"0030015d6db9134531d77f4d629848ea743cf3276a561536635770ea77952122"
	"fad4f8e9618f57c3bb7861d1a600f6af64a6",
	/* texts, lines, flight lengths */ 0, 0, 0, 0, 0, 0,
    },
    /* chacha20poly1305_2.1, with the confirmation pipelined (spec 4.5) */
    {
	/* suite */ "chacha20poly1305_2.1",
	/* xa */
	"46a4fc021b1c1f015bc328da5b658fb9db207b43cbc43ff214e2f0336b8cad40",
	/* xb */
	"f0470a432121038020fbec1b32d0bfcf163fb156a51f164a34e11b2427867098",
	/* command */
	"XCRYPT chacha20poly1305_2.1 wvHiPRJfwD32EuJFfX7OFtkJF+5H8tu66G9j"
	"iVKRqW0ckRtW2fnV560r+IVJkrkkN3cgunYM24v476n6oV/4gi2BdxdPGdSIupuJ"
	"59zg7MN4w6/uZqhD+oLbVRqyibaHZg4Gh6MwkeAif1qrhAKbZcdnruzWm27ff4iT"
	"jH/auop0jl04WVmOm3l1QRxtcBxtjLzEoAESiEoNTTeVDcRyt7shsOKNTmHdomfp"
	"qCaVfsdThhRPnZNUPeYc2PosGbnW6QURKbaDvjIQehR0gCB+t9UDEJK25iAxdFH+"
	"YpJtSotjxIAehLYvzmO3aheSMwjmjMgC1kIgQ08GIGp5DourVg== J0KOmmvJaRs"
	"4r9I4t2+Gzw==",
	/* reply */
	"250 XCRYPT 0qlQISTH8gvb+dcz/JTLz1RiHRUmoJJxAj9Y9+GrSvqIN7iTt8vu4"
	"AL5+xYKIqLOHg0ABqHai24pavkh3+Kk0Oa9dfpqNZ8w/XFpEkyOONLXQ9uiGJfe0"
	"WwumRwaR6AIBpbt8qN4sf+7Bn7RxQoNVok/HYgb4v4O6WctrR1kcU76jlsF6/RI/"
	"DZdBNwhldRrBNncrjsO5dYLGV6ZVrxzgqIO4Yjb9jxbeSvkB95HkIZ2e5IHHEIeQ"
	"WPckUyrFqweNSMiz/IN9AArEKbeku2mH6FnApfhLRDI7ze1AaBXpmT/DozBxZ9bq"
	"GG76YF5DiHpWFCWjD0sQqXslq5hvaU6EA== CnouPcvAFP/zH6+oLSpD5Q==",
	/* na */ "27428e9a6bc9691b38afd238b76f86cf",
	/* nb */ "0a7a2e3dcbc014fff31fafa82d2a43e5",
	/* z */
	"cdd721c8b7bc4bffd262a3e0b6f8a56c34c6b69508059932c642d8e0940bacaa"
	"e8b5a7cb357280bb22776c927dc99aea782cca6e2f1724b9cbe698e4fc893ac2"
	"d4820c18395e3a0500ad4a567a36f3593f6fc9c8627886e5a3282d95d473d074"
	"e015a7fade4f68eb97286ec86daff9ef53d5e1a76d4de051f1910bd59d7315c6"
	"8cacde763c7a81881798f2ffa7f849bc8895740cd763877282b3ca35dab9cad3"
	"3a32ae742589ace121a79ea33544c788eded2737b68ea94112296c46475b25a6"
	"dc74972b46b2c0897673a4e91a2c1c6f879d6cd8a612db793913471c1d8384cd"
	"836c8f49e93b607836e5ee2f9960ef665c9390118a2e9f6a1a9fd1ae15a63f73",
	/* k */ 0,
	/* c2s_key */
	"27a297bfc274d7376d47dbbd73cbc7b4da1fc014c5d5e81b52c2475d87d53a59",
	/* s2c_key */
	"2452dccbb60d5d9b1f122dfcf262f52c6ad1bba4c8ebf7d4ac138bb2a9a06a53",
	/* c2s_wire: the client's flight */
	"584352595054204f4b0d0a00707da8d1f21445ce57abc241639ce25c4fcbf271"
	"5849d594b32dfe6744cb4488f4fe13cac4e4b4bc00c5099d2f7c4aaabdbd2c55"
	"921abdc2ac3cae5e205cbbc38068a04ba25251c6898e4265411fe2750d0bf08a"
	"7384889e80502b180e1abc9141a730fb1bb3336e0993fd356e88ec9e89",
	/* s2c_wire: the server's flight */
	"32353020584352595054204f4b0d0a0070ca4a705f1dfe0eb3c2d9659821d2f3"
	"4f4f6f9bb6030e0a2564741d413a6f634d8abc2ef8f2532f0ec84ecdcab8dcc4"
	"410ddbfd78d873f13b06d458539ea5079b4662254046f3a9f5f59b01d47a5f93"
	"87345112992b35ea9f09a6e0b0f79ead0eed08c25b66fcd468b26cef4508ccda"
	"7c",
	/* c2s_text */
	"MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\n"
	"DATA\r\n",
	/* s2c_text */
	"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	"354 End data with <CR><LF>.<CR><LF>\r\n",
	/* c2s_line */ "XCRYPT OK\r\n",
	/* s2c_line */ "250 XCRYPT OK\r\n",
	/* c2s_flight_len */ 125,
	/* s2c_flight_len */ 129,
    },
    /* arrsyfor_1.0, a shared value with a leading zero octet */
    {
	/* suite */ "arrsyfor_1.0",
	/* xa */
	"1ef984abf52522d7392dca98a675820e55a77084ec34519c14bea75586de98c0"
	"91d6ba1afabcdd0677bd640c9f696d08fb7d52974d409015ce849247796ee666"
	"65ee4bd6174de504afdfb7e6b22f8bfac61e86460fec0c739357906d0ce4c012",
	/* xb */
	"b9c72edc407818c7060df18b08409f4daec1f5cc799ba992ee11e36442ad3930"
	"d946af28905003a8fb431b8a94779bbfed4f7ef7bd8692dfaa3e7e130ebf1db4"
	"6f5e59c684fc3e3d9e7e3fd4b8a8e2e38fc905acc73744a72e4da6853e10f470",
	/* command */
	"XCRYPT arrsyfor_1.0 fiF58AvimGb4dPZOGGp1MP7Y9K1RknedUmOiS+KRF6du"
	"LT7DPTuPvkbmsQ5HDks2kktrWtZq5FgufW8nW2oCE6Ou254VuoqfX182qRsAZZOK"
	"vtqzzsKhZDRmZv9sRvR/ v23iU1zHoIJqww==",
	/* reply */
	"250 XCRYPT wX2SXpPLc5eDLPo2jW79CvTu2vaFB2y4JJoggxkaok8ipm9/2bilu"
	"96PzuLlN5Jz43zabtprgRdqph438YIoTRAal994ShouDFrLdlX4Y3S9zn1h9qAy8"
	"hwEw5Gpd98Z gryk1cdsygv0EA==",
	/* na */ "bf6de2535cc7a0826ac3",
	/* nb */ "82bca4d5c76cca0bf410",
	/* z */
	"002fd68472f2d80708b3d18b52296aa4cc25165a3cc9a2cdd042258189c5e0b4"
	"abf21073c1962dd5cc9c08d7f6fafac346dc5ef3255e146a1f97801c5908f3e0"
	"d7ec55d05735aa51cea3157b4e8b61e34cf16c84ecaaa31afa87e46388d3f207",
	/* k */ 0,
	/* c2s_key */ "3b77a4c48a8df95824a9",
	/* s2c_key */ "41b6d10d277211f64484",
	/* c2s_wire */ 0,
	/* s2c_wire */ 0,
	/* texts, lines, flight lengths */ 0, 0, 0, 0, 0, 0,
    },
};

#endif
