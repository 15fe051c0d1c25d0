#!/usr/bin/env bash
# CPU cost of the default perimeter filter chain per 4 KiB message (issue 4: under 50 µs at the data
# stage, without attachments), measured with JMH (bench/chain-jmh, not part of the normal build).
#
# Builds Moat (./mvnw install, tests skipped) and the JMH uber-jar, runs ChainCostBenchmark with the
# CPU-time profiler, then prints JMH's table and a summary: per message shape, the data stage and the
# whole transaction of the default chain minus the empty-chain baseline, as wall time and as CPU time.
#
# Usage: bench/chain-cost.sh [JMH OPTIONS...]
#   e.g. bench/chain-cost.sh -p message=text-plain      only the text/plain message
#        bench/chain-cost.sh -f 1 -wi 2 -i 3            a quick, less precise run
#        bench/chain-cost.sh -prof gc                   also allocation per operation
#   SKIP_BUILD=1 bench/chain-cost.sh                    reuse bench/chain-jmh/target/chain-jmh.jar
# Where the data stage goes, filter by filter (not run here; about 6 minutes):
#   java -jar bench/chain-jmh/target/chain-jmh.jar DataStageBreakdown -prof dev.moat.bench.chain.CpuTimeProfiler
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C.UTF-8   # JMH prints ±; numbers with a decimal point
JAR=bench/chain-jmh/target/chain-jmh.jar
OUT=bench/chain-jmh/target          # the full JMH log and the CSV results stay here

if [ "${SKIP_BUILD:-0}" != 1 ] || ! [ -f "$JAR" ]; then
  echo "==> building Moat (./mvnw -B -q -DskipTests install)"
  ./mvnw -B -q -DskipTests install
  echo "==> building the JMH jar (bench/chain-jmh)"
  (cd bench/chain-jmh && ../../mvnw -B -q clean package)   # clean: shade would keep stale Moat classes
fi

echo "==> $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes'),"\
     "$(java -version 2>&1 | head -1), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$OUT/chain-cost.csv"
set +e
java -jar "$JAR" ChainCostBenchmark -prof dev.moat.bench.chain.CpuTimeProfiler \
     -foe true -rf csv -rff "$OUT/chain-cost.csv" "$@" 2>&1 | tee "$OUT/chain-cost.log" \
  | grep --line-buffered -E '^(# (Benchmark|Parameters):|Iteration|Benchmark  |ChainCostBenchmark)'
status=${PIPESTATUS[0]}
set -e
if [ "$status" != 0 ] || ! [ -s "$OUT/chain-cost.csv" ]; then
  tail -40 "$OUT/chain-cost.log"
  echo "JMH failed (exit $status); the whole log is $OUT/chain-cost.log" >&2
  exit 1
fi
echo "==> load average after the run: $(cut -d' ' -f1-3 /proc/loadavg); full log: $OUT/chain-cost.log"

# chain-cost.csv: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: message"
awk -F, '
  NR == 1 { next }
  {
    for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
    name = $1; sub(/.*ChainCostBenchmark\./, "", name)
    metric = "wall"; if (index(name, ":") > 0) { metric = substr(name, index(name, ":") + 1); name = substr(name, 1, index(name, ":") - 1) }
    shape = $8; if (!(shape in seen)) { seen[shape] = 1; shapes[++n] = shape }
    score[name, metric, shape] = $5; err[name, metric, shape] = ($6 == "NaN" ? 0 : $6)
  }
  function has(b, m, s) { return ((b, m, s) in score) }
  function diff(label, b, base, m, mb, s,    d, e) {
    if (!has(b, m, s) || !has(base, mb, s)) return
    d = score[b, m, s] - score[base, mb, s]
    e = err[b, m, s] + err[base, mb, s]   # the two 99.9% half-widths added: conservative
    printf "  %-62s %8.2f ± %6.2f µs   (%.2f ± %.2f minus %.2f ± %.2f)\n", label, d, e,
           score[b, m, s], err[b, m, s], score[base, mb, s], err[base, mb, s]
    return d
  }
  END {
    for (k = 1; k <= n; k++) {
      s = shapes[k]
      printf "\n== message: %s (4096 bytes)\n", s
      diff("data stage, wall time (dataStageDefaultChain - emptyChainBaseline)", "dataStageDefaultChain", "emptyChainBaseline", "wall", "wall", s)
      cpu = diff("data stage, CPU time (cpu.call, same pair)", "dataStageDefaultChain", "emptyChainBaseline", "cpu.call", "cpu.call", s)
      diff("whole transaction, wall (wholeTransaction Default - Empty)", "wholeTransactionDefaultChain", "wholeTransactionEmptyChain", "wall", "wall", s)
      diff("whole transaction, CPU of the thread (cpu.thread)", "wholeTransactionDefaultChain", "wholeTransactionEmptyChain", "cpu.thread", "cpu.thread", s)
      diff("whole transaction, CPU of the JVM, GC+JIT too (cpu.process)", "wholeTransactionDefaultChain", "wholeTransactionEmptyChain", "cpu.process", "cpu.process", s)
      diff("data stage via the gateway FilterChain, wall (hand-off)", "dataStageViaFilterChain", "emptyChainBaseline", "wall", "wall", s)
      if (has("dataStageDefaultChain", "cpu.call", s) && has("emptyChainBaseline", "cpu.call", s))
        printf "  goal (issue 4): data-stage CPU < 50 µs per message -> %s (%.2f µs)\n", (cpu < 50 ? "MET" : "NOT MET"), cpu
    }
  }' "$OUT/chain-cost.csv"
