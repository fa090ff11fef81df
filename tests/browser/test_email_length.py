"""Every demo email within its readers' time (issue 38): in Chromium at 390 x 844 px, the email's
body down to its "The full report" line is at most its report's screens, in the first month and in
the second (sent after the first, so "What changed for you" has something to say), and its HTML
stays under 90 KB (Gmail clips a message at 102 KB).
"""

from __future__ import annotations

import email
import json
from datetime import date
from email import policy

import pytest

from boardpack.demo import generate
from boardpack.reports.length import SCREEN
from boardpack.reports.roles import CUSTOM_SCREENS, VENTURE_SCREENS
from tests.browser.conftest import Visit, installed_font
from tests.conftest import run_cli

PHONE = 390
MAX_HTML = 90 * 1024
BUDGETS = {"ceo": 3, "cfo": 6, "accounting": 6, "cto": 6, "cmo": 6, "board": CUSTOM_SCREENS}
# the top of the closing line's heading, or the whole page where an email has none
TO_FULL_REPORT = """() => {
    const line = [...document.querySelectorAll('h2')]
        .find(h => h.innerText.trim() === 'The full report');
    const top = line ? line.getBoundingClientRect().top + window.scrollY : null;
    return {top, whole: document.documentElement.scrollHeight};
}"""


@pytest.fixture(scope="module")
def two_months(tmp_path_factory) -> dict[str, dict[str, str]]:
    """The demo's emails for October and November, each report's HTML by report id."""
    root = tmp_path_factory.mktemp("two-months") / "harbor"
    generate(root, date(2026, 12, 22))
    # the emails as sent, without the archive's PDFs (which change no email, and took most of the
    # time)
    toml = root / "boardpack.toml"
    toml.write_text(toml.read_text().replace("[archive]\npdf = true", "[archive]\npdf = false"))
    assert "pdf = false" in toml.read_text()
    emails = {}
    for as_of, period in (("2026-11-22", "2026-10"), ("2026-12-22", "2026-11")):
        done = run_cli("send", "-w", str(root), "--as-of", as_of)
        assert done.returncode == 0, done.stderr
        index = (root / "outbox" / "index.jsonl").read_text().splitlines()
        index = [json.loads(line) for line in index]
        emails[period] = {
            e["report"]: email.message_from_bytes(
                (root / "outbox" / e["file"]).read_bytes(), policy=policy.default
            )
            .get_body(("html",))
            .get_content()
            for e in index
            if e["file"].startswith(f"{period}/")
        }
    return emails


@pytest.mark.parametrize("period", ["2026-10", "2026-11"])
def test_every_email_fits_its_screens_and_stays_under_90_kb(browser, two_months, period):
    assert installed_font("DejaVu Sans"), "the test needs DejaVu Sans (fonts-dejavu-core)"
    sent = two_months[period]
    assert len(sent) == 10
    measured = {}
    with Visit(browser, PHONE) as visit:  # one page, each email opened in turn
        visit.page.set_viewport_size({"width": PHONE, "height": SCREEN})
        for report, html in sent.items():
            budget = BUDGETS.get(report, VENTURE_SCREENS)
            visit.page.set_content(html)
            visit.page.add_style_tag(content='* { font-family: "DejaVu Sans" !important; }')
            where = visit.page.evaluate(TO_FULL_REPORT)
            visit.screenshot(f"email-{period}-{report}-{PHONE}")
            height = where["top"] if where["top"] is not None else where["whole"]
            measured[report] = round(height / SCREEN, 2)
            assert height <= budget * SCREEN, f"{report}: {measured[report]} screens of {budget}"
            assert len(html.encode()) < MAX_HTML, f"{report}: {len(html.encode()):,} bytes"
    # every demo report is longer than its email: each says where the rest is
    assert all(f"Attached as {report}-{period}.html" in html for report, html in sent.items())
