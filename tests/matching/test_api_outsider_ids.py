"""The API's family answer refers only to people it lists: a relationship or
care arrangement whose other end is recorded only in another family network
is left out of it, with no id of that person; the family page says only
"someone in another family network"."""

from __future__ import annotations

import json

import pytest

from kinmap.accounts.models import User
from kinmap.matching.services import person_link
from kinmap.records import models as m

from .conftest import signed_in_as
from .test_outsiders_unnamed import _social


@pytest.mark.django_db
@pytest.mark.parametrize("father_linked", [True, False])
def test_the_api_family_answer_holds_no_id_of_someone_recorded_only_elsewhere(
    owner: User, outsider: User, baby_network: m.FamilyNetwork, father_linked: bool
) -> None:
    _, skye, theirs = _social(outsider)
    person_link(actor=owner, network=baby_network, person=skye, as_index=True)
    if father_linked:  # his partner is then one relationship away from a member
        person_link(actor=owner, network=baby_network, person=theirs["father"])
    answer = json.loads(signed_in_as(owner).get(f"/api/v1/families/{baby_network.pk}").content)
    listed = {p["id"] for p in answer["people"]} | {
        p["id"] for sec in answer["relatives_in_other_networks"] for p in sec["people"]
    }
    referred = {r[k] for r in answer["relationships"] for k in ("from_person", "to_person")}
    referred |= {c[k] for c in answer["care"] for k in ("carer", "child")}
    referred |= {pid for h in answer["households"] for pid in h["residents"]}
    referred.discard(None)
    assert referred <= listed, referred - listed
    outsiders = {theirs["carer"].pk, theirs["partner"].pk} | (
        set() if father_linked else {theirs["father"].pk}
    )
    assert outsiders.isdisjoint(referred) and outsiders.isdisjoint(listed)
    if father_linked:  # a member now: his relationship to Skye is there
        assert {(r["from_person"], r["to_person"]) for r in answer["relationships"]} >= {
            (theirs["father"].pk, skye.pk)
        }
