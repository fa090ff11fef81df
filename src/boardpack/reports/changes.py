"""What changed for you: the lines a recipient's email opens with, from the last pack the audit
trail says that recipient was sent — the figures that moved past their threshold since, the
findings that are new and the ones resolved. Someone who was never sent the report is told this
one is the baseline.

A sent pack records what each of its reports showed (`entries`): the value and status of every
metric shown, and which metrics and findings each report carried. A message keeps its recipients
together (its delivery key is theirs); when they last received different packs, each group is
told its own changes, by address.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from boardpack.config import VarianceThreshold
from boardpack.figures import cell_text, is_money, plural, reading, value_text
from boardpack.model import SEVERITY_RANK, Metric, PackEntry, direction
from boardpack.reports.document import Document, Section, TextBlock, findings_in
from boardpack.reports.plain import JUDGED, exact

# figures listed, the largest moves first, and findings named, the most serious first: the rest are
# counted, so what changed is six lines at most, however much did
SHOWN = 3


def entries(documents: list[Document]) -> list[PackEntry]:
    """What the pack's reports showed, for the audit store: each metric's value and status once,
    and each report's metrics and findings by id."""
    metrics = {m.id: m for doc in documents for m in doc.footnotes if m.value is not None}
    return [
        PackEntry("", "metric", m.id, json.dumps([exact(m.value), m.status]))
        for m in metrics.values()
    ] + [
        PackEntry(
            "",
            "report",
            doc.id,
            json.dumps(
                {
                    "metrics": [m.id for m in doc.footnotes],
                    "findings": [f.id for f in findings_in(doc.sections)],
                }
            ),
        )
        for doc in documents
    ]


@dataclass(frozen=True)
class Sent:
    """What one earlier pack recorded: metric values and statuses, its findings, each report's."""

    title: str  # "September 2026"
    metrics: dict[str, list]  # id -> [value as text, status]
    findings: dict[str, dict]  # id -> {"title": ..., "severity": ...}
    reports: dict[str, dict]  # report id -> {"metrics": [ids], "findings": [ids]}


@dataclass(frozen=True)
class History:
    """Who was last sent each report, and what those packs held, from the audit store."""

    received: dict[tuple[str, str], str]  # (report id, address) -> period label last sent
    packs: dict[str, Sent]  # period label -> what that pack recorded
    found: frozenset[str]  # the ids of this pack's findings: a recorded one not among them is gone
    threshold: VarianceThreshold

    @classmethod
    def of(
        cls,
        recorded: list[PackEntry],
        received: dict[tuple[str, str], str],
        titles: dict[str, str],
        found: frozenset[str],
        threshold: VarianceThreshold,
    ) -> History:
        packs = {label: Sent(title, {}, {}, {}) for label, title in titles.items()}
        for e in recorded:
            if e.made_in not in packs:
                continue
            sent = packs[e.made_in]
            if e.series == "metric":
                sent.metrics[e.target] = json.loads(e.value)
            elif e.series == "finding":
                sent.findings[e.target] = json.loads(e.value)
            elif e.series == "report":
                sent.reports[e.target] = json.loads(e.value)
        return cls(received, packs, found, threshold)

    def section(self, doc: Document, addresses: tuple[str, ...]) -> Section:
        """The section a message to `addresses` opens with."""
        groups: dict[str | None, list[str]] = {}
        for address in addresses:
            groups.setdefault(self.received.get((doc.id, address.lower())), []).append(address)
        blocks: list[TextBlock] = []
        for label, who in groups.items():
            with reading(doc.reading):  # its figures read as the report's
                lines = self.changes(doc, label)
            if len(groups) > 1:
                lines[0] = f"For {', '.join(who)}: {lines[0][0].lower()}{lines[0][1:]}"
            blocks += [TextBlock(text=line) for line in lines]
        return Section(id="changes", title="What changed for you", blocks=tuple(blocks))

    def changes(self, doc: Document, label: str | None) -> list[str]:
        if label is None:
            return [
                f"This is the first {doc.title.split(' — ')[0]} you have been sent: everything"
                " below is the baseline. From the next one on, this space says what changed since."
            ]
        sent = self.packs[label]
        shown = sent.reports.get(doc.id)
        if shown is None:  # sent before boardpack kept what its reports showed
            return [
                f"The last one you were sent was for {sent.title}, and the audit store has no"
                " record of what it showed: everything below is the baseline."
            ]
        moved = [m for m in doc.footnotes if m.id in shown["metrics"] and self.past(m, sent)]
        # the report's key numbers first, then the largest moves; when the pack last sent is the
        # period before, the key numbers' tiles say their moves since: they are counted, not said
        moved.sort(key=lambda m: (m not in doc.headline, -self.size(m, sent)))
        tiled = [m for m in moved if m in doc.headline] if sent.title == doc.previous_title else []
        listed = [m for m in moved if m not in tiled]
        new = [f for f in findings_in(doc.sections) if f.id not in shown["findings"]]
        resolved = [
            sent.findings[i]
            for i in shown["findings"]
            if i not in self.found and i in sent.findings
        ]
        head = f"Since the last one you were sent, for {sent.title}: " + (
            ", ".join(
                part
                for part in (
                    moved and figures_moved(moved, tiled, listed),
                    new and plural(len(new), "new finding"),
                    resolved and f"{plural(len(resolved), 'finding')} resolved",
                )
                if part
            )
            or "no figure moved past its threshold, and no finding is new or resolved"
        )
        lines = [head + "."]
        lines += [self.line(doc, m, sent) for m in listed[:SHOWN]]
        new.sort(key=lambda f: SEVERITY_RANK[f.severity])
        if new:
            lines.append(named("New", [f"{f.title.rstrip('.')} ({f.severity})" for f in new]))
        if resolved:
            lines.append(named("Resolved", [f["title"].rstrip(".") for f in resolved]))
        return lines

    def then(self, metric: Metric, sent: Sent) -> Decimal | int | None:
        """The metric's value in the earlier pack, as the type it has now; None if not a number."""
        text = sent.metrics.get(metric.id, [None])[0]
        if text is None or isinstance(metric.value, bool):
            return None
        try:
            if isinstance(metric.value, int):
                return int(text)
            return Decimal(text) if isinstance(metric.value, Decimal) else None
        except (ValueError, InvalidOperation):
            return None

    def past(self, metric: Metric, sent: Sent) -> bool:
        """Past its threshold: its status changed (it crossed its target), or it moved by at least
        `[finance] variance_threshold` — both the amount and the percent for money, the percent
        for any other figure."""
        before = sent.metrics.get(metric.id)
        if before is None:
            return False
        if metric.status and before[1] and metric.status != before[1]:
            return True
        then = self.then(metric, sent)
        if then is None or metric.value == then:
            return False
        change = abs(metric.value - then)
        if is_money(metric.unit) and change < self.threshold.amount:
            return False
        return not then or change * 100 / abs(then) >= self.threshold.percent

    def size(self, metric: Metric, sent: Sent) -> Decimal:
        then = self.then(metric, sent)
        if then is None:
            return Decimal(0)
        return Decimal(abs(metric.value - then)) / (abs(then) or 1)

    def line(self, doc: Document, metric: Metric, sent: Sent) -> str:
        """`Revenue: 31,200.00 USD [3], up 4,100.00 USD from 27,100.00 USD, better.`"""
        number = doc.footnote_number(metric.id)
        text = f"{metric.label}: {value_text(metric.value, metric.unit)} [{number}]"
        then = self.then(metric, sent)
        if then is not None and then != metric.value:
            size = abs(metric.value - then)
            by = f"{cell_text(size)} pts" if metric.unit == "%" else value_text(size, metric.unit)
            way = "up" if metric.value > then else "down"
            judged = JUDGED.get(direction(metric, metric.value - then), "")
            text += f", {way} {by} from {value_text(then, metric.unit)}{judged}"
        before = sent.metrics[metric.id][1]
        if metric.status and before and metric.status != before:
            text += f", now {metric.status} (was {before})"
        return text + "."


def figures_moved(moved: list[Metric], tiled: list[Metric], listed: list[Metric]) -> str:
    """`5 figures moved past their threshold: 3 key numbers in the tiles and 2 more (below)`."""
    said = f"{plural(len(moved), 'figure')} moved past {'its' if len(moved) == 1 else 'their'}"
    largest = f" (the largest {SHOWN} below)" if len(listed) > SHOWN else ""
    if not tiled:
        return f"{said} threshold{largest}"
    if not listed:
        return f"{said} threshold, all key numbers in the tiles"
    keys = plural(len(tiled), "key number")
    return f"{said} threshold: {keys} in the tiles and {len(listed)} more{largest or ' (below)'}"


def named(what: str, titles: list[str]) -> str:
    """`New: A (high); B (medium); C (low) — and 2 more.`"""
    more = f" — and {len(titles) - SHOWN} more" if len(titles) > SHOWN else ""
    return f"{what}: {'; '.join(titles[:SHOWN])}{more}."


def personal(doc: Document, history: History | None, addresses: tuple[str, ...]) -> Document:
    """The report as a message to `addresses` shows it: opening with what changed for them."""
    if history is None:
        return doc
    return replace(doc, sections=(history.section(doc, addresses), *doc.sections))
