#!/usr/bin/env python3
"""Normal traffic that looks a little like floods, for `run.sh --scenario floods` (run inside a
client namespace, one process per kind, started with lib.sh's `bg`).

  udp-echo  UDP echo exchanges with the victim's echo service (services.py, UDP 7) on ONE socket
            (one source port for the whole run): datagrams of 1,600-6,000 bytes, which the IP
            layer sends fragmented (and the victim's echoes too), 1-3 a second, each waiting up
            to 1 s for its echo; from the start of the run to --span seconds.
  ping-big  `ping -s 1400 -i 0.5` (1,428-byte packets, not fragmented) for most of the run: it
            starts 0-8 s in and lasts 75-90 % of --span.
  ping-frag `ping -s 3000 -i 1` (fragmented requests and replies) for part of the run: 25-45 %
            of --span, starting somewhere in its first half.

Everything is drawn from --seed (each kind from its own generator) and bounded: by --span, by a
packet count (`ping -c`, the echo loop's 3 a second at most), by `ping -w` and, outside, by
`timeout`. `--print` prints the schedule of all three kinds and exits. The victim's address must
lie in 198.18.0.0/15.
"""
import argparse
import ipaddress
import os
import random
import socket
import subprocess
import sys
import time

KINDS = ["udp-echo", "ping-big", "ping-frag"]
LAB_NET = ipaddress.ip_network("198.18.0.0/15")


def schedule(seed, span, kind):
    """(start offset s, length s, details) of one kind, drawn from its own generator."""
    r = random.Random(seed * 7907 + 1 + KINDS.index(kind))
    if kind == "udp-echo":
        return 0.0, float(span), {}
    if kind == "ping-big":
        start = r.uniform(0, 8)
        secs = span * r.uniform(0.75, 0.9)
        return start, secs, {"size": 1400, "interval": 0.5, "count": int(secs / 0.5)}
    secs = span * r.uniform(0.25, 0.45)
    start = r.uniform(0, span / 2)
    return start, secs, {"size": 3000, "interval": 1.0, "count": int(secs)}


def udp_echo(seed, secs, victim):
    r = random.Random(seed * 7907 + 1)
    deadline = time.time() + secs
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1.0)
        while time.time() < deadline and sent < int(secs * 3) + 1:
            t0 = time.time()
            s.sendto(os.urandom(r.randint(1600, 6000)), (victim, 7))
            sent += 1
            try:
                s.recvfrom(65535)
            except OSError:
                pass
            # 1-3 exchanges a second
            time.sleep(max(0.0, r.uniform(1 / 3, 1.0) - (time.time() - t0)))
    print(f"udp-echo: {sent} exchanges", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--span", type=float, required=True, help="seconds of run to cover")
    ap.add_argument("--kind", choices=KINDS)
    ap.add_argument("--victim", default="198.18.0.10")
    ap.add_argument("--print", action="store_true", help="print the schedule and exit")
    a = ap.parse_args()
    if ipaddress.ip_address(a.victim) not in LAB_NET:
        raise SystemExit("--victim outside 198.18.0.0/15")
    if a.print:
        for k in KINDS:
            start, secs, d = schedule(a.seed, a.span, k)
            extra = "" if k == "udp-echo" else \
                f": ping -s {d['size']} -i {d['interval']:g} -c {d['count']}"
            print(f"{k} from {start:.1f} s for {secs:.1f} s{extra}")
        return
    if not a.kind:
        raise SystemExit("need --kind or --print")
    start, secs, d = schedule(a.seed, a.span, a.kind)
    time.sleep(start)
    if a.kind == "udp-echo":
        udp_echo(a.seed, secs, a.victim)
        return
    subprocess.run(["ping", "-n", "-q", "-s", str(d["size"]), "-i", f"{d['interval']:g}",
                    "-c", str(d["count"]), "-w", str(int(secs) + 5), a.victim],
                   stdin=subprocess.DEVNULL, timeout=secs + 15, check=False)


if __name__ == "__main__":
    main()
