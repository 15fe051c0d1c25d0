#!/usr/bin/env bash
# End-to-end benchmark of Moat's durable queue beside the inline relay and the direct path.
#
#   smtp-source ──► Moat (queue route, queue on disk)  ──► smtp-sink    "queue"
#   smtp-source ──► Moat (queue route, queue on tmpfs) ──► smtp-sink    "queue, no fsync cost"
#   smtp-source ──► Moat (inline route)                ──► smtp-sink    "inline"
#   smtp-source ─────────────────────────────────────────► smtp-sink    "direct" (the physical limit)
#
# For the queue two rates are reported: "accepted" (smtp-source's rate: every 250 came after the
# message and envelope were fsynced and renamed into the queue) and "delivered" (from the start of
# the load until the queue is empty again, i.e. every message also reached smtp-sink). The tmpfs
# instance is the same code on a file system where fsync costs nothing: the difference is the
# price of durability. Each scenario runs ROUNDS times, all paths alternating; medians and ratios
# to direct are printed. The machine is shared and noisy: read the ratios, not the absolute figures.
#
# Usage: bench/queue.sh [ROUNDS]      (default 3; needs root for apt-get if postfix is missing)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${1:-3}
DISK_PORT=${DISK_PORT:-26260}
SHM_PORT=${SHM_PORT:-26261}
SINK_PORT=${SINK_PORT:-26262}
WORK=$(mktemp -d /tmp/moat-bench-queue.XXXXXX)     # the disk under test (/tmp here is on the root fs)
SHM=$(mktemp -d /dev/shm/moat-bench-queue.XXXXXX)  # tmpfs: fsync is free

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

config() { # port data-directory
  cat <<YAML
server:
  hostname: bench.moat.test
  data-directory: $2
listeners:
  - name: bench
    address: 127.0.0.1:$1
admin:
  enabled: false   # two instances run side by side; the admin port would collide
limits:
  max-connections: 1000
  max-connections-per-ip: 1000
queue:
  concurrency: ${CONCURRENCY:-8}
routes:
  - domains: [queue.test]
    mode: queue
    next-hops: ["smtp://127.0.0.1:$SINK_PORT"]
    tls: {mode: none}
  - domains: [inline.test]
    mode: inline
    next-hops: ["smtp://127.0.0.1:$SINK_PORT"]
    tls: {mode: none}
YAML
}
config $DISK_PORT "$WORK/data" > "$WORK/disk.yaml"
config $SHM_PORT "$SHM/data" > "$WORK/shm.yaml"

cleanup() {
  for p in ${DISK_PID:-} ${SHM_PID:-} ${SINK_PID:-}; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK" "$SHM"
}
trap cleanup EXIT

/usr/sbin/smtp-sink -u nobody 127.0.0.1:$SINK_PORT 1000 & SINK_PID=$!
OPTS="${MOAT_JAVA_OPTS:--Xms64m -Xmx256m}"
MOAT_JAVA_OPTS="$OPTS" distribution/target/moat/bin/moat --config "$WORK/disk.yaml" > "$WORK/disk.log" 2>&1 & DISK_PID=$!
MOAT_JAVA_OPTS="$OPTS" distribution/target/moat/bin/moat --config "$WORK/shm.yaml" > "$WORK/shm.log" 2>&1 & SHM_PID=$!
for port in $DISK_PORT $SHM_PORT; do
  for _ in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done

now() { date +%s.%N; }
queued() { find "$1/data/queue/msg" -name '*.msg' 2>/dev/null | wc -l; }
# run: port count rcpt args... -> "accepted/s delivered/s" (delivered = until the queue is empty)
run() {
  local port=$1 count=$2 rcpt=$3 root=${4:-}; shift 4
  local t0 t1 t2
  t0=$(now)
  /usr/sbin/smtp-source "$@" -m "$count" -f bench@source.test -t "$rcpt" 127.0.0.1:$port
  t1=$(now)
  if [ -n "$root" ]; then
    while [ "$(queued "$root")" -gt 0 ]; do sleep 0.02; done
  fi
  t2=$(now)
  echo "$(echo "$count / ($t1 - $t0)" | bc -l) $(echo "$count / ($t2 - $t0)" | bc -l)"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# warm up both JITs, both paths
run $DISK_PORT 3000 rcpt@queue.test "$WORK" -s 20 -l 4096 -d > /dev/null
run $SHM_PORT 3000 rcpt@queue.test "$SHM" -s 20 -l 4096 -d > /dev/null
run $DISK_PORT 3000 rcpt@inline.test "" -s 20 -l 4096 -d > /dev/null

printf '%-28s %9s %9s %9s %9s %9s %9s | %7s %7s %7s %7s %7s\n' scenario direct/s inline/s "q acc/s" "q dlv/s" \
  "tmpfs acc" "tmpfs dlv" inline "q acc" "q dlv" "t acc" "t dlv"
scenario() { # name count smtp-source-args...
  local name=$1 count=$2; shift 2
  local d=() i=() qa=() qd=() ta=() td=() r
  for _ in $(seq "$ROUNDS"); do
    d+=("$(run $SINK_PORT "$count" rcpt@queue.test "" "$@" | cut -d' ' -f1)")
    i+=("$(run $DISK_PORT "$count" rcpt@inline.test "" "$@" | cut -d' ' -f1)")
    r=$(run $DISK_PORT "$count" rcpt@queue.test "$WORK" "$@"); qa+=("${r% *}"); qd+=("${r#* }")
    r=$(run $SHM_PORT "$count" rcpt@queue.test "$SHM" "$@"); ta+=("${r% *}"); td+=("${r#* }")
  done
  local D I QA QD TA TD
  D=$(printf '%s\n' "${d[@]}" | median); I=$(printf '%s\n' "${i[@]}" | median)
  QA=$(printf '%s\n' "${qa[@]}" | median); QD=$(printf '%s\n' "${qd[@]}" | median)
  TA=$(printf '%s\n' "${ta[@]}" | median); TD=$(printf '%s\n' "${td[@]}" | median)
  printf '%-28s %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f | %7.3f %7.3f %7.3f %7.3f %7.3f\n' "$name" "$D" "$I" "$QA" "$QD" "$TA" "$TD" \
    "$(echo "$I/$D" | bc -l)" "$(echo "$QA/$D" | bc -l)" "$(echo "$QD/$D" | bc -l)" "$(echo "$TA/$D" | bc -l)" "$(echo "$TD/$D" | bc -l)"
}

scenario "20 sessions x 4 KiB (-d)"   5000 -s 20 -l 4096 -d
scenario "1 session x 4 KiB (-d)"     1000 -s 1 -l 4096 -d
scenario "100 sessions x 4 KiB (-d)"  5000 -s 100 -l 4096 -d
scenario "20 sessions x 100 KiB (-d)" 1000 -s 20 -l 102400 -d

echo "ratios are to direct; q = queue on disk ($(df --output=fstype "$WORK" | tail -1)), t = queue on tmpfs (no fsync cost)"
echo "peak RSS: disk instance $(awk '/VmHWM/ {print $2, $3}' /proc/$DISK_PID/status), tmpfs instance $(awk '/VmHWM/ {print $2, $3}' /proc/$SHM_PID/status)"
echo "errors in Moat's logs: $(cat "$WORK/disk.log" "$WORK/shm.log" | grep -c -E ' (ERROR|WARN) ' || true)"
