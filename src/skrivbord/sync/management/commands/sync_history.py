"""skrivbord sync_history: list a company's sync sessions, as a table or as JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from skrivbord.core.management.commands._util import company_from_option
from skrivbord.core.models import Company
from skrivbord.sync import history
from skrivbord.sync.models import SyncSession

COLUMNS = (
    ("Start", 19),
    ("End", 19),
    ("Duration", 12),
    ("Outcome", 8),
    ("Sent", 7),
    ("Received", 8),
    ("Bytes sent", 11),
    ("Bytes recv", 11),
    ("Conflicts", 9),
    ("Errors", 6),
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value} is not a date; write it as YYYY-MM-DD.") from error


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def session_json(row: history.SessionRow) -> dict[str, Any]:
    session = row.session
    return {
        "id": str(session.id),
        "exchange_id": str(session.exchange_id) if session.exchange_id else None,
        "started_at": _iso(session.started_at),
        "ended_at": _iso(session.ended_at),
        "duration_seconds": history.duration_seconds(session),
        "outcome": session.outcome,
        "counts": {
            entity.label: {
                "sent": entity.sent,
                "received": entity.received,
                "applied": entity.applied,
            }
            for entity in row.entities
        },
        "bytes_sent": session.bytes_sent,
        "bytes_received": session.bytes_received,
        "conflicts": session.conflicts,
        "errors": row.errors,
    }


class Command(BaseCommand):
    help = (
        "List a company's sync sessions (the sync history), newest first: start, end, "
        "duration, outcome, changes per entity and direction, bytes, conflicts and errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, metavar="ID", help="The company's id.")
        parser.add_argument("--format", choices=("table", "json"), default="table")
        parser.add_argument(
            "--since", type=_date, metavar="YYYY-MM-DD", help="Sessions started on or after."
        )
        parser.add_argument(
            "--until", type=_date, metavar="YYYY-MM-DD", help="Sessions started on or before."
        )
        parser.add_argument("--outcome", choices=SyncSession.Outcome.values)
        parser.add_argument(
            "--limit",
            type=int,
            default=50,
            metavar="N",
            help="Show at most N sessions (default 50; 0 shows all).",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        company = company_from_option(options["company"])
        if options["limit"] < 0:
            raise CommandError("--limit must be 0 (all) or more.")
        sessions = history.company_session_list(
            company=company,
            since=options["since"],
            until=options["until"],
            outcome=options["outcome"],
        )
        if options["limit"]:
            sessions = sessions[: options["limit"]]
        rows = history.session_rows(list(sessions))
        if options["format"] == "json":
            self.stdout.write(json.dumps([session_json(row) for row in rows], indent=2))
            return
        self._table(company, rows)

    def _table(self, company: Company, rows: list[history.SessionRow]) -> None:
        if not rows:
            self.stdout.write(f"No sync sessions for {company.name} match.")
            return
        self.stdout.write("  ".join(title.ljust(width) for title, width in COLUMNS).rstrip())
        for row in rows:
            session = row.session
            cells = (
                _local(session.started_at),
                _local(session.ended_at) or "running",
                row.duration,
                session.outcome,
                str(row.sent),
                str(row.received),
                filesizeformat(session.bytes_sent).replace("\xa0", " "),
                filesizeformat(session.bytes_received).replace("\xa0", " "),
                str(session.conflicts),
                str(len(row.errors)),
            )
            widths = [width for _title, width in COLUMNS]
            line = "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            self.stdout.write(line.rstrip())
            for entity in row.entities:
                self.stdout.write(
                    f"    {entity.label}: sent {entity.sent}, received {entity.received}, "
                    f"applied {entity.applied}"
                )
            for error in row.errors:
                self.stdout.write(f"    error: {error}")
