#!/usr/bin/env bash
# End-to-end benchmark of Moat's inline relay, measured side by side with the direct path.
#
#   smtp-source ──► Moat (inline route) ──► smtp-sink      "moat"
#   smtp-source ───────────────────────────► smtp-sink      "direct" (the physical limit)
#
# Each scenario runs ROUNDS times, moat and direct alternating, and prints the medians, the ratio
# moat/direct, the added latency per message (1 session), Moat's CPU milliseconds per message and
# its peak RSS. The machine is shared and noisy: read the ratios, not the absolute figures.
#
# Usage: bench/inline-relay.sh [ROUNDS]      (default 3; needs root for apt-get if postfix is missing)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
MOAT_PORT=${MOAT_PORT:-26250}
SINK_PORT=${SINK_PORT:-26251}
WORK=$(mktemp -d /tmp/moat-bench.XXXXXX)

if ! [ -x /usr/sbin/smtp-source ] || ! [ -x /usr/sbin/smtp-sink ]; then
  echo "==> installing Debian's postfix package for smtp-source and smtp-sink (Postfix itself is not started)"
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq && apt-get install -y -qq --no-install-recommends postfix >/dev/null
fi
if ! [ -x distribution/target/moat/bin/moat ]; then
  echo "==> building Moat"
  ./mvnw -B -q -DskipTests package
fi

cat > "$WORK/moat.yaml" <<YAML
server:
  hostname: bench.moat.test
  data-directory: $WORK/data
listeners:
  - name: bench
    address: 127.0.0.1:$MOAT_PORT
limits:
  max-connections: 1000
  max-connections-per-ip: 1000
routes:
  - domains: [sink.test]
    mode: inline
    next-hops: ["smtp://127.0.0.1:$SINK_PORT"]
    tls: {mode: none}
YAML

cleanup() {
  [ -n "${MOAT_PID:-}" ] && kill "$MOAT_PID" 2>/dev/null || true
  [ -n "${SINK_PID:-}" ] && kill "$SINK_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

/usr/sbin/smtp-sink -u nobody 127.0.0.1:$SINK_PORT 1000 & SINK_PID=$!
# Per-message INFO log lines are part of real operation; they go to a file, as they would in production.
MOAT_JAVA_OPTS="${MOAT_JAVA_OPTS:--Xms64m -Xmx256m}" distribution/target/moat/bin/moat --config "$WORK/moat.yaml" > "$WORK/moat.log" 2>&1 & MOAT_PID=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$MOAT_PORT) 2>/dev/null && break; sleep 0.1; done

cpu_ticks() { awk '{print $14+$15}' /proc/$MOAT_PID/stat; }
rate() { # port count args... -> messages per second
  local port=$1 count=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  /usr/sbin/smtp-source "$@" -m "$count" -f bench@source.test -t rcpt@sink.test 127.0.0.1:$port
  t1=$(date +%s.%N)
  echo "$count / ($t1 - $t0)" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# warm up the JIT so the first scenario is not measuring the compiler
rate $MOAT_PORT 5000 -s 20 -l 4096 -d > /dev/null

printf '%-34s %10s %10s %7s %10s %12s\n' scenario "moat/s" "direct/s" ratio "cpu ms/msg" "added ms/msg"
scenario() { # name count smtp-source-args...
  local name=$1 count=$2; shift 2
  local m=() d=() c=() r
  for _ in $(seq "$ROUNDS"); do
    local c0 c1
    c0=$(cpu_ticks)
    r=$(rate $MOAT_PORT "$count" "$@"); m+=("$r")
    c1=$(cpu_ticks)
    c+=("$(echo "($c1 - $c0) * 10 / $count" | bc -l)")
    d+=("$(rate $SINK_PORT "$count" "$@")")
  done
  local mm dm cm
  mm=$(printf '%s\n' "${m[@]}" | median)
  dm=$(printf '%s\n' "${d[@]}" | median)
  cm=$(printf '%s\n' "${c[@]}" | median)
  printf '%-34s %10.0f %10.0f %7.3f %10.3f %12.3f\n' "$name" "$mm" "$dm" "$(echo "$mm/$dm" | bc -l)" "$cm" \
    "$(echo "1000/$mm - 1000/$dm" | bc -l)"
}

scenario "20 sessions x 4 KiB (-d)"       20000 -s 20 -l 4096 -d
scenario "1 session x 4 KiB (-d)"          2000 -s 1 -l 4096 -d
scenario "100 sessions x 4 KiB (-d)"      20000 -s 100 -l 4096 -d
scenario "20 sessions x 100 KiB (-d)"      2000 -s 20 -l 102400 -d
scenario "20 sessions x 4 KiB, 1 msg/conn" 5000 -s 20 -l 4096

echo "peak RSS of Moat: $(awk '/VmHWM/ {print $2, $3}' /proc/$MOAT_PID/status) (MOAT_JAVA_OPTS=${MOAT_JAVA_OPTS:--Xms64m -Xmx256m})"
echo "errors in Moat's log: $(grep -c -E ' (ERROR|WARN) ' "$WORK/moat.log" || true)"
rm -rf "$WORK/data"
