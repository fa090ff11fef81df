"""Pack lint (reports/lint.py): the demo's pack reads as one document; a figure with two values or
two verdicts, an email section of notices only, are caught."""

from __future__ import annotations

from decimal import Decimal

from boardpack.reports.document import MetricsBlock, Section, TextBlock
from boardpack.reports.edit import edited
from boardpack.reports.lint import lint
from tests.reports.documents import document, metric


def test_the_demo_pack_reads_as_one_document(demo_pack):
    assert lint(demo_pack.documents) == []
    # and no email shows a section of notices only, nor goes past its screens
    for doc in demo_pack.documents:
        shown = edited(doc).doc.sections
        assert all(s.blocks for s in shown), doc.id


def test_a_figure_with_two_values_or_two_verdicts_is_caught():
    def report(id: str, value: str, status: str | None):
        cash = metric("finance.cash_balance", Decimal(value), status=status)
        return document(Section(id="s", title="S", blocks=(MetricsBlock(items=(cash,)),)),
                        id=id, footnotes=(cash,))  # fmt: skip

    assert lint([report("ceo", "10.00", "good"), report("cfo", "10.00", "good")]) == []
    assert lint([report("ceo", "10.00", "good"), report("cfo", "11.00", "good")]) == [
        "finance.cash_balance reads 11.00 (good) in the cfo report and 10.00 (good) in the ceo"
        " report"
    ]
    assert lint([report("ceo", "10.00", None), report("cfo", "10.00", "bad")]) == [
        "finance.cash_balance reads 10.00 (bad) in the cfo report and 10.00 (no verdict) in the"
        " ceo report"
    ]


def test_an_email_leaves_a_section_of_notices_only_to_the_full_report():
    notice = TextBlock(text="The web source is not configured in boardpack.toml.", tone="warn")
    doc = document(
        Section(id="web", title="Website", blocks=(notice,)),
        Section(id="s", title="S", blocks=(TextBlock(text="Something to read."),)),
        screens=3,
    )
    assert [s.id for s in edited(doc).doc.sections] == ["s"]
    assert lint([doc]) == []
