#!/usr/bin/python3
"""A DHT node of the lab (lab/p2p.sh) that stands for the rest of the Internet's DHT.

    p2pdht.py --ip 198.18.0.5 --port 6881 --seed N --life S

It answers the mainline DHT's KRPC queries (BEP 5: ping, find_node, get_peers, announce_peer)
like any node, and its answers name, beside the lab peers that have queried it, nodes that are
gone: addresses in 198.18.128.0/17 on random high ports, which the lab routes to a host that
drops them. A real client's routing table is full of such stale nodes, so a real capture shows a
DHT client sending get_peers/find_node to dozens of addresses a minute, many never answered;
this node makes the lab's clients do the same. Only the standard library; bounded by --life.
"""
import argparse
import os
import random
import socket
import struct
import time


def benc(x):
    if isinstance(x, int):
        return b"i%de" % x
    if isinstance(x, bytes):
        return b"%d:%s" % (len(x), x)
    if isinstance(x, str):
        return benc(x.encode())
    if isinstance(x, list):
        return b"l" + b"".join(benc(v) for v in x) + b"e"
    if isinstance(x, dict):
        return b"d" + b"".join(benc(k) + benc(x[k]) for k in sorted(x)) + b"e"
    raise TypeError(type(x))


def bdec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c == b"l":
        i, out = i + 1, []
        while b[i:i + 1] != b"e":
            v, i = bdec(b, i)
            out.append(v)
        return out, i + 1
    if c == b"d":
        i, out = i + 1, {}
        while b[i:i + 1] != b"e":
            k, i = bdec(b, i)
            v, i = bdec(b, i)
            out[k] = v
        return out, i + 1
    j = b.index(b":", i)
    n = int(b[i:j])
    return b[j + 1:j + 1 + n], j + 1 + n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ip", required=True)
    ap.add_argument("--port", type=int, default=6881)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--life", type=float, default=200)
    ap.add_argument("--stale", type=float, default=0.6, help="share of stale nodes in answers")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    me = os.urandom(20)
    live = {}  # (ip, port) -> node id, from the queries received
    stale = [(f"198.18.{rnd.randint(128, 255)}.{rnd.randint(1, 254)}", rnd.randint(1025, 65000))
             for _ in range(400)]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.ip, a.port))
    s.settimeout(1.0)
    end = time.time() + a.life
    while time.time() < end:
        try:
            data, addr = s.recvfrom(2048)
        except socket.timeout:
            continue
        try:
            msg, _ = bdec(data)
            if msg.get(b"y") != b"q":
                continue
            q, args = msg[b"q"], msg.get(b"a", {})
        except (ValueError, IndexError, KeyError, AttributeError):
            continue
        if isinstance(args.get(b"id"), bytes) and len(args[b"id"]) == 20:
            live[addr] = args[b"id"]
        r = {b"id": me}
        if q in (b"find_node", b"get_peers"):
            nodes = []
            for _ in range(8):
                if live and rnd.random() > a.stale:
                    ip, port = rnd.choice(list(live))
                else:
                    ip, port = rnd.choice(stale)
                nodes.append(os.urandom(20) + socket.inet_aton(ip) + struct.pack(">H", port))
            r[b"nodes"] = b"".join(nodes)
        if q == b"get_peers":
            r[b"token"] = os.urandom(4)
        s.sendto(benc({b"t": msg.get(b"t", b""), b"y": b"r", b"r": r}), addr)


if __name__ == "__main__":
    main()
