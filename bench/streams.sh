#!/usr/bin/env bash
# N concurrent SSE streams held through a gateway started with its DEFAULT settings (no -Xmx, the default
# upstream.max_connections), each about 40 s long (the fake upstream paces 200 text deltas at 5 per second).
# Reports how long it took to open them all, the gateway's resident memory (VmRSS, and VmHWM: the peak)
# and threads while all are open, how many were refused (529 at the upstream cap) or failed.
# Usage: bench/streams.sh [streams, default 10000]   (GATEWAY_JAVA_OPTS adds JVM options, e.g. -Xmx256m)
# Each held stream uses two file descriptors in the gateway (client and upstream sockets) and one in the
# load generator and the fake upstream each: the script raises its open-file limit to the hard limit.
. "$(dirname "$0")/common.sh"
streams="${1:-10000}"
ulimit -n "$(ulimit -Hn)"
need=$((2 * streams + 1000))
[ "$(ulimit -n)" -ge "$need" ] || echo "bench: open-file limit $(ulimit -n) is below the $need the gateway needs for $streams streams (raise the hard limit)" >&2
BENCH_FAKE_OPTS="-Xmx2g" start_fake 18941 --tokens-per-second 5
start_gateway 18942 18941 KEYWARDEN_UPSTREAM_FORWARD_HEADERS="x-fake-*"   # SseHold asks for the slow scenario
echo "gateway before the streams: RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$gateway_pid/status), threads $(ls /proc/$gateway_pid/task | wc -l)"
BENCH_KEY="$virtual_key" "$java" -Xmx2g "$(dirname "$0")/SseHold.java" http://127.0.0.1:18942/v1/messages "$streams" 180 \
  > "$work/hold.txt" 2>&1 &
client=$!
for _ in $(seq 1 300); do grep -q "^established" "$work/hold.txt" && break; sleep 0.5; done
cat "$work/hold.txt"
sleep 3
echo "gateway while the streams are open: RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$gateway_pid/status)," \
  "peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$gateway_pid/status), threads $(ls /proc/$gateway_pid/task | wc -l)," \
  "open files $(ls /proc/$gateway_pid/fd | wc -l)"
wait "$client" && status=0 || status=$?
tail -n +2 "$work/hold.txt" | grep -v "^established" || true
echo "gateway after: peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$gateway_pid/status)"
grep -E "OutOfMemory|ERROR|Too many open files" "$work/gateway.log" | head -3 || true
exit "$status"
