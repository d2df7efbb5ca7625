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

import hashlib
import json
import logging
import tempfile
import threading
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from skrivbord.sync import engine, history, seed
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

    def __init__(self, message: str, *, permanent: bool = False, status: int = 0) -> None:
        super().__init__(message)
        self.permanent = permanent
        #: The online node's HTTP status, when it answered with an error.
        self.status = status


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


#: Called with (phase, done, total) as a long transfer goes: "push", "pull" or "snapshot";
#: total is 0 while not known, and done == total when the transfer has finished.
Progress = Callable[[str, int, int], None]


@dataclass
class _Transfer:
    """The progress of one push, pull or snapshot. Only a long transfer (more than one
    batch) is reported, to the terminal and on the link for the Status page, so the
    continuous trickle of small edits never flashes a progress bar."""

    phase: str
    long: bool = False
    done: int = 0
    #: 0 while not known (a long pull: the online node does not say how much waits).
    total: int = 0
    finished: bool = False

    def advance(self, rows: int, *, finished: bool) -> None:
        self.done += rows
        self.finished = finished
        # Edits made meanwhile can outgrow the count taken at the start; and a finished
        # transfer is complete, whatever the count said.
        if finished:
            self.total = self.done
        elif self.total:
            self.total = max(self.total, self.done)

    def link_fields(self) -> dict[str, Any]:
        if not self.long:
            return {}
        return {
            "progress_phase": "" if self.finished else self.phase,
            "progress_done": self.done,
            "progress_total": self.total,
            "progress_at": timezone.now(),
        }

    def set_on(self, link: SyncLink) -> list[str]:
        """Put the progress on a link about to be saved; the names of the fields set."""
        fields = self.link_fields()
        for name, value in fields.items():
            setattr(link, name, value)
        return list(fields)

    def wire(self) -> dict[str, Any]:
        return {
            "phase": "" if self.finished else self.phase,
            "done": self.done,
            "total": self.total,
        }


class Agent:
    def __init__(
        self,
        link: SyncLink,
        *,
        client: httpx.Client | None = None,
        progress: Progress | None = None,
        overlap: bool = True,
    ) -> None:
        self.link_id = link.id
        self.company = link.company
        self.base = link.remote_url.rstrip("/") + "/api/v1/sync"
        self.client = client or httpx.Client(timeout=httpx.Timeout(10.0, read=60.0))
        self.client.headers.update(
            {"Authorization": f"Bearer {link.credential}", "Accept-Encoding": "gzip"}
        )
        self.progress = progress or (lambda _phase, _done, _total: None)
        #: Send a push batch from a second thread while the next one is read. Off where the
        #: online node runs in this process on this thread's connections (tests).
        self.overlap = overlap
        self.stopping = threading.Event()
        #: The online copy is empty (the handshake says so): a first sync may go as a seed.
        self.seed_offered = False
        #: A seed that failed on the way is not tried again by this agent: the batches are
        #: resumable, a seed is not.
        self.seed_failed = False

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
        return _answer(response)

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
        self.seed_offered = bool(answer.get("seed"))
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
                    actor=change.actor,
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
        """Every office change after the push cursor, in batches. The next batch is read
        while the online node applies the current one (one request in flight, so batches
        still arrive in order); the cursor moves only when a batch is acknowledged."""
        transfer = _Transfer("push")
        try:
            return self._push(result, transfer)
        finally:
            self._end(transfer)

    def _push(self, result: ExchangeResult, transfer: _Transfer) -> int:
        sent = 0
        engine.stamp()
        link = self._link()
        cursor = link.push_cursor
        # Counted once, when the transfer starts (one indexed count): the real total.
        pending = SyncChange.objects.filter(company_id=link.company_id, seq__gt=cursor).count()
        if pending > BATCH_ROWS:
            self._start(transfer, total=pending)
        first = cursor == 0 and self.seed_offered and not self.seed_failed
        if first and pending >= seed.SEED_MIN_ROWS:
            cursor = self._seed(result, transfer) or cursor
        elif not self.seed_offered:
            # A file kept for a seed the online node no longer wants (applied before this
            # agent heard so, or overtaken by the batches) is of no more use.
            SeedUpload.forget(link)
        batch = engine.collect(company=link.company, after=cursor, limit=BATCH_ROWS)
        sender: Executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-send")
            if self.overlap
            else _Inline()
        )
        with sender:
            while batch.upto != cursor and not self.stopping.is_set():
                payload: dict[str, Any] = {
                    "exchange_id": str(result.exchange_id),
                    "after": cursor,
                    "upto": batch.upto,
                    "agent_time": timezone.now().isoformat(),
                    "rows": batch.rows,
                }
                if transfer.long:
                    # The changes this batch covers: an indexed range of one batch.
                    covered = SyncChange.objects.filter(
                        company_id=link.company_id, seq__gt=cursor, seq__lte=batch.upto
                    ).count()
                    transfer.advance(covered, finished=not batch.more)
                    # The online node shows it on its Status page too.
                    payload["progress"] = transfer.wire()
                request = sender.submit(self._call, "POST", "/push", payload, None, result)
                following = None
                if batch.more:
                    engine.stamp()
                    following = engine.collect(
                        company=link.company, after=batch.upto, limit=BATCH_ROWS
                    )
                answer = request.result()
                SyncLink.objects.filter(id=link.id).update(
                    push_cursor=batch.upto, **transfer.link_fields()
                )
                cursor = batch.upto
                result.sent.update(batch.counts)
                result.applied_online.update(answer.get("applied") or {})
                result.conflicts += int(answer.get("conflicts") or 0)
                sent += len(batch.rows)
                self._report(transfer)
                if following is None:
                    break
                batch = following
        return sent
        return sent

    def _seed(self, result: ExchangeResult, transfer: _Transfer) -> int | None:
        """The first sync of a large company as one file (seed.py); the push cursor it
        covers, or None when the batches must do it.

        The file is written once and kept until the online node has applied it; it goes in
        parts, so an agent restarted after a cut line or a kill sends only what the online
        node does not have yet (`SeedUpload`)."""
        link = self._link()
        upload = SeedUpload.load(link) or SeedUpload.build(link)
        if upload is None:
            return None
        try:
            answer = self._send_seed(upload, result, transfer)
        except SyncError as error:
            if error.status in {409, 422}:
                upload.discard()
            if error.status == 409:
                return None  # someone wrote online meanwhile: the batches merge it
            if error.status == 422:
                # Refused: a fault of ours, not the data's. The batches still work.
                self.seed_failed = True
                result.warnings.append(f"The first sync could not go as one file: {error}")
                return None
            raise  # the line: the next exchange goes on from what arrived
        upload.discard()
        built = upload
        remaining = SyncChange.objects.filter(
            company_id=link.company_id, seq__gt=built.upto
        ).exists()
        if transfer.long:
            transfer.done = 0
            transfer.advance(built.rows, finished=not remaining)
        SyncLink.objects.filter(id=link.id).update(push_cursor=built.upto, **transfer.link_fields())
        self._report(transfer)
        result.sent.update(built.counts)
        result.applied_online.update(answer.get("applied") or {})
        return built.upto

    def _send_seed(
        self, upload: SeedUpload, result: ExchangeResult, transfer: _Transfer
    ) -> dict[str, Any]:
        """The parts the online node lacks, then the request to apply the whole."""
        path = f"/seed/{upload.sha256}"
        rows = {"X-Sync-Rows": str(upload.rows)}
        received = int(self._call("GET", path, result=result)["received"])
        size = upload.packed.stat().st_size
        with upload.packed.open("rb") as stream:
            while received < size and not self.stopping.is_set():
                stream.seek(received)
                part = stream.read(SEED_PART)
                headers = {**rows, "X-Sync-Offset": str(received), "X-Sync-Total": str(size)}
                received = int(self._send_raw("PUT", path, part, headers, result)["received"])
                if transfer.long and transfer.total:
                    # Applying is the last bit.
                    transfer.done = int(transfer.total * received / size * 0.99)
                    self._report(transfer)
        if received < size:
            raise SyncError("Stopped while sending the first sync; it goes on from here.")
        # Checking and applying millions of rows takes a while.
        return self._send_raw("POST", path, b"", rows, result, read_timeout=3600.0)

    def _send_raw(
        self,
        method: str,
        path: str,
        body: bytes,
        headers: dict[str, str],
        result: ExchangeResult,
        *,
        read_timeout: float = 60.0,
    ) -> Any:
        try:
            response = self.client.request(
                method,
                self.base + path,
                content=body,
                headers={**headers, "Content-Type": "application/octet-stream"},
                timeout=httpx.Timeout(30.0, read=read_timeout),
            )
        except httpx.HTTPError as error:
            raise SyncError(f"The online node did not answer: {error}") from error
        result.bytes_sent += len(body)
        result.bytes_received += len(response.content)
        return _answer(response)

    def pull(self, result: ExchangeResult, *, wait: float = 0) -> int:
        transfer = _Transfer("pull")
        try:
            return self._pull(result, transfer, wait=wait)
        finally:
            self._end(transfer)

    def _pull(self, result: ExchangeResult, transfer: _Transfer, *, wait: float) -> int:
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
            more = bool(answer.get("more"))
            # More than one batch is a long transfer; how long, the online node does not say.
            transfer.long = transfer.long or more
            if transfer.long:
                transfer.advance(len(rows), finished=not more)
            with transaction.atomic():
                locked = (
                    SyncLink.objects.select_for_update().select_related("company").get(id=link.id)
                )
                applied = engine.apply(link=locked, rows=rows, side=Side.OFFICE)
                # The cursor commits with the rows it covers: exactly once in effect.
                locked.pull_cursor = upto
                locked.save(update_fields=["pull_cursor", *transfer.set_on(locked)])
            result.received.update(applied.received)
            result.applied.update(applied.applied)
            received += len(rows)
            self._report(transfer)
            wait = 0
            if not more:
                return received
        return received

    def pull_snapshot(self, result: ExchangeResult) -> int:
        """Every online row of the company, page by page; each page commits with its
        position, so a cut snapshot resumes where it stopped. Then the change feed continues
        from the watermark taken when the snapshot began."""
        transfer = _Transfer("snapshot")
        try:
            return self._pull_snapshot(result, transfer)
        finally:
            self._end(transfer)

    def _pull_snapshot(self, result: ExchangeResult, transfer: _Transfer) -> int:
        received = 0
        counted = False
        while not self.stopping.is_set():
            link = self._link()
            if link.snapshot_done:
                return received
            params: dict[str, Any] = {"position": link.snapshot_position, "limit": BATCH_ROWS}
            if not counted:
                # The first page of this run also says how large the snapshot is and how
                # much of it an earlier, cut run already brought.
                params["count"] = "true"
            answer = self._call("GET", "/snapshot", params=params, result=result)
            rows = answer.get("rows") or []
            position = str(answer.get("position") or "")
            if not counted:
                counted = True
                total, before = int(answer.get("total") or 0), int(answer.get("done") or 0)
                if total - before > BATCH_ROWS:
                    transfer.long, transfer.done, transfer.total = True, before, total
            if transfer.long:
                transfer.advance(len(rows), finished=not position)
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
                locked.save(
                    update_fields=[
                        "snapshot_position",
                        "snapshot_done",
                        "pull_cursor",
                        *transfer.set_on(locked),
                    ]
                )
            result.received.update(applied.received)
            result.applied.update(applied.applied)
            received += len(rows)
            self._report(transfer)
        return received

    # --- Progress of long transfers ----------------------------------------------------------

    def _start(self, transfer: _Transfer, *, total: int) -> None:
        transfer.long, transfer.total = True, total
        SyncLink.objects.filter(id=self.link_id).update(**transfer.link_fields())
        self._report(transfer)

    def _report(self, transfer: _Transfer) -> None:
        if transfer.long:
            self.progress(transfer.phase, transfer.done, transfer.total)

    def _end(self, transfer: _Transfer) -> None:
        """A transfer cut by an error or a stop clears its progress, so the Status page does
        not show it as running. (A killed agent cannot: its progress goes stale instead.)"""
        if not transfer.long or transfer.finished:
            return
        try:
            SyncLink.objects.filter(id=self.link_id, progress_phase=transfer.phase).update(
                progress_phase="", progress_at=timezone.now()
            )
        except DatabaseError as error:  # never hide the error that ended the transfer
            log.warning("Could not clear the transfer progress: %s", error)

    def exchange(self) -> ExchangeResult:
        """Handshake, push everything, pull everything; record the session on both nodes."""
        result = ExchangeResult(exchange_id=uuid.uuid4())
        link = self._link()
        history.sessions_interrupted(company=link.company)
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


class _Inline(Executor):
    """An executor that runs each call at once, in the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller by future.result()
            future.set_exception(error)
        return future


def _answer(response: httpx.Response) -> Any:
    """The online node's answer, or a SyncError saying what it refused and whether a retry
    can help (a revoked credential or an incompatible version cannot)."""
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = None
        raise SyncError(
            f"{response.status_code}: {detail or response.reason_phrase}",
            permanent=response.status_code in {401, 403, 409, 410, 422},
            status=response.status_code,
        )
    try:
        return decode(response.content, compressed=False)
    except ValueError as error:
        raise SyncError(f"The online node sent a broken answer: {error}") from error


def _gzip(source: Path, target: Path, chunk: int = 1024 * 1024) -> str:
    """Compress a file as it is read (level 1: most of the gain, a fraction of the time);
    the SHA-256 of what was written, in hex."""
    deflate = zlib.compressobj(1, zlib.DEFLATED, 31)
    digest = hashlib.sha256()
    with source.open("rb") as read, target.open("wb") as write:
        while data := read.read(chunk):
            packed = deflate.compress(data)
            digest.update(packed)
            write.write(packed)
        packed = deflate.flush()
        digest.update(packed)
        write.write(packed)
    return digest.hexdigest()


#: The size of one part of a seed upload (the online node takes up to 4 MiB).
SEED_PART = 2 * 1024 * 1024


@dataclass
class SeedUpload:
    """A seed file written for a link and kept, compressed, in the data directory until the
    online node has applied it, with what it covers beside it: the agent's next start sends
    the same file on rather than writing and sending a new one from the start. The changes
    made after it was written follow it by the change feed, as they would anyway."""

    packed: Path
    sha256: str
    upto: int
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @staticmethod
    def _paths(link: SyncLink) -> tuple[Path, Path]:
        folder = Path(settings.DATA_DIR) / "sync-seed"
        return folder / f"{link.id}.sqlite3.gz", folder / f"{link.id}.json"

    @classmethod
    def load(cls, link: SyncLink) -> SeedUpload | None:
        packed, about = cls._paths(link)
        try:
            facts = json.loads(about.read_text())
            if not packed.exists() or facts["generation"] != link.generation:
                return None
            return cls(packed, str(facts["sha256"]), int(facts["upto"]), dict(facts["counts"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @classmethod
    def build(cls, link: SyncLink) -> SeedUpload | None:
        packed, about = cls._paths(link)
        packed.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="skrivbord-seed-", dir=packed.parent) as tmp:
            built = seed.build(link.company, Path(tmp) / "seed.sqlite3")
            if built is None or built.rows < seed.SEED_MIN_ROWS:
                return None
            sha256 = _gzip(built.path, packed)
        upload = cls(packed, sha256, built.upto, built.counts)
        about.write_text(
            json.dumps(
                {
                    "generation": link.generation,
                    "sha256": sha256,
                    "upto": built.upto,
                    "counts": built.counts,
                }
            )
        )
        return upload

    def discard(self) -> None:
        self.packed.unlink(missing_ok=True)
        self.packed.with_suffix("").with_suffix(".json").unlink(missing_ok=True)

    @classmethod
    def forget(cls, link: SyncLink) -> None:
        for path in cls._paths(link):
            path.unlink(missing_ok=True)


def run_once(link: SyncLink, **kwargs: Any) -> ExchangeResult:
    return Agent(link, **kwargs).exchange()


__all__ = ["Agent", "ExchangeResult", "SyncError", "run_once"]
