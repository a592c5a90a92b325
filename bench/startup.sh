#!/usr/bin/env bash
# Start-up to the first proxied 200, and idle resident memory, of `./keywarden serve` (the launcher, as a user
# starts it) against a fake upstream on loopback, with and without the launcher's AOT cache (JDK >= 25).
# For each run: the clock starts just before the launcher is exec'd; a client polls POST /v1/messages with a
# virtual key every 10 ms until the first 200; then the gateway idles BENCH_IDLE seconds (default 10) and its
# VmRSS is read. Runs alternate between the modes. Usage: bench/startup.sh [runs per mode, default 3]
# Environment: BENCH_MODES (default "aot noaot"), KEYWARDEN_JAVA_OPTS (passed to the launcher).
. "$(dirname "$0")/common.sh"
runs="${1:-3}"
idle="${BENCH_IDLE:-10}"
command -v curl >/dev/null || { echo "bench: curl missing (apt-get install -y curl)" >&2; exit 1; }
start_fake 18961
mkdir -p "$work/data"
export KEYWARDEN_TIERS_BENCH_REQUESTS_PER_MINUTE=0
env KEYWARDEN_DATA_DIR="$work/data" "$java" -jar "$jar" principals create --name bench --kind app --tier bench > /dev/null
vk="$(env KEYWARDEN_DATA_DIR="$work/data" "$java" -jar "$jar" keys create-virtual --name bench --principal bench 2>/dev/null | tail -1)"
if [[ " ${BENCH_MODES:-aot noaot} " == *" aot "* ]] && [ ! -f "$repo/target/keywarden.aot" -o "$jar" -nt "$repo/target/keywarden.aot" ]; then
  "$repo/keywarden" aot-cache
fi
body='{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hello from the benchmark"}]}'
for run in $(seq 1 "$runs"); do      # interleaved: a burst of load from elsewhere hits both modes, not one
  for mode in ${BENCH_MODES:-aot noaot}; do
    aot=auto; [ "$mode" = noaot ] && aot=off
    t0=$(date +%s%N)
    env ANTHROPIC_API_KEY="$provider_key" KEYWARDEN_UPSTREAM_URL="http://127.0.0.1:18961" KEYWARDEN_AOT="$aot" \
        KEYWARDEN_LISTEN="127.0.0.1:18962" KEYWARDEN_DATA_DIR="$work/data" KEYWARDEN_ADMIN_LISTEN="127.0.0.1:0" \
        "$repo/keywarden" serve > "$work/gateway.log" 2>&1 &
    pid=$!
    code=000
    for _ in $(seq 1 6000); do
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:18962/v1/messages -H "x-api-key: $vk" \
        -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' -d "$body" 2>/dev/null) || true
      [ "$code" = 200 ] && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.01
    done
    t1=$(date +%s%N)
    [ "$code" = 200 ] || { echo "bench: no 200 from the gateway (last status $code); log:" >&2; tail -5 "$work/gateway.log" >&2; kill "$pid" 2>/dev/null; exit 1; }
    sleep "$idle"
    printf '%-6s run %d: first 200 after %5d ms, idle RSS %4.0f MB (after %ss), threads %d, load average %s\n' "$mode" "$run" \
      $(( (t1 - t0) / 1000000 )) "$(awk '/VmRSS/ {print $2 / 1024}' "/proc/$pid/status")" "$idle" "$(ls "/proc/$pid/task" | wc -l)" \
      "$(cut -d' ' -f1 /proc/loadavg)"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
