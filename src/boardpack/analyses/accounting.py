"""Accounting Officer analyses: income statement (period and trailing twelve months) and coverage.
"""

from __future__ import annotations

from datetime import timedelta

from boardpack.analyses import chart
from boardpack.analyses.ledger_sql import (
    BOOKS,
    EXPENSE,
    INCOME,
    ZERO,
    ledger_files,
    money,
    payee_summary,
    summary,
)
from boardpack.model import Column, Finding, MetricsFrom, Portfolio, Results, Table
from boardpack.period import trailing_months

LISTED = 25  # uncategorized rows shown in the report; the count and total cover all of them


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    period, provenance = portfolio.period, ledger_files(portfolio)
    metric = MetricsFrom(provenance)
    currency = portfolio.currency
    ttm_start, _ = trailing_months(period.end, 12)
    rows = portfolio.db.execute(
        f"""
        SELECT account,
               coalesce(sum(amount) FILTER (date >= ?), 0) AS period,
               sum(amount) AS ttm
        FROM {summary(portfolio, BOOKS, ttm_start, period.start - timedelta(days=1), period.end)}
        WHERE ({INCOME} OR {EXPENSE}) AND date BETWEEN ? AND ?
        GROUP BY account ORDER BY account LIKE 'Expenses:%', account""",
        (period.start, ttm_start, period.end),
    ).fetchall()
    statement = tuple({"account": a, "period": money(p), "ttm": money(t)} for a, p, t in rows)
    results.add(
        Table(
            id="accounting.income_statement",
            title=f"Income statement ({currency}; expenses negative)",
            columns=(
                Column.text("account", "Account"),
                Column.number("period", period.title),
                Column.number("ttm", "Trailing 12 months"),
            ),
            rows=statement,
            provenance=provenance,
        ),
        metric(
            id="accounting.net_income",
            label="Net income",
            value=sum((r["period"] for r in statement), ZERO),
            unit=currency,
            note=f"Income:* plus Expenses:* accounts, {period.title}",
        ),
        metric(
            id="accounting.net_income_ttm",
            label="Net income (trailing 12 months)",
            value=sum((r["ttm"] for r in statement), ZERO),
            unit=currency,
            note=f"Income:* plus Expenses:* accounts, {ttm_start:%b %Y}–{period.end:%b %Y}",
        ),
    )
    if portfolio.unpriced:
        listed = ", ".join(f"{c} ({n})" for c, n in sorted(portfolio.unpriced.items()))
        results.add(
            metric(
                id="accounting.unpriced_postings",
                label="Postings left out of money totals",
                value=sum(portfolio.unpriced.values()),
                unit="postings",
                status="warn",
                note=(
                    f"in commodities with no price to {currency} in the ledger: {listed}; "
                    "add price directives to count them"
                ),
            )
        )
    coverage(portfolio, results, currency, provenance)
    tie_out(portfolio, results, provenance)


def tie_out(portfolio: Portfolio, results: Results, provenance: tuple[str, ...]) -> None:
    """Each bank account's ledger balance beside the bank's own figure for the same day: the
    statement balances dated in the period, and the latest balance the export prints."""
    period = portfolio.period
    shown = [t for t in portfolio.tie_outs if t.date >= period.start or t.evidence != "statement"]
    results.add(
        Table(
            id="accounting.tie_out",
            title="Tie-out to the bank (each account in its own currency)",
            columns=(
                Column.text("account", "Account"),
                Column.text("date", "On"),
                Column.number("ledger", "Ledger"),
                Column.number("bank", "Bank"),
                Column.number("difference", "Difference"),
                Column.text("evidence", "Bank's figure from"),
            ),
            rows=tuple(
                {
                    "account": f"{t.account} ({t.currency})",
                    "date": t.date.isoformat(),
                    "ledger": money(t.ledger),
                    "bank": None if t.bank is None else money(t.bank),
                    "difference": None if t.difference is None else money(t.difference),
                    "evidence": t.evidence,
                }
                for t in shown
            ),
            provenance=provenance,
            note=(
                "Ledger: the opening balance plus every row up to that day. A difference is a row"
                " missing, doubled or wrong, or a wrong opening balance."
            ),
        )
    )
    for t in shown:
        if t.difference:
            results.add(
                Finding(
                    severity="high",
                    area="reconciliation",
                    title=f"{t.account} does not tie out to the bank on {t.date}",
                    evidence=(
                        f"the ledger has {money(t.ledger):,} {t.currency}, the bank"
                        f" {money(t.bank):,} {t.currency}: {money(t.difference):,} apart."
                    ),
                    action="Find the missing or doubled rows (the source's problems list them).",
                    entity=t.entity,
                    source=t.account,
                )
            )


def coverage(
    portfolio: Portfolio, results: Results, currency: str, provenance: tuple[str, ...]
) -> None:
    """Uncategorized rows (no account, no rule matched), accounts no chart line covers, and the
    period by tax line."""
    metric = MetricsFrom(provenance)
    period = portfolio.period
    [(count, outflow, inflow)] = portfolio.db.execute(
        "SELECT coalesce(sum(entries), 0), coalesce(-sum(amount) FILTER (amount < 0), 0),"
        " coalesce(sum(amount) FILTER (amount > 0), 0) FROM"
        f" {payee_summary(portfolio, period.start, period.end)} WHERE account IS NULL AND date"
        " BETWEEN ? AND ?",
        (period.start, period.end),
    ).fetchall()
    listed = portfolio.db.execute(
        "SELECT date, entity, counterparty, memo, amount, source_file || ':' || source_line FROM"
        " ledger WHERE account IS NULL AND date BETWEEN ? AND ? ORDER BY abs(amount) DESC, date"
        " LIMIT ?",
        (period.start, period.end, LISTED),
    ).fetchall()
    accounts = chart.Chart(portfolio.workspace.settings)
    used = portfolio.db.execute(
        "SELECT entity, account, sum(entries)::BIGINT, sum(amount), sum(amount) FILTER (date"
        f" BETWEEN ? AND ?) FROM {payee_summary(portfolio, period.start, period.end)} WHERE"
        " account IS NOT NULL AND date <= ? GROUP BY ALL ORDER BY account, entity",
        (period.start, period.end, period.end),
    ).fetchall()
    unmapped, taxes = [], {}
    for e, a, n, amount, in_period in used:
        line = accounts.line(e, a)
        if line is None:
            unmapped.append((f"{a} ({e})", n, amount))
        elif line.tax_line and in_period:
            taxes[line.tax_line] = taxes.get(line.tax_line, ZERO) + in_period
    results.add(
        metric(
            id="accounting.uncategorized_count",
            label="Uncategorized transactions",
            value=count,
            unit="transactions",
            status="good" if count == 0 else "warn",
            note=f"no account and no rule matched, {period.title}",
        ),
        metric(
            id="accounting.uncategorized_amount",
            label="Uncategorized money (in + out)",
            value=money(outflow + inflow),
            unit=currency,
            status="good" if count == 0 else "warn",
            note=f"{money(inflow)} in, {money(outflow)} out, {period.title}",
        ),
        Table(
            id="accounting.uncategorized",
            title="Largest uncategorized transactions",
            columns=(
                Column.text("date", "Date"),
                Column.text("entity", "Entity"),
                Column.text("counterparty", "Counterparty"),
                Column.text("memo", "Memo"),
                Column.number("amount", "Amount"),
                Column.text("source", "Where"),
            ),
            rows=tuple(
                {
                    "date": d.isoformat(),
                    "entity": e,
                    "counterparty": c or "",
                    "memo": m or "",
                    "amount": money(a),
                    "source": w,
                }
                for d, e, c, m, a, w in listed
            ),
            provenance=provenance,
            note=f"{len(listed)} of {count} shown" if count > LISTED else "",
        ),
        Table(
            id="accounting.unmapped_accounts",
            title="Accounts not in the chart of accounts",
            columns=(
                Column.text("account", "Account (venture)"),
                Column.number("transactions", "Transactions"),
                Column.number("amount", "Amount"),
            ),
            rows=tuple(
                {"account": a, "transactions": n, "amount": money(s)} for a, n, s in unmapped
            ),
            provenance=provenance,
            note=(
                "the standard chart for the venture's kind, with boardpack.toml [[chart]] lines"
                " on top"
            ),
        ),
        Table(
            id="accounting.tax_lines",
            title=f"By tax-return line, {period.title} ({currency})",
            columns=(Column.text("tax_line", "Tax line"), Column.number("amount", "Amount")),
            rows=tuple({"tax_line": t, "amount": money(v)} for t, v in sorted(taxes.items())),
            provenance=provenance,
        ),
    )
    rules_fired(portfolio, results, provenance, count)
    if count:
        results.add(
            Finding(
                severity="medium",
                area="accounting",
                title=f"Uncategorized transactions in {period.title}: {count}",
                evidence=(
                    f"{money(outflow)} {currency} out and {money(inflow)} {currency} in have no"
                    " account."
                ),
                action=(
                    "Give each an account: a categorization rule for its payee, or the account"
                    " in the bank export"
                ),
                source=provenance[0],
            )
        )
    if unmapped:
        names = ", ".join(a for a, _, _ in unmapped)
        results.add(
            Finding(
                severity="medium",
                area="accounting",
                title=f"Accounts not in the chart of accounts: {len(unmapped)}",
                setup=True,
                evidence=(
                    f"{names}: no chart line covers them, so they have no cost type or tax line."
                ),
                action=(
                    'Add a [[chart]] line (account = "...", cost = "fixed", tax_line = "...") or'
                    " rename the account."
                ),
                source=provenance[0],
            )
        )


def rules_fired(
    portfolio: Portfolio, results: Results, provenance: tuple[str, ...], unmatched: int
) -> None:
    """Which categorization rules gave rows their account, this period and ever; and how many rows
    none matched."""
    if not portfolio.rules:
        return
    period = portfolio.period
    fired = {
        rule: (ever, n, amount)
        for rule, ever, n, amount in portfolio.db.execute(
            "SELECT rule, count(*), count(*) FILTER (date BETWEEN ? AND ?), coalesce(sum(amount)"
            " FILTER (date BETWEEN ? AND ?), 0) FROM ledger WHERE rule IS NOT NULL GROUP BY rule",
            (period.start, period.end, period.start, period.end),
        ).fetchall()
    }
    rows = []
    for r in portfolio.rules:
        ever, n, amount = fired.get(r.number, (0, 0, ZERO))
        rows.append(
            {
                "rule": r.where,
                "pattern": r.pattern,
                "account": r.account,
                "period": n,
                "amount": money(amount),
                "ever": ever,
            }
        )
    idle = [r["rule"] for r in rows if not r["ever"]]
    results.add(
        Table(
            id="accounting.rules_fired",
            title="Categorization rules",
            columns=(
                Column.text("rule", "Rule"),
                Column.text("pattern", "Pattern"),
                Column.text("account", "Account"),
                Column.number("period", f"Rows, {period.title}"),
                Column.number("amount", "Amount"),
                Column.number("ever", "Rows, all time"),
            ),
            rows=tuple(rows),
            provenance=provenance + tuple(sorted({r.file for r in portfolio.rules})),
            note=f"{unmatched} rows of {period.title} matched no rule and have no account"
            + (f"; never fired: {', '.join(idle)}" if idle else ""),
        )
    )
