#!/usr/bin/env python3
"""lab/udpservices.py -- the UDP services and their normal clients of lab/scanners.sh.

  udpservices.py serve DUR ADDR:PORT...   one process answering, on each (address, port), the
                                          protocol of the port, as its real server would:
        161  SNMP: a GetRequest with community "public" or "monitor" gets a GetResponse (the
             request, PDU tag A0 -> A2); any other community nothing (snmpd is silent)
        5060 SIP: a request gets "SIP/2.0 200 OK" with its Via, From, To, Call-ID and CSeq
        137  NetBIOS name service: a node status request (NBSTAT) gets a node status answer with
             one name; a name query nothing
        500  IKE: any ISAKMP header gets an informational NO-PROPOSAL-CHOSEN notification
  udpservices.py poll DUR SEED SNMP_HOSTS SIP_HOST NBNS_HOST
        normal clients: a monitoring poller (snmpget-like GetRequest, community "monitor", to
        every SNMP host, comma-separated, every 3-5 s, one retry after 1 s when no answer), a
        SIP phone's OPTIONS keep-alive to SIP_HOST every 5-10 s, and a NetBIOS node status
        request to NBNS_HOST every 20-40 s (Windows browsing).
Every address is checked to lie in 198.18.0.0/15; every loop ends after DUR seconds."""
import ipaddress
import os
import random
import select
import socket
import struct
import sys
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab(addr):
    if ipaddress.ip_address(addr) not in LAB:
        sys.exit(f"{addr} is not in {LAB}")
    return addr


def snmp_answer(d):
    # SEQUENCE { version INTEGER, community OCTET STRING, PDU }: short lengths only (lab's own)
    try:
        i = 2 if d[1] < 0x80 else 2 + (d[1] & 0x7F)
        i += 2 + d[i + 1]  # version
        n = d[i + 1]
        community = d[i + 2 : i + 2 + n]
        i += 2 + n
        if community not in (b"public", b"monitor") or d[i] != 0xA0:
            return None
        return d[:i] + b"\xa2" + d[i + 1 :]
    except IndexError:
        return None


def sip_answer(d):
    lines = d.decode("latin-1", "replace").split("\r\n")
    if not lines or " SIP/2.0" not in lines[0]:
        return None
    keep = [l for l in lines[1:] if l.split(":")[0].strip().lower() in ("via", "from", "to", "call-id", "cseq")]
    return ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nServer: lab-pbx\r\nAllow: INVITE, ACK, "
            "CANCEL, OPTIONS, BYE\r\nContent-Length: 0\r\n\r\n").encode()


def nbns_answer(d):
    if len(d) < 50 or d[2] & 0x80 or struct.unpack("!H", d[46:48])[0] != 0x21:
        return None
    name = b"LABHOST".ljust(15) + b"\x00"
    rdata = b"\x01" + name + b"\x04\x00" + bytes.fromhex("02420a0b0c0d") + bytes(46)
    return d[:2] + b"\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" + d[12:50] + b"\x00\x00\x00\x00" + \
        struct.pack("!H", len(rdata)) + rdata


def ike_answer(d):
    if len(d) < 28:
        return None
    notify = struct.pack("!BBHIBBH", 0, 0, 12, 1, 1, 0, 14)  # NO-PROPOSAL-CHOSEN
    return d[:8] + os.urandom(8) + bytes([0x0B, 0x10, 0x05, 0]) + bytes(4) + \
        struct.pack("!I", 28 + len(notify)) + notify


ANSWER = {161: snmp_answer, 5060: sip_answer, 137: nbns_answer, 500: ike_answer}


def serve(dur, specs):
    socks = {}
    for s in specs:
        a, p = s.rsplit(":", 1)
        k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        k.bind((lab(a), int(p)))
        socks[k] = ANSWER[int(p)]
    end = time.time() + dur
    while time.time() < end:
        r, _, _ = select.select(list(socks), [], [], 1.0)
        for k in r:
            d, peer = k.recvfrom(4096)
            out = socks[k](d)
            if out:
                k.sendto(out, peer)


def snmp_get(rid):
    oid = bytes.fromhex("06082b06010201010300")  # sysUpTime.0
    vb = b"\x30" + bytes([len(oid) + 2]) + oid + b"\x05\x00"
    vbl = b"\x30" + bytes([len(vb)]) + vb
    body = b"\x02\x04" + struct.pack("!I", rid) + b"\x02\x01\x00\x02\x01\x00" + vbl
    pdu = b"\xa0" + bytes([len(body)]) + body
    msg = b"\x02\x01\x01\x04\x07monitor" + pdu
    return b"\x30" + bytes([len(msg)]) + msg


def ask(sock, data, dst, timeout):
    sock.sendto(data, dst)
    r, _, _ = select.select([sock], [], [], timeout)
    if r:
        sock.recvfrom(4096)
        return True
    return False


def poll(dur, seed, snmp_hosts, sip_host, nbns_host):
    rnd = random.Random(seed)
    end = time.time() + dur
    snmp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # one socket, as snmpd pollers do
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("0.0.0.0", 5060))
    nb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    next_sip = time.time() + rnd.uniform(0, 5)
    next_nb = time.time() + rnd.uniform(5, 20)
    cseq = 1
    while time.time() < end:
        for h in snmp_hosts:
            if not ask(snmp, snmp_get(rnd.getrandbits(31)), (h, 161), 1.0):
                ask(snmp, snmp_get(rnd.getrandbits(31)), (h, 161), 1.0)
        now = time.time()
        if now >= next_sip:
            tag = rnd.getrandbits(32)
            me = snmp.getsockname()[0]
            msg = (f"OPTIONS sip:{sip_host} SIP/2.0\r\nVia: SIP/2.0/UDP {me}:5060;branch=z9hG4bK{tag:x}\r\n"
                   f"From: <sip:phone@lab.example>;tag={tag:x}\r\nTo: <sip:{sip_host}>\r\n"
                   f"Call-ID: {rnd.getrandbits(64):x}@lab\r\nCSeq: {cseq} OPTIONS\r\nMax-Forwards: 70\r\n"
                   "Content-Length: 0\r\n\r\n").encode()
            cseq += 1
            ask(sip, msg, (sip_host, 5060), 1.0)
            next_sip = now + rnd.uniform(5, 10)
        if now >= next_nb:
            q = struct.pack("!HHHHHH", rnd.getrandbits(16), 0, 1, 0, 0, 0) + b"\x20" + b"CKAA" * 8 + \
                b"\x00\x00\x21\x00\x01"
            ask(nb, q, (nbns_host, 137), 1.0)
            next_nb = now + rnd.uniform(20, 40)
        time.sleep(rnd.uniform(3, 5))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(float(sys.argv[2]), sys.argv[3:])
    elif len(sys.argv) == 7 and sys.argv[1] == "poll":
        hosts = [lab(h) for h in sys.argv[4].split(",")]
        poll(float(sys.argv[2]), int(sys.argv[3]), hosts, lab(sys.argv[5]), lab(sys.argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
