#!/usr/bin/env python3
"""Scans a victim without a scanner: plain sockets, as a script on a compromised host would
(lab/lotl.attacks, run by lab/recon.sh; session 24).

lotlscan.py tcp HOST FIRST LAST CONCURRENCY TIMEOUT  -- connect() to every port FIRST..LAST with
    asyncio, CONCURRENCY at once, each given up after TIMEOUT s; prints the open ports
lotlscan.py udp HOST FIRST LAST RATE                 -- one empty datagram to every port, RATE a
    second

Bounded by its port range; the caller runs it in a lab namespace under timeout."""
import asyncio, socket, sys, time

async def probe(host, port, sem, timeout, open_ports):
    async with sem:
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
            open_ports.append(port)
            w.close()
        except Exception:
            pass

async def tcp(host, first, last, conc, timeout):
    sem = asyncio.Semaphore(conc); open_ports = []
    await asyncio.gather(*(probe(host, p, sem, timeout, open_ports) for p in range(first, last + 1)))
    print("open:", sorted(open_ports))

def udp(host, first, last, rate):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    gap = 1.0 / rate
    for p in range(first, last + 1):
        try:
            s.sendto(b"", (host, p))
        except OSError:
            pass  # an ICMP refusal reported on the next send
        time.sleep(gap)

if sys.argv[1] == "tcp":
    asyncio.run(tcp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])))
else:
    udp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
