#!/usr/bin/env python3
"""A normal client for the Nightjar capture lab (run inside a client namespace).

Irregular, seeded behaviour: random think times (log-normal, with occasional idle pauses) between
actions drawn from a per-client profile: HTTP GETs of many sizes (sometimes several on one
keep-alive connection), TCP echo sessions, UDP echo, ping, occasional bulk downloads, SSH/SMTP
banner sessions, NTP-like UDP, and the small mistakes real clients make: a connection to a closed
port (refused), a DNS-like query to a closed UDP port (ICMP port unreachable), a retried UDP
query. Touching a closed port is therefore not by itself an attack signature in the captures.

--duration S   act until S seconds have passed          --actions N   do N actions and exit
--kinds LIST   draw only these actions (comma list of ACTIONS; default: all)
"""
import argparse
import http.client
import math
import os
import random
import socket
import struct
import time

ACTIONS = ["http", "http_multi", "echo_tcp", "echo_udp", "ping", "bulk", "closed_tcp", "dns_closed",
           "ssh", "smtp", "ntp"]
BASE_WEIGHTS = [30, 10, 8, 8, 7, 2, 3, 3, 4, 2, 3]
CLOSED_TCP = [21, 23, 53, 110, 143, 443, 445, 993, 3306, 3389, 5432, 6379, 8000, 8080, 8443, 9090]


def http_get(r, host, n_req):
    c = http.client.HTTPConnection(host, 80, timeout=5)
    try:
        for _ in range(n_req):
            x = r.random()
            if x < 0.2:
                path = "/"
            elif x < 0.35:
                path = f"/img/{r.randrange(1000)}.png"
            elif x < 0.40:
                path = f"/missing/{r.randrange(1000)}"
            else:
                path = f"/bytes/{int(math.exp(r.uniform(math.log(200), math.log(150_000))))}"
            c.request("GET", path, headers={"User-Agent": r.choice(UAS)})
            c.getresponse().read()
            if n_req > 1:
                time.sleep(r.uniform(0.05, 0.8))
    finally:
        c.close()


UAS = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
       "curl/7.88.1", "Wget/1.21.3", "python-requests/2.31.0"]


def echo_tcp(r, host):
    with socket.create_connection((host, 7), timeout=5) as s:
        for _ in range(r.randint(1, 6)):
            msg = os.urandom(r.randint(1, 400))
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                d = s.recv(4096)
                if not d:
                    return
                got += d
            time.sleep(r.expovariate(1 / 0.4))


def udp_query(r, host, port, payload, tries=1, wait=1.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(wait)
        for _ in range(tries):
            s.sendto(payload, (host, port))
            try:
                s.recvfrom(65535)
                return
            except (socket.timeout, ConnectionRefusedError, OSError):
                time.sleep(r.uniform(0.1, 0.5))


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ping(r, host):
    ident = r.randrange(65536)
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as s:
        s.settimeout(1.0)
        for seq in range(1, r.randint(1, 4) + 1):
            data = struct.pack("!d", time.time()) + bytes(range(48))
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + data), ident, seq) + data
            s.sendto(pkt, (host, 0))
            try:
                s.recvfrom(1500)
            except socket.timeout:
                pass
            time.sleep(1.0 if r.random() < 0.7 else r.uniform(0.2, 1.0))


def bulk(r, host):
    n = int(math.exp(r.uniform(math.log(100_000), math.log(500_000))))
    with socket.create_connection((host, 9000), timeout=10) as s:
        s.sendall(f"{n}\n".encode())
        got = 0
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)


def banner(r, host, port, lines):
    with socket.create_connection((host, port), timeout=5) as s:
        s.recv(256)
        for ln in lines:
            time.sleep(r.uniform(0.01, 0.3))
            s.sendall(ln)
            try:
                s.recv(256)
            except socket.timeout:
                return


def dns_query(r):
    name = r.choice(["victim.lab", "update.lab", "time.lab", "mail.lab"])
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", r.randrange(65536), 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def act(r, host, kind):
    if kind == "http":
        http_get(r, host, 1)
    elif kind == "http_multi":
        http_get(r, host, r.randint(2, 6))
    elif kind == "echo_tcp":
        echo_tcp(r, host)
    elif kind == "echo_udp":
        for _ in range(r.randint(1, 3)):
            udp_query(r, host, 7, os.urandom(r.randint(16, 512)))
    elif kind == "ping":
        ping(r, host)
    elif kind == "bulk":
        bulk(r, host)
    elif kind == "closed_tcp":
        try:
            socket.create_connection((host, r.choice(CLOSED_TCP)), timeout=2).close()
        except OSError:
            pass
        if r.random() < 0.5:  # a client retrying once, as browsers and scripts do
            time.sleep(r.uniform(0.2, 1.0))
            try:
                socket.create_connection((host, r.choice(CLOSED_TCP)), timeout=2).close()
            except OSError:
                pass
    elif kind == "dns_closed":
        udp_query(r, host, 53, dns_query(r), tries=r.randint(1, 2), wait=0.7)
    elif kind == "ssh":
        banner(r, host, 22, [b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"])
    elif kind == "smtp":
        banner(r, host, 25, [b"EHLO client.lab\r\n", b"QUIT\r\n"])
    elif kind == "ntp":
        udp_query(r, host, 123, b"\x23" + bytes(47))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--victim", default="198.18.0.10")
    ap.add_argument("--duration", type=float, default=0)
    ap.add_argument("--actions", type=int, default=0)
    ap.add_argument("--mean-think", type=float, default=1.5)
    ap.add_argument("--kinds", default="")
    a = ap.parse_args()
    r = random.Random(a.seed)
    # Each client has its own taste: weights jittered per seed.
    weights = [w * r.uniform(0.3, 1.7) for w in BASE_WEIGHTS]
    if a.kinds:
        kinds = a.kinds.split(",")
        bad = [k for k in kinds if k not in ACTIONS]
        if bad:
            raise SystemExit(f"unknown --kinds {bad}; known: {', '.join(ACTIONS)}")
        weights = [w if k in kinds else 0.0 for k, w in zip(ACTIONS, weights)]
    deadline = time.time() + a.duration
    done = 0
    while True:
        if a.actions and done >= a.actions:
            break
        if not a.actions and time.time() >= deadline:
            break
        kind = r.choices(ACTIONS, weights)[0]
        try:
            act(r, a.victim, kind)
        except OSError:
            pass  # timeouts and resets during attacks are part of life
        done += 1
        if a.actions and done >= a.actions:
            break
        think = r.lognormvariate(math.log(a.mean_think), 0.8)
        if r.random() < 0.05:
            think += r.uniform(3, 10)  # the user went for coffee
        time.sleep(min(think, 15.0))


if __name__ == "__main__":
    main()
