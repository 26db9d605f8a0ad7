"""Names and identifiers that are not what they seem, through the services and
the pages: digits in other scripts are stored as ASCII, placeholder NHS numbers
and hidden characters are refused with a message against the field, names are
stored in NFC. Where something is refused, nothing is saved."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError
from kinmap.sharing import facts as sharing_facts
from tests.conftest import PASSWORD
from tests.records.conftest import Family

NO_LETTER = "Enter a given name that contains at least one letter"
HIDDEN = "must not include hidden characters, such as zero-width spaces or text direction controls"
RLO = "\u202e"
PLACEHOLDER = "An NHS number cannot be all the same digit: enter the real NHS number, or leave it empty"
FULLWIDTH_NHS = "\uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19"
ARABIC_INDIC_NHS = "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669"


def snapshot() -> dict[str, Any]:
    """Every row of every records table, and the number of audit events."""
    out: dict[str, Any] = {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_app_config("records").get_models()
    }
    out["audit events"] = AuditEvent.objects.count()
    return out


def refused(fn: Callable[..., Any], /, **kwargs: Any) -> list[tuple[str, str]]:
    """Call a service that must refuse; check nothing was saved; return (field, message) pairs."""
    before = snapshot()
    with pytest.raises(RecordError) as exc:
        fn(**kwargs)
    assert snapshot() == before
    return [(p.field, p.message) for p in exc.value.problems]


def _text(response: Any) -> str:
    return htmllib.unescape(response.content.decode())


def field_error(field: str, message: str) -> str:
    """The GOV.UK error message shown against a field."""
    return (
        f'<p id="id_{field}-error" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {message}</p>'
    )


# -- the services: people --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"given_name": "\u200b\u200b\u200b"},
            "given_name",
            f"Given name {HIDDEN} (it has U+200B ZERO WIDTH SPACE)",
        ),
        ({"given_name": "\u0301\u0308"}, "given_name", NO_LETTER),
        (
            {"given_name": "Ann", "family_name": f"Test{RLO}nosrep"},
            "family_name",
            f"Family name {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        (
            {"given_name": "Ann", "family_name": "\u3164"},
            "family_name",
            f"Family name {HIDDEN} (it has U+3164 HANGUL FILLER)",
        ),
        (
            {"name_absent_reason": "\u200c"},
            "name_absent_reason",
            f"The reason the name is not known {HIDDEN} (it has U+200C ZERO WIDTH NON-JOINER)",
        ),
        ({"given_name": "Ann", "nhs_number": "0000000000"}, "nhs_number", PLACEHOLDER),
        ({"given_name": "Ann", "nhs_number": "111 111 1111"}, "nhs_number", PLACEHOLDER),
        ({"given_name": "Ann", "nhs_number": "9999999999"}, "nhs_number", PLACEHOLDER),
        ({"given_name": "Ann", "nhs_number": "\uff10" * 10}, "nhs_number", PLACEHOLDER),
        (
            {"given_name": "Ann", "phone": f"07700{RLO}900123"},
            "phone",
            f"Telephone number {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
    ],
)
def test_adding_a_person_refuses_names_and_numbers_that_are_not_what_they_seem(
    owner: User, baby_network: m.FamilyNetwork, data: dict[str, str], field: str, message: str
) -> None:
    problems = refused(s.person_add, actor=owner, network=baby_network, data=s.PersonData(**data))
    assert (field, message) in problems


@pytest.mark.django_db
@pytest.mark.parametrize("typed", [FULLWIDTH_NHS, ARABIC_INDIC_NHS, "943\u2013476\u20135919"])
def test_an_nhs_number_in_other_digits_is_stored_as_ascii_digits(
    owner: User, baby_network: m.FamilyNetwork, typed: str
) -> None:
    person = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Ann", nhs_number=typed, phone="\uff10\uff17\uff17\uff10\uff10 900123"),
    )
    person.refresh_from_db()
    assert (person.nhs_number, person.phone) == ("9434765919", "07700 900123")


@pytest.mark.django_db
def test_a_name_typed_composed_or_decomposed_is_stored_once_in_nfc(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    composed = s.person_add(
        actor=owner, network=baby_network, data=s.PersonData(given_name="Zo\u00eb", family_name="Test")
    )
    decomposed = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="  Zoe\u0308 ", family_name="Test\u00a0"),
    )
    stored = set(
        m.Person.objects.filter(pk__in=[composed.pk, decomposed.pk]).values_list("given_name", "family_name")
    )
    assert stored == {("Zo\u00eb", "Test")}
    assert m.Person.objects.filter(given_name="Zo\u00eb").count() == 2


@pytest.mark.django_db
def test_changing_a_name_to_a_spoofed_one_is_refused(owner: User, family: Family) -> None:
    mother = m.Person.objects.get(pk=family.mother.pk)
    data = s.PersonData.of(mother)
    problems = refused(
        s.person_update,
        actor=owner,
        network=family.network,
        person=mother,
        data=s.PersonData(**{**data.__dict__, "given_name": f"Mara{RLO}"}),
        expected_version=mother.version,
    )
    assert problems == [("given_name", f"Given name {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)")]


@pytest.mark.django_db
def test_starting_a_network_refuses_a_child_named_with_hidden_characters_or_a_spoofed_network_name(
    owner: User,
) -> None:
    assert refused(s.network_create, actor=owner, child=s.PersonData(given_name="\u2066\u2069")) == [
        ("given_name", f"Given name {HIDDEN} (it has U+2066 LEFT-TO-RIGHT ISOLATE)")
    ]
    assert refused(
        s.network_create, actor=owner, child=s.PersonData(given_name="Rowan"), name=f"Family of {RLO}nawoR"
    ) == [("name", f"The name of the family network {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)")]


# -- the services: other names, addresses, care, answers ----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "family_name", "field", "message"),
    [
        ("\u200b", "", "given_name", f"Given name {HIDDEN} (it has U+200B ZERO WIDTH SPACE)"),
        ("", "\u0300\u0301", "family_name", "Enter a family name that contains at least one letter"),
        ("Mara", f"Old{RLO}", "family_name", f"Family name {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)"),
    ],
)
def test_an_other_name_that_is_not_what_it_seems_is_refused(
    owner: User, family: Family, given: str, family_name: str, field: str, message: str
) -> None:
    problems = refused(
        s.other_name_add,
        actor=owner,
        network=family.network,
        person=family.mother,
        kind="alias",
        given_name=given,
        family_name=family_name,
    )
    assert problems == [(field, message)]


@pytest.mark.django_db
def test_an_other_name_is_stored_in_nfc(owner: User, family: Family) -> None:
    row = s.other_name_add(
        actor=owner,
        network=family.network,
        person=family.mother,
        kind="previous",
        given_name="Ame\u0301lie",
        family_name=" Old   name ",
    )
    row.refresh_from_db()
    assert (row.given_name, row.family_name) == ("Am\u00e9lie", "Old name")


FREE_TEXT: list[tuple[Callable[[User, Family], dict[str, Any]], Callable[..., Any], str, str]] = [
    (
        lambda o, f: {"person": f.father, "address": s.AddressData(address_line_1="2 Road", town=f"N{RLO}")},
        s.residence_create,
        "town",
        "Town or city",
    ),
    (
        lambda o, f: {"carer": f.mother, "child": f.baby, "data": s.CareData("child-home", f"daily{RLO}")},
        s.care_create,
        "frequency",
        "How often",
    ),
    (
        lambda o, f: {
            "person": f.mother,
            "key": "other_names",
            "value": f"known as\n{RLO}aram",
            "expected_version": None,
        },
        s.fact_set,
        "value",
        "The answer",
    ),
    (
        lambda o, f: {"data": s.PersonData(given_name="Ann"), "source": s.Source_("said-by", f"the {RLO}")},
        s.person_add,
        "source_detail",
        "Who said it, or which agency or document",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("arguments", "service", "field", "label"), FREE_TEXT)
def test_addresses_care_answers_and_sources_refuse_direction_controls(
    owner: User,
    family: Family,
    arguments: Callable[[User, Family], dict[str, Any]],
    service: Callable[..., Any],
    field: str,
    label: str,
) -> None:
    problems = refused(service, actor=owner, network=family.network, **arguments(owner, family))
    assert problems == [(field, f"{label} {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)")]


@pytest.mark.django_db
def test_a_postcode_in_fullwidth_letters_and_digits_is_stored_as_ascii(owner: User, family: Family) -> None:
    aunt = s.person_add(actor=owner, network=family.network, data=s.PersonData(given_name="Ann"))
    stay = s.residence_create(
        actor=owner,
        network=family.network,
        person=aunt,
        address=s.AddressData(
            address_line_1="3 Far Road", postcode="\uff3a\uff3a\uff19\uff19\u3000\uff13\uff23\uff23"
        ),
    )
    assert m.Household.objects.get(pk=stay.household_id).postcode == "ZZ99 3CC"


@pytest.mark.django_db
def test_an_answer_from_another_agency_goes_through_the_same_checks(owner: User, family: Family) -> None:
    """Another agency's answer to an information request changes the person
    through the same service: a placeholder NHS number or a hidden character is
    refused, digits in another script are stored as ASCII."""
    common = {"actor": owner, "network": family.network, "person": family.mother, "agency_name": "Police"}
    placeholder = sharing_facts.Answer(text="2222222222")
    assert refused(sharing_facts.record_answer, what="nhs_number", answer=placeholder, **common) == [
        ("text", PLACEHOLDER)
    ]
    assert ("given_name", f"Given name {HIDDEN} (it has U+200B ZERO WIDTH SPACE)") in refused(
        sharing_facts.record_answer,
        what="name",
        answer=sharing_facts.Answer(given_name="Ma\u200bra"),
        **common,
    )
    sharing_facts.record_answer(
        what="nhs_number", answer=sharing_facts.Answer(text=ARABIC_INDIC_NHS), **common
    )
    assert m.Person.objects.get(pk=family.mother.pk).nhs_number == "9434765919"


# -- the pages -------------------------------------------------------------------


@pytest.fixture
def signed_in(client: Client, owner: User) -> Client:
    client.login(username=owner.username, password=PASSWORD)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        (
            {"given_name": f"{RLO}ecila", "family_name": "Test"},
            "given_name",
            f"Given name {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        ({"given_name": "\u0301\u0301"}, "given_name", NO_LETTER),
        ({"given_name": "Ann", "nhs_number": "111 111 1111"}, "nhs_number", PLACEHOLDER),
        ({"given_name": "Ann", "family_name": "\u200b"}, "family_name", f"Family name {HIDDEN} (it has "
         "U+200B ZERO WIDTH SPACE)"),
    ],
)  # fmt: skip
def test_the_add_person_page_shows_the_error_against_the_field_and_saves_nothing(
    signed_in: Client, family: Family, posted: dict[str, str], field: str, message: str
) -> None:
    url = reverse("person-add", args=[family.network.pk])
    before = m.Person.objects.count()
    response = signed_in.post(url, {"sex": "unknown", "birth_date_accuracy": "unknown", **posted})
    assert response.status_code == 200
    page = _text(response)
    assert field_error(field, message) in page
    assert f'href="#id_{field}">{message}</a>' in page  # the error summary links to the field
    assert m.Person.objects.count() == before


@pytest.mark.django_db
def test_the_add_person_page_stores_a_fullwidth_nhs_number_as_ascii(
    signed_in: Client, family: Family
) -> None:
    url = reverse("person-add", args=[family.network.pk])
    response = signed_in.post(
        url,
        {"given_name": "Ann", "family_name": "Test", "sex": "female", "birth_date_accuracy": "unknown",
         "nhs_number": FULLWIDTH_NHS},
    )  # fmt: skip
    assert response.status_code == 302
    assert m.Person.objects.get(given_name="Ann").nhs_number == "9434765919"


@pytest.mark.django_db
def test_the_other_name_page_shows_the_error_against_the_field(signed_in: Client, family: Family) -> None:
    url = reverse("other-name-add", args=[family.network.pk, family.mother.pk])
    response = signed_in.post(url, {"kind": "alias", "given_name": "\u200b\u200d"})
    assert response.status_code == 200
    message = f"Given name {HIDDEN} (it has U+200B ZERO WIDTH SPACE)"
    assert field_error("given_name", message) in _text(response)
    assert not m.OtherName.objects.exists()
