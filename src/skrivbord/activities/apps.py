from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "skrivbord.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from skrivbord.activities import models
        from skrivbord.core import registry
        from skrivbord.core.models import Company

        registry.register(
            registry.Module(
                key="activities",
                name=_("Activities"),
                url_name="activities:list",
                help_page="activities",
                order=25,
                # "configure": the settings page (types, resources, working hours).
                permissions=("view", "change", "configure"),
                admin_permissions=("configure",),
                # Parents before children; a child that arrives before its parent is parked.
                synced_models=(
                    registry.SyncedModel(
                        label="activities.activitytype",
                        fields=models.synced_fields(models.ActivityType),
                    ),
                    registry.SyncedModel(
                        label="activities.resource",
                        fields=models.synced_fields(models.Resource),
                    ),
                    registry.SyncedModel(
                        label="activities.activity",
                        fields=models.synced_fields(models.Activity),
                        parents={
                            "type_id": "activities.activitytype",
                            "contact_id": "contacts.contact",
                        },
                    ),
                    registry.SyncedModel(
                        label="activities.participant",
                        fields=models.synced_fields(models.Participant),
                        parents={
                            "activity_id": "activities.activity",
                            "resource_id": "activities.resource",
                        },
                    ),
                    registry.SyncedModel(
                        label="activities.workinghours",
                        fields=models.synced_fields(models.WorkingHours),
                    ),
                ),
            )
        )
        # The calendar: a menu entry of its own (Kalender); its data are the activities.
        registry.register(
            registry.Module(
                key="calendar",
                name=_("Calendar"),
                url_name="activities:calendar",
                help_page="calendar",
                order=26,
            )
        )
        post_save.connect(_seed_types, sender=Company, dispatch_uid="activities_seed_types")


def _seed_types(
    *, instance: object, created: bool, raw: bool = False, using: str, **_: object
) -> None:
    """Every new company gets the default activity types (an existing one got them by the
    data migration)."""
    if created and not raw:
        from skrivbord.activities.services import activity_types_seed

        activity_types_seed(company=instance, using=using)  # type: ignore[arg-type]
