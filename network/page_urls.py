"""Pages: home, joining, sign-in, the member directory and profile editor."""

from django.contrib.auth import views as auth_views
from django.urls import path

from network import desk_views, rota_views, views
from network.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("join/thanks/", views.join_thanks, name="join-thanks"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's views (signed-in only); the session that changes the password stays signed in,
    # every other one and every API token of the account ends (network.authentication).
    path(
        "accounts/password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("desk/", desk_views.desk_page, name="desk"),
    path("rota/", rota_views.rota_page, name="rota"),
    path("rota/opt-in/", rota_views.rota_opt_in, name="rota-opt-in"),
    path("rota/swaps/", rota_views.rota_swap_propose, name="rota-swap-propose"),
    path("rota/swaps/<int:pk>/answer/", rota_views.rota_swap_answer, name="rota-swap-answer"),
    path("rota.ics", rota_views.rota_calendar, name="rota-calendar"),
    path("members/", views.member_list, name="member-list"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("profile/", views.my_profile, name="my-profile"),
    path("profile/skills/", views.my_skill_add, name="my-skill-add"),
    path("profile/skills/<int:skill_pk>/", views.my_skill_update, name="my-skill-update"),
    path("profile/skills/<int:skill_pk>/remove/", views.my_skill_remove, name="my-skill-remove"),
    path("profile/time-away/", views.my_time_away_add, name="my-time-away-add"),
    path(
        "profile/time-away/<int:pk>/delete/",
        views.my_time_away_delete,
        name="my-time-away-delete",
    ),
]
