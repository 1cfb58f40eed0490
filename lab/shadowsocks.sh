#!/usr/bin/env bash
# shadowsocks.sh OUT.pcap [PAGES [GAP]] -- normal traffic only: a client browsing a web server
# through a Shadowsocks proxy (shadowsocks-libev's ss-local and ss-server, AEAD
# chacha20-ietf-poly1305). Every proxied connection to the proxy's port 8388 begins with random
# bytes (its salt), and so does every segment back: the fuzzing rule
# (crates/ids/src/fuzzing.rs) must take it for an encrypted protocol, not a fuzzer. (session 19)
#   198.18.0.0/24 on one bridge, no route out (checked): web server .10 (python3 http.server on
#   80), proxy .40 (ss-server), client .20 (ss-local on its own 127.0.0.1:1080; curl fetches
#   http://198.18.0.10/ through it PAGES times (default 60), GAP seconds apart (0.5), each a new
#   connection to the proxy).
# tcpdump -s 128 on the bridge (OUT.pcap); OUT.labels.json has no attacker. Needs root and the
# Debian package shadowsocks-libev (installed when missing). Every process under timeout and
# recorded; teardown deletes the script's namespaces (lib.sh, netlab.sh).
set -u
OUT=$1; PAGES=${2:-60}; GAP=${3:-0.5}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$PAGES$GAP" in *[!0-9.]*) die "PAGES and GAP must be numbers" ;; esac
ensure_tools ss-server:shadowsocks-libev curl:curl
lab_begin "s19s$$"
lab_switch b
lab_hosts 198.18.0.0/24 web:10 px:40 cl:20
lab_check_routes
bg web 300 python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1
bg px 300 ss-server -s 198.18.0.40 -p 8388 -k labpass -m chacha20-ietf-poly1305 >/dev/null 2>&1
bg cl 300 ss-local -s 198.18.0.40 -p 8388 -l 1080 -b 127.0.0.1 -k labpass -m chacha20-ietf-poly1305 >/dev/null 2>&1
sleep 2
lab_capture b 300 br0 "$OUT" -s 128
sleep 1
lab_run cl 240 bash -c "for i in \$(seq 1 $PAGES); do curl -s --max-time 3 --socks5-hostname 127.0.0.1:1080 http://198.18.0.10/ >/dev/null; sleep $GAP; done"
log "fetched $PAGES pages through the proxy (rc $RUN_RC)"
sleep 2
lab_capture_stop
: >"$OUT.episodes"
lab_labels "${OUT%.pcap}.labels.json" "$(basename "$OUT")" "$OUT.episodes" ""
rm -f "$OUT.episodes"
