"""Markdown, for wikis and chat integrations. Every value is escaped: no raw HTML passes through."""

from __future__ import annotations

import re

from boardpack.model import Metric
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

SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # characters that open markup anywhere in a line
LEADING = re.compile(r"^(\s*)([#>+-]|\d+\.)")  # and those that do only at its start


def md(text: str, starts_line: bool = False) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = SPECIAL.sub(r"\\\1", text).replace("\n", " ")
    return LEADING.sub(lambda m: m[1] + "\\" + m[2], text) if starts_line else text


def render_markdown(doc: Document) -> str:
    return MarkdownWriter(doc).write()


class MarkdownWriter(Writer):
    """Headings, lists and pipe tables, every value escaped."""

    def header(self) -> None:
        doc = self.doc
        self.lines += [
            f"# {md(doc.title)}",
            "",
            f"*{md(doc.period_title)} · {doc.basis} basis · as of {doc.as_of}*",
            "",
            *([f"Online: <{doc.link}>", ""] if doc.link else []),
            "Data: "
            + "; ".join(
                f"{md(s.name)} ({s.state}{', to ' + str(s.freshness) if s.freshness else ''})"
                for s in doc.sources
            ),
        ]

    def headline(self, metrics: tuple[Metric, ...]) -> None:
        self.lines += ["", "## Key numbers", ""]
        for m in metrics:
            moves = changes(self.doc, m)
            since = f" ({md('; '.join(moves))})" if moves else ""
            self.lines.append(
                f"- **{md(m.label)}**[^{self.doc.footnote_number(m.id)}]: "
                f"{md(value_text(m.value, m.unit))}{since}"
            )

    def section(self, section: Section) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines += [f"## {md(section.title)}", ""]

    def metrics(self, block: MetricsBlock) -> None:
        self.lines += [
            f"- **{md(m.label)}**[^{self.doc.footnote_number(m.id)}]:"
            f" {md(value_text(m.value, m.unit))}"
            + (f" (target {md(value_text(m.target, m.unit))})" if m.target is not None else "")
            + (f" — {m.status}" if m.status else "")
            for m in block.items
        ]

    def table(self, block: TableBlock) -> None:
        t = block.table
        self.lines += [
            "",
            f"**{md(t.title)}**",
            "",
            "| " + " | ".join(md(c.label) for c in t.columns) + " |",
            "|" + "|".join("---:" if c.numeric else "---" for c in t.columns) + "|",
        ]
        self.lines += [
            "| " + " | ".join(md(cell_text(row.get(c.id))) for c in t.columns) + " |"
            for row in t.rows
        ]
        if t.note:
            self.lines += ["", f"*{md(t.note)}*"]

    def findings(self, block: FindingsBlock) -> None:
        self.lines += [
            f"- **{f.severity.upper()}** {md(f.title)}"
            + (f" _({standing(f)})_" if f.status else "")
            + f": {md(f.evidence)} → {md(f.action)}"
            + (f" <{f.url}>" if f.url else "")
            for f in block.items
        ]

    def actions(self, block: ActionsBlock) -> None:
        self.lines += [
            f"{i}. {md(a.title)} — {md(a.owner)}, due {a.due}"
            + (" **overdue**" if a.due < self.doc.as_of else "")
            + (f" <{a.url}>" if a.url else "")
            for i, a in enumerate(block.items, start=1)
        ]

    def chart(self, block: ChartBlock) -> None:
        self.lines += [
            "",
            f"**{md(block.title)}**{f' ({md(block.unit)})' if block.unit else ''}",
            "",
            "| | " + " | ".join(md(name) for name in block.series) + " |",
            "|---|" + "---:|" * len(block.series),
        ]
        self.lines += [
            f"| {md(label)} | " + " | ".join(cell_text(v) for v in values) + " |"
            for label, values in block.rows
        ]
        if block.note:
            self.lines += ["", f"*{md(block.note)}*"]

    def text(self, block: TextBlock) -> None:
        self.lines += [  # a paragraph of its own: two text blocks never run together
            (
                "> **Note:** " + md(block.text)
                if block.tone == "warn"
                else md(block.text, starts_line=True)
            ),
            "",
        ]

    def footer(self) -> None:
        self.lines += [
            "",
            *(f"[^{i}]: {md(footnote_text(m))}" for i, m in enumerate(self.doc.footnotes, start=1)),
        ]

    def finish(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"
