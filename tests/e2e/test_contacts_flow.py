"""The contacts screens in a real browser, as a user goes through them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Response, expect

from skrivbord.contacts import services as contact_services
from skrivbord.core import services
from skrivbord.core.access import company_access
from skrivbord.core.models import Company, Role, User
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def _member(email: str, company: Company, role: str, language: str = "sv") -> User:
    user = services.user_create(
        email=email,
        password=PASSWORD,
        full_name=email.split("@")[0].title(),
        language=language,
        check_password=False,
    )
    services.membership_set(user=user, company=company, role=role)
    return user


def _log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()


def _watch_static_files(page: Page) -> list[str]:
    """Static files (stylesheet, htmx) that failed to load, as "status URL"."""
    broken: list[str] = []

    def check(response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            broken.append(f"{response.status} {response.url}")

    page.on("response", check)
    return broken


def test_a_user_creates_finds_and_reads_a_contact_in_both_languages(page: Page) -> None:
    acme = services.company_create(name="Acme AB", org_number="556036-0793")
    alice = _member("alice@acme.se", acme, Role.ADMINISTRATOR)
    # Another contact, so the search has something to leave out.
    contact_services.contact_create(access=company_access(alice, acme.id), name="Umbra Handel AB")
    contacts_url = f"/c/{acme.id}/contacts/"
    broken_static_files = _watch_static_files(page)

    _log_in(page, "alice@acme.se")
    expect(page).to_have_url(re.compile(rf"/c/{acme.id}/$"))
    # The pages are styled and htmx runs: the static files are served.
    page.wait_for_load_state("load")
    assert broken_static_files == []
    assert page.evaluate("typeof window.htmx") == "object"

    page.locator("nav.menu").get_by_role("link", name="Kontakter").click()
    expect(page).to_have_url(re.compile(rf"{contacts_url}$"))
    page.locator(f'main a[href="{contacts_url}new/"]').first.click()
    expect(page).to_have_url(re.compile(rf"{contacts_url}new/$"))

    # A mistyped organisation number is refused with an explanation in Swedish.
    page.locator("#id_name").fill("Sörens Snickeri AB")
    page.locator("#id_org_number").fill("556036-0794")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_org_number_error")).to_contain_text(
        "inte ett giltigt svenskt organisationsnummer"
    )
    expect(page.locator("#id_name")).to_have_value("Sörens Snickeri AB")

    page.locator("#id_org_number").fill("556036-0793")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"{contacts_url}[0-9a-f-]{{36}}/$"))
    expect(page.locator("main")).to_contain_text("Sörens Snickeri AB")
    expect(page.locator("main")).to_contain_text("556036-0793")

    page.locator("nav.menu").get_by_role("link", name="Kontakter").click()
    page.locator("input[name=q]").fill("snickeri")
    page.locator("input[name=q]").press("Enter")
    results = page.locator("#contact-results")
    expect(results).to_contain_text("Sörens Snickeri AB")
    expect(results).not_to_contain_text("Umbra Handel AB")

    page.locator("details.user-menu summary").click()
    page.locator("details.user-menu").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.menu").get_by_role("link", name="Contacts")).to_be_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "contacts-flow.png", full_page=True)
    assert broken_static_files == []


def test_it_keeps_login_errors_generic_and_other_companies_contacts_hidden(page: Page) -> None:
    acme = services.company_create(name="Acme AB", org_number="556036-0793")
    alice = _member("alice@acme.se", acme, Role.ADMINISTRATOR)
    contact = contact_services.contact_create(
        access=company_access(alice, acme.id), name="Hemlig Kund AB"
    )
    umbrella = services.company_create(name="Umbrella AB", org_number="556677-8899")
    _member("charlie@umbrella.se", umbrella, Role.ADMINISTRATOR, language="en")

    # The same message whether the address exists or not: nothing to learn by guessing.
    alert = page.locator("main [role=alert]")
    _log_in(page, "alice@acme.se", "wrong password")
    expect(alert).to_have_text("Fel e-postadress eller lösenord.")
    _log_in(page, "nobody@acme.se", "wrong password")
    expect(alert).to_have_text("Fel e-postadress eller lösenord.")
    page.locator("form.language-switch").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _log_in(page, "alice@acme.se", "wrong password")
    expect(alert).to_have_text("Wrong e-mail or password.")

    _log_in(page, "charlie@umbrella.se")
    expect(page).to_have_url(re.compile(rf"/c/{umbrella.id}/$"))
    for url in (f"/c/{acme.id}/contacts/", f"/c/{acme.id}/contacts/{contact.id}/"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404, url
        expect(page.locator("main")).to_contain_text("The page was not found")
        expect(page.locator("body")).not_to_contain_text("Hemlig Kund AB")
        expect(page.locator("body")).not_to_contain_text("Acme AB")
