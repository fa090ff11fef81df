"""What changed for you, from what earlier packs recorded: the entries a pack leaves, and the lines
a reader is told (the threshold itself is tested in tests/delivery/test_changes.py)."""

from __future__ import annotations

import json
from decimal import Decimal

from boardpack.config import VarianceThreshold
from boardpack.reports.changes import SHOWN, History, entries
from boardpack.reports.document import FindingsBlock, MetricsBlock, Section
from tests.reports.documents import document, finding, metric


def report(*metrics, findings=(), **more):
    return document(
        Section(id="s", title="S", blocks=(
            MetricsBlock(items=metrics), FindingsBlock(items=tuple(findings)),
        )),
        footnotes=metrics,
        **more,
    )  # fmt: skip


def test_a_pack_records_each_figure_once_and_what_each_report_showed():
    cash = metric("finance.cash", Decimal("1200.00"), status="good")
    unknown = metric("finance.runway", None)
    key = finding("Key in a repository", id="f1")
    recorded = entries([report(cash, unknown, findings=[key]), report(cash, id="ceo")])
    assert [(e.series, e.target, json.loads(e.value)) for e in recorded] == [
        ("metric", "finance.cash", ["1200.00", "good"]),  # once, though two reports show it
        ("report", "cfo", {"metrics": ["finance.cash", "finance.runway"], "findings": ["f1"]}),
        ("report", "ceo", {"metrics": ["finance.cash"], "findings": []}),
    ]  # a figure with no value is not a value to compare with later


def history(sent_metrics: dict, reports: dict, findings=None, received=None, found=()):
    """September's pack, as the audit store gives it back."""
    history = History.of(
        [], received or {}, {"2026-09": "September 2026"}, frozenset(found), VarianceThreshold()
    )
    sent = history.packs["2026-09"]
    sent.metrics.update(sent_metrics)
    sent.reports.update(reports)
    sent.findings.update(findings or {})
    return history


def test_the_lines_name_each_move_with_its_footnote_and_a_crossed_target():
    cash = metric("finance.cash", Decimal("1600.00"), status="bad", label="Cash")
    months = metric("finance.runway", Decimal("4.0"), unit="months", label="Runway")
    doc = report(cash, months)
    said = history(
        {"finance.cash": ["1000.00", "good"], "finance.runway": ["4.0", None]},
        {"cfo": {"metrics": ["finance.cash", "finance.runway"], "findings": []}},
    ).changes(doc, "2026-09")
    assert said == [
        "Since the last one you were sent, for September 2026: 1 figure moved past its threshold.",
        "Cash: 1,600.00 USD [1], up 600.00 USD from 1,000.00 USD, better, now bad (was good).",
    ]


def test_what_changed_is_six_lines_at_most_however_much_did():
    moved = [metric(f"m.m{n}", Decimal(2000 + n), label=f"M{n}") for n in range(12)]
    new = [finding(f"New {n}.", id=f"n{n}", severity=s) for n, s in enumerate(["low", "high"] * 3)]
    doc = report(*moved, findings=new)
    said = history(
        {m.id: ["1000", None] for m in moved},
        {"cfo": {"metrics": [m.id for m in moved], "findings": [f"o{n}" for n in range(5)]}},
        findings={f"o{n}": {"title": f"Old {n}.", "severity": "medium"} for n in range(5)},
    ).changes(doc, "2026-09")
    assert said[0] == (
        "Since the last one you were sent, for September 2026: 12 figures moved past their"
        f" threshold (the largest {SHOWN} below), 6 new findings, 5 findings resolved."
    )
    assert len(said) == 1 + SHOWN + 2 <= 6
    # the largest moves first, the most serious new findings first
    assert [line.split(":")[0] for line in said[1 : 1 + SHOWN]] == ["M11", "M10", "M9"]
    assert said[-2:] == [
        "New: New 1 (high); New 3 (high); New 5 (high) — and 3 more.",
        "Resolved: Old 0; Old 1; Old 2 — and 2 more.",
    ]


def test_a_few_changes_are_all_named():
    doc = report(metric("finance.cash", Decimal("1600.00")), findings=[finding("Key.", id="k")])
    said = history(
        {"finance.cash": ["1000.00", None]},
        {"cfo": {"metrics": ["finance.cash"], "findings": ["old"]}},
        findings={"old": {"title": "Domain expires.", "severity": "medium"}},
    ).changes(doc, "2026-09")
    assert said[0].endswith("1 figure moved past its threshold, 1 new finding, 1 finding resolved.")
    assert said[-2:] == ["New: Key (high).", "Resolved: Domain expires."]


def test_nothing_past_its_threshold_is_said_in_one_line():
    doc = report(metric("finance.cash", Decimal("1000.00")))
    said = history(
        {"finance.cash": ["1000.00", None]}, {"cfo": {"metrics": ["finance.cash"], "findings": []}}
    ).changes(doc, "2026-09")
    assert said == [
        "Since the last one you were sent, for September 2026: no figure moved past its"
        " threshold, and no finding is new or resolved."
    ]


def test_readers_who_last_received_different_packs_are_each_told_their_own():
    doc = report(metric("finance.cash", Decimal("1600.00")))
    sent = history(
        {"finance.cash": ["1000.00", None]},
        {"cfo": {"metrics": ["finance.cash"], "findings": []}},
        received={("cfo", "old@example.com"): "2026-09"},
    )
    section = sent.section(doc, ("Old@example.com", "new@example.com"))
    lines = [b.text for b in section.blocks]
    assert lines[0].startswith("For Old@example.com: since the last one you were sent")
    assert lines[-1] == (
        "For new@example.com: this is the first CFO report you have been sent: everything below"
        " is the baseline. From the next one on, this space says what changed since."
    )
    alone = sent.section(doc, ("old@example.com",))
    assert not alone.blocks[0].text.startswith("For ")
