from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import translation

from skrivbord.activities import selectors, services
from skrivbord.activities.models import Activity, ActivityType
from skrivbord.core.models import Company, User
from tests.base import BaseTestCase

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


class ActivitiesTestCase(BaseTestCase):
    """Messages are asserted in English here (calls outside a request use the default,
    Swedish, language otherwise); the Swedish pages have tests of their own."""

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))

    def type_(self, key: str = "meeting", company: Company | None = None) -> ActivityType:
        found = (
            selectors.activity_type_by_key(access=self.access(self.alice, company), key=key)
            if company is None
            else ActivityType.objects.get(company=company, key=key)
        )
        assert found is not None
        return found

    def make(self, user: User | None = None, **values: Any) -> Activity:
        values.setdefault("type", self.type_(values.pop("type_key", "meeting")))
        values.setdefault("subject", "Planering")
        return services.activity_create(access=self.access(user or self.alice), **values)
