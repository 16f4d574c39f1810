"""Builders of marked records: every product is marked, so test records say who may see them."""

from __future__ import annotations

from typing import Any

#: Properties of a record openly released (what tests that are not about markings give).
PUBLIC_MARKING: dict[str, str] = {
    "classification": "UNCLASSIFIED", "releasability": "PUBLIC", "originator": "tests/builders",
}


def marked(records: list[dict[str, Any]], **marking: str) -> list[dict[str, Any]]:
    """Give each flat record marking properties (default :data:`PUBLIC_MARKING`), in place."""
    for record in records:
        record.update({**PUBLIC_MARKING, **marking})
    return records
