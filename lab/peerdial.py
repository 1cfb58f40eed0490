#!/usr/bin/python3
"""The peers and the dialling node of lab/peerdial.sh: a P2P node (Ethereum's devp2p, Bitcoin,
IPFS) connecting to the peers it learnt of, all on one port, as nDPI's tests/pcap/ethereum.pcap
shows (session 25). Run inside a lab namespace; every address it binds or dials is checked to lie
in 198.18.0.0/15.

    peerdial.py peers --addrs A,B,... --port 30303 --seed S --life SECONDS
    peerdial.py node --peers A,B,... --port 30303 --seed S --span SECONDS --at-once N --life SECONDS

peers: one listener per address (all in this namespace). Each accepted connection reads the
node's hello (its first message), answers it (an ack and a hello, a few segments), then, drawn
per connection from the seed: "full" (half): sends a disconnect ("too many peers") and closes at
once with a FIN; the node's next messages reach a closed socket and its kernel answers each with
a reset (Linux aborts an orphaned socket on data, RFC 9293 §3.10.7.1), as geth's peers do in the
capture; "linger" (a fifth): the same, closed with SO_LINGER 0 (a reset, not a FIN); "stay": keeps
the session, answering the node's pings, until the node leaves (FIN), or closes it itself after a
while.

node: dials every peer (in the order given) on PORT, the first AT_ONCE (16, geth's dial slots)
together, the others spread over SPAN seconds, at most AT_ONCE at a time, each with its own
source port; sends a hello of 300-500 random bytes, reads the answer, then sends
its next messages 2 ms later (8-12 small writes, TCP_NODELAY, as geth's hello frames: across
the lab's delaying link they are on their way before a peer's FIN and resets come back); keeps the
connections that stay, pinging every second, and closes them all (FIN) at --life. Peers that do
not answer (absent: nothing holds the address) are given up after 3 s.
"""
import argparse
import ipaddress
import os
import random
import selectors
import socket
import struct
import sys
import threading
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab(addr):
    if ipaddress.ip_address(addr) not in LAB:
        sys.exit(f"peerdial.py: {addr} is outside 198.18.0.0/15")
    return addr


def peers(a):
    rng = random.Random(a.seed)
    sel = selectors.DefaultSelector()
    for addr in a.addrs.split(","):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((lab(addr), a.port))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, "listen")
    end = time.time() + a.life
    conns = {}  # sock -> [state, mode, close_at]
    while time.time() < end:
        for key, _ in sel.select(0.05):
            s = key.fileobj
            if key.data == "listen":
                c, _ = s.accept()
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                c.setblocking(False)
                r = rng.random()
                mode = "full" if r < 0.5 else "linger" if r < 0.7 else "stay"
                conns[c] = ["hello", mode, time.time() + rng.uniform(2, 8)]
                sel.register(c, selectors.EVENT_READ, "conn")
                continue
            st = conns[s]
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                del conns[s]
                continue
            if st[0] == "hello":
                st[0] = "open"
                s.setblocking(True)
                s.sendall(os.urandom(rng.randint(380, 460)))
                for _ in range(rng.randint(2, 5)):
                    s.sendall(os.urandom(rng.randint(1, 40)))
                s.setblocking(False)
                if st[1] in ("full", "linger"):
                    s.send(os.urandom(rng.randint(10, 20)))  # the disconnect message
                    if st[1] == "linger":
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sel.unregister(s)
                    s.close()
                    del conns[s]
            else:
                try:
                    s.send(os.urandom(len(data) % 40 + 8))  # a pong
                except OSError:
                    pass
        now = time.time()
        for c in [c for c, st in conns.items() if st[0] == "open" and now > st[2]]:
            sel.unregister(c)
            c.close()
            del conns[c]


def dial(addr, port, rng, stay, lock):
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect((addr, port))
    except OSError:
        s.close()
        return
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        s.sendall(os.urandom(rng.randint(300, 500)))
        s.recv(4096)
        time.sleep(0.002)
        for _ in range(rng.randint(8, 12)):
            s.send(os.urandom(rng.randint(1, 130)))
        time.sleep(0.3)
        s.settimeout(0.5)
        s.recv(4096)
    except OSError:
        s.close()
        return
    with lock:
        stay.append(s)


def node(a):
    rng = random.Random(a.seed)
    addrs = [lab(x) for x in a.peers.split(",")]
    t0 = time.time()
    stay, lock, threads = [], threading.Lock(), []
    # the first --at-once dials together (geth's 16 dial slots), the others spread over --span
    rest = max(1, len(addrs) - a.at_once)
    for i, addr in enumerate(addrs):
        while sum(t.is_alive() for t in threads) >= a.at_once:
            time.sleep(0.01)
        t = threading.Thread(target=dial, args=(addr, a.port, random.Random(rng.random()), stay, lock))
        t.start()
        threads.append(t)
        if i + 1 >= a.at_once:
            due = t0 + (i + 2 - a.at_once) * a.span / rest
            time.sleep(max(0.0, due - time.time()) * rng.uniform(0.3, 1.0))
    for t in threads:
        t.join()
    end = t0 + a.life
    while time.time() < end and stay:
        for s in list(stay):
            try:
                s.send(os.urandom(rng.randint(8, 40)))
                s.settimeout(0.2)
                if not s.recv(4096):
                    raise OSError
            except OSError:
                stay.remove(s)
                s.close()
        time.sleep(1)
    for s in stay:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["peers", "node"])
    ap.add_argument("--addrs", default="")
    ap.add_argument("--peers", default="")
    ap.add_argument("--port", type=int, default=30303)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--span", type=float, default=3.0)
    ap.add_argument("--at-once", type=int, default=16)
    ap.add_argument("--life", type=float, default=20.0)
    a = ap.parse_args()
    (peers if a.role == "peers" else node)(a)


if __name__ == "__main__":
    main()
