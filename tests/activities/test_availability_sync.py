"""Working hours are company configuration: they sync both ways, one row per company."""

from __future__ import annotations

from skrivbord.activities.models import WorkingHours
from skrivbord.activities.services import working_hours_id
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes


class WorkingHoursSyncTests(SyncTestCase):
    databases = {"default", "office"}

    def setUp(self) -> None:
        super().setUp()
        self.nodes = TwoNodes()

    def set_hours(self, side: str, **values: object) -> WorkingHours:
        company = self.nodes.company(side)
        return WorkingHours.objects.using(side).create(
            id=working_hours_id(company), company=company, **values
        )

    def hours(self, side: str) -> list[tuple[object, ...]]:
        return list(
            WorkingHours.objects.using(side)
            .filter(company=self.nodes.company(side))
            .values_list("id", "weekdays", "day_start", "day_end", "lunch_start", "lunch_end")
        )

    def test_the_office_and_the_online_copy_derive_the_same_row_id(self) -> None:
        self.assertEqual(
            working_hours_id(self.nodes.office_company), working_hours_id(self.nodes.online_company)
        )

    def test_hours_set_online_arrive_at_the_office(self) -> None:
        self.set_hours(ONLINE, weekdays="1234", day_start=420, day_end=960)
        self.nodes.exchange()
        self.assertEqual(self.hours(OFFICE), self.hours(ONLINE))
        self.assertEqual(self.hours(OFFICE)[0][1:4], ("1234", 420, 960))

    def test_hours_set_on_both_nodes_merge_into_one_row(self) -> None:
        self.set_hours(OFFICE, day_start=450)
        self.set_hours(ONLINE, day_start=540, lunch_start=720, lunch_end=780)
        self.nodes.exchange()
        office, online = self.hours(OFFICE), self.hours(ONLINE)
        self.assertEqual(office, online)
        self.assertEqual(len(office), 1)
        # The same field on both sides follows the policy (office wins) ...
        self.assertEqual(office[0][2], 450)

    def test_a_later_change_of_one_field_reaches_the_other_node(self) -> None:
        row = self.set_hours(OFFICE)
        self.nodes.exchange()
        WorkingHours.objects.using(OFFICE).filter(id=row.id).update(day_end=900)
        self.nodes.exchange()
        self.assertEqual(self.hours(ONLINE)[0][3], 900)
        self.assertEqual(self.nodes.conflicts, [])
