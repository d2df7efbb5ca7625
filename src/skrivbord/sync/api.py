"""The sync protocol under /api/v1/sync/ (the online node's side of it).

* `POST /pair` and `POST /disconnect` — pairing (api_pairing.py).
* `POST /handshake` — schema version, clocks, epochs and generations are compared.
* `POST /push` — a batch of office rows, applied with per-field merge; the office's cursor is
  committed in the same transaction, so a repeated batch changes nothing.
* `POST /seed` — the first sync of a large company in one SQLite file (seed.py), applied by
  SQL when the online copy is still empty.
* `GET /pull?after=N&wait=S` — online rows changed after N, long-polling up to S seconds.
* `POST /session` — the agent's record of an exchange, for the history on this node.

Every call but pairing authenticates with the company-scoped sync credential; the company is
taken from the credential, never from the request. Bodies are gzip-compressed JSON.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from ninja import Router
from ninja.errors import HttpError

from skrivbord.core import registry
from skrivbord.sync import engine, history, seed, signals
from skrivbord.sync.api_pairing import router as pairing_router
from skrivbord.sync.auth import SYNC_CREDENTIAL
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncChange, SyncCredential, SyncLink, SyncRow, SyncSession
from skrivbord.sync.protocol import (
    MAX_SEED_COMPRESSED,
    MAX_SEED_DECOMPRESSED,
    SCHEMA_VERSION,
    SKEW_REFUSE_SECONDS,
    SKEW_WARN_SECONDS,
    ProtocolError,
    check_rows,
    decode,
    encode,
)

router = Router(tags=["sync"])
router.add_router("", pairing_router)

MAX_WAIT_SECONDS = 25
POLL_INTERVAL_SECONDS = 0.1


def _reply(request: HttpRequest, payload: Any, status: int = 200) -> HttpResponse:
    body = encode(payload)
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    return response


def _body(request: HttpRequest) -> Any:
    try:
        return decode(
            request.body, compressed=request.headers.get("Content-Encoding", "") == "gzip"
        )
    except ProtocolError as error:
        raise HttpError(400, str(error)) from error


def _link(request: HttpRequest) -> SyncLink:
    credential: SyncCredential = request.auth  # type: ignore[attr-defined]
    link = SyncLink.objects.select_related("company").filter(company=credential.company).first()
    if link is None:
        raise HttpError(409, "The company is not connected; connect it with a pairing token.")
    return link


@router.post(
    "/handshake",
    auth=SYNC_CREDENTIAL,
    summary="Start an exchange: compare versions, clocks and database generations",
    description="Body (gzip JSON): {schema_version, office_node_id, office_epoch, generation, "
    "agent_time}. Answers {schema_version, server_time, online_node_id, online_epoch, "
    "generation, push_cursor, clock_skew_seconds, restored}.",
)
def handshake(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if not isinstance(body, dict):
        raise HttpError(400, "The handshake must be a JSON object.")
    theirs = body.get("schema_version")
    if theirs != SCHEMA_VERSION:
        newer = (
            "online node"
            if isinstance(theirs, int) and theirs > SCHEMA_VERSION
            else ("office node")
        )
        raise HttpError(
            409,
            f"Incompatible sync versions: the office speaks {theirs}, the online node "
            f"{SCHEMA_VERSION}. Upgrade the {newer} to the same skrivbord version.",
        )
    agent_time = parse_datetime(str(body.get("agent_time") or ""))
    now = timezone.now()
    skew = (agent_time - now).total_seconds() if agent_time else 0.0
    with transaction.atomic():
        link = SyncLink.objects.select_for_update().get(id=_link(request).id)
        generation = int(body.get("generation") or 0)
        # An office that comes back with an older generation than we saw was restored from a
        # backup: it must re-baseline instead of silently skipping what it lost.
        restored = generation < link.generation
        link.last_seen_at = now
        link.clock_skew_seconds = skew
        link.remote_epoch = _uuid(body.get("office_epoch")) or link.remote_epoch
        link.save()
    current = engine.node()
    return _reply(
        request,
        {
            "schema_version": SCHEMA_VERSION,
            "server_time": now.isoformat(),
            "online_node_id": str(current.node_id),
            "online_epoch": str(current.epoch),
            "generation": link.generation,
            "push_cursor": link.push_cursor,
            # Only a restored office needs it, and it reads every row's versions.
            "max_office_version": _max_office_version(link) if restored else 0,
            "clock_skew_seconds": skew,
            "clock_warning": abs(skew) > SKEW_WARN_SECONDS,
            "push_refused": abs(skew) > SKEW_REFUSE_SECONDS,
            "restored": restored,
            # The online copy is empty: the office may send everything as one seed file.
            "seed": seed.is_empty(link) and seed.seedable(),
        },
    )


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _max_office_version(link: SyncLink) -> int:
    """The highest office version this node has seen: a restored office continues above it,
    so its new edits are never mistaken for ones already known."""
    highest = 0
    for row in (
        SyncRow.objects.filter(company_id=link.company_id)
        .values_list("versions", flat=True)
        .iterator(chunk_size=2000)
    ):
        for version in row.values():
            highest = max(highest, int(version[0]))
    return highest


@router.post(
    "/push",
    auth=SYNC_CREDENTIAL,
    summary="Send a batch of office rows",
    description="Body (gzip JSON): {exchange_id, after, upto, agent_time, rows: [{entity, id, "
    "deleted, values, versions}], progress}. Applied atomically with per-field merge; answers "
    "{push_cursor, applied, conflicts, parked}. progress is optional: during a long transfer "
    'the agent sends {phase: "push" ("" when this batch is the last), done, total} '
    "(changes sent, this batch included, and changes in all), which this node shows on its "
    "Status page.",
)
def push(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if not isinstance(body, dict):
        raise HttpError(400, "A batch must be a JSON object.")
    try:
        rows = check_rows(body.get("rows"))
        upto = int(body.get("upto") or 0)
        progress = _progress(body.get("progress"))
    except (ProtocolError, TypeError, ValueError) as error:
        raise HttpError(400, str(error)) from error
    agent_time = parse_datetime(str(body.get("agent_time") or ""))
    if agent_time and abs((agent_time - timezone.now()).total_seconds()) > SKEW_REFUSE_SECONDS:
        raise HttpError(
            409,
            "The office computer's clock is more than an hour off; correct it before syncing.",
        )
    try:
        with transaction.atomic():
            link = (
                SyncLink.objects.select_for_update()
                .select_related("company")
                .get(id=_link(request).id)
            )
            result = engine.apply(link=link, rows=rows, side=Side.ONLINE)
            link.push_cursor = max(link.push_cursor, upto)
            link.last_seen_at = timezone.now()
            fields = ["push_cursor", "last_seen_at"]
            if progress is not None:
                phase, done, total = progress
                # The last batch ends the transfer: nothing is shown as running after it.
                link.progress_phase = phase if done < total else ""
                link.progress_done, link.progress_total = done, total
                link.progress_at = link.last_seen_at
                fields += ["progress_phase", "progress_done", "progress_total", "progress_at"]
            link.save(update_fields=fields)
    except (KeyError, LookupError) as error:
        raise HttpError(422, f"Unknown entity in the batch: {error}.") from error
    except PermissionError as error:
        raise HttpError(403, "The batch names a record of another company.") from error
    except (IntegrityError, ValueError, TypeError) as error:
        raise HttpError(422, f"The batch could not be applied: {error}") from error
    signals.batch_applied.send_robust(
        sender=push,
        company=link.company,
        entities={entity for entity, count in result.applied.items() if count},
        last=progress is None or not link.progress_phase,
    )
    return _reply(
        request,
        {
            "push_cursor": link.push_cursor,
            "applied": dict(result.applied),
            "received": dict(result.received),
            "conflicts": len(result.conflicts),
            "parked": result.parked,
        },
    )


SEED_CHUNK = 1024 * 1024


@router.post(
    "/seed",
    auth=SYNC_CREDENTIAL,
    summary="Send a first sync in bulk: every office row of the company in one SQLite file",
    description="Body: the SQLite file the agent writes (seed.py), gzip-compressed "
    "(Content-Encoding: gzip) or not. Only while the online copy of the company is empty "
    "(the handshake says seed: true); 409 otherwise. The file is checked through and "
    "through (schema, types, lengths, references, versions) and applied atomically, or "
    "refused with 422 naming the table, row and field. Header X-Sync-Rows (optional): the "
    "rows in the file, for the progress on the Status page. Answers (gzip JSON) "
    "{push_cursor, applied}.",
)
def seed_upload(request: HttpRequest) -> HttpResponse:
    link = _link(request)
    return _seed_from(
        request,
        link,
        request.read,
        compressed=request.headers.get("Content-Encoding", "") == "gzip",
        length=int(request.headers.get("Content-Length") or 0),
    )


def _seed_from(
    request: HttpRequest,
    link: SyncLink,
    read: Callable[[int], bytes],
    *,
    compressed: bool,
    length: int,
) -> HttpResponse:
    """Receive a seed file from `read` (decompressing it as it comes), check it and apply it."""
    if not seed.is_empty(link):
        raise HttpError(409, "The online copy is not empty: a seed is only for a first sync.")
    folder = getattr(settings, "DATA_DIR", None)
    rows = int(request.headers.get("X-Sync-Rows") or 0)
    with tempfile.TemporaryDirectory(prefix="skrivbord-seed-", dir=folder) as tmp:
        path = Path(tmp) / "seed.sqlite3"
        _receive_seed(read, link, path, compressed=compressed, length=length, rows=rows)
        try:
            applied = seed.apply(link.id, path)
        except seed.NotEmpty as error:
            raise HttpError(409, str(error)) from error
        except seed.SeedError as error:
            raise HttpError(422, str(error)) from error
        except IntegrityError as error:
            raise HttpError(
                422, f"The seed file could not be applied (a record exists already): {error}"
            ) from error
    SyncLink.objects.filter(id=link.id).update(
        progress_phase="",
        progress_done=sum(applied.counts.values()),
        progress_total=sum(applied.counts.values()),
        progress_at=timezone.now(),
    )
    # A seed is a whole transfer: the domain apps hear of it as of a last batch.
    signals.batch_applied.send_robust(
        sender=_seed_from,
        company=link.company,
        entities={entity for entity, count in applied.counts.items() if count},
        last=True,
    )
    return _reply(request, {"push_cursor": applied.upto, "applied": applied.counts})


# --- A seed in parts: an upload that survives a cut line or a restarted agent --------------

#: The largest part of a seed upload (below DATA_UPLOAD_MAX_MEMORY_SIZE's default).
SEED_PART_MAX = 4 * 1024 * 1024
_UPLOAD_ID = re.compile(r"[0-9a-f]{64}")


def _upload_path(link: SyncLink, upload_id: str) -> Path:
    """Where the parts received so far are kept: one file per company link and upload (the
    SHA-256 of the whole compressed file), in the data directory."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise HttpError(400, "The upload id must be the SHA-256 of the file, in hex.")
    folder = Path(settings.DATA_DIR) / "sync-seed-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{link.id}-{upload_id}.part"


@router.get(
    "/seed/{upload_id}",
    auth=SYNC_CREDENTIAL,
    summary="How much of a seed upload the online node has",
    description="Answers (gzip JSON) {received}: the bytes of the upload (named by the "
    "SHA-256 of the compressed file) kept so far; the agent sends the rest.",
)
def seed_received(request: HttpRequest, upload_id: str) -> HttpResponse:
    path = _upload_path(_link(request), upload_id)
    return _reply(request, {"received": path.stat().st_size if path.exists() else 0})


@router.put(
    "/seed/{upload_id}",
    auth=SYNC_CREDENTIAL,
    summary="Send the next part of a seed upload",
    description="Body: the next bytes of the compressed seed file (at most 4 MiB). Header "
    "X-Sync-Offset: where they begin, which must be what the online node has (409 "
    "otherwise: ask with GET and go on from there); X-Sync-Total: the file's size. "
    "Answers (gzip JSON) {received}.",
)
def seed_part(request: HttpRequest, upload_id: str) -> HttpResponse:
    link = _link(request)
    if not seed.is_empty(link):
        raise HttpError(409, "The online copy is not empty: a seed is only for a first sync.")
    path = _upload_path(link, upload_id)
    try:
        offset = int(request.headers.get("X-Sync-Offset") or "")
        total = int(request.headers.get("X-Sync-Total") or "")
    except ValueError as error:
        raise HttpError(400, "X-Sync-Offset and X-Sync-Total must be numbers.") from error
    if total > MAX_SEED_COMPRESSED:
        raise HttpError(413, "The seed file is too large.")
    # An upload of another file for this company is abandoned: its parts go.
    for stale in path.parent.glob(f"{link.id}-*.part"):
        if stale != path:
            stale.unlink(missing_ok=True)
    have = path.stat().st_size if path.exists() else 0
    if offset != have:
        raise HttpError(409, f"The upload continues at byte {have}, not {offset}.")
    part = request.read(SEED_PART_MAX + 1)
    if len(part) > SEED_PART_MAX or have + len(part) > total:
        raise HttpError(413, "The part is too large.")
    with path.open("ab") as out:
        out.write(part)
    received = have + len(part)
    rows = int(request.headers.get("X-Sync-Rows") or 0)
    if rows and total:
        SyncLink.objects.filter(id=link.id).update(
            progress_phase="push",
            progress_done=rows * received // total,
            progress_total=rows,
            progress_at=timezone.now(),
        )
    return _reply(request, {"received": received})


@router.post(
    "/seed/{upload_id}",
    auth=SYNC_CREDENTIAL,
    summary="Apply a seed upload once all its parts are in",
    description="Checks that the parts make the file the upload id names (its SHA-256), then "
    "checks and applies it as POST /seed does, with the same answers. Header X-Sync-Rows "
    "(optional): the rows in the file. A file that does not match is dropped (422): send "
    "it again.",
)
def seed_commit(request: HttpRequest, upload_id: str) -> HttpResponse:
    link = _link(request)
    path = _upload_path(link, upload_id)
    if not path.exists():
        raise HttpError(409, "Nothing of this upload has arrived: send its parts first.")
    digest = hashlib.sha256()
    with path.open("rb") as parts:
        while chunk := parts.read(SEED_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != upload_id:
        path.unlink(missing_ok=True)
        raise HttpError(422, "The parts received do not make the file announced: send it again.")
    try:
        with path.open("rb") as parts:
            return _seed_from(
                request, link, parts.read, compressed=True, length=path.stat().st_size
            )
    finally:
        # Applied or refused, the file is done with; a cut gzip or a bad file is sent anew.
        path.unlink(missing_ok=True)


def _receive_seed(
    read: Callable[[int], bytes],
    link: SyncLink,
    path: Path,
    *,
    compressed: bool,
    length: int,
    rows: int,
) -> None:
    """The body to a file, decompressed as it streams in, within the size limits; the
    progress on the Status page as it comes (estimated from the bytes)."""
    inflate = zlib.decompressobj(wbits=31) if compressed else None
    links = SyncLink.objects.filter(id=link.id)
    received = written = reported = 0
    with path.open("wb") as out:
        while chunk := read(SEED_CHUNK):
            received += len(chunk)
            if received > MAX_SEED_COMPRESSED:
                raise HttpError(413, "The seed file is too large.")
            if inflate is not None:
                try:
                    chunk = inflate.decompress(chunk, MAX_SEED_DECOMPRESSED - written + 1)
                except zlib.error as error:
                    raise HttpError(400, "The seed file is not valid gzip.") from error
            written += len(chunk)
            if written > MAX_SEED_DECOMPRESSED:
                raise HttpError(413, "The seed file is too large once decompressed.")
            out.write(chunk)
            if rows and length and received - reported > 16 * SEED_CHUNK:
                reported = received
                links.update(
                    progress_phase="push",
                    progress_done=rows * received // length,
                    progress_total=rows,
                    progress_at=timezone.now(),
                )
    if inflate is not None and not inflate.eof:
        raise HttpError(400, "The seed file was cut (incomplete gzip).")


def _progress(value: Any) -> tuple[str, int, int] | None:
    """The optional progress of a push: (phase, done, total), or None when not sent."""
    if value is None:
        return None
    numbers = [value.get("done"), value.get("total")] if isinstance(value, dict) else [None]
    if not (
        isinstance(value, dict)
        and value.get("phase") in {"push", ""}
        and all(type(number) is int and number >= 0 for number in numbers)
    ):
        raise ProtocolError('progress must be {"phase": "push" or "", "done": n, "total": n}.')
    return str(value["phase"]), int(value["done"]), int(value["total"])


@router.get(
    "/pull",
    auth=SYNC_CREDENTIAL,
    summary="Fetch online rows changed after a cursor (long poll)",
    description="Query: after (the last online seq the office applied), limit, wait (seconds "
    "to hold the request open when nothing has changed, at most 25). Answers (gzip JSON) "
    "{rows, upto, more}.",
)
def pull(request: HttpRequest, after: int = 0, limit: int = 500, wait: float = 0) -> HttpResponse:
    link = _link(request)
    limit = max(1, min(limit, 2000))
    deadline = time.monotonic() + max(0.0, min(wait, MAX_WAIT_SECONDS))
    SyncLink.objects.filter(id=link.id).update(
        pull_cursor=max(after, 0), last_seen_at=timezone.now()
    )
    while True:
        engine.stamp()
        batch = engine.collect(company=link.company, after=after, limit=limit)
        if batch.rows or batch.upto != after or time.monotonic() >= deadline:
            break
        # Nothing yet: wait for a local change without holding a transaction open.
        while (
            time.monotonic() < deadline
            and not SyncChange.objects.filter(company_id=link.company_id, seq__gt=after).exists()
        ):
            time.sleep(POLL_INTERVAL_SECONDS)
    return _reply(request, {"rows": batch.rows, "upto": batch.upto, "more": batch.more})


@router.get(
    "/snapshot",
    auth=SYNC_CREDENTIAL,
    summary="Fetch every row of the company, a page at a time (after a restore)",
    description="Query: position (from the previous page; empty to start), limit, count. "
    "Answers (gzip JSON) {rows, position, watermark, total, done}; position is empty on the "
    "last page, and the change feed continues from watermark. The first page (empty "
    "position), and any page asked with count=true, also answers total (the rows of the "
    "whole snapshot) and done (the rows before position), so a resumed snapshot knows how "
    "far it is.",
)
def snapshot(
    request: HttpRequest, position: str = "", limit: int = 500, count: bool = False
) -> HttpResponse:
    link = _link(request)
    limit = max(1, min(limit, 2000))
    engine.stamp()
    try:
        page = engine.snapshot_page(company=link.company, position=position, limit=limit)
    except ValueError as error:
        raise HttpError(400, "Unknown snapshot position.") from error
    answer: dict[str, Any] = {
        "rows": page.rows,
        "position": page.position,
        "watermark": page.watermark,
    }
    if count or not position:
        answer["total"], answer["done"] = _snapshot_size(link, position)
    _snapshot_progress(link, answer, limit)
    return _reply(request, answer)


def _snapshot_size(link: SyncLink, position: str) -> tuple[int, int]:
    """Rows in the company's snapshot, and how many of them come before `position`
    (snapshot_page's order: entities in registry order, then row id). Two indexed counts."""
    labels = [synced.label for synced in registry.synced_models()]
    rows = SyncRow.objects.filter(company_id=link.company_id)
    per_entity = dict(
        rows.filter(entity__in=labels).values_list("entity").annotate(n=Count("id")).order_by()
    )
    total = sum(per_entity.values())
    entity, _sep, after = position.partition("|")
    if entity not in labels:
        return total, 0
    before = sum(per_entity.get(label, 0) for label in labels[: labels.index(entity)])
    if after:
        before += rows.filter(entity=entity, row_id__lte=uuid.UUID(after)).count()
    return total, before


def _snapshot_progress(link: SyncLink, answer: dict[str, Any], limit: int) -> None:
    """This node serves the snapshot, so it knows its progress: shown on its Status page
    while a snapshot longer than a page runs (one UPDATE per page, only then)."""
    served = len(answer["rows"])
    finished = not answer["position"]
    links = SyncLink.objects.filter(id=link.id)
    if "total" in answer:
        long = answer["total"] - answer["done"] > limit
        if long or link.progress_phase == "snapshot":
            links.update(
                progress_phase="snapshot" if long and not finished else "",
                progress_done=answer["done"] + served,
                progress_total=answer["total"],
                progress_at=timezone.now(),
            )
    elif link.progress_phase == "snapshot":
        links.update(
            progress_phase="" if finished else "snapshot",
            progress_done=F("progress_done") + served,
            progress_at=timezone.now(),
        )


@router.post(
    "/session",
    auth=SYNC_CREDENTIAL,
    summary="Record an exchange in this node's sync history",
    description="Body (gzip JSON): {exchange_id, started_at, ended_at, outcome, counts, "
    "bytes_sent, bytes_received, conflicts, errors} as seen by the agent.",
)
def session(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if not isinstance(body, dict):
        raise HttpError(400, "A session must be a JSON object.")
    link = _link(request)
    outcome = str(body.get("outcome") or "")
    if outcome not in {"success", "partial", "failed"}:
        raise HttpError(422, "outcome must be success, partial or failed.")
    started = parse_datetime(str(body.get("started_at") or "")) or timezone.now()
    exchange_id = _uuid(body.get("exchange_id"))
    # A report delivered twice (a retried request) updates its session instead of adding one.
    record = (
        SyncSession.objects.filter(company=link.company, exchange_id=exchange_id).first()
        if exchange_id
        else None
    ) or history.session_begin(company=link.company, exchange_id=exchange_id, started_at=started)
    # The agent's "sent" is what this node received, and the other way round.
    counts = {
        entity: {
            "sent": c.get("received", 0),
            "received": c.get("sent", 0),
            "applied": c.get("applied_online", 0),
        }
        for entity, c in (body.get("counts") or {}).items()
        if isinstance(c, dict)
    }
    history.session_end(
        record,
        outcome=outcome,
        counts=counts,
        bytes_sent=int(body.get("bytes_received") or 0),
        bytes_received=int(body.get("bytes_sent") or 0),
        conflicts=int(body.get("conflicts") or 0),
        errors=list(body.get("errors") or []),
        ended_at=parse_datetime(str(body.get("ended_at") or "")) or timezone.now(),
    )
    if outcome == "success":
        SyncLink.objects.filter(id=link.id).update(
            last_success_at=timezone.now(), generation=int(body.get("generation") or 0)
        )
    return _reply(request, {"recorded": str(record.id)})
