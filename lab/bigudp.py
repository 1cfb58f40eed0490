#!/usr/bin/python3
"""Normal fragmented UDP: `bigudp.py serve ADDR PORT` answers each datagram with SIZE (3500)
bytes; `bigudp.py ask ADDR PORT N GAP` sends N questions, each from a new socket (a stub
resolver's new source port per query), and waits for the answer. Lab addresses only."""
import os, socket, sys, time, random
role, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
assert addr.startswith("198.18."), addr
size = int(os.environ.get("SIZE", "3500"))
if role == "serve":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        q, who = s.recvfrom(2048)
        s.sendto(bytes(random.getrandbits(8) for _ in range(size)), who)
else:
    n, gap = int(sys.argv[4]), float(sys.argv[5])
    for i in range(n):
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.settimeout(1.0)
        c.sendto(os.urandom(40), (addr, port))
        try:
            c.recvfrom(65535)
        except socket.timeout:
            pass
        c.close()
        time.sleep(gap * random.uniform(0.5, 1.5))
