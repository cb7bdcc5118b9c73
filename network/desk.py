"""The desk: where a signed-in person lands, one panel per thing they look after.

The network is the bottom layer and knows nothing of requests, bids or the handbook, so each app
registers a provider here (in its ``AppConfig.ready``) and the desk page and the navigation ask
them all:

- ``panels(user)`` answers the user's panels (``DeskPanel``), or None when the app has nothing
  for them; each panel costs a small fixed number of queries, whatever the number of rows.
- ``counts(user)`` answers what the navigation counts for them: pairs of a navigation entry
  (``NAV_ENTRIES``) and a queryset of the rows waiting there. The navigation counts every
  provider's querysets in one query (``count_all``), once per request.

A provider decides who sees what with the access rules of its app, so a member who is not
working (on leave, alumni, former) gets no member panel and no member count.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import IntegerField, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

# The navigation's entries that can carry a count, and the group each belongs to (None: a link
# of its own). Providers name these; the base template shows them.
NAV_ENTRIES = {
    "handbook": None,
    "my_offers": "my_work",
    "my_bids": "my_work",
    "queue": "coordination",
    "meetings": "alliance",
    "decisions": "alliance",
}
NAV_GROUPS = ("my_work", "coordination", "alliance")

# How many of the most urgent rows a panel lists; its counts say how many there are in all.
ITEMS_SHOWN = 5


@dataclass(frozen=True)
class DeskCount:
    """A figure on a panel, such as "Submitted: 4", linking to the rows it counts."""

    label: str
    value: int
    url: str = ""


@dataclass(frozen=True)
class DeskItem:
    """One row that waits for the user, linking to its own page."""

    title: str
    url: str
    note: str = ""  # what is waiting, in plain words ("Answer by 3 May, 14:00")
    reference: str = ""  # a request's reference, shown before the title
    urgent: bool = False  # overdue, or about to run out


@dataclass(frozen=True)
class DeskPanel:
    key: str
    title: str
    order: int  # panels are shown by this, lowest first
    counts: list[DeskCount] = field(default_factory=list)
    items: list[DeskItem] = field(default_factory=list)
    empty_text: str = _("Nothing is waiting for you here.")
    intro: str = ""  # one sentence: what the panel is about
    link_url: str = ""  # the page with all of it
    link_text: str = ""
    items_title: str = _("Most urgent")
    template: str = ""  # an include of its own, instead of the standard body

    @property
    def shown_counts(self) -> list[DeskCount]:
        """The counts above nought: a nought says nothing the empty state does not."""
        return [count for count in self.counts if count.value]

    @property
    def is_empty(self) -> bool:
        return not self.items and not self.shown_counts


PanelsProvider = Callable[[object], Iterable[DeskPanel] | None]
CountsProvider = Callable[[object], Iterable[tuple[str, QuerySet]] | None]


@dataclass(frozen=True)
class _Provider:
    key: str
    panels: PanelsProvider | None
    counts: CountsProvider | None


_providers: dict[str, _Provider] = {}


def register(
    key: str, panels: PanelsProvider | None = None, *, counts: CountsProvider | None = None
) -> None:
    """Register an app's desk provider under ``key`` (registering a key again replaces it, so
    ``ready`` may run twice)."""
    _providers[key] = _Provider(key, panels, counts)


def registered() -> list[str]:
    return list(_providers)


def panels_for(user) -> list[DeskPanel]:
    """Every provider's panels for ``user``, in their order."""
    if not user.is_authenticated:
        return []
    panels: list[DeskPanel] = []
    for provider in _providers.values():
        if provider.panels is not None:
            panels.extend(provider.panels(user) or ())
    return sorted(panels, key=lambda panel: (panel.order, panel.key))


# --- Counting many querysets in one query ---------------------------------------------------


class _CountOf(Subquery):
    """``(SELECT COUNT(*) FROM (<queryset>))``: a queryset's number of rows as one column."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) desk_count)"
    output_field = IntegerField()


def count_all(user, querysets: dict[str, QuerySet]) -> dict[str, int]:
    """The number of rows of each queryset, in one query whatever their number (each becomes a
    column of one row read from the user's own record)."""
    if not querysets:
        return {}
    columns = {
        f"c{index}": _CountOf(queryset.order_by().values("pk"))
        for index, queryset in enumerate(querysets.values())
    }
    row = get_user_model().objects.filter(pk=user.pk).values(**columns).first() or {}
    return {name: row.get(f"c{index}") or 0 for index, name in enumerate(querysets)}


# --- The navigation's counts -----------------------------------------------------------------


def nav_counts(user) -> dict[str, int]:
    """Each navigation entry's count for ``user``, in one query (none for anonymous visitors or
    when no provider counts anything for them)."""
    if not user.is_authenticated:
        return {}
    pairs: list[tuple[str, QuerySet]] = []
    for provider in _providers.values():
        if provider.counts is not None:
            pairs.extend(provider.counts(user) or ())
    querysets = {f"{entry}:{index}": queryset for index, (entry, queryset) in enumerate(pairs)}
    counted = count_all(user, querysets)
    totals: dict[str, int] = {}
    for name, value in counted.items():
        entry = name.split(":", 1)[0]
        totals[entry] = totals.get(entry, 0) + value
    return totals


class DeskNav:
    """The navigation's counts for one request, counted on first use (a page that shows no
    navigation, such as an htmx partial, costs nothing)."""

    def __init__(self, user):
        self._user = user
        self._counts: dict[str, int] | None = None

    @property
    def counts(self) -> dict[str, int]:
        if self._counts is None:
            self._counts = nav_counts(self._user)
        return self._counts

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def group_total(self, group: str) -> int:
        return sum(value for entry, value in self.counts.items() if NAV_ENTRIES.get(entry) == group)

    @property
    def my_work(self) -> int:
        return self.group_total("my_work")

    @property
    def coordination(self) -> int:
        return self.group_total("coordination")

    @property
    def alliance(self) -> int:
        return self.group_total("alliance")


def desk_nav_for(request) -> DeskNav:
    """The request's ``DeskNav``, made once per request."""
    nav = getattr(request, "_desk_nav", None)
    if nav is None:
        nav = DeskNav(request.user)
        request._desk_nav = nav
    return nav
