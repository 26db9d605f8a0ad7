"""A person linked from another family network brings no one else from there:
their father, their carer and their father's partner, recorded only in social
care's network (``Network.outside_ids`` of the health visitor's), are never
named, dated or located on any page, download, API answer or export of the
health visitor's family; at most "someone in another family network", and no
link to them."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.gaps import services as gs
from kinmap.matching.services import person_link
from kinmap.records import models as m
from kinmap.records import services as s

from .conftest import assert_none_in, signed_in_as

# the people of social care's network the health visitor must never see (the
# father's own details may be shown once he is linked: they are not here)
CANARIES = ("Ravenna", "Quill", "Ottoline", "Vexby", "12 December 1979", "1979-12-12", "1 January 1990",
            "1990-01-01", "8 Heron Close", "NE7 7ZH", "5 Warbler Row", "NE3 3ZQ")  # fmt: skip


def _social(outsider: User) -> tuple[m.FamilyNetwork, m.Person, dict[str, m.Person]]:
    """Social care's family of Skye Ashdown (5): her father Zebedee Quarrington,
    at 22 Canary Lane, his partner Ottoline Vexby (at 8 Heron Close, then
    living with him) and Skye's grandmother
    Ravenna Quill (at 5 Warbler Row); Ottoline and Ravenna look after Skye
    every weekend."""
    net = s.network_create(
        actor=outsider,
        child=s.PersonData(
            given_name="Skye", family_name="Ashdown", sex="female", birth_date=date(2021, 5, 2),
            birth_date_accuracy="accurate",
        ),
    )  # fmt: skip
    skye = m.NetworkMember.objects.get(network=net).person

    def add(given: str, family: str, sex: str, born: date, to: m.Person | None, rel: str | None) -> m.Person:
        return s.person_add(
            actor=outsider,
            network=net,
            data=s.PersonData(given_name=given, family_name=family, sex=sex, birth_date=born,
                              birth_date_accuracy="accurate"),
            **({"related_to": to, "relationship": s.RelationshipData(type=rel)} if to else {}),
        )  # fmt: skip

    father = add("Zebedee", "Quarrington", "male", date(1987, 9, 9), skye, "NFTH")
    partner = add("Ottoline", "Vexby", "female", date(1979, 12, 12), father, "DOMPART")
    carer = add("Ravenna", "Quill", "female", date(1990, 1, 1), skye, "GRPRN")
    weekends = s.CareData(place="carer-home", frequency="Every weekend", overnight=True)
    for who in (carer, partner):
        s.care_create(actor=outsider, network=net, carer=who, child=skye, data=weekends)
    homes = {father: ("22 Canary Lane", "NE9 8ZZ"), partner: ("8 Heron Close", "NE7 7ZH"),
             carer: ("5 Warbler Row", "NE3 3ZQ")}  # fmt: skip
    for who, (street, postcode) in homes.items():
        address = s.AddressData(address_line_1=street, town="Newcastle", postcode=postcode)
        ended = {"end": date(2024, 1, 31)} if who is partner else {}
        s.residence_create(actor=outsider, network=net, person=who, address=address, **ended)
    # then Ottoline moved in with the father: a household of the health visitor's family once he is linked
    flat = m.Residence.objects.get(person=father).household
    s.residence_create(actor=outsider, network=net, person=partner, household=flat, start=date(2024, 2, 1))
    return net, skye, {"father": father, "partner": partner, "carer": carer}


# the father's own details, never to be shown while he is not linked too
FATHER = ("Zebedee", "Quarrington", "9 September 1987", "1987-09-09", "22 Canary Lane", "NE9 8ZZ")


@pytest.mark.django_db
@pytest.mark.parametrize("father_linked", [True, False])
def test_people_recorded_only_in_another_network_are_never_named(
    owner: User, outsider: User, baby_network: m.FamilyNetwork, father_linked: bool
) -> None:
    social, skye, theirs = _social(outsider)
    # the health visitor links Skye as a child of their family; with her father
    # too, his partner is an outsider one relationship away from a member
    person_link(actor=owner, network=baby_network, person=skye, as_index=True)
    father = theirs["father"]
    canaries = CANARIES
    if father_linked:
        person_link(actor=owner, network=baby_network, person=father)
    else:
        canaries += FATHER
    contact = gs.contact_open(actor=owner, network=baby_network, type="home-visit", date=date.today())
    client = signed_in_as(owner)
    n = baby_network.pk
    urls = {
        "family": reverse("family", args=[n]),
        "skye": reverse("person", args=[n, skye.pk]),
        "carer": reverse("carer", args=[n, theirs["carer"].pk]),
        "partner": reverse("person", args=[n, theirs["partner"].pk]),
        "partner as carer": reverse("carer", args=[n, theirs["partner"].pk]),
        "father": reverse("person", args=[n, father.pk]),
        "contact": reverse("contact", args=[n, contact.pk]),
        "chronology": reverse("chronology", args=[n]),
        "chronology.csv": reverse("chronology-csv", args=[n]),
        "genogram": reverse("genogram-svg", args=[n]),
        "api": f"/api/v1/families/{n}",
        "fhir": f"/api/v1/families/{n}/fhir",
    }
    pages = {}
    for where, url in urls.items():
        response = client.get(url)
        pages[where] = response.content.decode()
        if where in ("carer", "partner", "partner as carer", "father") and not (
            where == "father" and father_linked
        ):  # not a person of this family: missing alike
            assert response.status_code == 404, where
        else:
            assert response.status_code == 200, where
    out, err = io.StringIO(), io.StringIO()
    call_command("export", str(n), "--as", owner.username, "--reason", "court bundle", stdout=out, stderr=err)
    pages["export"], pages["export notes"] = out.getvalue(), err.getvalue()
    leaks = [(where, c) for where, page in pages.items() for c in canaries if c in page]
    assert leaks == [], leaks
    assert_none_in(canaries, pages)
    assert "someone in another family network" in pages["family"]
    # no link to an outsider's page
    outsiders = [theirs["carer"].pk, theirs["partner"].pk] + ([] if father_linked else [father.pk])
    for pid in outsiders:
        for where in ("family", "skye", "contact", "chronology", "genogram"):
            assert f"/people/{pid}/" not in pages[where] and f"/carers/{pid}/" not in pages[where], (
                where,
                pid,
            )
    if father_linked:  # a member now: he is named; not his partner
        assert "Zebedee Quarrington" in pages["father"]
    # the API lists only this family's people (the genogram draws only them: no link above)
    members = set(m.NetworkMember.objects.filter(network=baby_network).values_list("person_id", flat=True))
    assert {p["id"] for p in json.loads(pages["api"])["people"]} == members
    # the export names no family network the user may not see
    notes = pages["export notes"]
    assert "linking to people in other family networks (1 other family network you may not see)." in notes
    assert f"kinmap export {n} {social.pk}" not in notes
