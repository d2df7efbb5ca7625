"""The calendar in a real browser: plan an activity by clicking a slot of the week view, move
it by dragging, and find it at its new time in the user's subscribed feed."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import icalendar
import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from skrivbord.activities import ical
from skrivbord.activities import services as activity_services
from skrivbord.activities.models import Activity
from skrivbord.core import services
from skrivbord.core.access import company_access
from skrivbord.core.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def test_a_user_plans_by_clicking_a_slot_moves_by_dragging_and_the_feed_follows(
    page: Page, live_server: LiveServer
) -> None:
    acme = services.company_create(name="Acme AB", org_number="556036-0793")
    alice = services.user_create(
        email="alice@acme.se", password=PASSWORD, full_name="Alice", check_password=False
    )
    services.membership_set(user=alice, company=acme, role=Role.ADMINISTRATOR)
    # Next week (never a holiday-free guess about this one): Tuesday and Thursday.
    today = dt.datetime.now(STOCKHOLM).date()
    tuesday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=8)
    thursday = tuesday + dt.timedelta(days=2)

    page.goto("/login/")
    page.locator("input[name=username]").fill("alice@acme.se")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/c/{acme.id}/$"))

    # The menu's Kalender, then the next week.
    page.locator("nav.menu").get_by_role("link", name="Kalender").click()
    expect(page).to_have_url(re.compile(rf"/c/{acme.id}/activities/calendar/$"))
    page.locator("a[rel=next]").click()
    _year, week, _day = tuesday.isocalendar()
    expect(page.locator("#calendar-title")).to_contain_text(str(week))

    # Click the empty 09:00 slot of Tuesday: the form has the slot's times.
    page.locator(f'.cal-col[data-date="{tuesday}"] a.cal-slot[data-minute="540"]').click()
    expect(page.locator("#id_start")).to_have_value(f"{tuesday}T09:00")
    expect(page.locator("#id_end")).to_have_value(f"{tuesday}T09:30")
    page.locator("#id_subject").fill("Kundmöte")
    # Enter saves (the availability buttons before Save must not take it).
    page.locator("#id_subject").press("Enter")

    # Back in the week, the new activity is in Tuesday's column.
    event = page.locator(f'.cal-col[data-date="{tuesday}"] .cal-event', has_text="Kundmöte")
    expect(event).to_be_visible()
    expect(event).to_contain_text("09:00")

    # Drag it to Thursday 13:00 (grabbed near its top, dropped at the top of the slot).
    target = page.locator(f'.cal-col[data-date="{thursday}"] a.cal-slot[data-minute="780"]')
    target.scroll_into_view_if_needed()
    box = event.bounding_box()
    goal = target.bounding_box()
    assert box is not None
    assert goal is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 4)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20, steps=3)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 4, steps=10)
    with page.expect_response(re.compile(r"/move/$")) as moved:
        page.mouse.up()
    assert moved.value.status == 200
    moved_event = page.locator(f'.cal-col[data-date="{thursday}"] .cal-event', has_text="Kundmöte")
    expect(moved_event).to_contain_text("13:00–13:30")  # noqa: RUF001
    expect(page.locator(f'.cal-col[data-date="{tuesday}"] .cal-event')).to_have_count(0)

    # Stored at the new time.
    activity = Activity.objects.get(company=acme, subject="Kundmöte")
    start = dt.datetime.combine(thursday, dt.time(13), STOCKHOLM)
    assert activity.start == start
    assert activity.end == start + dt.timedelta(minutes=30)

    # A move onto a time its car is booked by another activity is refused: the event goes
    # back, the reason is shown, nothing is stored.
    access = company_access(alice, acme.id)
    car = activity_services.resource_create(access=access, name="Bilen")
    activity_services.activity_update(access=access, activity=activity, resources=[car])
    activity_services.activity_create(
        access=access,
        type=activity.type,
        subject="Leverans",
        resources=[car],
        start=dt.datetime.combine(thursday, dt.time(15), STOCKHOLM),
        end=dt.datetime.combine(thursday, dt.time(16), STOCKHOLM),
    )
    page.reload()
    moved_event = page.locator(f'.cal-col[data-date="{thursday}"] .cal-event', has_text="Kundmöte")
    box = moved_event.bounding_box()
    goal = page.locator(
        f'.cal-col[data-date="{thursday}"] a.cal-slot[data-minute="900"]'
    ).bounding_box()
    assert box is not None
    assert goal is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 4)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20, steps=3)
    page.mouse.move(box["x"] + box["width"] / 2, goal["y"] + 4, steps=10)
    with page.expect_response(re.compile(r"/move/$")) as refused:
        page.mouse.up()
    assert refused.value.status == 400
    expect(page.locator("#calendar-message")).to_contain_text("Bilen är redan bokad")
    expect(moved_event).to_contain_text("13:00–13:30")  # noqa: RUF001
    activity.refresh_from_db()
    assert activity.start == start

    # With the keyboard: Alt+arrow down moves the focused event by 15 minutes.
    moved_event.focus()
    with page.expect_response(re.compile(r"/move/$")) as by_keyboard:
        page.keyboard.press("Alt+ArrowDown")
    assert by_keyboard.value.status == 200
    expect(moved_event).to_contain_text("13:15–13:45")  # noqa: RUF001
    start += dt.timedelta(minutes=15)
    activity.refresh_from_db()
    assert activity.start == start

    # And the personal feed has it at the new time.
    feed = ical.feed_get_or_create(access=company_access(alice, acme.id))
    response = page.request.get(live_server.url + ical.feed_url(feed))
    assert response.status == 200
    parsed = icalendar.Calendar.from_ical(response.body())
    events = [item for item in parsed.walk("VEVENT") if str(item["SUMMARY"]) == "Kundmöte"]
    assert len(events) == 1
    assert events[0].decoded("DTSTART") == start
    assert events[0].decoded("DTEND") == start + dt.timedelta(minutes=30)
