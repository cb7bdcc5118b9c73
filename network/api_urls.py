"""The network's API routes under /api/v1/ (filled in by network/api.py)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
urlpatterns = router.urls
