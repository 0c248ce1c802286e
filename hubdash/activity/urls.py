from django.urls import path

from . import receiver

urlpatterns = [
    path("webhooks/hub", receiver.hub_webhook, name="hub-webhook"),
]
