from django.urls import path

from . import receiver, views

urlpatterns = [
    path("webhooks/hub", receiver.hub_webhook, name="hub-webhook"),
    path("activity/", views.feed, name="activity"),
    path("activity/<int:pk>/", views.event_detail, name="activity-event"),
]
