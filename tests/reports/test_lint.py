"""Pack lint (reports/lint.py): the demo's pack reads as one document; a figure with two values or
two verdicts, an amount no figure of the pack is, an email section of notices only or of how to
set the workspace up, are caught."""

from __future__ import annotations

from decimal import Decimal

from boardpack.model import Results
from boardpack.reports.document import FindingsBlock, MetricsBlock, Section, TextBlock
from boardpack.reports.edit import edited
from boardpack.reports.lint import lint
from boardpack.reports.setup import WORKSPACE_OWNER
from tests.reports.documents import document, finding, metric, table


def test_the_demo_pack_reads_as_one_document(demo_pack):
    assert lint(demo_pack.documents, demo_pack.results) == []
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


def test_an_amount_in_a_sentence_that_no_figure_of_the_pack_is_is_caught():
    """Every amount a report's sentences say is a figure the pack computed (to the unit, or the
    tenth of a thousand), or the difference of two figures the sentence footnotes; the owner's
    commentary says what it likes."""
    net, budget = metric("accounting.net_income", Decimal("-9605.12")), metric(
        "budget.net_income", Decimal("6850.00")
    )
    results = Results()
    results.add(net, budget, table({"account": "Income:Charters", "period": Decimal("7070.00")}))

    def said(*texts: str, section: str = "summary", evidence: str = ""):
        blocks = [TextBlock(text=t) for t in texts]
        if evidence:
            blocks.append(FindingsBlock(items=(finding(evidence=evidence),)))
        return [document(Section(id=section, title="In brief", blocks=tuple(blocks)),
                         footnotes=(net, budget))]  # fmt: skip

    fine = (
        "Net income was -9,605 USD [1], 16,455 USD below the budget's 6,850 USD [2].",
        "Charters brought in 7.1k USD; net income -9.6k USD.",
    )
    assert lint(said(*fine), results) == []
    assert lint(said(evidence="Charters revenue was 7,070.00 USD."), results) == []
    # a figure nobody computed: in a text, in a finding's evidence, in thousands
    assert lint(said("Net income was -9,650 USD [1]."), results) == [
        "the cfo report's 'In brief' says 9,650 USD, which no figure of the pack is"
    ]
    assert lint(said(evidence="Charters revenue was 7,700.00 USD."), results) == [
        "the cfo report's 'In brief' says 7,700.00 USD, which no figure of the pack is"
    ]
    assert len(lint(said("Charters brought in 7.9k USD."), results)) == 1
    # a difference is traced only between figures the same sentence footnotes
    assert len(lint(said("That is 16,455 USD below the budget."), results)) == 1
    # the owner's own words are theirs
    assert lint(said("We expect 120,000 USD in spring.", section="commentary"), results) == []


def test_no_report_tells_its_reader_how_to_set_up_the_workspace(demo_pack):
    """The CTO report reads the AWS source, which the demo does not configure: how to connect it is
    for whoever keeps the workspace (`check`); the full report's last line names it, and neither
    its sections nor its email say how. Lint holds each email to that."""
    cto = next(d for d in demo_pack.documents if d.id == "cto")
    assert any(t.startswith("The aws source is not configured") for t in cto.setup)
    for doc in demo_pack.documents:
        assert not any(
            isinstance(b, TextBlock) and (b.setup or "boardpack.toml" in b.text)
            for s in doc.sections
            if s.id != WORKSPACE_OWNER
            for b in s.blocks
        ), doc.id
    (line,) = [s for s in cto.sections if s.id == WORKSPACE_OWNER]
    assert line.blocks[0].text.startswith("The aws source is not configured; ")
    assert WORKSPACE_OWNER not in [s.id for s in edited(cto).doc.sections]
    # lint catches an email that would
    doc = document(
        Section(id="s", title="S", blocks=(TextBlock(text="Add [[kpis]] to boardpack.toml."),)),
        screens=3,
    )
    assert lint([doc]) == ["the cfo email tells its reader how to set up the workspace, in 'S'"]
