"""How long the calendar's week view takes in a company with 20,000 activities, against SQL.

    uv run python bench/activities_week.py [--activities 20000] [--people 10] [--runs 30]

Seeds one company with 30 users and 5 resources and N activities spread over a year around
today (timed meetings and calls, all-day ones, tasks with a due date; a third with another
employee taking part, a tenth booking a resource; some private) in a throwaway SQLite database
(or, with DATABASE_URL=postgres://..., a test database dropped afterwards). Then it measures
the server time of GET on the common calendar's week view of this week for --people people
and the 5 resources (the whole Django stack through django.test.Client: session, access,
the window's two queries, layout, template), as the median of --runs requests, and the same
rows fetched by hand-written SQL on the same connection in the same run: the floor.
Target (issue 5): at most 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Sequence
from typing import Any

from scratch import median_ms, run_in_scratch


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    return run_in_scratch(lambda: _measure(args))


def _measure(args: argparse.Namespace) -> int:
    from django.db import connection, transaction
    from django.test import Client

    from skrivbord.activities import calendar
    from skrivbord.activities.models import Activity, ActivityType, Participant, Resource
    from skrivbord.activities.timezones import company_timezone
    from skrivbord.core import services
    from skrivbord.core.models import Role

    rng = random.Random(48)
    company = services.company_create(name="Benchmark AB", org_number="556036-0793")
    users = []
    for n in range(30):
        user = services.user_create(
            email=f"person{n}@example.se",
            password="x",
            full_name=f"Person {n}",
            check_password=False,
        )
        services.membership_set(user=user, company=company, role=Role.USER)
        users.append(user)
    resources = Resource.objects.bulk_create(
        Resource(company=company, name=f"Rum {n}") for n in range(5)
    )
    types = {t.key: t for t in ActivityType.objects.filter(company=company)}
    zone = company_timezone(company)
    today = dt.datetime.now(zone).date()
    rows: list[Activity] = []
    for n in range(args.activities):
        day = today + dt.timedelta(days=rng.randrange(-182, 183))
        owner = users[rng.randrange(30)].email
        values = {
            "company": company,
            "subject": f"Aktivitet {n}",
            "description": "Dagordning:\n1. Offert\n2. Leverans" if n % 3 == 0 else "",
            "responsible": owner,
            "private": n % 13 == 0,
        }
        kind = n % 10
        if kind < 7:
            start = dt.datetime.combine(day, dt.time(7 + rng.randrange(11), 15 * rng.randrange(4)))
            start = start.replace(tzinfo=zone)
            rows.append(
                Activity(
                    type=types["meeting" if kind < 5 else "call"],
                    start=start,
                    end=start + dt.timedelta(minutes=15 * rng.randrange(1, 9)),
                    **values,
                )
            )
        elif kind == 7:
            rows.append(
                Activity(
                    type=types["other"],
                    all_day=True,
                    start_date=day,
                    end_date=day + dt.timedelta(days=rng.randrange(3)),
                    **values,
                )
            )
        else:
            rows.append(Activity(type=types["task"], due_date=day, **values))
    # Seeded directly (bulk_create): this measures reads, not the write path's capture.
    with transaction.atomic():
        Activity.objects.bulk_create(rows, batch_size=1000)
        participants = []
        for n, row in enumerate(rows):
            if n % 3 == 0:
                participants.append(
                    Participant(
                        company=company, activity=row, employee=users[rng.randrange(30)].email
                    )
                )
            if n % 10 == 0:
                participants.append(
                    Participant(company=company, activity=row, resource=resources[n % 5])
                )
        Participant.objects.bulk_create(participants, batch_size=1000)

    viewer = users[0]
    people = [user.email for user in users[: args.people]]
    client = Client()
    client.force_login(viewer)
    url = f"/c/{company.id}/activities/calendar/"
    query = {
        "view": "week",
        "date": today.isoformat(),
        "full": "1",
        "common": "1",
        "p": people,
        "r": [str(r.id) for r in resources],
    }
    response = client.get(url, query)
    assert response.status_code == 200, response.status_code
    queries: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        client.get(url, query)
    shown = response.content.count(b'class="cal-event')

    days = calendar.week_days(today, full=True)
    window_start = dt.datetime.combine(days[0], dt.time(), zone)
    window_end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(), zone)
    quote = connection.ops.quote_name
    table = quote(Activity._meta.db_table)
    ptable = quote(Participant._meta.db_table)
    ttable = quote(ActivityType._meta.db_table)
    columns = ", ".join(
        f"a.{quote(c)}"
        for c in (
            "id",
            "subject",
            "all_day",
            "start",
            "end",
            "start_date",
            "end_date",
            "due_date",
            "status",
            "responsible",
            "private",
        )
    )

    def prep(field: str, value: object) -> object:
        return Activity._meta.get_field(field).get_db_prep_value(value, connection)

    company_id = prep("company", company.id)
    resource_ids = [prep("company", r.id) for r in resources]  # UUIDs alike
    marks = ", ".join(["%s"] * len(people))
    rmarks = ", ".join(["%s"] * len(resource_ids))
    cursor = connection.cursor()
    true, false = (True, False) if connection.vendor == "postgresql" else (1, 0)
    sql = (
        f"SELECT {columns}, t.shows_in, t.colour FROM {table} a "
        f"JOIN {ttable} t ON t.id = a.type_id WHERE a.company_id = %s AND ("
        f"(t.shows_in = 'calendar' AND ((a.all_day = %s AND a.{quote('start')} < %s "
        f"AND a.{quote('end')} > %s) OR (a.all_day = %s AND a.start_date <= %s "
        f"AND a.end_date >= %s))) OR (a.due_date BETWEEN %s AND %s)) AND "
        f"(a.responsible IN ({marks}) OR EXISTS (SELECT 1 FROM {ptable} p WHERE "
        f"p.activity_id = a.id AND (p.employee IN ({marks}) OR p.resource_id IN ({rmarks}))))"
    )
    params = [
        company_id,
        false,
        prep("start", window_end),
        prep("start", window_start),
        true,
        prep("start_date", days[-1]),
        prep("start_date", days[0]),
        prep("start_date", days[0]),
        prep("start_date", days[-1]),
        *people,
        *people,
        *resource_ids,
    ]

    def floor() -> int:
        cursor.execute(sql, params)
        found = cursor.fetchall()
        ids = [row[0] for row in found]
        if ids:
            id_marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT id, activity_id, employee, resource_id FROM {ptable} "
                f"WHERE activity_id IN ({id_marks})",
                ids,
            )
            cursor.fetchall()
        return len(found)

    floor_rows = floor()
    week_ms = median_ms(lambda: client.get(url, query), args.runs)
    floor_ms = median_ms(floor, args.runs)
    print(
        f"week view of {args.people} people + {len(resources)} resources in a company of "
        f"{args.activities:,} activities: {floor_rows} rows by plain SQL, {shown} event "
        f"boxes drawn, {len(queries)} queries, {connection.vendor}"
    )
    print(f"  week view GET   {week_ms:8.1f} ms   (target ≤ 100 ms)")
    print(f"  plain SQL floor {floor_ms:8.1f} ms")
    print(f"  ratio           {week_ms / floor_ms:8.1f} x")
    return 0 if week_ms <= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
