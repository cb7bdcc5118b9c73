"""The matching JSON API under /api/v1/: skill normalization and ranking an unsaved request.

Coordinators and administrators only (``network.access.is_coordinator``); everyone else gets 403.
The index is built once per process (``matching.adapter.current_index``), so a call costs the
sign-in look-ups, one query for the index's stamp and the language check.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from matching import adapter
from matching.serializers import (
    HealthSerializer,
    MatchInputSerializer,
    MatchResultSerializer,
    NormalizeInputSerializer,
    NormalizeResultSerializer,
)
from network import access
from network.api import FIELD_ERRORS, FORBIDDEN


class IsCoordinator(BasePermission):
    """Intake, community and group coordinators, and administrators."""

    message = _("Only coordinators may use matching.")

    def has_permission(self, request, view):
        return access.is_coordinator(request.user)


class SkillNormalizeView(APIView):
    permission_classes = [IsAuthenticated, IsCoordinator]

    @extend_schema(
        summary="Recognise skill phrases as the taxonomy's canonical skills",
        description=(
            "Each term comes back with the canonical skill it names and the match's confidence, "
            "or `skill: null` when it is unknown (kept, never dropped)."
        ),
        request=NormalizeInputSerializer,
        responses={200: NormalizeResultSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
        tags=["matching"],
    )
    def post(self, request):
        serializer = NormalizeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        normalizer = adapter.current_index().normalizer
        results = normalizer.normalize_many(serializer.validated_data["terms"])
        return Response(NormalizeResultSerializer({"results": results}).data)


class MatchView(APIView):
    permission_classes = [IsAuthenticated, IsCoordinator]

    @extend_schema(
        summary="Rank the network's members for an unsaved request",
        description=(
            "Send a request's fields as a client would (a description or at least one skill). "
            "The answer names the best members with each factor of their score, or says why "
            "nobody fits (`refer_out`) and which outside professionals to recommend."
        ),
        request=MatchInputSerializer,
        responses={200: MatchResultSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
        tags=["matching"],
    )
    def post(self, request):
        serializer = MatchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = adapter.match(adapter.request_profile(**serializer.validated_data))
        return Response(MatchResultSerializer(result).data)


class HealthView(APIView):
    """Open to anyone (a monitor has no account): versions and times, nothing about members."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="The service's health: the matching index's version and age",
        description=(
            "`matching_index.stale` is true between a change to the network and the end of the "
            "index's rebuild (seconds); answers meanwhile come from the previous version. A "
            "large `age_seconds` with `stale` true means no rebuild is running: see "
            'docs/operations.md, "Matching index". Costs one query.'
        ),
        responses={200: HealthSerializer},
        tags=["health"],
    )
    def get(self, request):
        # The serializer leaves out what the status holds beyond its fields (the member count).
        return Response(HealthSerializer({"matching_index": adapter.index_status()}).data)
