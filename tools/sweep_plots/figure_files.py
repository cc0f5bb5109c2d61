"""Writing a figure: PREFIX.png and PREFIX.svg, atomically, refusing to overwrite by default."""

import os
from pathlib import Path

from .errors import InputError


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
