from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "skrivbord.sync"
    label = "sync"
    verbose_name = _("Synchronisation")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from skrivbord.core import registry
        from skrivbord.sync import actor, capture

        registry.register(
            registry.Module(
                key="sync",
                name=_("Synchronisation"),
                url_name="sync:history",
                help_page="sync",
                order=90,
                # Everyone may read the history; only administrators change the connection,
                # the policy or decide conflicts.
                admin_permissions=("change",),
            )
        )

        # Triggers follow the registry: (re)installed after every migrate, on every database.
        post_migrate.connect(capture.install_after_migrate, sender=self)
        # Every connection tells the triggers who is writing (the actor function or setting).
        connection_created.connect(actor.on_connection_created, dispatch_uid="skrivbord.actor")
