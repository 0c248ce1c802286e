# Members, invitations and the sign-in policy became hubdash.team's models. Their tables stay where they are
# (the team models name them with db_table): this only forgets them in accounts' state, once team's
# 0001 has them in its own.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_member_deactivated_at'),
        ('team', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='member',
                name='user',
            ),
            migrations.RemoveField(
                model_name='signinpolicy',
                name='updated_by',
            ),
            migrations.DeleteModel(
                name='Invitation',
            ),
            migrations.DeleteModel(
                name='Member',
            ),
            migrations.DeleteModel(
                name='SignInPolicy',
            ),
            ],
            database_operations=[],
        ),
    ]
