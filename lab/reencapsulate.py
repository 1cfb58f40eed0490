#!/usr/bin/python3
"""lab/reencapsulate.py IN.pcap OUT.pcap -- every frame of an Ethernet capture inside a tunnel or
mirror encapsulation, a different one frame after frame, written by Scapy (an encoder that is
not Nightjar's own), the way a collector of mirror sessions of several kinds would see them:

  frame 8k+0  VXLAN (RFC 7348), UDP to 4789, VNI 42
  frame 8k+1  Geneve (RFC 8926), UDP to 6081, Ethernet payload, one 8-byte option
  frame 8k+2  GRE (RFC 2784) with transparent Ethernet bridging (gretap)
  frame 8k+3  GRE with checksum, key and sequence number (RFC 2890) around the IP packet
  frame 8k+4  ERSPAN type I (GRE 0x88BE, no sequence number)
  frame 8k+5  ERSPAN type II (GRE 0x88BE with a sequence number, 8-byte ERSPAN header; its
              version set to 1 as devices and the draft have it: Scapy 2.5 writes 0 unless told)
  frame 8k+6  ERSPAN type III (GRE 0x22EB) with the platform-specific sub-header
  frame 8k+7  IP in IP (RFC 2003) around the IP packet

A frame that is not IPv4 (ARP) goes in VXLAN whatever its turn. Outer packets go from
198.18.20.1 to 198.18.20.2; each keeps its frame's timestamp. Needs python3-scapy (Debian);
run with the system Python, which has it.
"""
import sys

from scapy.all import GRE, IP, UDP, Ether, PcapReader, PcapWriter
from scapy.contrib.erspan import ERSPAN_I, ERSPAN_II, ERSPAN_III, ERSPAN_PlatformSpecific
from scapy.contrib.geneve import GENEVE
from scapy.layers.vxlan import VXLAN

SRC, DST = "198.18.20.1", "198.18.20.2"
OUTER_MAC = dict(src="02:00:00:14:00:01", dst="02:00:00:14:00:02")


def wrap(i, frame):
    outer = Ether(**OUTER_MAC) / IP(src=SRC, dst=DST, id=i & 0xFFFF)
    raw = bytes(frame)
    is_ip = IP in frame
    kind = i % 8 if is_ip else 0
    if kind == 0:
        return outer / UDP(sport=40000 + i % 1000, dport=4789) / VXLAN(vni=42, flags=0x08) / raw
    if kind == 1:
        opt = bytes([0x01, 0x02, 0x03, 0x01, 0xDE, 0xAD, 0xBE, 0xEF])
        g = GENEVE(vni=42, proto=0x6558, optionlen=2, options=opt)
        return outer / UDP(sport=40000 + i % 1000, dport=6081) / g / raw
    if kind == 2:
        return outer / GRE(proto=0x6558) / raw
    if kind == 3:
        gre = GRE(chksum_present=1, key_present=1, seqnum_present=1, key=7, seqence_number=i,
                  proto=0x0800)
        return outer / gre / bytes(frame[IP])
    if kind == 4:
        return outer / GRE(proto=0x88BE) / ERSPAN_I() / raw
    if kind == 5:
        return (outer / GRE(proto=0x88BE, seqnum_present=1, seqence_number=i)
                / ERSPAN_II(ver=1, session_id=1, index=i & 0xFFFFF) / raw)
    if kind == 6:
        return (outer / GRE(proto=0x22EB, seqnum_present=1, seqence_number=i)
                / ERSPAN_III(ver=2, session_id=1, o=1) / ERSPAN_PlatformSpecific() / raw)
    ipip = Ether(**OUTER_MAC) / IP(src=SRC, dst=DST, id=i & 0xFFFF, proto=4)
    return ipip / bytes(frame[IP])


def main():
    src, out = sys.argv[1], sys.argv[2]
    w = PcapWriter(out, linktype=1, sync=False)
    for i, frame in enumerate(PcapReader(src)):
        p = wrap(i, frame)
        p.time = frame.time
        w.write(p)
    w.close()


if __name__ == "__main__":
    main()
