"""Sync health for the Status page: is the agent there, when did a sync last succeed, what
is waiting in each direction, open conflicts and the clock-skew warning.

Pending changes come from the cursors. A node knows its own change log only, so it can count
what it has not yet handed over and nothing of what the other node holds back:

* office node: office changes not yet sent = local changes with seq > push_cursor (the
  highest one the online node acknowledged); online changes not yet received: unknown.
* online node: changes waiting for the office = local changes with seq > pull_cursor (the
  highest one the agent has pulled and acknowledged); office changes not yet sent: unknown.

A long transfer (the first sync, a snapshot, a long backlog) shows its progress, which the
agent keeps on the link of both nodes as it goes (see agent.py and api.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext

from skrivbord.core import registry
from skrivbord.core.access import CompanyAccess
from skrivbord.sync.conflicts import open_conflict_count
from skrivbord.sync.models import SyncChange, SyncLink

AGENT_ONLINE_WITHIN = dt.timedelta(minutes=2)
CLOCK_SKEW_WARNING_SECONDS = 120
#: Counting stops here: "10 000 or more" is all a person needs, and it keeps the page fast
#: while a long backlog waits (an office that was offline for weeks).
PENDING_COUNT_LIMIT = 10_000
#: A progress not reported for this long is ignored: the agent was killed or lost its
#: connection mid-transfer (it reports after every batch, every few seconds).
PROGRESS_STALE_AFTER = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class TransferProgress:
    """A long transfer under way, as the Status page shows it."""

    #: "push" (office -> online), "snapshot" (online -> office, every row) or "pull".
    phase: str
    done: int
    #: 0 when not known (a long pull).
    total: int
    #: Where the page is served: decides whether this node sends or receives.
    node: str
    #: No exchange has succeeded yet: this is the first sync.
    first_sync: bool
    #: What is being transferred, e.g. "contacts and contact persons".
    what: str

    @property
    def sending(self) -> bool:
        return (self.phase == "push") == (self.node == "office")

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        # Rounded down: 100 % only when everything has arrived.
        return min(100, self.done * 100 // self.total)


@dataclass(frozen=True)
class SyncHealth:
    node: str  # "office" or "online": where this page is served
    connected: bool
    connected_at: dt.datetime | None = None
    agent_online: bool = False
    last_seen_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    #: Changes made on the office not yet received online; None when not known here.
    pending_to_online: int | None = None
    #: Changes made online not yet received by the office; None when not known here.
    pending_to_office: int | None = None
    open_conflicts: int = 0
    clock_skew_seconds: float = 0.0
    policy: str = ""
    policy_label: str = ""
    #: A long transfer under way, or None.
    progress: TransferProgress | None = None

    @property
    def clock_skew_warning(self) -> bool:
        return abs(self.clock_skew_seconds) > CLOCK_SKEW_WARNING_SECONDS

    @property
    def clock_skew_minutes(self) -> int:
        return round(abs(self.clock_skew_seconds) / 60)

    @property
    def pending_limit(self) -> int:
        return PENDING_COUNT_LIMIT


def _pending(company_id: uuid.UUID, cursor: int) -> int:
    """Local changes after `cursor`, counted up to PENDING_COUNT_LIMIT (one indexed query)."""
    changes = SyncChange.objects.filter(company_id=company_id, seq__gt=cursor)
    return changes.values("id")[:PENDING_COUNT_LIMIT].count()


def _synced_things() -> str:
    """The synchronised data in words: "contacts, contact persons and accounting" (a module
    with many models, such as the books, by its own name)."""
    names: list[str] = []
    for module in registry.all_modules():
        if len(module.synced_models) > 2:
            names.append(str(module.name).lower())
            continue
        names += [
            str(apps.get_model(synced.label)._meta.verbose_name_plural)
            for synced in module.synced_models
        ]
    return str(get_text_list(names, gettext("and")))


def _progress(link: SyncLink, node: str, now: dt.datetime) -> TransferProgress | None:
    if not link.progress_phase or link.progress_at is None:
        return None
    if now - link.progress_at > PROGRESS_STALE_AFTER:
        return None
    return TransferProgress(
        phase=link.progress_phase,
        done=link.progress_done,
        total=link.progress_total,
        node=node,
        first_sync=link.last_success_at is None,
        what=_synced_things(),
    )


def sync_health(*, access: CompanyAccess, now: dt.datetime | None = None) -> SyncHealth:
    """The company's sync health as this node sees it. Any member may read it."""
    access.require("sync", "view")
    node = settings.NODE
    link = SyncLink.objects.filter(company=access.company).first()
    if link is None:
        return SyncHealth(node=node, connected=False)
    now = now or timezone.now()
    if node == "office":
        pending_to_online: int | None = _pending(access.company.id, link.push_cursor)
        pending_to_office: int | None = None
    else:
        pending_to_online = None
        pending_to_office = _pending(access.company.id, link.pull_cursor)
    return SyncHealth(
        node=node,
        connected=True,
        connected_at=link.connected_at,
        agent_online=link.last_seen_at is not None
        and now - link.last_seen_at <= AGENT_ONLINE_WITHIN,
        last_seen_at=link.last_seen_at,
        last_success_at=link.last_success_at,
        pending_to_online=pending_to_online,
        pending_to_office=pending_to_office,
        open_conflicts=open_conflict_count(access=access),
        clock_skew_seconds=link.clock_skew_seconds,
        policy=link.policy,
        policy_label=str(link.get_policy_display()),
        progress=_progress(link, node, now),
    )
