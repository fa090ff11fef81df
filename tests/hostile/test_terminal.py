"""Class 8: terminal output is inert. Data echoed in a message (a cell, a name, a file name) has its
control and escape characters shown escaped, never sent raw to the terminal: a memo cannot clear the
screen, rewrite the line before it or set the window's title."""

from __future__ import annotations

import pytest

from boardpack.terminal import inert
from tests.conftest import LEDGER
from tests.hostile.corpus import AS_OF, Case, problems_of, replace, run_case

CLEAR = "\x1b[2J\x1b[H"  # clear the screen, cursor home
TITLE = "\x1b]0;pwned\x07"  # set the window title
BACK = "\r"  # back to the start of the line, to write over what came before
BIDI = "\u202e"  # right-to-left override: a line that reads differently from its bytes


def case(id: str, raw: str, toml=None, files=None, code: int = 2, argv=("send", *AS_OF)) -> Case:
    return Case(
        id, "terminal", argv, toml, files or {}, None, code, (), sends=code == 0, secrets=(raw,)
    )


CASES = [
    case(
        "an escape in a skipped row",
        CLEAR,
        toml=replace(
            'opening_balance = "10000.00"', 'opening_balance = "10000.00"\non_error = "skip"'
        ),
        files={"ledger/bank.csv": LEDGER + f"2026-10-30,Acme,x,12{CLEAR}3,\n"},
        code=0,
    ),
    case(
        "an escape in a bad amount",
        TITLE,
        files={"ledger/bank.csv": LEDGER + f"2026-10-30,Acme,x,1{TITLE},\n"},
    ),
    case(
        "a carriage return in an entity",
        BACK + "OK all good",
        toml=lambda t: t.replace(
            'entity = "co"\nopening_balance', 'entity_column = "Payee"\nopening_balance', 1
        ),
        files={"ledger/bank.csv": LEDGER.replace("Acme,July", f"Ac{BACK}OK all good,July")},
    ),
    case(
        "an escape in a note's file name",
        CLEAR,
        files={f"notes/bad{CLEAR}.md": "---\nentity: nobody\n---\n"},
    ),
    case(
        "an escape in a TOML value",
        CLEAR,
        toml=replace('currency = "USD"', 'currency = "US\\u001b[2J"'),
    ),
    case(
        "a bidi override in a TOML value",
        BIDI,
        toml=replace('currency = "USD"', 'currency = "U\\u202eSD"'),
    ),
    case(
        "an escape in a channel",
        TITLE,
        files={
            "marketing/channels.csv": (
                "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
                f"co,web{TITLE},2026-10,1,1,2,1,1,1\n"
            )
        },
    ),
    case("an escape in an unknown role", CLEAR, argv=("build", *AS_OF, "--role", f"x{CLEAR}")),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_data_echoed_to_the_terminal_is_inert(case, tmp_path):
    outcome = run_case(case, tmp_path)
    problems = [p for p in problems_of(case, outcome, tmp_path / "ws") if "planted secret" not in p]
    assert problems == []
    assert case.secrets[0] not in outcome.output, "a control sequence reached the terminal as it is"


def test_inert_escapes_every_control_and_bidi_character_and_keeps_lines():
    assert (
        inert(f"a{CLEAR}b{TITLE}c{BACK}d{BIDI}e\u0085f\u007fg")
        == "a\\x1b[2J\\x1b[Hb\\x1b]0;pwned\\x07c\\x0dd\\u202ee\\x85f\\x7fg"
    )
    assert inert("two\nlines\twith a tab") == "two\nlines\twith a tab"


def test_an_escape_echoed_in_an_error_is_shown_escaped(tmp_path):
    echoed = case(
        "an escape in a bad amount",
        CLEAR,
        files={"ledger/bank.csv": LEDGER + f"2026-10-30,Acme,x,1{CLEAR},\n"},
    )
    outcome = run_case(echoed, tmp_path)
    assert CLEAR not in outcome.output and '"1\\x1b[2J\\x1b[H" is not a number' in outcome.output
