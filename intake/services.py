"""Writes for intake outside the request workflow: the public submission, organisations and
contacts, status tokens and duplicate flags. Moves of a request live in ``intake/workflow.py``."""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from intake import cover, notifications
from intake.models import Contact, Organization, ReferenceCounter, Request, RequestEvent
from intake.models import website_domain as domain_of
from network.db import FixedQuery, joined_columns, joined_instances
from network.language import supported
from network.models import Consultant, User
from network.text import fold

# Titles at least this similar (rapidfuzz token_set_ratio, 0–100) from the same organisation
# within DUPLICATE_WINDOW_DAYS are flagged; 85 catches "Donor database broken" against
# "Our donor database is broken" without flagging "Website redesign" against "Website hosting".
DUPLICATE_TITLE_SCORE = 85


def client_language(code: str | None = None) -> str:
    """One of the site's languages for ``code`` (default: the language the page was shown in),
    so ``es-mx`` is ``es``; English when Switchboard does not speak it."""
    return supported(code or translation.get_language()) or settings.LANGUAGE_CODE


def status_token_new() -> tuple[str, str]:
    """A fresh status token (128 random bits, URL-safe) and the hash that is stored."""
    token = secrets.token_urlsafe(16)
    return token, status_token_hash(token)


def status_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What the status page shows of the request: its organisation and the engaged consultant
# with their account (for the consultant's email), as a select_related would read them.
_STATUS_PATHS = {
    "": Request,
    "organization": Organization,
    "engaged_consultant": Consultant,
    "engaged_consultant__user": User,
}
# Every visit to a status page asks: compiled once (network.db.FixedQuery). The sample is no
# digest (64 hexadecimal characters).
_BY_STATUS_TOKEN = FixedQuery(
    lambda digest: (
        Request.objects.filter(status_token_hash=digest)
        .exclude(status__in=Request.HIDDEN_FROM_CLIENT)
        .order_by()
        .values_list(*joined_columns(_STATUS_PATHS))
    ),
    "(the digest)",
)


def request_for_status_token(token: str) -> Request | None:
    """The request a client's token opens, or None: unknown and closed-to-client look the same."""
    digest = status_token_hash(token)
    request = None
    # The digest's unique index finds one row at most.
    for row in _BY_STATUS_TOKEN.rows(digest):
        request = joined_instances(row, _STATUS_PATHS)[""]
    # The lookup is by hash (a guess's hash says nothing about a stored one); the comparison
    # is constant-time anyway so the check does not depend on how the database compares.
    if request is None or not hmac.compare_digest(request.status_token_hash, digest):
        return None
    return cover.with_client_cover(request)


def status_url(token: str) -> str:
    return notifications.status_url(token)


def add_business_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """``moment`` plus ``days`` working days (Monday–Friday) in the site's time zone."""
    local = timezone.localtime(moment)
    remaining = days
    while remaining > 0:
        local += datetime.timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return local


def reference_next(year: int) -> str:
    """Issue the next REQ-YYYY-NNNN of ``year``; call it inside the transaction that uses it.

    The ``UPDATE … RETURNING`` row-locks the year's counter until that transaction ends, so two
    submissions never share a number, and a rolled-back one gives its number back (no gaps).
    Every submission of the year waits on that one row: take it as late as possible before the
    commit, so the others queue behind a few inserts and a commit, not a whole submission.
    """
    table = ReferenceCounter._meta.db_table
    increment = (
        f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 (the table's name)
        "WHERE year = %s RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(increment, [year])
        row = cursor.fetchone()
        if row is None:
            # The year's first submission. Two of them can race here: the insert of the one
            # that comes second waits for the first to commit and then does nothing.
            ReferenceCounter.objects.bulk_create(
                [ReferenceCounter(year=year)], ignore_conflicts=True
            )
            cursor.execute(increment, [year])
            row = cursor.fetchone()
    return f"REQ-{year}-{row[0]:04d}"


def organization_find_or_create(*, name: str, website: str = "") -> Organization:
    """One organisation per folded name or website domain: reuse it when either matches.

    A match is reused as it is stored: what the caller typed never changes it (the front door
    is anonymous, and anybody can type a known organisation's name). The request keeps what
    was typed; ``organization_merge_submitted`` lets a coordinator copy it over.
    """
    return _organization_find_or_create(name=name, website=website)[0]


# Every submission looks its organisation up: compiled once (network.db.FixedQuery), by the
# folded name, or by it and the website's domain.
_ORGANIZATION_PATHS = {"": Organization}
_ORGANIZATION_BY_NAME = FixedQuery(
    lambda folded: (
        Organization.objects.filter(folded_name=folded)
        .order_by()
        .values_list(*joined_columns(_ORGANIZATION_PATHS))[:2]
    ),
    "(folded name)",
)
_ORGANIZATION_BY_NAME_OR_DOMAIN = FixedQuery(
    lambda folded, domain: (
        Organization.objects.filter(Q(folded_name=folded) | Q(website_domain=domain))
        .order_by()
        .values_list(*joined_columns(_ORGANIZATION_PATHS))[:2]
    ),
    "(folded name)",
    "(domain)",
)


def _organization_find_or_create(*, name: str, website: str) -> tuple[Organization, bool]:
    domain = domain_of(website)
    folded = fold(name)
    # One query for both keys (each is unique, so at most two rows); the website's domain wins.
    rows = (
        _ORGANIZATION_BY_NAME_OR_DOMAIN.rows(folded, domain)
        if domain
        else (_ORGANIZATION_BY_NAME.rows(folded))
    )
    found = {}
    for row in rows:
        stored = joined_instances(row, _ORGANIZATION_PATHS)[""]
        found["domain" if domain and stored.website_domain == domain else "name"] = stored
    organization = found.get("domain") or found.get("name")
    if organization is None:
        organization = Organization(name=name.strip(), website=website)
        # The unique name and domain are the database's to decide (below), not a look-up's.
        organization.full_clean(validate_unique=False, validate_constraints=False)
        try:
            # Two first submissions from one new organisation can race past the look-up
            # above; the unique constraints decide, and the loser reuses the winner's row.
            with transaction.atomic():
                organization.save()
        except IntegrityError:
            organization = (
                Organization.objects.filter(website_domain=domain).first() if domain else None
            ) or Organization.objects.get(folded_name=folded)
            return organization, False
        return organization, True
    return organization, False


def contact_find_or_create(
    *, organization: Organization, name: str, email: str, known_new: bool = False
) -> Contact:
    """The organisation's contact with this address (any case), or a new one.
    ``known_new``: the organisation was just created, so there is nothing to look up."""
    contact = None if known_new else organization.contacts.filter(email__iexact=email).first()
    if contact is None:
        contact = Contact(organization=organization, name=name.strip(), email=email)
        contact.full_clean(exclude=["organization"])  # the row was just read or written
        contact.save()
    return contact


def duplicate_candidate(request: Request) -> tuple[Request, int] | None:
    """The most similar recent request from the same organisation, if similar enough."""
    since = request.submitted_at - datetime.timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    # Works before the request is saved too (its pk is None and excludes nothing).
    best = None
    recent = (
        Request.objects.filter(organization=request.organization, submitted_at__gte=since)
        .exclude(pk=request.pk)
        .only("pk", "title", "reference")
    )
    for other in recent:
        score = round(fuzz.token_set_ratio(request.title.lower(), other.title.lower()))
        if score >= DUPLICATE_TITLE_SCORE and (best is None or score > best[1]):
            best = (other, score)
    return best


@dataclass(frozen=True)
class Submission:
    request: Request
    status_token: str

    @property
    def status_url(self) -> str:
        return status_url(self.status_token)


# No savepoint of its own: called inside a transaction (the API's), a failure here fails that
# one too, which is what every caller wants; alone, it is one transaction.
@transaction.atomic(savepoint=False)
def request_submit(
    *,
    organization_name: str,
    contact_name: str,
    contact_email: str,
    title: str,
    description: str,
    organization_website: str = "",
    skills: list[str] | None = None,
    budget_max: Decimal | None = None,
    estimated_hours: int | None = None,
    pro_bono: bool = False,
    urgency: str = Request.Urgency.NORMAL,
    remote_ok: bool = True,
    location: str = "",
    languages: list[str] | None = None,
    desired_start: datetime.date | None = None,
    language: str | None = None,
) -> Submission:
    """Record a nonprofit's request, flag a likely duplicate, and store its two messages.

    The client gets a confirmation with their private status link; the intake coordinators
    get the new request. The token is returned once; the request keeps only its hash. ``languages``
    are codes the caller has checked (the API's serializer and the form both do). ``language`` is
    the one the client used (default: the active one); their emails and status page use it.
    """
    organization, organization_is_new = _organization_find_or_create(
        name=organization_name, website=organization_website
    )
    contact = contact_find_or_create(
        organization=organization,
        name=contact_name,
        email=contact_email,
        known_new=organization_is_new,
    )
    token, digest = status_token_new()
    submitted_at = timezone.now()
    request = Request(
        organization=organization,
        contact=contact,
        title=title.strip(),
        description=description,
        language=client_language(language),
        skills=[skill.strip() for skill in (skills or []) if skill.strip()],
        budget_max=budget_max,
        estimated_hours=estimated_hours,
        pro_bono=pro_bono,
        urgency=urgency,
        remote_ok=remote_ok,
        location=location,
        desired_start=desired_start,
        submitted_at=submitted_at,
        response_due_at=add_business_days(submitted_at, settings.RESPONSE_TARGET_BUSINESS_DAYS),
        status_token_hash=digest,
        submitted_organization_name=organization_name.strip(),
        submitted_organization_website=organization_website,
    )
    # The fields' own checks give the form and the API their 400s. The rest is the database's:
    # the rows behind the foreign keys were just read or written, the token's hash is random
    # and unique, and the budget constraint repeats the field's minimum.
    request.full_clean(
        exclude=["reference", "organization", "contact", "status_token_hash"],
        validate_unique=False,
        validate_constraints=False,
    )
    duplicate = None if organization_is_new else duplicate_candidate(request)
    data = {}
    if duplicate is not None:
        request.possible_duplicate_of, request.duplicate_score = duplicate
        data = {"possible_duplicate_of": duplicate[0].reference, "score": duplicate[1]}
    coordinators = notifications.submission_recipients()
    # Everything above reads or validates; from here on, every submission of the year waits
    # for this one to commit: four inserts and the two messages follow.
    request.reference = reference_next(timezone.localtime(submitted_at).year)
    request.save(force_insert=True)
    if languages:
        through = Request.languages.through
        through.objects.bulk_create(
            [through(request=request, language_id=code) for code in dict.fromkeys(languages)]
        )
    RequestEvent.objects.create(
        request=request,
        actor=None,
        action="submit",
        from_status="",
        to_status=request.status,
        data=data,
    )
    # Stored in this transaction, so a committed request always has its two messages (the
    # client's holds the token, sealed, until it is sent); they are enqueued once it commits.
    notifications.request_submitted(request, token, coordinators)
    return Submission(request=request, status_token=token)


# --- What the client typed, onto the organisation ----------------------------------------------

# The organisation's fields a coordinator may take from a request, and where the request keeps
# what the client typed for each.
SUBMITTED_ORGANIZATION_FIELDS = {
    "name": "submitted_organization_name",
    "website": "submitted_organization_website",
}


@transaction.atomic
def organization_merge_submitted(*, request_id: int, actor, fields=("website",)) -> list[str]:
    """Copy what the client typed on request ``request_id`` (its organisation's ``fields``:
    ``name`` and/or ``website``) onto the stored organisation, by a coordinator's decision.

    The front door never edits an organisation (anybody can type a known organisation's name);
    this is the one way what a client typed reaches it. Writes one ``RequestEvent``
    (``organization_merged``, with each field's old and new value) in the same transaction.
    Returns the fields that changed; nothing typed, or nothing different, changes nothing.
    A website or name another organisation already has is refused (``ValidationError``).
    """
    unknown = set(fields) - set(SUBMITTED_ORGANIZATION_FIELDS)
    if unknown:
        raise ValueError(f"Not an organisation field a request keeps: {sorted(unknown)}")
    request = Request.objects.select_for_update().get(pk=request_id)
    # Compared and written under its lock: two coordinators merging at once write in turn.
    organization = Organization.objects.select_for_update().get(pk=request.organization_id)
    changes = {}
    for field in fields:
        typed = getattr(request, SUBMITTED_ORGANIZATION_FIELDS[field]).strip()
        if field == "website" and typed and "://" not in typed:
            typed = f"https://{typed}"  # as the form and the admin take an address without one
        if typed and typed != getattr(organization, field):
            changes[field] = {"from": getattr(organization, field), "to": typed}
            setattr(organization, field, typed)
    if not changes:
        return []
    # save() derives the folded name and the website's domain, each unique; check them first so
    # a clash is a message for the coordinator, not an IntegrityError.
    organization.full_clean()
    for derived, value in (
        ("folded_name", fold(organization.name)),
        ("website_domain", domain_of(organization.website)),
    ):
        if (
            value
            and Organization.objects.filter(**{derived: value}).exclude(pk=organization.pk).exists()
        ):
            message = (
                _("Another organisation already has this name: %(value)s.")
                if derived == "folded_name"
                else _("Another organisation already has this domain: %(value)s.")
            )
            raise ValidationError(message % {"value": value})
    organization.save()
    RequestEvent.objects.create(
        request=request,
        actor=actor,
        action="organization_merged",
        note="; ".join(
            f"Organisation's {field} set to {change['to']!r} (was {change['from']!r}), as the "
            "client typed it"
            for field, change in changes.items()
        ),
        data={"organization": organization.pk, "changes": changes},
    )
    return list(changes)
