#!/usr/bin/env bash
# Whole-command measurements of `capsim run` (the engine alone is `capsim bench`):
#   memory:  peak RSS of an M/M/4 (rho 0.9) run of 10^6 and of 10^8 requests: flat if statistics
#            are streaming and requests are recycled;
#   scaling: an 8-replication run with --threads 1 and with --threads 2: wall time, speed-up, and
#            whether the two JSON results are byte-identical.
# usage: bash tools/bench_run.sh [CAPSIM]   (default build/tools/capsim; needs /usr/bin/time)
set -euo pipefail
capsim=${1:-build/tools/capsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# M/M/4 at rho 0.9: 3.6 requests/s, so `duration` seconds bring about 3.6 * duration requests.
mm4() {
  cat >"$work/mm4.json" <<JSON
{"name": "M/M/4 rho 0.9", "seed": 1, "duration": $1, "warmup": 0, "replications": $2,
 "nodes": [
  {"name": "users", "type": "source", "arrival": {"dist": "exponential", "rate": 3.6}, "to": "api"},
  {"name": "api", "type": "station", "servers": 4, "service": {"dist": "exponential", "mean": 1}, "to": "done"},
  {"name": "done", "type": "sink"}]}
JSON
}

peak_rss_mib() {  # peak RSS of one command, MiB
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null
  awk '{printf "%.1f", $1 / 1024}' "$work/rss"
}

seconds() {  # wall time of one command, s
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}'
}

echo "memory: capsim run, M/M/4 rho 0.9, 2 replications on one thread"
for requests in 1000000 100000000; do
  mm4 $((requests * 10 / 36)) 2
  rss=$(peak_rss_mib "$capsim" run "$work/mm4.json" --replications 2 --threads 1 --format json)
  printf '  %10d requests per replication: peak RSS %s MiB\n' "$requests" "$rss"
done

echo "scaling: capsim run, M/M/4 rho 0.9, 8 replications of 5*10^6 requests"
mm4 1388889 8
one=$(seconds "$capsim" run "$work/mm4.json" --threads 1 --format json --out "$work/one.json")
two=$(seconds "$capsim" run "$work/mm4.json" --threads 2 --format json --out "$work/two.json")
identical=no
cmp -s "$work/one.json" "$work/two.json" && identical=yes
awk -v a="$one" -v b="$two" -v same="$identical" 'BEGIN {
  printf "  1 thread %.2f s, 2 threads %.2f s: speed-up %.2fx; results byte-identical: %s\n", a, b, a / b, same }'
