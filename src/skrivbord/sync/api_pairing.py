"""Pairing endpoints of the sync API (filled in by the pairing work)."""

from ninja import Router

router = Router(tags=["sync"])
