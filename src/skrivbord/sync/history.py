"""The sync history (Synkroniseringshistorik): one SyncSession per exchange, on both nodes.

The engine records a session with two calls:

    session = history.session_begin(company=company, exchange_id=exchange_id)
    ...  # the exchange
    history.session_end(
        session,
        outcome="success",  # or "partial" / "failed"
        counts={"contacts.contact": {"sent": 3, "received": 1, "applied": 1}},
        bytes_sent=1234,
        bytes_received=567,
        conflicts=0,
        errors=["The online desktop refused the credential (401)."],
    )

"sent" and "received" are from this node's point of view: on the office node "sent" is
office → online, on the online node it is online → office. Sessions and settled conflicts
older than settings.SYNC_HISTORY_DAYS are removed by `prune_history()`, which `session_end`
runs at most once an hour; `skrivbord sync_prune` runs it at once.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import Company
from skrivbord.sync.models import SyncConflict, SyncSession

Outcome = SyncSession.Outcome
#: Outcomes a finished session can have.
FINAL_OUTCOMES = frozenset({Outcome.SUCCESS, Outcome.PARTIAL, Outcome.FAILED})
#: Conflicts that nobody needs to act on any more; they are pruned with the sessions.
SETTLED_CONFLICTS = (
    SyncConflict.Status.RESOLVED,
    SyncConflict.Status.DECIDED,
    SyncConflict.Status.REVERSED,
)
PRUNE_INTERVAL_SECONDS = 3600

# Process-local: pruning is idempotent, so a few processes pruning in the same hour is fine.
_last_prune: float | None = None


# --- Services ---------------------------------------------------------------------------------


def session_begin(
    *, company: Company, exchange_id: uuid.UUID | None = None, started_at: dt.datetime | None = None
) -> SyncSession:
    """Record the start of an exchange; the session shows as "running" until `session_end`."""
    return SyncSession.objects.create(
        company=company,
        exchange_id=exchange_id,
        started_at=started_at or timezone.now(),
        outcome=Outcome.RUNNING,
    )


def sessions_interrupted(*, company: Company) -> int:
    """Close the sessions an agent left "running" when it was killed or its computer shut
    down (only one agent runs per company, so a new exchange means the old one is gone)."""
    return SyncSession.objects.filter(company=company, outcome=Outcome.RUNNING).update(
        outcome=Outcome.FAILED,
        ended_at=timezone.now(),
        errors=["The agent stopped before this exchange ended (killed or shut down)."],
    )


def session_end(
    session: SyncSession,
    *,
    outcome: str,
    counts: Mapping[str, Mapping[str, int]],
    bytes_sent: int,
    bytes_received: int,
    conflicts: int,
    errors: Sequence[str | Mapping[str, Any]],
    ended_at: dt.datetime | None = None,
) -> SyncSession:
    """Record how an exchange ended. `counts` maps an entity label ("contacts.contact") to
    {"sent": n, "received": n, "applied": n}; `errors` are messages a person can read (a
    mapping with a "message" key is accepted too)."""
    if outcome not in FINAL_OUTCOMES:
        raise ValueError(f"A session ends with one of {sorted(FINAL_OUTCOMES)}, not {outcome!r}.")
    session.outcome = outcome
    session.ended_at = ended_at or timezone.now()
    session.counts = {
        entity: {key: int(value) for key, value in entity_counts.items()}
        for entity, entity_counts in counts.items()
    }
    session.bytes_sent = int(bytes_sent)
    session.bytes_received = int(bytes_received)
    session.conflicts = int(conflicts)
    session.errors = [error if isinstance(error, str) else dict(error) for error in errors]
    session.save(
        update_fields=[
            "outcome",
            "ended_at",
            "counts",
            "bytes_sent",
            "bytes_received",
            "conflicts",
            "errors",
        ]
    )
    _prune_if_due()
    return session


def history_cutoff(now: dt.datetime | None = None) -> dt.datetime | None:
    """Entries older than this are removed; None when retention is switched off (0 days)."""
    days = settings.SYNC_HISTORY_DAYS
    if days <= 0:
        return None
    return (now or timezone.now()) - dt.timedelta(days=days)


def prune_history(now: dt.datetime | None = None) -> int:
    """Delete sessions and settled conflicts older than SYNC_HISTORY_DAYS, in all companies.

    Returns how many entries were deleted. Open conflicts are kept whatever their age: they
    wait for a person."""
    global _last_prune
    _last_prune = time.monotonic()
    cutoff = history_cutoff(now)
    if cutoff is None:
        return 0
    with transaction.atomic():
        sessions, _details = SyncSession.objects.filter(started_at__lt=cutoff).delete()
        conflicts, _details = SyncConflict.objects.filter(
            created_at__lt=cutoff, status__in=SETTLED_CONFLICTS
        ).delete()
    return sessions + conflicts


def _prune_if_due() -> None:
    if _last_prune is None or time.monotonic() - _last_prune >= PRUNE_INTERVAL_SECONDS:
        prune_history()


# --- Selectors --------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the installation's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def company_session_list(
    *,
    company: Company,
    since: dt.date | None = None,
    until: dt.date | None = None,
    outcome: str | None = None,
) -> QuerySet[SyncSession]:
    """A company's sessions, newest first, for trusted callers (the CLI). `since` and `until`
    are days in the installation's time zone, both included."""
    sessions = SyncSession.objects.filter(company=company)
    if since is not None:
        sessions = sessions.filter(started_at__gte=_day_start(since))
    if until is not None:
        sessions = sessions.filter(started_at__lt=_day_start(until + dt.timedelta(days=1)))
    if outcome:
        sessions = sessions.filter(outcome=outcome)
    return sessions.order_by("-started_at", "-id")


def session_list(
    *,
    access: CompanyAccess,
    since: dt.date | None = None,
    until: dt.date | None = None,
    outcome: str | None = None,
) -> QuerySet[SyncSession]:
    """The sessions of the company the user has access to; every member may read them."""
    access.require("sync", "view")
    return company_session_list(company=access.company, since=since, until=until, outcome=outcome)


# --- Presentation helpers (shared by the web page and the CLI) ----------------------------


@dataclass(frozen=True)
class EntityCounts:
    label: str  # "contacts.contact"
    name: str  # the model's verbose name (plural), translated
    sent: int
    received: int
    applied: int


def entity_name(label: str, *, plural: bool = True) -> str:
    """The translated verbose name of a synchronised model, or its label if it is unknown."""
    try:
        meta = apps.get_model(label)._meta
    except (LookupError, ValueError):
        return label
    return str(meta.verbose_name_plural if plural else meta.verbose_name)


def entity_counts(session: SyncSession) -> list[EntityCounts]:
    rows = []
    for label, counts in sorted((session.counts or {}).items()):
        counts = counts if isinstance(counts, dict) else {}
        rows.append(
            EntityCounts(
                label=label,
                name=entity_name(label),
                sent=int(counts.get("sent", 0)),
                received=int(counts.get("received", 0)),
                applied=int(counts.get("applied", 0)),
            )
        )
    return rows


def error_messages(session: SyncSession) -> list[str]:
    messages = []
    for error in session.errors or []:
        if isinstance(error, dict):
            messages.append(str(error.get("message") or error))
        else:
            messages.append(str(error))
    return messages


def duration_seconds(session: SyncSession) -> float | None:
    if session.ended_at is None:
        return None
    return max((session.ended_at - session.started_at).total_seconds(), 0.0)


def format_duration(seconds: float | None) -> str:
    """A short duration a person reads at a glance: "0,4 s", "12 s", "3 min 5 s", "2 h 5 min"."""
    if seconds is None:
        return ""
    if seconds < 10:
        return _("%(seconds)s s") % {"seconds": number_format(seconds, 1)}
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)s s") % {"seconds": secs}


@dataclass(frozen=True)
class SessionRow:
    """A session with what its page or table shows, worked out once."""

    session: SyncSession
    entities: list[EntityCounts]
    errors: list[str]
    duration: str

    @property
    def sent(self) -> int:
        return sum(entity.sent for entity in self.entities)

    @property
    def received(self) -> int:
        return sum(entity.received for entity in self.entities)


def session_rows(sessions: Sequence[SyncSession]) -> list[SessionRow]:
    return [
        SessionRow(
            session=session,
            entities=entity_counts(session),
            errors=error_messages(session),
            duration=format_duration(duration_seconds(session)),
        )
        for session in sessions
    ]
