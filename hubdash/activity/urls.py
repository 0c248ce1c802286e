from django.urls import path, re_path

from . import export, receiver, setup_views, views

urlpatterns = [
    path("webhooks/hub", receiver.hub_webhook, name="hub-webhook"),
    path("webhooks/", setup_views.setup, name="webhook-setup"),
    path("webhooks/secrets/", setup_views.new_secret, name="webhook-secret-new"),
    path("webhooks/secrets/<int:pk>/retire", setup_views.retire_secret, name="webhook-secret-retire"),
    path("webhooks/register", setup_views.register, name="webhook-register"),
    path("webhooks/test", setup_views.send_test, name="webhook-test"),
    re_path(
        r"^webhooks/(?P<webhook_id>[A-Za-z0-9]{1,64})/(?P<what>enable|disable|delete)$",
        setup_views.change,
        name="webhook-change",
    ),
    path("activity/", views.feed, name="activity"),
    path("activity/<int:pk>/", views.event_detail, name="activity-event"),
    path("activity/export.csv", export.export, {"fmt": "csv"}, name="activity-export-csv"),
    path("activity/export.json", export.export, {"fmt": "json"}, name="activity-export-json"),
]
