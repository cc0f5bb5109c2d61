"""The command line of tools/plot_sweep.py: options, checks, then one figure written."""

import argparse
import sys
from pathlib import Path

from . import heatmap, latency, utilization
from .errors import InputError, expected_one_of
from .figure_files import figure_paths, refuse_existing, save_figure
from .selection import parse_at
from .sweep_data import END_TO_END, load_sweep

PROGRAM = "plot_sweep.py"
# --kind NAME -> plan(sweep, options, node, fixed): checks the options against the sweep and
# returns (figure size, draw(ax)). The first kind is the default.
KINDS = {
    "latency": latency.plan,
    "utilization": utilization.plan,
    "heatmap": heatmap.plan,
}
FORMATS = ("png", "svg")


def default_node(sweep):
    """The only station if there is one, else end to end."""
    stations = sweep.station_nodes()
    return stations[0] if len(stations) == 1 else END_TO_END


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Plot `capsim sweep` output (CSV or JSON) as PNG and SVG.",
        epilog="Exit codes: 0 success, 2 bad input.",
    )
    parser.add_argument(
        "sweep", metavar="SWEEP", help="FILE.csv or FILE.json written by capsim sweep --out"
    )
    parser.add_argument(
        "--kind",
        choices=tuple(KINDS),
        default=next(iter(KINDS)),
        help=f"what to plot (default: {next(iter(KINDS))})",
    )
    parser.add_argument(
        "--node",
        help="node to plot (latency, heatmap); default: the only station, else 'end to end'",
    )
    parser.add_argument(
        "--metric",
        action="append",
        help="metric: repeatable for latency (default W, sojourn.p50, sojourn.p99); "
        "heatmap default sojourn.p99; utilization default utilization",
    )
    parser.add_argument(
        "--x",
        dest="x_axis",
        metavar="PATH",
        help="varied parameter on the x axis (default: the first free one)",
    )
    parser.add_argument(
        "--y",
        dest="y_axis",
        metavar="PATH",
        help="heatmap: varied parameter on the y axis (default: the next free one)",
    )
    parser.add_argument(
        "--at",
        action="append",
        metavar="PATH=VALUE",
        help="fix a varied parameter to one of its values; repeatable",
    )
    parser.add_argument(
        "--slo",
        type=float,
        metavar="VALUE",
        help="draw this threshold (the metric's unit: seconds for times)",
    )
    parser.add_argument("--log-y", action="store_true", help="latency: logarithmic y axis")
    parser.add_argument(
        "--title", help="figure title (default: scenario name, node and fixed parameters)"
    )
    parser.add_argument(
        "--format",
        default="png,svg",
        help="comma-separated output formats: png, svg (default: both)",
    )
    parser.add_argument(
        "--out",
        metavar="PREFIX",
        help="writes PREFIX.png and PREFIX.svg (default: SWEEP without extension, plus -KIND)",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite PREFIX.png and PREFIX.svg if they exist"
    )
    return parser.parse_args(argv)


def parse_formats(text):
    """--format png,svg as a list, each one checked."""
    formats = [f.strip() for f in text.split(",") if f.strip()]
    for f in formats:
        if f not in FORMATS:
            raise InputError("--format: " + str(expected_one_of("format", f, list(FORMATS))))
    return formats


def plan_plot(options):
    """Loads the sweep and checks every option against it; returns (figure size, draw(ax)).
    Everything is checked before drawing, so bad input fails fast and writes nothing."""
    sweep = load_sweep(options.sweep)
    fixed = parse_at(sweep, options.at)
    for flag, axis in (("--x", options.x_axis), ("--y", options.y_axis)):
        if axis is not None and axis not in sweep.axes:
            raise InputError(f"{flag}: " + str(expected_one_of("parameter", axis, sweep.axes)))
    node = options.node if options.node is not None else default_node(sweep)
    return KINDS[options.kind](sweep, options, node, fixed)


def draw_and_save(options, size, draw, out, formats):
    """Draws the figure headless and writes it; returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")  # headless: no display needed
    from matplotlib.figure import Figure

    figure = Figure(figsize=size)
    ax = figure.add_subplot()
    draw(ax)
    if options.title:
        ax.set_title(options.title, fontsize=10)
    return save_figure(figure, out, formats, force=options.force)


def main(argv=None):
    options = parse_arguments(argv)
    try:
        formats = parse_formats(options.format)
        size, draw = plan_plot(options)
        out = options.out or str(Path(options.sweep).with_suffix("")) + f"-{options.kind}"
        if not options.force:
            refuse_existing(figure_paths(out, formats))  # before the work of drawing
        for path in draw_and_save(options, size, draw, out, formats):
            print(path)
    except InputError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        what = str(error.strerror or error).lower()
        print(
            f"{PROGRAM}: error: {error.filename}: found {what}, expected a writable output path",
            file=sys.stderr,
        )
        return 2
    return 0
