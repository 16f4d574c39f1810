"""Cite source documents by title, publisher and date, never by file name.

Layer records name a source document by its file name in ``source``
(``...; 002_3dcab7659b2ccca3.txt``) or by the id of a fact taken from it in
``seed_fact`` (``002-e12``). Nobody can look either up, so the page shows
the document's citation instead (:func:`citation`); the file name stays in
the data (the layer files and ``seeds/``), for tracing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from northpic.io.seed_files import SourceDocument, read_source_documents

#: A source document's file name as records write it.
DOCUMENT_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")
#: The popup column that holds the citation of a record's ``seed_fact``.
FACT_COLUMN, DOCUMENT_COLUMN = "seed_fact", "source_document"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _date_text(published: str | None) -> str:
    if not published:
        return "undated"
    parts = published.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return parts[0]


def citation(doc: SourceDocument) -> str:
    """Cite a source document: title (in brackets when supplied), publisher, date.

    Examples
    --------
    >>> doc = SourceDocument("001_x.txt", "Rutte rejects an EU-only defence structure", True,
    ...                      "Euro Weekly News", "2025-12-26")
    >>> citation(doc)
    '[Rutte rejects an EU-only defence structure], Euro Weekly News, 26 Dec 2025'
    >>> citation(SourceDocument("002_x.txt", "An essay", False, None, None))
    '"An essay", publisher not named, undated'
    """
    title = f"[{doc.title}]" if doc.title_supplied else f'"{doc.title}"'
    return f"{title}, {doc.publisher or 'publisher not named'}, {_date_text(doc.published)}"


def cite_text(text: str, documents: Mapping[str, SourceDocument]) -> str:
    """Replace each known document file name in ``text`` by the document's citation.

    Examples
    --------
    >>> doc = SourceDocument("003_09faeee6b37f03b2.txt", "A report", False, "DW", "2026-01-12")
    >>> cite_text("Fact sheet; 003_09faeee6b37f03b2.txt", {doc.source_file: doc})
    'Fact sheet; "A report", DW, 12 Jan 2026'
    """
    def cite(match: re.Match[str]) -> str:
        doc = documents.get(match.group(0))
        return citation(doc) if doc is not None else match.group(0)

    return DOCUMENT_NAME.sub(cite, text)


def cited_frame(frame: pd.DataFrame,
                documents: Mapping[str, SourceDocument] | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` whose sources read as citations, for the page.

    ``source`` has each document file name replaced by the document's
    citation; ``seed_fact`` becomes ``source_document``, the citation of
    the document the fact comes from, left empty when ``source`` already
    cites that document.

    Parameters
    ----------
    frame : pandas.DataFrame
        A layer frame.
    documents : mapping of str to SourceDocument, optional
        Default: :func:`~northpic.io.seed_files.read_source_documents`.
    """
    documents = read_source_documents() if documents is None else documents
    if not documents or "source" not in frame.columns:
        return frame
    out = frame.copy()
    out["source"] = [cite_text(s, documents) if isinstance(s, str) else s for s in out["source"]]
    if FACT_COLUMN in out.columns:
        by_fact = {fact: doc for doc in documents.values() for fact in doc.facts}
        cited = []
        for fact, source in zip(out[FACT_COLUMN], out["source"], strict=True):
            doc = by_fact.get(fact) if isinstance(fact, str) else None
            text = citation(doc) if doc is not None else None
            shown = (fact if isinstance(fact, str) and fact.strip() and doc is None
                     else None if text is None or text in str(source) else text)
            cited.append(shown)
        position = list(out.columns).index(FACT_COLUMN)
        out = out.drop(columns=[FACT_COLUMN])
        out.insert(position, DOCUMENT_COLUMN, pd.Series(cited, index=out.index, dtype=object))
    return out
