"""Handbook pages (views in handbook/views.py)."""

from django.urls import path

from handbook import views

urlpatterns = [
    path("handbook/pages/<slug:slug>/", views.page_detail, name="handbook-page"),
    path("handbook/meetings/<int:pk>/", views.meeting_detail, name="handbook-meeting"),
    path("handbook/decisions/<int:pk>/", views.decision_detail, name="handbook-decision"),
]
