"""Template helpers for GOV.UK Frontend markup."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.base import FilterExpression

from kinmap.core.dates import day_month_year
from kinmap.web.html_text import esc

register = template.Library()


@register.inclusion_tag("govuk/field.html")
def govuk_field(
    field: forms.BoundField, hint: str = "", classes: str = "", label_size: str = ""
) -> dict[str, Any]:
    widget = field.field.widget
    kind = "input"
    # CheckboxSelectMultiple is a subclass of RadioSelect in Django, so it is
    # tested first: a question with several answers must not become radios.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        kind = "checkboxes"
    elif isinstance(widget, forms.RadioSelect):
        kind = "radios"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    elif isinstance(widget, forms.Select):
        kind = "select"
    elif isinstance(widget, forms.Textarea):
        kind = "textarea"
    elif isinstance(widget, forms.MultiWidget):
        kind = "date"
    return {
        "field": field,
        "kind": kind,
        "hint": hint or field.help_text,
        "classes": classes,
        "label_size": label_size,
        "input_type": getattr(widget, "input_type", "text"),
    }


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms_: forms.Form) -> dict[str, Any]:
    errors = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for name, errs in form.errors.items():
            auto_id = "" if name == "__all__" else form[name].auto_id  # honours a form prefix
            anchor = "" if name == "__all__" else (f"{auto_id}_0" if _is_multi(form, name) else auto_id)
            if name != "__all__" and isinstance(form.fields[name].widget, forms.RadioSelect):
                anchor = f"{auto_id}_0"
            for e in errs:
                errors.append({"anchor": anchor, "message": e})
    return {"errors": errors}


def _is_multi(form: forms.Form, name: str) -> bool:
    return name in form.fields and isinstance(form.fields[name].widget, forms.MultiWidget)


@register.filter
def govuk_date(value: Any) -> str:
    if not value:
        return ""
    return day_month_year(value)


@register.simple_tag
def submission_token() -> str:
    """A hidden field with a one-time token for the form it is in, so that the
    form is acted on once however many times it is sent
    (:mod:`kinmap.web.submissions`)."""
    from django.utils.html import format_html

    from kinmap.web.submissions import FIELD, new_token

    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())


class IdUrlNode(template.Node):
    """What ``{% id_url %}`` writes: the path of its URL name and ids, escaped
    under autoescape as ``{% url %}``'s is."""

    def __init__(self, name: FilterExpression, ids: list[FilterExpression]) -> None:
        self.name, self.ids = name, ids

    def render(self, context: template.Context) -> str:
        from kinmap.web.links import path_for

        path = path_for(self.name.resolve(context), *[i.resolve(context) for i in self.ids])
        return esc(path) if context.autoescape else path


@register.tag
def id_url(parser: template.base.Parser, token: template.base.Token) -> IdUrlNode:
    """``{% id_url 'family' network.pk %}``: what ``{% url %}`` gives for a
    URL whose arguments are all object ids (or none), without resolving the
    URL pattern again each time (:func:`kinmap.web.links.path_for`). A node
    of its own rather than a ``simple_tag``, whose general handling of
    arguments and output cost more than the path (some forty a family page)."""
    bits = token.split_contents()
    if len(bits) < 2 or any("=" in b or b == "as" for b in bits[2:]):
        raise template.TemplateSyntaxError("{% id_url %} takes a URL name and its ids, and nothing else")
    return IdUrlNode(parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]])
