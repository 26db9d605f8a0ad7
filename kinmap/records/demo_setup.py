"""The demo: made-up agencies, teams, users for every role, and the demo
families from ``kinmap/records/demo/*.json``, loaded through the family-file
importer with their dates moved so that they are as old on the day of loading
as they were on the files' reference date (the seed baby is nine weeks old).

Idempotent: running it again updates the demo accounts in place and skips the
families already loaded. Refuses to run in production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from kinmap.accounts.models import Agency, MaskedDetailEntitlement, Role, Team, User

from . import models as m
from .family_file import ImportResult, family_file_import, family_file_read, sha256_of

DEMO_DIR = Path(__file__).resolve().parent / "demo"
DEMO_URL = "http://127.0.0.1:8000"
# Published in the README and printed by `kinmap demo`: demo accounts only.
DEMO_PASSWORD = "northshire-demo-pass"  # noqa: S105

HEALTH = "Northshire Community Health Trust"
SOCIAL_CARE = "Northshire Children's Social Care"
POLICE = "Northshire Police"
EARLY_HELP = "Northshire Early Help"
PARTNERSHIP = "Northshire Safeguarding Partnership"

HV_TEAM = "Eastfield health visiting team"
MW_TEAM = "Eastfield community midwifery team"
SC_TEAM = "Assessment team"
POLICE_TEAM = "Multi-agency safeguarding hub"
EH_TEAM = "Eastfield family hub"
BU_TEAM = "Partnership business unit"

AGENCIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (HEALTH, Agency.Kind.HEALTH, (HV_TEAM, MW_TEAM)),
    (SOCIAL_CARE, Agency.Kind.SOCIAL_CARE, (SC_TEAM,)),
    (POLICE, Agency.Kind.POLICE, (POLICE_TEAM,)),
    (EARLY_HELP, Agency.Kind.EARLY_HELP, (EH_TEAM,)),
    (PARTNERSHIP, Agency.Kind.PARTNERSHIP, (BU_TEAM,)),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    job_title: str
    role: str
    agency: str
    team: str


USERS: tuple[DemoUser, ...] = (
    DemoUser("health.visitor", "Grace", "Adeyemi", "Health visitor", Role.PRACTITIONER, HEALTH, HV_TEAM),
    DemoUser("midwife", "Ruth", "Ellison", "Community midwife", Role.PRACTITIONER, HEALTH, MW_TEAM),
    DemoUser(
        "safeguarding.lead",
        "Helen",
        "Okafor",
        "Named nurse for safeguarding children",
        Role.PRACTITIONER,
        HEALTH,
        HV_TEAM,
    ),
    DemoUser(
        "hv.supervisor", "Sam", "Whitlock", "Health visiting team leader", Role.SUPERVISOR, HEALTH, HV_TEAM
    ),
    DemoUser("social.worker", "Callum", "Reid", "Social worker", Role.PRACTITIONER, SOCIAL_CARE, SC_TEAM),
    DemoUser("sw.supervisor", "Nadia", "Hussain", "Team manager", Role.SUPERVISOR, SOCIAL_CARE, SC_TEAM),
    DemoUser(
        "sc.info", "Priya", "Nair", "Information officer", Role.INFORMATION_OFFICER, SOCIAL_CARE, SC_TEAM
    ),
    DemoUser("early.help", "Josh", "Turner", "Family support worker", Role.PRACTITIONER, EARLY_HELP, EH_TEAM),
    DemoUser(
        "police.info", "Meera", "Shah", "Information officer", Role.INFORMATION_OFFICER, POLICE, POLICE_TEAM
    ),
    DemoUser(
        "partnership.admin",
        "Alex",
        "Morgan",
        "Partnership administrator",
        Role.ADMINISTRATOR,
        PARTNERSHIP,
        BU_TEAM,
    ),
    DemoUser("auditor", "Jo", "Fairley", "Case review officer", Role.AUDITOR, PARTNERSHIP, BU_TEAM),
)

# Who may see masked addresses and telephone numbers.
ENTITLEMENTS: tuple[tuple[str, str], ...] = (
    (SOCIAL_CARE, Role.SUPERVISOR),
    (POLICE, Role.INFORMATION_OFFICER),
)


# Each agency's designated safeguarding lead, told of emergency access used by
# someone in a team with no supervisor (the midwifery team has none).
SAFEGUARDING_LEADS: tuple[tuple[str, str], ...] = ((HEALTH, "safeguarding.lead"),)


class DemoRefused(Exception):
    pass


@dataclass
class DemoResult:
    users: list[tuple[DemoUser, Team]] = field(default_factory=list)
    loaded: list[tuple[str, ImportResult]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files whose families were there already


def demo_files() -> list[Path]:
    return sorted(DEMO_DIR.glob("*.json"))


def demo_load(*, today: date) -> DemoResult:
    """Create (or bring up to date) the demo accounts and load the demo families."""
    if getattr(settings, "KINMAP_ENV", "") == "production":
        raise DemoRefused(
            "kinmap demo creates made-up families and accounts with a published password, "
            "so it refuses to run when KINMAP_ENV=production."
        )
    result = DemoResult()
    with transaction.atomic():
        result.users = demo_accounts_ensure()
        for path in demo_files():
            content = path.read_bytes()
            ff = family_file_read(content, shift_to=today)
            if m.FamilyNetwork.objects.filter(name__in=[n.name for n in ff.networks]).exists():
                result.skipped.append(path.name)
                continue
            imported = family_file_import(
                family_file=ff,
                actor=None,
                file_name=f"demo/{path.name}",
                sha256=sha256_of(content),
                reason="kinmap demo: made-up demo family",
            )
            result.loaded.append((path.name, imported))
    return result


def demo_accounts_ensure() -> list[tuple[DemoUser, Team]]:
    """The demo agencies, teams, masked-detail entitlements, users and
    designated safeguarding leads, made or brought back to their demo state
    (the demo password included)."""
    teams: dict[tuple[str, str], Team] = {}
    for name, kind, team_names in AGENCIES:
        agency, _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
        if agency.kind != kind:
            agency.kind = kind
            agency.save(update_fields=["kind"])
        for team_name in team_names:
            teams[(name, team_name)], _ = Team.objects.get_or_create(agency=agency, name=team_name)
    for agency_name, role in ENTITLEMENTS:
        MaskedDetailEntitlement.objects.get_or_create(agency=Agency.objects.get(name=agency_name), role=role)
    out = []
    for du in USERS:
        team = teams[(du.agency, du.team)]
        user = User.objects.filter(username=du.username).first() or User(username=du.username)
        user.first_name, user.last_name, user.job_title = du.first_name, du.last_name, du.job_title
        user.role, user.team, user.is_active = du.role, team, True
        validate_password(DEMO_PASSWORD, user)
        user.set_password(DEMO_PASSWORD)
        user.save()
        out.append((du, team))
    for agency_name, username in SAFEGUARDING_LEADS:
        Agency.objects.filter(name=agency_name).update(
            designated_safeguarding_lead=User.objects.get(username=username)
        )
    return out
