"""Global record identities. Every business row has a UUIDv7 made where it is created, so the
same record has the same id on the office node and the online node (DESIGN.md §3)."""

from __future__ import annotations

import uuid

import uuid_utils.compat


def new_id() -> uuid.UUID:
    # Time-ordered (v7): index-friendly like a sequence, globally unique like a UUID.
    return uuid_utils.compat.uuid7()
