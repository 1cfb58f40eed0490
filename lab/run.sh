#!/usr/bin/env bash
# One lab run: build the closed lab, run services and normal clients, run the planned attacks,
# capture on the bridge, write NAME.pcap + NAME.labels.json (+ NAME.stats.json, NAME.log).
#
#   lab/run.sh --name NAME --seed N --duration S [--attacks LIST] [--out DIR]
#              [--clients K] [--attackers K] [--snaplen B] [--gap-normal P] [--post-normal P]
#              [--small] [--servers K] [--busy] [--streams] [--periodic] [--lead S]
#
#   --attacks   comma list of DESIGN §12 labels, "all" (each once, shuffled), "none"; default all;
#               a label may force variants, e.g. flood-syn:spoofed+open, scan-udp:slow+wide (plan.py)
#   --gap-normal  probability that the attacker host browses normally before an attack (0.6)
#   --post-normal probability that the attacker host browses (HTTP, bulk downloads, echo, ping)
#                 2.5-6 s after an attack ends, while its recent statistics are an attacker's (0)
#   --duration  minimum length in seconds; the run lasts longer if the attacks need it
#   --scenario  "generalise": instead of --attacks, a fixed list of attacks with tools and settings
#               the built-in models never saw (nmap -D/-g/-f/--data-length/slow timing, hping3
#               --scan, nping); "sweep": scans of the whole lab subnet, nmap -sV and -O, masscan,
#               ping -f; "slow": slow scans (nmap -T1/-T2/--scan-delay 3-15 s/--max-rate 0.5-2,
#               hping3 SYN probes seconds apart, slow scans of several hosts), the attackers
#               taking turns (use --attackers 6); "backtoback": every scan type and flood from one
#               attacker with no pause between them; "streams": long-lived UDP applications
#               (lab/streams.py, as with --streams) through the whole run, and UDP attacks to catch
#               among them: hping3 --udp floods (-c, -i u300-u1000) to the open echo port 7, to a
#               closed port, from a fixed source port (-k) to a closed port and to the QUIC
#               server's UDP 443, nping --udp at 1000 pps, nmap -sU, and one more drawn;
#               see plan.py, e.g.
#               run.sh --name streams --seed 1313 --duration 150 --scenario streams --clients 2;
#               "floods": hping3 floods the lab never made before (-c 800-2000, -i u200-u1000):
#               ACK to an open port, RST, FIN to one port, PSH+ACK with 200-800 B of data and
#               SYN+ACK (labelled other-attack), and fragmented ones: ICMP and UDP (to a closed
#               port) of 2000-4000 B, SYN with 2000 B of data; beside the clients, normal traffic
#               that looks a little like floods (lab/bignormal.py): UDP echo of 1.6-6 kB datagrams
#               on one socket 1-3 a second for the whole run (c0), ping -s 1400 -i 0.5 for most
#               of it (c1), ping -s 3000 -i 1 for part of it (c2), e.g.
#               run.sh --name floods --seed 1414 --duration 120 --scenario floods --clients 3;
#               "unlearned": attacks the networks never saw in training: hping3 floods of forged
#               ICMP errors (-c 2000-4000, -i u300-u500): "BlackNurse" (--icmp -C 3 -K 3) and a
#               time-exceeded (-C 11) or parameter-problem (-C 12) flood (flood-icmp); nmap IP
#               protocol scans (-sO, all protocols and a subset -p) and SCTP INIT and COOKIE-ECHO
#               scans (-sY, -sZ) (other-attack); an ICMP echo flood and an nmap SYN scan as
#               controls; beside the clients, normal traffic in other protocols and real ICMP
#               errors (lab/othernormal.py; needs --clients 2 or more): a GRE tunnel c0-c1 and
#               an IP-in-IP tunnel c1-c2 (TUN devices inside their namespaces, 198.18.200.0/30
#               and 198.18.201.0/30) carrying pings and TCP, traceroute from c2 to the victim,
#               datagrams to closed UDP ports from c0, e.g.
#               run.sh --name unlearned --seed 1616 --duration 120 --scenario unlearned --clients 3;
#               "discovery": ping sweeps (host discovery by ICMP queries) of silent ranges of
#               198.18.128.0/17, which every attacker namespace routes via the victim (forwarding
#               off there: the probes reach the wire and go nowhere, as behind a router), one
#               sweep per attacker host (use --attackers 5): nmap -sn -PE of a /24, nmap -sn (echo,
#               SYN 443, ACK 80, timestamp) and nmap -sn -PP of a /24 or /25, nmap -sn -PE
#               --min-rate 2000 of a /22, fping -g of a /24 or /25 (other-attack; no IPv6: the lab
#               has none); beside the clients, a monitor host (198.18.0.40) that pings 30-40
#               extra live addresses (198.18.0.100.., on the victim and the clients) and the
#               lab's hosts with fping every 3-6 s, which must raise no alert, e.g.
#               run.sh --name discovery --seed 1818 --duration 120 --scenario discovery --attackers 5 --clients 2;
#               "bulk": attacks right next to bulk TCP transfers (normal): the victim runs an iperf3
#               server (TCP 5201) and python3 -m http.server (TCP 8080, files of a few MiB made in
#               the run's temp dir); before each attack a client (or, once, the attacker host
#               itself) starts a transfer to it: iperf3 at line rate bounded by bytes (-n 2-4M;
#               upload, -R, -P 4), iperf3 paced for 3 s (-b 10-16M total; -R, -P 4), or curl/wget
#               of a 2-4 MiB file; the attack runs during it (nmap -sS, hping3 -S flood, nmap -sU)
#               or 0.5-1.5 s after it (nmap -sT, hping3 --udp and --icmp floods), and one nmap -sS
#               3-4 s after the attacker host's own download, e.g.
#               run.sh --name bulk --seed 1919 --duration 120 --scenario bulk --clients 2;
#               "http": HTTP floods by real tools against the victim's web servers (services.py,
#               HTTP/1.1 on 80; python3 -m http.server, HTTP/1.0, on 8000, small pages made in the
#               run's temp dir): to 80, ab without keep-alive (-n 2000, -c 10-50), siege -b
#               (10-25 users, 300-400 requests), lab/hulk.py (a new connection per request,
#               random query strings and User-Agents, 500-700 requests, 8-16 threads)
#               (flood-syn), slowhttptest slowloris (-H) and slow read (-X) for 20-30 s
#               (other-attack); beside the clients, heavy legitimate HTTP clients
#               (lab/httpnormal.py): a crawler on c0 (sessions of 6-10 s at 5-20 fetches a second,
#               a new connection each) and a browser on c1 (a page every 3-8 s, its objects over 6
#               parallel connections), which must raise no alert, e.g.
#               run.sh --name http --seed 2222 --duration 150 --scenario http --clients 2;
#               "randomports": floods to random ports, each packet from a new source port, by
#               t50 (always -s the attacker's own address and --threshold 3000-6000, never its
#               random source or --flood): SYN (-S), UDP (--protocol UDP) and Xmas (-F -P -U)
#               (flood-syn, flood-udp, flood-xmas); and scans that must stay scans: nmap -sT
#               -p 1-3000, nmap -sS -p 1-5000, nmap -sU --min-rate 2000 -p 1-1000, and a scapy
#               SYN scan of 300-600 random ports from a random source port each
#               (lab/randsyn.py); at least 4 s between attacks, e.g.
#               run.sh --name randomports --seed 2424 --duration 120 --scenario randomports --clients 2;
#               "otherprotocols": one-way floods of other IP protocols by t50 (always -s the
#               attacker's own address and --threshold 3000-8000, never its random source or
#               --flood): 4-5 of --protocol IGMPv3, OSPF, EIGRP, RSVP, DCCP, IPSEC and a GRE
#               flood (--protocol UDP --encapsulated --gre-saddr A --gre-daddr V), and nmap -sO
#               (all other-attack); at least 4 s between attacks; beside the clients, two real
#               tunnels (lab/tunnelnormal.py; needs --clients 2 or more), GRE c0-c1 (198.19.99.1,
#               .2) and IP-in-IP c1-c2 (198.19.99.5, .6), iproute2's or, without the kernel
#               modules, a TUN device, carrying pings and curl downloads of a few MiB, which
#               must raise no alert, e.g.
#               run.sh --name otherprotocols --seed 2630 --duration 120 --scenario otherprotocols --clients 3;
#               "bruteforce": password guessing (other-attack) against real login services on the
#               victim, started for the run: OpenSSH's sshd on 22 (its own config, host keys made
#               in the run's temp dir), vsftpd on 21, inetutils telnetd on 23 (through
#               inetutils-inetd), a throwaway account (njlab, created for the run and removed at
#               its end) whose password (from the seed) is in no word list; word lists drawn from
#               the seed (plan.py --wordlists): hydra ssh -t 4 and -t 16, ftp, telnet, a slow
#               hydra ssh (-t 1 -c 3-4: a wait per guess), ncrack ssh, medusa ssh or ftp, patator
#               ssh_login or ftp_login (one each, drawn), every tool bounded by its lists and
#               timeout; 3-7 s between attacks; beside the clients, legitimate logins
#               (lab/authnormal.py): interactive ssh sessions (one password mistyped once), an
#               scp and an sftp download of 1-2 MiB, a loop of 10-20 short ssh commands over a
#               minute (key auth), FTP sessions with downloads, which must raise no alert, e.g.
#               run.sh --name bruteforce --seed 3133 --duration 150 --scenario bruteforce --clients 2
#   --streams   long-lived UDP applications beside the usual clients, from lab/streams.py, drawn
#               from the seed and spread over the run: QUIC-like downloads from UDP 443 of the
#               server hosts (paced bursts of 1200-1350-byte datagrams at 1000-4000 pps, the
#               client acking every 2nd), RTP voice (50 pps each way, 160-220 B) and video calls
#               (100-300 pps each way, 800-1200 B) between two hosts on fixed even ports, game
#               sessions (20-64 pps both ways, one port pair), a WireGuard-like tunnel on UDP 51820
#               (bursts of 1400-byte datagrams one way, small replies the other). Normal traffic;
#               the plan of attacks is unchanged. The run lasts at least as long as the attacks
#               are expected to take, so that the streams run through it.
#   --periodic  periodic jobs of a long day beside the clients (lab/periodic.py; needs --busy or
#               --servers): a poller on c0 (HTTP, SSH and SMTP banners, NTP of every server host
#               every 30-60 s), an NTP client on c1 (every server host, 64 s doubling to 1024 s),
#               a DNS stub on c2 re-resolving every zone name when its TTL runs out, and a bulk
#               copy from c3 (4-6 files of 4-8 MiB from a server's TCP 9000 at 55-65 % of the run)
#               (clients taken in turn when there are fewer than four); normal traffic
#   --lead      seconds of normal traffic before the first attack (default 5): attacks late in a
#               long run, on warm per-source state
#   --attackers attacker hosts, 1-8 (198.18.0.66-73; default 2)
#   --snaplen   bytes kept per frame (default 96: every header, a little payload; wire length kept)
#   --small     tiny scans/floods (used by smoke.sh)
#   --clients   normal clients, 1-16 (198.18.0.20-35; default 3)
#   --servers   extra server hosts s0.. at 198.18.0.11-18 running services.py (0-8; default 0 =
#               the usual lab), plus a DNS host at 198.18.0.53 (lab/dnsd.py) for the zone
#               victim.lab/www.lab/mail.lab/time.lab -> .10, sI.lab and two aliases each -> .11+I
#   --busy      busy LAN: the DNS host, HTTPS on 443 (self-signed certificate made in the run's
#               temp dir), a 75 s keep-alive idle timeout on every server, and clients with
#               `client.py --profile busy` (DNS lookups, page loads over parallel keep-alive
#               connections to several hosts, TLS, idle keep-alive, NXDOMAIN, mDNS and SSDP
#               multicast with TTL 1). Only the clients c0.. are busy; the attacker hosts' own
#               browsing is unchanged. E.g. a normal-only busy run:
#               run.sh --name busy --seed 808 --duration 120 --attacks none --clients 8 --servers 3 --busy
# Run as root. See lab/README.md for the safety rules, which lib.sh enforces.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

# The whole script is one function, parsed before it runs: editing this file while a run is
# going cannot change what that run executes.
main() {

    NAME="" SEED="" DURATION="" SCENARIO="" ATTACKS=all OUT=. CLIENTS=3 ATTACKERS=2 SNAPLEN=96 SMALL="" GAPN=0.6 POSTN=0
    SERVERS=0 BUSY="" STREAMS="" PERIODIC="" LEAD=5
    while [ $# -gt 0 ]; do
        case "$1" in
            --name) NAME="$2"; shift 2 ;;
            --seed) SEED="$2"; shift 2 ;;
            --duration) DURATION="$2"; shift 2 ;;
            --attacks) ATTACKS="$2"; shift 2 ;;
            --scenario) SCENARIO="$2"; shift 2 ;;
            --out) OUT="$2"; shift 2 ;;
            --clients) CLIENTS="$2"; shift 2 ;;
            --attackers) ATTACKERS="$2"; shift 2 ;;
            --snaplen) SNAPLEN="$2"; shift 2 ;;
            --gap-normal) GAPN="$2"; shift 2 ;;
            --post-normal) POSTN="$2"; shift 2 ;;
            --small) SMALL=--small; shift ;;
            --servers) SERVERS="$2"; shift 2 ;;
            --busy) BUSY=1; shift ;;
            --streams) STREAMS=1; shift ;;
            --periodic) PERIODIC=1; shift ;;
            --lead) LEAD="$2"; shift 2 ;;
            -h | --help) sed -n '2,139p' "$0"; exit 0 ;;
            *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
        esac
    done
    if [ -z "$NAME" ] || [ -z "$SEED" ] || [ -z "$DURATION" ]; then
        echo "need --name, --seed and --duration" >&2
        exit 2
    fi
    [[ "$NAME" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bad --name" >&2; exit 2; }
    [[ "$SEED" =~ ^[0-9]+$ && "$DURATION" =~ ^[0-9]+$ && "$LEAD" =~ ^[0-9]+$ ]] || { echo "--seed, --duration and --lead are integers" >&2; exit 2; }
    [[ "$GAPN" =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || { echo "--gap-normal is a probability (0..1)" >&2; exit 2; }
    [[ "$POSTN" =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || { echo "--post-normal is a probability (0..1)" >&2; exit 2; }
    [[ "$CLIENTS" =~ ^[0-9]+$ && "$ATTACKERS" =~ ^[0-9]+$ && "$SERVERS" =~ ^[0-9]+$ ]] || { echo "--clients, --attackers and --servers are integers" >&2; exit 2; }
    (( CLIENTS >= 1 && CLIENTS <= 16 && ATTACKERS >= 1 && ATTACKERS <= 8 )) || { echo "1-16 clients, 1-8 attackers" >&2; exit 2; }
    (( SERVERS >= 0 && SERVERS <= 8 )) || { echo "0-8 extra servers" >&2; exit 2; }
    if [ "$SCENARIO" = streams ]; then STREAMS=1; fi
    DNSHOST=0
    if [ -n "$BUSY" ] || [ "$SERVERS" -gt 0 ]; then DNSHOST=1; fi

    need_root
    if [ "$SCENARIO" = sweep ]; then
        ensure_tools masscan:masscan ping:iputils-ping
    elif [ "$SCENARIO" = floods ]; then
        ensure_tools ping:iputils-ping
    elif [ "$SCENARIO" = unlearned ]; then
        (( CLIENTS >= 2 )) || { echo "--scenario unlearned needs --clients 2 or more (tunnels between clients)" >&2; exit 2; }
        ensure_tools ping:iputils-ping traceroute:traceroute
    elif [ "$SCENARIO" = discovery ]; then
        ensure_tools fping:fping
    elif [ "$SCENARIO" = bulk ]; then
        ensure_tools iperf3:iperf3 curl:curl wget:wget
    elif [ "$SCENARIO" = http ]; then
        ensure_tools ab:apache2-utils siege:siege slowhttptest:slowhttptest
    elif [ "$SCENARIO" = randomports ]; then
        ensure_tools t50:t50
        if ! "$PY" -c 'import scapy.all' 2>/dev/null; then
            log "installing: python3-scapy"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-scapy >/dev/null
        fi
    elif [ "$SCENARIO" = otherprotocols ]; then
        (( CLIENTS >= 2 )) || { echo "--scenario otherprotocols needs --clients 2 or more (tunnels between clients)" >&2; exit 2; }
        ensure_tools t50:t50 ping:iputils-ping curl:curl
    elif [ "$SCENARIO" = bruteforce ]; then
        # Debian starts a service when its package is installed, unless policy-rc.d forbids it:
        # the machine's own sshd, vsftpd or inetd must not start, so install only where it does
        bf_tools=(sshd:openssh-server ssh:openssh-client vsftpd:vsftpd inetutils-inetd:inetutils-inetd
                  telnetd:inetutils-telnetd hydra:hydra ncrack:ncrack medusa:medusa patator:patator)
        for t in "${bf_tools[@]}"; do
            command -v "${t%%:*}" >/dev/null && continue
            prc=0
            if [ -x /usr/sbin/policy-rc.d ]; then /usr/sbin/policy-rc.d >/dev/null 2>&1 || prc=$?; fi
            [ "$prc" = 101 ] || die "missing ${t%%:*}, and policy-rc.d would let its service start: install ${bf_tools[*]#*:} by hand"
        done
        ensure_tools "${bf_tools[@]}"
    elif [ "$DNSHOST" = 1 ]; then
        ensure_tools openssl:openssl
    else
        ensure_tools
    fi
    mkdir -p "$OUT"
    OUT="$(cd "$OUT" && pwd)"
    WORK="$(mktemp -d /tmp/nightjar-lab.XXXXXX)"
    PLAN="$WORK/plan.jsonl"
    EPIS="$WORK/episodes.jsonl"
    : >"$EPIS"
    # the lab's live addresses other than the attackers (--scenario slow scans several of them)
    HOSTS="198.18.0.10"
    for ((i = 0; i < SERVERS; i++)); do HOSTS+=",198.18.0.$((11 + i))"; done
    if [ "$DNSHOST" = 1 ]; then HOSTS+=",198.18.0.53"; fi
    for ((i = 0; i < CLIENTS; i++)); do HOSTS+=",198.18.0.$((20 + i))"; done
    # bruteforce: the word lists (the attacks run in that directory) and the account's password
    BF_OPTS=()
    if [ "$SCENARIO" = bruteforce ]; then BF_OPTS=(--wordlists "$WORK/lists" --secret "$WORK/secret"); fi
    "$PY" "$LAB_DIR/plan.py" --seed "$SEED" --attacks "$ATTACKS" --attackers "$ATTACKERS" --gap-normal "$GAPN" --post-normal "$POSTN" ${SCENARIO:+--scenario "$SCENARIO"} --hosts "$HOSTS" $SMALL "${BF_OPTS[@]}" >"$PLAN"
    NPLAN=$(wc -l <"$PLAN")
    # Hard bound on the whole run: duration + every attack's own timeout + gaps + margins.
    BOUND=$(( DURATION + LEAD + 60 + $("$PY" -c 'import json,sys; print(int(sum(j["timeout"]+j["gap"]+20+(j["post_delay"]+25 if j["post_normal"] else 0)+(j["bulk"]["timeout"]+j["bulk"]["lead"] if "bulk" in j else 0) for j in map(json.loads, open(sys.argv[1])))))' "$PLAN") ))
    log "run $NAME: seed $SEED, duration >= ${DURATION}s, $NPLAN attacks, hard bound ${BOUND}s"
    # The span of a scenario's normal traffic: at least --duration, and at least as long as the
    # attacks are expected to take (gaps, the attacker's browsing, each attack's expected length
    # or 10 s).
    plan_span() {
        "$PY" -c 'import json,sys; print(max(int(sys.argv[2]), int(15 + sum(j["gap"] + j.get("expected", 10) + 3 + (8 if j["gap_normal"] else 0) for j in map(json.loads, open(sys.argv[1]))))))' "$PLAN" "$DURATION"
    }
    # plan_normal SCRIPT WHAT: the schedule of a scenario's normal traffic (lab/SCRIPT.py
    # --print) over the scenario's span (sets SPAN), into $WORK/SCRIPT.txt, logged as WHAT
    plan_normal() {
        SPAN=$(plan_span)
        "$PY" "$LAB_DIR/$1.py" --seed "$SEED" --span "$SPAN" --print >"$WORK/$1.txt"
        log "$2 over ${SPAN}s: $(paste -sd';' "$WORK/$1.txt")"
    }
    # streams: the sessions spread over the run's span
    SPAN=0 SHOSTS=""
    if [ -n "$STREAMS" ]; then
        SPAN=$(plan_span)
        SHOSTS="victim=198.18.0.10"
        for ((i = 0; i < SERVERS; i++)); do SHOSTS+=",s$i=198.18.0.$((11 + i))"; done
        for ((i = 0; i < CLIENTS; i++)); do SHOSTS+=",c$i=198.18.0.$((20 + i))"; done
        "$PY" "$LAB_DIR/streams.py" --seed "$SEED" --span "$SPAN" --hosts "$SHOSTS" --print >"$WORK/streams.txt"
        log "streams over ${SPAN}s: $(tail -1 "$WORK/streams.txt" | sed 's/^# //')"
    fi
    # floods: large UDP echo exchanges and large pings (lab/bignormal.py) over the same kind of
    # span
    if [ "$SCENARIO" = floods ]; then
        plan_normal bignormal "large UDP echo and pings"
    fi
    # unlearned: tunnels, traceroute and closed-port datagrams (lab/othernormal.py) over the same
    # kind of span
    if [ "$SCENARIO" = unlearned ]; then
        plan_normal othernormal "tunnels, traceroute and closed-port datagrams"
    fi
    # otherprotocols: the tunnels (lab/tunnelnormal.py) over the same kind of span
    if [ "$SCENARIO" = otherprotocols ]; then
        plan_normal tunnelnormal "tunnels"
    fi
    # bruteforce: the legitimate logins (lab/authnormal.py) over the same kind of span
    if [ "$SCENARIO" = bruteforce ]; then
        plan_normal authnormal "legitimate logins"
        # no name the attacks try but the lab's own account and root (tried against sshd only,
        # which refuses root) may be an account of this machine
        for u in $(cat "$WORK"/lists/users*.txt | sort -u); do
            [ "$u" = njlab ] || [ "$u" = root ] || ! getent passwd "$u" >/dev/null || die "$u is an account of this machine"
        done
        ! getent passwd njlab >/dev/null || die "account njlab exists (another bruteforce run? else userdel njlab)"
    fi
    # http: the heavy legitimate HTTP clients (lab/httpnormal.py) over the same kind of span
    if [ "$SCENARIO" = http ]; then
        plan_normal httpnormal "crawler and browser"
    fi

    # discovery: the monitor's targets (extra addresses 198.18.0.100.. spread over the victim and
    # the clients, plus the lab's own hosts) and its period, from their own generator
    MON_ADDRS="" MON_PERIOD=0 MON_COUNT=0
    if [ "$SCENARIO" = discovery ]; then
        SPAN=$(plan_span)
        read -r MON_N MON_PERIOD < <("$PY" -c "import random; r=random.Random($SEED*7919+29); print(r.randint(30, 40), r.choice([3000, 4000, 5000, 6000]))")
        MON_COUNT=$(( SPAN * 1000 / MON_PERIOD + 1 ))
        log "monitor: $MON_N extra addresses and the lab's hosts, pinged every $MON_PERIOD ms, $MON_COUNT times over ${SPAN}s"
    fi

    lab_up "$CLIENTS" "$ATTACKERS" "$SERVERS" "$DNSHOST"
    WORK_CLEAN="$WORK" BF_ACCOUNT=""
    # (bruteforce: the throwaway account goes first; -f: its sessions are still running)
    trap 'rc=$?; [ -n "$BF_ACCOUNT" ] && userdel -f "$BF_ACCOUNT" 2>/dev/null; rm -rf "$WORK_CLEAN"; lab_down "$rc"' EXIT

    if [ "$SCENARIO" = discovery ]; then
        # the swept ranges (plan.py's DARK) are routed via the victim, which does not forward:
        # the probes go on the wire to its MAC and end there, like empty addresses behind a router
        ns victim sysctl -qw net.ipv4.ip_forward=0
        [ "$(ns victim sysctl -n net.ipv4.ip_forward)" = 0 ] || die "victim forwards"
        for ((i = 0; i < ATTACKERS; i++)); do
            ns "a$i" ip route add 198.18.128.0/17 via 198.18.0.10 dev eth0
            if ns "a$i" ip route show default | grep -q .; then die "default route in a$i"; fi
        done
        # the monitor host, and the live addresses it pings: the victim takes every other one,
        # the clients the rest in turn
        add_host mon 40
        owners=(victim)
        for ((i = 0; i < CLIENTS; i++)); do owners+=(victim "c$i"); done
        MON_ADDRS="198.18.0.10"
        for ((i = 0; i < CLIENTS; i++)); do MON_ADDRS+=" 198.18.0.$((20 + i))"; done
        for ((i = 0; i < MON_N; i++)); do
            ns "${owners[$((i % ${#owners[@]}))]}" ip addr add "198.18.0.$((100 + i))/32" dev eth0
            MON_ADDRS+=" 198.18.0.$((100 + i))"
        done
        nap 1
    fi

    # busy runs: the DNS zone (the victim, the extra servers, the DNS host itself) and a
    # self-signed certificate for every name in it
    ZONE="" SVC_OPTS=()
    if [ "$DNSHOST" = 1 ]; then
        ZONE="victim.lab=198.18.0.10,www.lab=198.18.0.10,mail.lab=198.18.0.10,time.lab=198.18.0.10"
        aliases=(static cdn api img news media shop docs files login fonts video wiki git chat ads)
        for ((i = 0; i < SERVERS; i++)); do
            for n in "s$i" "${aliases[$((2 * i))]}" "${aliases[$((2 * i + 1))]}"; do
                ZONE+=",$n.lab=198.18.0.$((11 + i))"
            done
        done
        ZONE+=",ns.lab=198.18.0.53,router.lab=198.18.0.53"
    fi
    if [ -n "$BUSY" ]; then
        SAN="$("$PY" -c 'import sys; print(",".join("DNS:" + i.split("=")[0] for i in sys.argv[1].split(",")))' "$ZONE")"
        timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj "/CN=www.lab" -addext "subjectAltName=$SAN" \
            -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null || die "openssl req failed"
        SVC_OPTS=(--tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" --idle-timeout 75)
    fi

    # capture on the bridge, inside the switch namespace
    PCAP_TMP="$WORK/$NAME.pcap"
    ip netns exec "$LAB_PREFIX-sw" timeout --kill-after=5 "$BOUND" \
        tcpdump -i br0 -n -s "$SNAPLEN" -U -Z root --time-stamp-precision=micro -w "$PCAP_TMP" 2>"$WORK/tcpdump.err" &
    TCPDUMP_PID=$!
    LAB_PIDS+=("$TCPDUMP_PID")
    nap 1

    if [ "$SCENARIO" = bruteforce ]; then SVC_OPTS+=(--no-ssh); fi   # TCP 22 is the real sshd's
    bg victim "$BOUND" "$PY" "$LAB_DIR/services.py" --duration "$BOUND" "${SVC_OPTS[@]}"
    for ((i = 0; i < SERVERS; i++)); do
        bg "s$i" "$BOUND" "$PY" "$LAB_DIR/services.py" --duration "$BOUND" "${SVC_OPTS[@]}"
    done
    if [ "$DNSHOST" = 1 ]; then
        bg dns "$BOUND" "$PY" "$LAB_DIR/dnsd.py" --duration "$BOUND" --zone "$ZONE" --ssdp 198.18.0.53 --seed "$SEED"
    fi
    nap 1
    for ((i = 0; i < CLIENTS; i++)); do
        if [ -n "$BUSY" ]; then
            # busy users read pages: longer think times, drawn from the same per-client seed
            bg "c$i" "$BOUND" "$PY" "$LAB_DIR/client.py" --seed $((SEED * 100 + i)) --duration "$BOUND" \
                --mean-think "$("$PY" -c "import random; r=random.Random($SEED*100+$i); print(round(r.uniform(1.5, 4.0), 2))")" \
                --profile busy --dns 198.18.0.53 --zone "$ZONE" --cafile "$WORK/tls.crt"
            continue
        fi
        bg "c$i" "$BOUND" "$PY" "$LAB_DIR/client.py" --seed $((SEED * 100 + i)) --duration "$BOUND" \
            --mean-think "$("$PY" -c "import random; r=random.Random($SEED*100+$i); print(round(r.uniform(0.8, 2.5), 2))")"
    done

    if [ -n "$STREAMS" ]; then
        # every host plays its part of the same seeded schedule, counted from T0S
        T0S=$("$PY" -c 'import time; print(round(time.time() + 1.5, 3))')
        for h in $(tr ',' '\n' <<<"$SHOSTS" | cut -d= -f1); do
            bg "$h" "$BOUND" "$PY" "$LAB_DIR/streams.py" --seed "$SEED" --span "$SPAN" --hosts "$SHOSTS" \
                --me "$h" --t0 "$T0S" --duration "$BOUND"
        done
    fi

    if [ "$SCENARIO" = bulk ]; then
        # the bulk servers on the victim: iperf3 (one test at a time; the transfers run one at a
        # time) and a static HTTP server with the files the plan downloads (random bytes)
        mkdir -p "$WORK/www"
        for f in $(grep -o 'bulk-[0-9]*M\.bin' "$PLAN" | sort -u); do
            n=${f#bulk-}; n=${n%M.bin}
            head -c "$((n * 1048576))" /dev/urandom >"$WORK/www/$f"
        done
        bg victim "$BOUND" iperf3 -s -B 198.18.0.10 -p 5201 --logfile "$WORK/iperf3-server.log"
        bg victim "$BOUND" "$PY" -m http.server 8080 --bind 198.18.0.10 --directory "$WORK/www"
        : >"$WORK/bulk.jsonl"
        nap 1
    fi

    if [ "$SCENARIO" = http ]; then
        # the victim's second web server: python3 -m http.server (HTTP/1.0: one answer per
        # connection) on 8000, small pages, a style sheet and images (random bytes); then the
        # heavy legitimate clients: the crawler on c0, the browser on c1 (c0 with one client)
        mkdir -p "$WORK/www10"
        for i in 1 2 3 4 5 6 7 8 9 10; do
            { echo "<html><head><title>page $i</title><link rel=stylesheet href=/style.css></head><body>"
              for j in 1 2 3 4 5 6 7 8; do echo "<p><img src=/img$j.png> <a href=/page$(( (i + j) % 10 + 1 )).html>next</a></p>"; done
              head -c $(( 300 * i )) /dev/urandom | base64
              echo "</body></html>"; } >"$WORK/www10/page$i.html"
        done
        cp "$WORK/www10/page1.html" "$WORK/www10/index.html"
        head -c 3000 /dev/urandom | base64 >"$WORK/www10/style.css"
        for j in 1 2 3 4 5 6 7 8; do head -c $(( 400 * j )) /dev/urandom >"$WORK/www10/img$j.png"; done
        bg victim "$BOUND" "$PY" -m http.server 8000 --bind 198.18.0.10 --directory "$WORK/www10" 2>/dev/null
        nap 1
        bg c0 "$BOUND" "$PY" "$LAB_DIR/httpnormal.py" --seed "$SEED" --span "$SPAN" --kind crawler --target 198.18.0.10
        bg "c$((1 % CLIENTS))" "$BOUND" "$PY" "$LAB_DIR/httpnormal.py" --seed "$SEED" --span "$SPAN" --kind browser --target 198.18.0.10
    fi

    if [ "$SCENARIO" = bruteforce ]; then
        # The victim's login services, each its own process in the victim namespace with its own
        # config in the run's temp dir (the machine's /etc/ssh, vsftpd.conf and inetd.conf are
        # neither read nor written), and the throwaway account they log in: its home in the temp
        # dir (traversable: chmod 711), the files the legitimate sessions fetch, the clients' key.
        BF_ACCOUNT=njlab
        useradd -M -d "$WORK/home" -s /bin/bash -c "Nightjar lab throwaway account" "$BF_ACCOUNT"
        echo "$BF_ACCOUNT:$(cat "$WORK/secret")" | chpasswd
        chmod 711 "$WORK"
        mkdir -p "$WORK/home/.ssh" "$WORK/sshd" "$WORK/ftp/empty" "$WORK/telnet"
        "$PY" "$LAB_DIR/authnormal.py" --make-home "$WORK/home"
        ssh-keygen -q -t ed25519 -N '' -C nightjar-lab-client -f "$WORK/client_key"
        cp "$WORK/client_key.pub" "$WORK/home/.ssh/authorized_keys"
        chown -R "$BF_ACCOUNT:" "$WORK/home"
        chmod 755 "$WORK/home"
        # host keys made for the run, ED25519 and ECDSA (of the three a Debian server makes)
        ssh-keygen -q -t ed25519 -N '' -C nightjar-lab-host -f "$WORK/sshd/host_ed25519"
        ssh-keygen -q -t ecdsa -b 256 -N '' -C nightjar-lab-host -f "$WORK/sshd/host_ecdsa"
        # OpenSSH's defaults otherwise (MaxStartups 10:30:100, MaxAuthTries 6, LoginGraceTime
        # 120); no PAM: passwords checked against the shadow file; root refused
        printf '%s\n' "Port 22" "ListenAddress 198.18.0.10" "HostKey $WORK/sshd/host_ed25519" \
            "HostKey $WORK/sshd/host_ecdsa" "PidFile $WORK/sshd/sshd.pid" "UsePAM no" \
            "PasswordAuthentication yes" "KbdInteractiveAuthentication no" "PubkeyAuthentication yes" \
            "AuthorizedKeysFile .ssh/authorized_keys" "PermitRootLogin no" "AllowUsers $BF_ACCOUNT" \
            "StrictModes no" "PrintMotd no" "PrintLastLog no" "Subsystem sftp internal-sftp" \
            >"$WORK/sshd/sshd_config"
        # vsftpd: local users through PAM (/etc/pam.d/vsftpd), no anonymous login, read-only,
        # passive ports 40000-40100; its default 1 s delay after a failed login
        printf '%s\n' listen=YES listen_ipv6=NO listen_address=198.18.0.10 background=NO \
            anonymous_enable=NO local_enable=YES write_enable=NO chroot_local_user=NO \
            pam_service_name=vsftpd "secure_chroot_dir=$WORK/ftp/empty" pasv_enable=YES \
            pasv_min_port=40000 pasv_max_port=40100 pasv_address=198.18.0.10 seccomp_sandbox=NO \
            xferlog_enable=YES "vsftpd_log_file=$WORK/ftp/vsftpd.log" dual_log_enable=YES \
            "ftpd_banner=FTP server ready." hide_ids=YES >"$WORK/ftp/vsftpd.conf"
        # telnetd through inetutils-inetd, on the victim's address only; login(1) checks the
        # password (PAM, a 3 s delay after a failure)
        echo "198.18.0.10:telnet stream tcp nowait root /usr/sbin/telnetd telnetd -h" >"$WORK/telnet/inetd.conf"
        mkdir -p /run/sshd   # sshd's privilege separation directory (empty; Debian's path)
        /usr/sbin/sshd -t -f "$WORK/sshd/sshd_config" || die "sshd config"
        bg victim "$BOUND" /usr/sbin/sshd -D -f "$WORK/sshd/sshd_config" -E "$WORK/sshd/sshd.log"
        bg victim "$BOUND" vsftpd "$WORK/ftp/vsftpd.conf"
        ip netns exec "$LAB_PREFIX-victim" timeout --kill-after=5 "$BOUND" \
            inetutils-inetd -d "-p$WORK/telnet/inetd.pid" "$WORK/telnet/inetd.conf" </dev/null >"$WORK/telnet/inetd.log" 2>&1 &
        LAB_PIDS+=($!)
        nap 1
        # the legitimate logins: interactive sessions from c0, downloads and FTP from c1, the
        # loop of short commands from c2 (clients taken in turn when there are fewer than three)
        : >"$WORK/authnormal.out"
        for t in "interactive 0" "transfer 1" "ftp 1" "loop 2"; do
            read -r kind k <<<"$t"
            bg "c$((k % CLIENTS))" "$BOUND" "$PY" "$LAB_DIR/authnormal.py" --seed "$SEED" --span "$SPAN" --kind "$kind" \
                --target 198.18.0.10 --user "$BF_ACCOUNT" --secret "$WORK/secret" --key "$WORK/client_key" \
                --report "$WORK/authnormal.out"
        done
    fi

    if [ "$SCENARIO" = floods ]; then
        # one client each (clients taken in turn when there are fewer than three)
        k=0
        for kind in udp-echo ping-big ping-frag; do
            bg "c$((k % CLIENTS))" "$BOUND" "$PY" "$LAB_DIR/bignormal.py" --seed "$SEED" --span "$SPAN" --kind "$kind"
            k=$((k + 1))
        done
    fi

    if [ "$SCENARIO" = unlearned ]; then
        # GRE c0 (end a) - c1 (end b); IP-in-IP c1 (a) - c2 (b); traceroute from c2; closed UDP
        # ports from c0 (clients taken in turn when there are fewer than three)
        c2=$((2 % CLIENTS))
        bg c0 "$BOUND" "$PY" "$LAB_DIR/othernormal.py" --seed "$SEED" --span "$SPAN" --kind gre --end a \
            --local 198.18.0.20 --remote 198.18.0.21
        bg c1 "$BOUND" "$PY" "$LAB_DIR/othernormal.py" --seed "$SEED" --span "$SPAN" --kind gre --end b \
            --local 198.18.0.21 --remote 198.18.0.20
        bg c1 "$BOUND" "$PY" "$LAB_DIR/othernormal.py" --seed "$SEED" --span "$SPAN" --kind ipip --end a \
            --local 198.18.0.21 --remote "198.18.0.$((20 + c2))"
        bg "c$c2" "$BOUND" "$PY" "$LAB_DIR/othernormal.py" --seed "$SEED" --span "$SPAN" --kind ipip --end b \
            --local "198.18.0.$((20 + c2))" --remote 198.18.0.21
        bg "c$c2" "$BOUND" "$PY" "$LAB_DIR/othernormal.py" --seed "$SEED" --span "$SPAN" --kind traceroute
        bg c0 "$BOUND" "$PY" "$LAB_DIR/othernormal.py" --seed "$SEED" --span "$SPAN" --kind closed-udp
    fi

    if [ "$SCENARIO" = otherprotocols ]; then
        # GRE c0 (end a) - c1 (end b); IP-in-IP c1 (a) - c2 (b) (c0 with two clients)
        c2=$((2 % CLIENTS))
        : >"$WORK/tunnels.out"
        for t in "gre c0 a 20 21" "gre c1 b 21 20" "ipip c1 a 21 $((20 + c2))" "ipip c$c2 b $((20 + c2)) 21"; do
            read -r kind th end lo re <<<"$t"
            bg "$th" "$BOUND" "$PY" "$LAB_DIR/tunnelnormal.py" --seed "$SEED" --span "$SPAN" --kind "$kind" --end "$end" \
                --local "198.18.0.$lo" --remote "198.18.0.$re" --report "$WORK/tunnels.out"
        done
    fi

    if [ "$SCENARIO" = discovery ]; then
        # every target once per period (fping spaces its pings 10 ms apart), a fixed count, a
        # second's wait for each reply; its summary goes to the run's log
        # shellcheck disable=SC2086
        bg mon "$BOUND" fping -q -c "$MON_COUNT" -p "$MON_PERIOD" -t 1000 $MON_ADDRS
    fi

    # bruteforce: the attacks run in the word lists' directory (the commands name the lists)
    ACWD=()
    if [ "$SCENARIO" = bruteforce ]; then ACWD=(env -C "$WORK/lists"); fi

    if [ -n "$PERIODIC" ]; then
        [ "$DNSHOST" = 1 ] || die "--periodic needs --busy or --servers"
        PTARGETS="198.18.0.10"
        for ((i = 0; i < SERVERS; i++)); do PTARGETS+=",198.18.0.$((11 + i))"; done
        PNAMES="$(tr ',' '\n' <<<"$ZONE" | cut -d= -f1 | paste -sd,)"
        read -r PPERIOD PAT PFILES < <("$PY" -c "import random; r=random.Random($SEED*7907+3); print(r.randint(30, 60), int($DURATION*r.uniform(0.55, 0.65)), r.randint(4, 6))")
        log "periodic jobs: poller every ${PPERIOD}s, NTP, DNS on TTL, bulk copy of $PFILES files at ${PAT}s"
        bg c0 "$BOUND" "$PY" "$LAB_DIR/periodic.py" --kind poll --seed "$SEED" --duration "$BOUND" --targets "$PTARGETS" --period "$PPERIOD"
        bg "c$((1 % CLIENTS))" "$BOUND" "$PY" "$LAB_DIR/periodic.py" --kind ntp --seed $((SEED + 1)) --duration "$BOUND" --targets "$PTARGETS"
        bg "c$((2 % CLIENTS))" "$BOUND" "$PY" "$LAB_DIR/periodic.py" --kind dns --seed $((SEED + 2)) --duration "$BOUND" --names "$PNAMES"
        bg "c$((3 % CLIENTS))" "$BOUND" "$PY" "$LAB_DIR/periodic.py" --kind backup --seed $((SEED + 3)) --duration "$BOUND" \
            --targets "198.18.0.$((SERVERS > 0 ? 11 : 10))" --at "$PAT" --files "$PFILES"
    fi

    T0=$(now)
    nap "$LEAD"   # normal traffic only at the start

    n=0
    while IFS= read -r line <&3; do
        n=$((n + 1))
        label=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["label"])' "$line")
        attacker=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["attacker"])' "$line")
        host="a$(( ${attacker##*.} - 66 ))"
        gap=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["gap"])' "$line")
        gapn=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["gap_normal"])' "$line")
        tmo=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["timeout"])' "$line")
        postn=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["post_normal"])' "$line")
        postd=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["post_delay"])' "$line")
        mapfile -t spoofed < <("$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); [print(x) for x in j["spoofed"] + j.get("decoys", [])]' "$line")
        mapfile -t cmds < <("$PY" -c 'import json,sys,shlex; [print(shlex.join(c)) for c in json.loads(sys.argv[1])["cmds"]]' "$line")

        # quiet gap; the attacker host may browse normally in the middle of it (labelled normal):
        # at least 3 s after the previous attack and at least 2 s before the next one.
        if [ "$gapn" -gt 0 ]; then
            nap 3
            ns "$host" timeout 20 "$PY" "$LAB_DIR/client.py" --seed $((SEED * 1000 + n)) --actions "$gapn" --mean-think 0.5 </dev/null || true
            nap 2
        fi
        nap "$gap"
        [ "${#spoofed[@]}" -gt 0 ] && spoof_neigh "${spoofed[@]}"

        # --scenario bulk: the item's bulk transfer (normal), started now; the attack starts
        # "lead" seconds later ("during") or "lead" seconds after the transfer ended ("after")
        bpids=()
        if [ "$SCENARIO" = bulk ]; then
            bhost=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["bulk"]["host"])' "$line")
            bmode=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["bulk"]["mode"])' "$line")
            blead=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["bulk"]["lead"])' "$line")
            btmo=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["bulk"]["timeout"])' "$line")
            mapfile -t bcmds < <("$PY" -c 'import json,sys,shlex; [print(shlex.join(c)) for c in json.loads(sys.argv[1])["bulk"]["cmds"]]' "$line")
            [[ "$bhost" =~ ^[ca][0-9]+$ ]] || die "bulk host $bhost"
            log "[$n/$NPLAN] bulk ($bmode, ${blead} s) from $bhost: ${bcmds[0]}"
            bstart=$(now)
            for c in "${bcmds[@]}"; do
                # shellcheck disable=SC2086
                ip netns exec "$LAB_PREFIX-$bhost" timeout --kill-after=2 "$btmo" $c </dev/null >>"$WORK/bulk.out" 2>&1 &
                bpids+=($!)
                LAB_PIDS+=($!)
            done
            if [ "$bmode" = after ]; then
                for p in "${bpids[@]}"; do wait "$p" || log "  (exit $? from bulk process $p)"; done
                bpids=()
                "$PY" -c 'import json,sys; print(json.dumps({"host": sys.argv[1], "mode": "after", "start": float(sys.argv[2]), "end": float(sys.argv[3]), "command": sys.argv[4]}))' \
                    "$bhost" "$bstart" "$(now)" "${bcmds[0]}" >>"$WORK/bulk.jsonl"
            fi
            nap "$blead"
        fi

        log "[$n/$NPLAN] $label from $host${spoofed:+ spoofing ${#spoofed[@]} sources}: ${cmds[0]}"
        start=$(now)
        pids=()
        for c in "${cmds[@]}"; do
            # a lab script named in the plan (--scenario http: python3 lab/hulk.py; randomports:
            # python3 lab/randsyn.py) runs from here, with $PY (/usr/bin/python3, which has scapy)
            if [[ "$c" == "python3 lab/"* ]]; then c="$PY $LAB_DIR/${c#python3 lab/}"; fi
            # shellcheck disable=SC2086
            ip netns exec "$LAB_PREFIX-$host" timeout --kill-after=5 "$tmo" "${ACWD[@]}" $c </dev/null >>"$WORK/attacks.out" 2>&1 &
            pids+=($!)
            LAB_PIDS+=($!)
        done
        for p in "${pids[@]}"; do
            # hping3 exits 1 when no reply came back (spoofed sources); anything else is worth a note
            rc=0
            wait "$p" || rc=$?
            [ "$rc" -le 1 ] || log "  (exit $rc from attack process $p)"
        done
        end=$(now)
        if [ "${#bpids[@]}" -gt 0 ]; then
            for p in "${bpids[@]}"; do wait "$p" || log "  (exit $? from bulk process $p)"; done
            "$PY" -c 'import json,sys; print(json.dumps({"host": sys.argv[1], "mode": "during", "start": float(sys.argv[2]), "end": float(sys.argv[3]), "command": sys.argv[4]}))' \
                "$bhost" "$bstart" "$(now)" "${bcmds[0]}" >>"$WORK/bulk.jsonl"
        fi
        "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(json.dumps({"label": j["label"], "attacker": j["attacker"], "spoofed": j["spoofed"], "decoys": j.get("decoys", []), "start": float(sys.argv[2]), "end": float(sys.argv[3]), "command": " ; ".join(sys.argv[4:])}))' \
            "$line" "$start" "$end" "${cmds[@]}" >>"$EPIS"
        log "  done in $("$PY" -c "print(round($end - $start, 2))") s"
        # the attacker host's own normal session soon after its attack (labelled normal: it starts
        # after the 2 s over which labels.py extends the episode)
        if [ "$postn" -gt 0 ]; then
            nap "$postd"
            log "  $host browses ($postn actions, ${postd} s after the attack)"
            ns "$host" timeout 20 "$PY" "$LAB_DIR/client.py" --seed $((SEED * 1000 + 500 + n)) --actions "$postn" \
                --mean-think 0.3 --kinds http,http_multi,bulk,echo_tcp,echo_udp,ping </dev/null || true
        fi
    done 3<"$PLAN"

    # normal traffic until the minimum duration has passed, and at least 5 s after the last attack
    nap 5
    # (with streams: also until their schedule is over)
    END=$DURATION
    if [ -n "$STREAMS" ] || [ "$SCENARIO" = floods ] || [ "$SCENARIO" = unlearned ] || [ "$SCENARIO" = discovery ] || [ "$SCENARIO" = http ] || [ "$SCENARIO" = otherprotocols ] || [ "$SCENARIO" = bruteforce ]; then END=$((DURATION > SPAN + 3 ? DURATION : SPAN + 3)); fi
    REST=$("$PY" -c "import time; print(max(0, $END - (time.time() - $T0)))")
    nap "$REST"
    nap 1
    kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    wait "$TCPDUMP_PID" || true
    cat "$WORK/tcpdump.err" >&2

    mv "$PCAP_TMP" "$OUT/$NAME.pcap"
    "$PY" "$LAB_DIR/labels.py" --name "$NAME" --pcap "$OUT/$NAME.pcap" --episodes "$EPIS" \
        --out "$OUT/$NAME.labels.json" --stats "$OUT/$NAME.stats.json" --seed "$SEED"
    {
        echo "# $NAME: seed $SEED, duration $DURATION, ${SCENARIO:+scenario $SCENARIO, }attacks $ATTACKS, clients $CLIENTS, attackers $ATTACKERS, snaplen $SNAPLEN, gap-normal $GAPN, post-normal $POSTN$( [ "$SERVERS" -gt 0 ] && echo ", servers $SERVERS")${BUSY:+, busy}${STREAMS:+, streams over $SPAN s}"
        if [ -n "$ZONE" ]; then echo "# zone: $ZONE"; fi
        echo "# started $(date -u -d "@${T0%.*}" +%Y-%m-%dT%H:%M:%SZ)"
        tool_versions
        echo "# tcpdump: $(tr '\n' ' ' <"$WORK/tcpdump.err")"
        if [ -n "$STREAMS" ]; then
            echo "# streams (lab/streams.py; seconds from the streams' start, $(date -u -d "@${T0S%.*}" +%H:%M:%SZ))"
            sed 's/^/#   /' "$WORK/streams.txt"
        fi
        if [ "$SCENARIO" = floods ]; then
            echo "# normal traffic like floods (lab/bignormal.py, seconds from the clients' start; udp-echo c0, ping-big c$((1 % CLIENTS)), ping-frag c$((2 % CLIENTS)))"
            sed 's/^/#   /' "$WORK/bignormal.txt"
        fi
        if [ "$SCENARIO" = unlearned ]; then
            echo "# normal traffic in other protocols and real ICMP errors (lab/othernormal.py, seconds from the clients' start; gre c0-c1, ipip c1-c$((2 % CLIENTS)), traceroute c$((2 % CLIENTS)), closed-udp c0)"
            sed 's/^/#   /' "$WORK/othernormal.txt"
        fi
        if [ "$SCENARIO" = discovery ]; then
            echo "# monitor (198.18.0.40, normal): fping -q -c $MON_COUNT -p $MON_PERIOD -t 1000 to $(wc -w <<<"$MON_ADDRS") live addresses: $MON_ADDRS"
            echo "# swept ranges routed via the victim (198.18.0.10, ip_forward 0) in every attacker namespace: 198.18.128.0/17"
        fi
        if [ "$SCENARIO" = bulk ]; then
            echo "# bulk transfers (normal; to the victim's iperf3 -s on 5201 and python3 -m http.server on 8080): host | mode | start-end (UTC) | command"
            "$PY" -c 'import json,sys,datetime; f=lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]; [print("#  ", j["host"], "|", j["mode"], "|", f(j["start"]) + "-" + f(j["end"]), "|", j["command"]) for j in map(json.loads, open(sys.argv[1]))]' "$WORK/bulk.jsonl"
            echo "# iperf3 client summaries"
            grep -E 'sender|receiver' "$WORK/bulk.out" | sed 's/^/#   /' || true
        fi
        if [ "$SCENARIO" = http ]; then
            echo "# $(ab -V | head -1); $(siege -V 2>&1 | head -1); slowhttptest $(slowhttptest -h 2>&1 | grep -m1 -o 'version [0-9.]*' | cut -d' ' -f2)"
            echo "# heavy legitimate HTTP clients (lab/httpnormal.py, normal; seconds from the clients' start; crawler c0, browser c$((1 % CLIENTS))) to the victim's services.py on 80 and python3 -m http.server on 8000"
            sed 's/^/#   /' "$WORK/httpnormal.txt"
            echo "# what the attack tools printed (ab, siege, lab/hulk.py, slowhttptest)"
            grep -E '^(Complete requests|Failed requests|Requests per second|Time taken for tests|hulk:)|"(transactions|availability|elapsed_time|transaction_rate|successful_transactions|failed_transactions)"|^ *(test type|number of connections|test duration|service available|Exit status)' "$WORK/attacks.out" | sed 's/\x1b\[[0-9;]*m//g; s/^[[:space:]]*/#   /' || true
        fi
        if [ "$SCENARIO" = randomports ]; then
            echo "# $(t50 --version 2>&1 | head -1); scapy $("$PY" -c 'import scapy; print(scapy.VERSION)')"
            echo "# what t50 and lab/randsyn.py printed"
            grep -E '^(T50|t50|randsyn)|packets' "$WORK/attacks.out" | sed 's/^[[:space:]]*/#   /' || true
        fi
        if [ "$SCENARIO" = otherprotocols ]; then
            echo "# $(t50 --version 2>&1 | head -1); $(curl --version | head -1 | cut -d' ' -f1-2)"
            echo "# tunnels (lab/tunnelnormal.py, normal; seconds from the clients' start; gre c0-c1, ipip c1-c$((2 % CLIENTS)))"
            sed 's/^/#   /' "$WORK/tunnelnormal.txt"
            echo "# what the tunnel ends reported"
            sed 's/^/#   /' "$WORK/tunnels.out"
            echo "# what t50 printed"
            grep -E '^(T50|t50)|packets' "$WORK/attacks.out" | sed 's/^[[:space:]]*/#   /' || true
        fi
        if [ "$SCENARIO" = bruteforce ]; then
            echo "# $(hydra -h 2>&1 | head -1 | cut -d' ' -f1-2); $(ncrack --version | grep -m1 -o 'Ncrack version [0-9.]*'); $(medusa -V 2>&1 | grep -m1 -o 'Medusa v[0-9.]*'); patator $(dpkg-query -W -f '${Version}' patator 2>/dev/null); $(ssh -V 2>&1); vsftpd $(dpkg-query -W -f '${Version}' vsftpd 2>/dev/null); inetutils-telnetd $(dpkg-query -W -f '${Version}' inetutils-telnetd 2>/dev/null)"
            echo "# account $BF_ACCOUNT (created for the run, removed at its end); its password, from the seed (plan.py bf_password), is in no list"
            echo "# word lists (plan.py --wordlists; the attacks ran in that directory): lines, first entries"
            for f in "$WORK"/lists/*.txt; do
                echo "#   $(basename "$f"): $(wc -l <"$f"), $(head -4 "$f" | paste -sd' ')"
            done
            echo "# legitimate logins (lab/authnormal.py, normal; seconds from the clients' start; interactive c0, transfer and ftp c$((1 % CLIENTS)), loop c$((2 % CLIENTS)))"
            sed 's/^/#   /' "$WORK/authnormal.txt"
            echo "# what the legitimate sessions reported"
            sed 's/^/#   /' "$WORK/authnormal.out"
            echo "# sshd's log, counted per source: failed passwords (invalid users included), accepted logins"
            { grep -oE '(Failed password for (invalid user )?[^ ]+|Accepted [a-z]+ for [^ ]+) from [0-9.]+' "$WORK/sshd/sshd.log" || true; } \
                | sed -E 's/ for (invalid user )?[^ ]+ from / from /' | sort | uniq -c | sed 's/^ */#   /'
            echo "# vsftpd's log, counted per source"
            { grep -oE '(FAIL|OK) (LOGIN|DOWNLOAD): Client "[0-9.]+"' "$WORK/ftp/vsftpd.log" || true; } | sort | uniq -c | sed 's/^ */#   /'
            echo "# what the attack tools printed (summaries)"
            grep -aE '^\[DATA\]|^\[STATUS\]|target(s)? completed|valid password|Ncrack done|Hits/Done|ACCOUNT FOUND|Segmentation|hydra.restore' "$WORK/attacks.out" | sed 's/^[[:space:]]*/#   /' || true
        fi
        echo "# attack commands (run in the attacker namespace; start/end in the labels file)"
        "$PY" -c 'import json,sys; [print(json.loads(l)["label"], "|", json.loads(l)["attacker"], "|", json.loads(l)["command"]) for l in open(sys.argv[1])]' "$EPIS"
    } >"$OUT/$NAME.log"
    log "wrote $OUT/$NAME.pcap ($(stat -c %s "$OUT/$NAME.pcap") bytes), $NAME.labels.json, $NAME.stats.json, $NAME.log"
}

# on one line: bash reads the file as it goes, so nothing after main may be read once it returns
main "$@"; exit
