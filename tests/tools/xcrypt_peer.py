#!/usr/bin/python3
"""xcrypt_peer.py - an independent XCRYPT peer, written from the spec only

Usage:
    /usr/bin/python3 xcrypt_peer.py --selftest
    /usr/bin/python3 xcrypt_peer.py client HOST PORT [options]
    /usr/bin/python3 xcrypt_peer.py server PORT --out DIR [options]

An implementation of /work/shared/XCRYPT-PROTOCOL.md that shares no code
with the project's C programs: Diffie-Hellman with pow() over the groups
of the spec (Oakley group 1, RFC 3526 group 14), strict base64, the SHA-1
and HKDF-SHA-256 key derivations, RC4 in pure Python, SOBER-128 from the
system's libtomcrypt (ctypes), and
the padded ChaCha20-Poly1305 record layer (the AEAD from the cryptography
package). It serves as an interoperability and hostile peer for the
integration tests:

--selftest	checks every worked example of spec section 9.

client		connects, EHLO, runs the XCRYPT handshake with --suite, switches
		and sends EHLO/MAIL/RCPT/DATA/QUIT encrypted. With suite
		chacha20poly1305_2.1 it sends XCRYPT OK and MAIL/RCPT/DATA in
		one flight and checks the plaintext 250 XCRYPT OK in front of
		the protected replies (4.5; --no-pipeline waits instead). It prints the
		conversation ("-> "/"<- " in clear, "*> "/"<* " protected) and
		exits non-zero on any unexpected reply. Hostile options: --ka
		{0,1,pm1,p}, --bad-b64, --ka-len, --nonce-len, --unoffered,
		--fail, --inject TEXT, --tamper, --bad-record-length,
		--before-ehlo, --in-transaction, --no-confirm, --again
		(--inject with 2.1: plaintext where the records go);
		--lower sends the XCRYPT commands in lower case.

server		listens on 127.0.0.1:PORT, offers "XCRYPT --suites" and accepts
		messages, in clear or encrypted; each message goes to
		DIR/msg-N.eml with DIR/msg-N.meta (mode, suite, envelope); every
		session event goes to DIR/events.log. Hostile behaviour with
		--hostile MODE while --hostile-file exists (or for the first
		--hostile-count connections); fail-ok answers XCRYPT OK with
		454 4.7.0 XCRYPT FAIL and closes (4.5). With suite 2.1 the
		octets that came with XCRYPT OK are protected input, and
		events.log says how many ("ahead=N").
		--auth USER:PASS offers AUTH PLAIN LOGIN and accepts those
		credentials (events: "auth ok user=U mode=xcrypt|plaintext").
		--hostile pause waits 1.5 s before it answers XCRYPT and
		XCRYPT OK and logs the octets that arrived meanwhile ("early
		after xcrypt N", "early after ok N": a client must end its
		pipelined group with each). --hostile endless-xcrypt answers
		XCRYPT with "250-" lines that never end and logs how much it
		sent ("endless sent N") when the client hangs up.
		--hostile close-after-hello closes the connection right
		after its "250 XCRYPT Kb Nb" reply. --hostile reclen-low,
		reclen-high and reclen-misaligned answer the first command
		inside XCRYPT with a record whose length is out of range and
		log whether the client closed without another octet. Exits
		after --max-time seconds.
"""

import argparse
import base64
import binascii
import ctypes
import hashlib
import hmac
import os
import re
import secrets
import select
import signal
import socket
import struct
import sys
import threading
import time

# --- Groups (spec section 3) ------------------------------------------

P768 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF", 16)

# RFC 3526 section 3, 2048-bit MODP group.
P2048 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)

G = 2

# suite -> (prime, octet length of p, nonce octets, exponent bits)
SUITES = {
    "arrsyfor_1.0": (P768, 96, 10, 768),
    "sober128_1.0": (P768, 96, 10, 768),
    "chacha20poly1305_2.0": (P2048, 256, 16, 256),
    "chacha20poly1305_2.1": (P2048, 256, 16, 256),
}

# Suites whose confirmation may be pipelined with protected octets (4.5).
PIPELINED = ("chacha20poly1305_2.1",)
AEAD = ("chacha20poly1305_2.0", "chacha20poly1305_2.1")


class ProtocolError(Exception):
    """A violation by the peer: the connection must be closed."""


# --- Encodings (spec section 4) ---------------------------------------

def b64enc(b):
    return base64.b64encode(b).decode("ascii")


def b64dec_strict(s, want_len):
    """Strict RFC 4648 base64 of exactly want_len octets, or None."""
    if not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", s) or len(s) % 4:
        return None
    try:
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None
    if b64enc(raw) != s or len(raw) != want_len:
        return None
    return raw


def i2b(x, n):
    return x.to_bytes(n, "big")


def pubkey_ok(y, p):
    return 2 <= y <= p - 2


# --- Key derivation (spec section 5) -----------------------------------

def kdf_sha1(z, na, nb):
    k = hashlib.sha1(z + na + nb).digest()
    return k[:10], k[10:]


def hkdf_expand(prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


def kdf_hkdf(z, na, nb, version):
    prk = hmac.new(na + nb, z, hashlib.sha256).digest()
    return (hkdf_expand(prk, b"XCRYPT %s c2s" % version, 32),
            hkdf_expand(prk, b"XCRYPT %s s2c" % version, 32))


def derive(suite, z, na, nb):
    if suite in AEAD:
        return kdf_hkdf(z, na, nb, suite.rsplit("_", 1)[1].encode())
    return kdf_sha1(z, na, nb)


# --- Traffic protection (spec section 6) --------------------------------

class RC4:
    """arrsyfor: RC4 keystream from its first octet (6.1)."""

    def __init__(self, key):
        s = list(range(256))
        j = 0
        for i in range(256):
            j = (j + s[i] + key[i % len(key)]) & 0xFF
            s[i], s[j] = s[j], s[i]
        self.s, self.i, self.j = s, 0, 0

    def crypt(self, data):
        s, i, j = self.s, self.i, self.j
        out = bytearray(len(data))
        for n, c in enumerate(data):
            i = (i + 1) & 0xFF
            j = (j + s[i]) & 0xFF
            s[i], s[j] = s[j], s[i]
            out[n] = c ^ s[(s[i] + s[j]) & 0xFF]
        self.i, self.j = i, j
        return bytes(out)


class Sober128:
    """SOBER-128 keystream (Hawkes and Rose 2003), key setup without IV,
    from the first octet (6.2). The cipher itself comes from the system's
    libtomcrypt through ctypes (its tables are not reproduced here); the
    suite's keying (10 key octets and two zero octets, no IV) and the
    framing around it are this file's own."""

    _lib = None

    def __init__(self, key):
        if Sober128._lib is None:
            Sober128._lib = ctypes.CDLL("libtomcrypt.so.1")
        self.st = ctypes.create_string_buffer(4096)
        if Sober128._lib.sober128_stream_setup(self.st, bytes(key),
                                               ctypes.c_ulong(len(key))):
            raise ValueError("sober128_stream_setup failed")

    def crypt(self, data):
        data = bytes(data)
        out = ctypes.create_string_buffer(max(len(data), 1))
        if Sober128._lib.sober128_stream_crypt(self.st, data,
                                               ctypes.c_ulong(len(data)), out):
            raise ValueError("sober128_stream_crypt failed")
        return out.raw[:len(data)]


class StreamLayer:
    """A keystream cipher per direction (suites 1.0)."""

    def __init__(self, suite, send_key, recv_key):
        mk = RC4 if suite == "arrsyfor_1.0" else (
            lambda k: Sober128(k + b"\0\0"))
        self.tx, self.rx = mk(send_key), mk(recv_key)

    def seal(self, data):
        return self.tx.crypt(data)

    def open(self, raw):
        """Returns the plaintext of raw (all of it)."""
        return self.rx.crypt(raw)


MAXDATA = 16384


class RecordLayer:
    """chacha20poly1305_2.0 and 2.1 records (6.3)."""

    def __init__(self, send_key, recv_key):
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
        self.tx, self.rx = ChaCha20Poly1305(send_key), ChaCha20Poly1305(recv_key)
        self.txseq = self.rxseq = 0
        self.pending = b""

    @staticmethod
    def nonce(seq):
        return b"\0\0\0\0" + struct.pack(">Q", seq)

    def seal_one(self, data):
        body = struct.pack(">H", len(data)) + data
        body += b"\0" * (-len(body) % 32)
        length = struct.pack(">H", len(body) + 16)
        sealed = self.tx.encrypt(self.nonce(self.txseq), body, length)
        self.txseq += 1
        return length + sealed

    def seal(self, data):
        out = b""
        while True:
            out += self.seal_one(data[:MAXDATA])
            data = data[MAXDATA:]
            if not data:
                return out

    def open(self, raw):
        """Buffers raw; returns the data of every complete record."""
        from cryptography.exceptions import InvalidTag
        self.pending += raw
        out = b""
        while len(self.pending) >= 2:
            n = struct.unpack(">H", self.pending[:2])[0]
            if n < 48 or n > MAXDATA + 48 or (n - 16) % 32:
                raise ProtocolError("record length %d out of range" % n)
            if len(self.pending) < 2 + n:
                break
            rec, self.pending = self.pending[2:2 + n], self.pending[2 + n:]
            try:
                body = self.rx.decrypt(self.nonce(self.rxseq), rec,
                                       struct.pack(">H", n))
            except InvalidTag:
                raise ProtocolError("record tag does not verify")
            self.rxseq += 1
            dl = struct.unpack(">H", body[:2])[0]
            if dl > len(body) - 2 or dl > MAXDATA:
                raise ProtocolError("datalen exceeds the body")
            if any(body[2 + dl:]):
                raise ProtocolError("padding not zero")
            out += body[2:2 + dl]
        return out


def make_layer(suite, send_key, recv_key):
    if suite in AEAD:
        return RecordLayer(send_key, recv_key)
    return StreamLayer(suite, send_key, recv_key)


# --- DH ------------------------------------------------------------------

def dh_keypair(suite):
    p, plen, _, bits = SUITES[suite]
    while True:
        x = secrets.randbits(bits) | 1 << (bits - 1)
        y = pow(G, x, p)
        if pubkey_ok(y, p):
            return x, y


def shared(suite, x, y):
    p, plen = SUITES[suite][:2]
    return i2b(pow(y, x, p), plen)


# --- Self test against spec section 9 ------------------------------------

EXAMPLES = [
    dict(suite="arrsyfor_1.0",
         xa="600312c555a92c9a099da45b043417bd7fa2aa3e0f77e3ba1767a35820a9f1af1e971d38cf7fc6b5311b5033ed70fc85f138a54cbe0f27f93b74d0ccab5efe5fb69ed0854af08f3491c84ab20889b8409a6c2e0c90f85ee9a529f4c4a3c9262c",
         xb="ea9ea645b06866820a3e53d771eff8bdd4f0244e9d3421de8edd6558eb6cc61018fd1e73ff1e7af59aa70850a4cabb79a9adeb18c5ca9354b159391a8fde4621a00ee42a777f07baa32cd46182afdcafad49e1a1f470b6687ed5385859b17409",
         cmd="XCRYPT arrsyfor_1.0 9wNdu/CbzsIZcKBbkn34KcfKgB1CZICYTZ6scW4CSiFXwbMZvTfqnXSr8kuKT2RlNc0uenAhQyKs2z6z8U+NVn5sUT4Y4Qf0lbqEJj2DqP/p1/4XCpkfL2KtpgB1Xhd/ mP64gsVRHa25Qg==",
         reply="250 XCRYPT m42NCoGDiBwHvBVUE7m8ZsmFDyTXsr9tv3nQP4Cn5BM8lzDNYAufkAWYuF981eRV2A6xO4ivlvN/fBhHkHp4zL7uAtLaAcpdHjz+8PQpSS6mbOko3/hXfNk3r+Qqh1PV gjiSpU06BTKRDQ==",
         na="98feb882c5511dadb942", nb="823892a54d3a0532910d",
         z="8e8ed8e14fd4b9960664be951180ff9c5fd8190c92353d6da8235fe93d54c93d27ab8e594657e9c7df1c8c3b57a35bdbffb9792c2cfc3bdf440b4b855aceb1d6d417de72635be03429333f57a716b463d17bdd33ef98cafce453641716d0ed17",
         c2s="35fbb0a193221892d1b3", s2c="02792d42d2709930eb5d",
         wire_c="bcf40b3698b438b649f4642653bc087181026f7337adb200b78f5fe24cde2c",
         wire_s="a638147669e3cfa07f5cb87c91b0"),
    dict(suite="sober128_1.0",
         xa="a2801e56665f246ab168036f9e24cc021979dc7c316bba9a4931aeaea7abaf75ff4e7473703e8a251d0d21b04c5747aa170adb4c09a736bc92183e4eb6baa212f24637861fc1f7813ecaca7fa4954006020962f171d1db1a86d5172465a43276",
         xb="04519f00b6feb6718147d6612b5356866354e8d2502c9f2f40f8fb06ac58c0de6302d71520e1dc3a6e1745542f739c4f2cc993cb683bd5df25457c89f9e5ca19c1e13133093ee9b50316faeceba267ab4a85726ea4f8713705f2c0e629458fca",
         cmd="XCRYPT sober128_1.0 /7iZ8U8OvL4Q8dxzScEcnhjOOW/A6BpnYtuTmT3wkt2uPTPWEI76miWIcakxy+x1MBUeoHpv0WvjkmSLA74dIHh3i3h8kDqOp1z78rNaNs/3a7ZSCkXMhzQBtPxFV6ka OV9pJO/Io4SIeQ==",
         reply="250 XCRYPT TphuKcrgPGUULzQkImfKfrPK8ovxABdRVI9GjYeht/2m49FiqprTFVPO9EWYQPAgZusFceOcywtXIeZ1Bc4F7gcl8jFAi7+E/UH5av00ybIuPeBIjAILGHHC/okrZ6bl Ablsucd+1yRPkA==",
         na="395f6924efc8a3848879", nb="01b96cb9c77ed7244f90",
         z="df7fabe093efd20b726cc806d77b4bf857d019425b1432a78cb5bf7173ebc6560f96042ad6f60df397255723fd556484003f9f7ff6a79e5b84f4a950c6de8fd1adce2cdf57d744622a6c454db0031e0bb7afe6eee4b25ccc744b51d821c49e21",
         c2s="1ee08e637ef045da3005", s2c="076fb855acb6aa7625de",
         wire_c="7e34faaae4e11f0744940afee4604ff1327b73ff97b32c9c879c30e447605c",
         wire_s="9bc77c46a4b74e5498503f505021"),
    dict(suite="chacha20poly1305_2.0",
         xa="d2b4fa304e77e92e4917d4c61fa3a22ae3c131a2280219dd98e227114c7497cb",
         xb="7982b66a68d289eb5d698920dc721face186d8669a5727fe659d45e4b1bfd826",
         cmd="XCRYPT chacha20poly1305_2.0 WJ7sNIU8n8S/oIILHqMJGVKLcZqyIwT8KIegonkl0jxIm1tFAcT0OgaoSXv+suLAhnDqV2HJrYCF3x5YM4LKWKwWHyfSZDUwtf4rZux2oX0hFvc9pgnPnAMpsobkiyqnOqKgO9GdscjRCpn4C3FgPjjROcJcN8MYqR8jJKfumPc82FMkQ8LjMXxEU5/tC7591W7h+1ncWtz84llgDFFOIrNvjpvC/4hATRT3zpKyerO91OiQaaYPLuwyAHtytit8o+4p8xOgmyTK6CVN9V1G9beFx2hS7z2lTFA8C7uiq4x+Pa9GzzatX8ER6dEN/w+9MP5h6vfuealyxQmWr/JIpQ== 1+6Wk5aBxPxWrEp5ubir+A==",
         reply="250 XCRYPT 5soEJY1YoMjgYYhxiP34V8wLYkvO//Rd4ptk9SYFk0FeXAkwr3Khs3Upx/bGp/PGnOtoMP0mk1H91DX+EBrqgrb9SgH8XS5B4iNxyhBnwlfHULE1IID0aC78z+01bpco2xb9OHFxUbZEkFOxHOQurvx9TLqp1sUOZEJSzADg+TDaauw4cA5T2WtZYeLAGJpXLWm+OE7uMczGY+dYwYmoqg7MGGr6wPJIWQuLgMdTHCfjQs2rDLK/l/42W++xRU+hOD74QY/VwCAc6nrt0bgxQ9rY8T7m9SaohldoUFc34sUO8+dzUbGWAouqB53ThQ6QOaIjw88qZOMVP9xSFiekPA== 2WyusidV6i3MzCIYGs/URA==",
         na="d7ee96939681c4fc56ac4a79b9b8abf8", nb="d96caeb22755ea2dcccc22181acfd444",
         z="ca8b25fb641fde5c303438fc0c262b3c4db0a56edf7ae753281c6ace30e6c5aec5a2a423725c6c49fb96590527fe7551e1f79d00b645ecc08c05f193e6bab182e0e4740bd83f09030816fbfc006c874e52012c2212d942b9364c4f8bb4dcfcb71c0a32f1ea714f7dd52804976a20924a56300b9d7c39e78930c811f4d14607ccb37cf26dbccd06e4ce750703e9952695ea354b7bf8fe292f58aac138fdd722a6f849c46457129b2cadb495523a28487ca3a27be7b1bc27105cd339ff95d919ab4c0e47562bcfde19b6bf0f13faf2825c465649260a0a5e7af367ede20eaa680561072efbe5e514586271cdb61b201609f5b814a211d1a4a57c87bbed646e39f5",
         c2s="9c9335e1c7fd002f990680494c51927e39a1b861207528289389eb31f956123d",
         s2c="2b838f5ea40a572f23f6778e4b58ef40ae91ec778a98c8ce05fe15bfc4dc5783",
         wire_c="00507c397cdd34daf8f95959928eccfda24fc8c448625e634f043f311511b30da4cc2bf4c617e71e9d2ed29fa2c67ab60fe4d25d3122b730ed7a893f820e1ee94d53726a4fb6c819ef7a1d447465f718b938",
         wire_s="0030015d6db9134531d77f4d629848ea743cf3276a561536635770ea77952122fad4f8e9618f57c3bb7861d1a600f6af64a6"),
    dict(suite="chacha20poly1305_2.1", name="chacha20poly1305_2.1_pipelined",
         xa="46a4fc021b1c1f015bc328da5b658fb9db207b43cbc43ff214e2f0336b8cad40",
         xb="f0470a432121038020fbec1b32d0bfcf163fb156a51f164a34e11b2427867098",
         cmd="XCRYPT chacha20poly1305_2.1 wvHiPRJfwD32EuJFfX7OFtkJF+5H8tu66G9jiVKRqW0ckRtW2fnV560r+IVJkrkkN3cgunYM24v476n6oV/4gi2BdxdPGdSIupuJ59zg7MN4w6/uZqhD+oLbVRqyibaHZg4Gh6MwkeAif1qrhAKbZcdnruzWm27ff4iTjH/auop0jl04WVmOm3l1QRxtcBxtjLzEoAESiEoNTTeVDcRyt7shsOKNTmHdomfpqCaVfsdThhRPnZNUPeYc2PosGbnW6QURKbaDvjIQehR0gCB+t9UDEJK25iAxdFH+YpJtSotjxIAehLYvzmO3aheSMwjmjMgC1kIgQ08GIGp5DourVg== J0KOmmvJaRs4r9I4t2+Gzw==",
         reply="250 XCRYPT 0qlQISTH8gvb+dcz/JTLz1RiHRUmoJJxAj9Y9+GrSvqIN7iTt8vu4AL5+xYKIqLOHg0ABqHai24pavkh3+Kk0Oa9dfpqNZ8w/XFpEkyOONLXQ9uiGJfe0WwumRwaR6AIBpbt8qN4sf+7Bn7RxQoNVok/HYgb4v4O6WctrR1kcU76jlsF6/RI/DZdBNwhldRrBNncrjsO5dYLGV6ZVrxzgqIO4Yjb9jxbeSvkB95HkIZ2e5IHHEIeQWPckUyrFqweNSMiz/IN9AArEKbeku2mH6FnApfhLRDI7ze1AaBXpmT/DozBxZ9bqGG76YF5DiHpWFCWjD0sQqXslq5hvaU6EA== CnouPcvAFP/zH6+oLSpD5Q==",
         na="27428e9a6bc9691b38afd238b76f86cf", nb="0a7a2e3dcbc014fff31fafa82d2a43e5",
         z="cdd721c8b7bc4bffd262a3e0b6f8a56c34c6b69508059932c642d8e0940bacaae8b5a7cb357280bb22776c927dc99aea782cca6e2f1724b9cbe698e4fc893ac2d4820c18395e3a0500ad4a567a36f3593f6fc9c8627886e5a3282d95d473d074e015a7fade4f68eb97286ec86daff9ef53d5e1a76d4de051f1910bd59d7315c68cacde763c7a81881798f2ffa7f849bc8895740cd763877282b3ca35dab9cad33a32ae742589ace121a79ea33544c788eded2737b68ea94112296c46475b25a6dc74972b46b2c0897673a4e91a2c1c6f879d6cd8a612db793913471c1d8384cd836c8f49e93b607836e5ee2f9960ef665c9390118a2e9f6a1a9fd1ae15a63f73",
         c2s="27a297bfc274d7376d47dbbd73cbc7b4da1fc014c5d5e81b52c2475d87d53a59",
         s2c="2452dccbb60d5d9b1f122dfcf262f52c6ad1bba4c8ebf7d4ac138bb2a9a06a53",
         text_c=b"MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n",
         text_s=b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n",
         flight_c="584352595054204f4b0d0a00707da8d1f21445ce57abc241639ce25c4fcbf2715849d594b32dfe6744cb4488f4fe13cac4e4b4bc00c5099d2f7c4aaabdbd2c55921abdc2ac3cae5e205cbbc38068a04ba25251c6898e4265411fe2750d0bf08a7384889e80502b180e1abc9141a730fb1bb3336e0993fd356e88ec9e89",
         flight_s="32353020584352595054204f4b0d0a0070ca4a705f1dfe0eb3c2d9659821d2f34f4f6f9bb6030e0a2564741d413a6f634d8abc2ef8f2532f0ec84ecdcab8dcc4410ddbfd78d873f13b06d458539ea5079b4662254046f3a9f5f59b01d47a5f9387345112992b35ea9f09a6e0b0f79ead0eed08c25b66fcd468b26cef4508ccda7c"),
    dict(suite="arrsyfor_1.0", name="arrsyfor_1.0_leading_zero_z",
         xa="1ef984abf52522d7392dca98a675820e55a77084ec34519c14bea75586de98c091d6ba1afabcdd0677bd640c9f696d08fb7d52974d409015ce849247796ee66665ee4bd6174de504afdfb7e6b22f8bfac61e86460fec0c739357906d0ce4c012",
         xb="b9c72edc407818c7060df18b08409f4daec1f5cc799ba992ee11e36442ad3930d946af28905003a8fb431b8a94779bbfed4f7ef7bd8692dfaa3e7e130ebf1db46f5e59c684fc3e3d9e7e3fd4b8a8e2e38fc905acc73744a72e4da6853e10f470",
         cmd="XCRYPT arrsyfor_1.0 fiF58AvimGb4dPZOGGp1MP7Y9K1RknedUmOiS+KRF6duLT7DPTuPvkbmsQ5HDks2kktrWtZq5FgufW8nW2oCE6Ou254VuoqfX182qRsAZZOKvtqzzsKhZDRmZv9sRvR/ v23iU1zHoIJqww==",
         reply="250 XCRYPT wX2SXpPLc5eDLPo2jW79CvTu2vaFB2y4JJoggxkaok8ipm9/2bilu96PzuLlN5Jz43zabtprgRdqph438YIoTRAal994ShouDFrLdlX4Y3S9zn1h9qAy8hwEw5Gpd98Z gryk1cdsygv0EA==",
         na="bf6de2535cc7a0826ac3", nb="82bca4d5c76cca0bf410",
         z="002fd68472f2d80708b3d18b52296aa4cc25165a3cc9a2cdd042258189c5e0b4abf21073c1962dd5cc9c08d7f6fafac346dc5ef3255e146a1f97801c5908f3e0d7ec55d05735aa51cea3157b4e8b61e34cf16c84ecaaa31afa87e46388d3f207",
         c2s="3b77a4c48a8df95824a9", s2c="41b6d10d277211f64484"),
]


def selftest():
    bad = 0

    def t(name, ok):
        nonlocal bad
        print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": mismatch"))
        bad += not ok

    for ex in EXAMPLES:
        suite = ex["suite"]
        name = "peer_selftest_" + ex.get("name", suite)
        p, plen, nlen, _ = SUITES[suite]
        xa, xb = int(ex["xa"], 16), int(ex["xb"], 16)
        na, nb = bytes.fromhex(ex["na"]), bytes.fromhex(ex["nb"])
        ka, kb = pow(G, xa, p), pow(G, xb, p)
        t(name + "_client_command",
          "XCRYPT %s %s %s" % (suite, b64enc(i2b(ka, plen)), b64enc(na)) == ex["cmd"])
        t(name + "_server_reply",
          "250 XCRYPT %s %s" % (b64enc(i2b(kb, plen)), b64enc(nb)) == ex["reply"])
        # parse the example's values back with the strict decoder
        f = ex["cmd"].split()
        t(name + "_strict_decode_ka",
          b64dec_strict(f[2], plen) == i2b(ka, plen) and b64dec_strict(f[3], nlen) == na)
        za, zb = shared(suite, xa, kb), shared(suite, xb, ka)
        t(name + "_shared_value", za == zb == bytes.fromhex(ex["z"]))
        c2s, s2c = derive(suite, za, na, nb)
        t(name + "_keys", c2s.hex() == ex["c2s"] and s2c.hex() == ex["s2c"])
        if "wire_c" in ex:
            cli, srv = make_layer(suite, c2s, s2c), make_layer(suite, s2c, c2s)
            wc = cli.seal(b"MAIL FROM:<alice@example.org>\r\n")
            ws = srv.seal(b"250 2.1.0 Ok\r\n")
            t(name + "_first_client_wire_bytes", wc.hex() == ex["wire_c"])
            t(name + "_first_server_wire_bytes", ws.hex() == ex["wire_s"])
            t(name + "_round_trip",
              srv.open(wc) == b"MAIL FROM:<alice@example.org>\r\n"
              and cli.open(ws) == b"250 2.1.0 Ok\r\n")
        if "flight_c" in ex:
            # 4.5: each flight is the plaintext confirmation line, then
            # record 0 of that direction.
            cli, srv = make_layer(suite, c2s, s2c), make_layer(suite, s2c, c2s)
            fc = b"XCRYPT OK\r\n" + cli.seal(ex["text_c"])
            fs = b"250 XCRYPT OK\r\n" + srv.seal(ex["text_s"])
            t(name + "_client_flight_125_octets",
              fc.hex() == ex["flight_c"] and len(fc) == 125)
            t(name + "_server_flight_129_octets",
              fs.hex() == ex["flight_s"] and len(fs) == 129)
            sc = Conn(None)
            sc.buf = fc[len(b"XCRYPT OK\r\n"):]
            sc.switch_keep(make_layer(suite, s2c, c2s))
            cc = Conn(None)
            cc.buf = fs
            cc.confirm(make_layer(suite, c2s, s2c))
            t(name + "_flights_read_back",
              sc.buf == ex["text_c"] and cc.buf == ex["text_s"])
            t(name + "_keys_differ_from_2_0",
              derive("chacha20poly1305_2.0", za, na, nb) != (c2s, s2c))
    # strictness of the decoder and of the range check
    t("peer_selftest_b64_rejects_bad_char", b64dec_strict("AAA*", 3) is None)
    t("peer_selftest_b64_rejects_missing_pad", b64dec_strict("AAAAAA", 4) is None)
    t("peer_selftest_b64_rejects_wrong_length", b64dec_strict("AAAA", 4) is None)
    t("peer_selftest_b64_rejects_noncanonical", b64dec_strict("AAB=", 2) is None)
    t("peer_selftest_range_check",
      not pubkey_ok(1, P768) and not pubkey_ok(P768 - 1, P768) and pubkey_ok(2, P768))
    # chacha record layer rejects tampering
    a = RecordLayer(b"k" * 32, b"k" * 32)
    rec = bytearray(a.seal(b"hello\r\n"))
    rec[5] ^= 1
    try:
        RecordLayer(b"k" * 32, b"k" * 32).open(bytes(rec))
        t("peer_selftest_record_tamper_detected", False)
    except ProtocolError:
        t("peer_selftest_record_tamper_detected", True)
    return 1 if bad else 0


# --- Connection with an optional protection layer -------------------------

class Conn:
    """Line I/O over a socket, in clear until switch()."""

    def __init__(self, sock, log=None):
        self.sock = sock
        self.layer = None
        self.buf = b""          # plaintext received, not yet consumed
        self.log = log or (lambda s: None)

    def send(self, data):
        if self.layer:
            data = self.layer.seal(data)
        self.sock.sendall(data)

    def send_raw(self, data):
        self.sock.sendall(data)

    def _fill(self):
        raw = self.sock.recv(65536)
        if not raw:
            raise EOFError("connection closed by peer")
        self.buf += self.layer.open(raw) if self.layer else raw

    def readline(self, limit=100000):
        while b"\n" not in self.buf:
            if len(self.buf) > limit:
                raise ProtocolError("line too long")
            self._fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def switch(self, layer):
        """Start protection; octets already buffered beyond the
        confirmation line are discarded (4.3). Returns how many."""
        dropped = len(self.buf)
        self.buf = b""
        self.layer = layer
        return dropped

    def switch_keep(self, layer):
        """Server, suite 2.1 (4.5): octets already buffered beyond the
        XCRYPT OK line are protected input, never discarded."""
        raw, self.buf = self.buf, b""
        self.layer = layer
        self.buf = layer.open(raw)

    def confirm(self, layer, limit=512):
        """Client, suite 2.1 (4.5): read the plaintext reply to the
        pipelined XCRYPT OK; it must be 250 XCRYPT OK. Everything after
        its CRLF is protected (never discarded)."""
        while b"\n" not in self.buf:
            if len(self.buf) > limit:
                raise ProtocolError("reply to XCRYPT OK too long")
            self._fill()
        line, rest = self.buf.split(b"\n", 1)
        text = line.rstrip(b"\r").decode("utf-8", "replace")
        if text.upper() != "250 XCRYPT OK":
            raise ProtocolError("reply to XCRYPT OK: %r" % text)
        self.layer = layer
        self.buf = layer.open(rest)
        return text


# --- Client mode -------------------------------------------------------------

class Unexpected(Exception):
    pass


def expect_close(sock):
    """The peer must close without sending a single octet (4.4)."""
    got = b""
    try:
        while True:
            d = sock.recv(4096)
            if not d:
                break
            got += d
    except (socket.timeout, OSError) as e:
        print("close check: no close (%s), %d octets after the violation" % (e, len(got)), flush=True)
        return 3
    print("close check: connection closed, %d octets after the violation" % len(got), flush=True)
    return 0 if not got else 3


def pipelined_client(a, c, sock, tag, suite, c2s, s2c, line, reply, cmd,
                     send, transaction):
    """Suite 2.1 (4.5): XCRYPT OK and the first command group in one
    flight; the reply flight is 250 XCRYPT OK in clear, then records."""
    layer = make_layer(suite, c2s, s2c)
    print(tag[0] + line.decode().rstrip("\r\n"), flush=True)
    if a.inject:
        # Hostile: plaintext where records must be. The server must close
        # without acting on it (and without a protected octet).
        inj = a.inject.replace("\\r\\n", "\r\n").encode()
        print(tag[0] + "<injected %r in the same write>" % inj, flush=True)
        c.send_raw(line + inj)
        return expect_close(sock)
    group = ["MAIL FROM:<%s>" % a.mail_from]
    group += ["RCPT TO:<%s>" % r for r in a.rcpt]
    group += ["DATA"]
    for g in group:
        print("*> " + g, flush=True)
    c.send_raw(line + layer.seal("".join(g + "\r\n" for g in group).encode()))
    print("flight: %s OK and %d commands in one write" % (
        line.decode().split()[0], len(group)), flush=True)

    # The first read after the flight: how much of the answer it holds.
    first = sock.recv(65536)
    if not first:
        raise EOFError("connection closed by peer")
    c.buf += first
    nl = first.find(b"\n")
    print("first read: %d octets, %d after the confirmation line" % (
        len(first), len(first) - nl - 1 if nl >= 0 else 0), flush=True)
    text = c.confirm(layer)
    print("<- " + text, flush=True)
    print("first read holds %d protected reply lines" % (
        c.buf.count(b"\n") if nl >= 0 and len(first) > nl + 1 else 0),
        flush=True)
    tag[:] = ["*> ", "<* "]
    print("switched suite=%s" % suite, flush=True)
    reply("250")
    for _ in a.rcpt:
        reply("250")
    reply("354")
    body = a.body.replace("\\n", "\n")
    msg = "Subject: %s\r\n\r\n%s" % (a.subject, body)
    lines = msg.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    data = "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in lines)
    c.send(data.encode() + b".\r\n")
    print(tag[0] + "<%d octets of message, then .>" % len(data), flush=True)
    reply("250")
    cmd("QUIT", "221")
    return 0


def run_client(a):
    sock = socket.create_connection((a.host, a.port), timeout=a.timeout)
    print("local port %d" % sock.getsockname()[1], flush=True)
    c = Conn(sock)
    tag = ["-> ", "<- "]

    def send(line):
        print(tag[0] + line, flush=True)
        c.send(line.encode() + b"\r\n")

    def reply(want=None):
        lines = []
        while True:
            ln = c.readline().decode("utf-8", "replace").rstrip("\r\n")
            print(tag[1] + ln, flush=True)
            lines.append(ln)
            if len(ln) < 4 or ln[3] != "-":
                break
        if want is not None and not lines[-1].startswith(want):
            raise Unexpected("wanted %s, got %r" % (want, lines[-1]))
        return lines

    def cmd(line, want):
        send(line)
        return reply(want)

    def transaction(subject):
        cmd("MAIL FROM:<%s>" % a.mail_from, "250")
        for r in a.rcpt:
            cmd("RCPT TO:<%s>" % r, "250")
        cmd("DATA", "354")
        body = a.body.replace("\\n", "\n")
        msg = "Subject: %s\r\n\r\n%s" % (subject, body)
        lines = msg.replace("\r\n", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        data = "".join(("." + l if l.startswith(".") else l) + "\r\n" for l in lines)
        c.send(data.encode())
        print(tag[0] + "<%d octets of message>" % len(data), flush=True)
        send(".")
        reply("250")

    reply("220")
    xc = "xcrypt" if a.lower else "XCRYPT"
    if a.before_ehlo:
        _, ka0 = dh_keypair("arrsyfor_1.0")
        cmd("%s arrsyfor_1.0 %s %s" % (xc, b64enc(i2b(ka0, 96)),
                                       b64enc(secrets.token_bytes(10))), "503 5.5.1")
        cmd("NOOP", "250")
        cmd("QUIT", "221")
        return 0
    ehlo = cmd("EHLO %s" % a.helo, "250")
    offered = []
    for ln in ehlo[1:]:
        f = ln[4:].split()
        if f and f[0].upper() == "XCRYPT":
            offered = f[1:]
    print("offered " + " ".join(offered), flush=True)
    suite = a.suite
    if not suite:
        suite = next((s for s in offered if s in SUITES), None)
    if suite not in offered and not a.unoffered:
        raise Unexpected("suite %s not offered" % suite)
    p, plen, nlen, _ = SUITES.get(suite, SUITES["arrsyfor_1.0"])
    x, ka = dh_keypair(suite if suite in SUITES else "arrsyfor_1.0")
    na = secrets.token_bytes(nlen)
    ka_enc = b64enc(i2b(ka, plen))
    na_enc = b64enc(na)
    expect = "250"
    if a.ka is not None:
        ka_enc = b64enc(i2b({"0": 0, "1": 1, "pm1": p - 1, "p": p}[a.ka], plen))
        expect = "501 5.7.0"
    if a.bad_b64:
        ka_enc = ka_enc[:10] + "*" + ka_enc[11:]
        expect = "501 5.5.4"
    if a.ka_len:
        ka_enc = b64enc(i2b(ka, plen)[1:])
        expect = "501 5.5.4"
    if a.nonce_len:
        na_enc = b64enc(na + b"x")
        expect = "501 5.5.4"
    if a.unoffered:
        expect = "504 5.5.4"
    if a.in_transaction:
        cmd("MAIL FROM:<%s>" % a.mail_from, "250")
        expect = "503 5.5.1"
    r = cmd("%s %s %s %s" % (xc, suite, ka_enc, na_enc), expect)
    if a.in_transaction:
        cmd("RSET", "250")
    if expect != "250":
        # plaintext continues
        cmd("NOOP", "250")
        if a.plain_message:
            transaction(a.subject)
        cmd("QUIT", "221")
        return 0
    f = r[-1].split()
    if len(f) != 4 or f[1] != "XCRYPT":
        raise Unexpected("bad XCRYPT reply %r" % r[-1])
    kb_raw, nb = b64dec_strict(f[2], plen), b64dec_strict(f[3], nlen)
    if kb_raw is None or nb is None or not pubkey_ok(int.from_bytes(kb_raw, "big"), p):
        send("XCRYPT FAIL")
        reply("250 XCRYPT FAIL")
        raise Unexpected("server sent an invalid Kb/Nb")
    z = shared(suite, x, int.from_bytes(kb_raw, "big"))
    c2s, s2c = derive(suite, z, na, nb)
    if a.no_confirm:
        # anything but QUIT while the confirmation is awaited (4.2)
        cmd("NOOP", "503 5.5.1")
        cmd("NOOP", "250")
        cmd("QUIT", "221")
        return 0
    if a.fail:
        cmd("%s FAIL" % xc, "250 XCRYPT FAIL")
        cmd("NOOP", "250")
        transaction(a.subject)
        cmd("QUIT", "221")
        return 0
    line = b"%s OK\r\n" % xc.encode()
    if suite in PIPELINED and not a.no_pipeline:
        return pipelined_client(a, c, sock, tag, suite, c2s, s2c, line,
                                reply, cmd, send, transaction)
    print(tag[0] + "%s OK" % xc, flush=True)
    if a.inject:
        inj = a.inject.replace("\\r\\n", "\r\n").encode()
        print(tag[0] + "<injected %r in the same write>" % inj, flush=True)
        line += inj
    c.send_raw(line)
    reply("250 XCRYPT OK")
    c.switch(make_layer(suite, c2s, s2c))
    tag[:] = ["*> ", "<* "]
    print("switched suite=%s" % suite, flush=True)
    cmd("EHLO %s" % a.helo, "250")
    if a.again:
        cmd("%s %s %s %s" % (xc, suite, ka_enc, na_enc), "503 5.5.1")
    if a.bad_record_length:
        # a record whose length field is below the minimum of 6.3
        c.send_raw(b"\x00\x2f" + secrets.token_bytes(47))
        print("*> <record with length 47>", flush=True)
        return expect_close(sock)
    if a.tamper:
        cmd("MAIL FROM:<%s>" % a.mail_from, "250")
        for r_ in a.rcpt:
            cmd("RCPT TO:<%s>" % r_, "250")
        cmd("DATA", "354")
        rec = bytearray(c.layer.seal(b"Subject: %s\r\n\r\ntampered body\r\n" % a.subject.encode()))
        rec[-1] ^= 0x01
        c.send_raw(bytes(rec))
        print("*> <tampered record of %d octets>" % len(rec), flush=True)
        try:
            c.send(b".\r\n")
        except OSError:
            pass
        return expect_close(sock)
    transaction(a.subject)
    cmd("QUIT", "221")
    return 0


# --- Server mode --------------------------------------------------------------

HOSTILE = ("kb-0", "kb-1", "kb-pm1", "kb-p", "kb-b64", "kb-len", "nb-len",
           "r504", "r454", "close-after-ok", "close-after-mail",
           "close-after-dot", "inject", "pause", "endless-xcrypt",
           "close-after-hello", "fail-ok", "reclen-low", "reclen-high",
           "reclen-misaligned")

# Record lengths out of range (6.3): below 48, above 16432, not 16 more
# than a multiple of 32 (each violates one rule only).
RECLEN = {"reclen-low": 16, "reclen-high": 16464, "reclen-misaligned": 64}


class Server:
    def __init__(self, a):
        self.a = a
        self.lock = threading.Lock()
        self.nconn = 0
        self.nmsg = 0
        self.suites = a.suites.split()
        os.makedirs(a.out, exist_ok=True)
        self.events = open(os.path.join(a.out, "events.log"), "a")

    def event(self, n, text):
        with self.lock:
            self.events.write("conn=%d %s\n" % (n, text))
            self.events.flush()

    def hostile_now(self, n):
        a = self.a
        if not a.hostile:
            return None
        if a.hostile_file:
            return a.hostile if os.path.exists(a.hostile_file) else None
        if a.hostile_count and n > a.hostile_count:
            return None
        return a.hostile

    def serve(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.a.port))
        ls.listen(16)
        while True:
            s, _ = ls.accept()
            with self.lock:
                self.nconn += 1
                n = self.nconn
            threading.Thread(target=self.session, args=(s, n), daemon=True).start()

    def session(self, s, n):
        s.settimeout(self.a.timeout)
        hostile = self.hostile_now(n)
        self.event(n, "connect hostile=%s" % (hostile or "none"))
        try:
            self.dialog(Conn(s), n, hostile)
        except (EOFError, OSError, ProtocolError, socket.timeout) as e:
            self.event(n, "closed (%s)" % e)
        finally:
            s.close()

    def early(self, c):
        """Octets the client sent beyond the line just read."""
        extra = len(c.buf)
        readable, _, _ = select.select([c.sock], [], [], 0)
        if readable:
            extra += len(c.sock.recv(65536, socket.MSG_PEEK))
        return extra

    def endless(self, c, n):
        """A reply to XCRYPT that never ends."""
        chunk = b"".join(b"250-XCRYPT endless %06d %s\r\n" % (i, b"x" * 60)
                         for i in range(256))
        sent = 0
        try:
            while True:
                c.send_raw(chunk + chunk)
                sent += 2 * len(chunk)
                time.sleep(0.001)   # a flood, not a CPU hog: ~40 MB/s
        except OSError:
            pass
        self.event(n, "endless sent %d" % sent)

    def auth(self, c, n, f, suite):
        """AUTH PLAIN [initial] / AUTH LOGIN, one exchange."""
        def b64line(prompt):
            c.send(("334 %s\r\n" % prompt).encode())
            return c.readline().decode("latin-1").strip()
        mech = f[1].upper() if len(f) > 1 else ""
        try:
            if mech == "PLAIN":
                resp = f[2] if len(f) > 2 else b64line("")
                parts = base64.b64decode(resp).split(b"\0")
                user, pw = parts[1].decode(), parts[2].decode()
            elif mech == "LOGIN":
                user = base64.b64decode(b64line("VXNlcm5hbWU6")).decode()
                pw = base64.b64decode(b64line("UGFzc3dvcmQ6")).decode()
            else:
                c.send(b"504 5.5.4 Unrecognized authentication type\r\n")
                return
        except (binascii.Error, IndexError, UnicodeDecodeError):
            c.send(b"501 5.5.2 Cannot decode response\r\n")
            return
        mode = "xcrypt" if suite else "plaintext"
        if "%s:%s" % (user, pw) == self.a.auth:
            self.event(n, "auth ok user=%s mode=%s mech=%s" % (user, mode, mech))
            c.send(b"235 2.7.0 Authentication successful\r\n")
        else:
            self.event(n, "auth bad user=%s mode=%s" % (user, mode))
            c.send(b"535 5.7.8 Error: authentication failed\r\n")

    def dialog(self, c, n, hostile):
        a = self.a
        suite = None
        pending = None      # (suite, c2s, s2c) awaiting OK/FAIL
        mail_from, rcpts = None, []

        def out(text):
            c.send(text.encode())

        out("220 %s ESMTP xcrypt_peer\r\n" % a.name)
        while True:
            line = c.readline().decode("utf-8", "replace").rstrip("\r\n")
            f = line.split()
            verb = f[0].upper() if f else ""
            if pending and not (verb == "XCRYPT" and len(f) == 2) and verb != "QUIT":
                pending = None
                out("503 5.5.1 Bad sequence of commands\r\n")
                continue
            if suite and hostile in RECLEN:
                # The first command inside XCRYPT gets a record whose length
                # is out of range (with as many octets as it claims); the
                # client must close without sending anything more (4.4).
                n_ = RECLEN[hostile]
                c.send_raw(n_.to_bytes(2, "big") + secrets.token_bytes(n_))
                self.event(n, "sent record length %d" % n_)
                c.sock.settimeout(10)
                got = b""
                try:
                    while True:
                        d = c.sock.recv(4096)
                        if not d:
                            break
                        got += d
                    self.event(n, "violation: client closed, %d octets after" % len(got))
                except (socket.timeout, OSError) as e:
                    self.event(n, "violation: no close (%s), %d octets after" % (e, len(got)))
                return
            if verb == "EHLO":
                ext = ["PIPELINING"]
                if not suite and self.suites:
                    ext.append("XCRYPT " + " ".join(self.suites))
                if a.auth:
                    ext.append("AUTH PLAIN LOGIN")
                ext.append("8BITMIME")
                out("250-%s\r\n" % a.name + "".join(
                    "250%s%s\r\n" % ("-" if i < len(ext) - 1 else " ", e)
                    for i, e in enumerate(ext)))
            elif verb == "HELO":
                out("250 %s\r\n" % a.name)
            elif verb == "AUTH" and a.auth:
                self.auth(c, n, f, suite)
            elif verb == "XCRYPT" and len(f) == 2 and pending:
                conf = f[1].upper()
                self.event(n, "confirm %s" % conf)
                s_, c2s, s2c = pending
                pending = None
                if conf == "FAIL":
                    out("250 XCRYPT FAIL\r\n")
                    continue
                if conf != "OK":
                    out("501 5.5.4 Syntax: XCRYPT suite public-key nonce\r\n")
                    continue
                if hostile == "pause":
                    time.sleep(1.5)
                    self.event(n, "early after ok %d" % self.early(c))
                if hostile == "fail-ok":
                    # 4.5: a server that cannot switch says so and closes.
                    c.send(b"454 4.7.0 XCRYPT FAIL\r\n")
                    self.event(n, "hostile 454 XCRYPT FAIL to XCRYPT OK, close")
                    return
                tail = b""
                if hostile == "inject":
                    tail = b"250 INJECTED plaintext\r\n"
                c.send(b"250 XCRYPT OK\r\n" + tail)
                if hostile == "close-after-ok":
                    self.event(n, "hostile close after XCRYPT OK")
                    return
                if s_ in PIPELINED:
                    # 4.5: what follows XCRYPT OK is protected input; how
                    # much of it came with the line shows a pipelined flight.
                    ahead = len(c.buf)
                    c.switch_keep(make_layer(s_, s2c, c2s))
                    suite = s_
                    self.event(n, "switched suite=%s dropped=0 ahead=%d" % (
                        suite, ahead))
                    continue
                dropped = c.switch(make_layer(s_, s2c, c2s))
                suite = s_
                self.event(n, "switched suite=%s dropped=%d" % (suite, dropped))
            elif verb == "XCRYPT":
                if suite or mail_from:
                    out("503 5.5.1 Bad sequence of commands\r\n")
                    continue
                if len(f) != 4:
                    out("501 5.5.4 Syntax: XCRYPT suite public-key nonce\r\n")
                    continue
                s_ = f[1]
                self.event(n, "xcrypt suite=%s" % s_)
                if hostile == "pause":
                    time.sleep(1.5)
                    self.event(n, "early after xcrypt %d" % self.early(c))
                if hostile == "endless-xcrypt":
                    self.endless(c, n)
                    return
                if s_ not in self.suites or s_ not in SUITES:
                    out("504 5.5.4 XCRYPT suite not supported\r\n")
                    continue
                if hostile == "r504":
                    out("504 5.5.4 XCRYPT suite not supported\r\n")
                    continue
                if hostile == "r454":
                    out("454 4.7.0 XCRYPT temporarily unavailable\r\n")
                    continue
                p, plen, nlen, _ = SUITES[s_]
                ka_raw, na = b64dec_strict(f[2], plen), b64dec_strict(f[3], nlen)
                if ka_raw is None or na is None:
                    out("501 5.5.4 Syntax: XCRYPT suite public-key nonce\r\n")
                    continue
                ka = int.from_bytes(ka_raw, "big")
                if not pubkey_ok(ka, p):
                    out("501 5.7.0 XCRYPT invalid public key\r\n")
                    continue
                x, kb = dh_keypair(s_)
                nb = secrets.token_bytes(nlen)
                kb_enc, nb_enc = b64enc(i2b(kb, plen)), b64enc(nb)
                if hostile in ("kb-0", "kb-1", "kb-pm1", "kb-p"):
                    v = {"kb-0": 0, "kb-1": 1, "kb-pm1": p - 1, "kb-p": p}[hostile]
                    kb_enc = b64enc(i2b(v, plen))
                elif hostile == "kb-b64":
                    kb_enc = kb_enc[:10] + "*" + kb_enc[11:]
                elif hostile == "kb-len":
                    kb_enc = b64enc(i2b(kb, plen)[1:])
                elif hostile == "nb-len":
                    nb_enc = b64enc(nb[1:])
                out("250 XCRYPT %s %s\r\n" % (kb_enc, nb_enc))
                if hostile == "close-after-hello":
                    self.event(n, "hostile close after 250 XCRYPT")
                    return
                c2s, s2c = derive(s_, shared(s_, x, ka), na, nb)
                pending = (s_, c2s, s2c)
            elif verb == "MAIL":
                if hostile == "close-after-mail":
                    self.event(n, "hostile close after MAIL")
                    return
                mail_from, rcpts = line.split(":", 1)[-1].strip(), []
                out("250 2.1.0 Ok\r\n")
            elif verb == "RCPT":
                if not mail_from:
                    out("503 5.5.1 Error: need MAIL command\r\n")
                    continue
                rcpts.append(line.split(":", 1)[-1].strip())
                out("250 2.1.5 Ok\r\n")
            elif verb == "DATA":
                if not rcpts:
                    out("503 5.5.1 Error: need RCPT command\r\n")
                    continue
                out("354 End data with <CR><LF>.<CR><LF>\r\n")
                data = bytearray()
                while True:
                    ln = c.readline(10 ** 8)
                    if ln in (b".\r\n", b".\n"):
                        break
                    if ln.startswith(b"."):
                        ln = ln[1:]
                    data += ln
                if hostile == "close-after-dot":
                    self.event(n, "hostile close after dot")
                    return
                with self.lock:
                    self.nmsg += 1
                    m = self.nmsg
                base = os.path.join(a.out, "msg-%d" % m)
                with open(base + ".eml.tmp", "wb") as fp:
                    fp.write(bytes(data))
                with open(base + ".meta", "w") as fp:
                    fp.write("conn=%d\nmode=%s\nsuite=%s\nfrom=%s\nrcpt=%s\n" % (
                        n, "xcrypt" if suite else "plaintext", suite or "-",
                        mail_from, " ".join(rcpts)))
                os.rename(base + ".eml.tmp", base + ".eml")
                self.event(n, "message %d mode=%s suite=%s" % (
                    m, "xcrypt" if suite else "plaintext", suite or "-"))
                mail_from, rcpts = None, []
                out("250 2.0.0 Ok: queued as PY%d\r\n" % m)
            elif verb == "RSET":
                mail_from, rcpts = None, []
                out("250 2.0.0 Ok\r\n")
            elif verb == "NOOP":
                out("250 2.0.0 Ok\r\n")
            elif verb == "QUIT":
                out("221 2.0.0 Bye\r\n")
                self.event(n, "quit")
                return
            else:
                out("502 5.5.2 Error: command not recognized\r\n")


def run_server(a):
    def bye(*_):
        os._exit(0)
    signal.signal(signal.SIGALRM, bye)
    signal.signal(signal.SIGTERM, bye)
    signal.alarm(a.max_time)
    Server(a).serve()


def main():
    ap = argparse.ArgumentParser(description="independent XCRYPT peer")
    ap.add_argument("--selftest", action="store_true")
    sub = ap.add_subparsers(dest="mode")
    c = sub.add_parser("client")
    c.add_argument("host")
    c.add_argument("port", type=int)
    c.add_argument("--suite", help="default: first offered that we know")
    c.add_argument("--helo", default="peer.test")
    c.add_argument("--from", dest="mail_from", default="alice@peer.test")
    c.add_argument("--rcpt", action="append", default=[])
    c.add_argument("--subject", default="xcrypt_peer")
    c.add_argument("--body", default="hello from xcrypt_peer\n.leading dot\n")
    c.add_argument("--timeout", type=float, default=20)
    c.add_argument("--ka", choices=("0", "1", "pm1", "p"))
    c.add_argument("--bad-b64", action="store_true")
    c.add_argument("--ka-len", action="store_true")
    c.add_argument("--nonce-len", action="store_true")
    c.add_argument("--unoffered", action="store_true")
    c.add_argument("--plain-message", action="store_true",
                   help="after a rejected XCRYPT, send the message in clear")
    c.add_argument("--fail", action="store_true")
    c.add_argument("--inject")
    c.add_argument("--tamper", action="store_true")
    c.add_argument("--bad-record-length", action="store_true")
    c.add_argument("--before-ehlo", action="store_true")
    c.add_argument("--in-transaction", action="store_true")
    c.add_argument("--no-confirm", action="store_true")
    c.add_argument("--again", action="store_true",
                   help="send XCRYPT again inside the protected session")
    c.add_argument("--lower", action="store_true",
                   help="send the XCRYPT commands in lower case")
    c.add_argument("--no-pipeline", action="store_true",
                   help="suite 2.1: wait for 250 XCRYPT OK before sending more")
    s = sub.add_parser("server")
    s.add_argument("port", type=int)
    s.add_argument("--out", required=True)
    s.add_argument("--name", default="py.test")
    s.add_argument("--suites", default="chacha20poly1305_2.1 chacha20poly1305_2.0"
                   " sober128_1.0 arrsyfor_1.0")
    s.add_argument("--hostile", choices=HOSTILE)
    s.add_argument("--hostile-file")
    s.add_argument("--hostile-count", type=int, default=0)
    s.add_argument("--max-time", type=int, default=120)
    s.add_argument("--auth", help="USER:PASS: offer AUTH PLAIN LOGIN")
    s.add_argument("--timeout", type=float, default=30)
    a = ap.parse_args()
    if a.selftest:
        return selftest()
    if a.mode == "client":
        if not a.rcpt:
            a.rcpt = ["bob@rcv.test"]
        try:
            return run_client(a)
        except (Unexpected, ProtocolError, EOFError, OSError) as e:
            print("ERROR %s: %s" % (type(e).__name__, e), flush=True)
            return 2
    if a.mode == "server":
        run_server(a)
        return 0
    ap.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
