"""Intake pages: the public request form, the client's status page, coordinator and member pages."""

from django.urls import path

from intake import views

urlpatterns = [
    path("status/<str:token>/", views.request_status, name="request-status"),
]
