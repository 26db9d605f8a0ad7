"""Hypothesis strategies for random but valid small family networks.

A network is built the way a family is usually recorded, with every optional
detail, fact, source and record drawn independently, so that each requirement
is met in some examples and not in others. Only networks that
:func:`kinmap.core.validation.network_problems` accepts are kept; the
construction keeps almost all of them valid (dates of birth by generation,
deaths dated today, one current address per person).
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import assume
from hypothesis import strategies as st

from kinmap.core.model import Network, OtherName
from kinmap.core.rules.facts import (
    FACT_ADULT_SERVICES,
    FACT_AGENCY_INVOLVEMENT,
    FACT_BIRTH_FATHER_ABSENT,
    FACT_BIRTH_MOTHER_ABSENT,
    FACT_CONTACT_ARRANGEMENT,
    FACT_CURRENT_PARTNER,
    FACT_OTHER_CHILDREN,
    FACT_OTHER_NAMES,
    FACT_VISITORS,
)
from kinmap.core.validation import network_problems
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER, CarePlace, DateAccuracy, NameKind, PRBasis
from tests.core.builders import SAID, TODAY, FamilyBuilder

ADULT_FACTS = (
    FACT_OTHER_NAMES,
    FACT_ADULT_SERVICES,
    FACT_CURRENT_PARTNER,
    FACT_OTHER_CHILDREN,
    FACT_AGENCY_INVOLVEMENT,
    FACT_CONTACT_ARRANGEMENT,
)
FACT_VALUES = st.sampled_from(["none", "None", "two children in Leeds", "sees her most weekends", ""])
LIKELY = st.integers(0, 3).map(bool)  # true three times in four
VALID_NHS = ("9434765919", "4010232137", "9449305552")


def _nhs(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(("", *VALID_NHS)))


@st.composite
def networks(draw: st.DrawFn) -> Network:
    b = FamilyBuilder(today=TODAY)
    households = [
        b.household(f"{n} Example Row, Testham TE{n} 1AA", masked=draw(st.booleans()))
        for n in range(draw(st.integers(0, 3)), 0, -1)
    ]

    def maybe_home(pid: int) -> None:
        if draw(LIKELY) and households:
            b.lives_at(pid, draw(st.sampled_from(households)), sourced=draw(st.booleans()))

    def facts_for(pid: int, keys: tuple[str, ...]) -> None:
        for key in keys:
            if draw(st.booleans()):
                b.fact(pid, key, draw(FACT_VALUES))

    def adult(given: str, family: str, youngest: int, oldest: int) -> int:
        naming = draw(st.sampled_from(["full", "given", "none"]))
        names = {"full": (given, family), "given": (given, ""), "none": ("", "")}[naming]
        dated = draw(st.booleans())
        pid = b.person(
            *names,
            name_absent_reason="not given" if naming == "none" else "",
            birth_date=TODAY - timedelta(days=draw(st.integers(youngest * 365 + 1, oldest * 365)))
            if dated
            else None,
            birth_date_accuracy=DateAccuracy.ACCURATE if dated else DateAccuracy.UNKNOWN,
            phone=draw(st.sampled_from(["", "07700 900001"])),
            email=draw(st.sampled_from(["", "someone@example.invalid"])),
            phone_masked=draw(st.booleans()),
            nhs_number=_nhs(draw),
            seen_directly_on=draw(st.sampled_from([None, TODAY - timedelta(days=3)])),
            other_names=draw(st.sampled_from([(), (OtherName(NameKind.ALIAS, "Jay", family),)])),
            provenance={"birth_date": SAID, "nhs_number": SAID} if draw(st.booleans()) else {},
        )
        facts_for(pid, ADULT_FACTS)
        maybe_home(pid)
        return pid

    def relate(a: int, code: str, c: int, **kw: object) -> None:
        b.relate(a, code, c, sourced=draw(st.booleans()), **kw)  # type: ignore[arg-type]

    # the index children
    def child(given: str) -> int:
        age = draw(st.sampled_from(["unborn", "baby", "toddler", "unknown"]))
        if age == "unborn":
            pid = b.unborn(due_in_days=draw(st.integers(1, 200)))
        elif age == "unknown":
            pid = b.person(given, "Brook")
            b.index.append(pid)
        else:
            days = draw(st.integers(0, 364)) if age == "baby" else draw(st.integers(365, 4 * 365))
            pid = b.baby(
                given, "Brook", age_days=days, provenance={"birth_date": SAID} if draw(st.booleans()) else {}
            )
        facts_for(pid, (FACT_VISITORS,))
        for key in (FACT_BIRTH_MOTHER_ABSENT, FACT_BIRTH_FATHER_ABSENT):
            if draw(st.booleans()):
                b.fact(pid, key, "not known", draw(st.sampled_from([SAID, None])))
        maybe_home(pid)
        return pid

    kids = [child("Amy")]
    mother = adult("Sarah", "Brook", 18, 44) if draw(LIKELY) else None
    father = adult("Daniel", "Carter", 18, 44) if draw(LIKELY) else None
    second = draw(st.sampled_from(["none", "full", "half"]))
    if second != "none":
        kids.append(child("Ben"))
    for k in kids:
        if mother is not None:
            relate(mother, BIRTH_MOTHER, k)
    if father is not None:
        for k in kids if second == "full" else kids[:1]:
            relate(father, BIRTH_FATHER, k)
    if second == "half" and draw(st.booleans()):
        relate(adult("Lee", "Ward", 18, 44), BIRTH_FATHER, kids[1])

    partner = None
    if mother is not None and draw(st.booleans()):
        partner = adult("Tom", "Hale", 18, 44)
        relate(mother, draw(st.sampled_from(["SPS", "DOMPART", "SIGOTHR", "x-former-partner"])), partner)
        if draw(st.booleans()):
            relate(partner, "STPFTH", kids[0])
    if father is not None and draw(st.booleans()):
        other = b.baby("Kai", "Carter", age_days=draw(st.integers(400, 3000)), index=False)
        relate(father, BIRTH_FATHER, other)
        b.outside(other)
    grandmother = None
    if mother is not None and draw(st.booleans()):
        grandmother = adult("Jean", "Brook", 45, 80)
        relate(grandmother, BIRTH_MOTHER, mother)
    if draw(st.booleans()):
        friend = b.person("Priya", "Shah")
        relate(
            friend,
            draw(st.sampled_from(["FRND", "x-regular-visitor"])),
            draw(st.sampled_from([kids[0], *filter(None, [mother, father])])),
        )

    # a neighbour who babysits, related to nobody
    neighbour = adult("Alex", "Lowe", 18, 70) if draw(st.booleans()) else None

    # care, one arrangement at most per carer and child
    for carer in filter(None, [mother, father, partner, grandmother, neighbour]):
        for k in kids:
            if draw(st.booleans()):
                b.care(
                    carer,
                    k,
                    overnight=draw(st.booleans()),
                    supervised=draw(st.booleans()),
                    place=draw(st.sampled_from(list(CarePlace))),
                    frequency=draw(st.sampled_from(["", "on Fridays"])),
                    end=draw(st.sampled_from([None, TODAY - timedelta(days=1)])),
                    sourced=draw(st.booleans()),
                )
    for adult_id in filter(None, [mother, father, partner]):
        for k in kids:
            basis = draw(st.sampled_from([None, *PRBasis]))
            if basis is not None:
                b.pr(adult_id, k, basis, sourced=draw(st.booleans()))

    # someone may have died today (never a carer: the dead give no care)
    carers = {c.carer_id for c in b.care_arrangements}
    mortal = [p for p in filter(None, [mother, father, grandmother]) if p not in carers]
    if draw(st.booleans()) and mortal:
        b.update(draw(st.sampled_from(mortal)), death_date=TODAY)

    network = b.build()
    assume(not network_problems(network, TODAY))
    return network
