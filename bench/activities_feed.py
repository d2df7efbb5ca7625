"""How long a user's iCalendar feed with 2,000 events takes, against plain SQL.

    uv run python bench/activities_feed.py [--events 2000] [--runs 30]

Seeds one company with N activities of one user (timed, all-day and tasks; a tenth with a
participant row) in a throwaway SQLite database (or, with DATABASE_URL=postgres://..., a test
database dropped afterwards), then measures the server time of GET on the secret feed URL
(the whole Django stack through django.test.Client: token check, query, iCalendar text) as
the median of --runs requests, and the same rows fetched by hand-written SQL on the same
connection in the same run: the floor. Target (issue 5): at most 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from scratch import median_ms, run_in_scratch


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    return run_in_scratch(lambda: _measure(args))


def _measure(args: argparse.Namespace) -> int:
    from django.db import connection, transaction
    from django.test import Client

    from skrivbord.activities import ical
    from skrivbord.activities.models import Activity, ActivityType, Participant
    from skrivbord.core import services
    from skrivbord.core.access import company_access
    from skrivbord.core.models import Role

    company = services.company_create(name="Benchmark AB", org_number="556036-0793")
    user = services.user_create(email="bench@example.se", password="x", check_password=False)
    other = services.user_create(email="other@example.se", password="x", check_password=False)
    services.membership_set(user=user, company=company, role=Role.USER)
    services.membership_set(user=other, company=company, role=Role.USER)
    types = {t.key: t for t in ActivityType.objects.filter(company=company)}
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    rows, participants = [], []
    # Seeded directly (bulk_create): this measures reads, not the write path's capture.
    for n in range(args.events):
        when = start + dt.timedelta(hours=3 * n - 24 * 90)
        kind = n % 10
        owner = other.email if kind == 9 else user.email
        values = {
            "company": company,
            "subject": f"Möte {n} med kund; rum {n % 7}",
            "description": "Dagordning:\n1. Offert\n2. Leverans" if n % 3 == 0 else "",
            "location": "Storgatan 1, Stockholm" if n % 2 else "",
            "responsible": owner,
            "private": n % 17 == 0,
        }
        if kind in (0, 1, 2, 3, 4, 9):
            rows.append(
                Activity(
                    type=types["meeting"], start=when, end=when + dt.timedelta(hours=1), **values
                )
            )
        elif kind in (5, 6):
            rows.append(
                Activity(
                    type=types["other"],
                    all_day=True,
                    start_date=when.date(),
                    end_date=when.date(),
                    **values,
                )
            )
        else:
            rows.append(Activity(type=types["task"], due_date=when.date(), **values))
    with transaction.atomic():
        Activity.objects.bulk_create(rows, batch_size=1000)
        participants = [
            Participant(company=company, activity=row, employee=user.email)
            for row in rows
            if row.responsible == other.email
        ]
        Participant.objects.bulk_create(participants, batch_size=1000)
    access = company_access(user, company.id)
    url = ical.feed_url(ical.feed_get_or_create(access=access))
    client = Client()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    events = response.content.count(b"BEGIN:VEVENT") + response.content.count(b"BEGIN:VTODO")

    quote = connection.ops.quote_name
    table = quote(Activity._meta.db_table)
    ptable = quote(Participant._meta.db_table)
    ttable = quote(ActivityType._meta.db_table)
    # The columns the feed reads itself (its own table's; the type's are joined below).
    columns = ", ".join(f"a.{quote(c)}" for c in ical.FEED_COLUMNS if "__" not in c)
    company_id = Activity._meta.get_field("company").get_db_prep_value(company.id, connection)
    cursor = connection.cursor()

    def floor() -> int:
        cursor.execute(
            f"SELECT {columns}, t.shows_in, t.key, t.name FROM {table} a "
            f"JOIN {ttable} t ON t.id = a.type_id WHERE a.company_id = %s AND "
            f"(a.responsible = %s OR EXISTS (SELECT 1 FROM {ptable} p WHERE "
            f"p.activity_id = a.id AND p.employee = %s))",
            [company_id, user.email, user.email],
        )
        return len(cursor.fetchall())

    floor_rows = floor()
    feed_ms = median_ms(lambda: client.get(url), args.runs)
    floor_ms = median_ms(floor, args.runs)
    print(f"feed of {events} events ({floor_rows} rows by plain SQL), {connection.vendor}")
    print(f"  feed GET        {feed_ms:8.1f} ms   (target ≤ 200 ms)")
    print(f"  plain SQL floor {floor_ms:8.1f} ms")
    print(f"  ratio           {feed_ms / floor_ms:8.1f} x")
    return 0 if feed_ms <= 200 else 1


if __name__ == "__main__":
    sys.exit(main())
