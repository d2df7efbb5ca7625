"""How long "find next free slot" for 5 participants over a busy month takes, against plain SQL.

    uv run python bench/activities_free_slot.py [--others 10000] [--runs 30]

Seeds one company in a throwaway SQLite database (or, with DATABASE_URL=postgres://..., a
test database dropped afterwards): five people, each with eight one-hour activities every
working day for six weeks (responsible or participant, some private, some cancelled on top,
an all-day one now and then), arranged so that the five never share a free hour until the
24th working day; plus --others activities of 25 other people, so the query has to pick the
five out of a full company. Then it measures, as the median of --runs calls:

* the selector `free_slot` (the busy query and the sweep), in process;
* GET /api/v1/companies/<id>/activities/free-slot through django.test.Client (the whole
  server: routing, middleware, token, access, selector, JSON);
* the floor: the same busy rows fetched by hand-written SQL on the same connection.

Target (issue 5): at most 100 ms server time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import zoneinfo
from collections.abc import Sequence

from scratch import median_ms, run_in_scratch

ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")
PEOPLE = 5
HOURS = range(8, 17)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--others", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    return run_in_scratch(lambda: _measure(args), static=False)


def _working_days(first: dt.date, count: int) -> list[dt.date]:
    from skrivbord.activities.availability import swedish_days_off

    days_off = swedish_days_off(range(first.year, first.year + 2))
    days: list[dt.date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5 and day not in days_off:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _measure(args: argparse.Namespace) -> int:
    from django.db import connection, transaction
    from django.test import Client

    from skrivbord.activities import selectors
    from skrivbord.activities.models import Activity, ActivityType, Participant, Status
    from skrivbord.core import services
    from skrivbord.core.access import company_access
    from skrivbord.core.models import Role

    company = services.company_create(name="Benchmark AB", org_number="556036-0793")
    people = []
    for n in range(PEOPLE + 25):
        user = services.user_create(
            email=f"person{n}@example.se", password="x", check_password=False
        )
        services.membership_set(user=user, company=company, role=Role.USER)
        people.append(user)
    five = [user.email for user in people[:PEOPLE]]
    others = [user.email for user in people[PEOPLE:]]
    meeting = ActivityType.objects.get(company=company, key="meeting")
    # A Monday well ahead, so "now" is before the whole month.
    today = dt.date.today()
    start_day = today + dt.timedelta(days=7 - today.weekday() + 7)
    days = _working_days(start_day, 30)
    shared_day = 23  # the 24th working day: the first hour the five share

    rows: list[Activity] = []
    participants: list[tuple[int, str]] = []

    def add(**values: object) -> Activity:
        activity = Activity(company=company, type=meeting, subject=f"Möte {len(rows)}", **values)
        rows.append(activity)
        return activity

    # Seeded directly (bulk_create): this measures reads, not the write path's capture.
    for number, day in enumerate(days):
        for person in range(PEOPLE):
            gap = 15 if number == shared_day else 8 + (2 * person + number) % 9
            for hour in HOURS:
                if hour == gap:
                    continue
                start = dt.datetime.combine(day, dt.time(hour), ZONE)
                # Every third one as a participant of someone else's activity.
                owner = five[person] if hour % 3 else others[(hour + number) % len(others)]
                add(
                    start=start,
                    end=start + dt.timedelta(hours=1),
                    responsible=owner,
                    private=hour == 12,
                )
                if owner != five[person]:
                    participants.append((len(rows) - 1, five[person]))
            # Cancelled on top of the gap: books nothing.
            gap_start = dt.datetime.combine(day, dt.time(gap), ZONE)
            add(
                start=gap_start,
                end=gap_start + dt.timedelta(hours=1),
                responsible=five[person],
                status=Status.CANCELLED,
            )
    # Others' activities all over the month (and a year around it).
    for n in range(args.others):
        day = start_day + dt.timedelta(days=(n * 7) % 400 - 200)
        start = dt.datetime.combine(day, dt.time(8 + n % 9), ZONE)
        add(start=start, end=start + dt.timedelta(hours=1), responsible=others[n % len(others)])
    with transaction.atomic():
        Activity.objects.bulk_create(rows, batch_size=1000)
        Participant.objects.bulk_create(
            [
                Participant(company=company, activity=rows[index], employee=email)
                for index, email in participants
            ],
            batch_size=1000,
        )
    access = company_access(people[0], company.id)
    after = dt.datetime.combine(days[0], dt.time(7), ZONE)
    horizon = dt.timedelta(days=45)

    def selector() -> object:
        return selectors.free_slot(
            access=access,
            employees=five,
            duration=dt.timedelta(hours=1),
            after=after,
            horizon=horizon,
        )

    slot = selector()
    expected = dt.datetime.combine(days[shared_day], dt.time(15), ZONE)
    assert slot is not None, "no slot found"
    assert slot.start == expected, (slot.start, expected)  # type: ignore[attr-defined]

    token = services.token_create(user=people[0], name="bench")[1]
    client = Client()
    url = f"/api/v1/companies/{company.id}/activities/free-slot"
    query = [("employee", email) for email in five]
    query += [("duration", "60"), ("after", after.isoformat()), ("horizon", "45")]

    def api() -> object:
        return client.get(url, query, HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api()
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]

    quote = connection.ops.quote_name
    table = quote(Activity._meta.db_table)
    ptable = quote(Participant._meta.db_table)
    company_id = Activity._meta.get_field("company").get_db_prep_value(company.id, connection)
    marks = ", ".join(["%s"] * len(five))
    end = after + horizon + dt.timedelta(hours=1)
    cursor = connection.cursor()

    def moment(value: dt.datetime) -> object:
        return connection.ops.adapt_datetimefield_value(value)

    def floor() -> int:
        cursor.execute(
            f"SELECT a.{quote('start')}, a.{quote('end')}, a.all_day, a.start_date, a.end_date, "
            f"a.responsible, p.employee FROM {table} a LEFT JOIN {ptable} p ON "
            f"p.activity_id = a.id WHERE a.company_id = %s AND a.status <> 'cancelled' AND "
            f"a.{quote('start')} < %s AND a.{quote('end')} > %s AND "
            f"(a.responsible IN ({marks}) OR p.employee IN ({marks}))",
            [company_id, moment(end), moment(after), *five, *five],
        )
        return len(cursor.fetchall())

    floor_rows = floor()
    selector_ms = median_ms(selector, args.runs)
    api_ms = median_ms(api, args.runs)
    floor_ms = median_ms(floor, args.runs)
    print(
        f"next free slot for {PEOPLE} people over {len(days)} working days: "
        f"{floor_rows} busy rows of {len(rows)} activities, {connection.vendor}"
    )
    print(f"  found           {slot.start.astimezone(ZONE):%Y-%m-%d %H:%M}")  # type: ignore[attr-defined]
    print(f"  selector+sweep  {selector_ms:8.1f} ms   ({selector_ms / floor_ms:.1f}x the floor)")
    print(f"  API GET         {api_ms:8.1f} ms   ({api_ms / floor_ms:.1f}x; target ≤ 100 ms)")
    print(f"  plain SQL floor {floor_ms:8.1f} ms")
    return 0 if api_ms <= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
