"""Wire format of the sync protocol: gzip-compressed JSON with size limits.

Batches are compressed both ways (`Content-Encoding: gzip`). A compressed body is limited
before and after decompression, so a small hostile body cannot expand into gigabytes.
"""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

SCHEMA_VERSION = 1
MAX_COMPRESSED = 8 * 1024 * 1024
MAX_DECOMPRESSED = 64 * 1024 * 1024
#: A seed (a first sync in one SQLite file, seed.py) is larger than a batch: a company's
#: books of several million transactions.
MAX_SEED_COMPRESSED = 2 * 1024 * 1024 * 1024
MAX_SEED_DECOMPRESSED = 8 * 1024 * 1024 * 1024
#: Warn above this clock difference between the agent and the online node; refuse to push
#: above the second (a PC with a wrong year would otherwise win every conflict for months).
SKEW_WARN_SECONDS = 120
SKEW_REFUSE_SECONDS = 3600
#: A version may name who made the edit (SyncChange.actor), in at most this many characters.
MAX_ACTOR_LENGTH = 254


class ProtocolError(ValueError):
    """A body that is not a valid sync message; the message says what is wrong."""


def encode(payload: Any) -> bytes:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return gzip.compress(raw, compresslevel=5)


def decode(body: bytes, *, compressed: bool) -> Any:
    if len(body) > MAX_COMPRESSED:
        raise ProtocolError("The batch is too large.")
    raw = body
    if compressed:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
                raw = stream.read(MAX_DECOMPRESSED + 1)
        except (OSError, EOFError) as error:
            raise ProtocolError("The batch is not valid gzip (it may have been cut).") from error
        if len(raw) > MAX_DECOMPRESSED:
            raise ProtocolError("The batch is too large once decompressed.")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError("The batch is not valid JSON (it may have been cut).") from error


def check_rows(rows: Any) -> list[dict[str, Any]]:
    """The shape of the rows of a batch; the engine checks what they mean."""
    if not isinstance(rows, list):
        raise ProtocolError("rows must be a list.")
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ProtocolError(f"rows[{index}] must be an object.")
        for key, kind in (("entity", str), ("id", str), ("values", dict), ("versions", dict)):
            if not isinstance(row.get(key), kind):
                raise ProtocolError(f"rows[{index}].{key} is missing or of the wrong type.")
        for name, version in row["versions"].items():
            if not _is_version(version):
                raise ProtocolError(f"rows[{index}].versions.{name} is not a version.")
    return rows


def _is_version(version: Any) -> bool:
    """[office, online, hlc], optionally followed by who made the edit."""
    if not isinstance(version, list) or len(version) not in (3, 4):
        return False
    if not all(isinstance(part, int) and part >= 0 for part in version[:3]):
        return False
    return len(version) == 3 or (
        isinstance(version[3], str) and len(version[3]) <= MAX_ACTOR_LENGTH
    )
