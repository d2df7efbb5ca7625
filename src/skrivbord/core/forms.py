from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from skrivbord.core.models import Language, User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        # One generic message: never reveal whether the e-mail address exists.
        "invalid_login": _("Wrong e-mail or password."),
        "inactive": _("Wrong e-mail or password."),
    }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for."))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)
