"""Bid pages: the bid board, starting a bid, the workspace and its actions (views in
intake/bid_views.py). Each workspace action posts to ``bids/<pk>/<action>/``, named
``bid-<action>``."""

from django.urls import path

from intake.bids import views as bid_views

urlpatterns = [
    path("bids/board/", bid_views.board, name="bid-board"),
    path("bids/board/<int:request_id>/volunteer/", bid_views.volunteer, name="bid-volunteer"),
    path("bids/new/<int:request_id>/", bid_views.start, name="bid-start"),
    path("bids/<int:pk>/", bid_views.workspace, name="bid-workspace"),
    *(
        path(
            f"bids/<int:pk>/{action}/",
            bid_views.bid_action,
            {"action": action},
            name=f"bid-{action}",
        )
        for action in bid_views.ACTIONS
    ),
    path("my/bids/", bid_views.my_bids, name="my-bids"),
]
