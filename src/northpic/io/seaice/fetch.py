"""Download NSIDC daily sea-ice files when online, and keep them in a cache.

:func:`fetch_daily` builds the NSIDC-0081 (near-real-time) URL for a date,
downloads it over HTTPS into the cache (``$XDG_CACHE_HOME/northpic/seaice``)
and returns the cached path; a second call does not download again. The base
URL comes from ``NORTHPIC_SEAICE_URL`` (so a mirror, or a local test server,
can stand in for NSIDC). Offline, it raises :class:`FetchError` saying so.
NSIDC's server needs an Earthdata login: put a ``machine
urs.earthdata.nasa.gov login USER password PASS`` line in ``~/.netrc`` (or
the file ``$NETRC`` names). A download is checked with the sea-ice readers
before it enters the cache, so a login page or a broken transfer is never
kept as data.
"""

from __future__ import annotations

import http.cookiejar
import netrc
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from northpic.errors import BadInputError, FetchError

#: NSIDC-0081 version 2 daily files (Earthdata login needed).
DEFAULT_BASE_URL = "https://n5eil01u.ecs.nsidc.org/PM/NSIDC-0081.002"
ENV_URL = "NORTHPIC_SEAICE_URL"
TIMEOUT_S = 30.0
EARTHDATA_HOST = "urs.earthdata.nasa.gov"


def _opener() -> urllib.request.OpenerDirector:
    """Return an opener that follows Earthdata's login redirect with the ``.netrc`` login."""
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    ]
    try:
        login = netrc.netrc(os.environ.get("NETRC")).authenticators(EARTHDATA_HOST)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        login = None
    if login:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, f"https://{EARTHDATA_HOST}", login[0], login[2] or "")
        handlers.append(urllib.request.HTTPBasicAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


def cache_dir() -> Path:
    """Return the folder fetched files are kept in."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "northpic" / "seaice"


def _check_download(path: Path, url: str) -> None:
    """Raise :class:`FetchError` unless ``path`` is a sea-ice file the readers recognise."""
    from northpic.io.seaice.open import open_concentration

    with path.open("rb") as handle:
        head = handle.read(512).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise FetchError(f"{url}: the server sent a web page, not the file (a login page? "
                         f"NSIDC needs an Earthdata login in ~/.netrc for {EARTHDATA_HOST})")
    try:
        open_concentration(path).close()
    except (BadInputError, OSError, ValueError) as exc:
        raise FetchError(f"{url}: what the server sent is not a sea-ice file ({exc})") from None


def daily_file_name(day: date) -> str:
    """NSIDC-0081 v2 file name of a northern-hemisphere day."""
    return f"NSIDC0081_SEAICE_PS_N25km_{day:%Y%m%d}_v2.0.nc"


def daily_url(day: date, base_url: str | None = None) -> str:
    """Where the NSIDC daily file of ``day`` is (``base/YYYY.MM.DD/NAME``)."""
    base = (base_url or os.environ.get(ENV_URL) or DEFAULT_BASE_URL).rstrip("/")
    return f"{base}/{day:%Y.%m.%d}/{daily_file_name(day)}"


def fetch_daily(
    day: str | date,
    base_url: str | None = None,
    refresh: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Download (or take from the cache) the NSIDC daily concentration file of ``day``.

    Parameters
    ----------
    day : str or datetime.date
        ISO date, e.g. ``"2024-09-15"``.
    base_url : str, optional
        Overrides ``NORTHPIC_SEAICE_URL`` and the NSIDC default.
    refresh : bool
        Download again even if cached.
    progress : callable, optional
        Called with short messages.

    Returns
    -------
    pathlib.Path
        The cached file.

    Raises
    ------
    FetchError
        Offline, the server refused, or no file for that date.
    """
    try:
        when = pd.Timestamp(day).date()
    except (ValueError, TypeError):
        raise BadInputError(f"{day!r} is not a date (use YYYY-MM-DD)") from None
    target = cache_dir() / daily_file_name(when)
    say = progress or (lambda _msg: None)
    if target.is_file() and not refresh:
        say(f"cached: {target}")
        return target
    url = daily_url(when, base_url)
    say(f"downloading {url}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part.nc")
    try:
        with os.fdopen(fd, "wb") as handle, _opener().open(url, timeout=TIMEOUT_S) as resp:
            shutil.copyfileobj(resp, handle)
        _check_download(Path(tmp), url)
        os.replace(tmp, target)
    except FetchError:  # what the server sent is no sea-ice file: said as such, not "offline"
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(
            f"{url}: the server answered {exc.code} {exc.reason} "
            f"(no file for {when}, or a login is needed)"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            f"offline or unreachable: cannot download {url} ({reason}). "
            f"Files already fetched are in {cache_dir()}"
        ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    say(f"saved {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return target
