#!/usr/bin/env python3
"""lab/fewudp.py -- the NTP server and the normal UDP clients of lab/fewudp.sh.

  fewudp.py ntpd DUR ADDR          an SNTP server on ADDR:123 (RFC 4330: a mode-3 request gets a
                                   mode-4 answer, stratum 2, the request's transmit time echoed)
  fewudp.py ntp HOST               one SNTP query (48 bytes, mode 3, as ntpdate/sntp send), 1 s
                                   timeout, one retry from the same socket
  fewudp.py dtls HOST PORT TRIES   a DTLS 1.2 client's ClientHello (about 180 bytes) that gets no
                                   ServerHello: sent TRIES times from one socket with the RFC 6347
                                   retransmission timer (1 s, doubled each time); an ICMP refusal
                                   ends it (ECONNREFUSED on the connected socket)
  fewudp.py trace HOST HOPS        traceroute(8)'s UDP probes: 3 per TTL 1..HOPS to ports 33434+
                                   (one more per probe), 1 s timeout each, stops at the host's
                                   port unreachable
Every address is checked to lie in 198.18.0.0/15; everything ends within about a minute."""
import ipaddress
import os
import select
import socket
import struct
import sys
import time

LAB = ipaddress.ip_network("198.18.0.0/15")
NTP_EPOCH = 2208988800


def lab(addr):
    if ipaddress.ip_address(addr) not in LAB:
        sys.exit(f"{addr} is not in {LAB}")
    return addr


def ntp_time():
    t = time.time() + NTP_EPOCH
    return struct.pack("!II", int(t), int((t % 1) * 2**32))


def ntpd(dur, addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((lab(addr), 123))
    end = time.time() + dur
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 1.0)
        if not r:
            continue
        d, peer = s.recvfrom(512)
        if len(d) < 48 or d[0] & 7 != 3:
            continue
        rx = ntp_time()
        out = bytes([(d[0] & 0x38) | 4, 2, d[2], 0xEC]) + bytes(8) + b"LAB\x00" + rx + d[40:48] + rx + ntp_time()
        s.sendto(out, peer)


def ntp(host):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((lab(host), 123))
    for _ in range(2):
        s.send(b"\x23" + bytes(39) + ntp_time())
        r, _, _ = select.select([s], [], [], 1.0)
        if r:
            try:
                s.recv(512)
                return
            except ConnectionRefusedError:
                return


def client_hello():
    rnd = os.urandom(32)
    suites = bytes.fromhex("c02bc02fc00ac014c009c013009c002f0035")
    exts = bytes.fromhex("000a000800060017001800190017000000230000000d0010000e040305030603040105010601")
    body = b"\xfe\xfd" + rnd + b"\x00" + b"\x00" + struct.pack("!H", len(suites)) + suites + b"\x01\x00" + \
        struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + b"\x00\x00" + b"\x00\x00\x00" + struct.pack("!I", len(body))[1:]
    rec = hs + body
    return b"\x16\xfe\xff" + bytes(8) + struct.pack("!H", len(rec)) + rec


def dtls(host, port, tries):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((lab(host), port))
    hello, wait = client_hello(), 1.0
    for _ in range(tries):
        try:
            s.send(hello)
            r, _, _ = select.select([s], [], [], wait)
            if r:
                s.recv(2048)
                return
        except ConnectionRefusedError:
            return
        wait *= 2


def trace(host, hops):
    lab(host)
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    port = 33434
    for ttl in range(1, hops + 1):
        done = False
        for _ in range(3):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            s.sendto(bytes(32), (host, port))
            port += 1
            end = time.time() + 1.0
            while time.time() < end:
                r, _, _ = select.select([rx], [], [], max(0.0, end - time.time()))
                if not r:
                    break
                d = rx.recv(512)
                ihl = (d[0] & 15) * 4
                if d[ihl] == 3 and socket.inet_ntoa(d[12:16]) == host:
                    done = True
                if d[ihl] in (3, 11):
                    break
            s.close()
        if done:
            return


def main():
    cmd = sys.argv[1]
    if cmd == "ntpd":
        ntpd(float(sys.argv[2]), sys.argv[3])
    elif cmd == "ntp":
        ntp(sys.argv[2])
    elif cmd == "dtls":
        dtls(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "trace":
        trace(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
