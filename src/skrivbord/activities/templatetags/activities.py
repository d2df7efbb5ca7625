"""Template helpers of activities: when an activity is (in the company's time zone, in the
user's formats), whether the user sees its details, and the small includes for the contact
card and the Status page (they fetch their own data, so those pages' views stay as they are)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from skrivbord.activities import selectors
from skrivbord.activities.models import Activity
from skrivbord.activities.timezones import company_timezone

register = template.Library()


def _date(value: Any) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@register.filter
def when(activity: Activity) -> str:
    if activity.all_day and activity.start_date:
        if activity.end_date and activity.end_date != activity.start_date:
            return _("%(first)s–%(last)s, all day") % {  # noqa: RUF001
                "first": _date(activity.start_date),
                "last": _date(activity.end_date),
            }
        return _("%(day)s, all day") % {"day": _date(activity.start_date)}
    if activity.start:
        zone = company_timezone(activity.company)
        start = activity.start.astimezone(zone)
        end = (activity.end or activity.start).astimezone(zone)
        text = f"{_date(start)} {formats.time_format(start, 'H:i')}"
        if end.date() != start.date():
            return f"{text}–{_date(end)} {formats.time_format(end, 'H:i')}"  # noqa: RUF001
        if end != start:
            text += f"–{formats.time_format(end, 'H:i')}"  # noqa: RUF001
        return text
    if activity.due_date:
        return _("due %(day)s") % {"day": _date(activity.due_date)}
    return ""


@register.simple_tag(takes_context=True)
def sees(context: template.Context, activity: Activity) -> bool:
    access = getattr(context.get("request"), "access", None)
    return access is not None and selectors.can_see(activity, access)


@register.inclusion_tag("activities/_contact_card.html", takes_context=True)
def contact_activities(context: template.Context, contact: Any) -> dict[str, Any]:
    access = getattr(context.get("request"), "access", None)
    if access is None or not access.has("activities"):
        return {"shown": False}
    return {
        "shown": True,
        "request": context.get("request"),
        "company": access.company,
        "contact": contact,
        "can_write": access.can_write("activities"),
        **selectors.contact_activities(access=access, contact=contact),
    }


@register.inclusion_tag("activities/_status.html", takes_context=True)
def status_activities(context: template.Context) -> dict[str, Any]:
    access = getattr(context.get("request"), "access", None)
    if access is None or not access.has("activities"):
        return {"shown": False}
    return {
        "shown": True,
        "request": context.get("request"),
        "company": access.company,
        **selectors.status_activities(access=access),
    }


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None
