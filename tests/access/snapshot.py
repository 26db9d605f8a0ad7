"""A fingerprint of everything a request could change, to show that a refused
request saved nothing."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Max, Sum

from kinmap.audit.models import AuditEvent

APPS = ("records", "gaps", "carers", "sharing", "accounts")


def fingerprint() -> dict[str, tuple[int, int, int]]:
    """For every model of kinmap: (rows, largest id, sum of versions where kept),
    and the audit trail's length."""
    out: dict[str, tuple[int, int, int]] = {"audit": (AuditEvent.objects.count(), 0, 0)}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            fields = {f.name for f in model._meta.get_fields()}
            agg = model._default_manager.aggregate(
                top=Max("pk"), **({"versions": Sum("version")} if "version" in fields else {})
            )
            out[model._meta.label] = (
                model._default_manager.count(),
                int(agg["top"] or 0),
                int(agg.get("versions") or 0),
            )
    return out
