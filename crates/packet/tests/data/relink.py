#!/usr/bin/python3
"""Re-link the IP packets of the real capture any-sll.pcap into other link types, with Scapy
(not with nightjar): wlan.pcap (IEEE 802.11, 105), radiotap.pcap (radiotap + 802.11, 127),
ppi.pcap (PPI + 802.11, 192), ppp.pcap (PPP, 9), chdlc.pcap (Cisco HDLC, 104) and pflog.pcap
(pf's log, 117); and, in
Ethernet frames, gtpu.pcap: each packet inside GTP-U (a mobile core's user plane), and
teredo.pcap: the 15 IPv6 packets inside Teredo (IPv6 through NATs in UDP).

Each output holds the 30 IP packets of any-sll.pcap in order, with the same timestamps, their
link headers varied record by record (see frame() below), then a few frames that carry no
readable IP packet, so that the reader's reasons for them can be checked. Run with the Python
that has Scapy (Debian: /usr/bin/python3 with python3-scapy), in this folder:
    /usr/bin/python3 relink.py
"""
from scapy.all import (Dot11, Dot11Beacon, Dot11Elt, Dot11QoS, Ether, IP, LLC, SNAP, PPI,
                       RadioTap, Raw, UDP, rdpcap, PcapWriter)
from scapy.contrib.gtp import GTP_U_Header, GTPPDUSessionContainer
from scapy.layers.pflog import PFLog

AP, STA, PEER = "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"


def ethertype(ip):
    return 0x86DD if ip[0] >> 4 == 6 else 0x0800


def dot11(i, ip):
    """A data frame for packet i: plain to-DS, from-DS, QoS data, QoS with an HT control
    field (order bit), or a four-address frame between access points, in turn."""
    et = ethertype(ip)
    body = LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=et) / Raw(ip)
    kind = i % 5
    if kind == 0:
        return Dot11(type=2, subtype=0, FCfield="to-DS", addr1=AP, addr2=STA, addr3=PEER) / body
    if kind == 1:
        return Dot11(type=2, subtype=0, FCfield="from-DS", addr1=STA, addr2=AP, addr3=PEER) / body
    if kind == 2:
        return Dot11(type=2, subtype=8, FCfield="to-DS", addr1=AP, addr2=STA, addr3=PEER) / Dot11QoS(TID=5) / body
    if kind == 3:
        # +HTC: the order bit in a QoS data frame adds a 4-byte HT control field
        return (Dot11(type=2, subtype=8, FCfield="to-DS+order", addr1=AP, addr2=STA, addr3=PEER)
                / Dot11QoS(TID=0) / Raw(b"\x00\x00\x00\x00") / body)
    return Dot11(type=2, subtype=0, FCfield="to-DS+from-DS", addr1=AP, addr2=PEER, addr3=PEER, addr4=STA) / body


def not_ip_80211():
    """A beacon, a null data frame, a protected (encrypted) data frame, an A-MSDU."""
    beacon = Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2=AP, addr3=AP) / Dot11Beacon() / Dot11Elt(ID=0, info=b"lab")
    null = Dot11(type=2, subtype=4, FCfield="to-DS", addr1=AP, addr2=STA, addr3=AP)
    prot = Dot11(type=2, subtype=0, FCfield="to-DS+protected", addr1=AP, addr2=STA, addr3=PEER) / Raw(bytes(range(40)))
    amsdu = Dot11(type=2, subtype=8, FCfield="to-DS", addr1=AP, addr2=STA, addr3=PEER) / Dot11QoS(A_MSDU_Present=1) / Raw(bytes(40))
    return [beacon, null, prot, amsdu]


def ppp(i, ip):
    """PPP with and without RFC 1662's address/control bytes, the protocol field compressed
    to one byte (RFC 1661 §6.5) on every third record."""
    proto = 0x57 if ip[0] >> 4 == 6 else 0x21
    head = b"\xff\x03" if i % 2 == 0 else b""
    head += bytes([proto]) if i % 3 == 0 else proto.to_bytes(2, "big")
    return Raw(head + ip)


def gtpu(i, ip):
    """GTP-U G-PDUs between two core nodes (UDP 2152 both ways): plain; with the sequence
    number (S flag); with 5G's PDU session container extension header (E flag), in turn."""
    outer = Ether(src="02:00:00:00:30:01", dst="02:00:00:00:30:02") / IP(
        src="198.18.30.1", dst="198.18.30.2") / UDP(sport=2152, dport=2152)
    kind = i % 3
    if kind == 0:
        gtp = GTP_U_Header(teid=0x100 + i % 4, gtp_type=255)
    elif kind == 1:
        gtp = GTP_U_Header(teid=0x100 + i % 4, gtp_type=255, S=1, seq=i)
    else:
        gtp = GTP_U_Header(teid=0x100 + i % 4, gtp_type=255, E=1, next_ex=0x85) / GTPPDUSessionContainer(type=i % 2, QFI=9)
    return outer / gtp / Raw(ip)


def pflog(i, ip):
    """pf's log header: OpenBSD's (100 bytes, Scapy's PFLog; IPv6 family 24) and FreeBSD's /
    pfSense's (61 bytes padded to 64; IPv6 family 28), in turn."""
    v6 = ip[0] >> 4 == 6
    if i % 2 == 0:
        h = PFLog(addrfamily=24 if v6 else 2, naddrfamily=24 if v6 else 2, iface=b"em0",
                  action=1, direction=1)
        if v6:
            h.saddr, h.daddr = "::1", "::1"
        return Raw(bytes(h) + ip)
    # length, family, action (drop), reason, ifname[16], ruleset[16], rule and subrule
    # numbers, uid, pid, rule uid, rule pid (4 bytes each), direction (in): 61 bytes
    hdr = bytes([61, 28 if v6 else 2, 1, 0]) + b"em0".ljust(16, b"\0") + bytes(16 + 24) + b"\x01"
    assert len(hdr) == 61
    return Raw(hdr + bytes(3) + ip)


def teredo(i, ip):
    """Teredo (RFC 4380 §5.1.1) between a client and its relay, UDP port 3544 at the relay's
    end: the IPv6 packet directly; after an origin indication (0x0000, obfuscated port and
    address); after an authentication indicator (2-byte client id, no value, nonce,
    confirmation) and an origin indication; in turn, each way."""
    client, relay = "198.18.40.2", "198.18.40.1"
    up = i % 2 == 0
    outer = Ether(src="02:00:00:00:40:02", dst="02:00:00:00:40:01") / IP(
        src=client if up else relay, dst=relay if up else client) / UDP(
        sport=51000 if up else 3544, dport=3544 if up else 51000)
    origin = bytes([0, 0, 0x9C, 0x3F, 0x3F, 0xED, 0xFF, 0xF5])
    auth = bytes([0, 1, 2, 0, 0xAB, 0xCD]) + bytes(range(1, 9)) + bytes([0])
    head = [b"", origin, auth + origin][i % 3]
    return outer / Raw(head + ip)


def main():
    src = rdpcap("any-sll.pcap")
    ips = [bytes(p)[16:] for p in src]
    times = [p.time for p in src]
    outs = {
        "wlan.pcap": (105, lambda i, ip: dot11(i, ip), [bytes(f) for f in not_ip_80211()]),
        "radiotap.pcap": (127, lambda i, ip: RadioTap() / dot11(i, ip),
                          [bytes(RadioTap() / f) for f in not_ip_80211()]),
        "ppi.pcap": (192, lambda i, ip: PPI() / dot11(i, ip),
                     [bytes(PPI() / f) for f in not_ip_80211()]),
        "ppp.pcap": (9, ppp, [b"\xff\x03\xc0\x21\x01\x01\x00\x04"]),  # LCP configure-request
        "chdlc.pcap": (104, lambda i, ip: Raw(bytes([0x0F, 0]) + ethertype(ip).to_bytes(2, "big") + ip),
                       [bytes([0x8F, 0, 0x80, 0x35]) + bytes(20)]),  # SLARP keepalive
        "gtpu.pcap": (1, gtpu, []),
        "pflog.pcap": (117, pflog, []),
    }
    # Teredo carries IPv6 only: the second half of the exchange
    w = PcapWriter("teredo.pcap", linktype=1, sync=True)
    for i, ip in enumerate(ips[15:]):
        f = teredo(i, ip)
        f.time = times[15 + i]
        w.write(f)
    w.close()
    for name, (linktype, make, extra) in outs.items():
        w = PcapWriter(name, linktype=linktype, sync=True)
        for i, ip in enumerate(ips):
            f = make(i, ip)
            f.time = times[i]
            w.write(f)
        for k, raw in enumerate(extra):
            f = Raw(raw)
            f.time = times[-1] + 1 + k
            w.write(f)
        w.close()


if __name__ == "__main__":
    main()
