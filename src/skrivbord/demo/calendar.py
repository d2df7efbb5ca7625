"""The demo company's calendar: its people's meetings, calls and tasks over the current weeks.

`generate_calendar` is pure: from a seed, the day and the contacts' names it lays out three
weeks back and four ahead — a weekly meeting in the conference room, each person's customer
meetings, calls and internal meetings within working hours (never two at once for a person,
never a resource booked twice), tasks with due dates, a trade fair over two days and now and
then a private appointment. Past ones are mostly done, a few left overdue or cancelled;
future ones planned. `demo_calendar_load` writes it through the activities services (so the
sync captures it) at the office, once: a company with activities keeps them.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from skrivbord.activities.availability import swedish_days_off

ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")
DEMO_CALENDAR_SEED = 2026
WEEKS_BACK = 3
WEEKS_AHEAD = 4

#: The demo company's employees besides the demo user (e-mail, name). They cannot log in
#: (a random password); they are there to be responsible, take part and be busy.
EMPLOYEES: tuple[tuple[str, str], ...] = (
    ("anna.lindqvist@demoforetaget.se", "Anna Lindqvist"),
    ("erik.johansson@demoforetaget.se", "Erik Johansson"),
    ("sara.nilsson@demoforetaget.se", "Sara Nilsson"),
    ("omar.haddad@demoforetaget.se", "Omar Haddad"),
)
#: Bookable resources (name, kind).
RESOURCES: tuple[tuple[str, str], ...] = (
    ("Konferensrummet", "room"),
    ("Lilla mötesrummet", "room"),
    ("Firmabilen", "car"),
)
ROOMS = ("Konferensrummet", "Lilla mötesrummet")
CAR = "Firmabilen"

_CUSTOMER_MEETINGS = (
    "Kundmöte med {contact}",
    "Offertgenomgång med {contact}",
    "Uppstartsmöte med {contact}",
    "Avtalsgenomgång med {contact}",
)
_VISITS = ("Kundbesök hos {contact}", "Leveransbesök hos {contact}")
_INTERNAL = (
    "Avstämning projekt",
    "Budgetmöte",
    "Säljmöte",
    "Planering nästa kvartal",
    "Genomgång av rutiner",
    "Medarbetarsamtal",
)
_CALLS = (
    "Ring {contact} om offerten",
    "Uppföljningssamtal med {contact}",
    "Ring {contact} om leveransen",
    "Telefonmöte med revisorn",
)
_TASKS = (
    ("task", "Skicka offert till {contact}"),
    ("task", "Fakturera {contact}"),
    ("todo", "Uppdatera prislistan"),
    ("todo", "Beställ kontorsmaterial"),
    ("task", "Förbered kvartalsrapporten"),
    ("email", "Svara {contact} om leveranstiden"),
    ("letter", "Skicka avtal till {contact}"),
)
_PRIVATE = ("Tandläkaren", "Läkarbesök", "Hämta på förskolan")


@dataclass(frozen=True)
class DemoActivity:
    """One activity, as keyword arguments of `activity_create` once its names are rows."""

    type_key: str
    subject: str
    responsible: str
    status: str = "planned"
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    all_day: bool = False
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    due_date: dt.date | None = None
    employees: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    contact: str | None = None
    location: str = ""
    private: bool = False
    priority: str = "normal"
    description: str = ""


@dataclass
class _Book:
    """Who and what is taken when: no person and no resource is booked twice at once."""

    taken: dict[str, list[tuple[dt.datetime, dt.datetime]]] = field(default_factory=dict)

    def free(self, names: tuple[str, ...], start: dt.datetime, end: dt.datetime) -> bool:
        return all(
            not (start < other_end and other_start < end)
            for name in names
            for other_start, other_end in self.taken.get(name, ())
        )

    def take(self, names: tuple[str, ...], start: dt.datetime, end: dt.datetime) -> None:
        for name in names:
            self.taken.setdefault(name, []).append((start, end))


def _status(rng: random.Random, end: dt.datetime, now: dt.datetime) -> str:
    """Past: mostly done, some left planned (overdue), a few cancelled. Future: planned,
    now and then cancelled."""
    roll = rng.random()
    if end <= now:
        return "done" if roll < 0.86 else ("planned" if roll < 0.95 else "cancelled")
    return "cancelled" if roll < 0.03 else "planned"


def generate_calendar(
    *,
    people: tuple[str, ...],
    contacts: tuple[str, ...],
    now: dt.datetime,
    seed: int = DEMO_CALENDAR_SEED,
) -> list[DemoActivity]:
    """The demo calendar for `people` (e-mail addresses; the first leads the weekly
    meeting) around `now`. Deterministic for the same arguments."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    today = now.astimezone(ZONE).date()
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=WEEKS_BACK)
    last = monday + dt.timedelta(weeks=WEEKS_AHEAD, days=-1)
    days_off = swedish_days_off(range(first.year, last.year + 1))
    book = _Book()
    found: list[DemoActivity] = []
    lead = people[0]

    def at(day: dt.date, minutes: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), ZONE)

    def contact() -> str:
        return rng.choice(contacts) if contacts else "kunden"

    day = first
    while day <= last:
        if day.weekday() >= 5 or day in days_off:
            day += dt.timedelta(days=1)
            continue
        if day.weekday() == 0:
            start, end = at(day, 9 * 60), at(day, 9 * 60 + 45)
            names = (*people, ROOMS[0])
            book.take(names, start, end)
            found.append(
                DemoActivity(
                    "meeting",
                    "Veckomöte",
                    lead,
                    _status(rng, end, now),
                    start,
                    end,
                    employees=people[1:],
                    resources=(ROOMS[0],),
                    location=ROOMS[0],
                    description="Veckans prioriteringar, säljläget och leveranser.",
                )
            )
        for person in people:
            for _attempt in range(rng.choice((1, 2, 2, 3, 3, 4))):
                kind = rng.random()
                name: str | None = contact()
                internal = False
                if kind < 0.4:
                    duration = rng.choice((15, 30, 30))
                    type_key, subject = "call", rng.choice(_CALLS)
                elif kind < 0.55:
                    duration = rng.choice((120, 180, 240))
                    type_key, subject = "meeting", rng.choice(_VISITS)
                elif kind < 0.8:
                    duration = rng.choice((45, 60, 60, 90))
                    type_key, subject = "meeting", rng.choice(_CUSTOMER_MEETINGS)
                else:
                    duration = rng.choice((30, 60, 60))
                    type_key, subject, internal = "meeting", rng.choice(_INTERNAL), True
                if "{contact}" not in subject:
                    name = None
                subject = subject.format(contact=name)
                start_minutes = rng.randrange(8 * 60, 17 * 60 - duration + 1, 30)
                start, end = at(day, start_minutes), at(day, start_minutes + duration)
                if not book.free((person,), start, end):
                    continue
                employees: tuple[str, ...] = ()
                resources: tuple[str, ...] = ()
                location = ""
                if subject.startswith(("Kundbesök", "Leveransbesök")):
                    # The car, or no visit: it is the only way there.
                    if not book.free((CAR,), start, end):
                        continue
                    resources, location = (CAR,), "Hos kunden"
                elif type_key == "meeting":
                    if internal:
                        colleague = rng.choice([p for p in people if p != person])
                        if book.free((colleague,), start, end):
                            employees = (colleague,)
                    room = next((r for r in ROOMS if book.free((r,), start, end)), None)
                    if room is not None:
                        resources, location = (room,), room
                book.take((person, *employees, *resources), start, end)
                found.append(
                    DemoActivity(
                        type_key,
                        subject,
                        person,
                        _status(rng, end, now),
                        start,
                        end,
                        employees=employees,
                        resources=resources,
                        contact=name if contacts else None,
                        location=location,
                        priority=rng.choice(("normal", "normal", "normal", "high", "low")),
                    )
                )
            if rng.random() < 0.04:
                start_minutes = rng.choice((8 * 60, 15 * 60 + 30))
                start, end = at(day, start_minutes), at(day, start_minutes + 60)
                if book.free((person,), start, end):
                    book.take((person,), start, end)
                    found.append(
                        DemoActivity(
                            "other",
                            rng.choice(_PRIVATE),
                            person,
                            _status(rng, end, now),
                            start,
                            end,
                            private=True,
                        )
                    )
        day += dt.timedelta(days=1)
    # Tasks with due dates: two a week for each person.
    week = first
    while week <= last:
        for person in people:
            for _task in range(2):
                due = week + dt.timedelta(days=rng.randrange(0, 5))
                type_key, text = rng.choice(_TASKS)
                name = contact()
                subject = text.format(contact=name)
                done_by = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), ZONE)
                found.append(
                    DemoActivity(
                        type_key,
                        subject,
                        person,
                        _status(rng, done_by, now),
                        due_date=due,
                        contact=name if "{contact}" in text and contacts else None,
                        priority=rng.choice(("normal", "normal", "high")),
                    )
                )
        week += dt.timedelta(weeks=1)
    # A trade fair over two days next week, for two people.
    fair = monday + dt.timedelta(weeks=1, days=2)
    found.append(
        DemoActivity(
            "other",
            "Mässa: Nordbygg",
            people[1 % len(people)],
            all_day=True,
            start_date=fair,
            end_date=fair + dt.timedelta(days=1),
            employees=people[2:3],
            location="Stockholmsmässan, Älvsjö",
        )
    )
    return found


@dataclass(frozen=True)
class DemoCalendar:
    #: Activities written now (0 when the company had activities already).
    activities: int
    seconds: float


def demo_employees_ensure(*, company: object) -> list[str]:
    """The demo company's employees as users and members (both nodes need them: people are
    not synchronised, and the activity form offers only the company's members)."""
    from skrivbord.core import services as core_services
    from skrivbord.core.models import Company, Language, Membership, Role, User

    assert isinstance(company, Company)
    emails = []
    for email, name in EMPLOYEES:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = core_services.user_create(
                email=email,
                password=secrets.token_urlsafe(24),
                full_name=name,
                language=Language.SWEDISH,
                check_password=False,
            )
        if not Membership.objects.filter(user=user, company=company).exists():
            core_services.membership_set(user=user, company=company, role=Role.USER)
        emails.append(user.email)
    return emails


def demo_calendar_load(
    *, company: object, user: object, now: dt.datetime | None = None
) -> DemoCalendar:
    """Write the demo calendar into `company` (the office's demo company) through the
    services, as the demo user, unless it has activities."""
    from django.db import transaction
    from django.utils import timezone

    from skrivbord.activities import selectors, services
    from skrivbord.activities.models import Activity
    from skrivbord.contacts import selectors as contact_selectors
    from skrivbord.core.access import company_access
    from skrivbord.core.models import Company, User
    from skrivbord.sync import actor

    assert isinstance(company, Company)
    assert isinstance(user, User)
    if Activity.objects.filter(company=company).exists():
        return DemoCalendar(activities=0, seconds=0.0)
    started = time.perf_counter()
    now = now or timezone.now()
    with transaction.atomic(), actor.acting_as(user.email):
        people = (user.email.lower(), *demo_employees_ensure(company=company))
        access = company_access(user, company.id, module="activities", write=True)
        resources = {r.name: r for r in selectors.resource_list(access=access, active=None)}
        for name, kind in RESOURCES:
            if name not in resources:
                resources[name] = services.resource_create(access=access, name=name, kind=kind)
        contacts = {
            contact.name: contact
            for contact in contact_selectors.contact_list(access=access, active=True)
            .filter(is_customer=True)
            .order_by("name")[:40]
        }
        types = {t.key: t for t in selectors.activity_type_list(access=access, active=None)}
        plan = generate_calendar(people=people, contacts=tuple(contacts), now=now)
        for item in plan:
            values: dict[str, Any] = {
                "type": types[item.type_key],
                "subject": item.subject,
                "responsible": item.responsible,
                "status": item.status,
                "priority": item.priority,
                "private": item.private,
                "location": item.location,
                "description": item.description,
                "contact": contacts.get(item.contact) if item.contact else None,
            }
            if item.all_day:
                values.update(all_day=True, start_date=item.start_date, end_date=item.end_date)
            elif item.start is not None:
                values.update(start=item.start, end=item.end)
            else:
                values.update(due_date=item.due_date)
            services.activity_create(
                access=access,
                employees=list(item.employees),
                resources=[resources[name] for name in item.resources],
                **values,
            )
    return DemoCalendar(activities=len(plan), seconds=time.perf_counter() - started)
