from django.urls import path

from . import export, receiver, views

urlpatterns = [
    path("webhooks/hub", receiver.hub_webhook, name="hub-webhook"),
    path("activity/", views.feed, name="activity"),
    path("activity/<int:pk>/", views.event_detail, name="activity-event"),
    path("activity/export.csv", export.export, {"fmt": "csv"}, name="activity-export-csv"),
    path("activity/export.json", export.export, {"fmt": "json"}, name="activity-export-json"),
]
