"""Choosing rows of a sweep, and checking the options that choose them (node, metric, --at)
against what the file holds, so that bad input fails before anything is drawn."""

import math

import numpy as np

from .errors import InputError, expected_one_of
from .sweep_data import format_value, parse_value


def check_node(sweep, node):
    if node not in sweep.nodes():
        raise InputError(f"{sweep.file}: " + str(expected_one_of("node", node, sweep.nodes())))


def check_metric_in_file(sweep, metric):
    """The metric must have a value somewhere in the file."""
    if metric not in sweep.metrics():
        raise InputError(
            f"{sweep.file}: " + str(expected_one_of("metric", metric, sweep.metrics()))
        )


def check_metric(sweep, node, metric):
    """The metric must be in the file and have values at the node."""
    check_metric_in_file(sweep, metric)
    having = sweep.nodes_reporting(metric)
    if node not in having:
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


def free_axes(sweep, fixed):
    """The varied parameters not fixed by --at, in file order."""
    return [a for a in sweep.axes if a not in fixed]


def first_free_axis(sweep, fixed):
    """The default x axis: the first parameter not fixed, else the first one."""
    return next(iter(free_axes(sweep, fixed)), sweep.axes[0])


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
