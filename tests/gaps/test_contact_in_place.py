"""The contact page groups the gaps by person, most critical first, keeps a
running count of outcomes, and answers a save from its script with the page
itself (no redirect, no second request), errors shown in place."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from tests.gaps.family import SeedFamily, seed_family
from tests.gaps.test_contact_pages import signed_in, start, text

pytestmark = pytest.mark.django_db
RANK = {"critical": 0, "important": 1, "routine": 2}


@pytest.fixture
def fam(owner: User) -> SeedFamily:
    return seed_family(owner)


def groups(html: str) -> list[tuple[str, list[str]]]:
    """(group heading, [gap keys]) in page order."""
    out = []
    for part in html.split('class="kinmap-gap-group"')[1:]:
        heading = text(re.search(r"<h3[^>]*>(.*?)</h3>", part, re.S).group(1))  # type: ignore[union-attr]
        out.append((heading, re.findall(r'data-gap-key="([^"]+)"', part)))
    return out


def test_gaps_are_grouped_by_person_most_critical_first(client: Client, owner: User, fam: SeedFamily) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    html = client.get(reverse("contact", args=[fam.network.pk, contact.pk])).content.decode()
    found = groups(html)
    severity = {g.key: g.severity for g in gm.Gap.objects.filter(network=fam.network)}
    people = {str(p.pk): str(p) for p in (fam.baby, fam.mother, fam.father)}
    assert len(found) >= 2
    for heading, keys in found:
        ranks = [RANK[severity[k]] for k in keys]
        assert ranks == sorted(ranks), heading  # within a person, most severe first
        subjects = {gm.Gap.objects.get(key=k).subject_id for k in keys}
        kinds = {gm.Gap.objects.get(key=k).subject_kind for k in keys}
        if kinds <= {"person", "child"}:
            assert len(subjects) == 1 and heading.startswith(people[subjects.pop()])
    firsts = [RANK[severity[keys[0]]] for _, keys in found]
    assert firsts == sorted(firsts)  # the group with the most critical gap first
    assert found[0][0].startswith("Dan Testfather")
    total = sum(len(k) for _, k in found)
    assert f"0 of {total} recorded" in text(html)
    assert 'id="contact-progress" role="status" aria-live="polite"' in html


def _decline(fam: SeedFamily, contact: gm.Contact, gap: gm.Gap, **extra: str) -> dict[str, object]:
    p = f"g{gap.pk}"
    return {
        f"{p}-version": gap.version,
        f"{p}-outcome": "asked-declined",
        f"{p}-declined_by": fam.mother.pk,
        f"{p}-declined_reason": "She would rather not say",
        f"{p}-declined_view": "Unsure",
        **{f"{p}-{k}": v for k, v in extra.items()},
    }


def test_a_save_from_the_script_answers_with_the_page_and_the_new_count(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    gap = gm.Gap.objects.get(key=f"R02-birth-father:person:{fam.father.pk}")
    total = contact.outcomes.count()
    url = reverse("contact-gap-outcome", args=[fam.network.pk, contact.pk, gap.pk])
    response = client.post(url, _decline(fam, contact, gap), headers={"Kinmap-Fetch": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"1 of {total} recorded" in text(html)
    block = html[html.index(f'id="gap-{gap.pk}"') :]
    assert 'data-outcome="absent"' in block[: block.index('class="kinmap-gap"', 10)]
    assert "Saved: " in text(html)  # the message the script reads out
    # without the script: post, redirect, get
    partner = contact.outcomes.filter(outcome=gm.Outcome.PENDING).select_related("gap").first()
    assert partner is not None
    response = client.post(
        reverse("contact-gap-outcome", args=[fam.network.pk, contact.pk, partner.gap.pk]),
        {
            f"g{partner.gap.pk}-version": partner.gap.version,
            f"g{partner.gap.pk}-outcome": "not-asked-this-time",
            f"g{partner.gap.pk}-not_asked_reason": "No time",
        },
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert f"2 of {total} recorded" in text(html)


def test_an_error_from_the_script_is_shown_in_place_and_in_the_summary(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    gap = gm.Gap.objects.get(key=f"R02-birth-father:person:{fam.father.pk}")
    url = reverse("contact-gap-outcome", args=[fam.network.pk, contact.pk, gap.pk])
    data = _decline(fam, contact, gap, declined_reason="")
    for headers in ({"Kinmap-Fetch": "1"}, {}):
        response = client.post(url, data, headers=headers)
        assert response.status_code == 200
        html = response.content.decode()
        block = html[html.index(f'id="gap-{gap.pk}"') :]
        block = block[: block.index("</section>")]
        assert "govuk-form-group--error" in block and "govuk-error-message" in block
        assert '<details class="govuk-details kinmap-no-answer" open>' in block  # opened to show it
        assert "There is a problem" in html
        assert f"0 of {contact.outcomes.count()} recorded" in text(html)


def test_an_answer_saved_from_the_script_resolves_the_gap_in_the_page(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    gap = gm.Gap.objects.get(key=f"R02-birth-father:person:{fam.father.pk}")
    p = f"g{gap.pk}-birth-date"
    response = client.post(
        reverse("contact-gap-answer", args=[fam.network.pk, contact.pk, gap.pk, "birth-date"]),
        {
            f"{p}-birth_date_0": "3",
            f"{p}-birth_date_1": "5",
            f"{p}-birth_date_2": "1994",
            f"{p}-source": "said-by",
            f"{p}-source_detail": "the mother",
            f"{p}-version": fam.father.version,
        },
        headers={"Kinmap-Fetch": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    block = html[html.index(f'id="gap-{gap.pk}"') :]
    assert 'data-outcome="answered"' in block[: block.index("</section>")]
    assert "Answered: Date of birth not recorded for Dan Testfather" in text(html)
