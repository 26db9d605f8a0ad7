"""The count shown next to "Notifications" in the navigation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import Any

from django.db.models import Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from kinmap.accounts.models import User
from kinmap.records.pipelined import Bound, FixedQueries, Ids, rows_of
from kinmap.web.request_memo import memoised


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}

    def count() -> int:
        """Unread notifications and overdue requests, counted in one query
        (none when the page read it already: :func:`notification_count_from`)."""
        return memoised(
            ("notification-count", user.pk), lambda: notification_count_from(rows_of(counts_of(user))[0])
        )

    # Counted only on pages that show it.
    return {"notification_count": SimpleLazyObject(count)}


def counts_of(user: User) -> Bound:
    """The user's unread notifications and overdue requests (as
    ``services.overdue_requests_for`` finds them, today), as one row of two
    counts: a fixed query over the user's id (built and compiled once a day
    and connection: :class:`kinmap.records.pipelined.FixedQueries`), for a
    page to send with its other reads (:func:`kinmap.records.pipelined.rows_of`)."""
    day = timezone.localdate()
    queries = _COUNTS.get(day)
    if queries is None:
        _COUNTS.clear()  # yesterday's are no longer needed
        queries = _COUNTS[day] = FixedQueries(partial(_count_queries, day))
    return queries.bind([user.pk])


def _count_queries(day: date, ids: Ids) -> list[QuerySet[Any, Any]]:
    from .models import Notification
    from .services import overdue_requests

    unread = Notification.objects.filter(recipient_id__in_ids=ids, read_at__isnull=True)
    overdue = overdue_requests(day).filter(requested_by_id__in_ids=ids)
    return [User.objects.filter(pk__in_ids=ids).values_list(_count(unread), _count(overdue))]


_COUNTS: dict[date, FixedQueries] = {}


def notification_count_from(rows: Iterable[tuple[int, int]]) -> int:
    """The count next to "Notifications" from the rows of :func:`counts_of`."""
    return sum(next(iter(rows), (0, 0)))


def notification_count_read(user: User, rows: list[tuple[int, int]]) -> None:
    """Keep the count the page read with its other reads (the rows of
    :func:`counts_of`) for the navigation, for the rest of this reading
    request (:mod:`kinmap.web.request_memo`)."""
    memoised(("notification-count", user.pk), lambda: notification_count_from(rows))


def _count(rows: QuerySet[Any]) -> Coalesce:
    """How many ``rows`` there are, as a subquery to read beside others."""
    counted = rows.order_by().values(n=Func("pk", function="COUNT"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
