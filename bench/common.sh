# Shared helpers for the benchmark scripts (sourced, not run). Starts a fake upstream and a
# gateway on loopback with a run-time generated provider key and virtual key; stops both on exit.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$repo/.mvn/find-jdk.sh"
kw_find_jdk
"$repo/keywarden" --version >/dev/null           # builds target/keywarden.jar when stale
jar="$repo/target/keywarden.jar"
java="$JAVA_HOME/bin/java"
work="$(mktemp -d /tmp/keywarden-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# A provider key shaped like Anthropic's, generated now: nothing key-shaped is committed.
provider_key="sk-ant-api03-$(head -c 66 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')AA"

wait_port() { # host:port
  for _ in $(seq 1 600); do (echo > "/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: nothing listens on $1" >&2; exit 1
}

start_fake() { # port [extra fake-upstream args]
  local port="$1"; shift
  ${BENCH_JAVA_PREFIX:-} "$java" ${BENCH_FAKE_OPTS:--Xmx512m} -jar "$jar" fake-upstream --port "$port" --api-key "$provider_key" "$@" > "$work/fake.log" 2>&1 &
  pids+=($!); wait_port "127.0.0.1:$port"
}

start_gateway() { # port fake_port [extra env assignments...]
  local port="$1" fake="$2"; shift 2
  mkdir -p "$work/data"
  # rate limits stay on (each call is still decided and charged) on a tier without limits, so the
  # benchmark measures the gateway's overhead rather than its refusals
  export KEYWARDEN_TIERS_BENCH_REQUESTS_PER_MINUTE=0
  env KEYWARDEN_DATA_DIR="$work/data" "$java" -jar "$jar" principals create --name bench --kind app --tier bench > /dev/null
  virtual_key="$(env KEYWARDEN_DATA_DIR="$work/data" "$java" -jar "$jar" keys create-virtual --name bench --principal bench | tail -1)"
  env ANTHROPIC_API_KEY="$provider_key" KEYWARDEN_UPSTREAM_URL="http://127.0.0.1:$fake" \
      KEYWARDEN_LISTEN="127.0.0.1:$port" KEYWARDEN_DATA_DIR="$work/data" KEYWARDEN_ADMIN_LISTEN="127.0.0.1:0" "$@" \
      ${BENCH_JAVA_PREFIX:-} "$java" ${GATEWAY_JAVA_OPTS:-} -jar "$jar" serve > "$work/gateway.log" 2>&1 &
  gateway_pid=$!; pids+=($gateway_pid); wait_port "127.0.0.1:$port"
}

message_body='{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hello from the benchmark"}]}'
