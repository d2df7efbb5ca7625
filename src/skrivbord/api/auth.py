"""Who is calling: a personal API token (Bearer), or the browser session for reads only.

Integrations send `Authorization: Bearer <token>` (tokens are made on the account page).
A logged-in browser may also read (GET/HEAD) the API — the interactive documentation uses
that — but never write with its session cookie: every write needs a token, so the API has
no cross-site request forgery surface and needs no CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja.security import APIKeyCookie, HttpBearer

from skrivbord.core.models import User
from skrivbord.core.services import token_authenticate
from skrivbord.sync.actor import act_for_rest_of_request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _activate_language(request: HttpRequest, user: User) -> User:
    # Messages (validation errors above all) come back in the user's own language; the
    # setting wins over Accept-Language, as it does in the web UI.
    language = user.language or settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer skb_...` — a personal API token."""

    openapi_description = "A personal API token from the account page."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token.strip())
        if user is None:
            return None
        # Writes through the API are the token owner's, whoever else the session names.
        act_for_rest_of_request(user.email)
        return _activate_language(request, user)


class BrowserSession(APIKeyCookie):
    """The web UI's session cookie, accepted for safe (read-only) methods only."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The browser session of a logged-in user; read-only (GET) requests only."

    def __init__(self) -> None:
        # Sessions never authorise writes, so there is no state change to protect with CSRF.
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest) -> Any:
        if request.method not in SAFE_METHODS:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated and user.is_active:
            return _activate_language(request, user)
        return None


TOKEN = BearerToken()
# Reads accept a token or the browser session; writes (`auth=TOKEN` on the route) a token only.
TOKEN_OR_SESSION = [TOKEN, BrowserSession()]
