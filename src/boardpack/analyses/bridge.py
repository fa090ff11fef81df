"""Why net income changed: from the previous period's net income to this one's, in the largest
moves by venture and account (the rest as one line), so the amounts add up exactly to the change.
"""

from __future__ import annotations

from decimal import Decimal

from boardpack.analyses.ledger_sql import EXPENSE, INCOME, ZERO, ledger_files, money
from boardpack.model import Column, Portfolio, Results, Table

MOVES = 5  # the largest moves shown one by one


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    period, currency = portfolio.period, portfolio.currency
    before = period.previous()
    rows = portfolio.db.execute(
        f"""SELECT entity, account,
                   coalesce(sum(amount) FILTER (date BETWEEN $start AND $end), 0) AS now,
                   coalesce(sum(amount) FILTER (date < $start), 0) AS then
            FROM books WHERE ({INCOME} OR {EXPENSE}) AND date BETWEEN $before AND $end
            GROUP BY ALL""",
        {"start": period.start, "end": period.end, "before": before.start},
    ).fetchall()
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    moves = sorted(
        ((now - then, entity, account) for entity, account, now, then in rows if now != then),
        key=lambda m: (-abs(m[0]), m[1] or "", m[2]),
    )
    start = sum((then for *_, then in rows), ZERO)
    end = sum((now for _, _, now, _ in rows), ZERO)
    lines = [{"label": f"Net income, {before.title}", "amount": money(start)}]
    for change, entity, account in moves[:MOVES]:
        kind = "revenue" if account.startswith("Income:") else "cost"
        way = "up" if (change > 0) == (kind == "revenue") else "down"
        lines.append(
            {
                "label": f"{names.get(entity, entity or 'No venture')}: {account} {kind} {way}",
                "amount": money(change),
            }
        )
    rest = sum((change for change, *_ in moves[MOVES:]), Decimal(0))
    if rest:
        lines.append({"label": f"{len(moves) - MOVES} other changes", "amount": money(rest)})
    lines.append({"label": f"Net income, {period.title}", "amount": money(end)})
    results.add(
        Table(
            id="finance.bridge",
            title=f"Net income, {before.title} to {period.title} ({currency})",
            columns=(Column.text("label", "Step"), Column.number("amount", "Amount")),
            rows=tuple(lines),
            provenance=ledger_files(portfolio),
            note=(
                f"The {MOVES} largest moves by venture and account, then the rest; they add up to"
                f" the change ({portfolio.basis} basis; a cost up lowers net income)."
            ),
        )
    )
