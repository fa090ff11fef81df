"""The low class of the second trial: each mistake gets a clear refusal naming the key and line,
or the file and line, or the item — exit 2, nothing sent, no traceback.

An amount in another currency's symbol, a currency that is not one, a KPI or decision rule that
names no metric, an absurd beancount budget, task owners and ventures that do not exist, an
address or name that hides or imitates characters, a subject prefix with a line break, a
duplicate venture id, an encoding that transforms text, a task export's bad item, a beancount
plugin's failure (said without its traceback), `schedule next` from year 1.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import LEDGER
from tests.hostile.corpus import AS_OF, Case, append, problems_of, replace, run_case
from tests.hostile.test_code import BOOKS, beancount

LEDGER_ROW = "ledger/bank.csv"
TASKS = '[sources.tasks]\npaths = ["boards/*"]\n'


def refused(id: str, *says: str, toml=None, files=None, argv=("send", *AS_OF)) -> Case:
    return Case(id, "refusals", argv, toml, files or {}, None, 2, says)


def row(text: str) -> dict[str, str]:
    return {LEDGER_ROW: LEDGER + text + "\n"}  # the 15th line of the file


def kpi(metric: str) -> callable:
    return append(f'[[kpis]]\nid = "{metric}"\nlabel = "Made up"\ntarget = "1"\n')


def rule(metric: str) -> callable:
    return append(
        f'[[finance.rules]]\nid = "made-up"\nlabel = "Made up"\nmetric = "{metric}"\nop = ">"\n'
        'value = "1"\n'
    )


def cfo_to(address: str) -> callable:
    return replace('to = ["cfo@example.com"]', f"to = [{json.dumps(address)}]")


ISSUES = [
    {"number": 7, "title": "Fine", "state": "open", "labels": []},
    {"number": 8, "title": "Bad due date", "state": "open", "milestone": {"due_on": "soon"}},
]

CASES = [
    refused(
        "an amount with the euro sign in a USD ledger",
        "bank.csv:15",
        "written with €, which is not USD",
        files=row("2026-10-29,Shop,Thing,€5.00,Expenses:Misc"),
    ),
    refused(
        "an amount with the yen sign in a USD ledger",
        "bank.csv:15",
        "written with ¥",
        files=row("2026-10-29,Shop,Thing,¥5,Expenses:Misc"),
    ),
    refused(
        "a currency that is not one",
        "organization.currency",
        "'ZZZ' is not an ISO 4217 currency code",
        toml=replace('currency = "USD"', 'currency = "ZZZ"'),
        argv=("check", *AS_OF),
    ),
    refused(
        "a KPI naming no metric",
        "kpis[3].id = 'bogus.metric' names no metric",
        "boardpack.toml:",
        toml=kpi("bogus.metric"),
    ),
    refused(
        "a KPI naming a metric no analysis has",
        "kpis[3].id = 'finance.no_such_metric': this pack has no such metric",
        toml=kpi("finance.no_such_metric"),
        argv=("check", *AS_OF),
    ),
    refused(
        "a decision rule naming a misspelled metric",
        "finance.rules[2].metric = 'finance.runwya_months'",
        "did you mean 'finance.runway_months'",
        toml=rule("finance.runwya_months"),
    ),
    refused(
        "a decision rule naming no metric",
        "finance.rules[2].metric = 'nothing' names no metric",
        toml=rule("nothing"),
    ),
    refused(
        "an absurd beancount budget",
        "books/main.beancount:",
        "a budget is under 1,000,000,000,000",
        toml=beancount(),
        files={
            "books/main.beancount": BOOKS
            + '2026-01-01 custom "budget" Income:Sales "monthly" 100000000000000.00 USD\n'
        },
    ),
    refused(
        "a beancount budget from a wrong year",
        "books/main.beancount:",
        "from 1800-01-01",
        toml=beancount(),
        files={
            "books/main.beancount": BOOKS.replace("2026-01-01 open", "1800-01-01 open")
            + '1800-01-01 custom "budget" Income:Sales "monthly" 100.00 USD\n'
        },
    ),
    refused(
        "a task owner mapped to no role",
        "sources.tasks.owners",
        "lee = 'ctoo' is not a role",
        toml=append(TASKS + 'owners = { lee = "ctoo" }\n'),
        files={"boards/issues.json": json.dumps(ISSUES[:1])},
    ),
    refused(
        "a task naming a venture not declared",
        "boards/tasks.csv:2: entity 'nowhere' is not declared",
        toml=append(TASKS),
        files={"boards/tasks.csv": "title,status,owner,due,labels,entity\nThing,open,,,,nowhere\n"},
    ),
    refused(
        "the tasks' own venture not declared",
        "sources.tasks.entity = 'nowhere' is not a declared entity",
        toml=append(TASKS + 'entity = "nowhere"\n'),
        files={"boards/issues.json": json.dumps(ISSUES[:1])},
    ),
    refused(
        "a task export's bad item",
        "boards/issues.json#8",
        "soon",
        toml=append(TASKS),
        files={"boards/issues.json": json.dumps(ISSUES)},
    ),
    refused(
        "a task export nested thousands deep",
        "boards/issues.json",
        "nested thousands deep",
        toml=append(TASKS),
        files={"boards/issues.json": "[" * 100_000 + "]" * 100_000},
    ),
    refused(
        "a right-to-left override in an address",
        "roles.cfo.to[0]",
        "U+202E",
        toml=cfo_to("cfo\u202e@example.com"),
    ),
    refused(
        "a right-to-left override in a display name",
        "roles.cfo.to[0]",
        "direction-changing",
        toml=cfo_to("Ana \u202emoc.live <cfo@example.com>"),
    ),
    refused(
        "a zero-width space in a domain",
        "roles.cfo.to[0]",
        "U+200B",
        toml=cfo_to("cfo@exam\u200bple.com"),
    ),
    refused(
        "a Cyrillic letter in a Latin domain",
        "roles.cfo.to[0]",
        "mixes Cyrillic and Latin letters",
        toml=cfo_to("cfo@ex\u0430mple.com"),
    ),
    refused(
        "a Greek letter in a Latin display name",
        "roles.cfo.to[0]",
        "mixes Greek and Latin letters",
        toml=cfo_to("P\u03bfrtfolio Board <cfo@example.com>"),
    ),
    refused(
        "a subject prefix with a line break",
        "delivery.subject_prefix",
        "boardpack.toml:",
        "U+000A (a line break would start another header)",
        toml=replace(
            "[delivery]\n", '[delivery]\nsubject_prefix = "Board\\nBcc: x@evil.example"\n'
        ),
    ),
    refused(
        "a venture id declared twice",
        "entities[1].id = 'co' is declared twice",
        "boardpack.toml:",
        toml=append('[[entities]]\nid = "co"\nname = "Other"\nkind = "services"\n'),
    ),
    refused(
        "an encoding that transforms text",
        "sources.ledger[0].encoding",
        "'rot13' is a transform of text or bytes, not a character encoding",
        toml=replace(
            'opening_balance = "10000.00"', 'opening_balance = "10000.00"\nencoding = "rot13"'
        ),
    ),
    refused(
        "a schedule from year 1",
        "--from 0001-01-01",
        "start between 1900-01-01",
        argv=("schedule", "next", "--from", "0001-01-01"),
        toml=append('[schedule]\ncron = "0 6 * * MON"\n'),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_mistake_is_refused_by_name(case, tmp_path):
    if "beancount" in case.id:
        pytest.importorskip("beancount")
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []


def test_a_bad_cell_is_quoted_short_with_its_length(tmp_path):
    """A cell of a hundred thousand characters is named by its line, not printed whole."""
    case = refused(
        "a huge bad amount",
        "bank.csv:15",
        "… (100000 characters)",
        files=row("2026-10-29,Shop,Thing," + "9x" * 50_000 + ",Expenses:Misc"),
    )
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    assert "9x" * 100 not in outcome.output and len(outcome.output) < 5_000


def test_a_beancount_plugin_that_fails_is_said_in_one_line(tmp_path):
    pytest.importorskip("beancount")
    case = refused(
        "a plugin that fails on its configuration",
        "Error applying plugin",
        "TypeError",
        toml=beancount(),
        files={"books/main.beancount": 'plugin "beancount.plugins.implicit_prices" "x"\n' + BOOKS},
    )
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    assert 'File "' not in outcome.output and "most recent call last" not in outcome.output
