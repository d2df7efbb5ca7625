"""The sync screens every member may read: the history and the conflicts.

Deciding and reversing a conflict are administrator actions: the sync module's "change"
right is administrator-only in the registry, so company_view answers 403 to anyone else
before these views run, and the services check it again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page
from skrivbord.sync import conflicts as conflict_services
from skrivbord.sync import history
from skrivbord.sync.models import SyncSession

HISTORY_PAGE_SIZE = 25
CONFLICTS_PAGE_SIZE = 25


class HistoryFilterForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        required=False,
        choices=[("", gettext_lazy("All")), *SyncSession.Outcome.choices],
    )


def _base_context(access: CompanyAccess, tab: str) -> dict[str, Any]:
    return {
        "company": access.company,
        "sync_tab": tab,
        "is_admin": access.is_admin,
        "open_conflicts": conflict_services.open_conflict_count(access=access),
    }


@company_view(module="sync")
def history_list(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        # A mistyped date is shown as an error; the filters that are valid still apply.
        form.is_valid()
        filters = form.cleaned_data
    sessions = history.session_list(
        access=access,
        since=filters.get("since"),
        until=filters.get("until"),
        outcome=filters.get("outcome") or None,
    )
    page = Paginator(sessions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(filters.get(name) for name in ("since", "until", "outcome"))
    has_any = bool(page.object_list) or history.session_list(access=access).exists()
    context = {
        **_base_context(access, "history"),
        "form": form,
        "page": page,
        "rows": history.session_rows(list(page.object_list)),
        "filtered": filtered,
        "has_any": has_any,
        "node": settings.NODE,
    }
    return render_page(request, "sync/history.html", context)


@company_view(module="sync")
def conflict_list(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    status = request.GET.get("status") or "open"
    if status not in conflict_services.STATUS_FILTERS:
        status = "open"
    conflicts = conflict_services.conflict_list(access=access, status=status)
    page = Paginator(conflicts, CONFLICTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **_base_context(access, "conflicts"),
        "status": status,
        "page": page,
        "rows": conflict_services.conflict_rows(access=access, conflicts=list(page.object_list)),
    }
    return render_page(request, "sync/conflicts.html", context)


def _conflict_row(access: CompanyAccess, conflict_id: uuid.UUID) -> conflict_services.ConflictRow:
    conflict = conflict_services.conflict_get(access=access, conflict_id=conflict_id)
    return conflict_services.conflict_rows(access=access, conflicts=[conflict])[0]


@company_view(module="sync")
def conflict_detail(
    request: HttpRequest, access: CompanyAccess, conflict_id: uuid.UUID
) -> HttpResponse:
    context = {**_base_context(access, "conflicts"), "row": _conflict_row(access, conflict_id)}
    return render_page(request, "sync/conflict_detail.html", context)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@company_view(module="sync")
@require_POST
def conflict_decide(
    request: HttpRequest, access: CompanyAccess, conflict_id: uuid.UUID
) -> HttpResponse:
    conflict = conflict_services.conflict_get(access=access, conflict_id=conflict_id)
    try:
        conflict_services.conflict_decide(
            access=access, conflict=conflict, choice=request.POST.get("choice", "")
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Decided: the value from %(side)s is kept. It is sent to the other side.")
            % {"side": conflict_services.side_label(request.POST.get("choice"))},
        )
    return redirect("sync:conflict_detail", company_id=access.company.id, conflict_id=conflict_id)


@company_view(module="sync", write=True)
def conflict_reverse(
    request: HttpRequest, access: CompanyAccess, conflict_id: uuid.UUID
) -> HttpResponse:
    """Confirm, then reverse: the value that lost becomes the record's value again."""
    row = _conflict_row(access, conflict_id)
    if request.method != "POST" and not row.can_reverse:
        messages.error(request, _("Only a conflict that was resolved or decided can be reversed."))
        return redirect(
            "sync:conflict_detail", company_id=access.company.id, conflict_id=conflict_id
        )
    if request.method == "POST":
        try:
            conflict_services.conflict_reverse(access=access, conflict=row.conflict)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("Reversed: the value from %(side)s is back. It is sent to the other side.")
                % {"side": row.reverse_label},
            )
        return redirect(
            "sync:conflict_detail", company_id=access.company.id, conflict_id=conflict_id
        )
    context = {**_base_context(access, "conflicts"), "row": row}
    return render_page(request, "sync/conflict_reverse.html", context)
