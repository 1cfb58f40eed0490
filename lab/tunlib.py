"""The lab's user-space IP tunnels, for the normal-traffic helpers that need a GRE or an IP-in-IP
tunnel between two hosts (lab/othernormal.py, lab/tunnelnormal.py) on kernels without those
tunnel devices: a TUN device carries the inner packets, a raw socket of the tunnel's protocol the
outer ones, so what goes on the wire is what a kernel tunnel sends.
"""
import fcntl
import ipaddress
import os
import select
import socket
import struct
import subprocess
import time

LAB_NET = ipaddress.ip_network("198.18.0.0/15")
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
# GRE's header without checksum, key or sequence number, carrying IPv4 (RFC 2784)
GRE_IPV4 = b"\x00\x00\x08\x00"


def in_lab(*addrs):
    """Refuse any address outside the lab's 198.18.0.0/15."""
    for a in addrs:
        if ipaddress.ip_address(a) not in LAB_NET:
            raise SystemExit(f"{a} outside 198.18.0.0/15")


def tun_open(name):
    """A TUN device named `name` (IP packets, no packet information header)."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def carry(gre, proto, dev, local, remote, mine, peer, deadline, stop, carried, rcvbuf=None):
    """Make TUN device `dev` with inner address `mine` (peer `peer`), and carry packets between it
    and the raw socket of protocol `proto` (GRE-framed when `gre`) bound to `local`, to and from
    `remote`, until `deadline` or `stop`. Only IPv4 packets from `remote` of the right shape are
    taken in. `carried` counts packets out and in; `rcvbuf`, when given, forces the raw
    socket's receive buffer (a download's bursts overflow the default one, and the kernel
    answers a packet that found the buffer full with a protocol unreachable)."""
    fd = tun_open(dev)
    subprocess.run(["ip", "addr", "add", mine, "peer", f"{peer}/32", "dev", dev], check=True)
    subprocess.run(["ip", "link", "set", dev, "mtu", "1476" if gre else "1480", "up"], check=True)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
    if rcvbuf is not None:
        raw.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), rcvbuf)
    raw.bind((local, 0))
    head = GRE_IPV4 if gre else b""
    while time.time() < deadline and not stop.is_set():
        ready, _, _ = select.select([fd, raw], [], [], 0.5)
        if fd in ready:
            pkt = os.read(fd, 65535)
            if len(pkt) >= 20 and pkt[0] >> 4 == 4:
                raw.sendto(head + pkt, (remote, 0))
                carried[0] += 1
        if raw in ready:
            pkt, (src, _) = raw.recvfrom(65535)
            if src != remote or len(pkt) < 20:
                continue
            inner = pkt[(pkt[0] & 0x0F) * 4:]
            if head:
                if inner[:4] != head:
                    continue
                inner = inner[4:]
            if len(inner) >= 20 and inner[0] >> 4 == 4:
                os.write(fd, inner)
                carried[1] += 1
    os.close(fd)
