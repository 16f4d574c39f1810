"""Option parsing shared by the commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def comma_list(value: str | None, option: str) -> list[str] | None:
    """Split a comma-separated option value into names; ``None`` when not given.

    Parameters
    ----------
    value : str or None
        The option's value, e.g. ``"bases, minerals"``.
    option : str
        The option's name for the message, e.g. ``"--layers"``.

    Returns
    -------
    list of str or None
        The names, stripped; ``None`` if the option was not given.

    Raises
    ------
    click.BadParameter
        If the option was given but names nothing (``--layers ""``).
    """
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("names nothing; give comma-separated names", param_hint=option)
    return names


class StoreType(click.ParamType):
    """An event store option: a ``postgresql://`` URL kept as given, else a file path.

    ``click.Path`` would take a URL for a path (and ``pathlib`` would fold its
    ``//``); a URL is passed on as a string, and shown in messages without
    its password.
    """

    name = "store"
    _file = click.Path(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        """Return a URL as a string, anything else as a checked :class:`pathlib.Path`."""
        from northpic.store.location import is_database_url

        if is_database_url(value):
            return value
        return self._file.convert(value, param, ctx)


#: The type of every option naming an event store (a file or a ``postgresql://`` URL).
STORE = StoreType()


#: ``--mkdir``: the one switch that lets a command create a missing output folder.
mkdir_option = click.option(
    "--mkdir", is_flag=True,
    help="Create the output's missing parent folders (otherwise a missing folder is an error).",
)


def markings_options(command: F) -> F:
    """Add ``--audience`` and ``--markings`` to a command that makes a product."""
    command = click.option(
        "--markings", "markings_file", type=click.Path(dir_okay=False, path_type=Path),
        help="Markings table (JSON: levels and audiences) instead of northpic's own.",
    )(command)
    return click.option(
        "--audience",
        help="Make the product for this audience (e.g. EU, or NATO,EU for both): it holds only "
             "records releasable to it. Default: the most restrictive set its contents need.",
    )(command)
