#!/usr/bin/env python3
"""lab/pollnormal.py -- the normal traffic of lab/pollers.sh: clients that contact many hosts
again and again, some of whose services are closed (scanner look-alikes).

  pollnormal.py farm DUR ADDR:PORT:KIND...   one process serving every (address, port): KIND
                                             http (a tiny HTTP answer), banner (an SSH banner,
                                             then close) or peer (a BitTorrent-like handshake)
  pollnormal.py poll DUR PERIOD HOST...      a Nagios/Prometheus-like poller: every PERIOD s,
                                             for each host, TCP connects to ports 22, 9100
                                             (GET /metrics) and 80, and one ping
  pollnormal.py p2p DUR SEED PEER...         a P2P-ish client: every 2-6 s, 6 random peers each
                                             get a UDP DHT-like ping to 6881 and a TCP connect
                                             to 6881 (handshake and a few hundred bytes if it
                                             answers)
Every loop ends after DUR seconds."""
import asyncio, random, socket, subprocess, sys, time


async def serve(kind, r, w):
    try:
        if kind == "http":
            await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 5)
            w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
        elif kind == "banner":
            w.write(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        else:
            w.write(await asyncio.wait_for(r.read(68), 5) + b"x" * 300)
            await w.drain()
            await asyncio.wait_for(r.read(4096), 5)
        await w.drain()
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
        pass
    w.close()


async def farm(end, specs):
    for s in specs:
        a, p, k = s.split(":")
        await asyncio.start_server(lambda r, w, k=k: serve(k, r, w), a, int(p), reuse_address=True)
    while time.time() < end:
        await asyncio.sleep(1)


def poll(end, period, hosts):
    while time.time() < end:
        t0 = time.time()
        for h in hosts:
            for port in (22, 9100, 80):
                try:
                    s = socket.create_connection((h, port), timeout=1)
                    s.settimeout(1)
                    if port == 9100:
                        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: %s\r\n\r\n" % h.encode())
                    s.recv(4096)
                    s.close()
                except OSError:
                    pass
            subprocess.run(["ping", "-c", "1", "-W", "1", h], stdout=subprocess.DEVNULL)
        time.sleep(max(0.1, period - (time.time() - t0)))


def p2p(end, seed, peers):
    rnd = random.Random(seed)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    while time.time() < end:
        for h in rnd.sample(peers, 6):
            try:
                u.sendto(b"d1:ad2:id20:" + bytes(20) + b"e1:q4:ping1:t2:aa1:y1:qe", (h, 6881))
            except OSError:
                pass
            try:
                s = socket.create_connection((h, 6881), timeout=1)
                s.sendall(b"\x13BitTorrent protocol" + bytes(48))
                s.settimeout(1)
                s.recv(4096)
                s.sendall(b"y" * 200)
                s.close()
            except OSError:
                pass
        time.sleep(rnd.uniform(2, 6))


if __name__ == "__main__":
    mode, end = sys.argv[1], time.time() + float(sys.argv[2])
    if mode == "farm":
        asyncio.run(farm(end, sys.argv[3:]))
    elif mode == "poll":
        poll(end, float(sys.argv[3]), sys.argv[4:])
    elif mode == "p2p":
        p2p(end, int(sys.argv[3]), sys.argv[4:])
    else:
        sys.exit(f"unknown mode {mode}")
