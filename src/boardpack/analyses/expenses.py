"""Expense audit for the Accounting Officer: spend by account period over period, spikes, duplicate
payments (two payments to one payee for one amount, days apart, with no others like them around),
recurring charges.

A spike is judged against the account's own last twelve periods with a robust statistic — the
modified z-score of Iglewicz and Hoaglin, 0.6745 × (x − median) / MAD, flagged above 3.5 — so one
earlier outlier cannot hide the next one the way it inflates a mean and standard deviation. When
the MAD is zero (half or more of the history is the same figure) the mean absolute deviation stands
in (scaled by 1.2533); when that is zero too, any rise is a spike. A rise under 10% of the median is
never one: too small to act on.
"""

from __future__ import annotations

from decimal import Decimal
from statistics import median, median_low

from boardpack.analyses.ledger_sql import EXPENSE, ZERO, ledger_files, money, payee_summary, summary
from boardpack.figures import plural, said
from boardpack.model import Column, Finding, MetricsFrom, Portfolio, Results, Table
from boardpack.period import Period, trailing_months

HISTORY = 12  # earlier periods a spike is judged against
SHOWN = 6  # periods in the period-over-period table
MIN_HISTORY = 3  # periods with spend needed before an account can spike
THRESHOLD = Decimal("3.5")
MATERIAL = Decimal("0.10")
RECURRING_MONTHS = 3  # months (of the last four) a payee must charge to count as recurring
SIMILAR = Decimal("0.10")  # a recurring charge varies by at most this much around its median


def periods_back(period: Period, n: int) -> list[Period]:
    """`period` and the n before it, newest first."""
    out = [period]
    for _ in range(n):
        out.append(out[-1].previous())
    return out


def modified_z(x: Decimal, history: list[Decimal]) -> Decimal | None:
    """Iglewicz–Hoaglin modified z-score of x against history; None when every figure is the same.
    """
    m = median(history)
    mad = median(abs(h - m) for h in history)
    if mad:
        return Decimal("0.6745") * (x - m) / mad
    mean_ad = sum(abs(h - m) for h in history) / len(history)
    if mean_ad:
        return (x - m) / (Decimal("1.2533") * mean_ad)
    return None


def is_spike(x: Decimal, history: list[Decimal]) -> bool:
    m = median(history)
    if x - m < MATERIAL * abs(m) or x <= m:
        return False
    z = modified_z(x, history)
    return z is None or z > THRESHOLD


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    provenance = ledger_files(portfolio)
    currency = portfolio.currency
    spend_by_period(portfolio, results, currency, provenance)
    duplicates(portfolio, results, currency, provenance)
    recurring(portfolio, results, currency, provenance)


def spend_by_period(
    portfolio: Portfolio, results: Results, currency: str, provenance: tuple[str, ...]
) -> None:
    periods = periods_back(portfolio.period, HISTORY)
    # the periods are contiguous: a CASE puts each row in its one bucket (a range join costs far
    # more)
    bucket = "CASE " + " ".join(
        f"WHEN date <= DATE '{p.end}' THEN {i}" for i, p in reversed(list(enumerate(periods)))
    )
    rows = portfolio.db.execute(f"""
        SELECT account, {bucket} END AS i, -sum(amount)
        FROM {summary(portfolio, "ledger", periods[-1].start, *(p.end for p in periods))}
        WHERE {EXPENSE} AND date BETWEEN DATE '{periods[-1].start}' AND DATE '{periods[0].end}'
        GROUP BY ALL""").fetchall()
    spend: dict[str, list[Decimal]] = {}
    for account, i, amount in rows:
        spend.setdefault(account, [ZERO] * len(periods))[i] = money(amount)
    shown = periods[:SHOWN]
    table = tuple(
        {"account": a, **{p.label: s[i] for i, p in enumerate(shown)}}
        for a, s in sorted(spend.items(), key=lambda kv: -kv[1][0])
    )
    results.add(
        Table(
            id="accounting.expenses_by_period",
            title=f"Spend by account, {shown[-1].title} to {shown[0].title} ({currency})",
            columns=(
                Column.text("account", "Account"),
                *(Column.number(p.label, p.label) for p in shown),
            ),
            rows=table,
            provenance=provenance,
        )
    )
    for account, series in spend.items():
        current, history = series[0], series[1:]
        if sum(1 for h in history if h) < MIN_HISTORY or not is_spike(current, history):
            continue
        typical = money(median(history))
        results.add(
            Finding(
                severity="medium",
                area="expenses",
                title=f"Spending spike: {account}",
                evidence=(
                    f"{current:,} {currency} in {portfolio.period.title} against a typical"
                    f" {typical:,} (median of the {HISTORY} periods before)."
                ),
                action="Check the transactions behind it; if it is a new normal, nothing to do.",
                source=provenance[0],
            )
        )


def duplicates(
    portfolio: Portfolio, results: Results, currency: str, provenance: tuple[str, ...]
) -> None:
    """Exactly two payments to one payee for one amount within the window, at least one this period.

    Exactly two: a payee paid that amount several times around then (crew paid per trip, a fee per
    booking) is routine, not a double charge.
    """
    metric = MetricsFrom(provenance)
    period, window = portfolio.period, portfolio.workspace.settings.finance.duplicate_window_days
    pairs = portfolio.db.execute(
        """
        WITH near AS (
            SELECT date, amount, counterparty, lower(trim(counterparty)) AS payee, source_file,
                   source_line
            FROM ledger WHERE amount < 0 AND coalesce(trim(counterparty), '') != ''
              AND date BETWEEN CAST(? AS DATE) - 2 * ? AND CAST(? AS DATE) + ?)
        SELECT a.date, b.date, a.counterparty, -a.amount, a.source_file || ':' || a.source_line,
               b.source_file || ':' || b.source_line
        FROM near a JOIN near b
          ON a.payee = b.payee AND a.amount = b.amount AND b.date - a.date <= ?
         AND (a.date, a.source_file, a.source_line) < (b.date, b.source_file, b.source_line)
        WHERE (a.date BETWEEN ? AND ? OR b.date BETWEEN ? AND ?)
          AND (SELECT count(*) FROM near c WHERE c.payee = a.payee AND c.amount = a.amount
               AND c.date BETWEEN a.date - ? AND b.date + ?) = 2
        ORDER BY a.date, a.counterparty""",
        (
            period.start,
            window,
            period.end,
            window,
            window,
            period.start,
            period.end,
            period.start,
            period.end,
            window,
            window,
        ),
    ).fetchall()
    rows = tuple(
        {
            "first": a.isoformat(),
            "second": b.isoformat(),
            "counterparty": c,
            "amount": money(amt),
            "where": f"{w1}, {w2}",
        }
        for a, b, c, amt, w1, w2 in pairs
    )
    total = sum((r["amount"] for r in rows), ZERO)
    results.add(
        metric(
            id="accounting.possible_duplicates",
            label="Possible duplicate payments",
            value=len(rows),
            unit="pairs",
            status="good" if not rows else "warn",
            note=f"same payee and amount within {window} days, {period.title}",
        ),
        Table(
            id="accounting.duplicate_payments",
            title="Possible duplicate payments",
            columns=(
                Column.text("first", "First"),
                Column.text("second", "Second"),
                Column.text("counterparty", "Payee"),
                Column.number("amount", "Amount"),
                Column.text("where", "Where"),
            ),
            rows=rows,
            provenance=provenance,
        ),
    )
    if rows:
        results.add(
            Finding(
                severity="high",
                area="expenses",
                title=f"Possible duplicate payments: {len(rows)}",
                evidence=(
                    f"{said(total, currency)} paid twice to the same payee within {window} days."
                ),
                action="Confirm with the payee and ask for a refund of any double charge.",
                source=provenance[0],
            )
        )


def steady_payees(portfolio: Portfolio, where: str = EXPENSE) -> list[dict]:
    """Payees (of the rows matching `where`) that charge once a month, a steady amount, in
    RECURRING_MONTHS of the four months ending with the period's: subscriptions, rent, insurance,
    payroll, loan service. Each with its typical amount and day of the month. One payment may be
    on several rows of one day (a loan's principal and interest): it is their sum."""
    end = portfolio.period.end
    start = trailing_months(end, 4)[0]
    rows = portfolio.db.execute(
        f"""
        SELECT entity, counterparty, any_value(account), -sum(amount), any_value(day)
        FROM {payee_summary(portfolio, start, end)}
        WHERE amount < 0 AND ({where}) AND coalesce(counterparty, '') != ''
          AND date BETWEEN ? AND ? GROUP BY entity, counterparty, date_trunc('month', date)
        HAVING sum(entries) = count(*) AND min(day) = max(day)""",
        (start, end),
    ).fetchall()
    by_payee: dict[tuple[str, str], tuple[str, list[Decimal], list[int]]] = {}
    for entity, payee, account, amount, day in rows:
        found = by_payee.setdefault((entity, payee), (account, [], []))
        found[1].append(money(amount))
        found[2].append(day)
    steady = []
    for (entity, payee), (account, amounts, days) in sorted(by_payee.items()):
        typical = median(amounts)
        if len(amounts) >= RECURRING_MONTHS and all(
            abs(a - typical) <= SIMILAR * typical for a in amounts
        ):
            steady.append(
                {
                    "entity": entity,
                    "counterparty": payee,
                    "account": account,
                    "months": len(amounts),
                    "monthly": money(typical),
                    "day": int(median_low(days)),
                }
            )
    return steady


def recurring(
    portfolio: Portfolio, results: Results, currency: str, provenance: tuple[str, ...]
) -> None:
    """Payees that charge once a month, a steady amount, most months: subscriptions, rent,
    insurance."""
    metric = MetricsFrom(provenance)
    steady = steady_payees(portfolio)
    monthly = sum((r["monthly"] for r in steady), ZERO)
    results.add(
        metric(
            id="accounting.recurring_monthly",
            label="Recurring charges per month",
            value=monthly,
            unit=currency,
            note=(
                f"{plural(len(steady), 'payee')} charging a steady amount in {RECURRING_MONTHS}+ of"
                " the last 4 months"
            ),
        ),
        Table(
            id="accounting.recurring_charges",
            title="Recurring charges",
            columns=(
                Column.text("entity", "Entity"),
                Column.text("counterparty", "Payee"),
                Column.text("account", "Account"),
                Column.number("months", "Months of 4"),
                Column.number("monthly", "Per month"),
            ),
            rows=tuple({k: v for k, v in r.items() if k != "day"} for r in steady),
            provenance=provenance,
        ),
    )
