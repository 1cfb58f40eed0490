#!/usr/bin/env bash
# resets.sh OUT.pcap CMDS_FILE -- ordinary connections closed by RST beside forged resets and
# reset floods (session 16; after the ad-hoc lab of session 11, /work/s13/lab2.sh).
# Tools (Debian packages): iproute2 tcpdump socat python3 nginx haproxy wrk curl dsniff (tcpkill)
# hping3 nmap; the commands that need them are the ones in CMDS_FILE.
#   One /24, 198.18.0.0/24, on a bridge in its own namespace, in hub mode (ageing 0: every frame
#   goes to every port, as on a hub or a mirror port, so that tcpkill on the attacker sees the
#   connections it kills):
#   victim v .10: python http.server HTTP/1.1 on 80, nginx on 8080 (keepalive_timeout,
#        client_header_timeout and send_timeout 2 s, reset_timedout_connection on; /drop
#        answers 444: a reset), tcp echo on 22 (socat); both serve index.html and big.bin (4 MB);
#   echo server s .11: tcp echo on 7007 (socat);
#   haproxy h .12: frontend on 80, backend v:80 (HTTP checks every HCHECK ms, 100 by default),
#        and on 8080 v:8080 (TCP checks every 4 x HCHECK ms); HAProxy ends its checks with a reset;
#   client c .20: web requests and pings all along (`normal` loop) and the normal@c commands;
#   client k .21: one long-running connection to s:7007 all along (lab/resetclients.py
#        longconn: a line every 0.2 s, opened again when it breaks);
#   attacker a .66.
# No route but the /24, no default route (checked), IPv6 off in every namespace. tcpdump -s 96
# on the bridge. Env: DUR (seconds of the background clients; 900), TMO (timeout of each command;
# 40), GAP (seconds between commands; 3), HCHECK (HAProxy's check interval, ms; 100), RATE (if set, e.g. 20mbit: a tbf on the victim's and the
# client's links, for a small capture).
# CMDS_FILE lines "LABEL COMMAND", run under timeout $TMO:
#   normal@HOST COMMAND   in HOST's namespace (c, k, h, ...), not labelled;
#   LABEL COMMAND         in the attacker's namespace, labelled LABEL from the attacker .66;
#   LABEL%A1,A2 COMMAND   in the attacker's namespace, labelled LABEL from the addresses A1, A2
#                         (what a forger sends as: tcpkill's resets carry the ends' addresses);
# it writes OUT.labels.json (with each command) and OUT.normal.json (the spans of the normal
# commands).
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; CMDS=$2; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
source "$HERE/lib.sh"
lab_begin "s16b$$"
lab_tmpdir /tmp/s16b.XXXXXX; L=$LAB_TMPDIR; chmod 755 "$L"; mkdir "$L/www"
echo hello > "$L/www/index.html"; head -c 4000000 /dev/urandom > "$L/www/big.bin"; chmod -R a+rX "$L/www"
LIFE=$(( ${DUR:-900} + 3600 ))   # every process's bound
lab_switch b br0 ageing_time 0
for r in v:10 s:11 h:12 c:20 k:21 a:66; do
  lab_host "${r%%:*}" "198.18.0.${r##*:}/24"
  if [ -n "${RATE:-}" ] && { [ "${r%%:*}" = v ] || [ "${r%%:*}" = c ]; }; then
    ns "${r%%:*}" tc qdisc add dev "$LAB_IF" root tbf rate "$RATE" burst 32kbit latency 100ms
  fi
done
lab_check_routes
cat > $L/nginx.conf <<EOF
worker_processes 1;
pid $L/nginx.pid;
error_log $L/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $L/body; proxy_temp_path $L/proxy; fastcgi_temp_path $L/fcgi;
  uwsgi_temp_path $L/uwsgi; scgi_temp_path $L/scgi;
  keepalive_timeout 2s; client_header_timeout 2s; client_body_timeout 2s; send_timeout 2s;
  reset_timedout_connection on;
  server {
    listen 198.18.0.10:8080;
    root $L/www;
    location /drop { return 444; }
  }
}
EOF
# HAProxy: HTTP checks of the python server every HCHECK ms (the `pool` backend of the frontend
# on 80), plain TCP checks (connect, then reset) of nginx every 4 x HCHECK ms (`tcppool`, on 8080)
cat > $L/haproxy.cfg <<EOF
global
  pidfile $L/haproxy.pid
defaults
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend web
  mode http
  bind 198.18.0.12:80
  default_backend pool
backend pool
  mode http
  option httpchk GET /index.html
  server web80 198.18.0.10:80 check inter ${HCHECK:-100}ms
listen tcppool
  mode tcp
  bind 198.18.0.12:8080
  server web8080 198.18.0.10:8080 check inter $((${HCHECK:-100}*4))ms
EOF
bg v $LIFE bash -c "cd $L/www && exec python3 -m http.server 80 --protocol HTTP/1.1 --bind 198.18.0.10" >/dev/null 2>&1
bg v $LIFE nginx -c "$L/nginx.conf" -g 'daemon off;' >/dev/null 2>&1
bg v $LIFE socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg s $LIFE socat TCP4-LISTEN:7007,fork,reuseaddr EXEC:cat >/dev/null 2>&1
sleep 1
bg h $LIFE haproxy -db -f "$L/haproxy.cfg" >/dev/null 2>&1
lab_capture b $LIFE br0 "$OUT" -s 96
sleep 1
bg c $LIFE bash -c 'end=$((SECONDS+${DUR:-900})); while [ $SECONDS -lt $end ]; do
    python3 -c "
import urllib.request,random
for i in range(random.randint(1,4)): urllib.request.urlopen(\"http://198.18.0.10/index.html\",timeout=2).read()
" 2>/dev/null
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
    [ $((RANDOM%3)) = 0 ] && curl -s -m 2 -o /dev/null http://198.18.0.12/index.html
    sleep 0.$((RANDOM%9+1)); done' >/dev/null 2>&1
CL=$BG_PID
bg k $((${DUR:-900}+5)) python3 "$HERE/resetclients.py" longconn 198.18.0.11 7007 --seconds "${DUR:-900}" >/dev/null 2>&1
KL=$BG_PID
nap "${GAP:-3}"
attack() { # LABEL COMMAND
  local label=$1 h=a srcs=198.18.0.66 src
  [[ $label == *@* ]] && h=${label##*@}
  [[ $label == *%* ]] && { srcs=${label##*%}; label=${label%%%*}; }
  lab_run "$h" "${TMO:-40}" bash -c "$2" >/dev/null 2>&1
  log "ran $label ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $2"
  if [[ $label == normal* ]]; then
    lab_episode "$L/normal" - normal "$RUN_S" "$RUN_E" "$2"
  else
    for src in ${srcs//,/ }; do
      lab_episode "$L/episodes" "$src" "$label" "$RUN_S" "$(plus "$RUN_E" 1)" "$2"
      [[ " $ATTS " == *" $src "* ]] || ATTS="$ATTS $src"
    done
  fi
  nap "${GAP:-3}"
}
ATTS="198.18.0.66"
: >"$L/episodes"; : >"$L/normal"
lab_lines "$CMDS" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" "$ATTS"
lab_json_array "$NRM" "$L/normal"
kill "$CL" "$KL" 2>/dev/null; nap 1; lab_capture_stop
