"""Markdown, for wikis and chat integrations. Every value is escaped: no raw HTML passes through."""

from __future__ import annotations

import re

from boardpack.render.values import cell_text, footnote_text, value_text
from boardpack.reports.document import Document

SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # characters that open markup anywhere in a line
LEADING = re.compile(r"^(\s*)([#>+-]|\d+\.)")  # and those that do only at its start


def md(text: str, starts_line: bool = False) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = SPECIAL.sub(r"\\\1", text).replace("\n", " ")
    return LEADING.sub(lambda m: m[1] + "\\" + m[2], text) if starts_line else text


def render_markdown(doc: Document) -> str:
    out = [f"# {md(doc.title)}", "", f"*{md(doc.period_title)} · as of {doc.as_of}*", "",
           "Data: " + "; ".join(f"{md(s.name)} ({s.state}{', to ' + str(s.freshness) if s.freshness else ''})"
                                for s in doc.sources)]
    for section in doc.sections:
        out += ["", f"## {md(section.title)}", ""]
        for block in section.blocks:
            if block.type == "metrics":
                out += [f"- **{md(m.label)}**[^{doc.footnote_number(m.id)}]: {md(value_text(m.value, m.unit))}"
                        + (f" (target {md(value_text(m.target, m.unit))})" if m.target is not None else "")
                        + (f" — {m.status}" if m.status else "") for m in block.items]
            elif block.type == "table":
                t = block.table
                out += ["", f"**{md(t.title)}**", "", "| " + " | ".join(md(c.label) for c in t.columns) + " |",
                        "|" + "|".join("---:" if c.numeric else "---" for c in t.columns) + "|"]
                out += ["| " + " | ".join(md(cell_text(row.get(c.id))) for c in t.columns) + " |" for row in t.rows]
                if t.note:
                    out += ["", f"*{md(t.note)}*"]
            elif block.type == "chart":
                out += ["", f"**{md(block.title)}**{f' ({md(block.unit)})' if block.unit else ''}", "",
                        "| | " + " | ".join(md(name) for name in block.series) + " |",
                        "|---|" + "---:|" * len(block.series)]
                out += [f"| {md(label)} | " + " | ".join(cell_text(v) for v in values) + " |"
                        for label, values in block.rows]
            elif block.type == "findings":
                out += [f"- **{f.severity.upper()}** {md(f.title)}: {md(f.evidence)} → {md(f.action)}" for f in block.items]
            elif block.type == "actions":
                out += [f"{i}. {md(a.title)} — {md(a.owner)}, due {a.due}{' **overdue**' if a.due < doc.as_of else ''}"
                        for i, a in enumerate(block.items, start=1)]
            else:
                out += ["> **Note:** " + md(block.text) if block.tone == "warn" else md(block.text, starts_line=True)]
        out.append("")
    out += [f"[^{i}]: {md(footnote_text(m))}" for i, m in enumerate(doc.footnotes, start=1)]
    return "\n".join(out).rstrip() + "\n"
