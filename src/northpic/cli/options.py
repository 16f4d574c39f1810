"""Option parsing shared by the commands."""

from __future__ import annotations

import click


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


#: ``--mkdir``: the one switch that lets a command create a missing output folder.
mkdir_option = click.option(
    "--mkdir", is_flag=True,
    help="Create the output's missing parent folders (otherwise a missing folder is an error).",
)
