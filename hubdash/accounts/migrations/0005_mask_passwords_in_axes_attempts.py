"""Mask the passwords axes stored in clear before every password-like field was listed as sensitive.

axes keeps a failed request's form as `key=value` lines in `AccessAttempt.post_data`, and masked only
`password` and `token`: a failed password change kept the typed `old_password`, `new_password1` and
`new_password2`. The names are copied here (not imported) so this migration keeps its meaning.
"""

import re

from django.db import migrations

SENSITIVE = {"password", "token", "old_password", "new_password1", "new_password2", "password1", "password2"}
MASK = "********************"  # axes' own placeholder
_FIELD_LINE = re.compile(r"^[\w.\-\[\]]+=")


def masked(post_data: str) -> str:
    lines, hiding = [], False
    for line in post_data.split("\n"):
        key, sep, _ = line.partition("=")
        if sep and _FIELD_LINE.match(line):
            hiding = key in SENSITIVE
            lines.append(f"{key}={MASK}" if hiding else line)
        elif not hiding:  # a line of a multi-line value: dropped with its field if that field is secret
            lines.append(line)
    return "\n".join(lines)


def mask_stored_attempts(apps, schema_editor):
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    for attempt in AccessAttempt.objects.only("pk", "post_data").iterator():
        cleaned = masked(attempt.post_data)
        if cleaned != attempt.post_data:
            AccessAttempt.objects.filter(pk=attempt.pk).update(post_data=cleaned)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sign_in_policy"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(mask_stored_attempts, migrations.RunPython.noop)]
