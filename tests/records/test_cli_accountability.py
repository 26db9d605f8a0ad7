"""The commands that read or change family records run as a named, active
person with a reason, both kept in the audit trail, never as "system". Masked
details leave in an export only for a person entitled to see them, with a
reason. A refusal is one line, exit status 2, and leaves nothing behind."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records.demo_setup import SC_TEAM, SOCIAL_CARE, demo_accounts_ensure
from kinmap.records.errors import RecordError
from kinmap.records.family_file import family_file_export_audited
from tests.conftest import run_kinmap
from tests.records.test_family_file import FAST_HASHER, docs_example, load

REASON = "Transfer to the Southshire kinmap: the family moved on 3 March"
NOBODY = (
    "kinmap export reads or changes family records: give your user name with --as USER, and why with --reason"
)
NOT_AN_IMPORTER = (
    'User "{}" ({}) may not import family networks: only practitioners and supervisors in a team, '
    "and partnership administrators, may"
)
NO_REASON = 'kinmap export needs a reason: say why with --reason "...", it is kept in the audit trail'
NOT_ENTITLED = (
    'User "social.worker" is not entitled to see masked details, so cannot export them with --include-masked'
)


@pytest.fixture
def masked_family(db: None, settings: Any) -> list[m.FamilyNetwork]:
    """The demo accounts, and the documented example families with a masked
    address and telephone number, both allocated to social care's assessment
    team (the social worker and their supervisor may see both)."""
    settings.PASSWORD_HASHERS = FAST_HASHER
    demo_accounts_ensure()
    doc = json.loads(docs_example())
    doc["households"][0]["masked"] = True
    doc["people"][1]["phone_masked"] = True
    for network in doc["networks"]:
        network["allocations"] = [{"agency": SOCIAL_CARE, "team": SC_TEAM, "start": "2025-09-01"}]
    return load(json.dumps(doc))


def export(target: Path, networks: list[m.FamilyNetwork], *args: str) -> str:
    out = io.StringIO()
    call_command("export", *[str(n.pk) for n in networks], "-o", str(target), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--include-masked",), NOBODY),
        (("--include-masked", "--reason", REASON), NOBODY),
        (("--include-masked", "--as", "sw.supervisor"), NO_REASON),
        (("--include-masked", "--as", "sw.supervisor", "--reason", "   "), NO_REASON),
        (("--include-masked", "--as", "social.worker", "--reason", REASON), NOT_ENTITLED),
        (
            ("--include-masked", "--as", "nobody", "--reason", REASON),
            'No user "nobody": give the user name of an existing account with --as',
        ),
        # and any export at all, masked details or not, names a person and a reason
        ((), NOBODY),
        (("--as", "auditor"), NO_REASON),
    ],
)
def test_an_export_with_nobody_accountable_is_refused_and_nothing_is_written(
    masked_family: list[m.FamilyNetwork], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    target = tmp_path / "family.json"
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError) as info:
        export(target, masked_family, *args)
    assert (str(info.value), info.value.returncode) == (message, 2)
    assert not target.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_an_entitled_user_exports_masked_details_with_the_reason_audited(
    masked_family: list[m.FamilyNetwork], tmp_path: Path
) -> None:
    target = tmp_path / "family.json"
    export(target, masked_family, "--include-masked", "--as", "sw.supervisor", "--reason", REASON)
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["masked_details"] == "included"
    assert written["households"][0]["address_line_1"] == "Flat 2, 14 Larch Road"
    events = AuditEvent.objects.filter(action="export").order_by("id")
    assert [(e.network_id, e.actor_name, e.agency_name, e.reason, e.channel) for e in events] == [
        (n.pk, "sw.supervisor", "Northshire Children's Social Care", REASON, "cli") for n in masked_family
    ]
    assert all(e.changes["include_masked"] == [None, True] for e in events)


@pytest.mark.django_db
def test_the_export_service_refuses_masked_details_to_anyone_not_entitled(
    masked_family: list[m.FamilyNetwork],
) -> None:
    written: list[str] = []
    for actor, reason, message in [
        (None, REASON, "Nobody named is not entitled to see masked details, so cannot export them"),
        (User.objects.get(username="social.worker"), REASON, NOT_ENTITLED),
        (User.objects.get(username="sw.supervisor"), "", "Say why masked details are exported"),
    ]:
        with pytest.raises(RecordError) as info:
            family_file_export_audited(
                actor=actor,
                networks=masked_family,
                include_masked=True,
                destination="test",
                reason=reason,
                write=written.append,
            )
        assert info.value.messages[0].startswith(message)
    assert written == []
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "message"),
    [
        ((), NOBODY.replace("export", "import")),
        (("--as", "health.visitor"), NO_REASON.replace("export", "import")),
        (
            ("--as", "gone.away", "--reason", REASON),
            'User "gone.away" can no longer sign in: give the user name of an active account with --as',
        ),
        # an import starts families and allocates them: the roles that do so on the pages
        (("--as", "auditor", "--reason", REASON), NOT_AN_IMPORTER.format("auditor", "auditor")),
        (
            ("--as", "police.info", "--reason", REASON),
            NOT_AN_IMPORTER.format("police.info", "information officer"),
        ),
    ],
)
def test_an_import_with_nobody_accountable_is_refused_and_nothing_is_saved(
    db: None, settings: Any, tmp_path: Path, who: tuple[str, ...], message: str
) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHER
    demo_accounts_ensure()
    User.objects.filter(username="midwife").update(username="gone.away", is_active=False)
    path = tmp_path / "family.json"
    path.write_text(docs_example(), encoding="utf-8")
    before = (AuditEvent.objects.count(), m.FamilyNetwork.objects.count(), m.Person.objects.count())
    with pytest.raises(CommandError) as info:
        call_command("import", str(path), *who, stdout=io.StringIO())
    assert (str(info.value), info.value.returncode) == (message, 2)
    assert (AuditEvent.objects.count(), m.FamilyNetwork.objects.count(), m.Person.objects.count()) == before


@pytest.mark.django_db
def test_an_import_is_audited_with_its_person_and_reason(db: None, settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHER
    demo_accounts_ensure()
    path = tmp_path / "family.json"
    path.write_text(docs_example(), encoding="utf-8")
    call_command("import", str(path), "--as", "partnership.admin", "--reason", REASON, stdout=io.StringIO())
    event = AuditEvent.objects.get(action="import")
    assert (event.actor_name, event.reason, event.channel) == ("partnership.admin", REASON, "cli")
    creates = AuditEvent.objects.filter(action="create", object_type="network")
    assert {e.actor_name for e in creates} == {"partnership.admin"}


def test_the_kinmap_command_refuses_with_one_line_and_exit_status_2(tmp_path: Path) -> None:
    target = tmp_path / "family.json"
    done = run_kinmap(tmp_path, "export", "1", "--include-masked", "-o", str(target))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"CommandError: {NOBODY}\n")
    assert not target.exists()
