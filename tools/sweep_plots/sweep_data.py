"""Reads the output of `capsim sweep --out`: the CSV, or the JSON written beside it.

Both become the same Sweep: one Row per node per point, the varied parameters' values in the
point, metrics as (mean, half_width) pairs and closed forms (theory) by metric name.
"""

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

END_TO_END = "end to end"


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


def value_order(value):
    """Sort key for a parameter's values: numbers in order, then named variants."""
    return (isinstance(value, str), value)


@dataclass
class Row:
    """One node at one point of the sweep."""

    point: tuple  # values of the varied parameters, in axis order
    node: str
    type: str
    metrics: dict = field(default_factory=dict)  # name -> (mean, half_width); nan if unknown
    theory: dict = field(default_factory=dict)  # name -> closed-form value

    def mean(self, metric):
        """The simulated mean of a metric; nan if the row has none."""
        return self.metrics.get(metric, (math.nan,))[0]


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

    def nodes_reporting(self, metric):
        """Nodes with a value of the metric at some point, in file order."""
        return [
            node
            for node in self.nodes()
            if any(not math.isnan(r.mean(metric)) for r in self.rows if r.node == node)
        ]

    def station_nodes(self):
        """Nodes reporting a utilization (stations and the like), in file order."""
        return self.nodes_reporting("utilization")


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
