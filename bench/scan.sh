#!/usr/bin/env bash
# Secret-scan speed: generates (at run time, under /tmp) a ~100 MB source-like tree and a
# 10,000-commit git history, plants generated secrets in both, then times
#   keywarden scan TREE          and   keywarden scan --git-history --repo REPO
# and checks that every planted secret was found.
# Usage: bench/scan.sh [tree megabytes, default 100] [commits, default 10000]
# Needs: git, awk (and a JDK >= 21, found like ./keywarden does).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$repo/.mvn/find-jdk.sh"
kw_find_jdk
"$repo/keywarden" --version >/dev/null           # builds target/keywarden.jar when stale
jar="$repo/target/keywarden.jar"
java="$JAVA_HOME/bin/java"
mb="${1:-100}"
commits="${2:-10000}"
work="$(mktemp -d /tmp/keywarden-scan-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# --- 1. the tree: files of ~50 KB of source-like lines (many mention key/token/secret, so the
#        generic rule's regex really runs), one generated secret planted in every 40th file.
files=$(( mb * 1024 / 50 ))
echo "bench: generating $files files (~${mb} MB) in $work/tree ..." >&2
mkdir -p "$work/tree"
awk -v files="$files" -v dir="$work/tree" -v seed="$RANDOM" '
  function rnd(n, alpha,   s, i) { s = ""; for (i = 0; i < n; i++) s = s substr(alpha, int(rand() * length(alpha)) + 1, 1); return s }
  BEGIN {
    srand(seed); b62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    planted = 0
    for (f = 0; f < files; f++) {
      sub_dir = dir "/pkg" int(f / 100); if (f % 100 == 0) system("mkdir -p " sub_dir)
      file = sub_dir "/Source" f ".java"
      for (l = 0; l < 700; l++) {
        if (l % 7 == 0)      printf "    private final TokenStore tokenStore%d = new TokenStore(config.key(\"k%d\"));\n", l, l > file
        else if (l % 7 == 3) printf "    // secret handling: the api key is read from the environment, line %d of %d\n", l, f > file
        else                 printf "    int value%d = compute(%d, \"a plain string literal number %d\");\n", l, l, f > file
      }
      if (f % 40 == 0) { printf "    String leaked = \"sk-ant-" "api03-%sAA\";\n", rnd(93, b62) > file; planted++ }
      close(file)
    }
    print planted > (dir "/../tree-planted")
  }'
# a binary file and an over-size file, which must be skipped
head -c 200000 /dev/urandom > "$work/tree/blob.bin"
tree_bytes=$(du -sb "$work/tree" | cut -f1)
tree_planted=$(cat "$work/tree-planted")

# --- 2. the history: $commits commits via git fast-import, each rewriting one of 200 files
#        (~40 lines), a generated GitHub token planted every 500 commits.
echo "bench: generating a $commits-commit history in $work/history ..." >&2
git init -q -b main "$work/history"
awk -v commits="$commits" -v seed="$RANDOM" '
  function rnd(n, alpha,   s, i) { s = ""; for (i = 0; i < n; i++) s = s substr(alpha, int(rand() * length(alpha)) + 1, 1); return s }
  BEGIN {
    srand(seed); b62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    planted = 0
    for (c = 1; c <= commits; c++) {
      body = ""
      for (l = 0; l < 40; l++) body = body sprintf("line %d of commit %d: token = lookup(\"name%d\"); value %d\n", l, c, l, rand() * 100000)
      if (c % 500 == 0) { body = body "GITHUB_TOKEN=gh" "p_" rnd(36, b62) "\n"; planted++ }
      msg = "commit " c "\n"
      printf "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.invalid> %d +0000\ndata %d\n%s", c, 1700000000 + c, length(msg), msg
      if (c > 1) printf "from :%d\n", c - 1
      printf "M 644 inline src/file%d.txt\ndata %d\n%s\n", c % 200, length(body), body
    }
    print planted > "/dev/stderr"
  }' 2> "$work/history-planted" | git -C "$work/history" fast-import --quiet
hist_planted=$(cat "$work/history-planted")

run() { # label expected-findings args...; sets last_ms (wall) and last_cpu (user+sys seconds)
  local label="$1" expected="$2"; shift 2
  local rc=0 found wall user sys
  TIMEFORMAT='%R %U %S'
  { time "$java" -jar "$jar" scan "$@" --format json --output "$work/out.json" 2> "$work/err.txt" || rc=$?; } 2> "$work/time.txt"
  read -r wall user sys < "$work/time.txt"
  last_ms=$(awk -v w="$wall" 'BEGIN { printf "%d", w * 1000 }')
  last_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
  found=$(grep -c '"ruleId"' "$work/out.json" || true)
  printf '%-8s %6d ms wall, %s s CPU (JVM start included)  exit %d  findings %d (planted %d)\n' \
    "$label" "$last_ms" "$last_cpu" "$rc" "$found" "$expected"
  sed 's/^/         /' "$work/err.txt"
  if [ "$found" -lt "$expected" ]; then echo "bench: $label missed planted secrets" >&2; exit 1; fi
}

echo "bench: machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), $("$java" -version 2>&1 | head -1)" >&2
run tree "$tree_planted" "$work/tree"
awk -v b="$tree_bytes" -v ms="$last_ms" 'BEGIN { printf "         tree: %.1f MB in %.2f s = %.0f MB/s\n", b / 1e6, ms / 1000, b / 1e6 / (ms / 1000) }'
run history "$hist_planted" --git-history --repo "$work/history"
awk -v n="$commits" -v ms="$last_ms" 'BEGIN { printf "         history: %d commits in %.2f s = %.0f commits/s\n", n, ms / 1000, n / (ms / 1000) }'
start=$(date +%s%N); git -C "$work/history" log -p -U0 --all --format=%H > /dev/null; end=$(date +%s%N)
echo "         (git log -p alone over that history: $(( (end - start) / 1000000 )) ms)"
