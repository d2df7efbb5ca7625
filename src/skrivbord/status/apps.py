from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusConfig(AppConfig):
    name = "skrivbord.status"
    label = "status"
    verbose_name = _("Status")

    def ready(self) -> None:
        from skrivbord.core import registry

        registry.register(
            registry.Module(
                key="status",
                name=_("Status"),
                url_name="status:index",
                help_page="status",
                order=10,
                permissions=("view",),
            )
        )
