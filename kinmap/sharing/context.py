"""The count shown next to "Notifications" in the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kinmap.accounts.models import User


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}

    def count() -> int:
        from .models import Notification
        from .services import overdue_requests_for

        return Notification.objects.filter(recipient=user, read_at__isnull=True).count() + (
            overdue_requests_for(user).count()
        )

    # Counted only on pages that show it.
    return {"notification_count": SimpleLazyObject(count)}
