#!/bin/sh
# CPU time of each thread of the bundled `score` command (Linux: /proc):
#   sh packages/scoring/bench/thread-cpu.sh <dist/score.js> <input.jsonl> <output.jsonl>
# The command's wall time is set by its slower thread, and on a shared machine
# wall time mostly measures the load; the scoring (main) thread's CPU is the
# figure to compare. Runs node with the package script's flags under
# /usr/bin/time and samples /proc/<pid>/task/*/stat every 0.25 s (a thread's
# last sample before it ends counts). Not a test: nothing asserts a time.
set -e
script=$1 input=$2 output=$3
/usr/bin/time -f "%e s wall, %U s user + %S s system, peak %M kB" \
  node --max-semi-space-size=128 --min-semi-space-size=64 "$script" "$input" --out "$output" &
timer=$!
sleep 0.3
pid=$(pgrep -P $timer)
samples=$(mktemp)
while kill -0 "$pid" 2>/dev/null; do
  for t in /proc/"$pid"/task/*; do
    echo "$(basename "$t") $(cut -d')' -f2 "$t"/stat 2>/dev/null | awk '{print $12 + $13}')"
  done >>"$samples" 2>/dev/null || true
  sleep 0.25
done
wait $timer
# The main thread has the process id; the parsing thread is the busiest other
# one; the rest are V8's garbage-collector helpers and libuv.
awk -v hz="$(getconf CLK_TCK)" -v p="$pid" '$2 != "" { if ($2 > m[$1]) m[$1] = $2 }
  END { s = 0; q = 0; o = 0
        for (k in m) { if (k == p) s = m[k]; else { o += m[k]; if (m[k] > q) q = m[k] } }
        printf "threads: scoring (main) %.2f s, parsing %.2f s, others (GC helpers) %.2f s\n", s / hz, q / hz, (o - q) / hz }' "$samples"
rm -f "$samples"
