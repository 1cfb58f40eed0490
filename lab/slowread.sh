#!/usr/bin/env bash
# slowread.sh OUT.pcap ATTACKS_FILE -- slowhttptest in all its modes over HTTP and HTTPS (session
# 28, helper h2): slow read (-X: tiny receive windows, the response read a few bytes at a time),
# range (-R, "Apache killer"), slow headers (-H) and slow body (-B), as CIC-IDS2017's Wednesday
# ran them, beside normal clients that are slow for their own reasons.
#   198.18.0.0/24 (bridge br0, no route out): victim .10 runs nginx with a self-signed
#   certificate made at start, plain HTTP on 80 and HTTPS on 443 (HTTP/1.1, keep-alive, 2 workers
#   x 2048 connections; / a small page, /img/b.png 40 kB, /big.bin BIG bytes (4,000,000), /form
#   passed to a Python http.server on the victim's loopback). Normal clients, each a look-alike
#   of a slow read: .20 rate-limited downloads of /img/b.png (curl --limit-rate 2k, wget
#   --limit-rate 3k, HTTP and HTTPS in turn); .21 a browser-like client holding 12 keep-alive
#   connections (6 HTTP, 6 HTTPS), idle between requests 5-15 s apart; .22 a reader that stalls:
#   /big.bin piped into a reader that sleeps 3-8 s first (the socket's window closes); .23 a
#   video-style stream (/big.bin at curl --limit-rate 200k-400k, and 40 kB segments fetched 1-3 s
#   apart over one connection); attacker .66.
# ATTACKS_FILE lines "LABEL COMMAND", run in the attacker's namespace ($U https://198.18.0.10,
# $H http://198.18.0.10; open files 8192) under timeout ${TMO:-40}, GAP (12) seconds apart after
# WARM (15) seconds of normal traffic; each command must bound itself (-l). SEED (1) seeds the
# clients' timings. tcpdump -s ${SNAP:-96} on the bridge. Writes OUT.pcap, OUT.labels.json and
# the tools' output in OUT.tool.log.
# Tools (Debian packages): nginx openssl curl wget tcpdump bc python3 slowhttptest.
# Safety: every address in 198.18.0.0/24 (lab_hosts), no default route anywhere (checked), every
# process under timeout and recorded; nginx runs with a configuration, pid file and logs in the
# run's scratch directory (the machine's own are neither read nor written); teardown deletes the
# namespaces (lib.sh, netlab.sh).
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; ATK=$2; LBL=${OUT%.pcap}.labels.json; TL=${OUT%.pcap}.tool.log
SEED=${SEED:-1}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
ensure_tools nginx:nginx openssl:openssl curl:curl wget:wget bc:bc slowhttptest:slowhttptest
lab_begin "${PREFIX:-s28h2$$}"
lab_tmpdir /tmp/nj-slowread.XXXXXX; L=$LAB_TMPDIR; S=$L/site; chmod 755 "$L"
mkdir -p "$S/img"
echo '<html><head><link rel="stylesheet" href="s.css"></head><body><img src="img/a.png">shop</body></html>' >"$S/index.html"
head -c 2400 /dev/zero | tr '\0' 'a' >"$S/s.css"
head -c 18000 /dev/urandom >"$S/img/a.png"
head -c 40000 /dev/urandom >"$S/img/b.png"
head -c "${BIG:-4000000}" /dev/urandom >"$S/big.bin"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=shop.lab.example \
    -keyout "$L/key.pem" -out "$L/cert.pem" >/dev/null 2>&1 || die "openssl req"
cat >"$L/web.conf" <<NGX
worker_processes 2; pid $L/web.pid; daemon off; error_log $L/web.err;
worker_rlimit_nofile 8192;
events { worker_connections 2048; }
http { access_log off; keepalive_timeout 30; keepalive_requests 1000;
  client_body_temp_path $L/body; proxy_temp_path $L/proxy; fastcgi_temp_path $L/fcgi;
  uwsgi_temp_path $L/uwsgi; scgi_temp_path $L/scgi;
  types { text/html html; text/css css; image/png png; application/octet-stream bin; }
  server { listen 198.18.0.10:80; listen 198.18.0.10:443 ssl; root $S; server_name _;
    ssl_certificate $L/cert.pem; ssl_certificate_key $L/key.pem;
    location / { error_page 405 =200 \$uri; }
    location /form { proxy_pass http://127.0.0.1:8081; } } }
NGX
lab_switch b
lab_hosts 198.18.0.0/24 v:10 c:20 k:21 d:22 w:23 a:66
lab_check_routes
D=$((${DUR:-600} + 60))
bg v $D python3 -m http.server 8081 --bind 127.0.0.1 --directory "$S" >/dev/null 2>&1
bg v $D nginx -e "$L/web.err" -c "$L/web.conf" >>"$TL" 2>&1
sleep 2
lab_capture b $D br0 "$OUT" -s "${SNAP:-96}"
sleep 1
bg c $D bash -c 'RANDOM='"$SEED"'; n=0; while :; do n=$((n+1)); s=http; [ $((n % 2)) = 0 ] && s=https
    if [ $((RANDOM % 2)) = 0 ]; then curl -sk -m 30 --limit-rate 2k -o /dev/null $s://198.18.0.10/img/b.png
    else wget -q -T 30 --no-check-certificate --limit-rate=3k -O /dev/null $s://198.18.0.10/img/b.png; fi
    sleep $((RANDOM % 3 + 1)); done' >/dev/null 2>&1
bg k $D python3 -c '
import http.client, random, ssl, time
random.seed('"$((SEED + 1))"')
ctx = ssl._create_unverified_context()
def conns():
    return [http.client.HTTPConnection("198.18.0.10", 80, timeout=10) for _ in range(6)] + \
        [http.client.HTTPSConnection("198.18.0.10", 443, timeout=10, context=ctx) for _ in range(6)]
cs = conns()
while True:
    for c in random.sample(cs, random.randint(2, 6)):
        try:
            c.request("GET", random.choice(["/", "/s.css", "/img/a.png", "/img/b.png"]))
            c.getresponse().read()
        except Exception:
            c.close()
    time.sleep(random.uniform(5, 15))
' >/dev/null 2>&1
bg d $D bash -c 'RANDOM='"$((SEED + 2))"'; while :; do sleep $((RANDOM % 6 + 4)); s=http; [ $((RANDOM % 2)) = 0 ] && s=https
    curl -sk -m 40 $s://198.18.0.10/big.bin | { sleep $((RANDOM % 6 + 3)); cat >/dev/null; }; done' >/dev/null 2>&1
bg w $D bash -c 'RANDOM='"$((SEED + 3))"'; while :; do s=http; [ $((RANDOM % 2)) = 0 ] && s=https
    if [ $((RANDOM % 2)) = 0 ]; then curl -sk -m 30 --limit-rate $((RANDOM % 3 + 2))00k -o /dev/null $s://198.18.0.10/big.bin
    else for i in $(seq 1 $((RANDOM % 10 + 10))); do echo "url = \"$s://198.18.0.10/img/b.png\""; echo "output = /dev/null"; done >/tmp/seg$$.cfg
        curl -sk -m 60 -K /tmp/seg$$.cfg --rate 30/m; rm -f /tmp/seg$$.cfg; fi
    sleep $((RANDOM % 4 + 1)); done' >/dev/null 2>&1
nap "${WARM:-15}"
attack() { # LABEL COMMAND
    lab_run a "${TMO:-40}" env U=https://198.18.0.10 H=http://198.18.0.10 bash -c "ulimit -n 8192; $2" >>"$TL" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    nap "${GAP:-12}"
}
: >"$L/episodes"
lab_lines "$ATK" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
nap "${TAIL:-5}"
lab_capture_stop
