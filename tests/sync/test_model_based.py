"""A model-based test of the sync contract (DESIGN.md §3), on two real databases.

Hypothesis makes random edits on both nodes (contacts, and contact persons under them: a
contact's delete takes its persons with it), sets either node's clock wrong, and moves
changes in two ways:

* through the engine, with faults between batches: a dropped response (the receiver applied,
  the sender never heard), a duplicated batch, batches applied out of order, a batch cut
  short, an agent killed between steps (its cursor not saved);
* through the real agent, whose HTTP requests the online node's real sync API answers in this
  process (tests/sync/nodes.py), with one fault on the line: a request lost on the way, an
  answer lost, a request delivered twice, an old batch delivered again first, a request or
  an answer cut short, or the agent killed before a request or after the online node
  handled it (then nothing of it runs any more, as with SIGKILL).

A clock within the limit (±50 minutes) is used as it is: capture times, HLCs and the agent's
clock in the handshake all follow it. A clock more than an hour off makes the agent refuse,
and nothing moves until it is corrected.

Every so often a clean exchange drains both nodes, and then the invariants must hold:

* convergence: both nodes hold the same rows with the same values;
* no lost update: a field edited on one side only since the last drain has that edit;
  a field edited on both sides ends with one of the two values, and when they differ the
  conflict is logged with the policy's winner;
* a person edited or added on one side whose contact (or itself) the other side deleted
  without having that edit: it is gone only as the losing side of a logged conflict, and
  when its contact was deleted the deleting side won, whatever the policy;
* no false conflict: a logged conflict is only ever about a field both sides edited;
* the policy: office wins / online wins, or for newest wins the later of the two HLCs the
  nodes recorded (a fast clock makes its node's edits the newer ones: that is the rule);
* clocks: no node's HLC is ahead of the clocks it stamped with; both nodes measured the
  clock difference at each handshake, and the history warns above two minutes;
* history: every exchange of the agent is recorded on both nodes with counts equal to what
  it did (see `check_history`);
* idempotence: another exchange after a drain moves nothing.

CI runs 200 examples (profile "ci", the default); HYPOTHESIS_PROFILE=long runs 5,000;
HYPOTHESIS_PROFILE=debug finds a failure fast and prints it unshrunk.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from unittest import mock

import httpx
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    precondition,
    rule,
)

from skrivbord.sync import agent as agent_module
from skrivbord.sync import engine, hlc
from skrivbord.sync.agent import SyncError
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncChange, SyncConflict, SyncLink, SyncRow, SyncSession
from skrivbord.sync.protocol import SKEW_REFUSE_SECONDS, SKEW_WARN_SECONDS, decode
from tests.sync.base import SyncTestCase
from tests.sync.nodes import (
    OFFICE,
    ONLINE,
    OnlineTransport,
    TwoNodes,
    changed_rows,
    real_now,
)

settings.register_profile(
    "ci",
    max_examples=200,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=5000,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Finds a failure fast and prints its steps unshrunk: for debugging only.
settings.register_profile(
    "debug",
    max_examples=400,
    stateful_step_count=30,
    deadline=None,
    phases=[Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
# Exchanges of the real agent per example: each costs a few times a batch through the
# engine, and CI must stay fast. An example that has not used them up drains through the
# agent at its end; the other drains go through the engine.
AGENT_EXCHANGES = {"ci": 1, "long": 4}.get(PROFILE, 2)

FIELDS = ("name", "phone", "notes")
PERSON_FIELDS = ("first_name", "title", "phone")
CONTACTS, PERSONS = "contacts.contact", "contacts.contactperson"
SIDES = st.sampled_from([OFFICE, ONLINE])
VALUES = st.text(alphabet="abcåäö ", min_size=1, max_size=6)
FAULTS = st.sampled_from(["none", "drop", "duplicate", "reorder", "cut", "kill"])
NETWORK_FAULTS = st.sampled_from(
    ["none", "lose", "drop", "duplicate", "replay", "cut", "cut-request", "kill", "kill-after"]
)
CLOCK_ERRORS = st.one_of(
    st.integers(-50, 50),  # within the limit: used as it is
    st.integers(-50, 50),
    # Refused: from an hour and a half to a wrong year, either way.
    st.sampled_from([90, 600, 1440, 525_600]).flatmap(lambda m: st.sampled_from([m, -m])),
)
# Clocks this close to the refusal limit may land on either side of it (time passes).
SKEW_MARGIN = dt.timedelta(seconds=5)
REFUSE = dt.timedelta(seconds=SKEW_REFUSE_SECONDS)
WARN = dt.timedelta(seconds=SKEW_WARN_SECONDS)
ZERO_COUNTS = {"sent": 0, "received": 0, "applied": 0}


class AgentKilled(BaseException):
    """The agent's process dies (SIGKILL): nothing of it runs any more."""


@dataclass
class Call:
    """One request as the online node handled it."""

    path: str
    status: int
    #: Its decoded answer (when it succeeded).
    answer: dict[str, Any]
    #: Online rows it created, changed or deleted, per entity; conflicts it logged.
    changed: dict[str, int]
    conflicts: int
    #: Whether the agent got the answer.
    delivered: bool = True
    #: An old batch delivered again (its answer goes nowhere).
    replay: bool = False


class Network(OnlineTransport):
    """The agent's line to the online node, with `fault` at the agent's request number `at`."""

    def __init__(
        self,
        nodes: TwoNodes,
        fault: str = "none",
        at: int = -1,
        replays: list[httpx.Request] | None = None,
    ) -> None:
        super().__init__(nodes)
        self.fault, self.at = fault, at
        #: Push requests the online node handled before, to deliver again.
        self.replays = [] if replays is None else replays
        self.calls: list[Call] = []
        self.requests = 0
        self.killed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.killed:
            raise AgentKilled
        fault = self.fault if self.requests == self.at else "none"
        self.requests += 1
        if fault == "lose":
            raise httpx.ConnectError("lost on the way", request=request)
        if fault == "kill":
            self.killed = True
            raise AgentKilled
        if fault == "replay" and self.replays:
            self.observe(self.replays[self.requests % len(self.replays)], replay=True)
        if fault == "cut-request":
            request = httpx.Request(
                request.method,
                request.url,
                headers=request.headers,
                content=request.content[: len(request.content) // 2],
            )
        response, call = self.observe(request)
        if fault == "duplicate":
            call.delivered = False
            response, call = self.observe(request)
        elif fault == "drop":
            call.delivered = False
            raise httpx.ReadError("the answer was lost", request=request)
        elif fault == "cut":
            call.delivered = False
            return self.received(
                request, response, body=response.content[: len(response.content) // 2]
            )
        elif fault == "kill-after":
            call.delivered = False
            self.killed = True
            raise AgentKilled
        return self.received(request, response)

    def observe(self, request: httpx.Request, replay: bool = False) -> tuple[Any, Call]:
        path = request.url.path.rsplit("/", 1)[-1]
        # Batches are what writes rows online (the other requests are covered by convergence).
        watched = path == "push"
        before = self.nodes.rows(ONLINE) if watched else {}
        conflicts = self._conflicts() if watched else 0
        response = self.serve(request)
        after = self.nodes.rows(ONLINE) if watched else {}
        answer = {}
        if response.status_code == 200:
            answer = decode(response.content, compressed=True)
        call = Call(
            path=path,
            status=response.status_code,
            answer=answer,
            changed=changed_rows(before, after) if watched else {},
            conflicts=self._conflicts() - conflicts if watched else 0,
            delivered=not replay,
            replay=replay,
        )
        self.calls.append(call)
        if call.path == "push" and not replay:
            self.replays.append(request)
        return response, call

    def _conflicts(self) -> int:
        with self.nodes.looking():
            return (
                SyncConflict.objects.using(ONLINE).filter(company=self.nodes.online_company).count()
            )


@dataclass
class Exchange:
    """What one exchange of the agent did, as observed, to check its history against."""

    network: Network
    session: SyncSession
    #: Office rows each batch it received changed, per entity, summed over the batches.
    office_changed: Counter[str]
    #: How far the agent's clock was from the online node's.
    skew: dt.timedelta = dt.timedelta(0)
    error: SyncError | None = None
    moved: int = 0
    #: Whether the agent recorded its session (a killed one may not have).
    recorded: bool = True

    def answered(self, path: str) -> list[Call]:
        return [c for c in self.network.calls if c.path == path and c.delivered and c.status == 200]


def total(calls: list[Call], key: str) -> Counter[str]:
    counted: Counter[str] = Counter()
    for call in calls:
        counted.update(call.answer.get(key) or {})
    return counted


def rows_received(calls: list[Call]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for call in calls:
        counted.update(row["entity"] for row in call.answer.get("rows") or [])
    return counted


class SyncMachine(RuleBasedStateMachine):
    contacts = Bundle("contacts")

    def __init__(self) -> None:
        super().__init__()
        self.case: SyncTestCase = SyncMachine.case  # type: ignore[attr-defined]
        self.nodes: TwoNodes | None = None

    @initialize(
        target=contacts,
        policy=st.sampled_from(["office-wins", "online-wins", "newest-wins"]),
        first_sync=st.booleans(),
    )
    def start(self, policy: str, first_sync: bool) -> Any:
        # Each example runs in savepoints that teardown rolls back: a clean slate, fast.
        self.savepoints = {db: transaction.savepoint(using=db) for db in (OFFICE, ONLINE)}
        self.nodes = TwoNodes(policy=policy)
        self.context = ExitStack()
        self.context.enter_context(self.nodes.clocks())
        self.seen_conflicts: set[str] = set()
        self.policy = policy
        self.edits: dict[tuple[str, str, str], list[Any]] = {}  # (side, id, field) -> values
        self.deleted: dict[str, set[str]] = {OFFICE: set(), ONLINE: set()}
        self.created: set[str] = set()
        # Contact persons: every one created, and each one's contact.
        self.persons: list[str] = []
        self.parent: dict[str, str] = {}
        #: (side, person, field) -> how many of that side's edits the other side had when it
        #: deleted the person (or its contact): those were not concurrent with the delete.
        self.seen: dict[tuple[str, str, str], int] = {}
        self.exchanges: list[Exchange] = []
        self.replays: list[httpx.Request] = []
        self.sessions: set[Any] = set()
        self.agent_exchanges = 0
        self.ahead = {OFFICE: dt.timedelta(0), ONLINE: dt.timedelta(0)}
        self.snapshotting = False  # the agent's first snapshot is cut half way
        # Start from contacts both nodes hold, so edits on both sides meet early.
        ids = [str(self.n.create_contact(OFFICE, name=f"Start {n}").id) for n in range(3)]
        self.n.exchange()
        # The agent's first exchange begins with a snapshot of the online rows, or that
        # was done long ago.
        SyncLink.objects.using(OFFICE).filter(id=self.n.office_link.id).update(
            snapshot_done=not first_sync
        )
        return multiple(*ids)

    @property
    def n(self) -> TwoNodes:
        assert self.nodes is not None
        return self.nodes

    # --- Edits ------------------------------------------------------------------------------

    @rule(target=contacts, side=SIDES, name=VALUES)
    def create(self, side: str, name: str) -> str:
        contact = self.n.create_contact(side, name=name)
        self.n.log_clock(side)
        self.created.add(str(contact.id))
        return str(contact.id)

    @rule(side=SIDES, contact=contacts, field=st.sampled_from(FIELDS), value=VALUES)
    def edit(self, side: str, contact: str, field: str, value: str) -> None:
        # A write of the value already there changes nothing and logs nothing: no edit.
        if (
            self.n.contacts(side)
            .filter(id=contact)
            .exclude(**{field: value})
            .update(**{field: value})
        ):
            self.n.log_clock(side)
            self.edits.setdefault((side, contact, field), []).append(value)

    @rule(side=SIDES, contact=contacts)
    def delete(self, side: str, contact: str) -> None:
        # Its persons go with it (on_delete=CASCADE): each delete is captured on its own.
        persons = self._before_delete(side, contact_id=contact)
        if self.n.contacts(side).filter(id=contact).delete()[0]:
            self.n.log_clock(side)
            self.deleted[side].add(contact)
            self.deleted[side] |= persons

    # A contact person is a child of its contact: the parent's delete wins over its edits.
    @rule(side=SIDES, contact=contacts, first_name=VALUES)
    def create_person(self, side: str, contact: str, first_name: str) -> None:
        if not self.n.contacts(side).filter(id=contact).exists():
            return
        person = self.n.persons(side).create(
            company=self.n.company(side), contact_id=contact, first_name=first_name
        )
        self.n.log_clock(side)
        person_id = str(person.id)
        self.persons.append(person_id)
        self.parent[person_id] = contact
        # A new person is an edit too: it must arrive, or be logged if its contact is gone.
        self.edits.setdefault((side, person_id, "first_name"), []).append(first_name)

    @rule(side=SIDES, pick=st.integers(0, 99), field=st.sampled_from(PERSON_FIELDS), value=VALUES)
    def edit_person(self, side: str, pick: int, field: str, value: str) -> None:
        # No precondition on what exists: that depends on the merge (newest wins reads the
        # real clock), and Hypothesis needs the same draws when it replays the steps.
        if not self.persons:
            return
        person = self.persons[pick % len(self.persons)]
        # A write of the value already there changes nothing and logs nothing: no edit
        # (the long profile's one false alarm: the same phone set twice, a delete between).
        if (
            self.n.persons(side)
            .filter(id=person)
            .exclude(**{field: value})
            .update(**{field: value})
        ):
            self.n.log_clock(side)
            self.edits.setdefault((side, person, field), []).append(value)

    @rule(side=SIDES, pick=st.integers(0, 99))
    def delete_person(self, side: str, pick: int) -> None:
        if not self.persons:
            return
        person = self.persons[pick % len(self.persons)]
        persons = self._before_delete(side, id=person)
        if self.n.persons(side).filter(id=person).delete()[0]:
            self.n.log_clock(side)
            self.deleted[side] |= persons

    def _before_delete(self, side: str, **lookup: Any) -> set[str]:
        """The persons `side` is about to delete; the other side's edits of them it already
        has are not concurrent with the delete. "Has" by the version vectors, not by the
        values: the deleter may have written its own value over theirs since."""
        other = ONLINE if side == OFFICE else OFFICE
        persons = set()
        for person_id in self.n.persons(side).filter(**lookup).values_list("id", flat=True):
            person = str(person_id)
            persons.add(person)
            for field in PERSON_FIELDS:
                values = self.edits.get((other, person, field))
                if values and self._knows(side, other, person_id, field):
                    self.seen[(other, person, field)] = len(values)
        return persons

    def _knows(self, side: str, other: str, row_id: Any, field: str) -> bool:
        """Whether `side`'s copy of the row has `other`'s latest edit of the field: the
        version `side` holds for the field names an edit of `other` at least as new as the
        last change `other` logged for it (a change's id is its version there)."""
        with self.n.looking():
            changes = SyncChange.objects.using(other).filter(row_id=row_id).exclude(op="r")
            latest = max(
                (
                    change.id
                    for change in changes.only("id", "fields", "op")
                    if change.fields == "*" or field in change.fields.split(",")
                ),
                default=0,
            )
            state = SyncRow.objects.using(side).filter(row_id=row_id).first()
        if state is None:
            return False
        version = state.versions.get(field) or state.versions.get("*") or [0, 0, 0]
        return int(version[1 if other == ONLINE else 0]) >= latest > 0

    # --- Clocks -----------------------------------------------------------------------------

    @rule(side=SIDES, minutes=CLOCK_ERRORS)
    def set_clock(self, side: str, minutes: int) -> None:
        """A node's clock goes wrong (or is corrected: 0)."""
        self.n.set_clock(side, dt.timedelta(minutes=minutes))

    def skew(self) -> dt.timedelta:
        """How far the agent's clock is from the online node's."""
        return abs(self.n.clock[OFFICE] - self.n.clock[ONLINE])

    def refused(self) -> bool:
        """The clocks are too far apart, or so close to the limit that the nodes may refuse
        (they measure the difference themselves, with the time on the wire in it)."""
        return self.skew() > REFUSE - SKEW_MARGIN

    def surely_refused(self) -> bool:
        return self.skew() > REFUSE + SKEW_MARGIN

    def note_clocks(self) -> None:
        """The nodes are about to stamp their changes with their clocks as they are."""
        for side in (OFFICE, ONLINE):
            self.ahead[side] = max(self.ahead[side], self.n.clock[side])

    def check_clocks(self) -> None:
        """No node's HLC is ahead of the clocks it stamped with: an edit made while its clock
        was refused counts as made when it is sent, not when the wrong clock said."""
        for side in (OFFICE, ONLINE):
            stamped = dt.datetime.fromtimestamp(
                hlc.milliseconds(engine.node(using=side).hlc) / 1000, tz=dt.UTC
            )
            limit = real_now() + self.ahead[side] + SKEW_MARGIN
            assert stamped <= limit, f"{side}'s HLC is at {stamped}, its clock was at most {limit}"

    # --- Moving changes through the engine, with faults between batches ---------------------

    @precondition(lambda self: not self.refused())
    @rule(fault=FAULTS, limit=st.integers(1, 4), seed=st.integers(0, 1000))
    def push_with_fault(self, fault: str, limit: int, seed: int) -> None:
        self._transfer(Side.OFFICE, fault, limit, seed)

    # The agent finishes a snapshot it began before it pulls from the feed again.
    @precondition(lambda self: not self.refused() and not self.snapshotting)
    @rule(fault=FAULTS, limit=st.integers(1, 4), seed=st.integers(0, 1000))
    def pull_with_fault(self, fault: str, limit: int, seed: int) -> None:
        self._transfer(Side.ONLINE, fault, limit, seed)

    def _transfer(self, source: Side, fault: str, limit: int, seed: int) -> None:
        """One or two batches from `source`, suffering `fault` on the way."""
        self.note_clocks()
        source_db, target_db = (OFFICE, ONLINE) if source == Side.OFFICE else (ONLINE, OFFICE)
        target_side = Side.ONLINE if source == Side.OFFICE else Side.OFFICE
        cursor_field = "push_cursor" if source == Side.OFFICE else "pull_cursor"
        company = self.n.office_company if source == Side.OFFICE else self.n.online_company
        office_link = SyncLink.objects.using(OFFICE).get(id=self.n.office_link.id)
        after = getattr(office_link, cursor_field)
        engine.stamp(using=source_db, side=source)
        first = engine.collect(company=company, after=after, limit=limit, using=source_db)
        second = engine.collect(company=company, after=first.upto, limit=limit, using=source_db)
        batches = [first, second]
        if fault == "reorder":
            batches.reverse()
        if fault == "cut":
            rows = first.rows[: len(first.rows) // 2]
            batches = []  # a cut body is refused whole; the sender retries later
            self._apply(target_db, target_side, rows, None, dry=True)
            return
        for batch in batches:
            copies = 2 if fault == "duplicate" else 1
            for _ in range(copies):
                self._apply(
                    target_db,
                    target_side,
                    batch.rows,
                    batch.upto if source == Side.OFFICE else None,
                )
        if fault in {"drop", "kill"}:
            return  # the sender never learns: its cursor stays, it will send again
        upto = max(first.upto, second.upto)
        SyncLink.objects.using(OFFICE).filter(id=office_link.id).update(**{cursor_field: upto})

    def _apply(
        self,
        target_db: str,
        side: Side,
        rows: list[dict[str, Any]],
        upto: int | None,
        dry: bool = False,
    ) -> None:
        if dry:
            return
        link = self.n.online_link if target_db == ONLINE else self.n.office_link
        with transaction.atomic(using=target_db):
            result = engine.apply(link=link, rows=rows, using=target_db, side=side)
        self.n.conflicts += result.conflicts

    # --- Moving changes through the real agent, with a fault on the line --------------------

    @precondition(lambda self: self.agent_exchanges < AGENT_EXCHANGES)
    @rule(fault=NETWORK_FAULTS, at=st.integers(0, 6), batch=st.integers(1, 4))
    def agent_exchange(self, fault: str, at: int, batch: int) -> None:
        self.agent_exchanges += 1
        # Within a few seconds of the limit either outcome is right (the long profile set
        # the clocks exactly an hour apart, and the nodes measured just under it).
        refused = self.surely_refused()
        network = Network(self.n, fault, at, self.replays)
        exchange = self._agent_exchange(network, batch)
        if refused:
            assert not exchange.office_changed, "rows moved although the clock was refused"
            assert not any(call.changed for call in network.calls)
            if fault == "none" or at > 0:
                assert exchange.error is not None
                assert exchange.error.permanent
                assert "clock" in str(exchange.error)
        elif fault == "none" and not self.refused():
            assert exchange.error is None, f"a clean exchange failed: {exchange.error}"

    def _agent_exchange(self, network: Network, batch: int | None = None) -> Exchange:
        """One exchange by a newly started agent; what it did is kept for check_history."""
        if not self.surely_refused():
            self.note_clocks()
        office_changed: Counter[str] = Counter()
        apply = engine.apply

        def apply_observed(**kwargs: Any) -> engine.ApplyResult:
            if connections[kwargs.get("using", DEFAULT_DB_ALIAS)].alias != OFFICE:
                return apply(**kwargs)
            before = self.n.rows(OFFICE)
            result = apply(**kwargs)
            after = self.n.rows(OFFICE)
            office_changed.update(changed_rows(before, after))
            return result

        agent = self.n.agent(network)
        record = agent._record

        recorded = []

        def record_unless_killed(*args: Any) -> None:
            if not network.killed:  # a killed process runs no `finally`
                recorded.append(True)
                record(*args)

        error, moved = None, 0
        with ExitStack() as stack:
            stack.enter_context(self.n.running_on(OFFICE))
            stack.enter_context(mock.patch.object(agent, "_record", record_unless_killed))
            stack.enter_context(mock.patch.object(engine, "apply", apply_observed))
            if batch is not None:
                stack.enter_context(mock.patch.object(agent_module, "BATCH_ROWS", batch))
            try:
                moved = agent.exchange().moved
            except SyncError as failure:
                error = failure
            except AgentKilled as killed:
                # Killed while recording a failed exchange: it had failed.
                if isinstance(killed.__context__, SyncError):
                    error = killed.__context__
        (session,) = (
            SyncSession.objects.using(OFFICE)
            .filter(company=self.n.office_company)
            .exclude(id__in=self.sessions)
        )
        self.sessions.add(session.id)
        link = SyncLink.objects.using(OFFICE).get(id=self.n.office_link.id)
        self.snapshotting = bool(link.snapshot_position) and not link.snapshot_done
        exchange = Exchange(
            network=network,
            session=session,
            office_changed=office_changed,
            skew=self.n.clock[OFFICE] - self.n.clock[ONLINE],
            error=error,
            moved=moved,
            recorded=bool(recorded),
        )
        self.exchanges.append(exchange)
        # Both Status pages show how far the clocks were apart at the last handshake.
        handshakes = [c for c in network.calls if c.path == "handshake" and c.status == 200]
        for side, seen in ((ONLINE, handshakes), (OFFICE, exchange.answered("handshake"))):
            if seen:
                measured = SyncLink.objects.using(side).get(company=self.n.company(side))
                apart = measured.clock_skew_seconds - exchange.skew.total_seconds()
                assert abs(apart) < SKEW_MARGIN.total_seconds(), (
                    f"{side} measured {measured.clock_skew_seconds} s, it was {exchange.skew}"
                )
        for call in network.calls:
            # The online node says what a batch changed, and nothing else changes its rows.
            if call.path == "push" and call.status == 200 and not call.replay:
                changed = dict(call.changed)
                assert call.answer["applied"] == changed, (
                    f"the online node said it applied {call.answer['applied']}, "
                    f"it changed {call.changed}"
                )
                assert call.answer["conflicts"] == call.conflicts
            else:
                assert not call.changed, (
                    f"a {'repeated ' if call.replay else ''}{call.path} request changed "
                    f"{call.changed} online"
                )
                assert not call.conflicts
        return exchange

    def check_history(self) -> None:
        """Each exchange's sessions count what it did.

        The office counts itself: "applied" is the office rows its pulls changed, "sent" what
        the online node acknowledged receiving, "received" the rows of the answers it got.
        The online node's session is the agent's report, so it counts the batches whose
        answers reached the agent: a batch the online node applied but whose answer was lost
        (dropped, cut, or the agent killed) changed rows that no session counts. A killed
        agent leaves its office session running, with no counts, and reports nothing online;
        the next exchange that begins closes it as failed.
        """
        for index, exchange in enumerate(self.exchanges):
            office = SyncSession.objects.using(OFFICE).get(id=exchange.session.id)
            online = list(
                SyncSession.objects.using(ONLINE).filter(
                    company=self.n.online_company, exchange_id=office.exchange_id
                )
            )
            reported = [
                c for c in exchange.network.calls if c.path == "session" and c.status == 200
            ]
            assert len(online) == (1 if reported else 0), (
                f"{len(online)} online sessions for an exchange reported {len(reported)} times"
            )
            if not exchange.recorded:
                assert exchange.network.killed
                later = index + 1 < len(self.exchanges)
                assert office.outcome == ("failed" if later else "running"), (
                    f"a killed agent's session is {office.outcome}"
                )
                assert office.counts == {}
                continue
            assert office.outcome == ("success" if exchange.error is None else "failed")
            pushes = exchange.answered("push")
            sent = total(pushes, "received")
            applied_online = total(pushes, "applied")
            received = rows_received(exchange.answered("pull") + exchange.answered("snapshot"))
            entities = set(office.counts) | set(sent) | set(received)
            entities |= set(exchange.office_changed)
            for entity in entities:
                counts = {**ZERO_COUNTS, **office.counts.get(entity, {})}
                expected = {
                    "sent": sent[entity],
                    "received": received[entity],
                    "applied": exchange.office_changed.get(entity, 0),
                }
                assert counts == expected, f"office history of {entity} {counts}, it did {expected}"
                if online:
                    mirrored = {
                        "sent": received[entity],
                        "received": sent[entity],
                        "applied": applied_online[entity],
                    }
                    online_counts = {**ZERO_COUNTS, **online[0].counts.get(entity, {})}
                    assert online_counts == mirrored, (
                        f"online history {online_counts}, it did {mirrored}"
                    )
            assert office.conflicts == sum(call.answer["conflicts"] for call in pushes)
            if exchange.answered("handshake"):
                # Clocks more than two minutes apart are a warning in the history.
                warned = any("clock differs" in str(error) for error in office.errors)
                apart = abs(exchange.skew)
                if apart > WARN + SKEW_MARGIN:
                    assert warned, f"no warning of clocks {apart} apart"
                elif apart < WARN - SKEW_MARGIN:
                    assert not warned
            if online:
                assert (online[0].outcome, online[0].conflicts) == (
                    office.outcome,
                    office.conflicts,
                )
        self.exchanges.clear()

    # --- Draining and the invariants --------------------------------------------------------

    @precondition(lambda self: self.nodes is not None)
    @rule()
    def drain_and_check(self, agent: bool = False) -> None:
        """Drain both nodes through the engine (or the agent), then check the invariants."""
        if self.refused():
            for side in (OFFICE, ONLINE):
                self.n.set_clock(side, dt.timedelta(0))  # someone corrects the clock
        self.note_clocks()
        if agent or self.snapshotting:
            drained = self._agent_exchange(Network(self.n))
            assert drained.error is None, f"the draining exchange failed: {drained.error}"
        else:
            self.n.exchange()
        office, online = self.n.snapshot(OFFICE), self.n.snapshot(ONLINE)
        assert office == online, "the nodes did not converge"
        self.check_clocks()
        conflicts = [
            conflict
            for conflict in SyncConflict.objects.using(ONLINE).filter(company=self.n.online_company)
            if str(conflict.id) not in self.seen_conflicts
        ]
        self.seen_conflicts |= {str(conflict.id) for conflict in conflicts}
        logged: dict[str, list[SyncConflict]] = {}
        for conflict in conflicts:
            logged.setdefault(str(conflict.row_id), []).append(conflict)
        for (side, contact, field), values in self.edits.items():
            other = ONLINE if side == OFFICE else OFFICE
            is_person = contact in self.parent
            row = online["persons" if is_person else "contacts"].get(contact)
            if row is None and is_person and contact not in self.deleted[side]:
                self.check_person_delete(side, contact, field, values, logged)
            if row is None:
                continue  # deleted: checked through conflicts below
            theirs = self.edits.get((other, contact, field))
            if contact in self.deleted[side]:
                # The side deleted the row after editing it: its delete supersedes its own
                # edits. If the other side's concurrent edit wins and restores the row, the
                # row comes back as the editor had it (documented in docs/sync.md).
                continue
            if not theirs and contact not in self.deleted[other]:
                assert row[field] == values[-1], (
                    f"lost update: {side} set {field}={values[-1]!r}, final {row[field]!r}"
                )
            elif theirs:
                assert row[field] in {values[-1], theirs[-1]}
        for conflict in conflicts:
            row_id = str(conflict.row_id)
            if conflict.field == "_deleted":
                deleted = self.deleted[OFFICE] | self.deleted[ONLINE]
                assert row_id in deleted or self.parent.get(row_id) in deleted, (
                    "a delete conflict about a row nobody deleted"
                )
                if conflict.winner in self.parent_deleters(row_id):
                    # A parent's delete wins whatever the policy (either's, when both sides
                    # deleted the parent).
                    continue
            else:
                both = all(
                    self.edits.get((side, row_id, conflict.field)) for side in (OFFICE, ONLINE)
                )
                assert both, f"false conflict on {conflict.field}"
            self.check_policy(conflict)
        assert self.n.push() + self.n.pull() == 0, "a drained exchange moved rows"
        self.check_history()
        # A new round of edits starts from here.
        self.edits.clear()
        self.seen.clear()
        self.deleted = {OFFICE: set(), ONLINE: set()}

    def parent_deleters(self, person: str) -> set[str]:
        """The sides ("office", "online") that deleted the person's contact since the last
        drain."""
        contact = self.parent.get(person)
        return {
            "office" if side == OFFICE else "online"
            for side in (OFFICE, ONLINE)
            if contact in self.deleted[side]
        }

    def parent_deleter(self, person: str) -> str | None:
        """The side that deleted the person's contact since the last drain, if only one did."""
        contact = self.parent.get(person)
        sides = [side for side in (OFFICE, ONLINE) if contact in self.deleted[side]]
        return ("office" if sides[0] == OFFICE else "online") if len(sides) == 1 else None

    def check_person_delete(
        self,
        side: str,
        person: str,
        field: str,
        values: list[Any],
        logged: dict[str, list[SyncConflict]],
    ) -> None:
        """`side` edited (or created) a person the other side deleted, or whose contact it
        deleted: unless the deleter had the edit, it is the losing side of a logged conflict,
        and when the contact was deleted, the deleting side won whatever the policy."""
        if len(values) <= self.seen.get((side, person, field), 0):
            return  # the deleter had it: not concurrent
        found = logged.get(person, [])
        assert found, (
            f"lost update: {side} set person {field}={values[-1]!r}, the person is gone "
            f"and no conflict was logged"
        )
        deleter = self.parent_deleter(person)
        if deleter is not None and self.parent[person] not in self.deleted[side]:
            assert any(c.field == "_deleted" and c.winner == deleter for c in found), (
                f"{side}'s person edit against the {deleter} delete of its contact: logged "
                f"{[(c.field, c.winner) for c in found]}"
            )

    def check_policy(self, conflict: SyncConflict) -> None:
        if self.policy == "office-wins":
            assert conflict.winner == "office"
        elif self.policy == "online-wins":
            assert conflict.winner == "online"
        else:
            # The HLCs the nodes recorded decide, whatever the real time was; ties go to the
            # office. (The log keeps their milliseconds; within one, either may win.)
            never = dt.datetime.min.replace(tzinfo=dt.UTC)
            office = conflict.office_changed_at or never
            online = conflict.online_changed_at or never
            if online != office:
                newer = "online" if online > office else "office"
                assert conflict.winner == newer, (
                    f"newest wins chose {conflict.winner}: office {office}, online {online}"
                )

    def teardown(self) -> None:
        if self.nodes is not None:
            try:
                self.drain_and_check(agent=self.agent_exchanges < AGENT_EXCHANGES)
            finally:
                self.context.close()
                for db, savepoint in self.savepoints.items():
                    transaction.savepoint_rollback(savepoint, using=db)


# Rate limits and retention are not what this test is about: every request counts, every
# session stays.
@override_settings(SYNC_RATE_LIMIT_PER_MINUTE=0, SYNC_HISTORY_DAYS=0)
class ModelBasedSyncTests(SyncTestCase):
    databases = {"default", "office"}

    def test_the_sync_contract_holds_under_random_edits_and_faults(self) -> None:
        SyncMachine.case = self  # type: ignore[attr-defined]
        random.seed(0)
        SyncMachine.TestCase("runTest").runTest()
