#!/usr/bin/env python3
"""soak.py - the moving parts of tests/soak.sh (load, faults, accounting)

Subcommands (each used by tests/soak.sh; every one is loopback only):

  inject   --port P --count N --threads K --out FILE --classes C1,C2,...
           [--prefix X] [--bdat-every M] [--size BYTES] [--duration S]
      SMTP clients that send N messages, round robin over the classes, to
      127.0.0.1:P, K sessions at once, each message with a unique token
      (CLASS-PREFIX-NNNNNN) as the recipient's local part, in its
      Message-ID (<TOKEN@soak.test>) and in its body. Every message gets one
      line in FILE: "TOKEN sent QUEUEID-or-reply" after a 2xx to the end of
      data, "TOKEN rejected REPLY" after a 4xx/5xx (sent again under a new
      token), "TOKEN unknown WHY" when the connection broke after the end of
      data went out and before its reply (the client cannot know). With
      --bdat-every M every M-th message goes as one BDAT LAST chunk. With
      --duration S the messages are spread evenly over S seconds.

  fault    --port P --out FILE --kind data|bdat --count N
      Clients that start a transaction, send part of the message (token
      ABORT-...) and drop the connection mid-DATA or mid-BDAT. Each prints
      "TOKEN aborted KIND" to FILE. None of these may ever be delivered.

  proxy    --listen P --to Q --drop-file FILE [--threshold BYTES]
      A TCP relay from 127.0.0.1:P to 127.0.0.1:Q. While FILE holds a
      number n > 0, the next session that has sent more than BYTES octets
      since its last reply (the message content) loses its reply (the end of
      data reply, after the server has taken the message) and both of its
      sides are closed; n goes down by one. Each drop is one line on stdout.

  sample   --master-pid PID --name xcrypt-smtpd --port P --out FILE
      Every 0.2 s until SIGTERM: the peak VmRSS, VmHWM and open descriptors
      of the master's children called NAME (and, as the baseline, RSS and
      descriptors of the first one when first seen), and the peak number
      of ESTABLISHED TCP connections to 127.0.0.1:P. Writes them to FILE.

  selftest
      Runs the accounting on made-up cases (clean, lost, queued, duplicate
      with and without "may be sent more than once", aborted, bounced, ...)
      and prints one PASS/FAIL line per case.

  account  --maildir DIR --records FILE... --snd-log LOG --snd-queue JSON
           --rcv-queue JSON --out FILE
      Accounts for every message: prints the table and exits 1 if any
      message is lost, an aborted one was delivered, or a duplicate is
      not explained by "may be sent more than once" in the sender's log.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import sys
import threading
import time

# --- A minimal SMTP client (DATA and BDAT) ------------------------------------


class Smtp:
    def __init__(self, port, timeout=60):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.ext = set()

    def reply(self):
        lines = []
        while True:
            while b"\n" not in self.buf:
                d = self.s.recv(65536)
                if not d:
                    raise EOFError("connection closed")
                self.buf += d
            ln, self.buf = self.buf.split(b"\n", 1)
            ln = ln.decode("utf-8", "replace").rstrip("\r")
            lines.append(ln)
            if len(ln) < 4 or ln[3] != "-":
                code = int(ln[:3]) if ln[:3].isdigit() else 0
                return code, lines

    def cmd(self, text):
        self.s.sendall(text.encode() + b"\r\n")
        return self.reply()

    def ehlo(self):
        code, lines = self.reply()
        if code != 220:
            raise EOFError("greeting %r" % lines[-1])
        code, lines = self.cmd("EHLO soak.test")
        if code != 250:
            raise EOFError("EHLO %r" % lines[-1])
        self.ext = {ln[4:].split()[0].upper() for ln in lines[1:] if len(ln) > 4}

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def message(token, rcpt, size):
    body = ("Soak message token %s.\r\n" % token)
    line = "x" * 70 + "\r\n"
    hdr = ("From: <soak@snd.test>\r\nTo: <%s>\r\nSubject: soak %s\r\n"
           "Message-ID: <%s@soak.test>\r\n\r\n" % (rcpt, token, token))
    n = max(0, (size - len(hdr) - len(body)) // len(line))
    return (hdr + body + line * n + ".leading dot %s\r\n" % token).encode()


def dot_stuff(msg):
    return re.sub(rb"(?m)^\.", b"..", msg)


class Injector:
    def __init__(self, a):
        self.a = a
        self.classes = a.classes.split(",")
        self.lock = threading.Lock()
        self.next = 0
        self.out = open(a.out, "a", buffering=1)
        self.t0 = time.time()

    def take(self):
        with self.lock:
            if self.next >= self.a.count:
                return None
            n = self.next
            self.next += 1
        # --duration: message n goes out no earlier than its share of it.
        if self.a.duration:
            due = self.t0 + n * self.a.duration / self.a.count
            if due > time.time():
                time.sleep(due - time.time())
        return n

    def record(self, line):
        with self.lock:
            self.out.write(line + "\n")

    def worker(self, wid):
        a = self.a
        c = None
        attempt = 0
        n = self.take()
        while n is not None:
            cls = self.classes[n % len(self.classes)]
            token = "%s-%s%06d%s" % (cls, a.prefix, n, "r%d" % attempt if attempt else "")
            rcpt = "%s@rcv.test" % token
            bdat = a.bdat_every and n % a.bdat_every == 0
            msg = message(token, rcpt, a.size)
            stage = "connect"
            try:
                if c is None:
                    c = Smtp(a.port)
                    c.ehlo()
                stage = "MAIL"
                code, lines = c.cmd("MAIL FROM:<soak@snd.test>")
                if code != 250:
                    raise ValueError(lines[-1])
                code, lines = c.cmd("RCPT TO:<%s>" % rcpt)
                if code != 250:
                    raise ValueError(lines[-1])
                if bdat and "CHUNKING" in c.ext:
                    stage = "end of data"
                    c.s.sendall(b"BDAT %d LAST\r\n" % len(msg) + msg)
                else:
                    code, lines = c.cmd("DATA")
                    if code != 354:
                        raise ValueError(lines[-1])
                    stage = "end of data"
                    c.s.sendall(dot_stuff(msg) + b".\r\n")
                code, lines = c.reply()
                if code // 100 != 2:
                    raise ValueError(lines[-1])
                self.record("%s sent %s" % (token, lines[-1]))
                attempt = 0
                n = self.take()
            except ValueError as e:
                # A rejection: this token is not sent; try again with a new one.
                self.record("%s rejected %s" % (token, e))
                attempt += 1
                if c is not None:
                    try:
                        c.cmd("RSET")
                    except (OSError, EOFError):
                        c.close()
                        c = None
            except (OSError, EOFError) as e:
                if c is not None:
                    c.close()
                c = None
                if stage == "end of data":
                    self.record("%s unknown %s after end of data" % (token, e))
                else:
                    self.record("%s rejected %s during %s" % (token, e, stage))
                attempt += 1
                time.sleep(0.2)
            if attempt > 50:
                self.record("%s gaveup" % token)
                attempt = 0
                n = self.take()
        if c is not None:
            try:
                c.cmd("QUIT")
            except (OSError, EOFError):
                pass
            c.close()

    def run(self):
        ts = [threading.Thread(target=self.worker, args=(i,)) for i in range(self.a.threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()


def cmd_inject(a):
    Injector(a).run()


def cmd_fault(a):
    out = open(a.out, "a", buffering=1)
    for i in range(a.count):
        token = "ABORT-%s-%s%d" % (a.kind, a.prefix, i)
        rcpt = "%s@rcv.test" % token
        msg = message(token, rcpt, 4000)
        try:
            c = Smtp(a.port, timeout=30)
            c.ehlo()
            c.cmd("MAIL FROM:<soak@snd.test>")
            c.cmd("RCPT TO:<%s>" % rcpt)
            out.write("%s aborted %s\n" % (token, a.kind))
            if a.kind == "bdat":
                c.s.sendall(b"BDAT %d LAST\r\n" % len(msg) + msg[: len(msg) // 2])
            else:
                c.cmd("DATA")
                c.s.sendall(msg[: len(msg) // 2])
            time.sleep(0.1)
            c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            c.close()
        except (OSError, EOFError) as e:
            out.write("%s note %s\n" % (token, e))

# --- The dropping proxy ---------------------------------------------------------


def cmd_proxy(a):
    sessions = [0]

    def take_drop():
        try:
            with open(a.drop_file) as f:
                n = int(f.read().strip() or 0)
        except (OSError, ValueError):
            return False
        if n <= 0:
            return False
        with open(a.drop_file + ".tmp", "w") as f:
            f.write("%d\n" % (n - 1))
        os.replace(a.drop_file + ".tmp", a.drop_file)
        return True

    async def session(cr, cw):
        sessions[0] += 1
        sid = sessions[0]
        try:
            sr, sw = await asyncio.open_connection("127.0.0.1", a.to)
        except OSError:
            cw.close()
            return
        since_reply = [0]
        done = asyncio.Event()

        def close_all():
            for w in (cw, sw):
                try:
                    w.transport.abort()
                except Exception:
                    pass
            done.set()

        async def up():
            try:
                while True:
                    d = await cr.read(65536)
                    if not d:
                        break
                    since_reply[0] += len(d)
                    sw.write(d)
                    await sw.drain()
            except Exception:
                pass
            try:
                sw.write_eof()
            except Exception:
                pass

        async def down():
            try:
                while True:
                    d = await sr.read(65536)
                    if not d:
                        break
                    if since_reply[0] > a.threshold and take_drop():
                        print("drop session %d: reply of %d octets swallowed after "
                              "%d octets of content" % (sid, len(d), since_reply[0]),
                              flush=True)
                        close_all()
                        return
                    since_reply[0] = 0
                    cw.write(d)
                    await cw.drain()
            except Exception:
                pass
            close_all()

        await asyncio.gather(up(), down())
        close_all()

    async def main():
        srv = await asyncio.start_server(session, "127.0.0.1", a.listen, backlog=512)
        print("listening %d" % a.listen, flush=True)
        async with srv:
            await srv.serve_forever()

    asyncio.run(main())

# --- Resource sampler -------------------------------------------------------------


def children(ppid, name):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                st = f.read()
            comm = st[st.index("(") + 1: st.rindex(")")]
            fields = st[st.rindex(")") + 2:].split()
            if int(fields[1]) == ppid and comm == name:
                out.append(int(p))
        except (OSError, ValueError):
            pass
    return out


def established(port):
    n = 0
    hexport = ":%04X" % port
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for ln in f:
                fs = ln.split()
                if fs[1].endswith(hexport) and fs[3] == "01":
                    n += 1
    except OSError:
        pass
    return n


def cmd_sample(a):
    peak = {"rss_kb": 0, "hwm_kb": 0, "fds": 0, "sessions": 0, "procs": 0,
            "samples": 0, "pids": set(), "first_rss_kb": 0, "first_fds": 0}
    stop = [False]

    def bye(*_):
        stop[0] = True
    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)

    def write():
        d = dict(peak)
        d["pids"] = len(peak["pids"])
        with open(a.out + ".tmp", "w") as f:
            json.dump(d, f)
        os.replace(a.out + ".tmp", a.out)

    while not stop[0]:
        try:
            with open("/proc/%d/status" % a.master_pid):
                pass
        except OSError:
            time.sleep(0.2)
            continue
        pids = children(a.master_pid, a.name)
        peak["procs"] = max(peak["procs"], len(pids))
        for p in pids:
            peak["pids"].add(p)
            try:
                with open("/proc/%d/status" % p) as f:
                    for ln in f:
                        k, _, v = ln.partition(":")
                        if k == "VmRSS":
                            peak["rss_kb"] = max(peak["rss_kb"], int(v.split()[0]))
                        elif k == "VmHWM":
                            peak["hwm_kb"] = max(peak["hwm_kb"], int(v.split()[0]))
                nfd = len(os.listdir("/proc/%d/fd" % p))
                peak["fds"] = max(peak["fds"], nfd)
                if not peak["first_fds"]:
                    # the baseline: the first process, when first seen
                    peak["first_fds"] = nfd
                    peak["first_rss_kb"] = peak["rss_kb"]
            except (OSError, ValueError):
                pass
        peak["sessions"] = max(peak["sessions"], established(a.port))
        peak["samples"] += 1
        if peak["samples"] % 10 == 0:
            write()
        time.sleep(0.2)
    write()

# --- Accounting ---------------------------------------------------------------------


MSGID = re.compile(rb"^Message-ID:\s*<([^@>]+)@soak\.test>", re.I | re.M)


def cmd_account(a):
    sent, unknown, aborted, rejected, gaveup = {}, set(), set(), 0, 0
    for path in a.records:
        with open(path) as f:
            for ln in f:
                fs = ln.split(None, 2)
                if len(fs) < 2:
                    continue
                tok, what = fs[0], fs[1]
                if what == "sent":
                    sent[tok] = path
                elif what == "unknown":
                    unknown.add(tok)
                elif what == "aborted":
                    aborted.add(tok)
                elif what == "rejected":
                    rejected += 1
                elif what == "gaveup":
                    gaveup += 1
    delivered = {}
    for d in ("new", "cur"):
        p = os.path.join(a.maildir, d)
        if not os.path.isdir(p):
            continue
        for fn in os.listdir(p):
            with open(os.path.join(p, fn), "rb") as f:
                head = f.read(8192)
            m = MSGID.search(head.split(b"\n\n", 1)[0].replace(b"\r", b""))
            tok = m.group(1).decode() if m else "?" + fn
            delivered[tok] = delivered.get(tok, 0) + 1
    # The sender's log: token -> queue ids, and queue ids that the sender
    # logged as "may be sent more than once".
    qid_of, maybe_twice = {}, set()
    idre = re.compile(r" ([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}): message-id=<([^@>]+)@soak\.test>")
    qre = re.compile(r" ([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}): .*may be sent more than once")
    with open(a.snd_log, errors="replace") as f:
        for ln in f:
            m = idre.search(ln)
            if m:
                qid_of.setdefault(m.group(2), set()).add(m.group(1))
                continue
            m = qre.search(ln)
            if m:
                maybe_twice.add(m.group(1))
    # Bounces: the sender's final "status=bounced" for a token.
    bounced = {}
    bre = re.compile(r" to=<([^@>]+)@rcv\.test>.* status=bounced \((.*)\)$")
    with open(a.snd_log, errors="replace") as f:
        for ln in f:
            m = bre.search(ln.rstrip("\n"))
            if m:
                bounced[m.group(1)] = m.group(2)
    queued = {}
    for path, where in ((a.snd_queue, "sender"), (a.rcv_queue, "receiver")):
        if not path or not os.path.exists(path):
            continue
        with open(path) as f:
            for ln in f:
                ln = ln.strip()
                if not ln:
                    continue
                try:
                    q = json.loads(ln)
                except ValueError:
                    continue
                for r in q.get("recipients", []):
                    tok = r.get("address", "").split("@")[0]
                    queued[tok] = "%s %s %s: %s" % (where, q.get("queue_name"),
                                                    q.get("queue_id"),
                                                    r.get("delay_reason", "no reason yet"))
    n_deliv = n_dup = n_dup_ok = n_lost = n_def = n_bounced = 0
    problems = []
    for tok in sorted(sent):
        c = delivered.get(tok, 0)
        if c == 1:
            n_deliv += 1
        elif c > 1:
            n_deliv += 1
            n_dup += 1
            qids = qid_of.get(tok, set())
            if qids & maybe_twice:
                n_dup_ok += 1
            else:
                problems.append("duplicate %s (%d copies; queue ids %s; no \"may be sent "
                                "more than once\")" % (tok, c, ",".join(sorted(qids)) or "-"))
        elif tok in queued:
            n_def += 1
        elif tok in bounced:
            n_bounced += 1
            problems.append("bounced %s: %s" % (tok, bounced[tok]))
        else:
            n_lost += 1
            problems.append("lost %s (sent, not delivered, not queued)" % tok)
    unknown_deliv = sum(1 for t in unknown if delivered.get(t, 0) >= 1)
    unknown_dup = [t for t in unknown if delivered.get(t, 0) > 1]
    for t in unknown_dup:
        problems.append("duplicate %s (sent once without reply, %d copies)" % (t, delivered[t]))
    aborted_deliv = [t for t in aborted if t in delivered]
    for t in aborted_deliv:
        problems.append("aborted transaction delivered: %s" % t)
    stray = [t for t in delivered if t not in sent and t not in unknown and t not in aborted]
    for t in stray:
        problems.append("delivered, never sent: %s" % t)
    rows = [
        ("messages sent (2xx to end of data)", len(sent)),
        ("delivered exactly once", n_deliv - n_dup),
        ("delivered twice or more", n_dup),
        ("  of those with \"may be sent more than once\"", n_dup_ok),
        ("still queued or deferred, with reason", n_def),
        ("bounced by the sender, with reason", n_bounced),
        ("lost", n_lost),
        ("no reply after end of data (fate unknown to client)", len(unknown)),
        ("  of those delivered", unknown_deliv),
        ("aborted mid-DATA/BDAT by fault clients", len(aborted)),
        ("  of those delivered (must be 0)", len(aborted_deliv)),
        ("rejected by the server, sent again as new message", rejected),
        ("delivered but never sent", len(stray)),
    ]
    with open(a.out, "w") as f:
        for k, v in rows:
            f.write("%-56s %7d\n" % (k, v))
        for tok in sorted(t for t in sent if delivered.get(t, 0) == 0 and t in queued)[:20]:
            f.write("deferred %s: %s\n" % (tok, queued[tok]))
        for p in problems[:50]:
            f.write("PROBLEM %s\n" % p)
    sys.stdout.write(open(a.out).read())
    bad = n_lost or n_bounced or aborted_deliv or stray or unknown_dup or (n_dup - n_dup_ok)
    sys.exit(1 if bad else 0)


def cmd_selftest(a):
    """The accounting itself must catch what it is there to catch."""
    import shutil
    import subprocess
    import tempfile
    d = tempfile.mkdtemp(prefix="soak-selftest.")
    failed = [0]

    def case(name, sent, delivered, log="", queued=(), aborted=(), unknown=(),
             want=0):
        box = os.path.join(d, name, "box")
        os.makedirs(os.path.join(box, "new"))
        rec = os.path.join(d, name, "records")
        with open(rec, "w") as f:
            for t in sent:
                f.write("%s sent 250 ok\n" % t)
            for t in aborted:
                f.write("%s aborted data\n" % t)
            for t in unknown:
                f.write("%s unknown reset after end of data\n" % t)
        for i, t in enumerate(delivered):
            with open(os.path.join(box, "new", "m%d" % i), "w") as f:
                f.write("Message-ID: <%s@soak.test>\n\nbody\n" % t)
        slog = os.path.join(d, name, "snd.log")
        with open(slog, "w") as f:
            f.write(log)
        sq = os.path.join(d, name, "snd.json")
        with open(sq, "w") as f:
            for t in queued:
                f.write(json.dumps({"queue_name": "deferred", "queue_id": "ABC123",
                                    "recipients": [{"address": t + "@rcv.test",
                                                    "delay_reason": "test"}]}) + "\n")
        r = subprocess.run([sys.executable, __file__, "account", "--maildir", box,
                            "--records", rec, "--snd-log", slog, "--snd-queue", sq,
                            "--out", os.path.join(d, name, "out")],
                           stdout=subprocess.DEVNULL)
        ok = (r.returncode != 0) == bool(want)
        print("%s soak_account_%s%s" % ("PASS" if ok else "FAIL", name,
                                       "" if ok else ": exit %d" % r.returncode))
        failed[0] |= not ok

    mid = "Nov 30 00:00:00 snd postfix/cleanup[1]: %s: message-id=<%s@soak.test>\n"
    twice = ("Nov 30 00:00:01 snd postfix/smtp[2]: %s: lost connection with x while "
             "sending end of data -- message may be sent more than once\n")
    bounce = ("Nov 30 00:00:01 snd postfix/smtp[2]: ABC: to=<%s@rcv.test>, "
              "relay=x, status=bounced (550 no)\n")
    case("clean", ["a", "b"], ["a", "b"])
    case("lost", ["a", "b"], ["a"], want=1)
    case("queued_is_not_lost", ["a", "b"], ["a"], queued=["b"])
    case("duplicate_unexplained", ["a"], ["a", "a"], log=mid % ("C77B1A72743", "a"), want=1)
    case("duplicate_logged_more_than_once", ["a"], ["a", "a"],
         log=mid % ("C77B1A72743", "a") + twice % "C77B1A72743")
    case("duplicate_logged_for_another_message", ["a", "b"], ["a", "a", "b"],
         log=mid % ("C77B1A72743", "a") + mid % ("D88C2B83854", "b") + twice % "D88C2B83854", want=1)
    case("aborted_delivered", ["a"], ["a", "x"], aborted=["x"], want=1)
    case("aborted_not_delivered", ["a"], ["a"], aborted=["x"])
    case("bounced", ["a", "b"], ["a"], log=bounce % "b", want=1)
    case("delivered_never_sent", ["a"], ["a", "z"], want=1)
    case("no_reply_then_delivered_once", ["a"], ["a", "u"], unknown=["u"])
    case("no_reply_then_delivered_twice", ["a"], ["a", "u", "u"], unknown=["u"], want=1)
    shutil.rmtree(d)
    sys.exit(1 if failed[0] else 0)


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    p = sp.add_parser("inject")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--threads", type=int, default=10)
    p.add_argument("--out", required=True)
    p.add_argument("--classes", required=True)
    p.add_argument("--prefix", default="")
    p.add_argument("--bdat-every", type=int, default=0)
    p.add_argument("--size", type=int, default=4000)
    p.add_argument("--duration", type=float, default=0)
    p = sp.add_parser("fault")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--kind", choices=("data", "bdat"), required=True)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--prefix", default="")
    p = sp.add_parser("proxy")
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--to", type=int, required=True)
    p.add_argument("--drop-file", required=True)
    p.add_argument("--threshold", type=int, default=2500)
    p = sp.add_parser("sample")
    p.add_argument("--master-pid", type=int, required=True)
    p.add_argument("--name", default="xcrypt-smtpd")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    sp.add_parser("selftest")
    p = sp.add_parser("account")
    p.add_argument("--maildir", required=True)
    p.add_argument("--records", nargs="+", required=True)
    p.add_argument("--snd-log", required=True)
    p.add_argument("--snd-queue")
    p.add_argument("--rcv-queue")
    p.add_argument("--out", required=True)
    a = ap.parse_args()
    {"inject": cmd_inject, "fault": cmd_fault, "proxy": cmd_proxy,
     "sample": cmd_sample, "account": cmd_account,
     "selftest": cmd_selftest}[a.cmd](a)


if __name__ == "__main__":
    main()
