#!/usr/bin/env python3
"""Real tunnels between two lab hosts, carrying pings and HTTP downloads, for
`run.sh --scenario otherprotocols` (normal traffic; one process per tunnel end, run inside the
end's namespace and started with lib.sh's `bg`).

  gre   a GRE tunnel (IP protocol 47, RFC 2784: a 4-byte header, flags 0, protocol 0x0800)
        between two clients; inner addresses 198.19.99.1 ("a" end) and 198.19.99.2 ("b").
  ipip  an IP-in-IP tunnel (IP protocol 4, RFC 2003) between two clients; inner addresses
        198.19.99.5 ("a") and 198.19.99.6 ("b").

Each end first makes the tunnel with iproute2 (`ip link add njgre0 type gre local L remote R`,
`type ipip` alike) and puts its inner address on it with a /32 route to the peer only. When the
kernel has no GRE or IP-in-IP module (`ip` answers "Unknown device type": the lab's kernels were
built without them), it makes a TUN device instead and does the same encapsulation itself with a
raw socket of the tunnel's protocol (as lab/othernormal.py does); on the wire the two are the same
packets. The device lives and dies with this process and its namespace.

Through the tunnel, over a window drawn from --seed: the "b" end serves HTTP on its inner address
(port 8080; GET /N answers N random bytes, N at most 4 MiB); the "a" end pings the "b" end twice
a second (`ping -c`, `-w`) for the whole window and downloads with `curl` (`--max-time 20`) a few
files of 0.25-1.5 MiB spread over it, at most 4 MiB in all, and some small pages. Every address
(outer and inner) must lie in 198.18.0.0/15; everything is bounded by the window, by counts, by
curl's and ping's own limits and, outside, by `timeout`. `--print` prints the schedule and exits;
`--report FILE` appends what was carried (packets each way, fetches, bytes) to FILE.
"""
import argparse
import http.server
import os
import random
import subprocess
import sys
import threading
import time

from tunlib import carry, in_lab

KINDS = ["gre", "ipip"]
# kind: (protocol, iproute2 type, device, "a" end's inner address, "b" end's inner address)
TUNNELS = {"gre": (47, "gre", "njgre0", "198.19.99.1", "198.19.99.2"),
           "ipip": (4, "ipip", "njipip0", "198.19.99.5", "198.19.99.6")}
HTTP_PORT = 8080
MAX_BODY = 4 << 20
MAX_TOTAL = 4 << 20


def schedule(seed, span, kind):
    """(start offset s, length s, [(offset s, bytes)] downloads) of one tunnel, from its own
    generator: the window covers 60-85 % of the run from its first tenth; 3-5 large downloads
    (0.25-1.5 MiB, at most MAX_TOTAL together) and 4-8 small pages (2-40 kB) spread over it."""
    r = random.Random(seed * 7919 + 41 + KINDS.index(kind))
    start = r.uniform(3.0, max(3.5, span / 10))
    secs = max(30.0, span * r.uniform(0.6, 0.85))
    secs = min(secs, max(30.0, span - start - 3))
    big = []
    total = 0
    for _ in range(r.randint(3, 5)):
        n = r.choice([256, 512, 768, 1024, 1536]) << 10
        if total + n > MAX_TOTAL:
            break
        total += n
        big.append(n)
    small = [r.randint(2000, 40000) for _ in range(r.randint(4, 8))]
    sizes = big + small
    r.shuffle(sizes)
    # downloads from 3 s into the window to 25 s before its end (curl's 20 s limit), in order
    offs = sorted(r.uniform(3.0, secs - 25.0) for _ in sizes)
    return start, secs, list(zip(offs, sizes))


def no_default_route():
    out = subprocess.run(["ip", "route", "show", "default"], capture_output=True, text=True, check=True).stdout
    if out.strip():
        raise SystemExit(f"a default route: {out.strip()}")


def kernel_tunnel(kind, local, remote, mine, peer):
    """The tunnel made by the kernel (iproute2); False when the kernel has no such device."""
    _, typ, dev, _, _ = TUNNELS[kind]
    p = subprocess.run(["ip", "link", "add", dev, "type", typ, "local", local, "remote", remote, "ttl", "64"],
                       capture_output=True, text=True, check=False)
    if p.returncode != 0:
        print(f"{kind}: ip link add {dev} type {typ}: {p.stderr.strip()}: a TUN device instead", file=sys.stderr)
        return False
    subprocess.run(["ip", "addr", "add", mine, "peer", f"{peer}/32", "dev", dev], check=True)
    subprocess.run(["ip", "link", "set", dev, "up"], check=True)
    return True


def tun_tunnel(kind, local, remote, mine, peer, deadline, stop, carried):
    """Carry the tunnel's packets through a TUN device (lab/tunlib.py) until the deadline, with
    a receive buffer large enough for a download's bursts: a packet the full buffer dropped
    would be answered by the kernel (no module for the protocol) with a protocol unreachable,
    which a kernel tunnel never sends."""
    proto, _, dev, _, _ = TUNNELS[kind]
    carry(kind == "gre", proto, dev, local, remote, mine, peer, deadline, stop, carried, rcvbuf=8 << 20)


class Bytes(http.server.BaseHTTPRequestHandler):
    """GET /N: N random bytes (N at most MAX_BODY)."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's name)
        try:
            n = min(int(self.path.strip("/") or "0"), MAX_BODY)
        except ValueError:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        chunk = os.urandom(65536)
        left = n
        while left > 0:
            k = min(left, len(chunk))
            self.wfile.write(chunk[:k])
            left -= k

    def log_message(self, *args):
        pass


def serve(addr, deadline):
    for _ in range(40):  # the address appears once the tunnel is up
        try:
            srv = http.server.ThreadingHTTPServer((addr, HTTP_PORT), Bytes)
            break
        except OSError:
            time.sleep(0.25)
    else:
        raise SystemExit(f"cannot bind {addr}:{HTTP_PORT}")
    srv.timeout = 1.0
    while time.time() < deadline:
        srv.handle_request()
    srv.server_close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--span", type=float, required=True, help="seconds of run to cover")
    ap.add_argument("--kind", choices=KINDS)
    ap.add_argument("--end", choices=["a", "b"], help="which end this host is")
    ap.add_argument("--local", help="this host's lab address")
    ap.add_argument("--remote", help="the other end's lab address")
    ap.add_argument("--print", action="store_true", help="print the schedule and exit")
    ap.add_argument("--report", help="append what was carried to this file")
    a = ap.parse_args()
    if a.print:
        for k in KINDS:
            start, secs, dl = schedule(a.seed, a.span, k)
            big = sum(n for _, n in dl)
            print(f"{k} from {start:.1f} s for {secs:.1f} s: {TUNNELS[k][3]} <-> {TUNNELS[k][4]}, "
                  f"ping -i 0.5, {len(dl)} downloads ({big / 1048576:.2f} MiB) at "
                  + ", ".join(f"{o:.0f} s {n // 1024} kB" for o, n in dl))
        return
    if not (a.kind and a.end and a.local and a.remote):
        raise SystemExit("need --kind, --end, --local and --remote (or --print)")
    _, _, _, a_in, b_in = TUNNELS[a.kind]
    mine, peer = (a_in, b_in) if a.end == "a" else (b_in, a_in)
    in_lab(a.local, a.remote, mine, peer)
    start, secs, dl = schedule(a.seed, a.span, a.kind)
    time.sleep(start)
    t0 = time.time()
    deadline = t0 + secs
    carried = [0, 0]
    stop = threading.Event()
    mode = "kernel" if kernel_tunnel(a.kind, a.local, a.remote, mine, peer) else "tun"
    t = None
    if mode == "tun":
        t = threading.Thread(target=tun_tunnel, args=(a.kind, a.local, a.remote, mine, peer, deadline, stop, carried),
                             daemon=True)
        t.start()
    time.sleep(1.0)
    no_default_route()
    fetched = [0, 0]
    if a.end == "b":
        serve(mine, deadline)
    else:
        time.sleep(1.0)  # both ends up
        count = int((secs - 4) / 0.5)
        ping = subprocess.Popen(["ping", "-n", "-q", "-i", "0.5", "-c", str(count), "-w", str(int(secs - 2)), peer],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        for off, n in dl:
            wait = t0 + off - time.time()
            if wait > 0:
                time.sleep(wait)
            if time.time() > deadline - 22:
                break
            p = subprocess.run(["curl", "-s", "-o", "/dev/null", "--max-time", "20", "-w", "%{size_download}",
                                f"http://{peer}:{HTTP_PORT}/{n}"], capture_output=True, text=True, check=False)
            if p.returncode == 0:
                fetched[0] += 1
                fetched[1] += int(float(p.stdout or 0))
        try:
            ping.wait(timeout=max(1.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            ping.kill()
            ping.wait()
    stop.set()
    if t is not None:
        t.join(timeout=2.0)
    line = (f"{a.kind} {a.end} ({mode}) {a.local} -> {a.remote}, {mine} <-> {peer}: "
            f"{secs:.1f} s from {start:.1f} s")
    if mode == "tun":
        line += f", {carried[0]} packets out, {carried[1]} in"
    if a.end == "a":
        line += f", {fetched[0]} of {len(dl)} downloads, {fetched[1]} bytes"
    print(line, file=sys.stderr)
    if a.report:
        with open(a.report, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
