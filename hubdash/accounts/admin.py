from django.contrib import admin

from .models import HubToken, Member


@admin.register(HubToken)
class HubTokenAdmin(admin.ModelAdmin):
    """Token facts only: the sealed value is never shown or editable here."""

    list_display = ("user", "hub_username", "role", "last4", "key_id", "verified_at", "rejected_at")
    fields = (
        "user",
        "hub_username",
        "role",
        "scopes",
        "last4",
        "key_id",
        "verified_at",
        "rejected_at",
        "rejected_reason",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("user", "last_seen_at")
    readonly_fields = ("user", "last_seen_at")
