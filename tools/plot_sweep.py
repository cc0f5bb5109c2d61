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
plot_heatmap() on a matplotlib Axes, and save_figure().
"""

import argparse
import csv
import difflib
import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# matplotlib is imported where a plot is drawn: bad input is reported without its start-up cost.

PROGRAM = "plot_sweep.py"
END_TO_END = "end to end"
# Latency metrics drawn by default: mean sojourn, median and tail.
DEFAULT_LATENCY_METRICS = ("W", "sojourn.p50", "sojourn.p99")
# Metrics measured in seconds (shown in ms when every value is below one second).
TIME_METRICS = ("W", "Wq", "W_departures")
TIME_PREFIXES = ("sojourn.", "wait.")
# Points with a larger utilization are not used to fit the utilization line: a station past
# saturation reports a utilization capped at 1, which is no longer linear in the load.
FIT_MAX_UTILIZATION = 0.95
# A fitted line is accepted when no point is further from it than this (plus 3 half-widths):
# more means the parameter is not a load (e.g. servers, where utilization goes as 1/c).
FIT_TOLERANCE = 0.02
# A station at least this busy, without rejections, has no steady state (rho >= 1).
SATURATED_UTILIZATION = 0.99


class InputError(Exception):
    """Bad input: reported on one line, exit code 2."""


def did_you_mean(found, choices):
    close = difflib.get_close_matches(str(found), [str(c) for c in choices], n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def expected_one_of(what, found, choices):
    """An InputError 'found X, expected one of A, B or C (did you mean ...?)'."""
    names = [str(c) for c in choices]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return InputError(
        f'found {what} "{found}", expected one of {listed}{did_you_mean(found, names)}'
    )


def parse_value(text):
    """A parameter value from CSV text: a number when it reads as one, else the text."""
    try:
        return float(text)
    except ValueError:
        return text


def format_value(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass
class Row:
    """One node at one point of the sweep."""

    point: tuple  # values of the varied parameters, in axis order
    node: str
    type: str
    metrics: dict = field(default_factory=dict)  # name -> (mean, half_width); nan if unknown
    theory: dict = field(default_factory=dict)  # name -> closed-form value


@dataclass
class Sweep:
    """The rows of a sweep, whichever file they came from."""

    file: str
    axes: list  # varied parameter paths, e.g. nodes.users.arrival.rate
    rows: list
    name: str = ""  # scenario name (JSON input only)

    def nodes(self):
        return list(dict.fromkeys(row.node for row in self.rows))

    def metrics(self):
        """Metrics with a value somewhere, in file order."""
        names = {}
        for row in self.rows:
            names.update(
                dict.fromkeys(
                    name for name, (mean, _) in row.metrics.items() if not math.isnan(mean)
                )
            )
        return list(names)

    def axis_values(self, axis):
        index = self.axes.index(axis)
        return list(dict.fromkeys(row.point[index] for row in self.rows))

    def station_nodes(self):
        """Nodes reporting a utilization (stations and the like), in file order."""
        return [
            node
            for node in self.nodes()
            if any(
                not math.isnan(r.metrics.get("utilization", (math.nan,))[0])
                for r in self.rows
                if r.node == node
            )
        ]


def load_csv(path):
    with open(path, newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if not header or "node" not in header or "type" not in header:
            raise InputError(
                f"{path}: found no node and type columns, expected the CSV written by capsim sweep "
                "(the varied parameters, node, type, then metrics)"
            )
        axis_count = header.index("node")
        metric_names = [
            name
            for name in header[axis_count + 2 :]
            if not name.endswith(".half_width") and not name.startswith("theory.")
        ]
        column = {name: c for c, name in enumerate(header)}
        rows = []
        for line_number, cells in enumerate(reader, start=2):
            if not cells:
                continue
            if len(cells) != len(header):
                raise InputError(
                    f"{path}: line {line_number}: found {len(cells)} fields, expected {len(header)}"
                )

            def number(name):
                c = column.get(name)
                return float(cells[c]) if c is not None and cells[c] != "" else math.nan

            try:
                row = Row(
                    point=tuple(parse_value(cell) for cell in cells[:axis_count]),
                    node=cells[axis_count],
                    type=cells[axis_count + 1],
                    metrics={m: (number(m), number(m + ".half_width")) for m in metric_names},
                    theory={
                        name[len("theory.") :]: number(name)
                        for name in header
                        if name.startswith("theory.") and number(name) == number(name)
                    },
                )
            except ValueError as error:
                raise InputError(
                    f"{path}: line {line_number}: found a field that is not a number ({error}), "
                    "expected numbers"
                )
            rows.append(row)
    return Sweep(file=str(path), axes=header[:axis_count], rows=rows)


def load_json(path):
    with open(path, encoding="utf-8") as stream:
        try:
            document = json.load(stream)
        except json.JSONDecodeError as error:
            raise InputError(
                f"{path}: found invalid JSON ({error}), expected the JSON written by capsim sweep"
            )
    if not isinstance(document, dict) or "axes" not in document or "points" not in document:
        raise InputError(
            f"{path}: found no axes and points, expected the JSON written by capsim sweep"
        )

    def number(value):
        return float(value) if isinstance(value, (int, float)) else math.nan

    axes = [axis["path"] for axis in document["axes"]]
    rows = []
    for point in document["points"]:
        values = tuple(
            float(v) if isinstance(v, (int, float)) else str(v)
            for v in (point["values"][axis] for axis in axes)
        )
        nodes = list(point.get("nodes", [])) + [
            {"name": END_TO_END, "type": "system", "metrics": point.get("end_to_end", {})}
        ]
        for node in nodes:
            metrics = {
                name: (number(value.get("mean")), number(value.get("half_width")))
                for name, value in node.get("metrics", {}).items()
                if isinstance(value, dict)
            }
            theory = {
                name: number(value)
                for name, value in point.get("theory", {}).get(node["name"], {}).items()
            }
            rows.append(
                Row(
                    point=values,
                    node=node["name"],
                    type=node.get("type", ""),
                    metrics=metrics,
                    theory=theory,
                )
            )
    name = (
        document.get("scenario", {}).get("name", "")
        if isinstance(document.get("scenario"), dict)
        else ""
    )
    return Sweep(file=str(path), axes=axes, rows=rows, name=name)


def load_sweep(path):
    """Reads a sweep from the CSV or JSON file written by `capsim sweep --out`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"{path}: found no such file, expected the CSV or JSON written by capsim sweep --out"
        )
    try:
        with open(path, encoding="utf-8") as stream:
            json_input = stream.read(1).lstrip() == "{" or path.suffix == ".json"
        sweep = load_json(path) if json_input else load_csv(path)
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: found binary data, expected the CSV or JSON written by capsim sweep"
        ) from None
    except (KeyError, TypeError, AttributeError) as error:
        raise InputError(
            f"{path}: found a document without {error}, expected the JSON written by capsim sweep"
        ) from None
    if not sweep.rows:
        raise InputError(
            f"{path}: found no points, expected at least one finished point of a sweep"
        )
    return sweep


# --- Selecting data ------------------------------------------------------------------------


def check_node(sweep, node):
    if node not in sweep.nodes():
        raise InputError(f"{sweep.file}: " + str(expected_one_of("node", node, sweep.nodes())))


def check_metric(sweep, node, metric):
    """The metric must be in the file and have values at the node."""
    if metric not in sweep.metrics():
        raise InputError(
            f"{sweep.file}: " + str(expected_one_of("metric", metric, sweep.metrics()))
        )
    if all(math.isnan(r.metrics.get(metric, (math.nan,))[0]) for r in sweep.rows if r.node == node):
        having = [
            n
            for n in sweep.nodes()
            if any(
                r.node == n and not math.isnan(r.metrics.get(metric, (math.nan,))[0])
                for r in sweep.rows
            )
        ]
        raise InputError(
            f'{sweep.file}: found no {metric} at node "{node}", expected a node reporting it: '
            + (", ".join(having) if having else "none does")
        )


def parse_at(sweep, at_options):
    """--at PATH=VALUE options as {axis: value}, each value one of the axis's values."""
    fixed = {}
    for option in at_options or []:
        path, sep, text = option.partition("=")
        if not sep:
            raise InputError(
                f'--at: found "{option}", expected PATH=VALUE, e.g. '
                f"{sweep.axes[0]}={format_value(sweep.axis_values(sweep.axes[0])[0])}"
            )
        if path not in sweep.axes:
            raise InputError("--at: " + str(expected_one_of("parameter", path, sweep.axes)))
        values = sweep.axis_values(path)
        wanted = parse_value(text)
        match = [
            v
            for v in values
            if v == wanted
            or (isinstance(v, float) and isinstance(wanted, float) and math.isclose(v, wanted))
        ]
        if not match:
            raise InputError(
                "--at: "
                + str(expected_one_of(f"{path} value", text, [format_value(v) for v in values]))
            )
        fixed[path] = match[0]
    return fixed


def check_free_axes(sweep, shown, fixed):
    """Every varied parameter must be on the plot or fixed by --at (if it has several values)."""
    for axis in sweep.axes:
        if axis in shown or axis in fixed or len(sweep.axis_values(axis)) == 1:
            continue
        values = ", ".join(format_value(v) for v in sweep.axis_values(axis))
        raise InputError(
            f"{sweep.file}: found {axis} varied too, "
            f"expected --at {axis}=VALUE to fix it (one of {values})"
        )


def select(sweep, node, fixed):
    """The rows of one node at the points matching the fixed parameters."""
    return [
        row
        for row in sweep.rows
        if row.node == node and all(row.point[sweep.axes.index(a)] == v for a, v in fixed.items())
    ]


def series(rows, x_index, metric):
    """Arrays (x, mean, half_width, theory) of a metric, sorted by x."""
    ordered = sorted(rows, key=lambda r: r.point[x_index])
    x = np.array([r.point[x_index] for r in ordered], dtype=float)
    mean = np.array([r.metrics.get(metric, (math.nan, math.nan))[0] for r in ordered])
    half_width = np.array([r.metrics.get(metric, (math.nan, math.nan))[1] for r in ordered])
    theory = np.array([r.theory.get(metric, math.nan) for r in ordered])
    return x, mean, np.nan_to_num(half_width), theory


def is_time(metric):
    return metric in TIME_METRICS or metric.startswith(TIME_PREFIXES)


def time_scale(values):
    """(factor, unit) to show seconds: ms when every finite value is below one second."""
    finite = [v for v in values if np.isfinite(v)]
    return (1000.0, "ms") if finite and max(finite) < 1 else (1.0, "s")


# --- The rho -> 1 asymptote ------------------------------------------------------------------


@dataclass
class UtilizationLine:
    """utilization = intercept + slope * x at one node, from closed forms or fitted."""

    node: str
    intercept: float
    slope: float
    exact: bool  # through closed-form utilizations, not a fit of simulated ones

    def saturation(self):
        """The x at which utilization reaches 1."""
        return (1 - self.intercept) / self.slope


def fit_utilization(sweep, node, x_index, fixed):
    """The node's utilization as a straight line in the plotted parameter.

    A station's pooled utilization is rho = lambda E[S] / c: linear in the arrival rate (and in
    the mean service time), so where the line reaches 1 the queue loses its steady state and
    every latency curve has a vertical asymptote. Only points that are unsaturated
    (utilization <= 0.95) and without rejections (a finite capacity bends the line by turning
    load away) are used. When all of them have a closed-form utilization, the line goes through
    those (exact; simulated utilizations follow each replication's realized arrivals, which
    common random numbers share across points, so a fit of them can be off by a percent);
    otherwise it is a least-squares fit of the simulated means. Returns None when fewer than two
    points remain, when utilization does not grow with x, or when the points are not on a line
    (x is not a load, e.g. servers, where utilization goes as 1/c).
    """
    rows = select(sweep, node, fixed)
    x, mean, half_width, theory = series(rows, x_index, "utilization")
    _, rejected, _, _ = series(rows, x_index, "rejection_ratio")
    keep = np.isfinite(mean) & (mean <= FIT_MAX_UTILIZATION) & ~(np.nan_to_num(rejected) > 0)
    if keep.sum() < 2 or np.ptp(x[keep]) == 0:
        return None
    exact = bool(np.all(np.isfinite(theory[keep])))
    y = theory[keep] if exact else mean[keep]
    tolerance = 1e-6 if exact else FIT_TOLERANCE + 3 * half_width[keep]
    slope, intercept = np.polyfit(x[keep], y, 1)
    if slope <= 0 or np.any(np.abs(y - (intercept + slope * x[keep])) > tolerance):
        return None
    return UtilizationLine(node, float(intercept), float(slope), exact)


def governing_stations(sweep, node):
    """The stations whose saturation ends the node's steady state: the node itself if it is a
    station (a station downstream or upstream being overloaded does not stop it from reaching
    one), else (a sink, end to end) every station."""
    return [node] if node in sweep.station_nodes() else sweep.station_nodes()


def bottleneck_line(sweep, node, x_index, fixed):
    """The utilization line of the governing station saturating first (the bottleneck)."""
    lines = [fit_utilization(sweep, n, x_index, fixed) for n in governing_stations(sweep, node)]
    return min(filter(None, lines), key=UtilizationLine.saturation, default=None)


def saturated_points(sweep, node):
    """Points where a governing station of the node has no steady state: utilization >= 0.99
    without rejections. Latencies there only grow with the run length: they are not drawn."""
    stations = governing_stations(sweep, node)
    return {
        row.point
        for row in sweep.rows
        if row.node in stations
        and row.metrics.get("utilization", (math.nan,))[0] >= SATURATED_UTILIZATION
        and not row.metrics.get("rejection_ratio", (math.nan,))[0] > 0
    }


# --- Plots ---------------------------------------------------------------------------------


def metric_label(metric):
    names = {
        "W": "mean sojourn W",
        "Wq": "mean wait Wq",
        "L": "mean number L",
        "utilization": "utilization",
    }
    if metric in names:
        return names[metric]
    for prefix, what in (("sojourn.", "sojourn"), ("wait.", "wait")):
        if metric.startswith(prefix):
            return f"{what} {metric[len(prefix):]}"
    return metric


def plot_latency(
    ax, sweep, node, x_axis=None, metrics=DEFAULT_LATENCY_METRICS, fixed=None, slo=None, log_y=False
):
    """Draws latency curves of one node against one varied parameter on a matplotlib Axes.

    Each metric: simulated mean as a line with markers, its 95% confidence interval (mean +-
    half_width) as a shaded band, and the closed form (theory.METRIC) as a dashed line where one
    applies. A vertical line marks where utilization extrapolates to 1 (see fit_utilization),
    with a utilization scale on the top axis; the region beyond it is shaded, and points there
    or with a saturated station (see saturated_points) are not drawn. Returns the
    UtilizationLine or None.
    """
    fixed = fixed or {}
    x_axis = x_axis or sweep.axes[0]
    x_index = sweep.axes.index(x_axis)
    rows = sorted(select(sweep, node, fixed), key=lambda r: r.point[x_index])
    line = bottleneck_line(sweep, node, x_index, fixed)
    saturation = line.saturation() if line else math.inf
    saturated = saturated_points(sweep, node)
    stable = np.array(
        [r.point not in saturated and r.point[x_index] < saturation for r in rows], dtype=bool
    )

    data = [(metric, *series(rows, x_index, metric)) for metric in metrics]
    stable_values = [
        v
        for _, _, mean, hw, theory in data
        for v in np.concatenate([(mean + hw)[stable], (mean - hw)[stable], theory[stable]])
    ]
    stable_values = [v for v in stable_values if np.isfinite(v)] + (
        [slo] if slo is not None else []
    )
    factor, unit = time_scale(stable_values)
    palette = ["tab:blue", "tab:orange", "tab:red", "tab:green", "tab:purple", "tab:brown"]
    for (metric, x, mean, hw, theory), color in zip(data, palette * 2):
        # Past saturation a simulated latency measures the run length, not the system.
        shown = np.isfinite(mean) & stable
        label = f"{metric_label(metric)} (simulated, 95% CI)"
        ax.plot(x[shown], factor * mean[shown], "o-", color=color, markersize=3.5, label=label)
        ax.fill_between(
            x[shown],
            factor * (mean - hw)[shown],
            factor * (mean + hw)[shown],
            color=color,
            alpha=0.25,
            linewidth=0,
        )
        known = np.isfinite(theory)
        if known.any():
            label = f"{metric_label(metric)} (closed form)"
            ax.plot(
                x[known],
                factor * theory[known],
                "--",
                color=color,
                alpha=0.9,
                linewidth=1.3,
                label=label,
            )
    if slo is not None:
        ax.axhline(
            factor * slo,
            color="black",
            linestyle=":",
            linewidth=1.2,
            label=f"SLO {factor * slo:g} {unit}",
        )

    x_all = np.array([r.point[x_index] for r in rows], dtype=float)
    right = x_all.max()
    if line:
        at = "" if line.node == node else f" at {line.node}"
        how = "closed form" if line.exact else "fitted"
        # An asymptote far right of the data would squeeze the curves: then only name it.
        far = saturation > x_all.max() + 0.5 * np.ptp(x_all)
        label = (
            f"utilization → 1{at}: x = {saturation:.4g} ({how}{', off the plot' if far else ''})"
        )
        ax.axvline(saturation, color="gray", linestyle="-.", linewidth=1.2, label=label)
        if x_all.max() >= saturation:
            ax.axvspan(
                saturation,
                x_all.max(),
                color="gray",
                alpha=0.15,
                linewidth=0,
                label="no steady state (not drawn)",
            )
        top = ax.secondary_xaxis(
            "top",
            functions=(
                lambda x: line.intercept + line.slope * x,
                lambda u: (u - line.intercept) / line.slope,
            ),
        )
        top.set_xlabel(f"utilization of {line.node} ({how} line)", fontsize=9)
        right = x_all.max() if far else max(x_all.max(), saturation)
    margin = 0.03 * (right - x_all.min()) or 0.5  # one point: any non-empty range
    ax.set_xlim(x_all.min() - margin, right + margin)
    if log_y:
        ax.set_yscale("log")
        positive = [v for v in stable_values if v > 0]
        if positive:
            ax.set_ylim(factor * min(positive) / 1.3, factor * max(positive) * 1.3)
    elif stable_values:
        ax.set_ylim(0, 1.1 * factor * max(stable_values))
    ax.set_xlabel(x_axis)
    ax.set_ylabel(f"latency ({unit})" if all(is_time(m) for m in metrics) else ", ".join(metrics))
    where = "".join(f", {a} = {format_value(v)}" for a, v in fixed.items())
    ax.set_title(f"{sweep.name + ': ' if sweep.name else ''}latency at {node}{where}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return line


def plot_bars(ax, sweep, x_axis=None, metric="utilization", fixed=None, slo=None):
    """Draws a metric per node (nodes reporting it) as bars with 95% error bars.

    With every varied parameter fixed (or a single point): one bar per node, the closed form as
    a black diamond. Otherwise one group per node with a bar per value of x_axis.
    """
    fixed = fixed or {}
    nodes = [
        n
        for n in sweep.nodes()
        if n != END_TO_END
        and any(
            not math.isnan(r.metrics.get(metric, (math.nan,))[0]) for r in select(sweep, n, fixed)
        )
    ]
    if not nodes:
        raise InputError(f"{sweep.file}: found no node reporting {metric}, expected at least one")
    x_axis = x_axis or next((a for a in sweep.axes if a not in fixed), sweep.axes[0])
    x_index = sweep.axes.index(x_axis)
    points = sorted(
        {r.point[x_index] for r in select(sweep, nodes[0], fixed)},
        key=lambda v: (isinstance(v, str), v),
    )
    width = 0.8 / len(points)
    colormap = _colormap("viridis")
    for p, value in enumerate(points):
        means, half_widths, theories = [], [], []
        for node in nodes:
            row = next(r for r in select(sweep, node, fixed) if r.point[x_index] == value)
            mean, half_width = row.metrics.get(metric, (math.nan, math.nan))
            means.append(mean)
            half_widths.append(0 if math.isnan(half_width) else half_width)
            theories.append(row.theory.get(metric, math.nan))
        positions = np.arange(len(nodes)) - 0.4 + width * (p + 0.5)
        color = "tab:blue" if len(points) == 1 else colormap(p / max(1, len(points) - 1) * 0.9)
        label = None if len(points) == 1 else f"{x_axis} = {format_value(value)}"
        ax.bar(
            positions,
            means,
            width,
            yerr=half_widths,
            capsize=3 if len(points) < 6 else 1,
            color=color,
            label=label,
            alpha=0.85,
        )
        if any(np.isfinite(theories)):
            labelled = "closed form" in ax.get_legend_handles_labels()[1]
            label = None if labelled else "closed form"
            ax.plot(positions, theories, "kD", markersize=4, label=label)
    if metric == "utilization":
        ax.axhline(1.0, color="gray", linestyle="-.", linewidth=1)
    if slo is not None:
        ax.axhline(
            slo,
            color="black",
            linestyle=":",
            linewidth=1.2,
            label=f"SLO {format_value(float(slo))}",
        )
    ax.set_xticks(np.arange(len(nodes)))
    ax.set_xticklabels(nodes)
    # Fixed margins, so that a single node's bar does not fill the whole plot.
    ax.set_xlim(-0.5 - 0.5 / len(nodes), len(nodes) - 0.5 + 0.5 / len(nodes))
    ax.set_ylabel(metric_label(metric))
    where = ", ".join(f"{a} = {format_value(v)}" for a, v in fixed.items())
    if len(points) == 1 and x_axis not in fixed and sweep.axes:
        where = ", ".join(filter(None, [where, f"{x_axis} = {format_value(points[0])}"]))
    ax.set_title(
        f"{sweep.name + ': ' if sweep.name else ''}{metric} per node"
        + (f" at {where}" if where else ""),
        fontsize=10,
    )
    ax.grid(True, axis="y", alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        # Outside the axes: inside, a legend per point would hide the tallest bars.
        ax.legend(
            fontsize=7,
            ncol=max(1, math.ceil(len(points) / 16)),
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
        )


def plot_heatmap(
    ax, sweep, node, metric="sojourn.p99", x_axis=None, y_axis=None, fixed=None, slo=None
):
    """Draws one metric of one node over two varied parameters, every cell annotated.

    Cells where the node (or, for a sink or end to end, any station) is saturated (see
    saturated_points: no steady state, the value only grows with the run length) are blank and
    marked; with an SLO, cells that miss it are hatched.
    """
    fixed = fixed or {}
    free = [a for a in sweep.axes if a not in fixed]
    x_axis = x_axis or free[0]
    y_axis = y_axis or next(a for a in free if a != x_axis)
    x_index, y_index = sweep.axes.index(x_axis), sweep.axes.index(y_axis)
    x_values = sorted(sweep.axis_values(x_axis), key=lambda v: (isinstance(v, str), v))
    y_values = sorted(sweep.axis_values(y_axis), key=lambda v: (isinstance(v, str), v))
    grid = np.full((len(y_values), len(x_values)), math.nan)
    saturated = np.zeros_like(grid, dtype=bool)
    unstable = saturated_points(sweep, node)
    for row in select(sweep, node, fixed):
        cell = (y_values.index(row.point[y_index]), x_values.index(row.point[x_index]))
        grid[cell] = row.metrics.get(metric, (math.nan,))[0]
        saturated[cell] = row.point in unstable
    factor, unit = time_scale(grid[~saturated].ravel()) if is_time(metric) else (1.0, "")
    shown = np.where(saturated, math.nan, grid * factor)
    finite = shown[np.isfinite(shown)]
    norm = None
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 20:
        from matplotlib.colors import LogNorm

        norm = LogNorm(finite.min(), finite.max())
    colormap = _colormap("viridis").copy()
    colormap.set_bad("lightgray")
    image = ax.imshow(
        np.ma.masked_invalid(shown), origin="lower", aspect="auto", cmap=colormap, norm=norm
    )
    colorbar = ax.figure.colorbar(image, ax=ax)
    colorbar.set_label(f"{metric_label(metric)}{f' ({unit})' if unit else ''} at {node}")
    for (i, j), value in np.ndenumerate(shown):
        if saturated[i, j]:
            text = "ρ ≥ 1"
        elif math.isnan(value):
            text = "n/a"
        else:
            text = f"{value:.3g}"
        if grid.size <= 400:  # beyond that the numbers would not fit
            red, green, blue, _ = (
                image.cmap(image.norm(value)) if np.isfinite(value) else (1, 1, 1, 1)
            )
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(
                j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black"
            )
        if slo is not None and np.isfinite(value) and value > factor * slo:
            ax.add_patch(_hatch(j, i))
    ax.set_xticks(range(len(x_values)))
    ax.set_xticklabels([format_value(v) for v in x_values], rotation=45 if len(x_values) > 8 else 0)
    ax.set_yticks(range(len(y_values)))
    ax.set_yticklabels([format_value(v) for v in y_values])
    ax.set_xlabel(x_axis)
    ax.set_ylabel(y_axis)
    slo_text = (
        f"; hatched: above the SLO {format_value(float(factor * slo))} {unit}"
        if slo is not None
        else ""
    )
    ax.set_title(
        f"{sweep.name + ': ' if sweep.name else ''}{metric} at {node}{slo_text}", fontsize=10
    )


def _hatch(column, row):
    from matplotlib.patches import Rectangle

    return Rectangle(
        (column - 0.5, row - 0.5), 1, 1, fill=False, hatch="///", edgecolor="white", linewidth=0
    )


def _colormap(name):
    import matplotlib

    return matplotlib.colormaps[name]


def figure_paths(prefix, formats=("png", "svg")):
    """The files save_figure writes for PREFIX: PREFIX.png and PREFIX.svg."""
    prefix = Path(prefix)
    if prefix.suffix in (".png", ".svg"):
        prefix = prefix.with_suffix("")
    return [prefix.parent / f"{prefix.name}.{extension}" for extension in formats]


def refuse_existing(paths):
    """InputError naming the first of `paths` that exists."""
    for path in paths:
        if os.path.lexists(path):
            raise InputError(
                f"{path}: found an existing file, expected a new path (pass --force to overwrite it)"
            )


def save_figure(figure, prefix, formats=("png", "svg"), dpi=110, force=False):
    """Writes PREFIX.png and PREFIX.svg (each atomically: a temporary file beside it, then a
    rename; on failure neither a partial file nor the temporary one is left) and returns their
    paths. A file that exists is replaced only with `force` (else InputError, before anything is
    drawn). Output is reproducible: no dates, fixed SVG ids."""
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "capsim"
    targets = figure_paths(prefix, formats)
    if not force:
        refuse_existing(targets)
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    written = []
    for extension, target in zip(formats, targets):
        temporary = target.parent / f".{target.name}.tmp{os.getpid()}"
        metadata = {"Software": None} if extension == "png" else {"Date": None}
        try:
            figure.savefig(
                temporary, format=extension, dpi=dpi, metadata=metadata, bbox_inches="tight"
            )
            os.replace(temporary, target)
        except BaseException:
            if os.path.lexists(temporary):
                os.remove(temporary)
            raise
        written.append(str(target))
    return written


# --- Command line --------------------------------------------------------------------------


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
        choices=("latency", "utilization", "heatmap"),
        default="latency",
        help="what to plot (default: latency)",
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


def main(argv=None):
    options = parse_arguments(argv)
    try:
        formats = [f.strip() for f in options.format.split(",") if f.strip()]
        for f in formats:
            if f not in ("png", "svg"):
                raise InputError("--format: " + str(expected_one_of("format", f, ["png", "svg"])))
        sweep = load_sweep(options.sweep)
        fixed = parse_at(sweep, options.at)
        for flag, axis in (("--x", options.x_axis), ("--y", options.y_axis)):
            if axis is not None and axis not in sweep.axes:
                raise InputError(f"{flag}: " + str(expected_one_of("parameter", axis, sweep.axes)))
        node = options.node if options.node is not None else default_node(sweep)
        if options.kind != "utilization":
            check_node(sweep, node)
        free = [a for a in sweep.axes if a not in fixed]

        # Validate everything before drawing, so bad input fails fast and writes nothing.
        if options.kind == "latency":
            x_axis = options.x_axis or next(iter(free), sweep.axes[0])
            check_free_axes(sweep, [x_axis], fixed)
            text = [v for v in sweep.axis_values(x_axis) if isinstance(v, str)]
            if text:
                raise InputError(
                    f'{sweep.file}: found {x_axis} = "{text[0]}", expected numbers on the x axis '
                    "of a latency plot (use --kind utilization or heatmap for named variants)"
                )
            metrics = options.metric or list(DEFAULT_LATENCY_METRICS)
            for metric in metrics:
                check_metric(sweep, node, metric)
            size = (8, 5)
            draw = lambda ax: plot_latency(
                ax, sweep, node, x_axis, metrics, fixed, options.slo, options.log_y
            )
        elif options.kind == "utilization":
            metric = (options.metric or ["utilization"])[-1]
            if metric not in sweep.metrics():
                raise InputError(
                    f"{sweep.file}: " + str(expected_one_of("metric", metric, sweep.metrics()))
                )
            x_axis = options.x_axis or next(iter(free), sweep.axes[0])
            check_free_axes(sweep, [x_axis], fixed)
            size = (8, 5)
            draw = lambda ax: plot_bars(ax, sweep, x_axis, metric, fixed, options.slo)
        else:
            metric = (options.metric or ["sojourn.p99"])[-1]
            check_metric(sweep, node, metric)
            x_axis = options.x_axis or next(iter(free), None)
            y_axis = options.y_axis or next((a for a in free if a != x_axis), None)
            if x_axis is None or y_axis is None or x_axis == y_axis:
                raise InputError(
                    f"{sweep.file}: found {len(free)} free varied parameter(s) "
                    f"({', '.join(free) or 'none'}), "
                    "expected two for a heatmap: sweep with two --vary options"
                )
            check_free_axes(sweep, [x_axis, y_axis], fixed)
            size = (8, 5.5)
            draw = lambda ax: plot_heatmap(
                ax, sweep, node, metric, x_axis, y_axis, fixed, options.slo
            )

        out = options.out or str(Path(options.sweep).with_suffix("")) + f"-{options.kind}"
        if not options.force:
            refuse_existing(figure_paths(out, formats))  # before the work of drawing

        import matplotlib

        matplotlib.use("Agg")  # headless: no display needed
        from matplotlib.figure import Figure

        figure = Figure(figsize=size)
        ax = figure.add_subplot()
        draw(ax)
        if options.title:
            ax.set_title(options.title, fontsize=10)
        for path in save_figure(figure, out, formats, force=options.force):
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


if __name__ == "__main__":
    sys.exit(main())
