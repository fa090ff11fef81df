"""The document's own helpers: what its sections show, how a figure moved, a bar's length."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from boardpack.reports.document import (
    ActionsBlock,
    ChartBlock,
    FindingsBlock,
    MetricsBlock,
    Section,
    TextBlock,
    actions_in,
    findings_in,
    moved,
)
from tests.reports.documents import action, finding, metric


def test_findings_and_actions_in_are_every_one_in_order_across_sections_and_blocks():
    sections = (
        Section(id="a", title="A", blocks=(
            FindingsBlock(items=(finding("one"), finding("two"))),
            TextBlock(text="between"),
            ActionsBlock(items=(action("first"),)),
        )),
        Section(id="b", title="B", blocks=(MetricsBlock(items=(metric(),)),)),
        Section(id="c", title="C", blocks=(
            ActionsBlock(items=(action("second"), action("third"))),
            FindingsBlock(items=(finding("three"),)),
        )),
    )  # fmt: skip
    assert [f.title for f in findings_in(sections)] == ["one", "two", "three"]
    assert [a.title for a in actions_in(sections)] == ["first", "second", "third"]
    assert findings_in(()) == [] and actions_in(sections[1:2]) == []


@pytest.mark.parametrize(
    ("value", "before", "change"),
    [
        (Decimal("1200.00"), Decimal("1000.00"), Decimal("200.00")),
        (Decimal("800.00"), Decimal("1000.00"), Decimal("-200.00")),
        (7, 9, -2),
        (Decimal("5.5"), 5, Decimal("0.5")),
        (None, Decimal("1000.00"), None),  # no value now
        (Decimal("1000.00"), None, None),  # none then
        (date(2027, 3, 1), date(2027, 2, 1), None),  # a date is not a move
        (Decimal("1000.00"), "1000.00", None),  # text is not a number
    ],
)
def test_moved(value, before, change):
    assert moved(metric(value=value), before) == change


def test_a_bar_is_a_share_of_the_longest_and_never_hides_a_value():
    chart = ChartBlock(
        id="c", title="C", unit="USD", series=("in", "out"),
        rows=(("Oct", (Decimal("1000"), Decimal("-250"))), ("Nov", (Decimal("1"), 0))),
    )  # fmt: skip
    assert chart.share(Decimal("1000")) == 100
    assert chart.share(Decimal("-250")) == 25  # a negative value, by its size
    assert chart.share(Decimal("1")) == 1  # a sliver, not nothing
    assert chart.share(0) == 0
    empty = ChartBlock(id="e", title="E", unit="USD", series=("in",), rows=())
    assert empty.share(Decimal("5")) == 0
