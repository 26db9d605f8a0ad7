"""Questions with several answers ("Who was there?", "Record information
given") are GOV.UK checkboxes, and every answer chosen is saved."""

from __future__ import annotations

import copy
import importlib
import inspect
import re
from datetime import date

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.carers import models as cm
from kinmap.gaps import models as gm
from tests.carers.family import seed_like_family
from tests.conftest import PASSWORD
from tests.gaps.family import seed_family

pytestmark = pytest.mark.django_db

FORM_MODULES = ["kinmap.records.forms", "kinmap.gaps.forms", "kinmap.carers.forms", "kinmap.sharing.forms"]
FORM_MODULES += ["kinmap.accounts.forms", "kinmap.web.forms"]


def _inputs(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)


def _multiple_choice_fields() -> list[tuple[str, str, forms.Field]]:
    out = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module_name:
                continue
            for name, field in cls.base_fields.items():
                if isinstance(field, forms.MultipleChoiceField):
                    out.append((f"{cls_name}.{name}", name, field))
    return out


def test_the_questions_with_several_answers_are_found() -> None:
    found = {label for label, _, _ in _multiple_choice_fields()}
    expected = {"ContactStartForm.present", "ContactStartForm.seen_directly", "InformationForm.materials"}
    assert expected <= found


def _id(value: object) -> str:
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize("label,name,field", _multiple_choice_fields(), ids=_id)
def test_every_question_with_several_answers_renders_as_govuk_checkboxes(
    label: str, name: str, field: forms.Field
) -> None:
    copied = copy.deepcopy(field)
    assert isinstance(copied, forms.MultipleChoiceField)
    copied.choices = [("1", "One"), ("2", "Two")]
    copied.required = False
    copied.help_text = copied.help_text or "Choose all that apply"
    form_cls = type("OneField", (forms.Form,), {name: copied})
    form = form_cls(data={name: ["1", "2"]})
    form.is_valid()
    html = Template("{% load govuk %}{% govuk_field f %}").render(Context({"f": form[name]}))
    assert 'class="govuk-checkboxes"' in html and "govuk-fieldset__legend" in html
    assert "govuk-radios" not in html
    boxes = _inputs(html, name)
    assert len(boxes) == 2 and all('type="checkbox"' in b for b in boxes)
    assert all("checked" in b for b in boxes)
    assert 'class="govuk-hint"' in html


def _sign_in(client: Client, user: User) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_starting_a_contact_keeps_everyone_there_and_everyone_seen(client: Client, owner: User) -> None:
    fam = seed_family(owner)
    url = reverse("contact-start", args=[fam.network.pk])
    page = _sign_in(client, owner).get(url).content.decode()
    for name in ("present", "seen_directly"):
        boxes = _inputs(page, name)
        assert len(boxes) >= 3 and all('type="checkbox"' in b for b in boxes), name
    today = date.today()
    response = client.post(
        url,
        {
            "type": "home-visit",
            "date_0": today.day,
            "date_1": today.month,
            "date_2": today.year,
            "present": [fam.mother.pk, fam.father.pk, fam.baby.pk],
            "seen_directly": [fam.mother.pk, fam.baby.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    contact = gm.Contact.objects.get(network=fam.network, status="open")
    assert set(contact.present.values_list("pk", flat=True)) == {fam.mother.pk, fam.father.pk, fam.baby.pk}
    assert set(contact.seen_directly.values_list("pk", flat=True)) == {fam.mother.pk, fam.baby.pk}


def test_recording_information_given_keeps_every_material_chosen(client: Client, owner: User) -> None:
    fam = seed_like_family(owner)
    icon = cm.Material.objects.get(code="icon")
    sleep = cm.Material.objects.get(code="safer-sleep")
    url = reverse("information-add", args=[fam.network.pk, fam.father.pk])
    page = _sign_in(client, owner).get(url).content.decode()
    boxes = _inputs(page, "materials")
    assert len(boxes) >= 2 and all('type="checkbox"' in b for b in boxes)
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "materials": [str(icon.pk), str(sleep.pk)],
            "outcome": "given",
            "how": "telephone",
            "given_on_0": str(today.day),
            "given_on_1": str(today.month),
            "given_on_2": str(today.year),
        },
    )
    assert response.status_code == 302, response.content.decode()
    given = cm.InformationGiven.objects.filter(person=fam.father)
    assert {g.material_id for g in given} == {icon.pk, sleep.pk}
