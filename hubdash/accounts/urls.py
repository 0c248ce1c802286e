from django.urls import path

from . import passwords, views

# Signing in with a password, the profile and the token page. Signing in with Hugging Face, the Team page,
# invitations and reset links are hubdash.team's (hubdash/team/urls.py), under the same names and paths.
urlpatterns = [
    path("setup/", views.setup, name="setup"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path("account/", views.profile, name="profile"),
    path("account/refresh/", views.profile_refresh, name="profile-refresh"),
    path("account/token/", views.token, name="token"),
    path("account/token/remove/", views.token_remove, name="token-remove"),
    path("account/password/", passwords.password_change, name="password-change"),
]
