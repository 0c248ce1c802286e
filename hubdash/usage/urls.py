from django.urls import path, re_path

from . import views

REPO = r"^usage/(?P<kind>model|dataset|space)/(?P<namespace>[^/]+)/(?P<name>[^/]+)/"

urlpatterns = [
    path("usage/", views.usage_page, name="usage"),
    path("usage/settings/", views.settings_page, name="usage-settings"),
    path("usage/take-now/", views.take_now, name="usage-take-now"),
    path("usage/setup-line/", views.setup_line, name="usage-setup-line"),
    path("usage/csv/team.csv", views.usage_csv, {"scope": ""}, name="usage-csv-team"),
    path("usage/csv/namespace/<str:scope>.csv", views.usage_csv, name="usage-csv"),
    re_path(REPO + r"\Z", views.repo_usage, name="usage-repo"),
    re_path(REPO + r"usage\.csv\Z", views.repo_csv, name="usage-repo-csv"),
]
