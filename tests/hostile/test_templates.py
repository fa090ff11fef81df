"""Class 1: a workspace template reaches for the machine. It sees plain data, includes stay in its
folder, and rendering is bounded in time and size; each attempt is exit 2 naming the template,
nothing sent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.corpus import Case, append, problems_of, run_case

TEMPLATES = append('[branding]\ntemplates = "tpl"\n')
REFUSED = "the template sandbox refused this"
LIMIT = "went past a limit"
MANY = "(['x' * 999999] * 1000)"  # a thousand references to one long string: 8 KB, not 1 GB


def template(body: str, **more: str | bytes) -> dict[str, str | bytes]:
    return {
        "tpl/report.html.j2": f"<p>ok</p>\n{body}\n",
        **{f"tpl/{k}": v for k, v in more.items()},
    }


def case(id: str, body: str, *says: str, setup=None, **more) -> Case:
    return Case(
        id,
        "templates",
        ("check", "--as-of", "2026-11-15"),
        TEMPLATES,
        template(body, **more),
        setup,
        2,
        ("tpl/report.html.j2", *says),
    )


def outside_link(ws: Path) -> None:
    (ws.parent / "secret.txt").write_text("TOP-SECRET-OUTSIDE\n")
    os.symlink(ws.parent / "secret.txt", ws / "tpl" / "link.j2")


def folder_link(ws: Path) -> None:
    os.symlink(ws.parent, ws / "tpl" / "up")
    (ws.parent / "secret.txt").write_text("TOP-SECRET-OUTSIDE\n")


CASES = [
    case("class of the document", "{{ doc.__class__ }}", REFUSED),
    case("mro of a string", "{{ ''.__class__.__mro__ }}", REFUSED),
    case("subclasses", "{{ ''.__class__.__base__.__subclasses__() }}", REFUSED),
    case("globals of a filter", "{{ (doc.title|e).__class__ }}", REFUSED),
    case("cycler's globals", "{{ cycler.__init__.__globals__ }}", REFUSED),
    case("joiner's globals", "{{ joiner.__init__.__globals__ }}", REFUSED),
    case("namespace's globals", "{{ namespace.__init__.__globals__ }}", REFUSED),
    case("range's self", "{{ range.__self__ }}", REFUSED),
    case("a string's method", "{{ doc.title.upper() }}", REFUSED, "use filters"),
    case("a list's method", "{{ doc.sections.pop() }}", REFUSED),
    case("a dict's method", "{{ doc.items() }}", "template error"),
    case("a date's method", "{{ doc.as_of.replace(year=1) }}", REFUSED),
    case("a Decimal's method", "{{ doc.headline[0].value.as_tuple() }}", REFUSED),
    case(
        "the loop's internals",
        "{% for s in doc.sections %}{{ loop.__class__ }}{% endfor %}",
        REFUSED,
    ),
    case("the template's self", "{{ self.__init__ }}", REFUSED),
    case("lipsum's globals (not offered)", "{{ lipsum.__globals__ }}", "template"),
    case("the attr filter (not offered)", "{{ doc|attr('__class__') }}", "No filter named 'attr'"),
    case(
        "the format filter (not offered)",
        "{{ '%999999999d'|format(1) }}",
        "No filter named 'format'",
    ),
    case("% formatting of text", "{{ '%999999999d' % 1 }}", REFUSED),
    case("a huge string by *", "{{ 'x' * 1000000000 }}", "went past a limit"),
    case("a huge list by *", "{{ ([1] * 100000000)|length }}", "went past a limit"),
    case("a huge number by **", "{{ 9 ** 99999999 }}", "went past a limit"),
    case(
        "a doubling by ~",
        "{% set s = 'x' * 999999 %}{% set s = s ~ s %}{{ s|length }}",
        "went past a limit",
    ),
    case("a doubling by +", "{% set s = 'x' * 999999 %}{{ (s + s)|length }}", "went past a limit"),
    case("a huge join", "{{ (['x' * 999999] * 1000)|join }}", "went past a limit"),
    case("a huge replace", "{{ ('x' * 999999)|replace('x', 'yyyy') }}", "went past a limit"),
    case("a range too big", "{{ range(1000000000)|list|length }}", "template error"),
    case(
        "an endless loop",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "went past a limit",
        "seconds",
    ),
    case(
        "an endless page",
        "{% for i in range(100000) %}{{ 'y' * 1000 }}{% endfor %}",
        "went past a limit",
        "characters",
    ),
    case(
        "endless recursion",
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
        "calls itself",
    ),
    # Huge values built where the old budget did not look (inside filters, blocks and str()), and
    # long work inside one filter call: each is stopped by the value, build or time limit.
    case("a list of references turned into text", f"{{{{ {MANY}|string|length }}}}", LIMIT),
    case("a list of references as JSON", f"{{{{ {MANY}|tojson|length }}}}", LIMIT),
    case("a list of references printed", f"{{{{ {MANY} }}}}", LIMIT),
    case("a list of references joined by ~", f"{{{{ ({MANY} ~ '')|length }}}}", LIMIT),
    case("a list of references escaped", f"{{{{ {MANY}|e|length }}}}", LIMIT),
    case("a generator of references joined", f"{{{{ {MANY}|select|join|length }}}}", LIMIT),
    case("a map that copies each reference", f"{{{{ {MANY}|map('upper')|list|length }}}}", LIMIT),
    case("a map into a list of strings", f"{{{{ {MANY}|map('string')|list|length }}}}", LIMIT),
    case(
        "sum(start=[]) of many lists",
        "{{ ([range(1000)|list] * 2000)|sum(start=[])|length }}",
        LIMIT,
    ),
    case(
        "a sort of a large list, again and again",
        "{% for i in range(100000) %}{{ (range(100000)|list * 10)|sort|length }}{% endfor %}",
        LIMIT,
        "seconds",
    ),
    case(
        "unique over a large list, again and again",
        "{% for i in range(100000) %}{{ (range(100000)|list * 10)|unique|list|length }}"
        "{% endfor %}",
        LIMIT,
        "seconds",
    ),
    case("a slice into a billion parts", "{{ [1]|slice(1000000000)|list|length }}", LIMIT),
    case(
        "a set block filled in a loop",
        "{% set b %}{% for i in range(100000) %}{{ 'y' * 999999 }}{% endfor %}{% endset %}"
        "{{ b|length }}",
        LIMIT,
    ),
    case(
        "a macro whose text grows in a loop",
        "{% macro m() %}{% for i in range(100000) %}{{ ('y' * 999999) ~ i }}{% endfor %}"
        "{% endmacro %}{{ m()|length }}",
        LIMIT,
    ),
    case(
        "a filter block filled in a loop",
        "{% filter upper %}{% for i in range(100000) %}{{ 'y' * 999999 }}{% endfor %}"
        "{% endfilter %}",
        LIMIT,
    ),
    case(
        "a parent's block taken as a value",
        '{% extends "base.j2" %}{% block b %}{% set x = super()|length %}{% endblock %}',
        LIMIT,
        **{
            "base.j2": "{% block b %}{% for i in range(100000) %}{{ 'y' * 999999 }}{% endfor %}"
            "{% endblock %}"
        },
    ),
    case(
        "a large value made and dropped again and again",
        "{% for i in range(100000) %}{% set x = ('y' * 999999) ~ i %}{% endfor %}",
        LIMIT,
    ),
    case(
        "an integer squared and squared again",
        "{% set ns = namespace(n=10 ** 60) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}"
        "{% endfor %}{{ ns.n|string|length }}",
        LIMIT,
        "bits",
    ),
    case("a power of a large integer", "{{ ((2 ** 60) ** 60) ** 60 }}", LIMIT, "bits"),
    case(
        "a dict of references printed",
        "{% set s = 'x' * 999999 %}{{ dict(a=s, b=s, c=s, d=s, e=s, f=s) }}",
        LIMIT,
    ),
    case(
        "a recursive loop without end",
        "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
        "calls itself",
    ),
    case("a mutation of the data", "{% set x = doc.sections.append(1) %}", REFUSED),
    case("a division by zero", "{{ 1 / 0 }}", "ZeroDivisionError"),
    case("include of /etc/passwd", '{% include "/etc/passwd" %}', "template"),
    case("include of the workspace file above", '{% include "../boardpack.toml" %}', "template"),
    case(
        "include through a symlink out",
        '{% include "link.j2" %}',
        "outside the templates folder",
        setup=outside_link,
    ),
    case(
        "include through a linked folder",
        '{% include "up/secret.txt" %}',
        "outside the templates folder",
        setup=folder_link,
    ),
    case("extends of a file outside", '{% extends "../../secret.txt" %}', "template"),
    case("a syntax error", "{% if %}", "template syntax error"),
    case("an unknown name", "{{ config.SECRET_KEY }}", "'config' is undefined"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_hostile_template_is_refused_by_name_and_nothing_is_sent(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    assert "TOP-SECRET-OUTSIDE" not in outcome.output
