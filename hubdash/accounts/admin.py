from django.contrib import admin

from .models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    list_display = ("user", "last_seen_at")
    readonly_fields = ("user", "last_seen_at")
