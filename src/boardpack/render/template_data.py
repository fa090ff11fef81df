"""What a report template sees: the report's plain data (`reports.plain`), and the brand.

Dicts, lists, strings, numbers, Decimal, dates and None only — never a Document, a Path or anything
with methods — so that a template, which may be someone else's, can read the report and nothing
else. What a template used to ask an object for (a footnote's number, a metric's change, a bar's
length) is in the plain data already.
"""

from __future__ import annotations

from typing import Any

from boardpack.render.branding import Brand
from boardpack.reports.document import Document
from boardpack.reports.plain import plain


def report_data(doc: Document, brand: Brand, logo: str | None, rows: int | None) -> dict[str, Any]:
    """The context of `report.html.j2`: `doc`, `brand`, `logo` (its src, or None) and `rows` (a cut,
    or None)."""
    shown = {
        "accent": brand.accent,
        "footer": brand.footer,
        "logo": {"width": brand.logo.width, "height": brand.logo.height} if brand.logo else None,
    }
    return {"doc": plain(doc), "brand": shown, "logo": logo, "rows": rows}
