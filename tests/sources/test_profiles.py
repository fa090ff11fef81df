"""Import profiles for common export shapes, processor fees, units sold, and the rules file with its
report."""

from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, write_workspace

D = Decimal
COLUMNS = '''[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
memo = "Memo"'''


def with_source(source: str) -> str:
    """TOML with the test ledger source replaced by `source`."""
    return TOML.replace(
        'opening_balance = "10000.00"\n' + COLUMNS, 'opening_balance = "10000.00"\n' + source
    )


def build(tmp_path, toml, ledger, **files):
    files["ledger/bank.csv"] = ledger
    return build_pack(
        load_workspace(write_workspace(tmp_path, toml, files), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )


def rows(pack):
    return pack.portfolio.db.execute(
        "SELECT date::VARCHAR, account, amount, memo, source_line, quantity FROM ledger "
        "ORDER BY source_line, amount DESC"
    ).fetchall()


def test_debit_credit_profile_needs_no_column_mapping(tmp_path):
    pack = build(
        tmp_path,
        with_source('profile = "debit-credit"'),
        "Date,Description,Debit,Credit\n2026-10-02,rent,1500.00,\n2026-10-03,client,,2000.00\n",
    )
    assert rows(pack) == [
        ("2026-10-02", None, D("-1500.00"), "rent", 2, None),
        ("2026-10-03", None, D("2000.00"), "client", 3, None),
    ]


def test_transaction_detail_profile_us_dates_and_debits_positive(tmp_path):
    pack = build(
        tmp_path,
        with_source('profile = "transaction-detail"'),
        "Date,Transaction Type,Num,Name,Memo/Description,Account,Amount\n"
        "10/04/2026,Expense,101,Fuel Co,diesel,Expenses:Fuel,250.00\n"
        "10/05/2026,Invoice,102,Guest,charter,Income:Charters,-1800.00\n",
    )
    assert rows(pack) == [
        ("2026-10-04", "Expenses:Fuel", D("-250.00"), "diesel", 2, None),
        ("2026-10-05", "Income:Charters", D("1800.00"), "charter", 3, None),
    ]


PROCESSOR = """\
id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description
txn_1,charge,ch_1,100.00,3.20,96.80,usd,2026-10-05 14:02,2026-10-07 00:00,Charter deposit
txn_2,refund,re_1,-20.00,0.00,-20.00,usd,2026-10-06 09:30,2026-10-08 00:00,Refund
"""


def test_processor_profile_books_gross_income_and_the_fee_as_its_own_expense(tmp_path):
    source = (
        'profile = "processor-balance"\n[[rules]]\npattern = "deposit|refund"\naccount ='
        ' "Income:Charters"\n'
    )
    pack = build(tmp_path, with_source(source), PROCESSOR)
    assert rows(pack) == [
        ("2026-10-05", "Income:Charters", D("100.00"), "Charter deposit", 2, None),
        ("2026-10-05", "Expenses:Payment Processing", D("-3.20"), "Charter deposit", 2, None),
        ("2026-10-06", "Income:Charters", D("-20.00"), "Refund", 3, None),
    ]
    # cash moved by the net: 96.80 - 20.00
    assert pack.portfolio.db.execute("SELECT sum(amount) FROM ledger").fetchall()[0][0] == D(
        "76.80"
    )


def test_a_processor_row_whose_gross_less_fee_is_not_net_is_named(tmp_path):
    bad = PROCESSOR.replace("100.00,3.20,96.80", "100.00,3.20,97.80")
    with pytest.raises(
        WorkspaceError, match=r"ledger/bank.csv:2: gross 100.00 - fee 3.20 is not net 97.80"
    ):
        build(tmp_path, with_source('profile = "processor-balance"'), bad)


def test_a_header_that_does_not_match_the_profile_lists_found_and_expected(tmp_path):
    with pytest.raises(WorkspaceError) as err:
        build(
            tmp_path,
            with_source('profile = "debit-credit"'),
            "Date,Memo,Out,In\n2026-10-02,rent,1500.00,\n",
        )
    message = str(err.value)
    assert "ledger/bank.csv:1: columns 'Debit', 'Credit', 'Description' not found" in message
    assert "the file has 'Date', 'Memo', 'Out', 'In'" in message
    assert "the profile 'debit-credit' expects 'Date', 'Debit', 'Credit', 'Description'" in message


def test_a_profile_column_can_be_renamed(tmp_path):
    pack = build(
        tmp_path,
        with_source('profile = "debit-credit"\ncolumns = { debit = "Out", credit = "In" }'),
        "Date,Description,Out,In\n2026-10-02,rent,1500.00,\n",
    )
    assert rows(pack)[0][2] == D("-1500.00")


def test_units_sold_come_from_a_quantity_column(tmp_path):
    pack = build(
        tmp_path,
        with_source(COLUMNS + '\nquantity = "Hours"'),
        "Date,Payee,Memo,Amount,Account,Hours\n2026-10-05,A,work,1200.00,Income:Consulting,8\n"
        "2026-10-06,B,work,300.00,Income:Consulting,x\n".replace(",x\n", ",2.5\n"),
    )
    assert [r[5] for r in rows(pack)] == [D("8"), D("2.5")]
    with pytest.raises(WorkspaceError, match=r'bank.csv:2: quantity "eight" is not a number'):
        build(
            tmp_path / "bad",
            with_source(COLUMNS + '\nquantity = "Hours"'),
            "Date,Payee,Memo,Amount,Account,Hours\n2026-10-05,A,work,1200.00,Income:Consulting,eight\n",
        )


RULES = """\
pattern,account,field
fuel|diesel,Expenses:Fuel,memo
^acme,Income:Sales,counterparty
never matches anything,Expenses:Other,
"""


def test_rules_file_categorizes_and_reports_which_rules_fired(tmp_path):
    toml = with_source(COLUMNS) + '\n[sources.rules]\npath = "rules.csv"\n'
    ledger = (
        "Date,Payee,Memo,Amount,Account\n2026-10-02,Shell,Diesel"
        " 40l,-80.00,\n2026-10-03,Shell,fuel,-20.00,\n2026-10-04,Acme Inc,invoice"
        " 7,500.00,\n2026-10-05,Someone,???,-5.00,\n2026-09-05,Shell,fuel,-9.00,\n"
    )
    pack = build(tmp_path, toml, ledger, **{"rules.csv": RULES})
    table = pack.results.tables["accounting.rules_fired"]
    fired = {r["rule"]: (r["account"], r["period"], r["amount"], r["ever"]) for r in table.rows}
    assert fired == {
        "rules.csv:2": ("Expenses:Fuel", 2, D("-100.00"), 3),
        "rules.csv:3": ("Income:Sales", 1, D("500.00"), 1),
        "rules.csv:4": ("Expenses:Other", 0, D("0.00"), 0),
    }
    assert (
        table.note
        == "1 rows of October 2026 matched no rule and have no account; never fired: rules.csv:4"
    )


@pytest.mark.parametrize(
    "rules, expected",
    [
        (
            "pattern,account\n(?<=x)y,Expenses:Other\n",
            "rules.csv:2: pattern '(?<=x)y' is not a valid RE2",
        ),
        (
            "pattern,account\n(unclosed,Expenses:Other\n",
            "rules.csv:2: pattern '(unclosed' is not a valid RE2",
        ),
        (
            "pattern,account,field\nfuel,Expenses:Fuel,payee\n",
            "rules.csv:2: field 'payee' is not one of",
        ),
        ("pattern,account\nfuel,\n", "rules.csv:2: pattern and account are both required"),
        (
            "regex,target\nfuel,Expenses:Fuel\n",
            "rules.csv:1: the header is regex, target; expected pattern, account",
        ),
    ],
)
def test_a_bad_rules_file_names_its_line(tmp_path, rules, expected):
    toml = with_source(COLUMNS) + '\n[sources.rules]\npath = "rules.csv"\n'
    with pytest.raises(WorkspaceError) as err:
        build(
            tmp_path,
            toml,
            "Date,Payee,Memo,Amount,Account\n2026-10-02,A,b,1.00,\n",
            **{"rules.csv": rules},
        )
    assert expected in str(err.value)


def test_unknown_profile_and_unknown_encoding_are_config_errors(tmp_path):
    for source, expected in (
        ('profile = "bankx"', "profile: Input should be 'signed'"),
        (
            COLUMNS.replace(
                "[sources.ledger.columns]", 'encoding = "klingon"\n[sources.ledger.columns]'
            ),
            "unknown encoding 'klingon'",
        ),
    ):
        with pytest.raises(WorkspaceError, match=expected):
            load_workspace(write_workspace(tmp_path / source[:5], with_source(source)), environ={})


def test_a_source_shape_that_does_not_fit_its_format_is_a_config_error(tmp_path):
    cases = (
        ('format = "beancount"\n' + COLUMNS, "a beancount source has no columns"),
        ('format = "beancount"\nencoding = "cp1252"', "beancount reads UTF-8 only"),
        (
            "entity_account_component = 2\n" + COLUMNS,
            "entity_account_component is for beancount sources",
        ),
        ('sign = "inverted"', "give columns = { date"),
    )
    for i, (source, expected) in enumerate(cases):
        with pytest.raises(WorkspaceError, match=expected):
            load_workspace(write_workspace(tmp_path / str(i), with_source(source)), environ={})
