"""The family file at the command line: ``kinmap export`` writes the file to a
path or standard output, audited, and tells what it left out; ``kinmap import``
moves the dates when asked; both refuse a family the user may not see."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records.demo_setup import DEMO_DIR
from kinmap.records.family_file import (
    family_file_export,
    sha256_of,
)
from kinmap.records.management.commands.export import left_out_words
from tests.records.test_family_file import AS_ADMIN, AS_HV, accounts, docs_example, load

__all__ = ["accounts"]  # the fixture (tests.records.test_family_file)


def test_the_left_out_note_names_only_the_networks_the_user_may_see() -> None:
    what = "2 relationships"
    assert left_out_words(what, [1], [2, 7, 8], {1, 7}) == (
        "Left out: 2 relationships linking to people in other family networks (7, and 2 other family "
        "networks you may not see). To keep them, export the networks together: kinmap export 1 7"
    )
    assert left_out_words(what, [1], [2, 7], {1, 2, 7}) == (
        "Left out: 2 relationships linking to people in other family networks (2 7). "
        "To keep them, export the networks together: kinmap export 1 2 7"
    )
    assert left_out_words(what, [1], [2], {1}) == (
        "Left out: 2 relationships linking to people in other family networks "
        "(1 other family network you may not see)."
    )


def test_export_command_writes_the_file_and_audits_it(accounts: None, tmp_path: Path) -> None:
    theo_net, _lily_net = load(docs_example())
    target = tmp_path / "theo.json"
    out = io.StringIO()
    call_command(
        "export",
        str(theo_net.pk),
        "-o",
        str(target),
        "--as",
        "health.visitor",
        "--reason",
        "Transfer",
        stdout=out,
    )
    assert out.getvalue() == (
        f"Exported 1 family network (3 people) to {target}\n"
        # the health visitor may not see Lily's family: its number is not given
        "Left out: 1 relationship, 1 parental responsibility record linking to people in other "
        "family networks (1 other family network you may not see).\n"
    )
    text = target.read_text(encoding="utf-8")
    assert text == family_file_export([theo_net]).text
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.object_type, event.object_id, event.network_id, event.actor_name) == (
        "export",
        "network",
        str(theo_net.pk),
        theo_net.pk,
        "health.visitor",
    )
    assert event.changes["file"] == [None, str(target)]
    assert event.changes["sha256"] == [None, sha256_of(text.encode())]
    assert event.changes["include_masked"] == [None, False]


def test_export_command_writes_to_standard_output(accounts: None) -> None:
    networks = load(docs_example())
    # Lily's family is allocated to social care only: the health visitor's team too, for both
    hv_team = User.objects.get(username="health.visitor").team
    m.Allocation.objects.create(network=networks[1], team=hv_team, start=timezone.localdate())
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *[str(n.pk) for n in networks], *AS_HV, stdout=out, stderr=err)
    assert out.getvalue() == family_file_export(networks).text
    assert err.getvalue() == "Exported 2 family networks (4 people)\n"
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_export_command_refuses_an_unknown_family(accounts: None) -> None:
    with pytest.raises(CommandError, match=r'^No family network 9999 that "health.visitor" may see$'):
        call_command("export", "9999", *AS_HV)
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("family", ["0", "-1", "99999999999999999999"])
def test_export_command_refuses_an_out_of_range_family_like_an_unknown_one(
    accounts: None, family: str
) -> None:
    with pytest.raises(CommandError, match=rf'^No family network {family} that "health.visitor" may see$'):
        call_command("export", family, *AS_HV)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_import_command_moves_dates_when_asked(accounts: None) -> None:
    unborn = DEMO_DIR / "03-unborn-baby.json"
    # as written, the expected date of delivery is long past
    with pytest.raises(CommandError) as info:
        call_command("import", str(unborn), *AS_ADMIN)
    assert (
        'people[0] (id "baby"): birth_date: An expected date of birth must not be more than a month ago: '
        "record the actual date of birth"
    ) in str(info.value)
    out = io.StringIO()
    call_command("import", str(unborn), "--shift-dates", *AS_ADMIN, stdout=out)
    assert out.getvalue().startswith("Imported 03-unborn-baby.json: 1 family network, 4 people")
    baby = m.Person.objects.get(birth_date_accuracy="expected")
    written = json.loads(unborn.read_text(encoding="utf-8"))
    days_ahead = (
        datetime.fromisoformat(written["people"][0]["birth_date"])
        - datetime.fromisoformat(written["reference_date"])
    ).days
    assert baby.birth_date == timezone.localdate() + timedelta(days=days_ahead)
