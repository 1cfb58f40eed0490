#!/usr/bin/env python3
"""Heavy but legitimate HTTP clients for --scenario http (normal traffic, one process per kind).

  crawler  a crawler or monitor: three sessions of 6-10 s in which it fetches pages at a drawn
           rate (one at 20 a second, one at 5-8, one at 10-15) on a new connection each
           ("Connection: close"), from the victim's services.py (80) and python3 -m http.server
           (8000), paced; one session per third of the span, in a drawn order
  browser  page loads every 3-8 s: the document on one connection, then its objects over 6
           parallel connections opened together (1-3 objects of 150-1,400 bytes each, kept alive
           on services.py's HTTP/1.1 on 80; from the HTTP/1.0 server on 8000, one object per
           connection, in two waves of 6), every connection closed when the page is done

The schedule is drawn from --seed (each kind from its own generator), over --span seconds from
the start; --print prints it. Bounded by the span, by counts (a crawler session at most 20
fetches a second, a page at most 33 connections) and by socket timeouts; the target must be a
lab address (198.18.0.0/15).

    python3 lab/httpnormal.py --seed 2222 --span 150 --print
    python3 lab/httpnormal.py --seed 2222 --span 150 --kind crawler --target 198.18.0.10
"""
import argparse
import ipaddress
import random
import socket
import threading
import time

PORT_HTTP = 80
PORT_HTTP10 = 8000
PAGES10 = [f"/page{i}.html" for i in range(1, 11)] + ["/", "/style.css"] + [f"/img{i}.png" for i in range(1, 9)]


def crawler_plan(seed, span):
    r = random.Random(seed * 7919 + 41)
    rates = [20, r.choice([5, 6, 8]), r.choice([10, 12, 15])]
    r.shuffle(rates)
    n = len(rates)
    sl = (span - 10) / n
    out = []
    for i, rate in enumerate(rates):
        start = 5 + i * sl + r.uniform(0, max(0.0, sl - 16))
        out.append((round(start, 2), round(min(r.uniform(6, 10), sl - 1), 2), rate))
    return out


def browser_plan(seed, span):
    r = random.Random(seed * 7919 + 43)
    t, out = 3 + r.uniform(0, 2), []
    while t < span - 3 and len(out) < 200:
        port = PORT_HTTP10 if r.random() < 0.3 else PORT_HTTP
        out.append((round(t, 2), port, [r.randint(1, 3) for _ in range(6)]))
        t += r.uniform(3.0, 8.0)
    return out


def path80(r):
    k = r.random()
    if k < 0.4:
        return f"/img/{r.randint(1, 400)}"
    if k < 0.7:
        return f"/bytes/{r.randint(200, 20000)}"
    if k < 0.9:
        return "/"
    return f"/missing/{r.randint(1, 99)}.html"


def fetch(host, port, paths, close=True):
    """GET each path on one new connection (kept alive between them), then close."""
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            f = s.makefile("rb")
            for i, p in enumerate(paths):
                last = i == len(paths) - 1
                conn = "close" if (close and last) else "keep-alive"
                s.sendall(f"GET {p} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) "
                          f"Gecko/20100101 Firefox/120.0\r\nAccept: */*\r\nConnection: {conn}\r\n\r\n".encode())
                length, status = None, f.readline()
                if not status:
                    return
                while True:
                    h = f.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    if h.lower().startswith(b"content-length:"):
                        length = int(h.split(b":", 1)[1])
                if length is None:  # HTTP/1.0 without a length: read to the close
                    while f.read(65536):
                        pass
                    return
                f.read(length)
    except (OSError, ValueError):
        return


def run_crawler(seed, span, host, t0):
    r = random.Random(seed * 7919 + 47)
    for start, length, rate in crawler_plan(seed, span):
        while time.time() < t0 + start:
            time.sleep(min(0.5, t0 + start - time.time()))
        s0, i = time.time(), 0
        while i < int(length * rate) and time.time() < t0 + span:
            slot = s0 + i / rate
            if time.time() < slot:
                time.sleep(slot - time.time())
            if r.random() < 0.5:
                fetch(host, PORT_HTTP, [path80(r)])
            else:
                fetch(host, PORT_HTTP10, [r.choice(PAGES10)])
            i += 1


def run_browser(seed, span, host, t0):
    r = random.Random(seed * 7919 + 53)
    for start, port, objs in browser_plan(seed, span):
        while time.time() < t0 + start:
            time.sleep(min(0.5, t0 + start - time.time()))
        if time.time() > t0 + span:
            return
        if port == PORT_HTTP:
            fetch(host, port, ["/"])
            waves = [[[f"/bytes/{r.randint(150, 1400)}" for _ in range(k)] for k in objs]]
        else:
            fetch(host, port, [r.choice(PAGES10[:11])])
            waves = [[[r.choice(PAGES10[11:])] for _ in range(6)] for _ in range(2)]
        for wave in waves:
            ts = [threading.Thread(target=fetch, args=(host, port, paths), daemon=True) for paths in wave]
            for t in ts:
                t.start()
            for t in ts:
                t.join(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--span", type=float, required=True)
    ap.add_argument("--kind", choices=["crawler", "browser"])
    ap.add_argument("--target", default="198.18.0.10")
    ap.add_argument("--print", action="store_true")
    a = ap.parse_args()
    if a.print:
        for start, length, rate in crawler_plan(a.seed, a.span):
            print(f"crawler: {start:7.2f} s for {length:5.2f} s at {rate} fetches/s (new connection each)")
        pages = browser_plan(a.seed, a.span)
        print(f"browser: {len(pages)} page loads from {pages[0][0] if pages else 0:.2f} s, "
              f"{sum(p[1] == PORT_HTTP10 for p in pages)} from port {PORT_HTTP10}, 6 parallel connections each")
        return
    if ipaddress.ip_address(a.target) not in ipaddress.ip_network("198.18.0.0/15"):
        raise SystemExit(f"{a.target}: not a lab address (198.18.0.0/15)")
    t0 = time.time()
    (run_crawler if a.kind == "crawler" else run_browser)(a.seed, a.span, a.target, t0)


if __name__ == "__main__":
    main()
