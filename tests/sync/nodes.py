"""Two sync nodes in one process: the online node on the "default" database and the office
node on "office". Exchanges call the engine directly (the HTTP protocol has its own tests)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.models import Company
from skrivbord.sync import engine
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncLink

OFFICE = "office"
ONLINE = "default"


class TwoNodes:
    def __init__(self, policy: str = "office-wins") -> None:
        self.office_company = Company.objects.using(OFFICE).create(name="Kontoret AB")
        self.online_company = Company.objects.using(ONLINE).create(name="Kontoret AB")
        self.office_link = SyncLink.objects.using(OFFICE).create(
            company=self.office_company, remote_company_id=self.online_company.id, policy=policy
        )
        self.online_link = SyncLink.objects.using(ONLINE).create(
            company=self.online_company, remote_company_id=self.office_company.id, policy=policy
        )
        self.conflicts: list[Any] = []

    # Edits on either side, by the ORM: the triggers capture them like any write path.
    def contacts(self, side: str) -> Any:
        return Contact.objects.using(side)

    def persons(self, side: str) -> Any:
        return ContactPerson.objects.using(side)

    def company(self, side: str) -> Company:
        return self.office_company if side == OFFICE else self.online_company

    def create_contact(self, side: str, **values: Any) -> Contact:
        return self.contacts(side).create(company=self.company(side), **values)

    def push(self, limit: int = 500) -> int:
        """Office -> online, until nothing is left. Returns rows sent."""
        sent = 0
        while True:
            engine.stamp(using=OFFICE, side=Side.OFFICE)
            link = SyncLink.objects.using(OFFICE).get(id=self.office_link.id)
            batch = engine.collect(
                company=self.office_company, after=link.push_cursor, limit=limit, using=OFFICE
            )
            if not batch.rows and batch.upto == link.push_cursor:
                return sent
            with transaction.atomic(using=ONLINE):
                online_link = (
                    SyncLink.objects.using(ONLINE).select_for_update().get(id=self.online_link.id)
                )
                result = engine.apply(
                    link=online_link, rows=batch.rows, using=ONLINE, side=Side.ONLINE
                )
                online_link.push_cursor = max(online_link.push_cursor, batch.upto)
                online_link.save(using=ONLINE)
            self.conflicts += result.conflicts
            SyncLink.objects.using(OFFICE).filter(id=link.id).update(push_cursor=batch.upto)
            sent += len(batch.rows)
            if not batch.more:
                return sent

    def pull(self, limit: int = 500) -> int:
        """Online -> office, until nothing is left. Returns rows received."""
        received = 0
        while True:
            engine.stamp(using=ONLINE, side=Side.ONLINE)
            link = SyncLink.objects.using(OFFICE).get(id=self.office_link.id)
            batch = engine.collect(
                company=self.online_company, after=link.pull_cursor, limit=limit, using=ONLINE
            )
            if not batch.rows and batch.upto == link.pull_cursor:
                return received
            with transaction.atomic(using=OFFICE):
                office_link = SyncLink.objects.using(OFFICE).select_for_update().get(id=link.id)
                engine.apply(link=office_link, rows=batch.rows, using=OFFICE, side=Side.OFFICE)
                office_link.pull_cursor = batch.upto
                office_link.save(using=OFFICE)
            received += len(batch.rows)
            if not batch.more:
                return received

    def exchange(self) -> None:
        """One full exchange as the agent does it: push, then pull, until both are quiet."""
        for _round in range(5):
            if not self.push() + self.pull():
                return
        raise AssertionError("the nodes did not settle in 5 rounds")

    def snapshot(self, side: str) -> dict[str, dict[str, Any]]:
        fields = ("name", "phone", "email", "is_customer", "notes")
        company = self.company(side)
        contacts = {
            str(row["id"]): {k: row[k] for k in fields}
            for row in self.contacts(side).filter(company=company).values("id", *fields)
        }
        persons = {
            str(row["id"]): {"contact": str(row["contact_id"]), "first_name": row["first_name"]}
            for row in self.persons(side)
            .filter(company=company)
            .values("id", "contact_id", "first_name")
        }
        return {"contacts": contacts, "persons": persons}
