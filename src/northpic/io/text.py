"""Read text input as UTF-8, refusing binary data after its first bytes.

Every text reader of northpic (event intake, layer files) goes through here,
so a file of NUL bytes, a UTF-16 file or random bytes on standard input get
one clear answer, "binary data" or "not UTF-8 text", naming the file, and a
2 GB file of zeros is refused after reading :data:`SNIFF_BYTES`, not all of it.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import BinaryIO

from northpic.errors import DataFileError

#: How much of the input is looked at before it is read whole.
SNIFF_BYTES = 64 * 1024
#: Share of NUL bytes in the first :data:`SNIFF_BYTES` that marks input as binary.
BINARY_NUL_SHARE = 0.1


def refuse_binary(head: bytes, label: str) -> None:
    """Raise :class:`DataFileError` if ``head`` (the input's first bytes) is not text.

    Parameters
    ----------
    head : bytes
        Up to :data:`SNIFF_BYTES` from the start of the input.
    label : str
        The file (or ``"<stdin>"``) for the message.

    Raises
    ------
    DataFileError
        When NUL bytes make up at least :data:`BINARY_NUL_SHARE` of ``head``
        (binary data, or UTF-16 text). A stray NUL inside otherwise plain text
        is left to the record checks, which name the record and field.

    Examples
    --------
    >>> refuse_binary(b"id,name\\n", "ok.csv")
    >>> refuse_binary(bytes(100), "zeros.csv")
    Traceback (most recent call last):
    ...
    northpic.errors.DataFileError: zeros.csv: binary data, not text: ...
    """
    nul = head.count(0)
    if head and nul >= BINARY_NUL_SHARE * len(head):
        utf16 = head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        hint = ("; it looks like UTF-16 text: save it as UTF-8" if utf16 else
                " (a text file holds no NUL bytes)")
        raise DataFileError(label, f"binary data, not text: {nul} of its first {len(head)} "
                                   f"bytes are NUL{hint}")


def decode_text(data: bytes, label: str) -> str:
    """Decode UTF-8 bytes (a leading byte-order mark is dropped), refusing anything else.

    Raises
    ------
    DataFileError
        Binary data (see :func:`refuse_binary`), or bytes that are not UTF-8;
        the offset of the first bad byte is named.
    """
    refuse_binary(data[:SNIFF_BYTES], label)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(label, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset "
                                   f"{exc.start} cannot be decoded; save the file as UTF-8"
                            ) from None


def read_stream(stream: BinaryIO, label: str) -> str:
    """Read a byte stream as text: its first bytes are checked before the rest is read."""
    try:
        head = stream.read(SNIFF_BYTES)
        refuse_binary(head, label)
        return decode_text(head + stream.read(), label)
    except DataFileError:
        raise
    except OSError as exc:
        raise DataFileError(label, f"cannot read: {exc.strerror or exc}") from None


def read_text_file(path: str | Path) -> str:
    """Read a text file as UTF-8 (see :func:`decode_text`).

    Raises
    ------
    DataFileError
        If the file is missing, unreadable, binary or not UTF-8.
    """
    label = str(path)
    try:
        with open(path, "rb") as handle:
            return read_stream(handle, label)
    except DataFileError:
        raise
    except FileNotFoundError:
        raise DataFileError(label, "no such file") from None
    except IsADirectoryError:
        raise DataFileError(label, "is a folder, not a file") from None
    except OSError as exc:
        raise DataFileError(label, f"cannot read: {exc.strerror or exc}") from None
