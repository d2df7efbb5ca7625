"""Activities as iCalendar: secret feed URLs, the feeds, .ics export and import.

A feed or an export shows an activity as a VEVENT or a VTODO by its type (`shows_in`). The
UID is the activity's id @ the installation's host, so a subscription never duplicates an
event; SEQUENCE and LAST-MODIFIED follow every edit (also one arriving by sync), a cancelled
activity is STATUS:CANCELLED, and a deleted one is simply no longer in the feed.

Import maps each UID to one activity id (our own UIDs back to their activity, others to an
id derived from the company and the UID), so importing the same file again updates, never
duplicates. The whole file is one transaction: a refusal imports nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from skrivbord.activities import selectors, services
from skrivbord.activities.models import (
    Activity,
    ActivityType,
    CalendarFeed,
    Participant,
    ShowsIn,
    Status,
)
from skrivbord.activities.timezones import company_timezone
from skrivbord.contacts.models import Contact
from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import Membership
from skrivbord.formats import ical as fmt

#: SEQUENCE counts seconds since this moment at the activity's last change: it grows with
#: every edit on either node without a counter that would itself have to sync.
SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
#: A feed holds activities from this many days back onwards (every future one).
FEED_PAST_DAYS = 366
FEED_REFRESH_MINUTES = 15
IMPORT_NAMESPACE = uuid.UUID("6f1c3c2e-8d0a-4c7e-9b35-1a2f4e6d8b90")
PRIORITIES = {"high": 1, "normal": 5, "low": 9}
FEED_TOKEN_PREFIX = "skf_"  # noqa: S105 (a public prefix, not a secret)


# --- Feed tokens ------------------------------------------------------------------------------


def _token(feed: CalendarFeed) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"calendar-feed\n{feed.id}\n{feed.nonce}".encode(), "sha256"
    ).digest()
    return FEED_TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(feed: CalendarFeed, *, base: str = "") -> str:
    """The feed's secret URL (absolute when `base`, e.g. https://host, is given)."""
    token = _token(feed)
    if feed.contact_id:
        path = reverse(
            "feeds:contact",
            kwargs={
                "company_id": feed.company_id,
                "contact_id": feed.contact_id,
                "token": token,
            },
        )
    else:
        path = reverse(
            "feeds:user",
            kwargs={"company_id": feed.company_id, "user_id": feed.user_id, "token": token},
        )
    return base.rstrip("/") + path


def feed_list(*, access: CompanyAccess) -> list[CalendarFeed]:
    """The user's active feeds in this company: the personal one first, then contacts'."""
    access.require("activities", "view")
    feeds = CalendarFeed.objects.filter(
        user=access.user, company=access.company, revoked_at__isnull=True
    ).order_by("-created_at")
    contacts = {
        c.id: c
        for c in Contact.objects.filter(
            company=access.company, id__in=[f.contact_id for f in feeds if f.contact_id]
        )
    }
    found = []
    for feed in feeds:
        if feed.contact_id:
            if feed.contact_id not in contacts:
                continue
            feed.contact = contacts[feed.contact_id]
        found.append(feed)
    return sorted(found, key=lambda f: (f.contact_id is not None, str(f.contact or "")))


def feed_get_or_create(*, access: CompanyAccess, contact: Contact | None = None) -> CalendarFeed:
    """The user's active feed (personal, or of the contact), made if there is none."""
    access.require("activities", "view")
    if contact is not None and contact.company_id != access.company.id:
        raise Http404
    feeds = CalendarFeed.objects.filter(
        user=access.user, company=access.company, revoked_at__isnull=True
    )
    if contact is None:
        feeds = feeds.filter(contact__isnull=True)
    else:
        feeds = feeds.filter(contact_id=contact.id)
    feed = feeds.first()
    return feed or _feed_create(access, contact)


def _feed_create(access: CompanyAccess, contact: Contact | None) -> CalendarFeed:
    feed = CalendarFeed(
        user=access.user,
        company=access.company,
        contact=contact,
        nonce=secrets.token_urlsafe(32),
    )
    feed.key_hash = _hash(_token(feed))
    feed.save()
    return feed


@transaction.atomic
def feed_revoke(*, access: CompanyAccess, feed_id: uuid.UUID) -> CalendarFeed:
    """Revoke one of the user's feeds: its URL answers 404 from now on."""
    try:
        feed = CalendarFeed.objects.select_for_update().get(
            id=feed_id, user=access.user, company=access.company
        )
    except CalendarFeed.DoesNotExist as error:
        raise Http404 from error
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed


@transaction.atomic
def feed_replace(*, access: CompanyAccess, feed_id: uuid.UUID) -> CalendarFeed:
    """A new secret URL in place of the old one, which stops working."""
    old = feed_revoke(access=access, feed_id=feed_id)
    contact = None
    if old.contact_id is not None:
        contact = Contact.objects.filter(company=access.company, id=old.contact_id).first()
        if contact is None:
            raise Http404
    return _feed_create(access, contact)


def feed_authenticate(
    *,
    company_id: uuid.UUID,
    token: str,
    user_id: int | None = None,
    contact_id: uuid.UUID | None = None,
) -> tuple[CompanyAccess, CalendarFeed]:
    """The access a feed URL acts with, or 404: an unknown or revoked token, one of another
    user, company or contact, a user who left the company or lost the right."""
    if not token.startswith(FEED_TOKEN_PREFIX) or len(token) > 100:
        raise Http404
    feed = (
        CalendarFeed.objects.select_related("user", "company")
        .filter(key_hash=_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if (
        feed is None
        or feed.company_id != company_id
        or (contact_id is None and (feed.contact_id is not None or feed.user_id != user_id))
        or (contact_id is not None and feed.contact_id != contact_id)
    ):
        raise Http404
    membership = Membership.objects.filter(user=feed.user, company_id=company_id).first()
    if membership is None:
        raise Http404
    access = CompanyAccess(user=feed.user, company=feed.company, membership=membership)
    if not access.has("activities", "view"):
        raise Http404
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 60:
        CalendarFeed.objects.filter(id=feed.id).update(last_used_at=now)
    return access, feed


# --- Activities -> iCalendar ------------------------------------------------------------------


def _uid(activity_id: uuid.UUID) -> str:
    return f"{activity_id}@{settings.ICAL_UID_HOST}"


def _sequence(updated_at: dt.datetime) -> int:
    return max(0, int((updated_at - SEQUENCE_EPOCH).total_seconds()))


#: What a feed reads of each activity (a benchmark reads the same for its floor).
FEED_COLUMNS = (
    "id",
    "subject",
    "description",
    "location",
    "all_day",
    "start",
    "end",
    "start_date",
    "end_date",
    "due_date",
    "status",
    "priority",
    "private",
    "responsible",
    "done_at",
    "created_at",
    "updated_at",
    "type__shows_in",
    "type__key",
    "type__name",
)


def _item(row: dict[str, Any], *, details: bool, type_names: dict[str, str]) -> fmt.IcsItem:
    """One activity (a values() row) as an event or a to-do; without details, "busy"."""
    as_task = row["type__shows_in"] == ShowsIn.TASKS
    status = row["status"]
    start: dt.datetime | dt.date | None
    end: dt.datetime | dt.date | None
    if row["all_day"] and row["start_date"]:
        start = row["start_date"]
        end = (row["end_date"] or row["start_date"]) + dt.timedelta(days=1)
    elif row["start"]:
        start, end = row["start"], row["end"] or row["start"]
    else:
        start, end = None, None
    due = row["due_date"]
    kind = "VTODO" if as_task else "VEVENT"
    if kind == "VEVENT" and start is None and due is not None:
        start, end = due, due + dt.timedelta(days=1)  # a dated task shown in the calendar
    if kind == "VTODO":
        if due is None and end is not None:
            due = end
        ical_status = {"done": "COMPLETED", "cancelled": "CANCELLED"}.get(status, "NEEDS-ACTION")
        if isinstance(due, dt.date) and isinstance(start, dt.datetime):
            start = start.date()  # DTSTART and DUE must be of one kind
    else:
        ical_status = "CANCELLED" if status == Status.CANCELLED else "CONFIRMED"
    busy = not details
    type_name = row["type__name"] or type_names.get(row["type__key"], row["type__key"])
    return fmt.IcsItem(
        uid=_uid(row["id"]),
        kind=kind,
        summary=_("Busy") if busy else row["subject"],
        description="" if busy else row["description"],
        location="" if busy else row["location"],
        start=start,
        end=end,
        due=due if kind == "VTODO" else None,
        status=ical_status,
        sequence=_sequence(row["updated_at"]),
        last_modified=row["updated_at"],
        created=row["created_at"],
        completed=row["done_at"] if kind == "VTODO" and status == Status.DONE else None,
        priority=0 if busy else PRIORITIES.get(row["priority"], 0),
        private=bool(row["private"]),
        categories=() if busy else (type_name,),
    )


def _type_names() -> dict[str, str]:
    from skrivbord.activities.models import DEFAULT_TYPES

    return {key: str(value[0]) for key, value in DEFAULT_TYPES.items()}


def _recent(access: CompanyAccess) -> Q:
    since = selectors.today(access) - dt.timedelta(days=FEED_PAST_DAYS)
    zone = company_timezone(access.company)
    return (
        Q(all_day=False, start__gte=dt.datetime.combine(since, dt.time(), zone))
        | Q(all_day=True, end_date__gte=since)
        | Q(all_day=False, start__isnull=True, due_date__gte=since)
        | Q(all_day=False, start__isnull=True, due_date__isnull=True)
    )


def user_feed(access: CompanyAccess) -> bytes:
    """The user's activities (responsible or participant) from a year back: all details,
    since they are the user's own."""
    email = access.user.email.lower()
    rows = (
        Activity.objects.filter(company=access.company)
        .filter(
            Q(responsible=email)
            | Q(Exists(Participant.objects.filter(activity=OuterRef("pk"), employee=email)))
        )
        .filter(_recent(access))
        .order_by()
        .values(*FEED_COLUMNS)
    )
    names = _type_names()
    items = (_item(row, details=True, type_names=names) for row in rows)
    label = _("%(company)s: my activities") % {"company": access.company.name}
    return fmt.write_calendar(items, name=label, refresh_minutes=FEED_REFRESH_MINUTES)


def contact_feed(access: CompanyAccess, contact_id: uuid.UUID) -> bytes:
    """A contact's activities, for anyone with access: another person's private activity is
    "busy" (a feed URL is easily shared, so it never carries more than its user may see)."""
    contact = Contact.objects.filter(company=access.company, id=contact_id).first()
    if contact is None:
        raise Http404
    email = access.user.email.lower()
    rows = (
        Activity.objects.filter(company=access.company, contact_id=contact.id)
        .filter(_recent(access))
        .annotate(
            is_mine=Q(responsible=email)
            | Q(Exists(Participant.objects.filter(activity=OuterRef("pk"), employee=email)))
        )
        .order_by()
        .values(*FEED_COLUMNS, "is_mine")
    )
    names = _type_names()
    items = (
        _item(row, details=not row["private"] or bool(row["is_mine"]), type_names=names)
        for row in rows
    )
    label = _("%(company)s: %(contact)s") % {
        "company": access.company.name,
        "contact": contact.name,
    }
    return fmt.write_calendar(items, name=label, refresh_minutes=FEED_REFRESH_MINUTES)


def export_activities(access: CompanyAccess, activities: Iterable[Activity]) -> bytes:
    """A list's activities as .ics (from `selectors.activity_list`, so `is_mine` is there);
    other people's private activities as "busy"."""
    access.require("activities", "view")
    names = _type_names()
    items = []
    for activity in activities:
        row = {name: getattr(activity, name) for name in FEED_COLUMNS if "__" not in name}
        row["type__shows_in"] = activity.type.shows_in
        row["type__key"] = activity.type.key
        row["type__name"] = activity.type.name
        items.append(_item(row, details=selectors.can_see(activity, access), type_names=names))
    return fmt.write_calendar(items, name=access.company.name)


# --- Import -----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def _activity_id(access: CompanyAccess, uid: str) -> uuid.UUID:
    """Our own UID maps back to its activity; any other to an id made from the company and
    the UID, so the same file imported twice finds the same rows."""
    host = "@" + settings.ICAL_UID_HOST
    if uid.endswith(host):
        try:
            own = uuid.UUID(uid[: -len(host)])
        except ValueError:
            own = None
        if own is not None and Activity.objects.filter(company=access.company, id=own).exists():
            return own
    return uuid.uuid5(IMPORT_NAMESPACE, f"{access.company.id}\n{uid}")


def _values(
    access: CompanyAccess, item: fmt.IcsItem, types: dict[str, ActivityType]
) -> dict[str, Any]:
    zone = company_timezone(access.company)
    as_task = item.kind == "VTODO"
    activity_type = types["task" if as_task else "meeting"]
    values: dict[str, Any] = {
        "type": activity_type,
        "subject": (item.summary or _("(no subject)"))[:200],
        "description": item.description[:20_000],
        "location": item.location[:200],
        "private": item.private,
        "all_day": False,
        "start": None,
        "end": None,
        "start_date": None,
        "end_date": None,
        "due_date": None,
    }
    status = Status.PLANNED
    if item.status == "CANCELLED":
        status = Status.CANCELLED
    elif item.status == "COMPLETED" or item.completed is not None:
        status = Status.DONE
    values["status"] = status
    if item.priority:
        values["priority"] = (
            "high" if item.priority <= 4 else "normal" if item.priority == 5 else "low"
        )

    def moment(value: dt.datetime) -> dt.datetime:
        # A floating time (no zone) is the company's local time.
        return value if value.tzinfo else value.replace(tzinfo=zone)

    start, end = item.start, item.end
    if isinstance(start, dt.datetime):
        values["start"] = moment(start)
        values["end"] = moment(end) if isinstance(end, dt.datetime) else values["start"]
    elif isinstance(start, dt.date):
        values["all_day"] = True
        values["start_date"] = start
        last = end - dt.timedelta(days=1) if isinstance(end, dt.date) and end > start else start
        values["end_date"] = last
    if as_task and item.due is not None:
        due = item.due
        values["due_date"] = (
            moment(due).astimezone(zone).date() if isinstance(due, dt.datetime) else due
        )
        if isinstance(start, dt.datetime) and values["end"] == values["start"]:
            values["end"] = (
                max(values["start"], moment(due))
                if isinstance(due, dt.datetime)
                else values["start"]
            )
    return values


def import_ics(*, access: CompanyAccess, data: bytes) -> ImportReport:
    """Import an .ics file into the company: all of it, or (with the reason) nothing."""
    access.require("activities", "change")
    try:
        parsed = fmt.read_calendar(data, today=selectors.today(access))
    except fmt.IcsError as error:
        raise ValidationError(
            _("The file is not imported: %(reason)s") % {"reason": error}
        ) from error
    types = {t.key: t for t in selectors.activity_type_list(access=access, active=None)}
    for key in ("task", "meeting"):
        if key not in types:
            raise ValidationError(_("The company has no activity type %(key)s.") % {"key": key})
    report = ImportReport(skipped=list(parsed.skipped))
    with transaction.atomic():
        for item in parsed.items:
            activity_id = _activity_id(access, item.uid)
            values = _values(access, item, types)
            existing = (
                Activity.objects.filter(company=access.company, id=activity_id)
                .prefetch_related("participants")
                .first()
            )
            try:
                if existing is None:
                    if Activity.objects.filter(id=activity_id).exists():
                        raise ValidationError(_("Its UID belongs to another company's activity."))
                    services.activity_create(access=access, activity_id=activity_id, **values)
                    report.created += 1
                else:
                    values.pop("type")  # a re-import keeps the type someone chose since
                    before = existing.updated_at
                    services.activity_update(access=access, activity=existing, **values)
                    if existing.updated_at != before:
                        report.updated += 1
                    else:
                        report.unchanged += 1
            except (ValidationError, PermissionDenied) as error:
                messages = (
                    "; ".join(" ".join(v) for v in error.message_dict.values())
                    if isinstance(error, ValidationError) and hasattr(error, "error_dict")
                    else " ".join(getattr(error, "messages", [str(error)]))
                )
                raise ValidationError(
                    _("The file is not imported: %(subject)s (UID %(uid)s): %(reason)s")
                    % {"subject": item.summary, "uid": item.uid, "reason": messages}
                ) from error
    return report
