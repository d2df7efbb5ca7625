"""Availability in the activity form, in a real browser: check who is busy, let "find next
free slot" fill in the times, and save."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import Page, expect

from skrivbord.activities import selectors, services
from skrivbord.activities.models import Activity
from skrivbord.core import services as core_services
from skrivbord.core.access import company_access
from skrivbord.core.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
MONDAY = dt.date(2030, 12, 2)


def test_find_next_free_slot_fills_in_the_times_and_the_activity_is_saved(page: Page) -> None:
    acme = core_services.company_create(name="Acme AB", org_number="556036-0793")
    users = {}
    for email, name, role in (
        ("alice@acme.se", "Alice Andersson", Role.ADMINISTRATOR),
        ("bob@acme.se", "Bob Berg", Role.USER),
    ):
        # In English: the Swedish texts of this screen reach the catalogue at the merge.
        users[email] = core_services.user_create(
            email=email, password=PASSWORD, full_name=name, language="en", check_password=False
        )
        core_services.membership_set(user=users[email], company=acme, role=role)
    bob = company_access(users["bob@acme.se"], acme.id)
    meeting = selectors.activity_type_by_key(access=bob, key="meeting")
    services.activity_create(
        access=bob,
        type=meeting,
        subject="Bobs kundmöte",
        start=dt.datetime.combine(MONDAY, dt.time(8), STOCKHOLM),
        end=dt.datetime.combine(MONDAY, dt.time(10), STOCKHOLM),
    )

    page.goto("/login/")
    page.locator("input[name=username]").fill("alice@acme.se")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"/c/{acme.id}/activities/new/")
    page.get_by_label("Subject").fill("Planering med Bob")
    page.locator("#id_start").fill(f"{MONDAY}T08:00")
    page.locator("#id_end").fill(f"{MONDAY}T09:00")
    page.locator("#id_employees").select_option("bob@acme.se")

    page.get_by_role("button", name="Check availability").click()
    result = page.locator("#availability-result")
    expect(result).to_contain_text("Bob Berg")
    expect(result).to_contain_text("08:00–10:00 Bobs kundmöte")  # noqa: RUF001
    expect(result).to_contain_text("10:00–17:00")  # noqa: RUF001

    page.get_by_label("All day").check()  # a slot has times: it unticks this
    page.get_by_role("button", name="Find next free slot").click()
    expect(page.locator("#availability-result")).to_contain_text("Next free slot")
    expect(page.locator("#id_start")).to_have_value(f"{MONDAY}T10:00")
    expect(page.locator("#id_end")).to_have_value(f"{MONDAY}T11:00")
    expect(page.get_by_label("All day")).not_to_be_checked()

    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Planering med Bob")
    saved = Activity.objects.get(subject="Planering med Bob")
    assert saved.start == dt.datetime.combine(MONDAY, dt.time(10), STOCKHOLM)
