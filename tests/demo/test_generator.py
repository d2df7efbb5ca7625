"""The demo data generator: pure, deterministic, and every number in it valid."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from stdnum.eu import vat
from stdnum.se import orgnr

from skrivbord.contacts.services import CONTACT_FIELDS
from skrivbord.demo.generator import (
    DEMO_COMPANY,
    SECOND_COMPANY,
    generate_contacts,
    org_number,
    vat_number,
)

CONTACTS = generate_contacts()
ORGANISATIONS = [contact for contact in CONTACTS if contact.kind == "organisation"]
PERSONS = [contact for contact in CONTACTS if contact.kind == "person"]
POSTAL_CODE = re.compile(r"^\d{3} \d{2}$")
# 08-123 45 67, 031-12 34 56, 0920-123 45, 070-123 45 67
PHONE = re.compile(r"^0\d{1,3}-\d{2,3}( \d{2,3})+$")


def is_email(value: str) -> bool:
    try:
        EmailValidator()(value)
    except ValidationError:
        return False
    return True


def test_it_makes_at_least_200_contacts() -> None:
    assert len(CONTACTS) == 240
    assert len(generate_contacts(500)) == 500


def test_every_organisation_number_is_valid_and_unique() -> None:
    numbers = [contact.org_number for contact in ORGANISATIONS]
    assert all(orgnr.is_valid(number) for number in numbers)
    assert all(re.fullmatch(r"\d{6}-\d{4}", number) for number in numbers)
    assert len(set(numbers)) == len(numbers)
    assert orgnr.is_valid(DEMO_COMPANY.org_number)
    assert orgnr.is_valid(SECOND_COMPANY.org_number)


def test_organisation_numbers_follow_the_legal_form() -> None:
    for contact in ORGANISATIONS:
        if contact.name.endswith(" AB"):
            assert contact.org_number.startswith("55"), contact
        elif contact.name.endswith((" HB", " KB")):
            assert contact.org_number.startswith("9"), contact


def test_vat_numbers_are_valid_and_belong_to_the_organisation() -> None:
    with_vat = [contact for contact in ORGANISATIONS if contact.vat_number]
    assert len(with_vat) > 50
    for contact in with_vat:
        assert vat.is_valid(contact.vat_number)
        assert contact.vat_number == "SE" + contact.org_number.replace("-", "") + "01"


def test_org_number_computes_the_luhn_check_digit() -> None:
    import random

    rng = random.Random(1)
    assert all(orgnr.is_valid(org_number(rng, "556")) for _ in range(1000))
    assert vat_number("556036-0793") == "SE556036079301"


def test_it_is_deterministic() -> None:
    assert generate_contacts() == CONTACTS
    assert generate_contacts(seed=7) == generate_contacts(seed=7)
    assert generate_contacts(seed=7) != CONTACTS


def test_it_mixes_customers_suppliers_persons_and_inactive_contacts() -> None:
    roles = Counter((contact.is_customer, contact.is_supplier) for contact in ORGANISATIONS)
    assert roles[(True, False)] > 50
    assert roles[(False, True)] > 30
    assert roles[(True, True)] > 10
    assert len(PERSONS) >= 10
    assert 3 <= sum(not contact.is_active for contact in CONTACTS) <= 30


def test_persons_have_no_organisation_number_and_no_contact_persons() -> None:
    for person in PERSONS:
        assert (person.org_number, person.vat_number, person.persons) == ("", "", ())
        assert len(person.name.split()) == 2


def test_most_organisations_have_one_to_three_contact_persons() -> None:
    counts = Counter(len(contact.persons) for contact in ORGANISATIONS)
    assert set(counts) <= {0, 1, 2, 3}
    assert counts[0] < len(ORGANISATIONS) / 4
    for contact in ORGANISATIONS:
        names = [(person.first_name, person.last_name) for person in contact.persons]
        assert len(set(names)) == len(names)
        for person in contact.persons:
            assert all((person.first_name, person.last_name, person.title))
            assert is_email(person.email)
            assert person.email.endswith("@" + contact.email.split("@")[1])


def test_names_are_unique() -> None:
    names = [contact.name for contact in CONTACTS]
    assert len(set(names)) == len(names)


def test_addresses_phones_emails_and_websites_look_swedish_and_valid() -> None:
    for contact in CONTACTS:
        assert POSTAL_CODE.match(contact.postal_code), contact.postal_code
        assert all((contact.postal_street, contact.postal_city))
        assert PHONE.match(contact.phone), contact.phone
        assert is_email(contact.email), contact.email
        if contact.website:
            URLValidator()(contact.website)
        if contact.visiting_street:
            assert POSTAL_CODE.match(contact.visiting_postal_code)
        for person in contact.persons:
            for number in (person.phone, person.mobile):
                assert not number or PHONE.match(number), number


def test_contact_fields_are_what_the_contacts_service_takes() -> None:
    assert set(CONTACTS[0].contact_fields()) <= set(CONTACT_FIELDS)


def test_the_generator_does_not_need_django() -> None:
    code = (
        "import sys, skrivbord.demo.generator as g; g.generate_contacts(); "
        "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, timeout=30)  # noqa: S603
    assert result.returncode == 0


def test_large_data_sets_keep_names_and_numbers_unique() -> None:
    # Benchmarks generate far more contacts than the word lists have combinations.
    contacts = generate_contacts(20_000, seed=3)
    assert len({contact.name for contact in contacts}) == 20_000
    numbers = [contact.org_number for contact in contacts if contact.org_number]
    assert len(set(numbers)) == len(numbers)
    assert any(" i " in contact.name for contact in contacts)
