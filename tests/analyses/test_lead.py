"""The lead (issue 24): the summary each report opens with, sentence by sentence, and the short
agenda — ranked by severity then due date, one action per thing to do, the rest in an appendix."""

from __future__ import annotations

import re

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from boardpack.reports.document import actions_in, findings_in
from tests.conftest import AS_OF, GENERATED_AT, NOTE, TOML, write_workspace


def pack_of(tmp_path, toml=TOML, files=None):
    root = write_workspace(tmp_path / "ws", toml, files)
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def summary(doc) -> str:
    first = doc.sections[0]
    assert (first.id, first.title, first.blocks[0].type) == ("summary", "In brief", "text")
    return first.blocks[0].text


def test_the_cfo_summary_sentence_by_sentence(pack):
    doc = next(d for d in pack.documents if d.id == "cfo")
    said = re.split(r"(?<=\.) (?=[A-Z])", summary(doc))
    n = doc.footnote_number
    # September −1,900, October −1,400 (tests/analyses/test_bridge.py)
    assert said[0] == (
        f"Net income was -1,400.00 USD [{n('accounting.net_income')}] in October 2026, up 500.00"
        " USD on September 2026."
    )
    low = pack.results.metrics["finance.cash_low"]
    low_day = pack.results.metrics["finance.cash_low_date"]
    assert said[1] == (
        f"Cash is 14,800.00 USD [{n('finance.cash_balance')}]; on the forecast it is lowest at"
        f" {low.value:,} USD [{n('finance.cash_low')}] on {low_day.value}"
        f" [{n('finance.cash_low_date')}], and it stays above zero for the next 12 months."
    )
    assert said[2] == (
        "Most serious: Decision rule failed: Net income is positive (high); Revenue is below"
        " break-even (high)."
    )
    assert said[3] == (
        # the most urgent action that is not a decision (the failed rule is one)
        "First to do: Revenue is below break-even: Raise prices or volume on the highest-margin"
        " venture, or cut fixed costs (CFO, due 2026-11-29)."
    )
    assert len(said) == 4


def test_every_figure_in_a_summary_is_a_footnoted_metric(pack):
    from boardpack.figures import reading, value_text

    marked = 0
    for doc in pack.documents:
        text = summary(doc)
        for number in re.findall(r"\[(\d+)\]", text):
            metric = doc.footnotes[int(number) - 1]
            # the figure before the marker is that metric's value, written as everywhere else in
            # the report (whole units for the CEO, cents for the CFO)
            with reading(doc.reading):
                shown = value_text(metric.value, metric.unit)
            assert f"{shown} [{number}]" in text, (doc.id, number)
            marked += 1
        # and no figure in a sentence goes without its marker but the moves derived from them
        bare = re.sub(r"\S+ USD \[\d+\]|\S+ \[\d+\]", "", text)
        assert not re.search(r"\d+(\.\d\d)? USD(?! on| below| above)", bare), (doc.id, bare)
    assert marked >= 8  # ceo, cfo and accounting say several


def test_a_report_with_nothing_serious_says_so(pack):
    cto = next(d for d in pack.documents if d.id == "cto")
    assert summary(cto) == "No finding in this report is of medium severity or worse."


def test_the_summary_is_the_first_block_of_the_json_form(pack):
    import json

    from boardpack.render import render

    doc = json.loads(render(next(d for d in pack.documents if d.id == "ceo"), "json"))
    first = doc["sections"][0]["blocks"][0]
    assert first["type"] == "text" and first["text"].startswith("Net income was -1,400 USD")


def test_the_agenda_ranks_by_severity_then_due_date(pack):
    agenda = pack.results.agenda
    assert [(a.priority, a.due) for a in agenda] == sorted((a.priority, a.due) for a in agenda)
    # the high findings (priority 2) come before the lease to-do that is due sooner (priority 3)
    titles = [a.title for a in agenda]
    assert titles.index("Renegotiate the lease") > titles.index(
        "Key supplier <b>may</b> close: Find a second supplier"
    )


MERGING_NOTE = NOTE.replace(
    "- [ ] Unowned item",
    "- [ ] @ceo Find a second supplier for the key parts (due 2026-11-18)\n"
    "- [ ] @ceo Find a second caterer (due 2026-11-19)",
)
KPIS = TOML + '[[kpis]]\nid = "co.staff"\nlabel = "Staff"\ntarget = "5"\n'


def test_one_action_per_thing_to_do(tmp_path):
    files = {"notes/co.md": MERGING_NOTE.replace("customers: 12", "customers: 2\n  staff: 1")}
    agenda = pack_of(tmp_path, KPIS, files).results.agenda
    titles = [a.title for a in agenda]
    # the to-do and the risk's action say the same: one line, with the risk's title, the to-do's
    # earlier due date and both sources
    (supplier,) = [a for a in agenda if "second supplier" in a.title]
    assert supplier.title == "Key supplier <b>may</b> close: Find a second supplier"
    assert str(supplier.due) == "2026-11-18"
    assert supplier.source == "notes/co.md; notes/co.md:20"
    assert "Find a second caterer" in titles  # a different thing, though it shares words
    # three KPIs off target (revenue 1,200 of 2,000 too): one line naming them
    kpi_lines = [t for t in titles if "back on target" in t]
    assert kpi_lines == ["Agree a plan to bring it back on target: Customers, Revenue, Staff"]


def test_the_agenda_shows_agenda_size_items_and_the_rest_in_an_appendix(tmp_path):
    pack = pack_of(tmp_path, TOML + "\n[reports.ceo]\nagenda_size = 1\n")
    ceo = next(d for d in pack.documents if d.id == "ceo")
    agenda = next(s for s in ceo.sections if s.id == "executive.agenda")
    assert len(agenda.blocks[0].items) == 1
    # the agenda lists what the report has not shown above: a shortfall's action (with its owner
    # and date) or a decision needed
    above = {a.id for a in actions_in(ceo.sections[:2])} | {
        f.id for f in findings_in(ceo.sections) if f.step
    }
    rest = [a for a in pack.results.agenda if a.id not in above and a.finding not in above]
    assert len(rest) >= 3 and len(rest) < len(pack.results.agenda)
    total = len(rest)
    assert agenda.blocks[1].text == f"{total - 1} more actions in the appendix, in the same order."
    appendix = ceo.sections[-1]
    assert appendix.id == "executive.agenda_rest"
    assert appendix.title == f"Appendix: {total - 1} more actions"
    assert list(agenda.blocks[0].items + appendix.blocks[0].items) == rest
    assert ceo.title.startswith("CEO report")  # only the agenda's size changed


@pytest.mark.parametrize(
    "table, said",
    [
        ("[reports.ceo]\nagenda_size = 0\n", "reports.ceo.agenda_size"),
        ("[reports.board]\nagenda_size = 5\n", "a report of your own needs a title"),
    ],
)
def test_a_bad_report_table_is_refused(tmp_path, table, said):
    root = write_workspace(tmp_path / "ws", TOML + "\n" + table)
    with pytest.raises(WorkspaceError, match=re.escape(said)):
        load_workspace(root, environ={})


def test_the_demo_cto_report_audits_real_code(demo_pack):
    cto = next(d for d in demo_pack.documents if d.id == "cto")
    said = [getattr(b, "text", "") for s in cto.sections for b in s.blocks]
    assert not any("git source is not configured" in t for t in said)
    # AWS is not connected: how to connect it is said once, to whoever keeps the workspace
    # (`check`), and the report's last line names it; no section says it
    aws = [t for t in cto.setup if "aws source is not configured" in t]
    assert len(aws) == 1 and "[sources.aws]" in aws[0]
    assert not any("[sources.aws]" in t for t in said)
    assert said[-1].startswith("The aws source is not configured; ")
    secrets = [
        f
        for s in cto.sections
        for b in s.blocks
        if b.type == "findings"
        for f in b.items
        if "credential committed to northpoint-api" in f.title
    ]
    assert secrets and "fingerprint" in secrets[0].evidence
    assert "AKIAIOSFODNN7EXAMPLE" not in secrets[0].evidence  # never the secret itself
    repo = next(r for r in demo_pack.portfolio.repositories if r.name == "northpoint-api")
    assert repo.ci and repo.test_files and repo.lock_files and repo.staging
    assert demo_pack.results.metrics["technology.maturity.consulting"].value is not None
