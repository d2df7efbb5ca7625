"""How long the contacts list, its search and the API list take, against plain SQL.

    uv run python bench/contacts_list.py [--contacts 10000] [--runs 30] [--query bygg]

Seeds one company with N generated contacts in a throwaway database (SQLite in a temporary
data directory; with DATABASE_URL=postgres://... a test database next to the configured one,
dropped afterwards), then measures server time (the whole Django stack through
django.test.Client: middleware, session, access check, queries, template or JSON) as the
median of --runs requests, and the same rows fetched by hand-written SQL on the same
connection in the same run: the floor no framework can beat. See bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from scratch import median_ms, run_in_scratch


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000, help="contacts to seed")
    parser.add_argument("--runs", type=int, default=30, help="measured requests per row")
    parser.add_argument("--query", default="bygg", help="the search term")
    args = parser.parse_args(argv)

    return run_in_scratch(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    from django.conf import settings

    return _measure(args, settings.CONTACTS_PAGE_SIZE)


def _seed(count: int) -> tuple[Any, Any, str, float]:
    from django.db import transaction

    from skrivbord.contacts.models import Contact, ContactPerson
    from skrivbord.core import services
    from skrivbord.core.models import Role
    from skrivbord.demo.generator import generate_contacts

    started = time.perf_counter()
    company = services.company_create(name="Benchmark AB", org_number="556036-0793")
    user = services.user_create(
        email="bench@example.se", password="bench-only", check_password=False
    )
    services.membership_set(user=user, company=company, role=Role.ADMINISTRATOR)
    _token, secret = services.token_create(user=user, name="bench")
    specs = generate_contacts(count, seed=42)
    # The benchmark seeds rows directly with bulk_create instead of the contacts services:
    # it measures reads, for which sync change capture (the reason for the services rule)
    # is irrelevant, and 10,000 service calls would only make the setup slow.
    with transaction.atomic():
        contacts = [Contact(company=company, **spec.contact_fields()) for spec in specs]
        Contact.objects.bulk_create(contacts, batch_size=1000)
        persons = [
            ContactPerson(
                company=company,
                contact=contact,
                first_name=person.first_name,
                last_name=person.last_name,
                title=person.title,
                email=person.email,
                phone=person.phone,
                mobile=person.mobile,
            )
            for contact, spec in zip(contacts, specs, strict=True)
            for person in spec.persons
        ]
        ContactPerson.objects.bulk_create(persons, batch_size=1000)
    return company, user, secret, time.perf_counter() - started


class Baseline:
    """The rows each screen needs, by hand-written SQL on Django's connection."""

    def __init__(self, company_id: uuid.UUID) -> None:
        from django.db import connection

        from skrivbord.contacts.models import Contact, ContactPerson

        quote = connection.ops.quote_name
        self.cursor = connection.cursor()
        self.postgres = connection.vendor == "postgresql"
        self.contact_table = quote(Contact._meta.db_table)
        self.person_table = quote(ContactPerson._meta.db_table)
        # Every column, as the ORM loads them (the page shows most of them).
        self.columns = ", ".join(quote(field.column) for field in Contact._meta.concrete_fields)
        self.person_columns = ", ".join(
            quote(field.column) for field in ContactPerson._meta.concrete_fields
        )
        self.company = Contact._meta.get_field("company").get_db_prep_value(company_id, connection)

    def _page(self, where: str, params: list[Any], limit: int) -> list[tuple[Any, ...]]:
        self.cursor.execute(f"SELECT COUNT(*) FROM {self.contact_table} WHERE {where}", params)
        self.cursor.fetchone()
        self.cursor.execute(
            f"SELECT {self.columns} FROM {self.contact_table} WHERE {where} "
            f"ORDER BY name, id LIMIT {int(limit)}",
            params,
        )
        return self.cursor.fetchall()

    def list_page(self, limit: int) -> list[tuple[Any, ...]]:
        return self._page("company_id = %s AND is_active = %s", [self.company, True], limit)

    def search(self, term: str, limit: int) -> list[tuple[Any, ...]]:
        like = "ILIKE" if self.postgres else "LIKE"  # SQLite's LIKE ignores ASCII case
        pattern = f"%{term}%"
        where = (
            "company_id = %s AND is_active = %s AND ("
            f"name {like} %s OR email {like} %s OR phone {like} %s OR org_number {like} %s "
            f"OR id IN (SELECT contact_id FROM {self.person_table} WHERE company_id = %s AND ("
            f"first_name {like} %s OR last_name {like} %s OR email {like} %s)))"
        )
        params = [self.company, True, *[pattern] * 4, self.company, *[pattern] * 3]
        return self._page(where, params, limit)

    def api_page(self, limit: int) -> list[tuple[Any, ...]]:
        rows = self._page("company_id = %s", [self.company], limit)
        ids = [row[0] for row in rows]
        placeholders = ", ".join(["%s"] * len(ids))
        self.cursor.execute(
            f"SELECT {self.person_columns} FROM {self.person_table} "
            f"WHERE company_id = %s AND contact_id IN ({placeholders})",
            [self.company, *ids],
        )
        self.cursor.fetchall()
        return rows


def _counting_queries(request: Callable[[], Any]) -> tuple[Any, int]:
    """The response of one request, and how many SQL statements it ran."""
    from django.db import connection

    count = 0

    def counter(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        return request(), count


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _measure(args: argparse.Namespace, page_size: int) -> int:
    import django
    from django.db import connection
    from django.test import Client

    company, user, secret, seed_seconds = _seed(args.contacts)
    client = Client()
    client.force_login(user)
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    baseline = Baseline(company.id)

    list_url = f"/c/{company.id}/contacts/"
    search_url = f"{list_url}?q={args.query}"
    api_url = f"/api/v1/companies/{company.id}/contacts"
    ours: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (
            "contacts list, page 1",
            lambda: client.get(list_url),
            lambda: baseline.list_page(page_size),
        ),
        (
            f"search q={args.query} (page)",
            lambda: client.get(search_url),
            lambda: baseline.search(args.query, page_size),
        ),
        (
            f"search q={args.query} (htmx)",
            lambda: client.get(search_url, HTTP_HX_REQUEST="true"),
            lambda: baseline.search(args.query, page_size),
        ),
        ("API list, limit 50", lambda: api_client.get(api_url), lambda: baseline.api_page(50)),
    ]

    problems = _check(client, api_client, list_url, search_url, api_url, baseline, args, page_size)

    version = ".".join(str(part) for part in connection.get_database_version())
    database = f"{connection.display_name} {version}"
    print(
        f"skrivbord contacts benchmark: {args.contacts:,} contacts "
        f"(seeded in {seed_seconds:.1f} s), {database}, Django {django.get_version()}, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"median of {args.runs} runs after 3 warm-up runs; server time via django.test.Client\n")
    header = f"{'what':<28} {'ours ms':>9} {'queries':>8} {'SQL ms':>8} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for label, request, sql in ours:
        response, queries = _counting_queries(request)
        status = getattr(response, "status_code", 200)
        if status != 200:
            print(f"{label:<28} HTTP {status}: not measured")
            continue
        ours_ms = median_ms(request, args.runs)
        sql_ms = median_ms(sql, args.runs)
        print(f"{label:<28} {ours_ms:>9.2f} {queries:>8} {sql_ms:>8.2f} {ours_ms / sql_ms:>6.1f}x")
    for problem in problems:
        print(f"warning: {problem}")
    return 0


def _check(
    client: Any,
    api_client: Any,
    list_url: str,
    search_url: str,
    api_url: str,
    baseline: Baseline,
    args: argparse.Namespace,
    page_size: int,
) -> list[str]:
    """The baseline must fetch what the screens show, or the ratio means nothing."""
    problems = []
    first = baseline.list_page(page_size)[0]
    from skrivbord.contacts.models import Contact

    name_index = [field.column for field in Contact._meta.concrete_fields].index("name")
    page = client.get(list_url)
    if page.status_code == 200 and first[name_index] not in page.content.decode():
        problems.append("the list page does not show the baseline's first contact")
    hits = baseline.search(args.query, page_size)
    if not hits:
        problems.append(f"the search for {args.query!r} finds nothing")
    response = api_client.get(api_url)
    if response.status_code == 200:
        api_ids = [_as_uuid(item["id"]) for item in response.json()["items"]]
        if api_ids != [_as_uuid(row[0]) for row in baseline.api_page(50)]:
            problems.append("the API returns other contacts than the baseline selects")
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
