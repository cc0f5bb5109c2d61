"""--kind utilization: a metric (utilization by default) per node as bars with error bars."""

import math

import numpy as np

from .drawing import metric_label, named_colormap, slo_line, title_prefix
from .errors import InputError
from .selection import check_free_axes, check_metric_in_file, first_free_axis, select
from .sweep_data import END_TO_END, format_value, value_order


def plot_bars(ax, sweep, x_axis=None, metric="utilization", fixed=None, slo=None):
    """Draws a metric per node (nodes reporting it) as bars with 95% error bars.

    With every varied parameter fixed (or a single point): one bar per node, the closed form as
    a black diamond. Otherwise one group per node with a bar per value of x_axis.
    """
    fixed = fixed or {}
    nodes = [
        n
        for n in sweep.nodes()
        if n != END_TO_END and any(not math.isnan(r.mean(metric)) for r in select(sweep, n, fixed))
    ]
    if not nodes:
        raise InputError(f"{sweep.file}: found no node reporting {metric}, expected at least one")
    x_axis = x_axis or first_free_axis(sweep, fixed)
    x_index = sweep.axes.index(x_axis)
    points = sorted({r.point[x_index] for r in select(sweep, nodes[0], fixed)}, key=value_order)
    width = 0.8 / len(points)
    colormap = named_colormap("viridis")
    for p, value in enumerate(points):
        means, half_widths, theories = _values_at(sweep, nodes, fixed, x_index, value, metric)
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
        slo_line(ax, slo, f"SLO {format_value(float(slo))}")
    ax.set_xticks(np.arange(len(nodes)))
    ax.set_xticklabels(nodes)
    # Fixed margins, so that a single node's bar does not fill the whole plot.
    ax.set_xlim(-0.5 - 0.5 / len(nodes), len(nodes) - 0.5 + 0.5 / len(nodes))
    ax.set_ylabel(metric_label(metric))
    where = ", ".join(f"{a} = {format_value(v)}" for a, v in fixed.items())
    if len(points) == 1 and x_axis not in fixed and sweep.axes:
        where = ", ".join(filter(None, [where, f"{x_axis} = {format_value(points[0])}"]))
    ax.set_title(
        f"{title_prefix(sweep)}{metric} per node" + (f" at {where}" if where else ""),
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


def _values_at(sweep, nodes, fixed, x_index, value, metric):
    """Lists (means, half_widths, theories) of the metric per node at x = value."""
    means, half_widths, theories = [], [], []
    for node in nodes:
        row = next(r for r in select(sweep, node, fixed) if r.point[x_index] == value)
        mean, half_width = row.metrics.get(metric, (math.nan, math.nan))
        means.append(mean)
        half_widths.append(0 if math.isnan(half_width) else half_width)
        theories.append(row.theory.get(metric, math.nan))
    return means, half_widths, theories


def plan(sweep, options, node, fixed):
    """Checks the command line for bars (every node: --node is not used); returns (figure size,
    draw(ax))."""
    metric = (options.metric or ["utilization"])[-1]
    check_metric_in_file(sweep, metric)
    x_axis = options.x_axis or first_free_axis(sweep, fixed)
    check_free_axes(sweep, [x_axis], fixed)
    return (8, 5), lambda ax: plot_bars(ax, sweep, x_axis, metric, fixed, options.slo)
