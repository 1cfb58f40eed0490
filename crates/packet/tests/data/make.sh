#!/usr/bin/env bash
# Regenerate the small real captures used by nightjar-packet's tests (run as root).
# Each capture is made by tcpdump inside a throw-away network namespace (loopback, or a veth
# pair with a VLAN interface, addresses in 198.18.1.0/24), of a known exchange:
#   * one ICMP echo (ping -c 1), one TCP connection (handshake, 6 bytes each way, close),
#     one UDP datagram to a closed port (answered by ICMP port unreachable);
#   * the same over IPv6 on ::1 for the *-v6 / any-interface captures;
#   * over a veth pair: a ping of 3000 bytes, fragmented by the 1500-byte MTU.
# Outputs: lo.pcap (Ethernet, microseconds), lo-nano.pcap (nanoseconds), any-sll.pcap (Linux
# cooked v1), any-sll2.pcap (v2), lo.pcapng (editcap -F pcapng of lo.pcap), nflog.pcap (netfilter
# log messages), frag.pcap. relink.py (Scapy) then re-links any-sll.pcap's packets into other
# link types (802.11, radiotap, PPI, PPP, Cisco HDLC).
set -euo pipefail
cd "$(dirname "$0")"
need=()
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v ping >/dev/null || need+=(iputils-ping)
command -v editcap >/dev/null || need+=(wireshark-common)
command -v nft >/dev/null || need+=(nftables)
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
NS=njpkt$$
cleanup() {
    for n in $NS $NS-b; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
        ip netns del "$n" 2>/dev/null || true
    done
}
trap cleanup EXIT
ip netns add $NS
ip -n $NS link set lo up
X() { ip netns exec $NS "$@"; }

exchange() {  # $1 = 4 or 6
    local host=127.0.0.1; [ "$1" = 6 ] && host=::1
    X timeout 5 ping -"$1" -c 1 -W 1 "$host" >/dev/null
    X timeout 10 python3 - "$host" <<'PY'
import socket, sys, threading, time
host = sys.argv[1]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
srv = socket.socket(fam, socket.SOCK_STREAM); srv.bind((host, 8080)); srv.listen(1)
def serve():
    c, _ = srv.accept(); d = c.recv(100); c.sendall(b"world\n"); time.sleep(0.2); c.close()
t = threading.Thread(target=serve); t.start()
cl = socket.socket(fam, socket.SOCK_STREAM); cl.connect((host, 8080)); cl.sendall(b"hello\n")
cl.recv(100); time.sleep(0.1); cl.close(); t.join(); srv.close()
time.sleep(0.2)
u = socket.socket(fam, socket.SOCK_DGRAM); u.sendto(b"knock", (host, 9999)); time.sleep(0.3)
PY
}

capture() {  # $1 = output, rest = tcpdump options; runs the IPv4 exchange (and IPv6 if asked)
    local out="$1"; shift
    X timeout 30 tcpdump -n -U -Z root "$@" -w "$out" 2>/dev/null &
    local pid=$!
    sleep "${NFLOG_WAIT:-1}"
    exchange 4
    [ "${WITH_V6:-0}" = 1 ] && exchange 6
    sleep "${NFLOG_WAIT:-0.5}"
    kill -INT $pid; wait $pid || true
}

capture lo.pcap -i lo
capture lo-nano.pcap -i lo --time-stamp-precision=nano
X sysctl -qw net.ipv6.conf.lo.disable_ipv6=0 2>/dev/null || true
WITH_V6=1 capture any-sll.pcap -i any -y LINUX_SLL
WITH_V6=1 capture any-sll2.pcap -i any -y LINUX_SLL2
editcap -F pcapng lo.pcap lo.pcapng

# NFLOG (link type 239): the same exchange, each packet logged once by an nftables rule at the
# output hook to netlink group 5 and captured from there (tcpdump -i nflog:5). The first
# packets after binding the group can be missed, so the capture waits before the exchange.
X nft 'add table inet njlog; add chain inet njlog out { type filter hook output priority 0; }; add rule inet njlog out log group 5'
NFLOG_WAIT=3 WITH_V6=1 capture nflog.pcap -i nflog:5
X nft 'delete table inet njlog'

# Fragments: a veth pair inside the namespace (this kernel has no 802.1Q module; VLAN tags are
# tested by inserting a tag into these real frames in the test itself).
# IPv6 stays enabled on the pair: its link-local chatter (MLD reports behind a hop-by-hop
# extension header, router and neighbour solicitations) is captured too.
ip netns add $NS-b
X ip link add va type veth peer name vb netns $NS-b
X ip addr add 198.18.1.1/24 dev va
ip -n $NS-b addr add 198.18.1.2/24 dev vb
X ip link set va up
ip -n $NS-b link set vb up
X timeout 30 tcpdump -n -U -Z root -i va -w frag.pcap 2>/dev/null &
pid=$!
sleep 1
X timeout 5 ping -c 1 -W 1 -s 3000 198.18.1.2 >/dev/null
sleep 0.5
kill -INT $pid; wait $pid || true
if /usr/bin/python3 -c "import scapy" 2>/dev/null; then /usr/bin/python3 relink.py; else echo "relink.py needs Scapy (python3-scapy)" >&2; fi
ls -l ./*.pcap ./*.pcapng
