"""The XLSX workbook (issue 25, part 4), read back with openpyxl: a sheet per table, figures as
numbers in the currency's format, dates as dates, a sheet of footnotes — and no formula anywhere,
whatever a ledger's text begins with."""

from __future__ import annotations

import email
from datetime import datetime
from email import policy
from io import BytesIO

import openpyxl
import pytest

from tests.conftest import LEDGER, TOML, run_cli, write_workspace

AS_OF = ("--as-of", "2026-11-15")
PLANTED = ['=HYPERLINK("https://evil.example/","open")', "+1+1", "-2+3", "@SUM(A1:A2)"]


def hostile_ledger() -> str:
    rows = [
        f'2026-10-{20 + i},"{text.replace(chr(34), chr(34) * 2)}",memo {i},-{i + 1}00.00,'
        for i, text in enumerate(PLANTED)
    ]
    return LEDGER + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xlsx")
    root = write_workspace(
        tmp / "ws", TOML + "[roles.accounting]\nto = [\"books@example.com\"]\n",
        {"ledger/bank.csv": hostile_ledger()},
    )  # fmt: skip
    done = run_cli("build", "-w", str(root), *AS_OF, "--format", "xlsx", "--out", str(tmp / "out"))
    assert done.returncode == 0, done.stderr
    return {p.stem: openpyxl.load_workbook(p) for p in (tmp / "out" / "2026-10").glob("*.xlsx")}


def cells(book):
    return [
        c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]


def test_every_report_is_a_workbook_with_its_figures_tables_and_footnotes(books):
    assert {"ceo", "cfo", "accounting", "cto", "cmo"} <= set(books)
    cfo = books["cfo"]
    assert cfo.sheetnames[0] == "Figures" and cfo.sheetnames[-1] == "Footnotes"
    assert all(len(name) <= 31 for b in books.values() for name in b.sheetnames)
    figures = {row[0]: row for row in cfo["Figures"].iter_rows(min_row=3, values_only=True)}
    assert figures["Cash balance"][1:3] == (13800, "USD")  # 14,800 less the planted rows
    cash = next(c for c in cfo["Figures"]["B"] if c.value == 13800)
    assert cash.data_type == "n" and cash.number_format == '#,##0.00 "USD"'
    notes = list(cfo["Footnotes"].iter_rows(min_row=3, values_only=True))
    assert [n for n, *_ in notes] == list(range(1, len(notes) + 1))
    assert any("ledger/bank.csv" in (text or "") for *_, text in notes)
    dates = [c for c in cells(cfo) if isinstance(c.value, datetime)]
    assert dates and all(c.number_format == "yyyy-mm-dd" for c in dates)


def test_no_cell_is_ever_a_formula_whatever_the_ledger_says(books):
    found = {c.value for b in books.values() for c in cells(b) if isinstance(c.value, str)}
    for text in PLANTED:  # shown, as the text it is
        assert any(text in value for value in found), text
    for book in books.values():
        assert {c.data_type for c in cells(book)} <= {"s", "n", "d", "b"}  # never "f"


def test_the_workbook_is_attached_when_asked(tmp_path):
    root = write_workspace(
        tmp_path / "ws", TOML.replace("[delivery]\n", "[delivery]\nxlsx = true\n")
    )
    assert run_cli("send", "-w", str(root), *AS_OF).returncode == 0
    (eml,) = (root / "outbox" / "2026-10").glob("cfo-*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    (part,) = [p for p in message.iter_attachments() if p.get_filename() == "cfo-2026-10.xlsx"]
    assert part.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "Figures" in openpyxl.load_workbook(BytesIO(part.get_content())).sheetnames


def test_an_unknown_format_lists_xlsx(tmp_path):
    root = write_workspace(tmp_path / "ws")
    done = run_cli("build", "-w", str(root), *AS_OF, "--format", "xls")
    assert done.returncode == 2 and "html, txt, md, json, xlsx" in done.stderr
