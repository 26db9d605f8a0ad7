"""The contact page, the family page's gaps, the history, the worklist, the
supervisor's pages and the rule settings, through the browser's eyes (the
Django test client)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Role, Team, User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as rm
from tests.conftest import PASSWORD, make_user
from tests.gaps.family import SeedFamily, seed_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def fam(owner: User) -> SeedFamily:
    return seed_family(owner)


def signed_in(client: Client, user: User) -> Client:
    client.login(username=user.username, password=PASSWORD)
    return client


def text(html: str) -> str:
    """The page's words, without tags or runs of white space."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" ,", ","))


def start(client: Client, f: SeedFamily, when: date, kind: str = "home-visit") -> gm.Contact:
    response = client.post(
        reverse("contact-start", args=[f.network.pk]),
        {
            "type": kind,
            "date_0": when.day,
            "date_1": when.month,
            "date_2": when.year,
            "present": [f.mother.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    return gm.Contact.objects.get(network=f.network, status="open")


def dob_gap(f: SeedFamily) -> gm.Gap:
    return gm.Gap.objects.get(key=f"R02-birth-father:person:{f.father.pk}")


def test_opening_a_contact_shows_the_gaps_first_most_severe_and_oldest_first(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    html = client.get(reverse("contact", args=[fam.network.pk, contact.pk])).content.decode()
    main = html[html.index('id="main-content"') :]
    # before anything else: the gaps, then the household to reconfirm
    assert main.index("What we still need to know") < main.index("Who lives with the child")
    keys = re.findall(r'class="kinmap-gap" id="gap-\d+" data-gap-key="([^"]+)"', main)
    severities = [gm.Gap.objects.get(key=k).severity for k in keys]
    assert severities == sorted(severities, key=lambda s: {"critical": 0, "important": 1, "routine": 2}[s])
    # then the oldest: open since the requirement first applied (the father's,
    # from the baby's birth; ICON from the day it was due)
    opened = [gm.Gap.objects.get(key=k) for k in keys if gm.Gap.objects.get(key=k).severity == "critical"]
    assert [g.open_since for g in opened] == sorted(g.open_since for g in opened)
    assert keys[0] == f"R02-birth-father:person:{fam.father.pk}"
    assert opened[0].open_since == fam.baby.birth_date
    words = text(main)
    assert "Critical Date of birth not recorded for Dan Testfather" in words
    assert (
        "Why we ask Dads matter to babies as much as mums do. We ask about the baby's dad in every family"
        in words
    )
    assert "Last time Not asked before" in words
    assert "Flagged for the supervisor About someone who has a baby under one overnight" in words
    # the answer can be recorded inline, with an absent reason, or "not asked this time"
    assert 'data-answer="birth-date"' in main
    assert "Asked: they did not want to say" in words
    assert "Not asked this time" in words


def test_the_contact_journey_declined_then_answered_at_the_next_contact(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    signed_in(client, owner)
    gap = dob_gap(fam)
    first = start(client, fam, date.today() - timedelta(days=14))
    url = reverse("contact-gap-outcome", args=[fam.network.pk, first.pk, gap.pk])
    p = f"g{gap.pk}-"
    # a decline without the reason: refused, shown next to the field, nothing saved
    version = gm.Gap.objects.get(pk=gap.pk).version
    response = client.post(
        url, {p + "outcome": "asked-declined", p + "declined_by": fam.mother.pk, p + "version": version}
    )
    assert response.status_code == 200
    page = text(response.content.decode())
    assert (
        "There is a problem Enter the reason they gave, in their words Enter your view of why they declined"
        in page
    )
    assert f'href="#id_{p}declined_reason"' in response.content.decode()
    assert gm.Gap.objects.get(pk=gap.pk).state == "not-asked"
    response = client.post(
        url,
        {
            p + "outcome": "asked-declined",
            p + "declined_by": fam.mother.pk,
            p + "declined_reason": "he doesn't want services involved",
            p + "declined_view": "She looked worried about how he would react",
            p + "version": version,
        },
    )
    assert response.status_code == 302
    # closing is refused while other gaps have no outcome, naming them
    response = client.post(reverse("contact-close", args=[fam.network.pk, first.pk]))
    page = text(response.content.decode())
    assert "Record an outcome for every gap shown before closing the contact" in page
    assert "Record what happened about: Not recorded whether Dan Testfather has a current partner" in page
    assert "Record what happened about: Date of birth not recorded for Dan Testfather" not in page
    client.post(reverse("contact-not-asked-rest", args=[fam.network.pk, first.pk]), {"reason": "baby unwell"})
    assert client.post(reverse("contact-close", args=[fam.network.pk, first.pk])).status_code == 302

    # the next contact: the same prompt returns, with what was said last time
    second = start(client, fam, date.today(), kind="clinic")
    html = client.get(reverse("contact", args=[fam.network.pk, second.pk])).content.decode()
    block = html[html.index(f'id="gap-{gap.pk}"') :]
    block = text(block[: block.index('class="kinmap-gap" id=', 10)])
    when = date.today() - timedelta(days=14)
    said = f"{when.day} {when:%b}" + ("" if when.year == date.today().year else f" {when.year}")
    assert (
        f"Last time {said}: declined (Mara Testbaby): \u2018he doesn't want services involved\u2019. "
        "Practitioner\u2019s view: \u2018She looked worried about how he would react\u2019"
    ) in block
    assert "shown at 2 contacts" in block

    # his date of birth, given by the mother, inline
    response = client.post(
        reverse("contact-gap-answer", args=[fam.network.pk, second.pk, gap.pk, "birth-date"]),
        {
            f"{p}birth-date-birth_date_0": "3",
            f"{p}birth-date-birth_date_1": "5",
            f"{p}birth-date-birth_date_2": "1994",
            f"{p}birth-date-source": "said-by",
            f"{p}birth-date-source_detail": "the mother",
            f"{p}birth-date-version": rm.Person.objects.get(pk=fam.father.pk).version,
        },
    )
    assert response.status_code == 302
    gap.refresh_from_db()
    assert (gap.is_open, gap.state) == (False, "resolved")
    assert second.outcomes.get(gap=gap).outcome == "answered"
    fam.father.refresh_from_db()
    assert fam.father.birth_date == date(1994, 5, 3)
    assert fam.father.provenance["birth_date"]["detail"] == "the mother"

    # gone from the family page, and the history tells the story
    family = client.get(reverse("family", args=[fam.network.pk])).content.decode()
    section = family[
        family.index('id="still-need"') : family.index("</section>", family.index('id="still-need"'))
    ]
    assert "Date of birth not recorded for Dan Testfather" not in section
    assert "Not recorded whether Dan Testfather has a current partner" in section
    history = client.get(reverse("gaps-history", args=[fam.network.pk])).content.decode()
    row = history[history.index(f'data-gap-key="{gap.key}"') :]
    row = text(row[: row.index("</tr>")])
    today = date.today()
    now = f"{today.day} {today:%b}"
    assert (
        f"not asked ({now}) → asked, declined (Mara Testbaby): \u2018he doesn't want services involved\u2019 "
        f"({said}) → asked again, date of birth recorded, given by the mother ({now})"
    ) in row


def test_an_inline_answer_with_a_bad_date_is_refused_on_the_contact_page(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    gap = dob_gap(fam)
    p = f"g{gap.pk}-birth-date-"
    response = client.post(
        reverse("contact-gap-answer", args=[fam.network.pk, contact.pk, gap.pk, "birth-date"]),
        {
            p + "birth_date_0": "31",
            p + "birth_date_1": "2",
            p + "birth_date_2": "1994",
            p + "source": "said-by",
        },
    )
    assert response.status_code == 200
    assert "Date of birth must be a real date" in response.content.decode()
    assert f'href="#id_{p}birth_date_0"' in response.content.decode()
    gap.refresh_from_db()
    assert gap.is_open
    fam.father.refresh_from_db()
    assert fam.father.birth_date is None


def test_no_current_partner_and_seen_today_are_answered_inline(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    partner = gm.Gap.objects.get(key=f"R05-current-partner:person:{fam.father.pk}")
    seen = gm.Gap.objects.get(key=f"R11-seen-directly:person:{fam.father.pk}")
    client.post(
        reverse("contact-gap-answer", args=[fam.network.pk, contact.pk, partner.pk, "no-partner"]),
        {
            f"g{partner.pk}-no-partner-source": "said-by",
            f"g{partner.pk}-no-partner-source_detail": "the mother",
        },
    )
    client.post(reverse("contact-gap-answer", args=[fam.network.pk, contact.pk, seen.pk, "seen"]))
    partner.refresh_from_db()
    seen.refresh_from_db()
    assert not partner.is_open and not seen.is_open
    assert fam.father in contact.seen_directly.all()


def test_household_no_change_from_the_contact_page(client: Client, owner: User, fam: SeedFamily) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    household = fam.mother.residences.get().household
    response = client.post(
        reverse("contact-household", args=[fam.network.pk, contact.pk, household.pk]),
        {"outcome": "no-change"},
    )
    assert response.status_code == 302
    html = client.get(reverse("contact", args=[fam.network.pk, contact.pk])).content.decode()
    assert 'data-confirmed="no-change"' in html


def test_the_family_page_says_what_we_still_need_to_know(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    html = signed_in(client, owner).get(reverse("family", args=[fam.network.pk])).content.decode()
    section = html[html.index('id="still-need"') :]
    section = section[: section.index("</section>")]
    keys = re.findall(r'data-gap-key="([^"]+)"', section)
    assert len(keys) == 13 and keys[0] == f"R02-birth-father:person:{fam.father.pk}"
    assert "Why we ask: Dads matter to babies as much as mums do." in text(section)


def test_my_families_orders_by_the_most_severe_gap_and_filters(client: Client, owner: User) -> None:
    quiet = seed_family(owner, name="Quiet", today=date.today() - timedelta(days=5))  # born 5 days earlier
    loud = seed_family(owner, name="Loud")
    # the quiet family's father: everything critical answered
    from kinmap.records import services as s

    for f in (quiet,):
        s.person_update(
            actor=owner,
            network=f.network,
            person=f.father,
            data=s.PersonData(
                given_name="Dan",
                family_name="Testfather",
                sex="male",
                phone="07700 900002",
                birth_date=date(1994, 5, 3),
                birth_date_accuracy="accurate",
                seen_directly_on=date.today(),
            ),
            expected_version=rm.Person.objects.get(pk=f.father.pk).version,
            source=s.Source_("said-by", "the mother"),
        )
        s.fact_set(
            expected_version=None,
            actor=owner,
            network=f.network,
            person=f.father,
            key="current-partner",
            value="none",
        )
        # ICON and safer sleep talked through with him by telephone (rules 17, 18 and 20)
        from kinmap.carers import models as cm
        from kinmap.carers import services as cs

        cs.information_given_record(
            actor=owner,
            network=f.network,
            person=f.father,
            data=cs.InformationData(
                materials=list(cm.Material.objects.filter(code__in=["icon", "safer-sleep"])),
                how="telephone",
                given_on=date.today(),
            ),
        )
    signed_in(client, owner)
    html = client.get(reverse("my-families")).content.decode()
    rows = re.findall(r'data-family="(\d+)"', html)
    assert rows == [str(loud.network.pk), str(quiet.network.pk)]
    assert re.findall(r'data-worst="(\w*)"', html) == ["critical", "important"]
    # filters: a GET form
    html = client.get(reverse("my-families"), {"severity": "critical"}).content.decode()
    assert re.findall(r'data-family="(\d+)"', html) == [str(loud.network.pk)]
    html = client.get(
        reverse("my-families"), {"rule": "R09-other-names", "state": "not-asked"}
    ).content.decode()
    # the same severity: the family whose matching gap is older (open since
    # the earlier birth) comes first
    assert re.findall(r'data-family="(\d+)"', html) == [str(quiet.network.pk), str(loud.network.pk)]
    assert re.findall(r'data-open="(\d+)"', html) == ["1", "1"]
    html = client.get(reverse("my-families"), {"state": "asked-declined"}).content.decode()
    assert "No families have gaps that match." in html
    html = client.get(reverse("my-families"), {"severity": "urgent"}).content.decode()
    assert "Select a valid choice" in html


def test_the_supervisor_dashboard_shows_flagged_gaps_and_declines(
    client: Client, owner: User, health_team: Team, fam: SeedFamily
) -> None:
    supervisor = make_user("hv.supervisor", health_team, Role.SUPERVISOR)
    gap = dob_gap(fam)
    for reason in ("he doesn't want services involved", "still no"):
        gs.gap_answer(
            actor=owner,
            gap=gap,
            answer=gs.Answer(
                state="asked-declined", reason=reason, practitioner_view="reluctant", declined_by=fam.mother
            ),
            expected_version=gm.Gap.objects.get(pk=gap.pk).version,
        )
    assert signed_in(client, owner).get(reverse("supervisor-dashboard")).status_code == 403
    html = signed_in(client, supervisor).get(reverse("supervisor-dashboard")).content.decode()
    words = text(html)
    assert f'data-flagged-family="{fam.network.pk}"' in html
    # open since the baby's birth: flagged by age as well (escalation uses open since)
    assert fam.baby.birth_date is not None
    age = (date.today() - fam.baby.birth_date).days
    assert (
        f"Date of birth not recorded for Dan Testfather Critical and open for {age} days; Declined twice; "
        "About someone who has a baby under one overnight" in words
    )
    assert (
        "Mara Testbaby Date of birth not recorded for Dan Testfather \u2018still no\u2019 reluctant" in words
    )
    # the decision is recorded and becomes part of the family's history
    response = client.post(
        reverse("gaps-supervision", args=[fam.network.pk]),
        {"gap": gap.pk, "decision": "Ask the GP for his details", "actions": "HV by Friday"},
    )
    assert response.status_code == 302
    history = text(client.get(reverse("gaps-history", args=[fam.network.pk])).content.decode())
    assert (
        "about: Date of birth not recorded for Dan Testfather Decision: Ask the GP for his details" in history
    )


def test_other_teams_cannot_see_contacts_or_gaps(
    client: Client, owner: User, outsider: User, fam: SeedFamily
) -> None:
    contact = gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date.today())
    gap = dob_gap(fam)
    signed_in(client, outsider)
    for url in (
        reverse("contact", args=[fam.network.pk, contact.pk]),
        reverse("gaps-history", args=[fam.network.pk]),
        reverse("contact-start", args=[fam.network.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("contact-gap-outcome", args=[fam.network.pk, contact.pk, gap.pk]),
        {f"g{gap.pk}-outcome": "asked-unknown"},
    )
    assert response.status_code == 404
    assert gap.events.filter(kind="answered").count() == 0


def test_rule_settings_are_for_administrators(client: Client, owner: User, health_team: Team) -> None:
    admin = make_user("partnership.admin", health_team, Role.ADMINISTRATOR)
    assert signed_in(client, owner).get(reverse("gaps-rule-settings")).status_code == 403
    signed_in(client, admin)
    html = client.get(reverse("gaps-rule-settings")).content.decode()
    assert 'data-rule="R02-birth-father"' in html
    url = reverse("gaps-rule-setting-edit", args=["R14-agency-request"])
    response = client.post(url, {"enabled": "on", "param_min_times_prompted": "-1", "reason": "local"})
    label = "Times asked before a request to another agency is considered"
    assert f"{label} must be 0 or more" in text(response.content.decode())
    assert not gm.RuleSetting.objects.exists()
    response = client.post(url, {"enabled": "on", "param_min_times_prompted": "9" * 20, "reason": "local"})
    assert f"{label} must be at most 3650" in text(response.content.decode())
    assert not gm.RuleSetting.objects.exists()
    response = client.post(url, {"enabled": "on", "param_min_times_prompted": "2", "reason": "local policy"})
    assert response.status_code == 302
    assert gm.RuleSetting.objects.get(rule_id="R14-agency-request").params == {"min_times_prompted": 2}
    html = client.get(url).content.decode()
    assert "local policy" in html
    assert client.get(reverse("gaps-rule-setting-edit", args=["R99-nothing"])).status_code == 404


def test_answers_that_are_not_simple_link_to_the_page_that_records_them() -> None:
    from kinmap.gaps.answers import answers_for

    def gap(kind: str, sid: str, missing: list[str], child: int | None = None, severity: str = "") -> gm.Gap:
        return gm.Gap(
            pk=1,
            key=f"R00-x:{kind}:{sid}",
            subject_kind=kind,
            subject_id=sid,
            child_id=child,
            missing=missing,
            detail="x",
            severity=severity,
        )

    inline, links = answers_for(gap("person", "5", ["birth_date", "contact", "address", "name"]), 9, {})
    assert [i.kind for i in inline] == ["birth-date", "contact"]
    assert [(x.label, x.url) for x in links] == [
        ("Record where they live", "/families/9/households/add/"),
        ("Change their details", "/families/9/people/5/change/"),
    ]
    inline, links = answers_for(gap("person", "5", ["current_partner"]), 9, {})
    assert [(i.kind, i.fact_key) for i in inline] == [("no-partner", "current-partner")]
    assert [x.url for x in links] == ["/families/9/people/add/"]
    inline, links = answers_for(gap("care", "7", ["frequency"], 2), 9, {7: 5})
    assert (inline, [x.url for x in links]) == ([], ["/families/9/care/7/"])
    inline, links = answers_for(gap("relationship", "3", ["source"]), 9, {})
    assert (inline, [x.url for x in links]) == ([], ["/families/9/relationships/3/"])
    inline, links = answers_for(gap("person", "5", ["parental_responsibility"], 2), 9, {})
    assert [(i.kind, i.child_id) for i in inline] == [("pr", 2)]
    inline, links = answers_for(gap("gap", "R02-birth-father:person:5", ["information_request"]), 9, {})
    assert (inline, [x.url for x in links]) == ([], ["/families/9/supervision/"])
    # a critical gap can be asked of another agency, with the gap it comes from
    inline, links = answers_for(gap("person", "5", ["birth_date"], severity="critical"), 9, {})
    assert [(x.label, x.url) for x in links] == [
        (
            "Ask another agency",
            "/families/9/people/5/ask-another-agency/?what=birth_date&gap=R00-x%3Aperson%3A5",
        )
    ]


def test_a_supervisor_agrees_a_critical_gap_does_not_apply(
    client: Client, owner: User, health_team: Team, fam: SeedFamily
) -> None:
    supervisor = make_user("hv.supervisor", health_team, Role.SUPERVISOR)
    gap = gm.Gap.objects.get(key=f"R11-seen-directly:person:{fam.father.pk}")
    gs.gap_answer(
        actor=owner,
        gap=gap,
        answer=gs.Answer(state="not-applicable", reason="he works abroad all year"),
        expected_version=gap.version,
    )
    signed_in(client, supervisor)
    page = text(client.get(reverse("gaps-supervision", args=[fam.network.pk])).content.decode())
    assert "The practitioner says it does not apply: \u2018he works abroad all year\u2019" in page
    url = reverse("gap-not-applicable", args=[fam.network.pk, gap.pk])
    version = gm.Gap.objects.get(pk=gap.pk).version
    response = client.post(url, {f"na{gap.pk}-agree": "no", f"na{gap.pk}-version": version})
    assert response.status_code == 200
    assert "There is a problem Say why you do not agree" in text(response.content.decode())
    assert f'href="#id_na{gap.pk}-comment"' in response.content.decode()
    assert gm.Gap.objects.get(pk=gap.pk).na_status == "pending"
    response = client.post(url, {f"na{gap.pk}-agree": "yes", f"na{gap.pk}-version": version})
    assert response.status_code == 302
    gap.refresh_from_db()
    assert (gap.na_status, gap.na_agreed_by, gap.is_open) == ("agreed", supervisor, False)


def test_saving_with_nothing_chosen_says_what_to_do(client: Client, owner: User, fam: SeedFamily) -> None:
    contact = start(signed_in(client, owner), fam, date.today())
    gap = dob_gap(fam)
    response = client.post(reverse("contact-gap-outcome", args=[fam.network.pk, contact.pk, gap.pk]), {})
    page = text(response.content.decode())
    assert "There is a problem Choose what happened when you asked, or that it was not asked" in page
    response = client.post(reverse("contact-not-asked-rest", args=[fam.network.pk, contact.pk]), {})
    assert "There is a problem Say why they were not asked this time" in text(response.content.decode())
    assert not gap.events.filter(kind__in=["answered", "not-asked-this-time"]).exists()


def test_a_young_mother_is_asked_who_cares_for_her_on_the_contact_page(
    client: Client, owner: User, fam: SeedFamily
) -> None:
    from kinmap.records import services as rs

    assert fam.baby.birth_date is not None
    born = date(fam.baby.birth_date.year - 16, fam.baby.birth_date.month, 1)
    mother = rm.Person.objects.get(pk=fam.mother.pk)
    data = rs.PersonData.of(mother)
    rs.person_update(
        actor=owner,
        network=fam.network,
        person=mother,
        data=rs.PersonData(**{**data.__dict__, "birth_date": born}),
        expected_version=mother.version,
    )
    gap = gm.Gap.objects.get(key=f"R22-young-parent:person:{fam.mother.pk}")
    assert gap.is_open and gap.severity == "important"
    contact = start(signed_in(client, owner), fam, date.today())
    page = text(client.get(reverse("contact", args=[fam.network.pk, contact.pk])).content.decode())
    assert "Who cares for Mara Testbaby, a parent under 18" in page
    assert "Whether a safeguarding referral about Mara Testbaby was considered, and the outcome" in page
    for kind, answer in (
        ("fact-young-parent-carer", "lives with her mother, who cares for her"),
        ("fact-safeguarding-referral", "discussed with the safeguarding lead; referral made"),
    ):
        response = client.post(
            reverse("contact-gap-answer", args=[fam.network.pk, contact.pk, gap.pk, kind]),
            {
                f"g{gap.pk}-{kind}-value": answer,
                f"g{gap.pk}-{kind}-source": "said-by",
                f"g{gap.pk}-{kind}-source_detail": "the mother",
            },
        )
        assert response.status_code == 302, response.content.decode()
    gap.refresh_from_db()
    assert not gap.is_open
