"""Change capture by database triggers, so no write path can bypass it.

Services, the API, the CLI, imports, the admin, `QuerySet.update()`, `bulk_create()` and raw
SQL all end in the database, and the triggers installed here log every insert, update and
delete of a synchronised table into `sync_change`, with the actor of the connection that
wrote (actor.py). Writes made by the sync engine itself run with a `sync_applying` marker
row visible in their transaction, and the triggers skip them.

The trigger text is generated from the registry (core.registry.synced_models) and installed
after every `migrate`, so a field added to a synced model is captured from then on.
"""

# Trigger text is built from identifiers in our own registry, never from input; _checked()
# refuses anything that is not a plain identifier before it reaches SQL.
# ruff: noqa: S608

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections

from skrivbord.core import registry
from skrivbord.sync import actor

# Any constant: the advisory lock that serialises commit-time sequence stamping.
_STAMP_LOCK_KEY = 7_262_005_001


_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


def _checked(synced: registry.SyncedModel) -> registry.SyncedModel:
    for name in (synced.label, *synced.fields):
        if not _IDENTIFIER.match(name):
            raise ValueError(f"Not a plain identifier in a synced model: {name!r}")
    return synced


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def _name(label: str) -> str:
    return label.replace(".", "_")


def refusal(synced: registry.SyncedModel) -> str:
    """The database's own refusal of a local write to data the other node owns (the backstop
    under the access check, for writes that bypass the application's services)."""
    owner = "office" if synced.direction == registry.Direction.OFFICE_TO_ONLINE else "online"
    return (
        f"skrivbord: {synced.label} is kept on the {owner} node and changes here only "
        "through the sync"
    )


def sqlite_statements(synced: registry.SyncedModel, node: str = "") -> list[str]:
    synced = _checked(synced)
    table = _table(synced.label)
    name = _name(synced.label)
    skip = "NOT EXISTS (SELECT 1 FROM sync_syncapplying)"
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    differs = " OR ".join(f'OLD."{f}" IS NOT NEW."{f}"' for f in synced.fields)
    changed = " || ".join(
        f"""CASE WHEN OLD."{f}" IS NOT NEW."{f}" THEN '{f},' ELSE '' END""" for f in synced.fields
    )

    def log(row: str, op: str, fields: str) -> str:
        return (
            "INSERT INTO sync_syncchange "
            "(company_id, entity, row_id, op, fields, changed_at, actor) "
            f"VALUES ({row}.company_id, '{synced.label}', {row}.id, '{op}', {fields}, {now}, "
            f"{actor.SQLITE_FUNCTION}());"
        )

    drop = [
        f"DROP TRIGGER IF EXISTS sync_ins_{name}",
        f"DROP TRIGGER IF EXISTS sync_upd_{name}",
        f"DROP TRIGGER IF EXISTS sync_del_{name}",
    ]
    if registry.read_only_on(synced, node):
        refuse = f"SELECT RAISE(ABORT, '{refusal(synced)}');"
        return [
            *drop,
            *(
                f'CREATE TRIGGER sync_{short}_{name} BEFORE {op} ON "{table}" WHEN {skip} '
                f"BEGIN {refuse} END"
                for short, op in (("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE"))
            ),
        ]
    return [
        *drop,
        f'CREATE TRIGGER sync_ins_{name} AFTER INSERT ON "{table}" WHEN {skip} '
        f"BEGIN {log('NEW', 'u', chr(39) + '*' + chr(39))} END",
        f'CREATE TRIGGER sync_upd_{name} AFTER UPDATE ON "{table}" WHEN {skip} AND ({differs}) '
        f"BEGIN {log('NEW', 'u', f'rtrim({changed}, {chr(39)},{chr(39)})')} END",
        f'CREATE TRIGGER sync_del_{name} AFTER DELETE ON "{table}" WHEN {skip} '
        f"BEGIN {log('OLD', 'd', chr(39) + chr(39))} END",
    ]


def postgresql_statements(synced: registry.SyncedModel, node: str = "") -> list[str]:
    synced = _checked(synced)
    table = _table(synced.label)
    name = _name(synced.label)
    checks = "\n".join(
        f"""    IF OLD."{f}" IS DISTINCT FROM NEW."{f}" THEN changed := changed || '{f},';"""
        " END IF;"
        for f in synced.fields
    )

    # NULL until the setting was first made on the connection (a write from another program).
    who = f"coalesce(current_setting('{actor.POSTGRESQL_SETTING}', true), '')"

    def log(row: str, op: str, fields: str) -> str:
        return (
            "INSERT INTO sync_syncchange "
            "(company_id, entity, row_id, op, fields, changed_at, actor) "
            f"VALUES ({row}.company_id, '{synced.label}', {row}.id, '{op}', {fields}, "
            f"clock_timestamp(), {who});"
        )

    guard = ""
    if registry.read_only_on(synced, node):
        guard = f"""
    RAISE EXCEPTION '{refusal(synced)}' USING ERRCODE = 'insufficient_privilege';"""
    function = f"""
CREATE OR REPLACE FUNCTION sync_capture_{name}() RETURNS trigger AS $$
DECLARE
    changed text := '';
BEGIN
    IF EXISTS (SELECT 1 FROM sync_syncapplying) THEN
        RETURN NULL;
    END IF;{guard}
    IF TG_OP = 'INSERT' THEN
        {log("NEW", "u", "'*'")}
    ELSIF TG_OP = 'UPDATE' THEN
{checks}
        IF changed <> '' THEN
            {log("NEW", "u", "rtrim(changed, ',')")}
        END IF;
    ELSE
        {log("OLD", "d", "''")}
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql"""
    return [
        function,
        f'DROP TRIGGER IF EXISTS sync_capture ON "{table}"',
        f'CREATE TRIGGER sync_capture AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION sync_capture_{name}()",
    ]


POSTGRESQL_COMMIT_ORDER = [
    "CREATE SEQUENCE IF NOT EXISTS sync_change_commit_seq",
    f"""
CREATE OR REPLACE FUNCTION sync_stamp_commit_seq() RETURNS trigger AS $$
BEGIN
    -- Runs at COMMIT (deferred). The lock is held until the transaction ends, so the next
    -- committer stamps only after this one is visible: seq order is commit order.
    PERFORM pg_advisory_xact_lock({_STAMP_LOCK_KEY});
    UPDATE sync_syncchange SET seq = nextval('sync_change_commit_seq') WHERE id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS sync_stamp_commit_seq ON sync_syncchange",
    "CREATE CONSTRAINT TRIGGER sync_stamp_commit_seq AFTER INSERT ON sync_syncchange "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sync_stamp_commit_seq()",
]

SQLITE_COMMIT_ORDER = [
    # One writer at a time: insertion order is commit order, so seq is the id.
    "DROP TRIGGER IF EXISTS sync_stamp_commit_seq",
    "CREATE TRIGGER sync_stamp_commit_seq AFTER INSERT ON sync_syncchange WHEN NEW.seq IS NULL "
    "BEGIN UPDATE sync_syncchange SET seq = NEW.id WHERE id = NEW.id; END",
]


def install(using: str = "default", node: str | None = None) -> None:
    """(Re)install the triggers on a database of this node (`settings.NODE` unless given)."""
    node = node or settings.NODE
    connection = connections[using]
    if connection.vendor == "postgresql":
        statements = list(POSTGRESQL_COMMIT_ORDER)
        for synced in registry.synced_models():
            statements += postgresql_statements(synced, node)
    elif connection.vendor == "sqlite":
        statements = list(SQLITE_COMMIT_ORDER)
        for synced in registry.synced_models():
            statements += sqlite_statements(synced, node)
    else:  # pragma: no cover - settings allow only these two
        raise RuntimeError(f"Change capture does not support {connection.vendor}.")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_after_migrate(using: str = "default", **_kwargs: Any) -> None:
    install(using)
