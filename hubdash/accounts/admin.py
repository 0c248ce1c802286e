"""People, groups and sign-in locks in the Django admin, read-only (see hubdash.core.admin)."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from hubdash.core.admin import ReadOnlyAdmin, read_only

# Deleting an access attempt would unlock someone with no record of who did it: the Team page unlocks.
read_only(AccessAttempt, AccessAttemptAdmin)
read_only(AccessLog, AccessLogAdmin)
read_only(AccessFailureLog, AccessFailureLogAdmin)
read_only(Group, GroupAdmin)


class PersonAdmin(ReadOnlyAdmin[User], UserAdmin[User]):
    # Without the password field: not even a masked hash of it on a page.
    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email")}),
        ("Role", {"fields": ("is_active", "is_superuser", "is_staff", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
