"""Serializers of the network API.

Output serializers only render. Input serializers only parse and check the shape of a request;
the views hand their ``validated_data`` to ``network.services``, which validate again with
``full_clean()`` and write. Nothing here calls ``save()``.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import serializers

from network import access
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    ExternalProfessional,
    Skill,
    SkillAlias,
    TimeAway,
)
from network.text import fold

# Shown only to coordinators and to the member themself (access.can_see_rates); null otherwise.
# Ids sent to the API are bounded: SQLite's driver raises OverflowError (a 500) for an integer
# beyond 8 bytes, and no row has an id below 1. Found by the API fuzzer (tests/fuzz).
MAX_ROW_ID = 2**63 - 1


def row_id_field(**kwargs) -> serializers.IntegerField:
    """An integer that can name a row: 1 to ``MAX_ROW_ID``."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ROW_ID, **kwargs)


RATE_FIELDS = ("hourly_rate", "currency", "sliding_scale", "pro_bono_hours_per_month")
_HIDDEN_RATE = " Null unless you may see this member's rates (coordinators and the member)."


def find_skill(term: str) -> Skill | None:
    """The skill a member means by ``term``: its slug, its name (any case) or one of its aliases."""
    term = term.strip()
    return (
        Skill.objects.filter(
            Q(slug=term.lower()) | Q(folded_name=fold(term)) | Q(aliases__folded=fold(term))
        )
        .distinct()
        .first()
    )


def _requesting_user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- Small references ----------------------------------------------------------------------


class ConsultantReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class GroupReferenceSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)

    def to_representation(self, group):
        # Written out: a directory page names dozens of groups, and the generic walk over the
        # fields costs more per item than the page's queries do. The same output
        # (tests/network/test_directory_scale.py compares the two).
        return group_reference_representation(group)


def group_reference_representation(group) -> dict:
    """A group as ``GroupReferenceSerializer`` renders it."""
    return {"slug": group.slug, "name": group.name}


# --- Consultants ---------------------------------------------------------------------------


class ConsultantSkillSerializer(serializers.Serializer):
    """One skill on a member's profile."""

    skill = serializers.SlugField(source="skill.slug", read_only=True, help_text="Skill slug.")
    name = serializers.CharField(source="skill.name", read_only=True, help_text="Skill name.")
    level = serializers.IntegerField(
        read_only=True,
        help_text="1 aware, 2 working knowledge, 3 practitioner, 4 advanced, 5 expert.",
    )
    years = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Years of practice, if given."
    )
    note = serializers.CharField(read_only=True, help_text="Versions, certifications, context.")

    def to_representation(self, entry):
        # Written out, like GroupReferenceSerializer's: a directory page shows 25 members with
        # all their skills, a couple of hundred of these. ``entry`` is a ConsultantSkill or a
        # directory row's skill (``selectors.DirectorySkill``), which has the same shape.
        return skill_entry_representation(entry)


def skill_entry_representation(entry) -> dict:
    """One of a member's skills as ``ConsultantSkillSerializer`` renders it."""
    skill = entry.skill
    return {
        "skill": skill.slug,
        "name": skill.name,
        "level": entry.level,
        "years": entry.years,
        "note": entry.note,
    }


class SkillSlugsField(serializers.SlugRelatedField):
    """Skills named by slug; a text no slug can hold (a NUL character) is simply not found.

    PostgreSQL refuses NUL in any string, so looking it up would fail the request instead of
    answering 400 with the field's message.
    """

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class ConsultantSerializer(serializers.ModelSerializer):
    """A member as the directory shows them; rates are blanked for viewers who may not see them."""

    # The three lists are read from what ``selectors.with_directory_details`` adds to each
    # member, not from the relations: a member is always shown through it.
    languages = serializers.ListField(
        child=serializers.CharField(),
        source="directory_language_codes",
        read_only=True,
        help_text="ISO 639-1 language codes.",
    )
    skills = ConsultantSkillSerializer(
        source="directory_skills",
        many=True,
        read_only=True,
        help_text="The member's skills, highest level first.",
    )
    groups = GroupReferenceSerializer(
        source="directory_groups",
        many=True,
        read_only=True,
        help_text="The consultant groups the member belongs to.",
    )
    hourly_rate = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Standard hourly rate." + _HIDDEN_RATE,
    )
    currency = serializers.CharField(
        read_only=True, allow_null=True, help_text="ISO 4217 code of the rate." + _HIDDEN_RATE
    )
    sliding_scale = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Willing to lower the rate for small organisations." + _HIDDEN_RATE,
    )
    pro_bono_hours_per_month = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Hours a month offered without charge." + _HIDDEN_RATE,
    )

    class Meta:
        model = Consultant
        fields = [
            "id",
            "display_name",
            "bio",
            "website",
            "location",
            "timezone",
            "remote_ok",
            "languages",
            "status",
            "capacity_hours_per_week",
            "skills",
            "groups",
            *RATE_FIELDS,
        ]
        read_only_fields = fields
        extra_kwargs = {
            # Read-only fields lose allow_blank, and the schema then says every website is a
            # URI; "" (no website) must stay documented.
            "website": {"allow_blank": True},
            "timezone": {"help_text": "IANA time zone, e.g. America/Los_Angeles."},
            "remote_ok": {"help_text": "Works with clients remotely."},
        }

    def to_representation(self, consultant):
        # Written out, like the skills' and groups': the generic walk over sixteen fields for
        # each of a page's 25 members (and the fields' construction) cost more than the page's
        # queries. The same output (tests/network/test_directory_scale.py compares the two).
        rates = access.can_see_rates(_requesting_user(self), consultant)
        return {
            "id": consultant.pk,
            "display_name": consultant.display_name,
            "bio": consultant.bio,
            "website": consultant.website,
            "location": consultant.location,
            "timezone": consultant.timezone,
            "remote_ok": consultant.remote_ok,
            "languages": list(consultant.directory_language_codes),
            "status": consultant.status,
            "capacity_hours_per_week": consultant.capacity_hours_per_week,
            "skills": [skill_entry_representation(entry) for entry in consultant.directory_skills],
            "groups": [
                group_reference_representation(group) for group in consultant.directory_groups
            ],
            "hourly_rate": _RATE.to_representation(consultant.hourly_rate) if rates else None,
            "currency": consultant.currency if rates else None,
            "sliding_scale": consultant.sliding_scale if rates else None,
            "pro_bono_hours_per_month": consultant.pro_bono_hours_per_month if rates else None,
        }


# How the written-out ConsultantSerializer renders a rate: as its declared field would.
_RATE = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)


class ConsultantProfileSerializer(serializers.ModelSerializer):
    """The profile fields a member (or a staff coordinator) may change. Status is not one."""

    languages = serializers.ListField(
        child=serializers.CharField(max_length=8),
        required=False,
        help_text="ISO 639-1 codes; replaces the member's languages.",
    )

    class Meta:
        model = Consultant
        fields = [
            "display_name",
            "bio",
            "website",
            "location",
            "timezone",
            "remote_ok",
            "languages",
            "hourly_rate",
            "currency",
            "sliding_scale",
            "pro_bono_hours_per_month",
            "capacity_hours_per_week",
        ]
        extra_kwargs = {
            "timezone": {"help_text": "IANA time zone, e.g. America/Los_Angeles."},
            "remote_ok": {"help_text": "Works with clients remotely."},
            "hourly_rate": {"help_text": "Standard hourly rate, not negative."},
            "pro_bono_hours_per_month": {"help_text": "Hours a month offered without charge."},
        }

    def validate(self, attrs):
        if "status" in self.initial_data:
            raise serializers.ValidationError(
                {"status": _("Change a member's status with POST …/consultants/<id>/status/.")}
            )
        return attrs


class ConsultantCreateSerializer(ConsultantProfileSerializer):
    """A new member record and its user account, keyed on the email address."""

    email = serializers.EmailField(help_text="The member's email; also their sign-in name.")
    status = serializers.ChoiceField(
        choices=Consultant.Status.choices,
        required=False,
        help_text="Starting status (default applicant); only the community coordinator sets it.",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Why the record is created, for the history."
    )

    class Meta(ConsultantProfileSerializer.Meta):
        fields = ["email", "status", "reason", *ConsultantProfileSerializer.Meta.fields]

    def validate(self, attrs):
        return attrs


class ConsultantStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Consultant.Status.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Kept in the status history."
    )


class ConsultantSkillLevelSerializer(serializers.Serializer):
    """Level, years and note of a skill already named by the URL."""

    level = serializers.ChoiceField(
        choices=ConsultantSkill.Level.choices, help_text="1 (aware) to 5 (expert)."
    )
    years = serializers.IntegerField(
        min_value=0, max_value=60, required=False, allow_null=True, help_text="Years of practice."
    )
    note = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Versions, certifications, context.",
    )


class ConsultantSkillAddSerializer(ConsultantSkillLevelSerializer):
    skill = serializers.CharField(
        max_length=200, help_text="A skill's slug, name or alias, e.g. wordpress or Postgres."
    )

    def validate_skill(self, term: str) -> Skill:
        skill = find_skill(term)
        if skill is None:
            raise serializers.ValidationError(
                _("Unknown skill %(term)r: use a slug, name or alias listed at /api/v1/skills/.")
                % {"term": term}
            )
        return skill


class TimeAwaySerializer(serializers.ModelSerializer):
    covering = serializers.IntegerField(
        source="covering_id",
        read_only=True,
        allow_null=True,
        help_text="Id of the member covering meanwhile.",
    )
    covering_display_name = serializers.CharField(
        source="covering.display_name",
        read_only=True,
        allow_null=True,
        help_text="Name of the member covering meanwhile.",
    )

    class Meta:
        model = TimeAway
        fields = ["id", "start", "end", "note", "covering", "covering_display_name"]
        read_only_fields = fields
        extra_kwargs = {
            "start": {"help_text": "First day away."},
            "end": {"help_text": "Last day away."},
        }


class TimeAwayInputSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day away.")
    end = serializers.DateField(help_text="Last day away; not before start.")
    note = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="Shown to other members, e.g. where to reach the member meanwhile.",
    )
    covering = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the member who covers this member's clients meanwhile.",
    )

    def validate_covering(self, covering_id: int | None) -> Consultant | None:
        if covering_id is None:
            return None
        covering = access.visible_consultants(_requesting_user(self)).filter(pk=covering_id)
        consultant = covering.first()
        if consultant is None:
            raise serializers.ValidationError(_("No member with id %(id)s.") % {"id": covering_id})
        return consultant


# --- Skills --------------------------------------------------------------------------------


class SkillSerializer(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="alias",
        help_text="Other ways people write this skill.",
    )
    consultant_count = serializers.IntegerField(
        read_only=True, help_text="Active members and members on probation who list this skill."
    )

    class Meta:
        model = Skill
        fields = ["id", "name", "slug", "category", "description", "aliases", "consultant_count"]
        read_only_fields = fields


class SkillInputSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text="Other ways people write this skill; on update, replaces the list.",
    )

    class Meta:
        model = Skill
        fields = ["name", "category", "description", "aliases"]

    def validate_aliases(self, aliases: list[str]) -> list[str]:
        aliases = [alias.strip() for alias in aliases]
        folded = {fold(alias): alias for alias in aliases}
        if "" in folded:
            raise serializers.ValidationError(_("An alias needs at least one letter or digit."))
        taken = SkillAlias.objects.filter(folded__in=list(folded)).select_related("skill")
        if self.instance is not None:
            taken = taken.exclude(skill=self.instance)
        errors = [
            _("%(alias)r is already an alias of %(skill)s.")
            % {"alias": folded[entry.folded], "skill": entry.skill.name}
            for entry in taken
        ]
        if errors:
            raise serializers.ValidationError(errors)
        return aliases


# --- Groups --------------------------------------------------------------------------------


class GroupSerializer(serializers.ModelSerializer):
    focus_skills = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug", help_text="Slugs of the group's skills."
    )
    coordinator = ConsultantReferenceSerializer(
        read_only=True, allow_null=True, help_text="Receives the requests routed to the group."
    )
    members = ConsultantReferenceSerializer(
        many=True, read_only=True, help_text="The group's members that you may see."
    )

    class Meta:
        model = ConsultantGroup
        fields = ["id", "slug", "name", "description", "focus_skills", "coordinator", "members"]
        read_only_fields = fields


class GroupInputSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(
        max_length=140, required=False, help_text="Defaults to one made from the name."
    )
    focus_skills = SkillSlugsField(
        many=True,
        required=False,
        slug_field="slug",
        queryset=Skill.objects.all(),
        help_text="Skill slugs; replaces the group's skills.",
    )
    coordinator = serializers.PrimaryKeyRelatedField(
        required=False,
        allow_null=True,
        queryset=Consultant.objects.none(),
        help_text="Id of the member who coordinates the group (active or on probation).",
    )
    members = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Consultant.objects.none(),
        help_text="Member ids; replaces the group's members.",
    )

    class Meta:
        model = ConsultantGroup
        fields = ["name", "slug", "description", "focus_skills", "coordinator", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _requesting_user(self)
        if user is not None:
            visible = access.visible_consultants(user)
            self.fields["coordinator"].queryset = visible
            self.fields["members"].child_relation.queryset = visible


# --- Outside professionals -----------------------------------------------------------------


class ExternalProfessionalSerializer(serializers.ModelSerializer):
    skills = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug", help_text="Skill slugs."
    )

    class Meta:
        model = ExternalProfessional
        fields = [
            "id",
            "name",
            "organization",
            "email",
            "phone",
            "website",
            "skills",
            "notes",
            "active",
            "last_referred_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            # Read-only fields lose allow_blank; "" (none on record) must stay documented.
            "email": {"allow_blank": True},
            "website": {"allow_blank": True},
            "active": {"help_text": "Inactive professionals are no longer recommended."},
            "notes": {"help_text": "What they do well, fees, how to reach them; seen by members."},
            "last_referred_at": {"help_text": "When a client was last referred to them."},
        }


class ExternalProfessionalInputSerializer(serializers.ModelSerializer):
    skills = SkillSlugsField(
        many=True,
        required=False,
        slug_field="slug",
        queryset=Skill.objects.all(),
        help_text="Skill slugs; replaces the professional's skills.",
    )

    class Meta:
        model = ExternalProfessional
        fields = ["name", "organization", "email", "phone", "website", "skills", "notes", "active"]
        extra_kwargs = {
            "active": {"help_text": "Inactive professionals are no longer recommended."},
            "notes": {"help_text": "What they do well, fees, how to reach them; seen by members."},
        }
