"""skrivbord sync_prune: remove sync history older than SYNC_HISTORY_DAYS now."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, no_translations
from django.utils import timezone

from skrivbord.sync import history


class Command(BaseCommand):
    help = (
        "Remove sync sessions and settled sync conflicts older than SYNC_HISTORY_DAYS "
        "(default 90) in every company. Conflicts waiting for a decision are kept. The sync "
        "does this by itself once an hour; this command does it at once."
    )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = history.history_cutoff()
        if cutoff is None:
            self.stdout.write("SYNC_HISTORY_DAYS is 0: the sync history is kept for ever.")
            return
        removed = history.prune_history()
        self.stdout.write(
            f"Removed {removed} sync history entries (sessions and settled conflicts) older "
            f"than {settings.SYNC_HISTORY_DAYS} days, started before "
            f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M}."
        )
