"""Bid pages: the bid board, starting a bid, the workspace and its actions (views in
``intake.bids.views``). Each workspace action (``intake.bids.actions``) posts to
``bids/<pk>/<action>/``, named ``bid-<action>``; the workspace's sections are ``?section=`` on
``bids/<pk>/``."""

from django.urls import path

from intake.bids import views
from intake.bids.actions import ACTIONS

urlpatterns = [
    path("bids/board/", views.board, name="bid-board"),
    path("bids/board/<int:request_id>/volunteer/", views.volunteer, name="bid-volunteer"),
    path("bids/new/<int:request_id>/", views.start, name="bid-start"),
    path("bids/<int:pk>/", views.workspace, name="bid-workspace"),
    *(
        path(
            f"bids/<int:pk>/{action}/",
            views.bid_action,
            {"action": action},
            name=f"bid-{action}",
        )
        for action in ACTIONS
    ),
    path("my/bids/", views.my_bids, name="my-bids"),
]
