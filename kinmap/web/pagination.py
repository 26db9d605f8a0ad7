"""Pages of a long list: the page asked for (``?page=N``) and the GOV.UK
pagination component's links. A page that is not a whole number or is past
the end answers 404, like any address that names nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import InvalidPage, Paginator
from django.core.paginator import Page as DjangoPage
from django.http import Http404, HttpRequest, QueryDict

PAGE_SIZE = 25  # rows of a worklist on one page: a screenful, and quick to load


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis between page numbers
    url: str
    current: bool = False


@dataclass(frozen=True)
class Pagination:
    """One page of a list: its rows (``items``), where it is in the whole
    (``first``..``last`` of ``count``, 1-based; ``pages`` in all, at least 1)
    and the links of the GOV.UK pagination component (empty when everything
    fits on one page)."""

    items: Sequence[Any]
    number: int
    count: int
    pages: int
    first: int
    last: int
    previous_url: str
    next_url: str
    links: list[PageLink]


class _Counted(Paginator):
    """A paginator told how many rows there are (kept elsewhere), so that it
    does not count them."""

    def __init__(self, rows: Any, per_page: int, count: int) -> None:
        super().__init__(rows, per_page, allow_empty_first_page=True)
        self._known = count

    @property
    def count(self) -> int:
        return self._known


def page_of(
    request: HttpRequest, rows: Any, per_page: int = PAGE_SIZE, count: int | None = None
) -> Pagination:
    """The page of ``rows`` (a queryset, or a list) named by the request's
    ``page`` parameter (1 when absent), in two queries for a queryset (the
    count and the page's rows), or one when ``count`` (how many ``rows``
    there are, kept elsewhere) is given. Raises ``Http404`` for a page that is
    not a whole number from 1 to the last page (page 1 of an empty list
    exists)."""
    paginator = (
        Paginator(rows, per_page, allow_empty_first_page=True)
        if count is None
        else _Counted(rows, per_page, count)
    )
    asked = request.GET.get("page", "1")
    # a page number is written in ASCII digits alone: int() would also take
    # "1_0", " 2" and full-width digits, each another address for the same page
    if not (asked.isascii() and asked.isdigit()):
        raise Http404("No such page")
    try:
        page: DjangoPage[Any] = paginator.page(asked)
    except InvalidPage:
        raise Http404("No such page") from None
    items = list(page.object_list)

    def url(number: int) -> str:
        query: QueryDict = request.GET.copy()
        query["page"] = str(number)
        return f"?{query.urlencode()}"

    links: list[PageLink] = []
    if paginator.num_pages > 1:
        for n in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
            if isinstance(n, int):
                links.append(PageLink(n, url(n), n == page.number))
            else:
                links.append(PageLink(None, ""))
    return Pagination(
        items=items,
        number=page.number,
        count=paginator.count,
        pages=paginator.num_pages,
        first=page.start_index(),
        last=page.end_index(),
        previous_url=url(page.number - 1) if page.has_previous() else "",
        next_url=url(page.number + 1) if page.has_next() else "",
        links=links,
    )
