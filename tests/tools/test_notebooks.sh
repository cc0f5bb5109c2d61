#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless (nbconvert, Debian's Python) against the built
# capsim, and checks that the committed notebooks carry no outputs (so diffs stay reviewable).
# Usage: test_notebooks.sh PATH_TO_CAPSIM PROJECT_SOURCE_DIR
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH_TO_CAPSIM PROJECT_SOURCE_DIR" >&2
  exit 2
fi
CAPSIM=$(realpath "$1")
NOTEBOOKS="$2/notebooks"
# Each notebook must run within this (seconds); it is also nbconvert's per-cell timeout.
LIMIT=60

TMP=$(mktemp -d "${TMPDIR:-/tmp}/capsim_notebooks.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
# Everything the notebooks and Jupyter write goes to the temporary directory.
export CAPSIM CAPSIM_OUTPUT_DIR="$TMP/outputs" JUPYTER_RUNTIME_DIR="$TMP/runtime" IPYTHONDIR="$TMP/ipython"
export MPLBACKEND=Agg PYDEVD_DISABLE_FILE_VALIDATION=1 PYTHONDONTWRITEBYTECODE=1

failures=0
notebooks=("$NOTEBOOKS"/*.ipynb)
[[ -e ${notebooks[0]} ]] || { echo "FAIL: no notebooks in $NOTEBOOKS"; exit 1; }

# Committed notebooks are clean: every code cell has no outputs and execution_count null.
if ! /usr/bin/python3 - "${notebooks[@]}" <<'PYTHON'; then
import json, sys

dirty = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as stream:
        notebook = json.load(stream)
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code" and (cell.get("outputs") != [] or cell.get("execution_count") is not None):
            dirty.append(f"{path}: cell {index} has outputs or an execution count")
for line in dirty:
    print("FAIL:", line)
sys.exit(1 if dirty else 0)
PYTHON
  failures=$((failures + 1))
fi

for notebook in "${notebooks[@]}"; do
  name=$(basename "$notebook")
  start=$(date +%s%N)
  # Run from notebooks/, as a user would: the notebooks import their helpers from there.
  (cd "$NOTEBOOKS" && /usr/bin/python3 -m nbconvert --to notebook --execute \
    --ExecutePreprocessor.timeout=$LIMIT --output-dir "$TMP/executed" "$name") >"$TMP/log" 2>&1
  rc=$?
  milliseconds=$((($(date +%s%N) - start) / 1000000))
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: $name: nbconvert exited with $rc"
    tail -n 30 "$TMP/log"
    failures=$((failures + 1))
  elif ((milliseconds > LIMIT * 1000)); then
    echo "FAIL: $name took $((milliseconds / 1000)) s, expected at most $LIMIT s"
    failures=$((failures + 1))
  elif ! images=$(/usr/bin/python3 -c '
import json, sys
cells = json.load(open(sys.argv[1], encoding="utf-8"))["cells"]
print(sum("image/png" in output.get("data", {}) for cell in cells for output in cell.get("outputs", [])))
' "$TMP/executed/$name") || [[ $images -lt 1 ]]; then
    echo "FAIL: $name drew no figure"
    failures=$((failures + 1))
  else
    echo "$name: executed in $((milliseconds / 1000)).$((milliseconds % 1000 / 100)) s, $images figures"
  fi
done

# The notebooks wrote their outputs where they were told, not into the repository.
[[ -d $CAPSIM_OUTPUT_DIR ]] || { echo "FAIL: nothing written to CAPSIM_OUTPUT_DIR"; failures=$((failures + 1)); }

echo "${#notebooks[@]} notebooks, $failures failures"
[[ $failures -eq 0 ]]
