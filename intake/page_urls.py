"""Intake pages: the public request form, the client's status page, coordinator and member pages."""

from django.urls import path

from intake import metrics_views, views

urlpatterns = [
    path("status/<str:token>/", views.request_status, name="request-status"),
    path("coordination/metrics/", metrics_views.metrics_page, name="intake-metrics"),
]
