from django.contrib import admin
from django.urls import include, path

from hubdash.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("hubdash.accounts.urls")),
    path("", include("hubdash.repos.urls")),
    path("", include("hubdash.uploads.urls")),
    path("", include("hubdash.activity.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "hubdash.core.error_pages.bad_request"
handler403 = "hubdash.core.error_pages.permission_denied"
handler404 = "hubdash.core.error_pages.page_not_found"
handler500 = "hubdash.core.error_pages.server_error"
