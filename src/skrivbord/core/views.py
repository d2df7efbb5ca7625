"""Log in and out, the account page (language, password, API tokens), company switching."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skrivbord.core import services
from skrivbord.core.access import KeptElsewhere, company_access, user_memberships
from skrivbord.core.forms import LanguageForm, LoginForm, ProfileForm, TokenCreateForm
from skrivbord.core.models import ApiToken, Membership, User


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 page; a write refused because the other node owns the data says so."""
    reason = exception.message if isinstance(exception, KeptElsewhere) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Open the default company's status page; remember the first company if none is set."""
    user = _user(request)
    company_id = user.default_company_id
    if (
        company_id is None
        or not Membership.objects.filter(user=user, company_id=company_id).exists()
    ):
        first = Membership.objects.filter(user=user).order_by("company__name").first()
        if first is None:
            return render(request, "core/no_company.html", status=200)
        company_id = services.user_set_default_company(user=user, company_id=first.company_id).id
    return redirect("status:index", company_id=company_id)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
@require_POST
def switch_company(request: HttpRequest) -> HttpResponse:
    try:
        company_id = uuid.UUID(request.POST.get("company", ""))
    except ValueError as error:
        raise Http404 from error
    company_access(_user(request), company_id)  # 404 unless a member
    services.user_set_default_company(user=_user(request), company_id=company_id)
    return redirect("status:index", company_id=company_id)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Change the UI language: stored on the user when logged in, in a cookie otherwise."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=_user(request), language=language)
        translation.activate(language)
        response.set_cookie(
            "django_language",
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    request.help_page = "account"  # type: ignore[attr-defined]
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        if form.is_valid():
            form.save()
            translation.activate(user.language)
            messages.success(request, _("Your settings are saved."))
            return redirect("account")
    else:
        form = ProfileForm(instance=user)
    return render(request, "core/account.html", _account_context(user, form=form))


def _account_context(user: User, **extra: Any) -> dict[str, Any]:
    return {
        "tokens": ApiToken.objects.filter(user=user),
        "token_form": TokenCreateForm(),
        "account_memberships": user_memberships(user),
        **extra,
    }


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    request.help_page = "account"  # type: ignore[attr-defined]
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "core/account.html",
            _account_context(user, form=ProfileForm(instance=user), token_form=form),
            status=400,
        )
    token, secret = services.token_create(user=user, name=form.cleaned_data["name"])
    # The secret is shown once, on this response only; it is not stored anywhere.
    return render(
        request,
        "core/account.html",
        _account_context(user, form=ProfileForm(instance=user), new_token=token, new_secret=secret),
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    try:
        token = services.token_revoke(user=_user(request), token_id=token_id)
    except ApiToken.DoesNotExist as error:
        raise Http404 from error
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def get_success_url(self) -> str:
        messages.success(self.request, _("Your password is changed."))
        return reverse("account")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.help_page = "account"  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)
