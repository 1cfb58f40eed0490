#!/usr/bin/env python3
"""Periodic jobs of a long working day, for the Nightjar capture lab (`run.sh --periodic`).

Normal traffic that only adds up over time; one process per job, run inside a client namespace:

--kind poll    a monitoring poller: every --period s (jittered +-10 %) it connects to TCP 80 of
               every --targets host, sends GET / (HTTP/1.1, Connection: close), reads the answer,
               then connects to TCP 22 (banner) and TCP 25 (banner) and sends one UDP 123 query
               to the same hosts: the same few services of the same hosts, round after round.
--kind ntp     an NTP client (chrony/ntpd-like) against every --targets host: one 48-byte mode-3
               query each, from source port 123, every poll interval, which starts at 64 s and
               doubles up to 1024 s (with a jitter of a few seconds), as ntpd's does.
--kind dns     a stub resolver keeping --names warm: it re-resolves every name (A) when its TTL
               (read from the answer) runs out, plus 0-3 s; it asks --dns.
--kind backup  a nightly-style bulk copy: at --at s after the start it fetches --files files of
               4-8 MiB one after another from TCP 9000 (the bulk source of services.py) of one
               --targets host, then stops.
Every address must lie in 198.18.0.0/15 (checked). Bounded by --duration (exits at the latest
then; it is also run under `timeout`) and by --seed's schedule; standard library only.
"""
import argparse
import ipaddress
import random
import socket
import struct
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab_addr(a):
    if ipaddress.ip_address(a) not in LAB:
        raise SystemExit(f"{a} outside 198.18.0.0/15")
    return a


def tcp(host, port, send=b"", want=1 << 16, timeout=3.0):
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            if send:
                s.sendall(send)
            got = 0
            while got < want:
                d = s.recv(65536)
                if not d:
                    break
                got += len(d)
    except OSError:
        pass


def udp_query(host, port, data, sport=0, timeout=1.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if sport:
            s.bind(("0.0.0.0", sport))
        s.settimeout(timeout)
        s.sendto(data, (host, port))
        return s.recv(4096)
    except OSError:
        return b""
    finally:
        s.close()


def sleep_until(t, end):
    time.sleep(max(0.0, min(t, end) - time.time()))


def poll(a, r, end):
    nxt = time.time() + r.uniform(0, a.period)
    while nxt < end:
        sleep_until(nxt, end)
        for h in a.targets:
            tcp(h, 80, f"GET / HTTP/1.1\r\nHost: {h}\r\nUser-Agent: check_http\r\nConnection: close\r\n\r\n".encode())
            tcp(h, 22, b"", want=1)
            tcp(h, 25, b"QUIT\r\n", want=1)
            udp_query(h, 123, b"\x23" + bytes(47))
        nxt += a.period * r.uniform(0.9, 1.1)


def ntp(a, r, end):
    interval = 64
    nxt = time.time() + r.uniform(0, 8)
    while nxt < end:
        sleep_until(nxt, end)
        for h in a.targets:
            udp_query(h, 123, b"\x23\x02\x06\xe7" + bytes(44), sport=123)
        interval = min(1024, interval * 2)
        nxt += interval + r.uniform(-3, 3)


def dns_query(name, qid):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def dns_ttl(resp):
    # the first answer's TTL (after the header and the question), or 60
    try:
        an = struct.unpack("!H", resp[6:8])[0]
        if an == 0:
            return 60
        i = 12
        while resp[i]:
            i += resp[i] + 1
        i += 5
        if resp[i] & 0xC0 == 0xC0:
            i += 2
        else:
            while resp[i]:
                i += resp[i] + 1
            i += 1
        return struct.unpack("!I", resp[i + 4:i + 8])[0] or 60
    except (IndexError, struct.error):
        return 60


def dns(a, r, end):
    due = {n: time.time() + r.uniform(0, 5) for n in a.names}
    while True:
        n, t = min(due.items(), key=lambda kv: kv[1])
        if t >= end:
            return
        sleep_until(t, end)
        resp = udp_query(a.dns, 53, dns_query(n, r.randrange(65536)))
        due[n] = time.time() + dns_ttl(resp) + r.uniform(0, 3)


def backup(a, r, end):
    sleep_until(time.time() + a.at, end)
    h = a.targets[0]
    for _ in range(a.files):
        if time.time() >= end:
            return
        n = r.randint(4, 8) << 20
        tcp(h, 9000, f"{n}\n".encode(), want=n, timeout=30)
        time.sleep(r.uniform(0.5, 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["poll", "ntp", "dns", "backup"], required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--targets", default="", help="comma list of addresses")
    ap.add_argument("--period", type=float, default=60)
    ap.add_argument("--dns", default="198.18.0.53")
    ap.add_argument("--names", default="")
    ap.add_argument("--at", type=float, default=0)
    ap.add_argument("--files", type=int, default=4)
    a = ap.parse_args()
    a.targets = [lab_addr(x) for x in a.targets.split(",") if x]
    a.names = [x for x in a.names.split(",") if x]
    lab_addr(a.dns)
    r = random.Random(a.seed)
    end = time.time() + a.duration
    {"poll": poll, "ntp": ntp, "dns": dns, "backup": backup}[a.kind](a, r, end)


if __name__ == "__main__":
    main()
