"""Class 1, exhaustively: every attribute of every kind of object a report template is given is
tried through the sandbox. Only a dict's own keys and Jinja's loop helpers answer; everything else
is refused."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from jinja2 import TemplateError, UndefinedError
from jinja2.sandbox import SecurityError

from boardpack.render.branding import PLAIN
from boardpack.render.html import environment
from boardpack.render.template_data import report_data

PLAIN_TYPES = (dict, list, str, int, float, bool, Decimal, date, datetime, type(None))


def walk(value, seen: dict[type, object]) -> None:
    """One sample of each type reachable from `value`, checking on the way that each is plain data.
    """
    assert isinstance(value, PLAIN_TYPES), f"a template is given a {type(value).__name__}"
    seen.setdefault(type(value), value)
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    for child in children:
        walk(child, seen)


@pytest.fixture
def samples(pack):
    seen: dict[type, object] = {}
    for doc in pack.documents:
        walk(report_data(doc, PLAIN, None, None), seen)
    assert {dict, list, str, Decimal, date} <= set(seen)
    return seen


def render(template: str, **context) -> str:
    return environment(None).from_string(template).render(**context)


def test_every_attribute_of_every_value_a_template_sees_is_refused(samples):
    answered = []
    for kind, sample in samples.items():
        for name in dir(sample):
            if isinstance(sample, dict) and name in sample:
                continue
            for template in (
                f"{{{{ x.{name} }}}}",
                f"{{{{ x[{name!r}] }}}}",
                f"{{{{ x.{name}() }}}}",
            ):
                try:
                    answered.append((kind.__name__, template, render(template, x=sample)))
                except (SecurityError, UndefinedError, TemplateError):
                    pass
    assert answered == []


def test_a_dict_answers_with_its_own_keys_only():
    assert render("{{ x.title }}|{{ x['title'] }}", x={"title": "T", "items": "own key"}) == "T|T"
    assert render("{{ x.items }}", x={"items": "own key"}) == "own key"  # the key, never dict.items


@pytest.mark.parametrize("helper", ["loop", "namespace()", "cycler(1, 2)", "joiner()"])
def test_jinja_s_own_helpers_keep_their_public_attributes_and_refuse_the_rest(helper):
    wrap = (
        "{% for i in [1] %}{{ EXPR }}{% endfor %}"
        if helper == "loop"
        else "{% set h = " + helper + " %}{{ EXPR }}"
    )
    target = "loop" if helper == "loop" else "h"
    if helper == "loop":
        assert render(wrap.replace("EXPR", "loop.index")) == "1"
    for name in ("__class__", "__init__", "__dict__", "__globals__", "_after", "__reduce__"):
        with pytest.raises((SecurityError, UndefinedError)):
            render(wrap.replace("EXPR", f"{target}.{name}"))
