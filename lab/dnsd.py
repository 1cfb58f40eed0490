#!/usr/bin/env python3
"""The lab's DNS server and home-router chatter (run inside the "dns" namespace, 198.18.0.53).

Only used by busy runs (`run.sh --servers K` or `--busy`); standard library only.

UDP 53   a real DNS wire-format server for a small zone given by --zone NAME=IP,...: A queries for
         a known name get the A record (authoritative, TTL --ttl); other types for a known name
         get NOERROR with no answer (NODATA); an unknown name gets NXDOMAIN; both negative answers
         carry the zone's SOA. EDNS(0) in a query is echoed. Malformed queries get FORMERR (or
         are dropped when not even the header is whole). `dig @198.18.0.53 www.lab` accepts it.
UDP 1900 with --ssdp: joins 239.255.255.250 on the lab interface, answers SSDP M-SEARCH for
         ssdp:all, upnp:rootdevice and the IGD types by unicast, as a home router does, and sends
         ssdp:alive NOTIFYs now and then (multicast, TTL 1: they stay on the lab bridge).
Every address in the zone must lie in 198.18.0.0/15. Exits after --duration seconds at the latest
(it is also run under `timeout`).
"""
import argparse
import ipaddress
import os
import random
import socket
import struct
import threading
import time

LAB = ipaddress.ip_network("198.18.0.0/15")
SSDP_GRP = "239.255.255.250"
SOA_NAME = "lab"


def parse_zone(text):
    zone = {}
    for item in text.split(","):
        name, _, ip = item.strip().partition("=")
        if not name or not ip:
            raise SystemExit(f"bad zone item {item!r} (NAME=IP)")
        if ipaddress.ip_address(ip) not in LAB:
            raise SystemExit(f"zone address {ip} outside 198.18.0.0/15")
        zone[name.lower().rstrip(".")] = ip
    return zone


def encode_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"


def read_qname(msg, off):
    """The question name at off (no compression pointers in questions): (name, next offset)."""
    labels = []
    while True:
        if off >= len(msg):
            raise ValueError("truncated name")
        n = msg[off]
        if n == 0:
            return ".".join(labels), off + 1
        if n & 0xC0:
            raise ValueError("pointer in question")
        label = msg[off + 1: off + 1 + n]
        if len(label) != n:
            raise ValueError("truncated label")
        labels.append(label.decode("ascii", "replace"))
        off += 1 + n
        if len(labels) > 127:
            raise ValueError("name too long")


def soa_rr(ttl):
    rdata = (encode_name(f"ns.{SOA_NAME}") + encode_name(f"hostmaster.{SOA_NAME}")
             + struct.pack("!IIIII", 2026112801, 3600, 600, 86400, ttl))
    return encode_name(SOA_NAME) + struct.pack("!HHIH", 6, 1, ttl, len(rdata)) + rdata


def answer(msg, zone, ttl):
    """The reply to one query datagram, or None to drop it."""
    if len(msg) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    if flags & 0x8000:
        return None  # a response, not a query
    opcode = (flags >> 11) & 0xF
    rd = flags & 0x0100
    base = 0x8000 | (opcode << 11) | rd | 0x0080  # QR, opcode, RD copied, RA

    def reply(rcode, question=b"", answers=(), authority=(), aa=True, edns=False):
        f = base | (0x0400 if aa else 0) | rcode
        head = struct.pack("!HHHHHH", qid, f, 1 if question else 0, len(answers), len(authority),
                           1 if edns else 0)
        opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0) if edns else b""
        return head + question + b"".join(answers) + b"".join(authority) + opt

    if opcode != 0:
        return reply(4, aa=False)  # NOTIMP
    if qd != 1:
        return reply(1, aa=False)  # FORMERR
    try:
        name, off = read_qname(msg, 12)
        if off + 4 > len(msg):
            raise ValueError("truncated question")
        qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    except ValueError:
        return reply(1, aa=False)
    question = msg[12:off + 4]
    rest = msg[off + 4:]
    edns = ar >= 1 and len(rest) >= 11 and rest[0] == 0 and rest[1:3] == b"\x00\x29"
    key = name.lower().rstrip(".")
    if qclass not in (1, 255):
        return reply(5, question, aa=False, edns=edns)  # REFUSED
    if key not in zone:
        return reply(3, question, authority=[soa_rr(ttl)], edns=edns)  # NXDOMAIN
    if qtype in (1, 255):  # A, ANY
        rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, ttl, 4) + socket.inet_aton(zone[key])
        return reply(0, question, answers=[rr], edns=edns)
    return reply(0, question, authority=[soa_rr(ttl)], edns=edns)  # NODATA (AAAA, MX, ...)


def dns_loop(zone, ttl):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 53))
    while True:
        try:
            d, a = s.recvfrom(4096)
            out = answer(d, zone, ttl)
            if out is not None:
                s.sendto(out, a)
        except OSError:
            continue


def mcast_socket(addr, port=None, join=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if port is not None:
        s.bind(("0.0.0.0", port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(addr))
    if join:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     socket.inet_aton(join) + socket.inet_aton(addr))
    return s


UUID = "uuid:5b2c1a3e-0d7f-4c55-9a10-0242c612%04x"
IGD = ["upnp:rootdevice", "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
       "urn:schemas-upnp-org:service:WANIPConnection:1"]


def ssdp_loop(addr, r):
    s = mcast_socket(addr, 1900, join=SSDP_GRP)
    uuid = UUID % r.randrange(65536)
    loc = f"http://{addr}:1900/rootDesc.xml"
    lock = threading.Lock()

    def respond(st_list, to, delay):
        time.sleep(delay)
        for st in st_list:
            msg = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nDATE: "
                   + time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
                   + f"\r\nEXT:\r\nLOCATION: {loc}\r\nSERVER: OpenWRT/23.05 UPnP/1.1 MiniUPnPd/2.3.3\r\n"
                   f"ST: {st}\r\nUSN: {uuid}::{st}\r\n\r\n")
            with lock:
                try:
                    s.sendto(msg.encode(), to)
                except OSError:
                    pass

    def notify():
        while True:
            time.sleep(r.uniform(25, 70))
            for nt in IGD:
                msg = (f"NOTIFY * HTTP/1.1\r\nHOST: {SSDP_GRP}:1900\r\nCACHE-CONTROL: max-age=120\r\n"
                       f"LOCATION: {loc}\r\nSERVER: OpenWRT/23.05 UPnP/1.1 MiniUPnPd/2.3.3\r\n"
                       f"NT: {nt}\r\nUSN: {uuid}::{nt}\r\nNTS: ssdp:alive\r\n\r\n")
                with lock:
                    try:
                        s.sendto(msg.encode(), (SSDP_GRP, 1900))
                    except OSError:
                        pass

    threading.Thread(target=notify, daemon=True).start()
    while True:
        try:
            d, a = s.recvfrom(4096)
        except OSError:
            continue
        if not d.startswith(b"M-SEARCH") or ipaddress.ip_address(a[0]) not in LAB:
            continue
        hdr = {}
        for line in d.decode("latin-1").split("\r\n")[1:]:
            k, _, v = line.partition(":")
            hdr[k.strip().upper()] = v.strip()
        st = hdr.get("ST", "")
        try:
            mx = max(1, min(int(hdr.get("MX", "1")), 5))
        except ValueError:
            mx = 1
        sts = IGD if st == "ssdp:all" else [st] if st in IGD else []
        if sts:
            threading.Thread(target=respond, args=(sts, a, r.uniform(0, mx * 0.5)), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zone", required=True, help="NAME=IP,... (addresses in 198.18.0.0/15)")
    ap.add_argument("--ttl", type=int, default=60)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--ssdp", default="", help="own address: answer SSDP M-SEARCH, send NOTIFYs")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    zone = parse_zone(a.zone)
    threading.Thread(target=dns_loop, args=(zone, a.ttl), daemon=True).start()
    if a.ssdp:
        if ipaddress.ip_address(a.ssdp) not in LAB:
            raise SystemExit("--ssdp address outside 198.18.0.0/15")
        threading.Thread(target=ssdp_loop, args=(a.ssdp, random.Random(a.seed)), daemon=True).start()
    print(f"dns up: {len(zone)} names", flush=True)
    time.sleep(a.duration)
    os._exit(0)


if __name__ == "__main__":
    main()
