from django.urls import include, path, register_converter

from . import views


class GatedKind:
    """The kinds of repo the Hub gates: models and datasets."""

    regex = "model|dataset"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(GatedKind, "gated_kind")
REPO = "<gated_kind:kind>/<str:namespace>/<str:name>"

urlpatterns = [
    path("access/", views.queue, name="access-queue"),
    path("access/count/", views.nav_count, name="access-nav-count"),
    path("access/refresh/", views.refresh_now, name="access-refresh"),
    path("access/request/<int:pk>/", views.decide, name="access-decide"),
    path("access/reasons/", views.reason_add, name="access-reason-add"),
    path("access/reasons/<int:pk>/delete/", views.reason_delete, name="access-reason-delete"),
    path(f"access/{REPO}/", views.repo_access, name="access-repo"),
    path(f"access/{REPO}/grant/", views.grant, name="access-grant"),
    path(f"access/{REPO}/export.csv", views.repo_export, name="access-export"),
    path("access/", include("hubdash.access.urls_bulk")),
]
