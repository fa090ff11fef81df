"""Real export layouts (issue 22): every example in docs/bank-exports.md loaded as written there,
its signed amounts worked out by hand; then each option's edges and the bad input it must name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from boardpack.config import load_workspace
from boardpack.errors import SourceErrors, WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT

DOC = Path(__file__).resolve().parents[2] / "docs" / "bank-exports.md"


def workspace_toml(source: str, currency: str = "USD", extra: str = "") -> str:
    return f"""\
[organization]
name = "Exports"
currency = "{currency}"
timezone = "America/Los_Angeles"

[[entities]]
id = "main"
name = "Main"
kind = "services"

{source}
{extra}
[delivery]
transport = "outbox"
from = "reports@example.com"
"""


def examples() -> dict[str, tuple[str, str]]:
    """Each layout's heading -> (its CSV, its TOML), as the page shows them."""
    found = {}
    for section in re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.M)[1:]:
        heading = section.splitlines()[0]
        blocks = dict(re.findall(r"```(csv|toml)\n(.*?)```", section, flags=re.S))
        found[heading] = (blocks["csv"], blocks["toml"])
    return found


def ledger(root: Path, toml: str, files: dict[str, str | bytes]) -> list[tuple]:
    """The ledger's rows (date, amount, account, counterparty, memo, line) after a real build."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    (root / "boardpack.toml").write_text(toml, encoding="utf-8")
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    return pack.portfolio.db.execute(
        "SELECT date::VARCHAR, amount::VARCHAR, account, counterparty, memo, source_line FROM"
        " ledger ORDER BY source_line, amount DESC"
    ).fetchall()


def load_example(tmp_path: Path, heading: str) -> list[tuple]:
    csv_text, toml = examples()[heading]
    path = re.search(r'path = "(.+?)"', toml)[1]
    source_keys = toml.split("[sources.ledger.columns]")[0]
    currency = re.search(r'^currency = "(.+?)"', source_keys, flags=re.M)
    return ledger(
        tmp_path, workspace_toml(toml, currency[1] if currency else "USD"), {path: csv_text}
    )


# heading -> (date, signed amount, account) of each ledger row, in file order; worked by hand
EXPECTED = {
    "Starling Bank (a UK app bank)": [
        ("2026-10-01", "1500.00", "Income:INCOME"),
        ("2026-10-03", "-212.40", "Expenses:TRANSPORT"),
        ("2026-10-10", "-850.00", "Expenses:BILLS_AND_SERVICES"),
        ("2026-10-15", "-7.00", "Expenses:BANK_CHARGES"),
    ],
    "Monzo (a UK app bank: money out as negative numbers, checked against the statement)": [
        ("2026-10-02", "1200.00", "Income:Income"),
        ("2026-10-06", "-86.20", "Expenses:Shopping"),
        ("2026-10-20", "-310.00", "Expenses:Bills"),
    ],
    "ING (a Dutch bank, with a direction column)": [
        ("2026-10-02", "2450.00", None),
        ("2026-10-05", "-86.35", None),
        ("2026-10-31", "-3.90", None),
    ],
    "Chase (a US bank, newest row first)": [
        ("2026-10-28", "-96.40", None),
        ("2026-10-15", "3200.00", None),
        ("2026-10-03", "-700.00", None),
    ],
    "PayPal (a payment processor: gross, fee, net)": [
        ("2026-10-04", "250.00", None),
        ("2026-10-04", "-9.24", "Expenses:Payment Processing"),
        ("2026-10-09", "900.00", None),
        ("2026-10-09", "-31.71", "Expenses:Payment Processing"),
        ("2026-10-09", "-868.29", "Assets:PayPal Held Cash"),
        ("2026-10-12", "868.29", "Assets:PayPal Held Cash"),
        ("2026-10-20", "-1000.00", None),
        ("2026-10-28", "120.00", None),
        ("2026-10-28", "-4.49", "Expenses:Payment Processing"),
    ],
    "YNAB (a budgeting app's register)": [
        ("2026-10-01", "2000.00", "Income:Inflow:Ready to Assign"),
        ("2026-10-06", "-84.99", "Expenses:Operations:Office Supplies"),
        ("2026-10-12", "-14.40", "Expenses:Operations:Software"),
    ],
    "A Spanish bank (a preamble, a decimal comma, the code after the number)": [
        ("2026-10-02", "1850.00", None),
        ("2026-10-07", "-312.45", None),
        ("2026-10-30", "-15.00", None),
    ],
    "Wells Fargo (no header at all)": [
        ("2026-10-02", "1250.00", None),
        ("2026-10-07", "-89.12", None),
        ("2026-10-21", "-1200.00", None),
    ],
}


def test_the_page_shows_every_layout_tested_here():
    assert set(examples()) == set(EXPECTED)


@pytest.mark.parametrize("heading", sorted(EXPECTED))
def test_each_published_layout_reads_as_worked_by_hand(tmp_path, heading):
    rows = load_example(tmp_path, heading)
    assert [(d, a, account) for d, a, account, *_ in rows] == EXPECTED[heading]


def test_line_numbers_are_the_files_own_after_a_preamble(tmp_path):
    rows = load_example(
        tmp_path, "A Spanish bank (a preamble, a decimal comma, the code after the number)"
    )
    assert [line for *_, line in rows] == [7, 8, 9]


def test_line_numbers_of_a_file_without_a_header_start_at_one(tmp_path):
    rows = load_example(tmp_path, "Wells Fargo (no header at all)")
    assert [line for *_, line in rows] == [1, 2, 3]


def test_a_pending_row_that_moved_the_balance_is_kept_and_a_memo_row_left_out(tmp_path):
    """PayPal's pending withdrawal left the balance (1,109.05 after it): kept, and the balance ties
    on every row; the authorization moved nothing ("Memo"): left out, not reported. Left out, the
    pending withdrawal would leave the next row's balance 1,000 short of the ledger's."""
    rows = load_example(tmp_path / "ok", "PayPal (a payment processor: gross, fee, net)")
    assert "Harbor Fuel" not in {counterparty for _, _, _, counterparty, *_ in rows}
    assert ("General Withdrawal", 7) in {(memo, line) for *_, memo, line in rows}
    # leaving the pending rows out instead breaks the balance after the withdrawal
    csv_text, toml = examples()["PayPal (a payment processor: gross, fee, net)"]
    toml = toml.replace('{ "Balance Impact" = ["Memo"] }', '{ "Status" = ["Pending"] }')
    with pytest.raises(SourceErrors) as caught:
        ledger(tmp_path / "pending", workspace_toml(toml), {"ledger/paypal.csv": csv_text})
    assert "ledger/paypal.csv:8: balance 1,224.56 is not the previous balance" in str(
        caught.value
    )


# ---- the options' edges, on a small signed-amount file

SOURCE = """\
[[sources.ledger]]
path = "ledger/bank.csv"
entity = "main"
{options}
[sources.ledger.columns]
date = "Date"
amount = "Amount"
memo = "Memo"
{columns}
"""


def small(tmp_path, text, options="", columns="", currency="USD", extra=""):
    toml = workspace_toml(SOURCE.format(options=options, columns=columns), currency, extra)
    return ledger(tmp_path, toml, {"ledger/bank.csv": text})


def problems(tmp_path, text, **kwargs) -> str:
    with pytest.raises((SourceErrors, WorkspaceError)) as caught:
        small(tmp_path, text, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize(
    "written, amount",
    [
        ("€1.234,56", "1234.56"),
        ("1.234,56 €", "1234.56"),
        ("EUR 1.234,56", "1234.56"),
        ("1.234,56 EUR", "1234.56"),
        ("12,50-", "-12.50"),
        ("- 12,50", "-12.50"),
        ("-€12,50", "-12.50"),
        ("€-12,50", "-12.50"),
        ("1 234,56", "1234.56"),
    ],
)
def test_symbols_codes_and_signs_before_or_after_the_number(tmp_path, written, amount):
    text = f'Date;Memo;Amount\n2026-10-05;x;"{written}"\n'
    rows = small(tmp_path, text, options='delimiter = ";"\ndecimal = ","', currency="EUR")
    assert rows[0][1] == amount


def test_a_code_other_than_the_rows_currency_is_a_problem(tmp_path):
    message = problems(tmp_path, "Date,Memo,Amount\n2026-10-05,x,12.00 EUR\n")
    assert 'ledger/bank.csv:2: amount "12.00 EUR" is in EUR, but this row is in USD' in message


RATES = "date,currency,rate\n2026-01-01,JPY,0.0067\n2026-01-01,KWD,3.25\n"


def test_a_currency_without_decimals_and_one_with_three(tmp_path):
    text = (
        "Date,Memo,Amount,Currency\n"
        '2026-10-05,tokyo,"¥150,000",JPY\n'
        "2026-10-06,kuwait,1.250 KWD,KWD\n"
    )
    toml = workspace_toml(
        SOURCE.format(options="", columns='currency = "Currency"'),
        extra='[sources.rates]\npath = "rates.csv"\n',
    )
    rows = ledger(tmp_path, toml, {"ledger/bank.csv": text, "rates.csv": RATES})
    # 150,000 × 0.0067 = 1,005.00; 1.250 × 3.25 = 4.0625, rounded once to 4.06
    assert [r[1] for r in rows] == ["1005.00", "4.06"]


@pytest.mark.parametrize(
    "currency, written, places",
    [("JPY", "150.5", 0), ("USD", "1.005", 2)],
)
def test_more_decimal_places_than_the_currency_has_is_a_problem(
    tmp_path, currency, written, places
):
    text = f"Date,Memo,Amount,Currency\n2026-10-05,x,{written},{currency}\n"
    toml = workspace_toml(
        SOURCE.format(options="", columns='currency = "Currency"'),
        extra='[sources.rates]\npath = "rates.csv"\n',
    )
    with pytest.raises(SourceErrors) as caught:
        ledger(tmp_path, toml, {"ledger/bank.csv": text, "rates.csv": RATES})
    message = str(caught.value)
    assert (
        f'ledger/bank.csv:2: amount "{written}" has more decimal places than {currency} has'
        f" ({places})"
        in message
    )


def test_an_organization_in_a_three_decimal_currency_is_refused(tmp_path):
    with pytest.raises(WorkspaceError, match="KWD has three decimal places"):
        small(tmp_path, "Date,Memo,Amount\n2026-10-05,x,1.000\n", currency="KWD")


def test_a_direction_value_that_is_neither_is_named_with_its_line(tmp_path):
    text = "Date,Memo,Amount,Way\n2026-10-05,x,10.00,CR\n2026-10-06,y,5.00,REV\n"
    message = problems(
        tmp_path,
        text,
        options='[sources.ledger.direction]\nin = ["CR"]\nout = ["DR"]',
        columns='direction = "Way"',
    )
    assert 'ledger/bank.csv:3: direction "REV" is neither in (cr) nor out (dr)' in message


def test_direction_values_are_compared_without_case_and_the_amounts_sign_is_ignored(tmp_path):
    text = "Date,Memo,Amount,Way\n2026-10-05,x,-10.00,cr\n2026-10-06,y,5.00, Dr \n"
    rows = small(
        tmp_path,
        text,
        options='[sources.ledger.direction]\nin = ["CR"]\nout = ["DR"]',
        columns='direction = "Way"',
    )
    assert [r[1] for r in rows] == ["10.00", "-5.00"]


def test_a_direction_column_without_its_values_is_refused(tmp_path):
    with pytest.raises(WorkspaceError, match=r"direction = \{ in = \[\"CR\"\]"):
        small(
            tmp_path, "Date,Memo,Amount,Way\n2026-10-05,x,10.00,CR\n", columns='direction = "Way"'
        )


def test_a_value_in_both_directions_is_refused(tmp_path):
    with pytest.raises(WorkspaceError, match="cr: in both in and out"):
        small(
            tmp_path,
            "Date,Memo,Amount,Way\n2026-10-05,x,10.00,CR\n",
            options='[sources.ledger.direction]\nin = ["CR"]\nout = ["cr"]',
            columns='direction = "Way"',
        )


DEBIT_CREDIT = """\
[[sources.ledger]]
path = "ledger/bank.csv"
entity = "main"
{options}
[sources.ledger.columns]
date = "Date"
debit = "Money Out"
credit = "Money In"
memo = "Memo"
"""


def test_a_negative_money_out_column(tmp_path):
    text = "Date,Memo,Money Out,Money In\n2026-10-05,rent,-900.00,\n2026-10-06,sale,,1200.00\n"
    toml = workspace_toml(DEBIT_CREDIT.format(options='debit_sign = "negative"'))
    rows = ledger(tmp_path, toml, {"ledger/bank.csv": text})
    assert [r[1] for r in rows] == ["-900.00", "1200.00"]


@pytest.mark.parametrize(
    "options, money_out, said",
    [
        ("", "-900.00", 'is negative, and debit_sign = "positive": set debit_sign = "negative"'),
        ('debit_sign = "negative"', "900.00", 'is positive, and debit_sign = "negative"'),
    ],
)
def test_a_money_out_value_of_the_other_sign_says_which_setting_fits(
    tmp_path, options, money_out, said
):
    text = f"Date,Memo,Money Out,Money In\n2026-10-05,rent,{money_out},\n"
    toml = workspace_toml(DEBIT_CREDIT.format(options=options))
    with pytest.raises(SourceErrors) as caught:
        ledger(tmp_path, toml, {"ledger/bank.csv": text})
    assert f'ledger/bank.csv:2: debit "{money_out}" {said}' in str(caught.value)


def test_a_negative_credit_is_a_problem(tmp_path):
    text = "Date,Memo,Money Out,Money In\n2026-10-05,refund,,-20.00\n"
    with pytest.raises(SourceErrors, match=r'bank.csv:2: credit "-20.00" is negative'):
        ledger(tmp_path, workspace_toml(DEBIT_CREDIT.format(options="")), {"ledger/bank.csv": text})


def test_a_positive_fee_column_and_a_negative_one_book_the_same_expense(tmp_path):
    columns = 'fee = "Fee"\nnet = "Net"'
    positive = small(
        tmp_path / "a",
        "Date,Memo,Amount,Fee,Net\n2026-10-05,x,100.00,3.20,96.80\n",
        columns=columns,
    )
    negative = small(
        tmp_path / "b",
        "Date,Memo,Amount,Fee,Net\n2026-10-05,x,100.00,-3.20,96.80\n",
        options='fee_sign = "negative"',
        columns=columns,
    )
    assert [r[1] for r in positive] == [r[1] for r in negative] == ["100.00", "-3.20"]


def test_a_preamble_longer_than_the_file_is_refused(tmp_path):
    with pytest.raises(WorkspaceError, match=r"skip_lines = 9, but the file has only 2 lines"):
        small(tmp_path, "Date,Memo,Amount\n2026-10-05,x,1.00\n", options="skip_lines = 9")


def test_a_headerless_file_with_fewer_columns_than_mapped_is_refused(tmp_path):
    toml = workspace_toml(
        '[[sources.ledger]]\npath = "ledger/bank.csv"\nentity = "main"\nheader = false\n'
        '[sources.ledger.columns]\ndate = "c1"\namount = "c2"\nmemo = "c7"\n'
    )
    with pytest.raises(WorkspaceError) as caught:
        ledger(tmp_path, toml, {"ledger/bank.csv": "2026-10-05,1.00,x\n"})
    assert "ledger/bank.csv:1: the rows have 3 columns (c1 to c3)" in str(caught.value)
    assert "'c7'" in str(caught.value)


def test_a_headerless_file_with_header_names_is_refused(tmp_path):
    toml = workspace_toml(
        '[[sources.ledger]]\npath = "ledger/bank.csv"\nentity = "main"\nheader = false\n'
        '[sources.ledger.columns]\ndate = "Date"\namount = "c2"\n'
    )
    with pytest.raises(WorkspaceError, match=r"name columns by position .* not 'Date'"):
        ledger(tmp_path, toml, {"ledger/bank.csv": "2026-10-05,1.00\n"})


def test_skip_if_naming_a_column_the_file_lacks_is_refused(tmp_path):
    with pytest.raises(WorkspaceError, match=r"bank.csv:1: skip_if names 'Status'"):
        small(
            tmp_path,
            "Date,Memo,Amount\n2026-10-05,x,1.00\n",
            options='skip_if = { "Status" = ["x"] }',
        )


def test_quoted_newlines_mixed_endings_and_a_preamble_keep_every_line_right(tmp_path):
    text = (
        b"Export of account 1234\r\n"
        b"\r"
        b"Date,Memo,Amount\n"
        b'2026-10-05,"two\r\nlines",1.00\r\n'
        b"2026-10-06,fine,2.00\r"
        b"2026-10-07,bad,x\n"
    )
    message = problems(tmp_path, text, options="skip_lines = 2")
    assert 'ledger/bank.csv:7: amount "x" is not a number' in message


def test_the_same_file_good_reads_its_lines(tmp_path):
    text = (
        b"Export of account 1234\r\n"
        b"\r"
        b"Date,Memo,Amount\n"
        b'2026-10-05,"two\r\nlines",1.00\r\n'
        b"2026-10-06,fine,2.00\r"
        b"2026-10-07,last,3.00\n"
    )
    rows = small(tmp_path, text, options="skip_lines = 2")
    assert [(r[1], r[5]) for r in rows] == [("1.00", 4), ("2.00", 6), ("3.00", 7)]


def test_a_category_that_already_has_a_type_keeps_it(tmp_path):
    text = (
        "Date,Memo,Amount,Category\n2026-10-05,x,-5.00,Assets :"
        " Savings\n2026-10-06,y,7.00,Refunds\n"
    )
    rows = small(
        tmp_path,
        text,
        options='category_prefix = ["Income", "Expenses"]',
        columns='account = "Category"',
    )
    assert [r[2] for r in rows] == ["Assets:Savings", "Income:Refunds"]
