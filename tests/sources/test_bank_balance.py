"""Reconciliation to the bank (issue 22): each row's running balance, statement balances, the
opening balance the bank's figures imply, and the Accounting report's tie-out."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardpack.config import load_workspace
from boardpack.errors import SourceErrors, WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT
from tests.sources.test_exports import EXPECTED, examples, workspace_toml

# the layouts with a figure of the bank's: a balance column, or statement balances
WITH_BALANCES = [
    h for h in EXPECTED if re.search(r"^(balance|statement_balances) =", examples()[h][1], re.M)
]
STARLING = "Starling Bank (a UK app bank)"
CHASE = "Chase (a US bank, newest row first)"


def build(tmp_path, heading, csv_text=None, toml_extra="", source_extra="", currency=None):
    text, toml = examples()[heading]
    toml = toml.replace("[sources.ledger.columns]", source_extra + "[sources.ledger.columns]")
    path = toml.split('path = "')[1].split('"')[0]
    source_currency = toml.split("[sources.ledger.columns]")[0]
    found = [
        line.split('"')[1] for line in source_currency.splitlines() if line.startswith("currency")
    ]
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(csv_text or text, encoding="utf-8", newline="")
    (tmp_path / "boardpack.toml").write_text(
        workspace_toml(toml, currency or (found[0] if found else "USD"), toml_extra),
        encoding="utf-8",
    )
    return build_pack(load_workspace(tmp_path, environ={}), AS_OF, generated_at=GENERATED_AT)


@pytest.mark.parametrize("heading", WITH_BALANCES)
def test_every_published_layout_with_a_balance_ties_out_to_the_cent(tmp_path, heading):
    pack = build(tmp_path, heading)
    (tie,) = pack.portfolio.tie_outs
    assert tie.bank is not None and tie.difference == 0, tie


def test_the_tie_out_is_the_banks_last_balance_and_the_opening_is_the_banks(tmp_path):
    pack = build(tmp_path, STARLING)
    (tie,) = pack.portfolio.tie_outs
    assert (tie.date, tie.ledger, tie.bank, tie.evidence) == (
        date(2026, 10, 15),
        Decimal("5430.60"),
        Decimal("5430.60"),
        "balance column",
    )
    # the first row: balance 6,500.00 after 1,500.00 in, so the account opened at 5,000.00
    assert pack.portfolio.opening_cash == Decimal("5000.00")
    assert pack.results.metrics["finance.cash_balance"].value == Decimal("5430.60")


def test_a_newest_first_file_is_checked_in_date_order(tmp_path):
    (tie,) = build(tmp_path, CHASE).portfolio.tie_outs
    assert (tie.date, tie.bank, tie.difference) == (date(2026, 10, 28), Decimal("12403.60"), 0)


def test_a_balance_that_does_not_follow_names_the_line_where_it_breaks(tmp_path):
    text = examples()[STARLING][0].replace("-850.00,5437.60", "-850.00,5473.60")
    with pytest.raises(SourceErrors) as caught:
        build(tmp_path, STARLING, text)
    message = str(caught.value)
    assert (
        "ledger/starling.csv:4: balance 5,473.60 is not the previous balance plus this row"
        " (5,437.60), off by 36.00" in message
    )
    # the next row follows the wrong figure, so the break is named once, where it is
    assert "starling.csv:5:" in message  # ...and where the bank's figures come back
    assert message.count("is not the previous balance") == 2


def test_a_missing_row_is_one_break(tmp_path):
    lines = examples()[STARLING][0].splitlines(keepends=True)
    text = "".join(lines[:3] + lines[4:])  # the berth fee's row is not in the export
    with pytest.raises(SourceErrors) as caught:
        build(tmp_path, STARLING, text)
    assert str(caught.value).count("is not the previous balance") == 1
    assert "starling.csv:4: balance 5,430.60" in str(caught.value)
    assert "off by -850.00" in str(caught.value)


def test_inverted_signs_are_said_to_be_inverted(tmp_path):
    text, _ = examples()[CHASE]
    flipped = text.replace("-96.40", "96.40").replace("3200.00,", "-3200.00,")
    flipped = flipped.replace("-700.00", "700.00")
    with pytest.raises(SourceErrors) as caught:
        build(tmp_path, CHASE, flipped)
    assert (
        "amounts look inverted: the balance moves opposite to the amount on 2 of 2 rows; set"
        ' sign = "inverted"' in str(caught.value)
    )


def test_on_error_skip_builds_and_the_tie_out_shows_the_difference(tmp_path):
    lines = examples()[STARLING][0].splitlines(keepends=True)
    text = "".join(lines[:3] + lines[4:])
    pack = build(tmp_path, STARLING, text, source_extra='on_error = "skip"\n')
    (tie,) = pack.portfolio.tie_outs
    assert tie.difference == Decimal("850.00")
    assert any(f.area == "reconciliation" for f in pack.results.findings)
    section = next(
        s
        for d in pack.documents
        if d.id == "accounting"
        for s in d.sections
        if s.id == "accounting.tie_out"
    )
    assert "findings" in [block.type for block in section.blocks]


STATEMENT = 'statement_balances = [{{ date = "{day}", balance = "{balance}" }}]\n'


def test_a_statement_balance_that_agrees_is_a_row_of_the_tie_out(tmp_path):
    pack = build(
        tmp_path, STARLING, source_extra=STATEMENT.format(day="2026-10-10", balance="5437.60")
    )
    ties = {(t.date, t.evidence): t.difference for t in pack.portfolio.tie_outs}
    assert ties == {(date(2026, 10, 10), "statement"): 0, (date(2026, 10, 15), "balance column"): 0}


def test_a_statement_balance_that_disagrees_is_named(tmp_path):
    with pytest.raises(SourceErrors) as caught:
        build(
            tmp_path, STARLING, source_extra=STATEMENT.format(day="2026-10-10", balance="5500.00")
        )
    assert (
        "statement balance on 2026-10-10: the bank says 5,500.00, the ledger 5,437.60 (off by"
        " -62.40)" in str(caught.value)
    )


def test_statement_balances_without_a_balance_column_start_from_opening_balance(tmp_path):
    heading = "Wells Fargo (no header at all)"
    extra = 'opening_balance = "1000.00"\n' + STATEMENT.format(day="2026-10-31", balance="960.88")
    (tie,) = build(tmp_path, heading, source_extra=extra).portfolio.tie_outs
    # 1,000.00 + 1,250.00 - 89.12 - 1,200.00 = 960.88
    assert (tie.date, tie.ledger, tie.bank, tie.difference) == (
        date(2026, 10, 31),
        Decimal("960.88"),
        Decimal("960.88"),
        0,
    )


def test_an_opening_balance_that_disagrees_with_the_banks_is_named(tmp_path):
    with pytest.raises(SourceErrors, match=r"imply an opening balance of 5,000.00, but"):
        build(tmp_path, STARLING, source_extra='opening_balance = "4000.00"\n')


def test_without_a_balance_the_tie_out_says_so(tmp_path):
    (tie,) = build(tmp_path, "Wells Fargo (no header at all)").portfolio.tie_outs
    assert (tie.bank, tie.evidence) == (None, "no balance in the export")


def test_statement_balances_need_one_account(tmp_path):
    toml = workspace_toml(
        '[[sources.ledger]]\npath = "ledger/bank.csv"\nentity_column = "Entity"\n'
        + STATEMENT.format(day="2026-10-10", balance="1.00")
        + '[sources.ledger.columns]\ndate = "Date"\namount = "Amount"\n'
    )
    (tmp_path / "boardpack.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(WorkspaceError, match="statement_balances belong to one bank account"):
        load_workspace(tmp_path, environ={})


# ---- property: any transactions, written in any supported layout, read back the same and tie out

AMOUNTS = st.decimals(
    min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2
).filter(lambda d: d != 0)


def written(value: Decimal, decimal: str) -> str:
    text = f"{abs(value):,.2f}"
    if decimal == ",":
        text = text.replace(",", " ").replace(".", ",")
    return text


def signed(value: Decimal, decimal: str) -> str:
    return ("-" if value < 0 else "") + written(value, decimal)


LAYOUTS = {
    # name -> (source keys, columns, header or None, row(date, amount, balance, decimal) -> cells)
    "signed": (
        "",
        'amount = "Amount"\nbalance = "Balance"',
        "Date;Memo;Amount;Balance",
        lambda d, a, b, m: [d, "x", signed(a, m), signed(b, m)],
    ),
    "signed, code after, trailing minus": (
        "",
        'amount = "Amount"\nbalance = "Balance"',
        "Date;Memo;Amount;Balance",
        lambda d, a, b, m: [
            d,
            "x",
            written(a, m) + ("-" if a < 0 else "") + " USD",
            signed(b, m),
        ],
    ),
    "debit and credit": (
        "",
        'debit = "Out"\ncredit = "In"\nbalance = "Balance"',
        "Date;Memo;Out;In;Balance",
        lambda d, a, b, m: [
            d,
            "x",
            written(a, m) if a < 0 else "",
            written(a, m) if a > 0 else "",
            signed(b, m),
        ],
    ),
    "negative money out": (
        'debit_sign = "negative"\n',
        'debit = "Out"\ncredit = "In"\nbalance = "Balance"',
        "Date;Memo;Out;In;Balance",
        lambda d, a, b, m: [
            d,
            "x",
            "-" + written(a, m) if a < 0 else "",
            written(a, m) if a > 0 else "",
            signed(b, m),
        ],
    ),
    "direction": (
        '[sources.ledger.direction]\nin = ["CR"]\nout = ["DR"]\n',
        'amount = "Amount"\ndirection = "Way"\nbalance = "Balance"',
        "Date;Memo;Way;Amount;Balance",
        lambda d, a, b, m: [
            d,
            "x",
            "CR" if a > 0 else "DR",
            "$" + written(a, m),
            signed(b, m),
        ],
    ),
    "no header": (
        "header = false\n",
        'amount = "c3"\nbalance = "c4"',
        None,
        lambda d, a, b, m: [d, "x", signed(a, m), signed(b, m)],
    ),
}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(AMOUNTS, min_size=1, max_size=12),
    opening=st.decimals(min_value=Decimal("0"), max_value=Decimal("500000"), places=2),
    layout=st.sampled_from(sorted(LAYOUTS)),
    decimal=st.sampled_from([".", ","]),
    preamble=st.integers(min_value=0, max_value=3),
    newest_first=st.booleans(),
)
def test_any_transactions_in_any_layout_read_back_the_same_and_tie_out(
    tmp_path_factory, amounts, opening, layout, decimal, preamble, newest_first
):
    source_keys, columns, header, row = LAYOUTS[layout]
    if layout == "no header":
        preamble = 0  # a file without a header has no title above it either
    balance, rows = opening, []
    for n, amount in enumerate(amounts):
        balance += amount
        day = f"2026-10-{n + 1:02d}"
        rows.append(";".join(row(day, amount, balance, decimal)))
    if newest_first:
        rows.reverse()
    lines = [f"Export {n}" for n in range(preamble)] + ([header] if header else []) + rows
    root = tmp_path_factory.mktemp("layout")
    (root / "ledger").mkdir()
    (root / "ledger" / "bank.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    columns = columns if header else columns + '\ndate = "c1"'
    toml = workspace_toml(
        '[[sources.ledger]]\npath = "ledger/bank.csv"\nentity = "main"\ndelimiter = ";"\n'
        f'decimal = "{decimal}"\nskip_lines = {preamble}\n{source_keys}'
        f"[sources.ledger.columns]\n{columns}\n" + ('date = "Date"\n' if header else "")
    )
    (root / "boardpack.toml").write_text(toml, encoding="utf-8")
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    read = pack.portfolio.db.execute("SELECT amount FROM ledger ORDER BY date").fetchall()
    assert [r[0] for r in read] == amounts
    (tie,) = pack.portfolio.tie_outs
    assert (tie.ledger, tie.bank) == (balance, balance)
    assert pack.portfolio.opening_cash == opening


def test_statement_balances_from_a_csv_file(tmp_path):
    (tmp_path / "statements.csv").write_text(
        "date,balance\n2026-10-10,5437.60\n2026-10-15,5430.60\n", encoding="utf-8"
    )
    pack = build(tmp_path, STARLING, source_extra='statement_balances = "statements.csv"\n')
    assert sorted((t.date.day, t.evidence, t.difference) for t in pack.portfolio.tie_outs) == [
        (10, "statement", 0),
        (15, "statement", 0),
    ]


@pytest.mark.parametrize(
    "csv_text, said",
    [
        ("date,balance\n2026-10-10,5400.00\n", "statement balance on 2026-10-10: the bank says"),
        ("date,balance\n2026-10-10,54x\n", "statements.csv:2: balance '54x' is not a number"),
        ("date,balance\n10/10/2026,5437.60\n", "statements.csv:2: date '10/10/2026' is not a date"),
    ],
)
def test_a_statement_file_that_disagrees_or_cannot_be_read_is_named(tmp_path, csv_text, said):
    (tmp_path / "statements.csv").write_text(csv_text, encoding="utf-8")
    with pytest.raises((SourceErrors, WorkspaceError)) as caught:
        build(tmp_path, STARLING, source_extra='statement_balances = "statements.csv"\n')
    assert said in str(caught.value)
