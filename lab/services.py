#!/usr/bin/env python3
"""Victim services for the Nightjar capture lab (run inside the victim namespace).

TCP 80   HTTP/1.1 (keep-alive): "/" small page, "/bytes/N" N bytes (N <= 4 MiB), "/img/K" pages
TCP 7    echo                      UDP 7    echo
TCP 9000 bulk source: the client sends "N\\n", the server sends N bytes (N <= 8 MiB) and closes
TCP 22   SSH-like banner, reads one line, closes (not with --no-ssh: --scenario bruteforce runs
         a real sshd there)
TCP 25   SMTP-like banner and a tiny dialogue
UDP 123  NTP-like: answers any datagram with 48 bytes
TCP 443  only with --tls-cert/--tls-key (busy runs): the same HTTP/1.1 service over TLS
With --idle-timeout S (busy runs), an HTTP or HTTPS connection idle for S seconds is closed by the
server, as nginx's keepalive_timeout does; without it (every other run) it stays open.
Everything else is closed: TCP gets RST, UDP gets ICMP port unreachable (kernel behaviour).
The process exits after --duration seconds at the latest (it is also run under `timeout`).
"""
import argparse
import http.server
import os
import ssl
import zlib
import socket
import socketserver
import threading
import time

CHUNK = bytes(range(256)) * 256  # 64 KiB pattern


class Http(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.22.1"
    sys_version = ""

    def log_message(self, *args):
        pass

    def _send(self, code, body, ctype="text/html; charset=utf-8"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        p = self.path
        if p == "/" or p == "/index.html":
            links = "".join(f'<li><a href="/bytes/{n}">{n}</a></li>' for n in (512, 4096, 65536))
            self._send(200, f"<html><head><title>victim</title></head><body><ul>{links}</ul></body></html>".encode())
        elif p.startswith("/bytes/"):
            try:
                n = min(int(p[7:]), 4 << 20)
            except ValueError:
                self._send(400, b"bad size\n", "text/plain")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            while n > 0:
                k = min(n, len(CHUNK))
                self.wfile.write(CHUNK[:k])
                n -= k
        elif p.startswith("/img/"):
            self._send(200, CHUNK[: 1500 + (zlib.crc32(p.encode()) % 20000)], "image/png")
        else:
            self._send(404, b"<html><body>not found</body></html>")


def https_handler(idle):
    """The HTTP handler over TLS: the handshake runs in the connection's own thread."""
    class Https(Http):
        timeout = idle

        def setup(self):
            self.request.settimeout(10)
            self.request.do_handshake()
            self.request.settimeout(None)
            super().setup()  # applies the idle timeout, if any

    return Https


class ThreadingTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # resets by scanners and floods are expected


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(30)
        try:
            while True:
                d = self.request.recv(4096)
                if not d:
                    return
                self.request.sendall(d)
        except OSError:
            return


class Bulk(socketserver.StreamRequestHandler):
    def handle(self):
        self.request.settimeout(30)
        try:
            n = min(int(self.rfile.readline(32).strip() or b"0"), 8 << 20)
            while n > 0:
                k = min(n, len(CHUNK))
                self.wfile.write(CHUNK[:k])
                n -= k
        except (OSError, ValueError):
            return


class Ssh(socketserver.StreamRequestHandler):
    def handle(self):
        self.request.settimeout(10)
        try:
            self.wfile.write(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
            self.rfile.readline(256)
        except OSError:
            return


class Smtp(socketserver.StreamRequestHandler):
    def handle(self):
        self.request.settimeout(10)
        try:
            self.wfile.write(b"220 victim.lab ESMTP Postfix\r\n")
            for _ in range(5):
                line = self.rfile.readline(512)
                if not line or line.upper().startswith(b"QUIT"):
                    self.wfile.write(b"221 2.0.0 Bye\r\n")
                    return
                self.wfile.write(b"250 victim.lab\r\n")
        except OSError:
            return


def udp_loop(port, reply):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    while True:
        try:
            d, a = s.recvfrom(65535)
            s.sendto(reply(d), a)
        except OSError:
            continue


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--tls-cert", default="", help="PEM certificate: serve HTTPS on 443 (busy runs)")
    ap.add_argument("--tls-key", default="")
    ap.add_argument("--idle-timeout", type=float, default=0,
                    help="close HTTP(S) connections idle this long (busy runs; default: never)")
    ap.add_argument("--no-ssh", action="store_true",
                    help="leave TCP 22 to a real sshd (--scenario bruteforce)")
    a = ap.parse_args()
    http_handler = Http
    if a.idle_timeout > 0:
        http_handler = type("HttpIdle", (Http,), {"timeout": a.idle_timeout})
    servers = [
        ThreadingTCP(("0.0.0.0", 80), http_handler),
        ThreadingTCP(("0.0.0.0", 7), Echo),
        ThreadingTCP(("0.0.0.0", 9000), Bulk),
        ThreadingTCP(("0.0.0.0", 25), Smtp),
    ]
    if not a.no_ssh:
        servers.append(ThreadingTCP(("0.0.0.0", 22), Ssh))
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key or None)
        tls = ThreadingTCP(("0.0.0.0", 443), https_handler(a.idle_timeout or None))
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True, do_handshake_on_connect=False)
        servers.append(tls)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    threading.Thread(target=udp_loop, args=(7, lambda d: d), daemon=True).start()
    threading.Thread(target=udp_loop, args=(123, lambda d: b"\x24\x02\x00\xe7" + bytes(44)), daemon=True).start()
    print("services up", flush=True)
    time.sleep(a.duration)
    os._exit(0)


if __name__ == "__main__":
    main()
