#!/usr/bin/env bash
# Side-by-side benchmark (issue 15), one command, loopback only, bounded time, cleans up:
#   floor        nginx answering /v1/messages itself with a fixed Messages body (JSON, or a 21-event
#                SSE stream when the request says accept: text/event-stream) — the upstream of all others
#   nginx-proxy  nginx as a plain reverse proxy in front of the floor (keep-alive upstream, no buffering)
#   portkey      the Portkey gateway (@portkey-ai/gateway, pinned in bench/node/package.json, on Node)
#   kw-default   Keywarden as shipped (guard, limits, budgets, audit, anomaly detection, metrics on)
#   kw-guard-off Keywarden with KEYWARDEN_GUARD_MODE=off
# and measures, with interleaved repetitions (each repetition runs every system once, in turn):
#   - saturation, JSON and streaming: wrk -t1 -c32 (closed loop), req/s of 2xx answers and CPU per call of the system
#     under test (utime+stime of its processes from /proc/PID/stat, before/after, divided by the calls);
#   - latency at evenly spaced 500, 1000 and 2000 req/s and bursty arrivals (1000 req/s in bursts of 10
#     requests sent at the same instant): bench/FixedRate.java, an open-loop Java client (virtual thread
#     per request, latency from the scheduled send time, so no coordinated omission). wrk2 is not in
#     Debian and wrk/h2load have no evenly spaced open-loop mode, hence the Java client.
# Prints medians and spreads (min–max over the repetitions), ratios against nginx, and writes a PNG chart
# (gnuplot) and the raw results to bench/out/.
#
# Usage: bench/compare.sh [--quick] [--reps N] [--secs S] [--only SYSTEM,SYSTEM]
#   --quick   a sanity run of about two minutes: one repetition, 3-second runs, 1000 req/s and bursts only
# Environment: BENCH_WARMUP (seconds of wrk load per system and body before measuring, default 15, quick 4),
#   BENCH_KEEP=1 (keep the work directory with logs and configs), BENCH_MAX_SECONDS (hard bound on the whole run, default 2400), BENCH_PORT_BASE (19410),
#   BENCH_OUT_DIR (bench/out), GATEWAY_JAVA_OPTS (extra JVM options for both Keywarden instances).
# Needs (installed with apt-get/npm when missing and running as root): wrk, nginx-light,
#   nghttp2-client (h2load, used by bench/streams.sh), gnuplot-nox, nodejs + npm.
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$bench/.." && pwd)"

cmdline="bench/compare.sh $*"
quick=0; reps=3; secs=10; lat_secs=10; lat_warm=3; rates="500 1000 2000"; burst=10; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; reps=1; secs=3; lat_secs=4; lat_warm=1; rates="1000" ;;
    --reps) reps="$2"; shift ;;
    --secs) secs="$2"; lat_secs="$2"; shift ;;
    --only) only="$2"; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "compare: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# ---- tools -------------------------------------------------------------------------------------------
need() { # command debian-package
  command -v "$1" >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "# installing $2 (for $1)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
  fi
  command -v "$1" >/dev/null || { echo "compare: $1 missing: apt-get install -y $2" >&2; exit 1; }
}
need gawk gawk
awk() { gawk "$@"; }   # asort: Debian's default awk (mawk) lacks it
need wrk wrk
need nginx nginx-light
need h2load nghttp2-client
need gnuplot gnuplot-nox
need node nodejs
need npm npm
portkey_js="$bench/node/node_modules/@portkey-ai/gateway/build/start-server.js"
if [ ! -f "$portkey_js" ]; then
  echo "# installing @portkey-ai/gateway into bench/node (npm ci)" >&2
  (cd "$bench/node" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >&2)
fi
. "$repo/.mvn/find-jdk.sh"
kw_find_jdk
"$repo/keywarden" --version >/dev/null   # builds target/keywarden.jar when stale
if [ "${KW_JAVA_MAJOR:-0}" -ge 25 ] && [ "${KEYWARDEN_AOT:-auto}" != off ] \
   && { [ ! -f "$repo/target/keywarden.aot" ] || [ "$repo/target/keywarden.jar" -nt "$repo/target/keywarden.aot" ]; }; then
  "$repo/keywarden" aot-cache   # the launcher's start-up cache, built now rather than inside a timed start
fi
jar="$repo/target/keywarden.jar"
java="$JAVA_HOME/bin/java"
hz=$(getconf CLK_TCK)

# ---- bounded time and clean-up -----------------------------------------------------------------------
work="$(mktemp -d /tmp/keywarden-compare.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "compare: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "compare: stopped" >&2; exit 130' INT TERM
max_seconds="${BENCH_MAX_SECONDS:-2400}"
( sleep "$max_seconds"; echo "compare: over BENCH_MAX_SECONDS=$max_seconds, stopping" >&2; kill -TERM $$ 2>/dev/null ) &
watchdog=$!
pids+=("$watchdog")

base="${BENCH_PORT_BASE:-19410}"
p_floor=$base; p_nproxy=$((base + 1)); p_portkey=$((base + 2)); p_kw=$((base + 3)); p_kwoff=$((base + 4))
for p in $p_floor $p_nproxy $p_portkey $p_kw $p_kwoff; do
  if (echo > "/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "compare: port $p is in use (set BENCH_PORT_BASE)" >&2; exit 1; fi
done
wait_port() { # port pid
  for _ in $(seq 1 1200); do
    (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "compare: the process for port $1 died" >&2; return 1; }
    sleep 0.1
  done
  echo "compare: nothing listens on 127.0.0.1:$1" >&2; return 1
}

# A provider key shaped like Anthropic's, generated now: nothing key-shaped is committed.
provider_key="sk-ant-api03-$(head -c 66 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')AA"
json_body='{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hello from the benchmark"}]}'
sse_body='{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hello from the benchmark"}]}'

# ---- nginx: the floor and the proxy (two instances, so each one's CPU is its own) --------------------
nginx_string() { # file -> the file as an nginx single-quoted string body
  sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$1" | awk 'BEGIN { ORS = "" } { print $0 "\\n" }'
}
start_nginx() { # name port server-block...
  local name="$1" port="$2" dir="$work/$1"; shift 2
  mkdir -p "$dir/tmp"
  local user=""; [ "$(id -u)" = 0 ] && user="user root;"
  cat > "$dir/nginx.conf" <<EOF
daemon off; master_process on; worker_processes auto; $user
pid $dir/nginx.pid; error_log $dir/error.log warn;
events { worker_connections 16384; }
http {
  access_log off; keepalive_requests 100000000; keepalive_timeout 300s;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy;
  client_body_buffer_size 64k;
  $*
}
EOF
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
  local pid=$!; pids+=("$pid"); sys_pid[$name]=$pid
  wait_port "$port" "$pid"
}

declare -A sys_pid sys_url sys_key sys_headers
systems=()
add_system() { systems+=("$1"); sys_url[$1]="$2"; sys_key[$1]="$3"; sys_headers[$1]="${4:-}"; }

echo "# starting: nginx floor, nginx proxy, Portkey, Keywarden (defaults), Keywarden (guardrails off)" >&2
start_nginx floor "$p_floor" "server { listen 127.0.0.1:$p_floor backlog=4096;
    location /v1/messages {
      if (\$http_accept ~* event-stream) { rewrite ^ /__sse last; }
      default_type application/json;
      return 200 '$(nginx_string "$bench/floor/message.json")';
    }
    location = /__sse { internal; default_type 'text/event-stream; charset=utf-8';
      return 200 '$(nginx_string "$bench/floor/stream.sse")'; }
  }"
add_system floor "http://127.0.0.1:$p_floor/v1/messages" "$provider_key"

start_nginx nginx-proxy "$p_nproxy" "upstream floor { server 127.0.0.1:$p_floor; keepalive 256; }
  server { listen 127.0.0.1:$p_nproxy backlog=4096;
    location / { proxy_pass http://floor; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_buffering off; }
  }"
add_system nginx-proxy "http://127.0.0.1:$p_nproxy/v1/messages" "$provider_key"

NODE_ENV=production node "$portkey_js" --port="$p_portkey" --headless > "$work/portkey.log" 2>&1 &
sys_pid[portkey]=$!; pids+=("${sys_pid[portkey]}")
wait_port "$p_portkey" "${sys_pid[portkey]}"
add_system portkey "http://127.0.0.1:$p_portkey/v1/messages" "$provider_key" \
  "x-portkey-provider: anthropic|x-portkey-custom-host: http://127.0.0.1:$p_floor/v1"

start_keywarden() { # name port [env assignments...]
  local name="$1" port="$2" dir="$work/$1"; shift 2
  mkdir -p "$dir/data"
  # rate limits stay on (each call is decided and charged) on a tier without limits
  export KEYWARDEN_TIERS_BENCH_REQUESTS_PER_MINUTE=0
  env KEYWARDEN_DATA_DIR="$dir/data" "$java" -jar "$jar" principals create --name bench --kind app --tier bench > /dev/null
  local vk
  vk="$(env KEYWARDEN_DATA_DIR="$dir/data" "$java" -jar "$jar" keys create-virtual --name bench --principal bench | tail -1)"
  env ANTHROPIC_API_KEY="$provider_key" KEYWARDEN_UPSTREAM_URL="http://127.0.0.1:$p_floor" \
      KEYWARDEN_LISTEN="127.0.0.1:$port" KEYWARDEN_DATA_DIR="$dir/data" KEYWARDEN_ADMIN_LISTEN="127.0.0.1:0" "$@" \
      KEYWARDEN_JAVA_OPTS="${GATEWAY_JAVA_OPTS:-}" "$repo/keywarden" serve > "$dir/gateway.log" 2>&1 &
  local pid=$!; pids+=("$pid"); sys_pid[$name]=$pid
  wait_port "$port" "$pid"
  add_system "$name" "http://127.0.0.1:$port/v1/messages" "$vk"
}
start_keywarden kw-default "$p_kw"
start_keywarden kw-guard-off "$p_kwoff" KEYWARDEN_GUARD_MODE=off

if [ -n "$only" ]; then
  keep=(); for s in "${systems[@]}"; do case ",$only," in *",$s,"*) keep+=("$s") ;; esac; done; systems=("${keep[@]}")
fi

# ---- measuring -----------------------------------------------------------------------------------------
tree_pids() { # pid -> pid and its descendants
  local p; echo "$1"; for p in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$p"; done
}
ticks_of() { # pid -> utime+stime of it and its descendants, in clock ticks
  local t=0 p s
  for p in $(tree_pids "$1"); do
    s=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $s; t=$((t + ${12} + ${13}))
  done
  echo "$t"
}
results="$work/results.txt"; : > "$results"
client_env() { # system kind -> runs the rest of the command with the client's environment
  local s="$1" kind="$2"; shift 2
  local body="$json_body" accept=""
  [ "$kind" = sse ] && { body="$sse_body"; accept="text/event-stream"; }
  BENCH_KEY="${sys_key[$s]}" BENCH_BODY="$body" BENCH_ACCEPT="$accept" BENCH_HEADERS="${sys_headers[$s]}" "$@"
}
saturation() { # system kind rep [report]
  local s="$1" kind="$2" rep="$3" t0 t1 out="$work/wrk.txt"
  t0=$(ticks_of "${sys_pid[$s]}")
  client_env "$s" "$kind" timeout $((secs + 30)) wrk -t1 -c32 -d"${secs}s" -s "$bench/compare.lua" "${sys_url[$s]}" > "$out" 2>&1 || true
  t1=$(ticks_of "${sys_pid[$s]}")
  [ "${4:-}" = report ] || return 0
  awk -v s="$s" -v k="$kind" -v r="$rep" -v dt=$((t1 - t0)) -v hz="$hz" '
    /requests in/ { n = $1 } /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    /Socket errors/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
    END { ok = n > 0 ? rps * (n - bad) / n : 0   # req/s of 2xx answers only: a fast 500 is not throughput
          printf "sat %s %s %s %.0f %.1f %d %d\n", k, s, r, ok, (n > 0 ? dt * 1e6 / hz / n : 0), bad + 0, err + 0 }' "$out" >> "$results"
  tail -1 "$results" >&2
}
javac_done=0
latency() { # system rate burst rep
  local s="$1" rate="$2" b="$3" rep="$4" line
  if [ "$javac_done" = 0 ]; then "$JAVA_HOME/bin/javac" -d "$work/classes" "$bench/FixedRate.java"; javac_done=1; fi
  line=$(client_env "$s" json timeout $((lat_secs + lat_warm + 120)) "$java" -cp "$work/classes" FixedRate \
    "${sys_url[$s]}" "$rate" "$lat_secs" "$lat_warm" "$b" 2>&1 | tail -1) || true
  echo "$line" | awk -v s="$s" -v r="$rate" -v b="$b" -v rep="$rep" '
    /p50/ { for (i = 1; i <= NF; i++) { if ($i == "p50") a = $(i+1); if ($i == "p90") c = $(i+1); if ($i == "p99") d = $(i+1);
            if ($i == "p99.9") e = $(i+1); if ($i == "errors") f = $(i+1) }
            printf "lat %s/b%s %s %s %s %s %s %s %s\n", r, b, s, rep, a, c, d, e, f }' >> "$results"
  tail -1 "$results" >&2
}

# a JVM on a busy 2-CPU machine needs seconds of load before C2 has compiled the hot paths
warm="${BENCH_WARMUP:-$((quick ? 4 : 15))}"
echo "# warm-up (JIT, connection pools): ${warm}s per system and body, not reported" >&2
for s in "${systems[@]}"; do
  for kind in json sse; do secs_saved=$secs; secs=$warm; saturation "$s" "$kind" 0; secs=$secs_saved; done
done

echo "# saturation: wrk -t1 -c32 -d${secs}s, $reps interleaved repetitions" >&2
for rep in $(seq 1 "$reps"); do
  for kind in json sse; do
    for s in "${systems[@]}"; do
      saturation "$s" "$kind" "$rep" report
    done
  done
done
sat_json() { awk -v s="$1" '$1 == "sat" && $2 == "json" && $3 == s { v[n++] = $5 } END { asort(v); print n ? v[int((n+1)/2)] : 0 }' "$results"; }

echo "# latency: bench/FixedRate.java, ${lat_secs}s per run after ${lat_warm}s at the rate, $reps interleaved repetitions" >&2
for rep in $(seq 1 "$reps"); do
  for rb in $(for r in $rates; do echo "$r/1"; done) "1000/$burst"; do
    for s in "${systems[@]}"; do
      rate=${rb%/*}; b=${rb#*/}
      # a rate above 80 % of what the system sustains only measures its queue (and would take minutes)
      if awk -v r="$rate" -v m="$(sat_json "$s")" 'BEGIN { exit !(r > 0.8 * m) }'; then
        [ "$rep" = 1 ] && echo "lat $rate/b$b $s skipped: above 80 % of its saturation ($(sat_json "$s") req/s)" >&2
        continue
      fi
      latency "$s" "$rate" "$b" "$rep"
    done
  done
done

# ---- report ------------------------------------------------------------------------------------------------
out_dir="${BENCH_OUT_DIR:-$bench/out}"; mkdir -p "$out_dir"
stamp=$(date -u +%Y%m%d-%H%M%S)
cp "$results" "$out_dir/compare-$stamp.txt"
{
  echo
  echo "Keywarden side-by-side benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: $cmdline (reps $reps, ${secs}s saturation runs, ${lat_secs}s latency runs)"
  echo "medians over the repetitions, [min–max] spread; ratios are against nginx as a proxy (JSON and streaming)"
  echo
  printf '%-13s | %-24s %-7s %-9s | %-24s %-7s %-9s | %s\n' system "JSON 2xx/s" "×nginx" "µs/call" "stream 2xx/s" "×nginx" "µs/call" "non-2xx json/stream"
  for s in "${systems[@]}"; do
    line="$(printf '%-13s |' "$s")"
    for kind in json sse; do
      read -r m lo hi < <(awk -v s="$s" -v k="$kind" '$1 == "sat" && $2 == k && $3 == s { v[n++] = $5 } END { if (!n) { print "0 0 0"; exit } asort(v); print (n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2), v[1], v[n] }' "$results")
      read -r nm _ _ < <(awk -v k="$kind" '$1 == "sat" && $2 == k && $3 == "nginx-proxy" { v[n++] = $5 } END { if (!n) { print "0 0 0"; exit } asort(v); print (n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2), 0, 0 }' "$results")
      read -r cpu _ _ < <(awk -v s="$s" -v k="$kind" '$1 == "sat" && $2 == k && $3 == s { v[n++] = $6 } END { if (!n) { print "0 0 0"; exit } asort(v); print (n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2), 0, 0 }' "$results")
      line+="$(awk -v m="$m" -v lo="$lo" -v hi="$hi" -v nm="$nm" -v c="$cpu" 'BEGIN { printf " %8.0f [%6.0f–%6.0f] %-7s %-9s |", m, lo, hi, (nm > 0 ? sprintf("%.2f", m / nm) : "-"), sprintf("%.1f", c) }')"
    done
    line+="$(awk -v s="$s" '$1 == "sat" && $3 == s { if ($2 == "json") j += $7 + $8; else t += $7 + $8 } END { printf " %d / %d", j, t }' "$results")"
    echo "$line"
  done
  echo
  echo "latency (ms) of JSON calls at a fixed rate, from the scheduled send time; added = system − floor (same run, medians)"
  printf '%-10s %-13s | %-7s %-7s %-7s %-8s | %-9s %-9s | %s\n' rate system p50 p90 p99 p99.9 "added p50" "added p99" "errors / goal (added p99 ≤ 1.5 × nginx's + 0.5 ms)"
  for rb in $(for r in $rates; do echo "$r/b1"; done) "1000/b$burst"; do
    read -r f50 _ _ < <(awk -v k="$rb" '$1 == "lat" && $2 == k && $3 == "floor" { v[n++] = $5 } END { asort(v); print n ? v[int((n+1)/2)] : "nan", 0, 0 }' "$results")
    read -r f99 _ _ < <(awk -v k="$rb" '$1 == "lat" && $2 == k && $3 == "floor" { v[n++] = $7 } END { asort(v); print n ? v[int((n+1)/2)] : "nan", 0, 0 }' "$results")
    read -r n99 _ _ < <(awk -v k="$rb" '$1 == "lat" && $2 == k && $3 == "nginx-proxy" { v[n++] = $7 } END { asort(v); print n ? v[int((n+1)/2)] : "nan", 0, 0 }' "$results")
    label="${rb%/b*}/s"; [ "${rb#*/b}" != 1 ] && label="${rb%/b*}/s ×${rb#*/b}"
    for s in "${systems[@]}"; do
      awk -v k="$rb" -v s="$s" -v lbl="$label" -v f50="$f50" -v f99="$f99" -v n99="$n99" '
        $1 == "lat" && $2 == k && $3 == s { a[n] = $5; b[n] = $6; c[n] = $7; d[n] = $8; e += $9; n++ }
        function med(x,   m, i, t) { m = 0; for (i in x) t[++m] = x[i]; asort(t); return m % 2 ? t[(m+1)/2] : (t[m/2] + t[m/2+1]) / 2 }
        function spread(x,   lo, hi, i) { lo = 1e18; hi = -1; for (i in x) { if (x[i] < lo) lo = x[i]; if (x[i] > hi) hi = x[i] } return n > 1 ? sprintf("[%.2f–%.2f]", lo, hi) : "" }
        END {
          if (!n) { printf "%-10s %-13s | skipped (above 80 %% of its saturation)\n", lbl, s; exit }
          p50 = med(a); p99 = med(c); goal = ""
          if (s != "floor" && s != "nginx-proxy" && n99 != "nan" && f99 != "nan")
            goal = (p99 - f99 <= 1.5 * (n99 - f99) + 0.5) ? "met" : sprintf("not met (limit %.2f)", 1.5 * (n99 - f99) + 0.5)
          printf "%-10s %-13s | %-7.2f %-7.2f %-7.2f %-8.2f | %-9s %-9s | %d %s %s\n", lbl, s, p50, med(b), p99, med(d),
            s == "floor" ? "" : sprintf("%+.2f", p50 - f50), s == "floor" ? "" : sprintf("%+.2f", p99 - f99), e, goal, spread(c) ? "p99 " spread(c) : "" }' "$results"
    done
  done
} | tee "$out_dir/compare-$stamp.table"

# ---- chart ------------------------------------------------------------------------------------------------
dat="$work/chart.dat"
for s in "${systems[@]}"; do
  awk -v s="$s" '
    $1 == "lat" && $2 == "1000/b1" && $3 == s { a[n] = $5; b[n] = $6; c[n] = $7; d[n] = $8; n++ }
    function med(x,   m, i, t) { m = 0; for (i in x) t[++m] = x[i]; asort(t); return m % 2 ? t[(m+1)/2] : (t[m/2] + t[m/2+1]) / 2 }
    END { if (n) printf "%s %.3f %.3f %.3f %.3f\n", s, med(a), med(b), med(c), med(d) }' "$results"
done > "$dat"
satdat="$work/sat.dat"
for s in "${systems[@]}"; do
  awk -v s="$s" '$1 == "sat" && $3 == s { if ($2 == "json") j[nj++] = $5; else t[nt++] = $5 }
    function med(x, m,   i, u) { if (!m) return 0; for (i in x) u[i+1] = x[i]; asort(u); return m % 2 ? u[(m+1)/2] : (u[m/2] + u[m/2+1]) / 2 }
    END { printf "%s %.0f %.0f\n", s, med(j, nj), med(t, nt) }' "$results"
done > "$satdat"
png="$out_dir/compare-$stamp.png"
gnuplot <<EOF
set terminal pngcairo size 1400,600 noenhanced font ",10"
set output "$png"
set multiplot layout 1,2 title "Keywarden side by side ($(date -u +%Y-%m-%d), $(nproc) CPUs, load at end $(cut -d' ' -f1 /proc/loadavg); bench/compare.sh)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set grid ytics
set xtics rotate by -20
set title "saturation, wrk -t1 -c32 (2xx answers/s, median)"
set logscale y
plot "$satdat" using 2:xtic(1) title "JSON", "" using 3 title "streaming (21 events)"
set title "latency at 1000 req/s, evenly spaced (ms, median of runs)"
plot "$dat" using 2:xtic(1) title "p50", "" using 3 title "p90", "" using 4 title "p99", "" using 5 title "p99.9"
unset multiplot
EOF
echo
echo "raw results: $out_dir/compare-$stamp.txt   table: $out_dir/compare-$stamp.table   chart: $png"
for s in "${systems[@]}"; do
  case "$s" in kw-*) grep -m3 -E "ERROR|Exception" "$work/$s/gateway.log" >&2 || true ;; esac
done
kill "$watchdog" 2>/dev/null || true
