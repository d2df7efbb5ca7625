"""The next free slot of employees and resources, within the company's working hours.

Rights are the activities API's: a company the caller is not a member of answers 404; any
member, read-only too, may ask (it reads, and shows only times, never whose activity)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from skrivbord.activities import availability, selectors
from skrivbord.activities.timezones import company_timezone
from skrivbord.activities.views_availability import no_slot_message, too_long_message
from skrivbord.api.schemas import ErrorOut, ValidationErrorOut
from skrivbord.core.access import company_access

router = Router(tags=["Activities"])


class FreeSlotQuery(Schema):
    employee: list[str] = Field(
        default_factory=list,
        description="E-mail addresses of employees who must all be free (repeat the "
        "parameter for several). None given: the caller.",
    )
    resource: list[uuid.UUID] = Field(
        default_factory=list, description="Resources (ids) that must be free too."
    )
    duration: int = Field(default=60, ge=5, le=24 * 60, description="Minutes.")
    after: dt.datetime | None = Field(
        default=None,
        description="Search from this time (ISO 8601; without a zone: the company's). "
        "Default: now.",
    )
    horizon: int = Field(default=30, ge=1, le=366, description="How many days to look ahead.")


class FreeSlotOut(Schema):
    start: dt.datetime = Field(description="ISO 8601 in the company's time zone.")
    end: dt.datetime


@router.get(
    "/companies/{company_id}/activities/free-slot",
    response={
        200: FreeSlotOut,
        401: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="activity_free_slot",
    summary="Find the next free slot",
    description=(
        "The first start, on the quarter hour and within the company's working hours (not on "
        "a Swedish public holiday), from which all the given employees and resources are "
        "free for `duration` minutes: not responsible for or taking part in a planned or done "
        "activity then (all-day ones block the day; cancelled ones book nothing). 404 with a "
        "message when there is none within `horizon` days; 422 when the duration is longer "
        "than a working block of the day or an employee or resource is not the company's."
    ),
)
def free_slot(
    request: HttpRequest, company_id: uuid.UUID, query: Query[FreeSlotQuery]
) -> dict[str, dt.datetime]:
    access = company_access(request.auth, company_id, module="activities")  # type: ignore[attr-defined]
    zone = company_timezone(access.company)
    emails = [email.strip().lower() for email in query.employee if email.strip()]
    if not emails and not query.resource:
        emails = [access.user.email.lower()]
    errors: dict[str, list[str]] = {}
    known = {user.email.lower() for user in selectors.employees(access=access)}
    for email in emails:
        if email not in known:
            errors.setdefault("employee", []).append(
                _("%(email)s is not an employee of the company.") % {"email": email}
            )
    found = set(
        selectors.resource_list(access=access, active=None)
        .filter(id__in=query.resource)
        .values_list("id", flat=True)
    )
    if len(found) != len(set(query.resource)):
        errors.setdefault("resource", []).append(_("No such resource."))
    if errors:
        raise ValidationError(errors)
    after = query.after or timezone.now()
    if timezone.is_naive(after):
        after = after.replace(tzinfo=zone)
    try:
        slot = selectors.free_slot(
            access=access,
            employees=emails,
            resources=query.resource,
            duration=dt.timedelta(minutes=query.duration),
            after=after,
            horizon=dt.timedelta(days=query.horizon),
        )
    except availability.DurationTooLong as error:
        raise ValidationError({"duration": [too_long_message(error)]}) from error
    if slot is None:
        raise HttpError(404, no_slot_message(query.horizon))
    return {"start": slot.start.astimezone(zone), "end": slot.end.astimezone(zone)}
