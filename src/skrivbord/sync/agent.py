"""The sync agent: runs next to the office node and keeps it equal to the online node.

One exchange: handshake (versions, clocks, restore detection), push every office change
after the push cursor in batches, pull every online change after the pull cursor, record the
session on both nodes. Continuous mode pushes as office changes appear (polling the local
change log, which costs one indexed query) and long-polls the online node for its changes.

Errors say whether they are worth a retry (a dropped connection, a 5xx, 429) or permanent (a
revoked credential, incompatible versions): the agent backs off and retries the first kind
and stops on the second, recording either in the history.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from skrivbord.sync import engine, history
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncChange, SyncLink
from skrivbord.sync.protocol import SCHEMA_VERSION, SKEW_WARN_SECONDS, decode, encode

log = logging.getLogger("skrivbord.sync")

BATCH_ROWS = 2000
# Short enough that stopping the agent never waits long for the open request.
LONG_POLL_SECONDS = 5
LOCAL_POLL_SECONDS = 0.1


class SyncError(Exception):
    """A failed exchange. `permanent` errors need a person; the others are retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass
class ExchangeResult:
    exchange_id: uuid.UUID
    sent: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    applied: Counter[str] = field(default_factory=Counter)
    #: What the online node applied of what this agent sent (from its answers).
    applied_online: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(self.sent.values()) + sum(self.received.values())


Progress = Callable[[str, int, int], None]


class Agent:
    def __init__(
        self,
        link: SyncLink,
        *,
        client: httpx.Client | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.link_id = link.id
        self.company = link.company
        self.base = link.remote_url.rstrip("/") + "/api/v1/sync"
        self.client = client or httpx.Client(timeout=httpx.Timeout(10.0, read=60.0))
        self.client.headers.update(
            {"Authorization": f"Bearer {link.credential}", "Accept-Encoding": "gzip"}
        )
        self.progress = progress or (lambda _phase, _done, _total: None)
        self.stopping = threading.Event()

    # --- HTTP -------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        params: dict[str, Any] | None = None,
        result: ExchangeResult | None = None,
    ) -> Any:
        body = encode(payload) if payload is not None else None
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"} if body else {}
        try:
            response = self.client.request(
                method, self.base + path, content=body, params=params, headers=headers
            )
        except httpx.HTTPError as error:
            raise SyncError(f"The online node did not answer: {error}") from error
        if result is not None:
            result.bytes_sent += len(body or b"")
            result.bytes_received += len(response.content)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            detail = detail or response.reason_phrase
            permanent = response.status_code in {401, 403, 409, 410, 422}
            raise SyncError(f"{response.status_code}: {detail}", permanent=permanent)
        try:
            return decode(response.content, compressed=False)
        except ValueError as error:
            raise SyncError(f"The online node sent a broken answer: {error}") from error

    def _link(self) -> SyncLink:
        return SyncLink.objects.select_related("company").get(id=self.link_id)

    # --- One exchange ------------------------------------------------------------------------

    def handshake(self, result: ExchangeResult) -> dict[str, Any]:
        link = self._link()
        current = engine.node()
        answer = self._call(
            "POST",
            "/handshake",
            {
                "schema_version": SCHEMA_VERSION,
                "office_node_id": str(current.node_id),
                "office_epoch": str(current.epoch),
                "generation": link.generation,
                "agent_time": timezone.now().isoformat(),
            },
            result=result,
        )
        skew = float(answer.get("clock_skew_seconds") or 0)
        SyncLink.objects.filter(id=link.id).update(
            clock_skew_seconds=skew, last_seen_at=timezone.now()
        )
        if abs(skew) > SKEW_WARN_SECONDS:
            result.warnings.append(
                f"This computer's clock differs from the online node's by {skew:.0f} seconds."
            )
        if answer.get("push_refused"):
            raise SyncError(
                "This computer's clock is more than an hour off; correct it before syncing.",
                permanent=True,
            )
        if answer.get("restored"):
            self._rebaseline(
                int(answer.get("max_office_version") or 0), int(answer.get("generation") or 0)
            )
            result.warnings.append(
                "This office database is older than the online node remembers (restored from "
                "a backup?): everything is being compared again."
            )
        return answer

    def _rebaseline(self, max_office_version: int, generation: int) -> None:
        """After a restore: continue office versions above what the online node has seen,
        give the edits made since the restored push position fresh versions, and compare
        everything again (versions make resending harmless)."""
        link = self._link()
        table = SyncChange._meta.db_table
        with transaction.atomic():
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
                        [max_office_version, table],
                    )
                else:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        "GREATEST(%s, (SELECT COALESCE(MAX(id), 1) FROM sync_syncchange)))",
                        [table, max_office_version],
                    )
            # Edits not yet sent may carry ids the online node already saw before the
            # restore: log them again, so stamping gives them versions above all of those.
            unsent = list(
                SyncChange.objects.filter(
                    company_id=link.company_id, seq__gt=link.push_cursor
                ).order_by("seq")
            )
            SyncChange.objects.filter(id__in=[change.id for change in unsent]).delete()
            SyncChange.objects.bulk_create(
                SyncChange(
                    company_id=change.company_id,
                    entity=change.entity,
                    row_id=change.row_id,
                    op=change.op,
                    fields=change.fields,
                    changed_at=change.changed_at,
                )
                for change in unsent
            )
            SyncLink.objects.filter(id=self.link_id).update(
                push_cursor=0,
                pull_cursor=0,
                generation=generation,
                snapshot_position="",
                snapshot_done=False,
            )

    def push(self, result: ExchangeResult) -> int:
        sent = 0
        while not self.stopping.is_set():
            engine.stamp()
            link = self._link()
            batch = engine.collect(company=link.company, after=link.push_cursor, limit=BATCH_ROWS)
            if batch.upto == link.push_cursor:
                return sent
            pending = SyncChange.objects.filter(
                company_id=link.company_id, seq__gt=link.push_cursor
            ).count()
            answer = self._call(
                "POST",
                "/push",
                {
                    "exchange_id": str(result.exchange_id),
                    "after": link.push_cursor,
                    "upto": batch.upto,
                    "agent_time": timezone.now().isoformat(),
                    "rows": batch.rows,
                },
                result=result,
            )
            SyncLink.objects.filter(id=link.id).update(push_cursor=batch.upto)
            result.sent.update(batch.counts)
            result.applied_online.update(answer.get("applied") or {})
            result.conflicts += int(answer.get("conflicts") or 0)
            sent += len(batch.rows)
            self.progress("push", sent, sent + pending)
            if not batch.more:
                return sent
        return sent

    def pull(self, result: ExchangeResult, *, wait: float = 0) -> int:
        received = 0
        while not self.stopping.is_set():
            link = self._link()
            answer = self._call(
                "GET",
                "/pull",
                params={"after": link.pull_cursor, "limit": BATCH_ROWS, "wait": wait},
                result=result,
            )
            rows = answer.get("rows") or []
            upto = int(answer.get("upto") or link.pull_cursor)
            if not rows and upto == link.pull_cursor:
                return received
            with transaction.atomic():
                locked = (
                    SyncLink.objects.select_for_update().select_related("company").get(id=link.id)
                )
                applied = engine.apply(link=locked, rows=rows, side=Side.OFFICE)
                # The cursor commits with the rows it covers: exactly once in effect.
                locked.pull_cursor = upto
                locked.save(update_fields=["pull_cursor"])
            result.received.update(applied.received)
            result.applied.update(applied.applied)
            received += len(rows)
            self.progress("pull", received, received)
            wait = 0
            if not answer.get("more"):
                return received
        return received

    def pull_snapshot(self, result: ExchangeResult) -> int:
        """Every online row of the company, page by page; each page commits with its
        position, so a cut snapshot resumes where it stopped. Then the change feed continues
        from the watermark taken when the snapshot began."""
        received = 0
        while not self.stopping.is_set():
            link = self._link()
            if link.snapshot_done:
                return received
            answer = self._call(
                "GET",
                "/snapshot",
                params={"position": link.snapshot_position, "limit": BATCH_ROWS},
                result=result,
            )
            rows = answer.get("rows") or []
            position = str(answer.get("position") or "")
            with transaction.atomic():
                locked = (
                    SyncLink.objects.select_for_update().select_related("company").get(id=link.id)
                )
                if not locked.snapshot_position:
                    # The first page: the feed resumes from here once the snapshot is done.
                    locked.pull_cursor = int(answer.get("watermark") or 0)
                applied = engine.apply(link=locked, rows=rows, side=Side.OFFICE)
                locked.snapshot_position = position
                locked.snapshot_done = not position
                locked.save(update_fields=["snapshot_position", "snapshot_done", "pull_cursor"])
            result.received.update(applied.received)
            result.applied.update(applied.applied)
            received += len(rows)
            self.progress("pull", received, received)
        return received

    def exchange(self) -> ExchangeResult:
        """Handshake, push everything, pull everything; record the session on both nodes."""
        result = ExchangeResult(exchange_id=uuid.uuid4())
        link = self._link()
        session = history.session_begin(company=link.company, exchange_id=result.exchange_id)
        started = session.started_at
        outcome, errors = "success", []
        try:
            self.handshake(result)
            # A snapshot first (a new connection, or after a restore), so rows this office
            # is about to send are not fetched back again.
            self.pull_snapshot(result)
            for _round in range(3):
                moved = self.push(result) + self.pull(result)
                if not moved:
                    break
        except Exception as error:
            # A sync error, or a database error that run() retries: either way it failed.
            outcome, errors = "failed", [str(error)]
            raise
        finally:
            self._record(session, result, outcome, errors, started)
        return result

    def _record(
        self, session: Any, result: ExchangeResult, outcome: str, errors: list[str], started: Any
    ) -> None:
        generation = self._link().generation + (1 if outcome == "success" else 0)
        counts = {
            entity: {
                "sent": result.sent.get(entity, 0),
                "received": result.received.get(entity, 0),
                "applied": result.applied.get(entity, 0),
            }
            for entity in set(result.sent) | set(result.received)
        }
        # The online node records the same exchange from its side, with what it applied.
        remote_counts = {
            entity: {**values, "applied_online": result.applied_online.get(entity, 0)}
            for entity, values in counts.items()
        }
        history.session_end(
            session,
            outcome=outcome,
            counts=counts,
            bytes_sent=result.bytes_sent,
            bytes_received=result.bytes_received,
            conflicts=result.conflicts,
            errors=[*errors, *result.warnings],
        )
        if outcome == "success":
            SyncLink.objects.filter(id=self.link_id).update(
                generation=generation,
                last_success_at=timezone.now(),
                last_seen_at=timezone.now(),
            )
        try:
            self._call(
                "POST",
                "/session",
                {
                    "exchange_id": str(result.exchange_id),
                    "started_at": started.isoformat(),
                    "ended_at": timezone.now().isoformat(),
                    "outcome": outcome,
                    "counts": remote_counts,
                    "bytes_sent": result.bytes_sent,
                    "bytes_received": result.bytes_received,
                    "conflicts": result.conflicts,
                    "errors": [*errors, *result.warnings],
                    "generation": generation,
                },
            )
        except SyncError as error:
            log.warning("Could not record the session on the online node: %s", error)

    # --- Continuous --------------------------------------------------------------------------

    def run(self, *, on_error: Callable[[SyncError], None] | None = None) -> None:
        """Until stop(): after a full exchange, a pusher thread follows the local change log
        while this thread long-polls the online node. Lost connections are retried with a
        growing pause."""
        pusher: threading.Thread | None = None
        backoff = 1.0
        try:
            while not self.stopping.is_set():
                try:
                    self.exchange()
                    backoff = 1.0
                    if pusher is None:
                        # Only now: the first exchange pushes everything itself.
                        pusher = threading.Thread(
                            target=self._push_loop, name="sync-push", daemon=True
                        )
                        pusher.start()
                    while not self.stopping.is_set():
                        result = ExchangeResult(exchange_id=uuid.uuid4())
                        if self.pull(result, wait=LONG_POLL_SECONDS):
                            log.debug("Received %s", dict(result.received))
                except (SyncError, DatabaseError) as error:
                    # A database hiccup (a lock held too long, a dropped connection) is worth
                    # a retry like a network one; only a permanent sync error stops the agent.
                    problem = error if isinstance(error, SyncError) else SyncError(str(error))
                    if on_error:
                        on_error(problem)
                    if problem.permanent:
                        raise
                    self.stopping.wait(backoff)
                    backoff = min(backoff * 2, 30)
                finally:
                    close_old_connections()
        finally:
            self.stop()
            if pusher is not None:
                pusher.join(timeout=5)

    def _push_loop(self) -> None:
        try:
            while not self.stopping.is_set():
                link = self._link()
                if SyncChange.objects.filter(
                    company_id=link.company_id, seq__gt=link.push_cursor
                ).exists():
                    try:
                        self.push(ExchangeResult(exchange_id=uuid.uuid4()))
                    except (SyncError, DatabaseError) as error:
                        log.warning("Push failed, retrying: %s", error)
                        self.stopping.wait(2)
                self.stopping.wait(LOCAL_POLL_SECONDS)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()


def run_once(link: SyncLink, **kwargs: Any) -> ExchangeResult:
    return Agent(link, **kwargs).exchange()


__all__ = ["Agent", "ExchangeResult", "SyncError", "run_once"]
