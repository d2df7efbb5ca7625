from django.db import connections
from django.utils import translation

from skrivbord.core.models import Language
from tests.base import BaseTestCase


class SyncTestCase(BaseTestCase):
    """The base of the sync tests.

    Messages are checked in English: the cast's users, anonymous requests (pairing) and
    calls outside a request all use English here, so the Swedish catalog can grow without
    breaking assertions. Swedish output has its own tests.

    On PostgreSQL the commit sequence is stamped at COMMIT, which a TestCase (one
    transaction, rolled back) never reaches; stamp immediately there. The real commit-time
    behaviour has its own test with concurrent writers (test_commit_order.py).
    """

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for user in (cls.alice, cls.bob, cls.rita, cls.charlie):
            user.language = Language.ENGLISH
            user.save(update_fields=["language"])

    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.enterContext(translation.override("en"))
        for alias in self.databases:
            if connections[alias].vendor == "postgresql":
                with connections[alias].cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS sync_stamp_commit_seq IMMEDIATE")
