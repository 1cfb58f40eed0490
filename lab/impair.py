#!/usr/bin/env python3
"""Make a clean lab capture imperfect the way real sensors' captures are (seeded).

    lab/impair.py IN.pcap IN.labels.json OUT.pcap OUT.labels.json MODE [--seed S] [options]

Modes (one per run; chain runs for several):
  ring     kernel drops under load: a ring of --buffer packets drained by a writer at --drain
           packets/s (jittered); a packet that finds the ring full is lost, so floods lose
           packets in bursts and quiet traffic none (tcpdump -B with a slow writer)
  bursts   packets lost in bursts anywhere: bursts start at random and last --burst packets on
           average (geometric), until --rate of the packets are lost
  jitter   packets written out of order: each packet swapped with the next with probability
           --p, and its time moved by up to --us microseconds
  queues   a NIC's queues: each flow (by address pair) to one of --queues queues, each queue's
           packets written in batches every --ms milliseconds, batches in flush order
  lag      a multi-queue NIC whose RSS hash is not symmetric (the default Toeplitz key): each
           direction of an address pair to one of --queues queues, and each queue's packets
           stamped and written late by a lag drawn anew every --ms milliseconds, up to --us
           microseconds (queues drained unevenly); written in order of their new times, so a
           probe can come after the answer its peer's queue delivered first
  step     the sensor's clock steps by --delta seconds (back when negative) at --at (a share of
           the capture's packets); labels shifted with it (an episode across the step split)
  dups     copies as a SPAN port or -i any makes: each packet copied with probability --p,
           the copy stamped up to --us microseconds after it and written in time order (where
           traffic is dense, not adjacent), its TTL one less (IPv4 checksum fixed) with --ttl
  snap     snap length --snap bytes (old tcpdump default 68; 54 is headers only)
  cut      the capture started --head seconds late and stopped --tail seconds early; labels
           clipped to what is left (episodes left with nothing dropped)

Reads and writes classic pcap (micro- or nanosecond). Labels are those of `lab/labels.py`
(`episodes` with `start` / `end` in capture time); the output labels name OUT.pcap.
"""
import argparse
import json
import os
import random
import struct
import sys

from labels import pcap_format


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    e, nano = pcap_format(data, path)
    hdr = data[:24]
    div = 1e9 if nano else 1e6
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        body = data[off + 16:off + 16 + incl]
        if len(body) < incl:
            break
        recs.append([sec + frac / div, body, orig])
        off += 16 + incl
    return hdr, e, div, recs


def write_pcap(path, hdr, e, div, recs, snap=None):
    with open(path, "wb") as f:
        if snap:
            hdr = hdr[:16] + struct.pack(e + "I", snap) + hdr[20:]
        f.write(hdr)
        for ts, body, orig in recs:
            sec = int(ts // 1)
            frac = int(round((ts - sec) * div))
            if frac >= div:
                sec, frac = sec + 1, frac - int(div)
            f.write(struct.pack(e + "IIII", sec, frac, len(body), orig))
            f.write(body)


def ipv4_at(body):
    """Offset of the IPv4 header in an Ethernet frame (one VLAN tag allowed), or None."""
    if len(body) < 34:
        return None
    et = body[12:14]
    off = 14
    if et == b"\x81\x00":
        et, off = body[16:18], 18
    if et != b"\x08\x00" or len(body) < off + 20 or body[off] >> 4 != 4:
        return None
    return off


def flow_key(body):
    o = ipv4_at(body)
    if o is None:
        return body[:12]
    a, b = body[o + 12:o + 16], body[o + 16:o + 20]
    return min(a, b) + max(a, b)


def less_ttl(body):
    o = ipv4_at(body)
    if o is None or body[o + 8] == 0:
        return body
    ihl = (body[o] & 15) * 4
    h = bytearray(body[o:o + ihl])
    h[8] -= 1
    h[10:12] = b"\0\0"
    s = sum(struct.unpack("!%dH" % (ihl // 2), bytes(h)))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    h[10:12] = struct.pack("!H", ~s & 0xFFFF)
    return body[:o] + bytes(h) + body[o + ihl:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inp")
    ap.add_argument("labels")
    ap.add_argument("out")
    ap.add_argument("out_labels")
    ap.add_argument("mode", choices=["ring", "bursts", "jitter", "queues", "lag", "step", "dups", "snap", "cut"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--buffer", type=int, default=64)
    ap.add_argument("--drain", type=float, default=2000.0)
    ap.add_argument("--rate", type=float, default=0.2)
    ap.add_argument("--burst", type=float, default=40.0)
    ap.add_argument("--p", type=float, default=0.05)
    ap.add_argument("--us", type=float, default=20.0)
    ap.add_argument("--queues", type=int, default=4)
    ap.add_argument("--ms", type=float, default=5.0)
    ap.add_argument("--delta", type=float, default=-3600.0)
    ap.add_argument("--at", type=float, default=0.5)
    ap.add_argument("--ttl", action="store_true")
    ap.add_argument("--snap", type=int, default=68)
    ap.add_argument("--head", type=float, default=0.0)
    ap.add_argument("--tail", type=float, default=0.0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    hdr, e, div, recs = read_pcap(a.inp)
    labels = json.load(open(a.labels))
    eps = labels.get("episodes", [])
    n0 = len(recs)
    out, snap, note = recs, None, ""

    if a.mode == "ring":
        out, queue, t_free = [], [], None
        # the writer takes 1/drain s per packet (+-50 %); the ring holds `buffer` packets
        for r in recs:
            while queue and queue[0] <= r[0]:
                queue.pop(0)
            if len(queue) >= a.buffer:
                continue
            start = max(r[0], queue[-1] if queue else r[0])
            queue.append(start + rng.uniform(0.5, 1.5) / a.drain)
            out.append(r)
    elif a.mode == "bursts":
        out, left = [], 0
        start_p = a.rate / (a.burst * (1.0 - a.rate)) if a.rate < 1 else 1.0
        for r in recs:
            if left == 0 and rng.random() < start_p:
                left = 1 + int(rng.expovariate(1.0 / a.burst))
            if left:
                left -= 1
                continue
            out.append(r)
    elif a.mode == "jitter":
        out = [[t + rng.uniform(-a.us, a.us) * 1e-6, b, o] for t, b, o in recs]
        i = 0
        while i + 1 < len(out):
            if rng.random() < a.p:
                out[i], out[i + 1] = out[i + 1], out[i]
                i += 2
            else:
                i += 1
    elif a.mode == "queues":
        qs = {}
        phase = [rng.uniform(0, a.ms / 1000.0) for _ in range(a.queues)]
        batches = []
        for r in recs:
            q = hash_q(flow_key(r[1]), a.queues)
            k = int((r[0] - phase[q]) // (a.ms / 1000.0))
            if qs.get(q, (None,))[0] != k:
                qs[q] = (k, [])
                batches.append(((k + 1) * a.ms / 1000.0 + phase[q], len(batches), qs[q][1]))
            qs[q][1].append(r)
        out = [r for _, _, b in sorted(batches) for r in b]
    elif a.mode == "lag":
        lags, last, qmap = {}, {}, {}
        res = []
        for i, r in enumerate(recs):
            o = ipv4_at(r[1])
            key = r[1][o + 12:o + 20] if o is not None else r[1][:12]
            # (a seeded queue per direction: an RSS key of the seed's own; a queue is drawn for
            # every record and kept for a direction's first, the draws part of the seed's run)
            q = qmap.setdefault(key, rng.randrange(a.queues))
            k = int(r[0] // (a.ms / 1000.0))
            if (q, k) not in lags:
                lags[(q, k)] = rng.uniform(0.0, a.us) * 1e-6
            # a queue keeps its own packets' order
            t = max(r[0] + lags[(q, k)], last.get(q, 0.0))
            last[q] = t
            res.append((t, i, r))
        res.sort(key=lambda x: (x[0], x[1]))
        out = [[t, r[1], r[2]] for t, _, r in res]
        moved = sum(1 for k, x in enumerate(res) if x[1] != k)
        note = f"{moved} records moved"
    elif a.mode == "step":
        k = int(len(recs) * a.at)
        t_step = recs[k][0]
        out = [[t + (a.delta if i >= k else 0.0), b, o] for i, (t, b, o) in enumerate(recs)]
        neweps = []
        for ep in eps:
            if ep["end"] < t_step:
                neweps.append(ep)
            elif ep["start"] >= t_step:
                neweps.append(dict(ep, start=ep["start"] + a.delta, end=ep["end"] + a.delta))
            else:
                last = max((t for t, _, _ in recs[:k] if t <= ep["end"]), default=ep["start"])
                neweps.append(dict(ep, end=last))
                neweps.append(dict(ep, start=t_step + a.delta, end=ep["end"] + a.delta))
        eps = neweps
        note = f"step {a.delta:+g} s at record {k} (time {t_step:.6f})"
    elif a.mode == "dups":
        # each copy stamped --us (half to all of it) after its original and written in time
        # order: where traffic is dense (a flood, a scan) other packets fall between the two
        res = [(r[0], 0, i, r) for i, r in enumerate(recs)]
        copies = 0
        for i, r in enumerate(recs):
            if rng.random() < a.p:
                body = less_ttl(r[1]) if a.ttl else r[1]
                res.append((r[0] + rng.uniform(0.5, 1.0) * a.us * 1e-6, 1, i, [r[0] + 0.0, body, r[2]]))
                res[-1][3][0] = res[-1][0]
                copies += 1
        res.sort(key=lambda x: (x[0], x[2], x[1]))
        out = [x[3] for x in res]
        apart = 0
        where = {}
        for k, x in enumerate(res):
            if x[1] == 0:
                where[x[2]] = k
            elif k - where[x[2]] > 1:
                apart += 1
        note = f"{copies} copies, {apart} not adjacent"
    elif a.mode == "snap":
        out = [[t, b[:a.snap], o] for t, b, o in recs]
        snap = a.snap
    elif a.mode == "cut":
        t0, t1 = recs[0][0] + a.head, recs[-1][0] - a.tail
        out = [r for r in recs if t0 <= r[0] <= t1]
        first, last = out[0][0], out[-1][0]
        eps = [dict(ep, start=max(ep["start"], first), end=min(ep["end"], last))
               for ep in eps if ep["end"] >= first and ep["start"] <= last]

    write_pcap(a.out, hdr, e, div, out, snap)
    labels = dict(labels, capture=os.path.basename(a.out), episodes=eps)
    labels["impaired"] = {"from": os.path.basename(a.inp), "mode": a.mode, "seed": a.seed,
                          "args": " ".join(sys.argv[5:])}
    with open(a.out_labels, "w") as f:
        json.dump(labels, f, indent=1)
        f.write("\n")
    print(f"{a.mode}: {n0} -> {len(out)} records ({100.0 * (n0 - len(out)) / n0:.1f}% lost) {note}",
          file=sys.stderr)


def hash_q(key, n):
    h = 2166136261
    for c in key:
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h % n


if __name__ == "__main__":
    main()
