"""Template filters of the presentation layer (a builtin of the template engine: no ``{% load %}``).

``{{ code|label }}``, ``{{ pid|policy }}``, ``{{ res.regime|regime }}``, ``{{ text|humanize }}``,
``{{ yuan|money }}``, ``{{ wan|money_wan }}``, ``{{ x|ratio }}``, ``{{ n|count }}``, ``{{ d|cn_date }}``,
``{{ b|yes_no }}``, ``{{ tag|tag }}``, ``{{ status|status }}``.
"""

from __future__ import annotations

from typing import Any

from django import template

from zjtx.web import present

register = template.Library()

register.filter("label", present.label)
register.filter("policy", present.policy_label)
register.filter("title_label", present.title_label)
register.filter("humanize", present.humanize)
register.filter("money", present.money)
register.filter("money_wan", present.money_wan)
register.filter("ratio", present.ratio)
register.filter("count", present.count)
register.filter("number", present.number)
register.filter("cn_date", present.cn_date)
register.filter("yes_no", present.yes_no)
register.filter("tag", present.tag_label)
register.filter("status", present.status_label)


@register.filter("regime")
def regime(value: Any, document: str | None = None) -> str:
    return present.regime_label(value, document)


@register.filter("choice")
def choice(value: Any, field: str | None = None) -> str:
    return present.choice_label(value, field)


@register.filter("field_value")
def field_value(value: Any, name: str) -> str:
    return present.value(name, value)
