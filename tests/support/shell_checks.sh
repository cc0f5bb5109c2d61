# What the shell tests share (sourced): their arguments, and counted checks that run a command
# keeping its exit code and output in the scratch directory $TMP (the test makes it), fail with a
# message and show what the command printed.
# shellcheck shell=bash

failures=0
checks=0

# Sets CAPSIM and SOURCE_DIR from the test's arguments, or exits 2 with its usage.
read_arguments() {  # read_arguments "$@"
  if [[ $# -ne 2 ]]; then
    echo "usage: $0 PATH_TO_CAPSIM PROJECT_SOURCE_DIR" >&2
    exit 2
  fi
  # shellcheck disable=SC2034  # read by the test that sources this
  CAPSIM=$1 SOURCE_DIR=$2
}

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Runs a command; leaves the exit code in $rc and the output in $TMP/out and $TMP/err, so each
# check can look at all three.
run_command() {
  "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  checks=$((checks + 1))
}

# Shows what the last command printed, for diagnosing a failed check.
show() {
  echo "  exit code: $rc"
  echo "  stdout: $(head -c 400 "$TMP/out")"
  echo "  stderr: $(head -c 600 "$TMP/err")"
}
