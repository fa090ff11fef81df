"""The summary's sentences, each from the figures it names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from boardpack.model import Results
from boardpack.period import period_containing
from boardpack.reports import summary
from boardpack.reports.document import ActionsBlock, FindingsBlock, Section
from tests.reports.documents import action, finding, metric

OCTOBER = SimpleNamespace(period=period_containing(date(2026, 10, 1), "month"))


def results(*metrics) -> Results:
    return Results(metrics={m.id: m for m in metrics})


def test_a_result_against_the_last_period_up_down_or_the_same():
    now = metric("finance.revenue", Decimal("5000.00"), label="Revenue")
    for before, said in (
        ("4000.00", "Revenue was {} in October 2026, up 1,000.00 USD on September 2026."),
        ("6000.00", "Revenue was {} in October 2026, down 1,000.00 USD on September 2026."),
        ("5000.00", "Revenue was {} in October 2026, the same as in September 2026."),
    ):
        then = results(metric("finance.revenue", Decimal(before)))
        assert summary.moved(now, then, OCTOBER) == summary.Sentence(said, ("finance.revenue",))
    first = summary.moved(now, None, OCTOBER)  # no earlier pack: the figure alone
    assert first.template == "Revenue was {} in October 2026."


def test_net_income_against_the_budget():
    said = summary.against_budget({
        "accounting.net_income": metric("accounting.net_income", Decimal("900.00")),
        "finance.net_income_budget": metric("finance.net_income_budget", Decimal("1000.00")),
    })  # fmt: skip
    assert said.template == "That is 100.00 USD below the budget's {}."
    assert said.metrics == ("finance.net_income_budget",)


def test_cash_says_how_long_it_lasts_only_when_it_runs_out():
    base = {
        i: metric(i)
        for i in ("finance.cash_balance", "finance.cash_low", "finance.cash_low_date")
    }
    runs_out = summary.cash(base | {"finance.runway_months": metric("finance.runway_months", 7)})
    assert runs_out.template.endswith(", and it runs out in {}.")
    assert runs_out.metrics[-1] == "finance.runway_months"
    lasts = summary.cash(base | {"finance.runway_months": metric("finance.runway_months", None)})
    assert lasts.template.endswith("it stays above zero for the next 12 months.")
    assert "finance.runway_months" not in lasts.metrics
    assert summary.cash(base).template.endswith("lowest at {} on {}.")


def test_the_most_serious_findings_are_named_and_the_rest_counted():
    found = [
        finding("Low thing", severity="low"),
        finding("Medium thing", severity="medium"),
        finding("Critical {thing}.", severity="critical"),
        finding("High thing", severity="high"),
    ]
    (said,) = summary.serious(found)
    # braces in a title are text, not a figure's place
    assert said.template.format() == (
        "Most serious: Critical {thing} (critical); High thing (high) — and 1 more of medium"
        " severity or worse."
    )
    (none,) = summary.serious([finding(severity="low")])
    assert none.template == "No finding in this report is of medium severity or worse."


def test_the_ask_is_the_first_action_else_the_most_serious_finding_s_action():
    first = summary.ask([action("Sign the lease.", due=date(2026, 12, 1))], [])
    assert first.template == "First to do: Sign the lease (CFO, due 2026-12-01)."
    undated = summary.ask([action("Sign the lease")], [])
    assert undated.template == "First to do: Sign the lease (CFO)."
    from_finding = summary.ask([], [
        finding(severity="medium", action="Check it"),
        finding(severity="critical", action="Rotate the key."),
        finding(severity="critical", action=""),  # the most serious, with nothing to do
    ])  # fmt: skip
    assert from_finding.template == "First to do: Rotate the key."
    assert summary.ask([], []) is None


def test_a_venture_report_opens_with_its_own_revenue():
    own = metric("finance.revenue.charters", Decimal("4100.00"), label="Charters revenue")
    said = summary.sentences(
        "entity-charters",
        (),
        (Section(id="s", title="S", blocks=(FindingsBlock(items=(finding(severity="low"),)),)),),
        results(own, metric("finance.revenue", Decimal("45000.00"))),
        OCTOBER,
        None,
    )
    assert said[0].metrics == ("finance.revenue.charters",)
    # a finding with no action asks nothing: no "First to do" without something to do
    assert [s.template for s in said[1:]] == [
        "No finding in this report is of medium severity or worse."
    ]


def test_the_ask_comes_from_the_report_s_own_sections():
    sections = (
        Section(id="a", title="A", blocks=(ActionsBlock(items=(action("Own thing"),)),)),
    )
    said = summary.sentences("cto", (), sections, results(), OCTOBER, None)
    assert said[-1].template == "First to do: Own thing (CFO)."


def test_a_report_that_counts_the_pack_s_findings_speaks_of_the_pack_s():
    """The board summary's tile counts the pack's findings: its sentence names the pack's most
    serious, not "no finding in this report" beside a count of 30."""
    count = metric("executive.open_findings", 2, unit="findings")
    pack = Results(metrics={count.id: count}, findings=[
        finding("Key committed", severity="critical", action="Rotate it"),
        finding("No backups", severity="high", action="Turn them on"),
    ])  # fmt: skip
    own = (Section(id="s", title="S", blocks=(FindingsBlock(items=(finding(severity="low"),)),)),)
    said = summary.sentences("board", (count,), own, pack, OCTOBER, None)
    assert said[-2].template == "Most serious: Key committed (critical); No backups (high)."
    assert said[-1].template == "First to do: Rotate it."
    alone = summary.sentences("board", (), own, pack, OCTOBER, None)  # no count shown: its own
    assert [s.template for s in alone] == [
        "No finding in this report is of medium severity or worse."
    ]
