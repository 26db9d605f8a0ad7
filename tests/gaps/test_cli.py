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


def run(*args: str) -> str:
    out = StringIO()
    call_command("gaps", *args, stdout=out)
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
            row("R02-birth-father", f"person:{dad}", "critical"),
            row("R05-current-partner", f"person:{dad}", "critical"),
            row("R11-seen-directly", f"person:{dad}", "critical"),
            row("R17-icon", f"person:{dad}", "critical"),
            row("R18-safer-sleep", f"person:{dad}", "critical"),
            row("R20-carers-elsewhere", f"person:{dad}", "critical"),
            row("R06-household-roster", f"household:{home}", "important"),
            # the mother became a carer when the baby's home was recorded, before the father was added
            row("R17-icon", f"person:{mum}", "important"),
            row("R18-safer-sleep", f"person:{mum}", "important"),
            row("R04-parental-responsibility", f"person:{dad}:{baby}", "important"),
            row("R08-other-children", f"person:{dad}", "important"),
            row("R09-other-names", f"person:{dad}", "important"),
            row("R15-adult-services", f"person:{dad}", "important"),
        ],
    }
    # most severe first, then the oldest (the household's gap opened before the father was added)
    assert json.loads(printed) == expected
    assert printed == json.dumps(expected, indent=2) + "\n"
    assert printed.startswith('{\n  "family": ')


def test_the_read_is_audited_as_a_command_line_read(owner: User) -> None:
    f = seed_family(owner)
    run(str(f.network.pk), "--json", "--as", owner.username)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.object_type, event.network_id, event.channel, event.actor) == (
        "view",
        "gaps",
        f.network.pk,
        "cli",
        owner,
    )


def test_plain_output_and_errors(owner: User) -> None:
    f = seed_family(owner)
    out = run(str(f.network.pk))
    assert out.splitlines()[0] == f"Family of Rowan Testbaby (family {f.network.pk}): 13 open gaps"
    with pytest.raises(CommandError, match="No family network 999"):
        run("999")
    with pytest.raises(CommandError, match='No user "nobody"'):
        run(str(f.network.pk), "--as", "nobody")
