from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "skrivbord.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from skrivbord.core import registry

        registry.register(
            registry.Module(
                key="contacts",
                name=_("Contacts"),
                url_name="contacts:list",
                help_page="contacts",
                order=20,
            )
        )
