"""``GET /api/v1/requests/<id>/matches/``: the matching engine's answer for a saved request.

Here rather than in ``matching/api.py`` because matching must not import intake. Coordinators
(and administrators) only, and only for requests they may see (``intake.access``).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import access
from intake.matching_panel import request_matches
from matching.api import IsCoordinator
from matching.serializers import MatchResultSerializer
from network.api import FORBIDDEN, NOT_FOUND


class RequestMatchesView(APIView):
    permission_classes = [IsAuthenticated, IsCoordinator]

    @extend_schema(
        summary="The best members for a request, with the reasons, or whom to refer it to",
        responses={200: MatchResultSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        tags=["requests"],
    )
    def get(self, request, pk):
        client_request = access.get_request_for_user(request.user, pk)
        return Response(MatchResultSerializer(request_matches(client_request)).data)
