"""The command line gives the ``--as`` user what the pages would give them.
A command about one family network works only on families the user may see
on the pages now (allocation to their team, or break-glass), and refuses
others with exit status 2 and one line worded alike for a family that does
not exist and one they may not see, leaving nothing behind; a command acting
on the whole partnership needs the role the pages need for the same action."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from kinmap.accounts.models import Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records.family_file import family_file_export
from kinmap.sharing import services as sh
from tests.conftest import make_user
from tests.gaps.family import SeedFamily

pytestmark = pytest.mark.django_db

REASON = ("--reason", "Preparing the case review")


def refused(command: str, *args: str) -> str:
    """The one line a refused command says (exit status 2), having written nothing."""
    with pytest.raises(CommandError) as info:
        call_command(command, *args, stdout=StringIO(), stderr=StringIO())
    assert info.value.returncode == 2
    text = str(info.value)
    assert "\n" not in text
    return text


@pytest.fixture
def missing(fam: SeedFamily) -> int:
    """A number no family has."""
    return m.FamilyNetwork.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000


@pytest.mark.parametrize("command", ["export", "gaps"])
def test_a_family_the_user_may_not_see_is_refused_like_a_missing_one(
    command: str, owner: User, outsider: User, fam: SeedFamily, missing: int, tmp_path: Path
) -> None:
    before = AuditEvent.objects.count()
    target = tmp_path / "family.json"
    out = ("-o", str(target)) if command == "export" else ()
    hidden = refused(command, str(fam.network.pk), *out, "--as", outsider.username, *REASON)
    absent = refused(command, str(missing), *out, "--as", outsider.username, *REASON)
    assert hidden == f'No family network {fam.network.pk} that "{outsider.username}" may see'
    assert absent == hidden.replace(str(fam.network.pk), str(missing))
    # nor may roles that do not work with families, whatever their agency
    for role in (Role.AUDITOR, Role.ADMINISTRATOR, Role.INFORMATION_OFFICER):
        user = make_user(f"user.{role}", owner.team, role)
        assert refused(command, str(fam.network.pk), *out, "--as", user.username, *REASON) == (
            f'No family network {fam.network.pk} that "{user.username}" may see'
        )
    assert AuditEvent.objects.count() == before
    assert not target.exists()


def test_an_export_of_several_families_is_refused_whole_when_one_may_not_be_seen(
    owner: User, outsider: User, fam: SeedFamily, missing: int, tmp_path: Path
) -> None:
    theirs = m.FamilyNetwork.objects.create(name="Social care's family")
    m.Allocation.objects.create(network=theirs, team=outsider.team, start=fam.network.created_at.date())
    target = tmp_path / "family.json"
    before = AuditEvent.objects.count()
    numbers = (str(fam.network.pk), str(theirs.pk), str(missing))
    text = refused("export", *numbers, "-o", str(target), "--as", owner.username, *REASON)
    assert (
        text
        == f'No family network {min(theirs.pk, missing)}, {max(theirs.pk, missing)} that "hv.owner" may see'
    )
    assert AuditEvent.objects.count() == before
    assert not target.exists()


def test_the_families_the_user_may_see_are_exported_and_read_as_on_the_pages(
    owner: User, outsider: User, social_team: Team, fam: SeedFamily, tmp_path: Path
) -> None:
    target = tmp_path / "family.json"
    call_command(
        "export", str(fam.network.pk), "-o", str(target), "--as", owner.username, *REASON, stdout=StringIO()
    )
    assert target.read_text(encoding="utf-8") == family_file_export([fam.network]).text
    # emergency access opens the family to the command line as to the pages, while it lasts
    make_user("sc.lead", social_team, Role.SUPERVISOR)  # told of it
    sh.break_glass_open(
        actor=outsider, network_id=fam.network.pk, reason="The baby is in hospital tonight", hours=None
    )
    out = StringIO()
    call_command("gaps", str(fam.network.pk), "--json", "--as", outsider.username, *REASON, stdout=out)
    assert json.loads(out.getvalue())["family"] == fam.network.pk
    read = AuditEvent.objects.filter(action="view", object_type="gaps", network_id=fam.network.pk).get()
    assert (read.actor_name, read.reason, read.channel) == (outsider.username, REASON[1], "cli")


def test_the_batch_match_needs_a_reviewer_of_its_queue(owner: User, tmp_path: Path) -> None:
    """Refused before anything is scored; a supervisor runs it in tests/merging/test_batch_match.py."""
    model = tmp_path / "model.json"
    before = AuditEvent.objects.count()
    with override_settings(KINMAP_MATCH_MODEL_PATH=model):
        for user in (
            owner,
            make_user("audits", owner.team, Role.AUDITOR),
            make_user("admin", None, Role.ADMINISTRATOR),
        ):
            role = Role(user.role).label.lower()
            assert refused("match", "--as", user.username, *REASON) == (
                f'User "{user.username}" ({role}) may not run the batch match: '
                "only supervisors and information officers in a team may"
            )
    assert not model.exists()
    assert AuditEvent.objects.count() == before


def test_a_rule_setting_needs_a_partnership_administrator(owner: User, supervisor: User) -> None:
    for user in (owner, supervisor):
        assert refused(
            "rules", "set", "R14-agency-request", "enabled", "false", "--as", user.username, *REASON
        ) == ("Only a partnership administrator can change the rule settings")
