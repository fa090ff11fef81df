"""Every demo report in a real browser, at a phone's width and a desktop's: nothing scrolls
sideways, nothing reaches past the screen's edge, nothing is fetched from anywhere. Screenshots go
to artifacts/browser/.
"""

import pytest

from tests.browser.conftest import Visit, installed_font

WIDTHS = (375, 1280)


@pytest.fixture(scope="module")
def reports(demo_workspace):
    found = sorted((demo_workspace / "reports" / "2026-10").glob("*.html"))
    assert len(found) == 10
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_report_fits_the_screen_and_fetches_nothing(browser, reports, width):
    with Visit(browser, width) as visit:  # one page, each report opened in turn
        for report in reports:
            visit.requests.clear()
            visit.page.goto(report.as_uri())
            overflow = visit.overflow()
            visit.screenshot(f"{report.stem}-{width}")
            assert overflow == {"scroll": 0, "wide": []}, f"{report.name} at {width}px"
            assert visit.requests == [report.as_uri()], f"{report.name} fetched more than itself"


def test_every_table_fits_the_640_pixel_column_in_the_widest_common_sans_font(browser, reports):
    """The rule, not a font's widths: in DejaVu Sans (wide, and what a Linux mail client falls back
    to), at a desktop's width every table stays inside the 640 px email column, because its cells
    may break.
    """
    assert installed_font("DejaVu Sans"), "the test needs DejaVu Sans (fonts-dejavu-core)"
    with Visit(browser, 1280) as visit:
        for report in reports:
            visit.page.goto(report.as_uri())
            visit.page.add_style_tag(content='* { font-family: "DejaVu Sans" !important; }')
            widths = visit.page.evaluate("""() => {
                const wrap = document.querySelector('.wrap'), style = getComputedStyle(wrap);
                const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
                const tables = [...document.querySelectorAll('table')].map(t => t.offsetWidth);
                return {column: wrap.clientWidth - padding, tables};
            }""")
            assert widths["column"] <= 640
            assert max(widths["tables"]) <= widths["column"], report.name
            assert visit.overflow() == {"scroll": 0, "wide": []}, report.name


def test_a_phone_shows_a_wide_table_as_one_card_per_row(browser, reports):
    """At 375 px a table's header row is hidden and each cell is labelled with its column's name."""
    cfo = next(r for r in reports if r.stem == "cfo")
    with Visit(browser, 375) as visit:
        visit.page.goto(cfo.as_uri())
        cell = visit.page.locator("table.data td[data-label='Revenue']").first
        assert cell.evaluate("e => getComputedStyle(e).display") == "block"
        assert cell.evaluate("e => getComputedStyle(e, '::before').content") == '"Revenue"'
        assert not visit.page.locator("table.data thead").first.is_visible()
    with Visit(browser, 1280) as visit:
        visit.page.goto(cfo.as_uri())
        assert visit.page.locator("table.data thead").first.is_visible()


def test_dark_mode_turns_the_page_dark(browser, reports):
    cfo = next(r for r in reports if r.stem == "cfo")
    with Visit(browser, 375, color_scheme="dark") as visit:
        visit.page.goto(cfo.as_uri())
        background = visit.page.locator(".wrap").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        assert background == "rgb(17, 24, 39)"
        visit.screenshot("cfo-375-dark")
