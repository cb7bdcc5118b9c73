"""The network's JSON API under /api/v1/: members, skills, groups and outside professionals.

Each view parses its input, calls one service and renders. Objects are loaded through the
``network.access`` gatekeepers (404 when the user may not see the object, 403 when they may see
but not change it); every rule about who may do what lives there, not here.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, ProtectedError, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import renderers, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from network import access, selectors, services
from network.authentication import MAX_TOKENS_PER_USER, api_token_issue
from network.client_ip import ClientAddressThrottleMixin
from network.filters import ConsultantFilter
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ExternalProfessional,
    Skill,
    SkillAlias,
    TimeAway,
)
from network.serializers import (
    MAX_ROW_ID,
    ConsultantCreateSerializer,
    ConsultantProfileSerializer,
    ConsultantSerializer,
    ConsultantSkillAddSerializer,
    ConsultantSkillLevelSerializer,
    ConsultantSkillSerializer,
    ConsultantStatusSerializer,
    ExternalProfessionalInputSerializer,
    ExternalProfessionalSerializer,
    GroupInputSerializer,
    GroupSerializer,
    SkillInputSerializer,
    SkillSerializer,
    TimeAwayInputSerializer,
    TimeAwaySerializer,
)
from network.text import fold

# --- Shared pieces -------------------------------------------------------------------------


def drf_validation_error(
    error: DjangoValidationError, field_map: dict[str, str] | None = None
) -> serializers.ValidationError:
    """The 400 answer for a model ``ValidationError`` raised by a service: ``{field: [messages]}``.

    ``field_map`` renames model fields to the input field the client sent (a skill's ``slug`` is
    made from its ``name``); errors not tied to a field go under ``non_field_errors``.
    """
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})
    detail: dict[str, list[str]] = {}
    for model_field, messages in error.message_dict.items():
        field = field_map.get(model_field, model_field)
        if field == "__all__":
            field = api_settings.NON_FIELD_ERRORS_KEY
        detail.setdefault(field, []).extend(messages)
    return serializers.ValidationError(detail)


@contextmanager
def model_errors_as_400(field_map: dict[str, str] | None = None) -> Iterator[None]:
    """Turn a service's model validation error into a DRF 400 with field messages."""
    try:
        yield
    except DjangoValidationError as error:
        raise drf_validation_error(error, field_map) from error


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object is in use and cannot be removed."
    default_code = "conflict"


class IsMember(BasePermission):
    """Signed-in users who are not (or no longer) members get 403 before any lookup."""

    message = "Only members of the alliance may use this part of the API."

    def has_permission(self, request, view):
        return access.is_member(request.user)


class StableOrderingFilter(OrderingFilter):
    """Ordering that always ends on the primary key, so pages never repeat or skip a row."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering


def _user(view):
    # Schema generation builds views without a signed-in user.
    return getattr(view.request, "user", None) or AnonymousUser()


FIELD_ERRORS = OpenApiResponse(
    description="Invalid input: an object mapping each field to its messages. Nothing is written."
)
FORBIDDEN = OpenApiResponse(description="Not a member, or not allowed to make this change.")
NOT_FOUND = OpenApiResponse(description="No such object, or not one you may see.")
# DRF's own error body, {"detail": "..."}, as the schema hooks below document it.
DETAIL_CONTENT = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
    }
}
UNAUTHENTICATED = {
    "description": (
        "No credentials, or a token that is not valid (unknown, ended by a password change, or "
        "expired: the message says so): sign in, or send `Authorization: Token <key>` (from "
        "`POST /api/v1/auth/token/`)."
    ),
    "content": DETAIL_CONTENT,
}


UNSUPPORTED_MEDIA_TYPE = {
    "description": (
        "The body is not in a format the API reads: send `Content-Type: application/json` "
        "(forms and multipart are read too)."
    ),
    "content": DETAIL_CONTENT,
}


def schema_framework_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the answers DRF gives before a view runs, on every
    operation they can come from:

    - 401 where the operation takes credentials and they are missing or wrong (the token
      authentication comes first, so the answer carries its ``WWW-Authenticate: Token``
      challenge);
    - 415 where it takes a body and the body comes without a content type, or in one no parser
      reads (found by the API fuzzer, ``make fuzz``).
    """
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if any(requirement for requirement in operation.get("security", [])):
                operation["responses"].setdefault("401", UNAUTHENTICATED)
            if "requestBody" in operation:
                operation["responses"].setdefault("415", UNSUPPORTED_MEDIA_TYPE)
    return result


def path_row_id(value, what: str = "object") -> int:
    """An id from the URL path (routes match any run of digits), as an int; 404 when no row can
    have it. A filter on a foreign key's column passes the number to the database as it is, and
    SQLite's driver raises OverflowError (a 500) beyond 8 bytes (found by the API fuzzer)."""
    number = int(value)
    if not 1 <= number <= MAX_ROW_ID:
        raise Http404(f"No such {what}.")
    return number


PAGE_NOT_FOUND = OpenApiResponse(
    description="No such page of results: past the last page, or not a page number."
)
FILTER_ERRORS = OpenApiResponse(
    description="A filter's value is not valid: an object mapping each filter to its messages."
)
IN_USE = OpenApiResponse(
    response=inline_serializer("ConflictDetail", {"detail": serializers.CharField()}),
    description="Still in use elsewhere; nothing was removed.",
)


def _read(response):
    return {200: response, 403: FORBIDDEN, 404: NOT_FOUND}


def list_responses(response, *, forbidden: bool = True, filtered: bool = False) -> dict:
    """A paginated list's answers: a page, 400 for a bad filter or search value (a choice not
    offered, a null character), 403 unless anyone may list, and 404 past the last page."""
    answers = {200: response, 404: PAGE_NOT_FOUND}
    if filtered:
        answers[400] = FILTER_ERRORS
    if forbidden:
        answers[403] = FORBIDDEN
    return answers


def _write(response, code=200):
    return {code: response, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND}


_DELETED = {204: None, 403: FORBIDDEN, 404: NOT_FOUND}


def _write_schemas(output, request, *, create: str, replace: str, change: str) -> dict:
    """create / update / partial_update of a resource written through one input serializer."""
    return {
        "create": extend_schema(summary=create, request=request, responses=_write(output, 201)),
        "update": extend_schema(summary=replace, request=request, responses=_write(output)),
        "partial_update": extend_schema(summary=change, request=request, responses=_write(output)),
    }


class MemberViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsMember]
    lookup_value_regex = r"[0-9]+"


# --- Consultants ---------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="The member directory",
        responses=list_responses(ConsultantSerializer, filtered=True),
    ),
    retrieve=extend_schema(summary="One member", responses=_read(ConsultantSerializer)),
    create=extend_schema(
        summary="Open a member record (staff coordinators)",
        request=ConsultantCreateSerializer,
        responses=_write(ConsultantSerializer, 201),
    ),
    update=extend_schema(
        summary="Replace a member's profile (the member or a staff coordinator)",
        request=ConsultantProfileSerializer,
        responses=_write(ConsultantSerializer),
    ),
    partial_update=extend_schema(
        summary="Change some of a member's profile (the member or a staff coordinator)",
        request=ConsultantProfileSerializer,
        responses=_write(ConsultantSerializer),
    ),
)
@extend_schema(tags=["consultants"])
class ConsultantViewSet(MemberViewSet):
    """Members of the alliance. Rates are null unless the viewer may see them."""

    serializer_class = ConsultantSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ConsultantFilter
    ordering_fields = ["display_name", "updated_at", "created_at", "capacity_hours_per_week"]

    def get_queryset(self):
        return selectors.consultant_directory(_user(self))

    def _render(self, consultant: Consultant) -> dict:
        # Read again through the directory selector so skills, languages and groups come in
        # one query each, exactly as in the list.
        consultant = self.get_queryset().get(pk=consultant.pk)
        return ConsultantSerializer(consultant, context=self.get_serializer_context()).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = ConsultantSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, pk):
        consultant = access.get_consultant_for_user(request.user, pk)
        return Response(self._render(consultant))

    def create(self, request):
        if not access.can_create_consultant(request.user):
            raise PermissionDenied("Only staff coordinators may open member records.")
        serializer = ConsultantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "status" in fields and not access.can_change_member_status(request.user):
            raise PermissionDenied(
                "Only the community coordinator sets a member's status; "
                "leave status out to open an applicant's record."
            )
        # The user account's only cross-field rule is its case-insensitive unique email.
        with model_errors_as_400(field_map={"__all__": "email", "username": "email"}):
            consultant = services.consultant_create(actor=request.user, **fields)
        return Response(self._render(consultant), status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial=False):
        consultant = access.get_consultant_for_user(request.user, pk, write=True)
        serializer = ConsultantProfileSerializer(consultant, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            services.consultant_update(consultant=consultant, **serializer.validated_data)
        return Response(self._render(consultant))

    def partial_update(self, request, pk):
        return self.update(request, pk, partial=True)

    @extend_schema(
        summary="Change a member's status (community coordinator)",
        request=ConsultantStatusSerializer,
        responses=_write(ConsultantSerializer),
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, pk):
        consultant = access.get_consultant_for_user(request.user, pk)
        if not access.can_change_member_status(request.user):
            raise PermissionDenied("Only the community coordinator changes a member's status.")
        serializer = ConsultantStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            services.consultant_set_status(
                consultant=consultant, actor=request.user, **serializer.validated_data
            )
        return Response(self._render(consultant))


class ConsultantNestedViewSet(MemberViewSet):
    """Resources that belong to one member; changing them needs the right to edit the member."""

    pagination_class = None
    filter_backends = []

    def _consultant(self, *, write: bool = False) -> Consultant:
        return access.get_consultant_for_user(
            self.request.user, self.kwargs["consultant_pk"], write=write
        )


@extend_schema_view(
    list=extend_schema(
        summary="A member's skills", responses=_read(ConsultantSkillSerializer(many=True))
    ),
    create=extend_schema(
        summary="Add a skill to a member's profile, or change its level",
        request=ConsultantSkillAddSerializer,
        responses=_write(ConsultantSkillSerializer, 201),
    ),
    update=extend_schema(
        summary="Set the level of one of a member's skills",
        request=ConsultantSkillLevelSerializer,
        responses=_write(ConsultantSkillSerializer),
    ),
    destroy=extend_schema(summary="Remove a skill from a member's profile", responses=_DELETED),
)
@extend_schema(tags=["consultants"])
class ConsultantSkillViewSet(ConsultantNestedViewSet):
    serializer_class = ConsultantSkillSerializer
    queryset = ConsultantSkill.objects.none()  # for the schema; rows come through the gate

    def list(self, request, consultant_pk):
        entries = self._consultant().skills.select_related("skill")
        return Response(ConsultantSkillSerializer(entries, many=True).data)

    def create(self, request, consultant_pk):
        consultant = self._consultant(write=True)
        serializer = ConsultantSkillAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            entry = services.consultant_skill_set(
                consultant=consultant, **serializer.validated_data
            )
        return Response(ConsultantSkillSerializer(entry).data, status=status.HTTP_201_CREATED)

    def update(self, request, consultant_pk, skill_slug):
        consultant = self._consultant(write=True)
        skill = get_object_or_404(Skill, slug=skill_slug)
        serializer = ConsultantSkillLevelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            entry = services.consultant_skill_set(
                consultant=consultant, skill=skill, **serializer.validated_data
            )
        return Response(ConsultantSkillSerializer(entry).data)

    def destroy(self, request, consultant_pk, skill_slug):
        consultant = self._consultant(write=True)
        entry = get_object_or_404(consultant.skills.select_related("skill"), skill__slug=skill_slug)
        services.consultant_skill_remove(consultant=consultant, skill=entry.skill)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="A member's time away", responses=_read(TimeAwaySerializer(many=True))
    ),
    create=extend_schema(
        summary="Record time away",
        request=TimeAwayInputSerializer,
        responses=_write(TimeAwaySerializer, 201),
    ),
    update=extend_schema(
        summary="Change a period of time away",
        request=TimeAwayInputSerializer,
        responses=_write(TimeAwaySerializer),
    ),
    destroy=extend_schema(summary="Remove a period of time away", responses=_DELETED),
)
@extend_schema(tags=["consultants"])
class TimeAwayViewSet(ConsultantNestedViewSet):
    serializer_class = TimeAwaySerializer
    queryset = TimeAway.objects.none()  # for the schema; rows come through the gate

    def _time_away(self, consultant: Consultant, pk) -> TimeAway:
        return get_object_or_404(TimeAway, consultant=consultant, pk=pk)

    def _save(self, consultant: Consultant, time_away: TimeAway | None) -> TimeAway:
        serializer = TimeAwayInputSerializer(
            data=self.request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            return services.time_away_save(
                consultant=consultant, time_away=time_away, **serializer.validated_data
            )

    def list(self, request, consultant_pk):
        entries = self._consultant().time_away.select_related("covering")
        return Response(TimeAwaySerializer(entries, many=True).data)

    def create(self, request, consultant_pk):
        entry = self._save(self._consultant(write=True), None)
        return Response(TimeAwaySerializer(entry).data, status=status.HTTP_201_CREATED)

    def update(self, request, consultant_pk, pk):
        consultant = self._consultant(write=True)
        entry = self._save(consultant, self._time_away(consultant, pk))
        return Response(TimeAwaySerializer(entry).data)

    def destroy(self, request, consultant_pk, pk):
        consultant = self._consultant(write=True)
        services.time_away_delete(time_away=self._time_away(consultant, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Skills --------------------------------------------------------------------------------


class SkillFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Part of the name, or an alias written any way (Postgres, node-js).",
    )

    class Meta:
        model = Skill
        fields = ["category"]

    def filter_search(self, queryset, name, value):
        folded = fold(value)
        by_alias = SkillAlias.objects.filter(skill=OuterRef("pk"), folded__contains=folded)
        if not folded:
            return queryset.filter(name__icontains=value.strip())
        return queryset.filter(Q(name__icontains=value.strip()) | Q(Exists(by_alias)))


@extend_schema_view(
    list=extend_schema(
        summary="The skills taxonomy", responses=list_responses(SkillSerializer, filtered=True)
    ),
    retrieve=extend_schema(summary="One skill", responses=_read(SkillSerializer)),
    **_write_schemas(
        SkillSerializer,
        SkillInputSerializer,
        create="Add a skill (staff coordinators)",
        replace="Replace a skill (staff coordinators)",
        change="Change a skill (staff coordinators)",
    ),
    destroy=extend_schema(
        summary="Remove a skill no member lists (staff coordinators)",
        responses={**_DELETED, 409: IN_USE},
    ),
)
@extend_schema(tags=["skills"])
class SkillViewSet(MemberViewSet):
    """The canonical skills with their aliases."""

    serializer_class = SkillSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SkillFilter
    # Skill names decide both the name and the slug, and the name's uniqueness is a constraint
    # on the lower-cased name, which Django reports without a field.
    _field_map = {"__all__": "name", "slug": "name", "alias": "aliases", "folded": "aliases"}

    def get_queryset(self):
        working_members = Q(consultant_skills__consultant__status__in=Consultant.WORKING_STATUSES)
        # A grouped query drops the model's default ordering, which pages need: name it.
        return (
            Skill.objects.annotate(
                consultant_count=Count("consultant_skills", filter=working_members)
            )
            .prefetch_related("aliases")
            .order_by("name", "pk")
        )

    def _render(self, skill: Skill) -> dict:
        return SkillSerializer(self.get_queryset().get(pk=skill.pk)).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SkillSerializer(page, many=True).data)

    def retrieve(self, request, pk):
        return Response(self._render(access.get_skill_for_user(request.user, pk)))

    def create(self, request):
        if not access.can_edit_taxonomy(request.user):
            raise PermissionDenied("Only coordinators may change the skills taxonomy.")
        serializer = SkillInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400(self._field_map):
            skill = services.skill_create(**serializer.validated_data)
        return Response(self._render(skill), status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial=False):
        skill = access.get_skill_for_user(request.user, pk, write=True)
        serializer = SkillInputSerializer(skill, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400(self._field_map):
            services.skill_update(skill=skill, **serializer.validated_data)
        return Response(self._render(skill))

    def partial_update(self, request, pk):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk):
        skill = access.get_skill_for_user(request.user, pk, write=True)
        try:
            services.skill_delete(skill=skill)
        except ProtectedError as error:
            raise Conflict(
                f"{len(error.protected_objects)} member profile(s) list {skill.name}; "
                "remove it from them (or merge it into another skill) first."
            ) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Groups --------------------------------------------------------------------------------


class GroupFilter(django_filters.FilterSet):
    skill = django_filters.CharFilter(
        field_name="focus_skills__slug", help_text="Groups with this focus skill (a slug)."
    )

    class Meta:
        model = ConsultantGroup
        fields = ["skill"]


@extend_schema_view(
    list=extend_schema(
        summary="Consultant groups", responses=list_responses(GroupSerializer, filtered=True)
    ),
    retrieve=extend_schema(summary="One group", responses=_read(GroupSerializer)),
    **_write_schemas(
        GroupSerializer,
        GroupInputSerializer,
        create="Form a group (staff coordinators)",
        replace="Replace a group (staff coordinators or its coordinator)",
        change="Change a group (staff coordinators or its coordinator)",
    ),
    destroy=extend_schema(summary="Dissolve a group (staff coordinators)", responses=_DELETED),
)
@extend_schema(tags=["groups"])
class GroupViewSet(MemberViewSet):
    """Groups of consultants; a group's coordinator receives the requests routed to it."""

    serializer_class = GroupSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = GroupFilter
    search_fields = ["name", "description"]

    def get_queryset(self):
        members = access.visible_consultants(_user(self)).only("id", "display_name")
        return ConsultantGroup.objects.select_related("coordinator").prefetch_related(
            "focus_skills", Prefetch("members", queryset=members)
        )

    def _render(self, group: ConsultantGroup) -> dict:
        return GroupSerializer(self.get_queryset().get(pk=group.pk)).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(GroupSerializer(page, many=True).data)

    def retrieve(self, request, pk):
        return Response(self._render(access.get_group_for_user(request.user, pk)))

    def create(self, request):
        if not access.can_add_or_remove_group(request.user):
            raise PermissionDenied("Only staff coordinators may form groups.")
        serializer = GroupInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400({"__all__": "name"}):
            group = services.group_create(**serializer.validated_data)
        return Response(self._render(group), status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial=False):
        group = access.get_group_for_user(request.user, pk, write=True)
        serializer = GroupInputSerializer(
            group, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400({"__all__": "name"}):
            services.group_update(group=group, **serializer.validated_data)
        return Response(self._render(group))

    def partial_update(self, request, pk):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk):
        group = access.get_group_for_user(request.user, pk)
        if not access.can_add_or_remove_group(request.user):
            raise PermissionDenied("Only staff coordinators may dissolve groups.")
        services.group_delete(group=group)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Outside professionals -----------------------------------------------------------------


class ExternalProfessionalFilter(django_filters.FilterSet):
    skill = django_filters.CharFilter(
        field_name="skills__slug", help_text="Professionals with this skill (a slug)."
    )
    active = django_filters.BooleanFilter(help_text="Still recommended to clients.")

    class Meta:
        model = ExternalProfessional
        fields = ["skill", "active"]


@extend_schema_view(
    list=extend_schema(
        summary="Outside professionals",
        responses=list_responses(ExternalProfessionalSerializer, filtered=True),
    ),
    retrieve=extend_schema(
        summary="One outside professional", responses=_read(ExternalProfessionalSerializer)
    ),
    **_write_schemas(
        ExternalProfessionalSerializer,
        ExternalProfessionalInputSerializer,
        create="Add an outside professional (intake coordinators)",
        replace="Replace an outside professional (intake coordinators)",
        change="Change an outside professional (intake coordinators)",
    ),
    destroy=extend_schema(
        summary="Remove an outside professional (intake coordinators)",
        responses={**_DELETED, 409: IN_USE},
    ),
)
@extend_schema(tags=["external-professionals"])
class ExternalProfessionalViewSet(MemberViewSet):
    """Professionals outside the alliance whom clients are referred to when no member fits."""

    serializer_class = ExternalProfessionalSerializer
    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = ExternalProfessionalFilter
    search_fields = ["name", "organization", "notes"]

    def get_queryset(self):
        return ExternalProfessional.objects.prefetch_related("skills").order_by("name", "pk")

    def _render(self, professional: ExternalProfessional) -> dict:
        return ExternalProfessionalSerializer(self.get_queryset().get(pk=professional.pk)).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ExternalProfessionalSerializer(page, many=True).data)

    def retrieve(self, request, pk):
        professional = access.get_external_professional_for_user(request.user, pk)
        return Response(self._render(professional))

    def create(self, request):
        if not access.can_edit_external_professionals(request.user):
            raise PermissionDenied("Only intake coordinators may change outside professionals.")
        serializer = ExternalProfessionalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            professional = services.external_professional_create(**serializer.validated_data)
        return Response(self._render(professional), status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial=False):
        professional = access.get_external_professional_for_user(request.user, pk, write=True)
        serializer = ExternalProfessionalInputSerializer(
            professional, data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        with model_errors_as_400():
            services.external_professional_update(
                professional=professional, **serializer.validated_data
            )
        return Response(self._render(professional))

    def partial_update(self, request, pk):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk):
        professional = access.get_external_professional_for_user(request.user, pk, write=True)
        try:
            services.external_professional_delete(professional=professional)
        except ProtectedError as error:
            raise Conflict(
                f"{professional.name} has referrals on record; mark them inactive instead."
            ) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Token sign-in -------------------------------------------------------------------------


class TokenRequestThrottle(ClientAddressThrottleMixin, AnonRateThrottle):
    # The endpoint takes a password: a few tries a minute per address is plenty for a person or
    # a script with the right password, and slows anyone guessing.
    scope = "auth_token"
    rate = "10/minute"


class SignInLockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = "Too many failed sign-in attempts for this username; try again later."
    default_code = "locked_out"


class TokenObtainView(APIView):
    """Exchange a username and password for a new API token (``Authorization: Token …``)."""

    # No session: a browser's session cookie would otherwise make the view demand a CSRF token.
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = (TokenRequestThrottle,)
    # The API's parsers (a body nested too deeply is a 400); JSON answers only.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    renderer_classes = (renderers.JSONRenderer,)

    @extend_schema(
        summary="Get an API token",
        description=(
            "Send a username and password; the answer's token goes in later requests as "
            "`Authorization: Token <token>`. Each call issues a new token and shows it only in "
            "this answer (the server keeps a digest, not the token); the tokens issued before "
            f"keep working, up to the {MAX_TOKENS_PER_USER} most recent of the account. A token "
            "works for "
            "`API_TOKEN_LIFETIME_DAYS` after it is issued (30 days unless the deployment sets "
            "otherwise; `expires_at` says when). A password change or reset ends every token of "
            "the account at once."
        ),
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(
                "AuthToken",
                {
                    "token": serializers.CharField(
                        help_text="Send as `Authorization: Token …`; shown only here."
                    ),
                    "expires_at": serializers.DateTimeField(
                        help_text="When the token stops working, unless ended before."
                    ),
                },
            ),
            400: FIELD_ERRORS,
            429: OpenApiResponse(description="Too many attempts; try again later."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        # The request goes to authenticate(): django-axes counts failures per client with it.
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except serializers.ValidationError:
            # django-axes refused the pair before the password was checked and flagged the
            # request it was given (DRF's); its middleware only sees Django's, so answer here.
            if getattr(request, "axes_locked_out", False):
                raise SignInLockedOut() from None
            raise
        token, key = api_token_issue(user=serializer.validated_data["user"])
        expires_at = serializers.DateTimeField().to_representation(token.expires_at)
        return Response({"token": key, "expires_at": expires_at})
