#!/usr/bin/env python3
"""Resolvers pinged by a DNSCrypt client, for lab/pings.sh (session 25, helper h4).
Standard library only; every address given must lie in 198.18.0.0/15 (checked); every loop is
bounded by its count and by --duration.

    pings.py serve --addrs A1,A2,... --ports 443,1443,8443 [--reply 184,319] [--duration S]
        the lab's "resolvers": a UDP socket bound to each address and port (so that each answer
        leaves from the address and port its query went to), each datagram answered at once
        with one datagram of a size drawn from --reply, to the port it came from.
    pings.py ping --servers A1,A2,... [--per 6] [--sizes 512,1532] [--rounds R] [--pause P]
                  [--spread S] [--seed N]
        dnscrypt-proxy measuring its resolvers (its "pings", as nDPI's
        tests/pcap/dnscrypt-v1-and-resolver-pings.pcap shows them): each resolver (a port of
        443, 1443, 8443 drawn for it) is sent --per queries at once, each from a socket of its
        own (a fresh source port), padded to a size of --sizes (1532 bytes go over the lab's
        1500-byte MTU: the kernel fragments them); the resolvers are pinged one after another
        within --spread seconds, every query waiting up to 2 s for its answer. --rounds such
        rounds, --pause seconds apart. Prints queries sent and answered.
"""
import argparse
import ipaddress
import random
import select
import socket
import sys
import threading
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab(ip):
    if ipaddress.ip_address(ip) not in LAB:
        sys.exit(f"{ip} is outside 198.18.0.0/15")
    return ip


def addrs(text):
    return [lab(a.strip()) for a in text.split(",") if a.strip()]


def serve(a):
    sizes = [int(x) for x in a.reply.split(",")]
    socks = []
    for ip in addrs(a.addrs):
        for port in (int(p) for p in a.ports.split(",")):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            s.bind((ip, port))
            socks.append(s)
    rnd = random.Random(1)
    end = time.time() + a.duration
    answered = 0
    while time.time() < end:
        ready, _, _ = select.select(socks, [], [], 0.5)
        for s in ready:
            try:
                data, peer = s.recvfrom(65535)
            except OSError:
                continue
            if not data:
                continue
            # the answer's size is the resolver's: one per address (as a real one's is)
            size = sizes[sum(map(int, s.getsockname()[0].split("."))) % len(sizes)]
            s.sendto(data[:8] + bytes(rnd.randrange(256) for _ in range(size - 8)), peer)
            answered += 1
    print(f"serve: answered {answered}", flush=True)


def ping(a):
    servers = addrs(a.servers)
    sizes = [int(x) for x in a.sizes.split(",")]
    rnd = random.Random(a.seed)
    port_of = {ip: rnd.choice((443, 1443, 8443)) for ip in servers}
    sent = [0]
    got = [0]
    lock = threading.Lock()

    def one(ip, size):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            if a.src:
                s.bind((a.src, 0))
            s.settimeout(2.0)
            # a DNSCrypt query: an 8-byte client magic, a nonce, the padded box
            q = bytes(rnd.randrange(256) for _ in range(size))
            s.sendto(q, (ip, port_of[ip]))
            with lock:
                sent[0] += 1
            s.recvfrom(4096)
            with lock:
                got[0] += 1
        except OSError:
            pass
        finally:
            s.close()

    end = time.time() + a.duration
    for r in range(a.rounds):
        if time.time() >= end:
            break
        order = servers[:]
        rnd.shuffle(order)
        threads = []
        gap = a.spread / max(1, len(order))
        for ip in order:
            # the resolver's queries go out together, each from its own socket
            ts = [threading.Thread(target=one, args=(ip, rnd.choice(sizes))) for _ in range(a.per)]
            for t in ts:
                t.start()
            threads += ts
            time.sleep(gap * rnd.uniform(0.5, 1.5))
        for t in threads:
            t.join()
        if r + 1 < a.rounds:
            time.sleep(a.pause)
    print(f"ping: sent {sent[0]}, answered {got[0]}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--addrs", required=True)
    s.add_argument("--ports", default="443,1443,8443")
    s.add_argument("--reply", default="184,319")
    s.add_argument("--duration", type=float, default=600)
    q = sub.add_parser("ping")
    q.add_argument("--servers", required=True)
    q.add_argument("--src", default="")
    q.add_argument("--per", type=int, default=6)
    q.add_argument("--sizes", default="512,1532")
    q.add_argument("--rounds", type=int, default=1)
    q.add_argument("--pause", type=float, default=5)
    q.add_argument("--spread", type=float, default=2)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--duration", type=float, default=120)
    a = p.parse_args()
    if a.cmd == "serve":
        serve(a)
    else:
        if a.src:
            lab(a.src)
        ping(a)


if __name__ == "__main__":
    main()
