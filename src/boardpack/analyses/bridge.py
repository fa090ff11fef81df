"""Why net income changed: from the previous period's net income to this one's (and from the budget,
and from the same period last year), in the largest moves by venture and account, the rest as one
line, so the amounts add up exactly to the change. Each material move also gets a sentence
(`finance.commentary`), with what another source says drove it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from boardpack.analyses import drivers
from boardpack.analyses.budget import budget_files
from boardpack.analyses.ledger_sql import EXPENSE, INCOME, ZERO, ledger_files, money, reaches_back
from boardpack.figures import said
from boardpack.model import Column, Metric, Portfolio, Results, Table
from boardpack.period import Period

MOVES = 5  # the largest moves shown one by one
CEO_MOVES = 3  # the CEO report's sentences


@dataclass(frozen=True)
class Move:
    """One venture and account's change in net income, with the figures it moved between."""

    entity: str | None
    account: str
    then: Decimal  # net income terms: income positive, costs negative
    now: Decimal

    @property
    def change(self) -> Decimal:
        return self.now - self.then

    @property
    def revenue(self) -> bool:
        return self.account.startswith("Income")


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    period = portfolio.period
    before = period.previous()
    moves = changes(portfolio, before)
    results.add(bridge(portfolio, "finance.bridge", before.title, moves))
    for entity in portfolio.workspace.settings.entities:
        own = [m for m in moves if m.entity == entity.id]
        results.add(
            bridge(portfolio, f"finance.bridge.{entity.id}", before.title, own, entity.name)
        )
    compared = [("previous", m, before) for m in moves]
    earlier = period.year_earlier()
    if reaches_back(portfolio, earlier):
        year_moves = changes(portfolio, earlier)
        results.add(bridge(portfolio, "finance.bridge_year_earlier", earlier.title, year_moves))
        compared += [("year_earlier", m, earlier) for m in year_moves]
    if portfolio.budget:
        budget_moves, unbudgeted = against_budget(portfolio)
        results.add(
            budget_bridge(portfolio, budget_moves, unbudgeted),
            Metric(
                id="finance.net_income_budget",
                label="Budgeted net income",
                value=money(sum((m.then for m in budget_moves), ZERO)),
                unit=portfolio.currency,
                provenance=budget_files(portfolio),
                note=f"the budget's income less its expenses, {period.title}",
            ),
        )
        compared += [("budget", m, None) for m in budget_moves]
    results.add(commentary(portfolio, results, compared))


def changes(portfolio: Portfolio, before: Period) -> list[Move]:
    """Each venture and account's net income in `before` and in the period, where it moved, the
    largest first."""
    period = portfolio.period
    rows = portfolio.db.execute(
        f"""SELECT entity, account,
                   coalesce(sum(amount) FILTER (date BETWEEN $start AND $end), 0),
                   coalesce(sum(amount) FILTER (date BETWEEN $bstart AND $bend), 0)
            FROM books WHERE ({INCOME} OR {EXPENSE})
              AND (date BETWEEN $start AND $end OR date BETWEEN $bstart AND $bend)
            GROUP BY ALL""",
        {"start": period.start, "end": period.end, "bstart": before.start, "bend": before.end},
    ).fetchall()
    return ranked(Move(entity, account, then, now) for entity, account, now, then in rows)


def ranked(moves) -> list[Move]:
    """Largest change first; the unchanged ones too, at the end, as they count in the totals."""
    return sorted(moves, key=lambda m: (-abs(m.change), m.entity or "", m.account))


def against_budget(portfolio: Portfolio) -> tuple[list[Move], Decimal]:
    """Each budget line's budget and actual for the period in net income terms (an account's actual
    counted once, under the most specific line that covers it), and the actual no line covers."""
    period = portfolio.period
    budget: dict[tuple[str | None, str], Decimal] = {}
    for line in portfolio.budget:
        if period.start.replace(day=1) <= line.month <= period.end:
            key = (line.entity, line.account)
            sign = 1 if line.account.startswith("Income") else -1
            budget[key] = budget.get(key, ZERO) + sign * line.amount
    keys = {(line.entity, line.account) for line in portfolio.budget}
    actual: dict[tuple[str | None, str], Decimal] = {}
    unbudgeted = ZERO
    for entity, account, amount in portfolio.db.execute(
        f"SELECT entity, account, sum(amount) FROM books WHERE ({INCOME} OR {EXPENSE})"
        " AND date BETWEEN ? AND ? GROUP BY ALL",
        (period.start, period.end),
    ).fetchall():
        covering = [
            k
            for k in keys
            if (k[0] is None or k[0] == entity)
            and (account == k[1] or account.startswith(k[1] + ":"))
        ]
        if not covering:
            unbudgeted += amount
            continue
        key = max(covering, key=lambda k: (len(k[1]), k[0] is not None))
        actual[key] = actual.get(key, ZERO) + amount
    moves = ranked(
        Move(
            entity,
            account,
            budget.get((entity, account), ZERO),
            actual.get((entity, account), ZERO),
        )
        for entity, account in keys
    )
    return moves, unbudgeted


def venture(portfolio: Portfolio, entity: str | None) -> str:
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    return names.get(entity, entity) if entity else "All ventures"


def step(portfolio: Portfolio, move: Move, against: str = "") -> str:
    kind = "revenue" if move.revenue else "cost"
    way = "up" if (move.change > 0) == move.revenue else "down"
    if against:
        way = ("over" if way == "up" else "under") + f" {against}"
    return f"{venture(portfolio, move.entity)}: {move.account} {kind} {way}"


def table(
    portfolio: Portfolio,
    id: str,
    title: str,
    start: tuple[str, Decimal],
    steps: list[tuple[str, Decimal]],
    end: tuple[str, Decimal],
    note: str,
    provenance: tuple[str, ...],
) -> Table:
    """A bridge: the start, the MOVES largest steps, the rest as one line, the end; exact."""
    rest = sum((amount for _, amount in steps[MOVES:]), ZERO)
    rows = [start, *steps[:MOVES]]
    if rest:
        rows.append((f"{len(steps) - MOVES} other changes", rest))
    rows.append(end)
    return Table(
        id=id,
        title=f"{title} ({portfolio.currency})",
        columns=(Column.text("label", "Step"), Column.number("amount", "Amount")),
        rows=tuple({"label": label, "amount": money(amount)} for label, amount in rows),
        provenance=provenance,
        note=note,
    )


def bridge(portfolio: Portfolio, id: str, before: str, moves: list[Move], name: str = "") -> Table:
    period = portfolio.period
    whose = f", {name}" if name else ""
    return table(
        portfolio,
        id,
        f"Net income{whose}, {before} to {period.title}",
        (f"Net income, {before}", sum((m.then for m in moves), ZERO)),
        [(step(portfolio, m), m.change) for m in moves if m.change],
        (f"Net income, {period.title}", sum((m.now for m in moves), ZERO)),
        f"The {MOVES} largest moves by venture and account, then the rest; they add up to the"
        f" change ({portfolio.basis} basis; a cost up lowers net income).",
        ledger_files(portfolio),
    )


def budget_bridge(portfolio: Portfolio, moves: list[Move], unbudgeted: Decimal) -> Table:
    period = portfolio.period
    steps = [(step(portfolio, m, "budget"), m.change) for m in moves if m.change]
    if unbudgeted:
        steps.append(("Accounts with no budget line", unbudgeted))
        steps.sort(key=lambda s: -abs(s[1]))
    return table(
        portfolio,
        "finance.bridge_budget",
        f"Net income, budget to actual, {period.title}",
        (f"Budgeted net income, {period.title}", sum((m.then for m in moves), ZERO)),
        steps,
        (f"Net income, {period.title}", sum((m.now for m in moves), unbudgeted)),
        "Each budget line's actual less its budget (an account under the most specific line"
        f" that covers it), then the accounts no line covers ({portfolio.basis} basis).",
        (*budget_files(portfolio), *ledger_files(portfolio)),
    )


def whole(amount: Decimal) -> str:
    """An amount in a sentence that has named its currency: `15,155`."""
    return said(amount, "")


def commentary(portfolio: Portfolio, results: Results, compared: list) -> Table:
    """A sentence for each material move: against the previous period, the same period last year
    and the budget, with what drove it where another source says. The three largest moves since
    the previous period are always said (the CEO report's), material or not."""
    threshold = portfolio.workspace.settings.finance.variance_threshold
    currency = portfolio.currency
    rows = []
    for basis, move, before in compared:
        if not move.change:
            continue
        base = abs(move.then)
        material = abs(move.change) >= threshold.amount and (
            not base or abs(move.change) * 100 / base >= threshold.percent
        )
        rank = sum(1 for r in rows if r["basis"] == basis)
        if not material and not (basis == "previous" and rank < CEO_MOVES):
            continue
        what = "revenue" if move.revenue else "costs"
        shown_then, shown_now = (abs(move.then), abs(move.now))
        if basis == "budget":
            up = (move.change > 0) == move.revenue
            sentence = (
                f"{venture(portfolio, move.entity)}: {move.account} {what} came in"
                f" {said(abs(move.change), currency)} {'over' if up else 'under'} budget"
                f" ({whole(shown_now)} against {whole(shown_then)} budgeted)"
            )
            why, source = drivers.explain(portfolio, results, move, None)
        else:
            rose = shown_now > shown_then
            sentence = (
                f"{venture(portfolio, move.entity)}: {move.account} {what}"
                f" {'rose' if rose else 'fell'} {said(abs(shown_now - shown_then), currency)}"
                f" against {before.title}, from {whole(shown_then)} to {whole(shown_now)}"
            )
            why, source = drivers.explain(portfolio, results, move, before)
        rows.append(
            {
                "basis": basis,
                "rank": rank + 1,
                "material": material,
                "sentence": sentence + (f"; {why}" if why else "") + ".",
                # what drove it, where another source says, apart: a report with the bridge table
                # says only this (reports/sections.py, `drivers`)
                "venture": venture(portfolio, move.entity),
                "account": move.account,
                "against": before.title if before else "budget",
                "why": why,
                "amount": money(move.change),
                "sources": ", ".join((*ledger_files(portfolio), *([source] if source else []))),
            }
        )
    return Table(
        id="finance.commentary",
        title="What moved net income",
        columns=(
            Column.text("basis", "Against"),
            Column.text("sentence", "What moved"),
            Column.number("amount", "Effect on net income"),
        ),
        rows=tuple(rows),
        provenance=ledger_files(portfolio),
        note=(
            f"Material: a move of at least {threshold.amount:,} {currency} and"
            f" {threshold.percent}% of where it started ([finance] variance_threshold)."
        ),
    )
