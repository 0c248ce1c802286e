from django.urls import URLPattern, URLResolver, path, re_path

from . import views

# A repo's Discussions tab, under the app's own prefix as the Access and Usage tabs are.
REPO = r"^discussions/(?P<kind>model|dataset|space)/(?P<namespace>[^/]+)/(?P<name>[^/]+)/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("discussions/", views.inbox, name="discussions"),
    path("discussions/count/", views.nav_count, name="discussions-nav-count"),
    path("discussions/home-line/", views.home_line, name="discussions-home-line"),
    path("discussions/refresh/", views.refresh_now, name="discussions-refresh"),
    path("discussions/settings/", views.settings_page, name="discussions-settings"),
    re_path(REPO + r"\Z", views.repo_discussions, name="discussions-repo"),
]
