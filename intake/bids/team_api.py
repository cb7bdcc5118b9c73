"""``GET /api/v1/requests/<id>/teams/``: small teams the matching engine proposes for a
request, seeded with the team of its open bid.

Coordinators (and administrators) only, and only for requests they may see (``intake.access``).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import access
from intake.bids.selectors import open_bid_team
from intake.selectors import request_profile_for
from matching import adapter
from matching.api import IsCoordinator
from matching.serializers import TeamsQuerySerializer, TeamsResultSerializer
from network import access as network_access
from network.api import FIELD_ERRORS, FORBIDDEN, NOT_FOUND


class RequestTeamsView(APIView):
    permission_classes = [IsAuthenticated, IsCoordinator]

    @extend_schema(
        summary="Small teams that together cover a request's skills, best first",
        description=(
            "Up to `k` distinct teams of at most five members, each with who covers which "
            "skill, the planned blended rate and the estimated cost. Members who have worked "
            "together on a request before are preferred. Every member adds a skill nobody else "
            "on the team holds. When the request has an open bid, every team starts from its "
            "lead and the members invited or on it (`members` first, in that order), and only "
            "members covering what they lack join; members of the bid who cannot take the work "
            "now are named in the explanation."
        ),
        parameters=[TeamsQuerySerializer],
        responses={200: TeamsResultSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
        tags=["requests"],
    )
    def get(self, request, pk):
        client_request = access.get_request_for_user(request.user, pk)
        query = TeamsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        teams = adapter.propose_teams_for(
            request_profile_for(client_request),
            k=query.validated_data["k"],
            seed=open_bid_team(client_request),
        )
        # Only coordinators may call, and they may see rates; the check keeps the rule in one
        # place should the endpoint ever open to others.
        context = {"show_rates": network_access.is_coordinator(request.user)}
        return Response(TeamsResultSerializer({"teams": teams}, context=context).data)
