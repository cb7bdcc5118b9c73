"""``GET /api/v1/requests/<id>/matches/``: the matching engine's answer for a saved request
(the teams for it are the bid app's: ``intake.bids.team_api``).

Here rather than in ``matching/api.py`` because matching must not import intake. Coordinators
(and administrators) only, and only for requests they may see (``intake.access``).
"""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import access
from intake.selectors import request_matches
from intake.serializers import RequestMatchesSerializer
from matching.api import IsCoordinator
from network.api import FORBIDDEN, NOT_FOUND


class RequestMatchesView(APIView):
    permission_classes = [IsAuthenticated, IsCoordinator]

    @extend_schema(
        summary="The best members for a request, with the reasons, or whom to refer it to",
        description=(
            "Coverage and the referral count the required skills: the named `skills` and the "
            "`confirmed_skills`. `mentioned_skills` are recognised in the description and not "
            "yet confirmed or dismissed (suggestions: they only add to the text factor); "
            "`unheld_skills` are the required skills no working member holds. Change them with "
            "`POST /api/v1/requests/<id>/skills/`."
        ),
        responses={200: RequestMatchesSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
        tags=["requests"],
    )
    def get(self, request, pk):
        client_request = access.get_request_for_user(request.user, pk)
        result = request_matches(client_request)
        body = {
            **asdict(result),
            "skills": client_request.skills,
            "confirmed_skills": client_request.confirmed_skills,
            "dismissed_skills": client_request.dismissed_skills,
        }
        return Response(RequestMatchesSerializer(body).data)
