"""One agent per company: a lease on the SyncLink row, claimed with a conditional UPDATE
(no lock files, works the same on SQLite and PostgreSQL) and renewed by a heartbeat."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from skrivbord.sync.models import SyncLink

#: How long a silent agent keeps its claim (a killed agent's lease lapses after this).
LEASE_SECONDS = int(getattr(settings, "SYNC_AGENT_LEASE_SECONDS", 30))


class AgentAlreadyRunning(Exception):
    pass


def claim(link: SyncLink, agent_id: uuid.UUID) -> None:
    now = timezone.now()
    expired = now - dt.timedelta(seconds=LEASE_SECONDS)
    claimed = (
        SyncLink.objects.filter(id=link.id)
        .filter(Q(agent_id__isnull=True) | Q(agent_id=agent_id) | Q(agent_heartbeat__lt=expired))
        .update(agent_id=agent_id, agent_heartbeat=now)
    )
    if not claimed:
        holder = SyncLink.objects.get(id=link.id)
        raise AgentAlreadyRunning(
            f"Another sync agent is already running for {link.company.name} (last sign of "
            f"life {holder.agent_heartbeat:%Y-%m-%d %H:%M:%S}). Only one may run at a time; "
            f"stop the other one, or wait {LEASE_SECONDS} seconds if it was killed."
        )


def renew(link: SyncLink, agent_id: uuid.UUID) -> bool:
    return bool(
        SyncLink.objects.filter(id=link.id, agent_id=agent_id).update(
            agent_heartbeat=timezone.now()
        )
    )


def release(link: SyncLink, agent_id: uuid.UUID) -> None:
    SyncLink.objects.filter(id=link.id, agent_id=agent_id).update(
        agent_id=None, agent_heartbeat=None
    )
