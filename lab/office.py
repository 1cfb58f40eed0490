#!/usr/bin/env python3
"""office.py -- the small protocol clients of lab/office.sh (session 20, helper h3): what a
Windows desktop sends that no Debian tool sends the same way.

  office.py dhcp IFACE MAC SECONDS RENEW   DHCP DISCOVER/REQUEST from 0.0.0.0:68 to
                                           255.255.255.255:67 (broadcast flag set, as Windows
                                           does), then a unicast renewal REQUEST every RENEW s
                                           for SECONDS s (scapy; RENEW 0: the lease only)
  office.py llmnr NAME                     one LLMNR query (A) to 224.0.0.252:5355, TTL 1
  office.py dns SERVER NAME                one DNS query (A) to SERVER:53
  office.py wsd                            one WS-Discovery Probe to 239.255.255.250:3702 (the
                                           SOAP-over-UDP a Windows client sends to find printers
                                           and file servers; wsdd answers with ProbeMatches)

Every exchange is bounded by a short timeout; nothing is sent but to the addresses above (the
lab's own /24, its broadcast and the link-local multicast groups).
"""
import os
import random
import socket
import struct
import sys
import time
import uuid


def dns_query(name, qid):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def llmnr(name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.settimeout(1.0)
    msg = dns_query(name, random.randrange(65536))
    msg = msg[:2] + b"\0\0" + msg[4:]  # LLMNR: no recursion-desired flag
    s.sendto(msg, ("224.0.0.252", 5355))
    try:
        s.recvfrom(2048)
    except OSError:
        pass


def dns(server, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    s.sendto(dns_query(name, random.randrange(65536)), (server, 53))
    try:
        s.recvfrom(2048)
    except OSError:
        pass


WSD_PROBE = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" \
xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" \
xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" \
xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof">\
<soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>\
<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>\
<wsa:MessageID>urn:uuid:{mid}</wsa:MessageID></soap:Header>\
<soap:Body><wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe></soap:Body>\
</soap:Envelope>"""


def wsd():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.settimeout(1.5)
    s.sendto(WSD_PROBE.format(mid=uuid.uuid4()).encode(), ("239.255.255.250", 3702))
    end = time.time() + 1.5
    while time.time() < end:
        try:
            s.recvfrom(8192)
        except OSError:
            break


def dhcp(iface, mac, seconds, renew):
    from scapy.all import BOOTP, DHCP, IP, UDP, Ether, conf, sendp, srp1  # noqa: E402

    conf.verb = 0
    conf.checkIPaddr = False
    end = time.time() + seconds
    raw = bytes.fromhex(mac.replace(":", ""))
    host = socket.gethostname()[:15]

    def boot(xid, ciaddr="0.0.0.0"):
        return BOOTP(chaddr=raw + b"\0" * 10, xid=xid, flags=0x8000 if ciaddr == "0.0.0.0" else 0,
                     ciaddr=ciaddr)

    xid = random.randrange(1 << 32)
    disc = (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
            / UDP(sport=68, dport=67) / boot(xid)
            / DHCP(options=[("message-type", "discover"), ("client_id", b"\x01" + raw),
                            ("hostname", host), ("param_req_list", [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252]),
                            "end"]))
    offer = None
    for _ in range(3):
        offer = srp1(disc, iface=iface, timeout=2)
        if offer is not None and DHCP in offer:
            break
    if offer is None or BOOTP not in offer:
        print("no offer", file=sys.stderr)
        return 1
    yiaddr, server = offer[BOOTP].yiaddr, offer[IP].src
    req = (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
           / UDP(sport=68, dport=67) / boot(xid)
           / DHCP(options=[("message-type", "request"), ("client_id", b"\x01" + raw),
                           ("requested_addr", yiaddr), ("server_id", server), ("hostname", host),
                           "end"]))
    srp1(req, iface=iface, timeout=2)
    print(f"lease {yiaddr} from {server}", file=sys.stderr)
    if renew <= 0:
        return 0
    # T1 renewals: unicast from the leased address to the server (the client's own kernel
    # socket: the address is configured on its interface by the lab)
    while time.time() + renew < end:
        time.sleep(renew)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(2.0)
        try:
            s.bind((yiaddr, 68))
        except OSError:
            continue
        p = bytes(boot(random.randrange(1 << 32), ciaddr=yiaddr)
                  / DHCP(options=[("message-type", "request"), ("client_id", b"\x01" + raw),
                                  ("hostname", host), "end"]))
        s.sendto(p, (server, 67))
        try:
            s.recvfrom(2048)
        except OSError:
            pass
        s.close()
    return 0


def main(argv):
    random.seed(os.getpid() ^ int(time.time() * 1000))
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "dhcp":
        return dhcp(argv[2], argv[3], float(argv[4]), float(argv[5]))
    if cmd == "llmnr":
        llmnr(argv[2])
    elif cmd == "dns":
        dns(argv[2], argv[3])
    elif cmd == "wsd":
        wsd()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
