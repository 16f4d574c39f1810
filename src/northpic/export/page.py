"""The map page and its PNG as files: northpic's mark, and writing them safely.

Every page carries ``<meta name="generator" content="northpic VERSION">``
(:data:`MAP_MARKER`) and every PNG a ``Software: northpic`` text chunk. A
build replaces an existing file only when it carries that mark (a map
northpic built, so ``make map`` rebuilds it) or when ``overwrite`` is
given; a missing output folder is refused unless ``mkdir`` is given.
"""

from __future__ import annotations

from pathlib import Path

from northpic.atomic import atomic_output, ensure_parent
from northpic.errors import OutputExistsError

#: The start of the tag that marks a page as a map northpic built.
MAP_MARKER = '<meta name="generator" content="northpic'
_LEGACY_MARKER = b"window.northpicReady"  # maps built before the meta tag
#: The PNG text chunk that marks an image as northpic's.
PNG_MARKER = b"tEXtSoftware\x00northpic"
#: The end of a slide PDF's title (``static/slide.js``), as Chromium writes it in the
#: document information at the head of the file: literal, or UTF-16 hex when the title
#: holds other than ASCII.
PDF_MARKERS = (b" - northpic slide)",
               " - northpic slide".encode("utf-16-be").hex().upper().encode("ascii") + b">")


def mark_page(html: str) -> str:
    """Insert :data:`MAP_MARKER` (with the version) as the first element of the page's head."""
    from northpic._version import __version__

    tag = f'{MAP_MARKER} {__version__}">'
    head = html.find("<head>")
    if head < 0:
        return tag + "\n" + html
    cut = head + len("<head>")
    return html[:cut] + "\n    " + tag + html[cut:]


def is_own_output(path: Path) -> bool:
    """Say whether ``path`` is a map page, PNG or slide PDF northpic built (it may be replaced)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
            if MAP_MARKER.encode() in head or PNG_MARKER in head:
                return True
            if head.startswith(b"%PDF-") and any(m in head for m in PDF_MARKERS):
                return True
            if path.suffix.lower() not in (".html", ".htm"):
                return False
            block = head
            while block:
                if _LEGACY_MARKER in block:
                    return True
                tail = block[-len(_LEGACY_MARKER):]
                block = handle.read(1 << 20)
                block = tail + block if block else b""
    except OSError:
        return False
    return False


def check_build_output(path: Path, overwrite: bool, mkdir: bool) -> None:
    """Refuse to write ``path`` over a file that is not northpic's, or into a missing folder.

    Raises
    ------
    OutputExistsError
        If ``path`` exists, is not a northpic map (or PNG), and ``overwrite`` is false.
    OutputPathError
        If its folder is missing and ``mkdir`` is false.
    """
    if path.is_dir():
        raise OutputExistsError(f"{path} is a folder; give a file name")
    if not overwrite and (path.exists() or path.is_symlink()) and not is_own_output(path):
        raise OutputExistsError(
            f"{path} already exists and is not a map northpic built; pass --overwrite "
            "(overwrite=True) to replace it"
        )
    ensure_parent(path, mkdir)


def write_text_atomic(path: Path, text: str, mkdir: bool = False) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (replacing it)."""
    with atomic_output(path, directory=False, overwrite=True, mkdir=mkdir) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(path: Path, data: bytes, mkdir: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (replacing it)."""
    with atomic_output(path, directory=False, overwrite=True, mkdir=mkdir) as tmp:
        tmp.write_bytes(data)
