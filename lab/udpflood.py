#!/usr/bin/env python3
"""udpflood.py HOST PORT COUNT RATE SIZE [SPORTS]: COUNT datagrams of SIZE bytes to HOST:PORT at
RATE a second (IPv4 or IPv6 by the address), from one source port, or from SPORTS ports in turn."""
import socket, sys, time
host, port, count, rate, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
nports = int(sys.argv[6]) if len(sys.argv) > 6 else 1
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
socks = [socket.socket(fam, socket.SOCK_DGRAM) for _ in range(nports)]
data = b"x" * size
t0 = time.time()
for i in range(count):
    try:
        socks[i % nports].sendto(data, (host, port))
    except OSError:
        pass
    d = t0 + (i + 1) / rate - time.time()
    if d > 0:
        time.sleep(d)
