from django.urls import path

from . import oauth_views, reset_links, team_views

urlpatterns = [
    path("accounts/hf/login/", oauth_views.hf_start, name="hf-start"),
    path("accounts/hf/confirm/", oauth_views.hf_confirm, name="hf-confirm"),
    path("accounts/hf/callback/", oauth_views.hf_callback, name="hf-callback"),
    path("team/sign-in/", oauth_views.sign_in_policy, name="sign-in-policy"),
    path("password/reset/<uidb64>/<token>/", reset_links.PasswordResetView.as_view(), name="password-reset"),
    path("team/", team_views.team, name="team"),
    path("team/add/", team_views.team_add, name="team-add"),
    path("team/invite/", team_views.invite, name="team-invite"),
    path("team/invitations/<int:pk>/revoke/", team_views.invitation_revoke, name="invitation-revoke"),
    path("team/unlock/", team_views.team_unlock, name="team-unlock"),
    path("team/<int:pk>/role/", team_views.team_role, name="team-role"),
    path("team/<int:pk>/active/", team_views.team_active, name="team-active"),
    path("team/<int:pk>/token/remove/", team_views.team_token_remove, name="team-token-remove"),
    path("team/<int:pk>/password-reset/", team_views.team_password_reset, name="team-password-reset"),
    path("invitation/accept/", team_views.invitation_accept, name="invitation-accept"),
    path("invitation/<str:token>/", team_views.invitation, name="invitation"),
]
