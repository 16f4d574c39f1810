"""The ``northpic`` command line: a thin adapter over the library.

Each command parses options and calls one public function. Bad input
(:class:`~northpic.errors.BadInputError`) exits with status 2 and names the
file, record and reason on stderr. So does a failure of the machine that
reached the CLI without being named at an I/O edge: an ``OSError`` whose
errno is in :data:`~northpic.errors.ENVIRONMENT_ERRNOS` (no space left,
read-only, permission denied, name too long, missing folder, I/O error,
quota) and a GDAL/pyogrio/rasterio error that carries such a cause.
Anything else is a bug and exits with 1. No traceback is printed unless
``-v`` is given.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

import click

from northpic.errors import BadInputError, environment_cause, is_io_error
from northpic.text import terminal_text

#: Modules that each add one command or command group to :data:`cli`.
COMMAND_MODULES = (
    "northpic.cli.build",
    "northpic.cli.layers",
    "northpic.cli.seaice",
    "northpic.cli.ais",
    "northpic.cli.events",
    "northpic.cli.export",
    "northpic.cli.serve",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of errors.")
@click.version_option(package_name="northpic")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Build and export the shared northern situational picture of the Arctic."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


def _register_commands() -> None:
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # command group not written yet
            raise
        cli.add_command(module.command)


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status (0 ok, 1 unexpected, 2 bad input)."""
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args or "--verbose" in args
    try:
        cli.main(args=args, prog_name="northpic", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return 2
    except BadInputError as exc:
        if verbose:
            traceback.print_exc()
        click.echo(f"northpic: error: {terminal_text(exc, keep_lines=True)}", err=True)
        return 2
    except Exception as exc:
        cause = _environment_failure(exc)
        if cause is None:
            return _unexpected(exc, verbose)
        if verbose:
            traceback.print_exc()
        click.echo(f"northpic: error: {terminal_text(cause, keep_lines=True)}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    return 0


def _environment_failure(exc: BaseException) -> str | None:
    """Return ``"FILE: cause"`` when ``exc`` is a failure of the machine or path; else None."""
    if not is_io_error(exc):
        return None
    cause = environment_cause(exc)
    if cause is None:
        return None
    filename = getattr(exc, "filename", None)
    if filename is None:
        return f"{cause}: {exc}"
    target = os.fsdecode(filename)
    other = getattr(exc, "filename2", None)
    if other is not None:
        target += f" -> {os.fsdecode(other)}"
    return f"{target}: {cause}"


def _unexpected(exc: BaseException, verbose: bool) -> int:
    """Report a bug (the CLI's last line of defence): exit status 1."""
    if verbose:
        traceback.print_exc()
    click.echo(
        f"northpic: unexpected error: {type(exc).__name__}: "
        f"{terminal_text(exc, keep_lines=True)}\n"
        "Run again with -v for the traceback, and please report it.",
        err=True,
    )
    return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
