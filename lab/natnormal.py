#!/usr/bin/env python3
"""Normal traffic of a busy host for `lab/nat.sh` (session 20): the clients behind a NAT and the
busy workstation. Standard library only; every address must lie in 198.18.0.0/15 (checked).

  natnormal.py serve --bind IP --duration S
      UDP stream server on port 5004: a datagram "PLAY N RATE SIZE" from a client starts a
      stream of N datagrams of SIZE bytes at RATE a second back to that client (it stops early
      if the client sends "STOP" or goes silent for 5 s); UDP echo on 7.
  natnormal.py client --me NAME --seed N --load light|heavy --duration S
                      --web IP[,IP..] --bulk URL --stream IP --dns IP --ping IP [--jobs LIST]
      Threads, each bounded by --duration: page fetches (a DNS query for the server's name, then
      the page and 2-6 of its objects, each a new connection; think times 1-6 s light, 0.1-0.8 s
      heavy, two fetchers when heavy), a bulk download repeated (curl --limit-rate 150 kB/s
      light, 2 MB/s heavy, --max-time 20), a UDP stream (50 datagrams a second light, 400
      heavy, for 10-30 s, then a pause; acknowledged every 10th), a DNS lookup now and then,
      and pings (ICMP echo, one a second; at most --duration of them).
"""
import argparse
import ipaddress
import os
import random
import socket
import struct
import subprocess
import threading
import time
import urllib.request

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab(ip):
    if ipaddress.ip_address(ip) not in LAB:
        raise SystemExit(f"{ip} is outside 198.18.0.0/15")
    return ip


def serve(a):
    end = time.time() + a.duration
    st = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    st.bind((a.bind, 5004))
    st.settimeout(0.5)
    echo = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    echo.bind((a.bind, 7))
    echo.settimeout(0.5)

    def echoer():
        while time.time() < end:
            try:
                d, peer = echo.recvfrom(2048)
            except socket.timeout:
                continue
            if ipaddress.ip_address(peer[0]) in LAB:
                echo.sendto(d, peer)

    threading.Thread(target=echoer, daemon=True).start()
    streams = {}  # peer -> [left, rate, size, next_time, last_heard, seq]
    while time.time() < end:
        now = time.time()
        due = [s[3] for s in streams.values()]
        st.settimeout(max(0.0005, min([0.5] + [d - now for d in due])))
        try:
            d, peer = st.recvfrom(2048)
            if ipaddress.ip_address(peer[0]) not in LAB:
                continue
            w = d.split()
            if w[:1] == [b"PLAY"] and len(w) == 4:
                n, rate, size = int(w[1]), float(w[2]), int(w[3])
                streams[peer] = [min(n, 20000), min(rate, 1000.0), min(size, 1400), time.time(), time.time(), 0]
            elif w[:1] == [b"STOP"]:
                streams.pop(peer, None)
            elif peer in streams:
                streams[peer][4] = time.time()
        except socket.timeout:
            pass
        now = time.time()
        for peer, s in list(streams.items()):
            if s[0] <= 0 or now - s[4] > 5:
                del streams[peer]
                continue
            while s[3] <= now and s[0] > 0:
                st.sendto(struct.pack("!I", s[5]) + os.urandom(s[2] - 4), peer)
                s[5] += 1
                s[0] -= 1
                s[3] += 1.0 / s[1]


def dns_query(server, name, rnd):
    q = struct.pack("!HHHHHH", rnd.randrange(65536), 0x0100, 1, 0, 0, 0)
    for part in name.split("."):
        q += bytes([len(part)]) + part.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    try:
        s.sendto(q, (server, 53))
        s.recv(512)
    except OSError:
        pass
    finally:
        s.close()


def client(a):
    end = time.time() + a.duration
    heavy = a.load == "heavy"
    webs = [lab(x) for x in a.web.split(",")]
    names = ["www.lab", "files.lab", "news.lab", "mail.lab", "cdn.lab"]
    lab(a.stream), lab(a.dns), lab(a.ping)
    host = a.bulk.split("/")[2].split(":")[0]
    lab(host)
    rnd0 = random.Random(f"{a.seed}-{a.me}")

    def alive():
        return time.time() < end

    def fetcher(k):
        rnd = random.Random(f"{a.seed}-{a.me}-web{k}")
        while alive():
            srv = rnd.choice(webs)
            dns_query(a.dns, rnd.choice(names), rnd)
            for path in ["/index.html"] + [f"/obj{rnd.randrange(20)}.bin" for _ in range(rnd.randint(2, 6))]:
                try:
                    urllib.request.urlopen(f"http://{srv}{path}", timeout=3).read()
                except OSError:
                    pass
                if not alive():
                    return
            time.sleep(rnd.uniform(0.1, 0.8) if heavy else rnd.uniform(1, 6))

    def bulk():
        rnd = random.Random(f"{a.seed}-{a.me}-bulk")
        time.sleep(rnd.uniform(0, 5))
        while alive():
            left = max(1, int(end - time.time()))
            rate = "2M" if heavy else "150k"
            subprocess.run(["timeout", str(min(25, left + 1)), "curl", "-s", "-o", "/dev/null",
                            "--limit-rate", rate, "--max-time", str(min(20, left)), a.bulk],
                           stdin=subprocess.DEVNULL, check=False)
            time.sleep(rnd.uniform(1, 4))

    def stream():
        rnd = random.Random(f"{a.seed}-{a.me}-stream")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.5)
        time.sleep(rnd.uniform(0, 3))
        while alive():
            rate = 400 if heavy else 50
            secs = rnd.uniform(10, 30)
            s.sendto(f"PLAY {int(rate * secs)} {rate} {rnd.choice([1000, 1200, 1316])}".encode(), (a.stream, 5004))
            got, stop = 0, time.time() + secs + 2
            while alive() and time.time() < stop:
                try:
                    s.recv(2048)
                except socket.timeout:
                    continue
                got += 1
                if got % 10 == 0:
                    s.sendto(b"ACK %d" % got, (a.stream, 5004))
            s.sendto(b"STOP", (a.stream, 5004))
            time.sleep(rnd.uniform(2, 8))

    def dns():
        rnd = random.Random(f"{a.seed}-{a.me}-dns")
        while alive():
            dns_query(a.dns, rnd.choice(names + ["nosuch.lab"]), rnd)
            time.sleep(rnd.uniform(0.5, 3) if heavy else rnd.uniform(3, 12))

    def ping():
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        s.settimeout(1)
        ident = rnd0.randrange(65536)
        for seq in range(int(a.duration)):
            if not alive():
                return
            body = struct.pack("!d", time.time()) + bytes(48)
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            c = sum(struct.unpack("!%dH" % ((len(hdr) + len(body)) // 2), hdr + body))
            c = (c >> 16) + (c & 0xFFFF)
            c = ~(c + (c >> 16)) & 0xFFFF
            s.sendto(struct.pack("!BBHHH", 8, 0, c, ident, seq) + body, (a.ping, 0))
            try:
                s.recv(2048)
            except socket.timeout:
                pass
            time.sleep(1)

    kinds = {"web": lambda: fetcher(0), "bulk": bulk, "stream": stream, "dns": dns, "ping": ping}
    jobs = [kinds[k] for k in a.jobs.split(",")]
    if heavy and "web" in a.jobs.split(","):
        jobs.append(lambda: fetcher(1))
    ts = [threading.Thread(target=j, daemon=True) for j in jobs]
    for t in ts:
        t.start()
    while alive():
        time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--bind", required=True)
    s.add_argument("--duration", type=float, required=True)
    c = sub.add_parser("client")
    for k in ["--me", "--web", "--bulk", "--stream", "--dns", "--ping"]:
        c.add_argument(k, required=True)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--jobs", default="web,bulk,stream,dns,ping", help="which of them (comma list)")
    c.add_argument("--load", choices=["light", "heavy"], default="light")
    c.add_argument("--duration", type=float, required=True)
    a = ap.parse_args()
    if a.cmd == "serve":
        lab(a.bind)
        serve(a)
    else:
        client(a)


if __name__ == "__main__":
    main()
