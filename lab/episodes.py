#!/usr/bin/env python3
"""Per-episode scoring of `nightjar ids detect --json` against a lab labels file.

    nightjar ids detect --pcap NAME.pcap --json > NAME.detect.json
    lab/episodes.py NAME.labels.json NAME.detect.json

One row per labelled attack: its label and command, whether an alert covers it, and the class(es)
named. An alert covers an episode when it comes from the episode's source (a source alert) and
overlaps that source's episode within 1 s; an attack from spoofed sources (several labelled
sources, or an episode marked `"spoofed": true`: random source addresses, `hping3 --rand-source`,
labelled with the attacker's own) is covered by a victim alert that overlaps its span (or by
source alerts from its labelled spoofed addresses). `named` lists the
class of every covering alert, `right` says whether the label is among them. Alerts that
cover no episode are false alerts. Episodes are grouped per attack command (a spoofed flood is one
attack of many source episodes).
"""
import datetime
import json
import sys


def secs(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def main():
    labels = json.load(open(sys.argv[1]))
    det = json.load(open(sys.argv[2]))
    alerts = det["alerts"]
    for a in alerts:
        n = a["nightjar"]
        a["_t0"], a["_t1"] = secs(n["first_seen"]), secs(n["last_seen"])
    used = set()
    attacks = {}
    for e in labels["episodes"]:
        attacks.setdefault((e["label"], e["command"]), []).append(e)
    rows = []
    for (label, cmd), eps in sorted(attacks.items(), key=lambda kv: min(e["start"] for e in kv[1])):
        t0 = min(e["start"] for e in eps) - 1.0
        t1 = max(e["end"] for e in eps) + 1.0
        srcs = {e["src"] for e in eps}
        spoofed = len(srcs) > 1 or any(e.get("spoofed") for e in eps)
        hits = []
        for i, a in enumerate(alerts):
            if a["nightjar"]["scope"] == "source":
                # within 1 s of that source's own episode
                if any(a["src_ip"] == e["src"] and a["_t0"] <= e["end"] + 1.0
                       and a["_t1"] >= e["start"] - 1.0 for e in eps):
                    hits.append(i)
            elif spoofed and a["_t0"] <= t1 and a["_t1"] >= t0:
                hits.append(i)
        used.update(hits)
        named = [alerts[i]["nightjar"]["label"] for i in hits]
        rows.append({"label": label, "sources": len(srcs), "alerted": bool(hits),
                     "named": named, "right": label in named,
                     "packets": sum(alerts[i]["nightjar"]["packets"] for i in hits),
                     "command": cmd.split(" ; ")[0] + (f" (x{len(eps)})" if len(eps) > 1 else "")})
    false = [a for i, a in enumerate(alerts) if i not in used]
    for r in rows:
        print(f"{r['label']:13} alerted={'yes' if r['alerted'] else 'NO ':3} right={'yes' if r['right'] else 'NO ':3} "
              f"named={','.join(r['named']) or '-':28} packets={r['packets']:5}  {r['command']}")
    print(f"episodes {len(rows)}: alerted {sum(r['alerted'] for r in rows)}, named right "
          f"{sum(r['right'] for r in rows)}; false alerts {len(false)}")
    for a in false:
        print(f"  false alert: {a['src_ip']} -> {a['dest_ip']} {a['nightjar']['label']} "
              f"{a['nightjar']['packets']} packets at {a['nightjar']['first_seen']}")


if __name__ == "__main__":
    main()
