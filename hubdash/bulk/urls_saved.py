"""Saved views' and guardrails' URLs (included from urls.py)."""

from django.urls import path

from . import views_saved

urlpatterns = [
    path("views/", views_saved.saved_views, name="saved-views"),
    path("views/save/", views_saved.save_view, name="saved-view-save"),
    path("views/nav/", views_saved.nav_fragment, name="saved-views-nav"),
    path("views/home/", views_saved.home_fragment, name="saved-views-home"),
    path("views/<int:view_id>/", views_saved.open_view, name="saved-view"),
    path("views/<int:view_id>/filters/", views_saved.update_filters, name="saved-view-filters"),
    path("views/<int:view_id>/rename/", views_saved.rename_view, name="saved-view-rename"),
    path("views/<int:view_id>/delete/", views_saved.delete_view, name="saved-view-delete"),
    path("guardrails/", views_saved.guardrails_page, name="guardrails"),
    path("guardrails/add/", views_saved.add_guardrail, name="guardrail-add"),
    path("guardrails/<int:rule_id>/delete/", views_saved.delete_guardrail, name="guardrail-delete"),
]
