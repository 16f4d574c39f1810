"""Read the source documents' records in ``seeds/``: what each document is and what it holds.

Each ``seeds/NNN_<hash>.json`` describes one source document (the text
``NNN_<hash>.txt`` kept outside the repository): its file name
(``document``), title, publisher and publication date, and the events,
places and figures extracted from it with ids such as ``002-e12``. Layer
records cite a document by its file name in ``source`` or by an event id in
``seed_fact``; :mod:`northpic.render.citations` turns both into citations.
In a wheel the folder is installed as ``northpic/_seeds``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from northpic.errors import DataFileError
from northpic.io.text import read_text_file


@dataclass(frozen=True)
class SourceDocument:
    """One source document, as ``seeds/`` records it.

    Attributes
    ----------
    source_file : str
        The document's file name (``002_3dcab7659b2ccca3.txt``): kept to
        trace the record, never shown as its citation.
    title : str
        Its title; ``title_supplied`` when the text has none and the title
        only describes it.
    title_supplied : bool
        The title is ours, not the document's (cited in square brackets).
    publisher : str or None
        Who published it, or ``None`` when the text does not say.
    published : str or None
        ISO 8601 date of publication (``2026-02-02``), or ``None`` when undated.
    facts : tuple of str
        Ids of the events extracted from it (``002-e12``).
    """

    source_file: str
    title: str
    title_supplied: bool
    publisher: str | None
    published: str | None
    facts: tuple[str, ...] = ()


def seeds_dir() -> Path | None:
    """Return the folder of source-document records, or ``None`` when it is not installed."""
    packaged = resources.files("northpic") / "_seeds"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "seeds"
    return checkout if checkout.is_dir() else None


def _document(path: Path) -> SourceDocument:
    try:
        doc = json.loads(read_text_file(path))
    except ValueError as exc:
        raise DataFileError(str(path), f"not JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("document"), str):
        raise DataFileError(str(path), "a source-document record needs a 'document' file name")
    title = doc.get("title")
    publisher, published = doc.get("publisher"), doc.get("published")
    events = doc.get("events")
    if not isinstance(events, list):
        events = []
    return SourceDocument(
        source_file=doc["document"],
        title=title if isinstance(title, str) and title.strip() else doc["document"],
        title_supplied=str(doc.get("title_note", "")).startswith("Supplied"),
        publisher=publisher if isinstance(publisher, str) and publisher.strip() else None,
        published=published if isinstance(published, str) and published.strip() else None,
        facts=tuple(str(e["id"]) for e in events if isinstance(e, dict) and "id" in e),
    )


@lru_cache(maxsize=4)
def read_source_documents(folder: Path | None = None) -> dict[str, SourceDocument]:
    """Read every source-document record of ``folder`` (default :func:`seeds_dir`).

    Returns
    -------
    dict of str to SourceDocument
        Keyed by the document's file name; empty when there is no folder.

    Raises
    ------
    DataFileError
        If a record is not JSON or names no document.

    Examples
    --------
    >>> docs = read_source_documents()
    >>> docs["003_09faeee6b37f03b2.txt"].published
    '2026-01-12'
    """
    folder = folder or seeds_dir()
    if folder is None:
        return {}
    documents = [_document(path) for path in sorted(folder.glob("*.json"))]
    return {doc.source_file: doc for doc in documents}
