"""--kind latency: latency curves of one node against one varied parameter."""

import math

import numpy as np

from .drawing import is_time, metric_label, slo_line, time_scale, title_prefix
from .errors import InputError
from .saturation import bottleneck_line, saturated_points
from .selection import check_free_axes, check_metric, check_node, first_free_axis, select, series
from .sweep_data import format_value

# Latency metrics drawn by default: mean sojourn, median and tail.
DEFAULT_LATENCY_METRICS = ("W", "sojourn.p50", "sojourn.p99")
PALETTE = ["tab:blue", "tab:orange", "tab:red", "tab:green", "tab:purple", "tab:brown"]


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
    _draw_curves(ax, data, stable, factor)
    if slo is not None:
        slo_line(ax, factor * slo, f"SLO {factor * slo:g} {unit}")

    x_all = np.array([r.point[x_index] for r in rows], dtype=float)
    right = _draw_asymptote(ax, line, node, x_all) if line else x_all.max()
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
    ax.set_title(f"{title_prefix(sweep)}latency at {node}{where}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return line


def _draw_curves(ax, data, stable, factor):
    """Per metric: the simulated mean with its confidence band, and the closed form if any."""
    for (metric, x, mean, hw, theory), color in zip(data, PALETTE * 2):
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


def _draw_asymptote(ax, line, node, x_all):
    """The utilization -> 1 line, the region past it and the utilization scale on top; returns
    the right end of the x range to show."""
    saturation = line.saturation()
    at = "" if line.node == node else f" at {line.node}"
    how = "closed form" if line.exact else "fitted"
    # An asymptote far right of the data would squeeze the curves: then only name it.
    far = saturation > x_all.max() + 0.5 * np.ptp(x_all)
    label = f"utilization → 1{at}: x = {saturation:.4g} ({how}{', off the plot' if far else ''})"
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
    return x_all.max() if far else max(x_all.max(), saturation)


def plan(sweep, options, node, fixed):
    """Checks the command line for a latency plot; returns (figure size, draw(ax))."""
    check_node(sweep, node)
    x_axis = options.x_axis or first_free_axis(sweep, fixed)
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
    return (8, 5), lambda ax: plot_latency(
        ax, sweep, node, x_axis, metrics, fixed, options.slo, options.log_y
    )
