"""Two sync nodes in one process: the online node on the "default" database and the office
node on "office".

`TwoNodes.push/pull/exchange` call the engine directly. `TwoNodes.agent()` is the real agent,
running as on the office machine, whose HTTP requests are served in this process by the
online node's real sync API (`OnlineTransport`). Each node can have a wrong clock
(`TwoNodes.set_clock`): its capture times, its HLC and its Python clock are all off by it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast
from unittest import mock

import httpx
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Max
from django.http import HttpResponse
from django.test import Client, override_settings
from django.utils import timezone

from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core import registry
from skrivbord.core.models import Company
from skrivbord.sync import engine
from skrivbord.sync.agent import Agent
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncChange, SyncCredential, SyncLink
from skrivbord.sync.pairing import CREDENTIAL_PREFIX, hash_secret

OFFICE = "office"
ONLINE = "default"
ONLINE_URL = "http://online.test"
#: The real time, whatever the nodes' clocks say.
real_now = timezone.now
_real_stamp = engine.stamp

#: {entity: {row id: its synchronised values}}: what a node holds, to compare and to diff.
Rows = dict[str, dict[str, tuple[Any, ...]]]


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
        # The agent's credential, as pairing would have left it on both nodes.
        credential = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
        SyncCredential.objects.using(ONLINE).create(
            company=self.online_company, key_hash=hash_secret(credential), prefix=credential[:12]
        )
        SyncLink.objects.using(OFFICE).filter(id=self.office_link.id).update(
            remote_url=ONLINE_URL, credential=credential
        )
        self.databases = {side: connections[side] for side in (OFFICE, ONLINE)}
        #: How far each node's clock is off (change it with set_clock).
        self.clock = {OFFICE: dt.timedelta(0), ONLINE: dt.timedelta(0)}
        # Changes logged up to here carry their node's clock already.
        self._clocked = {side: self._last_change(side) for side in (OFFICE, ONLINE)}

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

    # --- Clocks ----------------------------------------------------------------------------

    def _last_change(self, side: str) -> int:
        with self.looking():
            return SyncChange.objects.using(side).aggregate(last=Max("id"))["last"] or 0

    def set_clock(self, side: str, offset: dt.timedelta) -> None:
        """The node's clock goes wrong by `offset` (or is corrected: 0) from now on."""
        self._log_clock(side)  # what was logged before carries the clock as it was
        self.clock[side] = offset

    def log_clock(self, side: str) -> None:
        """Give the changes logged since the last call the node's own clock, as the capture
        trigger on a machine with that clock would have written them."""
        if self.clock[side]:
            self._log_clock(side)

    def _log_clock(self, side: str) -> None:
        # The trigger writes the database's time; this is what a wrong clock makes of it.
        last = self._last_change(side)
        if self.clock[side] and last > self._clocked[side]:
            with self.looking():
                SyncChange.objects.using(side).filter(
                    id__gt=self._clocked[side], id__lte=last
                ).update(changed_at=F("changed_at") + self.clock[side])
        self._clocked[side] = last

    @contextmanager
    def wall_clock(self, side: str) -> Iterator[None]:
        """Inside, timezone.now() reads the node's clock."""
        offset = self.clock[side]

        def now() -> dt.datetime:
            return real_now() + offset

        with mock.patch.object(timezone, "now", now):
            yield

    @contextmanager
    def clocks(self) -> Iterator[None]:
        """Inside, stamping on either node sees that node's clock: the changes it folds carry
        it (those the engine logs itself too), and so does the stamping node's own time."""

        def stamp(*, using: str = DEFAULT_DB_ALIAS, side: Side | None = None) -> int:
            node = connections[using].alias  # the node's real database, even as the default
            self.log_clock(node)
            with self.wall_clock(node):
                return _real_stamp(using=using, side=side)

        with mock.patch.object(engine, "stamp", stamp):
            yield

    # --- The agent and the online node's API, in this process -----------------------------

    @contextmanager
    def running_on(self, side: str) -> Iterator[None]:
        """Inside, code runs as in that node's own process: its database is the default one,
        its settings say which node it is, and its clock is its own."""
        with (
            self._default_database(side),
            override_settings(NODE="office" if side == OFFICE else "online"),
            self.wall_clock(side),
        ):
            yield

    @contextmanager
    def _default_database(self, side: str) -> Iterator[None]:
        saved = connections[DEFAULT_DB_ALIAS]
        connections[DEFAULT_DB_ALIAS] = self.databases[side]
        try:
            yield
        finally:
            connections[DEFAULT_DB_ALIAS] = saved

    @contextmanager
    def looking(self) -> Iterator[None]:
        """Inside, the database aliases mean what they say again (to look at a node from
        inside running_on)."""
        with self._default_database(ONLINE):
            yield

    def agent(self, transport: httpx.BaseTransport | None = None) -> Agent:
        """The office's agent (call its methods inside running_on(OFFICE))."""
        with self.running_on(OFFICE):
            link = SyncLink.objects.select_related("company").get(id=self.office_link.id)
        client = httpx.Client(transport=transport or OnlineTransport(self))
        # The online node answers in this thread, on the test's own connections.
        return Agent(link, client=client, overlap=False)

    # --- What the nodes hold ------------------------------------------------------------------

    def rows(self, side: str) -> Rows:
        """Every synchronised row of the company on a node, with its synchronised values."""
        held: Rows = {}
        with self.looking():
            for synced in registry.synced_models():
                model = engine._model(synced.label)
                held[synced.label] = {
                    str(row[0]): row[1:]
                    for row in model._default_manager.using(side)
                    .filter(company=self.company(side))
                    .values_list("id", *synced.fields)
                }
        return held

    def snapshot(self, side: str) -> dict[str, dict[str, Any]]:
        fields = ("name", "phone", "email", "is_customer", "notes")
        company = self.company(side)
        contacts = {
            str(row["id"]): {k: row[k] for k in fields}
            for row in self.contacts(side).filter(company=company).values("id", *fields)
        }
        person_fields = ("first_name", "title", "phone")
        persons = {
            str(row["id"]): {
                "contact": str(row["contact_id"]),
                **{k: row[k] for k in person_fields},
            }
            for row in self.persons(side)
            .filter(company=company)
            .values("id", "contact_id", *person_fields)
        }
        return {"contacts": contacts, "persons": persons}


def changed_rows(before: Rows, after: Rows) -> dict[str, int]:
    """Per entity, how many rows were created, changed or deleted between two `rows()`."""
    changed = {}
    for entity in before.keys() | after.keys():
        old, new = before.get(entity, {}), after.get(entity, {})
        count = sum(old.get(row_id) != new.get(row_id) for row_id in old.keys() | new.keys())
        if count:
            changed[entity] = count
    return changed


class OnlineTransport(httpx.BaseTransport):
    """The agent's HTTP, answered in this process by the online node's real sync API (the
    whole Django stack: URL routing, the credential, rate limits, the views)."""

    def __init__(self, nodes: TwoNodes) -> None:
        self.nodes = nodes
        self.client = Client()

    def serve(self, request: httpx.Request) -> HttpResponse:
        """One request, handled by the online node."""
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query.decode()
        headers = {
            name: request.headers[name]
            for name in request.headers
            if name.lower() in {"authorization", "content-encoding", "accept-encoding"}
            or name.lower().startswith("x-sync-")
        }
        with self.nodes.running_on(ONLINE):
            response = self.client.generic(
                request.method,
                path,
                data=request.read(),  # a streamed upload (a seed) too
                content_type=request.headers.get("Content-Type", "application/octet-stream"),
                headers=headers,
            )
        return cast(HttpResponse, response)  # the sync API never streams

    @staticmethod
    def received(
        request: httpx.Request, response: HttpResponse, body: bytes | None = None
    ) -> httpx.Response:
        """The online node's answer as the agent receives it (`body` instead, if given)."""
        return httpx.Response(
            response.status_code,
            headers={
                name: value
                for name, value in response.items()
                if name.lower() in {"content-type", "content-encoding", "retry-after"}
            },
            stream=httpx.ByteStream(response.content if body is None else body),
            request=request,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.received(request, self.serve(request))
