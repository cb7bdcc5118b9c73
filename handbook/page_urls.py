"""Handbook pages (views in handbook/views.py; meetings and decisions in
handbook/record_views.py). ``handbook-page``, ``handbook-meeting`` and
``handbook-decision`` are used by the models and by rendering: keep their names."""

from django.urls import path

from handbook import proposal_views, record_views, views

urlpatterns = [
    path("handbook/", views.handbook_index, name="handbook-index"),
    path("handbook/new/", views.page_new, name="handbook-new"),
    path("handbook/search/", views.handbook_search, name="handbook-search"),
    path("handbook/export/", views.handbook_export, name="handbook-export"),
    path("handbook/pages/<slug:slug>/", views.page_detail, name="handbook-page"),
    path("handbook/pages/<slug:slug>/edit/", views.page_edit, name="handbook-edit"),
    path("handbook/pages/<slug:slug>/history/", views.page_history, name="handbook-history"),
    path("handbook/pages/<slug:slug>/diff/", views.page_diff, name="handbook-diff"),
    path("handbook/pages/<slug:slug>/revert/", views.page_revert, name="handbook-revert"),
    path("handbook/pages/<slug:slug>/reviewed/", views.page_review, name="handbook-review"),
    path(
        "handbook/pages/<slug:slug>/governed/",
        proposal_views.page_governed,
        name="handbook-governed",
    ),
    path(
        "handbook/pages/<slug:slug>/proposals/<int:pk>/",
        proposal_views.proposal_detail,
        name="handbook-proposal",
    ),
    path(
        "handbook/pages/<slug:slug>/proposals/<int:pk>/withdraw/",
        proposal_views.proposal_withdraw,
        name="handbook-proposal-withdraw",
    ),
    path("handbook/meetings/", record_views.meeting_list, name="handbook-meetings"),
    path("handbook/meetings/<int:pk>/", record_views.meeting_detail, name="handbook-meeting"),
    path(
        "handbook/meetings/<int:pk>/decisions/",
        record_views.decision_new,
        name="handbook-decision-new",
    ),
    path(
        "handbook/meetings/<int:pk>/action-items/",
        record_views.action_item_new,
        name="handbook-action-new",
    ),
    path(
        "handbook/action-items/<int:pk>/done/",
        record_views.action_item_done,
        name="handbook-action-done",
    ),
    path(
        "handbook/meetings/<int:pk>/proxy/",
        record_views.meeting_proxy_give,
        name="handbook-meeting-proxy",
    ),
    path(
        "handbook/meetings/<int:pk>/proxy/revoke/",
        record_views.meeting_proxy_revoke,
        name="handbook-meeting-proxy-revoke",
    ),
    path("handbook/decisions/", record_views.decision_register, name="handbook-decisions"),
    path("handbook/decisions/<int:pk>/", record_views.decision_detail, name="handbook-decision"),
    path("handbook/decisions/<int:pk>/vote/", record_views.vote_cast, name="handbook-vote"),
    path("handbook/decisions/<int:pk>/close/", record_views.decision_close, name="handbook-close"),
    path("handbook/decisions/<int:pk>/proxy/", record_views.proxy_give, name="handbook-proxy"),
    path(
        "handbook/decisions/<int:pk>/proxy/revoke/",
        record_views.proxy_revoke,
        name="handbook-proxy-revoke",
    ),
]
