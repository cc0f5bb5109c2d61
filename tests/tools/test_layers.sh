#!/usr/bin/env bash
# tools/check_layers.py: the repository has no upward include, and a planted one is caught.
set -euo pipefail
source_dir=$1
check="/usr/bin/python3 $source_dir/tools/check_layers.py"

$check "$source_dir"

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/sim" "$tree/models/nodes" "$tree/models/workflows" "$tree/tests"
grep '^Include order:' "$source_dir/README.md" > "$tree/README.md"
printf '#include "models/nodes/node.hpp"\n#include "sim/rng.hpp"\n' > "$tree/models/workflows/run.cpp"
printf '#include "models/workflows/run.hpp"\n' > "$tree/tests/test_run.cpp"
$check "$tree"  # downward and from tests/: allowed

printf '#include "sim/rng.hpp"\n#include "models/workflows/run.hpp"\n' > "$tree/models/nodes/node.cpp"
if output=$($check "$tree"); then
  echo "FAIL: an upward include from models/nodes/ to models/workflows/ passed"; exit 1
fi
grep -q '^models/nodes/node.cpp:2: includes models/workflows/run.hpp' <<<"$output" ||
  { echo "FAIL: unexpected report: $output"; exit 1; }

rm "$tree/models/nodes/node.cpp"
printf '#include "models/nodes/node.hpp"\n' > "$tree/sim/clock.hpp"
if $check "$tree" >/dev/null; then echo "FAIL: sim/ including models/ passed"; exit 1; fi

echo "no order" > "$tree/README.md"
if $check "$tree" 2>/dev/null; then echo "FAIL: a README without the order passed"; exit 1; fi
echo "layers: ok"
