#!/usr/bin/env bash
# Portal load benchmark (issue 4): a real porticod with the demo brand, a customer logged in (the
# session cookie), then `wrk -t1 -c32 -d10s --latency` with that cookie against the dashboard and
# the CDR page, and in the same run nginx serving a static page of similar size (the HTTPS anchor's
# nginx, 1 worker), and nginx serving that page over plain HTTP when the portal is measured over
# plain HTTP; over HTTPS also nginx (configured as the anchor's) serving a byte-for-byte copy of
# each measured page, the static page of the same size. Prints req/s, p99 and server CPU a
# request for each, and each page's ratios to nginx. Asserts nothing.
#
#   tests/bench/portal_load.sh                     # everything with the defaults below
#   RUNS=1 DURATION=5s tests/bench/portal_load.sh  # quicker
#   PAGES="dashboard=/ cdr=/cdr" SCHEME=https LISTEN_FLAG=--https-listen tests/bench/portal_load.sh
#   BASE_URL=http://127.0.0.1:8080 COOKIE='portico_session=...' tests/bench/portal_load.sh
#        (measure a porticod you started yourself; nothing is started, no login is tried)
#
# Parameters (environment):
#   PORTICOD      porticod binary (default: built with `cargo build --release -p porticod`)
#   SCHEME        http or https (default http; https needs LISTEN_FLAG=--https-listen: the demo
#                 brand's certificate comes from the --dev local CA, default_sni picks it)
#   LISTEN_FLAG   the daemon's listen flag for SCHEME (default --http-listen; for https
#                 --https-listen); PORTICOD_ARGS: more arguments for porticod
#   HOST          the portal name sent as Host (default portal.localhost, the demo brand)
#   PAGES         name=path pairs to measure (default "dashboard=/ cdr=/cdr"); a page that does not
#                 answer 200 with the cookie is reported and skipped, never measured
#   LOGIN_PATH    the login form (default /login). When it answers 200 with a password field, the
#                 script posts EMAIL_FIELD/PASSWORD_FIELD (default email/password) with the demo
#                 login that porticod --demo prints, plus every hidden input of the form (the CSRF
#                 token), and keeps the cookies it gets. When there is no login page yet, the pages
#                 are measured without a session (and the summary says so).
#   COOKIE        a Cookie header value to use instead of logging in
#   EXPECT        text a measured page must contain (e.g. the dashboard's heading), to be sure the
#                 session worked and the page is not the login form
#   ANCHOR        the HTTPS anchor script (default ../shared/tools/https_anchor.sh next to the
#                 repository, if there). Without it only the plain-HTTP nginx row is measured.
#   RUNS (3), DURATION (10s), WARMUP (3s), CONNS (32), THREADS (1), SERVER_CPU (0), WRK_CPU (1)
#   WORK          where logs and results go (default a new temporary directory, kept)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
SCHEME=${SCHEME:-http}
LISTEN_FLAG=${LISTEN_FLAG:---http-listen}
PORTICOD_ARGS=${PORTICOD_ARGS:-}
HOST=${HOST:-portal.localhost}
PAGES=${PAGES:-"dashboard=/ cdr=/cdr"}
LOGIN_PATH=${LOGIN_PATH:-/login}
EMAIL_FIELD=${EMAIL_FIELD:-email}
PASSWORD_FIELD=${PASSWORD_FIELD:-password}
COOKIE=${COOKIE:-}
EXPECT=${EXPECT:-}
BASE_URL=${BASE_URL:-}
ANCHOR=${ANCHOR:-$REPO/../shared/tools/https_anchor.sh}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/portal-load.XXXXXX")}
# nginx's worker (user nobody) reads the pages under it: mktemp makes it 0700.
mkdir -p "$WORK" && chmod 755 "$WORK"

STARTED=() # PIDs this script started
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

stop_pid() { # TERM, bounded wait, KILL: only PIDs this script started
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${STARTED[@]}"; do stop_pid "$p"; done
    ((rc == 0)) || log "exited with status $rc (logs in $WORK)"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_tools() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v curl >/dev/null || missing+=(curl)
    command -v taskset >/dev/null || missing+=(util-linux)
    command -v nginx >/dev/null || missing+=(nginx)
    ((${#missing[@]})) || return 0
    log "installing from Debian: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    # keep nginx's package from starting a system service on :80
    local policy=0
    if [[ ! -e /usr/sbin/policy-rc.d && $(id -u) -eq 0 ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
    ((policy == 0)) || rm -f /usr/sbin/policy-rc.d
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

curl_page() { # $1 path -> prints "status bytes" and writes the body to $WORK/page.html
    local args=(-sk --max-time 10 -o "$WORK/page.html" -w '%{http_code} %{size_download}\n' -H "Host: $HOST")
    [[ -z $COOKIE ]] || args+=(-H "Cookie: $COOKIE")
    curl "${args[@]}" "$BASE_URL$1" || echo "000 0"
}

# ---------------------------------------------------------------- the portal
start_porticod() {
    local port bin=${PORTICOD:-}
    if [[ -z $bin ]]; then
        log "building porticod (release)"
        (cd "$REPO" && cargo build --release --locked -q -p porticod)
        bin=${CARGO_TARGET_DIR:-$REPO/target}/release/porticod
    fi
    [[ -x $bin ]] || die "no porticod at $bin (set PORTICOD)"
    port=$(free_port)
    mkdir -p "$WORK/porticod"
    # --dev listens on 127.0.0.1:8080 (HTTP) and 127.0.0.1:8443 (HTTPS, the local CA) unless told
    # otherwise: the listener not measured gets a free port too, so a daemon someone else runs
    # on those ports does not stop this one. wrk sends no SNI: default_sni picks the demo
    # brand's certificate.
    local other_flag=--https-listen other_port
    [[ $LISTEN_FLAG != --https-listen ]] || other_flag=--http-listen
    other_port=$(free_port)
    printf '[tls]\ndefault_sni = "%s"\n' "$HOST" >"$WORK/porticod.toml"
    log "starting $bin --demo on 127.0.0.1:$port ($SCHEME), pinned to CPU $SERVER_CPU"
    # shellcheck disable=SC2086 # PORTICOD_ARGS is a list of words
    taskset -c "$SERVER_CPU" "$bin" --dev --demo --config "$WORK/porticod.toml" --data-dir "$WORK/porticod" \
        --admin-socket "$WORK/porticod/admin.sock" "$LISTEN_FLAG" "127.0.0.1:$port" \
        "$other_flag" "127.0.0.1:$other_port" $PORTICOD_ARGS \
        >"$WORK/porticod.out" 2>"$WORK/porticod.err" &
    SERVER_PID=$!
    STARTED+=("$SERVER_PID")
    BASE_URL=$SCHEME://127.0.0.1:$port
    local i code
    for ((i = 0; i < 200; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || die "porticod exited during start-up: $(cat "$WORK/porticod.err")"
        code=$(curl -sk --max-time 1 -o /dev/null -w '%{http_code}' "$BASE_URL/healthz" || true)
        [[ $code == 200 ]] && return 0
        sleep 0.1
    done
    die "porticod did not answer $BASE_URL/healthz within 20 s"
}

cookies_from() { # a headers file -> "name=value; ..." of its Set-Cookie lines (removals left out)
    tr -d '\r' <"$1" | awk 'tolower($1) == "set-cookie:" && tolower($0) !~ /max-age=0/ {
        c = $2; sub(/;.*/, "", c); printf "%s%s", (n++ ? "; " : ""), c }'
}

login() { # sets COOKIE from the demo login, when there is a login page
    # Session cookies are Secure (and __Host-): curl's cookie jar drops them over plain HTTP, so
    # the Set-Cookie headers are read by hand.
    local email password status form_cookie form=()
    email=$(sed -n 's/^ *Login: *\([^ ]*\).*/\1/p' "$WORK/porticod.out" | head -1)
    password=$(sed -n 's/^ *Password: *\([^ ]*\).*/\1/p' "$WORK/porticod.out" | head -1)
    status=$(curl -sk --max-time 10 -D "$WORK/login-form.headers" -o "$WORK/login.html" -w '%{http_code}' \
        -H "Host: $HOST" "$BASE_URL$LOGIN_PATH" || echo 000)
    if [[ $status != 200 ]] || ! grep -qi "name=\"$PASSWORD_FIELD\"" "$WORK/login.html"; then
        LOGIN_NOTE="no login page at $LOGIN_PATH yet (status $status): pages measured without a session"
        log "$LOGIN_NOTE"
        return 0
    fi
    [[ -n $email && -n $password ]] || die "porticod --demo printed no login (see $WORK/porticod.out)"
    form_cookie=$(cookies_from "$WORK/login-form.headers")
    # every hidden input of the form (the CSRF token) goes along
    while IFS= read -r pair; do form+=(--data-urlencode "$pair"); done < <(
        grep -io '<input[^>]*type="hidden"[^>]*>' "$WORK/login.html" |
            sed -n 's/.*name="\([^"]*\)".*value="\([^"]*\)".*/\1=\2/p; t; s/.*value="\([^"]*\)".*name="\([^"]*\)".*/\2=\1/p'
    )
    status=$(curl -sk --max-time 30 -D "$WORK/login-answer.headers" -o "$WORK/login-answer.html" -w '%{http_code}' \
        -H "Host: $HOST" -H "Origin: $SCHEME://$HOST" ${form_cookie:+-H "Cookie: $form_cookie"} \
        --data-urlencode "$EMAIL_FIELD=$email" --data-urlencode "$PASSWORD_FIELD=$password" "${form[@]}" \
        "$BASE_URL$LOGIN_PATH" || echo 000)
    [[ $status =~ ^(302|303)$ ]] || die "login answered $status, not a redirect (see $WORK/login-answer.*)"
    COOKIE=$(cookies_from "$WORK/login-answer.headers")
    [[ -n $COOKIE ]] || die "login set no cookie (see $WORK/login-answer.headers)"
    LOGIN_NOTE="logged in as $email; cookies: $(sed 's/=[^;]*/=…/g' <<<"$COOKIE")"
    log "$LOGIN_NOTE"
}

# ---------------------------------------------------------------- measuring
parse_wrk() { # wrk output on stdin -> "rps p99_ms errors"
    awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
         /^ +99%/ {p99 = ms($2)} /^Requests\/sec:/ {rps = $2}
         /Socket errors:/ {gsub(",", ""); err += $4 + $6 + $8 + $10} /Non-2xx or 3xx/ {err += $NF}
         END {printf "%.0f %.3f %d\n", rps, p99, err}'
}

# utime + stime of a process (all its threads), in clock ticks; 0 without a process
proc_ticks() { if [[ -n ${1:-} && -r /proc/$1/stat ]]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }
HZ=$(getconf CLK_TCK)

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

measure() { # $1 label $2 url $3 bytes [more wrk args...]: appends a row to $WORK/results.tsv
    # With CPU_PID set, the server's CPU time over each run is divided by the requests served:
    # microseconds of server CPU a request, the figure that other load on the machine disturbs
    # least.
    local label=$1 url=$2 bytes=$3 r out rps p99 err s0 s1 reqs us
    shift 3
    local cmd=(taskset -c "$WRK_CPU" wrk "-t$THREADS" "-c$CONNS" --latency "$@")
    echo "$label: ${cmd[*]} -d$DURATION $url" >>"$WORK/commands.txt"
    [[ $WARMUP == 0 ]] || "${cmd[@]}" "-d$WARMUP" "$url" >/dev/null 2>&1 || true
    : >"$WORK/runs.$label"
    for ((r = 1; r <= RUNS; r++)); do
        s0=$(proc_ticks "${CPU_PID:-}")
        out=$("${cmd[@]}" "-d$DURATION" "$url" 2>&1) || die "wrk failed: $out"
        s1=$(proc_ticks "${CPU_PID:-}")
        echo "$out" >"$WORK/wrk.$label.$r.txt"
        read -r rps p99 err < <(parse_wrk <<<"$out")
        reqs=$(awk '/ requests in / {print $1; exit}' <<<"$out")
        us=-
        if [[ -n ${CPU_PID:-} ]]; then
            us=$(awk -v d=$((s1 - s0)) -v hz="$HZ" -v n="${reqs:-0}" 'BEGIN {printf "%.0f", (n > 0 ? d / hz * 1e6 / n : 0)}')
        fi
        log "  $label run $r: $rps req/s, p99 $p99 ms, errors $err, server CPU $us us a request"
        printf '%s %s %s %s\n' "$rps" "$p99" "$err" "$us" >>"$WORK/runs.$label"
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$url" "$bytes" \
        "$(cut -d' ' -f1 "$WORK/runs.$label" | median)" \
        "$(cut -d' ' -f2 "$WORK/runs.$label" | median)" \
        "$(awk '{s += $3} END {print s + 0}' "$WORK/runs.$label")" \
        "$(if [[ -n ${CPU_PID:-} ]]; then cut -d' ' -f4 "$WORK/runs.$label" | median; else echo -; fi)" >>"$WORK/results.tsv"
}

measure_pages() {
    local pair name path status bytes args=()
    [[ -z $COOKIE ]] || args+=(-H "Cookie: $COOKIE")
    for pair in $PAGES; do
        name=${pair%%=*} path=${pair#*=}
        read -r status bytes < <(curl_page "$path")
        if [[ $status != 200 ]]; then
            log "$name ($path): status $status, not measured"
            printf '%s\t%s\t%s\tnot measured: status %s\n' "$name" "$path" "$bytes" "$status" >>"$WORK/skipped.tsv"
            continue
        fi
        if [[ -n $COOKIE ]] && grep -qi 'type="password"' "$WORK/page.html"; then
            die "$name ($path) answered the login form although logged in (saved in $WORK/page.html)"
        fi
        if [[ -n $EXPECT ]] && ! grep -qF -- "$EXPECT" "$WORK/page.html"; then
            die "$name ($path) answered 200 without \"$EXPECT\" (saved in $WORK/page.html): not logged in?"
        fi
        [[ -f $WORK/first-page.html ]] || cp "$WORK/page.html" "$WORK/first-page.html"
        mkdir -p "$WORK/pages" && cp "$WORK/page.html" "$WORK/pages/$name.html"
        log "== porticod $name $path ($bytes bytes)"
        CPU_PID=${SERVER_PID:-} measure "porticod-$name" "$BASE_URL$path" "$bytes" -H "Host: $HOST" "${args[@]}"
    done
}

# nginx serving the files under $1, 1 worker, pinned like porticod; $2 "http" or "https" (TLS 1.3
# with the anchor's ECDSA certificate, configured as the anchor configures it). Prints "PID PORT".
start_nginx() {
    local www=$1 scheme=$2 port conf pid dir listen tls=""
    port=$(free_port)
    dir=$WORK/nginx-$scheme
    mkdir -p "$dir/tmp" "$dir/logs"
    conf=$dir/nginx.conf
    listen="listen 127.0.0.1:$port;"
    if [[ $scheme == https ]]; then
        listen="listen 127.0.0.1:$port ssl http2;"
        tls="ssl_certificate $ANCHOR_CERTS/ecdsa.crt;
    ssl_certificate_key $ANCHOR_CERTS/ecdsa.key;
    ssl_protocols TLSv1.3;
    ssl_session_tickets off;
    ssl_session_cache off;"
    fi
    cat >"$conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  types { text/html html; }
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    $listen
    server_name $HOST;
    $tls
    root $www;
    index index.html;
  }
}
EOF
    taskset -c "$SERVER_CPU" nginx -c "$conf" -p "$dir/" -e "$dir/logs/error.log" \
        >"$dir/stdout.log" 2>&1 &
    pid=$!
    STARTED+=("$pid")
    local i
    for ((i = 0; i < 100; i++)); do
        [[ $(curl -sk --max-time 1 -o /dev/null -w '%{http_code}' -H "Host: $HOST" "$scheme://127.0.0.1:$port/") == 200 ]] && break
        kill -0 "$pid" 2>/dev/null || die "nginx exited: $(cat "$dir/logs/error.log")"
        sleep 0.1
    done
    NGINX_PID=$pid NGINX_PORT=$port
}

# nginx over plain HTTP on the anchor's page (or a page of the first measured page's size): the
# like-for-like row while the portal is measured over plain HTTP.
measure_nginx_http() {
    local www=$1
    start_nginx "$www" http
    log "== nginx-http (static $(stat -c %s "$www/index.html") bytes, 1 worker, CPU $SERVER_CPU)"
    # the worker (the one child of the master) serves; the master only waits
    CPU_PID=$(pgrep -P "$NGINX_PID" | head -1) measure nginx-http "http://127.0.0.1:$NGINX_PORT/" \
        "$(stat -c %s "$www/index.html")" -H "Host: $HOST"
    stop_pid "$NGINX_PID"
}

# The issue compares each page with nginx serving a static page of similar size. The anchor's page
# is ~6 KB; every measured page is also compared with nginx serving a byte-for-byte copy of it
# over HTTPS, configured as the anchor configures its nginx (column "vs same-size").
measure_nginx_copies() {
    # the anchor's ECDSA certificate (the anchor keeps it under its own work directory)
    local page name
    for ANCHOR_CERTS in "$WORK/anchor-certs" "$WORK/anchor/anchor-certs"; do
        [[ ! -s $ANCHOR_CERTS/ecdsa.crt ]] || break
    done
    [[ $SCHEME == https && -s $ANCHOR_CERTS/ecdsa.crt && -d $WORK/pages ]] || return 0
    cp "$WORK/anchor/www/index.html" "$WORK/pages/index.html"
    start_nginx "$WORK/pages" https
    for page in "$WORK"/pages/*.html; do
        name=$(basename "$page" .html)
        [[ $name != index ]] || continue
        log "== nginx-https serving a copy of $name ($(stat -c %s "$page") bytes)"
        CPU_PID=$(pgrep -P "$NGINX_PID" | head -1) measure "nginx-copy-$name" \
            "https://127.0.0.1:$NGINX_PORT/$name.html" "$(stat -c %s "$page")" -H "Host: $HOST"
    done
    stop_pid "$NGINX_PID"
}

run_anchor() { # the HTTPS anchor's nginx (1 worker, ECDSA, keep-alive), same wrk flags and CPUs
    if [[ ! -f $ANCHOR ]]; then
        ANCHOR_NOTE="HTTPS anchor not run: $ANCHOR not found (it is the team's shared tools/https_anchor.sh; pass ANCHOR=/path/to/https_anchor.sh)"
        log "$ANCHOR_NOTE"
        return 0
    fi
    log "== HTTPS anchor: $ANCHOR (nginx-w1, ECDSA, keep-alive)"
    SERVERS=nginx-w1 CERTS=ecdsa ECDSA_MODES=ka RUNS=$RUNS DURATION=$DURATION WARMUP=$WARMUP \
        CONNS=$CONNS THREADS=$THREADS SERVER_CPU=$SERVER_CPU WRK_CPU=$WRK_CPU \
        WORK=$WORK/anchor CERTDIR=$WORK/anchor-certs \
        bash "$ANCHOR" >"$WORK/anchor.log" 2>&1 || die "the anchor failed: $(tail -5 "$WORK/anchor.log")"
    awk -F'\t' -v url="https://127.0.0.1:18441/" -v bytes="$(stat -c %s "$WORK/anchor/www/index.html")" '
        $1 == "nginx-w1" && $3 == "ka" {n++; r[n] = $5; p[n] = $7; e += $8; if ($9 != "?" && $5 > 0) {m++; c[m] = $9 * 10000 / $5}}
        function med(a, m,   i, j, t) { for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) {t = a[i]; a[i] = a[j]; a[j] = t}
            return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
        END { if (n) printf "nginx-https\t%s\t%s\t%.0f\t%.3f\t%d\t%s\n", url, bytes, med(r, n), med(p, n), e, (m ? sprintf("%.0f", med(c, m)) : "-") }
    ' "$WORK/anchor/results.tsv" >>"$WORK/results.tsv"
}

summarize() {
    local nginx_http nginx_https
    nginx_http=$(awk -F'\t' '$1 == "nginx-http" {print $4}' "$WORK/results.tsv")
    nginx_https=$(awk -F'\t' '$1 == "nginx-https" {print $4}' "$WORK/results.tsv")
    {
        echo "Portal load  $(date -u +%FT%TZ)  $(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
        echo "server on CPU $SERVER_CPU, wrk on CPU $WRK_CPU; wrk -t$THREADS -c$CONNS -d$DURATION --latency, keep-alive; median of $RUNS runs"
        echo "portal: $SCHEME, Host $HOST; ${LOGIN_NOTE:-cookie given by COOKIE}"
        [[ -z ${ANCHOR_NOTE:-} ]] || echo "$ANCHOR_NOTE"
        echo
        printf '%-24s %7s %9s %8s %6s %12s %12s %12s %12s\n' what bytes 'req/s' 'p99 ms' errors 'vs nginx-http' 'vs nginx-https' 'vs same-size' 'srv us/req'
        awk -F'\t' -v h="${nginx_http:-0}" -v s="${nginx_https:-0}" '
            function ratio(x, base) { return base > 0 ? sprintf("%.2f", x / base) : "-" }
            { label[NR] = $1; bytes[NR] = $3; rps[NR] = $4; p99[NR] = $5; err[NR] = $6; us[NR] = $7; rate[$1] = $4 }
            END {
                for (i = 1; i <= NR; i++) {
                    copy = label[i]
                    same = "-"
                    if (sub(/^porticod-/, "nginx-copy-", copy) && (copy in rate)) same = ratio(rps[i], rate[copy])
                    printf "%-24s %7s %9s %8s %6s %12s %12s %12s %12s\n", label[i], bytes[i], rps[i], p99[i], err[i],
                        ratio(rps[i], h), ratio(rps[i], s), same, (us[i] == "" ? "-" : us[i])
                }
            }
        ' "$WORK/results.tsv"
        if [[ -s $WORK/skipped.tsv ]]; then
            echo
            awk -F'\t' '{printf "%s (%s): %s\n", $1, $2, $4}' "$WORK/skipped.tsv"
        fi
        echo
        echo "Goal (issue 4): the logged-in dashboard and CDR pages at no less than half of nginx's static"
        echo "rate over HTTPS (vs nginx-https >= 0.50). While the portal is plain HTTP, compare with nginx-http."
        echo "vs same-size: against nginx (configured as the anchor's) serving a copy of that very page over"
        echo "HTTPS: the static page of similar size, for pages far from the anchor's ~6 KB."
        echo "srv us/req: the server's CPU time over a run / the requests it served (1e6 / srv us/req is the"
        echo "rate with the server's core to itself; other load on the machine moves req/s more than this)."
        echo "raw: $WORK/results.tsv   wrk outputs: $WORK/wrk.*.txt   commands: $WORK/commands.txt"
    } | tee "$WORK/summary.txt"
}

main() {
    (($(nproc) >= 2)) || die "needs 2 CPUs for the server/wrk split"
    install_tools
    mkdir -p "$WORK"
    : >"$WORK/results.tsv"
    : >"$WORK/skipped.tsv"
    : >"$WORK/commands.txt"
    log "work directory: $WORK"
    if [[ -z $BASE_URL ]]; then
        start_porticod
        [[ -n $COOKIE ]] || login
    else
        LOGIN_NOTE="porticod at $BASE_URL started by you, $([[ -n $COOKIE ]] && echo "with the given cookie" || echo "no cookie")"
    fi
    measure_pages
    if [[ -n ${SERVER_PID:-} ]]; then
        stop_pid "$SERVER_PID"
    fi
    run_anchor
    local www=$WORK/anchor/www
    if [[ ! -f $www/index.html ]]; then
        # no anchor page: serve a copy of the first page measured, so the sizes match
        www=$WORK/www
        mkdir -p "$www"
        [[ -f $WORK/first-page.html ]] || die "no page answered 200: nothing to compare"
        cp "$WORK/first-page.html" "$www/index.html"
    fi
    [[ $SCHEME != http ]] || measure_nginx_http "$www"
    measure_nginx_copies
    summarize
}
main "$@"
