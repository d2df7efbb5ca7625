"""What `skrivbord demo` does inside one node's own process (settings are per process).

The demo's parent process runs each step as `skrivbord demo --node office|online --step ...`
in that node's environment and reads the `key=value` lines the step prints (`NodeState`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from skrivbord.core.models import Company
from skrivbord.demo.books import demo_books_load
from skrivbord.demo.calendar import demo_calendar_load, demo_employees_ensure
from skrivbord.demo.loader import DEMO_PASSWORD, demo_load, demo_load_online
from skrivbord.sync import lease, pairing
from skrivbord.sync.models import SyncLink


@dataclass(frozen=True)
class NodeState:
    """One node's demo company, and which company of the other node it is paired with."""

    company_id: uuid.UUID
    #: The other node's company this one is linked to, or None when not connected.
    paired_with: uuid.UUID | None
    #: The demo user still has the demo password on this node.
    password_ok: bool
    contacts_created: int = 0
    persons_created: int = 0
    #: Company names, for the person watching the demo start.
    companies: str = ""
    #: Vouchers of the demo books imported by this step (0: the books were there), and how
    #: long writing and importing them took.
    vouchers_created: int = 0
    books_seconds: float = 0.0
    #: Activities of the demo calendar written by this step (0: the calendar was there).
    activities_created: int = 0

    def lines(self) -> list[str]:
        return [
            f"company_id={self.company_id}",
            f"paired_with={self.paired_with or ''}",
            f"password_ok={int(self.password_ok)}",
            f"contacts_created={self.contacts_created}",
            f"persons_created={self.persons_created}",
            f"companies={self.companies}",
            f"vouchers_created={self.vouchers_created}",
            f"books_seconds={self.books_seconds:.2f}",
            f"activities_created={self.activities_created}",
        ]

    @classmethod
    def parse(cls, output: str) -> NodeState:
        values = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
        try:
            return cls(
                company_id=uuid.UUID(values["company_id"]),
                paired_with=uuid.UUID(values["paired_with"]) if values["paired_with"] else None,
                password_ok=values["password_ok"] == "1",  # noqa: S105 (a flag, not a password)
                contacts_created=int(values["contacts_created"]),
                persons_created=int(values["persons_created"]),
                companies=values["companies"],
                vouchers_created=int(values["vouchers_created"]),
                books_seconds=float(values["books_seconds"]),
                activities_created=int(values.get("activities_created", "0")),
            )
        except (KeyError, ValueError) as error:
            raise ValueError(f"Unexpected answer from a demo node: {output!r}") from error


def office_prepare(*, online_url: str) -> NodeState:
    """The office's demo data (the master copy: contacts and books), and its link kept
    pointing at `online_url`."""
    summary = demo_load()
    books = demo_books_load(company=summary.company)
    calendar = demo_calendar_load(company=summary.company, user=summary.user)
    link = SyncLink.objects.filter(company=summary.company).first()
    if link is not None:
        if link.remote_url != online_url:
            # The demo was started on another port last time; the pairing itself still holds.
            SyncLink.objects.filter(id=link.id).update(remote_url=online_url)
        if link.agent_id is not None:
            # An agent of an earlier demo that was killed: no other demo runs on this data
            # directory (the parent holds its lock), so the lease is stale; do not make the
            # new agent wait for it to expire.
            lease.release(link, link.agent_id)
    return NodeState(
        company_id=summary.company.id,
        paired_with=link.remote_company_id if link is not None else None,
        password_ok=summary.user.check_password(DEMO_PASSWORD),
        contacts_created=summary.contacts_created,
        persons_created=summary.persons_created,
        companies=f"{summary.company.name} and {summary.second_company.name}",
        vouchers_created=books.vouchers,
        books_seconds=books.seconds,
        activities_created=calendar.activities,
    )


def online_prepare() -> NodeState:
    """The online demo company and its user; the contacts come from the office by sync."""
    summary = demo_load_online()
    # People are not synchronised: the employees named in the calendar are members here too.
    demo_employees_ensure(company=summary.company)
    link = SyncLink.objects.filter(company=summary.company).first()
    return NodeState(
        company_id=summary.company.id,
        paired_with=link.remote_company_id if link is not None else None,
        password_ok=summary.user.check_password(DEMO_PASSWORD),
        companies=summary.company.name,
    )


def unpair(*, company_id: uuid.UUID, node: str) -> None:
    """End this node's half of a pairing whose other half is gone (a data directory deleted).

    On the office this only forgets the link (its data stays); online it removes the copy of
    the synchronised data too, which the next sync brings back.
    """
    company = Company.objects.get(id=company_id)
    if node == "office":
        pairing.connection_forget(company=company)
    else:
        pairing.online_disconnect(company=company)
