#!/usr/bin/env python3
"""Many names looked up at once, and DNS query floods, for lab/lookups.sh (session 24, helper h4).
Standard library only; every address given must lie in 198.18.0.0/15 (checked); every loop is
bounded by its count and by --duration.

    lookups.py burst --server IP --src IP --names N [--ptr] [--workers K] [--seed S]
        glibc's resolver as a busy host uses it: N names (forward: w<i>.<zone> and random host
        names, some in the resolver's zone; --ptr: the reverse names of N addresses of
        198.18.0.0/15, as a log analyser resolves its clients) looked up by K threads at once
        (0: every name at once); each lookup opens a UDP socket of its own (a new source port),
        sends the A and AAAA questions together (getaddrinfo, AF_UNSPEC) or one PTR question
        (getnameinfo), waits up to 2 s for the answers, and closes it.
    lookups.py torture --server IP --src IP --domain D --count C --rate R [--seed S]
        a random-subdomain ("water torture") flood as a bot sends it: C queries for
        <random label>.D at R a second, each from a new source port, nothing read (the answers
        meet a closed port, as a raw-socket sender's do).
"""
import argparse
import ipaddress
import random
import socket
import struct
import sys
import threading
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab(ip):
    if ipaddress.ip_address(ip) not in LAB:
        sys.exit(f"{ip} is outside 198.18.0.0/15")
    return ip


def query(name, qtype, qid):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", qtype, 1)


def burst(a, end):
    rnd = random.Random(a.seed)
    if a.ptr:
        net = list(LAB.hosts())
        names = []
        for _ in range(a.names):
            o = str(rnd.choice(net)).split(".")
            names.append(".".join(reversed(o)) + ".in-addr.arpa")
        qtypes = (12,)
    else:
        names = [rnd.choice([f"w{rnd.randrange(40)}.lab", f"host{rnd.randrange(100000)}.example.net",
                             f"cdn{rnd.randrange(900)}.static.example.com"]) for _ in range(a.names)]
        qtypes = (1, 28)
    todo = list(enumerate(names))
    lock = threading.Lock()
    got = [0, 0]

    def lookup(name):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a.src, 0))
        s.connect((a.server, 53))
        s.settimeout(2.0)
        for qt in qtypes:
            s.send(query(name, qt, rnd.randrange(65536)))
        n = 0
        try:
            while n < len(qtypes):
                s.recv(4096)
                n += 1
        except OSError:
            pass
        s.close()
        return n

    def worker():
        while time.time() < end:
            with lock:
                if not todo:
                    return
                _, name = todo.pop()
            n = lookup(name)
            with lock:
                got[0] += len(qtypes)
                got[1] += n

    k = a.workers if a.workers > 0 else len(names)
    ts = [threading.Thread(target=worker) for _ in range(k)]
    t0 = time.time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(f"burst: {len(names)} names ({'PTR' if a.ptr else 'A+AAAA'}) by {k} threads in "
          f"{time.time() - t0:.2f} s: {got[0]} questions, {got[1]} answered")


def torture(a, end):
    rnd = random.Random(a.seed)
    alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
    t0 = time.time()
    for i in range(a.count):
        if time.time() >= end:
            break
        label = "".join(rnd.choice(alpha) for _ in range(rnd.randint(8, 16)))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a.src, 0))
        s.sendto(query(f"{label}.{a.domain}", 1, rnd.randrange(65536)), (a.server, 53))
        s.close()
        lag = t0 + (i + 1) / a.rate - time.time()
        if lag > 0:
            time.sleep(lag)
    print(f"torture: {i + 1} queries in {time.time() - t0:.2f} s")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("burst", "torture"))
    p.add_argument("--server", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--names", type=int, default=200)
    p.add_argument("--ptr", action="store_true")
    p.add_argument("--workers", type=int, default=16)
    p.add_argument("--domain", default="victim.example")
    p.add_argument("--count", type=int, default=3000)
    p.add_argument("--rate", type=float, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--duration", type=float, default=60)
    a = p.parse_args()
    lab(a.server)
    lab(a.src)
    if not 1 <= a.names <= 5000 or not 1 <= a.count <= 50000 or not 1 <= a.rate <= 20000:
        sys.exit("--names 1-5000, --count 1-50000, --rate 1-20000")
    end = time.time() + a.duration
    (burst if a.mode == "burst" else torture)(a, end)


if __name__ == "__main__":
    main()
