"""Intake pages: the public request form, the client's status page, coordinator and member pages."""

from django.urls import path

from intake import cover_views, member_views, metrics_views, request_views, views

urlpatterns = [
    path("request/", views.request_help, name="request-help"),
    path("request/thanks/", views.request_thanks, name="request-thanks"),
    path("status/<str:token>/", views.request_status, name="request-status"),
    path("coordination/queue/", views.queue, name="intake-queue"),
    path("coordination/requests/<int:pk>/", request_views.request_detail, name="intake-request"),
    path(
        "coordination/requests/<int:pk>/transitions/<slug:action>/",
        request_views.request_transition,
        name="intake-transition",
    ),
    path(
        "coordination/requests/<int:pk>/skills/",
        request_views.request_skills,
        name="intake-request-skills",
    ),
    path(
        "coordination/requests/<int:pk>/cover/",
        request_views.request_cover,
        name="intake-request-cover",
    ),
    path("my/offers/", member_views.my_offers, name="my-offers"),
    path("my/engagements/", member_views.my_engagements, name="my-engagements"),
    path("my/engagements/cover/", cover_views.my_covers, name="my-covers"),
    path("coordination/metrics/", metrics_views.metrics_page, name="intake-metrics"),
]
