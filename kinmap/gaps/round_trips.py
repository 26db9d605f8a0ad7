"""How many page loads and form submissions a contact takes, with and without
the contact page's script (``kinmap bench``: ``contact_round_trips``).

The seed family's 6 to 8 week review, run through Django's test client the
way a browser runs it: from the family page, start the contact (mother, father
and baby present and seen); give the father two safety materials at once on
his carer page; record one "did not want to say"; one answer; confirm the
household; record the rest as not asked this time, with a reason; close.
Without JavaScript every save on the contact page is a submission and a
redirect to the page (a page load); with it, the save is one request whose
answer is the page, from which the script swaps in what changed (the request
carries ``Kinmap-Fetch: 1`` as the script's does).

Runs on the configured database inside a transaction that is rolled back, so
it leaves nothing behind; it loads the demo families first if they are not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.carers.models import Material
from kinmap.records import models as rm

from . import models as gm
from .contact_page import FETCH_HEADER

SEED = "Family of Alfie Renshaw"
USER = "health.visitor"


class RoundTripError(Exception):
    """The scenario did not go as a browser would (a page failed, or the contact stayed open)."""


class _Rollback(Exception):
    pass


@dataclass
class _Driver:
    client: Client
    javascript: bool
    page_loads: int = 0
    submissions: int = 0

    def load(self, url: str) -> None:
        self.page_loads += 1
        response = self.client.get(url)
        if response.status_code != 200:
            raise RoundTripError(f"GET {url} answered {response.status_code}")

    def submit(self, url: str, data: dict[str, Any], *, in_place: bool = False) -> None:
        """POST a form; ``in_place``: a save on the contact page (sent by the
        script when there is one, so no page load follows)."""
        self.submissions += 1
        fetch = in_place and self.javascript
        headers = {FETCH_HEADER: "1"} if fetch else {}
        response = self.client.post(url, data, headers=headers)
        if fetch:
            if response.status_code != 200 or b"govuk-error-summary" in response.content:
                raise RoundTripError(f"POST {url} (script) answered {response.status_code} or an error")
            return
        if response.status_code != 302:
            raise RoundTripError(f"POST {url} answered {response.status_code}, not a redirect")
        self.load(response["Location"])


def _day(prefix: str, d: date) -> dict[str, str]:
    return {f"{prefix}_0": str(d.day), f"{prefix}_1": str(d.month), f"{prefix}_2": str(d.year)}


def _scenario(driver: _Driver, network: rm.FamilyNetwork, user: User) -> dict[str, int]:
    today = timezone.localdate()
    people = {str(p): p for p in rm.Person.objects.filter(memberships__network=network)}
    mother, father, baby = people["Chloe Renshaw"], people["Jordan Pike"], people["Alfie Renshaw"]
    everyone = [mother.pk, father.pk, baby.pk]
    n = network.pk
    driver.load(reverse("family", args=[n]))
    driver.load(reverse("contact-start", args=[n]))
    driver.submit(
        reverse("contact-start", args=[n]),
        {"type": "6-8-weeks", **_day("date", today), "present": everyone, "seen_directly": everyone},
    )
    contact = gm.Contact.objects.get(network=network, practitioner=user, status=gm.Contact.Status.OPEN)
    c = contact.pk

    def gap(person: rm.Person, missing: str) -> gm.Gap:
        return next(
            o.gap
            for o in contact.outcomes.select_related("gap")
            if o.gap.subject_id == str(person.pk) and missing in o.gap.missing and o.gap.is_open
        )

    # two materials at once, on the father's carer page, then back to the contact
    materials = list(Material.objects.filter(code__in=["icon", "safer-sleep"]).values_list("pk", flat=True))
    driver.load(reverse("information-add", args=[n, father.pk]))
    driver.submit(
        reverse("information-add", args=[n, father.pk]),
        {"materials": materials, "outcome": "given", "how": "in-person", **_day("given_on", today)},
    )
    driver.load(reverse("contact", args=[n, c]))
    declined = gap(father, "other_names")
    p = f"g{declined.pk}"
    driver.submit(
        reverse("contact-gap-outcome", args=[n, c, declined.pk]),
        {
            f"{p}-version": declined.version,
            f"{p}-outcome": "asked-declined",
            f"{p}-declined_by": father.pk,
            f"{p}-declined_reason": "He would rather not go into it today",
            f"{p}-declined_view": "Tired after work; ask again at the next visit",
        },
        in_place=True,
    )
    partner = gap(mother, "current_partner")
    driver.submit(
        reverse("contact-gap-answer", args=[n, c, partner.pk, "no-partner"]),
        {f"g{partner.pk}-no-partner-source": "said-by", f"g{partner.pk}-no-partner-source_detail": "Chloe"},
        in_place=True,
    )
    for household in rm.Household.objects.filter(residences__person=baby, residences__end__isnull=True):
        driver.submit(
            reverse("contact-household", args=[n, c, household.pk]), {"outcome": "no-change"}, in_place=True
        )
    driver.submit(
        reverse("contact-not-asked-rest", args=[n, c]),
        {"reason": "The baby was unsettled; the rest next time"},
        in_place=True,
    )
    driver.submit(reverse("contact-close", args=[n, c]), {})
    contact.refresh_from_db()
    if contact.status != gm.Contact.Status.CLOSED:
        raise RoundTripError("The contact did not close")
    return {
        "gaps": contact.outcomes.count(),
        "page_loads": driver.page_loads,
        "form_submissions": driver.submissions,
    }


def contact_round_trips() -> dict[str, dict[str, int]]:
    """Run the seed family's contact without and with the script.

    Returns ``{"without_javascript": {...}, "with_javascript": {...}}``, each
    with ``page_loads`` and ``form_submissions`` (counts of requests) and
    ``gaps`` (the gaps the contact showed). Raises :class:`RoundTripError`
    when a step fails.
    """
    from kinmap.records.demo_setup import demo_load

    out: dict[str, dict[str, int]] = {}
    for label, javascript in (("without_javascript", False), ("with_javascript", True)):
        try:
            with transaction.atomic(), override_settings(ALLOWED_HOSTS=["testserver"]):
                if not rm.FamilyNetwork.objects.filter(name=SEED).exists():
                    demo_load(today=timezone.localdate())
                network = rm.FamilyNetwork.objects.get(name=SEED)
                user = User.objects.get(username=USER)
                gm.Contact.objects.filter(network=network, practitioner=user, status="open").update(
                    status=gm.Contact.Status.CLOSED
                )
                client = Client()
                client.force_login(user)
                out[label] = _scenario(_Driver(client, javascript), network, user)
                raise _Rollback
        except _Rollback:
            pass
    return out
