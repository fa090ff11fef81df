"""HTML email: a Jinja2 template with autoescape, its CSS inlined so that Gmail and Outlook keep it.

Report templates run in `sandbox.DataSandbox` on the plain data of `template_data`, the workspace's
own (branding.templates) searched before the built-ins: a workspace `report.html.j2` replaces the
built-in one, or extends it as "builtin/report.html.j2".
"""

from __future__ import annotations

import traceback
from functools import cache
from pathlib import Path
from typing import Literal

import css_inline
from jinja2 import (
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.sandbox import SecurityError

from boardpack.errors import WorkspaceError
from boardpack.figures import cell_text, change_text, reading, value_text
from boardpack.render import budget
from boardpack.render.branding import PLAIN, Brand
from boardpack.render.sandbox import DataSandbox, FolderLoader, TemplateLimit, render_bounded
from boardpack.render.template_data import report_data
from boardpack.reports.document import Document
from boardpack.reports.plain import Data, blocks_of

HTML_LIMIT = 100_000  # bytes; Gmail clips at 102 KB
Embed = Literal["cid", "data"]  # how the logo travels: a part of the message, or inside the file


@cache
def environment(templates: Path | None = None) -> DataSandbox:
    """The report templates' sandbox: the workspace's folder (if any) before the built-ins."""
    builtin = PackageLoader("boardpack.render", "templates")
    loaders = [FolderLoader(templates)] if templates else []
    env = DataSandbox(
        loader=ChoiceLoader([*loaders, builtin, PrefixLoader({"builtin": builtin})]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.add_filters(value=value_text, cell=cell_text, change=change_text)
    return env


@cache
def pages() -> Environment:
    """boardpack's own pages (the preview): built-in templates only, never a workspace's."""
    env = Environment(
        loader=PackageLoader("boardpack.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(value=value_text, cell=cell_text, change=change_text)
    return env


@cache
def inliner() -> css_inline.CSSInliner:
    # at-rules (dark mode, the phone layout) cannot be inlined: they stay in a <style> the clients
    # that can, read
    return css_inline.CSSInliner(
        keep_style_tags=False, keep_at_rules=True, minify_css=True, load_remote_stylesheets=False
    )


def template_problem(exc: TemplateError, templates: Path | None) -> WorkspaceError:
    """A template's mistake as `file:line: what`, the file being the workspace's own where it is
    theirs."""
    if isinstance(exc, TemplateSyntaxError):
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        return WorkspaceError(f"{where}: template syntax error: {exc.message}")
    where = where_in_template(exc, templates)
    if isinstance(exc, TemplateLimit):
        return WorkspaceError(f"{where}: the template went past a limit: {exc}")
    if isinstance(exc, SecurityError):
        return WorkspaceError(
            f"{where}: the template sandbox refused this: {str(exc).rstrip('.')}. Templates see "
            "the report as plain data (doc, its sections and metrics), not Python objects"
        )
    return WorkspaceError(f"{where}: template error: {exc}")


def where_in_template(exc: BaseException, templates: Path | None) -> str:
    """`file:line` where rendering stopped: Jinja points the traceback at template lines, the last
    one is it."""
    roots = [str(templates)] if templates else []
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename.endswith(".j2") or any(f.filename.startswith(r) for r in roots)
    ]
    if frames:
        return f"{frames[-1].filename}:{frames[-1].lineno}"
    return getattr(exc, "filename", None) or str(templates or "report.html.j2")


class PageTooLarge(WorkspaceError):
    """boardpack's own template made a page past the limit: the data is too large, not the
    template wrong."""


def render_page(template: str, templates: Path | None, context: dict) -> str:
    """A report page from plain data (`template_data`), in the sandbox and within its limits."""
    try:
        return render_bounded(
            environment(templates), template, context, timed=templates is not None
        )
    except TemplateLimit as exc:
        if templates is None:  # boardpack's own template: the data is too large, not the template
            raise PageTooLarge(str(exc)) from None
        raise template_problem(exc, templates) from None
    except TemplateError as exc:
        raise template_problem(exc, templates) from None
    except RecursionError as exc:
        raise WorkspaceError(
            f"{where_in_template(exc, templates)}: a template calls itself without end "
            "(a macro or include that never stops)"
        ) from None
    except WorkspaceError:
        raise
    # a workspace template's own mistake (range(10**9), 1/0): said, never a traceback
    except Exception as exc:
        if templates is None:
            raise
        raise WorkspaceError(
            f"{where_in_template(exc, templates)}: template error: {type(exc).__name__}: {exc}"
        ) from None


def render_report(doc: Document, brand: Brand, embed: Embed, rows: int | None = None) -> str:
    logo = brand.logo.src(embed) if brand.logo else None
    context = report_data(doc, brand, logo, rows)
    try:
        with reading(doc.reading):  # a template's own `value`, `cell` and `change` filters too
            return render_page("report.html.j2", brand.templates, context)
    except PageTooLarge:
        raise WorkspaceError(too_large(context["doc"])) from None


def too_large(doc: Data) -> str:
    """Which of the report's tables (and so which source) makes it too large to send."""
    tables = [b["table"] for b in blocks_of(doc, "table")]
    message = f"the {doc['title']} would be more than {budget.OUTPUT_LIMIT:,} characters as HTML"
    if not tables:
        return message + ": a report cannot carry that much"
    largest = max(tables, key=lambda t: len(t["rows"]))
    where = ", ".join(largest["provenance"][:3]) or "the pack"
    return (
        f"{message}: its largest table, {largest['title']!r} ({largest['id']}), has "
        f"{len(largest['rows']):,} rows, from {where}; that source holds more than a report can "
        "carry: trim it to the period's records, or leave it out"
    )


def render_html(
    doc: Document, rows: int | None = None, brand: Brand = PLAIN, embed: Embed = "data"
) -> str:
    """The report as HTML email; with `rows`, each table cut to that many rows, the rest said to be
    attached."""
    return inliner().inline(render_report(doc, brand, embed, rows))


def email_html(doc: Document, brand: Brand = PLAIN) -> tuple[str, str | None]:
    """The HTML part, and the full report to attach when the part would be clipped: Gmail cuts a
    message's HTML after 102 KB and hides the rest behind a link few people follow."""
    full = render_html(doc, brand=brand, embed="cid")
    if len(full.encode()) <= HTML_LIMIT:
        return full, None
    for rows in (10, 5, 0):
        short = render_html(doc, rows, brand, "cid")
        if len(short.encode()) <= HTML_LIMIT:
            break
    # the attachment is a file: its logo travels inside it
    return short, render_html(doc, brand=brand)
