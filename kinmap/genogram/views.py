"""Downloads of a family's genogram: SVG, PNG and PDF.

Each goes through the network access function (404 alike for missing and
forbidden), draws what the family page draws for this user, and records the
download in the audit trail as an export. PNG and PDF are converted from the
SVG by CairoSVG (on the system cairo library, which the Makefile installs).
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.chronology.asat import as_at_from, bad_as_at
from kinmap.records import access
from kinmap.records.selectors import family_record_load

from .presenters import critical_gap_markers, genogram_picture

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


def _filename(name: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "family"
    return f"genogram-{slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def download(request: HttpRequest, network_id: int, fmt: str) -> HttpResponse:
    """The family's genogram as an attachment in ``fmt`` ("svg", "png" or
    "pdf"), drawn as it stands today for this user, or as recorded at the end
    of the day ``?as_at=YYYY-MM-DD`` (a bad or future day: 400, a GOV.UK
    error page); 404 alike for a missing family and one the user may not see
    (nothing is then recorded)."""
    user = request.user
    assert isinstance(user, User)
    network = access.network_for_user(user, network_id)
    as_at = as_at_from(request.GET)
    if as_at.error:
        return bad_as_at(request, network, as_at)
    record = family_record_load(network, as_at=as_at.moment)
    net = record.graph_network
    if as_at.day is not None:  # as recorded then: no gap markers (gaps are as they are now)
        picture = genogram_picture(network.pk, net, user, as_at.day)
    else:
        picture = genogram_picture(
            network.pk, net, user, timezone.localdate(), gaps=critical_gap_markers(network.pk, net)
        )
    body = convert(picture.svg, fmt)
    audit_record(
        actor=user,
        action="export",
        object_type="genogram",
        object_id=network.pk,
        network_id=network.pk,
        changes={
            "format": [None, fmt],
            "people": [None, len(picture.layout.symbols)],
            **({"as_at": [None, as_at.day.isoformat()]} if as_at.day else {}),
        },
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{_filename(network.name, fmt)}"'
    return response


def convert(svg: str, fmt: str) -> bytes:
    """The SVG text as ``fmt`` ("svg", "png" or "pdf") bytes."""
    data = svg.encode()
    if fmt == "svg":
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + data
    import cairosvg  # the system cairo library is needed only for these two

    if fmt == "png":
        return bytes(cairosvg.svg2png(bytestring=data))
    if fmt == "pdf":
        return bytes(cairosvg.svg2pdf(bytestring=data))
    raise ValueError(f"unknown genogram format {fmt!r}")
