"""iCalendar screens and URLs: the secret feeds (no login: the token is the key), the page
where a user makes, replaces and revokes feed URLs, .ics export of a filtered list and
import of an .ics file."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.http import require_GET, require_POST

from skrivbord.activities import ical
from skrivbord.activities.views import filtered_activities
from skrivbord.contacts import selectors as contact_selectors
from skrivbord.core.access import CompanyAccess, company_access
from skrivbord.core.web import company_view, render_page

ICS = "text/calendar; charset=utf-8"
MAX_UPLOAD = 5_000_000


def _ics(body: bytes, *, filename: str, cache: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # A feed URL is a secret: no shared cache may keep it, and no search engine index it.
    response["Cache-Control"] = "private, max-age=300" if cache else "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def user_feed(
    request: HttpRequest, company_id: uuid.UUID, user_id: int, token: str
) -> HttpResponse:
    access, _feed = ical.feed_authenticate(company_id=company_id, user_id=user_id, token=token)
    with override(access.user.language):
        body = ical.user_feed(access)
    return _ics(body, filename="skrivbord.ics", cache=True)


@require_GET
def contact_feed(
    request: HttpRequest, company_id: uuid.UUID, contact_id: uuid.UUID, token: str
) -> HttpResponse:
    access, _feed = ical.feed_authenticate(
        company_id=company_id, contact_id=contact_id, token=token
    )
    with override(access.user.language):
        body = ical.contact_feed(access, contact_id)
    return _ics(body, filename="skrivbord-contact.ics", cache=True)


def _feed_access(request: HttpRequest, company_id: uuid.UUID) -> CompanyAccess:
    """Feeds are a user's own settings and read only activities: a read-only member may
    make, replace and revoke theirs too (so not company_view, whose POSTs need "change")."""
    access = company_access(request.user, company_id, module="activities")  # type: ignore[arg-type]
    request.help_page = "activities"  # type: ignore[attr-defined]
    request.access = access  # type: ignore[attr-defined]
    request.module_key = "activities"  # type: ignore[attr-defined]
    return access


def _feeds_page(request: HttpRequest, access: CompanyAccess, **extra: object) -> HttpResponse:
    base = request.build_absolute_uri("/")
    feeds = [
        {"feed": feed, "url": ical.feed_url(feed, base=base)}
        for feed in ical.feed_list(access=access)
    ]
    return render_page(
        request,
        "activities/feeds.html",
        {
            "company": access.company,
            "feeds": feeds,
            "has_personal": any(not entry["feed"].contact_id for entry in feeds),  # type: ignore[attr-defined]
            "contacts": contact_selectors.contact_list(access=access).order_by("name")[:500],
            "can_write": access.can_write("activities"),
            **extra,
        },
    )


@company_view(module="activities")
def feeds(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    return _feeds_page(request, access)


@login_required
@require_POST
def feed_create(request: HttpRequest, company_id: uuid.UUID) -> HttpResponse:
    """Make the personal feed, or a contact's (POST contact=<id>)."""
    access = _feed_access(request, company_id)
    contact = None
    if contact_id := request.POST.get("contact"):
        contact = contact_selectors.contact_get(access=access, contact_id=contact_id)
    ical.feed_get_or_create(access=access, contact=contact)
    messages.success(request, _("The calendar feed is ready: copy its address below."))
    return redirect("activities:feeds", company_id=access.company.id)


@login_required
@require_POST
def feed_replace(request: HttpRequest, company_id: uuid.UUID, feed_id: uuid.UUID) -> HttpResponse:
    access = _feed_access(request, company_id)
    ical.feed_replace(access=access, feed_id=feed_id)
    messages.success(
        request,
        _("The feed has a new address; the old one no longer works. Subscribe again with it."),
    )
    return redirect("activities:feeds", company_id=access.company.id)


@login_required
@require_POST
def feed_revoke(request: HttpRequest, company_id: uuid.UUID, feed_id: uuid.UUID) -> HttpResponse:
    access = _feed_access(request, company_id)
    ical.feed_revoke(access=access, feed_id=feed_id)
    messages.success(request, _("The feed is revoked: its address no longer works."))
    return redirect("activities:feeds", company_id=access.company.id)


@company_view(module="activities")
def export(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    """The list's activities, with the list's filters, as an .ics file."""
    _filters, activities = filtered_activities(request, access)
    body = ical.export_activities(access, activities[:10_000])
    response = _ics(body, filename="activities.ics")
    response["Content-Disposition"] = 'attachment; filename="activities.ics"'
    return response


@company_view(module="activities", write=True)
def import_file(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    context: dict[str, object] = {"company": access.company}
    if request.method == "POST":
        upload = request.FILES.get("file")
        error = None
        if upload is None:
            error = _("Choose an .ics file.")
        elif upload.size is not None and upload.size > MAX_UPLOAD:
            error = _("The file is not imported: it is larger than 5 MB.")
        if error is None and upload is not None:
            try:
                report = ical.import_ics(access=access, data=upload.read())
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                context["report"] = report
        if error:
            context["error"] = error
            return render_page(request, "activities/import.html", context, status=400)
    return render_page(request, "activities/import.html", context)
