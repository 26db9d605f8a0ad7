"""Where the fact that resolved a gap came from (kinmap.core.resolution)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from kinmap.core.model import (
    CareArrangement,
    Fact,
    Network,
    ParentalResponsibility,
    Person,
    Provenance,
    Relationship,
    Residence,
)
from kinmap.core.resolution import resolving_provenance
from kinmap.core.vocab import PRBasis, Source

MOTHER = Provenance(Source.SAID_BY, "the mother", "hv", datetime(2026, 3, 17, 10, tzinfo=UTC))
AGENCY = Provenance(Source.OTHER_AGENCY, "Probation", "hv", datetime(2026, 3, 18, 10, tzinfo=UTC))


def network() -> Network:
    baby = Person(1, "Rowan", "Test", birth_date=date(2026, 1, 1))
    father = Person(
        2,
        "Dan",
        "Test",
        birth_date=date(1990, 1, 1),
        phone="0770",
        provenance={"birth_date": MOTHER, "phone": AGENCY},
        facts={
            "other-names": Fact("other-names", "none", MOTHER),
            "current-partner": Fact("current-partner", "none"),
        },
        seen_directly_on=date(2026, 3, 1),
    )
    return Network(
        1,
        "n",
        (1,),
        {1: baby, 2: father},
        relationships=(Relationship(5, 2, 1, "NFTH", provenance=AGENCY),),
        residences=(Residence(7, 2, 9, provenance=MOTHER),),
        care=(CareArrangement(3, 2, 1, overnight=True, provenance=MOTHER),),
        parental_responsibility=(ParentalResponsibility(4, 2, 1, PRBasis.NONE, provenance=AGENCY),),
    )


def test_a_field_carries_its_provenance() -> None:
    assert resolving_provenance(network(), "person", "2", None, ["birth_date"]) == MOTHER


def test_the_newest_of_several_missing_details_is_given() -> None:
    assert resolving_provenance(network(), "person", "2", None, ["birth_date", "contact"]) == AGENCY


def test_facts_addresses_relationships_and_responsibility() -> None:
    net = network()
    assert resolving_provenance(net, "person", "2", None, ["other_names"]) == MOTHER
    assert resolving_provenance(net, "person", "2", None, ["address"]) == MOTHER
    assert resolving_provenance(net, "child", "1", None, ["birth_father"]) == AGENCY
    assert resolving_provenance(net, "person", "2", 1, ["relationship"]) == AGENCY
    assert resolving_provenance(net, "person", "2", 1, ["parental_responsibility"]) == AGENCY
    assert resolving_provenance(net, "care", "3", 1, ["frequency"]) == MOTHER
    assert resolving_provenance(net, "relationship", "5", None, ["source"]) == AGENCY
    assert resolving_provenance(net, "residence", "7", None, ["source"]) == MOTHER
    assert resolving_provenance(net, "household", "9", None, ["roster_confirmed"]) == MOTHER


def test_seen_directly_is_its_own_source() -> None:
    prov = resolving_provenance(network(), "person", "2", None, ["seen_directly_on"])
    assert prov == Provenance(Source.SEEN, "seen or spoken to on 1 March 2026")


def test_an_answer_recorded_without_a_source_has_no_provenance() -> None:
    assert resolving_provenance(network(), "person", "2", None, ["current_partner"]) is None


def test_nothing_to_say_when_it_cannot_be_told() -> None:
    net = network()
    assert resolving_provenance(net, "person", "99", None, ["birth_date"]) is None
    assert (
        resolving_provenance(net, "gap", "R02-birth-father:person:2", None, ["information_request"]) is None
    )
    assert resolving_provenance(net, "decline", "4", None, ["reason"]) is None
    assert resolving_provenance(net, "person", "2", None, ["adult_services"]) is None
