#!/usr/bin/env bash
# Proves that a change kept capsim's behaviour: runs scenarios with two builds of capsim and
# reports every output that differs.
#
#   bash tools/same_outputs.sh [--run-only] OLD NEW [SCENARIO...]
#
# OLD and NEW are each a capsim binary, a build folder holding tools/capsim, or --commit REV: that
# commit of this repository, built in a temporary worktree (Release, tests off, the capsim target
# only) which is removed afterwards. SCENARIO defaults to every scenarios/*.json of this checkout.
#
# Each binary runs, for every scenario, with the scenario's own seed, replications and duration:
#   capsim run SCENARIO --format json --threads 2
#   capsim validate SCENARIO --threads 2          (not with --run-only)
# Results are byte-identical whatever the thread count, so --threads only saves time. Standard
# output, standard error (warnings) and the exit code are compared byte for byte. One thing is
# masked, in the JSON of run only: the values of "version" and "git_revision" in its top-level
# "capsim" object, which name the build rather than the result. Nothing else is masked.
#
# Prints one line per scenario and, for each output that differs, a short diff. Exit code: 0 when
# every output is identical, 1 when one differs, 2 on bad usage or when a side cannot be found or
# built.
set -euo pipefail

usage() {
  echo "usage: bash tools/same_outputs.sh [--run-only] OLD NEW [SCENARIO...]" >&2
  echo "  OLD, NEW: a capsim binary, a build folder holding tools/capsim, or --commit REV" >&2
  exit 2
}
fail() { echo "same_outputs: $*" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/same_outputs.XXXXXX")
worktrees=()
# shellcheck disable=SC2317  # run by the trap
cleanup() {
  for tree in ${worktrees[@]+"${worktrees[@]}"}; do
    git -C "$root" worktree remove --force "$tree" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Builds commit $1 of this repository in a temporary worktree for side $2 (old or new); sets
# binary to the binary's path.
build_commit() {
  local commit tree log generator=()
  commit=$(git -C "$root" rev-parse --verify --quiet "$1^{commit}") ||
    fail "--commit $1: not a commit of $root"
  tree="$work/$2-${commit:0:12}"
  log="$tree.log"
  echo "building ${commit:0:12} ($1) in a temporary worktree (log: $log while it runs)" >&2
  git -C "$root" worktree add --detach --quiet "$tree/src" "$commit" >"$log" 2>&1 ||
    { cat "$log" >&2; fail "--commit $1: git worktree add failed"; }
  worktrees+=("$tree/src")
  command -v ninja >/dev/null && generator=(-G Ninja)
  if ! { cmake -S "$tree/src" -B "$tree/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
           -DCAPSIM_BUILD_TESTS=OFF && cmake --build "$tree/build" --target capsim; } >>"$log" 2>&1
  then
    tail -n 30 "$log" >&2
    fail "--commit $1: the build failed"
  fi
  binary="$tree/build/tools/capsim"
}

# Turns one side (a binary or a build folder) into binary, the absolute path of a capsim binary.
resolve_binary() {
  local side=$1
  if [ -d "$side" ]; then
    binary="$side/tools/capsim"
    [ -x "$binary" ] || fail "$side: a build folder, but it holds no tools/capsim"
  else
    binary=$side
    [ -e "$binary" ] || fail "$side: no such binary or build folder"
    [ -x "$binary" ] || fail "$side: not executable"
  fi
  binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
}

run_only=false
sides=()
labels=()
scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --run-only) run_only=true; shift ;;
    --commit)
      [ $# -ge 2 ] || usage
      [ ${#sides[@]} -lt 2 ] || usage
      sides+=("commit:$2"); labels+=("--commit $2"); shift 2 ;;
    -h|--help) usage ;;
    -*) echo "same_outputs: unknown option $1" >&2; usage ;;
    *)
      if [ ${#sides[@]} -lt 2 ]; then
        sides+=("$1"); labels+=("$1")
      else
        [ -f "$1" ] || fail "$1: no such scenario"
        scenario="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
        scenarios+=("${scenario#"$root"/}")  # relative to the checkout when it is in it
      fi
      shift ;;
  esac
done
[ ${#sides[@]} -eq 2 ] || usage

binaries=()
for side in 0 1; do
  case "${sides[$side]}" in
    commit:*) build_commit "${sides[$side]#commit:}" "$([ $side = 0 ] && echo old || echo new)" ;;
    *) resolve_binary "${sides[$side]}" ;;
  esac
  binaries+=("$binary")
done

# Paths relative to the checkout, so the "file" field and the messages name them as the README does.
cd "$root"
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(scenarios/*.json)
  [ -f "${scenarios[0]}" ] || fail "no scenarios in $root/scenarios"
fi

# The values of "version" and "git_revision" in the top-level "capsim" object of capsim's JSON
# (written with an indent of 2), and nothing else.
mask_build() {
  awk '
    /^  "capsim": \{$/ { inside = 1; print; next }
    inside && /^  \}/ { inside = 0 }
    inside && /^    "(version|git_revision)": "/ {
      comma = /,$/ ? "," : ""
      sub(/": ".*$/, "\": \"(masked)\"" comma)
    }
    { print }'
}

# Runs one command with one binary: $1 the output prefix, $2 the binary, then the arguments.
capture() {
  local prefix=$1 binary=$2 code=0
  shift 2
  "$binary" "$@" >"$prefix.out" 2>"$prefix.err" </dev/null || code=$?
  echo "$code" >"$prefix.code"
}

# Prints a diff of two files, cut short after 30 lines.
short_diff() {
  local lines
  diff -u --label "OLD $3" --label "NEW $3" "$1" "$2" >"$work/diff" || true
  lines=$(wc -l <"$work/diff")
  head -n 30 "$work/diff" | sed 's/^/    /'
  [ "$lines" -le 30 ] || echo "    ... ($((lines - 30)) more lines of diff)"
}

echo "OLD: ${labels[0]} ($("${binaries[0]}" --version 2>&1 | head -n 1))"
echo "NEW: ${labels[1]} ($("${binaries[1]}" --version 2>&1 | head -n 1))"
commands=(run)
$run_only || commands+=(validate)
commands_text=${commands[*]}
commands_text=${commands_text// / and }
start=$SECONDS
differing=0
index=0
for scenario in "${scenarios[@]}"; do
  index=$((index + 1))
  differences=()
  for command in "${commands[@]}"; do
    arguments=("$command" "$scenario" --threads 2)
    [ "$command" = run ] && arguments+=(--format json)
    for side in 0 1; do
      capture "$work/$index.$command.$side" "${binaries[$side]}" "${arguments[@]}"
    done
    if [ "$command" = run ]; then
      for side in 0 1; do
        mask_build <"$work/$index.run.$side.out" >"$work/$index.run.$side.masked"
        mv "$work/$index.run.$side.masked" "$work/$index.run.$side.out"
      done
    fi
    for stream in out err code; do
      old="$work/$index.$command.0.$stream"
      new="$work/$index.$command.1.$stream"
      cmp -s "$old" "$new" && continue
      case "$stream" in out) name=stdout ;; err) name=stderr ;; code) name="exit code" ;; esac
      differences+=("$command $name")
      echo "DIFFERS  $scenario: capsim ${arguments[*]}: $name"
      if [ "$stream" = code ]; then
        echo "    OLD exit $(cat "$old"), NEW exit $(cat "$new")"
      else
        short_diff "$old" "$new" "$name"
      fi
    done
  done
  if [ ${#differences[@]} -eq 0 ]; then
    echo "same     $scenario ($commands_text)"
  else
    differing=$((differing + 1))
  fi
done

what="${#scenarios[@]} scenario(s), $commands_text, in $((SECONDS - start)) s"
if [ "$differing" -eq 0 ]; then
  echo "identical: every output of $what (version and git_revision masked)"
  exit 0
fi
echo "DIFFERENT: $differing of $what"
exit 1
