"""The ``shapecheck`` command: a thin layer over :mod:`shapecheck.api`."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, TextIO

import click

from . import __version__

# The library is imported by the functions that use it, not here: `shapecheck --version` and `--help`
# then start in about a tenth of a second (libcst, the rules and the configuration's TOML parser wait).
if TYPE_CHECKING:
    from .api import Options, Report
    from .config import Settings
    from .runner import Speed

#: ``--file-time-limit`` and ``--max-file-size`` when not given (0 turns either off)
DEFAULT_FILE_TIME_LIMIT = 60.0
DEFAULT_MAX_FILE_SIZE = "2MB"  # a 2 MB Keras file takes ~40 s to parse and follow here; 5 MB, 130 s
#: the exit status of a run stopped by Ctrl-C (SIGINT), as shells report it
INTERRUPTED = 130


def explain_code(ctx: click.Context, param: click.Parameter, query: Optional[str]) -> None:
    """``--explain CODE``: the code's page (:func:`shapecheck.docs.explain`), then exit; an unknown code is a
    usage error that lists the known ones."""
    if query is None or ctx.resilient_parsing:
        return
    from .core.findings import CODES, code_named
    from .docs import explain

    code = code_named(query)
    if code is None:
        known = ", ".join(c.label for c in sorted(CODES.values(), key=lambda c: c.number))
        raise click.BadParameter(f"unknown finding code {query!r}; the codes are: {known}", ctx, param)
    explain(code, sys.stdout)
    ctx.exit(0)


def covered_layers() -> list[str]:
    """``keras.layers.<Name>`` for every layer class with a rule, aliases included, sorted."""
    from .core.rules import LAYERS, load_rules

    load_rules()
    return sorted(f"keras.layers.{name}" for name in LAYERS)


@dataclass
class Interrupted:
    """Where Ctrl-C stopped the run: ``done`` of ``total`` files analysed (``stage`` "analysis") or
    replayed (``stage`` "runtime"); or while the files were being looked for (``stage`` "listing",
    ``total``: the files found so far)."""

    stage: str
    done: int
    total: int
    #: not Ctrl-C: why the runtime replay could not go on (its Keras worker could not be restarted)
    reason: Optional[str] = None

    def line(self) -> str:
        if self.reason is not None:
            return (f"The runtime replay stopped after {self.done} of {self.total} files: {self.reason}; the "
                    "runtime verdicts are incomplete (the static findings of every file are reported).")
        if self.stage == "listing":
            return (f"Interrupted while looking for files ({self.total} found so far): the report is "
                    "incomplete.")
        if self.stage == "runtime":
            return (f"Interrupted after replaying {self.done} of {self.total} files: the runtime verdicts are "
                    "incomplete (the static findings of every file are reported).")
        return f"Interrupted after {self.done} of {self.total} files: the report is incomplete."

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"stage": self.stage, "files_done": self.done, "files_total": self.total}
        if self.reason is not None:
            data["reason"] = self.reason
        return data


class OutputFile:
    """``--output-file``: the report is written to a temporary file beside ``path`` and moved onto it
    (``os.replace``) once complete, so that a reader never sees half a report; until then (an error, a
    second Ctrl-C) ``path`` is untouched. The temporary file is made at once, so that a path that cannot
    be written is reported before the analysis."""

    def __init__(self, path: str) -> None:
        self.path = path
        if os.path.isdir(path):
            raise OSError(f"{path} is a directory")
        directory = os.path.dirname(os.path.abspath(path))
        fd, self.tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
        self.file: TextIO = os.fdopen(fd, "w", encoding="utf-8")
        self.done = False

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(self.tmp, mode)  # mkstemp makes it private; the report gets what a new file would
        os.replace(self.tmp, self.path)
        self.done = True

    def discard(self) -> None:
        if self.done:
            return
        self.file.close()
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def _output_error(path: str, e: OSError) -> None:
    reason = e.strerror if e.strerror else str(e)
    click.echo(f"shapecheck: cannot write the report to {path}: {reason}", err=True)
    sys.exit(2)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True,
              help="Output format: text; json (one object); sarif (SARIF 2.1.0, for GitHub code scanning); github "
                   "(workflow commands: annotations on the pull request).")
@click.option("--quiet", "-q", "quiet", is_flag=True,
              help="Text: print the findings only, without the closing count.")
@click.option("--statistics", "statistics", is_flag=True,
              help="Text: print how many findings of each code there are (count, code, name; most frequent "
                   "first) instead of the findings. JSON: add a \"statistics\" list.")
@click.option("--output-file", "-o", "output_file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Write the report to PATH instead of standard output (no colour), atomically: PATH gets the "
                   "whole report or stays as it was. '-': standard output.")
@click.option("--show-shapes", is_flag=True, help="Also print the shape each layer or op call produces.")
@click.option("--explain-unknown", "explain_unknown", is_flag=True,
              help="Also say, for each layer, op or model call whose output shape is unknown, why: where the "
                   "analysis lost the value (a call it does not follow, an argument it cannot know, an op it has "
                   "no rule for). Notes only: the exit status is unchanged. JSON: the \"unknown\" list.")
@click.option("--keras-version", type=click.Choice(["2", "3"]), default=None, show_default="3",
              help="Keras semantics to check against (2: tf.keras 2.x / tf_keras). Default: the configuration's "
                   "keras-version, else 3.")
@click.option("--summary", "summary", is_flag=True,
              help="Print, for every model the code builds, what Keras's model.summary() would print (layers, "
                   "output shapes, parameter counts; '?' / null where unknown) instead of the findings; the "
                   "findings are still computed and the exit status is unchanged. Text or JSON per --format.")
@click.option("--graph", "graph_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Also draw every model the code builds, like Keras's plot_model(show_shapes=True), into DIR "
                   "(made if needed): layers as boxes, edges labelled with the shapes, the failing call in red; "
                   "a failing call in no model gets a picture of what leads to it. Files DIR/<file>.<model>.svg "
                   "and .png; their paths are printed on standard error. The report and exit status are as "
                   "without it. (-o stays the report's file.) Needs the graph extra (matplotlib).")
@click.option("--graph-format", "graph_format", type=click.Choice(["svg", "png", "both"]), default="both",
              show_default=True, help="The files --graph writes.")
@click.option("--file-time-limit", "file_time_limit", default=None, show_default=f"{DEFAULT_FILE_TIME_LIMIT:g}",
              type=click.FloatRange(min=0), metavar="SECONDS",
              help="Seconds of analysis one file may take; the rest of it is then not checked (an analysis-limit "
                   "warning). 0: no limit.")
@click.option("--max-file-size", "max_file_size", default=None, show_default=DEFAULT_MAX_FILE_SIZE, metavar="SIZE",
              help="A larger file (e.g. 5MB, 500KiB) that imports Keras or TensorFlow is not analysed "
                   "(an analysis-limit warning). 0: no limit.")
# -- configuration (shapecheck.config): the same settings as [tool.shapecheck]; the command line wins --
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False), default=None, metavar="FILE",
              help="Read the settings from FILE (a pyproject.toml's [tool.shapecheck], or the top level of any "
                   "other TOML file) instead of the one found above the paths.")
@click.option("--isolated", is_flag=True, help="Read no configuration file.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Report only these codes, names or prefixes (SC201,rank-mismatch,SC2); replaces the file's.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Report these codes too.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Do not report these codes, names or prefixes.")
@click.option("--per-file-ignores", multiple=True, metavar="PATTERN:CODES",
              help="Do not report CODES in files matching PATTERN (gitignore-style, from the working directory); "
                   "repeatable; replaces the file's table.")
@click.option("--severity", multiple=True, metavar="CODE=LEVEL",
              help="Report CODE (or a prefix) as error, warning or note (exit status 1 only for errors).")
@click.option("--exclude", multiple=True, metavar="PATTERNS",
              help="Leave out files and folders matching these gitignore-style patterns; replaces the file's.")
@click.option("--extend-exclude", multiple=True, metavar="PATTERNS", help="Leave out these too.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Leave out what .gitignore files ignore (default: yes).")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply the exclusions to paths named on the command line too (as pre-commit passes them).")
@click.option("--warn-unused-ignores/--no-warn-unused-ignores", default=None,
              help="Report '# shapecheck: ignore' comments that silence nothing (SC005 unused-ignore).")
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
# -- speed (shapecheck.runner): worker processes and the per-file cache --
@click.option("--jobs", "-j", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Check the files in N worker processes (default: the number of cores; 1: in this process).")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Neither read nor write the cache of results (by file content, shapecheck version and settings).")
@click.option("--cache-dir", "cache_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              envvar="SHAPECHECK_CACHE_DIR", show_envvar=True,
              help="Where the cache lives (default: the user cache directory, ~/.cache/shapecheck on Linux).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("--list-layers", is_flag=True,
              help="List the Keras layers shapecheck has rules for (canonical names, aliases included) and exit.")
@click.option("--explain", metavar="CODE", is_eager=True, expose_value=False, callback=explain_code,
              help="Print the page of a finding code (SC201, rank-mismatch or shape-rank-mismatch): what it finds, "
                   "why Keras rejects it, an example and the fix; Markdown text when piped. Then exit.")
@click.version_option(__version__, prog_name="shapecheck")
def main(paths: tuple[str, ...], fmt: str, quiet: bool, statistics: bool, output_file: Optional[str],
         show_shapes: bool, keras_version: str, summary: bool, file_time_limit: float, max_file_size: str,
         runtime: bool, device: str, runtime_memory: Optional[str], runtime_timeout: float, debug: bool,
         list_layers: bool, config_file: Optional[str], isolated: bool, graph_dir: Optional[str],
         graph_format: str, jobs: Optional[int], no_cache: bool, cache_dir: Optional[str], explain_unknown: bool,
         **settings_flags: Any) -> None:
    """Find the tensor-shape errors Keras would raise, before the code runs.

    PATHS are files or directories (searched recursively for .py files); default: the
    current directory. Exit status: 0 no error, 1 shape errors found, 2 usage error or a
    file that could not be read or parsed, 130 interrupted (Ctrl-C; the files finished
    so far are reported, and the report says it is incomplete).
    """
    from .api import first_missing
    from .config import parse_size
    from .runner import Speed

    try:
        targets = list(paths) or ["."]
        _check_format(fmt, summary=summary, list_layers=list_layers, show_shapes=show_shapes, statistics=statistics,
                      explain_unknown=explain_unknown)
        if not list_layers:
            missing = first_missing(targets)
            if missing is not None:
                raise click.UsageError(f"path does not exist: {missing}")
        if graph_dir is not None:
            _check_graph(graph_dir)
        memory = None
        if runtime_memory is not None:
            memory = parse_size(runtime_memory)
            if memory is None:
                raise click.BadParameter(f"{runtime_memory!r} is not a size such as 2GiB or 500MB",
                                         param_hint="--runtime-memory")
        settings = None if list_layers else load_settings(
            targets, config_file, isolated, {**settings_flags, "keras_version": keras_version,
                                             "file_time_limit": file_time_limit, "max_file_size": max_file_size})
        options = options_of(settings, debug)
        sink = None
        if output_file is not None and output_file != "-":
            try:
                sink = OutputFile(output_file)
            except OSError as e:
                _output_error(output_file, e)
        out: TextIO = sink.file if sink is not None else sys.stdout
        try:
            if list_layers:
                names = covered_layers()
                if fmt == "json":
                    json.dump({"layers": names}, out, indent=2)
                    out.write("\n")
                else:
                    out.write("".join(f"{n}\n" for n in names))
                status = 0
            else:
                status = _run(targets, options, out, fmt=fmt, color=want_color(to_file=sink is not None),
                              quiet=quiet, statistics=statistics,
                              show_shapes=show_shapes, explain_unknown=explain_unknown, summary=summary,
                              runtime=runtime, device=device, memory=memory,
                              runtime_timeout=runtime_timeout, to_terminal_text=sink is None and fmt == "text",
                              graph=None if graph_dir is None else (graph_dir, graph_format),
                              speed=Speed.of_command_line(jobs, no_cache, cache_dir))
            if sink is not None:
                try:
                    sink.commit()
                except OSError as e:
                    _output_error(output_file or "", e)
        except OSError as e:
            if sink is None:
                raise
            _output_error(sink.path, e)
        finally:
            if sink is not None:
                sink.discard()
        runner = sys.modules.get("shapecheck.runner")
        if status == INTERRUPTED and runner is not None and runner.exit_would_block():
            sys.stdout.flush()  # the report is written: nothing is left to wait for
            sys.stderr.flush()
            os._exit(status)
        sys.exit(status)
    except KeyboardInterrupt:  # before the analysis, or a second Ctrl-C while the report was being written
        click.echo("shapecheck: interrupted before the report was complete.", err=True)
        sys.exit(INTERRUPTED)


#: the formats that carry findings only, for machines (GitHub code scanning, workflow annotations)
FINDINGS_ONLY = ("sarif", "github")


def _check_format(fmt: str, *, summary: bool, list_layers: bool, show_shapes: bool, statistics: bool,
                  explain_unknown: bool = False) -> None:
    """The flags that say what to print, against ``--format``: a combination with no meaning is a usage error."""
    flags = {"--summary": summary, "--list-layers": list_layers, "--show-shapes": show_shapes,
             "--statistics": statistics, "--explain-unknown": explain_unknown}
    if fmt in FINDINGS_ONLY:
        for flag, given in flags.items():
            if given:
                raise click.UsageError(f"--format {fmt} reports the findings only; {flag} cannot be used with it")
    if statistics and summary:
        raise click.UsageError("--statistics and --summary both replace the findings; choose one")
    if explain_unknown and (summary or statistics and fmt == "text"):
        raise click.UsageError(f"{'--summary' if summary else '--statistics'} replaces the findings; "
                               "--explain-unknown adds notes to them and cannot be used with it")
    if statistics and show_shapes and fmt == "text":
        raise click.UsageError("--statistics replaces the findings in text; --show-shapes needs --format json there")


def want_color(*, to_file: bool) -> Optional[bool]:
    """``False``: no colour nor any other terminal style (into a file, or with ``NO_COLOR`` set to anything
    non-empty, as no-color.org asks, whatever ``FORCE_COLOR`` says); ``None``: rich decides (a terminal,
    or ``FORCE_COLOR``; not ``TERM=dumb``)."""
    if to_file or os.environ.get("NO_COLOR", ""):
        return False
    return None


def load_settings(targets: list[str], config_file: Optional[str], isolated: bool, flags: dict[str, Any]) -> Settings:
    """The file's settings under the command line's: a bad flag is a usage error, a bad file exit status 2."""
    from .config import ConfigError, FlagError, command_line, load

    if config_file is not None and isolated:
        raise click.UsageError("--config and --isolated cannot be used together (--isolated reads no file)")
    try:
        return load(targets, config_file, isolated, command_line(flags))
    except FlagError as e:
        raise click.BadParameter(str(e), param_hint=e.flag) from None
    except ConfigError as e:
        click.echo(f"shapecheck: configuration error: {e}", err=True)
        sys.exit(2)


def options_of(settings: Optional[Settings], debug: bool) -> Options:
    from .api import Options
    from .config import parse_size

    if settings is None:
        return Options(debug=debug)
    time_limit = DEFAULT_FILE_TIME_LIMIT if settings.file_time_limit is None else settings.file_time_limit
    size_limit = parse_size(DEFAULT_MAX_FILE_SIZE) if settings.max_file_size is None else settings.max_file_size
    return Options(keras_version=settings.keras_version, debug=debug, file_time_limit=time_limit or None,
                   max_file_size=size_limit or None, rules=settings.rules, settings=settings)


def analyse(targets: list[str], options: Options, progress: bool = False, speed: Optional[Speed] = None,
            keep: Optional[frozenset[str]] = None) -> tuple[Report, Optional[Interrupted]]:
    """Every Python file under ``targets``, analysed in order; on Ctrl-C, the files finished so far and
    where it stopped. ``progress``: a bar on standard error (see :mod:`shapecheck.report.progress`).
    ``speed``: worker processes and the cache (default: in this process, no cache). ``keep``: the
    :data:`~shapecheck.core.findings.PARTS` of each result the report will read (default: all); the
    others are emptied as each file is done, so that a run's memory grows by the findings alone (a
    graph, its models and shapes are ~50 KB a file), and left in the cache."""
    from contextlib import closing

    from .api import Report, display_path, iter_python_files
    from .core.findings import PARTS
    from .exclusion import Exclusion
    from .report.progress import stage as progress_stage
    from .runner import Speed

    speed = speed or Speed()

    report = Report()
    files: list[str] = []
    stage = "listing"
    try:
        exclusion = Exclusion(options.settings) if options.settings is not None else None
        for path in iter_python_files(targets, exclusion):
            files.append(path)
        stage = "analysis"
        with progress_stage("Checking", len(files), enabled=progress) as steps, \
                closing(speed.results(files, options, PARTS if keep is None else keep)) as results:
            for path in files:
                steps.working(display_path(path))
                report.files.append(next(results))
                steps.done()
    except KeyboardInterrupt:
        return report, Interrupted(stage, len(report.files), len(files))
    return report, None


def _run(targets: list[str], options: Options, out: TextIO, *, fmt: str, color: Optional[bool], quiet: bool,
         statistics: bool, show_shapes: bool, explain_unknown: bool = False,
         summary: bool, runtime: bool, device: str, memory: Optional[int], runtime_timeout: float,
         to_terminal_text: bool, graph: Optional[tuple[str, str]] = None, speed: Optional[Speed] = None) -> int:
    """Analyse, replay when asked, write the report to ``out`` (and ``graph``'s pictures: directory,
    format); the exit status."""
    from .api import exit_status
    from .report.progress import wanted as progress_wanted

    progress = progress_wanted(quiet=quiet)
    everything = runtime or graph is not None  # the replay and the pictures read the whole graph
    keep = None if everything else frozenset(
        part for part, wanted in (("models", summary), ("shapes", show_shapes),
                                  ("unknowns", show_shapes or explain_unknown)) if wanted)
    report, stopped = analyse(targets, options, progress=progress, speed=speed, keep=keep)
    checked = None
    if runtime and stopped is None:
        from .runtime import RuntimeUnavailable, Settings

        try:
            checked, stopped = replay(report, Settings(device=device, memory_limit=memory,
                                                       time_limit=runtime_timeout), progress=progress)
        except RuntimeUnavailable as e:
            click.echo(f"shapecheck: {e}", err=True)
            sys.exit(2)  # no report: --output-file's PATH is left as it was
    if summary:
        from .report import summary as summary_report

        if fmt == "json":
            _dump(summary_report.as_dict(report, checked), out, stopped)
        else:
            summary_report.render(report, out, fmt=fmt, color=color, runtime=checked)
    elif fmt == "json":
        from .report import json as json_report

        data = json_report.as_dict(report, show_shapes=show_shapes, runtime=checked, explain_unknown=explain_unknown)
        if statistics:
            from .report import statistics as statistics_report

            data["statistics"] = statistics_report.as_json(report)
        _dump(data, out, stopped)
    elif fmt == "sarif":
        from .report import sarif

        sarif.render(report, out, runtime=checked, interrupted=None if stopped is None else stopped.line())
    elif fmt == "github":
        from .report import github

        github.render(report, out, runtime=checked)
    else:
        from .report import text

        text.render(report, out, show_shapes=show_shapes, color=color, runtime=checked, quiet=quiet,
                    statistics=statistics, explain_unknown=explain_unknown)
    if stopped is not None:
        if fmt == "text":
            out.write(stopped.line() + "\n")
        if not to_terminal_text:  # the report is in a file or JSON: say it where a person sees it too
            out.flush()
            click.echo(f"shapecheck: {stopped.line()}", err=True)
        return INTERRUPTED if stopped.reason is None else 2
    status = exit_status(report)
    if checked is not None and status == 0 and (checked.count("contradicted") or checked.shapes_disagree):
        status = 1
    if graph is not None:
        _draw_graphs(report, *graph)
    return status


def _check_graph(directory: str) -> None:
    """``--graph`` before the analysis: the renderer is there and DIR can be a directory; else exit 2."""
    from .report.graph import renderer_missing

    problem = renderer_missing()
    if problem is None and os.path.exists(directory) and not os.path.isdir(directory):
        problem = f"--graph {directory}: not a directory"
    if problem is not None:
        click.echo(f"shapecheck: {problem}", err=True)
        sys.exit(2)


def _draw_graphs(report: Report, directory: str, fmt: str) -> None:
    """``--graph``: the pictures, their paths on standard error (standard output holds the report)."""
    from .report.graph import FORMATS, write_graphs

    notes: list[str] = []
    try:
        written = write_graphs(report.files, directory, FORMATS if fmt == "both" else (fmt,), notes)
    except OSError as e:
        click.echo(f"shapecheck: cannot write the pictures to {directory}: {e.strerror or e}", err=True)
        sys.exit(2)
    for path in written:
        click.echo(path, err=True)
    for note in notes:
        click.echo(f"shapecheck: note: {note}", err=True)
    if not written and not notes:
        click.echo(f"shapecheck: no model found to draw (nothing written to {directory})", err=True)


def replay(report: Report, settings: Any, progress: bool = False) -> tuple[Any, Optional[Interrupted]]:
    """``--runtime``, one file at a time, so that Ctrl-C keeps the verdicts of the files replayed so far
    (the others have none and are reported statically). ``None`` verdicts when it came while Keras was
    starting. ``progress``: a bar on standard error."""
    from .api import Report
    from .report.progress import stage as progress_stage
    from .runtime import RuntimeReport, RuntimeUnavailable, verify

    checked: Optional[RuntimeReport] = None
    done = 0
    try:
        with progress_stage("Replaying with Keras", len(report.files), enabled=progress) as steps:
            steps.working("starting Keras")
            first = verify(Report(), settings)  # starts the Keras worker (RuntimeUnavailable when it cannot)
            checked = RuntimeReport(first.backend, first.keras_version, first.device)
            for file in report.files:
                steps.working(file.path)
                part = verify(Report([file]), settings)
                checked.files.update(part.files)
                done += 1
                steps.done()
    except KeyboardInterrupt:
        return checked, Interrupted("runtime", done, len(report.files))
    except RuntimeUnavailable as e:
        if checked is None:
            raise  # Keras could not start at all: a usage error, no report
        # Keras started, then its worker died and could not be restarted: keep what was found
        return checked, Interrupted("runtime", done, len(report.files), reason=str(e))
    return checked, None


def _dump(data: dict[str, Any], out: TextIO, stopped: Optional[Interrupted]) -> None:
    """The JSON object with ``"complete"`` (and, when interrupted, ``"interrupted"``: where and how far)."""
    head = {k: data.pop(k) for k in ("version",) if k in data}
    head["complete"] = stopped is None
    if stopped is not None:
        head["interrupted"] = stopped.as_json()
    json.dump({**head, **data}, out, indent=2)
    out.write("\n")
