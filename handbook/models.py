"""The handbook: the alliance's policies, procedures and guides as revised pages, and the meetings,
decisions and votes that are its record (docs/architecture.md, "Handbook").

Pages keep every edit as an append-only ``PageRevision``; the page points at its latest one
(Wagtail's ``latest_revision``). An edit names the revision it was based on, and an edit based on
anything but the latest is refused (``handbook.services``), so no edit is silently overwritten.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from network.db import AppendOnlyModel
from network.models import Consultant
from network.text import validate_visible_text

# A page body above this many characters is refused: the longest policy is a few thousand
# words; two megabytes of Markdown is a mistake or an attack, not a handbook page.
MAX_BODY_CHARACTERS = 200_000


class Page(models.Model):
    class Category(models.TextChoices):
        POLICY = "policy", _("Policy")
        PROCEDURE = "procedure", _("Procedure")
        GUIDE = "guide", _("Guide")
        MINUTES = "minutes", pgettext_lazy("meeting minutes", "Minutes")

    class Visibility(models.TextChoices):
        MEMBERS = "members", _("Members only")
        PUBLIC = "public", _("Public")

    title = models.CharField(_("title"), max_length=200, validators=[validate_visible_text])
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.GUIDE
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    owner = models.ForeignKey(
        Consultant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_pages",
        verbose_name=_("owner"),
        help_text=_("Keeps the page current; reminded when a policy is due for review."),
    )
    # The latest revision's body and links, kept on the page so reading, searching and
    # backlinks need no join; written only by handbook.services with the revision.
    body = models.TextField(_("body"), blank=True, editable=False)
    latest_revision = models.ForeignKey(
        "PageRevision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest revision"),
    )
    governed = models.BooleanField(
        _("changed by decision"),
        default=False,
        help_text=_(
            "Edits are proposed and put to the vote instead of saved, as for every policy. "
            "Set by the secretary."
        ),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    review_reminded_at = models.DateTimeField(
        _("review reminded at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=now, editable=False)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["category", "title"])]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("handbook-page", args=[self.slug])

    @property
    def is_governed(self) -> bool:
        """Changed only by decision: every policy, and any page the secretary marked."""
        return self.governed or self.category == self.Category.POLICY


class PageRevision(AppendOnlyModel):
    """One version of a page's body; never changed or deleted once written."""

    append_only_noun = "Page revisions"

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("page")
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, validators=[validate_visible_text])
    body = models.TextField(
        _("body"), blank=True, validators=[MaxLengthValidator(MAX_BODY_CHARACTERS)]
    )
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("What changed and why.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    reverts = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reverts"),
        help_text=_("The earlier revision this one restores, for a revert."),
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)

    class Meta:
        ordering = ["page", "-number"]
        verbose_name = _("page revision")
        verbose_name_plural = _("page revisions")
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="page_revision_number_once")
        ]

    def __str__(self):
        return f"{self.page} r{self.number}"


class PageLink(models.Model):
    """A ``[[Page title]]`` link in a page's latest revision, by the slug it points to (which
    may not exist yet: a red link). Rewritten with each revision; read for backlinks."""

    from_page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="outgoing_links", verbose_name=_("from page")
    )
    to_slug = models.SlugField(_("to slug"), max_length=200, db_index=True)

    class Meta:
        ordering = ["from_page", "to_slug"]
        verbose_name = _("page link")
        verbose_name_plural = _("page links")
        constraints = [
            models.UniqueConstraint(fields=["from_page", "to_slug"], name="page_link_once")
        ]

    def __str__(self):
        return f"{self.from_page} → {self.to_slug}"


# --- Meetings and decisions -------------------------------------------------------------------


class Meeting(models.Model):
    title = models.CharField(_("title"), max_length=200, validators=[validate_visible_text])
    date = models.DateField(_("date"))
    attendees = models.ManyToManyField(
        Consultant, blank=True, related_name="meetings", verbose_name=_("attendees")
    )
    agenda = models.TextField(_("agenda"), blank=True, max_length=20_000)
    minutes = models.ForeignKey(
        Page,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("minutes"),
        help_text=_("The handbook page (category minutes) that holds the minutes."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("handbook-meeting", args=[self.pk])


class Decision(models.Model):
    """A motion put to the eligible members; its outcome is computed from the votes
    (``handbook.decisions.outcome``), never typed.

    ``eligible`` and ``quorum`` are a snapshot taken when the decision is opened: the working
    members at that moment and ``quorum_percent`` of them (``handbook.services``), so a later
    change of anyone's status does not rewrite the record. Decisions opened before the rules set
    them have no ``quorum_percent``: their creator chose both, and they keep what was stored.
    """

    class Rule(models.TextChoices):
        CONSENSUS = "consensus", _("Consensus")
        SIMPLE_MAJORITY = "simple_majority", _("Simple majority")
        TWO_THIRDS = "two_thirds", _("Two thirds")
        THREE_QUARTERS = "three_quarters", _("Three quarters")

    class Kind(models.TextChoices):
        GENERAL = "general", _("General")
        ADMISSION = "admission", _("Admission of a member")
        EXCLUSION = "exclusion", _("Exclusion of a member")

    # Kinds of decision the alliance's guide takes only by consensus.
    CONSENSUS_KINDS = (Kind.ADMISSION, Kind.EXCLUSION)

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("meeting"),
    )
    text = models.TextField(_("text"), max_length=5000, help_text=_("The motion, as voted on."))
    rule = models.CharField(
        _("rule"), max_length=20, choices=Rule.choices, default=Rule.SIMPLE_MAJORITY
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.GENERAL,
        help_text=_("Admitting or excluding a member is decided by consensus."),
    )
    eligible = models.ManyToManyField(
        Consultant, related_name="eligible_decisions", verbose_name=_("eligible")
    )
    probation_votes = models.BooleanField(
        _("members on probation vote"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The electorate rule when the decision was opened: whether members on probation "
            "vote or only take part; empty for decisions opened before the rule (they vote)."
        ),
    )
    quorum = models.PositiveIntegerField(
        _("quorum"),
        help_text=_("How many eligible members must vote (abstentions count) for a result."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum percent"),
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "The share of the eligible members the quorum was set from (rounded up); "
            "empty for decisions whose creator chose the eligible members and quorum."
        ),
    )
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("closed by"),
        help_text=_("Who closed the vote before its closing time, if anyone did."),
    )
    withdrawn_at = models.DateTimeField(
        _("withdrawn at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the motion was withdrawn (its outcome is then “Withdrawn”)."),
    )
    adopted_revision = models.ForeignKey(
        PageRevision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("adopted revision"),
        help_text=_("The policy revision this decision adopted."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return reverse("handbook-decision", args=[self.pk])

    @property
    def set_by_rules(self) -> bool:
        """Eligible members and quorum were set by the alliance's rules, not by the creator."""
        return self.quorum_percent is not None


class Vote(models.Model):
    """A member's vote. A second vote replaces the first: the first row is kept, marked
    superseded, so the record shows both."""

    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")
        BLOCK = "block", _("Block")

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="votes", verbose_name=_("decision")
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="votes", verbose_name=_("consultant")
    )
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    cast_at = models.DateTimeField(_("cast at"), default=now, editable=False)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True, editable=False)
    cast_by = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="proxy_votes",
        verbose_name=_("cast by proxy by"),
        help_text=_("The member who cast this vote holding the voter's proxy, if anyone did."),
    )

    class Meta:
        ordering = ["cast_at", "pk"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "consultant"],
                condition=models.Q(superseded_at__isnull=True),
                name="vote_one_current_per_member",
            )
        ]

    def __str__(self):
        return f"{self.consultant}: {self.choice}"


class Proxy(models.Model):
    """A voter's proxy for one decision, given to another voter, who may then cast the giver's
    vote. It ends when the giver revokes it or votes themselves (``ended_at``); it is void, and
    cannot be used, once the giver no longer has the right to vote (checked when it is used)."""

    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="proxies", verbose_name=_("decision")
    )
    giver = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        related_name="proxies_given",
        verbose_name=_("given by"),
    )
    holder = models.ForeignKey(
        Consultant,
        on_delete=models.PROTECT,
        related_name="proxies_held",
        verbose_name=_("held by"),
    )
    given_at = models.DateTimeField(_("given at"), default=now, editable=False)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["given_at", "pk"]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "giver"],
                condition=models.Q(ended_at__isnull=True),
                name="proxy_one_live_per_giver",
            )
        ]

    def __str__(self):
        return f"{self.giver} → {self.holder}"


class ActionItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting")
    )
    text = models.CharField(_("text"), max_length=500)
    owner = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, related_name="action_items", verbose_name=_("owner")
    )
    due = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self):
        return self.text


class Proposal(models.Model):
    """A change to a governed page, put to the vote instead of saved.

    The proposed title and body are kept here, against the revision they were written on
    (``base``). When the decision passes and the page is still at that revision, the text
    becomes the page's next revision, by the proposal's author, and the decision records it as
    the revision it adopted. Otherwise the proposal stays, with its text, as not adopted
    (``handbook.proposals``).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Being voted on")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Not adopted: the page changed first")

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("page")
    )
    base = models.ForeignKey(
        PageRevision,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("based on"),
        help_text=_("The revision the change was written against."),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_visible_text])
    body = models.TextField(
        _("body"), blank=True, validators=[MaxLengthValidator(MAX_BODY_CHARACTERS)]
    )
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("What changes and why.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="proposal", verbose_name=_("decision")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    revision = models.OneToOneField(
        PageRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="proposal",
        verbose_name=_("adopted as"),
        help_text=_("The revision the proposal became when its decision passed."),
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["page", "status"], name="proposal_page_status")]
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")

    def __str__(self):
        return f"{self.page}: {self.summary or self.title}"

    def get_absolute_url(self):
        return reverse("handbook-proposal", args=[self.page.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
