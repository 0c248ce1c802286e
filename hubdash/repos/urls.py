from django.urls import path

from . import views

REPO = "<str:namespace>/<str:name>"

urlpatterns = [
    path("", views.home, name="home"),
    path("metrics/", views.metrics, name="metrics"),
    path("tags/models/", views.tags, {"kind": "model"}, name="model-tags"),
    path("tags/datasets/", views.tags, {"kind": "dataset"}, name="dataset-tags"),
]
for kind, plural in (("model", "models"), ("dataset", "datasets"), ("space", "spaces")):
    urlpatterns += [
        path(f"{plural}/", views.listing, {"kind": kind}, name=f"{kind}-list"),
        path(f"{plural}/{REPO}/", views.repo, {"kind": kind}, name=f"{kind}-repo"),
        path(f"{plural}/{REPO}/files/", views.repo_files, {"kind": kind}, name=f"{kind}-files"),
        path(f"{plural}/{REPO}/files/<path:path>", views.repo_files, {"kind": kind}, name=f"{kind}-files"),
        path(f"{plural}/{REPO}/download/<path:path>", views.repo_download, {"kind": kind}, name=f"{kind}-download"),
        path(f"{plural}/{REPO}/history/", views.repo_history, {"kind": kind}, name=f"{kind}-history"),
    ]
