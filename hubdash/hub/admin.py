from django.contrib import admin

from hubdash.core.admin import ReadOnlyAdmin

from .models import HubToken


@admin.register(HubToken)
class HubTokenAdmin(ReadOnlyAdmin[HubToken]):
    """Token facts only: the sealed value is never shown here, and the token is removed on the Team page."""

    list_display = (
        "user",
        "hub_username",
        "kind",
        "role",
        "last4",
        "key_id",
        "verified_at",
        "expires_at",
        "rejected_at",
    )
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
        "kind",
        "expires_at",
        "oauth_scopes",
        "granted_orgs",
    )
    readonly_fields = fields
