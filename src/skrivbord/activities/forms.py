"""Forms of the activities UI: plain forms that parse and check input; the views hand
`cleaned_data` to the services (the one write path). Field names are the services', so a
service's ValidationError maps straight back onto the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skrivbord.activities.models import Activity, Priority, Status
from skrivbord.core.access import CompanyAccess


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ActivityForm(forms.Form):
    type: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Type"), queryset=None, empty_label=None
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    all_day = forms.BooleanField(label=_("All day"), required=False)
    start = forms.DateTimeField(
        label=_("Start"),
        required=False,
        widget=_DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    end = forms.DateTimeField(
        label=_("End"),
        required=False,
        widget=_DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    start_date = forms.DateField(label=_("First day"), required=False, widget=_DateInput())
    end_date = forms.DateField(label=_("Last day"), required=False, widget=_DateInput())
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, initial=Status.PLANNED)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    responsible = forms.ChoiceField(label=_("Responsible"), required=False)
    employees = forms.MultipleChoiceField(label=_("Participants"), required=False)
    resources: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Resources"), queryset=None, required=False
    )
    contact: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Contact"), queryset=None, required=False
    )
    contact_person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Contact person"), queryset=None, required=False
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    private = forms.BooleanField(label=_("Private: others see only “busy”"), required=False)

    GROUPS = (
        (_("Activity"), ("type", "subject", "description", "status", "priority")),
        (_("When"), ("all_day", "start", "end", "start_date", "end_date", "due_date")),
        (_("Who"), ("responsible", "employees", "resources", "private")),
        (_("Contact"), ("contact", "contact_person", "location")),
    )

    def __init__(
        self, *args: Any, access: CompanyAccess, contact: Any = None, **kwargs: Any
    ) -> None:
        from skrivbord.activities import selectors
        from skrivbord.contacts import selectors as contact_selectors
        from skrivbord.contacts.models import ContactPerson

        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["type"].queryset = selectors.activity_type_list(access=access)
        fields["type"].label_from_instance = lambda t: t.display_name
        people = [(u.email, u.full_name or u.email) for u in selectors.employees(access=access)]
        fields["responsible"].choices = [("", "—"), *people]
        fields["employees"].choices = people
        fields["resources"].queryset = selectors.resource_list(access=access)
        contacts = contact_selectors.contact_list(access=access, active=True)
        fields["contact"].queryset = contacts
        contact_id = contact.id if contact is not None else self._chosen("contact")
        fields["contact_person"].queryset = (
            ContactPerson.objects.filter(company=access.company, contact_id=contact_id)
            if contact_id
            else ContactPerson.objects.none()
        )
        self.start_help = _("Times are in the company's time zone (Europe/Stockholm).")

    def _chosen(self, name: str) -> str | None:
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        if value is None:
            return None
        return str(getattr(value, "pk", value)) or None

    @property
    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.GROUPS]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["employees"] = list(data.get("employees") or [])
        data["resources"] = list(data.get("resources") or [])
        return data

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        from skrivbord.activities.timezones import company_timezone

        zone = company_timezone(activity.company)
        return {
            "type": activity.type_id,
            "subject": activity.subject,
            "description": activity.description,
            "all_day": activity.all_day,
            "start": activity.start.astimezone(zone) if activity.start else None,
            "end": activity.end.astimezone(zone) if activity.end else None,
            "start_date": activity.start_date,
            "end_date": activity.end_date,
            "due_date": activity.due_date,
            "status": activity.status,
            "priority": activity.priority,
            "responsible": activity.responsible,
            "employees": [p.employee for p in activity.participants.all() if p.employee],
            "resources": [p.resource_id for p in activity.participants.all() if p.resource_id],
            "contact": activity.contact_id,
            "contact_person": activity.contact_person_id,
            "location": activity.location,
            "private": activity.private,
        }
