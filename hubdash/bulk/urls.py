from django.urls import include, path

from . import views

urlpatterns = [
    path("bulk/", views.plans, name="bulk-plans"),
    path("bulk/plan/", views.make_plan, name="bulk-make-plan"),
    path("bulk/plans/<int:plan_id>/", views.plan_page, name="bulk-plan"),
    path("bulk/plans/<int:plan_id>/confirm/", views.confirm, name="bulk-confirm"),
    path("bulk/plans/<int:plan_id>/cancel/", views.cancel, name="bulk-cancel"),
    path("bulk/plans/<int:plan_id>/stop/", views.stop, name="bulk-stop"),
    path("bulk/plans/<int:plan_id>/start/", views.start, name="bulk-start"),
    path("bulk/plans/<int:plan_id>/progress/", views.progress, name="bulk-progress"),
    path("bulk/plans/<int:plan_id>/undo/", views.undo, name="bulk-undo"),
    path("bulk/plans/<int:plan_id>/decide/", views.decide, name="bulk-decide"),
    path("bulk/approvals/", views.approvals, name="bulk-approvals"),
    path("bulk/approvals/setting/", views.approval_setting, name="bulk-approval-setting"),
    path("", include("hubdash.bulk.urls_saved")),
]
