"""The company's time zone: activities are stored in UTC and shown in it."""

from __future__ import annotations

import zoneinfo

from django.conf import settings

from skrivbord.core.models import Company


def company_timezone(company: Company | None = None) -> zoneinfo.ZoneInfo:
    """Europe/Stockholm for every company for now (the installation's TIME_ZONE); a company
    setting can take its place without changing the callers."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)
