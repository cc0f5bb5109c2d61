#!/usr/bin/env bash
# tools/mutate.py --check: every listed mutant applies to the sources exactly once, and one whose
# text no longer occurs (the code moved on) is reported, so the list cannot rot unseen.
set -euo pipefail
source_dir=$1
mutate="/usr/bin/python3 $source_dir/tools/mutate.py"

$mutate --check --source "$source_dir"

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
cp -r "$source_dir/sim" "$source_dir/models" "$tree"
# The Erlang C mutant's text, rewritten as an equivalent expression.
sed -i 's|servers \* b / (servers - offered_load \* (1.0 - b))|b * servers / (servers - offered_load * (1.0 - b))|' \
  "$tree/sim/analytic/queueing.cpp"
if output=$($mutate --check --source "$tree" 2>&1); then
  echo "FAIL: a mutant whose text is gone passed the check"; exit 1
fi
grep -q '^mutant erlang-c does not apply: its text occurs 0 times in sim/analytic/queueing.cpp' \
  <<<"$output" || { echo "FAIL: unexpected report: $output"; exit 1; }
echo "mutants: ok"
