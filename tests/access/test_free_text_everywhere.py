"""Every service that keeps free text another person will read (a reason, a
comment, a decision, why the family was not told ...) refuses hidden
characters (kinmap.core.text: zero-width spaces, text direction overrides),
naming the field and saving nothing.

Two halves: a scan of the service modules that finds every public service
taking such text and checks that it (or a helper of its own module it calls)
refuses hidden characters, so a new service cannot forget; and the refusal
itself, called through each service that had forgotten."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps

from kinmap.accounts import services as accounts
from kinmap.accounts.models import Role, Team, User
from kinmap.carers import services as carers
from kinmap.gaps import actions as gap_actions
from kinmap.gaps import models as gm
from kinmap.gaps import services as gaps
from kinmap.matching import services as matching
from kinmap.merging import services as merging
from kinmap.records import lifecycle
from kinmap.records import models as m
from kinmap.records import services as records
from kinmap.records.errors import RecordError
from kinmap.sharing import services as sharing
from tests.conftest import make_user
from tests.gaps.family import SeedFamily

HIDDEN = "must not include hidden characters, such as zero-width spaces or text direction controls"
ZWSP = "\u200b"
RLO = "\u202e"

SERVICE_MODULES: list[ModuleType] = [
    accounts,
    carers,
    gaps,
    gap_actions,
    matching,
    merging,
    lifecycle,
    records,
    sharing,
]

# Parameters that hold a person's own words.
FREE_TEXT = {
    "reason",
    "comment",
    "note",
    "rationale",
    "purpose",
    "with_whom",
    "family_not_told_reason",
    "actions",
    "decision",
    "description",
    "summary",
    "title",
    "why_we_ask",
    "suggested_wording",
    "value",
    "name",
    "given_name",
    "family_name",
}

# Free-text parameters that are not a person's words, each with why.
NOT_WORDS = {
    ("sharing", "sharing_decision_record", "decision"): "a choice: share or not share",
    ("matching", "possible_match_record", "reason"): "kinmap's own words: the score's reasons",
}

CHECKERS = {"refuse_hidden_characters", "text_error", "name_error", "hidden_character"}


def _calls(fn: ast.FunctionDef) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "")
    return names


def _checks(fn: ast.FunctionDef, local: dict[str, ast.FunctionDef], seen: set[str]) -> bool:
    called = _calls(fn)
    if called & CHECKERS:
        return True
    for name in called - seen:
        if name in local:
            seen.add(name)
            if _checks(local[name], local, seen):
                return True
    return False


def _sources() -> list[tuple[str, ast.Module]]:
    """Each service module's app name ("records") and syntax tree; a package of
    services (records, gaps) gives each of its modules, all of them together
    (a helper in one module may check for another)."""
    out = []
    for module in SERVICE_MODULES:
        app = (
            module.__name__.split(".")[1]
            if module.__name__.endswith("services")
            else module.__name__.split(".")[-1]
        )
        parts = [module]
        if hasattr(module, "__path__"):
            names = sorted(i.name for i in pkgutil.iter_modules(module.__path__))
            parts += [importlib.import_module(f"{module.__name__}.{name}") for name in names]
        tree = ast.Module(
            body=[n for p in parts for n in ast.parse(inspect.getsource(p)).body], type_ignores=[]
        )
        out.append((app, tree))
    return out


def _services_taking_words() -> list[tuple[str, str, str]]:
    found = []
    for short, tree in _sources():
        local = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for fn in local.values():
            if fn.name.startswith("_"):
                continue
            for arg in fn.args.args + fn.args.kwonlyargs:
                if arg.arg in FREE_TEXT and (short, fn.name, arg.arg) not in NOT_WORDS:
                    found.append((short, fn.name, arg.arg, _checks(fn, local, {fn.name})))
    return [(s, f, a) for s, f, a, ok in found if not ok]


def test_the_scan_finds_services_that_take_words() -> None:
    """The scan is not vacuous: it sees the services it is meant to guard."""
    seen = set()
    for _, tree in _sources():
        seen |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert {
        "break_glass_open",
        "network_close",
        "person_merge",
        "supervisor_decision_record",
        "person_add",
        "relationship_delete",
        "gap_answer",
    } <= seen


def test_every_service_taking_a_persons_words_refuses_hidden_characters() -> None:
    assert _services_taking_words() == []


# The refusal itself, through each service.


def rows() -> dict[str, int]:
    """Rows in every kinmap table (audit included): nothing may be saved."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "records", "gaps", "carers", "sharing", "audit", "matching", "merging", "jobs"}
    }


def refused(call: Callable[[], Any]) -> tuple[str, str]:
    before = rows()
    with pytest.raises(RecordError) as exc:
        call()
    assert rows() == before
    [problem] = exc.value.problems
    assert HIDDEN in problem.message
    return problem.field, problem.message.split(" must not")[0]


@pytest.fixture
def admin(db: None) -> User:
    return make_user("partnership.admin", None, Role.ADMINISTRATOR)


@pytest.fixture
def supervisor_user(health_team: Team) -> User:
    return make_user("hv.supervisor", health_team, Role.SUPERVISOR)


@pytest.mark.django_db
def test_administrators_reasons(admin: User, owner: User, health_team: Team, fam: SeedFamily) -> None:
    allocation = m.Allocation.objects.get(network=fam.network)
    assert refused(lambda: accounts.user_deactivate(actor=admin, user=owner, reason=f"left{ZWSP}")) == (
        "reason",
        "The reason",
    )
    assert refused(
        lambda: accounts.agency_safeguarding_lead_set(
            actor=admin, agency=health_team.agency, lead=None, expected=0, reason=f"{RLO}moved"
        )
    ) == ("reason", "The reason")
    assert refused(lambda: accounts.allocation_end(actor=admin, allocation=allocation, reason=ZWSP)) == (
        "reason",
        "The reason",
    )
    assert refused(
        lambda: gaps.rule_setting_change(
            actor=admin, rule_id="R01", enabled=True, params={}, reason=f"agreed{ZWSP} at board"
        )
    ) == ("reason", "The reason")


@pytest.mark.django_db
def test_a_contacts_reasons(owner: User, fam: SeedFamily) -> None:
    contact = gaps.contact_open(actor=owner, network=fam.network, type="home-visit", date=date.today())
    outcome = gm.ContactGapOutcome.objects.filter(contact=contact).select_related("gap").first()
    assert outcome is not None
    assert refused(
        lambda: gaps.contact_record_outcome(
            actor=owner,
            contact=contact,
            gap=outcome.gap,
            outcome="not-asked-this-time",
            reason=f"no time{RLO}",
        )
    ) == ("not_asked_reason", "Why it was not asked")
    assert refused(
        lambda: gaps.contact_not_asked_rest(actor=owner, contact=contact, reason=f"baby{ZWSP}")
    ) == (
        "reason",
        "Why they were not asked",
    )


@pytest.mark.django_db
def test_a_supervisors_words(supervisor_user: User, fam: SeedFamily) -> None:
    assert refused(
        lambda: gaps.supervisor_decision_record(
            actor=supervisor_user, network=fam.network, decision=f"Ask {RLO}rehtaf"
        )
    ) == ("decision", "The decision")
    assert refused(
        lambda: merging.person_merge(
            actor=supervisor_user, first=fam.mother, second=fam.father, reason=f"same{ZWSP}"
        )
    ) == ("reason", "The reason")


@pytest.mark.django_db
def test_a_practitioners_reasons(owner: User, outsider: User, fam: SeedFamily) -> None:
    network = fam.network
    assert refused(
        lambda: lifecycle.network_close(
            actor=owner, network=network, reason=f"moved{ZWSP}", expected_version=network.version
        )
    ) == ("reason", "The reason")
    assert refused(
        lambda: records.fact_remove(actor=owner, network=network, person=fam.father, key="phone", reason=RLO)
    ) == ("reason", "The reason")
    assert refused(
        lambda: matching.person_new_confirmed(
            actor=owner, network=network, person=fam.father, rejected=[], reason=f"other{ZWSP}"
        )
    ) == ("match_reason", "Why this is a different person")
    assert refused(
        lambda: sharing.break_glass_open(
            actor=outsider, network_id=network.pk, reason=f"The baby is in hospital now{ZWSP}", hours=None
        )
    ) == ("reason", "The reason")
    assert refused(
        lambda: sharing.sharing_decision_record(
            actor=owner,
            network=network,
            decision="share",
            what="Household composition",
            with_whom="The GP",
            lawful_basis="safeguarding",
            rationale="The GP needs to know who lives with the baby.",
            family_told=False,
            family_not_told_reason=f"it would {RLO}put the baby at risk",
        )
    ) == ("family_not_told_reason", "Why the family has not been told")


@pytest.mark.django_db
def test_an_information_requests_purpose(owner: User, social_team: Team, fam: SeedFamily) -> None:
    assert refused(
        lambda: sharing.information_request_create(
            actor=owner,
            network=fam.network,
            person=fam.father,
            what="birth_date",
            to_agency=social_team.agency,
            lawful_basis="safeguarding",
            purpose=f"To complete{ZWSP} the record",
            urgency="routine",
        )
    ) == ("purpose", "Why you need it")
