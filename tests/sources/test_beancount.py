"""Beancount ledgers: the same totals as beancount's own query engine, its errors as file:line, and
fava's budget entries as the budget."""

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import run_cli, write_workspace

pytest.importorskip("beancount")
beanquery = pytest.importorskip("beanquery")
D = Decimal
BIN = Path(sys.executable).parent
TOML = """\
[organization]
name = "Example"
currency = "USD"

[[entities]]
id = "babble"
name = "Babble"
kind = "software"

[[entities]]
id = "etrade"
name = "Brokerage"
kind = "other"

[[sources.ledger]]
path = "books/*.beancount"
format = "beancount"
{entity}
"""
BY_COMPONENT = "entity_account_component = 3\n"


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """A generated personal ledger: salary, taxes, trades at cost, dividends, vacation hours, 401k
    units."""
    root = tmp_path_factory.mktemp("bean")
    ledger = root / "books" / "example.beancount"
    ledger.parent.mkdir()
    subprocess.run(
        [
            BIN / "bean-example",
            "--seed",
            "11",
            "--date-begin",
            "2025-01-01",
            "--date-end",
            "2026-10-31",
            "-o",
            str(ledger),
        ],
        check=True,
        capture_output=True,
    )
    (root / "boardpack.toml").write_text(TOML.format(entity='entity = "babble"'))
    return root


def pack_for(root: Path, month: str):
    as_of = date.fromisoformat(month + "-01")
    as_of = date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
    ws = load_workspace(root, environ={})
    return build_pack(ws, as_of, generated_at=datetime(2026, 11, 15, tzinfo=ZoneInfo("UTC")))


def bean_query(ledger: Path, start: str, end: str) -> dict[str, Decimal]:
    """What beancount's own query engine says each income and expense account did, in USD, start <=
    date < end."""
    out = subprocess.run(
        [
            BIN / "bean-query",
            "-f",
            "csv",
            str(ledger),
            (
                f"SELECT account, sum(number) AS total WHERE currency = 'USD' AND date >= {start}"
                f" AND date < {end} AND account ~ '^(Income|Expenses):' GROUP BY account"
            ),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return {line.split(",")[0]: D(line.split(",")[1]) for line in out[1:] if line}


@pytest.mark.parametrize(
    "month, start, end",
    [
        ("2025-03", "2025-03-01", "2025-04-01"),
        ("2025-12", "2025-12-01", "2026-01-01"),
        ("2026-09", "2026-09-01", "2026-10-01"),
    ],
)
def test_every_income_and_expense_account_matches_bean_query_to_the_cent(
    example, month, start, end
):
    expected = {
        account: -total
        for account, total in bean_query(example / "books/example.beancount", start, end).items()
        if total
    }
    statement = pack_for(example, month).results.tables["accounting.income_statement"]
    got = {row["account"]: row["period"] for row in statement.rows if row["period"]}
    assert expected and got == expected


def test_trailing_twelve_months_match_bean_query_too(example):
    expected = bean_query(example / "books/example.beancount", "2025-10-01", "2026-10-01")
    statement = pack_for(example, "2026-09").results.tables["accounting.income_statement"]
    assert {r["account"]: r["ttm"] for r in statement.rows} == {a: -t for a, t in expected.items()}


def test_commodities_without_a_price_are_left_out_and_listed(example):
    results = pack_for(example, "2026-09").results
    note = results.metrics["accounting.unpriced_postings"]
    assert note.value > 0 and "VACHR" in note.note and "IRAUSD" in note.note
    accounts = {r["account"] for r in results.tables["accounting.income_statement"].rows}
    assert "Income:US:Babble:Vacation" not in accounts  # only ever in hours


def test_the_cash_balance_is_the_cash_accounts_balance(example):
    ledger = example / "books/example.beancount"
    out = subprocess.run(
        [
            BIN / "bean-query",
            "-f",
            "csv",
            str(ledger),
            (
                "SELECT sum(number) WHERE currency = 'USD' AND date < 2026-10-01 AND "
                "(account ~ 'Checking' OR account ~ ':Cash')"
            ),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert pack_for(example, "2026-09").results.metrics["finance.cash_balance"].value == D(out[1])


LEDGER = """\
option "operating_currency" "USD"
2026-01-01 open Assets:Bank:Checking USD
2026-01-01 open Assets:Broker:Shares
2026-01-01 open Income:Acme:Charters USD
2026-01-01 open Income:Coastal:Hauling
2026-01-01 open Liabilities:Acme:Deferred USD
2026-01-01 open Expenses:Coastal:Fuel USD
2026-01-01 open Equity:Opening-Balances

2026-01-01 * "Owner" "opening"
  Assets:Bank:Checking  10000.00 USD
  Equity:Opening-Balances

2026-10-03 * "Guest" "charter in November"
  service-start: 2026-11-01
  service-end: 2026-11-30
  Assets:Bank:Checking  3000.00 USD
  Liabilities:Acme:Deferred

2026-10-05 * "Shipper" "haul paid in euros"
  Assets:Bank:Checking  1080.00 USD
  Income:Coastal:Hauling  -1000.00 EUR @ 1.08 USD

2026-10-06 price EUR 1.10 USD

2026-10-09 * "Fuel Co" "diesel"
  Expenses:Coastal:Fuel  250.00 USD
  Assets:Bank:Checking
"""


def test_entity_from_an_account_component_and_service_metadata(tmp_path):
    toml = (
        TOML.format(entity=BY_COMPONENT)
        .replace('"babble"', '"acme"')
        .replace('"etrade"', '"coastal"')
    )
    toml = toml.replace('kind = "software"', 'kind = "charter"')
    ledger = LEDGER.replace("Equity:Opening-Balances", "Equity:Acme:Opening-Balances")
    root = write_workspace(
        tmp_path / "ws",
        toml.replace("entity_account_component = 3", "entity_account_component = 2"),
        {"books/main.beancount": ledger},
    )
    pack = build_pack(
        load_workspace(root, environ={}),
        date(2026, 11, 15),
        generated_at=datetime(2026, 11, 15, tzinfo=ZoneInfo("UTC")),
    )
    rows = pack.portfolio.db.execute(
        "SELECT entity, account, amount, original_amount, original_currency, "
        "service_start, source_file, source_line FROM ledger ORDER BY date"
    ).fetchall()
    assert (
        "acme",
        "Liabilities:Acme:Deferred",
        D("3000.00"),
        D("3000"),
        "USD",
        date(2026, 11, 1),
        "books/main.beancount",
        18,
    ) in rows
    # at the transaction's own price (1000 EUR @ 1.08 = 1080.00 USD), not the later 1.10; what the
    # file said is kept
    assert (
        "coastal",
        "Income:Coastal:Hauling",
        D("1080.00"),
        D("1000"),
        "EUR",
        None,
        "books/main.beancount",
        22,
    ) in rows
    assert pack.results.metrics["accounting.deferred_revenue"].value == D("3000.00")


def test_a_transaction_with_no_entity_names_its_line(tmp_path):
    toml = (
        TOML.format(entity="entity_account_component = 2")
        .replace('"babble"', '"acme"')
        .replace('"etrade"', '"coastal"')
    )
    root = write_workspace(tmp_path / "ws", toml, {"books/main.beancount": LEDGER})
    with pytest.raises(WorkspaceError) as err:
        build_pack(load_workspace(root, environ={}), date(2026, 11, 15))
    assert "books/main.beancount:12: no entity for Equity:Opening-Balances" in str(err.value)


@pytest.mark.parametrize(
    "bad, expected",
    [
        (
            "2026-10-20 balance Assets:Bank:Checking  1.00 USD\n",
            "books/main.beancount:30: Balance failed for 'Assets:Bank:Checking'",
        ),
        (
            (
                '2026-10-21 * "Bad" "does not add up"\n  Expenses:Coastal:Fuel  10.00 USD\n'
                "  Assets:Bank:Checking  -9.00 USD\n"
            ),
            "books/main.beancount:30: Transaction does not balance",
        ),
        (
            (
                '2026-02-30 * "Bad" "no such day"\n  Expenses:Coastal:Fuel  10.00 USD\n '
                " Assets:Bank:Checking\n"
            ),
            "books/main.beancount:30:",
        ),
        (
            (
                '2026-10-22 * "Bad" "service backwards"\n  service-start: 2026-12-01\n '
                " service-end: 2026-11-01\n  Income:Coastal:Hauling  -10.00 USD\n "
                " Assets:Bank:Checking\n"
            ),
            "books/main.beancount:33: service-end 2026-11-01 is before service-start 2026-12-01",
        ),
    ],
)
def test_beancount_errors_are_file_line_messages_and_exit_2(tmp_path, bad, expected):
    toml = TOML.format(entity='entity = "babble"')
    root = write_workspace(tmp_path / "ws", toml, {"books/main.beancount": LEDGER + "\n" + bad})
    result = run_cli("build", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr


def test_a_missing_beancount_package_says_how_to_install_it(tmp_path):
    root = write_workspace(
        tmp_path / "ws", TOML.format(entity='entity = "babble"'), {"books/main.beancount": LEDGER}
    )
    code = (
        "import sys; sys.modules['beancount'] = None\n"
        "from boardpack.cli import main\n"
        f"sys.argv = ['boardpack', 'build', '-w', {str(root)!r}, '--as-of', '2026-11-15']\nmain()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2 and "pip install 'boardpack[beancount]'" in result.stderr
    assert "Traceback" not in result.stderr


CARD = """\
option "operating_currency" "USD"
2026-01-01 open Assets:Bank:Checking USD
2026-01-01 open Liabilities:Card USD
2026-01-01 open Expenses:Fuel USD
2026-01-01 open Equity:Opening-Balances

2026-01-01 * "Owner" "opening"
  Assets:Bank:Checking  10000.00 USD
  Equity:Opening-Balances

2026-08-10 * "Fuel Co" "diesel on the card"
  Expenses:Fuel  300.00 USD
  Liabilities:Card

2026-09-05 * "Card" "pay the card"
  Liabilities:Card  300.00 USD
  Assets:Bank:Checking
"""


def test_a_card_purchase_is_burned_once_and_the_balance_sheet_is_beancounts(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML.format(entity='entity = "babble"'),
        {"books/main.beancount": CARD, "ledger/bank.csv": None},
    )
    october = pack_for(root, "2026-10")
    metrics = october.results.metrics
    # August to October: 300.00 went out of the bank once, when the card was paid
    assert metrics["finance.gross_burn"].value == D("100.00") == metrics["finance.net_burn"].value
    for month, after, checking, card in (
        ("2026-08", date(2026, 9, 1), "10000.00", "300.00"),
        ("2026-10", date(2026, 11, 1), "9700.00", "0"),
    ):
        table = pack_for(root, month).results.tables["accounting.balance_sheet"]
        sheet = {r["item"]: r["amount"] for r in table.rows}
        balances = bean_balances(root / "books" / "main.beancount", after)
        assert balances["Assets:Bank:Checking"] == D(checking)
        assert sheet["Cash — Assets:Bank:Checking"] == D(checking)
        assert -balances.get("Liabilities:Card", D(0)) == D(card)
        assert sheet.get("Liabilities:Card", D("0")) == D(card)
        assert sheet["Unexplained (money no account explains)"] == 0
        # the opening entry is an opening balance, not money the owner put in
        assert sheet["Equity: opening balances"] == D("10000.00")
        assert sheet["Equity: owner contributions less draws"] == D("0.00")


def bean_balances(ledger: Path, before: date) -> dict[str, Decimal]:
    """Each account's balance, in USD, from beancount's own query engine, for dates before `before`.
    """
    out = subprocess.run(
        [
            BIN / "bean-query",
            "-f",
            "csv",
            str(ledger),
            f"SELECT account, sum(number) WHERE date < {before} GROUP BY account",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[1:]
    return {row.split(",")[0].strip(): D(row.split(",")[1]) for row in out if row.strip()}


def test_statement_balances_on_a_beancount_source_point_to_its_balance_directive(tmp_path):
    toml = TOML.format(
        entity='entity = "babble"\nstatement_balances = [{ date = "2026-10-31", balance = "1" }]'
    )
    root = write_workspace(tmp_path / "ws", toml, {"books/main.beancount": CARD})
    with pytest.raises(WorkspaceError, match="write a balance directive"):
        load_workspace(root, environ={})


def test_the_three_statements_tie_on_a_generated_ledger(example):
    """The balance sheet balances but for what no account explains, the cash flow adds up to the
    change in cash, net income is the income statement's; and each account in dollars only (the
    cash accounts each on a line of their own) is the balance beancount's own query engine
    gives."""
    pack = pack_for(example, "2026-09")
    tables, metrics = pack.results.tables, pack.results.metrics
    sheet = {r["item"]: r["amount"] for r in tables["accounting.balance_sheet"].rows}
    assert (
        sheet["Total assets"]
        == sheet["Total liabilities"]
        + sheet["Total equity"]
        + sheet["Unexplained (money no account explains)"]
    )
    # every posting has an account, and the cash accounts' own postings add up to the ledger
    assert sheet["Unexplained (money no account explains)"] == 0
    flow = {r["item"]: r["amount"] for r in tables["accounting.cash_flow"].rows}
    assert flow["Change in cash"] == flow["Cash at 30 Sep 2026"] - flow["Cash at 31 Aug 2026"]
    assert flow["Net income"] == metrics["accounting.net_income"].value
    assert flow["Cash at 30 Sep 2026"] == metrics["finance.cash_balance"].value
    balances = bean_balances(example / "books" / "example.beancount", date(2026, 10, 1))
    dollars_only = bean_dollar_accounts(example / "books" / "example.beancount")
    checked = 0
    for item, amount in sheet.items():
        account = item.removeprefix("Cash — ")  # each cash account has its own line too
        if account.startswith(("Assets:", "Liabilities:")) and account in dollars_only:
            owned = balances.get(account, D(0))
            assert amount == (owned if account.startswith("Assets:") else -owned), account
            checked += 1
    assert checked >= 3  # the checking account, the credit card and at least one other


def bean_dollar_accounts(ledger: Path) -> set[str]:
    out = subprocess.run(
        [BIN / "bean-query", "-f", "csv", str(ledger), "SELECT account, currency GROUP BY 1, 2"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()[1:]
    currencies: dict[str, set] = {}
    for row in out:
        account, currency = (c.strip() for c in row.split(","))
        currencies.setdefault(account, set()).add(currency)
    return {a for a, found in currencies.items() if found == {"USD"}}


BUDGETS = """
2026-01-01 custom "budget" Expenses:Fuel "monthly" 250.00 USD
2026-09-15 custom "budget" Expenses:Fuel "daily" 10.00 USD
"""


def test_favas_budget_entries_are_the_budget(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML.format(entity='entity = "babble"'),
        {"books/main.beancount": CARD + BUDGETS, "ledger/bank.csv": None},
    )
    august = pack_for(root, "2026-08").results.tables["finance.budget_vs_actual"]
    (fuel,) = august.rows
    # 250 a month until the daily budget takes over in September: August spent 300 on the card
    assert (fuel["account"], fuel["entity"], fuel["budget"], fuel["actual"]) == (
        "Expenses:Fuel",
        "babble",
        D("250.00"),
        D("300.00"),
    )
    assert august.provenance == ("books/main.beancount",)
    (october,) = pack_for(root, "2026-10").results.tables["finance.budget_vs_actual"].rows
    # 10.00 a day from September (its month): October's 31 days; the year: 8 × 250 + 30 × 10 + 310
    assert october["budget"] == D("310.00")
    assert october["ytd_budget"] == D("2610.00")
    # the outlook: spent to date (300), then November's 30 × 10 and December's 31 × 10
    assert october["outlook"] == D("910.00")


@pytest.mark.parametrize(
    "entry, said",
    [
        ('2026-01-01 custom "budget" Expenses:Fuel "fortnightly" 5.00 USD', "the interval one of"),
        ('2026-01-01 custom "budget" Assets:Bank:Checking "monthly" 5.00 USD', "budgets are for"),
        ('2026-01-01 custom "budget" Expenses:Fuel "monthly" 5.00 EUR', "in EUR: budgets are"),
    ],
)
def test_a_bad_budget_entry_is_named_by_its_line(tmp_path, entry, said):
    toml = TOML.format(entity='entity = "babble"')
    root = write_workspace(
        tmp_path / "ws", toml, {"books/main.beancount": CARD + "\n" + entry + "\n"}
    )
    result = run_cli("build", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "books/main.beancount:" in result.stderr and said in result.stderr, result.stderr


def test_the_collector_is_paused_while_the_books_load_and_on_again_after(tmp_path, monkeypatch):
    """A pause that outlived the load, or a refused ledger, would leave a long-running worker
    collecting nothing."""
    import gc

    from boardpack.sources import beancount_ledger

    seen = []
    real = beancount_ledger.load_books

    def watched(*args):
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(beancount_ledger, "load_books", watched)
    toml = TOML.format(entity='entity = "babble"')
    root = write_workspace(tmp_path / "ws", toml, {"books/main.beancount": LEDGER})
    assert gc.isenabled()
    build_pack(load_workspace(root, environ={}), date(2026, 11, 15))
    assert seen == [False] and gc.isenabled()
    (root / "books/main.beancount").write_text('option "insert_pythonpath" "TRUE"\n' + LEDGER)
    with pytest.raises(WorkspaceError, match="insert_pythonpath"):
        build_pack(load_workspace(root, environ={}), date(2026, 11, 15))
    assert seen == [False, False] and gc.isenabled()


LOAN = """\
2026-01-01 open Assets:Bank:Checking USD
2026-01-01 open Liabilities:Harbor USD
  type: "loan"
2026-01-01 open Liabilities:Retainers USD
  type: "deferred_revenue"
  earned_into: "Income:Advisory"
2026-01-01 open Income:Advisory USD
2026-01-01 open Income:Sales USD
2026-01-01 open Equity:Opening-Balances

2026-01-01 * "Owner" "opening"
  Assets:Bank:Checking  10000.00 USD
  Equity:Opening-Balances

2026-09-02 * "Client" "sales"
  Assets:Bank:Checking  5000.00 USD
  Income:Sales

2026-10-01 * "Client" "retainer for October"
  service-start: "2026-10-01"
  service-end: "2026-10-31"
  Assets:Bank:Checking  3100.00 USD
  Liabilities:Retainers

2026-10-08 * "Harbor" "principal"
  Liabilities:Harbor  1000.00 USD
  Assets:Bank:Checking
"""


def test_an_open_directives_type_says_what_the_account_is(tmp_path):
    """`type: "loan"` on a name that does not say loan: financing, outside burn; a retainer's
    `earned_into` names the income it is earned into (not the larger Income:Sales)."""
    root = write_workspace(
        tmp_path / "ws",
        TOML.format(entity='entity = "babble"'),
        {"books/main.beancount": LOAN, "ledger/bank.csv": None},
    )
    pack = pack_for(root, "2026-10")
    flow = {r["item"]: r["amount"] for r in pack.results.tables["accounting.cash_flow"].rows}
    assert flow["+ loans taken less principal repaid"] == D("-1000.00")
    assert pack.portfolio.account_types["Liabilities:Harbor"] == ("loan", "said")
    earned = pack.portfolio.db.execute(
        "SELECT account, sum(amount) FROM books WHERE date BETWEEN '2026-10-01' AND '2026-10-31'"
        " AND account LIKE 'Income:%' GROUP BY account"
    ).fetchall()
    assert earned == [("Income:Advisory", D("3100.00"))]


def test_a_type_an_open_directive_cannot_have_is_named_by_its_line(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML.format(entity='entity = "babble"'),
        {
            "books/main.beancount": LOAN.replace('type: "loan"', 'type: "cash"'),
            "ledger/bank.csv": None,
        },
    )
    result = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "main.beancount:2:" in result.stderr
    assert "Liabilities:Harbor" in result.stderr
    assert "payable, deferred_revenue, loan" in result.stderr
