"""Changes put to the vote, over the API: ``/api/v1/handbook/proposals/`` lists and shows them
and withdraws one; an edit or a revert of a governed page (``PUT``/``PATCH``/``revert`` on
``/api/v1/handbook/pages/<slug>/``) answers 202 with the proposal it made
(``handbook.proposals``); ``POST …/pages/<slug>/governed/`` marks a page as changed by
decision.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from handbook import access, diff, proposals
from handbook.models import Page, Proposal
from handbook.serializers import NamedEnum, prefetched_outcome, user_name
from network.api import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, list_responses


class ProposalStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Proposal.Status.choices, **kwargs)


class ProposalStatusEnum(NamedEnum):
    """ "status" names other choice sets in the API (requests, bids)."""

    target_class = ProposalStatusField
    enum_name = "ProposalStatusEnum"
    values = list(Proposal.Status.values)


class ProposalSerializer(serializers.Serializer):
    """A proposed change with its decision; ``page``, ``base``, ``decision`` and ``revision``
    are selected with it."""

    id = serializers.IntegerField(read_only=True)
    page = serializers.SlugField(source="page.slug", read_only=True)
    status = ProposalStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    author = serializers.SerializerMethodField()
    base_revision = serializers.IntegerField(
        source="base.number",
        read_only=True,
        help_text="The page's revision number the change was written against.",
    )
    decision = serializers.IntegerField(source="decision_id", read_only=True)
    closes_at = serializers.DateTimeField(source="decision.closes_at", read_only=True)
    outcome = serializers.SerializerMethodField(
        help_text="The decision's outcome from its votes so far (final once it closes)."
    )
    adopted_revision = serializers.IntegerField(
        source="revision.number",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The page's revision number this change became, once adopted.",
    )
    created_at = serializers.DateTimeField(read_only=True)
    settled_at = serializers.DateTimeField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    def get_author(self, proposal) -> str | None:
        return user_name(proposal.author)

    def get_outcome(self, proposal) -> str:
        # From the prefetched votes: no query per proposal.
        return prefetched_outcome(proposal.decision)

    def get_url(self, proposal) -> str:
        return proposal.get_absolute_url()


class ProposalDetailSerializer(ProposalSerializer):
    body = serializers.CharField(read_only=True, help_text="The proposed Markdown.")
    diff = serializers.SerializerMethodField(
        help_text="Unified diff from the revision it was written against to the proposal."
    )

    def get_diff(self, proposal) -> str:
        return diff.unified(
            proposal.base.body,
            proposal.body,
            old_label=f"revision {proposal.base.number}",
            new_label="proposed",
        )


class GovernedSerializer(serializers.Serializer):
    governed = serializers.BooleanField(
        help_text="True: edits are proposed and voted. Policies are always governed."
    )


class ProposalFilter(django_filters.FilterSet):
    # Not "page", which names the page of results.
    slug = django_filters.CharFilter(field_name="page__slug", help_text="The page's slug.")
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices)

    class Meta:
        model = Proposal
        fields = ["slug", "status"]


MEMBERS_ONLY = _("Only members of the alliance read the changes proposed to the handbook.")


PROPOSED = OpenApiResponse(
    response=ProposalDetailSerializer,
    description="The page changes by decision: the edit was kept as a proposal and put to the "
    "vote; the page's text is unchanged until the vote passes.",
)


@extend_schema_view(
    list=extend_schema(
        summary="Proposed changes to pages that change by decision (members)",
        responses=list_responses(ProposalSerializer, filtered=True),
    ),
    retrieve=extend_schema(
        summary="One proposed change, with its text and diff (members)",
        responses={200: ProposalDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["handbook"])
class ProposalViewSet(viewsets.GenericViewSet):
    """Proposed changes are read by members who may read the page they change."""

    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"
    queryset = Proposal.objects.none()  # for the schema
    serializer_class = ProposalSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProposalFilter

    def get_queryset(self):
        pages = access.visible_pages(self.request.user)
        return (
            Proposal.objects.filter(page__in=pages)
            .select_related("page", "base", "decision", "revision", "author__consultant")
            .prefetch_related("decision__votes")
            .order_by("-created_at", "-pk")
        )

    def list(self, request):
        if not access.may_read_members_pages(request.user):
            raise PermissionDenied(MEMBERS_ONLY)
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProposalSerializer(rows, many=True).data)

    def _proposal(self, pk) -> Proposal:
        found = self.get_queryset().filter(pk=pk).first()
        if found is None or not access.may_read_members_pages(self.request.user):
            raise Http404(_("No such proposed change."))
        return found

    def retrieve(self, request, pk):
        return Response(ProposalDetailSerializer(self._proposal(pk)).data)

    @extend_schema(
        summary="Withdraw a proposed change while its vote is open (its author, the secretary, "
        "the staff coordinators)",
        request=None,
        responses={
            200: ProposalDetailSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(description="The vote has closed or the proposal was settled."),
        },
    )
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def withdraw(self, request, pk):
        proposal = self._proposal(pk)
        proposals.proposal_withdraw(actor=request.user, proposal_id=proposal.pk)
        return Response(ProposalDetailSerializer(self._proposal(pk)).data)


def proposed(proposal: Proposal) -> Response:
    """The 202 answer to an edit or a revert of a governed page."""
    proposal = (
        Proposal.objects.select_related("page", "base", "decision", "revision", "author")
        .prefetch_related("decision__votes")
        .get(pk=proposal.pk)
    )
    return Response(ProposalDetailSerializer(proposal).data, status=status.HTTP_202_ACCEPTED)


GOVERNED_RESPONSES = {
    200: GovernedSerializer,
    400: FIELD_ERRORS,
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: OpenApiResponse(description="A change to the page is being voted on."),
}


def governed_answer(request, page: Page) -> Response:
    """``POST …/pages/<slug>/governed/``: the record keepers mark a page as changed by
    decision, or no longer."""
    # Who before what: a caller who may not mark pages hears so whatever they sent.
    if not access.keeps_the_record(request.user):
        raise PermissionDenied(proposals.GOVERN_REFUSED)
    serializer = GovernedSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    page = proposals.page_governed_set(
        actor=request.user, page_id=page.pk, governed=serializer.validated_data["governed"]
    )
    return Response({"governed": page.is_governed})
