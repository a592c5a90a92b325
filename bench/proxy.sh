#!/usr/bin/env bash
# Gateway overhead: throughput (wrk, closed loop) and latency at a fixed 1,000 requests/s (hey),
# each measured against the fake upstream directly and through the gateway.
# Usage: bench/proxy.sh [seconds per run, default 20]
# Needs: wrk and hey (Debian packages: apt-get install -y wrk hey).
. "$(dirname "$0")/common.sh"
secs="${1:-20}"
for tool in wrk hey; do command -v "$tool" >/dev/null || { echo "bench: $tool missing (apt-get install -y $tool)" >&2; exit 1; }; done

start_fake 18901
start_gateway 18902 18901
direct="http://127.0.0.1:18901/v1/messages"
gateway="http://127.0.0.1:18902/v1/messages"
export BENCH_BODY="$message_body"
printf '%s' "$message_body" > "$work/body.json"

throughput() { # label url key
  BENCH_KEY="$3" wrk -t2 -c64 -d"${secs}s" -s "$(dirname "$0")/messages.lua" "$2" > "$work/wrk.txt"
  local rps non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt"); non2xx=${non2xx:-0}
  printf '%-8s throughput: %8.0f req/s  (wrk -t2 -c64 -d%ss, non-2xx: %s)\n' "$1" "$rps" "$secs" "$non2xx"
}

latency() { # label url key -> prints p50 p99 in ms; sets lat_p50 lat_p99
  hey -z "${secs}s" -c 50 -q 20 -m POST -T application/json -H "anthropic-version: 2023-06-01" \
      -H "x-api-key: $3" -D "$work/body.json" "$2" > "$work/hey.txt"
  lat_p50=$(awk '/ 50% in/ {print $3*1000}' "$work/hey.txt")
  lat_p99=$(awk '/ 99% in/ {print $3*1000}' "$work/hey.txt")
  local rps codes
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/hey.txt")
  codes=$(awk '/Status code distribution/ {f=1; next} f && NF {printf "%s ", $0} f && !NF {f=0}' "$work/hey.txt")
  printf '%-8s at %6.0f req/s: p50 %.2f ms  p99 %.2f ms  (%s)\n' "$1" "$rps" "$lat_p50" "$lat_p99" "$codes"
}

echo "# warm-up (JIT), not reported"
BENCH_KEY="$provider_key" wrk -t2 -c64 -d10s -s "$(dirname "$0")/messages.lua" "$direct" > /dev/null
BENCH_KEY="$virtual_key" wrk -t2 -c64 -d15s -s "$(dirname "$0")/messages.lua" "$gateway" > /dev/null

echo "# throughput"
throughput direct "$direct" "$provider_key"
throughput gateway "$gateway" "$virtual_key"

echo "# latency at a fixed 1,000 req/s (hey -c 50 -q 20)"
latency direct "$direct" "$provider_key"; d50=$lat_p50; d99=$lat_p99
latency gateway "$gateway" "$virtual_key"; g50=$lat_p50; g99=$lat_p99
awk -v a="$g50" -v b="$d50" -v c="$g99" -v d="$d99" \
  'BEGIN { printf "added by the gateway: p50 %.2f ms  p99 %.2f ms\n", a-b, c-d }'
