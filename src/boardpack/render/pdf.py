"""The PDF archive copy of a report: the full HTML report laid out on A4 pages by WeasyPrint."""

from __future__ import annotations

from functools import cache

from boardpack.errors import WorkspaceError
from boardpack.render.branding import PLAIN, Brand
from boardpack.render.html import render_report
from boardpack.reports.document import Document


@cache
def weasyprint():
    try:
        import weasyprint
    # OSError: the Pango library it draws text with is missing
    except (
        ImportError,
        OSError,
    ) as exc:
        raise WorkspaceError(
            f"archive.pdf / archive.attach_pdf need WeasyPrint and the Pango library ({exc}): "
            "pip install 'boardpack[pdf]', and on Debian or Ubuntu apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0; or set pdf = false and attach_pdf = false under [archive]"
        ) from None
    return weasyprint


def render_pdf(doc: Document, brand: Brand = PLAIN) -> bytes:
    """Fetches nothing: the HTML is self-contained (the logo a data: URI) and only data: URLs are
    read.

    WeasyPrint reads the template's <style> as it is: the CSS inlined for mail clients only slows it
    down (bench/report_look.py)."""
    wp = weasyprint()
    fetcher = wp.URLFetcher(allowed_protocols={"data"})
    html = render_report(doc, brand, "data")
    return wp.HTML(string=html, url_fetcher=fetcher).write_pdf()
