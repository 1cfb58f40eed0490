#!/usr/bin/env python3
"""Normal traffic in other IP protocols, and real ICMP errors, for `run.sh --scenario unlearned`
(run inside client namespaces, one process per kind and host, started with lib.sh's `bg`).

  gre         a GRE tunnel (IP protocol 47, RFC 2784: a 4-byte header, flags 0, protocol
              0x0800) between two clients, c0 and c1: each end is a TUN device made by this
              process inside its own namespace (it dies with the process and with the
              namespace), 198.18.200.1 and .2 (a point-to-point pair; the lab's kernels have no
              GRE module, so the encapsulation is done here, with a raw socket of protocol 47).
              Through it, for the whole run, the "a" end (c0) pings the other once a second
              (`ping -c`, `-w`) and fetches 1-30 kB over TCP from it every 2-8 s.
  ipip        the same with IP-in-IP (protocol 4, RFC 2003: the inner packet right after the
              outer header) between c1 and c2, 198.18.201.1 and .2: `ping -i 2` and a fetch every
              4-12 s, for 40-70 % of the run, starting in its first third.
  traceroute  `traceroute -n` (UDP probes to ports 33434 and up, the victim one hop away: real
              ICMP port unreachables back) from c2 to the victim every 8-20 s, with -q 1-3.
  closed-udp  an application whose peer is down: a datagram to a closed UDP port of the victim
              every 3-15 s, each from a fresh socket that waits up to 1 s for the port
              unreachable (refused); two ports drawn for the run, the first taking 80 % of them.

Everything is drawn from --seed (each kind from its own generator) and bounded: by --span, by
packet counts (`ping -c`, a fetch at most every 2 s, a probe at most every 3 s), by `ping -w`,
`timeout` on traceroute, socket timeouts and, outside, by `timeout`. `--print` prints the
schedule of every kind and exits. Every address (the tunnels' outer and inner ends, the victim)
must lie in 198.18.0.0/15; the tunnel devices carry only their /32 peer route, so nothing else is
routed into them.
"""
import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time

from tunlib import carry, in_lab

KINDS = ["gre", "ipip", "traceroute", "closed-udp"]
# kind: (protocol, device, "a" end's inner address, "b" end's inner address)
TUNNELS = {"gre": (47, "njgre", "198.18.200.1", "198.18.200.2"),
           "ipip": (4, "njipip", "198.18.201.1", "198.18.201.2")}
FETCH_PORT = 8080
CLOSED_UDP = [69, 161, 500, 1900, 4000, 4500, 5000, 5060, 6000, 8888, 9999, 40000]


def schedule(seed, span, kind):
    """(start offset s, length s, details) of one kind, drawn from its own generator."""
    r = random.Random(seed * 7919 + 3 + KINDS.index(kind))
    if kind == "gre":
        return 0.0, float(span), {"ping_interval": 1.0, "fetch_gap": (2.0, 8.0)}
    if kind == "ipip":
        secs = span * r.uniform(0.4, 0.7)
        return r.uniform(0, span / 3), secs, {"ping_interval": 2.0, "fetch_gap": (4.0, 12.0)}
    if kind == "traceroute":
        return r.uniform(2, 8), float(span) - 10, {"gap": (8.0, 20.0)}
    # the ports: the first draw of closed-udp's own generator (run_closed_udp)
    ports = random.Random(seed * 7919 + 11 + KINDS.index(kind)).sample(CLOSED_UDP, 2)
    return r.uniform(0, 5), float(span) - 5, {"gap": (3.0, 15.0), "ports": ports}


def tunnel(kind, me, local, remote, deadline, stop):
    """Carry the tunnel's packets (lab/tunlib.py) until the deadline."""
    proto, dev, a_in, b_in = TUNNELS[kind]
    mine, peer = (a_in, b_in) if me == "a" else (b_in, a_in)
    carried = [0, 0]
    carry(kind == "gre", proto, dev, local, remote, mine, peer, deadline, stop, carried)
    print(f"{kind} {me}: {carried[0]} packets out, {carried[1]} in", file=sys.stderr)


def serve(addr, deadline):
    """The "b" end: a TCP server on its tunnel address; a client sends the number of bytes it
    wants (a decimal line) and gets them."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for _ in range(20):  # the address appears once the tunnel thread has set it
        try:
            srv.bind((addr, FETCH_PORT))
            break
        except OSError:
            time.sleep(0.25)
    srv.listen(8)
    srv.settimeout(1.0)
    while time.time() < deadline:
        try:
            c, _ = srv.accept()
        except OSError:
            continue
        with c:
            c.settimeout(5.0)
            try:
                n = min(int(c.makefile("rb").readline().strip() or b"0"), 100_000)
                c.sendall(os.urandom(n))
            except (OSError, ValueError):
                pass


def fetches(r, peer, deadline, gap):
    n = 0
    while time.time() < deadline - gap[1]:
        time.sleep(r.uniform(*gap))
        try:
            with socket.create_connection((peer, FETCH_PORT), timeout=3.0) as c:
                want = r.randint(1000, 30000)
                c.sendall(f"{want}\n".encode())
                got = 0
                while got < want:
                    b = c.recv(65536)
                    if not b:
                        break
                    got += len(b)
            n += 1
        except OSError:
            pass
    print(f"fetches over the tunnel: {n}", file=sys.stderr)


def run_tunnel(a, start, secs, d):
    _, _, a_in, b_in = TUNNELS[a.kind]
    in_lab(a.local, a.remote, a_in, b_in)
    time.sleep(start)
    deadline = time.time() + secs
    r = random.Random(a.seed * 7919 + 11 + KINDS.index(a.kind))
    stop = threading.Event()
    t = threading.Thread(target=tunnel, args=(a.kind, a.end, a.local, a.remote, deadline, stop), daemon=True)
    t.start()
    if a.end == "b":
        serve(b_in, deadline)
    else:
        time.sleep(2.0)  # both ends up
        count = int((secs - 6) / d["ping_interval"])
        ping = subprocess.Popen(["ping", "-n", "-q", "-i", f"{d['ping_interval']:g}", "-c", str(count),
                                 "-w", str(int(secs)), b_in], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL)
        fetches(r, b_in, deadline - 2, d["fetch_gap"])
        try:
            ping.wait(timeout=max(1.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            ping.kill()
    stop.set()
    t.join(timeout=2.0)


def run_traceroute(seed, start, secs, d, victim):
    r = random.Random(seed * 7919 + 11 + KINDS.index("traceroute"))
    time.sleep(start)
    deadline = time.time() + secs
    n = 0
    while time.time() < deadline - 5:
        subprocess.run(["traceroute", "-n", "-q", str(r.randint(1, 3)), "-w", "1", "-m", "4", victim],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=20, check=False)
        n += 1
        time.sleep(r.uniform(*d["gap"]))
    print(f"traceroute: {n} runs", file=sys.stderr)


def run_closed_udp(seed, start, secs, d, victim):
    r = random.Random(seed * 7919 + 11 + KINDS.index("closed-udp"))
    time.sleep(start)
    deadline = time.time() + secs
    ports = r.sample(CLOSED_UDP, 2)
    n = refused = 0
    while time.time() < deadline - 1:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(1.0)
            s.connect((victim, ports[0] if r.random() < 0.8 else ports[1]))
            s.send(os.urandom(r.randint(8, 64)))
            n += 1
            try:
                s.recv(2048)
            except ConnectionRefusedError:
                refused += 1
            except OSError:
                pass
        time.sleep(r.uniform(*d["gap"]))
    print(f"closed-udp: {n} datagrams to ports {ports[0]} and {ports[1]}, {refused} refused", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--span", type=float, required=True, help="seconds of run to cover")
    ap.add_argument("--kind", choices=KINDS)
    ap.add_argument("--end", choices=["a", "b"], help="tunnels: which end this host is")
    ap.add_argument("--local", help="tunnels: this host's lab address")
    ap.add_argument("--remote", help="tunnels: the other end's lab address")
    ap.add_argument("--victim", default="198.18.0.10")
    ap.add_argument("--print", action="store_true", help="print the schedule and exit")
    a = ap.parse_args()
    in_lab(a.victim)
    if a.print:
        for k in KINDS:
            start, secs, d = schedule(a.seed, a.span, k)
            if k in TUNNELS:
                extra = (f": {TUNNELS[k][2]} <-> {TUNNELS[k][3]}, ping -i {d['ping_interval']:g}, "
                         f"a fetch every {d['fetch_gap'][0]:g}-{d['fetch_gap'][1]:g} s")
            else:
                extra = f": every {d['gap'][0]:g}-{d['gap'][1]:g} s"
                if "ports" in d:
                    extra += f" to UDP {d['ports'][0]} (80 %) or {d['ports'][1]}"
            print(f"{k} from {start:.1f} s for {secs:.1f} s{extra}")
        return
    if not a.kind:
        raise SystemExit("need --kind or --print")
    start, secs, d = schedule(a.seed, a.span, a.kind)
    if a.kind in TUNNELS:
        if not (a.end and a.local and a.remote):
            raise SystemExit("tunnels need --end, --local and --remote")
        run_tunnel(a, start, secs, d)
    elif a.kind == "traceroute":
        run_traceroute(a.seed, start, secs, d, a.victim)
    else:
        run_closed_udp(a.seed, start, secs, d, a.victim)


if __name__ == "__main__":
    main()
