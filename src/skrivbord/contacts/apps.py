from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "skrivbord.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from skrivbord.contacts.services import CONTACT_FIELDS, PERSON_FIELDS
        from skrivbord.core import registry

        registry.register(
            registry.Module(
                key="contacts",
                name=_("Contacts"),
                url_name="contacts:list",
                help_page="contacts",
                order=20,
                synced_models=(
                    registry.SyncedModel(
                        label="contacts.contact",
                        fields=CONTACT_FIELDS,
                    ),
                    registry.SyncedModel(
                        label="contacts.contactperson",
                        fields=("contact_id", *PERSON_FIELDS),
                        parents={"contact_id": "contacts.contact"},
                    ),
                ),
            )
        )
