from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from hubdash import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("", include("hubdash.accounts.urls")),
    path("", include("hubdash.team.urls")),
    # Before the repo pages, whose patterns would take /{type}s/{ns}/{name}/discussions/… for their own.
    path("", include("hubdash.discussions.urls_review")),
    path("", include("hubdash.discussions.urls")),
    path("", include("hubdash.repos.urls")),
    path("", include("hubdash.uploads.urls")),
    path("", include("hubdash.activity.urls")),
    path("", include("hubdash.access.urls")),
    path("", include("hubdash.jobs.urls")),
    path("", include("hubdash.usage.urls")),
    path("", include("hubdash.bulk.urls")),
    # The admin's own password form checks the old password without sign-in's throttling and records
    # nothing: passwords change on hubdash's page (a POST here changes nothing and is sent there too).
    path("admin/password_change/", RedirectView.as_view(pattern_name="password-change")),
    path("admin/", admin.site.urls),
]

handler400 = "hubdash.core.error_pages.bad_request"
handler403 = "hubdash.core.error_pages.permission_denied"
handler404 = "hubdash.core.error_pages.page_not_found"
handler500 = "hubdash.core.error_pages.server_error"
