"""``GET /api/v1/requests/<id>/matches/`` and ``…/teams/``: the matching engine's answers for a
saved request.

Here rather than in ``matching/api.py`` because matching must not import intake. Coordinators
(and administrators) only, and only for requests they may see (``intake.access``).
"""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import access
from intake.bid_views import open_bid_team
from intake.matching_panel import request_matches, request_profile_for
from intake.serializers import RequestMatchesSerializer
from matching import adapter
from matching.api import IsCoordinator
from matching.serializers import TeamsQuerySerializer, TeamsResultSerializer
from network import access as network_access
from network.api import FIELD_ERRORS, FORBIDDEN, NOT_FOUND


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
