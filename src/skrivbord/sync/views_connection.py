"""The online desktop connection page (Company settings → Online desktop connection).

On the online node an administrator makes pairing tokens and can end the connection; on the
office node an administrator connects with a token and disconnects. Every member may look
at the page; every change is an administrator's (the "sync" module's "change" right is an
administrator permission, so `company_view` answers 403 to anyone else).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page
from skrivbord.sync import pairing
from skrivbord.sync.models import Policy, SyncLink

TEMPLATE = "sync/connection.html"


class ConnectForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address of the online desktop"),
        max_length=300,
        help_text=gettext_lazy("For example https://skrivbord.example.se"),
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )
    token = forms.CharField(
        label=gettext_lazy("Pairing token"),
        max_length=200,
        help_text=gettext_lazy(
            "Made by an administrator on the online desktop, under Online desktop connection."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _is_office() -> bool:
    return settings.NODE == "office"


def _context(access: CompanyAccess, **extra: Any) -> dict[str, Any]:
    company = access.company
    link = SyncLink.objects.filter(company=company).first()
    context: dict[str, Any] = {
        "company": company,
        "link": link,
        "is_office": _is_office(),
        "is_admin": access.is_admin,
    }
    if _is_office():
        prerequisites = pairing.connect_prerequisites(company=company, access=access)
        context.update(
            prerequisites=prerequisites,
            prerequisites_met=all(item.met for item in prerequisites),
            licence_blocker=None if link else pairing.licence_blocker(company=company),
            form=ConnectForm(),
        )
    else:
        context.update(
            policies=Policy.choices,
            credential=pairing.credential_active(company=company),
            pending_tokens=pairing.pairing_tokens_pending(company=company),
        )
    context.update(extra)
    return context


@company_view(module="sync")
def connection(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    return render_page(request, TEMPLATE, _context(access))


# --- Online node ------------------------------------------------------------------------------


@require_POST
@company_view(module="sync")
def policy(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    """The conflict policy is decided where conflicts are resolved: on the online node."""
    if _is_office():
        raise Http404
    access.require("sync", "change")
    choice = request.POST.get("policy", "")
    if choice not in Policy.values:
        messages.error(request, _("Choose one of the conflict rules."))
    else:
        updated = SyncLink.objects.filter(company=access.company).update(policy=choice)
        if updated:
            messages.success(
                request,
                _("Conflicts are now decided by the rule: %(rule)s.")
                % {"rule": Policy(choice).label},
            )
    return redirect("sync_connection:index", company_id=access.company.id)


@require_POST
@company_view(module="sync")
def token_create(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    if _is_office():
        raise Http404
    try:
        token, secret = pairing.pairing_token_create(access=access)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("sync_connection:index", company_id=access.company.id)
    # The secret is on this response only; it is stored nowhere.
    site_url = request.build_absolute_uri("/").rstrip("/")
    return render_page(
        request,
        TEMPLATE,
        _context(access, new_token=token, new_secret=secret, site_url=site_url),
    )


@company_view(module="sync", write=True)
def online_disconnect(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    """Online side: end the connection and remove the online copy (after a confirmation)."""
    if _is_office():
        raise Http404
    link = SyncLink.objects.filter(company=access.company).first()
    if link is None:
        messages.info(request, _("%(name)s is not connected.") % {"name": access.company.name})
        return redirect("sync_connection:index", company_id=access.company.id)
    if request.method == "POST":
        pairing.online_disconnect(company=access.company)
        messages.success(
            request,
            _(
                "The connection is ended and the online copy removed. The office can connect "
                "again with a new pairing token."
            ),
        )
        return redirect("sync_connection:index", company_id=access.company.id)
    return render_page(
        request,
        "sync/connection_disconnect.html",
        {"company": access.company, "link": link, "is_office": False},
    )


# --- Office node ------------------------------------------------------------------------------


@require_POST
@company_view(module="sync")
def connect(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    if not _is_office():
        raise Http404
    form = ConnectForm(request.POST)
    if not form.is_valid():
        return render_page(request, TEMPLATE, _context(access, form=form), status=400)
    try:
        link = pairing.connect(
            company=access.company,
            url=form.cleaned_data["url"],
            token=form.cleaned_data["token"],
            access=access,
        )
    except pairing.ConnectError as error:
        return render_page(
            request,
            TEMPLATE,
            _context(access, form=form, connect_errors=error.messages),
            status=400,
        )
    messages.success(
        request,
        _(
            "%(name)s is connected to the online desktop at %(url)s. Start the sync agent to "
            "keep both sides equal."
        )
        % {"name": access.company.name, "url": link.remote_url},
    )
    return redirect("sync_connection:index", company_id=access.company.id)


@company_view(module="sync", write=True)
def disconnect(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    """Office side: explain, confirm, then disconnect; offer to forget if unreachable."""
    if not _is_office():
        raise Http404
    link = SyncLink.objects.filter(company=access.company).first()
    if link is None:
        messages.info(
            request,
            _("%(name)s is not connected to the online desktop.") % {"name": access.company.name},
        )
        return redirect("sync_connection:index", company_id=access.company.id)
    context: dict[str, Any] = {"company": access.company, "link": link, "is_office": True}
    if request.method == "POST":
        if request.POST.get("forget") == "1":
            pairing.connection_forget(company=access.company)
            messages.success(
                request,
                _(
                    "The connection is forgotten here. The online copy stays until an "
                    "administrator of the online desktop removes it."
                ),
            )
            return redirect("sync_connection:index", company_id=access.company.id)
        try:
            result = pairing.disconnect(company=access.company)
        except pairing.ConnectError as error:
            context.update(errors=error.messages, offer_forget=error.unreachable)
            return render_page(request, "sync/connection_disconnect.html", context, status=502)
        if result.already_ended_online:
            messages.success(
                request,
                _(
                    "The online desktop had already ended the connection; it is now removed "
                    "here too. Your office data is not touched."
                ),
            )
        else:
            messages.success(
                request,
                _(
                    "Disconnected. The online copy is removed; your office data is not "
                    "touched. You can connect again later."
                ),
            )
        return redirect("sync_connection:index", company_id=access.company.id)
    return render_page(request, "sync/connection_disconnect.html", context)
