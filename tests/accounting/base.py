"""The accounting tests' base: books are written on the office node.

The test database is an online node (SKRIVBORD_NODE's default), where the books are
read-only: its capture triggers refuse every write but the sync's. Tests that import books
make the database an office node for their duration: the setting is overridden and the
triggers reinstalled inside the test's transaction, which the test rolls back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.test import override_settings

from skrivbord.sync import capture
from tests.sync.base import SyncTestCase


@contextmanager
def node_is(node: str, *aliases: str) -> Iterator[None]:
    """This process acts as `node`, and the databases' triggers follow (rolled back with the
    test's transaction)."""
    with override_settings(NODE=node):
        for alias in aliases or ("default",):
            capture.install(alias, node=node)
            if connections[alias].vendor == "postgresql":
                # The reinstalled commit-order trigger starts deferred again (see SyncTestCase).
                with connections[alias].cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS sync_stamp_commit_seq IMMEDIATE")
        yield


class BooksTestCase(SyncTestCase):
    """The cast of tests/base.py on an office node."""

    node = "office"

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(node_is(self.node))
