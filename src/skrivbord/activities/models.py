"""Activities (Aktiviteter): meetings, calls, tasks… with their types, resources and participants.

Times are stored in UTC and shown in the company's time zone. An activity is timed
(`start`/`end`), all day (`start_date`/`end_date`) or only has a due date (`due_date`);
services.py enforces which combination is valid. Employees are named by their e-mail
address: users are not synchronised (DESIGN.md §2), and the e-mail is what identifies the
same person on the office and the online node.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.models import TenantModel


class ShowsIn(models.TextChoices):
    CALENDAR = "calendar", _("Calendar")
    TASKS = "tasks", _("Task list")


#: The default types of every company: key -> (name, shows in, colour). The key is stable
#: (the API's `type`); the name is translated unless the company gives its own.
DEFAULT_TYPES: dict[str, tuple[Any, str, str]] = {
    "meeting": (_("Meeting"), ShowsIn.CALENDAR, "#2f6fb0"),
    "call": (_("Phone call"), ShowsIn.CALENDAR, "#2e8b57"),
    "email": (_("E-mail"), ShowsIn.TASKS, "#7a5cb8"),
    "task": (_("Task"), ShowsIn.TASKS, "#c0392b"),
    "todo": (_("To-do"), ShowsIn.TASKS, "#d68910"),
    "letter": (_("Letter"), ShowsIn.TASKS, "#6d6d6d"),
    "other": (_("Other"), ShowsIn.CALENDAR, "#17a2b8"),
}
# Ids of the default types are derived from the company and the key, so that the office and
# the online copy of one company make the same rows and the first sync merges them.
DEFAULT_TYPE_NAMESPACE = uuid.UUID("0b0f5d6e-3c4a-5e1f-9a7b-2d6c8e4f1a30")


class ActivityType(TenantModel):
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=100, blank=True)
    shows_in = models.CharField(
        _("shows in"), max_length=10, choices=ShowsIn.choices, default=ShowsIn.CALENDAR
    )
    colour = models.CharField(_("colour"), max_length=7, default="#2f6fb0")
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["company", "key"], name="activitytype_company_key"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        default = DEFAULT_TYPES.get(self.key)
        return str(default[0]) if default else self.key


class ResourceKind(models.TextChoices):
    ROOM = "room", _("Meeting room")
    CAR = "car", _("Car")
    EQUIPMENT = "equipment", _("Equipment")
    OTHER = "other", _("Other")


class Resource(TenantModel):
    """Something booked with an activity: a meeting room, a car, a projector."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ResourceKind.choices, default=ResourceKind.ROOM
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Activity(TenantModel):
    type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="activities", verbose_name=_("type")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=20_000, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    start_date = models.DateField(_("first day"), null=True, blank=True)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    #: The responsible employee's e-mail address (users are not synchronised; see above).
    responsible = models.EmailField(_("responsible"), max_length=254, blank=True)
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("contact"),
    )
    # No database constraint: a contact person deleted on one node while the other linked an
    # activity to it must not stop the sync; a dangling id reads as "no contact person".
    contact_person = models.ForeignKey(
        ContactPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="activities",
        verbose_name=_("contact person"),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    private = models.BooleanField(_("private"), default=False)
    #: When it was marked done (for the history), set by the services.
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["start", "start_date", "due_date", "id"]
        indexes = [
            # The list's period and the calendar's week (part 2) by time, per company.
            models.Index(fields=["company", "start"], name="activity_company_start"),
            models.Index(fields=["company", "start_date"], name="activity_company_sdate"),
            models.Index(fields=["company", "due_date"], name="activity_company_due"),
            models.Index(fields=["company", "responsible", "start"], name="activity_company_resp"),
            models.Index(fields=["contact", "start"], name="activity_contact_start"),
        ]

    def __str__(self) -> str:
        return self.subject


class Participant(TenantModel):
    """An employee (by e-mail) or a resource taking part in an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    employee = models.EmailField(_("employee"), max_length=254, blank=True)
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("resource"),
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [
            # A week of one person's or one resource's activities (the common calendar).
            models.Index(fields=["company", "employee"], name="participant_company_employee"),
            models.Index(fields=["resource", "activity"], name="participant_resource"),
        ]

    def __str__(self) -> str:
        return self.employee or str(self.resource)


def synced_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The columns the sync engine carries: all but the id, the company and the timestamps."""
    skip = {"id", "company", "created_at", "updated_at"}
    return tuple(field.attname for field in model._meta.concrete_fields if field.name not in skip)


class CalendarFeed(models.Model):
    """A secret iCalendar feed URL: a user's own activities, or a contact's (seen through the
    user's rights). A user setting, not business data: not synchronised, one node's own.

    Only a SHA-256 of the token is stored and looked up; the token itself is an HMAC of the
    row's nonce under the installation's secret key, so the owner can be shown the URL again
    while a copy of the database alone reveals nothing (docs/decisions/0016).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="calendar_feeds")
    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    # No database constraint: contacts sync, and a feed must not hold up a contact's delete
    # arriving from the other node; a feed whose contact is gone answers 404.
    contact = models.ForeignKey(
        Contact,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    nonce = models.CharField(max_length=43, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} / {self.contact or '-'}"


class WorkingHours(TenantModel):
    """When the company works (one row per company; none: 08:00-17:00 Monday to Friday).

    Company configuration, synchronised both ways. The row's id is derived from the company
    (as the default types' are), so a row made at the office and one made online for the same
    company are the same row and merge field by field. Swedish public holidays are never
    working days, whatever the weekdays say.
    """

    #: ISO weekday digits of the working days, 1 = Monday … 7 = Sunday, e.g. "12345".
    weekdays = models.CharField(_("working days"), max_length=7, default="12345")
    # Wall-clock times as minutes after midnight: the sync engine carries numbers, dates and
    # datetimes, not times of day.
    day_start = models.PositiveSmallIntegerField(_("day starts"), default=8 * 60)
    day_end = models.PositiveSmallIntegerField(_("day ends"), default=17 * 60)
    lunch_start = models.PositiveSmallIntegerField(_("lunch starts"), null=True, blank=True)
    lunch_end = models.PositiveSmallIntegerField(_("lunch ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.UniqueConstraint(fields=["company"], name="workinghours_company"),
        ]

    def __str__(self) -> str:
        start, end = minutes_time(self.day_start), minutes_time(self.day_end)
        return f"{self.weekdays} {start:%H:%M}-{end:%H:%M}"


def minutes_time(minutes: int) -> datetime.time:
    """A wall-clock time from minutes after midnight (1440, the end of the day, is 23:59)."""
    minutes = max(0, min(minutes, 24 * 60 - 1))
    return datetime.time(minutes // 60, minutes % 60)


def time_minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute
