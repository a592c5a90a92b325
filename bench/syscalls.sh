#!/usr/bin/env bash
# System calls of the gateway per JSON call: strace -f -c attached to the gateway while curl sends CALLS
# keep-alive POST /v1/messages on one connection (after two warm-up rounds), against the fake upstream.
# Usage: bench/syscalls.sh [calls, default 200]   Needs: strace, curl (and ptrace permission).
. "$(dirname "$0")/common.sh"
n="${1:-200}"
for tool in strace curl; do command -v "$tool" >/dev/null || { echo "bench: $tool missing (apt-get install -y $tool)" >&2; exit 1; }; done
start_fake 18981
start_gateway 18982 18981
urls=(); for _ in $(seq 1 "$n"); do urls+=("http://127.0.0.1:18982/v1/messages"); done
calls() { curl -s -o /dev/null -H "x-api-key: $virtual_key" -H 'anthropic-version: 2023-06-01' \
  -H 'content-type: application/json' --data "$message_body" "${urls[@]}"; }
calls; calls
strace -f -c -e trace=write,writev,sendto,sendmsg,read,readv,recvfrom,epoll_wait,futex -p "$gateway_pid" -o "$work/strace.txt" 2>/dev/null &
tracer=$!; sleep 2
calls
sleep 1; kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true
echo "gateway system calls for $n keep-alive JSON calls (strace -f -c):"
cat "$work/strace.txt"
awk -v n="$n" '$NF ~ /^(writev|write|read|futex|epoll_wait)$/ { printf "  %-11s %.2f per call\n", $NF, $4 / n }' "$work/strace.txt"
