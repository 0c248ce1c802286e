from django.contrib.auth.views import LogoutView
from django.urls import path

from . import oauth_views, views

urlpatterns = [
    path("setup/", views.setup, name="setup"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/hf/login/", oauth_views.hf_start, name="hf-start"),
    path("accounts/hf/confirm/", oauth_views.hf_confirm, name="hf-confirm"),
    path("accounts/hf/callback/", oauth_views.hf_callback, name="hf-callback"),
    path("team/sign-in/", oauth_views.sign_in_policy, name="sign-in-policy"),
    path("account/", views.profile, name="profile"),
    path("account/refresh/", views.profile_refresh, name="profile-refresh"),
    path("account/token/", views.token, name="token"),
    path("account/token/remove/", views.token_remove, name="token-remove"),
    path("team/", views.team, name="team"),
    path("team/add/", views.team_add, name="team-add"),
    path("team/<int:pk>/role/", views.team_role, name="team-role"),
    path("team/<int:pk>/active/", views.team_active, name="team-active"),
]
