"""Plots of `capsim sweep` output, behind tools/plot_sweep.py (see README.md here).

The names below are the API the notebooks use as `plot_sweep.NAME`: load_sweep(), then
plot_latency(), plot_bars() or plot_heatmap() on a matplotlib Axes, and save_figure().
matplotlib is imported only where a plot is drawn or written.
"""

from .cli import PROGRAM, default_node, main, parse_arguments
from .drawing import TIME_METRICS, TIME_PREFIXES, is_time, metric_label, time_scale
from .errors import InputError, did_you_mean, expected_one_of
from .figure_files import figure_paths, refuse_existing, save_figure
from .heatmap import plot_heatmap
from .latency import DEFAULT_LATENCY_METRICS, plot_latency
from .saturation import (
    FIT_MAX_UTILIZATION,
    FIT_TOLERANCE,
    SATURATED_UTILIZATION,
    UtilizationLine,
    bottleneck_line,
    fit_utilization,
    governing_stations,
    saturated_points,
)
from .selection import check_free_axes, check_metric, check_node, parse_at, select, series
from .sweep_data import (
    END_TO_END,
    Row,
    Sweep,
    format_value,
    load_csv,
    load_json,
    load_sweep,
    parse_value,
)
from .utilization import plot_bars

__all__ = [
    "DEFAULT_LATENCY_METRICS",
    "END_TO_END",
    "FIT_MAX_UTILIZATION",
    "FIT_TOLERANCE",
    "InputError",
    "PROGRAM",
    "Row",
    "SATURATED_UTILIZATION",
    "Sweep",
    "TIME_METRICS",
    "TIME_PREFIXES",
    "UtilizationLine",
    "bottleneck_line",
    "check_free_axes",
    "check_metric",
    "check_node",
    "default_node",
    "did_you_mean",
    "expected_one_of",
    "figure_paths",
    "fit_utilization",
    "format_value",
    "governing_stations",
    "is_time",
    "load_csv",
    "load_json",
    "load_sweep",
    "main",
    "metric_label",
    "parse_arguments",
    "parse_at",
    "parse_value",
    "plot_bars",
    "plot_heatmap",
    "plot_latency",
    "refuse_existing",
    "save_figure",
    "saturated_points",
    "select",
    "series",
    "time_scale",
]
