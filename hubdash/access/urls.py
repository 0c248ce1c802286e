from django.urls import include, path, re_path

from . import views

# The kinds of repo the Hub gates (models and datasets), then the repo's namespace and name.
REPO = r"^access/(?P<kind>model|dataset)/(?P<namespace>[^/]+)/(?P<name>[^/]+)/"

urlpatterns = [
    path("access/", views.queue, name="access-queue"),
    path("access/count/", views.nav_count, name="access-nav-count"),
    path("access/refresh/", views.refresh_now, name="access-refresh"),
    path("access/request/<int:pk>/", views.decide, name="access-decide"),
    path("access/reasons/", views.reason_add, name="access-reason-add"),
    path("access/reasons/<int:pk>/delete/", views.reason_delete, name="access-reason-delete"),
    re_path(REPO + r"\Z", views.repo_access, name="access-repo"),
    re_path(REPO + r"grant/\Z", views.grant, name="access-grant"),
    re_path(REPO + r"export\.csv\Z", views.repo_export, name="access-export"),
    path("access/", include("hubdash.access.urls_bulk")),
]
