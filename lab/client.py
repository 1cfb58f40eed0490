#!/usr/bin/env python3
"""A normal client for the Nightjar capture lab (run inside a client namespace).

Irregular, seeded behaviour: random think times (log-normal, with occasional idle pauses) between
actions drawn from a per-client profile: HTTP GETs of many sizes (sometimes several on one
keep-alive connection), TCP echo sessions, UDP echo, ping, occasional bulk downloads, SSH/SMTP
banner sessions, NTP-like UDP, and the small mistakes real clients make: a connection to a closed
port (refused), a DNS-like query to a closed UDP port (ICMP port unreachable), a retried UDP
query. Touching a closed port is therefore not by itself an attack signature in the captures.

--duration S   act until S seconds have passed          --actions N   do N actions and exit
--kinds LIST   draw only these actions (comma list of ACTIONS; default: all)

--profile busy (busy runs, `run.sh --busy`; without it nothing below happens and the behaviour
is exactly as before): the client resolves names with real DNS queries to --dns (A, and AAAA
too for some clients; some cache answers for their TTL, some do not) before every connection,
and talks to every host of --zone (the victim and the extra servers), never by a literal
address. On top of the actions above (now aimed at named hosts), it draws BUSY_ACTIONS:
  page      a browser page load: the HTML document, then 10-60 objects from 2-4 hosts, each
            host over 4-6 parallel keep-alive connections (HTTP, or HTTPS with --cafile),
            connections left open idle for a while afterwards; each host is resolved once
            (the browser's own host cache, 60 s), whatever the system does
  tls       an HTTPS session: TLS handshake (SNI, session resumption), 1-6 GETs with pauses
  idle_ka   a long-lived keep-alive connection (in the background): a request, then long idle
            spells with an occasional request, sometimes past the server's idle timeout
  lookup    a DNS lookup with no connection after it (prefetch)
  nxdomain  a lookup of a name that does not exist (typos, wpad, search-domain suffixes)
  mdns      mDNS to 224.0.0.251:5353 from port 5353: service queries or an announcement
  ssdp      SSDP to 239.255.255.250:1900: M-SEARCH (the router answers) or NOTIFY alive
Multicast leaves with TTL 1 on the lab interface. Resolved addresses must lie in 198.18.0.0/15.
"""
import argparse
import http.client
import ipaddress
import math
import os
import queue
import random
import socket
import ssl
import struct
import threading
import time

ACTIONS = ["http", "http_multi", "echo_tcp", "echo_udp", "ping", "bulk", "closed_tcp", "dns_closed",
           "ssh", "smtp", "ntp"]
BASE_WEIGHTS = [30, 10, 8, 8, 7, 2, 3, 3, 4, 2, 3]
CLOSED_TCP = [21, 23, 53, 110, 143, 443, 445, 993, 3306, 3389, 5432, 6379, 8000, 8080, 8443, 9090]


def http_get(r, host, n_req):
    c = http.client.HTTPConnection(host, 80, timeout=5)
    try:
        for _ in range(n_req):
            x = r.random()
            if x < 0.2:
                path = "/"
            elif x < 0.35:
                path = f"/img/{r.randrange(1000)}.png"
            elif x < 0.40:
                path = f"/missing/{r.randrange(1000)}"
            else:
                path = f"/bytes/{int(math.exp(r.uniform(math.log(200), math.log(150_000))))}"
            c.request("GET", path, headers={"User-Agent": r.choice(UAS)})
            c.getresponse().read()
            if n_req > 1:
                time.sleep(r.uniform(0.05, 0.8))
    finally:
        c.close()


UAS = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
       "curl/7.88.1", "Wget/1.21.3", "python-requests/2.31.0"]


def echo_tcp(r, host):
    with socket.create_connection((host, 7), timeout=5) as s:
        for _ in range(r.randint(1, 6)):
            msg = os.urandom(r.randint(1, 400))
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                d = s.recv(4096)
                if not d:
                    return
                got += d
            time.sleep(r.expovariate(1 / 0.4))


def udp_query(r, host, port, payload, tries=1, wait=1.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(wait)
        for _ in range(tries):
            s.sendto(payload, (host, port))
            try:
                s.recvfrom(65535)
                return
            except (socket.timeout, ConnectionRefusedError, OSError):
                time.sleep(r.uniform(0.1, 0.5))


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ping(r, host):
    ident = r.randrange(65536)
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as s:
        s.settimeout(1.0)
        for seq in range(1, r.randint(1, 4) + 1):
            data = struct.pack("!d", time.time()) + bytes(range(48))
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + data), ident, seq) + data
            s.sendto(pkt, (host, 0))
            try:
                s.recvfrom(1500)
            except socket.timeout:
                pass
            time.sleep(1.0 if r.random() < 0.7 else r.uniform(0.2, 1.0))


def bulk(r, host):
    n = int(math.exp(r.uniform(math.log(100_000), math.log(500_000))))
    with socket.create_connection((host, 9000), timeout=10) as s:
        s.sendall(f"{n}\n".encode())
        got = 0
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += len(d)


def banner(r, host, port, lines):
    with socket.create_connection((host, port), timeout=5) as s:
        s.recv(256)
        for ln in lines:
            time.sleep(r.uniform(0.01, 0.3))
            s.sendall(ln)
            try:
                s.recv(256)
            except socket.timeout:
                return


def dns_query(r):
    name = r.choice(["victim.lab", "update.lab", "time.lab", "mail.lab"])
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", r.randrange(65536), 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def act(r, host, kind):
    if kind == "http":
        http_get(r, host, 1)
    elif kind == "http_multi":
        http_get(r, host, r.randint(2, 6))
    elif kind == "echo_tcp":
        echo_tcp(r, host)
    elif kind == "echo_udp":
        for _ in range(r.randint(1, 3)):
            udp_query(r, host, 7, os.urandom(r.randint(16, 512)))
    elif kind == "ping":
        ping(r, host)
    elif kind == "bulk":
        bulk(r, host)
    elif kind == "closed_tcp":
        try:
            socket.create_connection((host, r.choice(CLOSED_TCP)), timeout=2).close()
        except OSError:
            pass
        if r.random() < 0.5:  # a client retrying once, as browsers and scripts do
            time.sleep(r.uniform(0.2, 1.0))
            try:
                socket.create_connection((host, r.choice(CLOSED_TCP)), timeout=2).close()
            except OSError:
                pass
    elif kind == "dns_closed":
        udp_query(r, host, 53, dns_query(r), tries=r.randint(1, 2), wait=0.7)
    elif kind == "ssh":
        banner(r, host, 22, [b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"])
    elif kind == "smtp":
        banner(r, host, 25, [b"EHLO client.lab\r\n", b"QUIT\r\n"])
    elif kind == "ntp":
        udp_query(r, host, 123, b"\x23" + bytes(47))


# ---- --profile busy: DNS, several servers, browser page loads, TLS, keep-alive, multicast ----

BUSY_ACTIONS = ["page", "tls", "idle_ka", "lookup", "nxdomain", "mdns", "ssdp"]
# Relative weights in the busy profile (jittered per client like the default taste); the
# victim-only mistakes of the default profile (a DNS-like query to a closed port) give way to
# real lookups of names that do not exist.
BUSY_WEIGHTS = {"http": 10, "http_multi": 5, "echo_tcp": 2, "echo_udp": 2, "ping": 3, "bulk": 1,
                "closed_tcp": 2, "dns_closed": 0, "ssh": 3, "smtp": 1, "ntp": 3,
                "page": 14, "tls": 8, "idle_ka": 3, "lookup": 4, "nxdomain": 3, "mdns": 3, "ssdp": 2}
LAB_NET = ipaddress.ip_network("198.18.0.0/15")
MDNS = ("224.0.0.251", 5353)
SSDP = ("239.255.255.250", 1900)
BROWSER_UAS = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/126.0.0.0 Safari/537.36",
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Version/17.5 Safari/605.1.15"]
MDNS_SERVICES = ["_googlecast._tcp.local", "_airplay._tcp.local", "_spotify-connect._tcp.local",
                 "_ipp._tcp.local", "_hap._tcp.local", "_services._dns-sd._udp.local",
                 "_companion-link._tcp.local", "_raop._tcp.local"]
SSDP_TARGETS = ["ssdp:all", "upnp:rootdevice", "urn:dial-multiscreen-org:service:dial:1",
                "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
                "urn:schemas-upnp-org:device:MediaRenderer:1"]
NX_NAMES = ["wpad.lab", "wwww.lab", "stattic.lab", "isatap.lab", "printer.lab", "www.lab.lab",
            "api.lab.home", "ocsp.lab", "telemetry.lab", "localhost.lab", "nas.lab"]


def dns_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def parse_reply(msg):
    """(id, rcode, [(ip, ttl)]) of a DNS reply; raises on a malformed one."""
    qid, flags, qd, an, _ns, _ar = struct.unpack("!HHHHHH", msg[:12])
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    out = []
    for _ in range(an):
        off = skip_name(msg, off)
        typ, cls, ttl, ln = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        if typ == 1 and cls == 1 and ln == 4:
            out.append((socket.inet_ntoa(msg[off:off + 4]), ttl))
        off += ln
    return qid, flags & 0xF, out


class LabConn(http.client.HTTPConnection):
    """HTTP(S) to a name already resolved by the lab's DNS: the socket goes to the resolved
    address (never through the system resolver), the Host header and SNI carry the name."""

    def __init__(self, busy, name, ip, port, tls=False):
        super().__init__(name, port, timeout=10)
        self.default_port = port  # "Host: name", without ":443"
        self._busy, self._ip, self._tls = busy, ip, tls

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls:
            sess = self._busy.sessions.get(self.host)
            try:
                sock = self._busy.tls_ctx.wrap_socket(sock, server_hostname=self.host, session=sess)
            except ValueError:
                sock = self._busy.tls_ctx.wrap_socket(sock, server_hostname=self.host)
        self.sock = sock

    def get(self, path, ua, extra=None):
        h = {"User-Agent": ua, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}
        h.update(extra or {})
        self.request("GET", path, headers=h)
        body = self.getresponse().read()
        if self._tls and self.sock is not None:
            try:
                if self.sock.session is not None:
                    self._busy.sessions[self.host] = self.sock.session
            except (AttributeError, ValueError):
                pass
        return body


class Busy:
    def __init__(self, r, a):
        if not a.dns or not a.zone:
            raise SystemExit("--profile busy needs --dns and --zone")
        if ipaddress.ip_address(a.dns) not in LAB_NET:
            raise SystemExit("--dns outside 198.18.0.0/15")
        self.r = r
        self.dns = a.dns
        names = [item.partition("=")[0].strip() for item in a.zone.split(",") if item.strip()]
        # the DNS host's own names are infrastructure; everything else runs services.py
        self.hosts = [n for n in names if not n.startswith(("ns.", "router."))]
        self.web = self.hosts
        self.tls_ctx = None
        if a.cafile:
            self.tls_ctx = ssl.create_default_context(cafile=a.cafile)
        self.caching = r.random() < 0.6      # a browser or nscd caches; a bare stub does not
        self.aaaa = r.random() < 0.5          # getaddrinfo(AF_UNSPEC) asks for A and AAAA
        self.https_share = r.uniform(0.3, 0.8) if self.tls_ctx else 0.0
        self.ua = r.choice(BROWSER_UAS)
        self.hostname = f"lab-{r.choice(['laptop', 'desktop', 'phone', 'tv', 'tablet'])}-{r.randrange(100, 999)}"
        self.cache = {}
        self.bcache = {}
        self.sessions = {}
        self.lock = threading.Lock()
        self.background = []
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((self.dns, 53))  # no packet: only picks the source address
            self.me = s.getsockname()[0]

    # -- DNS --
    def query(self, name, rng, qtypes=(1,)):
        """Real DNS over UDP to the lab server; A (and AAAA) on one socket, as glibc does.
        Returns (rcode, [(ip, ttl)]) for the A query."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2.0)
            for _attempt in range(2):
                ids = {}
                for qt in qtypes:
                    qid = rng.randrange(65536)
                    ids[qid] = qt
                    s.sendto(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name)
                             + struct.pack("!HH", qt, 1), (self.dns, 53))
                result = None
                try:
                    while ids:
                        d, src = s.recvfrom(4096)
                        if src[0] != self.dns:
                            continue
                        qid, rcode, ans = parse_reply(d)
                        qt = ids.pop(qid, None)
                        if qt == 1:
                            result = (rcode, ans)
                    return result if result else (2, [])
                except socket.timeout:
                    if result:
                        return result
        return 2, []  # SERVFAIL-like: no answer

    def resolve(self, name, rng=None, browser=False):
        """The address of name: from the browser's host cache (page loads: a browser resolves a
        host once, however many connections it opens, and keeps it up to 60 s), from the
        system's cache (clients that have one), or by a DNS query."""
        rng = rng or self.r
        now = time.time()
        with self.lock:
            hit = self.bcache.get(name) if browser else None
            if not (hit and hit[1] > now):
                hit = self.cache.get(name)
        if hit and hit[1] > now:
            return hit[0]
        rcode, ans = self.query(name, rng, (1, 28) if self.aaaa else (1,))
        if rcode != 0 or not ans:
            raise LookupError(f"{name}: rcode {rcode}")
        ip, ttl = ans[0]
        if ipaddress.ip_address(ip) not in LAB_NET:
            raise LookupError(f"{name} -> {ip} is outside the lab")
        with self.lock:
            if self.caching:
                self.cache[name] = (ip, now + min(ttl, 60))
            if browser:
                self.bcache[name] = (ip, now + min(ttl, 60))
        return ip

    def conn(self, name, tls, rng=None, ip=None):
        return LabConn(self, name, ip or self.resolve(name, rng), 443 if tls else 80, tls)

    # -- actions --
    def act(self, kind):
        r = self.r
        self.background = [t for t in self.background if t.is_alive()]
        if kind == "page":
            self.page()
        elif kind == "tls":
            if not self.tls_ctx:
                return
            c = self.conn(r.choice(self.web), True)
            try:
                for _ in range(r.randint(1, 6)):
                    c.get(r.choice(["/", "/index.html", f"/bytes/{r.randint(200, 30000)}",
                                    f"/img/{r.randrange(1000)}.png"]), self.ua)
                    time.sleep(r.uniform(0.2, 3.0))
            finally:
                c.close()
        elif kind == "idle_ka":
            if len(self.background) >= 3:
                return
            seed = r.random()
            tls = r.random() < self.https_share
            name = r.choice(self.web)
            t = threading.Thread(target=self.idle_session, args=(name, tls, random.Random(seed)), daemon=True)
            t.start()
            self.background.append(t)
        elif kind == "lookup":
            self.resolve(r.choice(self.hosts))
        elif kind == "nxdomain":
            name = r.choice(NX_NAMES)
            self.query(name, r, (1, 28) if self.aaaa else (1,))
        elif kind == "mdns":
            self.mdns()
        elif kind == "ssdp":
            self.ssdp()
        else:  # the default profile's actions, aimed at a named host
            act(r, self.resolve(r.choice(self.hosts)), kind)

    def page(self):
        r = self.r
        tls = r.random() < self.https_share
        main = r.choice(self.web)
        doc = self.conn(main, tls, ip=self.resolve(main, browser=True))
        doc.get("/", self.ua, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        time.sleep(r.uniform(0.02, 0.2))  # parse the document
        others = [n for n in self.web if n != main]
        hosts = [main] + r.sample(others, min(len(others), r.randint(1, 3)))
        n_obj = r.randint(10, 60)
        share = [r.uniform(1.5, 3.0)] + [r.uniform(0.5, 1.5) for _ in hosts[1:]]
        per_host = {h: [] for h in hosts}
        for _ in range(n_obj):
            h = r.choices(hosts, share)[0]
            x = r.random()
            if x < 0.45:
                path = f"/img/{r.randrange(1000)}.png"
            elif x < 0.85:  # scripts and style sheets
                path = f"/bytes/{int(math.exp(r.uniform(math.log(300), math.log(40_000))))}"
            elif x < 0.97:  # icons, small JSON
                path = f"/bytes/{r.randint(80, 1500)}"
            else:
                path = f"/missing/{r.randrange(1000)}.js"
            per_host[h].append(path)
        if r.random() < 0.5:
            per_host[main].append("/favicon.ico")  # 404
        conns, workers = [doc], []
        for h in hosts:
            paths = per_host[h]
            if not paths:
                continue
            ip = self.resolve(h, browser=True)  # once per host, before its connections
            q = queue.Queue()
            for p in paths:
                q.put(p)
            k = min(len(paths), r.randint(4, 6))
            hs_tls = tls if h == main else (r.random() < self.https_share)
            for i in range(k):
                c = doc if (h == main and i == 0) else None
                t = threading.Thread(target=self.fetch, daemon=True,
                                     args=(c, h, ip, hs_tls, q, random.Random(r.random()), conns))
                workers.append(t)
        for t in workers:
            t.start()
        for t in workers:
            t.join(30)
        # the browser keeps its connections open for a while, then closes them (or the
        # server's idle timeout does)
        linger = r.uniform(2, 40)

        def close_later():
            time.sleep(linger)
            for c in list(conns):
                try:
                    c.close()
                except OSError:
                    pass

        threading.Thread(target=close_later, daemon=True).start()

    def fetch(self, c, name, ip, tls, q, rng, conns):
        try:
            if c is None:
                time.sleep(rng.uniform(0, 0.05))
                c = self.conn(name, tls, rng, ip)
                conns.append(c)
            while True:
                try:
                    path = q.get_nowait()
                except queue.Empty:
                    return
                c.get(path, self.ua, {"Referer": f"http://{name}/"})
        except Exception:  # a worker's failure ends that worker only
            return

    def idle_session(self, name, tls, rng):
        try:
            c = self.conn(name, tls, rng)
            c.get(rng.choice(["/", "/bytes/600", "/bytes/2000"]), self.ua)
            for _ in range(rng.randint(1, 3)):
                time.sleep(rng.uniform(15, 90))  # past 75 s the server has closed it
                try:
                    c.get(f"/bytes/{rng.randint(100, 3000)}", self.ua)
                except (OSError, http.client.HTTPException):
                    c.close()  # reconnect on the next request, as a browser does
            c.close()
        except Exception:
            return

    def mcast(self, port=0):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind((self.me, port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(self.me))
        return s

    def mdns(self):
        r = self.r
        with self.mcast(5353) as s:
            if r.random() < 0.6:  # service discovery queries, repeated 1 s then 2 s apart
                qs = r.sample(MDNS_SERVICES, r.randint(1, 3))
                qu = 0x8000 if r.random() < 0.3 else 0
                msg = struct.pack("!HHHHHH", 0, 0, len(qs), 0, 0, 0) + b"".join(
                    dns_name(n) + struct.pack("!HH", 12, 1 | qu) for n in qs)
                for i in range(r.randint(1, 3)):
                    s.sendto(msg, MDNS)
                    time.sleep(float(i + 1))
            else:  # announce our own name (cache-flush A record), twice, 1 s apart
                rr = dns_name(self.hostname + ".local") + struct.pack("!HHIH", 1, 0x8001, 120, 4) \
                    + socket.inet_aton(self.me)
                msg = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + rr
                for _ in range(2):
                    s.sendto(msg, MDNS)
                    time.sleep(1.0)

    def ssdp(self):
        r = self.r
        if r.random() < 0.7:  # discovery: M-SEARCH, sent 2-3 times; the router answers by unicast
            mx = r.randint(1, 3)
            msg = (f"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
                   f"MX: {mx}\r\nST: {r.choice(SSDP_TARGETS)}\r\nUSER-AGENT: Linux/6.1 UPnP/1.1 lab/1.0\r\n\r\n").encode()
            with self.mcast() as s:
                for _ in range(r.randint(2, 3)):
                    s.sendto(msg, SSDP)
                    time.sleep(r.uniform(0.05, 0.3))
                s.settimeout(0.5)
                end = time.time() + mx + 0.5
                while time.time() < end:
                    try:
                        s.recvfrom(4096)
                    except socket.timeout:
                        pass
        else:  # a device on the client announcing itself
            uuid = f"uuid:{self.hostname}-{r.randrange(1 << 16):04x}"
            with self.mcast(1900) as s:
                for nt in ["upnp:rootdevice", "urn:schemas-upnp-org:device:MediaRenderer:1"]:
                    msg = (f"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
                           f"LOCATION: http://{self.me}:49152/desc.xml\r\nNT: {nt}\r\nNTS: ssdp:alive\r\n"
                           f"SERVER: Linux/6.1 UPnP/1.0 lab/1.0\r\nUSN: {uuid}::{nt}\r\n\r\n").encode()
                    s.sendto(msg, SSDP)
                    time.sleep(r.uniform(0.05, 0.2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--victim", default="198.18.0.10")
    ap.add_argument("--duration", type=float, default=0)
    ap.add_argument("--actions", type=int, default=0)
    ap.add_argument("--mean-think", type=float, default=1.5)
    ap.add_argument("--kinds", default="")
    ap.add_argument("--profile", default="", help="'busy': DNS, several servers, pages, TLS, multicast")
    ap.add_argument("--dns", default="", help="busy: the DNS server's address")
    ap.add_argument("--zone", default="", help="busy: NAME=IP,... (only the names are used)")
    ap.add_argument("--cafile", default="", help="busy: the lab's self-signed certificate (HTTPS)")
    a = ap.parse_args()
    r = random.Random(a.seed)
    # Each client has its own taste: weights jittered per seed.
    weights = [w * r.uniform(0.3, 1.7) for w in BASE_WEIGHTS]
    actions = ACTIONS
    busy = None
    if a.profile == "busy":
        # drawn after the default taste, so nothing above changes
        actions = ACTIONS + BUSY_ACTIONS
        weights = [BUSY_WEIGHTS[k] * r.uniform(0.3, 1.7) for k in actions]
        busy = Busy(r, a)
    elif a.profile:
        raise SystemExit(f"unknown --profile {a.profile!r} (known: busy)")
    if a.kinds:
        kinds = a.kinds.split(",")
        bad = [k for k in kinds if k not in actions]
        if bad:
            raise SystemExit(f"unknown --kinds {bad}; known: {', '.join(actions)}"
                             + ("" if busy else f" (and, with --profile busy, {', '.join(BUSY_ACTIONS)})"))
        weights = [w if k in kinds else 0.0 for k, w in zip(actions, weights)]
    deadline = time.time() + a.duration
    done = 0
    while True:
        if a.actions and done >= a.actions:
            break
        if not a.actions and time.time() >= deadline:
            break
        kind = r.choices(actions, weights)[0]
        if busy is None:
            try:
                act(r, a.victim, kind)
            except OSError:
                pass  # timeouts and resets during attacks are part of life
        else:
            try:
                busy.act(kind)
            except (OSError, LookupError, ValueError, http.client.HTTPException):
                pass
        done += 1
        if a.actions and done >= a.actions:
            break
        think = r.lognormvariate(math.log(a.mean_think), 0.8)
        if r.random() < 0.05:
            think += r.uniform(3, 10)  # the user went for coffee
        time.sleep(min(think, 15.0))


if __name__ == "__main__":
    main()
