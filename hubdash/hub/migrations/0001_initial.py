# HubToken moves here from accounts without losing a row: the model first joins hub's state on the
# existing table `accounts_hubtoken` (no SQL), then AlterModelTable renames that table to hub's own
# name, `hub_hubtoken`, on every database backend, and back when unapplied.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="accounts", new="hub"):
    """Permissions and admin history of the model follow it to its new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=new, model="hubtoken").exists():  # post_migrate may have made one already
        types.filter(app_label=old, model="hubtoken").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="hub", new="accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_hubtoken_moves_to_hub"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HubToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("ciphertext", models.BinaryField()),
                        ("key_id", models.CharField(max_length=64)),
                        ("last4", models.CharField(max_length=4)),
                        ("role", models.CharField(max_length=32)),
                        ("scopes", models.JSONField(blank=True, default=list)),
                        ("hub_username", models.CharField(max_length=96)),
                        ("verified_at", models.DateTimeField()),
                        ("rejected_at", models.DateTimeField(blank=True, null=True)),
                        ("rejected_reason", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="hub_token",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "accounts_hubtoken"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="hubtoken", table=None),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=False),
    ]
