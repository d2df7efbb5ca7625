"""The sync engine's own tables: the change log, per-row version state, the node's identity,
company links with their cursors, credentials, sessions (history), conflicts, parked rows.

None of these are business rows and none of them are synchronised themselves.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skrivbord.core.ids import new_id
from skrivbord.core.models import Company


class SyncChange(models.Model):
    """One captured write, inserted by a database trigger on a synchronised table.

    `seq` is the commit order: on SQLite (one writer) it equals `id`; on PostgreSQL a deferred
    constraint trigger stamps it at commit under an advisory lock, so a reader polling
    `seq > cursor` never skips a row that committed late (DESIGN.md §3, first trap).
    """

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(null=True, db_index=True)
    company_id = models.UUIDField(db_index=True)
    entity = models.CharField(max_length=100)
    row_id = models.UUIDField()
    #: "u" insert or update, "d" delete, "r" a resend of a merged row (conflict outcomes).
    op = models.CharField(max_length=1)
    #: Comma-separated changed columns; "*" for an insert.
    fields = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    #: Who made the write (a user's e-mail for the web UI, the admin and the API, or
    #: "cli:<command>"), as the capture trigger found it on the connection (actor.py); ""
    #: when unknown.
    actor = models.CharField(max_length=254, blank=True, default="", db_default="")

    class Meta:
        indexes = [models.Index(fields=["company_id", "seq"], name="sync_change_company_seq")]

    def __str__(self) -> str:
        return f"{self.entity} {self.row_id} {self.op} #{self.seq}"


class SyncApplying(models.Model):
    """A marker row that exists only inside the sync engine's own apply transactions.

    Capture triggers skip logging while it is visible, so changes received from the other
    node are not echoed back to it. It is inserted and deleted in the same transaction,
    so no other connection ever sees it.
    """

    id = models.BigAutoField(primary_key=True)

    def __str__(self) -> str:
        return "applying"


class SyncRow(models.Model):
    """Version state of one synchronised row: per field a two-entry version vector.

    `versions` maps field -> [office version, online version, hlc]: the newest office edit
    and the newest online edit this value incorporates (the idea of Microsoft Sync
    Framework's knowledge), and the hybrid logical clock of the edit that made it, followed by
    who made it when that is known (see actor.py). The pseudo-field "_deleted" carries
    deletes (tombstones) the same way.
    """

    id = models.BigAutoField(primary_key=True)
    entity = models.CharField(max_length=100)
    row_id = models.UUIDField()
    company_id = models.UUIDField()
    versions = models.JSONField(default=dict)
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "row_id"], name="sync_row_entity_row"),
        ]
        indexes = [models.Index(fields=["company_id", "entity"], name="sync_row_company")]

    def __str__(self) -> str:
        return f"{self.entity} {self.row_id}"


class SyncNode(models.Model):
    """This database's identity as a sync node (a single row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    node_id = models.UUIDField(default=new_id)
    #: Made when the database is created; exchanged in the handshake with the generation,
    #: so a restored backup (an older generation) is detected and reconciled.
    epoch = models.UUIDField(default=new_id)
    hlc = models.BigIntegerField(default=0)
    #: Local changes up to this seq are folded into SyncRow versions.
    stamp_cursor = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"node {self.node_id}"


class Policy(models.TextChoices):
    OFFICE_WINS = "office-wins", _("Office wins")
    ONLINE_WINS = "online-wins", _("Online wins")
    NEWEST_WINS = "newest-wins", _("Newest wins")
    ASK = "ask", _("Ask a person")


class SyncLink(models.Model):
    """The connection of a local company to its counterpart on the other node.

    On the office node: the online URL, the credential and the cursors of this agent. On the
    online node: the office's acknowledged push position and what the agent has pulled.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="sync_link")
    remote_company_id = models.UUIDField()
    remote_url = models.URLField(blank=True)
    #: Office node only: the credential for the online node's sync API (a secret; stored as
    #: given because the agent must send it).
    credential = models.CharField(max_length=100, blank=True)
    policy = models.CharField(max_length=20, choices=Policy.choices, default=Policy.OFFICE_WINS)
    #: Office: highest local seq the online node acknowledged. Online: highest office seq
    #: applied (the idempotence guard for repeated batches).
    push_cursor = models.BigIntegerField(default=0)
    #: Office: highest online seq applied locally. Online: highest seq served and acknowledged.
    pull_cursor = models.BigIntegerField(default=0)
    #: Generation of the last successful exchange; both nodes keep it (restore detection).
    generation = models.BigIntegerField(default=0)
    remote_epoch = models.UUIDField(null=True, blank=True)
    #: Initial snapshot progress: "entity:last row id" while a snapshot is under way.
    snapshot_position = models.CharField(max_length=200, blank=True)
    snapshot_done = models.BooleanField(default=False)
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    clock_skew_seconds = models.FloatField(default=0)
    #: Office node: the running agent's lease (one agent per company at a time).
    agent_id = models.UUIDField(null=True, blank=True)
    agent_heartbeat = models.DateTimeField(null=True, blank=True)
    #: Progress of a long transfer (the first sync): phase ("push", "snapshot", "pull" or ""
    #: when none runs), rows done and rows in all, and when it was last reported. Kept on
    #: both nodes, so both Status pages can show it.
    progress_phase = models.CharField(max_length=20, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    progress_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.company_id} <-> {self.remote_company_id}"


class SyncConflict(models.Model):
    class Status(models.TextChoices):
        RESOLVED = "resolved", _("Resolved by policy")
        OPEN = "open", _("Waiting for a person")
        DECIDED = "decided", _("Decided by a person")
        REVERSED = "reversed", _("Reversed")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=100)
    row_id = models.UUIDField()
    field = models.CharField(max_length=100)
    office_value = models.JSONField(null=True)
    online_value = models.JSONField(null=True)
    office_changed_at = models.DateTimeField(null=True)
    online_changed_at = models.DateTimeField(null=True)
    #: Who made each side's edit, where known (see SyncChange.actor).
    office_by = models.CharField(max_length=254, blank=True, default="")
    online_by = models.CharField(max_length=254, blank=True, default="")
    policy = models.CharField(max_length=20, choices=Policy.choices)
    winner = models.CharField(max_length=10, blank=True)  # "office" / "online" / ""
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "status"], name="sync_conflict_open")]

    def __str__(self) -> str:
        return f"{self.entity}.{self.field} {self.row_id} ({self.status})"


class SyncParked(models.Model):
    """A received row whose parent has not arrived yet; retried after every batch."""

    id = models.BigAutoField(primary_key=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=100)
    row_id = models.UUIDField()
    payload = models.JSONField()
    parked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "row_id"], name="sync_parked_entity_row"),
        ]

    def __str__(self) -> str:
        return f"parked {self.entity} {self.row_id}"


class PairingToken(models.Model):
    """Online node: a single-use, expiring token an administrator hands to the office."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"pairing token for {self.company_id}"


class SyncCredential(models.Model):
    """Online node: the company-scoped secret the office's agent authenticates with.

    Stored as a SHA-256 of a 256-bit random secret (as API tokens are); revocable."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    office_node_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sync credential {self.prefix}… for {self.company_id}"


class SyncSession(models.Model):
    """One sync session (an exchange), recorded on both nodes: the sync history."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCESS = "success", _("Succeeded")
        PARTIAL = "partial", _("Partly done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    #: The same id on both nodes for one exchange (the agent makes it).
    exchange_id = models.UUIDField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    #: {"contacts.contact": {"sent": n, "received": n, "applied": n}, ...}
    counts = models.JSONField(default=dict)
    bytes_sent = models.BigIntegerField(default=0)
    bytes_received = models.BigIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["company", "started_at"], name="sync_session_company")]

    def __str__(self) -> str:
        return f"sync session {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
