from django.urls import path

from . import manage_views, views

REPO = "<str:namespace>/<str:name>"

urlpatterns = [
    path("", views.home, name="home"),
    path("metrics/", views.metrics, name="metrics"),
    path("new/", manage_views.new_repo, name="repo-new"),
    path("new/check-name/", manage_views.check_name, name="repo-new-check"),
    path("tags/models/", views.tags, {"kind": "model"}, name="model-tags"),
    path("tags/datasets/", views.tags, {"kind": "dataset"}, name="dataset-tags"),
]
for kind, plural in (("model", "models"), ("dataset", "datasets"), ("space", "spaces")):
    urlpatterns += [
        path(f"{plural}/", views.listing, {"kind": kind}, name=f"{kind}-list"),
        path(f"{plural}/{REPO}/", views.repo, {"kind": kind}, name=f"{kind}-repo"),
        path(f"{plural}/{REPO}/files/", views.repo_files, {"kind": kind}, name=f"{kind}-files"),
        path(f"{plural}/{REPO}/files/<path:path>", views.repo_files, {"kind": kind}, name=f"{kind}-files"),
        path(f"{plural}/{REPO}/blob/<str:revision>/<path:path>", views.repo_blob, {"kind": kind}),
        path(f"{plural}/{REPO}/tree/<str:revision>/<path:path>", views.repo_blob, {"kind": kind}),
        path(f"{plural}/{REPO}/download/<path:path>", views.repo_download, {"kind": kind}, name=f"{kind}-download"),
        path(f"{plural}/{REPO}/history/", views.repo_history, {"kind": kind}, name=f"{kind}-history"),
        path(f"{plural}/{REPO}/settings/", manage_views.repo_settings, {"kind": kind}, name=f"{kind}-settings"),
        path(
            f"{plural}/{REPO}/settings/visibility/",
            manage_views.repo_visibility,
            {"kind": kind},
            name=f"{kind}-visibility",
        ),
        path(f"{plural}/{REPO}/settings/gating/", manage_views.repo_gating, {"kind": kind}, name=f"{kind}-gating"),
        path(f"{plural}/{REPO}/settings/move/", manage_views.repo_move, {"kind": kind}, name=f"{kind}-move"),
        path(f"{plural}/{REPO}/settings/delete/", manage_views.repo_delete, {"kind": kind}, name=f"{kind}-delete"),
    ]
