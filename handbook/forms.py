"""Forms for the handbook pages.

Forms parse what a person typed; the services in ``handbook.services`` validate again and write.
Their ``ValidationError`` goes back onto the form with ``network.forms.add_service_errors``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from handbook.models import MAX_BODY_CHARACTERS, Decision, Page, PageRevision, Vote
from network.forms import DateInput, SearchInput
from network.models import Consultant

# Members who attend meetings: the working members and those on leave (still members; they may
# come). Alumni and applicants are not listed.
ATTENDING_STATUSES = (*Consultant.WORKING_STATUSES, Consultant.Status.ON_LEAVE)


def attending_members():
    return Consultant.objects.filter(status__in=ATTENDING_STATUSES).order_by(
        Lower("display_name"), "pk"
    )


def working_members():
    """Who may own an action item (and vote): members active or on probation."""
    return Consultant.objects.filter(status__in=Consultant.WORKING_STATUSES).order_by(
        "display_name", "pk"
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class MembersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


# --- Pages ----------------------------------------------------------------------------------

BODY_HELP = _(
    "Markdown: # Heading, **bold**, *italic*, - lists, [a link](https://example.org). "
    "Link another handbook page with [[Page title]] or [[Page title|the words shown]]."
)


BODY_REQUIRED = _("Write the page's text: a handbook page cannot be empty.")


class MarkdownField(forms.CharField):
    """Markdown as typed, with the browser's CRLF line endings made plain newlines: a form
    post and an API call of the same text must store the same body (and diff as equal). When
    required, text of spaces and line breaks alone is missing too."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")

    def validate(self, value):
        super().validate(value)
        if self.required and not value.strip():
            raise ValidationError(self.error_messages["required"], code="required")


def _body_field(**kwargs) -> forms.CharField:
    return MarkdownField(
        # A page is its text: the editor asks for it (the API still takes an empty body, for
        # a page whose text is written later).
        required=True,
        error_messages={"required": BODY_REQUIRED},
        # The service refuses longer bodies too; the form says so before anything is sent on.
        max_length=MAX_BODY_CHARACTERS,
        strip=False,
        label=_("Markdown text"),
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 20, "class": "markdown-editor", "spellcheck": "true"}),
        **kwargs,
    )


def _summary_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=300,
        label=_("Summary of your change"),
        help_text=_("What changed and why, for the page's history."),
    )


class PageCreateForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    category = forms.ChoiceField(
        choices=Page.Category.choices, initial=Page.Category.GUIDE, label=_("Category")
    )
    visibility = forms.ChoiceField(
        choices=Page.Visibility.choices,
        initial=Page.Visibility.MEMBERS,
        widget=forms.RadioSelect,
        label=_("Visibility"),
        help_text=_("Public pages can be read by anyone, without an account."),
    )
    body = _body_field()
    summary = _summary_field()


class PageEditForm(forms.Form):
    """The editor. ``base_revision`` is the latest revision when the editor was opened; the
    service refuses the save when someone saved since (``EditConflict``)."""

    base_revision = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(max_length=200, label=_("Title"))
    body = _body_field()
    summary = _summary_field()


class RevertForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    base_revision = forms.IntegerField(widget=forms.HiddenInput)


class DiffForm(forms.Form):
    """Two revision numbers of one page (``?from=2&to=5``)."""

    from_number = forms.IntegerField(min_value=1, label=_("From revision"))
    to_number = forms.IntegerField(min_value=1, label=_("To revision"))

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = {"from_number": data.get("from"), "to_number": data.get("to")}
        super().__init__(data, **kwargs)


class IndexFilterForm(forms.Form):
    category = forms.ChoiceField(
        choices=[("", _("All categories")), *Page.Category.choices],
        required=False,
        label=_("Category"),
    )
    visibility = forms.ChoiceField(
        choices=[("", _("All pages")), *Page.Visibility.choices],
        required=False,
        label=_("Who can read"),
    )
    due = forms.BooleanField(required=False, label=_("Due for review only"))


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label=_("Search the handbook"),
        widget=SearchInput(attrs={"placeholder": _("e.g. time away, referral, quorum")}),
    )


# --- Meetings, decisions, votes, action items ----------------------------------------------


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    date = forms.DateField(widget=DateInput(), label=_("Date"))
    attendees = MembersChoiceField(
        queryset=Consultant.objects.none(),
        required=False,
        # Tick boxes in a fieldset (field.html gives it the legend), sorted by name; a long
        # list scrolls within its box (handbook.css).
        widget=forms.CheckboxSelectMultiple(attrs={"class": "attendee-list"}),
        label=_("Attendees"),
        help_text=_("Tick everyone who came: members and members on leave, sorted by name."),
    )
    agenda = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Agenda"),
    )
    minutes = MarkdownField(
        required=False,
        max_length=MAX_BODY_CHARACTERS,
        strip=False,
        label=pgettext_lazy("meeting minutes", "Minutes"),
        help_text=_(
            "Markdown. Saved as a handbook page in the minutes category. "
            "Leave empty to write them later."
        ),
        widget=forms.Textarea(attrs={"rows": 10, "class": "markdown-editor"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = attending_members()


class DecisionForm(forms.Form):
    """A motion. Who votes and the quorum are not asked: the alliance's rules set them when the
    decision is opened (``services.decision_create``); the page says how."""

    text = forms.CharField(
        max_length=5000,
        label=_("Motion"),
        help_text=_("The motion, exactly as it is put to the vote."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rule = forms.ChoiceField(
        choices=Decision.Rule.choices, initial=Decision.Rule.SIMPLE_MAJORITY, label=_("Rule")
    )
    adopted_revision = forms.ModelChoiceField(
        queryset=PageRevision.objects.none(),
        required=False,
        label=_("Policy revision adopted"),
        help_text=_("When the motion adopts a policy, the revision of the page it adopts."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The latest revision of each policy page: what a meeting adopts is the text as it is.
        self.fields["adopted_revision"].queryset = (
            PageRevision.objects.filter(
                pk__in=Page.objects.filter(category=Page.Category.POLICY).values("latest_revision")
            )
            .select_related("page")
            .order_by("page__title")
        )
        self.fields["adopted_revision"].label_from_instance = lambda revision: (
            _("%(title)s (revision %(number)s)")
            % {"title": revision.page.title, "number": revision.number}
        )


class DecisionKindForm(forms.Form):
    """What a motion decides: admitting or excluding a member is decided by consensus. Shown
    with ``DecisionForm`` (same prefix), kept apart so the motion's own fields stay as they are."""

    kind = forms.ChoiceField(
        choices=Decision.Kind.choices,
        initial=Decision.Kind.GENERAL,
        required=False,
        label=_("Kind"),
        help_text=_("Admitting or excluding a member is decided by consensus."),
    )


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        choices=Vote.Choice.choices, widget=forms.RadioSelect, label=_("Vote")
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason"),
        help_text=_("Shown with your vote."),
    )
    # The member whose proxy the voter holds, when casting their vote.
    on_behalf_of = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ProxyForm(forms.Form):
    holder = forms.TypedChoiceField(coerce=int, label=_("Give my proxy to"))

    def __init__(self, *args, holders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [(member.pk, member.display_name) for member in holders]


class ActionItemForm(forms.Form):
    text = forms.CharField(max_length=500, label=_("What is to be done"))
    owner = MemberChoiceField(queryset=Consultant.objects.none(), label=_("Owner"))
    due = forms.DateField(widget=DateInput(), label=_("Due"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = working_members()
