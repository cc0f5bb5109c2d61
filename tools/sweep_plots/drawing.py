"""Helpers shared by the plot kinds: labels, units, colours, the SLO line.

matplotlib is imported inside the functions that need it: bad input is reported without its
start-up cost.
"""

import numpy as np

# Metrics measured in seconds (shown in ms when every value is below one second).
TIME_METRICS = ("W", "Wq", "W_departures")
TIME_PREFIXES = ("sojourn.", "wait.")


def is_time(metric):
    return metric in TIME_METRICS or metric.startswith(TIME_PREFIXES)


def time_scale(values):
    """(factor, unit) to show seconds: ms when every finite value is below one second."""
    finite = [v for v in values if np.isfinite(v)]
    return (1000.0, "ms") if finite and max(finite) < 1 else (1.0, "s")


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


def title_prefix(sweep):
    """'SCENARIO: ' when the file names its scenario (JSON input), else nothing."""
    return sweep.name + ": " if sweep.name else ""


def slo_line(ax, value, label):
    """The SLO threshold as a horizontal dotted line, the same on every kind of plot."""
    ax.axhline(value, color="black", linestyle=":", linewidth=1.2, label=label)


def named_colormap(name):
    import matplotlib

    return matplotlib.colormaps[name]
