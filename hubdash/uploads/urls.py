from django.urls import path

from . import views

REPO = "<str:namespace>/<str:name>"

urlpatterns = []
for kind, plural in (("model", "models"), ("dataset", "datasets"), ("space", "spaces")):
    urlpatterns += [
        path(f"{plural}/{REPO}/upload/", views.upload, {"kind": kind}, name=f"{kind}-upload"),
        path(f"{plural}/{REPO}/uploads/", views.upload_list, {"kind": kind}, name=f"{kind}-uploads"),
    ]
