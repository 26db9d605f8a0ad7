"""The family page's repeated rows, written by :mod:`kinmap.records.family_html`
(the same text as the template loops they replaced, in a fraction of the time)."""

from __future__ import annotations

from django import template

from .. import family_html

register = template.Library()

register.simple_tag(family_html.child_groups_html, name="child_groups")
register.simple_tag(family_html.care_html, name="care_rows")
register.simple_tag(family_html.households_html, name="household_rows")
register.simple_tag(family_html.relationships_html, name="relationship_rows")
register.simple_tag(family_html.pr_html, name="pr_rows")
register.simple_tag(family_html.care_orders_html, name="care_order_rows")
