"""Every way the safety information for carers in a family file (joint
appointment invitations, records of information given) can be refused: each
problem names the record and the field at fault, and nothing at all is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kinmap.accounts.models import User
from kinmap.carers import models as cm
from kinmap.carers import services as cs
from kinmap.records import models as m
from kinmap.records.errors import RecordError
from tests.records.family_files import (
    _both,
    _future,
    _info,
    _invite,
    accounts,
    base,
    load,
    refused,
)

__all__ = ["accounts"]  # the fixture (tests.records.family_files)

CARERS_CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "unknown material",
        _info(material="icon-x"),
        'information_given[1]: material: no material with code "icon-x"',
    ),
    (
        "unknown way of giving",
        _info(how="pigeon"),
        'information_given[1]: how: "pigeon" is not one of: in-person, joint-appointment, post, email, '
        "telephone",
    ),
    ("no date", _info(given_on=None), "information_given[1]: given_on: is missing"),
    (
        "a date to come",
        _info(given_on=_future()),
        "information_given[1]: given_on: The date must be today or in the past",
    ),
    (
        "declined with no reason",
        _info(declined=True),
        "information_given[1]: declined_reason: Say why they did not want the information, in their words",
    ),
    (
        "a reason but not declined",
        _info(declined_reason="Busy"),
        "information_given[1]: declined_reason: A reason is only for information that was offered and "
        "declined",
    ),
    ("unknown network", _info(network="n9"), 'information_given[1]: network: no network with id "n9"'),
    ("unknown person", _info(person="p9"), 'information_given[1]: person: no person with id "p9"'),
    (
        "person not in the network",
        _info(network="n2"),
        'information_given[1]: person: "p2" is not a member of network "n2"',
    ),
    (
        "unknown user",
        _info(given_by="hv.smith"),
        'information_given[1]: given_by: no user "hv.smith": add the user first, or change the name',
    ),
    (
        "unknown field",
        _info(leaflet="yes"),
        "information_given[1]: leaflet: is not a field of a record of information given (expected one of: "
        "network, person, material, how, given_on, given_by, declined, declined_reason, appointment)",
    ),
    (
        "unknown appointment",
        _info(appointment="a9"),
        'information_given[1]: appointment: no joint appointment with id "a9"',
    ),
    (
        "someone else's appointment",
        _both(_invite(), _info(appointment="a1")),
        "information_given[1]: appointment: that joint appointment is for someone else",
    ),
    (
        "given at an appointment not attended",
        _both(
            _invite(outcome="no-reply"),
            _info(person="p3", how="joint-appointment", given_on="2025-11-24", appointment="a1"),
        ),
        "information_given[1]: appointment: Record that they attended the joint appointment first",
    ),
    (
        "invitation for a carer who lives with the child",
        _invite(person="p2", outcome="pending"),
        'joint_appointments[0] (id "a1"): person: Jess Brookes lives with the child: joint appointments '
        "are for carers who live elsewhere",
    ),
    (
        "invitation for someone who is not a carer",
        _invite(network="n2", person="p3"),
        'joint_appointments[0] (id "a1"): person: Kyle Dunn is not recorded as caring for the child. '
        "Record their care arrangement first",
    ),
    (
        "unknown kind of contact",
        _invite(contact_type="party"),
        'joint_appointments[0] (id "a1"): contact_type: "party" is not one of: antenatal, new-birth, '
        "6-8-weeks, 9-12-months, 2-2.5-years, clinic, home-visit, other",
    ),
    (
        "contact before the invitation",
        _invite(contact_on="2025-11-01"),
        'joint_appointments[0] (id "a1"): contact_on: is before invited_on: the contact must be on or '
        "after the invitation",
    ),
    (
        "invited on a day to come",
        _invite(invited_on=_future(), contact_on=_future()),
        'joint_appointments[0] (id "a1"): invited_on: The invitation date must be today or in the past',
    ),
    (
        "attended a contact to come",
        _invite(contact_on=_future()),
        'joint_appointments[0] (id "a1"): outcome: The contact has not happened yet: record that they '
        "attended on or after the day",
    ),
    (
        "a note with no outcome",
        _invite(outcome="pending", outcome_note="Will try"),
        'joint_appointments[0] (id "a1"): outcome_note: is only for an outcome: attended, declined or '
        'no-reply, not "pending"',
    ),
    (
        "id used twice",
        _both(_invite(), _invite(contact_type="clinic")),
        'joint_appointments[1] (id "a1"): id: "a1" is already used by joint_appointments[0]',
    ),
    (
        "invited twice to the same contact",
        _both(_invite(), _invite(id="a2")),
        'joint_appointments[1] (id "a2"): contact_on: Kyle Dunn is already invited to this contact',
    ),
]


def test_the_base_file_imports_with_safety_information(accounts: User) -> None:
    doc = base()
    _both(_invite(), _info(person="p3", how="joint-appointment", given_on="2025-11-24", appointment="a1"))(
        doc
    )
    load(doc)
    assert list(
        cm.InformationGiven.objects.values_list(
            "person__given_name", "material__code", "appointment__outcome"
        )
    ) == [("Jess", "icon", None), ("Kyle", "safer-sleep", "attended")]


@pytest.mark.parametrize(
    ("change", "message"), [(c, msg) for _, c, msg in CARERS_CASES], ids=[n for n, _, _ in CARERS_CASES]
)
def test_safety_information_refused_with_the_record_and_field_named(
    accounts: User, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    doc = base()
    change(doc)
    assert refused(doc) == [message]


def test_a_refusal_of_information_given_undoes_the_whole_file(
    accounts: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last record refused by the carers service: the people, the invitations and
    the first records already written are all undone."""
    real = cs.information_given_record
    calls: list[int] = []

    def refuse_second(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RecordError("Refused for this test", field="materials")
        return real(**kwargs)

    monkeypatch.setattr(cs, "information_given_record", refuse_second)
    doc = base()
    _both(_invite(), _info())(doc)
    assert refused(doc) == ["information_given[1]: material: Refused for this test"]
    assert not m.FamilyNetwork.objects.exists() and not cm.JointAppointment.objects.exists()
