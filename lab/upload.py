#!/usr/bin/env python3
"""upload.py: an HTTPS server taking uploads, and a client that uploads after an idle spell.

The pattern of nDPI's tests/pcap/whatsappfiles.pcap (session 25): a client opens one HTTPS
connection, exchanges a little (a GET and its answer), stays idle IDLE seconds, then uploads a
file of SIZE bytes at full speed on the same connection (HTTP/1.1 keep-alive, a POST), reads the
answer and closes. Normal traffic: nothing in it is an attack.

  upload.py serve ADDR PORT CERT KEY        HTTP/1.1 over TLS (Python's ssl, OpenSSL): GET
                                            answers a small page, POST reads its body and
                                            answers its length
  upload.py client HOST PORT N IDLE SIZE [RCVBUF]
                                            N connections one after another, each: GET /, sleep
                                            IDLE s, POST SIZE bytes of random data; RCVBUF > 0
                                            sets the socket's SO_RCVBUF (small advertised windows)

Bounded by N, IDLE and SIZE (and the lab's `timeout`). Standard library only.
"""
import http.client
import http.server
import os
import socket
import ssl
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def _answer(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._answer(b"ready\n" * 20)

    def do_POST(self):
        left = int(self.headers.get("Content-Length", "0"))
        got = 0
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            got += len(chunk)
            left -= len(chunk)
        self._answer(b"stored %d bytes\n" % got)


def serve(addr, port, cert, key):
    srv = http.server.ThreadingHTTPServer((addr, int(port)), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


class Conn(http.client.HTTPSConnection):
    """HTTPSConnection with an optional SO_RCVBUF set before connect (a small window)."""

    rcvbuf = 0

    def connect(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.rcvbuf > 0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        s.settimeout(self.timeout)
        s.connect((self.host, self.port))
        self.sock = self._context.wrap_socket(s, server_hostname=self.host)


def client(host, port, n, idle, size, rcvbuf=0):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    for _ in range(int(n)):
        c = Conn(host, int(port), context=ctx, timeout=60)
        c.rcvbuf = int(rcvbuf)
        c.request("GET", "/")
        c.getresponse().read()
        time.sleep(float(idle))
        body = os.urandom(int(size))
        c.request("POST", "/upload", body=body,
                  headers={"Content-Type": "application/octet-stream"})
        print(c.getresponse().read().decode().strip(), flush=True)
        c.close()
        time.sleep(1)


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "serve":
        serve(*sys.argv[2:6])
    elif len(sys.argv) >= 7 and sys.argv[1] == "client":
        client(*sys.argv[2:9])
    else:
        sys.exit(__doc__)
