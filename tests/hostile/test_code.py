"""Class 2: no code from the workspace. A beancount ledger may name plugins, include files and ask
for its folder on Python's path; only beancount's own plugins (and those the source lists, installed
elsewhere) run, and nothing kept in a workspace is imported, decrypted or read from outside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import TOML
from tests.hostile.corpus import Case, problems_of, run_case

LEDGER_SOURCE = TOML[
    TOML.index("[[sources.ledger]]") : TOML.index("[sources.notes]")
]  # the CSV source
BOOKS = """option "operating_currency" "USD"
2026-01-01 open Assets:Bank:Checking
2026-01-01 open Income:Sales
2026-01-01 open Equity:Opening
2026-10-05 * "Acme" "October sale"
  Assets:Bank:Checking   1200.00 USD
  Income:Sales
"""
# Imported from the workspace, this would leave its mark: the test looks for the file it writes.
EVIL = (
    "import pathlib\npathlib.Path(__file__).with_name('RAN').write_text('ran')\n__plugins__ = ()\n"
)


def beancount(extra: str = "") -> callable:
    def edit(toml: str) -> str:
        return toml.replace(
            LEDGER_SOURCE,
            '[[sources.ledger]]\npath = "books/main.beancount"\nformat = "beancount"\n'
            f'entity = "co"\n{extra}\n',
        )

    return edit


def books(head: str, **more: str | bytes) -> dict[str, str | bytes]:
    return {
        "books/main.beancount": head + "\n" + BOOKS,
        **{f"books/{k}": v for k, v in more.items()},
    }


def case(id: str, head: str, *says: str, extra: str = "", setup=None, **more) -> Case:
    return Case(
        id, "code", toml=beancount(extra), files=books(head, **more), setup=setup, says=says
    )


def link_outside(ws: Path) -> None:
    (ws.parent / "other.beancount").write_text(
        '2026-10-06 * "x"\n  Assets:Bank:Checking 1 USD\n  Income:Sales\n'
    )
    os.symlink(ws.parent / "other.beancount", ws / "books" / "linked.beancount")


CASES = [
    case(
        "a plugin from the workspace",
        'plugin "evil"',
        'plugin "evil" is not allowed',
        **{"evil.py": EVIL},
    ),
    case(
        "a dotted plugin from the workspace",
        'plugin "books.evil"',
        "is not allowed",
        **{"evil.py": EVIL},
    ),
    case("the os module as a plugin", 'plugin "os"', 'plugin "os" is not allowed'),
    case(
        "a plugin the source allows that is not installed",
        'plugin "evil"',
        'plugin "evil" is not installed',
        extra='plugins = ["evil"]',
        **{"evil.py": EVIL},
    ),
    case("insert_pythonpath", 'option "insert_pythonpath" "TRUE"', "insert_pythonpath"),
    case(
        "insert_pythonpath in an included file",
        'include "more.beancount"',
        "insert_pythonpath",
        **{"more.beancount": 'option "insert_pythonpath" "TRUE"\n'},
    ),
    case("include of /etc/passwd", 'include "/etc/passwd"', "outside the workspace"),
    case(
        "include above the workspace",
        'include "../../outside.beancount"',
        "outside the workspace",
        setup=lambda ws: (ws.parent / "outside.beancount").write_text(""),
    ),
    case(
        "include through a symlink",
        'include "linked.beancount"',
        "outside the workspace",
        setup=link_outside,
    ),
    case(
        "an encrypted include (runs gpg)",
        'include "secret.beancount.gpg"',
        "gpg",
        **{"secret.beancount.gpg": b"\x85\x02\x0c\x03not really encrypted"},
    ),
    case("documents folder outside", 'option "documents" "/etc"', "outside the workspace"),
    case("plugins on a CSV source", "", "plugins are for beancount sources"),
]
CASES[-1] = Case(
    "plugins on a CSV source",
    "code",
    toml=lambda t: t.replace(
        'opening_balance = "10000.00"', 'opening_balance = "10000.00"\nplugins = ["os"]'
    ),
    says=("plugins are for beancount sources",),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_no_code_from_the_workspace_runs(case, tmp_path):
    pytest.importorskip("beancount")
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    assert not list((tmp_path / "ws").rglob("RAN")), "a workspace module was imported"


def test_an_allowed_plugin_is_not_imported_from_the_workspace_even_when_it_is_on_the_path(
    tmp_path, monkeypatch
):
    """As when `python -m boardpack` runs with the workspace as its current folder."""
    pytest.importorskip("beancount")
    case = Case(
        "a plugin the source allows, kept in the workspace",
        "code",
        toml=beancount('plugins = ["evil"]'),
        files=books('plugin "evil"') | {"evil.py": EVIL},
        says=("would be imported from", "inside the workspace"),
    )
    monkeypatch.syspath_prepend(str(tmp_path / "ws"))
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    assert not list((tmp_path / "ws").rglob("RAN")), "a workspace module was imported"


def test_beancount_s_own_plugins_still_run(tmp_path):
    pytest.importorskip("beancount")
    case = Case(
        "an allowed plugin",
        "code",
        toml=beancount(),
        files=books('plugin "beancount.plugins.auto_accounts"'),
        code=0,
        sends=True,
    )
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == [] and outcome.sent
