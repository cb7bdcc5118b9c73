"""Reads of the handbook that take more than one query."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from handbook.models import Page, PageLink
from handbook.rendering import Rendered, render, wikilink_targets


def backlinks(page: Page, visible: QuerySet[Page]) -> QuerySet[Page]:
    """The pages (among ``visible``) whose latest revision links to ``page``."""
    linking = PageLink.objects.filter(to_slug=page.slug).values("from_page_id")
    return visible.filter(pk__in=linking).exclude(pk=page.pk).order_by("title", "pk")


def rendered(page: Page) -> Rendered:
    """The page's latest body as safe HTML, with red links for the pages that do not exist
    (one query for the slugs it links to)."""
    targets = PageLink.objects.filter(from_page=page).values_list("to_slug", flat=True)
    existing = set(Page.objects.filter(slug__in=targets).values_list("slug", flat=True))
    return render(page.body, existing)


def rendered_text(body: str) -> Rendered:
    """Markdown not saved yet (the editor's preview) as the page would show it: the same
    renderer and sanitiser, red links for pages that do not exist (one query)."""
    targets = wikilink_targets(body)
    existing = set(Page.objects.filter(slug__in=targets).values_list("slug", flat=True))
    return render(body, existing)


def person_name(user) -> str:
    """A revision author as members know them: their directory name, else the username."""
    if user is None:
        return _("Unknown")
    try:
        return user.consultant.display_name
    except ObjectDoesNotExist:
        return user.get_username()
