"""Links a report offers: where to act on a finding or an action, and the report itself in the
owner's archive. Only `https:` links with a host, no spaces or control characters; templates fill
only `{period}` and `{report}`, each quoted as a path part."""

from __future__ import annotations

import string
from urllib.parse import quote, urlsplit

PLACEHOLDERS = frozenset({"period", "report"})


def checked(url: str) -> str:
    """`url` if it is one a report may carry; else ValueError saying why."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValueError(f"link {url!r} has a space or a control character")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"link {url!r} is not an https:// address: only https links are shown")
    return url


def checked_template(template: str) -> str:
    """An archive template: an https link whose only placeholders are {period} and {report}."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(f"link template {template!r}: {exc}") from None
    unknown = sorted(fields - PLACEHOLDERS)
    if unknown:
        raise ValueError(
            f"link template {template!r} has the unknown placeholder {{{unknown[0]}}}: use"
            " {period} and {report}"
        )
    checked(template.format(period="2026-10", report="ceo"))
    return template


def filled(template: str, period: str, report: str) -> str:
    return template.format(period=quote(period, safe=""), report=quote(report, safe=""))
