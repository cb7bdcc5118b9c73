"""Matching API routes under /api/v1/ (views in matching/api.py). Included before network's
routes, so ``skills/normalize/`` is not read as a skill's id."""

from django.urls import path

from matching import api

urlpatterns = [
    path("skills/normalize/", api.SkillNormalizeView.as_view(), name="api-skills-normalize"),
    path("match/", api.MatchView.as_view(), name="api-match"),
    path("health/", api.HealthView.as_view(), name="api-health"),
]
