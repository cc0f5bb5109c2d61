"""--kind heatmap: one metric of one node over two varied parameters."""

import math

import numpy as np

from .drawing import is_time, metric_label, named_colormap, time_scale, title_prefix
from .errors import InputError
from .saturation import saturated_points
from .selection import check_free_axes, check_metric, check_node, free_axes, select
from .sweep_data import format_value, value_order

# Beyond this many cells the numbers would not fit in them.
MAX_ANNOTATED_CELLS = 400


def plot_heatmap(
    ax, sweep, node, metric="sojourn.p99", x_axis=None, y_axis=None, fixed=None, slo=None
):
    """Draws one metric of one node over two varied parameters, every cell annotated.

    Cells where the node (or, for a sink or end to end, any station) is saturated (see
    saturated_points: no steady state, the value only grows with the run length) are blank and
    marked; with an SLO, cells that miss it are hatched.
    """
    fixed = fixed or {}
    free = free_axes(sweep, fixed)
    x_axis = x_axis or free[0]
    y_axis = y_axis or next(a for a in free if a != x_axis)
    x_index, y_index = sweep.axes.index(x_axis), sweep.axes.index(y_axis)
    x_values = sorted(sweep.axis_values(x_axis), key=value_order)
    y_values = sorted(sweep.axis_values(y_axis), key=value_order)
    grid = np.full((len(y_values), len(x_values)), math.nan)
    saturated = np.zeros_like(grid, dtype=bool)
    unstable = saturated_points(sweep, node)
    for row in select(sweep, node, fixed):
        cell = (y_values.index(row.point[y_index]), x_values.index(row.point[x_index]))
        grid[cell] = row.mean(metric)
        saturated[cell] = row.point in unstable
    factor, unit = time_scale(grid[~saturated].ravel()) if is_time(metric) else (1.0, "")
    shown = np.where(saturated, math.nan, grid * factor)
    finite = shown[np.isfinite(shown)]
    norm = None
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 20:
        from matplotlib.colors import LogNorm

        norm = LogNorm(finite.min(), finite.max())
    colormap = named_colormap("viridis").copy()
    colormap.set_bad("lightgray")
    image = ax.imshow(
        np.ma.masked_invalid(shown), origin="lower", aspect="auto", cmap=colormap, norm=norm
    )
    colorbar = ax.figure.colorbar(image, ax=ax)
    colorbar.set_label(f"{metric_label(metric)}{f' ({unit})' if unit else ''} at {node}")
    _annotate_cells(ax, image, shown, saturated, None if slo is None else factor * slo)
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
    ax.set_title(f"{title_prefix(sweep)}{metric} at {node}{slo_text}", fontsize=10)


def _annotate_cells(ax, image, shown, saturated, limit):
    """Writes each cell's value (or why it has none), in black or white for contrast, and
    hatches the cells above `limit` (the SLO in the shown unit; None for none)."""
    for (i, j), value in np.ndenumerate(shown):
        if saturated[i, j]:
            text = "ρ ≥ 1"
        elif math.isnan(value):
            text = "n/a"
        else:
            text = f"{value:.3g}"
        if shown.size <= MAX_ANNOTATED_CELLS:
            red, green, blue, _ = (
                image.cmap(image.norm(value)) if np.isfinite(value) else (1, 1, 1, 1)
            )
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(
                j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black"
            )
        if limit is not None and np.isfinite(value) and value > limit:
            ax.add_patch(_hatch(j, i))


def _hatch(column, row):
    from matplotlib.patches import Rectangle

    return Rectangle(
        (column - 0.5, row - 0.5), 1, 1, fill=False, hatch="///", edgecolor="white", linewidth=0
    )


def plan(sweep, options, node, fixed):
    """Checks the command line for a heatmap; returns (figure size, draw(ax))."""
    check_node(sweep, node)
    metric = (options.metric or ["sojourn.p99"])[-1]
    check_metric(sweep, node, metric)
    free = free_axes(sweep, fixed)
    x_axis = options.x_axis or next(iter(free), None)
    y_axis = options.y_axis or next((a for a in free if a != x_axis), None)
    if x_axis is None or y_axis is None or x_axis == y_axis:
        raise InputError(
            f"{sweep.file}: found {len(free)} free varied parameter(s) "
            f"({', '.join(free) or 'none'}), "
            "expected two for a heatmap: sweep with two --vary options"
        )
    check_free_axes(sweep, [x_axis, y_axis], fixed)
    return (8, 5.5), lambda ax: plot_heatmap(
        ax, sweep, node, metric, x_axis, y_axis, fixed, options.slo
    )

