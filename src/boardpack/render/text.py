"""Plain text: the multipart alternative and the archive copy, readable at 78 columns."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from boardpack.render.walk import Writer
from boardpack.reports.document import Document
from boardpack.reports.plain import Data, plain

WIDTH = 78
MIN_WRAPPED = 18  # narrowest a wrapped text column may get before rows become records


def wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]


def render_text(doc: Document, footer: str = "") -> str:
    return TextWriter(plain(doc), footer).write()


class TextWriter(Writer):
    """78 columns: titles underlined, figures aligned, tables in columns (or records), charts in
    `#`."""

    def __init__(self, data: Data, footer: str = ""):
        super().__init__(data)
        self.brand_footer = footer

    def header(self) -> None:
        doc = self.doc
        self.lines += [
            doc["title"],
            "=" * min(len(doc["title"]), WIDTH),
            *wrap(f"{doc['period_title']} · {doc['basis']} basis · as of {doc['as_of']}"),
        ]
        self.lines += wrap("Data: " + "; ".join(map(source_line, doc["sources"])))
        if doc["link"]:
            self.lines.append(f"Online: {doc['link']}")

    def headline(self, metrics: list[Data]) -> None:
        self.lines += ["", "KEY NUMBERS", "-----------", *metric_lines(metrics, since)]

    def section(self, section: Data) -> None:
        title = section["title"]
        self.lines += ["", title.upper(), "-" * min(len(title), WIDTH)]

    def metrics(self, block: Data) -> None:
        self.lines += metric_lines(block["items"], against_target)

    def table(self, block: Data) -> None:
        t = block["table"]
        rows = wrap(t["empty"]) if t["empty"] else table_lines(t)
        self.lines += ["", *wrap(t["title"] + ":"), *rows]
        if t["note"]:
            self.lines += wrap(f"({t['note']})")

    def findings(self, block: Data) -> None:
        for f in block["items"]:
            standing = f" ({f['standing']})" if f["standing"] else ""
            link = f" <{f['url']}>" if f["url"] else ""
            who = f" — {f['who']}" if f["who"] else ""
            self.lines += [
                "",
                *wrap(f"[{f['severity'].upper()}] {f['title']}{standing}"),
                *wrap(f["evidence"], "    "),
                *(wrap(f"-> {f['action']}{who}{link}", "    ") if f["action"] or link else []),
            ]

    def actions(self, block: Data) -> None:
        for a in block["items"]:
            late = f", {a['late_shown'].upper()}" if a["overdue"] else ""
            link = f" <{a['url']}>" if a["url"] else ""
            who = f"{a['owner']}, due {a['due_shown']}"
            self.lines += textwrap.wrap(
                f"{a['priority']:>2}. {a['title']} — {who}{late}{link}",
                WIDTH,
                subsequent_indent="    ",
                break_long_words=False,  # a link stays whole, to be copied
            )

    def chart(self, block: Data) -> None:
        unit = f" ({block['unit']})" if block["unit"] else ""
        rows = wrap(block["empty"]) if block["empty"] else chart_lines(block)
        self.lines += ["", *wrap(f"{block['title']}{unit}:"), *rows]
        if block["note"]:
            self.lines += wrap(f"({block['note']})")

    def text(self, block: Data) -> None:
        self.lines += ["", *wrap(("NOTE: " if block["tone"] == "warn" else "") + block["text"])]

    def footer(self) -> None:
        doc = self.doc
        if doc["footnotes"]:
            self.lines += ["", "Where the numbers come from:"]
            for m in doc["footnotes"]:
                self.lines += textwrap.wrap(
                    f"[{m['footnote']}] {m['footnote_text']}", WIDTH, subsequent_indent="    "
                )
        self.lines += ["", *wrap(self.brand_footer)] if self.brand_footer else []
        closing = f"{doc['organization']} · {doc['id']} report for {doc['period']}"
        self.lines += ["", f"-- {closing} · sent by boardpack"]

    def finish(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines) + "\n"


def source_line(s: Data) -> str:
    to = f" to {s['freshness']}" if s["freshness"] else ""
    live = f"; {s['snapshot']}" if "snapshot" in s else ""
    return f"{s['name']}{to} ({s['state']}{live})"


def metric_lines(metrics: list[Data], extra: Callable[[Data], list[str]]) -> list[str]:
    """`Label [footnote]  value` aligned, then what `extra` says of it: on the same line while it
    fits, each further part on a line of its own under the value."""
    width = max(len(m["label"]) for m in metrics) + 6
    out = []
    for m in metrics:
        label = f"{m['label']} [{m['footnote']}]"
        line = f"{label:<{width}} {m['shown']}"
        for part in extra(m):
            if len(line) + 2 + len(part) <= WIDTH:
                line += "  " + part
            else:
                out.append(line)
                # under the value, or less indented where the part would not fit there
                line = " " * (width + 1 if width + 1 + len(part) <= WIDTH else 4) + part
        out.append(line)
    return out


def against_target(m: Data) -> list[str]:
    target = [f"target {m['target_shown']}"] if m["target"] is not None else []
    return target + ([f"({m['status']})"] if m["status"] else [])


def since(m: Data) -> list[str]:
    return [f"({move})" for move in m["moves"]]


def table_lines(table: Data) -> list[str]:
    """Aligned columns within 78 columns, the widest text column wrapped to fit; one `label: value`
    record per row when even that cannot fit."""
    columns = table["columns"]
    cells = table["cells"]
    widths = [max([len(c["label"])] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    overflow = sum(widths) + 2 * (len(widths) - 1) - WIDTH
    texts = [i for i, c in enumerate(columns) if not c["numeric"]]
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
                    aligned(part[k] if k < len(part) else "", w, c["numeric"])
                    for part, w, c in zip(wrapped, widths, columns)
                )
                for k in range(max(map(len, wrapped)))
            ]

        out = lines([c["label"] for c in columns]) + ["  ".join("-" * w for w in widths)]
        for row in cells:
            out += lines(row)
        return out
    label_width = max(len(c["label"]) for c in columns)
    out: list[str] = []
    for row in cells:
        out.append("")
        for c, value in zip(columns, row):
            out += textwrap.wrap(
                f"{c['label'] + ':':<{label_width + 1}} {value}",
                WIDTH,
                subsequent_indent=" " * (label_width + 2),
            ) or [""]
    return out


def aligned(text: str, width: int, numeric: bool) -> str:
    return text.rjust(width) if numeric else text.ljust(width)


def chart_lines(chart: Data) -> list[str]:
    """Bars of `#` within 78 columns; with several series, each bar starts with its series' initial.
    """
    rows, series = chart["rows"], chart["series"]
    texts = [[bar["shown"] for bar in row["bars"]] for row in rows]
    value_width = max(len(t) for row in texts for t in row)
    label_width = min(MIN_WRAPPED + 6, max(len(row["label"]) for row in rows))
    several = len(series) > 1
    bar_width = WIDTH - label_width - value_width - (5 if several else 3)
    out = [", ".join(f"{name[0]} = {name}" for name in series)] if several else []
    for row, shown in zip(rows, texts):
        for i, (bar, text) in enumerate(zip(row["bars"], shown)):
            label = row["label"][:label_width] if i == 0 else ""
            mark = f"{series[i][0]} " if several else ""
            drawn = "#" * round(bar_width * bar["share"] / 100)
            out.append(f"{label:<{label_width}}  {mark}{drawn:<{bar_width}} {text:>{value_width}}")
    return out
