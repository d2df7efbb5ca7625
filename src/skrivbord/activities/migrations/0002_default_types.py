"""The default activity types for the companies that existed before activities did.

New companies get them when they are created (apps.py). The ids follow the same rule as
services.default_type_id, so the office and the online copy of a company make the same rows.
"""

import uuid

from django.db import migrations

NAMESPACE = uuid.UUID("0b0f5d6e-3c4a-5e1f-9a7b-2d6c8e4f1a30")
DEFAULTS = (
    ("meeting", "calendar", "#2f6fb0"),
    ("call", "calendar", "#2e8b57"),
    ("email", "tasks", "#7a5cb8"),
    ("task", "tasks", "#c0392b"),
    ("todo", "tasks", "#d68910"),
    ("letter", "tasks", "#6d6d6d"),
    ("other", "calendar", "#17a2b8"),
)


def seed(apps, schema_editor):
    Company = apps.get_model("core", "Company")
    ActivityType = apps.get_model("activities", "ActivityType")
    db = schema_editor.connection.alias
    for company in Company.objects.using(db).all():
        have = set(
            ActivityType.objects.using(db).filter(company=company).values_list("key", flat=True)
        )
        identity = company.org_number.replace("-", "").strip() or company.name.strip().lower()
        for order, (key, shows_in, colour) in enumerate(DEFAULTS, start=1):
            if key in have:
                continue
            type_id = uuid.uuid5(NAMESPACE, f"{identity}\n{key}")
            if ActivityType.objects.using(db).filter(id=type_id).exists():
                type_id = uuid.uuid4()
            ActivityType.objects.using(db).create(
                id=type_id, company=company, key=key, shows_in=shows_in, colour=colour,
                order=order * 10,
            )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial"), ("core", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
