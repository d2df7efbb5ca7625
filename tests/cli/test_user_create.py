from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from skrivbord.core.models import Membership, Role, User
from tests.base import PASSWORD, BaseTestCase

STRONG = "Blåbärssoppa i Mora 2026"


def run(*args: str, stdin: str | None = None) -> list[str]:
    out = StringIO()
    extra = {"stdin": StringIO(stdin)} if stdin is not None else {}
    call_command("user_create", *args, stdout=out, **extra)
    return out.getvalue().splitlines()


class UserCreateTests(BaseTestCase):
    def new_user_args(self, *extra: str) -> list[str]:
        return ["--email", "dave@acme.se", "--company", str(self.acme.id), "--role", "user", *extra]

    def test_it_creates_a_member_who_can_log_in(self) -> None:
        lines = run(
            *self.new_user_args("--password", STRONG, "--name", "Dave Dahl", "--language", "en")
        )
        dave = User.objects.get(email="dave@acme.se")
        assert dave.check_password(STRONG)
        assert (dave.full_name, dave.language, dave.default_company) == (
            "Dave Dahl",
            "en",
            self.acme,
        )
        assert Membership.objects.get(user=dave, company=self.acme).role == Role.USER
        assert lines == ["Created user dave@acme.se, user of Acme AB."]
        response = self.client.post(
            reverse("login"), {"username": "dave@acme.se", "password": STRONG}
        )
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_a_new_user_speaks_swedish_by_default(self) -> None:
        run(*self.new_user_args("--password", STRONG))
        assert User.objects.get(email="dave@acme.se").language == "sv"

    def test_it_reads_the_password_from_a_file(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "password"
            path.write_text(STRONG + "\n", encoding="utf-8")
            run(*self.new_user_args("--password-file", str(path)))
        assert User.objects.get(email="dave@acme.se").check_password(STRONG)

    def test_it_reads_the_password_from_standard_input(self) -> None:
        run(*self.new_user_args("--password", "-"), stdin=STRONG + "\n")
        assert User.objects.get(email="dave@acme.se").check_password(STRONG)

    def test_it_refuses_a_weak_password_and_creates_nothing(self) -> None:
        with pytest.raises(CommandError, match="--password: This password is too short"):
            run(*self.new_user_args("--password", "abc"))
        assert not User.objects.filter(email="dave@acme.se").exists()

    def test_it_refuses_a_new_user_without_a_password(self) -> None:
        with pytest.raises(CommandError, match="A new user needs a password"):
            run(*self.new_user_args())
        assert not User.objects.filter(email="dave@acme.se").exists()

    def test_it_refuses_an_empty_password_from_standard_input(self) -> None:
        with pytest.raises(CommandError, match=r"The password is empty\."):
            run(*self.new_user_args("--password", "-"), stdin="\n")

    def test_it_refuses_a_missing_password_file(self) -> None:
        with pytest.raises(CommandError, match="Cannot read the password file"):
            run(*self.new_user_args("--password-file", "/nonexistent/password"))

    def test_it_refuses_an_unknown_company(self) -> None:
        for company in ("0190a1b2-0000-7000-8000-000000000000", "acme"):
            with pytest.raises(CommandError, match=f"There is no company with the id {company}."):
                run(
                    "--email",
                    "dave@acme.se",
                    "--password",
                    STRONG,
                    "--company",
                    company,
                    "--role",
                    "user",
                )
        assert not User.objects.filter(email="dave@acme.se").exists()

    def test_it_refuses_an_unknown_role(self) -> None:
        with pytest.raises(CommandError, match="--role"):
            run(
                "--email",
                "dave@acme.se",
                "--password",
                STRONG,
                "--company",
                str(self.acme.id),
                "--role",
                "owner",
            )

    def test_it_refuses_an_invalid_email_address(self) -> None:
        with pytest.raises(CommandError, match="--email: "):
            run(
                "--email",
                "dave-at-acme",
                "--password",
                STRONG,
                "--company",
                str(self.acme.id),
                "--role",
                "user",
            )
        assert not User.objects.filter(email="dave-at-acme").exists()

    def test_it_gives_an_existing_user_another_company(self) -> None:
        lines = run(
            "--email", "Bob@acme.se", "--company", str(self.umbrella.id), "--role", "read-only"
        )
        assert Membership.objects.get(user=self.bob, company=self.umbrella).role == Role.READ_ONLY
        assert Membership.objects.get(user=self.bob, company=self.acme).role == Role.USER
        assert lines == [
            "The user bob@acme.se already existed and is now also read only of Umbrella AB."
        ]
        self.bob.refresh_from_db()
        assert self.bob.check_password(PASSWORD)
        assert self.bob.default_company == self.acme

    def test_it_changes_an_existing_members_role(self) -> None:
        lines = run(
            "--email", "bob@acme.se", "--company", str(self.acme.id), "--role", "administrator"
        )
        assert Membership.objects.get(user=self.bob, company=self.acme).role == Role.ADMINISTRATOR
        assert lines == ["The user bob@acme.se is now administrator of Acme AB (was user)."]

    def test_it_says_when_nothing_changes(self) -> None:
        lines = run("--email", "bob@acme.se", "--company", str(self.acme.id), "--role", "user")
        assert lines == ["The user bob@acme.se already is user of Acme AB."]

    def test_it_never_changes_an_existing_users_password(self) -> None:
        with pytest.raises(
            CommandError, match=r"There is already a user with the e-mail address bob@acme\.se\."
        ) as raised:
            run(
                "--email",
                "bob@acme.se",
                "--password",
                STRONG,
                "--company",
                str(self.umbrella.id),
                "--role",
                "user",
            )
        assert "without --password" in str(raised.value)
        self.bob.refresh_from_db()
        assert self.bob.check_password(PASSWORD)
        assert not Membership.objects.filter(user=self.bob, company=self.umbrella).exists()
