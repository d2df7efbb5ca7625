"""The fixed cast of every test (the healthchecks shape).

Alice is the administrator of Acme AB, Bob is her colleague (a user), Rita reads Acme's data
but may not change it, and Charlie is the administrator of another company, Umbrella AB, and
must see nothing of Acme's.
"""

from __future__ import annotations

from django.test import TestCase

from skrivbord.core import services
from skrivbord.core.access import CompanyAccess, company_access
from skrivbord.core.models import Company, Role, User

PASSWORD = "correct horse battery staple"


class BaseTestCase(TestCase):
    acme: Company
    umbrella: Company
    alice: User
    bob: User
    rita: User
    charlie: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.acme = services.company_create(
            name="Acme AB",
            org_number="556036-0793",
            email="info@acme.se",
            phone="08-123 45 67",
            address="Storgatan 1, 111 22 Stockholm",
        )
        cls.umbrella = services.company_create(name="Umbrella AB", org_number="556677-8899")
        cls.alice = cls._user("alice@acme.se", "Alice Andersson", cls.acme, Role.ADMINISTRATOR)
        cls.bob = cls._user("bob@acme.se", "Bob Berg", cls.acme, Role.USER)
        cls.rita = cls._user("rita@acme.se", "Rita Read", cls.acme, Role.READ_ONLY)
        cls.charlie = cls._user(
            "charlie@umbrella.se", "Charlie Carlsson", cls.umbrella, Role.ADMINISTRATOR
        )

    @classmethod
    def _user(cls, email: str, name: str, company: Company, role: str) -> User:
        user = services.user_create(
            email=email, password=PASSWORD, full_name=name, check_password=False
        )
        services.membership_set(user=user, company=company, role=role)
        user.refresh_from_db()
        return user

    def access(self, user: User, company: Company | None = None) -> CompanyAccess:
        return company_access(user, (company or self.acme).id)

    def login(self, user: User) -> None:
        self.client.force_login(user)
