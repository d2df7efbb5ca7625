from django.db import connections

from tests.base import BaseTestCase


class SyncTestCase(BaseTestCase):
    """On PostgreSQL the commit sequence is stamped at COMMIT, which a TestCase (one
    transaction, rolled back) never reaches; stamp immediately there. The real commit-time
    behaviour has its own test with concurrent writers (test_commit_order.py)."""

    def setUp(self) -> None:
        super().setUp()
        for alias in self.databases:
            if connections[alias].vendor == "postgresql":
                with connections[alias].cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS sync_stamp_commit_seq IMMEDIATE")
