#!/usr/bin/env python3
"""The normal clients of lab/svcfloods.sh (session 23) that lab/infraclients.py lacks, standard
library only; every address is checked to lie in 198.18.0.0/15 and every loop ends at --duration.

    svcclients.py memcached --server IP --src IP   a web application's cache look-ups over
                        memcached's UDP protocol (an 8-byte frame header, then "get KEY"): one
                        every 0.1-1 s, and now and then a page's 10-40 keys at once from one socket
    svcclients.py snmp --server IP --src IP        a monitoring station's SNMP v2c GETs of a few
                        counters every 2-5 s (snmpget), and every 20-40 s a walk of the interfaces
                        table (snmpwalk: one GETNEXT after each answer)
"""
import argparse
import ipaddress
import random
import socket
import struct
import subprocess
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab(a):
    if ipaddress.ip_address(a) not in LAB:
        raise SystemExit(f"{a} is outside 198.18.0.0/15")
    return a


def memcached(a, rnd, end):
    server, src = lab(a.server), lab(a.src)
    rid = 0
    while time.time() < end:
        keys = [f"page:{rnd.randrange(500)}" for _ in range(rnd.randint(10, 40) if rnd.random() < 0.08 else 1)]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.settimeout(1.0)
        for k in keys:
            rid = (rid + 1) & 0xFFFF
            s.sendto(struct.pack("!HHHH", rid, 0, 1, 0) + f"get {k}\r\n".encode(), (server, 11211))
        for _ in keys:
            try:
                s.recvfrom(2048)
            except OSError:
                break
        s.close()
        time.sleep(rnd.uniform(0.1, 1.0))


def snmp(a, rnd, end):
    server = lab(a.server)
    lab(a.src)
    base = ["snmpget", "-v2c", "-c", "public", "-r", "0", "-t", "1", "--clientaddr=" + a.src, server]
    walk_at = time.time() + rnd.uniform(5, 20)
    while time.time() < end:
        if time.time() >= walk_at:
            subprocess.run(["timeout", "10", "snmpwalk", "-v2c", "-c", "public", "-r", "0", "-t", "1",
                            "--clientaddr=" + a.src, server, "1.3.6.1.2.1.2"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            walk_at = time.time() + rnd.uniform(20, 40)
        subprocess.run(["timeout", "5"] + base + ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.2.2.1.10.1",
                                                   "1.3.6.1.2.1.2.2.1.16.1"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        time.sleep(rnd.uniform(2, 5))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("memcached", "snmp"))
    p.add_argument("--server", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--duration", type=float, default=300)
    a = p.parse_args()
    end = time.time() + a.duration
    {"memcached": memcached, "snmp": snmp}[a.mode](a, random.Random(a.seed), end)


if __name__ == "__main__":
    main()
