"""Fixtures for the pytest-style accounting tests (the parametrized runs over real files)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from skrivbord.core import services
from skrivbord.core.models import Company, Role, User
from tests.accounting.base import node_is


@pytest.fixture
def office(db: None) -> Iterator[None]:
    """This process is an office node, whose books may be imported (rolled back after)."""
    with node_is("office"), translation.override("en"):
        yield


@pytest.fixture
def company(db: None) -> Company:
    return services.company_create(name="Acme AB", org_number="556036-0793")


@pytest.fixture
def alice(company: Company) -> User:
    user = services.user_create(
        email="alice@acme.se", password="x" * 20, full_name="Alice", check_password=False
    )
    user.language = "en"
    user.save(update_fields=["language"])
    services.membership_set(user=user, company=company, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    return client
