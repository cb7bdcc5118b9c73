"""The network's API routes under /api/v1/ (views in network/api.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from network import api

router = DefaultRouter(trailing_slash=True)
router.register("consultants", api.ConsultantViewSet, basename="api-consultant")
router.register("skills", api.SkillViewSet, basename="api-skill")
router.register("groups", api.GroupViewSet, basename="api-group")
router.register(
    "external-professionals",
    api.ExternalProfessionalViewSet,
    basename="api-external-professional",
)

# A member's skills and time away hang under the member; routers do not nest, so these are
# spelled out.
consultant_skills = api.ConsultantSkillViewSet.as_view({"get": "list", "post": "create"})
consultant_skill = api.ConsultantSkillViewSet.as_view({"put": "update", "delete": "destroy"})
time_away_list = api.TimeAwayViewSet.as_view({"get": "list", "post": "create"})
time_away_detail = api.TimeAwayViewSet.as_view({"put": "update", "delete": "destroy"})

urlpatterns = [
    path("auth/token/", api.TokenObtainView.as_view(), name="api-token"),
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
