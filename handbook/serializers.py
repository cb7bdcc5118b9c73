"""Serializers of the handbook API.

Output serializers only render. Input serializers only parse and check the shape of a request;
the views hand their ``validated_data`` to ``handbook.services``, which check again and write.
Field limits here repeat the services' limits (``MAX_BODY_CHARACTERS``, 200-character titles,
300-character summaries), so a request over a limit gets the same 400 from either layer.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from handbook import decisions, reminders, services
from handbook.models import MAX_BODY_CHARACTERS, Decision, Page, Vote
from network.serializers import row_id_field

is_due_for_review = reminders.is_due_for_review


def user_name(user) -> str | None:
    """A member's display name; the account's name for staff without a member record."""
    if user is None:
        return None
    consultant = getattr(user, "consultant", None)
    if consultant is not None:
        return consultant.display_name
    return user.get_full_name() or user.get_username()


# --- Fields --------------------------------------------------------------------------------


class PageCategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Page.Category.choices, **kwargs)


class DecisionOutcomeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=list(decisions.OUTCOME_LABELS.items()), **kwargs)


class DecisionKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Decision.Kind.choices, **kwargs)


class NamedEnum(OpenApiSerializerFieldExtension):
    """A named enum component for a choice field.

    "category" and "outcome" already name other choice sets in the API (skills, bids); without
    their own component names the schema generator resolves the collision with a warning.
    """

    enum_name = ""
    values: list[str] = []

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name=self.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=self.enum_name,
            schema={"type": "string", "enum": self.values},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class PageCategoryEnum(NamedEnum):
    target_class = PageCategoryField
    enum_name = "PageCategoryEnum"
    values = list(Page.Category.values)


class DecisionKindEnum(NamedEnum):
    target_class = DecisionKindField
    enum_name = "DecisionKindEnum"
    values = list(Decision.Kind.values)


class DecisionOutcomeEnum(NamedEnum):
    target_class = DecisionOutcomeField
    enum_name = "DecisionOutcomeEnum"
    values = list(decisions.OUTCOME_LABELS)


# --- Small references ----------------------------------------------------------------------


class MemberReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class PageReferenceSerializer(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)


# --- Pages ---------------------------------------------------------------------------------


class PageSummarySerializer(serializers.Serializer):
    """A page in a list: everything but its text."""

    title = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    category = PageCategoryField(read_only=True)
    visibility = serializers.ChoiceField(choices=Page.Visibility.choices, read_only=True)
    owner = serializers.SerializerMethodField()
    revision = serializers.IntegerField(
        source="latest_revision.number",
        read_only=True,
        allow_null=True,
        help_text="The page's revision number (1, 2, 3 …), as its page shows it: send it as "
        "`base_revision` with an edit or a revert.",
    )
    revision_id = serializers.IntegerField(
        source="latest_revision_id",
        read_only=True,
        allow_null=True,
        help_text="The latest revision's id, as `/revisions/<id>/` and diffs name revisions.",
    )
    governed = serializers.BooleanField(
        source="is_governed",
        read_only=True,
        help_text="Changed by decision: an edit or a revert is proposed and voted (answered "
        "with 202 and the proposal), not saved.",
    )
    last_reviewed = serializers.DateField(read_only=True, allow_null=True)
    due_for_review = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)

    def get_owner(self, page) -> str | None:
        return page.owner.display_name if page.owner else None

    def get_due_for_review(self, page) -> bool:
        return is_due_for_review(page, self.context.get("review_cutoff"))


class PageDetailSerializer(PageSummarySerializer):
    """A page with its Markdown, its sanitised HTML, contents and backlinks.

    The view puts ``rendered`` (``selectors.rendered``) and ``backlinks`` in the context, so
    rendering runs once and the backlinks come from one query.
    """

    body = serializers.CharField(read_only=True, help_text="The latest revision's Markdown.")
    html = serializers.SerializerMethodField(help_text="The body as sanitised HTML.")
    toc_html = serializers.SerializerMethodField(
        help_text="A table of contents (sanitised HTML); empty for short pages."
    )
    backlinks = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_html(self, page) -> str:
        return self.context["rendered"].html

    def get_toc_html(self, page) -> str:
        return self.context["rendered"].toc_html

    @extend_schema_field(PageReferenceSerializer(many=True))
    def get_backlinks(self, page) -> list[dict]:
        return PageReferenceSerializer(self.context["backlinks"], many=True).data


class PageCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    slug = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The page's address; made from the title when left out.",
    )
    category = PageCategoryField(default=Page.Category.GUIDE)
    visibility = serializers.ChoiceField(
        choices=Page.Visibility.choices, default=Page.Visibility.MEMBERS
    )
    # Markdown keeps its leading and trailing whitespace (indented code, hard breaks).
    body = serializers.CharField(
        max_length=MAX_BODY_CHARACTERS, allow_blank=True, trim_whitespace=False, default=""
    )
    summary = serializers.CharField(max_length=300, allow_blank=True, default="")


class PageEditSerializer(serializers.Serializer):
    """A new revision of a page's text, based on the revision the writer started from."""

    base_revision = serializers.IntegerField(
        help_text="The page's `revision` number you started editing from; a stale one is "
        "refused with 409."
    )
    body = serializers.CharField(
        max_length=MAX_BODY_CHARACTERS, allow_blank=True, trim_whitespace=False
    )
    summary = serializers.CharField(
        max_length=300, allow_blank=True, default="", help_text="What changed and why."
    )
    title = serializers.CharField(max_length=200, required=False)


class PagePatchSerializer(PageEditSerializer):
    """As for PUT, but the body may be left out to change only the title."""

    body = serializers.CharField(
        max_length=MAX_BODY_CHARACTERS, allow_blank=True, trim_whitespace=False, required=False
    )


class EditConflictSerializer(serializers.Serializer):
    """The 409 answer to a stale edit: both texts and their diff, so nothing is lost."""

    detail = serializers.CharField()
    latest_revision = serializers.IntegerField(
        allow_null=True, help_text="The latest revision's number: send it as `base_revision`."
    )
    latest_revision_id = serializers.IntegerField(
        allow_null=True, help_text="The latest revision's id."
    )
    latest_body = serializers.CharField(allow_blank=True)
    your_body = serializers.CharField(allow_blank=True)
    diff = serializers.CharField(
        allow_blank=True, help_text="Unified diff from the latest body to yours."
    )


class PageRevertSerializer(serializers.Serializer):
    revision = row_id_field(
        help_text="The id of the earlier revision to restore (`id` in the revisions list)."
    )
    base_revision = serializers.IntegerField(
        help_text="The page's `revision` number as you saw it; a stale one is refused with 409."
    )


class PageReviewedSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The review date; today when left out.")

    def validate_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("A review cannot be dated in the future."))
        return value


# --- Revisions and diffs -------------------------------------------------------------------


class RevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    author = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    based_on = serializers.IntegerField(source="based_on_id", read_only=True, allow_null=True)
    reverts = serializers.IntegerField(source="reverts_id", read_only=True, allow_null=True)
    adopted_by_decision = serializers.SerializerMethodField(
        help_text="The decision that adopted this revision, for a page changed by decision."
    )

    def get_author(self, revision) -> str | None:
        return user_name(revision.author)

    def get_adopted_by_decision(self, revision) -> int | None:
        # The views select the proposal with the revision: no query here.
        try:
            return revision.proposal.decision_id
        except ObjectDoesNotExist:
            return None


class RevisionListItemSerializer(RevisionSerializer):
    """A revision in the history, with the lines it added and removed against the one before.

    The view sets ``lines_added`` and ``lines_removed`` on each revision it lists.
    """

    lines_added = serializers.IntegerField(read_only=True)
    lines_removed = serializers.IntegerField(read_only=True)


class RevisionDetailSerializer(RevisionSerializer):
    body = serializers.CharField(read_only=True)


class DiffQuerySerializer(serializers.Serializer):
    # ``from`` is a Python keyword: the fields are named in ``get_fields``.
    def get_fields(self):
        return {
            "from": row_id_field(help_text="The older revision's id."),
            "to": row_id_field(help_text="The newer revision's id."),
        }


class DiffRowSerializer(serializers.Serializer):
    """One side-by-side row (``handbook.diff.DiffRow``); a side without a line has number null
    and text ""."""

    kind = serializers.ChoiceField(
        choices=["equal", "insert", "delete", "replace", "skip"], read_only=True
    )
    old_number = serializers.IntegerField(read_only=True, allow_null=True)
    old_text = serializers.CharField(read_only=True)
    new_number = serializers.IntegerField(read_only=True, allow_null=True)
    new_text = serializers.CharField(read_only=True)


class DiffSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "from": RevisionSerializer(read_only=True),
            "to": RevisionSerializer(read_only=True),
            "unified": serializers.CharField(read_only=True),
            "rows": DiffRowSerializer(many=True, read_only=True),
            "added": serializers.IntegerField(read_only=True),
            "removed": serializers.IntegerField(read_only=True),
        }


# --- Search --------------------------------------------------------------------------------


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text="Words to look for.")
    limit = serializers.IntegerField(min_value=1, max_value=50, default=20)


class SearchHitSerializer(serializers.Serializer):
    title = serializers.CharField(source="page.title", read_only=True)
    slug = serializers.SlugField(source="page.slug", read_only=True)
    category = PageCategoryField(source="page.category", read_only=True)
    snippet = serializers.CharField(
        read_only=True, help_text="Safe HTML: the matching words marked with <mark>."
    )
    rank = serializers.FloatField(read_only=True)


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(read_only=True)
    results = SearchHitSerializer(many=True, read_only=True)


# --- Meetings, decisions, votes and action items -------------------------------------------


class ActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    text = serializers.CharField(read_only=True)
    owner = MemberReferenceSerializer(read_only=True)
    due = serializers.DateField(read_only=True)
    done_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ActionItemInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    owner = row_id_field(help_text="The member who will do it (a member id).")
    due = serializers.DateField()


class Tally(serializers.Serializer):
    def get_fields(self):
        return {
            "for": serializers.IntegerField(read_only=True),
            "against": serializers.IntegerField(read_only=True),
            "abstain": serializers.IntegerField(read_only=True),
            "block": serializers.IntegerField(read_only=True),
            "voted": serializers.IntegerField(read_only=True),
        }


class VoteSerializer(serializers.Serializer):
    member = MemberReferenceSerializer(source="consultant", read_only=True)
    cast_by = MemberReferenceSerializer(
        read_only=True,
        allow_null=True,
        help_text="The member who cast this vote with the voter's proxy; null for a vote cast "
        "by the voter.",
    )
    choice = serializers.ChoiceField(choices=Vote.Choice.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    cast_at = serializers.DateTimeField(read_only=True)
    superseded_at = serializers.DateTimeField(read_only=True, allow_null=True)


class VoteInputSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")
    on_behalf_of = row_id_field(
        required=False,
        allow_null=True,
        help_text="The id of the member whose live proxy you hold: cast their vote (409 when "
        "the proxy was revoked or is void).",
    )


class ProxyGivenSerializer(serializers.Serializer):
    decisions = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="The decisions' ids."
    )


class ProxyInputSerializer(serializers.Serializer):
    holder = row_id_field(help_text="The id of the member, a voter on this decision, to hold it.")


def _current_choices(decision: Decision) -> list[str]:
    # The view prefetches every vote (current and superseded) into ``decision.votes``.
    return [vote.choice for vote in decision.votes.all() if vote.superseded_at is None]


def prefetched_outcome(decision: Decision) -> str:
    """The same pure function as ``services.decision_outcome``, on the prefetched votes."""
    return decisions.outcome(
        decision.rule,
        decision.quorum,
        _current_choices(decision),
        withdrawn=decision.withdrawn_at is not None,
    )


class DecisionSummarySerializer(serializers.Serializer):
    """A decision with its computed outcome; ``votes`` must be prefetched (one query a page)."""

    id = serializers.IntegerField(read_only=True)
    meeting = serializers.IntegerField(source="meeting_id", read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    rule = serializers.ChoiceField(choices=Decision.Rule.choices, read_only=True)
    kind = DecisionKindField(read_only=True)
    quorum = serializers.IntegerField(read_only=True)
    quorum_percent = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The eligible members are the working members (active or on probation) when "
        "the decision was opened, and `quorum` is this share of them, rounded up (at least 1). "
        "Null for decisions opened before these rules: their creator chose the eligible members "
        "and the quorum, and they keep them.",
    )
    closes_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()
    outcome_label = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_closed(self, decision) -> bool:
        return services.decision_is_closed(decision)

    @extend_schema_field(DecisionOutcomeField)
    def get_outcome(self, decision) -> str:
        return prefetched_outcome(decision)

    def get_outcome_label(self, decision) -> str:
        return decisions.OUTCOME_LABELS[self.get_outcome(decision)]


class DecisionDetailSerializer(DecisionSummarySerializer):
    """A decision with everything on its record; the view selects ``closed_by`` and prefetches
    ``eligible`` and ``votes``."""

    eligible = MemberReferenceSerializer(
        many=True,
        read_only=True,
        help_text="Who may vote: the working members when the decision was opened (for "
        "decisions with a `quorum_percent`), as stored then. Only those still working members "
        "vote.",
    )
    probation_votes = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="The electorate rule when it was opened: whether members on probation vote "
        "(`HANDBOOK_PROBATION_VOTES`); null for decisions opened before the rule (they vote).",
    )
    electorate_rule = serializers.SerializerMethodField(
        help_text="Who votes, proxies and, for admission or exclusion, the consensus rule."
    )
    voters = serializers.SerializerMethodField(
        help_text="Who may vote now: the eligible members whose status still gives the vote."
    )
    closed_by = serializers.SerializerMethodField(
        help_text="Who closed the vote before its closing time; null if nobody did."
    )
    adopted_revision = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField(help_text="The current vote of each member.")
    superseded_votes = serializers.SerializerMethodField(
        help_text="Votes replaced by a later vote of the same member, kept on record."
    )

    def get_electorate_rule(self, decision) -> str:
        return services.electorate_rule(decision)

    @extend_schema_field(MemberReferenceSerializer(many=True))
    def get_voters(self, decision) -> list[dict]:
        statuses = services.voting_statuses(decision)
        voters = [member for member in decision.eligible.all() if member.status in statuses]
        return MemberReferenceSerializer(voters, many=True).data

    def get_closed_by(self, decision) -> str | None:
        return user_name(decision.closed_by)

    @extend_schema_field(RevisionSerializer(allow_null=True))
    def get_adopted_revision(self, decision) -> dict | None:
        revision = decision.adopted_revision
        if revision is None:
            return None
        return {
            **RevisionSerializer(revision).data,
            "page": PageReferenceSerializer(revision.page).data,
        }

    @extend_schema_field(Tally)
    def get_tally(self, decision) -> dict:
        counted = decisions.tally(_current_choices(decision))
        return {
            "for": counted.votes_for,
            "against": counted.against,
            "abstain": counted.abstain,
            "block": counted.block,
            "voted": counted.voted,
        }

    @extend_schema_field(VoteSerializer(many=True))
    def get_votes(self, decision) -> list[dict]:
        current = [vote for vote in decision.votes.all() if vote.superseded_at is None]
        return VoteSerializer(current, many=True).data

    @extend_schema_field(VoteSerializer(many=True))
    def get_superseded_votes(self, decision) -> list[dict]:
        earlier = [vote for vote in decision.votes.all() if vote.superseded_at is not None]
        return VoteSerializer(earlier, many=True).data


EARLIEST_CLOSE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


# Set by the alliance's rules when a decision is opened, never by the caller.
SET_BY_THE_RULES = {
    "eligible": _(
        "Set by the alliance's rules, not by the caller: every working member (active or on "
        "probation) when the decision is opened may vote. Leave this field out."
    ),
    "quorum": _(
        "Set by the alliance's rules, not by the caller: %(percent)s %% of the eligible members, "
        "rounded up. Leave this field out."
    ),
}


class DecisionInputSerializer(serializers.Serializer):
    """A motion to put to the vote.

    The eligible members and the quorum are not part of the request: they are set by the
    alliance's rules when the decision is opened (every working member may vote; the quorum is
    `DECISION_QUORUM_PERCENT` of them, rounded up, at least 1). A request that sends `eligible`
    or `quorum` is refused with 400, a message on each, and nothing is recorded, so no client
    believes it chose them.
    """

    meeting = row_id_field(
        required=False,
        allow_null=True,
        help_text="The meeting it is put at; only the member who recorded the meeting, the "
        "secretary and the staff coordinators add decisions to it (403 for others).",
    )
    text = serializers.CharField(max_length=5000, help_text="The motion, as voted on.")
    rule = serializers.ChoiceField(choices=Decision.Rule.choices)
    kind = DecisionKindField(
        default=Decision.Kind.GENERAL,
        help_text="Admission and exclusion of a member are decided by consensus only.",
    )
    closes_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When voting closes; 2000 or later. Null: open until recorded as closed.",
    )
    adopted_revision = row_id_field(
        required=False, allow_null=True, help_text="The id of the page revision it adopts."
    )

    def validate(self, attrs):
        sent = [name for name in SET_BY_THE_RULES if name in self.initial_data]
        if sent:
            percent = settings.DECISION_QUORUM_PERCENT
            raise serializers.ValidationError(
                {name: [SET_BY_THE_RULES[name] % {"percent": percent}] for name in sent}
            )
        return attrs

    def validate_closes_at(self, value):
        # Before time zones were standard, local times carry offsets in seconds
        # (-07:52:58 in Los Angeles), which no RFC 3339 reader accepts back (found by the API
        # fuzzer); and no vote of the alliance closed in the last millennium.
        if value is not None and value < EARLIEST_CLOSE:
            raise serializers.ValidationError(_("A vote closes in the year 2000 or later."))
        return value


class MeetingSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    title = serializers.CharField(read_only=True)
    attendees = MemberReferenceSerializer(many=True, read_only=True)
    minutes = PageReferenceSerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class MeetingDetailSerializer(MeetingSummarySerializer):
    agenda = serializers.CharField(read_only=True)
    decisions = DecisionSummarySerializer(many=True, read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)


class MeetingInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    title = serializers.CharField(max_length=200)
    attendees = serializers.ListField(child=row_id_field(), default=list, help_text="Member ids.")
    agenda = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    minutes_body = serializers.CharField(
        max_length=MAX_BODY_CHARACTERS,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
        help_text="Markdown; when given, the minutes are created as a handbook page.",
    )
