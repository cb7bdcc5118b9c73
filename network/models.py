"""The alliance itself: its members, their skills, groups and roles, and outside professionals."""

import datetime
import functools
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Concat, Lower, Upper
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from network.text import fold, name_key, validate_visible_text


class User(AbstractUser):
    """An account. Email is unique (ignoring case) because imports and invitations key on it."""

    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language Switchboard's pages and emails use for this person; empty follows "
            "their browser."
        ),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message=_("A user with this email address already exists."),
            ),
        ]


class Language(models.Model):
    """A spoken language, by ISO 639-1 code, that members work in and clients ask for."""

    code = models.CharField(
        _("code"), max_length=8, primary_key=True, help_text=_("ISO 639-1 code, e.g. es.")
    )
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        # The offered languages' names are in the catalogs (OFFERED_LANGUAGES); a language added
        # in the admin shows its name as typed.
        return gettext(self.name)


# The languages offered in profiles and request forms: those most spoken in the Bay Area's
# nonprofit sector first, then other widely used ones. Extend in the admin as needed
# (``network.services.languages_ensure`` creates these).
OFFERED_LANGUAGES = [
    ("en", gettext_noop("English")),
    ("es", gettext_noop("Spanish")),
    ("zh", gettext_noop("Chinese")),
    ("tl", gettext_noop("Tagalog")),
    ("vi", gettext_noop("Vietnamese")),
    ("ko", gettext_noop("Korean")),
    ("ru", gettext_noop("Russian")),
    ("ja", gettext_noop("Japanese")),
    ("fr", gettext_noop("French")),
    ("de", gettext_noop("German")),
    ("pt", gettext_noop("Portuguese")),
    ("ar", gettext_noop("Arabic")),
    ("hi", gettext_noop("Hindi")),
    ("fa", gettext_noop("Persian")),
    ("asl", gettext_noop("American Sign Language")),
]


class Skill(models.Model):
    class Category(models.TextChoices):
        CRM = "crm", _("CRM and fundraising")
        WEB = "web", _("Websites and CMS")
        PRODUCTIVITY = "productivity", _("Office and collaboration")
        INFRASTRUCTURE = "infrastructure", _("Networks, hardware and cloud")
        SECURITY = "security", _("Security and backups")
        DATA = "data", _("Data and databases")
        PROGRAMMING = "programming", _("Programming languages")
        SOFTWARE = "software", _("Software and platforms")
        ACCESSIBILITY = "accessibility", _("Accessibility")
        PRACTICE = "practice", _("Planning, training and support")
        OTHER = "other", _("Other")

    name = models.CharField(
        _("name"),
        max_length=120,
        validators=[validate_visible_text],
        help_text=_("Canonical name, unique regardless of case."),
    )
    # The name folded like aliases are ("Node.js" → "nodejs"), so a lookup by any spelling of
    # the name itself needs no alias row and two spellings of one name cannot both exist.
    folded_name = models.CharField(
        _("folded name"),
        max_length=120,
        unique=True,
        editable=False,
        error_messages={"unique": _("A skill with this name already exists.")},
    )
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=40,
        blank=True,
        help_text=_("Where the entry came from (curated, esco, linguist)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="skill_name_unique_ci",
                violation_error_message=_("A skill with this name already exists."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.folded_name = fold(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.folded_name = fold(self.name)
        if not self.folded_name:
            raise ValidationError({"name": _("A skill name needs at least one letter or digit.")})
        # Checked here rather than as folded_name's own uniqueness error, so forms that do not
        # show folded_name (the admin, the API) still report it, and against the name field.
        clash = Skill.objects.filter(folded_name=self.folded_name).exclude(pk=self.pk).first()
        if clash is not None:
            raise ValidationError(
                {
                    "name": _("A skill with this name already exists (%(name)s).")
                    % {"name": clash.name}
                }
            )

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude={*(exclude or ()), "folded_name"})


class SkillAlias(models.Model):
    """Another way people write a skill ("Postgres" for PostgreSQL), matched after folding."""

    skill = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("skill")
    )
    alias = models.CharField(_("alias"), max_length=200)
    folded = models.CharField(_("folded"), max_length=200, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=40, blank=True)

    class Meta:
        ordering = ["alias"]
        verbose_name = _("skill alias")
        verbose_name_plural = _("skill aliases")

    def __str__(self):
        return f"{self.alias} → {self.skill}"

    def save(self, *args, **kwargs):
        self.folded = fold(self.alias)
        super().save(*args, **kwargs)

    def clean(self):
        self.folded = fold(self.alias)
        if not self.folded:
            raise ValidationError({"alias": _("An alias needs at least one letter or digit.")})


@functools.cache
def _known_timezones() -> frozenset[str]:
    # Listing the zones reads the tz database from disk (~12 ms); once per process is enough.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _known_timezones():
        raise ValidationError(
            _("%(value)r is not a known time zone (e.g. America/Los_Angeles).") % {"value": value}
        )


DISPLAY_NAME_TAKEN = _(
    "Another member already goes by this name. Add what tells you apart, such as an initial or "
    "your practice's name."
)


class Consultant(models.Model):
    """A member of the alliance (or an applicant, or an alumnus), one per user account."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        PROBATION = "probation", _("On probation")
        ACTIVE = "active", _("Active")
        ON_LEAVE = "on_leave", _("On leave")
        ALUMNI = "alumni", _("Alumni")
        FORMER = "former", _("Former member")

    # Only these statuses are ever offered work; alumni and former members stay listed.
    WORKING_STATUSES = (Status.ACTIVE, Status.PROBATION)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consultant",
        verbose_name=_("user"),
    )
    display_name = models.CharField(
        _("display name"),
        max_length=120,
        validators=[validate_visible_text],
        help_text=_("The name shown in the directory; no two members share one."),
    )
    # ``display_name`` as names compare (network.text.name_key), kept on save: one member cannot
    # take another's name in other letter case, spacing or compatibility forms.
    display_name_key = models.CharField(max_length=120, editable=False, default="")
    bio = models.TextField(_("bio"), blank=True, max_length=5000)
    website = models.URLField(_("website"), blank=True)
    location = models.CharField(
        _("location"), max_length=120, blank=True, help_text=_("City and region.")
    )
    timezone = models.CharField(
        _("timezone"), max_length=64, default="America/Los_Angeles", validators=[validate_timezone]
    )
    remote_ok = models.BooleanField(_("works remotely"), default=True)
    languages = models.ManyToManyField(
        Language, blank=True, related_name="consultants", verbose_name=_("languages")
    )
    hourly_rate = models.DecimalField(
        _("standard hourly rate"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", help_text=_("ISO 4217 code.")
    )
    sliding_scale = models.BooleanField(
        _("sliding scale"),
        default=False,
        help_text=_("Willing to lower the rate for small organisations."),
    )
    pro_bono_hours_per_month = models.PositiveSmallIntegerField(
        _("pro bono hours per month"), default=0, validators=[MaxValueValidator(200)]
    )
    capacity_hours_per_week = models.PositiveSmallIntegerField(
        _("capacity hours per week"),
        default=20,
        validators=[MaxValueValidator(80)],
        help_text=_("Client hours a week on offer."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPLICANT, db_index=True
    )
    # Where a status sorts in the directory: the members who can take work first, then those on
    # leave, applicants (whom only coordinators see), alumni and former members last. Stored by
    # the database, so the directory's default order has an index to walk.
    status_rank = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=WORKING_STATUSES, then=models.Value(0)),
            models.When(status=Status.ON_LEAVE, then=models.Value(1)),
            models.When(status=Status.APPLICANT, then=models.Value(2)),
            models.When(status=Status.ALUMNI, then=models.Value(3)),
            default=models.Value(4),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    # What the directory's search reads: the name, location and bio upper-cased, a line each,
    # stored by the database. One trigram index covers it on PostgreSQL (network migration
    # 0010), and a page that scans reads one column instead of upper-casing three per row.
    search_text = models.GeneratedField(
        expression=Upper(
            Concat(
                "display_name",
                models.Value("\n"),
                "location",
                models.Value("\n"),
                "bio",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    on_call_opt_in = models.BooleanField(
        _("takes out-of-hours duty"),
        default=False,
        help_text=_("Offered weeks on the out-of-hours on-call rota."),
    )
    probation_ends = models.DateField(_("probation ends"), null=True, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["display_name", "pk"]
        verbose_name = _("consultant")
        verbose_name_plural = _("consultants")
        indexes = [
            models.Index(fields=["display_name", "id"], name="consultant_directory_order"),
            models.Index(
                fields=["status_rank", "display_name", "id"], name="consultant_directory_rank"
            ),
            # Equality look-ups only (the name check on save): no LIKE index on PostgreSQL.
            models.Index(fields=["display_name_key"], name="consultant_name_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0),
                name="consultant_rate_not_negative",
                violation_error_message=_("The hourly rate cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.display_name_key = name_key(self.display_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "display_name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("member-detail", args=[self.pk])

    def clean(self):
        self.currency = (self.currency or "").upper()
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": _("Use a three-letter ISO 4217 code such as USD.")})
        self.display_name = " ".join(self.display_name.split())

    def validate_unique(self, exclude=None):
        # A uniqueness check like the others (a query; the CSV import checks every row's name
        # at once instead), not a constraint: records from before it may share a name.
        super().validate_unique(exclude)
        if exclude and "display_name" in exclude:
            return
        key = name_key(self.display_name)
        if key and Consultant.objects.filter(display_name_key=key).exclude(pk=self.pk).exists():
            raise ValidationError({"display_name": DISPLAY_NAME_TAKEN})

    @property
    def can_be_offered_work(self) -> bool:
        return self.status in self.WORKING_STATUSES

    @property
    def status_in_words(self) -> str:
        """The status as it reads after "is": "a former member", "on leave", "an alumnus"."""
        return str(
            {
                self.Status.APPLICANT: _("an applicant"),
                self.Status.ALUMNI: _("an alumnus"),
                self.Status.FORMER: _("a former member"),
            }.get(self.status, self.get_status_display().lower())
        )


class ConsultantStatusChange(models.Model):
    """Append-only history of a consultant's status: who changed it, when and why."""

    consultant = models.ForeignKey(
        Consultant,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("consultant"),
    )
    from_status = models.CharField(
        _("from status"), max_length=20, choices=Consultant.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=20, choices=Consultant.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=now)
    reason = models.TextField(_("reason"), blank=True)
    ended_roles = models.JSONField(
        _("ended roles"),
        default=list,
        blank=True,
        help_text=_(
            "Roles the change ended: groups no longer coordinated, alliance roles removed."
        ),
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("consultant status change")
        verbose_name_plural = _("consultant status changes")

    def __str__(self):
        return f"{self.consultant}: {self.from_status or '—'} → {self.to_status}"

    @property
    def ended_roles_text(self) -> str:
        return "; ".join(role["name"] for role in self.ended_roles)


class ConsultantSkill(models.Model):
    class Level(models.IntegerChoices):
        AWARE = 1, _("1 · aware")
        WORKING = 2, _("2 · working knowledge")
        PRACTITIONER = 3, _("3 · practitioner")
        ADVANCED = 4, _("4 · advanced")
        EXPERT = 5, _("5 · expert")

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="skills", verbose_name=_("consultant")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="consultant_skills", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        choices=Level.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    years = models.PositiveSmallIntegerField(
        _("years"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
        help_text=_("Years of practice."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-level", "skill__name"]
        verbose_name = _("consultant skill")
        verbose_name_plural = _("consultant skills")
        constraints = [
            models.UniqueConstraint(fields=["consultant", "skill"], name="consultant_skill_once"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5),
                name="consultant_skill_level_1_to_5",
                violation_error_message=_("Level must be between 1 and 5."),
            ),
        ]
        indexes = [
            # The directory's skill filter: one range of (skill, level) read from the index
            # alone, the member's id included (network.filters).
            models.Index(
                fields=["skill", "level", "consultant"], name="consultant_skill_level_member"
            ),
        ]

    def __str__(self):
        return f"{self.consultant} · {self.skill} ({self.level})"


class TimeAway(models.Model):
    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="time_away", verbose_name=_("consultant")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    covering = models.ForeignKey(
        Consultant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="covering_for",
        verbose_name=_("covering"),
        help_text=_("The member who covers this member's clients meanwhile."),
    )

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("time away")
        verbose_name_plural = _("time away")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")),
                name="time_away_ends_after_start",
                violation_error_message=_("Time away cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["consultant", "start", "end"])]

    def __str__(self):
        return f"{self.consultant}: {self.start} – {self.end}"

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Time away cannot end before it starts.")})
        if self.covering_id and self.covering_id == self.consultant_id:
            raise ValidationError({"covering": _("A member cannot cover for themselves.")})
        if self.covering_id and not self.covering.can_be_offered_work:
            raise ValidationError(
                {
                    "covering": _(
                        "%(name)s is %(status)s; the member who covers must be active or on "
                        "probation."
                    )
                    % {"name": self.covering, "status": self.covering.status_in_words}
                }
            )


class ConsultantGroup(models.Model):
    """A group of consultants with a coordinator who receives the requests routed to it."""

    name = models.CharField(
        _("name"), max_length=120, unique=True, validators=[validate_visible_text]
    )
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = models.TextField(_("description"), blank=True)
    focus_skills = models.ManyToManyField(
        Skill, blank=True, related_name="focus_of_groups", verbose_name=_("focus skills")
    )
    coordinator = models.ForeignKey(
        Consultant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_groups",
        verbose_name=_("coordinator"),
    )
    members = models.ManyToManyField(
        Consultant, blank=True, related_name="consultant_groups", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("consultant group")
        verbose_name_plural = _("consultant groups")

    def __str__(self):
        return self.name

    def clean(self):
        # The coordinator receives the group's requests and the clients' details with them:
        # only a working member may hold the role (a status change away from working ends it).
        if self.coordinator_id is not None:
            coordinator = self.coordinator
            if not coordinator.can_be_offered_work:
                raise ValidationError(
                    {
                        "coordinator": _(
                            "%(name)s is %(status)s; a group's coordinator must be an active "
                            "member or a member on probation."
                        )
                        % {"name": coordinator, "status": coordinator.status_in_words}
                    }
                )


class MembershipApplication(models.Model):
    """Someone asking to join, reviewed by the community coordinator."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        PROBATION = "probation", _("Admitted on probation")
        ACTIVE = "active", _("Full member")
        DECLINED = "declined", _("Declined")

    # The legal moves are network.services.APPLICATION_MOVES; application_apply refuses others.

    name = models.CharField(_("name"), max_length=120, validators=[validate_visible_text])
    email = models.EmailField(_("email"))
    website = models.URLField(_("website"), blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    statement = models.TextField(
        _("statement"),
        max_length=5000,
        help_text=_("Experience, the nonprofits served, and why the alliance."),
    )
    skills_text = models.CharField(
        _("skills"), max_length=1000, blank=True, help_text=_("Comma-separated skills.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    consultant = models.OneToOneField(
        Consultant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("consultant"),
        help_text=_("The member record created on admission to probation."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    review_notes = models.TextField(_("review notes"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"


class ExternalProfessional(models.Model):
    """An outside professional the alliance recommends when no member can serve a client."""

    name = models.CharField(_("name"), max_length=120, validators=[validate_visible_text])
    organization = models.CharField(
        _("organization"), max_length=160, blank=True, validators=[validate_visible_text]
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="external_professionals", verbose_name=_("skills")
    )
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_referred_at = models.DateTimeField(_("last referred at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("external professional")
        verbose_name_plural = _("external professionals")

    def __str__(self):
        return f"{self.name} ({self.organization})" if self.organization else self.name


class MatchingIndexVersion(models.Model):
    """A counter the matching index is built against; any edit that changes a ranking bumps it.

    One row (``key="directory"``). ``matching`` bumps it with ``UPDATE value = value + 1`` from
    model signals, so concurrent edits never lose a bump, and each process rebuilds its index
    when the value it built against is no longer the stored one.
    """

    key = models.CharField(max_length=40, primary_key=True, default="directory")
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.value}"


class ApiToken(models.Model):
    """An API token, kept only as the SHA-256 digest of its key.

    The key is shown once, in the answer of ``POST /api/v1/auth/token/`` that issued it, and
    stored nowhere: a copy of the database, an export or an admin page hands out no working
    credential. A key is 32 random bytes, so a plain digest (no salt, no slow hash) cannot be
    reversed, and the lookup by its unique index takes the same path for any key presented.
    ``network.authentication`` issues, checks and ends tokens.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The key's first characters, for people to tell one token from another (a few of the
    # key's 256 random bits: what is left cannot be guessed).
    prefix = models.CharField(max_length=8, editable=False)
    created = models.DateTimeField(default=now, editable=False)
    # Noted at most once an hour (network.authentication), not on every call.
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["user", "-created", "-pk"]
        indexes = [models.Index(fields=["user", "created"], name="apitoken_user_created")]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def expires_at(self):
        """When the token stops working: ``API_TOKEN_LIFETIME_DAYS`` after it was issued, read
        now, so a shorter lifetime set later ends the older tokens too."""
        return self.created + datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


class RotaWeek(models.Model):
    """One week (Monday to Sunday) of out-of-hours duty, held by one member."""

    start = models.DateField(_("week starting"), unique=True)
    consultant = models.ForeignKey(
        Consultant,
        on_delete=models.CASCADE,
        related_name="rota_weeks",
        verbose_name=_("member on call"),
    )
    # A week holding a holiday (network.rota.holidays): never given to a newcomer.
    hard = models.BooleanField(_("holiday week"), default=False)
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)

    class Meta:
        ordering = ["start"]
        verbose_name = _("on-call week")
        verbose_name_plural = _("on-call weeks")
        indexes = [models.Index(fields=["consultant", "start"], name="rotaweek_member_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__week_day=2),
                name="rotaweek_starts_on_monday",
                violation_error_message=_("An on-call week starts on a Monday."),
            ),
        ]

    def __str__(self):
        return f"{self.start}: {self.consultant}"

    @property
    def end(self) -> datetime.date:
        """The week's last day (a Sunday)."""
        return self.start + datetime.timedelta(days=6)


class RotaSwap(models.Model):
    """A member on duty offers to trade their week for another member's week."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    week = models.ForeignKey(
        RotaWeek, on_delete=models.CASCADE, related_name="swaps_out", verbose_name=_("week")
    )
    other_week = models.ForeignKey(
        RotaWeek, on_delete=models.CASCADE, related_name="swaps_in", verbose_name=_("other week")
    )
    proposer = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="+", verbose_name=_("proposed by")
    )
    partner = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("on-call swap")
        verbose_name_plural = _("on-call swaps")

    def __str__(self):
        return f"{self.week.start} ⇄ {self.other_week.start} ({self.status})"


# Whole or half days, 0 to 365: a member's free service pledged for one calendar year.
PLEDGE_MAX_DAYS = 365


def validate_half_days(value) -> None:
    """Whole or half days only (2, 2.5, never 2.3)."""
    if value is not None and Decimal(value).is_finite() and (Decimal(value) * 2) % 1:
        raise ValidationError(_("Pledge whole or half days (for example 2 or 2.5)."))


class FreeServicePledge(models.Model):
    """The days of free (pro bono) service one member pledges for one calendar year.

    One row per member and year; the days given are counted where the work is recorded
    (``intake.Engagement.free_days``) and what is left is the difference."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("member")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    days = models.DecimalField(
        _("days pledged"),
        max_digits=4,
        decimal_places=1,
        validators=[
            MinValueValidator(Decimal("0")),
            MaxValueValidator(Decimal(PLEDGE_MAX_DAYS)),
            validate_half_days,
        ],
        help_text=_("Days of free service for the year: whole or half days, 0 to 365."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year", "consultant__display_name", "pk"]
        verbose_name = _("free service pledge")
        verbose_name_plural = _("free service pledges")
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "year"],
                name="pledge_one_per_member_year",
                violation_error_message=_("This member has already pledged for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=0, days__lte=PLEDGE_MAX_DAYS),
                name="pledge_days_in_range",
                violation_error_message=_("Pledge between 0 and 365 days."),
            ),
        ]

    def __str__(self):
        return f"{self.consultant}: {self.days} days in {self.year}"
