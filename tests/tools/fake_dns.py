#!/usr/bin/python3
# fake_dns.py - minimal authoritative DNS server for loopback tests
#
# Usage: fake_dns.py [--listen ADDR] [--port N] [--zone FILE]...
#                    [--record "NAME TYPE DATA"]... [--log FILE]
#                    [--lifetime SECS] [--ready FILE]
#
# Answers queries over UDP and TCP on ADDR:N (default 127.0.0.2:53)
# from a static zone, and nothing else: it never forwards, recurses or
# sends a packet anywhere but back to the loopback client that asked.
# It refuses to listen on an address outside 127.0.0.0/8. It exits by
# itself after --lifetime seconds (default 120), or on SIGTERM/SIGINT.
#
# Zone lines (file or --record), one record each; '#' starts a comment;
# names are case-insensitive and may end in a dot:
#	NAME A 127.0.0.3
#	NAME AAAA ::1
#	NAME MX PREF HOST
#	NAME TXT text
#	NAME SERVFAIL		every query for NAME gets SERVFAIL
# A name that owns any record exists: a query for a type it lacks gets
# an empty NOERROR answer (NODATA). Any other name gets NXDOMAIN.
#
# With --log, each query is logged as "QNAME QTYPE RCODE ANSWERS PROTO".
# With --ready, the file is created once the sockets are bound.

import argparse
import ipaddress
import os
import selectors
import signal
import socket
import struct
import sys
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "OPT": 41, "ANY": 255}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED"}


def norm(name):
    """Lower-case name without a trailing dot."""
    return name.lower().rstrip(".")


def encode_name(name):
    out = b""
    for label in norm(name).split("."):
        if label:
            raw = label.encode("ascii")
            if len(raw) > 63:
                raise ValueError("label too long: %s" % label)
            out += bytes([len(raw)]) + raw
    return out + b"\0"


class Zone:
    def __init__(self):
        self.records = {}	# name -> list of (type, rdata bytes)
        self.servfail = set()

    def add(self, line, where):
        line = line.split("#", 1)[0].strip()
        if not line:
            return
        f = line.split()
        if len(f) < 2:
            raise ValueError("%s: bad record: %s" % (where, line))
        name, rtype = norm(f[0]), f[1].upper()
        if rtype == "SERVFAIL":
            self.servfail.add(name)
            return
        if rtype == "A" and len(f) == 3:
            rdata = socket.inet_pton(socket.AF_INET, f[2])
        elif rtype == "AAAA" and len(f) == 3:
            rdata = socket.inet_pton(socket.AF_INET6, f[2])
        elif rtype == "MX" and len(f) == 4:
            rdata = struct.pack("!H", int(f[2])) + encode_name(f[3])
        elif rtype == "TXT" and len(f) >= 3:
            text = " ".join(f[2:]).encode("utf-8")[:255]
            rdata = bytes([len(text)]) + text
        else:
            raise ValueError("%s: bad record: %s" % (where, line))
        self.records.setdefault(name, []).append((TYPES[rtype], rdata))

    def answer(self, qname, qtype):
        """(rcode, [(type, rdata)...]) for one question."""
        name = norm(qname)
        if name in self.servfail:
            return 2, []
        if name not in self.records:
            return 3, []
        return 0, [(t, d) for (t, d) in self.records[name]
                   if qtype == 255 or t == qtype]


def parse_question(msg):
    """(id, flags, qname, qtype, qclass, end) or None if malformed."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if qd != 1 or flags & 0x8000:
        return None
    pos, labels = 12, []
    while True:
        if pos >= len(msg):
            return None
        n = msg[pos]
        pos += 1
        if n == 0:
            break
        if n & 0xC0 or pos + n > len(msg):
            return None
        labels.append(msg[pos:pos + n].decode("ascii", "replace"))
        pos += n
    if pos + 4 > len(msg):
        return None
    qtype, qclass = struct.unpack("!HH", msg[pos:pos + 4])
    return qid, flags, ".".join(labels), qtype, qclass, pos + 4


def respond(zone, msg, proto, log):
    q = parse_question(msg)
    if q is None:
        if len(msg) >= 2:	# FORMERR, no question
            return msg[:2] + struct.pack("!HHHHH", 0x8001, 0, 0, 0, 0)
        return None
    qid, flags, qname, qtype, qclass, end = q
    opcode = (flags >> 11) & 0xF
    rd = flags & 0x0100
    if opcode != 0:
        rcode, answers = 4, []
    elif qclass not in (1, 255):
        rcode, answers = 5, []
    else:
        rcode, answers = zone.answer(qname, qtype)
    rflags = 0x8000 | (opcode << 11) | 0x0400 | rd | rcode	# QR AA
    out = struct.pack("!HHHHHH", qid, rflags, 1, len(answers), 0, 0)
    out += msg[12:end]
    for (t, rdata) in answers:
        # Owner name: pointer to the question name at offset 12.
        out += struct.pack("!HHHIH", 0xC00C, t, 1, 0, len(rdata)) + rdata
    if log:
        log.write("%s %s %s %d %s\n" % (norm(qname) or ".",
                                        TYPE_NAMES.get(qtype, str(qtype)),
                                        RCODES.get(rcode, str(rcode)),
                                        len(answers), proto))
        log.flush()
    return out


def main():
    ap = argparse.ArgumentParser(description="loopback-only fake DNS")
    ap.add_argument("--listen", default="127.0.0.2")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--zone", action="append", default=[])
    ap.add_argument("--record", action="append", default=[])
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=120.0)
    ap.add_argument("--ready")
    args = ap.parse_args()

    if not ipaddress.ip_address(args.listen).is_loopback:
        sys.exit("fake_dns: refusing to listen on non-loopback %s"
                 % args.listen)
    zone = Zone()
    for path in args.zone:
        with open(path) as fp:
            for n, line in enumerate(fp, 1):
                zone.add(line, "%s:%d" % (path, n))
    for n, line in enumerate(args.record, 1):
        zone.add(line, "--record %d" % n)
    log = open(args.log, "a") if args.log else None

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((args.listen, args.port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((args.listen, args.port))
    tcp.listen(16)
    for s in (udp, tcp):
        s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(udp, selectors.EVENT_READ, "udp")
    sel.register(tcp, selectors.EVENT_READ, "listen")
    conns = {}	# socket -> (buffer, deadline)

    def finish(*unused):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    if args.ready:
        open(args.ready, "w").close()

    deadline = time.monotonic() + args.lifetime
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        for key, _ in sel.select(timeout=min(1.0, deadline - now)):
            s, kind = key.fileobj, key.data
            try:
                if kind == "udp":
                    msg, peer = s.recvfrom(4096)
                    if not ipaddress.ip_address(peer[0]).is_loopback:
                        continue
                    out = respond(zone, msg, "udp", log)
                    if out is not None:
                        s.sendto(out, peer)
                elif kind == "listen":
                    c, peer = s.accept()
                    if not ipaddress.ip_address(peer[0]).is_loopback:
                        c.close()
                        continue
                    c.setblocking(False)
                    conns[c] = [b"", time.monotonic() + 10]
                    sel.register(c, selectors.EVENT_READ, "tcp")
                else:
                    data = s.recv(4096)
                    if not data:
                        raise ConnectionError("closed")
                    conns[s][0] += data
                    buf = conns[s][0]
                    while len(buf) >= 2:
                        n = struct.unpack("!H", buf[:2])[0]
                        if len(buf) < 2 + n:
                            break
                        out = respond(zone, buf[2:2 + n], "tcp", log)
                        buf = buf[2 + n:]
                        if out is not None:
                            s.setblocking(True)
                            s.settimeout(5)
                            s.sendall(struct.pack("!H", len(out)) + out)
                            s.setblocking(False)
                    conns[s][0] = buf
            except (OSError, ConnectionError):
                if kind == "tcp":
                    sel.unregister(s)
                    conns.pop(s, None)
                    s.close()
        for c in [c for c, v in conns.items() if v[1] < time.monotonic()]:
            sel.unregister(c)
            del conns[c]
            c.close()
    for c in list(conns):
        c.close()
    udp.close()
    tcp.close()
    if log:
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
