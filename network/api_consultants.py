"""The API's members: the directory, a member's profile and status, their skills and their
time away (``/api/v1/consultants/``). Rates are null unless the viewer may see them."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from network import access, selectors, services
from network.api import (
    DELETED,
    MemberViewSet,
    StableOrderingFilter,
    list_responses,
    read_responses,
    request_user,
    write_responses,
)
from network.filters import ConsultantFilter
from network.models import Consultant, ConsultantSkill, Skill, TimeAway
from network.pagination import DirectoryPagination
from network.serializers import (
    ConsultantCreateSerializer,
    ConsultantProfileSerializer,
    ConsultantSerializer,
    ConsultantSkillAddSerializer,
    ConsultantSkillLevelSerializer,
    ConsultantSkillSerializer,
    ConsultantStatusSerializer,
    TimeAwayInputSerializer,
    TimeAwaySerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="The member directory",
        responses=list_responses(ConsultantSerializer, filtered=True),
    ),
    retrieve=extend_schema(summary="One member", responses=read_responses(ConsultantSerializer)),
    create=extend_schema(
        summary="Open a member record (staff coordinators)",
        request=ConsultantCreateSerializer,
        responses=write_responses(ConsultantSerializer, 201),
    ),
    update=extend_schema(
        summary="Replace a member's profile (the member or a staff coordinator)",
        request=ConsultantProfileSerializer,
        responses=write_responses(ConsultantSerializer),
    ),
    partial_update=extend_schema(
        summary="Change some of a member's profile (the member or a staff coordinator)",
        request=ConsultantProfileSerializer,
        responses=write_responses(ConsultantSerializer),
    ),
)
@extend_schema(tags=["consultants"])
class ConsultantViewSet(MemberViewSet):
    """Members of the alliance. Rates are null unless the viewer may see them."""

    @property
    def service_field_map(self) -> dict[str, str]:
        """A new record's account: its only cross-field rule is its case-insensitive unique
        email, so the service's account errors are the email's."""
        return {"__all__": "email", "username": "email"} if self.action == "create" else {}

    serializer_class = ConsultantSerializer
    pagination_class = DirectoryPagination  # count capped at DIRECTORY_COUNT_CAP
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ConsultantFilter
    ordering_fields = ["display_name", "updated_at", "created_at", "capacity_hours_per_week"]

    def get_queryset(self):
        return selectors.consultant_directory(request_user(self))

    def _render(self, consultant: Consultant) -> dict:
        # Read again through the directory selector, with the skills, languages and groups
        # read exactly as in the list.
        [consultant] = selectors.with_directory_details([self.get_queryset().get(pk=consultant.pk)])
        return ConsultantSerializer(consultant, context=self.get_serializer_context()).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        page = selectors.with_directory_details(page)
        serializer = ConsultantSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, pk):
        consultant = access.get_consultant_for_user(request.user, pk)
        return Response(self._render(consultant))

    def create(self, request):
        if not access.can_create_consultant(request.user):
            raise PermissionDenied(_("Only staff coordinators may open member records."))
        serializer = ConsultantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "status" in fields and not access.can_change_member_status(request.user):
            raise PermissionDenied(
                _(
                    "Only the community coordinator sets a member's status; "
                    "leave status out to open an applicant's record."
                )
            )
        consultant = services.consultant_create(actor=request.user, **fields)
        return Response(self._render(consultant), status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial=False):
        consultant = access.get_consultant_for_user(request.user, pk, write=True)
        serializer = ConsultantProfileSerializer(consultant, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.consultant_update(consultant=consultant, **serializer.validated_data)
        return Response(self._render(consultant))

    def partial_update(self, request, pk):
        return self.update(request, pk, partial=True)

    @extend_schema(
        summary="Change a member's status (community coordinator)",
        request=ConsultantStatusSerializer,
        responses=write_responses(ConsultantSerializer),
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, pk):
        consultant = access.get_consultant_for_user(request.user, pk)
        if not access.can_change_member_status(request.user):
            raise PermissionDenied(_("Only the community coordinator changes a member's status."))
        serializer = ConsultantStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
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
        summary="A member's skills", responses=read_responses(ConsultantSkillSerializer(many=True))
    ),
    create=extend_schema(
        summary="Add a skill to a member's profile, or change its level",
        request=ConsultantSkillAddSerializer,
        responses=write_responses(ConsultantSkillSerializer, 201),
    ),
    update=extend_schema(
        summary="Set the level of one of a member's skills",
        request=ConsultantSkillLevelSerializer,
        responses=write_responses(ConsultantSkillSerializer),
    ),
    destroy=extend_schema(summary="Remove a skill from a member's profile", responses=DELETED),
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
        entry = services.consultant_skill_set(consultant=consultant, **serializer.validated_data)
        return Response(ConsultantSkillSerializer(entry).data, status=status.HTTP_201_CREATED)

    def update(self, request, consultant_pk, skill_slug):
        consultant = self._consultant(write=True)
        skill = get_object_or_404(Skill, slug=skill_slug)
        serializer = ConsultantSkillLevelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
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
        summary="A member's time away", responses=read_responses(TimeAwaySerializer(many=True))
    ),
    create=extend_schema(
        summary="Record time away",
        request=TimeAwayInputSerializer,
        responses=write_responses(TimeAwaySerializer, 201),
    ),
    update=extend_schema(
        summary="Change a period of time away",
        request=TimeAwayInputSerializer,
        responses=write_responses(TimeAwaySerializer),
    ),
    destroy=extend_schema(summary="Remove a period of time away", responses=DELETED),
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
