from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from skrivbord.sync.actor import acting_as


class ActorMiddleware:
    """Writes made while a request runs are recorded as the logged-in user's (the web UI and
    the admin); the API's token authentication names the token's owner instead. Anonymous
    requests act for nobody, and the actor ends with the request, so a thread that serves
    the next one starts clean."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        email = user.email if user is not None and user.is_authenticated else ""
        with acting_as(email):
            return self.get_response(request)
