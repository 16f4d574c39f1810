"""Where an event store is: a GeoPackage file, or a PostgreSQL database named by a URL.

A database store is named by a ``postgresql://`` (or ``postgres://``) URL,
as libpq takes it: ``postgresql://user:password@host:port/database?options``.
:class:`DatabaseURL` keeps the URL as given, to connect with, and shows it
everywhere else (messages, reports, ``repr``) without its password: the
password in the user part and a ``password=`` query parameter are left out.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

#: URL schemes that name a PostgreSQL (PostGIS) store.
DATABASE_SCHEMES = ("postgresql", "postgres")


def is_database_url(text: object) -> bool:
    """Tell whether ``text`` is a string naming a PostgreSQL store (``postgresql://...``).

    Examples
    --------
    >>> is_database_url("postgresql://northpic@db.example/events"), is_database_url("ev.gpkg")
    (True, False)
    """
    if not isinstance(text, str):
        return False
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.lower() in DATABASE_SCHEMES


def _split(url: str) -> tuple[str, str | None, str | None, str, list[str]]:
    """Split a URL into scheme, user, password, the rest before the query, and the query.

    Done by hand, not with :mod:`urllib.parse`, so that no URL, however
    malformed (an unclosed ``[``, a ``/`` in an unencoded password), can
    keep its password out of reach: the user part is everything before the
    last ``@`` ahead of the query.
    """
    scheme, _, rest = url.partition("://")
    head, _, query = rest.partition("?")
    user: str | None = None
    password: str | None = None
    if "@" in head:
        userinfo, _, head = head.rpartition("@")
        user, colon, secret = userinfo.partition(":")
        password = urllib.parse.unquote(secret) if colon else None
    return scheme, user, password, head, [item for item in query.split("&") if item]


def _query_key(item: str) -> str:
    return urllib.parse.unquote(item.partition("=")[0]).strip().lower()


@dataclass(frozen=True)
class DatabaseURL:
    """A PostgreSQL store's URL, shown without its password.

    Attributes
    ----------
    url : str
        The URL as given, password included: pass it to the database
        client only; it is left out of ``str`` and ``repr``.
    shown : str
        The URL without its password, for messages.

    Examples
    --------
    >>> where = DatabaseURL.parse("postgresql://ops:s3cret@db.example:5433/events")
    >>> str(where), "s3cret" in repr(where)
    ('postgresql://ops@db.example:5433/events', False)
    """

    url: str = field(repr=False)
    shown: str

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        """Name the store at ``url`` (a ``postgresql://`` or ``postgres://`` URL)."""
        scheme, user, _, head, query = _split(url)
        kept = [item for item in query if _query_key(item) != "password"]
        shown = f"{scheme}://{'' if user is None else user + '@'}{head}"
        return cls(url, shown + (f"?{'&'.join(kept)}" if kept else ""))

    @property
    def password(self) -> str | None:
        """The password the URL holds, if any (for scrubbing it out of messages)."""
        _, _, password, _, query = _split(self.url)
        given = [urllib.parse.unquote(item.partition("=")[2]) for item in query
                 if _query_key(item) == "password"]
        return given[-1] if given else password

    def scrub(self, text: str) -> str:
        """Return ``text`` with the URL shown without its password, and the password as ``***``."""
        text = text.replace(self.url, self.shown)
        _, _, in_user, _, query = _split(self.url)
        secrets = {in_user, self.password, *(item.partition("=")[2] for item in query
                                              if _query_key(item) == "password")}
        for secret in sorted((x for x in secrets if x), key=len, reverse=True):
            for form in (secret, urllib.parse.quote(secret, safe="")):
                text = text.replace(form, "***")
        return text

    def __str__(self) -> str:
        return self.shown


__all__ = ["DATABASE_SCHEMES", "DatabaseURL", "is_database_url"]
