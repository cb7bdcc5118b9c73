"""Forms for the public and member pages.

Forms parse and check what a person typed; the services in ``network.services`` validate again
and write. ``add_service_errors`` puts a service's ``ValidationError`` back on the form, next to
the field it names, so the page shows one kind of error whichever layer found it.
"""

import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from network.filters import ConsultantFilter
from network.models import (
    PLEDGE_MAX_DAYS,
    Consultant,
    ConsultantSkill,
    Language,
    Skill,
    validate_half_days,
)
from network.passwords import password_reset_email_enqueue
from network.services import PROFILE_FIELDS
from network.text import fold


class SearchInput(forms.TextInput):
    input_type = "search"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker sends ISO dates whatever the locale.
        super().__init__(attrs, format="%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, error: ValidationError, renames=None) -> None:
    """Attach a service's validation error to ``form``.

    Errors about a field the form shows go next to that field (``renames`` maps a model field
    to the form field that edits it); the rest go to the top of the form.
    """
    renames = renames or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.error_dict.items():
        name = renames.get(field, field)
        form.add_error(name if name in form.fields else None, ValidationError(messages))


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA zone name, sorted; read once because the zone database does not change."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def skill_by_name(text: str) -> Skill | None:
    """The skill someone typed: its name (any case), its slug, or one of its aliases."""
    text = text.strip()
    folded = fold(text)
    if not folded:
        return None
    matches = Skill.objects.filter(
        Q(name__iexact=text) | Q(slug=text.lower()) | Q(aliases__folded=folded)
    )
    return matches.distinct().order_by("name").first()


# --- Sign-in and membership applications ---------------------------------------------------


class SignInForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].help_text = _(
            "Accounts made when the alliance admits a member use their email address."
        )


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the look-up of the address and the mail left to the task
    queue (``network.passwords``): the request does the same work whoever the address is."""

    def save(self, **options):
        # The view's options (its request, templates, token generator) are Django's defaults,
        # which the task uses; the link's site is SITE_URL.
        password_reset_email_enqueue(email=self.cleaned_data["email"])


class MembershipApplicationForm(forms.Form):
    """The public form for joining; ``fax`` is a honeypot that people never see."""

    name = forms.CharField(max_length=120, label=_("Your name"), widget=forms.TextInput())
    email = forms.EmailField(label=_("Email address"))
    website = forms.URLField(
        required=False,
        assume_scheme="https",
        label=_("Website"),
        help_text=_("Your practice's site or a public portfolio."),
    )
    location = forms.CharField(
        max_length=120, required=False, label=_("Location"), help_text=_("City and region.")
    )
    statement = forms.CharField(
        max_length=5000,
        label=_("About your practice"),
        help_text=_(
            "Your experience, the nonprofits you have served, and why you want to join the "
            "alliance."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    skills = forms.CharField(
        max_length=1000,
        required=False,
        label=_("Skills"),
        help_text=_("Separate skills with commas, e.g. Salesforce, WordPress, network setup."),
    )
    fax = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    field_order = ["name", "email", "website", "location", "statement", "skills"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["website"].widget.attrs["autocomplete"] = "url"

    @property
    def caught_a_bot(self) -> bool:
        # Bots fill every input they find; people never see this one.
        return bool(self.data.get(self.add_prefix("fax"), "").strip())


# --- A member's own profile ------------------------------------------------------------------


class ProfileForm(forms.ModelForm):
    """The member's own profile. Built on a copy of the record: it is checked, never saved."""

    website = forms.URLField(
        required=False,
        assume_scheme="https",
        label=_("Website"),
        help_text=_("Your practice's site, if you have one."),
    )
    timezone = forms.ChoiceField(choices=timezone_choices, label=_("Time zone"))
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Languages you work in"),
    )
    # The account's, not the member record's: the language of Switchboard's pages and emails.
    language = forms.ChoiceField(
        choices=[("", _("Follow my browser")), *settings.LANGUAGES],
        required=False,
        label=_("Language of pages and emails"),
        help_text=_("The footer's language switcher changes it too."),
    )

    # Working members only (``ProfileForm.working``): the pledge for this calendar year
    # (``network.services.pledge_set``) and the rota (``network.services.rota_opt_in``).
    free_service_days = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=PLEDGE_MAX_DAYS,
        max_digits=4,
        decimal_places=1,
        validators=[validate_half_days],
        label=_("Free service days pledged this year"),
        help_text=_(
            "Days of pro bono work you pledge for the calendar year: whole or half days, 0 to "
            "365. Pro bono requests go first to members with pledged days left."
        ),
    )

    class Meta:
        model = Consultant
        fields = [*PROFILE_FIELDS[:5], "languages", *PROFILE_FIELDS[5:], "on_call_opt_in"]
        labels = {
            "display_name": _("Name shown to members"),
            "remote_ok": _("I work with clients remotely"),
            "hourly_rate": _("Standard hourly rate"),
            "sliding_scale": _("I offer a sliding scale to small organisations"),
            "pro_bono_hours_per_month": _("Pro bono hours a month"),
            "capacity_hours_per_week": _("Client hours a week on offer"),
            "on_call_opt_in": _("I take out-of-hours on-call weeks"),
        }
        help_texts = {
            "bio": _("What you do and for whom. Other members and coordinators read this."),
            "hourly_rate": _("Shown only to you and to coordinators."),
            "currency": _("Three-letter code, e.g. USD."),
            "pro_bono_hours_per_month": _("0 to 200."),
            "capacity_hours_per_week": _("0 to 80."),
            "sliding_scale": "",
            "on_call_opt_in": _(
                "You are then given weeks on the out-of-hours rota (see the rota page); weeks "
                "you already hold stay yours when you leave it."
            ),
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "currency": forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hourly_rate"].widget.attrs.update(step="0.01", inputmode="decimal")
        self.fields["free_service_days"].widget.attrs.update(step="0.5", inputmode="decimal")
        # Members on leave and alumni keep a profile but take no duty and pledge nothing.
        self.working = self.instance.can_be_offered_work
        if not self.working:
            del self.fields["free_service_days"]
            del self.fields["on_call_opt_in"]

    def service_arguments(self) -> dict:
        """What ``services.consultant_update`` takes, from the cleaned form."""
        arguments = {field: self.cleaned_data[field] for field in PROFILE_FIELDS}
        arguments["languages"] = [language.code for language in self.cleaned_data["languages"]]
        return arguments


class SkillDetailsForm(forms.Form):
    """Level, years and note of one skill on a member's profile."""

    level = forms.TypedChoiceField(
        choices=[("", _("Choose a level")), *ConsultantSkill.Level.choices],
        coerce=int,
        label=_("Level"),
        help_text=_("1 aware · 2 working knowledge · 3 practitioner · 4 advanced · 5 expert."),
    )
    years = forms.IntegerField(min_value=0, max_value=60, required=False, label=_("Years"))
    note = forms.CharField(
        max_length=300,
        required=False,
        label=_("Note"),
        help_text=_("Versions, certifications, the kind of projects."),
    )


class SkillEntryForm(SkillDetailsForm):
    """Adds a skill by its name or a common alias."""

    skill = forms.CharField(
        max_length=200,
        label=_("Skill"),
        help_text=_("Pick from the suggestions; common aliases such as Postgres work too."),
        widget=forms.TextInput(attrs={"list": "skill-names", "autocomplete": "off"}),
    )

    field_order = ["skill", "level", "years", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["years"].label = _("Years of practice")

    def clean_skill(self) -> Skill:
        text = self.cleaned_data["skill"]
        skill = skill_by_name(text)
        if skill is None:
            raise ValidationError(
                _(
                    "“%(text)s” is not in the skills list. Choose one of the suggestions, or ask "
                    "a coordinator to add it."
                ),
                code="unknown_skill",
                params={"text": text},
            )
        return skill


class TimeAwayForm(forms.Form):
    start = forms.DateField(widget=DateInput(), label=_("First day away"))
    end = forms.DateField(widget=DateInput(), label=_("Last day away"))
    note = forms.CharField(
        max_length=300,
        required=False,
        label=_("Note"),
        help_text=_("Shown to members, e.g. “Travelling, email only”."),
    )
    covering = forms.ModelChoiceField(
        queryset=Consultant.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
        label=_("Member covering for you"),
        help_text=_("They take urgent requests from your clients meanwhile."),
    )

    def __init__(self, *args, covering_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["covering"].queryset = covering_choices

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The last day away cannot be before the first."))
        return cleaned


# --- The member directory's filters ---------------------------------------------------------

_ANY_LEVEL = [
    ("", _("Any level")),
    *((str(value), label) for value, label in ConsultantSkill.Level.choices),
]


def directory_filterset(data, *, queryset, request) -> ConsultantFilter:
    """``ConsultantFilter`` with widgets for a page: the API shares the filters, not the looks."""
    filterset = ConsultantFilter(data, queryset=queryset, request=request)
    fields = filterset.form.fields
    fields["search"].widget = SearchInput()
    fields["skill"].widget = forms.TextInput(attrs={"list": "skill-names", "autocomplete": "off"})
    fields["min_level"].widget = forms.Select(choices=_ANY_LEVEL)
    fields["status"].widget = forms.CheckboxSelectMultiple(choices=fields["status"].choices)
    fields["group"].label, fields["group"].empty_label = _("Group"), _("Any group")
    fields["language"].label, fields["language"].empty_label = _("Language"), _("Any language")
    fields["available_on"].widget = DateInput()
    remote = forms.NullBooleanSelect()
    remote.choices = [("unknown", _("Either")), ("true", _("Yes")), ("false", _("No"))]
    fields["remote_ok"].widget = remote
    for name, field in fields.items():
        field.widget.is_required = False
        if name == "search":
            field.help_text = _("Words in the name, location or bio.")
        elif name == "skill":
            field.help_text = _("A skill's name or a common alias.")
        else:
            field.help_text = ""
    return filterset
