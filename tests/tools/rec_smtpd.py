#!/usr/bin/python3
# rec_smtpd.py - recording SMTP servers built on aiosmtpd (for the tests)
#
# Usage: rec_smtpd.py OUTDIR READYFILE MAXTIME SPEC...
#
# SPEC is KIND:ADDR:PORT. One process serves every SPEC (one asyncio
# loop) and exits after MAXTIME seconds. Each session is written, when
# its connection ends, to OUTDIR/PORT-SEQ.json:
#   {"port": listening port, "peer": client address, "tls": "", "starttls"
#    or "implicit", ("sni", "tls_version", "client_cn" after STARTTLS), "cmds": [every command line, in order], "auth": [login
#    names that authenticated], "msgs": [{"from", "rcpts", "opts",
#    "data" (hex of the message as received, dot-unstuffed, CRLF)}]}
# READYFILE is created once every port listens.
#
# KIND (aiosmtpd's own behaviour unless said otherwise):
#   plain     ESMTP: SIZE, 8BITMIME, SMTPUTF8; no STARTTLS, no AUTH;
#             lines over 1000 octets in DATA get "500 Line too long"
#   auth      plain, plus AUTH PLAIN LOGIN offered in clear and required
#             before MAIL (530); accepts user "parity", password "secret"
#   starttls  plain, plus STARTTLS with the certificate in $REC_CERT/$REC_KEY;
#             the session records the SNI name the client sent ("sni")
#             and the protocol version ("tls_version")
#   starttlscc starttls, and asks for a client certificate: one signed by
#             $REC_CLIENT_CA is accepted, its CN recorded ("client_cn")
#   xforward  plain, plus the XFORWARD keyword; XFORWARD gets 250
#   e421      answers EHLO and HELO with 421 and closes the connection
#   wrapper   TLS on connect (the certificate above), then plain
import asyncio, json, os, ssl, sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

outdir, readyfile, maxtime = sys.argv[1], sys.argv[2], float(sys.argv[3])
specs = [s.split(":") for s in sys.argv[4:]]
seq = [0]


def sni_seen(sslobj, name, ctx):
    sslobj.sni_name = name	# read back once the handshake is done


def tls_ctx(client_ca=None):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(os.environ["REC_CERT"], os.environ["REC_KEY"])
    ctx.sni_callback = sni_seen
    if client_ca:	# ask for a client certificate; trust only this one
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.load_verify_locations(client_ca)
    return ctx


class Handler:
    def __init__(self, kind):
        self.kind = kind

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.kind == "xforward":
            responses.insert(-1, "250-XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT")
        return responses

    async def handle_DATA(self, server, session, envelope):
        server.rec["msgs"].append({
            "from": envelope.mail_from, "rcpts": envelope.rcpt_tos,
            "opts": envelope.mail_options,
            "data": envelope.original_content.hex()})
        return "250 2.0.0 OK recorded"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"parity"
          and auth_data.password == b"secret")
    if ok:
        server.rec["auth"].append(mechanism + ":" + auth_data.login.decode())
    return AuthResult(success=ok)


class RecSMTP(SMTP):
    def __init__(self, kind, port, implicit):
        self.kind, self.port, self.implicit = kind, port, implicit
        kw = {}
        if kind == "auth":
            kw = dict(auth_required=True, auth_require_tls=False,
                      authenticator=authenticator)
        if kind == "starttls":
            kw = dict(tls_context=tls_ctx())
        if kind == "starttlscc":
            kw = dict(tls_context=tls_ctx(os.environ["REC_CLIENT_CA"]))
        super().__init__(Handler(kind), hostname="rec.test",
                         enable_SMTPUTF8=True, **kw)
        self.rec = None

    def connection_made(self, transport):
        first = self.rec is None
        super().connection_made(transport)
        if first:
            self.rec = {"port": self.port, "peer": self.session.peer[0],
                        "tls": "implicit" if self.implicit else "",
                        "cmds": [], "auth": [], "msgs": []}
            orig = self._reader.readuntil

            async def readuntil(separator=b"\n"):
                line = await orig(separator)
                if separator == b"\n":	# the command loop, not DATA
                    self.rec["cmds"].append(line.rstrip(b"\r\n").decode("latin-1"))
                return line
            self._reader.readuntil = readuntil
        else:
            self.rec["tls"] = "starttls"
            self.tls_seen(self.session.ssl.get("ssl_object"))

    def tls_seen(self, sslobj):
        """Record the SNI name and client certificate of a TLS session."""
        if sslobj is None:
            return
        self.rec["sni"] = getattr(sslobj, "sni_name", None)
        self.rec["tls_version"] = sslobj.version()
        cert = sslobj.getpeercert()
        self.rec["client_cn"] = [v for rdn in (cert or {}).get("subject", ())
                                 for k, v in rdn if k == "commonName"]

    def connection_lost(self, error):
        if self.rec is not None and not self.rec.get("written"):
            # Commands the client sent before it closed that the command
            # loop had no time to read (e.g. QUIT and close_notify at once).
            left = bytes(getattr(self._reader, "_buffer", b""))
            self.rec["cmds"] += [l.decode("latin-1") for l in left.split(b"\r\n") if l]
            self.rec["written"] = True
            seq[0] += 1
            path = os.path.join(outdir, "%s-%04d.json" % (self.port, seq[0]))
            with open(path + ".tmp", "w") as f:
                json.dump(self.rec, f)
            os.rename(path + ".tmp", path)
        super().connection_lost(error)

    async def smtp_EHLO(self, hostname):
        if self.kind == "e421":
            await self.push("421 4.3.2 rec.test closing: parity test")
            self.transport.close()
            return
        await super().smtp_EHLO(hostname)

    async def smtp_HELO(self, hostname):
        if self.kind == "e421":
            await self.push("421 4.3.2 rec.test closing: parity test")
            self.transport.close()
            return
        await super().smtp_HELO(hostname)

    async def smtp_XFORWARD(self, arg):
        if self.kind != "xforward":
            await self.push('500 Error: command "XFORWARD" not recognized')
            return
        await self.push("250 2.0.0 Ok")


async def main():
    loop = asyncio.get_running_loop()
    for kind, addr, port in specs:
        implicit = kind == "wrapper"
        await loop.create_server(
            lambda k=kind, p=int(port), i=implicit: RecSMTP(k, p, i),
            addr, int(port), ssl=tls_ctx() if implicit else None,
            reuse_address=True)
    open(readyfile, "w").close()
    await asyncio.sleep(maxtime)


os.makedirs(outdir, exist_ok=True)
asyncio.run(main())
