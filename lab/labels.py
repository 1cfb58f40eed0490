#!/usr/bin/env python3
"""Write a run's labels file (DESIGN §12) from the executed episodes and the capture.

Input: episodes.jsonl written by run.sh, one object per attack with the measured wall-clock
`start`/`end` (date +%s.%N right before and after the attack command), and the pcap.

Episode spans are the measured command spans, with one adjustment made from the capture itself
(never from a guess):
  * spoofed sources exist only for their flood, so their episode ends at the last packet to or
    from that address (the victim's SYN-ACK retransmissions and ICMP errors trail the flood);
  * the attacker's own episode is extended to the last packet to or from the attacker within
    2 s after the command returned (replies in flight); run.sh keeps the attacker quiet for at
    least 3 s after every attack, so nothing normal falls in that tail.

Also writes NAME.stats.json: record counts and per-label packet counts from this independent
(pure-Python) reading of the capture, used by the packet crate's tests as expectations.
"""
import argparse
import json
import struct
import sys

TAIL = 2.0


def pcap_format(data, path):
    """(struct byte-order prefix, nanosecond timestamps) of a classic pcap's header."""
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap (too short)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{path}: unknown pcap magic {magic.hex()} (not a classic pcap)")
    return e, magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")


def read_pcap(path):
    """Yield (ts, src, dst) for each record; src/dst are dotted IPv4 strings or None."""
    with open(path, "rb") as f:
        data = f.read()
    e, nano = pcap_format(data, path)
    linktype = struct.unpack(e + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, expected Ethernet (1)")
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _orig = struct.unpack(e + "IIII", data[off:off + 16])
        pkt = data[off + 16: off + 16 + caplen]
        off += 16 + caplen
        if len(pkt) < caplen:
            break  # truncated final record
        ts = sec + frac / (1e9 if nano else 1e6)
        et_off = 12
        et = struct.unpack("!H", pkt[12:14])[0] if len(pkt) >= 14 else 0
        while et in (0x8100, 0x88A8) and len(pkt) >= et_off + 6:
            et_off += 4
            et = struct.unpack("!H", pkt[et_off:et_off + 2])[0]
        ip = et_off + 2
        if et == 0x0800 and len(pkt) >= ip + 20:
            src = ".".join(map(str, pkt[ip + 12: ip + 16]))
            dst = ".".join(map(str, pkt[ip + 16: ip + 20]))
            yield ts, src, dst
        else:
            yield ts, None, None


def dump_labels(labels):
    """DESIGN §12's JSON, one attacker and one episode per line (diff-friendly)."""
    out = ["{"]
    for k, v in labels.items():
        if isinstance(v, list):
            rows = [json.dumps(x) for x in v]
            body = ("[\n  " + ",\n  ".join(rows) + "\n ]") if rows else "[]"
            out.append(f" {json.dumps(k)}: {body},")
        else:
            out.append(f" {json.dumps(k)}: {json.dumps(v)},")
    out[-1] = out[-1].rstrip(",")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--episodes", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--seed", type=int)
    a = ap.parse_args()

    raw = [json.loads(l) for l in open(a.episodes) if l.strip()]
    packets = list(read_pcap(a.pcap))

    # last packet seen per address
    by_addr = {}
    for ts, s, d in packets:
        for x in (s, d):
            if x is not None:
                by_addr.setdefault(x, []).append(ts)

    episodes = []
    attackers = []
    for ep in raw:
        decoys = ep.get("decoys", [])  # nmap -D: the attacker and its decoys send the same probes
        srcs = ep["spoofed"] or [ep["attacker"]] + decoys
        for src in srcs:
            start, end = ep["start"], ep["end"]
            times = by_addr.get(src, [])
            if ep["spoofed"] or src in decoys:
                seen = [t for t in times if t >= start]
                if seen:
                    end = max(end, max(seen))
            else:
                tail = [t for t in times if end < t <= end + TAIL]
                if tail:
                    end = max(tail)
            command = ep["command"]
            if ep["spoofed"]:  # the one hping3 process that sent as this address
                command = next((c for c in command.split(" ; ") if f" -a {src} " in c), command)
            episodes.append({"src": src, "label": ep["label"], "start": round(start, 6),
                             "end": round(end + 1e-6, 6), "command": command})
            if src not in attackers:
                attackers.append(src)

    labels = {"capture": f"{a.name}.pcap",
              "attackers": [{"ip": ip} for ip in attackers],
              "episodes": episodes}
    if a.seed is not None:
        labels["seed"] = a.seed
    with open(a.out, "w") as f:
        f.write(dump_labels(labels))

    # apply DESIGN §12's rule to every record
    per_src = {}
    for e in episodes:
        per_src.setdefault(e["src"], []).append(e)
    counts = {}
    ipv4 = 0
    for ts, s, d in packets:
        if s is None:
            cls = "non-ipv4"
        else:
            ipv4 += 1
            cls = "normal"
            for x in (s, d):
                for e in per_src.get(x, []):
                    if e["start"] <= ts <= e["end"]:
                        cls = e["label"]
        counts[cls] = counts.get(cls, 0) + 1
    stats = {"capture": f"{a.name}.pcap", "records": len(packets), "ipv4": ipv4,
             "first_ts": packets[0][0] if packets else None,
             "last_ts": packets[-1][0] if packets else None,
             "classes": dict(sorted(counts.items()))}
    with open(a.stats, "w") as f:
        json.dump(stats, f, indent=1)
        f.write("\n")
    json.dump(stats, sys.stderr, indent=1)
    sys.stderr.write("\n")


if __name__ == "__main__":
    main()
