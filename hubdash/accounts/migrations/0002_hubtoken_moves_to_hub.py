# HubToken now belongs to the hub app (hub 0001). Only Django's idea of the models changes here: the
# table and its rows stay where they are until hub 0001 renames it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="HubToken")],
            database_operations=[],
        ),
    ]
