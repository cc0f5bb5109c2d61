#!/usr/bin/env bash
# End-to-end checks of the capsim command line: help, version, exit codes, one-line errors,
# JSON output, determinism across thread counts, atomic --out.
# Usage: cli_test.sh PATH_TO_CAPSIM PROJECT_SOURCE_DIR
set -u
# shellcheck source=SCRIPTDIR/../support/shell_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../support/shell_checks.sh"

read_arguments "$@"
MM1="$SOURCE_DIR/scenarios/mm1.json"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsim_cli.XXXXXX") || exit 2
trap 'umount "$TMP/full" 2>/dev/null; rm -rf "$TMP"' EXIT

# Runs capsim with the given arguments (run_command).
run() {
  run_command "$CAPSIM" "$@"
}

expect_rc() {  # expect_rc WANT DESCRIPTION
  if [[ $rc -ne $1 ]]; then
    fail "$2: exit code $rc, expected $1"
    show
    return 1
  fi
}

expect_stdout_has() {  # expect_stdout_has TEXT DESCRIPTION
  grep -qF -- "$1" "$TMP/out" || fail "$2: stdout lacks \"$1\""
}

expect_no_stdout() {
  [[ ! -s "$TMP/out" ]] || fail "$1: expected nothing on stdout, got: $(head -c 200 "$TMP/out")"
}

# A usage error: exit 2, a message on stderr, nothing on stdout.
expect_usage_error() {  # expect_usage_error DESCRIPTION ARGS...
  local what=$1
  shift
  run "$@"
  expect_rc 2 "$what" || return
  [[ -s "$TMP/err" ]] || fail "$what: no message on stderr"
  [[ $(head -n 1 "$TMP/err") == "capsim: error: "* ]] ||
    fail "$what: stderr does not start with \"capsim: error: \": $(head -n 1 "$TMP/err")"
  expect_no_stdout "$what"
}

# Bad input: exit 2, exactly one stderr line "capsim: error: FILE: ...", nothing on stdout.
expect_input_error() {  # expect_input_error DESCRIPTION FILE PATTERN ARGS...
  local what=$1 file=$2 pattern=$3
  shift 3
  run "$@"
  expect_rc 2 "$what" || return
  local lines
  lines=$(wc -l <"$TMP/err")
  [[ $lines -eq 1 ]] || { fail "$what: $lines lines on stderr, expected 1"; show; }
  local first
  first=$(head -n 1 "$TMP/err")
  local prefix="capsim: error: "
  [[ -n $file ]] && prefix+="$file: "
  [[ $first == "$prefix"* ]] || fail "$what: stderr does not start with \"$prefix\": $first"
  grep -qF -- "$pattern" "$TMP/err" || fail "$what: stderr lacks \"$pattern\": $first"
  expect_no_stdout "$what"
}

# --- Help and version -------------------------------------------------------------------------

run --help
if expect_rc 0 "--help"; then
  for word in run validate bench; do expect_stdout_has "$word" "--help"; done
fi

run run --help
if expect_rc 0 "run --help"; then
  for option in --seed --replications --threads --duration --format --out; do
    expect_stdout_has "$option" "run --help"
  done
fi

run --version
if expect_rc 0 "--version"; then
  [[ $(head -n 1 "$TMP/out") == "capsim 0.1.0"* ]] ||
    fail "--version: expected \"capsim 0.1.0...\", got: $(head -n 1 "$TMP/out")"
fi

# --- Usage errors: exit 2 ---------------------------------------------------------------------

expect_usage_error "no subcommand"
expect_usage_error "unknown subcommand" frobnicate
expect_usage_error "unknown option" run "$MM1" --frobnicate
expect_usage_error "run without a scenario" run
expect_usage_error "--replications 1" run "$MM1" --replications 1
expect_usage_error "--format xml" run "$MM1" --format xml
expect_usage_error "--threads 0" run "$MM1" --threads 0
expect_usage_error "--duration -1" run "$MM1" --duration -1
expect_usage_error "--duration not a number" run "$MM1" --duration soon
expect_usage_error "validate has no --format" validate "$MM1" --format json

# Overrides are checked on the command line, so the message names the option, not the file.
expect_usage_error "--seed -1" run "$MM1" --seed -1 --duration 100
expect_usage_error "--warmup beyond limits" run "$MM1" --warmup 1e300

# --- Bad scenario files: exit 2, one line naming the file -------------------------------------

# Valid nodes to build bad scenarios from; each file breaks one thing.
source_node='{"name": "in", "type": "source", "arrival": {"dist": "exponential", "rate": 1}, "to": "q"}'
station_node='{"name": "q", "type": "station", "service": {"dist": "exponential", "mean": 0.5}, "to": "out"}'
sink_node='{"name": "out", "type": "sink"}'

write() {  # write NAME TEXT: creates $TMP/NAME
  printf '%s\n' "$2" >"$TMP/$1"
}

write syntax.json "{\"duration\": 100,
  \"nodes\": [}"
write unknown_key.json "{\"duration\": 100, \"replicatons\": 3, \"nodes\": [$source_node, $station_node, $sink_node]}"
write negative_rate.json "{\"duration\": 100, \"nodes\": [
  {\"name\": \"in\", \"type\": \"source\", \"arrival\": {\"dist\": \"exponential\", \"rate\": -9}, \"to\": \"q\"},
  $station_node, $sink_node]}"
write dangling_to.json "{\"duration\": 100, \"nodes\": [$source_node,
  {\"name\": \"q\", \"type\": \"station\", \"service\": {\"dist\": \"exponential\", \"mean\": 0.5}, \"to\": \"dbase\"},
  $sink_node]}"
write cycle.json "{\"duration\": 100, \"nodes\": [
  {\"name\": \"in\", \"type\": \"source\", \"arrival\": {\"dist\": \"exponential\", \"rate\": 1}, \"to\": \"a\"},
  {\"name\": \"a\", \"type\": \"station\", \"service\": {\"dist\": \"exponential\", \"mean\": 0.5}, \"to\": \"b\"},
  {\"name\": \"b\", \"type\": \"station\", \"service\": {\"dist\": \"exponential\", \"mean\": 0.5}, \"to\": \"a\"},
  $sink_node]}"
: >"$TMP/empty.json"
mkdir "$TMP/directory.json"

expect_input_error "syntax error" "$TMP/syntax.json" "not valid JSON: parse error at line 2" \
  run "$TMP/syntax.json"
expect_input_error "unknown key" "$TMP/unknown_key.json" '(did you mean "replications"?)' \
  run "$TMP/unknown_key.json"
expect_input_error "negative rate" "$TMP/negative_rate.json" "/nodes/0/arrival/rate: found -9" \
  run "$TMP/negative_rate.json"
expect_input_error "dangling to" "$TMP/dangling_to.json" '/nodes/1/to: found "dbase"' \
  run "$TMP/dangling_to.json"
expect_input_error "cycle" "$TMP/cycle.json" "a -> b -> a" run "$TMP/cycle.json"
expect_input_error "empty file" "$TMP/empty.json" "empty file" run "$TMP/empty.json"
expect_input_error "directory" "$TMP/directory.json" "is a directory" run "$TMP/directory.json"
expect_input_error "missing file" "$TMP/missing.json" "cannot open" run "$TMP/missing.json"
expect_input_error "validate: bad file" "$TMP/cycle.json" "a -> b -> a" validate "$TMP/cycle.json"
# 1e400 overflows a double: bad input, not an internal error.
write overflow.json '{"duration": 1e400, "nodes": []}'
expect_input_error "number beyond double range" "$TMP/overflow.json" "number overflow" run "$TMP/overflow.json"

# --- A real run: JSON output --------------------------------------------------------------------

# Short runs keep the whole script within seconds; --replications stays at the file's 8.
short=(--duration 2000)
run run "$MM1" "${short[@]}" --format json --threads 2
if expect_rc 0 "run --format json"; then
  cp "$TMP/out" "$TMP/threads2.json"
  python3 - "$TMP/threads2.json" <<'EOF' || fail "run --format json: the JSON document is not as documented"
import json, sys
with open(sys.argv[1]) as f:
    doc = json.load(f)
missing = [k for k in ("capsim", "scenario", "seed", "replications", "nodes", "end_to_end")
           if k not in doc]
if missing:
    sys.exit(f"  missing keys: {missing}")
# The echo is the document as run: overrides applied, defaults written out.
if doc["scenario"].get("duration") != 2000 or doc.get("duration") != 2000:
    sys.exit(f"  duration not 2000: scenario {doc['scenario'].get('duration')}, run {doc.get('duration')}")
if doc["capsim"].get("version") != "0.1.0":
    sys.exit(f"  version {doc['capsim'].get('version')}")
names = [n.get("name") for n in doc["nodes"]]
if names != ["users", "web", "done"]:
    sys.exit(f"  node names {names}")
EOF
fi

# Results depend on the seed, never on the thread count or the run.
run run "$MM1" "${short[@]}" --format json --threads 1
if expect_rc 0 "run --threads 1"; then
  cmp -s "$TMP/out" "$TMP/threads2.json" || fail "--threads 1 and --threads 2 give different JSON"
fi
run run "$MM1" "${short[@]}" --format json --threads 2
if expect_rc 0 "run again"; then
  cmp -s "$TMP/out" "$TMP/threads2.json" || fail "two identical runs give different JSON"
fi
run run "$MM1" "${short[@]}" --format json --seed 2
if expect_rc 0 "run --seed 2"; then
  cmp -s "$TMP/out" "$TMP/threads2.json" && fail "--seed 2 gives the same JSON as seed 1"
fi

# Byte-identical JSON for the same scenario, seed and version, on 1 or 2 threads and run after
# run, for node types of every kind; and the JSON records what reproduces it.
for name in closed_loop fork_join async_queue cache_ttl lb_power_of_d limiter_token_bucket \
  retry_storm_breaker priority_classes failure_repair trace_replay diurnal; do
  scenario="$SOURCE_DIR/scenarios/$name.json"
  run run "$scenario" --duration 50 --warmup 5 --replications 3 --format json --threads 1
  expect_rc 0 "$name --threads 1" || continue
  cp "$TMP/out" "$TMP/repro1.json"
  run run "$scenario" --duration 50 --warmup 5 --replications 3 --format json --threads 2
  expect_rc 0 "$name --threads 2" && { cmp -s "$TMP/out" "$TMP/repro1.json" || fail "$name: --threads 1 and 2 give different JSON"; }
  run run "$scenario" --duration 50 --warmup 5 --replications 3 --format json --threads 2
  expect_rc 0 "$name again" && { cmp -s "$TMP/out" "$TMP/repro1.json" || fail "$name: two runs give different JSON"; }
done
python3 - "$TMP/repro1.json" "$SOURCE_DIR/scenarios/diurnal.json" <<'EOF' || fail "run --format json: what reproduces the run is not recorded"
import json, re, sys
doc = json.load(open(sys.argv[1]))
original = json.load(open(sys.argv[2]))
capsim = doc["capsim"]
if capsim.get("version") != "0.1.0" or not re.fullmatch(r"[0-9a-f]{12}(-dirty)?|unknown", capsim.get("git_revision", "")):
    sys.exit(f"  capsim: {capsim}")
scenario = doc["scenario"]
# The effective scenario: the file with the overrides applied and the defaults written out.
expected = dict(original, duration=50, warmup=5, replications=3)
if scenario != expected:
    sys.exit(f"  scenario differs from the file with overrides: {set(scenario) ^ set(expected)}")
if doc["seed"] != original["seed"] or scenario["seed"] != original["seed"]:
    sys.exit(f"  seed {doc['seed']}")
EOF

# --- Error sinks: failed requests apart from rejected ones, in the table and the JSON ----------

BUCKET="$SOURCE_DIR/scenarios/limiter_token_bucket.json"
run run "$BUCKET" --duration 300
if expect_rc 0 "run with an error sink"; then
  head -n 3 "$TMP/out" | grep -qE 'throughput/s +rejected +failed +utilization' ||
    fail "error sink: the first table has no failed column after rejected"
  grep -qE '^end to end +system( +[0-9.]+ ± [0-9.]+){2} +0 % +[0-9.]+ ± [0-9.]+ %$' "$TMP/out" ||
    fail "error sink: the end-to-end row lacks 0 % rejected and a failed percentage"
  grep -qE '^end to end +sojourn_failed ' "$TMP/out" ||
    fail "error sink: no percentiles of the failed requests"
fi
run run "$BUCKET" --duration 300 --format json
if expect_rc 0 "run --format json with an error sink"; then
  python3 - "$TMP/out" <<'EOF' || fail "error sink: the JSON end_to_end failure metrics are not as documented"
import json, sys
doc = json.load(open(sys.argv[1]))
e2e = doc["end_to_end"]
missing = [k for k in ("failed", "error_ratio", "goodput", "W_failed", "sojourn_failed.p99") if k not in e2e]
if missing:
    sys.exit(f"  missing: {missing}")
throttled = next(n for n in doc["nodes"] if n["name"] == "throttled")["metrics"]
if e2e["failed"]["mean"] != throttled["completions"]["mean"] or e2e["failed"]["mean"] <= 0:
    sys.exit(f"  failed {e2e['failed']} is not what the error sink absorbed, {throttled['completions']}")
if e2e["goodput"] != e2e["throughput"] or e2e["rejection_ratio"]["mean"] != 0:
    sys.exit(f"  goodput {e2e['goodput']}, throughput {e2e['throughput']}, rejection_ratio {e2e['rejection_ratio']}")
EOF
fi
run run "$MM1" --duration 300
if expect_rc 0 "run without an error sink"; then
  grep -q "failed" "$TMP/out" && fail "no error sink: the table shows failures"
fi
run check "$BUCKET" --duration 300 --set 'slo=[{"metric": "error_ratio", "max": 0.05}]'
expect_rc 1 "check: an error ratio of 10% violates max 0.05"
run check "$BUCKET" --duration 300 --set 'slo=[{"metric": "error_ratio", "max": 0.2}]'
expect_rc 0 "check: an error ratio of 10% meets max 0.2"

# --- --out: atomic file output ------------------------------------------------------------------

mkdir "$TMP/results"
run run "$MM1" "${short[@]}" --format json --out "$TMP/results/x.json"
if expect_rc 0 "--out"; then
  expect_no_stdout "--out"
  if [[ -f "$TMP/results/x.json" ]]; then
    cmp -s "$TMP/results/x.json" "$TMP/threads2.json" ||
      fail "--out: the file differs from what stdout gets"
  else
    fail "--out: $TMP/results/x.json not written"
  fi
  leftovers=$(find "$TMP/results" -name '.x.json.tmp*' | head -n 3)
  [[ -z $leftovers ]] || fail "--out: temporary files left behind: $leftovers"
fi

# An existing file is not replaced without --force: exit 2 before anything is simulated.
expect_input_error "--out over an existing file" "$TMP/results/x.json" \
  "found an existing file, expected a new path (pass --force to overwrite it)" \
  run "$MM1" "${short[@]}" --format json --seed 2 --out "$TMP/results/x.json"
cmp -s "$TMP/results/x.json" "$TMP/threads2.json" || fail "--out without --force changed the file"
run run "$MM1" "${short[@]}" --format json --seed 2 --out "$TMP/results/x.json" --force
if expect_rc 0 "--out --force over an existing file"; then
  cmp -s "$TMP/results/x.json" "$TMP/threads2.json" && fail "--out did not replace the file"
  [[ $(ls -A "$TMP/results") == "x.json" ]] ||
    fail "--out over an existing file: directory holds $(ls -A "$TMP/results" | tr '\n' ' ')"
fi

nowhere="/nonexistent-capsim-dir-$$"
expect_input_error "--out into a missing directory" "$nowhere/x.json" "cannot" \
  run "$MM1" "${short[@]}" --out "$nowhere/x.json"
[[ ! -e $nowhere ]] || fail "--out into a missing directory created $nowhere"

# A full disk or a file size limit: a clear error, exit 2, neither the file nor a temporary left.
# RLIMIT_FSIZE (ulimit -f, in KiB) makes write() fail with EFBIG; capsim ignores SIGXFSZ.
mkdir "$TMP/limited"
(ulimit -f 4 && exec "$CAPSIM" run "$MM1" "${short[@]}" --format json --out "$TMP/limited/x.json") \
  >"$TMP/out" 2>"$TMP/err"
rc=$?
checks=$((checks + 1))
if expect_rc 2 "--out beyond the file size limit"; then
  grep -qF "capsim: error: $TMP/limited/x.json: cannot write: File too large" "$TMP/err" ||
    fail "--out beyond the file size limit: stderr $(head -c 300 "$TMP/err")"
fi
[[ -z $(ls -A "$TMP/limited") ]] || fail "file size limit: left $(ls -A "$TMP/limited" | tr '\n' ' ')"
# A really full file system (ENOSPC) where tmpfs can be mounted (as root); skipped elsewhere.
mkdir "$TMP/full"
if mount -t tmpfs -o size=16k capsim_full "$TMP/full" 2>/dev/null; then
  head -c 12288 /dev/zero >"$TMP/full/filler" 2>/dev/null
  run run "$MM1" "${short[@]}" --format json --out "$TMP/full/x.json"
  if expect_rc 2 "--out on a full disk"; then
    grep -qF "capsim: error: $TMP/full/x.json: cannot write: No space left on device" "$TMP/err" ||
      fail "--out on a full disk: stderr $(head -c 300 "$TMP/err")"
  fi
  [[ $(ls -A "$TMP/full") == "filler" ]] || fail "full disk: left $(ls -A "$TMP/full" | tr '\n' ' ')"
  run sweep "$SOURCE_DIR/scenarios/web_slo.json" --duration 50 --warmup 5 \
    --vary nodes.users.arrival.rate=100:300:100 --out "$TMP/full/curve.csv"
  expect_rc 2 "sweep on a full disk" && { grep -qF "No space left on device" "$TMP/err" || fail "sweep on a full disk: $(head -c 300 "$TMP/err")"; }
  [[ $(ls -A "$TMP/full") == "filler" ]] || fail "sweep on a full disk: left $(ls -A "$TMP/full" | tr '\n' ' ')"
  umount "$TMP/full"
else
  echo "note: tmpfs cannot be mounted here; the ENOSPC check is skipped (EFBIG was checked)"
fi

# --- SIGINT and SIGTERM ---------------------------------------------------------------------------

# Waits (at most 30 s) until process PID catches SIGNAL and runs THREADS threads or more. A signal
# sent earlier meets the default action: SIGTERM kills without a message, and SIGINT, which bash
# ignores in background jobs, is lost (Linux: reads /proc/PID/status).
wait_until_catching() {  # wait_until_catching PID SIGNAL THREADS
  local bit=$(($(kill -l "$2") - 1)) status
  for _ in $(seq 600); do
    { status=$(<"/proc/$1/status"); } 2>/dev/null || return 1
    [[ $status == *$'\nState:\tZ'* ]] && return 1  # exited already
    if [[ $status =~ SigCgt:[[:space:]]*([0-9a-f]+) ]] && (((16#${BASH_REMATCH[1]} >> bit) & 1)) &&
      [[ $status =~ Threads:[[:space:]]*([0-9]+) ]] && ((BASH_REMATCH[1] >= $3)); then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# A run that would take hours, stopped by a signal: exit 128 + signal, a message, no output file
# and no temporary file (a run reports complete results only).
for signal in INT TERM; do
  want=$([[ $signal == INT ]] && echo 130 || echo 143)
  mkdir "$TMP/signal_$signal"
  "$CAPSIM" run "$MM1" --duration 1e9 --threads 2 --format json --out "$TMP/signal_$signal/x.json" \
    >"$TMP/out" 2>"$TMP/err" &
  pid=$!
  # The signal goes once capsim is simulating (its handlers set, both --threads 2 running), not
  # after a fixed sleep that a slow start on a loaded machine can outlast.
  if ! wait_until_catching "$pid" "$signal" 2; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    checks=$((checks + 1))
    fail "run stopped by SIG$signal: capsim exited, or was not simulating after 30 s"
    show
    continue
  fi
  kill -"$signal" "$pid"
  wait "$pid"
  rc=$?
  checks=$((checks + 1))
  if expect_rc "$want" "run stopped by SIG$signal"; then
    grep -qF "capsim: interrupted by SIG$signal: stopped before the result was complete; nothing was written" "$TMP/err" ||
      fail "run stopped by SIG$signal: stderr $(head -c 300 "$TMP/err")"
  fi
  [[ -z $(ls -A "$TMP/signal_$signal") ]] || fail "run stopped by SIG$signal: left $(ls -A "$TMP/signal_$signal")"
done

# A sweep stopped after its first points keeps them, and --resume completes it with the very
# bytes of an uninterrupted sweep.
slow_sweep=(sweep "$SOURCE_DIR/scenarios/web_slo.json" --duration 3000 --warmup 30 --replications 2
  --vary nodes.users.arrival.rate=100:400:100)
# SIGINT goes once the first point is written. On a loaded machine it can arrive only after the
# last point (the sweep then exits 0, complete): that attempt, and no other outcome, is repeated.
for attempt in 1 2 3; do
  rm -rf "$TMP/resume"
  mkdir "$TMP/resume"
  "$CAPSIM" "${slow_sweep[@]}" --threads 1 --out "$TMP/resume/curve.csv" >"$TMP/out" 2>"$TMP/err" &
  pid=$!
  for _ in $(seq 600); do
    [[ -s "$TMP/resume/curve.json" ]] && break
    sleep 0.05
  done
  kill -INT "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  [[ $rc -eq 0 ]] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(d["points"]) != 4)' \
    "$TMP/resume/curve.json" 2>/dev/null || break
  echo "note: the sweep finished before SIGINT reached it (attempt $attempt of 3)"
done
checks=$((checks + 1))
if expect_rc 130 "sweep stopped by SIGINT"; then
  grep -qF "capsim: interrupted by SIGINT: finished points are kept in $TMP/resume/curve.csv; rerun with --resume to complete" "$TMP/err" ||
    fail "sweep stopped by SIGINT: stderr $(head -c 300 "$TMP/err")"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert 1 <= len(d["points"]) < 4, len(d["points"])' \
    "$TMP/resume/curve.json" || fail "sweep stopped by SIGINT: the JSON does not hold the finished points only"
fi
[[ $(ls -A "$TMP/resume" | tr '\n' ' ') == "curve.csv curve.json " ]] ||
  fail "sweep stopped by SIGINT: directory holds $(ls -A "$TMP/resume" | tr '\n' ' ')"
expect_input_error "sweep over its own output without --resume" "$TMP/resume/curve.json" \
  "pass --force to overwrite it" "${slow_sweep[@]}" --out "$TMP/resume/curve.csv"
run "${slow_sweep[@]}" --threads 1 --out "$TMP/resume/curve.csv" --resume
expect_rc 0 "sweep --resume after SIGINT"
run "${slow_sweep[@]}" --out "$TMP/resume/whole.csv" --threads 2
if expect_rc 0 "sweep without interruption"; then
  cmp -s "$TMP/resume/curve.csv" "$TMP/resume/whole.csv" || fail "interrupted and resumed sweep: CSV differs"
  cmp -s "$TMP/resume/curve.json" "$TMP/resume/whole.json" || fail "interrupted and resumed sweep: JSON differs"
fi

# --- Table output and validate ------------------------------------------------------------------

run run "$MM1" "${short[@]}"
if expect_rc 0 "run (table)"; then
  for name in users web done "end to end"; do expect_stdout_has "$name" "run (table)"; done
fi

# Caches, limiters, retries and failing servers show the metrics they are for.
run run "$SOURCE_DIR/scenarios/cache_remote_tier.json" --duration 10
if expect_rc 0 "run (cache table)"; then
  for metric in hit_ratio hit_ratio.top1pct hit_ratio.top10pct; do
    expect_stdout_has "$metric" "run (cache table)"
  done
fi
run run "$SOURCE_DIR/scenarios/retry_storm_budget.json" --duration 50
if expect_rc 0 "run (retry table)"; then
  for metric in offered_load goodput timeout_ratio wasted_utilization; do
    expect_stdout_has "$metric" "run (retry table)"
  done
fi

run validate "$MM1" --duration 5000
if expect_rc 0 "validate"; then
  expect_stdout_has "23 of 23 checks agree" "validate"
fi

# --- Capacity-planning workflow -----------------------------------------------------------------

SLO="$SOURCE_DIR/scenarios/web_slo.json"
quick=(--duration 300 --warmup 30)

run check "$SLO" "${quick[@]}" --junit "$TMP/junit.xml"
if expect_rc 0 "check (SLOs met)"; then
  expect_stdout_has "met" "check"
  grep -q '<testsuite name="API tier with SLOs" tests="2" failures="0"' "$TMP/junit.xml" ||
    fail "check --junit: unexpected report: $(head -c 300 "$TMP/junit.xml")"
fi
expect_input_error "check --junit over an existing file" "$TMP/junit.xml" "pass --force" \
  check "$SLO" "${quick[@]}" --junit "$TMP/junit.xml"
run check "$SLO" "${quick[@]}" --set nodes.api.servers=10
expect_rc 1 "check (utilization SLO violated with 10 servers)" && expect_stdout_has "VIOLATED" "check"
# 400/s on 11 servers is 72.7% utilization: a 0.727 threshold sits inside the interval.
run check "$SLO" "${quick[@]}" --set nodes.api.servers=11 --set /slo/1/max=0.7273
expect_rc 3 "check (interval straddles the threshold)"
expect_input_error "check without SLOs" "$MM1" "/slo: found no objectives" check "$MM1" --duration 100

run plan "$SLO" "${quick[@]}" --search nodes.api.servers=1..64
if expect_rc 0 "plan"; then
  expect_stdout_has "nodes.api.servers = 11 is the smallest value" "plan"
  expect_stdout_has "closed form: 11" "plan"
fi
run plan "$SLO" "${quick[@]}" --search nodes.api.servers=1..8
expect_rc 1 "plan with a range too small"
expect_usage_error "plan --search malformed" plan "$SLO" --search nodes.api.servers=8

run headroom "$SLO" "${quick[@]}" --scale nodes.users.arrival.rate --factor-precision 0.05
if expect_rc 0 "headroom"; then
  expect_stdout_has "the SLOs hold up to" "headroom"
  expect_stdout_has "closed form: 1.12" "headroom"
fi

run sweep "$SLO" "${quick[@]}" --vary nodes.users.arrival.rate=100:300:100 --out "$TMP/sweep/curve.csv"
expect_input_error "sweep into a missing directory" "$TMP/sweep/curve.json" "cannot" \
  sweep "$SLO" "${quick[@]}" --vary nodes.users.arrival.rate=100:300:100 --out "$TMP/sweep/curve.csv"
mkdir -p "$TMP/sweep"
run sweep "$SLO" "${quick[@]}" --vary nodes.users.arrival.rate=100:300:100 --out "$TMP/sweep/curve.csv" --threads 1
if expect_rc 0 "sweep"; then
  # header + 3 points x (3 nodes + end to end)
  [[ $(wc -l <"$TMP/sweep/curve.csv") -eq 13 ]] || fail "sweep: $(wc -l <"$TMP/sweep/curve.csv") CSV lines, expected 13"
  head -n 1 "$TMP/sweep/curve.csv" | grep -q "^nodes.users.arrival.rate,node,type," || fail "sweep: CSV header"
  grep -q "^200,api,station," "$TMP/sweep/curve.csv" || fail "sweep: no row for api at 200/s"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["points"]) == 3' "$TMP/sweep/curve.json" ||
    fail "sweep: JSON does not hold 3 points"
fi
run sweep "$SLO" "${quick[@]}" --vary nodes.users.arrival.rate=100:300:100 --out "$TMP/sweep/again.csv" --threads 2
expect_rc 0 "sweep on 2 threads" && { cmp -s "$TMP/sweep/curve.csv" "$TMP/sweep/again.csv" || fail "sweep: CSV differs between 1 and 2 threads"; }
# --resume with every point done runs nothing and rewrites the same bytes.
run sweep "$SLO" "${quick[@]}" --vary nodes.users.arrival.rate=100:300:100 --out "$TMP/sweep/again.csv" --resume
expect_rc 0 "sweep --resume" && { cmp -s "$TMP/sweep/curve.csv" "$TMP/sweep/again.csv" || fail "sweep --resume changed the output"; }
run sweep "$SLO" "${quick[@]}" --vary nodes.users.arrival.rate=100:200:100 --out "$TMP/sweep/again.csv" --resume
expect_rc 2 "sweep --resume of another sweep"
expect_usage_error "sweep --vary malformed" sweep "$SLO" --vary nodes.users.arrival.rate=1:0:1

run compare "$SLO" "${quick[@]}" --candidate-set nodes.api.servers=16
if expect_rc 0 "compare"; then
  expect_stdout_has "verdict: the candidate is better" "compare"
fi
run compare "$SLO" "${quick[@]}" --candidate-set nodes.api.servers=16 --format json
expect_rc 0 "compare --format json" &&
  { python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["verdict"] == "better"' <"$TMP/out" || fail "compare JSON"; }

run theory mmc --arrival-rate 3.6 --service-rate 1 --servers 4
if expect_rc 0 "theory mmc"; then
  expect_stdout_has "0.78775326" "theory mmc: Erlang C(4, 3.6)"
fi
run theory mm1 --arrival-rate 2 --service-rate 1
expect_rc 2 "theory mm1 unstable"
grep -q "no steady state" "$TMP/err" || fail "theory mm1 unstable: message"

run run "$MM1" --duration 100 --set nodes.web.servers=2 --format json
expect_rc 0 "run --set" &&
  { python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["scenario"]["nodes"][1]["servers"] == 2' <"$TMP/out" || fail "--set not echoed in the effective scenario"; }
expect_input_error "--set unknown node" "" '--set nodes.wbe.servers=2: found "wbe"' run "$MM1" --set nodes.wbe.servers=2

# --- --precision: replications until a relative precision (Law & Kelton) ---------------------

run run "$MM1" "${short[@]}" --precision 0.05 --format json --threads 2
if expect_rc 0 "run --precision"; then
  cp "$TMP/out" "$TMP/precision2.json"
  python3 - "$TMP/precision2.json" <<'EOF' || fail "run --precision: the JSON precision block is not as documented"
import json, sys
with open(sys.argv[1]) as f:
    doc = json.load(f)
p = doc["precision"]
if doc["replications"] != p["replications_used"] or p["replications_used"] != p["rounds"][-1]:
    sys.exit(f"  replications {doc['replications']}, precision {p}")
if len(p["rounds"]) < 2 or p["start"] != 10 or p["budget"] != 200 or p["target"] != 0.05 or not p["met"]:
    sys.exit(f"  precision {p}")
reached = p["reached"]["end to end"]
if sorted(reached) != ["W", "sojourn.p50", "sojourn.p99", "throughput"]:
    sys.exit(f"  targets {sorted(reached)}")
if any(v > 0.05 / 1.05 for v in reached.values()):
    sys.exit(f"  a relative half-width above the target: {reached}")
for name, value in reached.items():
    m = doc["end_to_end"][name]
    if abs(m["half_width"] / m["mean"] - value) > 1e-12:
        sys.exit(f"  {name}: reached {value}, half-width / mean {m['half_width'] / m['mean']}")
EOF
fi
run run "$MM1" "${short[@]}" --precision 0.05 --format json --threads 1
expect_rc 0 "run --precision --threads 1" &&
  { cmp -s "$TMP/out" "$TMP/precision2.json" || fail "run --precision: --threads 1 and 2 give different JSON"; }
run run "$MM1" "${short[@]}" --precision 0.01 --max-replications 12 --precision-metric web:W
if expect_rc 0 "run --precision over budget"; then
  expect_stdout_has "seed 1, 12 replications (until every target's relative half-width was at most 0.99%" "run --precision header"
  expect_stdout_has "warning: precision not reached: W at web has a 95% half-width of" "run --precision warning"
  expect_stdout_has "after 12 replications (the budget, --max-replications)" "run --precision warning"
fi
expect_usage_error "--precision 0" run "$MM1" --precision 0
expect_usage_error "--precision 1" run "$MM1" --precision 1
expect_usage_error "--precision not a number" check "$SLO" --precision tight
expect_usage_error "--max-replications without --precision" plan "$SLO" --search nodes.api.servers=1..64 --max-replications 50
expect_usage_error "--precision-metric without --precision" run "$MM1" --precision-metric W
expect_usage_error "check has no --precision-metric" check "$SLO" --precision 0.02 --precision-metric W
expect_input_error "--max-replications below the start" "" \
  "--max-replications 9: found 9, expected at least 10, the replications --precision starts with (the scenario's 8, at least 10)" \
  run "$MM1" --precision 0.02 --max-replications 9
expect_input_error "--max-replications below the scenario's replications" "" "expected at least 30" \
  headroom "$SLO" --scale nodes.users.arrival.rate --replications 30 --precision 0.02 --max-replications 20
expect_input_error "--precision-metric unknown" "" '--precision-metric web:Ww: found metric "Ww"' \
  run "$MM1" --precision 0.02 --precision-metric web:Ww
# Two replications of 20 s leave 11 servers' 72.7% utilization too close to 75% to call; at a
# relative precision of 2% both SLOs are met.
tiny=(--set nodes.api.servers=11 --duration 20 --replications 2)
run check "$SLO" "${tiny[@]}"
expect_rc 3 "check on 2 short replications (inconclusive)"
run check "$SLO" "${tiny[@]}" --precision 0.02 --junit "$TMP/precise.xml"
if expect_rc 0 "check --precision (decided)"; then
  expect_stdout_has "relative half-widths (at most 1.96% asked): sojourn.p99 at api" "check --precision"
  expect_stdout_has "15 replications (until every target's relative half-width was at most 1.96%" "check --precision (README)"
  grep -q 'tests="2" failures="0" skipped="0"' "$TMP/precise.xml" || fail "check --precision: JUnit report"
fi
run plan "$SLO" "${quick[@]}" --search nodes.api.servers=1..64 --precision 0.02
expect_rc 0 "plan --precision" && expect_stdout_has "nodes.api.servers = 11 is the smallest value" "plan --precision"
run headroom "$SLO" "${quick[@]}" --scale nodes.users.arrival.rate --factor-precision 0.05 --precision 0.02 --max-replications 10
expect_rc 0 "headroom --precision" && expect_stdout_has "the SLOs hold up to" "headroom --precision"

# --- README: "A capacity plan in five minutes", exactly as written there ----------------------

(cd "$SOURCE_DIR" && "$CAPSIM" check scenarios/web_slo.json >"$TMP/out" 2>"$TMP/err"); rc=$?; checks=$((checks + 1))
expect_rc 0 "README check" && expect_stdout_has "sojourn.p99 <= 0.1 at api   0.09302 ± 0.00031   +7.0%      met" "README check"
(cd "$SOURCE_DIR" && "$CAPSIM" plan scenarios/web_slo.json --search nodes.api.servers=1..64 >"$TMP/out" 2>"$TMP/err"); rc=$?; checks=$((checks + 1))
expect_rc 0 "README plan" && expect_stdout_has "nodes.api.servers = 11 is the smallest value" "README plan"
(cd "$SOURCE_DIR" && "$CAPSIM" headroom scenarios/web_slo.json --scale nodes.users.arrival.rate >"$TMP/out" 2>"$TMP/err"); rc=$?; checks=$((checks + 1))
expect_rc 0 "README headroom" && expect_stdout_has "the SLOs hold up to 1.111 times" "README headroom"
(cd "$SOURCE_DIR" && "$CAPSIM" run scenarios/web_slo.json --set nodes.api.servers=14 >"$TMP/out" 2>"$TMP/err"); rc=$?; checks=$((checks + 1))
expect_rc 0 "README run --set"
(cd "$SOURCE_DIR" && "$CAPSIM" compare scenarios/web_slo.json --candidate-set nodes.api.servers=14 >"$TMP/out" 2>"$TMP/err"); rc=$?; checks=$((checks + 1))
expect_rc 0 "README compare" && expect_stdout_has "verdict: the candidate is better" "README compare"
(cd "$TMP" && "$CAPSIM" sweep "$SOURCE_DIR/scenarios/web_slo.json" --out curve.csv >"$TMP/out" 2>"$TMP/err"); rc=$?; checks=$((checks + 1))
expect_rc 0 "README sweep (the scenario's own sweep)" &&
  { [[ $(wc -l <"$TMP/curve.csv") -eq 37 ]] || fail "README sweep: $(wc -l <"$TMP/curve.csv") CSV lines, expected 37 (9 points x 4 rows + header)"; }
(cd "$SOURCE_DIR" && "$CAPSIM" run scenarios/mm1.json --precision 0.02 >"$TMP/out" 2>"$TMP/err"); rc=$?; checks=$((checks + 1))
expect_rc 0 "README run --precision" && expect_stdout_has "seed 1, 154 replications (until" "README run --precision"
(cd "$SOURCE_DIR" && "$CAPSIM" theory mmc --arrival-rate 400 --service-rate 50 --servers 11 >"$TMP/out" 2>"$TMP/err"); rc=$?; checks=$((checks + 1))
expect_rc 0 "README theory"

# --- Summary ------------------------------------------------------------------------------------

echo "cli_test: $checks commands, $failures failed checks"
[[ $failures -eq 0 ]]
