#!/usr/bin/env python3
"""The LAN side of lab/infra.sh (session 21): the infrastructure servers' own work and their
clients, standard library only. Every address given or drawn lies in 198.18.0.0/15 (checked);
every loop ends at --duration.

    infraclients.py unbound-stubs SEED        stub-zone clauses for unbound: zones z00..z19.example,
                                              each with 3-4 authoritative servers drawn from the
                                              live (198.18.10.1-40), closed (.130-.150: ICMP port
                                              unreachable) and silent (.200-.215: dropped) ones
    infraclients.py ntp-servers SEED          chrony "server" lines: 8 live (198.18.30.1-8), 2
                                              closed, 2 silent upstream servers
    infraclients.py dns --server IP ...       stub resolvers asking the resolver for names of those
                                              zones (some "big*": truncated, so the resolver falls
                                              back to TCP), now and then a burst of 15-40 names
    infraclients.py mail ...                  a mail relay's delivery loop (smtplib) over the MX
                                              hosts of 15 domains (198.18.20.0/24: live .1-40,
                                              refusing .130-.150, silent .200-.215), the queue
                                              flushed in bursts
    (dns, mail and crawl take --scale K, 1-8: bursts K times larger, with K times the threads)
    infraclients.py ntp --server IP --srcs A,B  NTP clients (mode 3) from many LAN addresses
    infraclients.py crawl ...                 a crawler fetching pages over HTTP and HTTPS from
                                              origins in 198.18.40.0/24 (live .1-40, closed
                                              .130-.150, silent .200-.215)
"""
import argparse
import ipaddress
import random
import smtplib
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.request

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab(a):
    if ipaddress.ip_address(a) not in LAB:
        raise SystemExit(f"{a} is outside 198.18.0.0/15")
    return a


def pool(net, rnd):
    """(live, closed, silent) address lists of 198.18.NET.0/24."""
    live = [f"198.18.{net}.{i}" for i in range(1, 41)]
    closed = [f"198.18.{net}.{i}" for i in range(130, 151)]
    silent = [f"198.18.{net}.{i}" for i in range(200, 216)]
    return live, closed, silent


def servers_for(rnd, live, closed, silent, n):
    """n distinct servers: mostly live, sometimes a closed or silent one among them."""
    out = []
    while len(out) < n:
        r = rnd.random()
        a = rnd.choice(closed if r < 0.15 else silent if r < 0.27 else live)
        if a not in out:
            out.append(a)
    if not any(a in live for a in out):
        out[-1] = rnd.choice(live)
    return out


def unbound_stubs(seed):
    rnd = random.Random(seed)
    live, closed, silent = pool(10, rnd)
    for z in range(20):
        print(f"stub-zone:\n  name: \"z{z:02d}.example\"")
        for a in servers_for(rnd, live, closed, silent, rnd.choice((3, 3, 4))):
            print(f"  stub-addr: {a}")


def ntp_servers(seed):
    rnd = random.Random(seed)
    live, closed, silent = pool(30, rnd)
    for a in live[:8] + rnd.sample(closed, 2) + rnd.sample(silent, 2):
        print(f"server {a} minpoll 1 maxpoll 3 iburst")


def dns_query(name, qtype=1, qid=None):
    qid = random.randrange(65536) if qid is None else qid
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return qid, struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", qtype, 1)


def dns(a):
    rnd = random.Random(a.seed)
    server = lab(a.server)
    end = time.time() + a.duration
    srcs = [lab(s) for s in a.srcs.split(",")]
    names = [f"{'big' if rnd.random() < 0.08 else 'w'}{rnd.randrange(400)}.z{rnd.randrange(20):02d}.example"
             for _ in range(600)]
    while time.time() < end:
        burst = rnd.random() < 0.06
        batch = rnd.sample(names, min(600, rnd.randint(15, 40) * a.scale)) if burst else [rnd.choice(names)]
        if a.socket_per_name:
            # glibc's getaddrinfo (and Go's resolver): a socket of its own per name, its A and
            # AAAA questions sent together on it; a browser's resolver threads ask a page's
            # names at once, so a burst is that many sockets opened within a millisecond
            src = rnd.choice(srcs)
            socks = []
            for n in batch:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind((src, 0))
                s.setblocking(False)
                for qt in (1, 28):
                    s.sendto(dns_query(n, qt)[1], (server, 53))
                socks.append([s, 2])
            t_end = time.time() + 4
            while any(k for _, k in socks) and time.time() < t_end:
                for e in socks:
                    try:
                        while e[1]:
                            e[0].recvfrom(4096)
                            e[1] -= 1
                    except OSError:
                        pass
                time.sleep(0.002)
            for s, _ in socks:
                s.close()
            time.sleep(rnd.uniform(0.2, 2.5))
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((rnd.choice(srcs), 0))
        s.settimeout(3.0)
        for n in batch:
            s.sendto(dns_query(n, 28 if rnd.random() < 0.3 else 1)[1], (server, 53))
        got, t_end = 0, time.time() + 4
        while got < len(batch) and time.time() < t_end:
            try:
                s.recvfrom(4096)
                got += 1
            except OSError:
                break
        s.close()
        time.sleep(rnd.uniform(0.2, 2.5))


def mail(a):
    rnd = random.Random(a.seed)
    me = lab(a.src)
    live, closed, silent = pool(20, rnd)
    mx = {f"d{d:02d}.example": servers_for(rnd, live, closed, silent, rnd.choice((2, 3, 3)))
          for d in range(15)}
    end = time.time() + a.duration
    lock = threading.Lock()
    stats = {"sent": 0, "deferred": 0}

    def deliver(dom):
        for host in mx[dom]:
            if time.time() > end:
                return
            try:
                with smtplib.SMTP(host, 25, timeout=a.timeout, source_address=(me, 0)) as c:
                    c.ehlo("relay.lab.example")
                    c.sendmail(f"user{rnd.randrange(50)}@lab.example", [f"rcpt@{dom}"],
                               "Subject: report\r\n\r\n" + "line of text\r\n" * rnd.randint(3, 60))
                with lock:
                    stats["sent"] += 1
                return
            except (OSError, smtplib.SMTPException):
                continue
        with lock:
            stats["deferred"] += 1

    next_flush = time.time() + rnd.uniform(20, 40)
    while time.time() < end:
        if time.time() >= next_flush:
            queue = [rnd.choice(list(mx)) for _ in range(rnd.randint(20, 50) * a.scale)]
            ts = []
            for i in range(0, len(queue), 6):
                ts.append(threading.Thread(target=lambda q=queue[i:i + 6]: [deliver(d) for d in q], daemon=True))
                ts[-1].start()
            for t in ts:
                t.join(a.duration)
            next_flush = time.time() + rnd.uniform(30, 60)
        else:
            deliver(rnd.choice(list(mx)))
            time.sleep(rnd.uniform(1, 6))
    print(f"mail: {stats}", file=sys.stderr)


def ntp(a):
    rnd = random.Random(a.seed)
    server = lab(a.server)
    socks = []
    for src in a.srcs.split(","):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((lab(src), 0))
        s.settimeout(0.5)
        socks.append(s)
    due = [time.time() + rnd.uniform(0, 8) for _ in socks]
    end = time.time() + a.duration
    while time.time() < end:
        now = time.time()
        for i, s in enumerate(socks):
            if now >= due[i]:
                pkt = bytes([0x23]) + b"\0" * 39 + struct.pack("!II", int(now + 2208988800), 0)
                s.sendto(pkt, (server, 123))
                try:
                    s.recvfrom(512)
                except OSError:
                    pass
                due[i] = now + rnd.choice((4, 8, 16))
        time.sleep(0.2)


def crawl(a):
    rnd = random.Random(a.seed)
    live, closed, silent = pool(40, rnd)
    origins = live + rnd.sample(closed, 12) + rnd.sample(silent, 6)
    me = lab(a.src)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    class Bind(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(lambda h, **kw: __import__("http.client").client.HTTPConnection(
                h, source_address=(me, 0), **kw), req)

    class BindS(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(lambda h, **kw: __import__("http.client").client.HTTPSConnection(
                h, source_address=(me, 0), context=ctx, **kw), req)

    opener = urllib.request.build_opener(Bind(), BindS())
    end = time.time() + a.duration

    def fetch():
        o = lab(rnd.choice(origins))
        scheme = "https" if rnd.random() < 0.5 else "http"
        url = f"{scheme}://{o}/page/{rnd.randrange(1000)}.html"
        try:
            with opener.open(url, timeout=a.timeout) as r:
                r.read()
        except Exception:  # noqa: BLE001 (closed and silent origins fail, as they should)
            pass

    while time.time() < end:
        n = rnd.randint(6, 20) * a.scale if rnd.random() < 0.1 else 1
        ts = [threading.Thread(target=fetch, daemon=True) for _ in range(min(n, 8 * a.scale))]
        for t in ts:
            t.start()
        for _ in range(n - len(ts)):
            fetch()
        for t in ts:
            t.join(a.timeout + 2)
        time.sleep(rnd.uniform(0.3, 2.0))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "unbound-stubs":
        return unbound_stubs(int(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "ntp-servers":
        return ntp_servers(int(sys.argv[2]))
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("dns", "mail", "ntp", "crawl"))
    p.add_argument("--server", default="")
    p.add_argument("--src", default="")
    p.add_argument("--srcs", default="")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout", type=float, default=6.0)
    p.add_argument("--duration", type=float, default=300)
    p.add_argument("--scale", type=int, default=1, choices=range(1, 9),
                   help="bursts (queue flushes, lookups, fetches) this many times larger")
    p.add_argument("--socket-per-name", action="store_true",
                   help="dns: a socket per name with its A and AAAA questions (glibc, Go)")
    a = p.parse_args()
    {"dns": dns, "mail": mail, "ntp": ntp, "crawl": crawl}[a.mode](a)


if __name__ == "__main__":
    main()
