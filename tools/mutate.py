#!/usr/bin/python3
"""Mutation testing: plants one small bug at a time in the core and checks the tests catch it.

Each mutant below replaces one exact piece of a source file (it must occur exactly once) by a
plausible slip: a wrong denominator, a dropped counter, an off-by-one level. For each, the
script builds a copy of the working tree (Release, Ninja) and runs the test suite without the
fuzz, notebook and plot tiers; the mutant is killed when a test fails, and survives when all
pass. A surviving mutant is a formula or a counter no test pins.

  /usr/bin/python3 tools/mutate.py              # every mutant; a table of killed / survived
  /usr/bin/python3 tools/mutate.py --only NAME  # one (repeatable)
  /usr/bin/python3 tools/mutate.py --check      # only checks each mutant still applies once

Exit 0 when every mutant is killed (or, with --check, applies), 1 otherwise, 2 on bad input.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    find: str
    replace: str
    what: str


MUTANTS = [
    Mutant("variance-denominator", "sim/statistics.cpp",
           "std::sqrt(squares / (n - 1) / n)", "std::sqrt(squares / n / n)",
           "replication variance divided by n instead of n - 1"),
    Mutant("one-sided-quantile", "sim/statistics.cpp",
           "student_t_quantile(0.5 + confidence / 2, n - 1)",
           "student_t_quantile(confidence, n - 1)",
           "a one-sided Student-t quantile for a two-sided interval"),
    Mutant("tally-merge", "sim/statistics.cpp",
           "2 * delta * other.shifted_sum_", "delta * other.shifted_sum_",
           "the cross term dropped from the pairwise variance update"),
    Mutant("time-average-level", "sim/statistics.hpp",
           "area_ += level_ * (now - last_change_);\n    last_change_ = now;\n    level_ = level;",
           "area_ += level * (now - last_change_);\n    last_change_ = now;\n    level_ = level;",
           "a time average integrating the new level over the past interval"),
    Mutant("histogram-midpoint", "sim/quantile_histogram.cpp",
           "std::clamp(0.5 * (low + high), min_, max_)", "std::clamp(high, min_, max_)",
           "a quantile at its bucket's upper edge"),
    Mutant("erlang-c", "sim/analytic/queueing.cpp",
           "servers * b / (servers - offered_load * (1.0 - b))",
           "servers * b / (servers - offered_load * (1.0 + b))",
           "a sign slip in the Erlang C formula"),
    Mutant("mva-residence", "sim/analytic/mva.cpp",
           "residence[k] = stations_[k].demand * (1 + length[k]);",
           "residence[k] = stations_[k].demand * length[k];",
           "MVA residence time without the arriving request's own service"),
    Mutant("exponential-mean", "sim/distribution.cpp",
           "return a_ * standard_exponential(rng);",
           "return 0.99 * a_ * standard_exponential(rng);",
           "exponential samples 1% short of their mean"),
    Mutant("uniform-range", "sim/distribution.cpp",
           "return a_ + b_ * rng.uniform_open();", "return a_ + b_ * rng.uniform_open() * 0.98;",
           "uniform samples missing the top 2% of their range"),
    Mutant("utilization-window", "models/nodes/station.cpp",
           "busy_time_[server] += now - std::max(busy_since_[server], network_.window_start());",
           "busy_time_[server] += now - busy_since_[server];",
           "busy time before the window counted in utilization"),
    Mutant("rejection-count", "models/nodes/network.hpp",
           "      ++rejected_;\n", "",
           "end-to-end rejections not counted"),
    Mutant("rejection-ratio", "models/nodes/flow_metrics.cpp",
           "rejections / arrivals : kNaN", "rejections / (arrivals + 1) : kNaN",
           "a rejection ratio off by one arrival"),
    Mutant("token-refill", "models/nodes/rate_limiter.cpp",
           "const double gained = ticks - ticks_seen_;",
           "const double gained = ticks - ticks_seen_ + 1;",
           "a token bucket gaining one token too many per refill"),
    Mutant("ttl-clamp", "models/nodes/cache_policies.cpp",
           "overdue_ += now - std::max(expiry_[order_.tail], window_start_);",
           "overdue_ += now - expiry_[order_.tail];",
           "a TTL entry's overdue time counted from before the window"),
    Mutant("little-allowance", "models/workflows/validate.cpp",
           "check.tolerance = std::max(wide.half_width, boundary) + rounding;",
           "check.tolerance = std::max(wide.half_width, boundary) * run.scenario.duration + "
           "rounding;",
           "Little's law allowance widened by the run's duration"),
]

TEST_EXCLUDE = "fuzz|notebooks|plots"


def applies_once(root: Path, mutant: Mutant) -> str:
    """Empty when the mutant's text occurs exactly once, else what is wrong."""
    path = root / mutant.file
    if not path.is_file():
        return f"{mutant.file} does not exist"
    count = path.read_text().count(mutant.find)
    return "" if count == 1 else f"its text occurs {count} times in {mutant.file}, expected once"


def run(command, cwd, log):
    with open(log, "a") as out:
        out.write("$ " + " ".join(command) + "\n")
        out.flush()
        return subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode


def copy_tree(root: Path, destination: Path):
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def failed_tests(log: Path) -> str:
    text = log.read_text(errors="replace")
    start = text.rfind("The following tests FAILED:")
    if start < 0:
        return "the build or a test run"
    names = re.findall(r"^\s*\d+ - (\S+)", text[start:], re.MULTILINE)
    return ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this mutant (repeatable)")
    parser.add_argument("--check", action="store_true",
                        help="only check that every mutant applies exactly once")
    parser.add_argument("--jobs", type=int, default=2, help="build and test jobs (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the build copy and its logs")
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parent.parent,
                        metavar="DIR", help="the source tree (default: this repository)")
    args = parser.parse_args()

    root = args.source
    names = {m.name for m in MUTANTS}
    unknown = [n for n in args.only if n not in names]
    if unknown:
        print(f"mutate.py: error: --only {unknown[0]}: no such mutant, expected one of "
              f"{', '.join(sorted(names))}", file=sys.stderr)
        return 2
    mutants = [m for m in MUTANTS if not args.only or m.name in args.only]

    stale = [(m, applies_once(root, m)) for m in mutants]
    stale = [(m, why) for m, why in stale if why]
    for m, why in stale:
        print(f"mutant {m.name} does not apply: {why}", file=sys.stderr)
    if args.check or stale:
        if not stale:
            print(f"all {len(mutants)} mutants apply")
        return 1 if stale else 0

    work = Path(tempfile.mkdtemp(prefix="capsim_mutants_"))
    tree, build, log = work / "src", work / "build", work / "log"
    copy_tree(root, tree)
    launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
    configure = ["cmake", "-S", str(tree), "-B", str(build), "-G", "Ninja",
                 "-DCMAKE_BUILD_TYPE=Release", *launcher]
    build_command = ["cmake", "--build", str(build), "-j", str(args.jobs)]
    test_command = ["ctest", "--test-dir", str(build), "-j", str(args.jobs), "-LE",
                    TEST_EXCLUDE, "--stop-on-failure", "--output-on-failure"]
    print(f"building an unmutated copy in {work} ...", flush=True)
    if run(configure, tree, log) or run(build_command, tree, log) or run(test_command, tree, log):
        print(f"the unmutated tree does not build or pass its tests: see {log}", file=sys.stderr)
        return 1

    survivors = 0
    print(f"{'mutant':<22} {'result':<9} {'seconds':>7}  caught by / what it does")
    for m in mutants:
        path = tree / m.file
        original = path.read_text()
        path.write_text(original.replace(m.find, m.replace, 1))
        mutant_log = work / f"{m.name}.log"
        began = time.monotonic()
        killed = bool(run(build_command, tree, mutant_log) or run(test_command, tree, mutant_log))
        seconds = time.monotonic() - began
        path.write_text(original)
        os.utime(path)  # so the next build recompiles the restored file
        detail = failed_tests(mutant_log) if killed else m.what
        survivors += not killed
        print(f"{m.name:<22} {'killed' if killed else 'SURVIVED':<9} {seconds:7.0f}  {detail}",
              flush=True)
    print(f"\n{len(mutants) - survivors} of {len(mutants)} mutants killed")
    if args.keep:
        print(f"build copy and logs kept in {work}")
    else:
        shutil.rmtree(work)
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
