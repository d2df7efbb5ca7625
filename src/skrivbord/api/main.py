"""The REST API under /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="skrivbord API",
    version="1.0.0",
    description="The REST API of skrivbord. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api-1.0.0",
)
