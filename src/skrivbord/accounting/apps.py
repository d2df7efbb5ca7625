from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountingConfig(AppConfig):
    name = "skrivbord.accounting"
    label = "accounting"
    verbose_name = _("Accounting")

    def ready(self) -> None:
        from skrivbord.accounting import models
        from skrivbord.core import registry

        office = registry.Direction.OFFICE_TO_ONLINE
        # Foreign keys to the synced parents, so a row that arrives before its voucher or
        # fiscal year is parked rather than lost.
        parents: dict[type, dict[str, str]] = {
            models.Balance: {"fiscal_year_id": "accounting.fiscalyear"},
            models.PeriodBalance: {"fiscal_year_id": "accounting.fiscalyear"},
            models.Voucher: {"fiscal_year_id": "accounting.fiscalyear"},
            models.TransactionRow: {
                "voucher_id": "accounting.voucher",
                "fiscal_year_id": "accounting.fiscalyear",
            },
        }
        registry.register(
            registry.Module(
                key="accounting",
                name=_("Accounting"),
                url_name="accounting:index",
                help_page="accounting",
                order=40,
                # The books are the office's: kept there, read-only on the online desktop.
                synced_models=tuple(
                    registry.SyncedModel(
                        label=model._meta.label_lower,
                        fields=models.synced_fields(model),
                        direction=office,
                        parents=parents.get(model, {}),
                    )
                    for model in models.BOOKS_MODELS
                ),
            )
        )
        # The control checks (Kontroll): their "resolved" marks are made online and reach
        # the office. A module of its own, so the books stay read-only online.
        from skrivbord.accounting.checks.models import MARK_FIELDS

        registry.register(
            registry.Module(
                key="accounting_checks",
                name=_("Control"),
                url_name="accounting_checks:index",
                help_page="accounting-checks",
                order=41,
                admin_permissions=("change",),
                synced_models=(
                    registry.SyncedModel(
                        label="accounting.findingmark",
                        fields=MARK_FIELDS,
                        direction=registry.Direction.ONLINE_TO_OFFICE,
                    ),
                ),
            )
        )
        from skrivbord.sync.signals import batch_applied

        batch_applied.connect(_check_after_sync, dispatch_uid="accounting_checks_after_sync")


def _check_after_sync(
    *, company: object, entities: set[str], last: bool, **_kwargs: object
) -> None:
    from skrivbord.accounting.checks.services import books_changed_by_sync

    books_changed_by_sync(company=company, entities=entities, last=last)  # type: ignore[arg-type]
