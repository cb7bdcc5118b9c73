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

from network.db import AppendOnlyModel
from network.models import Consultant
from network.text import validate_visible_text

# A page body above this many characters is refused: the longest policy is a few thousand
# words; two megabytes of Markdown is a mistake or an attack, not a handbook page.
MAX_BODY_CHARACTERS = 200_000


class Page(models.Model):
    class Category(models.TextChoices):
        POLICY = "policy", "Policy"
        PROCEDURE = "procedure", "Procedure"
        GUIDE = "guide", "Guide"
        MINUTES = "minutes", "Minutes"

    class Visibility(models.TextChoices):
        MEMBERS = "members", "Members only"
        PUBLIC = "public", "Public"

    title = models.CharField(max_length=200, validators=[validate_visible_text])
    slug = models.SlugField(max_length=200, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.GUIDE)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    owner = models.ForeignKey(
        Consultant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_pages",
        help_text="Keeps the page current; reminded when a policy is due for review.",
    )
    # The latest revision's body and links, kept on the page so reading, searching and
    # backlinks need no join; written only by handbook.services with the revision.
    body = models.TextField(blank=True, editable=False)
    latest_revision = models.ForeignKey(
        "PageRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_reviewed = models.DateField(null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)
    updated_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["category", "title"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("handbook-page", args=[self.slug])


class PageRevision(AppendOnlyModel):
    """One version of a page's body; never changed or deleted once written."""

    append_only_noun = "Page revisions"

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, validators=[validate_visible_text])
    body = models.TextField(blank=True, validators=[MaxLengthValidator(MAX_BODY_CHARACTERS)])
    summary = models.CharField(max_length=300, blank=True, help_text="What changed and why.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reverts = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier revision this one restores, for a revert.",
    )
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="page_revision_number_once")
        ]

    def __str__(self):
        return f"{self.page} r{self.number}"


class PageLink(models.Model):
    """A ``[[Page title]]`` link in a page's latest revision, by the slug it points to (which
    may not exist yet: a red link). Rewritten with each revision; read for backlinks."""

    from_page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="outgoing_links")
    to_slug = models.SlugField(max_length=200, db_index=True)

    class Meta:
        ordering = ["from_page", "to_slug"]
        constraints = [
            models.UniqueConstraint(fields=["from_page", "to_slug"], name="page_link_once")
        ]

    def __str__(self):
        return f"{self.from_page} → {self.to_slug}"


# --- Meetings and decisions -------------------------------------------------------------------


class Meeting(models.Model):
    title = models.CharField(max_length=200, validators=[validate_visible_text])
    date = models.DateField()
    attendees = models.ManyToManyField(Consultant, blank=True, related_name="meetings")
    agenda = models.TextField(blank=True, max_length=20_000)
    minutes = models.ForeignKey(
        Page,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        help_text="The handbook page (category minutes) that holds the minutes.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]

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
        CONSENSUS = "consensus", "Consensus"
        SIMPLE_MAJORITY = "simple_majority", "Simple majority"
        TWO_THIRDS = "two_thirds", "Two thirds"
        THREE_QUARTERS = "three_quarters", "Three quarters"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    text = models.TextField(max_length=5000, help_text="The motion, as voted on.")
    rule = models.CharField(max_length=20, choices=Rule.choices, default=Rule.SIMPLE_MAJORITY)
    eligible = models.ManyToManyField(Consultant, related_name="eligible_decisions")
    quorum = models.PositiveIntegerField(
        help_text="How many eligible members must vote (abstentions count) for a result."
    )
    quorum_percent = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="The share of the eligible members the quorum was set from (rounded up); "
        "empty for decisions whose creator chose the eligible members and quorum.",
    )
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Who closed the vote before its closing time, if anyone did.",
    )
    adopted_revision = models.ForeignKey(
        PageRevision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="The policy revision this decision adopted.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

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
        FOR = "for", "For"
        AGAINST = "against", "Against"
        ABSTAIN = "abstain", "Abstain"
        BLOCK = "block", "Block"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    reason = models.TextField(blank=True, max_length=2000)
    cast_at = models.DateTimeField(default=now, editable=False)
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "consultant"],
                condition=models.Q(superseded_at__isnull=True),
                name="vote_one_current_per_member",
            )
        ]

    def __str__(self):
        return f"{self.consultant}: {self.choice}"


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(max_length=500)
    owner = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="action_items")
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self):
        return self.text
