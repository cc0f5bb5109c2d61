#!/usr/bin/env bash
# End-to-end checks of tools/plot_sweep.py on real `capsim sweep` output: every kind of plot
# from CSV and JSON, a two-parameter sweep for the heatmap, and bad input (exit 2, one line
# naming the valid choices).
# Usage: test_plots.sh PATH_TO_CAPSIM PROJECT_SOURCE_DIR
set -u
# shellcheck source=SCRIPTDIR/../support/shell_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"

read_arguments "$@"
PLOT="$SOURCE_DIR/tools/plot_sweep.py"
SCENARIO="$SOURCE_DIR/scenarios/web_slo.json"
# Short runs: the plots only need a few points with confidence intervals.
SHORT=(--duration 20 --warmup 5 --replications 3)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsim_plots.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
export MPLBACKEND=Agg PYTHONDONTWRITEBYTECODE=1  # nothing written into the source tree

# A plot: exit 0, PREFIX.png a real PNG over 10 kB, PREFIX.svg an SVG document.
expect_plot() {  # expect_plot PREFIX DESCRIPTION
  local png="$1.png" svg="$1.svg"
  if [[ $rc -ne 0 ]]; then
    fail "$2: exit code $rc, expected 0"
    show
    return
  fi
  if [[ ! -f $png ]]; then
    fail "$2: $png not written"
  else
    local size signature
    size=$(stat -c %s "$png")
    signature=$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')
    [[ $signature == 89504e470d0a1a0a ]] || fail "$2: $png lacks the PNG signature (found $signature)"
    [[ $size -gt 10240 ]] || fail "$2: $png is $size bytes, expected more than 10 kB (an empty plot?)"
  fi
  if [[ ! -f $svg ]]; then
    fail "$2: $svg not written"
  else
    grep -q "<svg" "$svg" || fail "$2: $svg contains no <svg element"
  fi
  compgen -G "$(dirname "$1")/.*.tmp" >/dev/null && fail "$2: a temporary file was left behind"
}

# Bad input: exit 2, one line on stderr containing TEXT, nothing written.
expect_bad_input() {  # expect_bad_input TEXT DESCRIPTION ARGS...
  local text=$1 what=$2
  shift 2
  run_command "$PLOT" "$@" --out "$TMP/bad"
  if [[ $rc -ne 2 ]]; then
    fail "$what: exit code $rc, expected 2"
    show
    return
  fi
  grep -qF -- "$text" "$TMP/err" || { fail "$what: stderr lacks \"$text\""; show; }
  [[ $(grep -c . "$TMP/err") -eq 1 ]] || { fail "$what: expected one line on stderr"; show; }
  [[ ! -e $TMP/bad.png ]] || fail "$what: wrote $TMP/bad.png anyway"
}

# --- One varied parameter: latency curves and utilization bars ----------------------------
run_command "$CAPSIM" sweep "$SCENARIO" --vary nodes.users.arrival.rate=100:550:50 "${SHORT[@]}" --out "$TMP/curve.csv"
if [[ $rc -ne 0 || ! -f $TMP/curve.csv || ! -f $TMP/curve.json ]]; then
  fail "capsim sweep: exit code $rc, expected 0 and curve.csv + curve.json"
  show
  exit 1
fi

run_command "$PLOT" "$TMP/curve.csv" --node api --slo 0.1 --out "$TMP/plots/latency"
expect_plot "$TMP/plots/latency" "latency from CSV"
grep -qF "$TMP/plots/latency.png" "$TMP/out" || fail "latency from CSV: stdout does not name the PNG written"

run_command "$PLOT" "$TMP/curve.json" --kind latency --node "end to end" --metric W --metric sojourn.p90 --log-y \
  --out "$TMP/plots/latency_json"
expect_plot "$TMP/plots/latency_json" "latency from JSON, end to end, chosen metrics, log scale"

run_command "$PLOT" "$TMP/curve.csv" --kind utilization --at nodes.users.arrival.rate=400 --slo 0.75 --out "$TMP/plots/util_one"
expect_plot "$TMP/plots/util_one" "utilization bars at one point"

run_command "$PLOT" "$TMP/curve.csv" --kind utilization --out "$TMP/plots/util_all"
expect_plot "$TMP/plots/util_all" "utilization bars grouped per point"

# The asymptote: the api tier saturates at 12 servers x 50/s = 600/s. Through the closed-form
# utilizations the line is exact; fitted to the simulated ones (theory columns removed) it is
# within a few percent (3 replications of 20 s here).
run_command /usr/bin/python3 - "$SOURCE_DIR/tools" "$TMP/curve.csv" <<'PYTHON'
import csv, sys
sys.path.insert(0, sys.argv[1])
import plot_sweep

sweep = plot_sweep.load_sweep(sys.argv[2])
exact = plot_sweep.bottleneck_line(sweep, "api", 0, {})
assert exact.exact and abs(exact.saturation() - 600) < 1e-6, exact
for row in sweep.rows:
    row.theory.clear()
fitted = plot_sweep.bottleneck_line(sweep, "end to end", 0, {})
assert not fitted.exact and fitted.node == "api" and abs(fitted.saturation() / 600 - 1) < 0.03, fitted
print(f"saturation: closed form {exact.saturation():.6g}, fitted {fitted.saturation():.6g}")
PYTHON
[[ $rc -eq 0 ]] || { fail "utilization -> 1 asymptote at 600/s"; show; }

# --- Two varied parameters: heatmap -------------------------------------------------------
run_command "$CAPSIM" sweep "$SCENARIO" --vary nodes.users.arrival.rate=300:500:100 --vary nodes.api.servers=9,11,13 \
  "${SHORT[@]}" --out "$TMP/grid.csv"
[[ $rc -eq 0 ]] || { fail "capsim sweep with two --vary: exit code $rc"; show; }

run_command "$PLOT" "$TMP/grid.csv" --kind heatmap --node api --metric sojourn.p99 --slo 0.1 --out "$TMP/plots/heatmap"
expect_plot "$TMP/plots/heatmap" "heatmap of sojourn.p99 over rate x servers"

run_command "$PLOT" "$TMP/grid.json" --kind heatmap --x nodes.api.servers --y nodes.users.arrival.rate --metric W \
  --format png --out "$TMP/plots/heatmap_swapped"
[[ $rc -eq 0 && -f $TMP/plots/heatmap_swapped.png && ! -e $TMP/plots/heatmap_swapped.svg ]] ||
  { fail "heatmap from JSON, axes swapped, --format png: expected only the PNG"; show; }

run_command "$PLOT" "$TMP/grid.csv" --at nodes.api.servers=11 --out "$TMP/plots/latency_at"
expect_plot "$TMP/plots/latency_at" "latency with the second parameter fixed by --at"

# Named variants (text values): bars and heatmaps take them, latency curves need numbers.
run_command "$CAPSIM" sweep "$SCENARIO" --vary 'nodes.api.service.dist="exponential","deterministic"' \
  --vary nodes.users.arrival.rate=300,500 "${SHORT[@]}" --out "$TMP/variants.csv"
[[ $rc -eq 0 ]] || { fail "capsim sweep of named variants: exit code $rc"; show; }
run_command "$PLOT" "$TMP/variants.csv" --kind utilization --at nodes.users.arrival.rate=500 --out "$TMP/plots/variants"
expect_plot "$TMP/plots/variants" "utilization bars of named variants"

# --- Bad input: exit 2, one line, the valid choices listed --------------------------------
expect_bad_input 'found nodes.api.service.dist = "exponential", expected numbers on the x axis' \
  "latency over named variants" "$TMP/variants.csv" --at nodes.users.arrival.rate=500 --x nodes.api.service.dist
expect_bad_input "found no such file" "missing file" "$TMP/nothing.csv"
expect_bad_input 'found node "apx", expected one of users, api, done or end to end (did you mean "api"?)' \
  "unknown node" "$TMP/curve.csv" --node apx
expect_bad_input 'found metric "sojourn.p98", expected one of' "unknown metric" "$TMP/curve.csv" --metric sojourn.p98
expect_bad_input 'found no utilization at node "done", expected a node reporting it: api' \
  "metric absent at the node" "$TMP/curve.csv" --node "done" --metric utilization
expect_bad_input "expected two for a heatmap" "heatmap of a one-parameter sweep" "$TMP/curve.csv" --kind heatmap
expect_bad_input "expected --at nodes.api.servers=VALUE to fix it (one of 9, 11, 13)" \
  "second parameter neither plotted nor fixed" "$TMP/grid.csv" --node api
expect_bad_input 'found nodes.api.servers value "10", expected one of 9, 11 or 13' \
  "--at value not in the sweep" "$TMP/grid.csv" --at nodes.api.servers=10
expect_bad_input 'found parameter "nodes.api.server", expected one of' "unknown --x" \
  "$TMP/grid.csv" --kind heatmap --x nodes.api.server
printf 'a,b\n1,2\n' >"$TMP/other.csv"
expect_bad_input "found no node and type columns" "a CSV that is not a sweep" "$TMP/other.csv"
expect_bad_input 'found format "jpg", expected one of png or svg' "unknown format" "$TMP/curve.csv" --format jpg
run_command "$PLOT" "$TMP/curve.csv" --kind bars
[[ $rc -eq 2 ]] || fail "unknown --kind: exit code $rc, expected 2"

# An existing plot is replaced only with --force; without it nothing is drawn or written.
cp "$TMP/plots/latency.png" "$TMP/latency.before"
run_command "$PLOT" "$TMP/curve.csv" --node api --out "$TMP/plots/latency"
[[ $rc -eq 2 ]] || fail "plot over an existing file: exit code $rc, expected 2"
grep -qF "$TMP/plots/latency.png: found an existing file, expected a new path (pass --force to overwrite it)" "$TMP/err" ||
  fail "plot over an existing file: stderr $(head -c 300 "$TMP/err")"
cmp -s "$TMP/plots/latency.png" "$TMP/latency.before" || fail "plot without --force changed the file"
run_command "$PLOT" "$TMP/curve.csv" --node api --out "$TMP/plots/latency" --force
[[ $rc -eq 0 ]] || fail "plot --force over an existing file: exit code $rc, expected 0"
leftovers=$(find "$TMP/plots" -name '.*.tmp*' | head -n 3)
[[ -z $leftovers ]] || fail "plots: temporary files left behind: $leftovers"

echo "$checks checks, $failures failures"
[[ $failures -eq 0 ]]
