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
from kinmap.core.rules.facts import MISSING_LABELS
from kinmap.core.vocab import REL_TYPES, relation_sentence, relation_words
from kinmap.gaps import models as gm
from kinmap.gaps.answers import answers_for
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
