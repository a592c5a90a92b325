#!/usr/bin/env bash
# Throughput of gateways in shared mode (store: postgres, state: redis), one instance vs two: one fake
# upstream; (a) one gateway under wrk -t2 -c64; (b) two gateways on two ports, each under its own wrk
# (-t1 -c32, so 64 connections in all, as in (a)) at the same time; req/s summed. Every call is decided
# in Redis (rate limits on a tier whose limits never refuse, all instances counting against the same
# principal) and its cost added to the principal's budgets in Redis; the script checks that the spend
# counted per successful call is the same with one and with two instances (no lost or doubled adds).
# Usage: bench/instances.sh [seconds per run, default 20]. Needs wrk, psql, redis-cli.
# Environment: BENCH_WARMUP (seconds, default 10), BENCH_POSTGRES_URL (jdbc:postgresql://127.0.0.1:5432/test),
# BENCH_POSTGRES_USER (postgres), BENCH_REDIS_URL (redis://127.0.0.1:6379/15: a Redis database that must
# be empty; the keys made in it are deleted at the end). A schema kw_bench_<random> is made and dropped.
. "$(dirname "$0")/common.sh"
secs="${1:-20}"
warm="${BENCH_WARMUP:-10}"
for tool in wrk psql redis-cli; do command -v "$tool" >/dev/null || { echo "bench: $tool missing" >&2; exit 1; }; done
pg_jdbc="${BENCH_POSTGRES_URL:-jdbc:postgresql://127.0.0.1:5432/test}"
pg_user="${BENCH_POSTGRES_USER:-postgres}"
redis_url="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}"
pg_cli="postgresql://$pg_user@$(printf '%s' "${pg_jdbc#jdbc:postgresql://}" | sed 's/?.*//')"
schema="kw_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"

keys_in_db=$(redis-cli -u "$redis_url" dbsize)
if [ "$keys_in_db" != 0 ]; then
  echo "bench: $redis_url holds $keys_in_db keys; give the benchmark an empty Redis database with BENCH_REDIS_URL" >&2
  exit 1
fi
psql -q "$pg_cli" -c "CREATE SCHEMA $schema"
shared_cleanup() {
  cleanup
  psql -q "$pg_cli" -c "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null || true
  # the database was empty when we started: every kw:* key in it is this run's
  redis-cli -u "$redis_url" --scan --pattern 'kw:*' | xargs -r -n 500 redis-cli -u "$redis_url" del > /dev/null || true
  rm -rf "$work"
}
trap shared_cleanup EXIT

# shared-mode settings of every instance and of the CLI; the tier never refuses (limits and budgets far
# above what this benchmark spends) so every call is decided and charged in Redis
export KEYWARDEN_STORE=postgres KEYWARDEN_POSTGRES_URL="$pg_jdbc$(case "$pg_jdbc" in *\?*) echo '&';; *) echo '?';; esac)currentSchema=$schema" KEYWARDEN_POSTGRES_USER="$pg_user"
export KEYWARDEN_STATE=redis KEYWARDEN_REDIS_URL="$redis_url" KEYWARDEN_CLUSTER_INSTANCES=2
export KEYWARDEN_SERVER_SECRET="$(head -c 32 /dev/urandom | base64 -w0)"
export KEYWARDEN_TIERS_BENCH_REQUESTS_PER_MINUTE=1000000000 KEYWARDEN_TIERS_BENCH_INPUT_TOKENS_PER_MINUTE=1000000000
export KEYWARDEN_TIERS_BENCH_OUTPUT_TOKENS_PER_MINUTE=1000000000 KEYWARDEN_TIERS_BENCH_CONCURRENT_REQUESTS=100000
export KEYWARDEN_TIERS_BENCH_DAILY_BUDGET_USD=1000000 KEYWARDEN_TIERS_BENCH_MONTHLY_BUDGET_USD=10000000

start_fake 18910
start_shared_gateway() { # n port
  mkdir -p "$work/data$1"
  env ANTHROPIC_API_KEY="$provider_key" KEYWARDEN_UPSTREAM_URL="http://127.0.0.1:18910" KEYWARDEN_LISTEN="127.0.0.1:$2" \
      KEYWARDEN_DATA_DIR="$work/data$1" KEYWARDEN_ADMIN_LISTEN="127.0.0.1:0" \
      "$java" ${GATEWAY_JAVA_OPTS:-} -jar "$jar" serve > "$work/gateway$1.log" 2>&1 &
  pids+=($!); wait_port "127.0.0.1:$2"
}
start_shared_gateway 1 18911
# one principal and one virtual key in the shared store, used through both instances
env KEYWARDEN_DATA_DIR="$work/data1" "$java" -jar "$jar" principals create --name bench --kind app --tier bench > /dev/null 2>> "$work/cli.log"
virtual_key="$(env KEYWARDEN_DATA_DIR="$work/data1" "$java" -jar "$jar" keys create-virtual --name bench --principal bench 2>> "$work/cli.log" | tail -1)"
export BENCH_BODY="$message_body" BENCH_KEY="$virtual_key"
lua="$(dirname "$0")/messages.lua"

# spend counted in Redis so far, in nano-dollars (each call adds to one daily and one monthly principal counter)
spend() {
  redis-cli -u "$redis_url" --scan --pattern 'kw:{budget}:s:principal:*' | xargs -r redis-cli -u "$redis_url" mget \
    | awk '{ s += $1 } END { printf "%d", s / 2 }'
}
# wrk output file -> "req/s ok non2xx" (ok = completed answers with status 2xx)
figures() {
  awk '/requests in/ { n = $1 } /Requests\/sec/ { r = $2 } /Non-2xx/ { e = $5 }
       END { printf "%s %d %d", r, n - e, e + 0 }' "$1"
}
check_spend() { # label spend_delta ok_calls
  awk -v l="$1" -v s="$2" -v n="$3" 'BEGIN { printf "%-13s spend counted in Redis: %d calls answered 200, USD %.6f, USD %.9f per call\n", l, n, s / 1e9, (n > 0 ? s / 1e9 / n : 0) }'
}

echo "# shared mode (store: postgres, state: redis); warm-up ${warm}s, runs of ${secs}s"
wrk -t2 -c64 -d"${warm}s" -s "$lua" http://127.0.0.1:18911/v1/messages > /dev/null
sleep 1; s0=$(spend)
wrk -t2 -c64 -d"${secs}s" -s "$lua" http://127.0.0.1:18911/v1/messages > "$work/one.txt"
sleep 1; s1=$(spend)
read -r one_rps one_ok one_err <<< "$(figures "$work/one.txt")"
printf 'one instance:  %8.0f req/s  (wrk -t2 -c64, non-2xx: %s)\n' "$one_rps" "$one_err"

start_shared_gateway 2 18912
wrk -t1 -c32 -d"${warm}s" -s "$lua" http://127.0.0.1:18912/v1/messages > /dev/null & wa=$!
wrk -t1 -c32 -d"${warm}s" -s "$lua" http://127.0.0.1:18911/v1/messages > /dev/null
wait "$wa"
sleep 1; s2=$(spend)
wrk -t1 -c32 -d"${secs}s" -s "$lua" http://127.0.0.1:18911/v1/messages > "$work/two-a.txt" & wa=$!
wrk -t1 -c32 -d"${secs}s" -s "$lua" http://127.0.0.1:18912/v1/messages > "$work/two-b.txt"
wait "$wa"
sleep 1; s3=$(spend)
read -r a_rps a_ok a_err <<< "$(figures "$work/two-a.txt")"
read -r b_rps b_ok b_err <<< "$(figures "$work/two-b.txt")"
awk -v a="$a_rps" -v b="$b_rps" -v ea="$a_err" -v eb="$b_err" \
  'BEGIN { printf "two instances: %8.0f req/s  (%.0f + %.0f; two wrk -t1 -c32 at once, non-2xx: %d + %d)\n", a + b, a, b, ea, eb }'
check_spend "one instance" $((s1 - s0)) "$one_ok"
check_spend "two instances" $((s3 - s2)) $((a_ok + b_ok))
awk -v s1=$((s1 - s0)) -v n1="$one_ok" -v s2=$((s3 - s2)) -v n2=$((a_ok + b_ok)) 'BEGIN { if (n1 > 0 && n2 > 0) {
  c = s1 / n1; printf "# spend per call, two instances vs one: %+.2f%% (Redis counted %d calls at the one-instance price, wrk saw %d answered;\n", 100 * (s2 / n2 - c) / c, s2 / c, n2
  print "# calls still in flight when wrk stops are served and counted but not seen by wrk: up to 64 per run)" } }'
grep -h -E "^[0-9:.]+ (ERROR|WARN) " "$work"/gateway*.log | cut -d' ' -f2- | cut -c1-160 | sort | uniq -c | head -5 \
  | sed 's/^/# gateway log: /' || true
