"""Serializers of the bid API (``intake.bids.api``).

Input serializers check the shape of what a member or a coordinator sends, with the limits of
the models and the services (``intake.bids.rules``); the views hand the ``validated_data`` to one
service, which checks the values again (price above 0, share within 0–50 %, hours within a day)
and writes. Decimal fields accept strings and JSON numbers (DRF reads a number through ``str``,
so 12.5 arrives as ``Decimal("12.5")``).

Output serializers only render. What a viewer sees of a bid (docs/reference.md, "Who sees
what") is decided here, by ``render_bid``: the team (invited or accepted) and staff coordinators
get ``BidSerializer`` with the money; every other member gets ``BidPublicSerializer``: the
request, the lead, the team's names and roles and the status, nothing else.
"""

from decimal import Decimal

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from intake.bids import access as bid_access
from intake.bids import money, rules, states
from intake.bids.models import Bid, BidMember, Settlement
from intake.models import Request

# Plain strings in the schema: an enum named "status" would collide with the other "status"
# enums of the API; the values are listed in the help text instead.
BID_STATUS_HELP = "One of: " + ", ".join(Bid.Status.values) + "."
SEAT_STATUS_HELP = "invited or accepted (on the team)."

# Wide enough that the service, not DRF's digit count, answers an out-of-range value with the
# rule it breaks ("The price must be above 0.", "between 0 and 50 %"). Also the figures of
# intake.bids.document_serializers.
MONEY = {"max_digits": 16, "decimal_places": 2}
HOURS = {"max_digits": 9, "decimal_places": 2}


# --- Input ------------------------------------------------------------------------------------


class VersionInputSerializer(serializers.Serializer):
    # Required, as the pages' forms send it: a change decided on a stale view of the bid is
    # refused (409), never applied unnoticed.
    version = serializers.IntegerField(
        min_value=1,
        help_text="The bid's version you saw (required); a stale one is refused with 409.",
    )


class WholeOnPatch:
    """A PATCH body checked whole: the views never pass ``partial=True``, so ``version`` (and
    every other required field) is required on PATCH too. drf-spectacular documents a PATCH
    body as partial unless the serializer refuses to be: ``partial`` stays False."""

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass


class InviteEntrySerializer(serializers.Serializer):
    consultant = serializers.IntegerField(help_text="The member's id.")
    role = serializers.CharField(
        max_length=rules.ROLE_MAX_LENGTH, help_text="What they do on the team."
    )
    estimated_hours = serializers.DecimalField(**HOURS)


class BidCreateSerializer(serializers.Serializer):
    request = serializers.IntegerField(help_text="A request open for bidding.")
    price = serializers.DecimalField(**MONEY, help_text="The fixed price offered, above 0.")
    alliance_share_percent = serializers.DecimalField(
        **MONEY, required=False, default=Decimal("0"), help_text="0–50 %; default 0."
    )
    split_mode = serializers.ChoiceField(
        choices=Bid.SplitMode.choices, required=False, default=Bid.SplitMode.EQUAL_RATE
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    lead = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The lead's member id; coordinators may name one, members lead themselves.",
    )
    lead_role = serializers.CharField(
        max_length=rules.ROLE_MAX_LENGTH, required=False, default=rules.DEFAULT_LEAD_ROLE
    )
    lead_estimated_hours = serializers.DecimalField(**HOURS)
    invite = InviteEntrySerializer(many=True, required=False, default=list)


class BidTermsSerializer(WholeOnPatch, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The bid's version you saw.")
    price = serializers.DecimalField(**MONEY, required=False)
    alliance_share_percent = serializers.DecimalField(**MONEY, required=False)
    split_mode = serializers.ChoiceField(choices=Bid.SplitMode.choices, required=False)
    due_date = serializers.DateField(required=False)


class BidInviteSerializer(InviteEntrySerializer, VersionInputSerializer):
    pass


class BidRespondSerializer(VersionInputSerializer):
    reason = serializers.CharField(
        max_length=rules.DECLINE_REASON_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="When declining.",
    )


class BidMemberChangeSerializer(WholeOnPatch, VersionInputSerializer):
    role = serializers.CharField(max_length=rules.ROLE_MAX_LENGTH, required=False)
    estimated_hours = serializers.DecimalField(**HOURS, required=False)


class BidNoteSerializer(VersionInputSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BidOutcomeSerializer(BidNoteSerializer):
    outcome = serializers.ChoiceField(choices=[("won", "Won"), ("lost", "Lost")])


# A plain string in the schema, as the statuses are: an enum named "action" would collide with
# the request's moves; the values are listed in the help text instead.
@extend_schema_field(serializers.CharField())
class BidActionField(serializers.ChoiceField):
    pass


class BidTransitionSerializer(VersionInputSerializer):
    """A move of the bid: ``action``, the bid's ``version`` you saw, and the move's own fields
    (``note`` for withdraw, submit, win and lose; none for send and start)."""

    action = BidActionField(
        choices=states.BID_ACTIONS, help_text="One of: " + ", ".join(states.BID_ACTIONS) + "."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AgreementSignSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The AGREEMENT version number you read and sign (not the bid's)."
    )


class HoursLogSerializer(serializers.Serializer):
    date = serializers.DateField(
        help_text="A day of the work: from the day it started (the bid's `work_started_on`) "
        "to today."
    )
    hours = serializers.DecimalField(**HOURS, help_text="Above 0, at most 24 in one day.")
    note = serializers.CharField(
        max_length=rules.HOURS_NOTE_MAX, required=False, allow_blank=True, default=""
    )


class StatementDisputeSerializer(VersionInputSerializer):
    reason = serializers.CharField(
        max_length=rules.DISPUTE_REASON_MAX,
        help_text="What is wrong with the statement (required).",
    )


class StatementOnBehalfSerializer(VersionInputSerializer):
    consultant = serializers.IntegerField(
        help_text="The team member you approve for: no longer a working member (on leave, "
        "alumni, former). A working member approves themself (409)."
    )
    reason = serializers.CharField(
        max_length=rules.ON_BEHALF_REASON_MAX,
        help_text="Why you approve for them (required); the team and the member read it.",
    )


class BidSettleSerializer(BidNoteSerializer):
    collector = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The member who collected the client's payment, if one did.",
    )


class VolunteerSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=rules.VOLUNTEER_NOTE_MAX, required=False, allow_blank=True, default=""
    )


# --- Output: bids -----------------------------------------------------------------------------
# The loader (intake.bids.selectors.load_bids) puts on each bid: ``seats`` (members invited or
# accepted, in the order they were invited), ``current_versions`` (the agreement version not
# voided, with its signatures) and ``hours_by_member`` ({consultant id: hours logged}).


def viewer_sees_money(viewer, bid: Bid) -> bool:
    """``bid_access.sees_bid_money`` on the prefetched seats, so a page of bids costs no query per
    row."""
    return bid_access.sees_bid_money(viewer, bid, seats=getattr(bid, "seats", None))


def _two_places(amount) -> str:
    # Money and hours leave as strings, never as JSON floats (DRF's encoder turns a Decimal
    # returned by a method field into a float).
    return f"{Decimal(amount):.2f}"


def _seats(bid: Bid) -> list[BidMember]:
    seats = getattr(bid, "seats", None)
    if seats is None:
        seats = list(
            bid.members.filter(status__in=[BidMember.Status.INVITED, BidMember.Status.ACCEPTED])
            .select_related("consultant")
            .order_by("invited_at", "pk")
        )
    return sorted(seats, key=lambda seat: seat.consultant_id != bid.lead_id)


def _current_version(bid: Bid):
    versions = getattr(bid, "current_versions", None)
    if versions is None:
        return bid.agreement_versions.filter(voided_at__isnull=True).order_by("-number").first()
    return versions[0] if versions else None


class RequestReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class SeatPublicSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(source="consultant_id")
    name = serializers.CharField(source="consultant.display_name")
    role = serializers.CharField()
    status = serializers.CharField(help_text=SEAT_STATUS_HELP)
    lead = serializers.SerializerMethodField()

    def get_lead(self, seat) -> bool:
        return seat.consultant_id == seat.bid.lead_id


class SeatSerializer(SeatPublicSerializer):
    estimated_hours = serializers.DecimalField(**HOURS)
    standard_rate = serializers.SerializerMethodField(
        help_text="Once they accepted their seat; before that, null unless you may see the "
        "member's rate (coordinators, and the member themself)."
    )
    planned_payout = serializers.SerializerMethodField(
        help_text="From the current agreement; null for an invitation not yet answered."
    )
    hours_logged = serializers.SerializerMethodField()
    signed_current = serializers.SerializerMethodField(
        help_text="Whether they signed the current agreement version."
    )

    @extend_schema_field(serializers.DecimalField(**MONEY, allow_null=True))
    def get_standard_rate(self, seat) -> str | None:
        accepted = seat.status == BidMember.Status.ACCEPTED
        if bid_access.sees_bid_rate(
            self.context["viewer"], seat.consultant, accepted_on_bid=accepted
        ):
            return _two_places(seat.standard_rate)
        return None

    def get_planned_payout(self, seat) -> str | None:
        return self.context["planned_payouts"].get(seat.consultant_id)

    def get_hours_logged(self, seat) -> str:
        return _two_places(self.context["hours_by_member"].get(seat.consultant_id, 0))

    def get_signed_current(self, seat) -> bool:
        return seat.consultant_id in self.context["signed_ids"]


class BidPublicSerializer(serializers.Serializer):
    """What a member who is not on the team sees: the bid exists, who bids, and how far it is."""

    id = serializers.IntegerField()
    request = RequestReferenceSerializer()
    status = serializers.CharField(help_text=BID_STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display")
    lead = PersonSerializer()
    due_date = serializers.DateField(allow_null=True)
    members = serializers.SerializerMethodField()
    sees_money = serializers.SerializerMethodField(
        help_text="False: price, rates, hours and payouts are for the team and coordinators."
    )

    @extend_schema_field(SeatPublicSerializer(many=True))
    def get_members(self, bid) -> list[dict]:
        return SeatPublicSerializer(_seats(bid), many=True).data

    # BidView is one of two shapes, and a full bid has every public field too: the constant
    # sees_money is what tells them apart, so the schema pins it (else both shapes match).
    @extend_schema_field({"type": "boolean", "enum": [False]})
    def get_sees_money(self, bid) -> bool:
        return False


class AgreementSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    in_force_at = serializers.DateTimeField(allow_null=True)
    signed = serializers.IntegerField(help_text="Signatures on this version.")
    to_sign = serializers.IntegerField(help_text="Members on the team who have not signed it.")


class BidSerializer(BidPublicSerializer):
    """What the team and staff coordinators see: the terms, the money and the hours."""

    version = serializers.IntegerField(help_text="Send it back with a change.")
    currency = serializers.CharField()
    price = serializers.DecimalField(**MONEY)
    alliance_share_percent = serializers.DecimalField(**MONEY)
    pool = serializers.SerializerMethodField(help_text="The price less the alliance's share.")
    split_mode = serializers.ChoiceField(choices=Bid.SplitMode.choices)
    planned_hours = serializers.SerializerMethodField()
    planned_blended_rate = serializers.SerializerMethodField()
    hours_logged = serializers.SerializerMethodField()
    agreement = serializers.SerializerMethodField()
    work_started_on = serializers.DateField(
        allow_null=True, help_text="Hours are logged from this day to today."
    )
    statement_state = serializers.SerializerMethodField(
        help_text="The statement's state: proposed (waiting for every member's approval) or "
        "final; null while none is proposed."
    )
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    settled_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(SeatSerializer(many=True))
    def get_members(self, bid) -> list[dict]:
        current = _current_version(bid)
        terms = current.terms if current is not None else {"members": []}
        signed_ids = (
            {signature.consultant_id for signature in current.signatures.all()}
            if current is not None
            else set()
        )
        context = {
            "planned_payouts": {m["consultant"]: m["planned_payout"] for m in terms["members"]},
            "hours_by_member": getattr(bid, "hours_by_member", {}),
            "signed_ids": signed_ids,
            "viewer": self.context.get("viewer"),
        }
        return SeatSerializer(_seats(bid), many=True, context=context).data

    @extend_schema_field({"type": "boolean", "enum": [True]})
    def get_sees_money(self, bid) -> bool:
        return True

    def get_pool(self, bid) -> str:
        return _two_places(money.pool_after_share(bid.price, bid.alliance_share_percent))

    def get_planned_hours(self, bid) -> str | None:
        current = _current_version(bid)
        return current.terms["planned_hours"] if current is not None else None

    def get_planned_blended_rate(self, bid) -> str | None:
        current = _current_version(bid)
        return current.terms["planned_blended_rate"] if current is not None else None

    def get_hours_logged(self, bid) -> str:
        return _two_places(sum(getattr(bid, "hours_by_member", {}).values(), Decimal("0")))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_statement_state(self, bid) -> str | None:
        statements = getattr(bid, "live_statements", None)
        if statements is None:
            live = bid.settlements.exclude(state=Settlement.State.DISPUTED)
            statements = list(live.order_by("-pk"))
        return statements[0].state if statements else None

    @extend_schema_field(AgreementSummarySerializer(allow_null=True))
    def get_agreement(self, bid) -> dict | None:
        current = _current_version(bid)
        if current is None:
            return None
        signed = {signature.consultant_id for signature in current.signatures.all()}
        on_team = [
            seat.consultant_id for seat in _seats(bid) if seat.status == BidMember.Status.ACCEPTED
        ]
        return AgreementSummarySerializer(
            {
                "number": current.number,
                "created_at": current.created_at,
                "in_force_at": current.in_force_at,
                "signed": len(signed),
                "to_sign": len([pk for pk in on_team if pk not in signed]),
            }
        ).data


# For the schema: a bid is one shape or the other, depending on who asks.
BID_VIEW = PolymorphicProxySerializer(
    component_name="BidView",
    serializers=[BidSerializer, BidPublicSerializer],
    resource_type_field_name=None,
)
BID_VIEW_LIST = PolymorphicProxySerializer(
    component_name="BidView",
    serializers=[BidSerializer, BidPublicSerializer],
    resource_type_field_name=None,
    many=True,
)


def render_bid(bid: Bid, viewer) -> dict:
    """The bid as ``viewer`` may see it: with its money for the team and staff coordinators."""
    if viewer_sees_money(viewer, bid):
        return BidSerializer(bid, context={"viewer": viewer}).data
    return BidPublicSerializer(bid).data


# --- Output: the bid board --------------------------------------------------------------------


class BoardBidSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lead = serializers.CharField(source="lead.display_name")
    team = serializers.SerializerMethodField(help_text="The names of the members on the team.")
    status = serializers.CharField(help_text=BID_STATUS_HELP)
    due_date = serializers.DateField(allow_null=True)

    def get_team(self, bid) -> list[str]:
        return [seat.consultant.display_name for seat in _seats(bid)]


class BoardRequestSerializer(serializers.Serializer):
    """A request open for bidding, as members see it: what the client needs, never who they are
    or how to reach them."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    skills = serializers.ListField(child=serializers.CharField())
    budget_max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    estimated_hours = serializers.IntegerField(allow_null=True)
    desired_start = serializers.DateField(allow_null=True)
    urgency = serializers.ChoiceField(choices=Request.Urgency.choices)
    open_bid = serializers.SerializerMethodField()
    volunteered = serializers.BooleanField(help_text="Whether you offered to join a team.")

    @extend_schema_field(BoardBidSerializer(allow_null=True))
    def get_open_bid(self, request) -> dict | None:
        open_bids = request.open_bids
        return BoardBidSerializer(open_bids[0]).data if open_bids else None


class VolunteeredSerializer(serializers.Serializer):
    request = serializers.IntegerField(source="request_id")
    consultant = serializers.IntegerField(source="consultant_id")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
