#!/usr/bin/env bash
# 1,000 concurrent SSE streams held through the gateway (each about 40 s long: the fake upstream
# paces 200 text deltas at 5 per second), with the gateway's heap capped at 256 MB (-Xmx256m).
# While every stream is open, the script forces a full GC and reports the live heap (jcmd).
# Usage: bench/sse-hold.sh [streams, default 1000]
. "$(dirname "$0")/common.sh"
streams="${1:-1000}"
start_fake 18931 --tokens-per-second 5
GATEWAY_JAVA_OPTS="-Xmx256m ${GATEWAY_JAVA_OPTS:-}" start_gateway 18932 18931 KEYWARDEN_UPSTREAM_FORWARD_HEADERS="x-fake-*"
jcmd="$JAVA_HOME/bin/jcmd"
BENCH_KEY="$virtual_key" "$java" "$(dirname "$0")/SseHold.java" http://127.0.0.1:18932/v1/messages "$streams" 120 \
  > "$work/hold.txt" 2>&1 &
client=$!
for _ in $(seq 1 240); do grep -q "^established" "$work/hold.txt" && break; sleep 0.5; done
cat "$work/hold.txt"
sleep 5
"$jcmd" "$gateway_pid" GC.run > /dev/null
echo "gateway heap while $streams streams are open (after a full GC):"
"$jcmd" "$gateway_pid" GC.heap_info | sed -n '1,3p'
echo "gateway resident memory: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$gateway_pid/status), threads: $(ls /proc/$gateway_pid/task | wc -l)"
wait "$client" && status=0 || status=$?
tail -n +2 "$work/hold.txt" | grep -v "^established" || true
grep -E "OutOfMemory|ERROR" "$work/gateway.log" | head -3 || true
exit "$status"
