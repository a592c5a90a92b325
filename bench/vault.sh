#!/usr/bin/env bash
# Latency added by the vault: the same fixed 1,000 requests/s load (bench/FixedRate.java) through a gateway whose
# provider key comes from the environment (vault off) and through one whose key is stored
# envelope-encrypted (vault.kek=local; decrypted once, then cached for vault.cache_ttl).
# Usage: bench/vault.sh [seconds per run, default 20] [requests per second, default 300]. Needs wrk (apt-get install -y wrk).
. "$(dirname "$0")/common.sh"
secs="${1:-20}"
rate="${2:-300}"
printf '%s' "$message_body" > "$work/body.json"
export BENCH_BODY="$message_body"
start_fake 18961

run() { # label port [env...]
  local label="$1" port="$2"; shift 2
  start_gateway "$port" 18961 "$@"
  local url="http://127.0.0.1:$port/v1/messages"
  BENCH_KEY="$virtual_key" wrk -t2 -c64 -d15s -s "$(dirname "$0")/messages.lua" "$url" > /dev/null   # JIT warm-up
  printf '%-10s %s\n' "$label" "$(BENCH_KEY="$virtual_key" "$java" "$(dirname "$0")/FixedRate.java" "$url" "$rate" "$secs" 5)"
  kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
  rm -rf "$work/data"
}

echo "# gateway latency at a fixed, evenly spaced ${rate} req/s for ${secs}s (bench/FixedRate.java)"
run vault-off 18962
run vault-on 18963 KEYWARDEN_VAULT_KEK=local
grep -h "imported ANTHROPIC_API_KEY" "$work/gateway.log" | sed 's/^/# /' || true
