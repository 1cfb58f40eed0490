#!/usr/bin/env python3
"""A user-space delaying link (a WAN stand-in where `tc netem` is missing), for lab/wan.sh.

    wanlink.py IF_A IF_B --delay MS [--jitter MS] [--loss PCT] [--seed N] [--seconds S]
               [--queue N] [--burst B]

Runs inside its own namespace, which holds the two interfaces IF_A and IF_B (veth legs, each
into another bridge, with no address): every frame that arrives on one (AF_PACKET, all
protocols) is written to the other after a one-way delay of MS ± jitter milliseconds (uniform),
unless it is lost (seeded random loss of PCT per cent, each direction drawn on its own; with
--burst B the losses come in runs of B frames on average, as a queue overflowing drops them: a
two-state Gilbert model per direction that drops every frame in its bad state, leaves it with
chance 1/B a frame and enters it with the chance that keeps PCT per cent of frames in it). Frames
of one direction leave in the order they came (a frame is never sent before the one before it:
the jitter delays, it does not reorder, as a real path's queue). A heap of (due time, frame)
holds what is in flight, at most QUEUE frames (default 4,000) a direction: a frame that finds
its direction full is dropped, as a router's full queue drops. The link exits after S seconds
(default 600). It forwards L2 frames as they are (it is a bridge, not a router: TTLs are left
alone), and writes what it did on exit (frames each way, lost, dropped) to stderr. It sends
nothing of its own: only copies of frames that came in.
"""
import argparse
import heapq
import os
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def open_if(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((name, 0))
    s.setblocking(False)
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--delay", type=float, required=True, help="one-way delay, ms")
    p.add_argument("--jitter", type=float, default=0.0, help="± ms, uniform")
    p.add_argument("--loss", type=float, default=0.0, help="per cent, each direction")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seconds", type=float, default=600.0)
    p.add_argument("--queue", type=int, default=4000)
    p.add_argument("--burst", type=float, default=0.0, help="mean run of lost frames (0: independent)")
    o = p.parse_args()
    if not (0 <= o.delay <= 2000 and 0 <= o.jitter <= o.delay and 0 <= o.loss <= 50
            and (o.burst == 0 or 1 <= o.burst <= 1000)):
        sys.exit("wanlink: --delay 0..2000, --jitter 0..delay, --loss 0..50, --burst 0 or 1..1000")
    socks = [open_if(o.a), open_if(o.b)]
    rnd = [random.Random(o.seed * 2 + 1), random.Random(o.seed * 2 + 2)]
    heap = []  # (due, seq, out index, frame)
    inflight = [0, 0]
    last_due = [0.0, 0.0]
    stats = {"in": [0, 0], "out": [0, 0], "lost": [0, 0], "full": [0, 0], "err": [0, 0]}
    end = time.monotonic() + o.seconds
    fds = {s.fileno(): i for i, s in enumerate(socks)}

    class Stop(Exception):
        pass

    def stop(*_):
        raise Stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        run(o, socks, rnd, heap, inflight, last_due, stats, end, fds)
    except Stop:
        pass
    names = [f"{o.a}->{o.b}", f"{o.b}->{o.a}"]
    for i in (0, 1):
        print(f"wanlink {names[i]}: in {stats['in'][i]} out {stats['out'][i]} lost {stats['lost'][i]} "
              f"queue-full {stats['full'][i]} send-errors {stats['err'][i]}", file=sys.stderr, flush=True)
    os._exit(0)


def run(o, socks, rnd, heap, inflight, last_due, stats, end, fds):
    seq = 0
    bad = [False, False]  # --burst: each direction's Gilbert state
    leave = 1.0 / o.burst if o.burst else 0.0
    enter = o.loss / 100 * leave / (1 - o.loss / 100) if o.burst else 0.0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        while heap and heap[0][0] <= now:
            _, _, out, frame = heapq.heappop(heap)
            inflight[1 - out] -= 1
            try:
                socks[out].send(frame)
                stats["out"][1 - out] += 1
            except OSError:
                stats["err"][1 - out] += 1
        wait = end - now
        if heap:
            wait = min(wait, max(0.0, heap[0][0] - now))
        r, _, _ = select.select(socks, [], [], wait)
        now = time.monotonic()
        for s in r:
            i = fds[s.fileno()]
            for _ in range(256):
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue  # our own copy going out on this leg
                stats["in"][i] += 1
                if o.burst:
                    bad[i] = rnd[i].random() >= leave if bad[i] else rnd[i].random() < enter
                    lost = bad[i]
                else:
                    lost = o.loss and rnd[i].random() * 100 < o.loss
                if lost:
                    stats["lost"][i] += 1
                    continue
                if inflight[i] >= o.queue:
                    stats["full"][i] += 1
                    continue
                d = o.delay + (rnd[i].uniform(-o.jitter, o.jitter) if o.jitter else 0.0)
                due = max(now + d / 1000.0, last_due[i])
                last_due[i] = due
                seq += 1
                inflight[i] += 1
                heapq.heappush(heap, (due, seq, 1 - i, frame))


if __name__ == "__main__":
    main()
