#!/usr/bin/env bash
# tlsdos.sh OUT.pcap ATTACKS_FILE -- denial of service over TLS (session 26, helper h2): HTTP
# floods (ab, wrk, h2load, siege, GoldenEye) and slow attacks (slowhttptest's slowloris -H, slow
# body -B, slow read -X) against HTTPS, where the detector sees no request, only connections,
# sizes and timing; beside normal HTTPS clients.
#   198.18.0.0/24 (bridge br0, no route out): victim .10 runs two nginx instances with a
#   self-signed certificate made at start: the fast one on 443 (HTTP/1.1 and HTTP/2, keep-alive,
#   2 workers x 1024 connections; / a small page, /big.bin BIG bytes (4,000,000), /form passed
#   to a Python http.server on the victim's loopback, so that nginx reads a POST's whole body
#   first) and the slow one on 8443 (the same site; one worker of 48 connections, each response
#   sent at 64 kB/s: it saturates). Clients: .20 a curl
#   loop over 443, a new connection a fetch, 0.1-1 s apart (and every 5th to the slow server);
#   .21 a browser-like client, 6-12 fetches on 1-4 keep-alive connections (curl --parallel) every
#   2-6 s; .22 a large download (big.bin, curl --limit-rate 1M or wget) every 15-30 s; .23 a
#   wget loop over 443 with HTTP keep-alive off; attacker .66.
# ATTACKS_FILE lines "LABEL COMMAND", run in the attacker's namespace under timeout ${TMO:-40},
# GAP (12) seconds apart after WARM (15) seconds of normal traffic; each command must bound itself
# (a count, -l, -d, or its own timeout). SEED (1) seeds the clients' timings. tcpdump -s ${SNAP:-96}
# on the bridge. Writes OUT.pcap, OUT.labels.json and the tools' output in OUT.tool.log.
# Tools (Debian packages): nginx openssl curl wget tcpdump bc, and the attacks' slowhttptest,
# apache2-utils (ab), wrk, nghttp2-client (h2load), siege, goldeneye.
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
ensure_tools nginx:nginx openssl:openssl curl:curl wget:wget bc:bc
lab_begin "${PREFIX:-s26h2$$}"
lab_tmpdir /tmp/nj-tlsdos.XXXXXX; L=$LAB_TMPDIR; S=$L/site; chmod 755 "$L"
mkdir -p "$S/img"
echo '<html><head><link rel="stylesheet" href="s.css"></head><body><img src="img/a.png">shop</body></html>' >"$S/index.html"
head -c 2400 /dev/zero | tr '\0' 'a' >"$S/s.css"
head -c 18000 /dev/urandom >"$S/img/a.png"
head -c 40000 /dev/urandom >"$S/img/b.png"
head -c "${BIG:-4000000}" /dev/urandom >"$S/big.bin"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=shop.lab.example \
    -keyout "$L/key.pem" -out "$L/cert.pem" >/dev/null 2>&1 || die "openssl req"
nginx_conf() { # FILE PORT WORKERS CONNECTIONS EXTRA
    cat >"$1" <<NGX
worker_processes $3; pid $1.pid; daemon off; error_log $1.err;
events { worker_connections $4; }
http { access_log off; keepalive_timeout 30; keepalive_requests 1000;
  client_body_temp_path $L/body; proxy_temp_path $L/proxy; fastcgi_temp_path $L/fcgi;
  uwsgi_temp_path $L/uwsgi; scgi_temp_path $L/scgi;
  types { text/html html; text/css css; image/png png; application/octet-stream bin; }
  server { listen 198.18.0.10:$2 ssl http2; root $S; server_name _; $5
    ssl_certificate $L/cert.pem; ssl_certificate_key $L/key.pem;
    location / { error_page 405 =200 \$uri; }
    location /form { proxy_pass http://127.0.0.1:8081; } } }
NGX
}
nginx_conf "$L/fast.conf" 443 2 1024 ""
nginx_conf "$L/slow.conf" 8443 1 48 "limit_rate 64k;"
lab_switch b
lab_hosts 198.18.0.0/24 v:10 c:20 k:21 d:22 w:23 a:66
lab_check_routes
D=$((${DUR:-600} + 60))
bg v $D python3 -m http.server 8081 --bind 127.0.0.1 --directory "$S" >/dev/null 2>&1
bg v $D nginx -e "$L/fast.conf.err" -c "$L/fast.conf" >>"$TL" 2>&1
bg v $D nginx -e "$L/slow.conf.err" -c "$L/slow.conf" >>"$TL" 2>&1
sleep 2
lab_capture b $D br0 "$OUT" -s "${SNAP:-96}"
sleep 1
U=https://198.18.0.10
bg c $D bash -c 'RANDOM='"$SEED"'; n=0; while :; do n=$((n+1)); p=443; [ $((n % 5)) = 0 ] && p=8443
    curl -sk -m 4 -o /dev/null https://198.18.0.10:$p/; sleep 0.$((RANDOM % 9 + 1)); done' >/dev/null 2>&1
bg k $D bash -c 'RANDOM='"$((SEED + 1))"'; while :; do a=(); for i in $(seq 1 $((RANDOM % 7 + 6))); do
    case $((RANDOM % 4)) in 0) a+=(/);; 1) a+=(/s.css);; 2) a+=(/img/a.png);; 3) a+=(/img/b.png);; esac; done
    urls=(); for u in "${a[@]}"; do urls+=(-o /dev/null "https://198.18.0.10$u"); done
    curl -sk -m 10 --parallel --parallel-max $((RANDOM % 4 + 1)) "${urls[@]}"; sleep $((RANDOM % 5 + 2)); done' >/dev/null 2>&1
bg d $D bash -c 'RANDOM='"$((SEED + 2))"'; while :; do sleep $((RANDOM % 16 + 15))
    if [ $((RANDOM % 2)) = 0 ]; then curl -sk -m 20 --limit-rate 1M -o /dev/null https://198.18.0.10/big.bin
    else wget -q -T 20 --no-check-certificate -O /dev/null https://198.18.0.10/big.bin; fi; done' >/dev/null 2>&1
bg w $D bash -c 'RANDOM='"$((SEED + 3))"'; while :; do wget -q -T 4 --no-check-certificate --no-http-keep-alive -O /dev/null https://198.18.0.10/ https://198.18.0.10/s.css
    sleep $((RANDOM % 3 + 1)); done' >/dev/null 2>&1
nap "${WARM:-15}"
attack() { # LABEL COMMAND
    lab_run a "${TMO:-40}" env U="$U" bash -c "$2" >>"$TL" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    nap "${GAP:-12}"
}
: >"$L/episodes"
lab_lines "$ATK" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
nap "${TAIL:-5}"
lab_capture_stop
