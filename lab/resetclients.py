#!/usr/bin/env python3
"""Ordinary TCP clients that end their connections with a reset, for lab/resets.sh.

    resetclients.py linger   HOST PORT [--count N] [--parallel P] [--pause S]
        N HTTP GETs (default 200), P at a time (each of them S seconds apart; default 0),
        each connection closed with SO_LINGER on and a
        zero timeout: the kernel aborts it with RST+ACK instead of a FIN (what Java's,
        Go's and .NET's HTTP clients do when told to, and wrk at the end of its run).
    resetclients.py stall    HOST PORT [--count N]
        N connections that send half a request header and wait: the server's header timeout
        ends them (nginx with `reset_timedout_connection on` resets them).
    resetclients.py latedata HOST PORT [--count N]
        N requests followed by 64 KiB more than the server reads: a server that closes with
        unread data resets the connection, and answers the data still arriving with resets.
    resetclients.py longconn HOST PORT --seconds S
        one long-running connection to a TCP echo service, a short line every 0.2 s, opened
        again 0.2 s after it breaks (what tcpkill is run against), for S seconds.

Every target must lie in 198.18.0.0/15 (the lab's benchmarking space); every loop is bounded
by a count and the sockets by timeouts.
"""
import argparse
import ipaddress
import socket
import struct
import sys
import threading
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def request(host):
    return f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: resetclients\r\n\r\n".encode()


def linger_one(host, port):
    try:
        s = socket.create_connection((host, port), timeout=3)
        s.sendall(request(host))
        s.recv(65536)  # the answer's first bytes; the rest, if any, is dropped with the reset
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    except OSError:
        pass


def linger(host, port, count, parallel, pause):
    left = [count]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            linger_one(host, port)
            time.sleep(pause)

    ts = [threading.Thread(target=worker) for _ in range(max(1, parallel))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def stall(host, port, count):
    socks = []
    for _ in range(count):
        try:
            s = socket.create_connection((host, port), timeout=3)
            s.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\n".encode())
            socks.append(s)
        except OSError:
            pass
    end = time.time() + 10
    for s in socks:
        try:
            s.settimeout(max(0.1, end - time.time()))
            s.recv(1024)
        except OSError:
            pass
        s.close()


def latedata(host, port, count):
    for _ in range(count):
        try:
            s = socket.create_connection((host, port), timeout=3)
            s.sendall(request(host).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
            try:
                s.sendall(b"x" * 65536)
            except OSError:
                pass
            try:
                while s.recv(65536):
                    pass
            except OSError:
                pass
            s.close()
        except OSError:
            pass
        time.sleep(0.1)


def longconn(host, port, seconds):
    end = time.time() + seconds
    while time.time() < end:
        try:
            s = socket.create_connection((host, port), timeout=2)
            while time.time() < end:
                s.sendall(b"still here\n")
                if not s.recv(1024):
                    break
                time.sleep(0.2)
            s.close()
        except OSError:
            pass
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["linger", "stall", "latedata", "longconn"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--pause", type=float, default=0.0)
    a = ap.parse_args()
    if ipaddress.ip_address(a.host) not in LAB:
        sys.exit(f"{a.host} is not in {LAB}")
    a.count = min(a.count, 5000)
    a.seconds = min(a.seconds, 3600)
    if a.mode == "linger":
        linger(a.host, a.port, a.count, a.parallel, min(max(a.pause, 0.0), 10.0))
    elif a.mode == "stall":
        stall(a.host, a.port, a.count)
    elif a.mode == "latedata":
        latedata(a.host, a.port, a.count)
    else:
        longconn(a.host, a.port, a.seconds)


if __name__ == "__main__":
    main()
