"""Pagination: the API's standard page-number pages, and the member directory's capped count.

A directory of 100,000 members cannot afford an exact ``COUNT`` over its filters on every page.
``CappedPaginator`` counts at most ``cap + 1`` matching rows (``SELECT COUNT(*) FROM (… LIMIT
cap + 1)``): up to the cap the count is exact and pages behave as Django's; over it, the count
is the cap and ``capped`` is true ("more than 1,000 members"), and a page knows whether another
follows by reading one row more than it shows. Only a request for the last page (``page=last``)
or past the end counts everything.
"""

from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class CappedPage(Page):
    """A page of a capped list: whether another follows was read, not computed from a total."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1


class CappedPaginator(Paginator):
    """A paginator whose ``count`` stops at ``cap`` (``settings.DIRECTORY_COUNT_CAP`` unless
    given); ``capped`` says the list is longer than that."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.cap = settings.DIRECTORY_COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        """Matching rows, counted up to ``cap + 1`` and no further."""
        if isinstance(self.object_list, QuerySet):
            # Only ids, in no order and without the joins of select_related: the database may
            # stop at the first cap + 1 matches it finds in whatever order suits it.
            return self.object_list.order_by().values("pk")[: self.cap + 1].count()
        return len(self.object_list[: self.cap + 1])

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def num_pages(self) -> int:
        if not self.capped:
            return super().num_pages
        # Only the last page and a page past the end need it: the one full count.
        total = (
            self.object_list.order_by().count()
            if isinstance(self.object_list, QuerySet)
            else len(self.object_list)
        )
        return max(1, -(-(total - self.orphans) // self.per_page))

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number):
        if not self.capped:
            return super().get_page(number)
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number):
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, has_next=len(rows) > self.per_page)


class DirectoryPagination(StandardPagination):
    """The member directory's pages: ``count`` is exact up to ``DIRECTORY_COUNT_CAP``; over
    it ``count`` is the cap and ``count_capped`` is true (more than ``count`` members match)."""

    def paginate_queryset(self, queryset, request, view=None):
        # As DRF's, without asking for the number of pages (a full count) on every request.
        self.request = request
        paginator = CappedPaginator(queryset, self.get_page_size(request))
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as error:
            raise NotFound(
                self.invalid_page_message.format(page_number=page_number, message=str(error))
            ) from error
        return list(self.page)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        properties = answer["properties"]
        properties["count"] = {
            "type": "integer",
            "example": 123,
            "description": (
                "Members that match, exact up to the directory's cap (DIRECTORY_COUNT_CAP, "
                "1,000 by default); over it, the cap itself, with count_capped true."
            ),
        }
        answer["properties"] = {
            "count": properties.pop("count"),
            "count_capped": {
                "type": "boolean",
                "example": False,
                "description": "True when more members match than count says (count is the cap).",
            },
            **properties,
        }
        answer["required"] = ["count", "count_capped", "results"]
        return answer
