"""Every form of kinmap's pages refuses a question answered twice in one post
(``kinmap.web.forms.OneAnswerEach``), instead of Django's silent choice of the
last value."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms
from django.http import QueryDict

import kinmap
from kinmap.web.forms import ONE_ANSWER, OneAnswerEach


def _all_forms() -> set[type[forms.Form]]:
    for info in pkgutil.walk_packages(kinmap.__path__, "kinmap."):
        if (
            ".migrations" in info.name
            or info.name.endswith(("__main__", ".wsgi"))
            or ".management" in info.name
        ):
            continue
        importlib.import_module(info.name)
    found: set[type[forms.Form]] = set()
    todo = [forms.Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return {f for f in found if f.__module__.startswith("kinmap.")}


def test_every_form_of_kinmap_is_one_answer_each() -> None:
    found = _all_forms()
    assert len(found) > 25  # the search reaches the forms of every app
    assert sorted(f.__qualname__ for f in found if not issubclass(f, OneAnswerEach)) == []


class _Example(OneAnswerEach):
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple)


def test_a_question_answered_twice_is_refused_and_several_answers_stay_allowed() -> None:
    twice = _Example(QueryDict("choice=a&choice=b&several=x&several=y"))
    assert not twice.is_valid()
    assert twice.errors == {"choice": [ONE_ANSWER]}
    once = _Example(QueryDict("choice=b&several=x&several=y"))
    assert once.is_valid() and once.cleaned_data == {"choice": "b", "several": ["x", "y"]}
