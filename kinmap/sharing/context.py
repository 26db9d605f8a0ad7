"""The count shown next to "Notifications" in the navigation."""

from __future__ import annotations

from typing import Any

from django.db.models import Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kinmap.accounts.models import User


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}

    def count() -> int:
        """Unread notifications and overdue requests, counted in one query."""
        from .models import Notification
        from .services import overdue_requests_for

        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        counts = User.objects.filter(pk=user.pk).values_list(
            _count(unread), _count(overdue_requests_for(user).select_related(None))
        )
        return sum(counts.first() or (0, 0))

    # Counted only on pages that show it.
    return {"notification_count": SimpleLazyObject(count)}


def _count(rows: QuerySet[Any]) -> Coalesce:
    """How many ``rows`` there are, as a subquery to read beside others."""
    counted = rows.order_by().values(n=Func("pk", function="COUNT"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
