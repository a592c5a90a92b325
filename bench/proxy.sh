#!/usr/bin/env bash
# Gateway overhead: throughput (wrk, closed loop, 64 connections) and latency at a fixed, evenly
# spaced 1,000 requests/s (bench/FixedRate.java, open loop), each against the fake upstream directly
# and through the gateway. Usage: bench/proxy.sh [seconds per run, default 20]
# Needs: wrk (Debian package: apt-get install -y wrk).
. "$(dirname "$0")/common.sh"
secs="${1:-20}"
for tool in wrk; do command -v "$tool" >/dev/null || { echo "bench: $tool missing (apt-get install -y $tool)" >&2; exit 1; }; done

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

latency() { # label url key -> sets lat_p50 lat_p99
  local line
  line=$(BENCH_KEY="$3" "$java" "$(dirname "$0")/FixedRate.java" "$2" 1000 "$secs" 5)
  lat_p50=$(echo "$line" | sed -E 's/.* p50 ([0-9.]+) ms.*/\1/')
  lat_p99=$(echo "$line" | sed -E 's/.* p99 ([0-9.]+) ms.*/\1/')
  printf '%-8s %s\n' "$1" "$line"
}

echo "# warm-up (JIT), not reported"
BENCH_KEY="$provider_key" wrk -t2 -c64 -d10s -s "$(dirname "$0")/messages.lua" "$direct" > /dev/null
BENCH_KEY="$virtual_key" wrk -t2 -c64 -d15s -s "$(dirname "$0")/messages.lua" "$gateway" > /dev/null

echo "# throughput"
throughput direct "$direct" "$provider_key"
throughput gateway "$gateway" "$virtual_key"

echo "# latency at a fixed 1,000 req/s, evenly spaced (bench/FixedRate.java, after 5 s of warm-up at that rate)"
latency direct "$direct" "$provider_key"; d50=$lat_p50; d99=$lat_p99
latency gateway "$gateway" "$virtual_key"; g50=$lat_p50; g99=$lat_p99
awk -v a="$g50" -v b="$d50" -v c="$g99" -v d="$d99" \
  'BEGIN { printf "added by the gateway: p50 %.3f ms  p99 %.3f ms\n", a-b, c-d }'
