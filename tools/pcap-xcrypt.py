#!/usr/bin/env python3
# pcap-xcrypt.py - what crossed the wire before and after 250 XCRYPT OK
#
# Usage: tools/pcap-xcrypt.py CAPTURE.pcap SERVER_PORT STRING...
#
# Reads a libpcap file (tcpdump -w, Ethernet/Linux-cooked/raw IPv4 on
# loopback), reassembles the TCP payload of every connection to
# SERVER_PORT in both directions, and splits each direction at the
# handshake: the client's "XCRYPT OK" line and the server's "250 XCRYPT
# OK" reply. Prints one JSON object:
#   sessions            connections whose SYN was captured
#   switched            connections where both sides switched
#   advertised          connections whose plaintext EHLO reply listed XCRYPT
#   octets_before/after payload octets before/after the switch
#   after/before/total  {STRING: occurrences} in those octets
#   records             per switched connection, in order of its first
#                       packet: [client records, server records] after the
#                       switch, when each direction parses exactly into
#                       chacha20poly1305_2.0 records (2-octet length, then
#                       that many octets, spec 6.3); -1 when it does not
#                       (a stream suite, or a torn capture)
import json
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("not a libpcap file: %s" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:		# Ethernet
            if pkt[12:14] != b"\x08\x00":
                continue
            ip = pkt[14:]
        elif linktype == 113:		# Linux cooked
            if pkt[14:16] != b"\x08\x00":
                continue
            ip = pkt[16:]
        elif linktype in (101, 228):	# raw IPv4
            ip = pkt
        else:
            sys.exit("unsupported link type %d" % linktype)
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        tcp = ip[ihl:total]
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        yield sport, dport, seq, flags, tcp[doff:]


def reassemble(segs):
    """Octets of one direction in sequence order, retransmissions once."""
    if not segs:
        return b""
    base = min(s for s, _ in segs)
    out = bytearray()
    for seq, payload in sorted(segs, key=lambda x: (x[0] - base) & 0xffffffff):
        rel = (seq - base) & 0xffffffff
        if rel + len(payload) <= len(out):
            continue
        out += payload[len(out) - rel:] if rel <= len(out) else payload
    return bytes(out)


def split_at(stream, marker):
    i = stream.upper().find(marker)
    if i < 0:
        return stream, b"", False
    return stream[:i + len(marker)], stream[i + len(marker):], True


def count_records(stream):
    """Records in a 6.3 record stream; -1 if it does not parse exactly."""
    n, off = 0, 0
    while off < len(stream):
        if off + 2 > len(stream):
            return -1
        ln = int.from_bytes(stream[off:off + 2], "big")
        if ln < 48 or ln > 16432 or (ln - 16) % 32 or off + 2 + ln > len(stream):
            return -1
        off += 2 + ln
        n += 1
    return n


def main(argv):
    path, port = argv[1], int(argv[2])
    needles = [s.encode() for s in argv[3:]]
    conns = {}
    for sport, dport, seq, flags, payload in packets(path):
        if dport == port:
            key, d = sport, "c2s"
        elif sport == port:
            key, d = dport, "s2c"
        else:
            continue
        if d == "c2s" and flags & 0x12 == 0x02:	# SYN: a new connection
            conns[key] = {"c2s": [], "s2c": []}
        c = conns.get(key)			# None: began before the capture
        if c is not None and payload:
            c[d].append((seq, payload))
    res = {"sessions": len(conns), "switched": 0, "advertised": 0,
           "octets_before": 0, "octets_after": 0,
           "after": {}, "before": {}, "total": {}, "records": []}
    pre_all, post_all = [], []
    for c in conns.values():
        c2s, s2c = reassemble(c["c2s"]), reassemble(c["s2c"])
        c_pre, c_post, c_ok = split_at(c2s, b"\r\nXCRYPT OK\r\n")
        s_pre, s_post, s_ok = split_at(s2c, b"\r\n250 XCRYPT OK\r\n")
        if c_ok and s_ok:
            res["switched"] += 1
            res["records"].append([count_records(c_post), count_records(s_post)])
        if b"250-XCRYPT " in s_pre.upper() or b"250 XCRYPT " in s_pre.upper():
            res["advertised"] += 1
        pre_all += [c_pre, s_pre]
        post_all += [c_post, s_post]
    pre, post = b"".join(pre_all), b"".join(post_all)
    res["octets_before"], res["octets_after"] = len(pre), len(post)
    for n in needles:
        k = n.decode()
        res["after"][k] = post.count(n)
        res["before"][k] = pre.count(n)
        res["total"][k] = pre.count(n) + post.count(n)
    print(json.dumps(res, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv)
