from django.urls import path

from . import views

urlpatterns = [
    path("jobs/", views.jobs_page, name="jobs"),
    path("jobs/paused/", views.paused_line, name="jobs-paused"),
    path("jobs/<str:name>/run/", views.run_now, name="job-run-now"),
    path("account/unattended/", views.delegation_view, name="jobs-delegation"),
]
