# The team's models, moved from accounts in Django's state only: their tables (accounts_member,
# accounts_invitation, accounts_signinpolicy) already exist and keep their names and rows.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("member", "invitation", "signinpolicy")


def move_content_types(apps, schema_editor, old="accounts", new="team"):
    """Permissions and admin history of the models follow them to their new app (as hub's HubToken did)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not types.filter(app_label=new, model=model).exists():  # post_migrate may have made one already
            types.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="team", new="accounts")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The tables were made by accounts' migrations (0001, 0003, 0004, 0006), under the names kept here.
        ('accounts', '0006_member_deactivated_at'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token_hash', models.CharField(max_length=64, unique=True)),
                        ('role', models.CharField(choices=[('member', 'member'), ('admin', 'admin')], default='member', max_length=8)),
                        ('note', models.CharField(blank=True, max_length=100)),
                        ('email', models.EmailField(blank=True, max_length=254)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations_made', to=settings.AUTH_USER_MODEL)),
                        ('used_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitation_used', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_invitation',
                        'ordering': ('-id',),
                    },
                ),
                migrations.CreateModel(
                    name='Member',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('last_seen_at', models.DateTimeField(blank=True, null=True)),
                        ('deactivated_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='member', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_member',
                    },
                ),
                migrations.CreateModel(
                    name='SignInPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('mode', models.CharField(choices=[('invited', 'Only people an admin invited'), ('orgs', 'People with a role in chosen Hub organisations')], default='invited', max_length=16)),
                        ('orgs', models.JSONField(blank=True, default=list)),
                        ('min_role', models.CharField(choices=[('any', 'Any role'), ('contributor', 'At least contributor'), ('write', 'At least write'), ('admin', 'At least admin')], default='any', max_length=16)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_signinpolicy',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
