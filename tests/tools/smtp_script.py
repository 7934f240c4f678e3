#!/usr/bin/python3
"""smtp_script.py - a scripted plaintext SMTP client that may send first

Usage: smtp_script.py [-t TIMEOUT] PORT < script

Unlike xc_chat, it reads nothing before the script says so, so a script
can send a PROXY protocol header, or talk before the greeting. Script
lines (empty lines and lines starting with # are ignored):

    > TEXT          send TEXT and CRLF
    + TEXT          send TEXT with escapes (\\r \\n \\xHH \\\\), no CRLF
    < PREFIX        read one (multi-line) reply; its last line must start
                    with PREFIX
    !sleep SECONDS
    !expect_close   the server closes without sending anything more
    !close          drop the connection and exit

Every line sent or received is printed ("-> ", "<- "). Exit status 0 when
every expectation held, 1 otherwise ("smtp_script: FAILED ...").
"""
import socket
import sys
import time


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def main():
    args = sys.argv[1:]
    timeout = 20.0
    if args[:1] == ["-t"]:
        timeout = float(args[1])
        args = args[2:]
    port = int(args[0])
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    buf = b""

    def read_line():
        nonlocal buf
        while b"\n" not in buf:
            data = sock.recv(65536)
            if not data:
                raise EOFError("connection closed")
            buf += data
        line, buf = buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    ok = True
    for raw in sys.stdin:
        raw = raw.rstrip("\n")
        if not raw or raw.startswith("#"):
            continue
        op, _, arg = raw.partition(" ")
        try:
            if op == ">":
                print("-> " + arg, flush=True)
                sock.sendall(arg.encode("latin-1") + b"\r\n")
            elif op == "+":
                print("-> " + arg, flush=True)
                sock.sendall(unescape(arg))
            elif op == "<":
                while True:
                    line = read_line()
                    print("<- " + line, flush=True)
                    if not (len(line) >= 4 and line[3] == "-"):
                        break
                if not line.startswith(arg):
                    print("smtp_script: FAILED want %r got %r" % (arg, line))
                    ok = False
                    break
            elif op == "!sleep":
                time.sleep(float(arg))
            elif op == "!expect_close":
                start = time.time()
                try:
                    data = buf or sock.recv(65536)
                except ConnectionResetError:
                    data = b""   # closed with our input unread: RST
                if data:
                    print("smtp_script: FAILED expected close, got %r" % data)
                    ok = False
                    break
                print("closed after %.1fs" % (time.time() - start), flush=True)
            elif op == "!close":
                break
            else:
                print("smtp_script: FAILED bad script line %r" % raw)
                ok = False
                break
        except (EOFError, OSError) as err:
            print("smtp_script: FAILED %s at %r" % (err, raw))
            ok = False
            break
    sock.close()
    sys.exit(0 if ok else 1)


main()
