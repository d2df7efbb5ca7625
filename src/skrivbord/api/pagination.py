"""Offset pagination with links, so a client can follow `next` without building URLs."""

from __future__ import annotations

from django.http import HttpRequest


def _url(request: HttpRequest, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"] = str(offset)
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_urls(
    request: HttpRequest, count: int, offset: int, limit: int
) -> tuple[str | None, str | None]:
    """The (next, previous) page URLs, None at either end."""
    next_url = _url(request, offset + limit, limit) if offset + limit < count else None
    previous_url = _url(request, max(offset - limit, 0), limit) if offset > 0 else None
    return next_url, previous_url
