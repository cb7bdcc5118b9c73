"""Forms for the bid pages: starting a bid, and one form per action on the bid workspace.

Forms parse what a person typed; the services (``intake.bids.team``, ``terms``, ``states``,
``work``, ``settlement``) check again and write. Their limits are the models' and the services'
(``intake.bids.rules``), not numbers of their own.
Their
``ValidationError`` goes back onto the form with ``network.forms.add_service_errors``. Forms
that change the bid carry the bid's ``version`` as the page showed it, so a change decided on a
stale page is refused (409) instead of applied.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from intake.bids import rules
from intake.bids.models import Bid
from intake.models import Request
from network.forms import DateInput
from network.models import Consultant

SPLIT_MODE_HELP = {
    Bid.SplitMode.EQUAL_RATE: _(
        "Equal rate: when the work ends, the pool is divided by the team's total hours, so "
        "every member earns the same per hour, whatever their standard rate."
    ),
    Bid.SplitMode.RATE_WEIGHTED: _(
        "Rate weighted: each member's share is their hours times their standard rate; every "
        "standard rate scales by the same factor, so an overrun or an early finish is lost "
        "or gained equally."
    ),
}
SPLIT_MODE_CHOICES = [(mode.value, SPLIT_MODE_HELP[mode]) for mode in Bid.SplitMode]


def working_members():
    """The members who may join or lead a bid (active or on probation)."""
    return Consultant.objects.filter(status__in=Consultant.WORKING_STATUSES)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, consultant):
        if consultant.status == Consultant.Status.PROBATION:
            return _("%(name)s (on probation)") % {"name": consultant.display_name}
        return consultant.display_name


def price_field(**kwargs):
    return forms.DecimalField(
        max_digits=rules.PRICE_DIGITS,
        decimal_places=2,
        min_value=rules.PRICE_MIN,
        label=_("Price"),
        help_text=_("The fixed price offered to the client."),
        **kwargs,
    )


def _share_help_text() -> str:
    return gettext(
        "The alliance's share of the price, %(min)s–%(max)s %%; the team splits the rest."
    ) % {"min": rules.SHARE_MIN, "max": rules.SHARE_MAX}


def share_field(**kwargs):
    return forms.DecimalField(
        max_digits=rules.SHARE_DIGITS,
        decimal_places=2,
        min_value=rules.SHARE_MIN,
        max_value=rules.SHARE_MAX,
        label=_("Alliance share (%)"),
        help_text=lazy(_share_help_text, str)(),
        **kwargs,
    )


def split_mode_field(**kwargs):
    return forms.ChoiceField(
        choices=SPLIT_MODE_CHOICES,
        widget=forms.RadioSelect,
        label=_("How the pool is split"),
        **kwargs,
    )


def due_date_field(**kwargs):
    return forms.DateField(
        required=False,
        widget=DateInput,
        label=_("Proposal due"),
        help_text=_("When the proposal is due to the client."),
        **kwargs,
    )


ESTIMATED_HOURS = _("Estimated hours")


def hours_field(label=ESTIMATED_HOURS, **kwargs):
    return forms.DecimalField(
        max_digits=rules.ESTIMATED_HOURS_DIGITS,
        decimal_places=2,
        min_value=rules.CENT,
        max_value=Decimal(rules.MAX_ESTIMATED_HOURS),
        label=label,
        **kwargs,
    )


def role_field(**kwargs):
    return forms.CharField(
        max_length=rules.ROLE_MAX_LENGTH,
        label=_("Role"),
        help_text=_("What they do on the team."),
        **kwargs,
    )


class BidStartForm(forms.Form):
    """Offering to lead a bid. Staff coordinators also choose who leads it."""

    price = price_field()
    alliance_share_percent = share_field(initial=Decimal("0"))
    split_mode = split_mode_field(initial=Bid.SplitMode.EQUAL_RATE)
    due_date = due_date_field()
    lead_role = role_field(initial=pgettext_lazy("role on a team", "Lead"))
    lead_estimated_hours = hours_field(
        label=_("Your estimated hours"), help_text=_("The lead's own planned hours.")
    )

    def __init__(self, *args, client_request: Request, staff: bool, own=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price"].initial = client_request.budget_max
        # The member offering to lead fills in their own seat.
        self.fields["lead_role"].label = _("Your role")
        self.fields["lead_role"].help_text = _("What you do on the team.")
        if staff:
            self.fields["lead_role"].label = _("The lead's role")
            self.fields["lead_role"].help_text = _("What the lead does on the team.")
            self.fields["lead"] = MemberChoiceField(
                queryset=working_members(),
                initial=own.pk if own is not None else None,
                empty_label=_("Choose a member"),
                label=pgettext_lazy("bid field", "Lead"),
                help_text=_("The member who leads the bid and assembles the team."),
            )
            self.fields["lead_estimated_hours"].label = _("The lead's estimated hours")
            self.order_fields(["lead"])

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            "price": data["price"],
            "alliance_share_percent": data["alliance_share_percent"],
            "split_mode": data["split_mode"],
            "due_date": data["due_date"],
            "lead_role": data["lead_role"],
            "lead_estimated_hours": data["lead_estimated_hours"],
        }
        if "lead" in data:
            arguments["lead"] = data["lead"]
        return arguments


class VolunteerForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=rules.VOLUNTEER_NOTE_MAX,
        label=_("What you would bring"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Workspace actions --------------------------------------------------------------------


class VersionForm(forms.Form):
    """A change to the bid, with the version of the bid the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, bid: Bid | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if bid is not None:
            self.fields["version"].initial = bid.version


class NoteForm(VersionForm):
    note = forms.CharField(
        required=False,
        max_length=5000,
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TermsForm(VersionForm):
    price = price_field()
    alliance_share_percent = share_field()
    split_mode = split_mode_field()
    due_date = due_date_field()

    def __init__(self, *args, bid: Bid | None = None, **kwargs):
        super().__init__(*args, bid=bid, **kwargs)
        if bid is not None:
            for name in ("price", "alliance_share_percent", "split_mode", "due_date"):
                self.fields[name].initial = getattr(bid, name)


class InviteForm(VersionForm):
    consultant = MemberChoiceField(
        queryset=working_members(), empty_label=_("Choose a member"), label=_("Member")
    )
    role = role_field()
    estimated_hours = hours_field()

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:  # the page's list, filtered by skill; posts check all
            self.fields["consultant"].queryset = members


class InviteTeamForm(VersionForm):
    """The proposed team's members, as parallel lists (id, role, hours) of hidden inputs."""

    def clean(self):
        data = super().clean()
        ids = self.data.getlist("member")
        roles = self.data.getlist("role")
        hours = self.data.getlist("estimated_hours")
        if not ids or not (len(ids) == len(roles) == len(hours)):
            raise ValidationError(_("Nobody left to invite from this team."))
        data["members"] = list(zip(ids, roles, hours, strict=True))
        return data


class MemberChangeForm(VersionForm):
    consultant = forms.IntegerField(widget=forms.HiddenInput)
    role = role_field()
    estimated_hours = hours_field()


class MemberRemoveForm(VersionForm):
    consultant = forms.IntegerField(widget=forms.HiddenInput)


class DeclineForm(VersionForm):
    reason = forms.CharField(
        required=False,
        max_length=rules.DECLINE_REASON_MAX,
        label=_("Why you decline"),
        help_text=_("Optional; the lead sees it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignForm(forms.Form):
    agreement_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecideForm(VersionForm):
    outcome = forms.ChoiceField(
        choices=[
            ("won", pgettext_lazy("bid status", "Won")),
            ("lost", pgettext_lazy("bid status", "Lost")),
        ],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(required=False, max_length=5000, widget=forms.HiddenInput)


class HoursForm(forms.Form):
    date = forms.DateField(widget=DateInput, label=_("Date"))
    hours = forms.DecimalField(
        max_digits=rules.HOURS_DIGITS,
        decimal_places=2,
        min_value=rules.CENT,
        max_value=rules.HOURS_PER_DAY,
        label=_("Hours"),
    )
    note = forms.CharField(required=False, max_length=rules.HOURS_NOTE_MAX, label=_("Note"))

    def __init__(self, *args, window=None, **kwargs):
        """``window``: the first and last day hours may be logged for (``work.hours_window``);
        the service checks the date again."""
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        if window is not None:
            first_day, today = window
            self.fields["date"].widget.attrs.update(
                {"min": first_day.isoformat(), "max": today.isoformat()}
            )
            self.fields["date"].help_text = _(
                "A day of the work: from %(first_day)s, the day it started, to today."
            ) % {"first_day": dateformat.format(first_day, "j M Y")}


class HoursDeleteForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)


class DisputeForm(VersionForm):
    reason = forms.CharField(
        max_length=rules.DISPUTE_REASON_MAX,
        label=_("What is wrong"),
        help_text=_(
            "Required. The team reads it; the statement is withdrawn and the hours reopen."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OnBehalfForm(VersionForm):
    """A staff coordinator approves the statement for a team member who no longer works."""

    # An id, not a choice: the service answers a member who works again (409) or one not on
    # the team (400); the list only offers those it would take.
    consultant = forms.IntegerField(widget=forms.Select, label=_("The member you approve for"))
    reason = forms.CharField(
        max_length=rules.ON_BEHALF_REASON_MAX,
        label=_("Why you approve for them"),
        help_text=_(
            "Required. The team and the member read it: for example, that they confirmed "
            "their hours and payout before they left."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, away=(), **kwargs):
        """``away``: the team members who no longer work and have not approved."""
        super().__init__(*args, **kwargs)
        self.fields["consultant"].widget.choices = [
            (consultant.pk, f"{consultant.display_name} ({consultant.get_status_display()})")
            for consultant in away
        ]


class SettleForm(VersionForm):
    collector = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Who collected the client's payment"),
        help_text=_(
            "If one member collected the client's payment, the statement lists what they owe "
            "each other member and the alliance."
        ),
    )

    def __init__(self, *args, team=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].choices = [("", _("Nobody: each member invoiced the client"))] + [
            (seat.consultant_id, seat.consultant.display_name) for seat in team
        ]
