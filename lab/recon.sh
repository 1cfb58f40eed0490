#!/usr/bin/env bash
# recon.sh OUT.pcap CMDS_FILE -- RustScan and the application-level recon tools of a pentest
# (scanssh, sslscan, gobuster dir, dirb; an nmap -sV stand-in for THC amap, which Debian does not
# package: its "amap-align" is a protein aligner) against one victim among normal web, TLS and ping
# traffic. (session 19, helper h4; after /work/s13/lab2.sh)
# Tools (Debian packages): iproute2 tcpdump socat python3 nginx iperf3 openssl curl scanssh sslscan
# gobuster dirb nmap; RustScan from crates.io (cargo install rustscan --locked --root DIR, then put
# DIR/bin on PATH); the commands that need them are the ones in CMDS_FILE.
#   198.18.0.0/24 (bridge br0, no route out): victim .10 serves a small site with Python's
#   http.server on 80 (index.html, robots.txt, admin/, backup/, images/, login.php: a few of
#   the guessed paths exist, the rest are 404; HTTP/1.0, a connection per request) and the same
#   site with nginx on 8080 (keep-alive: a client may send all its requests on a few
#   connections), an SSH-like banner then tcp echo on 22 (socat),
#   TLS on 443 (openssl s_server -www, a self-signed certificate made at start), udp echo on 7 and
#   iperf3 on 5201; client .20 fetches pages over HTTP and HTTPS and pings, in a loop; attacker .66.
# CMDS_FILE lines "LABEL COMMAND": run in the attacker namespace under timeout ${TMO:-90}, 6 s
# apart, with $WL (a wordlist: the first 3,000 plain words of dirb's common.txt) and $WS (its
# first 600) and $LAB (the lab directory) in the environment; LABEL "normal" means not an attack (span written to OUT.normal.json). Every
# command must be bounded by its own count (a port range, a wordlist). tcpdump -s 96 on the bridge.
# Writes OUT.pcap, OUT.labels.json, OUT.normal.json and the tools' output in OUT.tool.log.
# shellcheck disable=SC2016 # the client loop in single quotes is expanded by its own bash
set -u
OUT=$1; CMDS=$2; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "${PREFIX:-s19d$$}"
lab_tmpdir /tmp/nj-recon.XXXXXX; L=$LAB_TMPDIR; S=$L/site; chmod 755 "$L"
mkdir -p "$S/admin" "$S/backup" "$S/images"
echo '<html><body><a href="login.php">login</a><img src="images/logo.png"></body></html>' >"$S/index.html"
printf 'User-agent: *\nDisallow: /admin/\n' >"$S/robots.txt"
echo '<html><body>admin</body></html>' >"$S/admin/index.html"
echo 'old' >"$S/backup/index.html"
head -c 3000 /dev/zero >"$S/images/logo.png"
echo '<html><body><form></form></body></html>' >"$S/login.php"
grep -E '^[A-Za-z0-9_-]+$' /usr/share/dirb/wordlists/common.txt | head -3000 >"$L/words.txt"
head -600 "$L/words.txt" >"$L/short.txt"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=victim.lab.example \
    -keyout "$L/key.pem" -out "$L/cert.pem" >/dev/null 2>&1 || die "openssl req"
cat >"$L/nginx.conf" <<NGX
worker_processes 1; pid $L/nginx.pid; daemon off; error_log $L/nginx.err;
events { worker_connections 1024; }
http { access_log off; keepalive_timeout 65; keepalive_requests 100000;
  types { text/html html; image/png png; text/plain txt; }
  server { listen 198.18.0.10:8080; root $S; server_name _; } }
NGX
lab_switch b
lab_hosts 198.18.0.0/24 v:10 a:66 c:20
lab_check_routes
D=$((${DUR:-600} + 60))
bg v $D python3 -m http.server 80 --bind 198.18.0.10 --directory "$S" >/dev/null 2>&1
bg v $D socat TCP4-LISTEN:22,fork,reuseaddr SYSTEM:'printf "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"; timeout 5 cat' >/dev/null 2>&1
bg v $D openssl s_server -quiet -accept 443 -www -cert "$L/cert.pem" -key "$L/key.pem" >/dev/null 2>&1
bg v $D nginx -c "$L/nginx.conf" >/dev/null 2>&1
bg v $D socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
bg v $D iperf3 -s -B 198.18.0.10 >/dev/null 2>&1
sleep 1
lab_capture b $D br0 "$OUT" -s 96
sleep 1
bg c $D bash -c 'end=$((SECONDS+${DUR:-600})); while [ $SECONDS -lt $end ]; do
    curl -s -m 2 -o /dev/null http://198.18.0.10/; curl -s -m 2 -o /dev/null http://198.18.0.10/images/logo.png
    [ $((RANDOM%3)) = 0 ] && curl -sk -m 2 -o /dev/null https://198.18.0.10/
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null; sleep 0.$((RANDOM%9+1)); done' >/dev/null 2>&1
CL=$BG_PID
nap "${WARM:-8}"
attack() { # LABEL COMMAND
    nap "${GAP:-6}"
    lab_run a "${TMO:-90}" env WL="$L/words.txt" WS="$L/short.txt" LAB="$LAB_DIR" bash -c "$2" >>"${OUT%.pcap}.tool.log" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $2"
    if [ "$1" = normal ]; then
        lab_episode "$L/normal" 198.18.0.66 normal "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    else
        lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    fi
}
: >"$L/episodes"; : >"$L/normal"
lab_lines "$CMDS" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
lab_json_array "$NRM" "$L/normal"
nap "${TAIL:-8}"
kill "$CL" 2>/dev/null
nap 1
lab_capture_stop
