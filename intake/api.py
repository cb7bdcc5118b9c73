"""The intake JSON API under /api/v1/: the public front door, the client's status, and requests as
coordinators and members work them.

Each view parses its input, calls one service (``intake.services.request_submit``) or the
workflow's one door (``intake.workflow.request_apply``) and renders. Requests are loaded through
``intake.access`` (404 when the user may not see one); the workflow decides who may make a move.
"""

import hashlib
import json
import secrets

import django_filters
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from intake import access, idempotency, metrics, services
from intake.client_view import client_status
from intake.models import Engagement, IdempotencyRecord, Offer, Request, RequestEvent
from intake.selectors import request_matches, with_language_codes
from intake.serializers import (
    ClientStatusSerializer,
    RequestDetailSerializer,
    RequestRowSerializer,
    RequestSkillsSerializer,
    RequestSubmitSerializer,
    RequestSubmittedSerializer,
    SkillsEditSerializer,
    TransitionSerializer,
)
from intake.throttling import RequestSubmitThrottle
from intake.workflow import request_apply, request_skills_edit
from network import access as network_access
from network.api import (
    FIELD_ERRORS,
    FORBIDDEN,
    NOT_FOUND,
    StableOrderingFilter,
    list_responses,
)
from network.filters import StaticFormFilterSet

# --- Shared pieces --------------------------------------------------------------------------

WORKFLOW_CONFLICT = OpenApiResponse(
    response=inline_serializer(
        "WorkflowConflict",
        {
            "detail": serializers.CharField(),
            "status": serializers.CharField(help_text="The request's status now."),
            "version": serializers.IntegerField(help_text="The request's version now."),
        },
    ),
    description="A stale version or a move the current status does not allow; nothing changed.",
)
THROTTLED = OpenApiResponse(description="Too many submissions from this address; try later.")
IDEMPOTENCY_UNREADABLE = OpenApiResponse(
    response=inline_serializer("IdempotencyUnreadable", {"detail": serializers.CharField()}),
    description="This Idempotency-Key's first answer can no longer be read; nothing stored.",
)
IDEMPOTENCY_MISMATCH = OpenApiResponse(
    response=inline_serializer("IdempotencyMismatch", {"detail": serializers.CharField()}),
    description="This Idempotency-Key was first used with a different body; nothing stored.",
)


class UsesRequestPages(BasePermission):
    """Coordinators and members; applicants and other accounts get 403 before any lookup."""

    message = _("Only coordinators and members of the alliance may read requests.")

    def has_permission(self, request, view):
        # Applicants and former members have a member record but are not (or no longer)
        # members: they are refused here as in the rest of the API.
        return access.can_use_request_pages(request.user) and network_access.is_member(request.user)


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was already used with a different request body. Send the same "
        "body to get the first answer again, or use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


class IdempotentAnswerUnreadable(APIException):
    # Only after SECRET_KEY changed with the old key left out of SECRET_KEY_FALLBACKS.
    status_code = status.HTTP_409_CONFLICT
    default_detail = _(
        "The first answer to this Idempotency-Key can no longer be read. Your request was "
        "filed; write to the intake address for its status link."
    )
    default_code = "idempotent_answer_unreadable"


# --- Idempotent submissions -----------------------------------------------------------------
# A client that lost the answer to a submission (a dropped connection, a timeout) retries with
# the same Idempotency-Key and gets the first answer again instead of filing a second request.
# The key alone does not open a stored answer: the body must match too, so a guessed key tells
# nothing to someone who does not already know everything the client sent.

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 200


def _idempotency_key(request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return None
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise serializers.ValidationError(
            {
                IDEMPOTENCY_HEADER: [
                    _("At most %(count)s characters.") % {"count": IDEMPOTENCY_KEY_MAX_LENGTH}
                ]
            }
        )
    return key


def _fingerprint(body) -> str:
    """sha256 of the body as canonical JSON (sorted keys, no spaces), whatever its encoding."""
    if hasattr(body, "lists"):  # a form-encoded body arrives as a QueryDict
        body = {name: values if len(values) > 1 else values[0] for name, values in body.lists()}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored_answer(key: str) -> IdempotencyRecord | None:
    return idempotency.record_find(key)


def _replay(record: IdempotencyRecord, fingerprint: str, key: str) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    # Stored sealed under the client's key (it holds the status link): only this key opens it.
    answer = idempotency.record_answer(record, key)
    if answer is None:
        raise IdempotentAnswerUnreadable()
    return Response(answer, status=record.response_status, headers={"Idempotent-Replayed": "true"})


def _status_url(request, token: str) -> str:
    """The client's status link on the host that served this answer (emails use SITE_URL)."""
    return request.build_absolute_uri(reverse("request-status", args=[token]))


def _decoy_answer(request) -> dict:
    """A plausible answer for a bot that filled the honeypot. Nothing is stored and the link
    leads to the same 404 as any unknown token."""
    year = timezone.localdate().year
    last_id = Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {
        "id": last_id + 1 + secrets.randbelow(3),
        "reference": f"REQ-{year}-{1 + secrets.randbelow(9999):04d}",
        "status": Request.Status.SUBMITTED,
        "status_url": _status_url(request, services.status_token_new()[0]),
    }


# --- Requests ---------------------------------------------------------------------------------

# Most urgent last when ascending, so "-urgency" puts emergencies first.
URGENCY_RANK = Case(
    *(When(urgency=value, then=Value(rank)) for rank, value in enumerate(Request.Urgency.values)),
    default=Value(0),
    output_field=IntegerField(),
)


class RequestFilter(StaticFormFilterSet):
    # distinct=False: the status is the request's own column, so the filter cannot repeat a
    # row, and a DISTINCT over every selected column would make PostgreSQL sort the whole page.
    status = django_filters.MultipleChoiceFilter(
        choices=Request.Status.choices,
        distinct=False,
        help_text="Repeat for several: ?status=submitted&status=...",
    )
    urgency = django_filters.ChoiceFilter(choices=Request.Urgency.choices)
    group = django_filters.NumberFilter(
        field_name="assigned_group", help_text="The id of the group the request is routed to."
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text="true: submitted and not contacted by the response target (false: the rest).",
    )
    submitted_after = django_filters.DateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.DateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Request
        fields = ["status", "urgency", "group", "overdue", "submitted_after", "submitted_before"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=Request.Status.SUBMITTED, response_due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class RequestOrderingFilter(StableOrderingFilter):
    """``urgency`` sorts by rank (low → emergency), not by the words' alphabetical order."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        return [
            term.replace("urgency", "urgency_rank") if term.lstrip("-") == "urgency" else term
            for term in ordering or []
        ] or ordering


# What a list row shows (RequestRowSerializer) and what deciding who may see a member's name
# reads; nothing else leaves the database: not the description (up to 10,000 characters), not the
# related rows' own long fields. A field missing here costs a query per row, which the list's
# query-count tests catch.
_ROW_FIELDS = (
    *("id", "reference", "title", "status", "urgency", "version", "skills", "budget_max"),
    *("currency", "estimated_hours", "pro_bono", "remote_ok", "location", "desired_start"),
    *("submitted_at", "response_due_at", "first_contact_at", "closed_at", "language"),
    *("organization__name", "assigned_group__name", "assigned_group__coordinator_id"),
    *("offered_consultant__display_name", "offered_consultant__user_id"),
    *("engaged_consultant__display_name", "engaged_consultant__user_id"),
)


# Built once: each list call narrows a copy (``visible_requests``), which costs a fraction of
# setting up the joins, columns and the urgency's rank again.
_ROWS = (
    Request.objects.select_related(
        "organization", "assigned_group", "offered_consultant", "engaged_consultant"
    )
    .only(*_ROW_FIELDS)
    .annotate(urgency_rank=URGENCY_RANK)
)


def _request_rows(user):
    return access.visible_requests(user, _ROWS)


def _request_detail(pk) -> Request:
    """One request with everything its detail shows, in a fixed number of queries."""
    return (
        Request.objects.select_related(
            "organization",
            "contact",
            "assigned_group",
            "offered_consultant",
            "engaged_consultant",
            "intake_coordinator__consultant",
            "possible_duplicate_of",
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=RequestEvent.objects.select_related("actor__consultant").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch("offers", queryset=Offer.objects.select_related("consultant")),
            "referrals__professionals",
            Prefetch("engagements", queryset=Engagement.objects.select_related("consultant")),
        )
        .get(pk=pk)
    )


def _user_of(view):
    # Schema generation builds views without a signed-in user.
    return getattr(getattr(view, "request", None), "user", None)


@extend_schema_view(
    list=extend_schema(
        summary="Requests you may see (coordinators and members)",
        responses=list_responses(RequestRowSerializer(many=True), filtered=True),
    ),
    retrieve=extend_schema(
        summary="One request with its events, offers, referrals and the moves you may make",
        responses={200: RequestDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["requests"])
class RequestViewSet(viewsets.GenericViewSet):
    """Requests for help. Submitting one is anonymous; reading and moving them is for
    coordinators and for the members they are offered to."""

    @property
    def service_field_map(self) -> dict[str, str]:
        """A submission's errors name the form's fields (the contact's email, the website)."""
        if self.action == "create":
            return {"email": "contact_email", "website": "organization_website"}
        return {}

    permission_classes = [IsAuthenticated, UsesRequestPages]
    lookup_value_regex = r"[0-9]+"
    queryset = Request.objects.none()  # for the schema; rows come through the gate
    serializer_class = RequestRowSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter, RequestOrderingFilter]
    filterset_class = RequestFilter
    search_fields = ["reference", "title", "organization__name"]
    ordering_fields = ["submitted_at", "urgency", "response_due_at"]

    def _is_submission(self) -> bool:
        method = getattr(self.request, "method", "") or ""
        return getattr(self, "action_map", {}).get(method.lower()) == "create"

    def get_authenticators(self):
        # The front door is anonymous: with no authentication, a browser that happens to hold
        # a member's session cookie is not asked for a CSRF token it does not have.
        if self._is_submission():
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self._is_submission():
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self):
        if self._is_submission():
            return [RequestSubmitThrottle()]
        return super().get_throttles()

    def check_throttles(self, request):
        # A replay creates nothing, so it does not use up the address's allowance.
        if self._is_submission() and self._idempotency_record(request) is not None:
            return
        super().check_throttles(request)

    def _count_submission(self, request):
        """Count an accepted submission (or a bot's), after the check above found room: 429
        when another from the address took the last place meanwhile (intake.throttling). Called
        inside the submission's transaction, which the 429 then rolls back."""
        throttle = RequestSubmitThrottle()
        if not throttle.count_accepted(request):
            self.throttled(request, throttle.wait())

    def _idempotency_record(self, request) -> IdempotencyRecord | None:
        if not hasattr(self, "_stored_idempotency_record"):
            key = _idempotency_key(request)
            self._stored_idempotency_record = _stored_answer(key) if key else None
        return self._stored_idempotency_record

    def get_queryset(self):
        user = _user_of(self)
        if user is None:
            return Request.objects.none()
        return _request_rows(user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "viewer": self.request.user}

    def _render(self, pk) -> dict:
        [client_request] = with_language_codes([_request_detail(pk)])
        return RequestDetailSerializer(client_request, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Ask the alliance for help (anonymous)",
        description=(
            "Answers 201 with the request's reference and the client's private status link. "
            f"Send an `{IDEMPOTENCY_HEADER}` header (any unique string, at most "
            f"{IDEMPOTENCY_KEY_MAX_LENGTH} characters) to retry safely: the same key with the "
            "same body returns the first answer again and files nothing new; the same key with "
            "a different body is refused with 422. Only accepted submissions count against the "
            "limit of submissions per address (429 beyond it): neither a replay nor a body "
            "refused with 400 uses up a place."
        ),
        request=RequestSubmitSerializer,
        responses={
            201: RequestSubmittedSerializer,
            400: FIELD_ERRORS,
            409: IDEMPOTENCY_UNREADABLE,
            422: IDEMPOTENCY_MISMATCH,
            429: THROTTLED,
        },
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Optional; makes a retry return the first answer.",
            )
        ],
        auth=[],
    )
    def create(self, request):
        key = _idempotency_key(request)
        fingerprint = _fingerprint(request.data)
        record = self._idempotency_record(request)
        if record is not None:
            return _replay(record, fingerprint, key)
        serializer = RequestSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if fields.pop("website_url").strip():
            # Only a bot fills the hidden field. It gets an answer like any other, so it does
            # not learn it was caught and try again differently; nothing is stored. It counts
            # against the address's limit as a person's submission would.
            self._count_submission(request)
            return Response(_decoy_answer(request), status=status.HTTP_201_CREATED)
        try:
            # The submission and its idempotency record commit together: a concurrent first
            # use of the same key fails on the key's unique constraint and rolls its own
            # submission back, then answers with the winner's record below.
            with transaction.atomic():
                # The language the caller asked for (Accept-Language): the client's emails use it.
                submission = services.request_submit(**fields, language=translation.get_language())
                body = RequestSubmittedSerializer(
                    {
                        "id": submission.request.pk,
                        "reference": submission.request.reference,
                        "status": submission.request.status,
                        "status_url": _status_url(request, submission.status_token),
                    }
                ).data
                if key:
                    idempotency.record_store(
                        key=key,
                        fingerprint=fingerprint,
                        status=status.HTTP_201_CREATED,
                        answer=body,
                        request_id=submission.request.pk,
                    )
                # Last: a submission that failed on anything above was never counted.
                self._count_submission(request)
        except IntegrityError:
            record = _stored_answer(key) if key else None
            if record is None:
                raise
            return _replay(record, fingerprint, key)
        return Response(body, status=status.HTTP_201_CREATED)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = with_language_codes(page)
        serializer = RequestRowSerializer(rows, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, pk):
        visible = access.get_request_for_user(request.user, pk)
        return Response(self._render(visible.pk))

    @extend_schema(
        summary="Make a move on a request",
        description=(
            "Send `action`, the `version` you saw and the action's fields (the request's "
            "`allowed_actions` lists them). A stale version or a move the status does not "
            "allow answers 409 with the current status and version, and changes nothing. "
            "`report_done` is the engaged member's word that the work is done: the request "
            "stays engaged, its `done_reported_at` is set and the intake coordinators are told; "
            "a coordinator confirms it with `complete`. Reporting twice, or on a request a team "
            "bid works on (the team's settlement completes it), answers 409."
        ),
        request=TransitionSerializer,
        responses={
            200: RequestDetailSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: WORKFLOW_CONFLICT,
        },
    )
    @action(detail=True, methods=["post"], url_path="transitions", url_name="transitions")
    def transitions(self, request, pk):
        visible = access.get_request_for_user(request.user, pk)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        move, version = fields.pop("action"), fields.pop("version")
        # A refusal is answered by network.api_errors.exception_handler: 400, 403 or 409.
        request_apply(request_id=visible.pk, action=move, actor=request.user, version=version,
                      **fields)  # fmt: skip
        return Response(self._render(visible.pk))

    @extend_schema(
        summary="Change a request's skills (intake coordinators)",
        description=(
            "Send the `version` you saw and any of: `add` and `remove` (named skills, as "
            "written; matching requires them), `confirm` (skills recognised in the description, "
            "by canonical name, to require too), `dismiss` (to stop suggesting them) and "
            "`restore` (to put a confirmed or dismissed skill back among the suggestions). "
            "Answers with the request's skills and new version; the change is one event in "
            "the request's trail. A stale version or a request no longer open answers 409 and "
            "changes nothing; so does any invalid part of the change (400)."
        ),
        request=SkillsEditSerializer,
        responses={
            200: RequestSkillsSerializer,
            400: FIELD_ERRORS,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: WORKFLOW_CONFLICT,
        },
    )
    @action(detail=True, methods=["post"], url_path="skills", url_name="skills")
    def skills(self, request, pk):
        visible = access.get_request_for_user(request.user, pk)
        if not access.works_the_queue(request.user, visible):
            raise PermissionDenied(_("Only intake coordinators change a request's skills."))
        serializer = SkillsEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        version = fields.pop("version")
        changed, _change = request_skills_edit(
            request_id=visible.pk, actor=request.user, version=version, **fields
        )
        return Response(RequestSkillsSerializer(request_skills_state(changed)).data)


def request_skills_state(client_request: Request) -> dict:
    """A request's skills as stored, with the suggestions matching recognises now."""
    result = request_matches(client_request)
    return {
        "id": client_request.pk,
        "version": client_request.version,
        "skills": client_request.skills,
        "confirmed_skills": client_request.confirmed_skills,
        "dismissed_skills": client_request.dismissed_skills,
        "mentioned_skills": result.mentioned_skills,
        "unknown_terms": result.unknown_terms,
    }


# --- The client's status --------------------------------------------------------------------


class RequestStatusView(APIView):
    """What a client may see of their request, by the private token in their status link."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="A request's status, as its client sees it (anonymous)",
        description=(
            "Opened by the token in the client's status link. Unknown tokens and requests that "
            "were withdrawn or closed answer the same 404."
        ),
        responses={
            200: ClientStatusSerializer,
            404: OpenApiResponse(description="No such request."),
        },
        auth=[],
        tags=["requests"],
    )
    def get(self, request, token):
        client_request = services.request_for_status_token(token)
        if client_request is None:
            raise NotFound(_("No such request."))
        body = {
            "reference": client_request.reference,
            "title": client_request.title,
            **client_status(client_request),
        }
        response = Response(ClientStatusSerializer(body).data)
        # The link is a secret: keep the answer out of shared caches and browser history.
        response["Cache-Control"] = "no-store"
        return response


# --- Free service days ------------------------------------------------------------------------


class FreeDaysMemberSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(source="consultant_id")
    name = serializers.CharField()
    pledged = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)
    given = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)
    left = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)


class FreeDaysSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    pledged = serializers.DecimalField(
        max_digits=9, decimal_places=1, coerce_to_string=False, help_text="The alliance's total."
    )
    given = serializers.DecimalField(
        max_digits=9, decimal_places=1, coerce_to_string=False, help_text="The alliance's total."
    )
    left = serializers.DecimalField(
        max_digits=9,
        decimal_places=1,
        coerce_to_string=False,
        help_text="Each member's days left, summed.",
    )
    members = FreeDaysMemberSerializer(many=True)


@extend_schema(tags=["metrics"])
class FreeServiceDaysView(APIView):
    """The metrics page's free service days as data: coordinators only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Free service days pledged, given and left in a year, per member and in all",
        parameters=[
            OpenApiParameter(
                "year", int, description="The calendar year (2000 to 2100); this year by default."
            )
        ],
        responses={200: FreeDaysSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def get(self, request):
        if not network_access.is_coordinator(request.user):
            raise PermissionDenied(_("The metrics are for coordinators."))
        try:
            year = metrics.year_asked(request.query_params.get("year"), timezone.localdate().year)
        except ValueError:
            raise serializers.ValidationError(
                {"year": [_("Choose a year between 2000 and 2100.")]}
            ) from None
        return Response(FreeDaysSerializer(metrics.free_service_days(year)).data)
