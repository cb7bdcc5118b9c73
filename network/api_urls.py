"""The network's API routes under /api/v1/ (views in network/api_*.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from network.api_consultants import ConsultantSkillViewSet, ConsultantViewSet, TimeAwayViewSet
from network.api_groups import GroupViewSet
from network.api_pledges import PledgeListView
from network.api_professionals import ExternalProfessionalViewSet
from network.api_rota import (
    RotaOptInView,
    RotaSwapAnswerView,
    RotaSwapProposeView,
    RotaWeekListView,
)
from network.api_skills import SkillViewSet
from network.api_tokens import TokenObtainView

router = DefaultRouter(trailing_slash=True)
router.register("consultants", ConsultantViewSet, basename="api-consultant")
router.register("skills", SkillViewSet, basename="api-skill")
router.register("groups", GroupViewSet, basename="api-group")
router.register(
    "external-professionals",
    ExternalProfessionalViewSet,
    basename="api-external-professional",
)

# A member's skills and time away hang under the member; routers do not nest, so these are
# spelled out.
consultant_skills = ConsultantSkillViewSet.as_view({"get": "list", "post": "create"})
consultant_skill = ConsultantSkillViewSet.as_view({"put": "update", "delete": "destroy"})
time_away_list = TimeAwayViewSet.as_view({"get": "list", "post": "create"})
time_away_detail = TimeAwayViewSet.as_view({"put": "update", "delete": "destroy"})

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("pledges/", PledgeListView.as_view(), name="api-pledges"),
    path("rota/weeks/", RotaWeekListView.as_view(), name="api-rota-weeks"),
    path("rota/opt-in/", RotaOptInView.as_view(), name="api-rota-opt-in"),
    path("rota/swaps/", RotaSwapProposeView.as_view(), name="api-rota-swaps"),
    path("rota/swaps/<int:pk>/answer/", RotaSwapAnswerView.as_view(), name="api-rota-swap-answer"),
    path(
        "consultants/<int:consultant_pk>/skills/",
        consultant_skills,
        name="api-consultant-skill-list",
    ),
    path(
        "consultants/<int:consultant_pk>/skills/<slug:skill_slug>/",
        consultant_skill,
        name="api-consultant-skill-detail",
    ),
    path(
        "consultants/<int:consultant_pk>/time-away/",
        time_away_list,
        name="api-time-away-list",
    ),
    path(
        "consultants/<int:consultant_pk>/time-away/<int:pk>/",
        time_away_detail,
        name="api-time-away-detail",
    ),
    *router.urls,
]
