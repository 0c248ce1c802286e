"""The page of one discussion or pull request and its actions (the review's own patterns). Included before the
repo pages, whose patterns would otherwise take /{type}s/{ns}/{name}/discussions/… for their own."""

from django.urls import URLPattern, URLResolver, path

from . import review

ITEM = "<str:namespace>/<str:name>/discussions/<int:num>"

urlpatterns: list[URLPattern | URLResolver] = []
for kind, plural in (("model", "models"), ("dataset", "datasets"), ("space", "spaces")):
    urlpatterns += [
        path(f"{plural}/{ITEM}/", review.review, {"kind": kind}, name=f"{kind}-discussion"),
        path(f"{plural}/{ITEM}/diff/", review.raw_diff, {"kind": kind}, name=f"{kind}-discussion-diff"),
    ]
