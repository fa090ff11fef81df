"""Renderers: golden files for every format, exact decimal JSON, and escaping of hostile text
everywhere."""

import json
import re

import pytest

from boardpack.render import FORMATS, render

ROLES = ("ceo", "cfo", "accounting", "cto", "cmo")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fmt", ["txt", "md", "json"])
def test_golden(pack, golden, role, fmt):
    doc = next(d for d in pack.documents if d.id == role)
    golden(f"{role}.{fmt}", render(doc, fmt))


def test_golden_html(pack, golden):
    golden("cfo.html", render(next(d for d in pack.documents if d.id == "cfo"), "html"))


def test_json_form_matches_the_design(pack):
    doc = json.loads(render(next(d for d in pack.documents if d.id == "cfo"), "json"))
    assert {"id", "title", "subject", "period", "generated_at", "sources", "sections"} <= doc.keys()
    assert doc["period"] == "2026-10"
    assert doc["sections"][0]["id"] == "summary"  # the summary leads, a text block
    metric = doc["sections"][1]["blocks"][0]["items"][0]
    assert metric == {
        "id": "finance.cash_balance",
        "label": "Cash balance",
        "value": "14800.00",
        "unit": "USD",
        "target": None,
        "status": None,
        "provenance": ["ledger/bank.csv"],
        "previous": "11600.00",  # September's close: October moved it by +3,200.00
        "year_earlier": None,  # the ledger starts in July 2026
        "note": "opening balances plus every transaction through 2026-10-31",
        "direction": "better",  # more cash is better: +3,200.00 since September
        "direction_on_year": None,
    }
    accounting = json.loads(render(next(d for d in pack.documents if d.id == "accounting"), "json"))
    table = next(
        b
        for s in accounting["sections"]
        for b in s["blocks"]
        if b["type"] == "table" and b["id"] == "accounting.income_statement"
    )
    assert [c["id"] for c in table["columns"]] == ["account", "period", "ttm"]
    assert table["rows"][0] == {"account": "Income:Sales", "period": "1200.00", "ttm": "9200.00"}


def test_one_metric_one_value_in_every_report(pack):
    seen = {}
    for doc in pack.documents:
        for metric in doc.footnotes:
            assert seen.setdefault(metric.id, metric.value) == metric.value
    assert {"finance.cash_balance", "finance.runway_months"} <= seen.keys()
    # one value, rounded for its reader: the CEO's tiles in thousands and its sentences in whole
    # units, the CFO's to the cent, in every format
    ceo, cfo = (next(d for d in pack.documents if d.id == i) for i in ("ceo", "cfo"))
    for fmt in ("txt", "html", "md"):
        assert "14.8k USD" in render(ceo, fmt) and "14,800.00" not in render(ceo, fmt), fmt
        assert "Cash is 14,800 USD" in render(ceo, fmt), fmt
        assert "14,800.00 USD" in render(cfo, fmt), fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_script_in_a_memo_or_note_is_never_live(pack, fmt):
    for doc in pack.documents:
        text = render(doc, fmt)
        if fmt in ("html", "md"):
            assert "<script" not in text and "<b>" not in text
        if fmt == "json":
            assert "<" not in text
    accounting = render(next(d for d in pack.documents if d.id == "accounting"), fmt)
    assert "alert(1)" in accounting  # shown, but inert


def test_html_is_self_contained_for_mail_clients(pack):
    html = render(pack.documents[0], "html")
    # CSS inlined; only what cannot be (dark mode, the phone layout, print) stays in a <style>, as
    # at-rules
    (kept,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert (
        'style="' in html
        and re.sub(r"@(media|page)[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", kept).strip() == ""
    )
    assert "prefers-color-scheme: dark" in kept
    assert (
        "<script" not in html
        and "<svg" not in html
        and "http://" not in html
        and "https://" not in html
    )
    assert 'name="viewport"' in html


def test_text_fits_78_columns(pack):
    for doc in pack.documents:
        assert max(len(line) for line in render(doc, "txt").splitlines()) <= 78


def test_missing_source_sections_say_so(tmp_path):
    from boardpack.config import load_workspace
    from boardpack.pipeline import build_pack
    from tests.conftest import AS_OF, GENERATED_AT, TOML, write_workspace

    toml = TOML.replace('[sources.channels]\npath = "marketing/channels.csv"\n', "")
    pack = build_pack(
        load_workspace(write_workspace(tmp_path, toml), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )
    cmo = next(d for d in pack.documents if d.id == "cmo")
    # the sections that read only the channels are left out, and the last line says why
    assert cmo.sections[-1].id == "workspace"
    assert cmo.sections[-1].blocks[0].text == (
        "The channels and sites sources are not configured; not shown: Channel visibility, Channel"
        " revenue against the books, Funnel and conversion, Listing platforms, Local search."
        " `boardpack check` says how."
    )
    assert any("channels source is not configured" in t for t in cmo.setup)
    cto = next(d for d in pack.documents if d.id == "cto")
    # how to connect is for whoever keeps the workspace (`check`), never in a section
    assert any(
        "reads the git and aws sources, and boardpack.toml configures none of them" in t
        for t in cto.setup
    )
    assert "The aws source is not configured in boardpack.toml" not in render(cto, "txt")


def test_a_report_too_big_for_gmail_moves_its_detail_to_an_attachment_and_says_so(pack):
    from dataclasses import replace
    from decimal import Decimal
    from email import message_from_bytes, policy

    from boardpack.delivery.plan import plan_messages
    from boardpack.model import Column, Table
    from boardpack.render.html import HTML_LIMIT, email_html
    from boardpack.reports.document import Section, TableBlock
    from tests.conftest import GENERATED_AT

    assert all(email_html(doc)[1] is None for doc in pack.documents)  # an ordinary pack fits whole
    rows = tuple({"memo": f"payment {i}", "amount": Decimal(i)} for i in range(3000))
    big = Table(
        id="test.detail",
        title="Every payment",
        columns=(Column.text("memo", "Memo"), Column.number("amount", "Amount")),
        rows=rows,
    )
    ceo = next(d for d in pack.documents if d.id == "ceo")
    doc = replace(
        ceo,
        sections=ceo.sections
        + (Section(id="test.detail", title="Detail", blocks=(TableBlock(table=big),)),),
    )
    html, full = email_html(doc)
    assert len(html.encode()) <= HTML_LIMIT < len(full.encode())
    assert "2990 more rows are in the attached full report." in html
    assert "payment 9<" in html and "payment 2999<" not in html and "payment 2999<" in full
    (message,), _ = plan_messages(pack.workspace, [doc], GENERATED_AT)
    parsed = message_from_bytes(message.raw, policy=policy.SMTP)
    (attached,) = list(parsed.iter_attachments())
    assert (
        attached.get_filename() == "ceo-2026-10.html" and "payment 2999<" in attached.get_content()
    )
    assert len(parsed.get_body(("html",)).get_content().encode()) <= HTML_LIMIT
