"""The CSV ledger: column mapping, notations, encodings, rules, and bad rows reported as file:line.
"""

from decimal import Decimal

import pytest

from boardpack.config import load_workspace
from boardpack.errors import SourceErrors, WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, run_cli, write_workspace

DEBIT_CREDIT_TOML = TOML.replace(
    '''[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Account"
counterparty = "Payee"
memo = "Memo"''',
    '''delimiter = ";"
decimal = ","
encoding = "cp1252"
[sources.ledger.columns]
date = "Buchung"
debit = "Soll"
credit = "Haben"
counterparty = "Empfänger"
memo = "Zweck"
date_format = "%d.%m.%Y"''',
)


def ledger_rows(tmp_path, toml=TOML, ledger=None, **files):
    if ledger is not None:
        files["ledger/bank.csv"] = ledger
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, toml, files), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    return pack.portfolio.db.execute(
        "SELECT date::VARCHAR, amount, account, counterparty, memo, source_line FROM ledger ORDER"
        " BY source_line"
    ).fetchall()


def test_signed_amounts_keep_file_and_line(tmp_path):
    rows = ledger_rows(tmp_path)
    assert rows[0] == ("2026-07-15", Decimal("1000.00"), "Income:Sales", "Acme", "July sale", 2)
    assert len(rows) == 13


def test_debit_credit_decimal_comma_semicolons_and_cp1252(tmp_path):
    text = (
        "Buchung;Empfänger;Zweck;Soll;Haben\n"
        "05.10.2026;Café Müller;Miete;1.234,56;\n"
        "06.10.2026;Kunde;Zahlung;;2.000,00\n"
    )
    rows = ledger_rows(tmp_path, DEBIT_CREDIT_TOML, text.encode("cp1252"))
    assert rows == [
        ("2026-10-05", Decimal("-1234.56"), None, "Café Müller", "Miete", 2),
        ("2026-10-06", Decimal("2000.00"), None, "Kunde", "Zahlung", 3),
    ]


@pytest.mark.parametrize(
    "written, expected",
    [
        ("1,234.50", "1234.50"),
        ("(75.00)", "-75.00"),
        ("$ 12.5", "12.50"),
        ("-0.01", "-0.01"),
        ("+3", "3.00"),
    ],
)
def test_amount_notations(tmp_path, written, expected):
    ledger = f'Date,Payee,Memo,Amount,Account\n2026-10-05,X,y,"{written}",Income:Sales\n'
    assert ledger_rows(tmp_path, ledger=ledger)[0][1] == Decimal(expected)


def test_utf8_with_bom_and_inverted_sign(tmp_path):
    toml = TOML.replace(
        'entity = "co"\nopening_balance', 'entity = "co"\nsign = "inverted"\nopening_balance'
    )
    ledger = "\ufeffDate,Payee,Memo,Amount,Account\n2026-10-05,Card,Coffee,4.50,Expenses:Meals\n"
    assert ledger_rows(tmp_path, toml, ledger)[0][:3] == (
        "2026-10-05",
        Decimal("-4.50"),
        "Expenses:Meals",
    )


def test_categorization_rules_fill_only_rows_without_an_account(tmp_path):
    toml = TOML.replace(
        "[finance]",
        '[[rules]]\npattern = "mystery"\naccount = "Expenses:Other"\nfield = "counterparty"\n\n'
        '[[rules]]\npattern = "sale"\naccount = "Income:Wrong"\n\n[finance]',
    )
    rows = {r[5]: r[2] for r in ledger_rows(tmp_path, toml)}
    assert rows[13] == "Expenses:Other"  # matched case-insensitively on the counterparty
    assert rows[2] == "Income:Sales"  # had an account: the "sale" rule does not override it


OVERRIDING = (
    "Date,Payee,Memo,Amount,Account\n"
    "2026-10-05,Acme,sale,100.00,Income:Sales\n"
    "2026-10-06,Own savings,Transfer to savings,-1000.00,Expenses:Transfers\n"
    "2026-10-07,Supplier,Refund of order 12,40.00,Income:Refunds\n"
    "2026-10-08,Mystery,no account,-5.00,\n"
)


def test_an_overriding_rule_sets_the_account_of_rows_that_have_one(tmp_path):
    """A bank's category is not always the books' account: a transfer to savings the export calls
    an expense is money moved to an asset; a supplier's refund is less expense, not income. Only
    `override = true` rules touch a row that has an account; the first that matches wins."""
    toml = TOML.replace(
        "[finance]",
        '[[rules]]\npattern = "transfer to savings"\naccount = "Assets:Savings"\noverride = true\n'
        '\n[[rules]]\npattern = "^refund"\naccount = "Expenses:Supplies"\nfield = "memo"\n'
        "override = true\n\n"
        '[[rules]]\npattern = "sale"\naccount = "Income:Wrong"\n\n'
        '[[rules]]\npattern = "mystery"\naccount = "Expenses:Other"\n\n[finance]',
    )
    rows = {r[4]: r[2] for r in ledger_rows(tmp_path, toml, OVERRIDING)}
    assert rows["Transfer to savings"] == "Assets:Savings"
    assert rows["Refund of order 12"] == "Expenses:Supplies"
    assert rows["sale"] == "Income:Sales"  # a rule without override leaves a written account
    assert rows["no account"] == "Expenses:Other"  # and still fills a row without one


def test_two_overriding_rules_that_claim_one_row_are_a_warning(tmp_path):
    toml = TOML.replace(
        "[finance]",
        '[[rules]]\npattern = "savings"\naccount = "Assets:Savings"\noverride = true\n\n'
        '[[rules]]\npattern = "transfer"\naccount = "Assets:Reserve"\noverride = true\n'
        "\n[finance]",
    )
    root = write_workspace(tmp_path, toml, {"ledger/bank.csv": OVERRIDING})
    rows = {r[4]: r[2] for r in ledger_rows(tmp_path / "again", toml, OVERRIDING)}
    assert rows["Transfer to savings"] == "Assets:Savings"  # the first wins
    done = run_cli("check", "-w", str(root), "--as-of", "2026-11-15")
    said = " ".join(done.stderr.split())
    assert "warning: 1 ledger row matches two overriding rules, boardpack.toml:" in said
    assert "(Assets:Savings) and boardpack.toml:" in said and "the first wins" in said


def test_a_category_maps_to_an_account_of_any_kind_and_a_row_without_one_to_its_default(
    tmp_path,
):
    """`[sources.ledger.categories]`: the export's own category names (compared without case) to
    the books' accounts — a transfer to an asset, a refund to the expense it refunds; a row with
    no category that no rule names takes `default_income` or `default_expense` by its sign."""
    toml = TOML.replace(
        'opening_balance = "10000.00"',
        'opening_balance = "10000.00"\ndefault_income = "Income:Other"\n'
        'default_expense = "Expenses:Uncategorized"',
    ).replace(
        "[sources.notes]",
        '[sources.ledger.categories]\n"expenses:transfers" = "Assets:Savings"\n'
        '"Income:Refunds" = "Expenses:Supplies"\n\n[sources.notes]',
    )
    ledger = OVERRIDING + "2026-10-09,Someone,gift,25.00,\n"
    rows = {r[4]: r[2] for r in ledger_rows(tmp_path, toml, ledger)}
    assert rows["Transfer to savings"] == "Assets:Savings"
    assert rows["Refund of order 12"] == "Expenses:Supplies"
    assert rows["sale"] == "Income:Sales"  # not mapped: as written
    assert rows["no account"] == "Expenses:Uncategorized"
    assert rows["gift"] == "Income:Other"


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        (
            '[sources.ledger.categories]\n"Transfers" = "Savings"\n',
            "sources.ledger[0].categories.'Transfers' = 'Savings': an account is one of Assets,"
            " Liabilities, Equity, Income, Expenses and a name below it (Assets:Savings)",
        ),
        (
            '[sources.ledger.categories]\n"Transfers" = "Asset:Savings"\n',
            "sources.ledger[0].categories.'Transfers' = 'Asset:Savings': an account is one of",
        ),
    ],
)
def test_a_category_mapped_to_an_account_of_no_known_kind_is_refused(tmp_path, setting, said):
    toml = TOML.replace("[sources.notes]", setting + "\n[sources.notes]")
    root = write_workspace(tmp_path, toml)
    done = run_cli("send", "-w", str(root), "--as-of", "2026-11-15")
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
    assert not (root / "outbox").exists()


def bad(tmp_path, ledger, toml=TOML, **files) -> str:
    with pytest.raises(WorkspaceError) as caught:
        ledger_rows(tmp_path, toml, ledger, **files)
    return str(caught.value)


def test_bad_date_and_amount_are_reported_with_file_and_line(tmp_path):
    message = bad(
        tmp_path,
        "Date,Payee,Memo,Amount,Account\n"
        "2026-10-05,A,ok,10.00,Income:Sales\n"
        "2026-02-30,B,no such day,10.00,Income:Sales\n"
        '2026-10-07,C,typo,"12,3O",Income:Sales\n'
        "2026-10-08,D,too precise,1.005,Income:Sales\n",
    )
    assert 'ledger/bank.csv:3: date "2026-02-30" does not match date_format %Y-%m-%d' in message
    assert 'ledger/bank.csv:4: amount "12,3O" is not a number' in message
    assert 'ledger/bank.csv:5: amount "1.005" has more decimal places than USD has (2)' in message
    assert 'on_error = "skip"' in message


def test_skip_policy_keeps_good_rows_and_reports_bad_ones(tmp_path):
    toml = TOML.replace(
        'entity = "co"\nopening_balance', 'entity = "co"\non_error = "skip"\nopening_balance'
    )
    ws = write_workspace(
        tmp_path,
        toml,
        {
            "ledger/bank.csv": (
                "Date,Payee,Memo,Amount,Account\n"
                "2026-10-05,A,ok,10.00,Income:Sales\n"
                "not a date,B,bad,10.00,Income:Sales\n"
            )
        },
    )
    pack = build_pack(load_workspace(ws, environ={}), AS_OF, generated_at=GENERATED_AT)
    status = pack.portfolio.sources["ledger"]
    assert status.records == 1
    assert [str(p) for p in status.problems] == [
        'ledger/bank.csv:3: date "not a date" does not match date_format %Y-%m-%d'
    ]


def test_missing_file(tmp_path):
    ws = write_workspace(tmp_path, TOML.replace("ledger/bank.csv", "ledger/missing-*.csv"))
    with pytest.raises(
        WorkspaceError, match=r"sources.ledger\[0\].path = 'ledger/missing-\*.csv' matches no file"
    ):
        build_pack(load_workspace(ws, environ={}), AS_OF)


def test_header_that_does_not_match_the_mapping_lists_what_was_found(tmp_path):
    message = bad(tmp_path, "When,Payee,Memo,Amount,Account\n2026-10-05,A,b,1,Income:Sales\n")
    assert message.startswith(
        "ledger/bank.csv:1: columns 'Date' not found; the file has 'When', 'Payee'"
    )


def test_empty_ledger(tmp_path):
    assert "the ledger is empty" in bad(tmp_path, "Date,Payee,Memo,Amount,Account\n")


def test_a_second_currency_without_a_rate(tmp_path):
    toml = TOML.replace('memo = "Memo"', 'memo = "Memo"\ncurrency = "Currency"')
    message = bad(
        tmp_path,
        "Date,Payee,Memo,Amount,Account,Currency\n"
        "2026-10-05,A,b,1.00,Income:Sales,USD\n2026-10-06,A,b,1.00,Income:Sales,EUR\n",
        toml,
    )
    assert (
        "ledger/bank.csv:3: currency EUR differs from the organization currency USD and no exchange"
        " rate" in message
    )
    assert "add [sources.rates]" in message


def test_an_unknown_entity_in_an_entity_column(tmp_path):
    toml = TOML.replace(
        'entity = "co"\nopening_balance', 'entity_column = "Venture"\nopening_balance'
    )
    message = bad(
        tmp_path,
        "Date,Payee,Memo,Amount,Account,Venture\n2026-10-05,A,b,1.00,Income:Sales,cx\n",
        toml,
    )
    assert 'ledger/bank.csv:2: entity "cx" is not declared in [[entities]] (known: co)' in message


def test_a_file_in_the_wrong_encoding(tmp_path):
    message = bad(
        tmp_path,
        "Date,Payee,Memo,Amount,Account\n2026-10-05,Café,b,1.00,Income:Sales\n".encode("cp1252"),
    )
    assert "ledger/bank.csv" in message and "cp1252" in message


def test_service_end_before_service_start(tmp_path):
    toml = TOML.replace(
        'memo = "Memo"', 'memo = "Memo"\nservice_start = "From"\nservice_end = "To"'
    )
    message = bad(
        tmp_path,
        "Date,Payee,Memo,Amount,Account,From,To\n"
        "2026-10-05,A,b,1.00,Income:Sales,2026-12-01,2026-11-01\n",
        toml,
    )
    assert "ledger/bank.csv:2: service_end is before service_start" in message


def test_a_rule_pattern_that_is_not_a_regular_expression(tmp_path):
    toml = TOML.replace(
        "[finance]", '[[rules]]\npattern = "(unclosed"\naccount = "Expenses:Other"\n\n[finance]'
    )
    # checked as RE2, the engine the rules run in: Python's own syntax would accept some RE2 refuses
    with pytest.raises(
        WorkspaceError, match=r"boardpack.toml:\d+: pattern '\(unclosed' is not a valid RE2 regular"
    ):
        build_pack(load_workspace(write_workspace(tmp_path, toml), environ={}), AS_OF)


def test_errors_are_collected_not_stopped_at_the_first(tmp_path):
    rows = "".join(f"2026-10-{d:02d},A,b,x{d},Income:Sales\n" for d in range(1, 26))
    with pytest.raises(SourceErrors) as caught:
        ledger_rows(tmp_path, ledger="Date,Payee,Memo,Amount,Account\n" + rows)
    assert len(caught.value.problems) == 26  # 25 rows and the closing hint
    assert "... and 6 more" in str(caught.value)


def test_what_a_whole_file_shares_is_stored_once_and_read_on_every_row(tmp_path):
    """Each file's name, venture and currency come back on each of its rows (and on the fee rows a
    processor's export adds), though its parsed rows do not hold them."""
    toml = TOML.replace('path = "ledger/bank.csv"', 'path = "ledger/*.csv"').replace(
        'memo = "Memo"', 'memo = "Memo"\nfee = "Fee"'
    )
    header = "Date,Payee,Memo,Amount,Account,Fee\n"
    files = {
        "ledger/bank.csv": header + "2026-10-05,Acme,sale,100.00,Income:Sales,\n",
        "ledger/stripe.csv": header + "2026-10-06,Beta,sale,50.00,Income:Sales,1.50\n",
    }
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, toml, files), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    db = pack.portfolio.db
    assert db.execute(
        "SELECT source_file, source_line, entity, currency, original_currency, amount, account"
        " FROM ledger ORDER BY source_file, amount DESC"
    ).fetchall() == [
        ("ledger/bank.csv", 2, "co", "USD", "USD", Decimal("100.00"), "Income:Sales"),
        ("ledger/stripe.csv", 2, "co", "USD", "USD", Decimal("50.00"), "Income:Sales"),
        (
            "ledger/stripe.csv",
            2,
            "co",
            "USD",
            "USD",
            Decimal("-1.50"),
            "Expenses:Payment Processing",
        ),
    ]
    stored = {c for (c, *_) in db.execute("DESCRIBE ledger_file_0_rows").fetchall()}
    assert not stored & {"source_file", "entity", "currency", "original_currency", "moved_cash"}


@pytest.mark.parametrize("rated", [False, True], ids=["by rowid", "numbered by the reader"])
def test_one_pass_names_bad_rows_by_physical_line_past_the_readers_sample(tmp_path, rated):
    """The file is read once, straight into the parsed rows: a row's line comes from its place in
    the file, so bad rows far past the first 20,000 (where a sniffer would have settled the
    types) are named by the line an editor shows, after a memo that spans two lines and a summary
    row `skip_if` leaves out; with exchange rates (a join that reorders rows) the reader numbers
    them."""
    lines = ["Date,Payee,Memo,Amount,Account,Kind"]
    lines += [
        f"2026-10-{1 + n % 28:02d},P{n},m,{n % 90 + 1},Income:Sales,sale" for n in range(25_000)
    ]
    lines[100] = '2026-10-02,Quoted,"two\nlines",5,Income:Sales,sale'  # record 100: lines 101-102
    lines[200] = "2026-10-03,Total,summary,999999,,total"  # left out by skip_if
    lines[21_000] = "2026-10-04,Q,precise,1.005,Income:Sales,sale"
    lines[22_000] = "10/05/2026,R,american date,5.00,Income:Sales,sale"
    lines[23_000] = "2026-10-06,S,letter,5.O0,Income:Sales,sale"
    toml = TOML.replace(
        'entity = "co"\nopening_balance',
        'entity = "co"\non_error = "skip"\nskip_if = { Kind = ["total"] }\nopening_balance',
    )
    files = {"ledger/bank.csv": "\n".join(lines) + "\n"}
    if rated:
        rates = '[sources.rates]\npath = "rates.csv"\n\n[sources.notes]'
        toml = toml.replace("[sources.notes]", rates)
        files["rates.csv"] = "date,currency,rate\n2026-01-01,EUR,1.1\n"
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, toml, files), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    status = pack.portfolio.sources["ledger"]
    assert [str(p) for p in status.problems] == [
        'ledger/bank.csv:21002: amount "1.005" has more decimal places than USD has (2)',
        'ledger/bank.csv:22002: date "10/05/2026" does not match date_format %Y-%m-%d',
        'ledger/bank.csv:23002: amount "5.O0" is not a number',
    ]
    assert status.records == 25_000 - 1 - 3  # the summary row and three bad ones left out
    db = pack.portfolio.db
    assert db.execute(
        "SELECT source_line, counterparty, memo FROM ledger WHERE counterparty IN"
        " ('P98', 'Quoted', 'P100', 'P24999') ORDER BY source_line"
    ).fetchall() == [
        (100, "P98", "m"),
        (101, "Quoted", "two\nlines"),
        (103, "P100", "m"),
        (25_002, "P24999", "m"),
    ]
    assert db.execute("SELECT count(*) FROM ledger WHERE counterparty = 'Total'").fetchone() == (0,)


def test_a_ledger_too_large_to_copy_stays_a_view_and_gives_the_same_figures(
    tmp_path, monkeypatch
):
    """Up to `COPIED_UP_TO` rows the ledger is one table; above, a view over the files: every
    figure and table of the pack is the same either way."""
    from boardpack.sources import ledger

    ws = load_workspace(write_workspace(tmp_path), environ={})

    def built():
        pack = build_pack(ws, AS_OF, generated_at=GENERATED_AT)
        (kind,) = pack.portfolio.db.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'ledger'"
        ).fetchone()
        return kind, pack.results

    copied, as_table = built()
    monkeypatch.setattr(ledger, "COPIED_UP_TO", 0)
    viewed, as_view = built()
    assert (copied, viewed) == ("LOCAL TEMPORARY", "VIEW")
    assert {k: m.value for k, m in as_view.metrics.items()} == {
        k: m.value for k, m in as_table.metrics.items()
    }
    assert {k: t.rows for k, t in as_view.tables.items()} == {
        k: t.rows for k, t in as_table.tables.items()
    }


def test_a_small_ledger_is_analysed_on_one_thread_a_large_one_on_every_thread(
    tmp_path, monkeypatch
):
    """Below a DuckDB row group no scan splits, so the analyses run on one thread; a ledger past
    one keeps DuckDB's every thread. Every figure and table is the same either way."""
    import duckdb

    from boardpack import sources

    ws = load_workspace(write_workspace(tmp_path), environ={})

    def built():
        pack = build_pack(ws, AS_OF, generated_at=GENERATED_AT)
        (threads,) = pack.portfolio.db.execute("SELECT current_setting('threads')").fetchone()
        return threads, pack.results

    small, on_one = built()
    monkeypatch.setattr(sources, "ROW_GROUP", 5)  # the test ledger's rows now fill a row group
    large, on_every = built()
    (every,) = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()
    assert (small, large) == (1, every)
    assert {k: m.value for k, m in on_every.metrics.items()} == {
        k: m.value for k, m in on_one.metrics.items()
    }
    assert {k: t.rows for k, t in on_every.tables.items()} == {
        k: t.rows for k, t in on_one.tables.items()
    }
