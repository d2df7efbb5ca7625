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


def record_bytes(label: str, fields: Iterable[str | list[str]], encoding: str = "cp437") -> bytes:
    """The bytes one record contributes: label and field contents, object lists flattened."""
    parts = [label]
    for value in fields:
        if isinstance(value, list):
            parts.extend(value)
        else:
            parts.append(value)
    return "".join(parts).encode(encoding, "replace")


class Crc:
    """A running KSUMMA."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def add(self, data: bytes) -> None:
        self.value = zlib.crc32(data, self.value)

    def add_record(self, label: str, fields: Iterable[str | list[str]]) -> None:
        self.value = zlib.crc32(record_bytes(label, fields), self.value)
