"""Who is writing: the actor that change capture records with every captured write.

The code running now has an actor: a user's e-mail in a web or API request, "cli:<command>"
on the command line, "" when nobody in particular. It lives in a context variable, so
threads and requests never share it, and the capture triggers read it from the database
connection that makes the write:

* SQLite: the application function `skrivbord_actor()`, registered on every connection
  skrivbord opens. Another program writing to a synchronised table has no such function and
  fails with "no such function: skrivbord_actor" instead of logging a change by nobody (it
  can register one that names itself; see docs/sync.md).
* PostgreSQL: the session setting `skrivbord.actor`, which an execute wrapper keeps in step
  with the context variable. It is set before a statement only when the actor differs from
  what the connection holds, so a request costs one extra round trip at most.

See docs/decisions/0010-sync-actor.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

#: SyncChange.actor's length: longer names are cut rather than refused by PostgreSQL.
MAX_LENGTH = 254
SQLITE_FUNCTION = "skrivbord_actor"
POSTGRESQL_SETTING = "skrivbord.actor"

_current: ContextVar[str] = ContextVar("skrivbord_actor", default="")
#: Inside an `acting_as` block, which restores the actor however it was changed within.
_scoped: ContextVar[bool] = ContextVar("skrivbord_actor_scoped", default=False)


def current_actor() -> str:
    return _current.get()


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Writes inside this block are recorded as made by `actor` ("" for nobody)."""
    token = _current.set(actor[:MAX_LENGTH])
    scoped = _scoped.set(True)
    try:
        yield
    finally:
        _scoped.reset(scoped)
        _current.reset(token)


def act_for_rest_of_request(actor: str) -> None:
    """Change the actor until the surrounding `acting_as` block ends.

    For code that learns who is calling halfway through a request (the API's token
    authentication); ActorMiddleware's block then restores the actor when the request ends.
    Outside any block nothing would restore it, and the actor would leak into whatever
    runs next in this thread: refused.
    """
    if not _scoped.get():
        raise RuntimeError("act_for_rest_of_request() needs an acting_as() block around it.")
    _current.set(actor[:MAX_LENGTH])


# --- The database side ------------------------------------------------------------------------


def on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function(SQLITE_FUNCTION, 0, current_actor, deterministic=False)
        # Python's sqlite3 cannot mark the function innocuous, and triggers may call such a
        # function only while the schema is trusted: SQLite's default, which a build may
        # turn off.
        raw.execute("PRAGMA trusted_schema = ON")
    elif connection.vendor == "postgresql":
        # A pooled connection may come back with another request's setting: unknown.
        connection.skrivbord_actor = _SessionActor()  # type: ignore[attr-defined]
        if _keep_setting_in_step not in connection.execute_wrappers:
            # First in the list: `with connection.execute_wrapper(...)` pops the last one,
            # which must stay the one it added even when this connection opened inside it.
            connection.execute_wrappers.insert(0, _keep_setting_in_step)


class _SessionActor:
    """What a PostgreSQL connection's `skrivbord.actor` holds, as far as we know.

    `set_config` is transactional: rolling back the transaction or savepoint that changed it
    restores the old value. A value set inside a transaction is therefore trusted only while
    its marker, an on-commit callback, is still pending there (Django drops the callbacks of
    whatever it rolls back); when the marker runs, the transaction has committed it. (A test
    that captures on-commit callbacks on PostgreSQL may see the marker among them.)
    """

    def __init__(self) -> None:
        self.value: str | None = None
        self.marker: Callable[[], None] | None = None


def _pending(connection: BaseDatabaseWrapper, marker: Callable[[], None]) -> bool:
    return any(entry[1] is marker for entry in connection.run_on_commit)


def _keep_setting_in_step(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    connection = context["connection"]
    state: _SessionActor = connection.skrivbord_actor
    if state.marker is not None and not _pending(connection, state.marker):
        state.value = state.marker = None  # rolled back, or committing right now: unknown
    actor = _current.get()
    # A broken transaction refuses every statement; Django's own error says it better.
    if actor != state.value and not connection.needs_rollback:
        _set_setting(connection, actor)
        state.value = actor
        if connection.in_atomic_block:
            state.marker = _marker(connection, state)
            connection.on_commit(state.marker)
        elif not connection.get_autocommit():
            state.value = None  # a manual transaction: nothing tells when it ends
    return execute(sql, params, many, context)


def _set_setting(connection: BaseDatabaseWrapper, actor: str) -> None:
    # A cursor of its own: the statement's cursor may be a named (server-side) one.
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [POSTGRESQL_SETTING, actor])


def _marker(connection: BaseDatabaseWrapper, state: _SessionActor) -> Callable[[], None]:
    def committed() -> None:
        if state.marker is committed:
            state.marker = None
            if connection.in_atomic_block:
                state.value = None  # run early by a test's captured callbacks: not committed

    return committed
