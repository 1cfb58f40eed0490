#!/usr/bin/env python3
"""Attack list for lab/firewalls.sh: scans and floods against a firewalled victim.

    lab/firewallplan.py SEED [--small] > ATTACKS

One phase per firewall ruleset ("@fw NAME" lines, see firewalls.sh), in an order drawn from the
seed; in each phase every nmap scan type (-sS -sT -sF -sN -sX -sA -sU -sM -sW), some with -Pn
(a dropping host fails nmap's host discovery), and hping3 SYN, UDP and ICMP floods bounded by
`-c`, in an order and with port counts, rates and counts drawn from the seed. The labels are the
project's label names. Every command targets the lab victim 198.18.0.10 only.
"""
import random
import sys

VICTIM = "198.18.0.10"
RULESETS = ["drop", "adminprohibited", "hostprohibited", "reject", "routerdrop", "routerreject"]
SCANS = [("scan-syn", "-sS"), ("scan-connect", "-sT"), ("scan-fin", "-sF"), ("scan-null", "-sN"),
         ("scan-xmas", "-sX"), ("scan-ack", "-sA"), ("scan-udp", "-sU"), ("scan-maimon", "-sM"),
         ("scan-window", "-sW")]


def phase(r, small):
    out = []
    for label, flag in SCANS:
        if label == "scan-udp":
            ports = f"--top-ports {r.randint(20, 40) if small else r.randint(40, 100)}"
        elif small:
            ports = f"-p 1-{r.randint(40, 80)}"
        else:
            ports = r.choice([f"--top-ports {r.randint(150, 400)}", f"-p 1-{r.randint(200, 600)}"])
        pn = " -Pn" if r.random() < 0.5 else ""
        timing = r.choice(["-T4", "-T4", "-T3"])
        out.append((label, f"nmap -n {flag} {timing}{pn} --max-retries {r.randint(1, 2)} {ports} {VICTIM}"))
    if small:
        out = r.sample(out, 4)
    n = (lambda: r.randint(600, 1000)) if small else (lambda: r.randint(2000, 4000))
    gap = lambda: f"u{r.choice([300, 500, 800, 1000])}"
    out.append(("flood-syn", f"hping3 -q -S -p {r.choice([80, 445, 3389, 8080])} -i {gap()} -c {n()} {VICTIM}"))
    out.append(("flood-udp", f"hping3 -q --udp -p {r.choice([7, 53, 161, 5060])} -d {r.choice([0, 64, 512])} -i {gap()} -c {n()} {VICTIM}"))
    out.append(("flood-icmp", f"hping3 -q --icmp -d {r.choice([0, 56, 512])} -i {gap()} -c {n()} {VICTIM}"))
    if small:
        out = r.sample(out, 5)
    r.shuffle(out)
    return out


def main():
    seed = int(sys.argv[1])
    small = "--small" in sys.argv[2:]
    r = random.Random(seed)
    rulesets = list(RULESETS)
    r.shuffle(rulesets)
    for fw in rulesets:
        print(f"@fw {fw}")
        for label, cmd in phase(r, small):
            print(f"{label} {cmd}")


if __name__ == "__main__":
    main()
