"""Writes to the handbook: pages and their revisions, meetings, decisions, votes, action items.

Every edit of a page names the revision it was based on. The page row is locked, and when that
revision is no longer the latest the edit is refused with ``EditConflict`` (HTTP 409), carrying
the latest revision so the editor can show both versions and the diff: nothing the writer typed
is lost, and nothing anyone else saved is overwritten (Wagtail's revisions are the model).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handbook import access, decisions
from handbook.models import (
    MAX_BODY_CHARACTERS,
    ActionItem,
    Decision,
    Meeting,
    Page,
    PageLink,
    PageRevision,
    Proxy,
    Vote,
)
from handbook.rendering import slug_for, wikilink_targets
from network import access as network_access
from network.errors import Conflict
from network.models import Consultant
from network.text import validate_visible_text

# Members who vote, own action items and hold the record's rights: the working members (active
# or on probation). A member on leave, an alumnus or a former member keeps their earlier votes
# on record but casts no new ones.
WORKING_STATUSES = Consultant.WORKING_STATUSES


class EditConflict(Conflict):
    """The edit was based on a revision that is no longer the latest (HTTP 409)."""

    def __init__(self, page: Page, based_on: int | None, *, based_on_number: int | None = None):
        latest = page.latest_revision
        based = based_on_number
        if based is None:
            based = (
                PageRevision.objects.filter(pk=based_on).values_list("number", flat=True).first()
            )
        based = based if based is not None else based_on
        latest_number = latest.number if latest else _("none")
        super().__init__(
            _(
                "Someone saved this page since you opened it (you edited revision %(based)s; the "
                "latest is %(latest)s). Nothing was saved: compare your text with theirs, then "
                "save again based on the latest."
            )
            % {"based": based, "latest": latest_number}
        )
        self.page = page
        self.based_on = based_on
        self.latest = latest


class GovernedPage(Conflict):
    """A direct edit of a page that changes only by decision (HTTP 409): it is proposed and
    voted instead (``handbook.proposals``)."""

    def __init__(self, page: Page):
        super().__init__(
            _(
                "%(title)s is changed by decision: your edit was not saved as the page's text. "
                "Propose it instead; it is adopted when the vote passes."
            )
            % {"title": page.title}
        )
        self.page = page


class DecisionClosed(Conflict):
    """A vote on a decision that is closed, or closing it again (HTTP 409)."""


def _get(model, pk, field: str, *, lock: bool = False, related: tuple[str, ...] = ()):
    """The row ``pk`` of ``model`` (locked if asked), or a field error naming what is missing.

    Only the row itself is locked (``of=self``): PostgreSQL refuses FOR UPDATE on the nullable
    side of an outer join, such as a page's join to its latest revision.
    """
    rows = model.objects.select_related(*related)
    rows = rows.select_for_update(of=("self",)) if lock else rows
    found = rows.filter(pk=pk).first() if isinstance(pk, int) and not isinstance(pk, bool) else None
    if found is None:
        raise ValidationError({field: NO_SUCH[model]})
    return found


# What ``_get`` says when the row it looks for does not exist.
NO_SUCH = {
    Page: _("No such page."),
    Meeting: _("No such meeting."),
    Decision: _("No such decision."),
    ActionItem: _("No such action item."),
}


# --- Checks ---------------------------------------------------------------------------------


def clean_title(value, *, meeting: bool = False) -> str:
    title = value.strip() if isinstance(value, str) else ""
    if not title:
        missing = _("A meeting needs a title.") if meeting else _("A page needs a title.")
        raise ValidationError({"title": missing})
    if len(title) > 200:
        raise ValidationError({"title": at_most(200)})
    # A title is a name others link to ([[Title]]) and find pages by: no hidden characters
    # that let one title pass for another.
    try:
        validate_visible_text(title)
    except ValidationError as error:
        raise ValidationError({"title": error.messages}) from None
    return title


def clean_body(value) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({"body": _("Markdown text expected.")})
    # Browsers send \r\n; stored as \n so a save that differs only in line endings is no
    # change, and diffs compare lines, not line endings.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > MAX_BODY_CHARACTERS:
        raise ValidationError(
            {
                "body": _("At most %(limit)s characters; this body has %(length)s.")
                % {"limit": f"{MAX_BODY_CHARACTERS:,}", "length": f"{len(value):,}"}
            }
        )
    return value


def clean_summary(value) -> str:
    summary = value.strip() if isinstance(value, str) else ""
    if len(summary) > 300:
        raise ValidationError({"summary": at_most(300)})
    return summary


def at_most(limit: int) -> str:
    return _("At most %(limit)s characters.") % {"limit": f"{limit:,}"}


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError(
            {
                field: _("%(value)s is not one of %(choices)s.")
                % {"value": repr(value), "choices": ", ".join(choices.values)}
            }
        )
    return value


def _require_editor(actor) -> None:
    if not access.may_edit(actor):
        raise PermissionDenied(access.EDIT_REFUSED)


def revise(page: Page, actor, *, title, body, summary, based_on, reverts=None) -> PageRevision:
    number = (page.latest_revision.number + 1) if page.latest_revision else 1
    revision = PageRevision(
        page=page,
        number=number,
        title=title,
        body=body,
        summary=summary,
        author=actor,
        based_on=based_on,
        reverts=reverts,
    )
    revision.full_clean(exclude=["page", "author", "based_on", "reverts"])
    revision.save()
    page.latest_revision = revision
    page.title, page.body = title, body
    page.updated_at = revision.created_at
    page.save()
    PageLink.objects.filter(from_page=page).delete()
    PageLink.objects.bulk_create(
        PageLink(from_page=page, to_slug=slug) for slug in wikilink_targets(body)
    )
    return revision


# --- Pages ----------------------------------------------------------------------------------


def page_create(
    *,
    actor,
    title: str,
    body: str = "",
    summary: str = "",
    category: str = Page.Category.GUIDE,
    visibility: str = Page.Visibility.MEMBERS,
    slug: str | None = None,
    owner: Consultant | None = None,
    last_reviewed: datetime.date | None = None,
) -> Page:
    """A new page with its first revision. A slug already taken is a field error."""
    _require_editor(actor)
    title, body, summary = clean_title(title), clean_body(body), clean_summary(summary)
    category = _choice(category, Page.Category, "category")
    visibility = _choice(visibility, Page.Visibility, "visibility")
    slug = slug_for(slug) if slug else slug_for(title)
    if owner is None:
        owner = network_access.consultant_of(actor) if actor is not None else None
    with transaction.atomic():
        if Page.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _address_taken(slug)})
        page = Page(
            title=title,
            slug=slug,
            category=category,
            visibility=visibility,
            owner=owner,
            last_reviewed=last_reviewed or timezone.localdate(),
        )
        try:
            with transaction.atomic():
                page.save()
        except IntegrityError:  # created by someone else between the check and the insert
            raise ValidationError({"slug": _address_taken(slug)}) from None
        revise(page, actor, title=title, body=body, summary=summary or "Created", based_on=None)
    return page


def _address_taken(slug: str) -> str:
    return _("A page with the address %(slug)s already exists.") % {"slug": repr(slug)}


def _is_latest(page: Page, base_revision: int | None, base_number: int | None) -> bool:
    """Whether the edit's base is the page's latest revision: by id (the editor's hidden field)
    or by the page's own revision number (the API's ``revision``)."""
    if base_number is not None:
        latest = page.latest_revision
        return latest is not None and latest.number == base_number
    return page.latest_revision_id == base_revision


def page_for_change(page_id) -> Page:
    """The page ``page_id``, locked for a change of its text, with its latest revision.

    Only the page row is locked (of=self): PostgreSQL refuses FOR UPDATE on the nullable side
    of the outer join to latest_revision.
    """
    return _get(Page, page_id, "page", lock=True, related=("latest_revision",))


def check_base(page: Page, base_revision: int | None, base_number: int | None) -> None:
    if not _is_latest(page, base_revision, base_number):
        raise EditConflict(page, base_revision, based_on_number=base_number)


def page_edit(
    *,
    actor,
    page_id: int,
    base_revision: int | None = None,
    body: str,
    summary: str = "",
    title: str | None = None,
    base_number: int | None = None,
) -> PageRevision:
    """Save a new revision of the page, based on ``base_revision`` (a revision's id) or on
    ``base_number`` (the page's revision number, as the API shows it as ``revision``).

    Raises ``EditConflict`` when that is not the page's latest revision (someone saved in
    between): nothing is saved and the caller shows both texts.
    """
    _require_editor(actor)
    body, summary = clean_body(body), clean_summary(summary)
    if base_revision is None and base_number is None:
        raise ValidationError({"base_revision": _("Name the revision your edit is based on.")})
    with transaction.atomic():
        page = page_for_change(page_id)
        if page.is_governed:
            raise GovernedPage(page)
        check_base(page, base_revision, base_number)
        new_title = clean_title(title) if title is not None else page.title
        if new_title == page.title and body == page.body:
            raise ValidationError(
                {"body": _("Nothing changed: the text is the same as the latest.")}
            )
        return revise(
            page, actor, title=new_title, body=body, summary=summary,
            based_on=page.latest_revision,
        )  # fmt: skip


def page_revert(
    *,
    actor,
    page_id: int,
    revision_id: int,
    base_revision: int | None = None,
    base_number: int | None = None,
):
    """Restore an earlier revision's title and body as a new revision (history is kept).
    Based, as an edit is, on a revision's id or on the page's revision number."""
    _require_editor(actor)
    # A revert replaces the text like any edit: it names the revision it was decided on.
    if base_revision is None and base_number is None:
        raise ValidationError({"base_revision": _("Name the revision your revert is based on.")})
    with transaction.atomic():
        page = page_for_change(page_id)
        if page.is_governed:
            raise GovernedPage(page)
        check_base(page, base_revision, base_number)
        old = PageRevision.objects.filter(page=page, pk=revision_id).first()
        if old is None:
            raise ValidationError({"revision": _("No such revision of this page.")})
        if old.pk == page.latest_revision_id:
            raise ValidationError({"revision": _("That is already the latest revision.")})
        return revise(
            page, actor, title=old.title, body=old.body,
            summary=f"Reverted to revision {old.number}", based_on=page.latest_revision,
            reverts=old,
        )  # fmt: skip


def page_settings_change(
    *, actor, page_id: int, category=None, visibility=None, owner=None, slug=None
) -> Page:
    """Change a page's category, visibility, owner or address (no new revision: not its text)."""
    _require_editor(actor)
    with transaction.atomic():
        page = _get(Page, page_id, "page", lock=True)
        if category is not None:
            category = _choice(category, Page.Category, "category")
            if (
                page.is_governed
                and category != page.category
                and not access.keeps_the_record(actor)
            ):
                raise PermissionDenied(
                    _("Only the secretary and the staff coordinators recategorise a policy.")
                )
            page.category = category
        if visibility is not None:
            page.visibility = _choice(visibility, Page.Visibility, "visibility")
        if owner is not None:
            page.owner = owner
        if slug is not None:
            new_slug = slug_for(slug)
            if Page.objects.exclude(pk=page.pk).filter(slug=new_slug).exists():
                raise ValidationError({"slug": _("%(slug)s is taken.") % {"slug": repr(new_slug)}})
            page.slug = new_slug
        page.save()
    return page


def page_mark_reviewed(*, actor, page_id: int, on: datetime.date | None = None) -> Page:
    """Record that the page was reviewed (today by default); the reminder clock restarts."""
    _require_editor(actor)
    if on is not None and on > timezone.localdate():
        raise ValidationError({"on": _("A review cannot be recorded for a day still to come.")})
    with transaction.atomic():
        page = _get(Page, page_id, "page", lock=True)
        page.last_reviewed = on or timezone.localdate()
        page.review_reminded_at = None
        page.save(update_fields=["last_reviewed", "review_reminded_at"])
    return page


# --- Meetings, decisions and votes ----------------------------------------------------------

RECORD_REFUSED = _(
    "Only working members of the alliance (active or on probation), the secretary and the staff "
    "coordinators record meetings, decisions and action items."
)
MEETING_REFUSED = access.MEETING_REFUSED


def _require_recorder(actor) -> None:
    if not access.may_record(actor):
        raise PermissionDenied(RECORD_REFUSED)


def _require_meeting_change(actor, meeting: Meeting) -> None:
    if not access.may_change_meeting(actor, meeting):
        raise PermissionDenied(MEETING_REFUSED)


def _members(ids, field: str) -> list[Consultant]:
    if ids is None:
        return []
    if not isinstance(ids, list | tuple | set):
        raise ValidationError({field: _("A list of member ids.")})
    found = list(Consultant.objects.filter(pk__in=list(ids)))
    if len(found) != len(set(ids)):
        raise ValidationError({field: _("One or more of these are not members.")})
    return found


A_DATE = _("A date (YYYY-MM-DD).")

MINUTES_PREFIX = "Minutes: "


def minutes_title(meeting_title: str, date: datetime.date | None = None) -> str:
    """The title of a meeting's minutes page: "Minutes: December members' meeting
    (2026-12-10)". A meeting already called "Minutes …" is not prefixed twice; a long title is
    shortened so the whole fits in a page title."""
    title = meeting_title.strip()
    if not title.casefold().startswith("minutes"):
        title = MINUTES_PREFIX + title
    suffix = f" ({date:%Y-%m-%d})" if date is not None else ""
    if len(title) + len(suffix) > 200:
        title = title[: 199 - len(suffix)].rstrip() + "…"
    return title + suffix


def meeting_create(
    *,
    actor,
    title: str,
    date: datetime.date,
    attendees=(),
    agenda: str = "",
    minutes_body: str | None = None,
) -> Meeting:
    """A meeting, and its minutes as a handbook page (category minutes) when given."""
    _require_recorder(actor)
    title = clean_title(title, meeting=True)
    if isinstance(date, datetime.datetime) or not isinstance(date, datetime.date):
        raise ValidationError({"date": A_DATE})
    agenda = agenda or ""
    if len(agenda) > 20_000:
        raise ValidationError({"agenda": at_most(20_000)})
    with transaction.atomic():
        meeting = Meeting.objects.create(title=title, date=date, agenda=agenda, created_by=actor)
        meeting.attendees.set(_members(list(attendees), "attendees"))
        if minutes_body is not None:
            meeting.minutes = page_create(
                actor=actor,
                title=minutes_title(title, date),
                # Two meetings may share a title and a date; the id keeps their minutes apart.
                slug=f"minutes-{date:%Y-%m-%d}-{meeting.pk}-{title}",
                body=minutes_body,
                summary="Minutes recorded",
                category=Page.Category.MINUTES,
            )
            meeting.save(update_fields=["minutes"])
    return meeting


def decision_create(
    *,
    actor,
    text: str,
    rule: str,
    kind: str = Decision.Kind.GENERAL,
    meeting: Meeting | None = None,
    closes_at: datetime.datetime | None = None,
    adopted_revision: PageRevision | None = None,
) -> Decision:
    """Put a motion to the vote.

    Who votes and the quorum are the alliance's rules, not the caller's choice: the eligible
    members are the working members at this moment, stored as a snapshot so that later changes
    of anyone's status do not rewrite the record, and the quorum is ``DECISION_QUORUM_PERCENT``
    of them, rounded up, at least 1 (``decisions.quorum_for``). A motion made at a meeting is
    added to that meeting's record, so it needs the right to change the meeting.
    """
    _require_recorder(actor)
    if meeting is not None:
        _require_meeting_change(actor, meeting)
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({"text": _("Write the motion as it is put to the vote.")})
    rule = _choice(rule, Decision.Rule, "rule")
    kind = _choice(kind, Decision.Kind, "kind")
    if kind in Decision.CONSENSUS_KINDS and rule != Decision.Rule.CONSENSUS:
        raise ValidationError(
            {"rule": _("Admitting or excluding a member is decided by consensus only.")}
        )
    percent = settings.DECISION_QUORUM_PERCENT
    with transaction.atomic():
        voters = list(
            Consultant.objects.filter(status__in=WORKING_STATUSES)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not voters:
            raise ValidationError(
                _("There are no working members (active or on probation) to vote on a motion.")
            )
        decision = Decision(
            meeting=meeting,
            text=text,
            rule=rule,
            kind=kind,
            probation_votes=probation_votes(),
            quorum=decisions.quorum_for(len(voters), percent),
            quorum_percent=percent,
            closes_at=closes_at,
            adopted_revision=adopted_revision,
            created_by=actor,
        )
        # The related rows were loaded (or are None); checking them again costs a query each.
        decision.full_clean(exclude=["meeting", "adopted_revision", "created_by"])
        decision.save()
        Decision.eligible.through.objects.bulk_create(
            Decision.eligible.through(decision_id=decision.pk, consultant_id=voter)
            for voter in voters
        )
    return decision


def probation_votes() -> bool:
    """The electorate rule for decisions opened now: whether members on probation vote
    (``HANDBOOK_PROBATION_VOTES``, off by default: they take part but do not vote)."""
    return bool(getattr(settings, "HANDBOOK_PROBATION_VOTES", False))


def max_proxies_held() -> int:
    """How many proxies a member may hold on one decision (``HANDBOOK_MAX_PROXIES_HELD``, 1)."""
    return int(getattr(settings, "HANDBOOK_MAX_PROXIES_HELD", 1))


def voting_statuses(decision: Decision) -> tuple[str, ...]:
    """The statuses that vote on ``decision``: active members, and members on probation when
    the decision's electorate rule says so (decisions opened before the rule: they do)."""
    if decision.probation_votes is False:
        return (Consultant.Status.ACTIVE,)
    return tuple(WORKING_STATUSES)


ELECTORATE_RULE = _(
    "Who votes: the active members when the decision was opened. Members on probation take "
    "part but do not vote. Observers (the secretary and staff who are not members) never vote. "
    "A voter may give their proxy to another voter; a member holds at most %(held)s."
)
ELECTORATE_RULE_PROBATION = _(
    "Who votes: the working members (active or on probation) when the decision was opened. "
    "Observers (the secretary and staff who are not members) never vote. A voter may give "
    "their proxy to another voter; a member holds at most %(held)s."
)
CONSENSUS_KIND_RULE = _(
    "Admitting or excluding a member needs consensus: it passes only when the quorum has "
    "voted, at least one voter is for, and nobody votes against or blocks."
)


def electorate_rule(decision: Decision) -> str:
    """The decision's electorate rule (and its consensus rule, for admission or exclusion), in
    words, as its page and the API state it."""
    text = ELECTORATE_RULE if decision.probation_votes is False else ELECTORATE_RULE_PROBATION
    text = str(text) % {"held": max_proxies_held()}
    if decision.kind in Decision.CONSENSUS_KINDS:
        text = f"{text} {CONSENSUS_KIND_RULE}"
    return text


def why_not_voter(decision: Decision, status: str | None) -> str:
    """Why a member whose status is ``status`` (None: not on the decision's list) may not vote
    on ``decision``, or "" when they may."""
    if status is None:
        return _("You are not among the members eligible to vote on this.")
    if status not in WORKING_STATUSES:
        return _(
            "Only working members (active or on probation) vote; you were eligible when "
            "this decision was opened, but you are now %(status)s."
        ) % {"status": str(Consultant.Status(status).label).lower()}
    if status not in voting_statuses(decision):
        return _(
            "Members on probation take part in this decision but do not vote on it, by the "
            "alliance's rule when it was opened."
        )
    return ""


def _status_on(decision: Decision, consultant: Consultant | None) -> str | None:
    """The member's status read now (not from a cached record), or None when not on the list."""
    if consultant is None:
        return None
    return decision.eligible.filter(pk=consultant.pk).values_list("status", flat=True).first()


def require_voter(actor, decision: Decision) -> None:
    """Refuse (403) anyone who may not vote on ``decision``, before their input is read."""
    consultant = network_access.consultant_of(actor) if actor is not None else None
    refusal = why_not_voter(decision, _status_on(decision, consultant))
    if refusal:
        raise PermissionDenied(refusal)


def _live_proxy(decision: Decision, giver_id: int, *, lock: bool = False) -> Proxy | None:
    rows = Proxy.objects.filter(decision=decision, giver_id=giver_id, ended_at__isnull=True)
    return (rows.select_for_update() if lock else rows).first()


def vote_cast(*, actor, decision_id: int, choice: str, reason: str = "", on_behalf_of=None) -> Vote:
    """The vote of a member who may vote on the decision (``why_not_voter``); a second vote
    replaces the first, which stays on record.

    With ``on_behalf_of`` (a member id) the actor casts that member's vote with the proxy they
    hold: the proxy must be live (not revoked, not ended by the giver's own vote) and the giver
    must still have the right to vote, checked now. A member voting themselves ends the proxy
    they gave on this decision.
    """
    consultant = network_access.consultant_of(actor) if actor is not None else None
    choice = _choice(choice, Vote.Choice, "choice")
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationError({"reason": at_most(2000)})
    if on_behalf_of is not None and (
        not isinstance(on_behalf_of, int) or isinstance(on_behalf_of, bool)
    ):
        raise ValidationError({"on_behalf_of": _("A member id.")})
    with transaction.atomic():
        decision = _get(Decision, decision_id, "decision", lock=True)
        # Who before when: an ineligible voter hears "you may not" whatever the state. The status
        # is read here, not from the request's cached record, so a member who stopped working
        # since they signed in is refused too.
        status, gave_proxy = None, False
        if consultant is not None:
            found = (
                decision.eligible.filter(pk=consultant.pk)
                .annotate(
                    gave_proxy=Exists(
                        Proxy.objects.filter(
                            decision=decision, giver=OuterRef("pk"), ended_at__isnull=True
                        )
                    )
                )
                .values_list("status", "gave_proxy")
                .first()
            )
            status, gave_proxy = found if found is not None else (None, False)
        refusal = why_not_voter(decision, status)
        if refusal:
            raise PermissionDenied(refusal)
        if on_behalf_of is not None and on_behalf_of == consultant.pk:
            on_behalf_of = None
        voter, proxy = consultant, None
        if on_behalf_of is not None:
            voter, proxy = _proxy_for_use(decision, holder=consultant, giver_id=on_behalf_of)
        if decision_is_closed(decision):
            raise DecisionClosed(_("Voting on this decision has closed."))
        now = timezone.now()
        if proxy is None and gave_proxy:
            # Voting oneself ends the proxy one gave: the holder can no longer use it.
            Proxy.objects.filter(decision=decision, giver=consultant, ended_at__isnull=True).update(
                ended_at=now
            )
        Vote.objects.filter(decision=decision, consultant=voter, superseded_at__isnull=True).update(
            superseded_at=now
        )
        return Vote.objects.create(
            decision=decision,
            consultant=voter,
            choice=choice,
            reason=reason,
            cast_at=now,
            cast_by=consultant if proxy is not None else None,
        )


def _proxy_for_use(decision: Decision, *, holder: Consultant, giver_id: int):
    """The giver and their live proxy held by ``holder``; refused when there is none (403), when
    it has ended (409) or when the giver has lost the right to vote (void, 409)."""
    proxy = (
        Proxy.objects.select_for_update(of=("self",))
        .select_related("giver")
        .filter(decision=decision, giver_id=giver_id, holder=holder)
        .order_by("-given_at", "-pk")
        .first()
    )
    if proxy is None:
        raise PermissionDenied(_("You hold no proxy from this member on this decision."))
    if proxy.ended_at is not None:
        raise ProxyConflict(
            _("This proxy was revoked or ended by the member's own vote: it cannot be used.")
        )
    if why_not_voter(decision, _status_on(decision, proxy.giver)):
        raise ProxyConflict(
            _(
                "This proxy is void: the member who gave it no longer has the right to vote "
                "on this decision."
            )
        )
    return proxy.giver, proxy


class ProxyConflict(Conflict):
    """A proxy that cannot be given or used in the state things are in (HTTP 409)."""


def proxy_give(*, actor, decision_id: int, holder) -> Proxy:
    """A voter gives their proxy on one decision to another voter, who holds at most
    ``max_proxies_held()`` proxies on it."""
    consultant = network_access.consultant_of(actor) if actor is not None else None
    if not isinstance(holder, int) or isinstance(holder, bool):
        raise ValidationError({"holder": _("A member id.")})
    with transaction.atomic():
        decision = _get(Decision, decision_id, "decision", lock=True)
        refusal = why_not_voter(decision, _status_on(decision, consultant))
        if refusal:
            raise PermissionDenied(refusal)
        if holder == consultant.pk:
            raise ValidationError({"holder": _("Give your proxy to another member.")})
        taker = Consultant.objects.filter(pk=holder).first()
        if taker is None or why_not_voter(decision, _status_on(decision, taker)):
            raise ValidationError(
                {"holder": _("A proxy goes to a member who may vote on this decision.")}
            )
        if decision_is_closed(decision):
            raise DecisionClosed(_("Voting on this decision has closed."))
        if _live_proxy(decision, consultant.pk, lock=True) is not None:
            raise ProxyConflict(
                _("You have already given your proxy on this decision: revoke it first.")
            )
        held = Proxy.objects.filter(decision=decision, holder=taker, ended_at__isnull=True)
        if held.count() >= max_proxies_held():
            raise ProxyConflict(
                _("%(member)s already holds as many proxies as a member may.") % {"member": taker}
            )
        try:
            with transaction.atomic():
                return Proxy.objects.create(decision=decision, giver=consultant, holder=taker)
        except IntegrityError:
            raise ProxyConflict(
                _("You have already given your proxy on this decision: revoke it first.")
            ) from None


def require_member(actor) -> None:
    """Refuse (403) an account that is not a member (observers), before its input is read."""
    if actor is None or network_access.consultant_of(actor) is None:
        raise PermissionDenied(_("You are not among the members eligible to vote on this."))


def proxy_give_for_meeting(*, actor, meeting_id: int, holder) -> list[Proxy]:
    """The giver's proxy, to the same holder, on every open decision of one meeting that both
    vote on (``proxy_give`` for each, all or nothing); 409 when there is none."""
    consultant = network_access.consultant_of(actor) if actor is not None else None
    if consultant is None:
        raise PermissionDenied(_("You are not among the members eligible to vote on this."))
    if not isinstance(holder, int) or isinstance(holder, bool):
        raise ValidationError({"holder": _("A member id.")})
    meeting = _get(Meeting, meeting_id, "meeting")
    taker = Consultant.objects.filter(pk=holder).first()
    given = []
    with transaction.atomic():
        for decision in meeting.decisions.order_by("pk"):
            if decision_is_closed(decision):
                continue
            if why_not_voter(decision, _status_on(decision, consultant)):
                continue
            if taker is not None and why_not_voter(decision, _status_on(decision, taker)):
                continue
            given.append(proxy_give(actor=actor, decision_id=decision.pk, holder=holder))
    if not given:
        raise ProxyConflict(_("This meeting has no open decision on which you both vote."))
    return given


def proxy_revoke_for_meeting(*, actor, meeting_id: int) -> list[Proxy]:
    """The giver takes back every live proxy they gave on the meeting's open decisions."""
    consultant = network_access.consultant_of(actor) if actor is not None else None
    if consultant is None:
        raise PermissionDenied(_("You are not among the members eligible to vote on this."))
    meeting = _get(Meeting, meeting_id, "meeting")
    ended = []
    with transaction.atomic():
        for proxy in (
            Proxy.objects.select_for_update(of=("self",))
            .select_related("decision")
            .filter(decision__meeting=meeting, giver=consultant, ended_at__isnull=True)
            .order_by("pk")
        ):
            if decision_is_closed(proxy.decision):
                continue
            proxy.ended_at = timezone.now()
            proxy.save(update_fields=["ended_at"])
            ended.append(proxy)
    if not ended:
        raise ProxyConflict(_("You have no proxy to revoke on this meeting's open decisions."))
    return ended


def proxy_revoke(*, actor, decision_id: int) -> Proxy:
    """The giver takes back their live proxy, until voting closes; a vote already cast with it
    stays until the giver votes themselves."""
    consultant = network_access.consultant_of(actor) if actor is not None else None
    with transaction.atomic():
        decision = _get(Decision, decision_id, "decision", lock=True)
        if consultant is None or _status_on(decision, consultant) is None:
            raise PermissionDenied(_("You are not among the members eligible to vote on this."))
        if decision_is_closed(decision):
            raise DecisionClosed(_("Voting on this decision has closed."))
        proxy = _live_proxy(decision, consultant.pk, lock=True)
        if proxy is None:
            raise ProxyConflict(_("You have no proxy to revoke on this decision."))
        proxy.ended_at = timezone.now()
        proxy.save(update_fields=["ended_at"])
    return proxy


def decision_close(*, actor, decision_id: int) -> Decision:
    """Close the vote now (``access.may_close_decision``: the decision's creator while a working
    member, the secretary, the staff coordinators, administrators); who closed it is recorded."""
    with transaction.atomic():
        decision = _get(Decision, decision_id, "decision", lock=True)
        # Who before when, as for votes: a caller who may not close hears so whatever the state.
        if not access.may_close_decision(actor, decision):
            raise PermissionDenied(access.CLOSE_REFUSED)
        if decision.closed_at is not None:
            raise DecisionClosed(_("This decision is already closed."))
        if decision_is_closed(decision):
            raise DecisionClosed(_("Voting on this decision closed at its closing time."))
        decision.closed_at = timezone.now()
        decision.closed_by = actor
        decision.save(update_fields=["closed_at", "closed_by"])
    return decision


def decision_is_closed(decision: Decision) -> bool:
    if decision.closed_at is not None:
        return True
    return decision.closes_at is not None and decision.closes_at <= timezone.now()


def decision_outcome(decision: Decision) -> str:
    """The outcome computed from the current votes (``handbook.decisions``)."""
    choices = decision.votes.filter(superseded_at__isnull=True).values_list("choice", flat=True)
    return decisions.outcome(
        decision.rule, decision.quorum, list(choices), withdrawn=decision.withdrawn_at is not None
    )


def action_item_create(
    *, actor, meeting_id: int, text: str, owner, due: datetime.date
) -> ActionItem:
    """An action item on a meeting's record (``access.may_change_meeting``), owned by a working
    member: only they, besides the record keepers, can mark it done."""
    _require_recorder(actor)
    meeting = _get(Meeting, meeting_id, "meeting")
    _require_meeting_change(actor, meeting)
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({"text": _("Say what is to be done.")})
    if len(text) > 500:
        raise ValidationError({"text": at_most(500)})
    owners = _members([owner.pk if isinstance(owner, Consultant) else owner], "owner")
    if owners[0].status not in WORKING_STATUSES:
        raise ValidationError(
            {
                "owner": _(
                    "%(member)s is %(status)s; an action item's owner is a working member "
                    "(active or on probation)."
                )
                % {"member": owners[0], "status": str(owners[0].get_status_display()).lower()}
            }
        )
    if isinstance(due, datetime.datetime) or not isinstance(due, datetime.date):
        raise ValidationError({"due": A_DATE})
    with transaction.atomic():
        item = ActionItem(meeting=meeting, text=text, owner=owners[0], due=due)
        item.full_clean()
        item.save()
    return item


def action_item_done(*, actor, item_id: int) -> ActionItem:
    """Mark an action item done (``access.may_mark_done``: its owner, the member who recorded
    the meeting, the secretary, the staff coordinators); done twice is done once."""
    with transaction.atomic():
        item = _get(ActionItem, item_id, "item", lock=True, related=("meeting",))
        if not access.may_mark_done(actor, item):
            raise PermissionDenied(access.MARK_DONE_REFUSED)
        if item.done_at is None:
            item.done_at = timezone.now()
            item.save(update_fields=["done_at"])
    return item
