"""Bid API routes under /api/v1/ (views in intake/bid_api.py)."""

from rest_framework.routers import SimpleRouter

from intake import bid_api

# A SimpleRouter: the API root view belongs to network's DefaultRouter.
router = SimpleRouter(trailing_slash=True)
router.register("bids", bid_api.BidViewSet, basename="api-bid")
router.register("bid-board", bid_api.BidBoardViewSet, basename="api-bid-board")

urlpatterns = router.urls
