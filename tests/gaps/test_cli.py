"""``kinmap gaps FAMILY --json``."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import services as gs
from tests.gaps.family import seed_family

pytestmark = pytest.mark.django_db


def row(rule: str, subject: str, severity: str) -> dict[str, object]:
    return {"rule": rule, "subject": subject, "state": "not-asked", "severity": severity, "times_prompted": 1}


def run(*args: str, who: tuple[str, ...] = ("--as", "hv.owner", "--reason", "Preparing a home visit")) -> str:
    out = StringIO()
    call_command("gaps", *args, *who, stdout=out)
    return out.getvalue()


def test_prints_the_open_gaps_as_json(owner: User) -> None:
    f = seed_family(owner)
    gs.contact_open(actor=owner, network=f.network, type="clinic", date=date.today())
    dad, baby, mum = f.father.pk, f.baby.pk, f.mother.pk
    home = f.mother.residences.get().household_id
    printed = run(str(f.network.pk), "--json")
    expected = {
        "family": f.network.pk,
        "open_gaps": [
            # most severe first, then open the longest: everything about the
            # father since the baby's birth, ICON from the day it was due (14
            # days old); the household's roster since the day it was found
            row("R02-birth-father", f"person:{dad}", "critical"),
            row("R05-current-partner", f"person:{dad}", "critical"),
            row("R11-seen-directly", f"person:{dad}", "critical"),
            row("R18-safer-sleep", f"person:{dad}", "critical"),
            row("R20-carers-elsewhere", f"person:{dad}", "critical"),
            row("R17-icon", f"person:{dad}", "critical"),
            row("R18-safer-sleep", f"person:{mum}", "important"),
            row("R04-parental-responsibility", f"person:{dad}:{baby}", "important"),
            row("R08-other-children", f"person:{dad}", "important"),
            row("R09-other-names", f"person:{dad}", "important"),
            row("R15-adult-services", f"person:{dad}", "important"),
            row("R17-icon", f"person:{mum}", "important"),
            row("R06-household-roster", f"household:{home}", "important"),
        ],
    }
    assert json.loads(printed) == expected
    assert printed == json.dumps(expected, indent=2) + "\n"
    assert printed.startswith('{\n  "family": ')


def test_the_read_is_audited_as_a_command_line_read(owner: User) -> None:
    f = seed_family(owner)
    run(str(f.network.pk), "--json")
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.object_type, event.network_id, event.channel, event.actor, event.reason) == (
        "view",
        "gaps",
        f.network.pk,
        "cli",
        owner,
        "Preparing a home visit",
    )


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (
            (),
            "kinmap gaps reads or changes family records: give your user name with --as USER, "
            "and why with --reason",
        ),
        (
            ("--as", "hv.owner"),
            'kinmap gaps needs a reason: say why with --reason "...", it is kept in the audit trail',
        ),
        (
            ("--as", "nobody", "--reason", "Checking"),
            'No user "nobody": give the user name of an existing account with --as',
        ),
        (
            ("--as", "hv.gone", "--reason", "Checking"),
            'User "hv.gone" can no longer sign in: give the user name of an active account with --as',
        ),
    ],
)
def test_a_read_with_nobody_accountable_is_refused_and_not_audited(
    owner: User, who: tuple[str, ...], message: str
) -> None:
    f = seed_family(owner)
    User.objects.create(username="hv.gone", team=owner.team, is_active=False)
    before = AuditEvent.objects.count()
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("gaps", str(f.network.pk), "--json", *who, stdout=out)
    assert (str(info.value), info.value.returncode) == (message, 2)
    assert out.getvalue() == ""
    assert AuditEvent.objects.count() == before


def test_plain_output_and_errors(owner: User) -> None:
    f = seed_family(owner)
    out = run(str(f.network.pk))
    assert out.splitlines()[0] == f"Family of Rowan Testbaby (family {f.network.pk}): 13 open gaps"
    with pytest.raises(CommandError, match="No family network 999"):
        run("999")
    with pytest.raises(CommandError, match="No family network 99999999999999999999"):
        run("99999999999999999999")
    with pytest.raises(CommandError, match='No user "nobody"'):
        run(str(f.network.pk), who=("--as", "nobody", "--reason", "Checking"))
