"""skrivbord company_create: create a company; prints its id as the last line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser, no_translations

from skrivbord.core import services
from skrivbord.core.management.commands._util import command_error

OPTIONS = {
    "name": "--name",
    "org_number": "--orgnr",
    "email": "--email",
    "phone": "--phone",
    "street": "--address",
    "postal_code": "--address",
    "city": "--address",
    "fiscal_year_start_month": "--fiscal-year-start-month",
}


class Command(BaseCommand):
    help = "Create a company. Prints the new company's id as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The company's name.")
        parser.add_argument(
            "--orgnr", default="", help="Swedish organisation number, e.g. 556036-0793."
        )
        parser.add_argument("--email", default="", help="The company's e-mail address.")
        parser.add_argument("--phone", default="", help="The company's phone number.")
        parser.add_argument(
            "--address", default="", help='Postal address: "Storgatan 1, 123 45 Stockholm".'
        )
        parser.add_argument(
            "--fiscal-year-start-month",
            type=int,
            default=1,
            metavar="MONTH",
            help="First month of the fiscal year, 1-12 (default 1, the calendar year).",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            company = services.company_create(
                name=options["name"],
                org_number=options["orgnr"],
                email=options["email"],
                phone=options["phone"],
                address=options["address"],
                fiscal_year_start_month=options["fiscal_year_start_month"],
            )
        except ValidationError as error:
            raise command_error(error, OPTIONS) from error
        described = f"{company.name} ({company.org_number})" if company.org_number else company.name
        self.stdout.write(f"Created company {described}.")
        self.stdout.write(str(company.id))
