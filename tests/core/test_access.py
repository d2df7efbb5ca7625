import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from skrivbord.core.access import company_access
from tests.base import BaseTestCase


class CompanyAccessTests(BaseTestCase):
    def test_it_gives_members_access(self) -> None:
        access = company_access(self.bob, self.acme.id, module="contacts", write=True)
        self.assertEqual(access.company, self.acme)

    def test_it_hides_other_companies(self) -> None:
        with self.assertRaises(Http404):
            company_access(self.charlie, self.acme.id)

    def test_it_hides_unknown_and_malformed_ids(self) -> None:
        with self.assertRaises(Http404):
            company_access(self.alice, uuid.uuid4())
        with self.assertRaises(Http404):
            company_access(self.alice, "nonsense")

    def test_it_lets_read_only_members_read_but_not_write(self) -> None:
        access = company_access(self.rita, self.acme.id, module="contacts")
        self.assertTrue(access.has("contacts", "view"))
        self.assertFalse(access.can_write("contacts"))
        with self.assertRaises(PermissionDenied):
            company_access(self.rita, self.acme.id, module="contacts", write=True)

    def test_it_refuses_inactive_users(self) -> None:
        self.bob.is_active = False
        with self.assertRaises(Http404):
            company_access(self.bob, self.acme.id)

    def test_it_refuses_unknown_permissions(self) -> None:
        access = self.access(self.alice)
        self.assertFalse(access.has("contacts", "launch-rockets"))
        self.assertFalse(access.has("status", "change"))
