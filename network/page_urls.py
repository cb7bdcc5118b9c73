"""Pages: home, sign-in, the member directory and a member's own profile editor."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="network/home.html"), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "members/<int:pk>/",
        TemplateView.as_view(template_name="network/home.html"),
        name="member-detail",
    ),
]
