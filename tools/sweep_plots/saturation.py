"""The rho -> 1 asymptote: where a station's utilization reaches 1 and latency has no bound."""

import math
from dataclasses import dataclass

import numpy as np

from .selection import select, series

# Points with a larger utilization are not used to fit the utilization line: a station past
# saturation reports a utilization capped at 1, which is no longer linear in the load.
FIT_MAX_UTILIZATION = 0.95
# A fitted line is accepted when no point is further from it than this (plus 3 half-widths):
# more means the parameter is not a load (e.g. servers, where utilization goes as 1/c).
FIT_TOLERANCE = 0.02
# A station at least this busy, without rejections, has no steady state (rho >= 1).
SATURATED_UTILIZATION = 0.99


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
        and row.mean("utilization") >= SATURATED_UTILIZATION
        and not row.mean("rejection_ratio") > 0
    }
