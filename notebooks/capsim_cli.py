"""What the notebooks share: the capsim binary, a scratch directory, and running capsim.

- The binary is $CAPSIM if set (the tests set it), else ../build/tools/capsim relative to this
  folder, so the notebooks run from a checkout after `bash tools/dev quickstart`.
- Outputs (sweep CSVs, plots) go to $CAPSIM_OUTPUT_DIR if set (the tests point it at a directory
  they delete), else to a new temporary directory: never into the repository.
- tools/ is put on the import path, so `import plot_sweep` gives the plotting functions of
  tools/plot_sweep.py.
"""

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent
ROOT = NOTEBOOKS.parent
SCENARIOS = ROOT / "scenarios"
sys.path.insert(0, str(ROOT / "tools"))

# Exit codes of capsim (see capsim --help).
EXIT_CODES = {
    0: "success / met",
    1: "check failed / SLO violated",
    2: "bad input",
    3: "inconclusive",
    4: "internal error",
}


def find_capsim():
    """The capsim binary: $CAPSIM, else ../build/tools/capsim; an error says how to get one."""
    candidate = (
        Path(os.environ["CAPSIM"])
        if os.environ.get("CAPSIM")
        else ROOT / "build" / "tools" / "capsim"
    )
    if not (candidate.is_file() and os.access(candidate, os.X_OK)):
        raise FileNotFoundError(
            f"capsim not found at {candidate}: "
            "build it (bash tools/dev quickstart) or set CAPSIM=/path/to/capsim"
        )
    return candidate.resolve()


CAPSIM = find_capsim()
OUTPUT = Path(os.environ.get("CAPSIM_OUTPUT_DIR") or tempfile.mkdtemp(prefix="capsim_notebook_"))
OUTPUT.mkdir(parents=True, exist_ok=True)


def _shown(argument):
    """An argument as the reader would type it: paths inside the checkout relative to it."""
    text = str(argument)
    try:
        return str(Path(text).resolve().relative_to(ROOT)) if Path(text).is_absolute() else text
    except ValueError:
        return text


def run(*arguments, expect=(0,), echo=True):
    """Runs `capsim ARGUMENTS...`, prints the command and its output, returns the CompletedProcess.

    expect: the exit codes that are answers here (check answers 0, 1 or 3); any other raises
    RuntimeError with capsim's message.
    """
    arguments = [str(a) for a in arguments]
    if echo:
        print("$ capsim " + " ".join(shlex.quote(_shown(a)) for a in arguments))
    result = subprocess.run([str(CAPSIM), *arguments], capture_output=True, text=True, check=False)
    if result.returncode not in expect:
        raise RuntimeError(
            f"capsim exited with {result.returncode} ({EXIT_CODES.get(result.returncode, '?')}): "
            + result.stderr.strip()
        )
    if echo:
        print(result.stdout, end="")
        if result.returncode != 0:
            print(f"[exit code {result.returncode}: {EXIT_CODES.get(result.returncode, '?')}]")
    return result


def theory_table(text):
    """The figures of `capsim theory` text output, e.g. {"utilization": 0.72, "W": 0.0216,
    "sojourn.p99": 0.0944}."""
    values = {}
    names = {
        "utilization": "utilization",
        "L (in system)": "L",
        "W (sojourn, s)": "W",
        "Wq (wait, s)": "Wq",
    }
    for line in text.splitlines():
        for label, name in names.items():
            if line.startswith(label + " "):
                values[name] = float(line.split()[-1])
        fields = line.split()
        if (
            len(fields) == 3
            and fields[0].startswith("p")
            and fields[0][1:].replace(".", "").isdigit()
        ):
            values["wait." + fields[0]] = float(fields[1])
            values["sojourn." + fields[0]] = float(fields[2])
    return values
