"""Budget against actual: each budget line beside what the books show for the period and the year
to date, the full-year outlook (actual to date, then the budget for the months left), and the
variance in money and percent, favourable or not by the kind of account.

Both figures are shown as a budget is written, income and expenses positive: spending over the
budget is an unfavourable variance, earning over it a favourable one. A variance is material when
it passes both parts of `[finance] variance_threshold`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from boardpack.analyses.ledger_sql import EXPENSE, INCOME, ZERO, money
from boardpack.model import Column, Portfolio, Results, Table


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.budget or not portfolio.fresh("ledger"):
        return
    period, currency = portfolio.period, portfolio.currency
    threshold = portfolio.workspace.settings.finance.variance_threshold
    year = date(period.end.year, 1, 1)
    keys = sorted({(line.entity or "", line.account) for line in portfolio.budget})

    def budgeted(key: tuple[str, str], first: date, last: date) -> Decimal:
        return sum(
            (
                line.amount
                for line in portfolio.budget
                if (line.entity or "", line.account) == key and first <= line.month <= last
            ),
            ZERO,
        )

    actuals = actual(portfolio, keys, year, period.start, period.end)
    rows = []
    for key in keys:
        entity, account = key
        sign = 1 if account.startswith("Income") else -1  # an expense is spent as a positive
        done, done_ytd = (sign * a for a in actuals.get(key, (ZERO, ZERO)))
        plan = budgeted(key, period.start, period.end)
        plan_ytd = budgeted(key, year, period.end)
        plan_year = budgeted(key, year, date(period.end.year, 12, 31))
        variance = done - plan
        percent = (variance / plan * 100).quantize(Decimal("0.1")) if plan else None
        favourable = variance >= 0 if sign == 1 else variance <= 0
        material = abs(variance) >= threshold.amount and (
            percent is None or abs(percent) >= threshold.percent
        )
        rows.append(
            {
                "account": account,
                "entity": entity or "all",
                "budget": money(plan),
                "actual": money(done),
                "variance": money(variance),
                "variance_percent": percent,
                "ytd_budget": money(plan_ytd),
                "ytd_actual": money(done_ytd),
                "outlook": money(done_ytd + plan_year - plan_ytd),
                "assessment": (
                    ("favourable" if favourable else "unfavourable")
                    + (", material" if material and variance else "")
                ),
            }
        )
    results.add(
        Table(
            id="finance.budget_vs_actual",
            title=f"Budget against actual, {period.title} and the year to date ({currency})",
            columns=(
                Column.text("account", "Account"),
                Column.text("entity", "Venture"),
                Column.number("budget", "Budget"),
                Column.number("actual", "Actual"),
                Column.number("variance", "Variance"),
                Column.number("variance_percent", "Variance %"),
                Column.number("ytd_budget", "Budget, year to date"),
                Column.number("ytd_actual", "Actual, year to date"),
                Column.number("outlook", f"Outlook, {period.end.year}"),
                Column.text("assessment", "Assessment"),
            ),
            rows=tuple(rows),
            provenance=budget_files(portfolio),
            note=(
                "Income and expenses both positive, as budgeted; variance = actual − budget."
                " Outlook: actual to date, then the budget for the months left. Material: at least"
                f" {threshold.amount:,} and {threshold.percent}% of the budget"
                f" ({portfolio.basis} basis)."
            ),
        )
    )
    coverage(portfolio, results)


def coverage(portfolio: Portfolio, results: Results) -> None:
    """The income and expense accounts with money in the period that no budget line covers."""
    period = portfolio.period
    lines = {(line.entity, line.account) for line in portfolio.budget}

    def covered(entity: str, account: str) -> bool:
        return any(
            (e is None or e == entity) and (account == a or account.startswith(a + ":"))
            for e, a in lines
        )

    rows = portfolio.db.execute(
        f"SELECT entity, account, sum(amount) FROM books WHERE ({INCOME} OR {EXPENSE})"
        " AND date BETWEEN ? AND ? GROUP BY ALL ORDER BY account, entity",
        (period.start, period.end),
    ).fetchall()
    results.add(
        Table(
            id="accounting.budget_coverage",
            title=f"Accounts with money and no budget, {period.title} ({portfolio.currency})",
            columns=(
                Column.text("account", "Account"),
                Column.text("entity", "Venture"),
                Column.number("actual", "Actual"),
            ),
            rows=tuple(
                {"account": account, "entity": entity, "actual": money(amount)}
                for entity, account, amount in rows
                if not covered(entity, account)
            ),
            provenance=budget_files(portfolio),
            note="Income positive, expenses negative, as in the books.",
        )
    )


def budget_files(portfolio: Portfolio) -> tuple[str, ...]:
    """Where the budget lines come from: the budget CSV, a beancount ledger's budget entries."""
    return tuple(dict.fromkeys(line.source.rpartition(":")[0] for line in portfolio.budget))


def actual(
    portfolio: Portfolio, keys: list[tuple[str, str]], year: date, start: date, end: date
) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """Each budget key's books for the period and the year to date, in one pass: an account covers
    the accounts below it, an empty entity the whole organization."""
    db = portfolio.db
    db.execute(
        "CREATE OR REPLACE TEMP TABLE budget_keys AS SELECT unnest($entities) AS entity,"
        " unnest($accounts) AS account",
        {"entities": [k[0] for k in keys], "accounts": [k[1] for k in keys]},
    )
    rows = db.execute(
        """SELECT k.entity, k.account,
                  coalesce(sum(b.amount) FILTER (b.date >= $start), 0),
                  coalesce(sum(b.amount), 0)
           FROM budget_keys k JOIN books b
             ON (b.account = k.account OR starts_with(b.account, k.account || ':'))
            AND (k.entity = '' OR b.entity = k.entity)
           WHERE b.date BETWEEN $year AND $end
           GROUP BY ALL""",
        {"start": start, "year": year, "end": end},
    ).fetchall()
    return {(e, a): (p, y) for e, a, p, y in rows}
