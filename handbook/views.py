"""Handbook pages: the index, reading, creating and editing pages, history and diffs, search and
export (meetings, decisions and votes are in ``handbook.record_views``).

Each view parses the request, loads what it shows through ``handbook.access``, calls one
service of ``handbook.services`` and renders. Public pages are readable by anyone; the rest of
the handbook, meetings and decisions are for members (``access.may_read_members_pages``), and
members edit (``access.may_edit``). Anonymous visitors who open a page they may not read are
sent to sign in; signed-in non-members get a 404 for a members' page and a 403 elsewhere.

An edit names the revision it was based on. When someone saved in between, the service refuses
it (``EditConflict``) and the editor answers 409 with both texts and the diff between them; the
writer's text stays in the editor and the hidden ``base_revision`` moves to the latest revision,
so the next save (after merging) goes through.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from handbook import access, proposals, reminders, selectors, services
from handbook.diff import diff_rows, stats
from handbook.export import export_zip
from handbook.forms import (
    DiffForm,
    IndexFilterForm,
    PageCreateForm,
    PageEditForm,
    RevertForm,
    SearchForm,
)
from handbook.models import Decision, Meeting, Page, PageRevision, Proposal
from handbook.proposal_views import open_proposals
from handbook.rendering import WIKILINK, slug_for
from handbook.search import search_pages
from handbook.selectors import person_name
from network.forms import add_service_errors

# Enough titles to scan at once; the index groups each page of results by category.
INDEX_PAGE_SIZE = 100
HISTORY_PAGE_SIZE = 50
SEARCH_RESULTS = 20
# Unchanged lines kept around each change in the diff view; the rest fold into one row.
DIFF_CONTEXT_LINES = 3

# The index lists categories in this order: rules first, then how-tos, then the record.
CATEGORY_ORDER = Case(
    *(
        When(category=value, then=Value(position))
        for position, value in enumerate(Page.Category.values)
    ),
    default=Value(len(Page.Category.values)),
    output_field=IntegerField(),
)

# --- Gates ----------------------------------------------------------------------------------
# Pages behind a sign-in use Django's ``login_required`` (the page asked for comes back after);
# meetings and decisions use ``network.decorators.members_only`` (see ``handbook.record_views``).


def _require_editor(user) -> None:
    if not access.may_edit(user):
        raise PermissionDenied(access.EDIT_REFUSED)


# --- Reviews --------------------------------------------------------------------------------


review_cutoff = reminders.review_cutoff
review_due = reminders.is_due_for_review


def _due_filter(cutoff: datetime.date) -> Q:
    return reminders.due_for_review_q(cutoff)


# --- The index, search and export -----------------------------------------------------------


@dataclass(frozen=True)
class IndexEntry:
    page: Page
    due: bool


@dataclass(frozen=True)
class CategoryGroup:
    label: str
    value: str
    entries: list[IndexEntry]


@require_safe
def handbook_index(request):
    user = request.user
    form = IndexFilterForm(request.GET or None)
    cutoff = review_cutoff()
    # The body can be 200,000 characters; the index shows titles only.
    pages = access.visible_pages(user).defer("body")
    filters_active = False
    if form.is_bound and not form.is_valid():
        # A filter that cannot be read must not widen the list.
        pages = pages.none()
        filters_active = True
    elif form.is_bound:
        filters = form.cleaned_data
        if filters["category"]:
            pages = pages.filter(category=filters["category"])
        if filters["visibility"]:
            pages = pages.filter(visibility=filters["visibility"])
        if filters["due"]:
            pages = pages.filter(_due_filter(cutoff))
        filters_active = any(filters.values())
    pages = pages.annotate(category_rank=CATEGORY_ORDER).order_by("category_rank", "title", "pk")
    listing = Paginator(pages, INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    groups: list[CategoryGroup] = []
    for page in listing.object_list:
        if not groups or groups[-1].value != page.category:
            groups.append(CategoryGroup(page.get_category_display(), page.category, []))
        groups[-1].entries.append(IndexEntry(page, review_due(page, cutoff)))
    context = {
        "filter_form": form,
        "filters_active": filters_active,
        "listing": listing,
        "groups": groups,
        "search_form": SearchForm(),
        "may_edit": access.may_edit(user),
        "members_reader": access.may_read_members_pages(user),
        "review_months": getattr(settings, "HANDBOOK_REVIEW_MONTHS", 12),
    }
    return render(request, "handbook/index.html", context, status=400 if form.errors else 200)


@require_safe
def handbook_search(request):
    form = SearchForm(request.GET)
    query = ""
    hits = []
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            hits = search_pages(access.visible_pages(request.user), query, limit=SEARCH_RESULTS)
    context = {"form": form, "query": query, "hits": hits}
    return render(request, "handbook/search.html", context, status=400 if form.errors else 200)


@require_safe
def handbook_export(request):
    """Every page the reader may see, as a zip of Markdown files with front matter."""
    pages = access.visible_pages(request.user).select_related("owner", "latest_revision")
    archive = export_zip(pages)
    filename = f"handbook-{timezone.localdate():%Y-%m-%d}.zip"
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Reading a page -------------------------------------------------------------------------


def _title_for_missing(slug: str, pages) -> str:
    """The title a red link to ``slug`` was written with, from a page that links to it; else
    the slug in words."""
    linking = pages.filter(outgoing_links__to_slug=slug).values_list("body", flat=True)[:5]
    for body in linking:
        for match in WIKILINK.finditer(body):
            if slug_for(match.group(1)) == slug:
                return match.group(1).strip()
    return slug.replace("-", " ").capitalize()


@require_safe
def page_detail(request, slug):
    user = request.user
    try:
        page = access.get_page_for_user(user, slug)
    except Http404:
        if not user.is_authenticated:
            # A members' page (or one not written yet): signing in may open it.
            return redirect_to_login(request.get_full_path())
        if not access.may_read_members_pages(user):
            raise
        # A member followed a red link: offer to write the page.
        title = _title_for_missing(slug, access.visible_pages(user))
        context = {"slug": slug, "title": title, "may_edit": access.may_edit(user)}
        return render(request, "handbook/page_missing.html", context, status=404)
    visible = access.visible_pages(user)
    context = {
        "page": page,
        "rendered": selectors.rendered(page),
        "backlinks": selectors.backlinks(page, visible).only("title", "slug"),
        "due": review_due(page, review_cutoff()),
        "may_edit": access.may_edit(user),
        "may_propose": access.may_propose(user),
        "may_govern": access.keeps_the_record(user),
        # Only a governed page has changes being voted on (it stays governed while it does).
        "proposals": (
            open_proposals(page) if page.is_governed and access.may_read_members_pages(user) else []
        ),
        "review_months": getattr(settings, "HANDBOOK_REVIEW_MONTHS", 12),
        "meetings": (
            page.meetings.all()
            if page.category == Page.Category.MINUTES
            else Meeting.objects.none()
        ),
    }
    return render(request, "handbook/page_detail.html", context)


# --- Writing pages --------------------------------------------------------------------------


def _previewing(request) -> bool:
    """The editor's Preview button was pressed: show the text rendered, save nothing."""
    return "preview" in request.POST


def _preview(form) -> dict:
    return {
        "preview": selectors.rendered_text(form.cleaned_data["body"]),
        "preview_title": form.cleaned_data["title"],
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def page_new(request):
    _require_editor(request.user)
    if request.method != "POST":
        initial = {"title": request.GET.get("title", "")[:200]}
        if request.GET.get("category") in Page.Category.values:
            initial["category"] = request.GET["category"]
        form = PageCreateForm(initial=initial)
        return render(request, "handbook/page_new.html", {"form": form})
    form = PageCreateForm(request.POST)
    if form.is_valid():
        if _previewing(request):
            context = {"form": form, **_preview(form)}
            return render(request, "handbook/page_new.html", context)
        try:
            page = services.page_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            # The address is made from the title, so a taken address is the title's problem.
            add_service_errors(form, error, renames={"slug": "title"})
        else:
            messages.success(request, _("Created the page %(title)s.") % {"title": page.title})
            return redirect(page)
    return render(request, "handbook/page_new.html", {"form": form}, status=400)


def _editor(request, page: Page, form: PageEditForm, *, conflict=None, preview=None, status=200):
    context = {"page": page, "form": form, "conflict": conflict, **(preview or {})}
    if page.is_governed:
        context.update(
            governed=True,
            proposal_rule=Decision.Rule(proposals.proposal_rule()).label,
            proposal_days=proposals.proposal_days(),
            proposals=open_proposals(page),
        )
    if conflict is not None:
        latest = conflict.latest
        mine = form.data.get("body", "")
        added, removed = stats(latest.body, mine)
        context.update(
            latest=latest,
            latest_author=person_name(latest.author),
            my_text=mine,
            my_title=form.data.get("title", ""),
            diff_rows=diff_rows(latest.body, mine, context=DIFF_CONTEXT_LINES),
            diff_stats={"added": added, "removed": removed},
        )
    return render(request, "handbook/page_edit.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def page_edit(request, slug):
    page = access.get_page_for_user(request.user, slug, write=True)
    if page.is_governed and not access.may_propose(request.user):
        raise PermissionDenied(proposals.PROPOSE_REFUSED)
    if request.method != "POST":
        initial = {
            "base_revision": page.latest_revision_id,
            "title": page.title,
            "body": page.body,
        }
        # "Propose it again": a change the page outgrew, in the editor on the latest text.
        again = request.GET.get("from_proposal", "")
        earlier = page.proposals.filter(pk=again).first() if again.isdigit() else None
        if earlier is not None:
            initial.update(title=earlier.title, body=earlier.body, summary=earlier.summary)
        return _editor(request, page, PageEditForm(initial=initial))
    form = PageEditForm(request.POST)
    if not form.is_valid():
        return _editor(request, page, form, status=400)
    if _previewing(request):
        # Nothing is saved; the hidden base revision stays as it was, so the save that follows
        # is still checked against what the writer opened.
        return _editor(request, page, form, preview=_preview(form))
    change = proposals.proposal_create if page.is_governed else services.page_edit
    try:
        saved = change(
            actor=request.user,
            page_id=page.pk,
            base_revision=form.cleaned_data["base_revision"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            summary=form.cleaned_data["summary"],
        )
    except services.EditConflict as conflict:
        # Keep everything the writer typed; only the revision it is based on moves to the
        # latest, so saving again (after merging) is an edit of what they have now seen.
        data = request.POST.copy()
        data["base_revision"] = str(conflict.latest.pk)
        form = PageEditForm(data)
        form.is_valid()
        return _editor(request, conflict.page, form, conflict=conflict, status=409)
    except services.GovernedPage as refusal:
        # The page became governed while the writer edited: their text stays in the editor,
        # which now proposes it.
        page.refresh_from_db()
        form.add_error(None, str(refusal))
        return _editor(request, page, form, status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        return _editor(request, page, form, status=400)
    if isinstance(saved, Proposal):
        messages.success(
            request,
            _(
                "Proposed your change to %(title)s. It is put to the vote and becomes the "
                "page's text if the vote passes."
            )
            % {"title": page.title},
        )
        return redirect(saved)
    messages.success(
        request,
        _("Saved revision %(number)s of %(title)s.")
        % {"number": saved.number, "title": saved.title},
    )
    return redirect(page)


@require_POST
@login_required
def page_review(request, slug):
    page = access.get_page_for_user(request.user, slug, write=True)
    page = services.page_mark_reviewed(actor=request.user, page_id=page.pk)
    messages.success(
        request,
        _("Marked %(title)s as reviewed on %(date)s.")
        % {"title": page.title, "date": date_format(page.last_reviewed, "j F Y")},
    )
    return redirect(page)


# --- History, diff and revert ---------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    revision: PageRevision
    author: str
    added: int
    removed: int
    is_latest: bool


def _history(request, page: Page, *, error: str = "", status: int = 200):
    revisions = page.revisions.select_related("author__consultant", "proposal__decision").order_by(
        "-number"
    )
    listing = Paginator(revisions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(listing.object_list)
    # Each row's +/- lines compare it with the revision before it; the oldest row on this page
    # of history needs the one just below it (one more query, whatever the page size).
    earlier = {}
    if shown and shown[-1].number > 1:
        before = page.revisions.filter(number=shown[-1].number - 1).only("body").first()
        if before is not None:
            earlier[shown[-1].number - 1] = before.body
    bodies = {revision.number: revision.body for revision in shown} | earlier
    rows = []
    for revision in shown:
        added, removed = stats(bodies.get(revision.number - 1, ""), revision.body)
        rows.append(
            HistoryRow(
                revision=revision,
                author=person_name(revision.author),
                added=added,
                removed=removed,
                is_latest=revision.pk == page.latest_revision_id,
            )
        )
    latest_number = page.latest_revision.number if page.latest_revision else 0
    context = {
        "page": page,
        "listing": listing,
        "rows": rows,
        "may_edit": access.may_edit(request.user),
        "error": error,
        "default_from": max(latest_number - 1, 1),
        "default_to": latest_number,
        "not_adopted": page.proposals.exclude(
            status__in=[Proposal.Status.OPEN, Proposal.Status.ADOPTED]
        ).select_related("author__consultant", "decision"),
        "open_proposals": page.proposals.filter(status=Proposal.Status.OPEN).select_related(
            "author__consultant", "decision"
        ),
    }
    return render(request, "handbook/history.html", context, status=status)


@require_safe
@login_required
def page_history(request, slug):
    return _history(request, access.get_page_for_user(request.user, slug))


@require_safe
@login_required
def page_diff(request, slug):
    page = access.get_page_for_user(request.user, slug)
    latest_number = page.latest_revision.number if page.latest_revision else 0
    if "from" in request.GET or "to" in request.GET:
        form = DiffForm(request.GET)
    else:
        form = DiffForm({"from": max(latest_number - 1, 1), "to": latest_number})
    context = {"page": page, "form": form}
    if not form.is_valid():
        return render(request, "handbook/diff.html", context, status=400)
    numbers = form.cleaned_data["from_number"], form.cleaned_data["to_number"]
    found = {
        revision.number: revision
        for revision in page.revisions.filter(number__in=numbers).select_related(
            "author__consultant"
        )
    }
    for field, number in zip(("from_number", "to_number"), numbers, strict=True):
        if number not in found:
            form.add_error(field, _("This page has no revision %(number)s.") % {"number": number})
    if form.errors:
        return render(request, "handbook/diff.html", context, status=400)
    old, new = found[numbers[0]], found[numbers[1]]
    context.update(
        compared=True,
        old=old,
        new=new,
        old_label=_("Revision %(number)s") % {"number": old.number},
        new_label=_("Revision %(number)s") % {"number": new.number},
        old_author=person_name(old.author),
        new_author=person_name(new.author),
        rows=diff_rows(old.body, new.body, context=DIFF_CONTEXT_LINES),
        stats=dict(zip(("added", "removed"), stats(old.body, new.body), strict=True)),
    )
    return render(request, "handbook/diff.html", context)


@require_POST
@login_required
def page_revert(request, slug):
    page = access.get_page_for_user(request.user, slug, write=True)
    form = RevertForm(request.POST)
    if not form.is_valid():
        return _history(request, page, error=_("Choose a revision to restore."), status=400)
    if page.is_governed and not access.may_propose(request.user):
        raise PermissionDenied(proposals.PROPOSE_REFUSED)
    revert = proposals.proposal_revert if page.is_governed else services.page_revert
    try:
        revision = revert(
            actor=request.user,
            page_id=page.pk,
            revision_id=form.cleaned_data["revision"],
            base_revision=form.cleaned_data["base_revision"],
        )
    except services.EditConflict as conflict:
        # The service's message names revision ids; readers know revisions by their number.
        latest = conflict.latest
        error = _(
            "Someone saved revision %(number)s of this page since you opened its history, "
            "so nothing was restored. Look at the history as it is now, then choose again."
        ) % {"number": latest.number}
        return _history(request, conflict.page, error=error, status=409)
    except services.GovernedPage as refusal:
        return _history(request, page, error=str(refusal), status=409)
    except ValidationError as error:
        return _history(request, page, error=" ".join(error.messages), status=400)
    if isinstance(revision, Proposal):
        messages.success(
            request,
            _("Proposed restoring %(title)s to an earlier revision; it is put to the vote.")
            % {"title": page.title},
        )
        return redirect(revision)
    messages.success(
        request,
        _("Restored revision %(old)s of %(title)s as revision %(number)s.")
        % {"old": revision.reverts.number, "title": revision.title, "number": revision.number},
    )
    return redirect(page)
