"""The ``shapecheck`` command: a thin layer over :mod:`shapecheck.api`."""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .api import Options, check_paths, exit_status, first_missing


def covered_layers() -> list[str]:
    """``keras.layers.<Name>`` for every layer class with a rule, aliases included, sorted."""
    from .core.rules import LAYERS, load_rules

    load_rules()
    return sorted(f"keras.layers.{name}" for name in LAYERS)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--show-shapes", is_flag=True, help="Also print the shape each layer or op call produces.")
@click.option("--keras-version", type=click.Choice(["2", "3"]), default="3", show_default=True,
              help="Keras semantics to check against (2: tf.keras 2.x / tf_keras).")
@click.option("--summary", "summary", is_flag=True,
              help="Print, for every model the code builds, what Keras's model.summary() would print (layers, "
                   "output shapes, parameter counts; '?' / null where unknown) instead of the findings; the "
                   "findings are still computed and the exit status is unchanged. Text or JSON per --format.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("--list-layers", is_flag=True,
              help="List the Keras layers shapecheck has rules for (canonical names, aliases included) and exit.")
@click.version_option(__version__, prog_name="shapecheck")
def main(paths: tuple[str, ...], fmt: str, show_shapes: bool, keras_version: str, summary: bool, debug: bool,
         list_layers: bool) -> None:
    """Find the tensor-shape errors Keras would raise, before the code runs.

    PATHS are files or directories (searched recursively for .py files); default: the
    current directory. Exit status: 0 no error, 1 shape errors found, 2 usage error or a
    file that could not be read or parsed.
    """
    if list_layers:
        names = covered_layers()
        if fmt == "json":
            json.dump({"layers": names}, sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            sys.stdout.write("".join(f"{n}\n" for n in names))
        sys.exit(0)
    targets = list(paths) or ["."]
    missing = first_missing(targets)
    if missing is not None:
        raise click.UsageError(f"path does not exist: {missing}")
    report = check_paths(targets, Options(keras_version=int(keras_version), debug=debug))
    if summary:
        from .report import summary as summary_report

        summary_report.render(report, sys.stdout, fmt=fmt)
    elif fmt == "json":
        from .report import json as json_report

        json_report.render(report, sys.stdout, show_shapes=show_shapes)
    else:
        from .report import text

        text.render(report, sys.stdout, show_shapes=show_shapes)
    sys.exit(exit_status(report))
