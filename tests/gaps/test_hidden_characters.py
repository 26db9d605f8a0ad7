"""Free text shown to other practitioners (answers about gaps, sharing
decisions) refuses the hidden characters that could make it read other than it
is stored (kinmap.core.text), naming the field and saving nothing."""

from __future__ import annotations

from typing import Any

import pytest

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records.errors import RecordError
from kinmap.sharing import models as shm
from kinmap.sharing import services as sh
from tests.gaps.family import SeedFamily, seed_family

pytestmark = pytest.mark.django_db
HIDDEN = "must not include hidden characters, such as zero-width spaces or text direction controls"
RLO = "\u202e"


def counts() -> dict[str, int]:
    return {
        "gap events": gm.GapEvent.objects.count(),
        "open gaps": gm.Gap.objects.filter(state="not-asked").count(),
        "sharing decisions": shm.SharingDecision.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def refused(call: Any) -> list[tuple[str, str]]:
    before = counts()
    with pytest.raises(RecordError) as exc:
        call()
    assert counts() == before
    return [(p.field, p.message) for p in exc.value.problems]


@pytest.fixture
def fam(owner: User) -> SeedFamily:
    return seed_family(owner)


def test_an_answer_naming_who_will_find_out_refuses_direction_controls(owner: User, fam: SeedFamily) -> None:
    gap = gm.Gap.objects.get(network=fam.network, key=f"R08-other-children:person:{fam.father.pk}")
    answer = gs.Answer(state="temp-unknown", from_whom=f"the {RLO}rehtom")
    assert refused(
        lambda: gs.gap_answer(actor=owner, gap=gap, answer=answer, expected_version=gap.version)
    ) == [("from_whom", f"Who will find out {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)")]


def test_a_declined_answer_keeps_line_breaks_but_refuses_hidden_characters(
    owner: User, fam: SeedFamily
) -> None:
    gap = gm.Gap.objects.get(network=fam.network, key=f"R02-birth-father:person:{fam.father.pk}")
    answer = gs.Answer(
        state="asked-declined",
        declined_by=fam.mother,
        reason="she said:\nnot now",
        practitioner_view="anxious\u200b",
    )
    assert refused(
        lambda: gs.gap_answer(actor=owner, gap=gap, answer=answer, expected_version=gap.version)
    ) == [("practitioner_view", f"Your view {HIDDEN} (it has U+200B ZERO WIDTH SPACE)")]


def test_a_sharing_decision_refuses_a_spoofed_recipient(owner: User, fam: SeedFamily) -> None:
    def record() -> None:
        sh.sharing_decision_record(
            actor=owner,
            network=fam.network,
            decision="share",
            what="Household composition",
            with_whom=f"GP {RLO}ecitcarp",
            lawful_basis="safeguarding",
            rationale="The GP needs to know who lives with the baby.",
            family_told=True,
        )

    assert refused(record) == [
        ("with_whom", f"Who it was shared with {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)")
    ]
