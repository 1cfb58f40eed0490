#!/usr/bin/env python3
"""A hand-made SYN scan with scapy, for `--scenario randomports` (plan.py, randomports()):
COUNT bare SYNs from SRC to DST, each to a random port from a random source port (scapy's
RandShort()), sent raw as fast as scapy sends them. The same as

    /usr/bin/python3 -c "from scapy.all import *; send(IP(src=SRC,dst=DST)/TCP(sport=RandShort(),dport=RandShort(),flags='S'),count=COUNT,verbose=0)"

in a file of its own, because run.sh splits a plan's commands on spaces. Both addresses must lie
in the lab's 198.18.0.0/15, and COUNT is bounded (1-2,000); run.sh bounds the run with timeout.
"""
import argparse
import ipaddress
import sys

LAB = ipaddress.ip_network("198.18.0.0/15")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True, help="the attacker's own address (in 198.18.0.0/15)")
    ap.add_argument("--dst", required=True, help="the target (in 198.18.0.0/15)")
    ap.add_argument("--count", type=int, required=True, help="SYNs to send (1-2000)")
    a = ap.parse_args()
    for x in (a.src, a.dst):
        if ipaddress.ip_address(x) not in LAB:
            sys.exit(f"randsyn: {x} is outside the lab's {LAB}")
    if not 1 <= a.count <= 2000:
        sys.exit("randsyn: --count must be 1-2000")
    from scapy.all import IP, TCP, RandShort, send  # noqa: E402 (slow import, after the checks)

    send(IP(src=a.src, dst=a.dst) / TCP(sport=RandShort(), dport=RandShort(), flags="S"), count=a.count, verbose=0)
    print(f"randsyn: sent {a.count} SYNs {a.src} -> {a.dst}, random source and destination ports")


if __name__ == "__main__":
    main()
