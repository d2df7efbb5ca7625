"""#KSUMMA: CRC-32 over a file's records as the specification computes it (4B/4C §10).

The sum covers every record after the opening `#KSUMMA` up to (not including) the closing
one: each record's label and the contents of its fields, concatenated, without the blanks
and tabs between fields, without the quotes around fields, without the braces of object
lists and voucher blocks, and with an escaped quote `\\"` counted as the quote alone —
all as codepage 437 bytes, whatever encoding the file itself is in (a UTF-8 file in the
corpus proves real writers do it this way). The polynomial EDB88320, preset FFFFFFFF and
final inversion of §10.11-10.13 are exactly `zlib.crc32`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

# Characters outside codepage 437 count as "?" (they cannot be written to a conformant file).
CHECKSUM_ENCODING = "cp437"


def record_text(fields: Iterable[str | list[str]]) -> str:
    """What one record (label first, then its fields as the tokenizer gives them) adds to
    the sum: the contents concatenated, object lists flattened."""
    parts: list[str] = []
    for value in fields:
        if isinstance(value, list):
            parts.extend(value)
        else:
            parts.append(value)
    return "".join(parts)


def record_bytes(fields: Iterable[str | list[str]], encoding: str = CHECKSUM_ENCODING) -> bytes:
    return record_text(fields).encode(encoding, "replace")


class Crc:
    """A running KSUMMA, fed record contents as text. Text is summed in batches; runs of
    ASCII records are encoded as ASCII (fast), the others through codepage 437 (slow)."""

    __slots__ = ("_ascii", "_chunks", "_size", "_value")

    def __init__(self) -> None:
        self._value = 0
        self._ascii: list[str] = []
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, data: bytes) -> None:
        self._flush()
        self._value = zlib.crc32(data, self._value)

    def add_text(self, text: str) -> None:
        if text.isascii():
            self._ascii.append(text)
        else:
            if self._ascii:
                self._chunks.append("".join(self._ascii).encode("ascii"))
                self._ascii = []
            self._chunks.append(text.encode(CHECKSUM_ENCODING, "replace"))
        self._size += 1
        if self._size > 4000:
            self._flush()

    def _flush(self) -> None:
        if self._ascii:
            self._chunks.append("".join(self._ascii).encode("ascii"))
            self._ascii = []
        if self._chunks:
            self._value = zlib.crc32(b"".join(self._chunks), self._value)
            self._chunks = []
        self._size = 0

    @property
    def value(self) -> int:
        self._flush()
        return self._value
