from django.urls import include, path

urlpatterns = [
    path("access/", include("hubdash.access.urls_bulk")),
]
