#!/usr/bin/env python3
"""Seeded attack plan for one lab run: which attacks, in which order, with which tool options.

Prints one JSON object per line:
  {"label", "attacker", "spoofed": [ips], "cmds": [[argv], ...] (run concurrently),
   "timeout": seconds, "gap": seconds of quiet before it, "gap_normal": actions by the
   attacker host in that gap (normal traffic, labelled normal), "post_normal": actions by the
   attacker host soon after the attack (HTTP, bulk downloads, echo, ping; labelled normal),
   "post_delay": seconds from the attack's end to that session}
Labels are DESIGN §12's names. Addresses stay inside 198.18.0.0/15.

An item of --attacks may carry variants after a colon, joined by "+", to force what the seed
would otherwise draw (the draws still happen, so plain items give the same plan as before):
  floods: spoofed | direct (spoofed sources or the attacker's own address),
          open | closed (target port the victim serves, or one it refuses; not for flood-icmp)
  scans:  slow (-T2 or --scan-delay) | fast (-T3..-T5),
          wide (with slow: more ports, 20-60 instead of 6-30),
          rapid (unthrottled: -T5 --min-rate 5000 --max-retries 0, a burst of thousands of
          probes a second; draws nothing extra, so it changes no other plan)
e.g. flood-syn:spoofed+open, scan-udp:slow+wide.

--scenario generalise replaces --attacks with a fixed list of attacks made with settings and
tools the built-in models never saw in training (nmap decoys -D, source port -g 53, fragments
-f, a 1.5 s scan delay, --data-length, a --max-rate cap, hping3 --scan, nping probes and floods);
only the attacker host, the gaps and the decoy addresses come from the seed. An item with
"decoys" (addresses in 198.19.0.0/16) is an nmap decoy scan: those addresses send the same probes
as the attacker, and are labelled attackers as well.

--scenario sweep is a second fixed list, its settings drawn from the seed: scans of the whole lab
subnet (horizontal scans), nmap -sV and -O, a scan of thousands of ports, masscan against the
victim and across the subnet, and ping -f.

--scenario slow is a third list, settings drawn from the seed: slow scans (nmap -T1, -T2,
--scan-delay 3-15 s with -sS/-sF/-sN/-sX/-sA/-sU/-sM, --max-rate 0.5-2, -sT with a 5 s delay,
hping3 SYN probes seconds apart over incrementing ports, and two slow scans of several hosts),
one at a time, the attackers taking turns so that one source's scans lie minutes apart.

--scenario streams is a list of UDP attacks, settings drawn from the seed, to be caught among
long-lived UDP applications (run.sh runs lab/streams.py beside the clients: QUIC-like downloads,
RTP calls, game sessions, a WireGuard-like tunnel): hping3 UDP floods to the open echo port 7, to
a closed port, from one fixed source port (-k) to a closed port, and to the QUIC server's UDP
443; an nping UDP flood at 1,000 a second; an nmap UDP scan; and one more drawn (a flood over incrementing ports,
a flood to an RTP-like even port, or a second UDP scan with --min-rate).

--scenario floods is a list of hping3 floods the lab never made before, settings drawn from the
seed, in a drawn order with the usual gaps: floods of ACK (to an open port), RST, FIN (to one
port), PSH+ACK with data, and SYN+ACK, labelled other-attack (no flood class has those flags),
and floods that hping3 sends fragmented: ICMP echo requests and UDP datagrams (to a closed port)
of 2,000-4,000 bytes, and SYNs with 2,000 bytes of data. run.sh runs lab/bignormal.py beside the
clients: normal traffic that looks a little like floods (large UDP echo exchanges, large pings).

--scenario discovery is a list of ping sweeps (host discovery by ICMP queries) of silent ranges
of 198.18.128.0/17, which run.sh routes via the victim in every attacker namespace, each from its
own attacker host (--attackers 5): nmap -sn -PE, nmap -sn (echo, SYN 443, ACK 80, timestamp),
nmap -sn -PP, nmap -sn -PE --min-rate 2000 of a /22, fping -g; ranges, sizes and fping's
retries drawn from the seed. run.sh runs a monitor beside the clients that pings 30-40 live
addresses every few seconds (normal).

--scenario bulk is a list of attacks right next to bulk TCP transfers (normal), settings drawn
from the seed: each item carries a "bulk" transfer that run.sh starts before the attack, by a
client or by the attacker host itself, to the victim's iperf3 server (TCP 5201) or its
python3 http.server (TCP 8080): iperf3 at line rate bounded by bytes (-n, upload, -R, -P 4), iperf3
paced for 3 s (-b -t 3, -R, -P 4), curl or wget of a file of a few MiB; the attack runs during it
(an nmap SYN scan, an hping3 SYN flood, an nmap UDP scan) or 0.5-1.5 s after it (a connect scan,
a UDP flood, an ICMP flood), and one SYN scan 3-4 s after the attacker host's own download.

--scenario randomports is a list of floods to random ports, each packet from a new source port
(t50: SYN, UDP and Xmas floods of 3,000-6,000 packets, always from the attacker's own address,
-s, and bounded by --threshold, never --flood), and for contrast scans that must stay scans:
nmap -sT of 3,000 ports, nmap -sS of 5,000, nmap -sU --min-rate 2000 of 1,000, and a scapy SYN
scan of 300-600 random ports from a random source port each (lab/randsyn.py). Each item's command
names its attacker (t50's -s, randsyn.py's --src), drawn from the seed.

--scenario otherprotocols is a list of one-way floods of IP protocols other than TCP, UDP and
ICMP, by t50 (always -s the attacker's own address and --threshold 3,000-8,000, never its random
source or --flood): 4-5 of IGMPv3, OSPF, EIGRP, RSVP, DCCP, IPSEC (AH/ESP) and a GRE-encapsulated
UDP flood (--encapsulated with --gre-saddr the attacker and --gre-daddr the victim), drawn and
shuffled by the seed, and an nmap -sO IP protocol scan; all other-attack. Beside them run.sh runs
two real tunnels between clients (GRE and IP-in-IP, lab/tunnelnormal.py), which are normal.

--scenario bruteforce is a list of password-guessing attacks (all other-attack) against the
victim's real login services (run.sh runs them for the run: OpenSSH's sshd on TCP 22, vsftpd on
21, inetutils telnetd on 23, a throwaway account whose password is in no word list), by hydra
(ssh -t 4 and -t 16, ftp, telnet, and a slow ssh one with -t 1 and -c waits), ncrack (ssh),
medusa (ssh or ftp, drawn) and patator (ssh_login or ftp_login, drawn), with word lists drawn
from the seed (plan.py --wordlists DIR writes them; every attempt fails). run.sh runs beside them
lab/authnormal.py: logins with the right password or key (interactive ssh sessions, scp and sftp
downloads, a loop of short ssh commands, FTP downloads), which are normal.
"""
import argparse
import hashlib
import json
import os
import random

SCANS = {
    "scan-syn": "-sS", "scan-connect": "-sT", "scan-fin": "-sF", "scan-null": "-sN",
    "scan-xmas": "-sX", "scan-ack": "-sA", "scan-udp": "-sU", "scan-maimon": "-sM",
    "scan-window": "-sW",
}
FLOODS = ["flood-syn", "flood-udp", "flood-icmp", "flood-xmas"]
ALL = list(SCANS) + FLOODS
VICTIM = "198.18.0.10"
# the victim's services (services.py): what a flood to an "open" or a "closed" port targets
OPEN_PORTS = {"flood-syn": ["80", "22", "25", "9000"], "flood-udp": ["7", "123"],
              "flood-xmas": ["80", "22"]}
CLOSED_PORTS = {"flood-syn": ["443", "++1", "3306"], "flood-udp": ["53", "5000", "++2000"],
                "flood-xmas": ["++1", "443"]}
SCAN_VARIANTS = {"slow", "fast", "wide", "rapid"}
FLOOD_VARIANTS = {"spoofed", "direct", "open", "closed"}


def nmap_cmd(r, label, small, mods=()):
    flag = SCANS[label]
    args = ["nmap", "-n", flag]
    udp = label == "scan-udp"
    # timing: fast templates with many ports, polite/slow ones with few
    t = r.choices(["T3", "T4", "T5", "T2", "delay"], [25, 35, 15, 10, 15])[0]
    if small:
        t = r.choice(["T4", "T5"])
    elif "slow" in mods and t not in ("T2", "delay"):
        t = r.choice(["T2", "delay"])
    elif "fast" in mods and t in ("T2", "delay"):
        t = r.choice(["T3", "T4", "T5"])
    elif "rapid" in mods:
        t = "T5"  # no draw: plans without "rapid" are unchanged
    if t in ("T2", "delay"):
        ports = r.choice(["-p 20-45", "-p 1-30", "-p 21,22,23,25,53,80,110,143,443,445,3306,8080",
                          "--top-ports 25"])
        if udp:
            ports = r.choice(["-p 53,67,69,123,137,161", "--top-ports 10"])
        if "wide" in mods:
            ports = r.choice(["-p 1-60", "--top-ports 50", "-p 1-40,80,443,8080"])
            if udp:
                ports = r.choice(["--top-ports 20", "-p 1-25",
                                  "-p 53,67,68,69,123,137,138,161,162,500,514,520,1900,5353",
                                  "-p 7,9,13,17,19,37,49,53,67,69,111,123,137,161,162,177,500,514,520,623"])
        if t == "T2":
            args += ["-T2"]
        else:
            args += ["-T3", "--scan-delay", f"{r.choice([150, 250, 400, 700])}ms"]
    else:
        args += [f"-{t}"]
        if small:
            ports = "-p 1-100"
        elif udp:
            ports = r.choice(["--top-ports 30", "-p 1-40", "-p 53,67,68,69,123,137,138,161,162,500,514,520,1900,5353"])
            if r.random() < 0.5:
                args += ["--min-rate", str(r.choice([50, 100, 300]))]
        else:
            ports = r.choice(["-p 1-1024", "--top-ports 200", "-F", "-p 1-300", "-p 1-500",
                              "-p 1-100,443,3306,5432,8000-8100", "--top-ports 500"])
    args += ports.split()
    if r.random() < 0.6:
        args += ["-Pn"]  # otherwise nmap ARP-pings first, as it does on a LAN
    if r.random() < 0.4:
        args += ["--max-retries", str(r.choice([0, 1, 2]))]
    if "rapid" in mods:
        # unthrottled, as a scanner in a hurry: every probe once, at 5000 a second or more
        if "--max-retries" in args:
            del args[args.index("--max-retries"):args.index("--max-retries") + 2]
        if "--min-rate" in args:
            del args[args.index("--min-rate"):args.index("--min-rate") + 2]
        args += ["--min-rate", "5000", "--max-retries", "0"]
    args += [VICTIM]
    limit = 120 if (t in ("T2", "delay") or udp) else 60
    return [args], limit


def hping_cmds(r, label, small, spoofed, first, mods=()):
    count = 300 if small else r.choice([800, 1200, 1600])
    interval = r.choice(["u100", "u200", "u400", "u1000"])
    if label == "flood-syn":
        opts = ["-S", "-p", r.choice(["80", "80", "22", "++1", "443"]), "-w", str(r.choice([64, 512, 1024, 65535]))]
        if r.random() < 0.3:
            opts += ["-d", str(r.choice([16, 120]))]
    elif label == "flood-udp":
        opts = ["--udp", "-p", r.choice(["53", "123", "5000", "++2000", "7"]), "-d", str(r.choice([32, 64, 256, 512]))]
    elif label == "flood-icmp":
        opts = ["--icmp", "-d", str(r.choice([56, 120, 500, 1000]))]
    else:  # flood-xmas: FIN+PSH+URG ("Xmas tree"); a repeated one may light every flag
        opts = ["-F", "-P", "-U", "-p", r.choice(["80", "++1", "22"])]
        if not first and r.random() < 0.5:
            opts = ["-F", "-S", "-R", "-P", "-A", "-U", "-X", "-Y", "-p", r.choice(["80", "++1"])]
    for kind, table in (("open", OPEN_PORTS), ("closed", CLOSED_PORTS)):
        if kind in mods and label in table:
            opts[opts.index("-p") + 1] = r.choice(table[label])
    if not spoofed:
        return [["hping3", "-q", *opts, "-i", interval, "-c", str(count), VICTIM]]
    per = max(1, count // len(spoofed))
    return [["hping3", "-q", *opts, "-a", ip, "-i", interval, "-c", str(per), VICTIM] for ip in spoofed]


def generalise(r):
    """The --scenario generalise attacks: (label, argv, timeout, decoys)."""
    decoys = []
    while len(decoys) < 2:
        ip = f"198.19.{r.randint(1, 254)}.{r.randint(1, 254)}"
        if ip not in decoys:
            decoys.append(ip)
    v = VICTIM
    items = [
        ("scan-syn", f"nmap -n -sS -T4 -p 1-500 -Pn -D {decoys[0]},{decoys[1]},ME {v}", 60, decoys),
        ("scan-syn", f"nmap -n -sS -T4 -g 53 -p 1-300 -Pn {v}", 60, []),
        ("scan-syn", f"nmap -n -sS -f -T4 -p 1-200 -Pn {v}", 60, []),
        ("scan-syn", f"nmap -n -sS -T3 --scan-delay 1500ms -p 20-35 -Pn {v}", 120, []),
        ("scan-syn", f"nmap -n -sS -T4 --data-length 40 --top-ports 300 -Pn {v}", 60, []),
        ("scan-xmas", f"nmap -n -sX -T4 --max-rate 50 -p 1-150 -Pn {v}", 60, []),
        ("scan-syn", f"hping3 --scan 1-300 -S {v}", 60, []),
        ("scan-syn", f"nping -q --tcp --flags syn -p 1-300 --rate 1000 -c 1 {v}", 60, []),
        ("flood-syn", f"nping -q --tcp --flags syn -p 80 --rate 2000 -c 1500 {v}", 30, []),
        ("flood-udp", f"nping -q --udp -p 53 --rate 2000 -c 1500 {v}", 30, []),
        ("flood-icmp", f"nping -q --icmp --rate 2000 -c 1500 {v}", 30, []),
    ]
    return items


SUBNET = "198.18.0.0/26"  # the lab's hosts: victim .10, clients .20-, attackers .66-
COMMON_PORTS = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1723,
                3306, 3389, 5900, 8080]


def sweep(r):
    """The --scenario sweep attacks: (label, argv, timeout, decoys). Scans of the whole lab
    subnet (many hosts, a few ports each: horizontal scans, never in training), nmap's version
    and OS detection, a scan of thousands of ports, masscan (another scanner, with its own TCP
    stack) against one host and across the subnet, and ping -f (an ICMP flood by the everyday
    tool). Port sets, timings, counts and rates are drawn from the seed."""
    v, net = VICTIM, SUBNET
    ports = ",".join(str(p) for p in sorted(r.sample(COMMON_PORTS, r.randint(8, 14))))
    mports = ",".join(str(p) for p in sorted(r.sample(COMMON_PORTS, r.randint(3, 5))))
    flag, flag_label = r.choice([("-sF", "scan-fin"), ("-sN", "scan-null"), ("-sX", "scan-xmas")])
    t = r.choice(["-T3", "-T4"])
    return [
        ("scan-syn", f"nmap -n -sS {t} -p {ports} {net}", 90, []),
        ("scan-connect", f"nmap -n -sT -T4 --top-ports {r.randint(20, 40)} {net}", 90, []),
        ("scan-udp", f"nmap -n -sU -T4 --max-retries 2 --top-ports {r.randint(8, 15)} {net}", 120, []),
        (flag_label, f"nmap -n {flag} -T4 -p 1-{r.randint(40, 80)} {net}", 90, []),
        ("scan-syn", f"nmap -n -sV -T4 -p 1-{r.randint(80, 150)} {v}", 90, []),
        ("scan-syn", f"nmap -n -O -T4 {v}", 90, []),
        ("scan-syn", f"nmap -n -sS -T5 --max-retries 0 -p 1-{r.randint(6000, 9000)} {v}", 60, []),
        ("scan-syn", f"masscan -e eth0 {v} -p1-{r.randint(500, 1500)} --rate {r.choice([1000, 2000, 5000])} "
                     f"--router-ip {v} --wait 2", 60, []),
        ("scan-syn", f"masscan -e eth0 {net} -p{mports} --rate 500 --router-ip {v} --wait 2", 60, []),
        ("flood-icmp", f"ping -n -q -f -c {r.randint(1500, 2500)} -s {r.choice([56, 500, 1000])} {v}", 30, []),
    ]


# ports a slow scanner picks from when it does not take a range (the victim serves 7, 22, 25, 80,
# 443 in busy runs and 9000; UDP 7 and 123)
SLOW_PORTS = [7, 20, 21, 22, 23, 25, 53, 79, 80, 81, 88, 110, 111, 113, 135, 139, 143, 179, 389,
              443, 445, 465, 514, 515, 548, 587, 631, 993, 995, 1080, 1433, 1521, 1723, 2049, 3128,
              3306, 3389, 5060, 5432, 5900, 6000, 6379, 8000, 8080, 8443, 9000, 9200, 11211]
SLOW_UDP = [7, 53, 67, 68, 69, 111, 123, 137, 138, 161, 162, 500, 514, 520, 623, 1194, 1434,
            1900, 4500, 5060, 5353, 11211]
SLOW_FLAGS = [("-sS", "scan-syn"), ("-sF", "scan-fin"), ("-sN", "scan-null"), ("-sX", "scan-xmas"),
              ("-sA", "scan-ack"), ("-sU", "scan-udp"), ("-sM", "scan-maimon")]


def slow_ports(r, n, udp=False):
    """n ports: a contiguous range from a drawn base, or n drawn from the common ports."""
    if udp:
        return ",".join(str(p) for p in sorted(r.sample(SLOW_UDP, min(n, len(SLOW_UDP)))))
    if r.random() < 0.5 or n > len(SLOW_PORTS) // 2:
        base = r.choice([1, 10, 20, 100, 130, 440, 1000, 1430, 3300, 5900, 8000])
        return f"{base}-{base + n - 1}"
    return ",".join(str(p) for p in sorted(r.sample(SLOW_PORTS, n)))


def slow(r, small=False, hosts=()):
    """The --scenario slow attacks: (label, argv, timeout, decoys, expected seconds). Slow scans,
    each far longer than the detector's 4 s episode gap and most longer than its 60 s statistics
    window: nmap -T1 (15 s between probes) and -T2, --scan-delay 3-15 s with each of seven scan
    types, --max-rate 0.5-2 probes a second, a connect scan with a 5 s delay, hping3 SYN probes
    over incrementing ports 1.5-4 s apart, and two slow scans of several live hosts of the lab
    (`hosts`: the victim, the extra servers, the DNS host, the clients). Ports, delays, rates and
    counts are drawn from the seed; every item is bounded by its timeout. With `small`, the same
    kinds of scan, but a few ports one second apart (smoke test)."""
    v = VICTIM
    hosts = list(hosts) or [v]
    items = []

    def add(label, cmd, secs):
        # the bound: the expected time with room for retransmissions and nmap's own waits
        items.append((label, cmd, int(secs * 1.6 + 40), [], round(secs, 1)))

    if small:
        add("scan-syn", f"nmap -n -sS -Pn --scan-delay 1s --max-retries 0 -p 20-24 {v}", 5)
        add("scan-fin", f"nmap -n -sF -Pn --scan-delay 1s --max-retries 1 -p 20-24 {v}", 7)
        add("scan-syn", f"hping3 -S -p ++20 -i 1 -c 5 {v}", 5)
        add("scan-syn", f"nmap -n -sS -Pn --max-rate 2 -p 22,80,3389 {' '.join(hosts[:3])}", 5)
        return items
    n = r.randint(10, 13)
    add("scan-syn", f"nmap -n -sS -T1 -Pn --max-retries 0 -p {slow_ports(r, n)} {v}", n * 17.5)
    n = r.randint(50, 100)
    ports = r.choice([f"--top-ports {n}", f"-p 1-{n}"])
    add("scan-syn", f"nmap -n -sS -T2 {r.choice(['-Pn ', ''])}{ports} {v}", n * 0.45)
    for flag, label in SLOW_FLAGS:
        d = r.choice([3, 4, 5, 6, 8, 10, 12, 15])
        n = max(5, min(25, round(r.uniform(35, 70) / d)))
        udp = flag == "-sU"
        add(label, f"nmap -n {flag} -Pn --scan-delay {d}s --max-retries 1 -p {slow_ports(r, n, udp)} {v}",
            n * d + (3 * d if flag != "-sS" else 0))
    rate = r.choice([0.5, 1, 1.5, 2])
    n = max(15, min(120, round(r.uniform(40, 70) * rate)))
    flag, label = r.choice([("-sS", "scan-syn"), ("-sX", "scan-xmas"), ("-sF", "scan-fin")])
    add(label, f"nmap -n {flag} -Pn --max-rate {rate:g} --max-retries 1 -p {slow_ports(r, n)} {v}", n / rate + 5)
    n = r.randint(10, 16)
    add("scan-connect", f"nmap -n -sT -Pn --scan-delay 5s --max-retries 1 -p {slow_ports(r, n)} {v}", n * 5 + 10)
    start = r.choice([20, 100, 1000, 3000, 8000])
    # whole seconds: hping3 -i uN with N >= 1000000 sends one probe and stalls (ualarm's limit)
    gap_s = r.choice([2, 3, 4])
    count = r.randint(15, 25)
    add("scan-syn", f"hping3 -S -p ++{start} -i {gap_s} -c {count} {v}", count * gap_s)
    # several hosts: a few ports each at a global rate cap (nmap's --scan-delay is per host)
    k = min(len(hosts), r.randint(4, 5))
    targets = " ".join(sorted(r.sample(hosts, k), key=lambda a: int(a.rsplit(".", 1)[1])))
    n = r.randint(3, 4)
    rate = r.choice([0.25, 0.5])
    add("scan-syn", f"nmap -n -sS -Pn --max-rate {rate:g} --max-retries 1 -p {slow_ports(r, n)} {targets}",
        k * n / rate + 5)
    k = min(len(hosts), r.randint(4, 6))
    targets = " ".join(sorted(r.sample(hosts, k), key=lambda a: int(a.rsplit(".", 1)[1])))
    ports = ",".join(str(p) for p in sorted(r.sample([21, 22, 23, 80, 443, 445, 3389, 5900, 8080], r.randint(2, 3))))
    rate = r.choice([0.25, 0.5])
    k_n = k * len(ports.split(","))
    add("scan-connect", f"nmap -n -sT -Pn --max-rate {rate:g} --max-retries 1 -p {ports} {targets}", k_n / rate + 5)
    return items


def backtoback(r):
    """The --scenario backtoback attacks: (label, argv, timeout, decoys). Every nmap scan type
    and every hping3 flood from the attacker's own address, in a drawn order, as a script runs
    them: one after another with no pause (the detector's episodes end after 4 s of quiet, so
    without a change of probe kind they would make one episode). Port ranges, the UDP scan's
    ports and the floods' counts and target ports are drawn from the seed."""
    v = VICTIM
    items = []
    for flag, label in [("-sS", "scan-syn"), ("-sT", "scan-connect"), ("-sF", "scan-fin"),
                        ("-sN", "scan-null"), ("-sX", "scan-xmas"), ("-sA", "scan-ack"),
                        ("-sM", "scan-maimon")]:
        items.append((label, f"nmap -n -Pn {flag} -T4 -p 1-{r.randint(150, 400)} {v}", 60, []))
    items.append(("scan-udp", f"nmap -n -Pn -sU -T4 --max-retries 1 --top-ports {r.randint(15, 30)} {v}",
                  90, []))
    n = lambda: r.randint(400, 800)  # noqa: E731
    items += [
        ("flood-syn", f"hping3 -q -S -p {r.choice([80, 22, 443])} -i u{r.choice([300, 500])} -c {n()} {v}", 30, []),
        ("flood-udp", f"hping3 -q --udp -p {r.choice([53, 123, 5000])} -i u{r.choice([300, 500])} -c {n()} {v}",
         30, []),
        ("flood-icmp", f"hping3 -q --icmp -i u{r.choice([300, 500])} -c {n()} {v}", 30, []),
        ("flood-xmas", f"hping3 -q -F -P -U -p {r.choice([80, 443])} -i u{r.choice([300, 500])} -c {n()} {v}",
         30, []),
    ]
    r.shuffle(items)
    return items


# closed UDP ports of the victim (services.py serves 7 and 123; streams.py 443 and 51820)
STREAM_CLOSED = [53, 69, 161, 500, 1900, 4500, 5000, 5060, 6000, 8888, 40000]


def streams(r, small=False):
    """The --scenario streams attacks: (label, argv, timeout, decoys, expected seconds). UDP
    floods and scans that must be told from the lab's long-lived UDP applications (streams.py):
    hping3 --udp floods (bounded by -c, 300-1,000 µs apart) to the open echo port 7 (the victim
    echoes every datagram), to a closed port (ICMP port unreachable, rate-limited by the
    kernel), from one fixed source port (-k -s) to a closed port, and to UDP 443, where the
    QUIC-like server listens and answers nothing it cannot parse; nping --udp at 1,000 a second
    (nping's pacing is in whole milliseconds: above 1,000 it sends everything at once); nmap -sU; and one more drawn: a flood over incrementing ports, a flood to an even
    port in 16384-32767 (where RTP calls live), or a second UDP scan with --min-rate. Ports,
    payload sizes, intervals, counts and rates are drawn from the seed. With `small`, the same
    kinds, a hundred packets each (a quick check)."""
    v = VICTIM

    def hping(opts):
        iv = r.choice([300, 400, 500, 700, 1000])
        c = 100 if small else r.randint(500, 900)
        d = r.choice([32, 64, 128, 256, 512])
        return (f"hping3 -q --udp {opts} -d {d} -i u{iv} -c {c} {v}", 30, c * (iv + 50) / 1e6 + 1)

    closed = r.sample(STREAM_CLOSED, 3)
    items = [
        ("flood-udp", *hping("-p 7")),
        ("flood-udp", *hping(f"-p {closed[0]}")),
        ("flood-udp", *hping(f"-k -s {r.randint(1024, 65000)} -p {closed[1]}")),
    ]
    iv = r.choice([300, 400, 500, 700, 1000])
    c = 100 if small else r.randint(500, 900)
    d = r.choice([1200, 1250, 1350, 64, 512])  # QUIC-sized or not
    items.append(("flood-udp", f"hping3 -q --udp -p 443 -d {d} -i u{iv} -c {c} {v}", 30, c * (iv + 50) / 1e6 + 1))
    # nping paces in whole milliseconds: --rate 1000 sends one datagram a millisecond, but any
    # rate above 1000 (a delay under 1 ms) sends the whole count at once, ~50,000 a second
    c = 100 if small else r.randint(1000, 2000)
    port = r.choice([53, 123, 443, 5060, 4500, closed[2]])
    items.append(("flood-udp", f"nping -q --udp -p {port} --rate 1000 -c {c} {v}", 30, c / 1000 + 1))
    n = 5 if small else r.randint(20, 40)
    items.append(("scan-udp", f"nmap -n -sU -T4 --max-retries 1 {r.choice(['-Pn ', ''])}--top-ports {n} {v}",
                  120, n * 0.2 + 3))
    extra = r.choice(["incr", "rtp", "scan"])
    if extra == "incr":
        items.append(("flood-udp", *hping(f"-p ++{r.randint(1024, 30000)}")))
    elif extra == "rtp":
        items.append(("flood-udp", *hping(f"-p {2 * r.randint(8192, 16383)}")))
    else:
        n = 10 if small else r.randint(50, 150)
        items.append(("scan-udp", f"nmap -n -sU -T4 --max-retries 0 --min-rate {r.choice([100, 300, 500])} "
                                  f"-p 1-{n} -Pn {v}", 120, n / 100 + 5))
    if not small:
        r.shuffle(items)
    return [(label, cmd, limit, [], round(secs, 1)) for label, cmd, limit, secs in items]


# TCP ports the victim serves (services.py) and closed UDP ports of the victim (it serves UDP 7, 123)
FLOOD_OPEN_TCP = [80, 22, 25, 9000, 7]
FLOOD_CLOSED_UDP = [53, 69, 161, 500, 1900, 4500, 5000, 5060, 8888, 40000]


def floods(r, small=False):
    """The --scenario floods attacks: (label, argv, timeout, decoys, expected seconds). hping3
    floods the lab never made before, each from the attacker's own address, bounded by -c (never
    --flood, which ignores -c), 200-1,000 µs apart, 800-2,000 packets: floods of TCP flags that
    have no flood class of their own (DESIGN §12's other-attack) — ACK to an open port, RST,
    FIN to one port, PSH+ACK with 200-800 bytes of data, SYN+ACK —, and floods of datagrams
    larger than the MTU, which hping3 sends fragmented (it fragments by itself whatever is
    bigger than the interface's MTU): ICMP echo requests of 2,000-4,000 bytes (the victim's
    replies are fragmented too), UDP datagrams of 2,000-4,000 bytes to a closed port, and SYNs
    with 2,000 bytes of data. Ports, sizes, intervals and counts are drawn from the seed. With
    `small`, the same kinds, a hundred packets each (a quick check)."""
    v = VICTIM

    def hping(opts):
        iv = r.choice([200, 300, 400, 500, 700, 1000])
        c = 100 if small else r.randint(800, 2000)
        return (f"hping3 -q {opts} -i u{iv} -c {c} {v}", 30, c * (iv + 60) / 1e6 + 1)

    items = [
        ("other-attack", *hping(f"-A -p {r.choice(FLOOD_OPEN_TCP)}")),
        ("other-attack", *hping(f"-R -p {r.choice([80, 22, 443, 3306, '++1'])}")),
        ("other-attack", *hping(f"-F -p {r.choice([80, 22, 25, 443, 3306, 8080])}")),
        ("other-attack", *hping(f"-P -A -p {r.choice([80, 22, 25, 9000, 443])} -d {r.randint(200, 800)}")),
        ("other-attack", *hping(f"-S -A -p {r.choice([80, 22, 443, 8080, '++1024'])}")),
        ("flood-icmp", *hping(f"--icmp -d {r.randint(2000, 4000)}")),
        ("flood-udp", *hping(f"--udp -p {r.choice(FLOOD_CLOSED_UDP)} -d {r.randint(2000, 4000)}")),
        ("flood-syn", *hping(f"-S -p {r.choice([80, 22, 25, 443])} -d 2000")),
    ]
    if not small:
        r.shuffle(items)
    return [(label, cmd, limit, [], round(secs, 1)) for label, cmd, limit, secs in items]


def unlearned(r, small=False):
    """The --scenario unlearned attacks: (label, argv, timeout, decoys, expected seconds). Attacks
    the built-in networks never saw in training, and two controls they did. hping3 floods of
    forged ICMP errors, from the attacker's own address, bounded by -c (never --flood), 300-500
    µs apart, 2,000-4,000 packets: "BlackNurse" (destination unreachable, code 3: port
    unreachable, `--icmp -C 3 -K 3`; hping3 quotes a packet 1.2.3.4 -> 5.6.7.8, addresses that
    exist only inside the ICMP payload) and, drawn, a time-exceeded (`-C 11 -K 0`) or a
    parameter-problem (`-C 12 -K 0 --force-icmp`) flood quoting a UDP packet from a drawn address of
    198.19.0.0/16 to the victim (`--icmp-ipsrc`, `--icmp-ipdst`, `--icmp-ipproto 17`), both
    flood-icmp; nmap IP protocol scans (`-sO -T4`), one of every protocol number and one of a
    drawn subset (`-p`), and SCTP scans, INIT (`-sY`, a few hundred ports) and COOKIE-ECHO
    (`-sZ`), all other-attack (DESIGN §12 has no class for them); and, as controls, an ICMP echo
    flood (`hping3 --icmp`, flood-icmp) and an nmap SYN scan (scan-syn). With `small`, the same
    kinds, a hundred packets per flood and a few ports or protocols per scan (a quick check)."""
    v = VICTIM

    def hping(opts, iv_choices=(300, 400, 500), lo=2000, hi=4000):
        iv = r.choice(iv_choices)
        c = 100 if small else r.randint(lo, hi)
        return (f"hping3 -q --icmp {opts} -i u{iv} -c {c} {v}", 30, c * (iv + 60) / 1e6 + 1)

    quoted = f"198.19.{r.randint(1, 254)}.{r.randint(1, 254)}"
    kind = r.choice([11, 12])
    nprot = 10 if small else r.randint(40, 100)
    protos = r.choice([f"0-{nprot}", f"1,2,4,6,17,41,47,50,51,58,89,103,112,132,136,137,{140 + nprot}-255"])
    if small:
        protos = "1,2,4,6,17,47,50,51,89,132,136"
    ysctp = 10 if small else r.randint(200, 500)
    zsctp = 10 if small else r.randint(100, 300)
    syn = 20 if small else r.randint(300, 1000)
    items = [
        ("flood-icmp", *hping("-C 3 -K 3")),
        # hping3 sends a parameter problem only with --force-icmp ("Unsupported icmp type!" and
        # exit 1 otherwise); it then quotes a packet as it does for the other errors
        ("flood-icmp", *hping(f"-C {kind} -K 0{' --force-icmp' if kind == 12 else ''} --icmp-ipsrc {quoted} "
                              f"--icmp-ipdst {v} --icmp-ipproto 17")),
        ("other-attack", f"nmap -n -sO -T4 {'-p 0-20 ' if small else ''}{v}", 120, 10 if small else 65),
        ("other-attack", f"nmap -n -sO -T4 -p {protos} {v}", 90, 10 if small else 25),
        ("other-attack", f"nmap -n -sY -T4 -p 1-{ysctp} {v}", 90, 5 if small else ysctp / 30 + 5),
        ("other-attack", f"nmap -n -sZ -T4 -p 1-{zsctp} {v}", 90, 5 if small else zsctp / 30 + 5),
        ("flood-icmp", *hping(f"-d {r.choice([56, 120, 500, 1000])}", (300, 500, 700, 1000), 800, 1600)),
        ("scan-syn", f"nmap -n -sS -T4 -p 1-{syn} {r.choice(['-Pn ', ''])}{v}", 60, 5),
    ]
    if not small:
        r.shuffle(items)
    return [(label, cmd, limit, [], round(secs, 1)) for label, cmd, limit, secs in items]


# --scenario discovery: the silent ranges it sweeps lie in DARK, which run.sh routes in every
# attacker namespace via the victim (forwarding off there), so the probes reach the wire with the
# victim's MAC and go nowhere, like a sweep of empty addresses behind a router
DARK = "198.18.128.0/17"


def discovery(r, small=False):
    """The --scenario discovery attacks: (label, argv, timeout, decoys, expected seconds). Host
    discovery by ICMP queries (ping sweeps) of silent ranges inside DARK, each from its own
    attacker host (main() gives each item the next attacker in a drawn order): nmap -sn -PE of a
    /24 (echo requests), nmap -sn of a /24 or /25 (nmap's default discovery as root: echo, SYN
    to 443, ACK to 80, timestamp), nmap -sn -PP of a /24 or /25 (timestamp requests), nmap -sn
    -PE --min-rate 2000 of a /22 (1,024 addresses in about a second) and fping -g of a /24 or
    /25 (1-3 retries). All other-attack (DESIGN §12 has no class for host discovery). The
    ranges, their sizes and fping's retries are drawn from the seed. With `small`, the same
    kinds of sweep of /27s and a /26 (a quick check)."""
    quad = 4 * r.randint(33, 62)  # the /22: 198.18.132.0 .. 198.18.248.0
    octets = r.sample([o for o in range(128, 256) if not quad <= o < quad + 4], 4)
    size = [r.choice([24, 25]) for _ in range(3)]
    retries = r.choice([1, 2, 3])
    if small:
        size = [27, 27, 27]
    pe = 27 if small else 24
    net = lambda o, n: f"198.18.{o}.0/{n}"  # noqa: E731
    # nmap slows down when nothing answers and retries every address once: in the lab, -PE of a
    # /24 took 52 s and -PP of a /25 26 s (0.2 s an address), the default discovery's four
    # probes 104 s for a /25 (0.8 s an address); fping -r 1 of a /25 3.4 s
    n = [2 ** (32 - pe)] + [2 ** (32 - k) for k in size]
    items = [
        ("other-attack", f"nmap -n -sn -PE {net(octets[0], pe)}", 150, n[0] * 0.2 + 5),
        ("other-attack", f"nmap -n -sn {net(octets[1], size[0])}", 300, n[1] * 0.8 + 5),
        ("other-attack", f"nmap -n -sn -PP {net(octets[2], size[1])}", 150, n[2] * 0.2 + 5),
        ("other-attack", f"nmap -n -sn -PE --min-rate 2000 198.18.{quad}.0/{26 if small else 22}", 60, 5),
        ("other-attack", f"fping -q -r {retries} -g {net(octets[3], size[2])}", 60, n[3] * (retries + 1) / 100 + 4),
    ]
    if not small:
        r.shuffle(items)
    return [(label, cmd, limit, [], round(secs, 1)) for label, cmd, limit, secs in items]


# --scenario bulk: the victim's bulk servers (run.sh starts them): iperf3 -s on TCP 5201 and
# python3 -m http.server on TCP 8080, serving files named bulk-<N>M.bin of N MiB
BULK_IPERF = 5201
BULK_HTTP = 8080


def bulk(r, small=False, clients=("c0",)):
    """The --scenario bulk attacks: (label, argv, timeout, decoys, expected seconds, bulk). Attacks
    right next to bulk TCP transfers, which are normal: real tools at line rate from the clients
    (`clients`, the lab names c0..) to the victim's bulk servers — `iperf3 -c` unpaced and bounded
    by bytes (`-n 2-4M`: 25-120 ms at the lab's 0.8-1.7 Gbit/s), upload, `-R` download or `-P 4`
    parallel streams, `curl` or `wget` of a 2-4 MiB file from `python3 -m http.server` — or paced
    for a few seconds (`iperf3 -b 10-16M -t 3`, `-R` or `-P 4`: iperf3 sends at line rate in bursts
    every millisecond). Each item's `bulk` is {"host", "cmds", "timeout", "mode", "lead"}: with mode
    "during", the attack starts `lead` seconds after the transfer and runs beside it; with "after",
    `lead` seconds after it ended. The attacks, from the attacker hosts to the victim: an nmap SYN
    scan during a paced download, an hping3 SYN flood during paced parallel uploads, an nmap UDP
    scan during a paced upload, a connect scan, a UDP flood and an ICMP flood right after line-rate
    transfers, and a SYN scan by an attacker host 3-4 s after its own line-rate download (the
    attacker's transfer is normal: it ends before its episode begins). Sizes, rates, ports, counts,
    the clients and the order are drawn from the seed. With `small`, the same kinds, 1 MiB
    transfers, 4 Mbit/s for a second, a hundred packets per flood and a few ports per scan."""
    v = VICTIM
    clients = list(clients) or ["c0"]

    def paced(extra=""):
        rate = 4 if small else r.choice([10, 12, 14, 16])
        par = "-P 4" in extra
        # with -P, iperf3's -b is per stream: the same total either way
        per = max(1, rate // 4) if par else rate
        t = 1 if small else 3
        return f"iperf3 -c {v} -p {BULK_IPERF} -b {per}M -t {t}{' ' + extra if extra else ''}", t + 12

    def burst(extra=""):
        n = 1 if small else r.randint(2, 4)
        return f"iperf3 -c {v} -p {BULK_IPERF} -n {n}M{' ' + extra if extra else ''}", 15

    def http():
        n = 1 if small else r.randint(2, 4)
        url = f"http://{v}:{BULK_HTTP}/bulk-{n}M.bin"
        tool = r.choice(["curl", "wget"])
        return (f"curl -s -o /dev/null {url}" if tool == "curl" else f"wget -q -O /dev/null {url}"), 15

    def bulk_of(host, cmd_limit, mode, lead):
        cmd, limit = cmd_limit
        return {"host": host, "cmds": [cmd.split()], "timeout": limit, "mode": mode, "lead": round(lead, 2)}

    def client():
        return r.choice(clients)

    def after():
        return r.uniform(0.5, 1.5)

    syn_ports = 30 if small else r.randint(500, 1000)
    udp_ports = 5 if small else r.randint(15, 25)
    con_ports = 20 if small else r.randint(100, 300)
    own_ports = 20 if small else r.randint(200, 500)
    c = lambda lo, hi: 100 if small else r.randint(lo, hi)  # noqa: E731
    iv = lambda: r.choice([300, 500])  # noqa: E731
    n_syn, iv_syn = c(800, 1500), iv()
    n_udp, iv_udp = c(800, 1200), iv()
    n_icmp, iv_icmp = c(800, 1200), iv()
    items = [
        ("scan-syn", f"nmap -n -sS -T4 -p 1-{syn_ports} -Pn {v}", 60, 5,
         bulk_of(client(), paced("-R"), "during", 1.0)),
        ("flood-syn", f"hping3 -q -S -p {r.choice([80, 22, 9000])} -i u{iv_syn} -c {n_syn} {v}", 30,
         n_syn * (iv_syn + 60) / 1e6 + 1, bulk_of(client(), paced("-P 4"), "during", 1.0)),
        ("scan-udp", f"nmap -n -sU -T4 --max-retries 1 --top-ports {udp_ports} {v}", 120, udp_ports * 0.5 + 3,
         bulk_of(client(), paced(), "during", 1.0)),
        ("scan-connect", f"nmap -n -sT -T4 --top-ports {con_ports} {v}", 60, 5,
         bulk_of(client(), burst(r.choice(["", "-R"])), "after", after())),
        ("flood-udp", f"hping3 -q --udp -p {r.choice([53, 123, 5000])} -d {r.choice([64, 256, 512])} "
                      f"-i u{iv_udp} -c {n_udp} {v}", 30, n_udp * (iv_udp + 60) / 1e6 + 1,
         bulk_of(client(), burst("-P 4"), "after", after())),
        ("flood-icmp", f"hping3 -q --icmp -i u{iv_icmp} -c {n_icmp} {v}", 30, n_icmp * (iv_icmp + 60) / 1e6 + 1,
         bulk_of(client(), http(), "after", after())),
        # the attacker host's own download (normal, before its episode), then its scan
        ("scan-syn", f"nmap -n -sS -T4 --top-ports {own_ports} -Pn {v}", 60, 5,
         bulk_of("attacker", burst("-R"), "after", r.uniform(3.0, 4.0))),
    ]
    if not small:
        r.shuffle(items)
    return [(label, cmd, limit, [], round(secs, 1), b) for label, cmd, limit, secs, b in items]


# --scenario http: the victim's second web server (run.sh starts it): python3 -m http.server on
# TCP 8000, HTTP/1.0 (it closes every connection after one answer), serving a few small pages to
# the normal clients (lab/httpnormal.py). The floods go to services.py's HTTP/1.1 server on 80
# (a listen backlog of 128; it closes a connection after one answer when the request is HTTP/1.0
# or says "Connection: close"): http.server's backlog of 5 drops the SYNs of a flood of 10
# connections at a time, which come again a second later, and holds siege to ~100 requests a second
HTTP10 = 8000


def http(r, small=False):
    """The --scenario http attacks: (label, argv, timeout, decoys, expected seconds). HTTP floods
    by real tools against the victim's web server (services.py on 80), every connection completing
    its handshake and carrying a real request: `ab` without keep-alive (HTTP/1.0, -n 2,000, -c
    10-50), `siege -b` (HTTP/1.1 with Connection: close, 300-400 requests from 10-25 users) and
    lab/hulk.py ("Hulk": a new connection per request, random query strings, User-Agents and
    Referers, 500-700 requests from 8-16 threads); all three flood-syn, the closest class DESIGN
    §12 has. And two slow attacks by slowhttptest, bounded by `-l` (20-30 s), other-attack:
    slowloris (`-H`, 150-200 connections opened at 25-50 a second, a header line every 5-10 s)
    and slow read (`-X`, 30-50 connections reading a 512 KiB answer 32 bytes a second through a
    512-1,024-byte window). Counts, rates, paths and the order are drawn from the seed; every item
    is bounded by its timeout. With `small`, 200 requests per flood (siege 100) and 10 s of each
    slow attack. The counts keep a capture near 5 MB at snaplen 96 (12 packets a request)."""
    v = VICTIM
    n_ab = 200 if small else 2000
    c_ab = r.choice([10, 20, 30, 50])
    path = r.choice(["/", "/index.html", "/bytes/512", "/bytes/2048"])
    users = r.choice([10, 20, 25])
    reps = 10 if small else max(1, r.randint(300, 400) // users)
    page = r.choice(["/", "/index.html", "/bytes/1024", "/img/3"])
    n_hulk = 200 if small else r.randint(500, 700)
    threads = r.choice([8, 12, 16])
    hulk_seed = r.randint(1, 10 ** 6)
    secs = lambda: 10 if small else r.randint(20, 30)  # noqa: E731
    l_h, c_h, r_h, i_h = secs(), r.choice([150, 200]), r.choice([25, 50]), r.choice([5, 10])
    l_x, c_x, r_x = secs(), r.choice([30, 50]), r.choice([20, 50])
    items = [
        ("flood-syn", f"ab -r -s 10 -n {n_ab} -c {c_ab} http://{v}{path}", 60, n_ab / 500 + 2),
        ("flood-syn", f"siege -b -q --no-parser -c {users} -r {reps} http://{v}{page}", 60,
         users * reps / 300 + 2),
        ("flood-syn", f"python3 lab/hulk.py --url http://{v}/ --count {n_hulk} --threads {threads} "
                      f"--seconds 30 --seed {hulk_seed}", 40, n_hulk / 300 + 2),
        ("other-attack", f"slowhttptest -H -c {c_h} -r {r_h} -i {i_h} -l {l_h} -p 3 -u http://{v}/", l_h + 30,
         l_h + 3),
        ("other-attack", f"slowhttptest -X -c {c_x} -r {r_x} -w 512 -y 1024 -n 1 -z 32 -k 1 -l {l_x} -p 3 "
                         f"-u http://{v}/bytes/524288", l_x + 30, l_x + 3),
    ]
    if not small:
        r.shuffle(items)
    return [(label, cmd, limit, [], round(secs, 1)) for label, cmd, limit, secs in items]


# --scenario randomports: the attacker's address in a command, replaced by the attacker drawn for it
ATTACKER = "{attacker}"


def randomports(r, small=False):
    """The --scenario randomports attacks: (label, argv, timeout, decoys, expected seconds); the
    argv holds ATTACKER where the attacker's address goes. Floods to random ports, each packet
    from a new source port, by t50 (its defaults: random source and destination ports, sequence
    numbers and IP ids, TTL 255, no TCP options; over 100,000 packets a second), always with `-s`
    the attacker's own address (never t50's random source) and bounded by `--threshold`
    3,000-6,000 (never `--flood`): SYN (`-S`, flood-syn), UDP (`--protocol UDP`, flood-udp) and
    Xmas (`-F -P -U`, flood-xmas), the probes that the profile's rule
    random-ports-new-source-port-each names floods (1,000 or more). And for contrast, scans that
    must stay scans: `nmap -sT -p 1-3000` (scan-connect: connect(), one new source port per port,
    the kernel's options), `nmap -sS -p 1-5000` (scan-syn: raw, one source port),
    `nmap -sU --min-rate 2000 -p 1-1000` (scan-udp), and a hand-made scapy SYN scan of 300-600
    random ports from a random source port each (lab/randsyn.py; scan-syn: below the rule's
    1,000). t50's `-q` takes no other option (t50 exits with an error), so it runs without it.
    With `small`, the same kinds, a hundred packets per flood and a few ports per scan."""
    v = VICTIM
    a = ATTACKER

    def t50(opts):
        n = 100 if small else r.randint(3000, 6000)
        return (f"t50 {v} --threshold {n} {opts} -s {a}", 30, n / 1e5 + 1)

    n_con = 50 if small else 3000
    n_syn = 50 if small else 5000
    n_udp = 20 if small else 1000
    n_scapy = 50 if small else r.randint(300, 600)
    items = [
        ("flood-syn", *t50("-S")),
        ("flood-udp", *t50("--protocol UDP")),
        ("flood-xmas", *t50("-F -P -U")),
        ("scan-connect", f"nmap -n -sT -p 1-{n_con} {v}", 60, 5),
        ("scan-syn", f"nmap -n -sS -p 1-{n_syn} {v}", 60, 5),
        ("scan-udp", f"nmap -n -sU --min-rate 2000 -p 1-{n_udp} {v}", 120, n_udp / 1000 + 5),
        ("scan-syn", f"python3 lab/randsyn.py --src {a} --dst {v} --count {n_scapy}", 60, n_scapy / 300 + 2),
    ]
    if not small:
        r.shuffle(items)
    return [(label, cmd, limit, [], round(secs, 1)) for label, cmd, limit, secs in items]


def otherprotocols(r, small=False):
    """The --scenario otherprotocols attacks: (label, argv, timeout, decoys, expected seconds);
    the argv holds ATTACKER where the attacker's address goes. One-way floods of IP protocols
    other than TCP, UDP and ICMP, which the detector's unlearned stage calls a flood of another
    protocol (crates/ids/src/unlearned.rs, Verdict::Flood; the profile's rule
    other-protocol-flood), by t50, always with `-s` the attacker's own address (never t50's
    random source) and bounded by `--threshold` 3,000-8,000 (never `--flood`): 4 or 5 of IGMPv3,
    OSPF, EIGRP, RSVP, DCCP, IPSEC (AH and ESP) and GRE carrying UDP (`--protocol UDP
    --encapsulated`, the inner packet from `--gre-saddr` the attacker to `--gre-daddr` the
    victim), drawn from the seed; and an nmap IP protocol scan (`-sO`, 256 protocols). All
    other-attack (DESIGN §12 has no class for them). The addresses t50 writes inside the payload
    of some protocols (OSPF's router ids, RSVP's session and hop, EIGRP's next hop: random by
    default) are never sent to. t50's `-q` takes no other option, so it runs without it. With
    `small`, three floods of a hundred packets and a scan of 21 protocols, in a fixed order."""
    v = VICTIM
    a = ATTACKER
    kinds = ["IGMPv3", "OSPF", "EIGRP", "RSVP", "DCCP", "IPSEC", "GRE"]

    def t50(kind):
        n = 100 if small else r.randint(3000, 8000)
        if kind == "GRE":
            opts = f"--protocol UDP --encapsulated -s {a} --gre-saddr {a} --gre-daddr {v}"
        else:
            opts = f"--protocol {kind} -s {a}"
        return ("other-attack", f"t50 {v} --threshold {n} {opts}", 30, n / 1e5 + 1)

    chosen = kinds[:3] if small else r.sample(kinds, r.randint(4, 5))
    items = [t50(k) for k in chosen]
    items.append(("other-attack", f"nmap -n -sO -T4 {'-p 0-20 ' if small else ''}{v}", 120, 10 if small else 30))
    if not small:
        r.shuffle(items)
    return [(label, cmd, limit, [], round(secs, 1)) for label, cmd, limit, secs in items]


# --scenario bruteforce: the throwaway account run.sh makes for the run (and removes at its end)
# on the victim's sshd, vsftpd and telnetd; its password (bf_password) is in no word list.
BF_USER = "njlab"
# User names the attacks try beside BF_USER: none is an account of the lab machine (run.sh checks
# with getent before the run), so a guess can only ever meet BF_USER's password, which is in no
# list; "root" is tried against sshd only (PermitRootLogin no, AllowUsers BF_USER).
BF_NAMES = ["admin", "administrator", "test", "guest", "ubuntu", "pi", "oracle", "support",
            "deploy", "webmaster", "operator", "user1", "devops", "jenkins", "ansible", "ftpuser"]
# Password material: common bases, spelled as people spell them, with the usual suffixes.
BF_BASES = ["password", "admin", "letmein", "welcome", "qwerty", "dragon", "monkey", "sunshine",
            "princess", "football", "baseball", "master", "shadow", "trustno1", "iloveyou",
            "changeme", "secret", "default", "login", "passw0rd", "server", "linux", "summer",
            "winter", "spring", "autumn", "company", "office", "access", "hello", "freedom",
            "whatever", "superman", "batman", "michael", "charlie", "jordan", "hunter", "ranger",
            "buster", "soccer", "harley", "pepper", "ginger", "cookie", "matrix", "starwars",
            "computer", "internet", "network", "support", "service", "database", "backup",
            "root", "toor", "raspberry", "ubuntu", "oracle", "guest", "test", "user", "manager"]
BF_SUFFIXES = ["", "", "1", "12", "123", "1234", "!", "01", "2023", "2024", "2025", "@123",
               "#1", "99", "007", "69"]
BF_DIGITS = ["123456", "12345678", "123456789", "1234567890", "111111", "000000", "654321",
             "121212", "112233", "666666", "123123", "987654321", "1q2w3e4r", "qwe123", "abc123",
             "zaq12wsx", "1qaz2wsx", "qazwsx", "asdfgh", "11111111"]


def bf_password(seed):
    """The throwaway account's password for a run: 20 characters from a hash of the seed, which
    no word list holds (bf_words draws words from BF_BASES, BF_SUFFIXES and BF_DIGITS only, and
    main() checks)."""
    return "Nj-" + hashlib.sha256(f"nightjar-bruteforce-{seed}".encode()).hexdigest()[:17]


def bf_words(r, n):
    """n distinct guesses, drawn: the plain digit strings first in a drawn order (they head every
    real list), then bases with a suffix, capitalised now and then."""
    out = r.sample(BF_DIGITS, min(len(BF_DIGITS), max(2, n // 5)))
    seen = set(out)
    while len(out) < n:
        w = r.choice(BF_BASES) + r.choice(BF_SUFFIXES)
        if r.random() < 0.25:
            w = w.capitalize()
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out[:n]


def bruteforce(r, small=False):
    """The --scenario bruteforce attacks: (label, argv, timeout, decoys, expected seconds, lists);
    lists maps a file name of the command to its lines (plan.py --wordlists writes them; run.sh
    runs the command in that directory). Password guessing against the victim's real sshd (22),
    vsftpd (21) and telnetd (23), every guess failing, all other-attack (DESIGN §12 has no class
    for it): hydra ssh with 4 tasks ([2 users] x [16-22] passwords) and with 16 tasks ([50-64]
    passwords; more than sshd's MaxStartups 10:30:100 lets in unauthenticated at once), hydra
    ftp ([2 users] x [8-10]; vsftpd waits 1 s after a failure), hydra telnet ([6-8], -w 10;
    login(1) waits 3 s after a failure, and telnetd often sends hydra no login prompt at all
    after its answers to the options: the item's timeout of 30 s ends it), ncrack ssh (one user x [30-40]: ncrack 0.7 crashes
    at the end of a list of several users, and with only a few passwords), medusa ssh or ftp
    (drawn; [2 users] x [12-16] or [7-9]), patator ssh_login or ftp_login (drawn; [2 users] x
    [10-14] or [7-9]), and a slow hydra ssh, one task ([5-7] passwords) with -c [3, 4] s, a wait
    per attempt (not -W, a wait between connects: hydra's ssh module makes up to 6 guesses on one
    connection, so -W 3 with 5 guesses took 0.6 s). Every tool is bounded by its lists and by
    the item's timeout. With `small`, the same eight kinds with 2-4 guesses each, in a fixed order."""
    v = VICTIM
    lists = {}

    def users(k, n, root=False):
        names = [BF_USER] + r.sample(BF_NAMES, n - 1)
        if root and n > 1:
            names[1] = "root"
        r.shuffle(names)
        lists[f"users{k}.txt"] = names
        return f"users{k}.txt"

    def words(k, lo, hi, n_small):
        lists[f"pw{k}.txt"] = bf_words(r, n_small if small else r.randint(lo, hi))
        return f"pw{k}.txt"

    medusa_mod = r.choice(["ssh", "ftp"])
    patator_mod = r.choice(["ssh_login", "ftp_login"])
    slow_wait = 1 if small else r.choice([3, 4])
    items = []
    u, w = users(1, 2, root=True), words(1, 16, 22, 3)
    items.append((f"hydra -I -L {u} -P {w} -t 4 ssh://{v}", 60, 3))
    w = words(2, 50, 64, 4)
    items.append((f"hydra -I -l {BF_USER} -P {w} -t 16 ssh://{v}", 60, 5))
    u, w = users(3, 2), words(3, 8, 10, 2)
    items.append((f"hydra -I -L {u} -P {w} -t 4 ftp://{v}", 60, 18))
    w = words(4, 6, 8, 2)
    items.append((f"hydra -I -l {BF_USER} -P {w} -t 4 -w 10 telnet://{v}", 30, 20))
    w = words(5, 30, 40, 4)
    items.append((f"ncrack --user {BF_USER} -P {w} ssh://{v}", 60, 6))
    u = users(6, 2, root=medusa_mod == "ssh")
    w = words(6, 12, 16, 2) if medusa_mod == "ssh" else words(6, 7, 9, 2)
    items.append((f"medusa -h {v} -U {u} -P {w} -M {medusa_mod} -t 4", 60, 3 if medusa_mod == "ssh" else 16))
    u = users(7, 2, root=patator_mod == "ssh_login")
    w = words(7, 10, 14, 2) if patator_mod == "ssh_login" else words(7, 7, 9, 2)
    items.append((f"patator {patator_mod} host={v} user=FILE0 password=FILE1 0={u} 1={w}", 60,
                  3 if patator_mod == "ssh_login" else 8))
    w = words(8, 5, 7, 3)
    n8 = len(lists[w])
    items.append((f"hydra -I -l {BF_USER} -P {w} -t 1 -c {slow_wait} ssh://{v}", 30 + n8 * (slow_wait + 2),
                  n8 * (slow_wait + 0.5)))
    if not small:
        r.shuffle(items)
    # the lists a command names (patator names them as 0=FILE, 1=FILE)
    named = lambda cmd: [x.split("=")[-1] for x in cmd.split() if x.split("=")[-1] in lists]  # noqa: E731
    return [("other-attack", cmd, limit, [], round(secs, 1), {f: lists[f] for f in named(cmd)})
            for cmd, limit, secs in items]


SCENARIOS = {"generalise": generalise, "sweep": sweep, "slow": slow, "backtoback": backtoback, "streams": streams,
             "floods": floods, "unlearned": unlearned, "discovery": discovery, "bulk": bulk, "http": http,
             "randomports": randomports, "otherprotocols": otherprotocols,
             "bruteforce": bruteforce}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--attacks", default="all", help="comma list of labels, 'all', or 'none'")
    ap.add_argument("--attackers", type=int, default=2)
    ap.add_argument("--small", action="store_true", help="short scans and floods (smoke test)")
    ap.add_argument("--gap", type=float, nargs=2, default=[4.0, 12.0])
    ap.add_argument("--gap-normal", type=float, default=0.6,
                    help="probability that the attacker host browses normally before an attack")
    ap.add_argument("--post-normal", type=float, default=0.0,
                    help="probability that the attacker host browses normally 2.5-6 s after an attack")
    ap.add_argument("--scenario", default="",
                    help="'generalise', 'sweep', 'slow', 'backtoback', 'streams', 'floods', 'unlearned', 'discovery', 'bulk', 'http', 'randomports', 'otherprotocols' or 'bruteforce': a fixed list of attacks the models never saw")
    ap.add_argument("--hosts", default="",
                    help="comma list of the lab's live non-attacker addresses (slow scans of several hosts)")
    ap.add_argument("--wordlists", default="",
                    help="--scenario bruteforce: write the attacks' user and password lists into this directory")
    ap.add_argument("--secret", default="",
                    help="--scenario bruteforce: write the throwaway account's password to this file")
    a = ap.parse_args()
    r = random.Random(a.seed * 7919 + 13)
    if a.scenario == "bruteforce":
        # gaps of 3-7 s (eight attacks, the run near 3 minutes); the attacker hosts browse in some
        attackers = [f"198.18.0.{66 + i}" for i in range(a.attackers)]
        written = {}
        for label, cmd, limit, decoys, secs, lists in bruteforce(r, a.small):
            gap = 2.0 if a.small else r.uniform(3.0, 7.0)
            gap_normal = 0 if a.small or r.random() < 1.0 - a.gap_normal else r.randint(1, 3)
            attacker = r.choice(attackers)
            written.update(lists)
            print(json.dumps({"label": label, "variant": a.scenario, "attacker": attacker,
                              "spoofed": [], "decoys": decoys, "cmds": [cmd.split()], "timeout": limit,
                              "expected": secs, "gap": round(gap, 2), "gap_normal": gap_normal,
                              "post_normal": 0, "post_delay": 0}))
        secret = bf_password(a.seed)
        if any(secret in lines for lines in written.values()):
            raise SystemExit("the account's password is in a word list")
        if a.wordlists:
            os.makedirs(a.wordlists, exist_ok=True)
            for name, lines in written.items():
                with open(os.path.join(a.wordlists, name), "w") as f:
                    f.write("".join(x + "\n" for x in lines))
        if a.secret:
            with open(os.open(a.secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                f.write(secret + "\n")
        return
    if a.scenario in ("streams", "floods", "unlearned", "http", "randomports", "otherprotocols"):
        # gaps as usual; the attacker hosts browse normally in some of them. randomports: the
        # attacker drawn for an item goes into its command (t50 -s, randsyn.py --src), and the
        # gap is at least 4 s even with --small (t50's floods last a few hundredths of a second;
        # one right after another of the same kind of probe could run into one alert);
        # otherprotocols likewise (t50's floods of other protocols, one alert per flood)
        attackers = [f"198.18.0.{66 + i}" for i in range(a.attackers)]
        for label, cmd, limit, decoys, secs in SCENARIOS[a.scenario](r, a.small):
            gap = 2.0 if a.small else r.uniform(*a.gap)
            if a.scenario in ("randomports", "otherprotocols"):
                gap = max(gap, 4.0)
            gap_normal = 0 if a.small or r.random() < 1.0 - a.gap_normal else r.randint(1, 3)
            attacker = r.choice(attackers)
            cmd = cmd.replace(ATTACKER, attacker)
            print(json.dumps({"label": label, "variant": a.scenario, "attacker": attacker,
                              "spoofed": [], "decoys": decoys, "cmds": [cmd.split()], "timeout": limit,
                              "expected": secs, "gap": round(gap, 2), "gap_normal": gap_normal,
                              "post_normal": 0, "post_delay": 0}))
        return
    if a.scenario == "bulk":
        # gaps as usual (the attacker hosts browse normally in some of them); each attack with its
        # bulk transfer, by a client of --hosts (198.18.0.20-35: c0..c15) or the attacker itself
        attackers = [f"198.18.0.{66 + i}" for i in range(a.attackers)]
        clients = [f"c{int(h.rsplit('.', 1)[1]) - 20}" for h in a.hosts.split(",")
                   if h.startswith("198.18.0.") and 20 <= int(h.rsplit(".", 1)[1]) <= 35]
        for label, cmd, limit, decoys, secs, b in bulk(r, a.small, clients or ["c0"]):
            gap = 2.0 if a.small else r.uniform(*a.gap)
            gap_normal = 0 if a.small or r.random() < 1.0 - a.gap_normal else r.randint(1, 3)
            attacker = r.choice(attackers)
            if b["host"] == "attacker":
                b["host"] = f"a{int(attacker.rsplit('.', 1)[1]) - 66}"
            print(json.dumps({"label": label, "variant": a.scenario, "attacker": attacker,
                              "spoofed": [], "decoys": decoys, "cmds": [cmd.split()], "timeout": limit,
                              "expected": secs, "gap": round(gap, 2), "gap_normal": gap_normal,
                              "post_normal": 0, "post_delay": 0, "bulk": b}))
        return
    if a.scenario in ("slow", "discovery"):
        # one attack at a time, in a drawn order; the attackers take turns (in a drawn order).
        # slow: so that one source's scans lie several minutes apart (with 6 attackers and 14
        # scans, five other scans, 5-7 minutes, separate two scans from the same source);
        # discovery: with --attackers 5, every sweep has its own source (the slow-scan rule
        # reports one alert per source per five-minute episode)
        if a.scenario == "slow":
            hosts = [h for h in a.hosts.split(",") if h]
            items = slow(r, a.small, hosts)
            if not a.small:
                r.shuffle(items)
        else:
            items = discovery(r, a.small)
        attackers = [f"198.18.0.{66 + i}" for i in range(a.attackers)]
        r.shuffle(attackers)
        for n, (label, cmd, limit, decoys, secs) in enumerate(items):
            gap = 2.0 if a.small else r.uniform(*a.gap)
            gap_normal = 0 if a.small or r.random() < 1.0 - a.gap_normal else r.randint(1, 3)
            print(json.dumps({"label": label, "variant": a.scenario, "attacker": attackers[n % len(attackers)],
                              "spoofed": [], "decoys": decoys, "cmds": [cmd.split()], "timeout": limit,
                              "expected": secs, "gap": round(gap, 2), "gap_normal": gap_normal,
                              "post_normal": 0, "post_delay": 0}))
        return
    if a.scenario == "backtoback":
        # one attacker, no quiet between its attacks (the first after the usual gap)
        attacker = r.choice([f"198.18.0.{66 + i}" for i in range(a.attackers)])
        for n, (label, cmd, limit, decoys) in enumerate(backtoback(r)):
            print(json.dumps({"label": label, "variant": a.scenario, "attacker": attacker,
                              "spoofed": [], "decoys": decoys, "cmds": [cmd.split()], "timeout": limit,
                              "gap": round(r.uniform(*a.gap), 2) if n == 0 else 0, "gap_normal": 0,
                              "post_normal": 0, "post_delay": 0}))
        return
    if a.scenario in SCENARIOS:
        attackers = [f"198.18.0.{66 + i}" for i in range(a.attackers)]
        for label, cmd, limit, decoys in SCENARIOS[a.scenario](r):
            print(json.dumps({"label": label, "variant": a.scenario, "attacker": r.choice(attackers),
                              "spoofed": [], "decoys": decoys, "cmds": [cmd.split()], "timeout": limit,
                              "gap": round(r.uniform(*a.gap), 2), "gap_normal": 0, "post_normal": 0,
                              "post_delay": 0}))
        return
    if a.scenario:
        raise SystemExit(f"unknown scenario {a.scenario!r} (known: {', '.join(SCENARIOS)})")
    # post-attack sessions draw from their own generator, so they leave the plan itself unchanged
    rp = random.Random(a.seed * 7919 + 17)
    if a.attacks == "none":
        return
    labels = []
    for item in a.attacks.split(","):
        item = item.strip()
        label, _, var = item.partition(":")
        mods = tuple(m for m in var.split("+") if m)
        if item == "all":
            labels += ALL
        elif label in SCANS or label in FLOODS:
            known = SCAN_VARIANTS if label in SCANS else FLOOD_VARIANTS
            bad = [m for m in mods if m not in known]
            if bad or ("slow" in mods and ("fast" in mods or "rapid" in mods)) or ("spoofed" in mods and "direct" in mods) \
                    or ("open" in mods and "closed" in mods):
                raise SystemExit(f"bad variants in {item!r}; {label} takes: {', '.join(sorted(known))}")
            labels.append(item if mods else label)
        else:
            raise SystemExit(f"unknown attack label {item!r}; known: {', '.join(ALL)}")
    if not a.small:
        r.shuffle(labels)
    attackers = [f"198.18.0.{66 + i}" for i in range(a.attackers)]
    used = set()
    # Spoofing alternates between the occurrences of each flood label, starting at random:
    # a label listed twice gets one spoofed and one direct flood.
    coin = {f: r.random() < 0.5 for f in FLOODS}
    seen = {f: 0 for f in FLOODS}
    for n, item in enumerate(labels):
        label, _, var = item.partition(":")
        mods = tuple(m for m in var.split("+") if m)
        attacker = r.choice(attackers)
        spoofed = []
        if label in FLOODS:
            spoof = coin[label] != (seen[label] % 2 == 1)
            if "spoofed" in mods or "direct" in mods:
                spoof = "spoofed" in mods
            seen[label] += 1
            if (not a.small) and spoof:
                # spoofed sources inside 198.19.0.0/16 only; fresh ones for every episode
                k = r.choice([4, 8, 16])
                while len(spoofed) < k:
                    ip = f"198.19.{r.randint(1, 254)}.{r.randint(1, 254)}"
                    if ip not in used:
                        used.add(ip)
                        spoofed.append(ip)
            cmds = hping_cmds(r, label, a.small, spoofed, seen[label] == 1, mods)
            limit = 30
        else:
            cmds, limit = nmap_cmd(r, label, a.small, mods)
        gap = 2.0 if a.small else r.uniform(*a.gap)
        gap_normal = 0 if a.small or r.random() < 1.0 - a.gap_normal else r.randint(1, 3)
        # after the attack: past the 2 s in which labels.py still counts the attacker's packets
        # as the attack's (replies in flight), while its statistics still look like the attack's
        post_normal = rp.randint(1, 3) if rp.random() < a.post_normal and not a.small else 0
        post_delay = round(rp.uniform(2.5, 6.0), 2)
        print(json.dumps({"label": label, "variant": "+".join(mods), "attacker": attacker,
                          "spoofed": spoofed, "cmds": cmds, "timeout": limit, "gap": round(gap, 2),
                          "gap_normal": gap_normal, "post_normal": post_normal,
                          "post_delay": post_delay}))


if __name__ == "__main__":
    main()
