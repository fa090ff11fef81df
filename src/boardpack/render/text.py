"""Plain text: the multipart alternative and the archive copy, readable at 78 columns."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from boardpack.model import Metric, Table
from boardpack.render.values import cell_text, changes, footnote_text, standing, value_text
from boardpack.render.walk import Writer
from boardpack.reports.document import (
    ActionsBlock,
    ChartBlock,
    Document,
    FindingsBlock,
    MetricsBlock,
    Section,
    TableBlock,
    TextBlock,
)

WIDTH = 78
MIN_WRAPPED = 18  # narrowest a wrapped text column may get before rows become records


def wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]


def render_text(doc: Document, footer: str = "") -> str:
    return TextWriter(doc, footer).write()


class TextWriter(Writer):
    """78 columns: titles underlined, figures aligned, tables in columns (or records), charts in
    `#`."""

    def __init__(self, doc: Document, footer: str = ""):
        super().__init__(doc)
        self.brand_footer = footer

    def header(self) -> None:
        doc = self.doc
        self.lines += [
            doc.title,
            "=" * min(len(doc.title), WIDTH),
            *wrap(f"{doc.period_title} · {doc.basis} basis · as of {doc.as_of}"),
        ]
        self.lines += wrap(
            "Data: "
            + "; ".join(
                f"{s.name}{f' to {s.freshness}' if s.freshness else ''} ({s.state})"
                for s in doc.sources
            )
        )
        if doc.link:
            self.lines.append(f"Online: {doc.link}")

    def headline(self, metrics: tuple[Metric, ...]) -> None:
        self.lines += [
            "",
            "KEY NUMBERS",
            "-----------",
            *metric_lines(self.doc, metrics, lambda m: since(self.doc, m)),
        ]

    def section(self, section: Section) -> None:
        self.lines += ["", section.title.upper(), "-" * min(len(section.title), WIDTH)]

    def metrics(self, block: MetricsBlock) -> None:
        self.lines += metric_lines(self.doc, block.items, against_target)

    def table(self, block: TableBlock) -> None:
        self.lines += ["", *wrap(block.table.title + ":"), *table_lines(block.table)]
        if block.table.note:
            self.lines += wrap(f"({block.table.note})")

    def findings(self, block: FindingsBlock) -> None:
        for f in block.items:
            self.lines += [
                "",
                *wrap(
                    f"[{f.severity.upper()}] {f.title}" + (f" ({standing(f)})" if f.status else "")
                ),
                *wrap(f.evidence, "    "),
                *wrap(f"-> {f.action}" + (f" <{f.url}>" if f.url else ""), "    "),
            ]

    def actions(self, block: ActionsBlock) -> None:
        for i, a in enumerate(block.items, start=1):
            late = " OVERDUE" if a.due < self.doc.as_of else ""
            self.lines += textwrap.wrap(
                f"{i:>2}. {a.title} — {a.owner}, due {a.due}{late}"
                + (f" <{a.url}>" if a.url else ""),
                WIDTH,
                subsequent_indent="    ",
                break_long_words=False,  # a link stays whole, to be copied
            )

    def chart(self, block: ChartBlock) -> None:
        self.lines += [
            "",
            *wrap(f"{block.title}{f' ({block.unit})' if block.unit else ''}:"),
            *chart_lines(block),
        ]
        if block.note:
            self.lines += wrap(f"({block.note})")

    def text(self, block: TextBlock) -> None:
        self.lines += ["", *wrap(("NOTE: " if block.tone == "warn" else "") + block.text)]

    def footer(self) -> None:
        doc = self.doc
        if doc.footnotes:
            self.lines += ["", "Where the numbers come from:"]
            for i, m in enumerate(doc.footnotes, start=1):
                self.lines += textwrap.wrap(
                    f"[{i}] {footnote_text(m)}", WIDTH, subsequent_indent="    "
                )
        self.lines += ["", *wrap(self.brand_footer)] if self.brand_footer else []
        self.lines += [
            "",
            f"-- {doc.organization} · {doc.id} report for {doc.period} · sent by boardpack",
        ]

    def finish(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines) + "\n"


def metric_lines(doc: Document, metrics, extra: Callable[[Metric], list[str]]) -> list[str]:
    """`Label [footnote]  value` aligned, then what `extra` says of it: on the same line while it
    fits, each further part on a line of its own under the value."""
    width = max(len(m.label) for m in metrics) + 6
    out = []
    for m in metrics:
        label = f"{m.label} [{doc.footnote_number(m.id)}]"
        line = f"{label:<{width}} {value_text(m.value, m.unit)}"
        for part in extra(m):
            if len(line) + 2 + len(part) <= WIDTH:
                line += "  " + part
            else:
                out.append(line)
                line = " " * (width + 1) + part
        out.append(line)
    return out


def against_target(m: Metric) -> list[str]:
    target = [f"target {value_text(m.target, m.unit)}"] if m.target is not None else []
    return target + ([f"({m.status})"] if m.status else [])


def since(doc: Document, m: Metric) -> list[str]:
    return [f"({move})" for move in changes(doc, m)]


def table_lines(table: Table) -> list[str]:
    """Aligned columns within 78 columns, the widest text column wrapped to fit; one `label: value`
    record per row when even that cannot fit."""
    cells = [[cell_text(row.get(c.id)) for c in table.columns] for row in table.rows]
    widths = [max([len(c.label)] + [len(r[i]) for r in cells]) for i, c in enumerate(table.columns)]
    overflow = sum(widths) + 2 * (len(widths) - 1) - WIDTH
    texts = [i for i, c in enumerate(table.columns) if not c.numeric]
    if overflow > 0 and texts:
        widest = max(texts, key=lambda i: widths[i])
        if widths[widest] - overflow >= MIN_WRAPPED:
            widths[widest] -= overflow
            overflow = 0
    if overflow <= 0:

        def lines(values: list[str]) -> list[str]:
            wrapped = [textwrap.wrap(v, w) or [""] for v, w in zip(values, widths)]
            return [
                "  ".join(
                    (
                        (part[k] if k < len(part) else "").rjust(w)
                        if c.numeric
                        else (part[k] if k < len(part) else "").ljust(w)
                    )
                    for part, w, c in zip(wrapped, widths, table.columns)
                )
                for k in range(max(map(len, wrapped)))
            ]

        out = lines([c.label for c in table.columns]) + ["  ".join("-" * w for w in widths)]
        for row in cells:
            out += lines(row)
        return out
    label_width = max(len(c.label) for c in table.columns)
    out: list[str] = []
    for row in cells:
        out.append("")
        for c, value in zip(table.columns, row):
            out += textwrap.wrap(
                f"{c.label + ':':<{label_width + 1}} {value}",
                WIDTH,
                subsequent_indent=" " * (label_width + 2),
            ) or [""]
    return out


def chart_lines(chart: ChartBlock) -> list[str]:
    """Bars of `#` within 78 columns; with several series, each bar starts with its series' initial.
    """
    texts = [[cell_text(v) for v in values] for _, values in chart.rows]
    value_width = max(len(t) for row in texts for t in row)
    label_width = min(MIN_WRAPPED + 6, max(len(label) for label, _ in chart.rows))
    several = len(chart.series) > 1
    bar_width = WIDTH - label_width - value_width - (5 if several else 3)
    out = [", ".join(f"{name[0]} = {name}" for name in chart.series)] if several else []
    for (label, values), row in zip(chart.rows, texts):
        for i, (value, text) in enumerate(zip(values, row)):
            shown = label[:label_width] if i == 0 else ""
            mark = f"{chart.series[i][0]} " if several else ""
            bar = "#" * round(bar_width * chart.share(value) / 100)
            out.append(f"{shown:<{label_width}}  {mark}{bar:<{bar_width}} {text:>{value_width}}")
    return out
