"""The ``shapecheck`` command: a thin layer over :mod:`shapecheck.api`."""

from __future__ import annotations

import json
import re
import sys
from typing import Optional

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
@click.option("--runtime", "runtime", is_flag=True,
              help="Replay every extracted graph with real Keras (symbolically, then on small random data) and "
                   "say for each finding and shape whether Keras agrees; exit status 1 on any contradiction. "
                   "Needs the runtime extra (TensorFlow) or Keras with another backend (KERAS_BACKEND). "
                   "Never imports or runs the analysed code.")
@click.option("--device", default="auto", show_default=True, metavar="auto|cpu|gpu|gpu:N",
              help="Where --runtime runs: the GPU when the backend sees one (auto), or the one named.")
@click.option("--runtime-memory", "runtime_memory", default=None, metavar="SIZE",
              help="Memory the data pass of --runtime may use (e.g. 2GiB, 500MB); above it a graph is replayed "
                   f"symbolically only. Default: {int(100 * 0.5)}% of the device's free memory.")
@click.option("--runtime-timeout", "runtime_timeout", default=60.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds --runtime spends on one file; what is left is reported unverifiable.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("--list-layers", is_flag=True,
              help="List the Keras layers shapecheck has rules for (canonical names, aliases included) and exit.")
@click.version_option(__version__, prog_name="shapecheck")
def main(paths: tuple[str, ...], fmt: str, show_shapes: bool, keras_version: str, summary: bool, runtime: bool,
         device: str, runtime_memory: Optional[str], runtime_timeout: float, debug: bool, list_layers: bool) -> None:
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
    memory = None
    if runtime_memory is not None:
        memory = parse_size(runtime_memory)
        if memory is None:
            raise click.BadParameter(f"{runtime_memory!r} is not a size such as 2GiB or 500MB",
                                     param_hint="--runtime-memory")
    report = check_paths(targets, Options(keras_version=int(keras_version), debug=debug))
    checked = None
    if runtime:
        from .runtime import RuntimeUnavailable, Settings, verify

        try:
            checked = verify(report, Settings(device=device, memory_limit=memory, time_limit=runtime_timeout))
        except RuntimeUnavailable as e:
            click.echo(f"shapecheck: {e}", err=True)
            sys.exit(2)
    if summary:
        from .report import summary as summary_report

        summary_report.render(report, sys.stdout, fmt=fmt, runtime=checked)
    elif fmt == "json":
        from .report import json as json_report

        json_report.render(report, sys.stdout, show_shapes=show_shapes, runtime=checked)
    else:
        from .report import text

        text.render(report, sys.stdout, show_shapes=show_shapes, runtime=checked)
    status = exit_status(report)
    if checked is not None and status == 0 and (checked.count("contradicted") or checked.shapes_disagree):
        status = 1
    sys.exit(status)


_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 2**10, "m": 10**6, "mb": 10**6, "mib": 2**20,
          "g": 10**9, "gb": 10**9, "gib": 2**30, "t": 10**12, "tb": 10**12, "tib": 2**40}


def parse_size(text: str) -> Optional[int]:
    """``2GiB``, ``500MB``, ``1.5g`` or a number of bytes; ``None`` when it is none of these."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if m is None or m.group(2).lower() not in _UNITS:
        return None
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])
