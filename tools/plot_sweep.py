#!/usr/bin/python3
"""Plots the output of `capsim sweep` (FILE.csv or FILE.json) as PNG and SVG.

Kinds of plot (--kind):
  latency      latency against the varied parameter for one node: simulated mean W, p50 and p99
               with their 95% confidence intervals as shaded bands, the closed forms dashed where
               one applies, and the load at which the node's utilization would reach 1 (the
               asymptote of every latency curve) as a vertical line.
  utilization  utilization (or --metric) per node, with error bars: one bar per node at one
               point (--at), or one group of bars per node with a bar per point.
  heatmap      one metric (--metric, default sojourn.p99) over two varied parameters.

Examples:
  capsim sweep scenarios/web_slo.json --out /tmp/web.csv
  tools/plot_sweep.py /tmp/web.csv --node api --slo 0.1 --out /tmp/latency
  tools/plot_sweep.py /tmp/web.csv --kind utilization --at nodes.users.arrival.rate=400 \
      --out /tmp/util
  capsim sweep scenarios/web_slo.json --vary nodes.users.arrival.rate=300:500:50 \
      --vary nodes.api.servers=9:14:1 --out /tmp/grid.csv
  tools/plot_sweep.py /tmp/grid.csv --kind heatmap --node api --metric sojourn.p99 --slo 0.1 \
      --out /tmp/p99

Exit codes: 0 success, 2 bad input (missing or malformed file, unknown node, metric or parameter,
all reported on one line with the valid choices).

Importable too (the notebooks do): load_sweep(), then plot_latency(), plot_bars() or
plot_heatmap() on a matplotlib Axes, and save_figure(). The code lives in the package
sweep_plots/ beside this file; this script is its entry point and re-exports its API.
"""

import sys
from pathlib import Path

# The package sits beside this file. Python puts the script's folder on the import path, but
# not under -P, -I or PYTHONSAFEPATH, nor when this file is imported from elsewhere.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from sweep_plots import *  # noqa: E402,F401,F403 (the API, as plot_sweep.NAME)
from sweep_plots import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
