"""skrivbord user_create: create a user with a role in a company, or give a user another company.

A new user needs a password: `--password P`, `--password-file F`, or `--password -` to read it
from standard input (prompted without echo on a terminal), so it need not appear in the shell
history or the process list. An existing user (same e-mail) gets the membership added or its
role changed, and nothing else: their password, name and language stay as they are.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.db import transaction

from skrivbord.core import services
from skrivbord.core.management.commands._util import command_error, company_from_option
from skrivbord.core.models import Company, Language, Membership, Role, User

OPTIONS = {
    "email": "--email",
    "password": "--password",
    "full_name": "--name",
    "language": "--language",
    "role": "--role",
}


class Command(BaseCommand):
    help = (
        "Create a user who is a member of a company with a role, or add a company to an "
        "existing user (same e-mail address)."
    )
    # Tests pass a file-like object as `stdin` to stand in for standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--email", required=True, help="E-mail address; the user logs in with it."
        )
        secret = parser.add_mutually_exclusive_group()
        secret.add_argument(
            "--password",
            help='The password, or "-" to read it from standard input (safer: not in the shell '
            "history).",
        )
        secret.add_argument(
            "--password-file", type=Path, metavar="FILE", help="Read the password from FILE."
        )
        parser.add_argument("--company", required=True, metavar="ID", help="The company's id.")
        parser.add_argument("--role", required=True, choices=Role.values, help="The user's role.")
        parser.add_argument("--name", help='Full name, e.g. "Anna Andersson".')
        parser.add_argument(
            "--language",
            choices=Language.values,
            help="Language of the user interface (default sv).",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        company = company_from_option(options["company"])
        email = options["email"].strip()
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            self._add_membership(existing, company, options)
            return
        password = self._password(options)
        with transaction.atomic():
            try:
                user = services.user_create(
                    email=email,
                    password=password,
                    full_name=(options["name"] or "").strip(),
                    language=options["language"] or Language.SWEDISH,
                )
                services.membership_set(user=user, company=company, role=options["role"])
            except ValidationError as error:
                # Only the password validators raise errors that name no field.
                raise command_error(error, OPTIONS, unnamed="--password") from error
        self.stdout.write(
            f"Created user {user.email}, {Role(options['role']).label.lower()} of {company.name}."
        )

    def _add_membership(self, user: User, company: Company, options: dict[str, Any]) -> None:
        given = [
            option
            for option, key in (
                ("--password", "password"),
                ("--password-file", "password_file"),
                ("--name", "name"),
                ("--language", "language"),
            )
            if options.get(key) is not None
        ]
        if given:
            raise CommandError(
                f"There is already a user with the e-mail address {user.email}. This command "
                "does not change an existing user's details; run it without "
                f"{', '.join(given)} to add or change their membership of {company.name}."
            )
        previous = Membership.objects.filter(user=user, company=company).first()
        try:
            services.membership_set(user=user, company=company, role=options["role"])
        except ValidationError as error:
            raise command_error(error, OPTIONS) from error
        role = Role(options["role"]).label.lower()
        if previous is None:
            self.stdout.write(
                f"The user {user.email} already existed and is now also {role} of {company.name}."
            )
        elif previous.role == options["role"]:
            self.stdout.write(f"The user {user.email} already is {role} of {company.name}.")
        else:
            previous_role = Role(previous.role).label.lower()
            self.stdout.write(
                f"The user {user.email} is now {role} of {company.name} (was {previous_role})."
            )

    def _password(self, options: dict[str, Any]) -> str:
        if options.get("password_file") is not None:
            path: Path = options["password_file"]
            try:
                password = path.read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(
                    f"Cannot read the password file {path}: {error.strerror}."
                ) from error
            password = password.rstrip("\r\n")
        elif options.get("password") == "-":
            stdin = options.get("stdin") or sys.stdin
            if stdin.isatty():
                password = getpass.getpass("Password: ")
            else:
                password = stdin.readline().rstrip("\r\n")
        elif options.get("password") is not None:
            password = options["password"]
        else:
            raise CommandError(
                "A new user needs a password: give --password, --password-file FILE, or "
                "--password - to read it from standard input."
            )
        if not password:
            raise CommandError("The password is empty.")
        return password
