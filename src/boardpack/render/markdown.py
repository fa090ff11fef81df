"""Markdown, for wikis and chat integrations. Every value is escaped: no raw HTML passes through."""

from __future__ import annotations

import re

from boardpack.render.walk import Writer
from boardpack.reports.document import Document
from boardpack.reports.plain import Data, plain

SPECIAL = re.compile(r"([\\`*_\[\]|~])")  # characters that open markup anywhere in a line
LEADING = re.compile(r"^(\s*)([#>+-]|\d+\.)")  # and those that do only at its start


def md(text: str, starts_line: bool = False) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = SPECIAL.sub(r"\\\1", text).replace("\n", " ")
    return LEADING.sub(lambda m: m[1] + "\\" + m[2], text) if starts_line else text


def render_markdown(doc: Document) -> str:
    return MarkdownWriter(plain(doc)).write()


class MarkdownWriter(Writer):
    """Headings, lists and pipe tables, every value escaped."""

    def header(self) -> None:
        doc = self.doc
        self.lines += [
            f"# {md(doc['title'])}",
            "",
            f"*{md(doc['period_title'])} · {doc['basis']} basis · as of {doc['as_of']}*",
            "",
            *([f"Online: <{doc['link']}>", ""] if doc["link"] else []),
            "Data: " + "; ".join(map(source_line, doc["sources"])),
        ]

    def headline(self, metrics: list[Data]) -> None:
        self.lines += ["", "## Key numbers", ""]
        for m in metrics:
            since = f" ({md('; '.join(m['moves']))})" if m["moves"] else ""
            self.lines.append(f"- **{md(m['label'])}**[^{m['footnote']}]: {md(m['shown'])}{since}")

    def section(self, section: Data) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines += [f"## {md(section['title'])}", ""]

    def metrics(self, block: Data) -> None:
        for m in block["items"]:
            target = f" (target {md(m['target_shown'])})" if m["target"] is not None else ""
            status = f" — {m['status']}" if m["status"] else ""
            self.lines.append(
                f"- **{md(m['label'])}**[^{m['footnote']}]: {md(m['shown'])}{target}{status}"
            )

    def table(self, block: Data) -> None:
        t, columns = block["table"], block["table"]["columns"]
        self.lines += ["", f"**{md(t['title'])}**", ""]
        if t["empty"]:
            self.lines += [md(t["empty"]), ""]  # a paragraph of its own
        else:
            self.lines += [
                "| " + " | ".join(md(c["label"]) for c in columns) + " |",
                "|" + "|".join("---:" if c["numeric"] else "---" for c in columns) + "|",
            ]
            self.lines += ["| " + " | ".join(map(md, cells)) + " |" for cells in t["cells"]]
        if t["note"]:
            self.lines += ["", f"*{md(t['note'])}*"]

    def findings(self, block: Data) -> None:
        for f in block["items"]:
            standing = f" _({f['standing']})_" if f["standing"] else ""
            link = f" <{f['url']}>" if f["url"] else ""
            who = f" — {md(f['who'])}" if f["who"] else ""
            action = f" → {md(f['action'])}{who}{link}" if f["action"] or link else ""
            self.lines.append(
                f"- **{f['severity'].upper()}** {md(f['title'])}{standing}: {md(f['evidence'])}"
                f"{action}"
            )

    def actions(self, block: Data) -> None:
        for a in block["items"]:
            late = f", **{a['late_shown']}**" if a["overdue"] else ""
            link = f" <{a['url']}>" if a["url"] else ""
            who = f"{md(a['owner'])}, due {a['due_shown']}"
            self.lines.append(f"{a['priority']}. {md(a['title'])} — {who}{late}{link}")

    def chart(self, block: Data) -> None:
        unit = f" ({md(block['unit'])})" if block["unit"] else ""
        self.lines += ["", f"**{md(block['title'])}**{unit}", ""]
        if block["empty"]:
            self.lines += [md(block["empty"]), ""]
        else:
            self.lines += [
                "| | " + " | ".join(md(name) for name in block["series"]) + " |",
                "|---|" + "---:|" * len(block["series"]),
            ]
            self.lines += [
                f"| {md(row['label'])} | " + " | ".join(bar["shown"] for bar in row["bars"]) + " |"
                for row in block["rows"]
            ]
        if block["note"]:
            self.lines += ["", f"*{md(block['note'])}*"]

    def text(self, block: Data) -> None:
        # a paragraph of its own: two text blocks never run together
        warned = block["tone"] == "warn"
        said = "> **Note:** " + md(block["text"]) if warned else md(block["text"], starts_line=True)
        self.lines += [said, ""]

    def footer(self) -> None:
        self.lines += [
            "",
            *(f"[^{m['footnote']}]: {md(m['footnote_text'])}" for m in self.doc["footnotes"]),
        ]

    def finish(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


def source_line(s: Data) -> str:
    to = f", to {s['freshness']}" if s["freshness"] else ""
    live = f"; {s['snapshot']}" if "snapshot" in s else ""
    return f"{md(s['name'])} ({s['state']}{to}{live})"
