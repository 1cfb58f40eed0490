#!/usr/bin/env python3
"""Write the `detect_engine` fuzz target's seeds (fuzz/seeds/detect_engine) from the real frames
of fuzz/seeds/packet_decode (frames of the lab's test3 capture; see fuzz/README.md).

Run from the repository root: python3 fuzz/make_engine_seeds.py

An input is its first byte (bit 0: raw IP, else Ethernet; bit 1: tiny tables and batches;
bit 2: two threads), then chunks [repeat][dt][vary][len][frame] (fuzz_targets/detect_engine.rs).
"""
import os

SRC = 'fuzz/seeds/packet_decode'
OUT = 'fuzz/seeds/detect_engine'


def frame(name):
    with open(os.path.join(SRC, name), 'rb') as f:
        return f.read()


def chunk(data, repeat, dt, vary):
    assert len(data) < 256
    return bytes([repeat, dt, vary, len(data)]) + data


# Ethernet 14 + IPv4 20 bytes: the TCP/UDP destination port's low byte is at 37, the source
# address's last byte at 29, the destination's at 33; raw IP: the port's low byte at 23
SEEDS = {
    # a SYN scan: one SYN to 200 ports, answered by resets
    'syn-scan': b'\x00' + chunk(frame('eth-tcp-syn'), 199, 2, 37)
    + chunk(frame('eth-tcp-rst'), 199, 2, 37),
    # a SYN flood from 250 forged sources, 0.1 ms apart; tiny tables, two threads
    'spoofed-syn-flood': b'\x06' + chunk(frame('eth-tcp-syn'), 249, 1, 29) * 4,
    # an Xmas scan, then a UDP scan answered by ICMP errors
    'xmas-udp': b'\x00' + chunk(frame('eth-tcp-xmas'), 120, 5, 37)
    + chunk(frame('eth-udp'), 120, 5, 37) + chunk(frame('eth-icmp-error'), 60, 5, 33),
    # a ping sweep of 250 addresses, ARP requests among it, the clock going back once
    'ping-sweep': b'\x04' + chunk(frame('eth-icmp-echo'), 249, 10, 33)
    + chunk(frame('eth-arp'), 30, 3, 41) + chunk(frame('eth-tcp-data'), 0, 255, 0)
    + chunk(frame('eth-tcp-synack'), 50, 1, 37),
    # raw IP: a SYN scan
    'raw-syn-scan': b'\x01' + chunk(frame('raw-tcp-syn'), 199, 2, 23)
    + chunk(frame('raw-tcp-synack'), 20, 2, 23),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    print(name, len(data))
