"""iCalendar (RFC 5545): write events and to-dos, and read them from other programs' files.

Built on the icalendar library. Reading is icalendar's parser throughout (line folding,
escapes, parameters, VTIMEZONE and Windows zone names). Writing uses icalendar's value types
for escaping and formatting, but assembles the content lines itself: icalendar's
`Component.to_ical()` costs ~130 µs an event (a 2,000-event feed ≈ 260 ms, over the 200 ms
budget), most of it in line folding and parameter objects for lines that need neither.
Every written calendar is parsed back by icalendar and vobject in the tests.

Recurrence on reading: an RRULE (with RDATE, EXDATE and RECURRENCE-ID overrides) is expanded
into single occurrences within a bounded window (`ReadLimits`); a rule that cannot be read
refuses the file. See docs/activities.md, "Import".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import icalendar
from dateutil import rrule  # type: ignore[import-untyped]
from icalendar.prop import vText

CRLF = "\r\n"
UTC = dt.UTC
SIMPLE_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


class IcsError(ValueError):
    """A file refused, with the reason in words a person can act on (permanent: retrying the
    same file gives the same answer)."""

    def __init__(self, message: str, *, uid: str = "") -> None:
        super().__init__(f"{message} (UID {uid})" if uid else message)
        self.message = message
        self.uid = uid


@dataclass(frozen=True)
class IcsItem:
    """One event or to-do. Times are aware datetimes; an all-day item has dates instead,
    with `end` the exclusive day after its last (as RFC 5545 has it)."""

    uid: str
    kind: str = "VEVENT"  # or "VTODO"
    summary: str = ""
    description: str = ""
    location: str = ""
    start: dt.datetime | dt.date | None = None
    end: dt.datetime | dt.date | None = None
    due: dt.datetime | dt.date | None = None
    status: str = ""  # RFC 5545 STATUS: CONFIRMED, TENTATIVE, CANCELLED, NEEDS-ACTION, COMPLETED
    sequence: int = 0
    last_modified: dt.datetime | None = None
    created: dt.datetime | None = None
    completed: dt.datetime | None = None
    priority: int = 0  # 1 highest … 9 lowest; 0 undefined
    private: bool = False
    categories: tuple[str, ...] = ()


# --- Writing ----------------------------------------------------------------------------------


def _text(value: str) -> str:
    return vText(value).to_ical().decode()


def _when(value: dt.datetime | dt.date) -> tuple[str, str]:
    """A property's parameters and value: UTC date-times, or DATE values."""
    if isinstance(value, dt.datetime):
        return "", value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return ";VALUE=DATE", value.strftime("%Y%m%d")


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets continue on the next line after a space,
    never splitting a UTF-8 character."""
    data = line.encode()
    if len(data) <= 75:
        return line + CRLF
    parts = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a continuation byte: go back
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
        limit = 74  # the leading space of a continuation counts
    parts.append(data.decode())
    return (CRLF + " ").join(parts) + CRLF


def _item_lines(item: IcsItem, stamp: str) -> Iterable[str]:
    yield f"BEGIN:{item.kind}"
    yield f"UID:{_text(item.uid)}"
    yield f"DTSTAMP:{stamp}"
    if item.start is not None:
        params, value = _when(item.start)
        yield f"DTSTART{params}:{value}"
    if item.kind == "VEVENT" and item.end is not None:
        params, value = _when(item.end)
        yield f"DTEND{params}:{value}"
    if item.kind == "VTODO" and item.due is not None:
        params, value = _when(item.due)
        yield f"DUE{params}:{value}"
    yield f"SUMMARY:{_text(item.summary)}"
    if item.description:
        yield f"DESCRIPTION:{_text(item.description)}"
    if item.location:
        yield f"LOCATION:{_text(item.location)}"
    if item.status:
        yield f"STATUS:{item.status}"
    if item.private:
        yield "CLASS:PRIVATE"
    if item.priority:
        yield f"PRIORITY:{item.priority}"
    if item.categories:
        yield "CATEGORIES:" + ",".join(_text(c) for c in item.categories)
    yield f"SEQUENCE:{item.sequence}"
    if item.created is not None:
        yield f"CREATED:{_when(item.created)[1]}"
    if item.last_modified is not None:
        yield f"LAST-MODIFIED:{_when(item.last_modified)[1]}"
    if item.completed is not None:
        yield f"COMPLETED:{_when(item.completed)[1]}"
    yield f"END:{item.kind}"


def write_calendar(
    items: Iterable[IcsItem],
    *,
    name: str = "",
    prodid: str = "-//skrivbord//skrivbord//EN",
    now: dt.datetime | None = None,
    refresh_minutes: int = 0,
) -> bytes:
    """A VCALENDAR of the items, as UTF-8 bytes with CRLF line ends and folded lines."""
    stamp = (now or dt.datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_text(prodid)}", "CALSCALE:GREGORIAN"]
    if name:
        lines.append(f"X-WR-CALNAME:{_text(name)}")
        lines.append(f"NAME:{_text(name)}")
    if refresh_minutes:
        # How often a subscribing program should fetch again (RFC 7986, and Outlook's own).
        lines.append(f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_minutes}M")
        lines.append(f"X-PUBLISHED-TTL:PT{refresh_minutes}M")
    out = [_fold(line) for line in lines]
    for item in items:
        out.extend(_fold(line) for line in _item_lines(item, stamp))
    out.append("END:VCALENDAR" + CRLF)
    return "".join(out).encode()


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = 5_000_000
    max_items: int = 5_000  # after expanding recurrences
    #: Occurrences of a repeating item are kept from `past_days` before to `future_days`
    #: after `today`; at most `max_occurrences` of one series.
    past_days: int = 366
    future_days: int = 2 * 366
    max_occurrences: int = 1_000
    #: Steps through a rule from its start (before the window) at most.
    max_steps: int = 100_000


@dataclass
class ReadResult:
    items: list[IcsItem] = field(default_factory=list)
    #: Things read but not imported, for the report to the person importing.
    skipped: list[str] = field(default_factory=list)


def _decoded(component: Any, name: str) -> Any:
    if name not in component:
        return None
    try:
        return component.decoded(name)
    except (ValueError, TypeError, KeyError) as error:
        raise IcsError(f"The {name} of an item cannot be read: {error}") from error


def _plain(component: Any, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _check_zone(value: Any, component: Any, name: str, uid: str) -> Any:
    """A date-time with a TZID must come back aware; naive means the zone was unknown."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        prop = component.get(name)
        tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
        if tzid:
            raise IcsError(f'The time zone "{tzid}" is unknown', uid=uid)
    return value


def _item_from(component: Any, *, uid: str, start: Any, end: Any) -> IcsItem:
    kind = component.name
    status = _plain(component, "STATUS").upper()
    categories: list[str] = []
    for prop in component.get("CATEGORIES", []) if "CATEGORIES" in component else []:
        cats = getattr(prop, "cats", None)
        if cats:
            categories.extend(str(c) for c in cats)
    priority = component.get("PRIORITY")
    try:
        priority_value = int(priority) if priority is not None else 0
    except (TypeError, ValueError):
        priority_value = 0
    sequence = component.get("SEQUENCE")
    try:
        sequence_value = int(sequence) if sequence is not None else 0
    except (TypeError, ValueError):
        sequence_value = 0
    due = None
    if kind == "VTODO":
        due = _check_zone(_decoded(component, "DUE"), component, "DUE", uid)
    return IcsItem(
        uid=uid,
        kind=kind,
        summary=_plain(component, "SUMMARY"),
        description=_plain(component, "DESCRIPTION"),
        location=_plain(component, "LOCATION"),
        start=start,
        end=end,
        due=due,
        status=status,
        sequence=sequence_value,
        last_modified=_aware(_decoded(component, "LAST-MODIFIED")),
        created=_aware(_decoded(component, "CREATED")),
        completed=_aware(_decoded(component, "COMPLETED")),
        priority=priority_value if 0 <= priority_value <= 9 else 0,
        private=_plain(component, "CLASS").upper() in {"PRIVATE", "CONFIDENTIAL"},
        categories=tuple(categories),
    )


def _aware(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _occurrence_key(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _dates(component: Any, name: str, uid: str) -> list[Any]:
    """The values of RDATE or EXDATE (each may occur more than once, each a list)."""
    found: list[Any] = []
    props = component.get(name)
    if props is None:
        return found
    for prop in props if isinstance(props, list) else [props]:
        for entry in getattr(prop, "dts", []):
            value = entry.dt
            if isinstance(value, tuple):  # a PERIOD: its start
                value = value[0]
            found.append(_check_zone(value, component, name, uid))
    return found


def _expand(
    component: Any,
    *,
    uid: str,
    start: Any,
    limits: ReadLimits,
    today: dt.date,
) -> list[Any] | None:
    """The starts of a repeating item's occurrences within the window, or None if it does
    not repeat."""
    if "RRULE" not in component and "RDATE" not in component:
        return None
    if start is None:
        raise IcsError("A repeating item needs a start (DTSTART)", uid=uid)
    first_day = today - dt.timedelta(days=limits.past_days)
    last_day = today + dt.timedelta(days=limits.future_days)
    occurrences: list[Any] = []
    rules = component.get("RRULE")
    for rule in (rules if isinstance(rules, list) else [rules]) if rules is not None else []:
        text = rule.to_ical().decode()
        frequency = str((rule.get("FREQ") or [""])[0]).upper()
        if frequency not in SIMPLE_FREQUENCIES:
            raise IcsError(
                f"Items repeating {frequency.lower() or 'without a frequency'} cannot be "
                "imported; only daily, weekly, monthly and yearly repeats are",
                uid=uid,
            )
        try:
            # dateutil wants UNTIL in the same kind as DTSTART (RFC 5545 §3.3.10 says so
            # too); Google writes a date-time UNTIL for all-day series, so it is aligned.
            anchor = (
                start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time())
            )
            parsed = rrule.rrulestr(text, dtstart=anchor, ignoretz=anchor.tzinfo is None)
            if anchor.tzinfo is not None and getattr(parsed, "_until", None) is not None:
                until = parsed._until
                if until.tzinfo is None:
                    parsed = parsed.replace(until=until.replace(tzinfo=anchor.tzinfo))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise IcsError(f"The repeat rule {text!r} cannot be read: {error}", uid=uid) from error
        window_start = dt.datetime.combine(first_day, dt.time(), anchor.tzinfo)
        window_end = dt.datetime.combine(last_day, dt.time(), anchor.tzinfo)
        found = []
        try:
            # Counted by hand rather than rrule.between(): a series that began long ago, or
            # a hostile rule, must not keep the server busy walking up to the window.
            for steps, moment in enumerate(parsed):
                if moment > window_end:
                    break
                if moment >= window_start:
                    found.append(moment)
                    if len(found) > limits.max_occurrences:
                        break
                if steps > limits.max_steps:
                    raise IcsError(
                        f"The repeat rule {text!r} has too many occurrences before the import "
                        "window to be imported",
                        uid=uid,
                    )
        except (ValueError, TypeError, OverflowError) as error:
            raise IcsError(f"The repeat rule {text!r} cannot be read: {error}", uid=uid) from error
        if len(found) > limits.max_occurrences:
            raise IcsError(
                f"The item repeats {len(found)} times within the import window; at most "
                f"{limits.max_occurrences} are imported",
                uid=uid,
            )
        for moment in found:
            occurrences.append(moment if isinstance(start, dt.datetime) else moment.date())
    for extra in _dates(component, "RDATE", uid):
        day = extra.date() if isinstance(extra, dt.datetime) else extra
        if first_day <= day <= last_day:
            if isinstance(start, dt.date) and not isinstance(start, dt.datetime):
                extra = day
            occurrences.append(extra)
    excluded = {_occurrence_key(value) for value in _dates(component, "EXDATE", uid)}
    excluded |= {
        _occurrence_key(value.date() if isinstance(value, dt.datetime) else value)
        for value in _dates(component, "EXDATE", uid)
        if not isinstance(start, dt.datetime)
    }
    unique: dict[str, Any] = {}
    for value in occurrences:
        key = _occurrence_key(value)
        if key not in excluded:
            unique.setdefault(key, value)
    return [unique[key] for key in sorted(unique)]


def read_calendar(
    data: bytes, *, limits: ReadLimits | None = None, today: dt.date | None = None
) -> ReadResult:
    """The events and to-dos of an .ics file, repeating ones expanded; IcsError if the file
    is refused (too big, not iCalendar, broken, an unknown zone or an unreadable rule)."""
    limits = limits or ReadLimits()
    today = today or dt.date.today()
    if len(data) > limits.max_bytes:
        raise IcsError(
            f"The file is {len(data) / 1_000_000:.1f} MB; at most "
            f"{limits.max_bytes / 1_000_000:.0f} MB can be imported"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # old Outlook exports
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise IcsError("This is not an iCalendar file: it does not begin with BEGIN:VCALENDAR")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise IcsError(f"The file cannot be read as iCalendar: {error}") from error
    if not calendars:
        raise IcsError("The file holds no calendar")
    result = ReadResult()
    masters: list[tuple[Any, str]] = []
    overrides: dict[str, dict[str, Any]] = {}
    for calendar in calendars:
        for component in calendar.walk():
            if component.name not in ("VEVENT", "VTODO"):
                continue
            uid = _plain(component, "UID")
            if not uid:
                raise IcsError(
                    "An item has no UID, so a second import could not recognise it; "
                    "the file is not imported"
                )
            if component.errors:
                name, problem = component.errors[0]
                raise IcsError(f"The {name} of an item is invalid: {problem}", uid=uid)
            if "RECURRENCE-ID" in component:
                recurrence = _check_zone(
                    _decoded(component, "RECURRENCE-ID"), component, "RECURRENCE-ID", uid
                )
                overrides.setdefault(uid, {})[_occurrence_key(recurrence)] = component
            else:
                masters.append((component, uid))
    for component, uid in masters:
        start = _check_zone(_decoded(component, "DTSTART"), component, "DTSTART", uid)
        end = _check_zone(_decoded(component, "DTEND"), component, "DTEND", uid)
        if end is None and "DURATION" in component and start is not None:
            duration = _decoded(component, "DURATION")
            if isinstance(duration, dt.timedelta):
                end = start + duration
        if component.name == "VEVENT" and start is None:
            result.skipped.append(f"{uid}: no start (DTSTART)")
            continue
        if (
            isinstance(start, dt.datetime)
            and isinstance(end, dt.date)
            and not isinstance(end, dt.datetime)
        ):
            raise IcsError("The start is a date-time but the end is a date", uid=uid)
        occurrences = _expand(component, uid=uid, start=start, limits=limits, today=today)
        if occurrences is None:
            result.items.append(_item_from(component, uid=uid, start=start, end=end))
        else:
            length = (end - start) if end is not None and start is not None else None
            changed = overrides.pop(uid, {})
            for occurrence in occurrences:
                key = _occurrence_key(occurrence)
                override = changed.get(key)
                item_uid = f"{uid}/{key}"
                if override is not None:
                    o_start = _check_zone(_decoded(override, "DTSTART"), override, "DTSTART", uid)
                    o_end = _check_zone(_decoded(override, "DTEND"), override, "DTEND", uid)
                    if o_end is None and length is not None and o_start is not None:
                        o_end = o_start + length
                    result.items.append(
                        _item_from(override, uid=item_uid, start=o_start, end=o_end)
                    )
                else:
                    o_end = occurrence + length if length is not None else None
                    result.items.append(
                        _item_from(component, uid=item_uid, start=occurrence, end=o_end)
                    )
            if not occurrences:
                result.skipped.append(f"{uid}: no occurrence within the import window")
        if len(result.items) > limits.max_items:
            raise IcsError(
                f"The file holds more than {limits.max_items} items (repeats counted); "
                "split it, or import a shorter period"
            )
    for uid, left in overrides.items():
        result.skipped.append(f"{uid}: {len(left)} changed occurrence(s) without their series")
    return result
