"""Bulk decisions and rules (included by urls.py under /access/)."""

from django.urls import path

from . import bulk_views, rules_views

urlpatterns = [
    path("bulk/", bulk_views.bulk_preview, name="access-bulk-preview"),
    path("bulk/<int:run_id>/", bulk_views.bulk_run, name="access-bulk-run"),
    path("bulk/<int:run_id>/start/", bulk_views.bulk_start, name="access-bulk-start"),
    path("rules/<str:namespace>/", rules_views.rules_page, name="access-rules"),
    path("rules/<str:namespace>/dry-run/", rules_views.rule_dry_run, name="access-rule-dry-run"),
    path("rules/<str:namespace>/save/", rules_views.rule_save, name="access-rule-save"),
    path("rules/<str:namespace>/<int:rule_id>/", rules_views.rule_edit, name="access-rule-edit"),
    path("rules/<str:namespace>/<int:rule_id>/move/", rules_views.rule_move, name="access-rule-move"),
    path("rules/<str:namespace>/<int:rule_id>/enabled/", rules_views.rule_enabled, name="access-rule-enabled"),
    path("rules/<str:namespace>/<int:rule_id>/delete/", rules_views.rule_delete, name="access-rule-delete"),
]
