"""The untrusted-XML reader refuses what could make the parser do more than read."""

from __future__ import annotations

import pytest

from northpic.errors import DataFileError
from northpic.io.xml import parse_untrusted_xml, read_xml_bytes


def _laughs(levels: int) -> bytes:
    entities = [b'<!ENTITY lol0 "lol">']
    entities += [b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10)
                 for i in range(1, levels)]
    return (b'<?xml version="1.0"?><!DOCTYPE nvg [' + b"".join(entities) + b"]>"
            b"<nvg>&lol%d;</nvg>" % (levels - 1))


@pytest.mark.parametrize("document", [
    _laughs(10),
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
    b'<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]><r/>',
    b"<!DOCTYPE r><r/>",
], ids=["billion-laughs", "xxe-file", "external-dtd", "parameter-entity", "bare-doctype"])
def test_a_document_type_declaration_is_refused(document: bytes) -> None:
    with pytest.raises(DataFileError, match="overlay.nvg: holds a document type declaration"):
        parse_untrusted_xml(document, "overlay.nvg")


@pytest.mark.parametrize(("document", "reason"), [
    (b"<r><a></r>", "not well-formed XML"),
    (b"<r>&undeclared;</r>", "not well-formed XML"),
    (b"   ", "is empty"),
    (b"\xff\xfe<\x00r", "not well-formed XML"),
])
def test_broken_xml_is_refused_with_the_reason(document: bytes, reason: str) -> None:
    with pytest.raises(DataFileError, match=f"in.xml: {reason}"):
        parse_untrusted_xml(document, "in.xml")


def test_a_document_over_the_limit_is_refused_before_parsing(tmp_path) -> None:
    path = tmp_path / "big.cot"
    path.write_bytes(b"<event>" + b" " * 2000 + b"</event>")
    with pytest.raises(DataFileError, match="big.cot: 2015 bytes is more than the 1000"):
        read_xml_bytes(path, max_bytes=1000)
    with pytest.raises(DataFileError, match="more than the 1000 bytes"):
        parse_untrusted_xml(path.read_bytes(), "big.cot", max_bytes=1000)


def test_comments_and_processing_instructions_are_dropped() -> None:
    root = parse_untrusted_xml(b"<r><!-- c --><?pi x?><a>t</a></r>", "r.xml")
    assert [child.tag for child in root] == ["a"]
