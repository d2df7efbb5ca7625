"""Demo data: Swedish-looking companies, customers, suppliers and contact persons.

Pure Python without Django: the same seed always gives the same data, so the demo, its tests
and screenshots agree. The loader (`skrivbord.demo.loader`) writes it through the services.

Organisation numbers are generated with a correct Luhn check digit in the number series of
their legal form (55… for limited companies, 96… for trading partnerships, 76… for economic
associations). A generated number may happen to belong to a real company; that is harmless
in a demo that never leaves the machine.
"""

from __future__ import annotations

import itertools
import random
import unicodedata
from dataclasses import dataclass

from stdnum import luhn

from skrivbord.demo.words import (
    ASSOCIATIONS,
    FIRST_NAMES,
    LAST_NAMES,
    MOBILE_PREFIXES,
    NATURE_PREFIXES,
    NATURE_SUFFIXES,
    NOTES,
    PARTNER_TRADES,
    PRIVATE_MAIL_DOMAINS,
    REGIONS,
    ROLE_MAILBOXES,
    SMALL_SHOPS,
    STREETS,
    TITLES,
    TOWN_WEIGHTS,
    TOWNS,
    TRADES,
    Town,
)

DEFAULT_SEED = 2026
DEFAULT_CONTACT_COUNT = 240
# Tries at a fresh unique name before telling a namesake apart (large data sets only).
_ATTEMPTS = 25


@dataclass(frozen=True)
class DemoPerson:
    """A contact person at an organisation."""

    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    mobile: str


@dataclass(frozen=True)
class DemoContact:
    """A customer and/or supplier: an organisation or a private person.

    The field names are those of `skrivbord.contacts.services.CONTACT_FIELDS`, so a contact
    becomes keyword arguments of `contact_create` with `contact_fields()`.
    """

    kind: str
    name: str
    org_number: str
    vat_number: str
    email: str
    phone: str
    website: str
    is_customer: bool
    is_supplier: bool
    is_active: bool
    postal_street: str
    postal_code: str
    postal_city: str
    visiting_street: str
    visiting_postal_code: str
    visiting_city: str
    notes: str
    persons: tuple[DemoPerson, ...] = ()

    def contact_fields(self) -> dict[str, str | bool]:
        return {
            "kind": self.kind,
            "name": self.name,
            "org_number": self.org_number,
            "vat_number": self.vat_number,
            "email": self.email,
            "phone": self.phone,
            "website": self.website,
            "is_customer": self.is_customer,
            "is_supplier": self.is_supplier,
            "is_active": self.is_active,
            "postal_street": self.postal_street,
            "postal_code": self.postal_code,
            "postal_city": self.postal_city,
            "visiting_street": self.visiting_street,
            "visiting_postal_code": self.visiting_postal_code,
            "visiting_city": self.visiting_city,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class DemoCompany:
    """A company that uses skrivbord (the demo user's own companies)."""

    name: str
    org_number: str
    email: str
    phone: str
    address: str  # "Street 1, 123 45 Town", as `company_create` takes it
    contact_count: int
    seed: int


def org_number(rng: random.Random, series: str) -> str:
    """A valid organisation number (NNNNNN-NNNN) in a series such as "556" or "969"."""
    body = series + "".join(str(rng.randrange(10)) for _ in range(9 - len(series)))
    number = body + luhn.calc_check_digit(body)
    return f"{number[:6]}-{number[6:]}"


def vat_number(organisation_number: str) -> str:
    """A Swedish VAT number: SE, the ten digits of the organisation number, and 01."""
    return "SE" + organisation_number.replace("-", "") + "01"


def _ascii(text: str) -> str:
    """'Fjällkraft El & VVS' -> 'fjallkraftelvvs', for e-mail addresses and domains."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in plain.lower() if char.isalnum())


def _phone(rng: random.Random, town: Town) -> str:
    """A landline number written the Swedish way: 08-123 45 67, 031-12 34 56, 0920-123 45."""
    subscriber_length = {2: 7, 3: 6, 4: 5}[len(town.area_code)]
    digits = str(rng.randrange(2, 10)) + "".join(
        str(rng.randrange(10)) for _ in range(subscriber_length - 1)
    )
    if subscriber_length == 7:
        grouped = f"{digits[:3]} {digits[3:5]} {digits[5:]}"
    elif subscriber_length == 6:
        grouped = f"{digits[:2]} {digits[2:4]} {digits[4:]}"
    else:
        grouped = f"{digits[:3]} {digits[3:]}"
    return f"{town.area_code}-{grouped}"


def _mobile(rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(7))
    return f"{rng.choice(MOBILE_PREFIXES)}-{digits[:3]} {digits[3:5]} {digits[5:]}"


def _postal_code(rng: random.Random, town: Town) -> str:
    return f"{rng.choice(town.postal_prefixes)} {rng.randrange(10, 100):02d}"


def _street(rng: random.Random) -> str:
    number = str(rng.randrange(1, 80))
    if rng.random() < 0.15:
        number += rng.choice("AB")
    return f"{rng.choice(STREETS)} {number}"


def _town(rng: random.Random) -> Town:
    return rng.choices(TOWNS, weights=TOWN_WEIGHTS)[0]


def _organisation_name(rng: random.Random, town: Town) -> tuple[str, str]:
    """A company name and the number series of its legal form."""
    roll = rng.random()
    if roll < 0.35:
        return f"{rng.choice(LAST_NAMES)} {rng.choice(TRADES)} AB", "559"
    if roll < 0.62:
        prefix = rng.choice(NATURE_PREFIXES) + rng.choice(NATURE_SUFFIXES)
        return f"{prefix} {rng.choice(TRADES)} AB", "556"
    if roll < 0.76:
        genitive = town.name if town.name.endswith("s") else town.name + "s"
        return f"{genitive} {rng.choice(TRADES)} AB", "559"
    if roll < 0.88:
        return f"{rng.choice(SMALL_SHOPS)} {rng.choice(FIRST_NAMES)} HB", "969"
    if roll < 0.95:
        first, second = rng.sample(LAST_NAMES, 2)
        return f"{first} & {second} {rng.choice(PARTNER_TRADES)} KB", "916"
    return f"{rng.choice(REGIONS)}bygdens {rng.choice(ASSOCIATIONS)}", "769"


def _distinguished(name: str, town: Town, attempt: int) -> str:
    """The name told apart from a namesake, as Swedish companies do: by town, then a number.

    Only large data sets (benchmarks) exhaust the word lists' combinations and get here.
    """
    base, form = name, ""
    if name.endswith((" AB", " HB", " KB")):
        base, form = name[:-3], name[-3:]
    place = f" i {town.name}" if town.name not in base else ""
    number = f" {attempt - 2 * _ATTEMPTS}" if attempt >= 2 * _ATTEMPTS else ""
    return f"{base}{place}{number}{form}"


def _person(rng: random.Random, domain: str, town: Town, used: set[str]) -> DemoPerson:
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if f"{first} {last}" not in used:
            used.add(f"{first} {last}")
            break
    return DemoPerson(
        first_name=first,
        last_name=last,
        title=rng.choice(TITLES),
        email=f"{_ascii(first)}.{_ascii(last)}@{domain}",
        phone=_phone(rng, town) if rng.random() < 0.6 else "",
        mobile=_mobile(rng) if rng.random() < 0.8 else "",
    )


def _organisation(rng: random.Random, used_names: set[str], used_numbers: set[str]) -> DemoContact:
    town = _town(rng)
    for attempt in itertools.count():
        name, series = _organisation_name(rng, town)
        if attempt >= _ATTEMPTS:
            name = _distinguished(name, town, attempt)
        if name not in used_names:
            used_names.add(name)
            break
    while True:
        number = org_number(rng, series)
        if number not in used_numbers:
            used_numbers.add(number)
            break
    domain = _ascii(name.rsplit(" ", 1)[0] if name.endswith((" AB", " HB", " KB")) else name)
    domain = domain[:40] + ".se"
    roll = rng.random()
    is_customer, is_supplier = (
        (True, False) if roll < 0.5 else (False, True) if roll < 0.8 else (True, True)
    )
    street, postal_code = _street(rng), _postal_code(rng, town)
    has_box = rng.random() < 0.2
    persons: set[str] = set()
    person_count = rng.choices((0, 1, 2, 3), weights=(1, 4, 3, 2))[0]
    return DemoContact(
        kind="organisation",
        name=name,
        org_number=number,
        vat_number=vat_number(number) if series in {"556", "559"} and rng.random() < 0.7 else "",
        email=f"{rng.choice(ROLE_MAILBOXES)}@{domain}",
        phone=_phone(rng, town),
        website=f"https://www.{domain}" if rng.random() < 0.7 else "",
        is_customer=is_customer,
        is_supplier=is_supplier,
        is_active=rng.random() >= 0.06,
        postal_street=f"Box {rng.randrange(100, 9999)}" if has_box else street,
        postal_code=_postal_code(rng, town) if has_box else postal_code,
        postal_city=town.name,
        visiting_street=street if has_box else "",
        visiting_postal_code=postal_code if has_box else "",
        visiting_city=town.name if has_box else "",
        notes=rng.choice(NOTES) if rng.random() < 0.3 else "",
        persons=tuple(_person(rng, domain, town, persons) for _ in range(person_count)),
    )


def _private_person(rng: random.Random, used_names: set[str]) -> DemoContact:
    town = _town(rng)
    for attempt in itertools.count():
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if attempt >= _ATTEMPTS:  # a middle name, as many Swedes have
            first = f"{first} {rng.choice(FIRST_NAMES)}"
        if attempt >= 2 * _ATTEMPTS:  # a double surname
            last = f"{last} {rng.choice(LAST_NAMES)}"
        if attempt >= 3 * _ATTEMPTS:
            last = f"{last} {attempt}"
        name = f"{first} {last}"
        if name not in used_names:
            used_names.add(name)
            break
    mailbox = f"{_ascii(first)}.{_ascii(last)}{rng.randrange(10, 99)}"
    return DemoContact(
        kind="person",
        name=name,
        org_number="",
        vat_number="",
        email=f"{mailbox}@{rng.choice(PRIVATE_MAIL_DOMAINS)}",
        phone=_mobile(rng),
        website="",
        is_customer=True,
        is_supplier=False,
        is_active=rng.random() >= 0.06,
        postal_street=_street(rng),
        postal_code=_postal_code(rng, town),
        postal_city=town.name,
        visiting_street="",
        visiting_postal_code="",
        visiting_city="",
        notes=rng.choice(NOTES) if rng.random() < 0.2 else "",
    )


def generate_contacts(
    count: int = DEFAULT_CONTACT_COUNT, *, seed: int = DEFAULT_SEED
) -> tuple[DemoContact, ...]:
    """`count` contacts with unique names and organisation numbers, about one in ten a person."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not secrets
    used_names: set[str] = set()
    used_numbers: set[str] = set()
    contacts = []
    for _ in range(count):
        if rng.random() < 0.1:
            contacts.append(_private_person(rng, used_names))
        else:
            contacts.append(_organisation(rng, used_names, used_numbers))
    return tuple(contacts)


def _own_company(
    name: str, series: str, town: Town, *, seed: int, contact_count: int
) -> DemoCompany:
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not secrets
    domain = _ascii(name.removesuffix(" AB")) + ".se"
    return DemoCompany(
        name=name,
        org_number=org_number(rng, series),
        email=f"info@{domain}",
        phone=_phone(rng, town),
        address=f"{_street(rng)}, {_postal_code(rng, town)} {town.name}",
        contact_count=contact_count,
        seed=seed,
    )


DEMO_COMPANY = _own_company(
    "Demoföretaget AB", "559", TOWNS[0], seed=DEFAULT_SEED, contact_count=DEFAULT_CONTACT_COUNT
)
# A second, small company in which the demo user may only read: it makes the company switcher
# and the read-only role visible in the demo.
SECOND_COMPANY = _own_company(
    "Dotterbolaget Norr AB", "556", TOWNS[9], seed=DEFAULT_SEED + 1, contact_count=12
)
