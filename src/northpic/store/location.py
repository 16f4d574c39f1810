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


def _without_password(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hosts = netloc.rpartition("@")
            netloc = f"{userinfo.partition(':')[0]}@{hosts}"
        query = urllib.parse.urlencode(
            [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() != "password"], safe="/:")
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:  # not even a URL: show only its scheme
        return f"{url.partition('://')[0]}://(unreadable URL)"


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
        return cls(url, _without_password(url))

    @property
    def password(self) -> str | None:
        """The password the URL holds, if any (for scrubbing it out of messages)."""
        try:
            parts = urllib.parse.urlsplit(self.url)
            given = [v for k, v in urllib.parse.parse_qsl(parts.query) if k.lower() == "password"]
        except ValueError:
            return None
        if parts.password:
            return urllib.parse.unquote(parts.password)
        return given[-1] if given else None

    def scrub(self, text: str) -> str:
        """Return ``text`` with the password (as given, and percent-encoded) replaced by ``***``."""
        secret = self.password
        if not secret:
            return text
        text = text.replace(self.url, self.shown)
        for form in (secret, urllib.parse.quote(secret, safe="")):
            text = text.replace(form, "***")
        return text

    def __str__(self) -> str:
        return self.shown


__all__ = ["DATABASE_SCHEMES", "DatabaseURL", "is_database_url"]
