"""Sentences built from rule output read correctly: the titles of the answers
on the contact page for every kind of subject, named or not; relationships;
care; outcomes; and requirement numbers are unique."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.core.graph import FamilyGraph
from kinmap.core.rules import SubjectKind, rules
from kinmap.core.rules.facts import MISSING_LABELS, describe_missing
from kinmap.core.vocab import REL_TYPES, relation_sentence, relation_words
from kinmap.core.wording import SEXED, count_words, listing
from kinmap.gaps import models as gm
from kinmap.gaps.answers import answers_for
from kinmap.gaps.views import _wording
from kinmap.records import services as s
from kinmap.records.selectors import family_record_load
from tests.conftest import PASSWORD
from tests.gaps.family import open_contact_and_decline, seed_family

NAMES = ["Chloe Renshaw", "Name not known", ""]


def _gap(kind: str, name: str, missing: list[str]) -> gm.Gap:
    return gm.Gap(
        pk=7,
        key=f"R99:{kind}:1",
        rule_id="R99",
        subject_kind=kind,
        subject_id="1",
        subject_name=name,
        child_id=2,
        missing=missing,
        severity="critical",
        detail="Something not recorded",
    )


@pytest.mark.parametrize("kind", [k.value for k in SubjectKind])
@pytest.mark.parametrize("name", NAMES)
def test_every_answer_title_reads_as_a_sentence(kind: str, name: str) -> None:
    for key in MISSING_LABELS:
        inline, _links = answers_for(_gap(kind, name, [key]), 1, {1: 3})
        for i in inline:
            title = i.title
            assert "{" not in title and "  " not in title, title
            assert title[0].isupper(), title
            # the name is part of the sentence, not tacked on after it
            assert not re.search(r"(partner|contact|none\)|nobody\)|over) of ", title), title
            assert title.count("Chloe Renshaw") <= 1, title
            assert "Name not known" not in title, title
            assert not title.startswith("They "), title
            if name == "Chloe Renshaw" and kind in ("person", "care"):
                assert "Chloe Renshaw" in title, title


def test_the_no_partner_and_seen_titles_name_the_person() -> None:
    inline, _ = answers_for(_gap("person", "Chloe Renshaw", ["current_partner", "seen_directly_on"]), 1, {})
    titles = [i.title for i in inline]
    assert "Chloe Renshaw has no current partner" in titles
    assert "Chloe Renshaw was seen or spoken to directly at this contact" in titles
    inline, _ = answers_for(_gap("person", "Name not known", ["current_partner"]), 1, {})
    assert [i.title for i in inline] == ["This person has no current partner"]


@pytest.mark.parametrize("code", [t.code for t in REL_TYPES])
def test_every_relationship_reads_as_a_sentence(code: str) -> None:
    text = relation_sentence(code, "Jordan Pike", "Chloe Renshaw")
    assert text.startswith("Jordan Pike is ")
    # a qualifier in brackets comes after the other person's name, never before it
    assert not re.search(r"\) Chloe Renshaw", text), text
    assert re.search(r"Chloe Renshaw( \([a-z ]+\))?$", text), text
    for backwards in (False, True):
        before, after = relation_words(code, reverse=backwards)
        assert "(" not in before and (not after or re.fullmatch(r"\([a-z ]+\)", after))


def test_a_partner_not_living_together_reads_correctly() -> None:
    sentence = relation_sentence("SIGOTHR", "Jordan Pike", "Chloe Renshaw")
    assert sentence == "Jordan Pike is the partner of Chloe Renshaw (not living together)"
    assert relation_sentence("NFTH", "Jordan Pike", "Alfie Renshaw") == (
        "Jordan Pike is the birth father of Alfie Renshaw"
    )


def test_requirement_numbers_are_unique() -> None:
    numbers = [r.number for r in rules()]
    assert len(numbers) == len(set(numbers)), sorted(n for n in numbers if numbers.count(n) > 1)


@pytest.mark.django_db
def test_care_in_the_practitioner_words_does_not_run_on(owner: User) -> None:
    fam = seed_family(owner)
    care = s.care_create(
        actor=owner,
        network=fam.network,
        carer=fam.father,
        child=fam.baby,
        data=s.CareData(place="carer-home", frequency="stays over 2 or 3 nights a week", overnight=True),
    )
    assert care is not None
    record = family_record_load(fam.network)
    graph = FamilyGraph(record.graph_network, today=date.today())
    words = graph.describe(fam.father.pk, fam.baby.pk)
    assert "has the baby overnight (stays over 2 or 3 nights a week)" in words
    assert "overnight stays over" not in words


@pytest.mark.django_db
def test_a_decline_reads_asked_declined_once(client: Client, owner: User) -> None:
    fam = seed_family(owner)
    assert client.login(username=owner.username, password=PASSWORD)
    contact, _gap, response = open_contact_and_decline(client, fam, fam.mother)
    assert response.status_code == 302
    page = client.get(reverse("contact", args=[fam.network.pk, contact.pk])).content.decode()
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "asked: declined" in words
    assert "asked: asked" not in words.lower()


SEXES = ["male", "female", "unknown", "other", "not-stated"]
MALE_WORDS = {"son", "stepson", "grandson", "grandfather", "brother", "half-brother", "stepbrother"}
FEMALE_WORDS = {
    "daughter",
    "stepdaughter",
    "granddaughter",
    "grandmother",
    "sister",
    "half-sister",
    "stepsister",
}
NEUTRAL_WORDS = set(SEXED)


@pytest.mark.parametrize("code", [t.code for t in REL_TYPES])
@pytest.mark.parametrize("sex", SEXES)
@pytest.mark.parametrize("name", ["Jordan Pike", "Name not known"])
def test_every_relationship_reads_for_every_sex_named_or_not(code: str, sex: str, name: str) -> None:
    for backwards in (False, True):
        before, after = relation_words(code, reverse=backwards, sex=sex)
        words = set(before.split(" "))
        if sex == "male":
            assert not words & (FEMALE_WORDS | NEUTRAL_WORDS), before
        elif sex == "female":
            assert not words & (MALE_WORDS | NEUTRAL_WORDS), before
        else:
            assert not words & (MALE_WORDS | FEMALE_WORDS), before
        # the sex changes the word, never the shape of the sentence
        neutral = relation_words(code, reverse=backwards)
        assert len(before.split(" ")) == len(neutral[0].split(" ")) and after == neutral[1]
    text = relation_sentence(code, name, "Alfie Renshaw", from_sex=sex)
    assert text.startswith(f"{name} is ") and "  " not in text
    assert re.search(r"Alfie Renshaw( \([a-z ]+\))?$", text), text


@pytest.mark.parametrize(
    ("code", "backwards", "sex", "words"),
    [
        ("NMTH", True, "male", "son of"),
        ("NMTH", True, "female", "daughter of"),
        ("NMTH", True, "unknown", "child of"),
        ("ADOPTF", True, "female", "adopted daughter of"),
        ("STPMTH", True, "male", "stepson of"),
        ("GRPRN", False, "female", "grandmother of"),
        ("GRPRN", True, "male", "grandson of"),
        ("SIB", False, "male", "brother of"),
        ("HSIB", False, "female", "half-sister of"),
        ("STPSIB", False, "not-stated", "stepsibling of"),
        ("NFTH", False, "male", "birth father of"),
        ("SIGOTHR", False, "female", "partner of"),
    ],
)
def test_relationship_words_follow_the_persons_sex(code: str, backwards: bool, sex: str, words: str) -> None:
    assert relation_words(code, reverse=backwards, sex=sex)[0] == words


def test_a_grandparent_reads_with_the_right_article_and_sex() -> None:
    assert relation_sentence("GRPRN", "Jean Renshaw", "Alfie Renshaw", from_sex="female") == (
        "Jean Renshaw is a grandmother of Alfie Renshaw"
    )
    assert relation_sentence("GRPRN", "Name not known", "Alfie Renshaw") == (
        "Name not known is a grandparent of Alfie Renshaw"
    )


@pytest.mark.parametrize(("count", "words"), [(0, "0 gaps"), (1, "1 gap"), (2, "2 gaps"), (15, "15 gaps")])
def test_counts_are_singular_for_one_and_plural_otherwise(count: int, words: str) -> None:
    assert count_words(count, "gap") == words
    assert count_words(count, "child", "children").endswith("child" if count == 1 else "children")


@pytest.mark.parametrize(
    ("items", "words"),
    [
        ([], ""),
        (["date of birth"], "date of birth"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a, b and c"),
    ],
)
def test_lists_read_as_english(items: list[str], words: str) -> None:
    assert listing(items) == words


@pytest.mark.parametrize("kind", [k.value for k in SubjectKind])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "keys", [["birth_date"], ["birth_date", "contact"], ["birth_date", "contact", "address"]]
)
def test_suggested_wording_and_missing_details_read_for_one_and_several(
    kind: str, name: str, keys: list[str]
) -> None:
    gap = _gap(kind, name, keys)
    text = _wording("Can you tell me [name]'s [the missing detail]?", gap)
    labels = [MISSING_LABELS[k] for k in keys]
    assert "[the missing detail]" not in text and ", and" not in text
    assert text.count(" and ") == (len(keys) > 1) + sum(" and " in label for label in labels)
    if kind in ("person", "care") and name:
        assert "[name]" not in text and name in text
    assert describe_missing(tuple(keys)).startswith(labels[0][0].upper())


@pytest.mark.django_db
@pytest.mark.parametrize("pending", [1, 3])
def test_recording_the_rest_as_not_asked_says_one_gap_or_several(
    client: Client, owner: User, pending: int
) -> None:
    fam = seed_family(owner)
    assert client.login(username=owner.username, password=PASSWORD)
    contact, _gap, _response = open_contact_and_decline(client, fam, fam.mother)
    open_outcomes = list(contact.outcomes.filter(outcome=gm.Outcome.PENDING).select_related("gap"))
    for o in open_outcomes[: len(open_outcomes) - pending]:
        o.outcome = gm.Outcome.NOT_ASKED
        o.reason = "Set up for the test"
        o.save()
    response = client.post(
        reverse("contact-not-asked-rest", args=[fam.network.pk, contact.pk]),
        {"reason": "No time"},
        follow=True,
    )
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    expected = "1 gap" if pending == 1 else f"{pending} gaps"
    assert f"Recorded 'not asked this time' for {expected}" in words.replace("&#x27;", "'")
