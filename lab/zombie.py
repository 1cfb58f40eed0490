#!/usr/bin/env python3
"""An idle-scan zombie for the Nightjar capture lab (run inside its own lab namespace).

nmap's idle scan (-sI ZOMBIE) needs a host whose IP ID counts up by one for every packet it
sends, whoever it sends it to. Linux does not do that (its IDs are per destination), so this
script plays such a host: it answers every TCP segment sent to --addr that is not a reset with a
reset (RST for a segment carrying ACK, RST+ACK otherwise), each with the next ID of one global
counter, as old stacks did. The namespace's kernel must not answer too: lab/idlescan.sh drops
its outgoing resets with nftables. Lab addresses only (198.18.0.0/15); ends after --seconds.
"""
import argparse
import ipaddress
import time

from scapy.all import IP, TCP, AsyncSniffer, conf

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--addr", required=True, help="the zombie's address (in 198.18.0.0/15)")
ap.add_argument("--iface", required=True, help="the interface to answer on")
ap.add_argument("--seconds", type=float, default=120, help="how long to run")
args = ap.parse_args()
if ipaddress.ip_address(args.addr) not in ipaddress.ip_network("198.18.0.0/15"):
    raise SystemExit(f"zombie.py: {args.addr} is outside the lab's 198.18.0.0/15")
conf.verb = 0
sock = conf.L3socket(iface=args.iface)
next_id = 1000


def answer(pkt):
    global next_id
    if IP not in pkt or TCP not in pkt or pkt[IP].dst != args.addr:
        return
    seg = pkt[TCP]
    if seg.flags & 0x04:  # never answer a reset
        return
    next_id = (next_id + 1) & 0xFFFF
    if seg.flags & 0x10:
        rst = TCP(sport=seg.dport, dport=seg.sport, flags="R", seq=seg.ack)
    else:
        ack = seg.seq + (1 if seg.flags & 0x02 else 0) + len(seg.payload)
        rst = TCP(sport=seg.dport, dport=seg.sport, flags="RA", seq=0, ack=ack & 0xFFFFFFFF)
    sock.send(IP(src=args.addr, dst=pkt[IP].src, id=next_id, ttl=64) / rst)


sniffer = AsyncSniffer(iface=args.iface, filter=f"tcp and dst host {args.addr}", prn=answer, store=False)
sniffer.start()
time.sleep(args.seconds)
sniffer.stop()
