"""Serializers of the intake API.

Input serializers check the shape of what a client or a coordinator sends; the views hand their
``validated_data`` to ``intake.services.request_submit`` or ``intake.workflow.request_apply``,
which validate again and write. Output serializers only render; what a viewer may see of a
request is decided by ``intake.access`` and passed in the context as ``viewer``.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from intake import access, client_view
from intake.models import Request
from intake.workflow import MAX_SKILLS, PUBLIC_ACTIONS, SKILL_MAX_LENGTH, SKILLS_EDIT
from matching.serializers import (
    MatchResultSerializer,
    RequestProfileFieldsSerializer,
    SkillMatchSerializer,
)
from network.serializers import ConsultantReferenceSerializer
from network.text import validate_visible_text

# Plain strings in the schema: an enum here would collide with the members' "status" enum,
# and the values are listed in the help text instead.
STATUS_HELP = "One of: " + ", ".join(Request.Status.values) + "."


# --- The public front door ------------------------------------------------------------------


class RequestSubmitSerializer(RequestProfileFieldsSerializer):
    """A nonprofit's request for help (``POST /api/v1/requests/``, anonymous)."""

    organization_name = serializers.CharField(max_length=200, validators=[validate_visible_text])
    organization_website = serializers.URLField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    contact_name = serializers.CharField(max_length=120, validators=[validate_visible_text])
    contact_email = serializers.EmailField(max_length=254)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000)
    urgency = serializers.ChoiceField(
        choices=Request.Urgency.choices, required=False, default=Request.Urgency.NORMAL
    )
    # The honeypot: hidden on the form, so only a bot fills it in.
    website_url = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="Leave empty.",
    )


class RequestSubmittedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="REQ-YYYY-NNNN; quote it when you write to us.")
    status = serializers.CharField()
    status_url = serializers.URLField(
        help_text="Your private link to follow the request. Keep it: it is not stored anywhere."
    )


# --- The client's status --------------------------------------------------------------------


class ClientStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    stage_label = serializers.CharField()
    at = serializers.DateTimeField()


class ClientConsultantSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    email = serializers.EmailField()
    website = serializers.CharField()


class ClientCoverSerializer(ClientConsultantSerializer):
    until = serializers.DateField(help_text="The last day the consultant is away.")


class ClientProfessionalSerializer(serializers.Serializer):
    name = serializers.CharField()
    organization = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    website = serializers.CharField()


class ClientReferralSerializer(serializers.Serializer):
    message = serializers.CharField()
    sent_at = serializers.DateTimeField()
    professionals = ClientProfessionalSerializer(many=True)


class ClientTeamMemberSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    lead = serializers.BooleanField(help_text="The team's lead: the client's main contact.")
    email = serializers.CharField(
        help_text="The lead's address while the proposal stands or the work goes on; empty "
        "for the other members."
    )


class ClientBidSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    team = serializers.ListField(
        child=serializers.CharField(), help_text="The members' names, the lead first."
    )
    members = ClientTeamMemberSerializer(many=True, help_text="The team, the lead first.")
    submitted_at = serializers.DateTimeField()


class ClientStepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="The stage in plain words.")
    # A plain string (the values in the help text): an enum named "State" would be too general.
    state = serializers.CharField(
        help_text="One of: done, current (where the request is now), upcoming."
    )


class ClientStatusSerializer(serializers.Serializer):
    """What the client may see: built by ``intake.client_view.client_status``."""

    reference = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=list(client_view.KINDS),
        help_text="The help the request leads to: one consultant (single, until it is "
        "otherwise), a team's fixed-price proposal, a referral to outside professionals, or "
        "closed.",
    )
    stage = serializers.CharField(help_text=STATUS_HELP)
    stage_label = serializers.CharField(help_text="The stage in plain words.")
    next_step = serializers.CharField(help_text="What happens next.")
    next_step_by = serializers.DateTimeField(
        allow_null=True, help_text="By when, where there is a deadline."
    )
    steps = ClientStepSerializer(
        many=True, help_text="The path a request of this kind goes through, in order."
    )
    history = ClientStageSerializer(many=True)
    consultant = ClientConsultantSerializer(
        allow_null=True,
        help_text="The one member who serves you, once engaged (a team's members are in `bid`).",
    )
    cover = ClientCoverSerializer(
        allow_null=True,
        help_text="Who to contact while your consultant is away, only during that time.",
    )
    referral = ClientReferralSerializer(
        allow_null=True, help_text="The professionals we recommend, once referred out."
    )
    bid = ClientBidSerializer(
        allow_null=True,
        help_text="The team's proposal (the price, the team, the lead's contact), once sent.",
    )


# --- Requests as coordinators and members see them -------------------------------------------


class ReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def user_display(user) -> str:
    consultant = getattr(user, "consultant", None)
    if consultant is not None:
        return consultant.display_name
    return user.get_full_name() or user.username


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display = serializers.SerializerMethodField()

    def get_display(self, user) -> str:
        return user_display(user)


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    website = serializers.CharField()
    mission = serializers.CharField()
    size_band = serializers.CharField()
    notes = serializers.CharField(
        required=False, help_text="Internal; present for coordinators only."
    )


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    role = serializers.CharField()


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    score = serializers.IntegerField(help_text="Title similarity, 0–100.")


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")
    actor = ActorSerializer(allow_null=True, help_text="Null for the client and the timers.")
    note = serializers.CharField()
    data = serializers.JSONField()


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    consultant = ConsultantReferenceSerializer()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class ReferralProfessionalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organization = serializers.CharField()


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    professionals = ReferralProfessionalSerializer(many=True)
    message = serializers.CharField()
    sent_at = serializers.DateTimeField()
    outcome = serializers.CharField()


class EngagementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    consultant = ConsultantReferenceSerializer()
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)


class AllowedActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())


def _viewer(serializer):
    return serializer.context["viewer"]


class RequestRowSerializer(serializers.Serializer):
    """A request in the list. Who holds an offer or serves the request is shown to coordinators
    and to that member only; a member who declined does not learn who came after them."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    urgency = serializers.ChoiceField(choices=Request.Urgency.choices)
    version = serializers.IntegerField()
    organization = ReferenceSerializer()
    skills = serializers.ListField(child=serializers.CharField())
    languages = serializers.SerializerMethodField()
    language = serializers.CharField(
        read_only=True,
        help_text="The language the client used (one of: en, es, fr); their emails and status "
        "page are written in it.",
    )
    budget_max = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    estimated_hours = serializers.IntegerField(allow_null=True)
    pro_bono = serializers.BooleanField()
    remote_ok = serializers.BooleanField()
    location = serializers.CharField()
    desired_start = serializers.DateField(allow_null=True)
    assigned_group = ReferenceSerializer(allow_null=True)
    offered_consultant = serializers.SerializerMethodField()
    engaged_consultant = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField()
    response_due_at = serializers.DateTimeField(allow_null=True)
    first_contact_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField(help_text="Not contacted by the response target.")

    def get_languages(self, request) -> list[str]:
        # Filled for the page by the views (intake.selectors.with_language_codes).
        return request.language_codes

    def _member(self, request, consultant) -> dict | None:
        if consultant is None:
            return None
        viewer = _viewer(self)
        if not access.sees_internal_detail(viewer, request) and consultant.user_id != viewer.pk:
            return None
        return {"id": consultant.pk, "display_name": consultant.display_name}

    @extend_schema_field(ConsultantReferenceSerializer(allow_null=True))
    def get_offered_consultant(self, request):
        return self._member(request, request.offered_consultant)

    @extend_schema_field(ConsultantReferenceSerializer(allow_null=True))
    def get_engaged_consultant(self, request):
        return self._member(request, request.engaged_consultant)

    def to_representation(self, request):
        # Written out: a queue page is 25 rows of 27 fields, and the generic walk over them
        # cost the list more than its queries. The same output as the declared fields
        # (tests/intake/test_api_rows_written_out.py compares the two).
        return {
            "id": request.pk,
            "reference": request.reference,
            "title": request.title,
            "status": request.status,
            "urgency": request.urgency,
            "version": request.version,
            "organization": _optional(_reference, request.organization),
            "skills": [str(skill) for skill in request.skills],
            "languages": self.get_languages(request),
            "language": request.language,
            "budget_max": _optional(_ROW_BUDGET.to_representation, request.budget_max),
            "currency": request.currency,
            "estimated_hours": request.estimated_hours,
            "pro_bono": request.pro_bono,
            "remote_ok": request.remote_ok,
            "location": request.location,
            "desired_start": _optional(_ROW_DATE.to_representation, request.desired_start),
            "assigned_group": _optional(_reference, request.assigned_group),
            "offered_consultant": self.get_offered_consultant(request),
            "engaged_consultant": self.get_engaged_consultant(request),
            "submitted_at": _optional(_ROW_TIME.to_representation, request.submitted_at),
            "response_due_at": _optional(_ROW_TIME.to_representation, request.response_due_at),
            "first_contact_at": _optional(_ROW_TIME.to_representation, request.first_contact_at),
            "closed_at": _optional(_ROW_TIME.to_representation, request.closed_at),
            "is_overdue": request.is_overdue,
        }


# How the written-out row renders its money, dates and times: as its declared fields would.
_ROW_BUDGET = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
_ROW_DATE = serializers.DateField(allow_null=True)
_ROW_TIME = serializers.DateTimeField(allow_null=True)


def _optional(render, value):
    return None if value is None else render(value)


def _reference(row) -> dict:
    """A row as ``ReferenceSerializer`` renders it."""
    return {"id": row.pk, "name": row.name}


class RequestDetailSerializer(RequestRowSerializer):
    """One request with its trail. Internal parts (notes, actors, event data, every offer, the
    organisation's notes, the duplicate flag) go to coordinators only; the client's contact to
    coordinators and to the member the request is offered to or who serves it."""

    description = serializers.CharField()
    confirmed_skills = serializers.ListField(
        child=serializers.CharField(),
        help_text="Skills recognised in the description that a coordinator confirmed "
        "(canonical names): required by matching, like the named `skills`.",
    )
    dismissed_skills = serializers.ListField(
        child=serializers.CharField(),
        help_text="Skills recognised in the description that a coordinator dismissed "
        "(canonical names): no longer suggested.",
    )
    done_reported_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the engaged member reported the work done (`report_done`); a "
        "coordinator confirms it with `complete`.",
    )
    organization = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    intake_coordinator = serializers.SerializerMethodField()
    possible_duplicate_of = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    offers = serializers.SerializerMethodField()
    referrals = ReferralSerializer(many=True, source="referrals.all")
    engagements = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    def _internal(self, request) -> bool:
        return access.sees_internal_detail(_viewer(self), request)

    def _own(self, consultant) -> bool:
        return consultant.user_id == _viewer(self).pk

    def to_representation(self, request):
        # One request at a time: every declared field, walked (not the row's written-out list).
        return serializers.Serializer.to_representation(self, request)

    @extend_schema_field(OrganizationSerializer)
    def get_organization(self, request):
        data = OrganizationSerializer(request.organization).data
        if not self._internal(request):
            del data["notes"]
        return data

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, request):
        if not access.may_reach_client(_viewer(self), request):
            return None
        return ContactSerializer(request.contact).data

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_intake_coordinator(self, request):
        if request.intake_coordinator is None or not self._internal(request):
            return None
        return ActorSerializer(request.intake_coordinator).data

    @extend_schema_field(DuplicateSerializer(allow_null=True))
    def get_possible_duplicate_of(self, request):
        duplicate = request.possible_duplicate_of
        if duplicate is None or not self._internal(request):
            return None
        return {
            "id": duplicate.pk,
            "reference": duplicate.reference,
            "title": duplicate.title,
            "score": request.duplicate_score,
        }

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, request):
        events = request.events.all()
        if not self._internal(request):
            # Skill edits are the desk's own work, not a stage of the request.
            events = [event for event in events if event.action != SKILLS_EDIT]
        rows = EventSerializer(events, many=True).data
        if not self._internal(request):
            # Members see the stages, not who moved the request, why, or to whom.
            for row in rows:
                row.update(actor=None, note="", data={})
        return rows

    @extend_schema_field(OfferSerializer(many=True))
    def get_offers(self, request):
        offers = request.offers.all()
        if not self._internal(request):
            offers = [offer for offer in offers if self._own(offer.consultant)]
        return OfferSerializer(offers, many=True).data

    @extend_schema_field(EngagementSerializer(many=True))
    def get_engagements(self, request):
        engagements = request.engagements.all()
        if not self._internal(request):
            engagements = [e for e in engagements if self._own(e.consultant)]
        return EngagementSerializer(engagements, many=True).data

    @extend_schema_field(AllowedActionSerializer(many=True))
    def get_allowed_actions(self, request):
        from intake.workflow import allowed_moves

        moves = allowed_moves(_viewer(self), request)
        return [
            {"action": move.action, "label": move.label, "fields": list(move.fields)}
            for move in moves
        ]


# --- Moves ----------------------------------------------------------------------------------


class TransitionSerializer(serializers.Serializer):
    """A move: ``action``, the ``version`` the caller saw, and the action's own fields (see
    ``allowed_actions`` in the request's detail for which fields each action takes)."""

    action = serializers.ChoiceField(choices=PUBLIC_ACTIONS)
    version = serializers.IntegerField(
        min_value=1, help_text="The request's version when you loaded it."
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=120), max_length=50, required=False
    )
    confirmed_skills = serializers.ListField(
        child=serializers.CharField(max_length=SKILL_MAX_LENGTH),
        max_length=MAX_SKILLS,
        required=False,
        help_text="Triage: the skills recognised in the description that the work needs "
        "(canonical names); replaces the confirmed list.",
    )
    dismissed_skills = serializers.ListField(
        child=serializers.CharField(max_length=SKILL_MAX_LENGTH),
        max_length=MAX_SKILLS,
        required=False,
        help_text="Triage: the skills recognised in the description to stop suggesting "
        "(canonical names); replaces the dismissed list.",
    )
    urgency = serializers.ChoiceField(choices=Request.Urgency.choices, required=False)
    group = serializers.IntegerField(min_value=1, required=False, help_text="A group's id.")
    consultant = serializers.IntegerField(min_value=1, required=False, help_text="A member's id.")
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    professionals = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=20,
        required=False,
        help_text="Ids of outside professionals.",
    )
    message = serializers.CharField(
        max_length=5000, required=False, help_text="Shown to the client."
    )
    days_given = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=365,
        required=False,
        help_text="Complete, pro bono requests only: the free service days the member gave "
        "(whole or half days); left out, the estimated hours over 8.",
    )

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return attrs


# --- A request's skills ---------------------------------------------------------------------


def _skill_names_field(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=SKILL_MAX_LENGTH),
        max_length=MAX_SKILLS,
        required=False,
        default=list,
        help_text=help_text,
    )


class SkillsEditSerializer(serializers.Serializer):
    """One change to a request's skills (``POST /api/v1/requests/<id>/skills/``): the
    ``version`` the caller saw and at least one non-empty list."""

    version = serializers.IntegerField(
        min_value=1, help_text="The request's version when you loaded it."
    )
    add = _skill_names_field("Skills to name, in anyone's words (kept as written).")
    remove = _skill_names_field("Named skills to remove (case and spacing ignored).")
    confirm = _skill_names_field(
        "Skills recognised in the description to require (canonical names)."
    )
    dismiss = _skill_names_field("Skills recognised in the description to stop suggesting.")
    restore = _skill_names_field("Confirmed or dismissed skills to put back among the suggestions.")

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        if not any(attrs.get(name) for name in ("add", "remove", "confirm", "dismiss", "restore")):
            raise serializers.ValidationError(
                _(
                    "Nothing to change: send skills to add or remove, or suggestions to confirm, "
                    "dismiss or restore."
                )
            )
        return attrs


class RequestSkillsSerializer(serializers.Serializer):
    """A request's skills: named, confirmed and dismissed as stored, and what matching
    recognises in its description now."""

    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The request's version now.")
    skills = serializers.ListField(
        child=serializers.CharField(), help_text="Named skills, as written; required."
    )
    confirmed_skills = serializers.ListField(
        child=serializers.CharField(),
        help_text="Confirmed suggestions (canonical names); required.",
    )
    dismissed_skills = serializers.ListField(
        child=serializers.CharField(), help_text="Dismissed suggestions (canonical names)."
    )
    mentioned_skills = SkillMatchSerializer(
        many=True,
        help_text="Skills recognised in the description, neither named, confirmed nor "
        "dismissed: suggestions, which only add to the text score.",
    )
    unknown_terms = serializers.ListField(
        child=serializers.CharField(),
        help_text="Named terms (or confirmed names) that are not in the skills list.",
    )


class RequestMatchesSerializer(MatchResultSerializer):
    """The matching answer for a saved request, with the request's skills as stored."""

    skills = serializers.ListField(
        child=serializers.CharField(), help_text="Named skills, as written; required."
    )
    confirmed_skills = serializers.ListField(
        child=serializers.CharField(),
        help_text="Confirmed suggestions (canonical names); required.",
    )
    dismissed_skills = serializers.ListField(
        child=serializers.CharField(), help_text="Dismissed suggestions (canonical names)."
    )
