"""Technology risk ranked by revenue (issue 26, part 5), worked by hand on a three-venture
portfolio: score = severity weight × the venture's share of the last 12 months' revenue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import GENERATED_AT, write_workspace

TOML = """
[organization]
name = "Three Co"
currency = "USD"
timezone = "UTC"
{entities}
{ledgers}
[sources.notes]
paths = ["notes/*.md"]
"""
ENTITY = '[[entities]]\nid = "{id}"\nname = "{name}"\nkind = "services"\n'
LEDGER = (
    '[[sources.ledger]]\npath = "{id}.csv"\nentity = "{id}"\n[sources.ledger.columns]\n'
    'date = "Date"\namount = "Amount"\naccount = "Account"\n'
)
EARNED = {"alpha": "6000.00", "beta": "3000.00", "gamma": "1000.00"}  # 60%, 30%, 10%
RISKS = {  # venture (or none) -> a technology risk and its severity
    "alpha": "high",  # 3 × 0.6 = 1.80
    "beta": "medium",  # 2 × 0.3 = 0.60
    "gamma": "critical",  # 4 × 0.1 = 0.40
    None: "low",  # 1 × 1.0 = 1.00: on no one venture, all of the revenue
}


def note(entity, severity) -> str:
    head = f"entity: {entity}\n" if entity else ""
    return (
        f"---\n{head}title: {entity or 'shared'} tech\nstatus: green\nupdated: 2026-11-10\nrisks:\n"
        f"  - title: {entity or 'shared'} server is unpatched\n    severity: {severity}\n"
        "    area: technology\n    action: Patch it\n---\n"
    )


def test_the_ranking_worked_by_hand(tmp_path):
    files = {
        f"{e}.csv": f"Date,Amount,Account\n2026-06-10,{v},Income:Fees\n" for e, v in EARNED.items()
    }
    files |= {f"notes/{e or 'shared'}.md": note(e, s) for e, s in RISKS.items()}
    toml = TOML.format(
        entities="\n".join(ENTITY.format(id=e, name=e.capitalize()) for e in EARNED),
        ledgers="\n".join(LEDGER.format(id=e) for e in EARNED),
    )
    root = write_workspace(
        tmp_path / "ws", toml, files | {"ledger/bank.csv": None, "notes/co.md": None}
    )
    pack = build_pack(
        load_workspace(root, environ={}), date(2026, 11, 15), generated_at=GENERATED_AT
    )
    rows = pack.results.tables["security.revenue_at_risk"].rows
    assert [(r["venture"], r["share"], r["score"]) for r in rows] == [
        ("Alpha", Decimal("60.0"), Decimal("1.80")),
        ("every venture", Decimal("100.0"), Decimal("1.00")),
        ("Beta", Decimal("30.0"), Decimal("0.60")),
        ("Gamma", Decimal("10.0"), Decimal("0.40")),
    ]
    ceo = next(d for d in pack.documents if d.id == "ceo")
    section = next(s for s in ceo.sections if s.id == "executive.revenue_at_risk")
    lines = [b.text for b in section.blocks]
    assert lines[0] == (
        "1. alpha server is unpatched (high, Alpha) — puts 60.0% of revenue at risk."
    )
    assert len(lines) == 4 and lines[3].startswith("Score = severity weight")
