# Sourced by ./keywarden, ./run-tests and .ci/run: sets JAVA_HOME to a JDK >= 21 (and KW_JAVA_MAJOR to its version).
# Order: $JAVA_HOME when it is >= 21, else the newest JDK >= 21 under /usr/lib/jvm
# (or $KEYWARDEN_JVM_DIR). Fails with one clear line when there is none.
kw_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -1 | sed 's/^1\.//'
}
kw_find_jdk() {
  local min=21 best="" best_v=0 v d
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(kw_java_major "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then export KW_JAVA_MAJOR="$v"; return 0; fi
  fi
  for d in "${KEYWARDEN_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    [ -L "$d" ] && continue
    v=$(kw_java_major "$d/bin/java")
    [ -n "$v" ] || continue
    if [ "$v" -ge "$min" ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "keywarden: no JDK >= $min found (JAVA_HOME=${JAVA_HOME:-unset}, searched ${KEYWARDEN_JVM_DIR:-/usr/lib/jvm}); install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME to it" >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export KW_JAVA_MAJOR="$best_v"
}
# The JVM options every keywarden process gets: on JDK >= 23, --sun-misc-unsafe-memory-access=allow, so
# dependencies that still use sun.misc.Unsafe (protobuf through Tink, Netty through Lettuce) do not print
# JDK 24+'s deprecation warnings on a user's terminal. Java code starting the jar uses Launcher.jvmOptions().
kw_jvm_opts() {
  local v="${KW_JAVA_MAJOR:-}"
  [ -n "$v" ] || v=$(kw_java_major "$JAVA_HOME/bin/java")
  if [ -n "$v" ] && [ "$v" -ge 23 ]; then printf '%s\n' "--sun-misc-unsafe-memory-access=allow"; fi
}
