from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase

from skrivbord.core.models import Company


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("company_create", *args, stdout=out)
    return out.getvalue().splitlines()


class CompanyCreateTests(TestCase):
    def test_it_creates_the_company_and_prints_its_id_last(self) -> None:
        lines = run(
            "--name",
            "Nordin Bygg AB",
            "--orgnr",
            "5560360793",
            "--email",
            "info@nordinbygg.se",
            "--phone",
            "08-123 45 67",
            "--address",
            "Storgatan 1, 123 45 Stockholm",
            "--fiscal-year-start-month",
            "7",
        )
        company = Company.objects.get(id=uuid.UUID(lines[-1]))
        assert company.name == "Nordin Bygg AB"
        assert company.org_number == "556036-0793"
        assert (company.street, company.postal_code, company.city) == (
            "Storgatan 1",
            "123 45",
            "Stockholm",
        )
        assert company.email == "info@nordinbygg.se"
        assert company.phone == "08-123 45 67"
        assert company.fiscal_year_start_month == 7
        assert lines[0] == "Created company Nordin Bygg AB (556036-0793)."

    def test_it_needs_only_a_name(self) -> None:
        lines = run("--name", "Kafé Linnea HB")
        company = Company.objects.get(id=lines[-1])
        assert (company.org_number, company.fiscal_year_start_month) == ("", 1)

    def test_it_refuses_a_wrong_check_digit_with_the_validators_message(self) -> None:
        with pytest.raises(CommandError) as raised:
            run("--name", "Nordin Bygg AB", "--orgnr", "556036-0794")
        assert str(raised.value) == (
            "--orgnr: 556036-0794 is not a valid Swedish organisation number: "
            "the check digit is wrong."
        )
        assert not Company.objects.exists()

    def test_it_refuses_a_month_outside_the_year(self) -> None:
        with pytest.raises(CommandError, match="--fiscal-year-start-month: The month must be"):
            run("--name", "Nordin Bygg AB", "--fiscal-year-start-month", "13")
        assert not Company.objects.exists()

    def test_it_refuses_a_blank_name(self) -> None:
        with pytest.raises(CommandError, match=r"--name: A company needs a name\."):
            run("--name", "  ")
        assert not Company.objects.exists()

    def test_it_refuses_an_invalid_email_address(self) -> None:
        with pytest.raises(CommandError, match="--email: "):
            run("--name", "Nordin Bygg AB", "--email", "not-an-address")
        assert not Company.objects.exists()

    def test_it_requires_a_name(self) -> None:
        with pytest.raises(CommandError, match="--name"):
            run("--orgnr", "5560360793")
