"""Serializers of the matching API.

Input serializers check what a coordinator sends; output serializers render the engine's plain
answers (``matching.types``) and are shared with intake's ``GET /api/v1/requests/<id>/matches/``.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from network.db import FixedQuery
from network.models import Language

# Limits from the "Bad input": more terms or longer ones are not a skill list.
MAX_TERMS = 50
MAX_TERM_LENGTH = 100


def skill_terms_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(
            max_length=MAX_TERM_LENGTH,
            # DRF fills in {max_length} (in the reader's language: the message stays lazy).
            error_messages={
                "max_length": _("A skill term may have at most {max_length} characters.")
            },
        ),
        max_length=MAX_TERMS,
        error_messages={"max_length": _("At most {max_length} skill terms.")},
        **kwargs,
    )


# --- Input ----------------------------------------------------------------------------------


class NormalizeInputSerializer(serializers.Serializer):
    terms = skill_terms_field(
        allow_empty=False,
        help_text=format_lazy(
            _("Skill phrases as people write them (1 to {count})."), count=MAX_TERMS
        ),
    )


# The codes a request may name (about 180 rows): every submission checks its languages, so the
# query is compiled once (network.db.FixedQuery) and the check is a set look-up.
_LANGUAGE_CODES = FixedQuery(lambda: Language.objects.order_by().values_list("code"))


class RequestProfileFieldsSerializer(serializers.Serializer):
    """The fields of a request that matching reads; intake's submission form extends it."""

    skills = skill_terms_field(
        required=False,
        default=list,
        help_text=format_lazy(
            _("The skills the work needs, in anyone's words (at most {count})."), count=MAX_TERMS
        ),
    )
    budget_max = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        error_messages={"min_value": _("The budget cannot be negative.")},
        help_text=_("The most the client can pay in all, if known."),
    )
    estimated_hours = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, allow_null=True, default=None
    )
    pro_bono = serializers.BooleanField(
        required=False, default=False, help_text=_("True if the client cannot pay.")
    )
    remote_ok = serializers.BooleanField(required=False, default=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    languages = serializers.ListField(
        child=serializers.CharField(max_length=8),
        max_length=20,
        required=False,
        default=list,
        help_text=_("ISO 639-1 codes of the languages the work must be done in, e.g. es."),
    )
    desired_start = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_languages(self, codes):
        codes = [code.strip().lower() for code in codes if code.strip()]
        if not codes:
            return codes
        known = {code for (code,) in _LANGUAGE_CODES.rows()}
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return codes


class MatchInputSerializer(RequestProfileFieldsSerializer):
    """An unsaved request profile: the fields of a request submission that matching reads."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs):
        has_skills = any(term.strip() for term in attrs.get("skills", []))
        if not has_skills and not attrs.get("description", "").strip():
            raise serializers.ValidationError(
                _("Describe the work or name at least one skill: there is nothing to match.")
            )
        return attrs


# --- Output ---------------------------------------------------------------------------------


class NormalizedTermSerializer(serializers.Serializer):
    input = serializers.CharField(source="term")
    skill = serializers.CharField(
        source="match.skill", allow_null=True, help_text=_("The canonical skill; null: unknown.")
    )
    score = serializers.FloatField(
        source="match.score", allow_null=True, help_text=_("Confidence in [0, 1]; null: unknown.")
    )


class NormalizeResultSerializer(serializers.Serializer):
    results = NormalizedTermSerializer(many=True)


class SkillMatchSerializer(serializers.Serializer):
    skill = serializers.CharField()
    score = serializers.FloatField()


class CandidateConsultantSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="consultant_id")
    name = serializers.CharField()


class CandidateSerializer(serializers.Serializer):
    consultant = CandidateConsultantSerializer(source="*")
    score = serializers.FloatField(help_text=_("In [0, 1]: the sum of the factors."))
    factors = serializers.DictField(
        child=serializers.FloatField(),
        help_text=_("Each factor's weighted contribution to the score."),
    )
    covered_skills = serializers.ListField(child=serializers.CharField())
    missing_skills = serializers.ListField(child=serializers.CharField())


class ExternalCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="professional_id")
    name = serializers.CharField()
    organization = serializers.CharField()
    coverage = serializers.FloatField(help_text=_("Share of the required skills they have."))
    covered_skills = serializers.ListField(child=serializers.CharField())


class MatchResultSerializer(serializers.Serializer):
    normalized_skills = SkillMatchSerializer(
        many=True,
        help_text=_("The required skills (named, then confirmed): coverage counts these."),
    )
    mentioned_skills = SkillMatchSerializer(
        many=True,
        help_text=_(
            "Skills recognised in the text, not named, confirmed or dismissed: "
            "suggestions, which only add to the text factor."
        ),
    )
    unheld_skills = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The required skills no working member holds."),
    )
    unknown_terms = serializers.ListField(
        child=serializers.CharField(), help_text=_("Terms not recognised as a known skill.")
    )
    candidates = CandidateSerializer(many=True)
    refer_out = serializers.BooleanField(
        help_text=_("True when no available member covers enough of the required skills.")
    )
    refer_out_reason = serializers.CharField()
    external = ExternalCandidateSerializer(
        many=True, help_text=_("Outside professionals to recommend when referring out.")
    )


# --- Teams ----------------------------------------------------------------------------------

MAX_TEAMS = 10


class TeamsQuerySerializer(serializers.Serializer):
    k = serializers.IntegerField(
        min_value=1,
        max_value=MAX_TEAMS,
        required=False,
        default=5,
        help_text=format_lazy(_("How many teams to propose (1 to {count})."), count=MAX_TEAMS),
    )


class TeamMemberSerializer(serializers.Serializer):
    """One member of a proposed team. ``hourly_rate`` is null unless the serializer's context
    says ``show_rates`` (the caller may see members' rates)."""

    consultant = CandidateConsultantSerializer(source="*")
    covers = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The required skills this member is the team's best holder of."),
    )
    level_by_skill = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("Each required skill the member holds, with their level (1 to 5)."),
    )
    hourly_rate = serializers.FloatField(
        allow_null=True, help_text=_("The member's standard rate; null: unknown or not shown.")
    )
    free_hours = serializers.FloatField(help_text=_("Hours a week on offer minus hours committed."))
    adds = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The covered skills nobody else on the team holds (what this member adds)."),
    )
    on_team = serializers.BooleanField(
        source="seeded",
        help_text=_("On the bid's team already (invited or accepted, or its lead); never dropped."),
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_rates"):
            data["hourly_rate"] = None
        return data


class TeamSerializer(serializers.Serializer):
    leader = serializers.IntegerField(
        source="leader_id", help_text=_("The leading member's id; they are first among members.")
    )
    members = TeamMemberSerializer(many=True)
    covered_skills = serializers.ListField(child=serializers.CharField())
    missing_skills = serializers.ListField(child=serializers.CharField())
    coverage = serializers.FloatField(
        help_text=_("Share of the required skills covered, in [0, 1].")
    )
    fit = serializers.FloatField(
        help_text=_("Mean member fit (availability, continuity, rotation), in [0, 1].")
    )
    planned_blended_rate = serializers.FloatField(
        allow_null=True, help_text=_("Mean of the members' stated rates; null: nobody states one.")
    )
    estimated_cost = serializers.FloatField(
        allow_null=True, help_text=_("Blended rate times the estimated hours; null: unknown.")
    )
    collaboration_pairs = serializers.IntegerField(
        help_text=_("Pairs of members who have worked together before.")
    )
    score = serializers.FloatField(help_text=_("In [0, 1]; teams come best first."))
    explanation = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Who covers which skill, the blended rate, the estimated cost, in sentences."),
    )


class TeamsResultSerializer(serializers.Serializer):
    teams = TeamSerializer(many=True)


class IndexHealthSerializer(serializers.Serializer):
    """``GET /api/v1/health/``: the matching index this process answers from."""

    mode = serializers.ChoiceField(
        choices=["inline", "background"],
        help_text=_("Where the index is built: in the request, or off it by a task."),
    )
    latest_version = serializers.IntegerField(
        help_text=_("The version counter now: every change to a member moves it.")
    )
    built_version = serializers.IntegerField(
        allow_null=True,
        help_text=_("The version of the index answering; null: none built yet on this machine."),
    )
    built_at = serializers.DateTimeField(allow_null=True)
    age_seconds = serializers.FloatField(
        allow_null=True, help_text=_("Seconds since the index answering was built.")
    )
    build_seconds = serializers.FloatField(allow_null=True)
    stale = serializers.BooleanField(
        help_text=_("True while a newer version is waiting to be built; answers use the older.")
    )
    building = serializers.BooleanField(help_text=_("A build is running on this machine."))


class HealthSerializer(serializers.Serializer):
    matching_index = IndexHealthSerializer()
