"""A mother's partner, or a carer, who is the same person as someone recorded
in another family network only as a partner or a carer there (not a parent):
the family page and the contact say so, naming only the person and the agency
holding the other network, and requirement 8 asks about the children they
have, live with or look after until the answer is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Agency, Team, User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.matching.services import person_link
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import index_child, make_user

from .conftest import add_mother, assert_none_in, family_and_contact, signed_in_as

POLICE = "Northshire Police"
# details of the police's family network the health visitor must never see
CANARIES = ("Tia", "Kelly", "Marsh", "3 Canary Court", "NE4 7ZZ", "14 August 2019", "2019-08-14",
            "20 November 1992", "1992-11-20", "Family of Tia Marsh", "Saturdays overnight")  # fmt: skip
PARTNER_SAID = (
    "Dean Hollis is recorded as a mother&#x27;s partner in another family network, held by Northshire Police."
)
CARER_SAID = (
    "Dean Hollis is recorded as a carer of a child in another family network, held by Northshire Police."
)
PARTNER_PROMPT = (
    "Dean Hollis is recorded as the partner of someone in another family network: record here the children "
    "they have, live with or look after, or why not"
)
CARER_PROMPT = (
    "Dean Hollis is recorded as a carer of a child in another family network: record here the children "
    "they have, live with or look after, or why not"
)
AGENCIES_ASKED = "Not recorded whether any agency is involved with the other children of Dean Hollis"


@dataclass
class Police:
    network: m.FamilyNetwork
    dean: m.Person


def _police(*, partner: bool, carer: bool) -> Police:
    """The police's family network of Tia Marsh (6) and her mother Kelly, at a
    masked address; Dean Hollis is Kelly's partner, or looks after Tia every
    Saturday overnight, or both. Dean has no children of his own recorded."""
    team = Team.objects.create(
        agency=Agency.objects.create(name=POLICE, kind="police"), name="Public protection"
    )
    officer = make_user("pc.officer", team)
    net = s.network_create(
        actor=officer,
        child=s.PersonData(given_name="Tia", family_name="Marsh", sex="female", birth_date=date(2019, 8, 14),
                           birth_date_accuracy="accurate"),
    )  # fmt: skip
    tia = index_child(net)
    kelly = s.person_add(
        actor=officer,
        network=net,
        data=s.PersonData(given_name="Kelly", family_name="Marsh", sex="female",
                          birth_date=date(1992, 11, 20), birth_date_accuracy="accurate"),
        related_to=tia,
        relationship=s.RelationshipData(type="NMTH"),
    )  # fmt: skip
    for who in (tia, kelly):
        s.residence_create(actor=officer, network=net, person=who,
                           address=s.AddressData(address_line_1="3 Canary Court", town="Newcastle",
                                                 postcode="NE4 7ZZ", masked=True))  # fmt: skip
    dean = s.person_add(
        actor=officer,
        network=net,
        data=s.PersonData(given_name="Dean", family_name="Hollis", sex="male", birth_date=date(1990, 6, 12),
                          birth_date_accuracy="accurate"),
        **({"related_to": kelly, "relationship": s.RelationshipData(type="DOMPART")} if partner else {}),
    )  # fmt: skip
    if carer:
        saturdays = s.CareData(place="carer-home", frequency="Saturdays overnight", overnight=True)
        s.care_create(actor=officer, network=net, carer=dean, child=tia, data=saturdays)
    return Police(net, dean)


def _as_mothers_partner(owner: User, network: m.FamilyNetwork, dean: m.Person) -> None:
    person_link(actor=owner, network=network, person=dean, related_to=add_mother(owner, network),
                relationship=s.RelationshipData(type="SIGOTHR"))  # fmt: skip


def _as_carer(owner: User, network: m.FamilyNetwork, dean: m.Person) -> None:
    person_link(actor=owner, network=network, person=dean)
    s.care_create(actor=owner, network=network, carer=dean, child=index_child(network),
                  data=s.CareData(place="carer-home", frequency="Sunday afternoons"))  # fmt: skip


def _opened(owner: User, network: m.FamilyNetwork) -> tuple[Client, gm.Contact, dict[str, str]]:
    """A home visit started today, and the family and contact pages as the
    health visitor then sees them."""
    contact = gs.contact_open(actor=owner, network=network, type="home-visit", date=date.today())
    client = signed_in_as(owner)
    return client, contact, family_and_contact(client, network, contact.pk)


def _each_says(pages: dict[str, str], said: tuple[str, ...], unsaid: tuple[str, ...] = ()) -> None:
    """Each page says all of ``said``, none of ``unsaid``, and nothing of the
    police's family."""
    for where, page in pages.items():
        assert [x for x in said if x not in page] == [], where
        assert [x for x in unsaid if x in page] == [], where
    assert_none_in(CANARIES, pages)


def _r08(network: m.FamilyNetwork, person: m.Person) -> gm.Gap:
    return gm.Gap.objects.get(network=network, key=f"R08-other-children:person:{person.pk}")


@pytest.mark.django_db
def test_a_mothers_partner_known_elsewhere_as_a_mothers_partner(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    police = _police(partner=True, carer=False)
    _as_mothers_partner(owner, baby_network, police.dean)
    client, contact, pages = _opened(owner, baby_network)
    _each_says(pages, (PARTNER_SAID, PARTNER_PROMPT), (CARER_SAID,))
    gap = _r08(baby_network, police.dean)
    assert gap.is_open and gap.detail == PARTNER_PROMPT and gap.missing == ["other_children"]

    # answered on the contact page, in words: then the agencies involved are asked
    kind = "fact-other-children"
    response = client.post(
        reverse("contact-gap-answer", args=[baby_network.pk, contact.pk, gap.pk, kind]),
        {
            f"g{gap.pk}-{kind}-value": "Lives with his partner and her daughter, 6",
            f"g{gap.pk}-{kind}-source": "said-by",
            f"g{gap.pk}-{kind}-source_detail": "Dean",
        },
    )
    assert response.status_code == 302, response.content.decode()
    gap.refresh_from_db()
    assert gap.is_open and gap.missing == ["agency_involvement"] and gap.detail == AGENCIES_ASKED
    pages = family_and_contact(client, baby_network, contact.pk)
    # what is known elsewhere is still said
    _each_says(pages, (AGENCIES_ASKED, PARTNER_SAID), (PARTNER_PROMPT,))


@pytest.mark.django_db
def test_a_carer_known_elsewhere_as_a_carer(owner: User, baby_network: m.FamilyNetwork) -> None:
    police = _police(partner=False, carer=True)
    _as_carer(owner, baby_network, police.dean)
    _, _, pages = _opened(owner, baby_network)
    _each_says(pages, (CARER_SAID, CARER_PROMPT), ("partner in another family network",))
    # "none" answers it, and then no agency involvement is asked
    s.fact_set(actor=owner, network=baby_network, person=police.dean, key="other-children", value="none",
               expected_version=None)  # fmt: skip
    assert not _r08(baby_network, police.dean).is_open


@pytest.mark.django_db
def test_both_a_partner_and_a_carer_elsewhere_says_both(owner: User, baby_network: m.FamilyNetwork) -> None:
    police = _police(partner=True, carer=True)
    _as_carer(owner, baby_network, police.dean)
    _, _, pages = _opened(owner, baby_network)
    _each_says(pages, (PARTNER_SAID, CARER_SAID, PARTNER_PROMPT))


@pytest.mark.django_db
def test_their_own_children_recorded_here_do_not_answer_it(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    """A child of Dean's recorded here says nothing of the children he lives
    with or looks after in the other family."""
    police = _police(partner=True, carer=False)
    _as_mothers_partner(owner, baby_network, police.dean)
    s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Leo", family_name="Hollis", sex="male", birth_date=date(2015, 1, 9),
                          birth_date_accuracy="accurate"),
        related_to=police.dean,
        relationship=s.RelationshipData(type="NFTH"),
        reverse=True,
    )  # fmt: skip
    gap = _r08(baby_network, police.dean)
    assert gap.is_open and gap.detail == PARTNER_PROMPT


@pytest.mark.django_db
def test_someone_with_no_part_in_the_childs_care_is_not_flagged(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    """A member who is neither a parent, a parent's partner nor a carer of the
    child here (a family friend, say) is not flagged for being a partner or a
    carer elsewhere: rule 8 does not ask about them."""
    police = _police(partner=True, carer=True)
    person_link(actor=owner, network=baby_network, person=police.dean)
    page = signed_in_as(owner).get(reverse("family", args=[baby_network.pk])).content.decode()
    assert "Dean Hollis is recorded as" not in page
    assert not gm.Gap.objects.filter(
        network=baby_network, key=f"R08-other-children:person:{police.dean.pk}"
    ).exists()


@pytest.mark.django_db
def test_becoming_a_carer_elsewhere_later_raises_the_prompt_here(
    owner: User, baby_network: m.FamilyNetwork, django_capture_on_commit_callbacks: Any
) -> None:
    """Discovery the other way round: Dean is first recorded here as the
    mother's partner, known nowhere else; the police later link him into
    their family network as Tia's carer. Once that change commits, this
    family is recomputed in the background and requirement 8 asks about him,
    with nothing of the police's family on the pages."""
    from tests.jobs.worker import run_worker

    dean = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Dean", family_name="Hollis", sex="male", birth_date=date(1990, 6, 12),
                          birth_date_accuracy="accurate"),
        related_to=add_mother(owner, baby_network),
        relationship=s.RelationshipData(type="SIGOTHR"),
    )  # fmt: skip
    prompts = gm.Gap.objects.filter(network=baby_network, detail=CARER_PROMPT)
    assert not prompts.exists()

    police = _police(partner=False, carer=False)
    officer = User.objects.get(username="pc.officer")
    with django_capture_on_commit_callbacks(execute=True):
        person_link(actor=officer, network=police.network, person=dean)
        saturdays = s.CareData(place="carer-home", frequency="Saturdays overnight", overnight=True)
        s.care_create(actor=officer, network=police.network, carer=dean, child=index_child(police.network),
                      data=saturdays)  # fmt: skip
    # nothing changes here until the background work has run
    assert not prompts.exists()
    run_worker()
    gap = _r08(baby_network, dean)
    assert gap.is_open and gap.detail == CARER_PROMPT
    _, _, pages = _opened(owner, baby_network)
    _each_says(pages, (CARER_SAID, CARER_PROMPT))
