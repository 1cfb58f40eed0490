#!/usr/bin/env python3
"""The "Internet" servers of lab/infra.sh (session 21): run inside one namespace that holds many
addresses (extra /32s on lo), standard library only.

    infrasrv.py --dns A,B,... --ntp A,B,... [--smtp] [--http] [--tls CERT:KEY] --duration S

DNS (UDP and TCP 53, one UDP socket per --dns address, so each answer comes from the address
asked): an authoritative answer for any A query: the name's address in 198.18.40.0/25 (drawn from
a hash of the name), TTL 3; a name whose first label starts with "big" gets a UDP answer with TC
set and no records, and over TCP twelve A records (the resolver's TCP fallback); NS/SOA/AAAA and
other types get NODATA (NOERROR, no answer). NTP (UDP 123, one socket per --ntp address): a
server reply (mode 4, stratum 2) with the current time. SMTP (TCP 25 on every address): a tiny
SMTP dialogue (220, EHLO/HELO, MAIL, RCPT, DATA ... ".", RSET, NOOP, QUIT). HTTP on 80 and (with
--tls) HTTPS on 443: a small page for any path. Every address must lie in 198.18.0.0/15. Exits
after --duration seconds.
"""
import argparse
import hashlib
import http.server
import ipaddress
import selectors
import socket
import socketserver
import ssl
import struct
import threading
import time

LAB = ipaddress.ip_network("198.18.0.0/15")
NTP_DELTA = 2208988800


def lab_addrs(text):
    out = [a for a in text.split(",") if a]
    for a in out:
        if ipaddress.ip_address(a) not in LAB:
            raise SystemExit(f"{a} is outside 198.18.0.0/15")
    return out


def qname_end(msg, off):
    labels = []
    while off < len(msg):
        n = msg[off]
        if n == 0:
            return off + 1, ".".join(labels)
        if n & 0xC0:
            return off + 2, ".".join(labels)
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    raise ValueError("truncated name")


def dns_answer(q, tcp):
    """The reply to query q (bytes), or None when it is not a query we can parse."""
    if len(q) < 17:
        return None
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    if flags & 0x8000 or qd != 1:
        return None
    end, name = qname_end(q, 12)
    qtype, _qclass = struct.unpack("!HH", q[end:end + 4])
    question = q[12:end + 4]
    rd = flags & 0x0100
    answers = []
    tc = 0
    if qtype == 1:
        big = name.split(".")[0].lower().startswith("big")
        if big and not tcp:
            tc = 0x0200
        else:
            h = hashlib.sha1(name.lower().encode()).digest()
            for i in range(12 if big else 1):
                ip = bytes([198, 18, 40, 1 + (h[i] % 40)])
                answers.append(b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 3, 4) + ip)
    hdr = struct.pack("!HHHHHH", qid, 0x8400 | rd | tc, 1, len(answers), 0, 0)
    return hdr + question + b"".join(answers)


def serve_dns_tcp(addr, deadline):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, 53))
    srv.listen(64)
    srv.settimeout(1.0)
    while time.time() < deadline:
        try:
            c, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=dns_tcp_conn, args=(c,), daemon=True).start()


def dns_tcp_conn(c):
    c.settimeout(5)
    try:
        with c:
            while True:
                ln = c.recv(2)
                if len(ln) < 2:
                    return
                n = struct.unpack("!H", ln)[0]
                q = b""
                while len(q) < n:
                    part = c.recv(n - len(q))
                    if not part:
                        return
                    q += part
                r = dns_answer(q, True)
                if r is None:
                    return
                c.sendall(struct.pack("!H", len(r)) + r)
    except (OSError, ValueError, struct.error):
        pass


def ntp_reply(q):
    if len(q) < 48:
        return None
    now = time.time() + NTP_DELTA
    sec, frac = int(now), int((now % 1) * 2**32)
    li_vn_mode = (q[0] & 0x38) | 4
    return (struct.pack("!BBbb", li_vn_mode, 2, q[2], -20) + struct.pack("!II", 16, 32)
            + b"\xc6\x12\x00\x01" + struct.pack("!II", sec - 5, frac) + q[40:48]
            + struct.pack("!II", sec, frac) + struct.pack("!II", sec, frac))


class Smtp(socketserver.StreamRequestHandler):
    timeout = 20

    def say(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        host = self.request.getsockname()[0]
        self.say(f"220 mx.{host} ESMTP ready")
        data = False
        try:
            for raw in self.rfile:
                line = raw.decode("ascii", "replace").rstrip("\r\n")
                if data:
                    if line == ".":
                        data = False
                        self.say("250 2.0.0 queued")
                    continue
                verb = line[:4].upper()
                if verb == "EHLO":
                    self.say(f"250-mx.{host}\r\n250-SIZE 10240000\r\n250 8BITMIME")
                elif verb == "HELO":
                    self.say(f"250 mx.{host}")
                elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                    self.say("250 2.1.0 ok")
                elif verb == "DATA":
                    data = True
                    self.say("354 end with .")
                elif verb == "QUIT":
                    self.say("221 bye")
                    return
                else:
                    self.say("502 5.5.2 unknown")
        except OSError:
            pass


class Web(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10

    def do_GET(self):
        body = (b"<html><body>" + self.path.encode("ascii", "replace") + b" "
                + b"x" * (200 + len(self.path) * 37 % 3000) + b"</body></html>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class TServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class THttp(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dns", default="")
    p.add_argument("--ntp", default="")
    p.add_argument("--smtp", action="store_true")
    p.add_argument("--http", action="store_true")
    p.add_argument("--tls", default="")
    p.add_argument("--duration", type=float, default=600)
    a = p.parse_args()
    deadline = time.time() + a.duration
    dns, ntp = lab_addrs(a.dns), lab_addrs(a.ntp)
    sel = selectors.DefaultSelector()
    for addr in dns:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, 53))
        sel.register(s, selectors.EVENT_READ, "dns")
        threading.Thread(target=serve_dns_tcp, args=(addr, deadline), daemon=True).start()
    for addr in ntp:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, 123))
        sel.register(s, selectors.EVENT_READ, "ntp")
    servers = []
    if a.smtp:
        servers.append(TServer(("0.0.0.0", 25), Smtp))
    if a.http:
        servers.append(THttp(("0.0.0.0", 80), Web))
    if a.tls:
        cert, key = a.tls.split(":")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        h = THttp(("0.0.0.0", 443), Web)
        h.socket = ctx.wrap_socket(h.socket, server_side=True, do_handshake_on_connect=False)
        servers.append(h)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    while time.time() < deadline:
        for key, _ in sel.select(timeout=1.0):
            try:
                q, peer = key.fileobj.recvfrom(4096)
                r = dns_answer(q, False) if key.data == "dns" else ntp_reply(q)
            except (OSError, ValueError, struct.error):
                continue
            if r:
                key.fileobj.sendto(r, peer)


if __name__ == "__main__":
    main()
