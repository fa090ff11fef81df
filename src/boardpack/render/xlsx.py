"""A report as an XLSX workbook, for the accountant: its figures, each table on a sheet of its own,
the findings and actions, and where every figure comes from — numbers as numbers (money in the
currency's format), dates as dates, and every text a text cell: a value that begins with `=`, `+`,
`-` or `@` is never a formula.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

from boardpack.currencies import minor_units
from boardpack.reports.document import Document
from boardpack.reports.plain import Data, blocks_of, plain

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SHEET_NAME = 31  # Excel's longest sheet name
NOT_IN_NAMES = re.compile(r"[\[\]:*?/\\']")


def render_xlsx(doc: Document, currency: str) -> bytes:
    import xlsxwriter  # here: only a pack that writes a workbook pays for it

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            # text stays text: never a formula, a number or a link made from it
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    data = plain(doc, whole=True)
    created = datetime.fromisoformat(data["generated_at"]).replace(tzinfo=None)
    book.set_properties({"title": data["title"], "created": created})
    Sheets(book, data, currency).write()
    book.close()
    return out.getvalue()


def contents(section: Data) -> list[tuple[Data, str]]:
    """Each block of a section, and what it says in a line: a metric's label and value, a table's
    or a chart's title (its sheet) and that it has no rows, a finding's or an action's title, a
    text."""
    lines = []
    for b in section["blocks"]:
        kind = b["type"]
        if kind == "metrics":
            lines += [(b, f"{m['label']}: {m['shown']}") for m in b["items"]]
        elif kind in ("findings", "actions"):
            lines += [(b, item["title"]) for item in b["items"]]
        elif kind in ("table", "chart"):
            shown = b["table"] if kind == "table" else b
            lines.append((b, ": ".join(filter(None, (shown["title"], shown["empty"])))))
        else:
            lines.append((b, b["text"]))
    return lines


class Sheets:
    def __init__(self, book, doc: Data, currency: str):
        self.book, self.doc, self.names = book, doc, set()
        places = minor_units(currency)
        money = f"#,##0{'.' + '0' * places if places else ''}"
        self.formats = {
            "head": book.add_format({"bold": True, "bottom": 1}),
            "title": book.add_format({"bold": True, "font_size": 14}),
            "money": book.add_format({"num_format": f'{money} "{currency}"'}),
            "number": book.add_format({"num_format": "#,##0.####"}),
            "count": book.add_format({"num_format": "#,##0"}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "text": book.add_format({"text_wrap": False}),
        }
        self.currency = currency

    def write(self) -> None:
        doc = self.doc
        self.sheet(
            "Figures",
            f"{doc['title']}, {doc['period_title']}",
            ["Figure", "Value", "Unit", doc["previous_title"], doc["year_earlier_title"], "Id"],
            [  # a figure's values go with its unit: (value, unit)
                [
                    m["label"],
                    (m["value"], m["unit"]) if m["value"] is not None else m["shown"],
                    m["unit"],
                    (m["previous"], m["unit"]),
                    (m["year_earlier"], m["unit"]),
                    m["id"],
                ]
                for m in doc["footnotes"]
            ],
        )
        self.sheet(
            "Report",
            f"{doc['title']}, section by section",
            ["Section", "Block", "What"],
            [[s["title"], b["type"], said] for s in doc["sections"] for b, said in contents(s)],
        )
        for b in blocks_of(doc, "table"):
            t, columns = b["table"], b["table"]["columns"]
            self.sheet(
                t["title"],
                t["title"],
                [c["label"] for c in columns],
                [[row.get(c["id"]) for c in columns] for row in t["rows"]],
                note=t["note"],
            )
        for b in blocks_of(doc, "chart"):
            self.sheet(
                b["title"],
                b["title"] + (f" ({b['unit']})" if b["unit"] else ""),
                ["", *b["series"]],
                [[row["label"], *row["values"]] for row in b["rows"]],
                note=b["note"],
            )
        if findings := [f for b in blocks_of(doc, "findings") for f in b["items"]]:
            keys = ("severity", "area", "entity", "title", "evidence", "action", "status", "id")
            self.sheet(
                "Findings",
                "Findings",
                ["Severity", "Area", "Venture", "Finding", "Evidence", "Action", "Status", "Id"],
                [[f[k] for k in keys] for f in findings],
            )
        if actions := [a for b in blocks_of(doc, "actions") for a in b["items"]]:
            self.sheet(
                "Actions",
                "Actions",
                ["Owner", "Action", "Due", "Venture", "Status", "Id"],
                [
                    [a["owner"], a["title"], a["due"] or a["due_shown"], a["entity"], a["status"]]
                    + [a["id"]]
                    for a in actions
                ],
            )
        self.sheet(
            "Footnotes",
            "Where each figure comes from",
            ["#", "Figure", "How and where from"],
            [[m["footnote"], m["label"], m["footnote_text"]] for m in doc["footnotes"]],
        )

    def sheet(
        self,
        name: str,
        title: str,
        header: list[str],
        rows: list[list],
        note: str = "",
    ) -> None:
        ws = self.book.add_worksheet(self.unique(name))
        f = self.formats
        ws.write_string(0, 0, title, f["title"])
        start = 1
        if note:
            ws.write_string(1, 0, note)
            start = 2
        for c, label in enumerate(header):
            ws.write_string(start, c, label or "", f["head"])
        widths = [len(label or "") for label in header]
        for r, row in enumerate(rows, start=start + 1):
            for c, value in enumerate(row):
                value, unit = value if isinstance(value, tuple) else (value, None)
                shown = self.cell(ws, r, c, value, unit)
                widths[c] = max(widths[c], min(60, len(shown)))
        for c, width in enumerate(widths):
            ws.set_column(c, c, width + 2)
        ws.freeze_panes(start + 1, 0)

    def cell(self, ws, r: int, c: int, value, unit: str | None) -> str:
        """Write one value as what it is (money: in the figure's currency, or in a table a Decimal
        of the currency's places); return its text, for the column's width."""
        f = self.formats
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            ws.write_boolean(r, c, value)
            return "FALSE"
        if isinstance(value, (date, datetime)) or (
            isinstance(value, str) and ISO_DAY.fullmatch(value)
        ):
            day = value if isinstance(value, (date, datetime)) else date.fromisoformat(value)
            ws.write_datetime(r, c, datetime(day.year, day.month, day.day), f["date"])
            return "yyyy-mm-dd"
        if isinstance(value, int):
            ws.write_number(r, c, value, f["count"])
            return f"{value:,}"
        if isinstance(value, Decimal):
            places = -minor_units(self.currency)
            money = (
                unit == self.currency if unit is not None else value.as_tuple().exponent == places
            )
            ws.write_number(r, c, float(value), f["money"] if money else f["number"])
            return f"{value:,} {self.currency}" if money else f"{value:,}"
        text = str(value)
        ws.write_string(r, c, text, f["text"])
        return text

    def unique(self, name: str) -> str:
        """A sheet name Excel accepts (31 characters, none of []:*?/\\'), unique in the book."""
        base = NOT_IN_NAMES.sub(" ", name).strip()
        if len(base) > SHEET_NAME:  # cut at a word where one is near
            cut = base.rfind(" ", SHEET_NAME // 2, SHEET_NAME + 1)
            base = base[: cut if cut > 0 else SHEET_NAME].rstrip(" ,;(–-")
        base = base or "Sheet"
        found, n = base, 2
        while found.lower() in self.names:
            suffix = f" ({n})"
            found, n = base[: SHEET_NAME - len(suffix)] + suffix, n + 1
        self.names.add(found.lower())
        return found
