"""Forms for the intake pages: the public request form, the queue's filters and one form per
workflow move.

Forms parse what a person typed; ``intake.services.request_submit`` and
``intake.workflow.request_apply`` validate again and write. Their ``ValidationError`` goes back
onto the form with ``network.forms.add_service_errors``.
"""

from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils.translation import gettext_lazy as _

from intake.models import Request
from intake.selectors import skill_suggestions
from intake.workflow import MAX_SKILLS, MOVES, SKILL_MAX_LENGTH, free_days_default, is_final
from network.forms import DateInput, SearchInput
from network.models import Consultant, ConsultantGroup, ExternalProfessional, Language
from network.text import validate_visible_text

# --- The public request form ----------------------------------------------------------------


def split_skills(text: str) -> list[str]:
    """``"Salesforce, WordPress ,"`` → ``["Salesforce", "WordPress"]``, typed as written."""
    return [skill.strip() for skill in text.split(",") if skill.strip()]


class RequestHelpForm(forms.Form):
    """What a nonprofit tells us. ``fax`` is a honeypot that people never see."""

    organization_name = forms.CharField(
        max_length=200,
        validators=[validate_visible_text],
        label=_("Organisation name"),
        help_text=_("The nonprofit the work is for."),
    )
    organization_website = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label=_("Organisation website"),
        help_text=_("Helps us see what you do, e.g. example.org."),
    )
    contact_name = forms.CharField(
        max_length=120, validators=[validate_visible_text], label=_("Your name")
    )
    contact_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We write to you here, and send the private link to follow your request."),
    )
    title = forms.CharField(
        max_length=200,
        label=_("What do you need help with?"),
        help_text=_("One line, e.g. “Our donor database needs cleaning up before year-end”."),
    )
    description = forms.CharField(
        max_length=10_000,
        label=_("Tell us more"),
        help_text=_(
            "The problem or project in your own words: what you use today, what goes wrong, what "
            "you would like instead. Please don't include passwords or your clients' data."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    skills = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Systems or skills involved"),
        help_text=_(
            "If you know them, separate with commas, e.g. Salesforce, WordPress, email. "
            "Leave empty if you are not sure: we will work it out with you."
        ),
    )
    urgency = forms.ChoiceField(
        choices=Request.Urgency.choices,
        initial=Request.Urgency.NORMAL,
        label=_("How urgent is it?"),
        help_text=_("Emergency means something important has stopped working."),
        widget=forms.RadioSelect,
    )
    desired_start = forms.DateField(
        required=False,
        widget=DateInput(),
        label=_("When would you like to start?"),
    )
    budget_max = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        label=_("Budget in US dollars"),
        help_text=_("The most you could spend in all, if you know. A rough figure is fine."),
    )
    estimated_hours = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        label=_("Hours you expect it to take"),
        help_text=_("Only if you have an idea; many people don't."),
    )
    pro_bono = forms.BooleanField(
        required=False,
        label=_("We cannot pay, and are looking for pro bono (free) help"),
    )
    remote_ok = forms.BooleanField(
        required=False,
        initial=True,
        label=_("The work can be done remotely"),
    )
    location = forms.CharField(
        max_length=200,
        required=False,
        label=_("Where is your office?"),
        help_text=_("City and region. Needed if someone has to come on site."),
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Languages your staff need the consultant to speak"),
        help_text=_("Leave all unticked if English is fine."),
    )
    fax = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "organization_name": "organization",
            "organization_website": "url",
            "contact_name": "name",
            "contact_email": "email",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["budget_max"].widget.attrs.update(step="0.01", inputmode="decimal")

    @property
    def caught_a_bot(self) -> bool:
        # Bots fill every input they find; people never see this one.
        return bool(self.data.get(self.add_prefix("fax"), "").strip())

    def service_arguments(self) -> dict:
        """What ``intake.services.request_submit`` takes, from the cleaned form."""
        data = self.cleaned_data
        return {
            "organization_name": data["organization_name"],
            "organization_website": data["organization_website"],
            "contact_name": data["contact_name"],
            "contact_email": data["contact_email"],
            "title": data["title"],
            "description": data["description"],
            "skills": split_skills(data["skills"]),
            "budget_max": data["budget_max"],
            "estimated_hours": data["estimated_hours"],
            "pro_bono": data["pro_bono"],
            "urgency": data["urgency"],
            "remote_ok": data["remote_ok"],
            "location": data["location"],
            "languages": [language.code for language in data["languages"]],
            "desired_start": data["desired_start"],
        }


# --- The coordinators' queue ----------------------------------------------------------------

# Most urgent first; the rank is computed in the database so the sort pages correctly.
URGENCY_RANK = Case(
    When(urgency=Request.Urgency.EMERGENCY, then=Value(0)),
    When(urgency=Request.Urgency.HIGH, then=Value(1)),
    When(urgency=Request.Urgency.NORMAL, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)

SORTS = {
    "newest": ("-submitted_at", "-pk"),
    "oldest": ("submitted_at", "pk"),
    "urgency": ("urgency_rank", "submitted_at", "pk"),
    "due": ("response_due_at", "submitted_at", "pk"),
}


class QueueFilterForm(forms.Form):
    """The queue's filters. Every field is optional; a value it cannot read narrows nothing."""

    search = forms.CharField(
        required=False,
        max_length=200,
        widget=SearchInput(),
        label=_("Search"),
        help_text=_("Reference, title, organisation or contact."),
    )
    status = forms.ChoiceField(
        required=False, label=_("Status"), choices=[("", _("Any status")),
                                 ("open", _("Any open status")),
                                 *Request.Status.choices],
    )  # fmt: skip
    urgency = forms.ChoiceField(
        required=False,
        label=_("Urgency"),
        choices=[("", _("Any urgency")), *Request.Urgency.choices],
    )
    group = forms.ModelChoiceField(
        required=False,
        label=_("Group"),
        queryset=ConsultantGroup.objects.all(),
        empty_label=_("Any group"),
    )
    age = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_("Submitted"),
        choices=[
            ("", _("Any time")),
            ("1", _("In the last day")),
            ("7", _("In the last 7 days")),
            ("30", _("In the last 30 days")),
            ("90", _("In the last 90 days")),
        ],
    )
    overdue = forms.BooleanField(required=False, label=_("Only overdue for first contact"))
    sort = forms.ChoiceField(
        required=False,
        label=_("Sort"),
        initial="newest",
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("urgency", _("Most urgent first")),
            ("due", _("Response due soonest")),
        ],
    )


# --- One form per workflow move -------------------------------------------------------------


class ConsultantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, consultant):
        label = consultant.display_name
        if getattr(consultant, "in_group", False):
            label += str(_(" · in the group"))
        if consultant.status == Consultant.Status.PROBATION:
            label += str(_(" (on probation)"))
        return label


class TransitionForm(forms.Form):
    """The fields of one move (``MOVES[action].fields``) plus the version the page showed.

    Build it with ``TransitionForm(action, request, data)``; the field names are prefixed with
    the action so several moves' forms can sit on one page. A move that closes the request for
    good (``intake.workflow.is_final``) also needs its ``confirm`` box ticked: the confirmation
    works without JavaScript, and a form sent without it is refused with a field error.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, action: str, request: Request, *args, **kwargs):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.move = MOVES[action]
        self.request = request
        self.fields["version"].initial = request.version
        builders = {
            "note": self._note,
            "skills": self._skills,
            "confirmed_skills": self._confirmed_skills,
            # Dismissing is done in the request's Skills section; triage ticks what to confirm.
            "dismissed_skills": None,
            "urgency": self._urgency,
            "group": self._group,
            "consultant": self._consultant,
            "professionals": self._professionals,
            "message": self._message,
            "reason": self._reason,
            # Free service days are counted on pro bono requests only.
            "days_given": self._days_given if request.pro_bono else None,
        }
        for name in self.move.fields:
            if builders[name] is not None:
                self.fields[name] = builders[name]()
        if self.needs_confirmation:
            self.fields["confirm"] = self._confirm()

    @property
    def needs_confirmation(self) -> bool:
        return is_final(self.move)

    def _confirm(self):
        return forms.BooleanField(
            required=True,
            label=_("I understand this closes %(reference)s for good")
            % {"reference": self.request.reference},
            help_text=_("It cannot be undone."),
            error_messages={
                "required": _("Tick the box to confirm: this closes the request for good.")
            },
        )

    def _note(self):
        return forms.CharField(
            required=False,
            max_length=5000,
            label=_("Note"),
            help_text=_("For the alliance only; the client never sees it."),
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def _skills(self):
        return forms.CharField(
            required=False,
            max_length=1000,
            initial=", ".join(self.request.skills),
            label=_("Skills"),
            help_text=_("Separate with commas; matching uses these."),
        )

    def _confirmed_skills(self):
        """The skills recognised in the description, ticked when confirmed: ticked ones are
        required like the named skills, the others stay suggestions."""
        confirmed = list(self.request.confirmed_skills or [])
        suggested = [name for name in skill_suggestions(self.request) if name not in confirmed]
        return forms.MultipleChoiceField(
            required=False,
            choices=[(name, name) for name in [*confirmed, *suggested]],
            initial=confirmed,
            widget=forms.CheckboxSelectMultiple,
            label=_("Skills recognised in the description"),
            help_text=_(
                "Tick the ones the work needs: matching then requires them, like the "
                "skills named above. Unticked ones stay suggestions."
            ),
        )

    def _urgency(self):
        return forms.ChoiceField(
            choices=Request.Urgency.choices, initial=self.request.urgency, label=_("Urgency")
        )

    def _group(self):
        return forms.ModelChoiceField(
            required=False,
            queryset=ConsultantGroup.objects.all(),
            empty_label=_("Choose a group"),
            label=_("Group"),
            help_text=_("Its coordinator offers the request to a member."),
        )

    def _consultant(self):
        working = Consultant.objects.filter(status__in=Consultant.WORKING_STATUSES)
        field = ConsultantChoiceField(
            required=self.action == "offer",
            queryset=working,
            empty_label=_("Choose a member"),
            label=_("Member"),
        )
        if self.action == "route":
            field.help_text = _("Or offer it straight to one member instead of a group.")
            return field
        group_id = self.request.assigned_group_id
        if group_id is not None:
            # The assigned group's members first: they are the ones it was routed to.
            membership = ConsultantGroup.members.through.objects.filter(
                consultantgroup_id=group_id, consultant_id=OuterRef("pk")
            )
            field.queryset = working.annotate(in_group=Exists(membership)).order_by(
                "-in_group", "display_name", "pk"
            )
            field.help_text = _("Members of the request's group are listed first.")
        return field

    def _professionals(self):
        active = ExternalProfessional.objects.filter(active=True)
        field = forms.ModelMultipleChoiceField(
            queryset=active,
            widget=forms.CheckboxSelectMultiple,
            label=_("Outside professionals to recommend"),
        )
        if not active.exists():
            field.help_text = _("None listed yet: add outside professionals in the admin first.")
        return field

    def _message(self):
        return forms.CharField(
            max_length=5000,
            label=_("Message to the client"),
            help_text=_("The client reads this on their status page, with the professionals."),
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def _reason(self):
        return forms.CharField(
            max_length=2000,
            label=_("Why are you declining?"),
            help_text=_("A line is enough; it helps the coordinator offer it to the right member."),
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def _days_given(self):
        default = free_days_default(self.request)
        return forms.DecimalField(
            required=False,
            min_value=0,
            max_value=365,
            max_digits=4,
            decimal_places=1,
            initial=default,
            widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            label=_("Free service days given"),
            help_text=_(
                "The days of pro bono work the member gave, counted against their pledge for "
                "this year: whole or half days. Left empty, the estimate counts (the estimated "
                "hours over 8)."
            ),
        )

    def workflow_fields(self) -> dict:
        """The move's fields as ``intake.workflow.request_apply`` takes them."""
        data = self.cleaned_data
        fields = {}
        for name in self.move.fields:
            if name not in self.fields:
                continue
            value = data.get(name)
            if name == "skills":
                value = split_skills(value or "")
            elif name == "confirmed_skills":
                value = list(value or [])
            elif name == "professionals":
                value = [professional.pk for professional in value or []]
            elif name in ("note", "message", "reason"):
                value = value or ""
            fields[name] = value
        return fields


# --- A request's skills ---------------------------------------------------------------------


class SkillsEditForm(forms.Form):
    """One change to a request's skills from its page's Skills section, for
    ``intake.workflow.request_skills_edit``: the version the page showed and one (or more) of
    a term to name (several separated by commas), a named term to remove, or a suggestion to
    confirm, dismiss or put back."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    add = forms.CharField(
        required=False,
        max_length=1000,
        label=_("Add a skill"),
        help_text=_("As the work needs it, e.g. “Mailchimp”; separate several with commas."),
    )
    remove = forms.CharField(required=False, max_length=SKILL_MAX_LENGTH, widget=forms.HiddenInput)
    confirm = forms.CharField(required=False, max_length=SKILL_MAX_LENGTH, widget=forms.HiddenInput)
    dismiss = forms.CharField(required=False, max_length=SKILL_MAX_LENGTH, widget=forms.HiddenInput)
    restore = forms.CharField(required=False, max_length=SKILL_MAX_LENGTH, widget=forms.HiddenInput)

    def __init__(self, client_request: Request, *args, **kwargs):
        kwargs.setdefault("prefix", "skills")
        super().__init__(*args, **kwargs)
        self.request = client_request
        self.fields["version"].initial = client_request.version

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        add = split_skills(data.get("add") or "")
        if len(add) > MAX_SKILLS:
            self.add_error("add", _("At most %(count)s skills at once.") % {"count": MAX_SKILLS})
        elif any(len(term) > SKILL_MAX_LENGTH for term in add):
            self.add_error(
                "add",
                _("A skill may have at most %(count)s characters.") % {"count": SKILL_MAX_LENGTH},
            )
        data["add"] = add
        if not any(data.get(name) for name in ("add", "remove", "confirm", "dismiss", "restore")):
            self.add_error("add", _("Type the skill to add."))
        return data

    def service_arguments(self) -> dict:
        """The change as ``request_skills_edit`` takes it (lists; empty when not asked)."""
        data = self.cleaned_data
        arguments = {"add": data["add"]}
        for name in ("remove", "confirm", "dismiss", "restore"):
            value = (data.get(name) or "").strip()
            arguments[name] = [value] if value else []
        return arguments
