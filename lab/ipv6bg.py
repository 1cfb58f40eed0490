#!/usr/bin/env python3
"""ipv6bg.py HOST_ID DURATION SEED IFACE: the IPv6 (and IPv4) multicast background a real LAN carries:
mDNS queries/announcements to ff02::fb and 224.0.0.251 port 5353 (joining the group, so MLD
reports are sent), and now and then a DHCPv6 Solicit to ff02::1:2 port 547 from port 546.
Bounded by DURATION seconds."""
import random, socket, struct, sys, time
hid, dur, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
ifname = sys.argv[4]
idx = socket.if_nametoindex(ifname)
def mdns_query(name):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!6H", 0, 0, 1, 0, 0, 0) + q + struct.pack("!2H", 12, 1)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s6.bind(("::", 5353))
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, "ff02::fb") + struct.pack("@I", idx))
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
# no route covers 224.0.0.0/4 (the lab has none out): name the interface (struct ip_mreqn)
s4.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, struct.pack("@4s4si", b"\0" * 4, b"\0" * 4, idx))
d6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
try:
    d6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
    d6.bind(("::", 546))
except OSError:
    d6 = None
end = time.time() + dur
next_dhcp = time.time() + rnd.uniform(5, 30)
names = ["_services._dns-sd._udp.local", "_http._tcp.local", "_ipp._tcp.local", f"{hid}.local"]
while time.time() < end:
    q = mdns_query(rnd.choice(names))
    try:
        s6.sendto(q, ("ff02::fb", 5353, 0, idx))
        if rnd.random() < 0.5:
            s4.sendto(q, ("224.0.0.251", 5353))
    except OSError as e:
        print(f"mdns: {e}", file=sys.stderr)
    if d6 is not None and time.time() > next_dhcp:
        # DHCPv6 Solicit: type 1, transaction id, client-id option (DUID-LL), elapsed time
        xid = rnd.getrandbits(24).to_bytes(3, "big")
        duid = struct.pack("!HH", 3, 1) + bytes(rnd.getrandbits(8) for _ in range(6))
        msg = b"\x01" + xid + struct.pack("!HH", 1, len(duid)) + duid + struct.pack("!HHH", 8, 2, 0)
        try:
            d6.sendto(msg, ("ff02::1:2", 547, 0, idx))
        except OSError as e:
            print(f"dhcpv6: {e}", file=sys.stderr)
        next_dhcp = time.time() + rnd.uniform(20, 60)
    time.sleep(rnd.uniform(1.0, 6.0))
