#!/usr/bin/env bash
# Latency added by the vault: the same fixed 1,000 requests/s load (hey) through a gateway whose
# provider key comes from the environment (vault off) and through one whose key is stored
# envelope-encrypted (vault.kek=local; decrypted once, then cached for vault.cache_ttl).
# Usage: bench/vault.sh [seconds per run, default 20]. Needs wrk and hey (apt-get install -y wrk hey).
. "$(dirname "$0")/common.sh"
secs="${1:-20}"
printf '%s' "$message_body" > "$work/body.json"
export BENCH_BODY="$message_body"
start_fake 18961

run() { # label port [env...]
  local label="$1" port="$2"; shift 2
  start_gateway "$port" 18961 "$@"
  local url="http://127.0.0.1:$port/v1/messages"
  BENCH_KEY="$virtual_key" wrk -t2 -c64 -d15s -s "$(dirname "$0")/messages.lua" "$url" > /dev/null   # JIT warm-up
  hey -z "${secs}s" -c 50 -q 20 -m POST -T application/json -H "anthropic-version: 2023-06-01" \
      -H "x-api-key: $virtual_key" -D "$work/body.json" "$url" > "$work/hey-$label.txt"
  printf '%-10s p50 %.2f ms  p99 %.2f ms  (%s)\n' "$label" \
    "$(awk '/ 50% in/ {print $3*1000}' "$work/hey-$label.txt")" "$(awk '/ 99% in/ {print $3*1000}' "$work/hey-$label.txt")" \
    "$(awk '/Status code distribution/ {f=1; next} f && NF {printf "%s ", $0} f && !NF {f=0}' "$work/hey-$label.txt")"
  kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
  rm -rf "$work/data"
}

echo "# gateway latency at a fixed 1,000 req/s (hey -c 50 -q 20 -z ${secs}s)"
run vault-off 18962
run vault-on 18963 KEYWARDEN_VAULT_KEK=local
grep -h "imported ANTHROPIC_API_KEY" "$work/gateway.log" | sed 's/^/# /' || true
