#!/usr/bin/env python3
"""Which alerts are each labelled attack's own, for attacks back to back (session 24, helper h2).

    nightjar ids detect --pcap NAME.pcap --json > NAME.detect.json
    lab/ownalerts.py NAME.labels.json NAME.detect.json

`lab/episodes.py` credits an attack with every alert of its source within 1 s of its span, so
with attacks 0-2 s apart each is credited with its neighbours' alerts too. Here each source
alert goes to the one episode of its source holding most of its span (an alert of no duration:
the episode holding its start, or the nearest within 1 s); an alert that overlaps none within
1 s is false. One row per episode: the alerts it owns (class and packets); `own` says whether it
owns exactly one alert, of its label's class. DESIGN §12: one alert per attacking source per
episode, with the episode's class.
"""
import datetime
import json
import sys


def secs(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def owner(a, eps):
    """Index of the episode of `a`'s source holding most of its span, or None."""
    t0, t1 = a["_t0"], a["_t1"]
    best, score = None, -1.0
    for i, e in eps:
        if e["src"] != a["src_ip"]:
            continue
        ov = min(t1, e["end"]) - max(t0, e["start"])
        if ov < 0:
            # no overlap: how far, as a negative score (within 1 s only)
            gap = -ov
            if gap > 1.0:
                continue
            ov = -gap - 1.0
        elif t1 == t0:
            ov = 0.0
        if ov > score:
            best, score = i, ov
    return best


def main():
    labels = json.load(open(sys.argv[1]))
    det = json.load(open(sys.argv[2]))
    eps = list(enumerate(sorted(labels["episodes"], key=lambda e: e["start"])))
    own = {i: [] for i, _ in eps}
    false = []
    for a in det["alerts"]:
        n = a["nightjar"]
        a["_t0"], a["_t1"] = secs(n["first_seen"]), secs(n["last_seen"])
        i = owner(a, eps) if n["scope"] == "source" else None
        (own[i] if i is not None else false).append(a)
    right = 0
    for i, e in eps:
        got = [f"{a['nightjar']['label']} ({a['nightjar']['packets']})" for a in own[i]]
        ok = len(own[i]) == 1 and own[i][0]["nightjar"]["label"] == e["label"]
        right += ok
        pause = e.get("pause")
        print(f"{e['label']:12} {'' if pause is None else f'after {pause:>3} s':10} "
              f"own={'yes' if ok else 'NO ':3} alerts={', '.join(got) or 'missed':34} {e['command']}")
    print(f"episodes {len(eps)}: one alert of their own class {right}; "
          f"alerts {len(det['alerts'])}, false {len(false)}")
    for a in false:
        n = a["nightjar"]
        print(f"  false alert: {a['src_ip']} -> {a['dest_ip']} {n['label']} {n['packets']} packets "
              f"at {n['first_seen']}")


if __name__ == "__main__":
    main()
