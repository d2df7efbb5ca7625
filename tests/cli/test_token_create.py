from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from skrivbord.core.models import ApiToken, User
from skrivbord.core.services import token_authenticate
from tests.base import BaseTestCase


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("token_create", *args, stdout=out)
    return out.getvalue().splitlines()


class TokenCreateTests(BaseTestCase):
    def test_it_prints_a_token_that_authenticates_the_user(self) -> None:
        lines = run("--email", "alice@acme.se", "--name", "Accounting export")
        assert token_authenticate(lines[-1]) == self.alice
        token = ApiToken.objects.get(user=self.alice)
        assert token.name == "Accounting export"
        assert "Accounting export" in lines[0]
        assert "alice@acme.se" in lines[0]

    def test_it_finds_the_user_whatever_the_case_of_the_address(self) -> None:
        lines = run("--email", "  Bob@ACME.se ")
        assert token_authenticate(lines[-1]) == self.bob

    def test_the_secret_is_not_stored(self) -> None:
        secret = run("--email", "alice@acme.se")[-1]
        token = ApiToken.objects.get(user=self.alice)
        assert secret not in (token.key_hash, token.prefix)

    def test_it_refuses_an_unknown_user(self) -> None:
        with pytest.raises(
            CommandError, match=r"There is no user with the e-mail address nobody@acme\.se\."
        ):
            run("--email", "nobody@acme.se")
        assert not ApiToken.objects.exists()

    def test_it_refuses_a_deactivated_user(self) -> None:
        # Test setup: there is no deactivation service yet, and users are not business data.
        User.objects.filter(pk=self.bob.pk).update(is_active=False)
        with pytest.raises(CommandError, match="deactivated"):
            run("--email", "bob@acme.se")
        assert not ApiToken.objects.exists()
