"""Which characters text may hold, and how text is shown on a terminal.

One place for the character classes the rest of the package uses:

* :data:`REFUSED` and :data:`REFUSED_MULTILINE`: what no stored text may
  hold (C0 and C1 controls, DEL, lone surrogates, U+FFFE/U+FFFF); a
  multi-line field may also hold tab, newline and a CRLF line end
  (:func:`northpic.schema.text_problem` words the refusal);
* :func:`terminal_text`: text made safe to print, every character a
  terminal would act on rather than show escaped as ``\\xNN`` or
  ``\\uNNNN``.

This module imports nothing of northpic's.
"""

from __future__ import annotations

import re

#: Characters no stored text may hold.
REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: The same for multi-line fields, which may hold tab, newline and CRLF (a lone
#: CR would let text overwrite its own line on a terminal).
REFUSED_MULTILINE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]|\r(?!\n)"
)
# What a terminal would act on rather than show: C0 and C1 controls, DEL, lone
# surrogates, line and paragraph separators, and the bidirectional overrides
# and isolates that can reorder what is shown ("Trojan source").
_UNSHOWABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
_UNSHOWABLE_KEEPING_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufffe\uffff]"
)


def escape_character(char: str) -> str:
    r"""Write one character as a visible escape: ``\xNN`` below 256, else ``\uNNNN``.

    Examples
    --------
    >>> escape_character("\x1b"), escape_character("\u202e")
    ('\\x1b', '\\u202e')
    """
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_json(text: str) -> str:
    r"""Return JSON text safe to print: what a terminal would act on as ``\uNNNN`` escapes.

    ``json.dumps`` already escapes the C0 controls inside strings; this
    escapes the rest (C1 controls, DEL, bidirectional overrides, line
    separators, U+FFFE/U+FFFF) the way JSON can read back, and keeps the
    newlines and tabs of indentation.

    Examples
    --------
    >>> terminal_json('{"name": "Tanker \u202ediverts"}')
    '{"name": "Tanker \\u202ediverts"}'
    """
    return _UNSHOWABLE_KEEPING_LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def terminal_text(text: object, *, keep_lines: bool = False) -> str:
    r"""Return ``text`` safe to print: what a terminal would act on becomes an escape.

    Parameters
    ----------
    text : object
        Any value; it is shown as ``str(text)``.
    keep_lines : bool
        Keep newlines and tabs (for messages of several lines); a table cell
        escapes them too.

    Returns
    -------
    str
        The text with controls, bidirectional overrides and line separators
        escaped; letters of every script, marks and emoji are kept.

    Examples
    --------
    >>> terminal_text("Tanker\x1b[2J\x00 \u05e2\u05d1\u05e8\u05d9\u05ea \U0001f6a2")
    'Tanker\\x1b[2J\\x00 \u05e2\u05d1\u05e8\u05d9\u05ea \U0001f6a2'
    >>> terminal_text("two\nlines", keep_lines=True)
    'two\nlines'
    """
    pattern = _UNSHOWABLE_KEEPING_LINES if keep_lines else _UNSHOWABLE
    return pattern.sub(lambda m: escape_character(m.group()), str(text))
