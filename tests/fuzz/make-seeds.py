#!/usr/bin/env python3
# make-seeds.py - write the seed corpora of tests/fuzz (run once, committed)
#
# Usage: tests/fuzz/make-seeds.py TOP
#
# Seeds come from the worked examples of XCRYPT-PROTOCOL.md section 9
# (copied into tests/unit/t_spec9.h), from the record layout of
# xc_cache(3), and from the tdb fixtures of tests/fixtures plus one
# valid cache file made by build/tools/xc_cache_fill (when built).
import hashlib, os, re, shutil, subprocess, sys, tempfile

top = sys.argv[1] if len(sys.argv) > 1 else "."
corp = os.path.join(top, "tests/fuzz/corpus")

def put(target, name, data):
    d = os.path.join(corp, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

spec = re.sub(r'"\s*\n\s*"', '', open(os.path.join(top, "tests/unit/t_spec9.h")).read())
cmds = re.findall(r'"(XCRYPT [a-z0-9_.]+ [A-Za-z0-9+/=]+ [A-Za-z0-9+/=]+)"', spec)
replies = re.findall(r'"250 (XCRYPT [A-Za-z0-9+/=]+ [A-Za-z0-9+/=]+)"', spec)
suites = ["arrsyfor_1.0", "sober128_1.0", "chacha20poly1305_2.0"]
suite_ids = suites + ["chacha20poly1305_2.1"]	# XC_SUITE_* order

# fz_command: octet 0 = offered list (0x80: every suite), then the line.
for i, c in enumerate(cmds):
    put("fz_command", "spec%d" % i, "\x80" + c)
    put("fz_command", "spec%d_offered_other" % i, "\x01" + c)
for i, c in enumerate(["XCRYPT OK", "xcrypt fail", "XCRYPT", "XCRYPT OK extra",
                       "MAIL FROM:<a@b>", "XCRYPTX y", "XCRYPT\0OK",
                       "XCRYPT sober128_1.0 AAAA AAAA", "XCRYPT  ok"]):
    put("fz_command", "line%d" % i, "\x87" + c)

# fz_ehlo: the text after "250-".
for i, t in enumerate(["XCRYPT " + " ".join(suites), "XCRYPT",
                       "xcrypt chacha20poly1305_2.1 chacha20poly1305_2.0 x_9.9",
                       "XCRYPT\tarrsyfor_1.0\tarrsyfor_1.0", "PIPELINING",
                       "XCRYPT chacha20poly1305_2.0 sober128_1.0 arrsyfor_1.0 a b c d"]):
    put("fz_ehlo", "kw%d" % i, t)

# fz_reply: octet 0 = suite index, then the text after "250 ".
for i, r in enumerate(replies):
    sid = [s for s in suite_ids if s in cmds[i]][0] if i < len(cmds) else suites[0]
    put("fz_reply", "spec%d" % i, chr(suite_ids.index(sid)) + r)
put("fz_reply", "short", "\x02XCRYPT AAAA")

# fz_b64: octet 0 = wanted length (>= 200: 256), then the text.
import base64
for n in (0, 1, 2, 3, 10, 16, 96):
    put("fz_b64", "len%d" % n, bytes([n]) + base64.b64encode(bytes(range(n))))
put("fz_b64", "len256", bytes([200]) + base64.b64encode(bytes(i % 256 for i in range(256))))
put("fz_b64", "badpad", b"\x01QQ==")

# fz_stream: octet 0 suite, octet 1 read sizes, then operations.
def rec(n): return bytes([0, n >> 8, n & 255])
put("fz_stream", "one_record", b"\x02\x44" + rec(14))
put("fz_stream", "three_records", b"\x02\x05" + rec(31) + rec(0) + rec(200))
put("fz_stream", "full_records", b"\x02\x66" + rec(16384) + rec(16384) + rec(1))
put("fz_stream", "tampered_after_good", b"\x02\x77" + rec(14) + rec(33) + rec(15) + b"\x02\x00\xa0")
put("fz_stream", "truncated", b"\x02\x11" + rec(100) + b"\x03\x05")
put("fz_stream", "swapped", b"\x02\x22" + rec(10) + rec(20) + b"\x04")
put("fz_stream", "replayed", b"\x02\x33" + rec(10) + b"\x05")
put("fz_stream", "raw_garbage", b"\x02\x44" + rec(10) + b"\x01\x04\x00\x30\xff\xff")
put("fz_stream", "keystream", b"\x00\x12" + rec(50) + rec(7))
put("fz_stream", "keystream_sober", b"\x01\x21" + rec(50) + b"\x02\x00\x03")

# fz_cache_record: octet 0 (bit 0: ask for pair and Z; high nibble: peer
# limit - 1), then records kind, length (2), value. The fixed pair and
# peer of the target (private exponents 0x31+i and 0x77^i, 96 octets).
P = int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
        "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
        "4FE1356D6D51C245E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF", 16)
priv = bytes((0x31 + i) & 255 for i in range(96))
opriv = bytes(0x77 ^ i for i in range(96))
pub = pow(2, int.from_bytes(priv, "big"), P).to_bytes(96, "big")
peer = pow(2, int.from_bytes(opriv, "big"), P).to_bytes(96, "big")
z = pow(int.from_bytes(peer, "big"), int.from_bytes(priv, "big"), P).to_bytes(96, "big")
now = 1700000000
def be(v, n): return v.to_bytes(n, "big")
pair = (b"XC\x01P\x00\x00" + be(96, 2) + be(now - 10, 8) + priv + bytes(160)
        + pub + bytes(160))
fp = lambda v: hashlib.sha256(v).digest()[:8]
zrec = b"XC\x01Z\x00\x00\x00\x00" + be(now - 5, 8) + fp(pub) + fp(peer) + z + bytes(160)
stats = b"XC\x01S\x00\x00\x00\x00" + be(3, 8) + be(2, 8) + be(1, 8)
peers = b"XC\x01N\x00\x00\x00\x00" + be(1, 8)
def r(kind, val): return bytes([kind]) + be(len(val), 2) + val
put("fz_cache_record", "valid_hit", b"\x31" + r(0, pair) + r(2, zrec) + r(3, stats) + r(4, peers))
put("fz_cache_record", "valid_list", b"\x30" + r(0, pair) + r(2, zrec) + r(3, stats))
bad = bytearray(pair); bad[8:16] = be(1 << 63, 8)
put("fz_cache_record", "pair_time_2p63", b"\x30" + r(0, bytes(bad)) + r(2, zrec))
badz = bytearray(zrec); badz[8:16] = be(1 << 63, 8)
put("fz_cache_record", "z_time_2p63", b"\x31" + r(0, pair) + r(2, bytes(badz)))
put("fz_cache_record", "peer_limit_full", b"\x01" + r(0, pair) + r(4, be(0, 0) + b"XC\x01N\x00\x00\x00\x00" + be(1, 8))
    + bytes([5, 10, 0]) + b"z:oakley1:" + bytes([1, 0, 0]) + b"" + r(3, stats))

# fz_cache_file: the fixtures, and a valid file from xc_cache_fill.
for f in sorted(os.listdir(os.path.join(top, "tests/fixtures"))):
    if f.endswith(".tdb"):
        put("fz_cache_file", f, open(os.path.join(top, "tests/fixtures", f), "rb").read())
fill = os.path.join(top, "build/tools/xc_cache_fill")
if os.access(fill, os.X_OK):
    d = tempfile.mkdtemp()
    subprocess.run([fill, d + "/c.tdb", "2"], stdout=subprocess.DEVNULL, check=True)
    # A transaction leaves the file at some 900 kB; a dump restored into
    # a new file holds the same records in a few kB.
    subprocess.run("tdbdump %s/c.tdb | tdbrestore %s/small.tdb" % (d, d),
                   shell=True, check=True)
    put("fz_cache_file", "valid_cache.tdb", open(d + "/small.tdb", "rb").read())
    shutil.rmtree(d)
put("fz_cache_file", "empty", b"")

# fz_client_reply: octet 0 bit 7 clear = suite index, then the reply
# text (as fz_reply), with Kb at the edges of the range for oakley1;
# bit 7 set = the 2.1 confirmation read: read sizes, then operations
# (0 hi lo: record; 1 n octets: raw; 2 hi lo: flip; 3 n: truncate).
for i, r in enumerate(replies):
    sid = [s for s in suite_ids if s in cmds[i]][0] if i < len(cmds) else suites[0]
    put("fz_client_reply", "spec%d" % i, chr(suite_ids.index(sid)) + r)
nonce10 = base64.b64encode(bytes(range(10))).decode()
for name, kb in (("kb_0", 0), ("kb_1", 1), ("kb_2", 2), ("kb_p_minus_2", P - 2),
                 ("kb_p_minus_1", P - 1), ("kb_p", P)):
    put("fz_client_reply", name, "\x00XCRYPT " + base64.b64encode(
        kb.to_bytes(96, "big")).decode() + " " + nonce10)
def raw(b): return bytes([1, len(b)]) + b
ok = b"250 XCRYPT OK\r\n"
put("fz_client_reply", "confirm_ok_records", b"\x80\x44" + raw(ok) + rec(14) + rec(300))
put("fz_client_reply", "confirm_ok_lf_only", b"\x80\x05" + raw(b"250 xcrypt ok\n") + rec(20))
put("fz_client_reply", "confirm_fail", b"\x80\x66" + raw(b"454 4.7.0 XCRYPT FAIL\r\n") + rec(5))
put("fz_client_reply", "confirm_other_line", b"\x80\x11" + raw(b"250 XCRYPT OKAY\r\n") + rec(5))
put("fz_client_reply", "confirm_tampered", b"\x80\x77" + raw(ok) + rec(40) + rec(40) + b"\x02\x00\x30")
put("fz_client_reply", "confirm_no_line", b"\x80\x22" + rec(10))
put("fz_client_reply", "confirm_truncated", b"\x80\x33" + raw(ok) + rec(100) + b"\x03\x07")

# fz_smtpd_stream: octet 0 configuration (bits 0-1 bare LF mode, bit 2
# XCRYPT offered, bits 3-4 suites, bit 5 no prelude, bit 6 short lines),
# then chunks: octet h (bit 7: smtpd, else client; low 7 bits length,
# 0: 128 + 4 * next octet), then the octets.
def chunk(flag, b):
    if isinstance(b, str):
        b = b.encode("latin-1")
    out = b""
    while b:
        n = min(len(b), 127)
        out += bytes([flag | n]) + b[:n]
        b = b[n:]
    return out
def c(b): return chunk(0, b)
def s(b): return chunk(0x80, b)
TX = "MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\n"
put("fz_smtpd_stream", "data_plain", b"\x04" + c(TX + "DATA\r\n") + s("250 a\r\n250 b\r\n354 c\r\n")
    + c("hello\r\nXCRYPT OK\r\n.") + c("\r\n") + s("250 q\r\n") + c("XCRYPT OK\r\nQUIT\r\n") + s("221 bye\r\n"))
put("fz_smtpd_stream", "data_bare_lf_normalize", b"\x05" + c(TX + "DATA\r\n") + s("250 a\r\n250 b\r\n354 c\r\n")
    + c("x\n.\nXCRYPT FAIL\r\n.\r\n") + s("250 q\r\n"))
put("fz_smtpd_stream", "data_bare_lf_reject", b"\x06" + c(TX + "DATA\r\n") + s("250 a\r\n250 b\r\n354 c\r\n")
    + c("x\n.\nXCRYPT OK\r\n.\r\n") + s("550 bare\r\n"))
put("fz_smtpd_stream", "data_bare_lf_excluded", b"\x07" + c(TX + "DATA\r\n") + s("250 a\r\n250 b\r\n354 c\r\n")
    + c("x\n.\n") + s("250 q\r\n"))
put("fz_smtpd_stream", "bdat_chunks", b"\x0c" + c(TX + "BDAT 11\r\nXCRY") + c("PT OK\r\nBDAT 3 LAST\r\nab")
    + c("c") + s("250 a\r\n250 b\r\n250 c\r\n250 d\r\n") + c("XCRYPT OK\r\n"))
put("fz_smtpd_stream", "bdat_huge_count", b"\x04" + c("MAIL FROM:<a@x>\r\n") + s("250 a\r\n")
    + c("BDAT 9223372036854775807 LAST\r\nxyz"))
put("fz_smtpd_stream", "auth_starttls", b"\x14" + c("AUTH PLAIN\r\n") + s("334 \r\n") + c("XCRYPT OK\r\n")
    + s("235 ok\r\n") + c("STARTTLS\r\n") + s("220 go\r\n") + c("\x16\x03\x01XCRYPT OK\r\n"))
put("fz_smtpd_stream", "pregreet_tls", b"\x24" + c("\x16\x03\x01\x02\x00hello\r\n") + s("\x16\x03\x03srv\n"))
put("fz_smtpd_stream", "pregreet_plain", b"\x24" + c("EHLO c\r\n") + s("220 mx\r\n250-mx\r\n250 PIPELINING\r\n"))
put("fz_smtpd_stream", "long_lines", b"\x44" + c("NOOP " + "x" * 100 + "\r\n") + s("250 ok\r\n")
    + c("XCRYPT OK" + " " * 80 + "\r\n") + c("BDAT 5 LAST" + " " * 70 + "\r\nhello") + s("500 long\r\n"))
put("fz_smtpd_stream", "smtpd_bye", b"\x04" + c("NOOP\r\n") + s("421 4.3.2 bye\r\n") + c("MAIL FROM:<a@x>\r\n"))
put("fz_smtpd_stream", "error_flood", b"\x04" + c("XCRYPT OK\r\n" * 25))
# Handshakes with the spec's client commands: the engine answers with a
# real 250 XCRYPT Kb Nb; then XCRYPT OK switches, or XCRYPT FAIL.
for i, cmd in enumerate(cmds):
    sid = [x for x in suite_ids if x in cmd][0]
    conf = 0x04 | ({"chacha20poly1305_2.0": 0, "arrsyfor_1.0": 1, "sober128_1.0": 1,
                    "chacha20poly1305_2.1": 2}[sid] << 3)
    put("fz_smtpd_stream", "handshake%d_ok" % i, bytes([conf]) + c(cmd + "\r\n")
        + c("XCRYPT OK\r\nMAIL FROM:<evil@x>\r\n") + c("MAIL FROM:<a@x>\r\n") + s("250 a\r\n")
        + c("BDAT 5 LAST\r\nhello") + s("250 q\r\n"))
    put("fz_smtpd_stream", "handshake%d_fail" % i, bytes([conf]) + c(cmd + "\r\n")
        + c("XCRYPT FAIL\r\n") + c(cmd + "\r\nNOOP\r\n") + s("250 ok\r\n"))
