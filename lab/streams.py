#!/usr/bin/env python3
"""Long-lived UDP applications for the Nightjar capture lab (`run.sh --streams`, `--scenario streams`).

Real LANs carry UDP applications that are neither floods nor scans, though they send hundreds or
thousands of datagrams a second between two hosts. Four kinds, as normal traffic:

  quic    QUIC-like downloads: a client opens a connection to UDP 443 of a server host (an
          Initial padded to 1200+ bytes, the server's handshake flight, the client's second
          flight), then asks for 1-3 downloads with pauses between; the server answers each with
          a paced burst of 1200-1350-byte datagrams at 1000-4000 a second (trains of 1-10
          back to back), the client acknowledging every 2nd datagram with a 40-60-byte one; then
          a CONNECTION_CLOSE. Most bursts last a fraction of a second, some several seconds.
  rtp     voice or video calls between two lab hosts: RTP (version 2, sequence numbers,
          timestamps, SSRC) both ways between fixed even ports in 16384-32767, plus RTCP
          reports every ~5 s on the odd port above. Voice: 50 packets a second each way of
          160-220 bytes (G.711: 172 every time; Opus: varying); video: 100-300 a second each way
          of 800-1200 bytes, sent as frames (25 or 30 a second, several packets back to back).
          10-60 s.
  game    game-like sessions: a client and a game server (a server host) on one fixed port
          pair, the client sending inputs (30-80 bytes) and the server snapshots (60-250 bytes),
          each at 20-64 a second; the server answers once the client's first datagram arrives
          and stops when the client says goodbye or goes silent. Tens of seconds.
  tunnel  a WireGuard-like tunnel to UDP 51820 of a server host: handshake initiation (148
          bytes) and response (92), keepalives (32), and bursts of bulk 1400-byte datagrams one
          way (uploads from the client, or downloads it asks for) with small replies (80 or 96
          bytes, every 2nd datagram) the other way.

The whole schedule (which host talks to which, when, ports, sizes, rates, counts) is drawn from
--seed and --span by `plan()`: every host of the run computes the same schedule and plays its
own part of it (--me). Server hosts (the victim, s0..) serve QUIC on UDP 443 and the tunnel on
UDP 51820 for the whole run (open ports), and game servers on their session's port. Every loop
is bounded by the schedule and the process by --duration (it also runs under `timeout`).
Addresses must lie in 198.18.0.0/15.

  streams.py --seed N --span S --hosts victim=198.18.0.10,c0=198.18.0.20,... --print
  streams.py --seed N --span S --hosts ... --me c0 --t0 EPOCH --duration BOUND
"""
import argparse
import ipaddress
import json
import math
import os
import random
import socket
import struct
import threading
import time

LAB_NET = ipaddress.ip_network("198.18.0.0/15")
QUIC_PORT = 443
WG_PORT = 51820
GAME_PORTS = [27015, 27016, 27017, 7777, 7778, 3074, 9987, 28960, 25444, 30120]
NOISE = os.urandom(1 << 16)  # "encrypted" payload bytes, sliced


def noise(rng, n):
    off = rng.randrange(len(NOISE) - n)
    return NOISE[off:off + n]


# ---------------------------------------------------------------------------- the schedule

def plan(seed, hosts, span):
    """The run's stream sessions, a list of dicts (kind, start and end in seconds from t0, the
    two hosts `a` (initiator) and `b`, and the kind's parameters). `hosts` maps names to
    addresses: "victim" and "sI" are server hosts, "cI" clients."""
    r = random.Random(seed * 7901 + 31)
    servers = [h for h in hosts if h == "victim" or (h[0] == "s" and h[1:].isdigit())]
    clients = [h for h in hosts if h[0] == "c" and h[1:].isdigit()]
    if not servers or not clients:
        raise SystemExit("streams need the victim and at least one client")
    used = {h: set() for h in hosts}  # UDP ports bound per host (never reused in a run)
    out = []

    def port(h, cands):
        for p in cands:
            if p not in used[h]:
                used[h].add(p)
                return p
        raise SystemExit(f"no free port on {h}")

    def rtp_port(h):
        return port(h, [2 * r.randint(8192, 16382) for _ in range(50)])

    def place(dur):
        """Start and end: drawn later (below), one session per slice of the span."""
        return 0.0, min(dur, span - 6)

    def count(per):
        return max(1, round(span / per + r.uniform(-0.5, 0.5)))

    # quic: connections of 1-3 downloads each; one burst lasts several seconds (two in long runs)
    nq = max(2, round(span / 50 + r.uniform(-0.5, 0.5)))
    long_left = 1
    for i in range(nq):
        gets = []
        for _ in range(r.choice([1, 1, 2, 2, 3])):
            if long_left > 0 or (long_left > -1 and span > 300 and r.random() < 0.1):
                long_left -= 1
                pps = r.randint(1000, 1400)
                n = min(4000, int(pps * r.uniform(2.0, 3.0)))
            else:
                pps = r.choice([1000, 1500, 2000, 2500, 3000, 4000])
                n = int(math.exp(r.uniform(math.log(20), math.log(700))))
            gets.append({"n": n, "pps": pps, "train": r.randint(1, 10), "pause": round(r.uniform(0.5, 5.0), 2),
                         "seed": r.randrange(1 << 30)})
        est = sum(g["n"] / g["pps"] + g["pause"] for g in gets) + 1
        t0, t1 = place(est)
        out.append({"kind": "quic", "start": t0, "end": t1, "a": r.choice(clients), "b": r.choice(servers),
                    "mtu": r.choice([1200, 1232, 1252, 1280, 1350]), "ack": r.randint(40, 50), "gets": gets,
                    "seed": r.randrange(1 << 30)})

    # rtp: voice calls and one video call between two lab hosts (at least one a client)
    calls = ["voice"] * count(200) + ["video"]
    for kind in calls:
        a = r.choice(clients)
        b = r.choice([h for h in clients + servers if h != a])
        if kind == "voice":
            codec = r.choice(["pcmu", "pcma", "opus", "opus"])
            lo, hi = (172, 172) if codec != "opus" else sorted(r.sample(range(160, 221), 2))
            ends = [{"pps": 50, "lo": lo, "hi": hi} for _ in range(2)]
            dur = r.uniform(12, 30)
        else:
            codec = r.choice(["vp8", "h264"])
            ends = [{"pps": r.randint(100, 300), "lo": 800, "hi": 1200, "fps": r.choice([25, 30])} for _ in range(2)]
            # a modest call: about 1,500-2,500 packets each way, at least 10 s
            dur = max(10.0, min(60.0, r.uniform(1500, 2500) / max(e["pps"] for e in ends)))
        t0, t1 = place(dur)
        out.append({"kind": "rtp", "media": kind, "codec": codec, "start": t0, "end": t1, "a": a, "b": b,
                    "ports": [rtp_port(a), rtp_port(b)], "ends": ends,
                    "seeds": [r.randrange(1 << 30), r.randrange(1 << 30)]})

    # game: a client and a game server on one fixed port pair
    for _ in range(count(200)):
        a, b = r.choice(clients), r.choice(servers)
        t0, t1 = place(r.uniform(20, 40))
        out.append({"kind": "game", "start": t0, "end": t1, "a": a, "b": b,
                    "ports": [port(a, [r.choice([27005, 27006]), r.randint(49152, 60999), r.randint(49152, 60999)]),
                              port(b, r.sample(GAME_PORTS, len(GAME_PORTS)))],
                    "rates": [r.randint(20, 64), r.choice([20, 30, 60, 64, r.randint(20, 64)])],
                    "sizes": [sorted(r.sample(range(30, 81), 2)), sorted(r.sample(range(60, 251), 2))],
                    "seeds": [r.randrange(1 << 30), r.randrange(1 << 30)]})

    # tunnel: WireGuard-like, bursts of bulk one way, small replies the other
    for _ in range(count(200)):
        a, b = r.choice(clients), r.choice(servers)
        t0, t1 = place(r.uniform(20, 50))
        bursts, t = [], r.uniform(0.5, 3)
        while t < t1 - t0 - 2:
            n, pps = r.randint(80, 400), r.choice([500, 800, 1000, 1500, 2000])
            bursts.append({"at": round(t, 2), "dir": r.choice(["up", "down", "down"]), "n": n, "pps": pps})
            t += n / pps + r.uniform(3, 12)
        out.append({"kind": "tunnel", "start": t0, "end": t1, "a": a, "b": b,
                    "ports": [port(a, [WG_PORT if r.random() < 0.3 else r.randint(40000, 60999),
                                       r.randint(40000, 60999)]), WG_PORT],
                    "bursts": bursts, "seed": r.randrange(1 << 30)})
    # spread the sessions over the whole span: the span cut into as many slices as sessions,
    # dealt out in a drawn order; each session starts somewhere in its slice (and ends in time)
    slots = list(range(len(out)))
    r.shuffle(slots)
    width = (span - 5) / len(out)
    for s, k in zip(out, slots):
        dur = s["end"]
        lo, hi = 2 + k * width, max(2.0, span - dur - 3)  # a long session in a late slice starts earlier
        t = r.uniform(min(lo, hi), min(lo + width, hi))
        s["start"], s["end"] = round(t, 2), round(t + dur, 2)
    out.sort(key=lambda s: s["start"])
    return out


def expected_packets(s):
    """About how many datagrams a session puts on the wire (for the run's log)."""
    d = s["end"] - s["start"]
    if s["kind"] == "quic":
        return 6 + sum(g["n"] * 1.5 + 2 for g in s["gets"])
    if s["kind"] == "rtp":
        return sum(e["pps"] * d for e in s["ends"]) + 2 * d / 5
    if s["kind"] == "game":
        return sum(s["rates"]) * d
    return 4 + sum(b["n"] * 1.5 + 1 for b in s["bursts"]) + d / 25


def describe(s):
    d = round(s["end"] - s["start"], 1)
    who = f"{s['a']} -> {s['b']}"
    if s["kind"] == "quic":
        gets = ", ".join(f"{g['n']} @ {g['pps']}/s" for g in s["gets"])
        return f"quic {who}:443, datagrams of {s['mtu']} B, downloads {gets}"
    if s["kind"] == "rtp":
        e = s["ends"]
        size = f"{e[0]['lo']}-{e[0]['hi']} B" if e[0]["lo"] != e[0]["hi"] else f"{e[0]['lo']} B"
        return (f"rtp {s['media']} ({s['codec']}) {s['a']}:{s['ports'][0]} <-> {s['b']}:{s['ports'][1]}, "
                f"{e[0]['pps']}/{e[1]['pps']} pps, {size}, {d} s")
    if s["kind"] == "game":
        return (f"game {s['a']}:{s['ports'][0]} <-> {s['b']}:{s['ports'][1]}, {s['rates'][0]}/{s['rates'][1]} pps, "
                f"{s['sizes'][0][0]}-{s['sizes'][0][1]} / {s['sizes'][1][0]}-{s['sizes'][1][1]} B, {d} s")
    bursts = ", ".join(f"{b['dir']} {b['n']} @ {b['pps']}/s" for b in s["bursts"])
    return f"tunnel {s['a']}:{s['ports'][0]} <-> {s['b']}:{WG_PORT}, {d} s, bursts: {bursts or 'none'}"


# ---------------------------------------------------------------------------- helpers

def udp(ip, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port))
    return s


def drain(s):
    """Read whatever is waiting on a non-blocking socket; the number of datagrams read."""
    k = 0
    while True:
        try:
            s.recvfrom(4096)
            k += 1
        except (BlockingIOError, ConnectionRefusedError):
            return k
        except OSError:
            return k


def sleep_until(t, stop=None):
    while True:
        d = t - time.time()
        if d <= 0 or (stop is not None and stop.is_set()):
            return
        time.sleep(min(d, 0.5))


def paced(sock, peer, n, pps, train, make):
    """Send n datagrams (make(i) builds the i-th) at pps a second, in trains of `train` back to
    back; between trains, read and count what arrived (acknowledgements)."""
    t0 = time.time()
    i = 0
    while i < n:
        for _ in range(min(train, n - i)):
            try:
                sock.sendto(make(i), peer)
            except OSError:
                pass
            i += 1
        sleep_until(t0 + i / pps)


# ---------------------------------------------------------------------------- QUIC-like

def quic_long(rng, first, dcid, size):
    """A long-header packet (Initial 0xc0, Handshake 0xe0): version 1, 8-byte connection ids."""
    hdr = bytes([first | rng.randrange(4)]) + b"\x00\x00\x00\x01" + b"\x08" + dcid + b"\x08" + noise(rng, 8)
    return hdr + noise(rng, size - len(hdr))


def quic_short(rng, dcid, body, size):
    hdr = bytes([0x40 | rng.randrange(0x20)]) + dcid
    return hdr + body + noise(rng, max(0, size - len(hdr) - len(body)))


REQ = b"\x00lab-get"     # inside the short-header packet: n, pps, train, seed follow
CLOSE = b"\x00lab-bye"


class QuicServer:
    """UDP 443 of a server host: a handshake flight for every Initial, a paced burst for every
    request (one at a time per client), everything else read and dropped (acks, closes, floods)."""

    def __init__(self, ip, deadline):
        self.sock = udp(ip, QUIC_PORT)
        self.deadline = deadline
        self.busy = set()
        self.seen = set()
        self.lock = threading.Lock()

    def run(self):
        self.sock.settimeout(1.0)
        while time.time() < self.deadline:
            try:
                d, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                continue
            if len(d) >= 1200 and d[0] & 0xF0 == 0xC0 and d[1:5] == b"\x00\x00\x00\x01" and d[5] == 8:
                dcid = d[6:14]
                if (peer, dcid) in self.seen:
                    continue  # the client's second flight (Initial ACK + Handshake): nothing to answer
                self.seen.add((peer, dcid))
                rng = random.Random(int.from_bytes(dcid, "big"))
                flight = [quic_long(rng, 0xC0, dcid, rng.choice([1200, 1232, 1252]))]
                flight += [quic_long(rng, 0xE0, dcid, rng.choice([1200, 1232, 1252, 1280]))
                           for _ in range(rng.randint(1, 2))]
                flight.append(quic_long(rng, 0xE0, dcid, rng.randint(300, 900)))
                for p in flight:
                    self.sock.sendto(p, peer)
            elif len(d) >= 9 + len(REQ) + 16 and d[0] & 0xC0 == 0x40 and d[9:9 + len(REQ)] == REQ:
                n, pps, train, mtu, seed = struct.unpack("!IHBHI", d[9 + len(REQ):9 + len(REQ) + 13])
                with self.lock:
                    if peer in self.busy:
                        continue
                    self.busy.add(peer)
                n, pps, train = min(n, 6000), max(100, min(pps, 5000)), max(1, min(train, 10))
                threading.Thread(target=self.burst, args=(peer, d[1:9], n, pps, train, mtu, seed),
                                 daemon=True).start()

    def burst(self, peer, dcid, n, pps, train, mtu, seed):
        rng = random.Random(seed)
        mtu = max(1200, min(mtu, 1350))

        def make(i):
            size = mtu if (i < n - 1 and rng.random() < 0.95) else rng.randint(1200, mtu)
            return quic_short(rng, dcid, b"", size)

        try:
            paced(self.sock, peer, n, pps, train, make)
        finally:
            with self.lock:
                self.busy.discard(peer)


def quic_client(s, hosts, stop):
    rng = random.Random(s["seed"])
    dcid = rng.randbytes(8)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((hosts[s["b"]], QUIC_PORT))
    sock.settimeout(1.0)
    try:
        sock.send(quic_long(rng, 0xC0, dcid, rng.choice([1200, 1250, 1252, 1357])))  # Initial (ClientHello)
        got = 0
        try:
            while got < 3:
                sock.recv(4096)
                got += 1
                sock.settimeout(0.2)
        except socket.timeout:
            pass
        if got == 0:
            return  # the server is not there (or busy under a flood): give up, as a browser falls back
        sock.settimeout(1.0)
        sock.send(quic_long(rng, 0xC0, dcid, 1200))  # Initial ACK + Handshake Finished, padded
        for g in s["gets"]:
            if stop.is_set():
                break
            body = REQ + struct.pack("!IHBHI", g["n"], g["pps"], g["train"], s["mtu"], g["seed"])
            sock.send(quic_short(rng, dcid, body, rng.randint(50, 90)))
            got = 0
            while got < g["n"]:
                try:
                    sock.recv(4096)
                except socket.timeout:
                    break
                except ConnectionRefusedError:
                    break
                got += 1
                if got % 2 == 0 or got == g["n"]:
                    sock.send(quic_short(rng, dcid, b"", s["ack"] + rng.randint(0, 10)))
            time.sleep(g["pause"])
        sock.send(quic_short(rng, dcid, CLOSE, rng.randint(40, 50)))
    except OSError:
        pass
    finally:
        sock.close()


# ---------------------------------------------------------------------------- RTP-like

PT = {"pcmu": 0, "pcma": 8, "opus": 111, "vp8": 96, "h264": 102}


def rtp_end(s, side, hosts, me_ip, stop):
    """One end of a call: RTP at its packet rate to the peer's even port, RTCP every ~5 s."""
    rng = random.Random(s["seeds"][side])
    e = s["ends"][side]
    mine, theirs = s["ports"][side], s["ports"][1 - side]
    peer_ip = hosts[s["b"] if side == 0 else s["a"]]
    t_start, t_end = s["t0"] + s["start"], s["t0"] + s["end"]
    sleep_until(t_start - 1.0, stop)
    try:
        rtp, rtcp = udp(me_ip, mine), udp(me_ip, mine + 1)
    except OSError:
        return
    rtp.setblocking(False)
    rtcp.setblocking(False)
    ssrc, seq, ts = rng.randrange(1 << 32), rng.randrange(1 << 16), rng.randrange(1 << 32)
    pt = PT[s["codec"]]
    video = s["media"] == "video"
    clock = 90000 if video else (48000 if s["codec"] == "opus" else 8000)
    pps = e["pps"]
    fps = e.get("fps", 50)
    sleep_until(t_start, stop)
    sent, frame, next_rtcp = 0, 0, t_start + rng.uniform(1, 5)
    try:
        while not stop.is_set():
            now = time.time()
            if now >= t_end:
                break
            # packets due by the end of this frame (voice: one per 20 ms frame)
            due = int(pps * (now - t_start + 1.0 / fps)) if video else sent + 1
            k = max(0, due - sent)
            for j in range(k):
                size = rng.randint(e["lo"], e["hi"])
                marker = 0x80 if (video and j == k - 1) else 0
                hdr = struct.pack("!BBHII", 0x80, marker | pt, seq, ts & 0xFFFFFFFF, ssrc)
                try:
                    rtp.sendto(hdr + noise(rng, size - 12), (peer_ip, theirs))
                except OSError:
                    pass
                seq = (seq + 1) & 0xFFFF
                sent += 1
            frame += 1
            ts += clock // fps
            drain(rtp)
            if now >= next_rtcp:
                # sender report + SDES, 52-100 bytes
                body = struct.pack("!BBHI", 0x80, 200, 6, ssrc) + noise(rng, 24)
                try:
                    rtcp.sendto(body + noise(rng, rng.randint(24, 72)), (peer_ip, theirs + 1))
                except OSError:
                    pass
                next_rtcp = now + rng.uniform(4, 6)
            drain(rtcp)
            sleep_until(t_start + frame / fps, stop)
        # BYE, then keep the ports a second for what is in flight
        try:
            rtcp.sendto(struct.pack("!BBHI", 0x81, 203, 1, ssrc), (peer_ip, theirs + 1))
        except OSError:
            pass
        end = time.time() + 1.0
        while time.time() < end:
            drain(rtp)
            drain(rtcp)
            time.sleep(0.05)
    finally:
        rtp.close()
        rtcp.close()


# ---------------------------------------------------------------------------- game-like

def game_server(s, hosts, me_ip, stop):
    rng = random.Random(s["seeds"][1])
    t_start, t_end = s["t0"] + s["start"], s["t0"] + s["end"]
    sleep_until(t_start - 1.0, stop)
    try:
        sock = udp(me_ip, s["ports"][1])
    except OSError:
        return
    lo, hi = s["sizes"][1]
    rate = s["rates"][1]
    try:
        sock.settimeout(1.0)
        peer = None
        while peer is None and time.time() < t_end + 2 and not stop.is_set():
            try:
                d, src = sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                continue
            if src[0] == hosts[s["a"]] and src[1] == s["ports"][0]:
                peer = src
        if peer is None:
            return
        sock.setblocking(False)
        t0, i, last_heard = time.time(), 0, time.time()
        tick = rng.randrange(1 << 20)
        while not stop.is_set() and time.time() < t_end + 2:
            got = 0
            while True:
                try:
                    d, src = sock.recvfrom(4096)
                except (BlockingIOError, ConnectionRefusedError):
                    break
                except OSError:
                    break
                if src == peer:
                    got += 1
                    if d[:1] == b"\xff":  # the client's goodbye
                        return
            if got:
                last_heard = time.time()
            elif time.time() - last_heard > 3:
                return  # the client went away
            size = rng.randint(lo, hi)
            try:
                sock.sendto(struct.pack("!BI", 0x01, tick + i) + noise(rng, size - 5), peer)
            except OSError:
                pass
            i += 1
            sleep_until(t0 + i / rate)
    finally:
        sock.close()


def game_client(s, hosts, me_ip, stop):
    rng = random.Random(s["seeds"][0])
    t_start, t_end = s["t0"] + s["start"], s["t0"] + s["end"]
    sleep_until(t_start - 1.0, stop)
    try:
        sock = udp(me_ip, s["ports"][0])
    except OSError:
        return
    sock.setblocking(False)
    peer = (hosts[s["b"]], s["ports"][1])
    lo, hi = s["sizes"][0]
    rate = s["rates"][0]
    sleep_until(t_start, stop)
    try:
        i = 0
        while not stop.is_set() and time.time() < t_end:
            size = rng.randint(lo, hi)
            try:
                sock.sendto(struct.pack("!BI", 0x02, i) + noise(rng, size - 5), peer)
            except OSError:
                pass
            drain(sock)
            i += 1
            sleep_until(t_start + i / rate, stop)
        for _ in range(3):  # goodbye, three times (unreliable transport)
            try:
                sock.sendto(b"\xff" + noise(rng, 15), peer)
            except OSError:
                pass
            time.sleep(0.05)
        end = time.time() + 2.0
        while time.time() < end:
            drain(sock)
            time.sleep(0.05)
    finally:
        sock.close()


# ---------------------------------------------------------------------------- WireGuard-like

def wg(rng, kind, size):
    """Message types: 1 handshake initiation (148 B), 2 response (92 B), 4 transport data."""
    return struct.pack("<I", kind) + noise(rng, size - 4)


BULK, SMALL = 1400, (80, 96)
DOWN = b"lab-down"  # in a small transport message: n, pps follow


class TunnelServer:
    """UDP 51820 of a server host: answers handshakes, replies to uploads every 2nd datagram,
    sends the bursts the client asks for; keepalives and replies are read and dropped."""

    def __init__(self, ip, deadline):
        self.sock = udp(ip, WG_PORT)
        self.deadline = deadline
        self.count = {}
        self.busy = set()
        self.lock = threading.Lock()
        self.rng = random.Random(ip)

    def run(self):
        self.sock.settimeout(1.0)
        rng = self.rng
        while time.time() < self.deadline:
            try:
                d, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                continue
            if len(d) == 148 and d[:4] == struct.pack("<I", 1):
                self.sock.sendto(wg(rng, 2, 92), peer)
            elif len(d) >= 1000 and d[:4] == struct.pack("<I", 4):
                k = self.count.get(peer, 0) + 1
                self.count[peer] = k
                if k % 2 == 0:
                    self.sock.sendto(wg(rng, 4, rng.choice(SMALL)), peer)
            elif len(d) >= 32 and d[:4] == struct.pack("<I", 4) and d[16:16 + len(DOWN)] == DOWN:
                n, pps = struct.unpack("!HH", d[16 + len(DOWN):20 + len(DOWN)])
                with self.lock:
                    if peer in self.busy:
                        continue
                    self.busy.add(peer)
                threading.Thread(target=self.burst, args=(peer, min(n, 2000), max(100, min(pps, 4000))),
                                 daemon=True).start()

    def burst(self, peer, n, pps):
        rng = random.Random(n * 65536 + pps)
        try:
            paced(self.sock, peer, n, pps, rng.randint(1, 4),
                  lambda i: wg(rng, 4, BULK if i < n - 1 else rng.randint(200, BULK)))
        finally:
            with self.lock:
                self.busy.discard(peer)


def tunnel_client(s, hosts, me_ip, stop):
    rng = random.Random(s["seed"])
    t_start, t_end = s["t0"] + s["start"], s["t0"] + s["end"]
    sleep_until(t_start, stop)
    try:
        sock = udp(me_ip, s["ports"][0])
    except OSError:
        return
    peer = (hosts[s["b"]], WG_PORT)
    state = {"got": 0, "sent": time.time()}

    def send(p):
        try:
            sock.sendto(p, peer)
            state["sent"] = time.time()
        except OSError:
            pass

    def pump(until):
        """Read until `until`: every 2nd bulk datagram gets a small reply; keepalive after 25 s."""
        sock.settimeout(0.2)
        while time.time() < until and not stop.is_set():
            try:
                d = sock.recv(4096)
            except socket.timeout:
                if time.time() - state["sent"] > 25:
                    send(wg(rng, 4, 32))
                continue
            except OSError:
                continue
            if len(d) >= 1000:
                state["got"] += 1
                if state["got"] % 2 == 0:
                    send(wg(rng, 4, rng.choice(SMALL)))

    try:
        send(wg(rng, 1, 148))  # handshake initiation
        pump(time.time() + 0.3)
        send(wg(rng, 4, 32))   # keepalive confirms the handshake
        for b in s["bursts"]:
            pump(t_start + b["at"])
            if stop.is_set() or time.time() >= t_end:
                break
            if b["dir"] == "down":
                send(wg(rng, 4, 16) + DOWN + struct.pack("!HH", b["n"], b["pps"]) + noise(rng, 64))
                pump(time.time() + b["n"] / b["pps"] + 0.5)
            else:
                paced(sock, peer, b["n"], b["pps"], rng.randint(1, 4),
                      lambda i: wg(rng, 4, BULK if i < b["n"] - 1 else rng.randint(200, BULK)))
                state["sent"] = time.time()
        pump(t_end)
        pump(time.time() + 1.0)
    finally:
        sock.close()


# ---------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--span", type=float, required=True, help="seconds of the run the sessions spread over")
    ap.add_argument("--hosts", required=True, help="NAME=IP,... : victim, sI (servers), cI (clients)")
    ap.add_argument("--me", default="", help="this host's name (play its part of the schedule)")
    ap.add_argument("--t0", type=float, default=0, help="epoch second the schedule counts from")
    ap.add_argument("--duration", type=float, default=0, help="exit after this many seconds at the latest")
    ap.add_argument("--print", action="store_true", help="print the schedule and exit")
    a = ap.parse_args()
    hosts = {}
    for item in a.hosts.split(","):
        name, _, ip = item.partition("=")
        if ipaddress.ip_address(ip) not in LAB_NET:
            raise SystemExit(f"{name}: {ip} outside 198.18.0.0/15")
        hosts[name] = ip
    if a.span < 30:
        raise SystemExit("--span of at least 30 s")
    sched = plan(a.seed, list(hosts), a.span)
    if a.print:
        total = 0
        for s in sched:
            total += expected_packets(s)
            print(f"{s['start']:7.1f}-{s['end']:7.1f} s  {describe(s)}")
        print(f"# {len(sched)} sessions, about {int(total)} datagrams")
        return
    if a.me not in hosts or not a.t0 or a.duration <= 0:
        raise SystemExit("need --me (one of --hosts), --t0 and --duration")
    me_ip = hosts[a.me]
    deadline = time.time() + a.duration
    stop = threading.Event()
    threads = []

    def start(fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        threads.append(t)

    server = a.me == "victim" or (a.me[0] == "s" and a.me[1:].isdigit())
    if server:
        start(QuicServer(me_ip, deadline).run)
        start(TunnelServer(me_ip, deadline).run)
    for s in sched:
        s["t0"] = a.t0
        if s["kind"] == "quic" and s["a"] == a.me:
            start(lambda s=s: (sleep_until(s["t0"] + s["start"], stop), quic_client(s, hosts, stop)))
        elif s["kind"] == "rtp" and a.me in (s["a"], s["b"]):
            start(rtp_end, s, 0 if s["a"] == a.me else 1, hosts, me_ip, stop)
        elif s["kind"] == "game" and s["a"] == a.me:
            start(game_client, s, hosts, me_ip, stop)
        elif s["kind"] == "game" and s["b"] == a.me:
            start(game_server, s, hosts, me_ip, stop)
        elif s["kind"] == "tunnel" and s["a"] == a.me:
            start(tunnel_client, s, hosts, me_ip, stop)
    print(f"streams up on {a.me}: {len(threads)} threads", flush=True)
    # servers stay up for the whole run; a client host leaves when its sessions are over
    while time.time() < deadline:
        if not server and not any(t.is_alive() for t in threads):
            break
        time.sleep(0.5)
    stop.set()
    os._exit(0)


if __name__ == "__main__":
    main()
