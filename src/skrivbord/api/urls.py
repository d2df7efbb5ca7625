from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _

from skrivbord.api.main import api


def index(request: HttpRequest) -> JsonResponse:
    # Where to start; ninja's own root view only raises a (HTML) 404.
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "docs": request.build_absolute_uri(reverse("api-1.0.0:openapi-view")),
            "openapi": request.build_absolute_uri(reverse("api-1.0.0:openapi-json")),
        }
    )


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    # An unknown URL under /api/v1/ answers in JSON like every other API error, not with
    # the web UI's HTML 404 page.
    return JsonResponse({"detail": _("Not found.")}, status=404)


urlpatterns = [
    path("", index),
    path("", api.urls),
    re_path(r"^(?P<rest>.+)$", not_found),
]
