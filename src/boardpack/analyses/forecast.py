"""The cash forecast: 13 weeks and 12 months from the day after the period, built day by day, with
the lowest point, the runway it implies and three scenarios.

The method, stated in the tables' notes:
- scheduled payments: each payee that charges a steady amount once a month (subscriptions, rent,
  payroll, loan service; `expenses.steady_payees`) on its usual day of the month;
- known receipts: the rent roll's rents on the first of each month a lease runs, and jobs booked
  after the period on their dates;
- the rest of each venture's operating receipts and payments: the same month last year scaled by
  the venture's trend (its last 12 months against the 12 before, kept within 0.5× and 2×), spread
  evenly over the month. With less than a year of history, the average of the months there are. A
  venture whose budget has income for a month takes that as its receipts instead (payments stay on
  the pattern: a budget seldom lists every cost that the payees and last year show);
- known receipts are a floor under a venture's estimated receipts, never added on top of them.
Owner money, asset purchases and transfers between the organization's own accounts are not
forecast.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from itertools import accumulate

from boardpack.analyses.expenses import steady_payees
from boardpack.analyses.ledger_sql import (
    CENT,
    OPERATING,
    TENTH,
    ZERO,
    ledger_files,
    money,
    payee_summary,
)
from boardpack.config import Scenario
from boardpack.figures import said
from boardpack.model import (
    STATUS_RANK,
    Column,
    Finding,
    MetricsFrom,
    Portfolio,
    Results,
    Table,
    graded,
    spread,
)
from boardpack.period import add_months, month_end

HORIZON_MONTHS = 12
WEEKS = 13
TREND_LIMITS = (Decimal("0.5"), Decimal(2))
DAYS_A_MONTH = Decimal("30.44")  # 365.25 / 12: a runway's days in months
# the series finance.projections records ("receipts.<entity>"...): the audit store keeps others
FORECAST = ("cash", "receipts", "payments", "bookings")

Key = tuple[str | None, date]  # a venture and a month's first day


@dataclass(frozen=True)
class Forecast:
    """Cash day by day from `start`: what comes in and goes out each day, in cents."""

    start: date
    opening: Decimal
    receipts: tuple[Decimal, ...]
    payments: tuple[Decimal, ...]
    method: str  # how the rest was estimated, in a sentence
    by_venture: dict = field(default_factory=dict)  # venture -> its receipts by day (the base's)
    # "2026-12" -> where that month's estimated receipts came from ("trend", "budget: Harbor
    # Charters; trend: the others")
    receipts_from: dict = field(default_factory=dict)
    unpaid_loans: tuple[str, ...] = ()  # loans owed with no payment yet: no service forecast

    @property
    def end(self) -> date:
        return self.start + timedelta(days=len(self.receipts) - 1)

    @cached_property
    def closing(self) -> list[Decimal]:
        """The cash at each day's end: worked out once, read by every question asked of it."""
        return list(
            accumulate((r - p for r, p in zip(self.receipts, self.payments)), initial=self.opening)
        )[1:]

    def low(self) -> tuple[Decimal, date]:
        """The lowest closing cash and its first day."""
        closing = self.closing
        lowest = min(closing)
        return lowest, self.start + timedelta(days=closing.index(lowest))

    def first_below(self, level: Decimal) -> date | None:
        return next(
            (self.start + timedelta(days=i) for i, c in enumerate(self.closing) if c < level),
            None,
        )

    def runway(self) -> Decimal | None:
        """Months from the start until cash first goes below zero; None if it never does."""
        out = self.first_below(ZERO)
        return (
            None
            if out is None
            else (Decimal((out - self.start).days) / DAYS_A_MONTH).quantize(TENTH)
        )

    def scaled(self, scenario: Scenario) -> Forecast:
        def by(percent: Decimal, days: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
            factor = 1 + percent / 100
            return tuple((d * factor).quantize(CENT) for d in days)

        return replace(
            self,
            receipts=by(scenario.receipts, self.receipts),
            payments=by(scenario.payments, self.payments),
        )

    def span(self, first: date, last: date) -> tuple[Decimal, Decimal, Decimal]:
        """Receipts and payments from `first` to `last`, and the closing cash on `last`."""
        i, j = (first - self.start).days, (last - self.start).days + 1
        return (
            sum(self.receipts[i:j], ZERO),
            sum(self.payments[i:j], ZERO),
            self.closing[j - 1],
        )

    def buckets(self, starts: list[date], label: str, fmt: str) -> tuple[dict, ...]:
        """Rows of opening, receipts, payments and closing for the spans beginning at `starts`
        (the last runs to the end)."""
        closing = self.closing
        rows = []
        bounds = [(s - self.start).days for s in starts] + [len(closing)]
        for first, (i, j) in zip(starts, zip(bounds, bounds[1:])):
            rows.append(
                {
                    label: format(first, fmt),
                    "opening": money(closing[i - 1] if i else self.opening),
                    "receipts": money(sum(self.receipts[i:j], ZERO)),
                    "payments": money(sum(self.payments[i:j], ZERO)),
                    "closing": money(closing[j - 1]),
                }
            )
        return tuple(rows)


def month_starts(start: date, end: date) -> list[date]:
    """`start` and the first of each later month through `end`."""
    out = [start]
    while (following := add_months(out[-1], 1)) <= end:
        out.append(following)
    return out


def build(portfolio: Portfolio, opening: Decimal) -> Forecast:
    """The base forecast from the day after the period, from `opening` cash."""
    start = portfolio.period.end + timedelta(days=1)
    end = add_months(start, HORIZON_MONTHS) - timedelta(days=1)
    days = (end - start).days + 1
    receipts = [ZERO] * days
    payments = [ZERO] * days
    by_venture: dict[str | None, list[Decimal]] = defaultdict(lambda: [ZERO] * days)

    def put(into: list[Decimal], day: date, amount: Decimal, venture: list | None = None) -> None:
        if start <= day <= end:
            into[(day - start).days] += amount
            if venture is not None:
                venture[(day - start).days] += amount

    loans = loan_schedules(portfolio, start - timedelta(days=1))
    paying = {(loan.entity, loan.payee) for loan in loans}
    scheduled = [
        p
        for p in steady_payees(portfolio, OPERATING)
        if (p["entity"], p["counterparty"]) not in paying
    ]
    estimates, method = estimated(
        portfolio, start, end, scheduled + [{"entity": e, "counterparty": p} for e, p in paying]
    )
    budgeted = budget_estimates(portfolio, start)
    known = known_receipts(portfolio, start, end)
    rule = portfolio.workspace.settings.finance.forecast.receipts
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    receipts_from: dict[str, str] = {}
    for month in (m.replace(day=1) for m in month_starts(start, end)):
        first, last = max(month, start), min(month_end(month), end)
        window = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        whole = [month + timedelta(days=i) for i in range(month_end(month).day)]
        given: dict[str, list[str]] = {}  # "trend" / "budget" -> the ventures it gave
        ventures = {e for e, _ in estimates} | {e for e, _ in budgeted} | {e for e, _ in known}
        for entity in sorted(ventures, key=lambda e: e or ""):
            key = (entity, month)
            income, spend = estimates.get(key, (ZERO, ZERO))
            income, source = receipts_of(rule, income, budgeted.get(key))
            given.setdefault(source, []).append(names.get(entity, entity or "unassigned"))
            expected = sum((a for d, a in zip(whole, spread(income, whole)) if d >= first), ZERO)
            booked = known.get(key, [])
            for day, amount in booked:
                put(receipts, day, amount, by_venture[entity])
            rest = expected - sum((a for _, a in booked), ZERO)
            if rest > 0:
                for day, amount in zip(window, spread(rest, window)):
                    put(receipts, day, amount, by_venture[entity])
            for day, amount in zip(whole, spread(spend, whole)):
                put(payments, day, amount)
        for payee in scheduled:
            put(
                payments,
                month.replace(day=min(payee["day"], month_end(month).day)),
                payee["monthly"],
            )
        for loan in loans:
            put(payments, month.replace(day=min(loan.day, month_end(month).day)), loan.next())
        receipts_from[f"{month:%Y-%m}"] = (
            next(iter(given), "")
            if len(given) < 2
            else "; ".join(f"{source}: {', '.join(who)}" for source, who in sorted(given.items()))
        )
    return Forecast(
        start,
        opening,
        tuple(receipts),
        tuple(payments),
        method,
        {venture: tuple(days) for venture, days in by_venture.items()},
        receipts_from,
        tuple(sorted({loan.account for loan in loans if not loan.payment and loan.owed})),
    )


@dataclass
class LoanSchedule:
    """A loan's service from its last payment: `payment` a month (its principal and what the same
    payee was paid that day: the interest), on its day of the month, until `owed` is repaid (None:
    what it owes is not known, with no opening balance and no money lent in the ledger, so it is
    paid on through the horizon)."""

    account: str
    entity: str | None
    payee: str | None
    day: int
    principal: Decimal
    payment: Decimal
    owed: Decimal | None

    def next(self) -> Decimal:
        """The next month's payment: the whole payment while the principal is still owed, then
        what is left of it with its interest, then nothing."""
        if self.owed is None:
            return self.payment
        if self.owed <= 0:
            return ZERO
        principal = min(self.principal, self.owed)
        self.owed -= principal
        return principal + self.payment - self.principal


def loan_schedules(portfolio: Portfolio, day: date) -> list[LoanSchedule]:
    """Each loan's schedule from its payments to `day` and what it still owes that day (its opening
    balance and every row of its account): the last payment repeated from the first month, not
    once the payee has been paid three times. A loan without a payment yet has no schedule."""
    loans = [a for a, (kind, _) in portfolio.account_types.items() if kind == "loan"]
    if not loans:  # nothing to read the ledger's rows for
        return []
    opening: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for balance in portfolio.workspace.settings.opening_balances:
        opening[balance.account, balance.entity] += balance.amount
    rows = portfolio.db.execute(
        """WITH owed AS (
                SELECT account, entity, sum(amount) AS owed, bool_or(amount > 0) AS lent
                FROM ledger WHERE list_contains($loans, account) AND date <= $day GROUP BY ALL
            ), last AS (
                SELECT account, entity, arg_max(counterparty, date) AS payee, max(date) AS paid,
                       -arg_max(amount, date) AS principal
                FROM ledger WHERE list_contains($loans, account) AND amount < 0 AND date <= $day
                GROUP BY ALL
            )
            SELECT o.account, o.entity, k.payee, coalesce(day(k.paid), 1),
                   coalesce(k.principal, 0), coalesce(-sum(l.amount), 0), o.owed, o.lent
            FROM owed o LEFT JOIN last k USING (account, entity)
            LEFT JOIN ledger l ON l.date = k.paid AND l.amount < 0
                AND l.counterparty IS NOT DISTINCT FROM k.payee
                AND l.entity IS NOT DISTINCT FROM k.entity
            GROUP BY ALL ORDER BY ALL""",
        {"day": day, "loans": loans},
    ).fetchall()
    schedules = []
    for *row, owed, lent in rows:
        before = opening.pop((row[0], row[1]), None)
        known = lent or before is not None
        schedules.append(LoanSchedule(*row, owed + (before or ZERO) if known else None))
    return schedules + [  # a loan owed since before the ledger, not yet paid
        LoanSchedule(account, entity, None, 1, ZERO, ZERO, owed)
        for (account, entity), owed in opening.items()
        if portfolio.account_types.get(account, ("",))[0] == "loan"
    ]


def receipts_of(rule: str, trend: Decimal, budget: Decimal | None) -> tuple[Decimal, str]:
    """A venture's estimated receipts for a month, and what gave them: the trend where its budget
    has no income for the month, else as `[finance.forecast] receipts` says — the trend, the
    budget, or the lower of the two."""
    if budget is None or rule == "trend":
        return trend, "trend"
    if rule == "budget" or budget <= trend:
        return budget, "budget"
    return trend, "trend"


def estimated(
    portfolio: Portfolio, start: date, end: date, scheduled: list[dict]
) -> tuple[dict[Key, tuple[Decimal, Decimal]], str]:
    """Each venture's receipts and (unscheduled) payments for the forecast months, from the same
    month last year scaled by its trend; and the method in a sentence."""
    db = portfolio.db
    db.execute(
        "CREATE OR REPLACE TEMP TABLE forecast_scheduled AS SELECT unnest($entities) AS entity,"
        " unnest($payees) AS payee",
        {
            "entities": [p["entity"] for p in scheduled],
            "payees": [p["counterparty"] for p in scheduled],
        },
    )
    first, last = add_months(start, -24), start - timedelta(days=1)
    history = {
        (entity, month): (received, paid)
        for entity, month, received, paid in db.execute(
            f"""SELECT entity, date_trunc('month', date)::DATE,
                       coalesce(sum(amount) FILTER (amount > 0), 0),
                       coalesce(-sum(amount) FILTER (amount < 0 AND NOT EXISTS (
                           SELECT 1 FROM forecast_scheduled s WHERE s.entity = l.entity
                              AND s.payee = l.counterparty)), 0)
                FROM {payee_summary(portfolio, first, last)} l
                WHERE ({OPERATING}) AND date BETWEEN $first AND $last GROUP BY ALL""",
            {"first": first, "last": last},
        ).fetchall()
    }
    earliest = portfolio.ledger_start
    if earliest is None:
        return {}, "no ledger history: nothing is estimated beyond what is scheduled or known"
    complete = earliest.replace(day=1)  # the ledger's first month, taken as whole
    this_month = start.replace(day=1)
    last_year = [add_months(this_month, -i) for i in range(12, 0, -1)]
    year_before = [add_months(this_month, -i) for i in range(24, 12, -1)]
    seen = [m for m in last_year if m >= complete]
    out: dict[Key, tuple[Decimal, Decimal]] = {}
    for entity in sorted({e for e, _ in history}, key=lambda e: e or ""):

        def sums(months: list[date]) -> tuple[Decimal, Decimal]:
            rows = [history.get((entity, m), (ZERO, ZERO)) for m in months]
            return sum((r[0] for r in rows), ZERO), sum((r[1] for r in rows), ZERO)

        if complete <= year_before[0]:
            trend = tuple(
                trend_of(now, then) for now, then in zip(sums(last_year), sums(year_before))
            )
        else:
            trend = (Decimal(1), Decimal(1))
        average = tuple(s / len(seen) for s in sums(seen)) if seen else (ZERO, ZERO)
        for month in (m.replace(day=1) for m in month_starts(start, end)):
            ago = add_months(month, -12)
            if ago >= complete:
                received, paid = history.get((entity, ago), (ZERO, ZERO))
                out[(entity, month)] = (money(received * trend[0]), money(paid * trend[1]))
            else:
                out[(entity, month)] = (money(average[0]), money(average[1]))
    if complete > last_year[0]:
        method = (
            f"less than a year of history (from {complete:%b %Y}): a month whose month last year is"
            f" in the ledger follows it, unscaled; the others take the average of the {len(seen)}"
            " month(s) there are"
        )
    elif complete > year_before[0]:
        method = (
            "the rest is the same month last year, unscaled (no earlier year to measure a trend"
            " against)"
        )
    else:
        method = (
            "the rest is the same month last year scaled by each venture's trend (its last 12"
            " months against the 12 before, kept within 0.5× and 2×)"
        )
    return out, method


def trend_of(now: Decimal, then: Decimal) -> Decimal:
    if then <= 0 or now <= 0:
        return Decimal(1)
    low, high = TREND_LIMITS
    return min(max(now / then, low), high)


def budget_estimates(portfolio: Portfolio, start: date) -> dict[Key, Decimal]:
    """A venture's budgeted income, for each forecast month its budget covers."""
    out: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for line in portfolio.budget:
        if line.entity and line.month >= start.replace(day=1) and line.account.startswith("Income"):
            out[(line.entity, line.month)] += line.amount
    return dict(out)


def known_receipts(
    portfolio: Portfolio, start: date, end: date
) -> dict[Key, list[tuple[date, Decimal]]]:
    """Receipts already known: rents on the first of each month a lease runs, booked jobs on their
    dates."""
    out: dict[Key, list[tuple[date, Decimal]]] = defaultdict(list)
    month = start.replace(day=1)
    while month <= end:
        for unit in portfolio.units:
            if month >= start and unit.occupied_on(month):
                out[(unit.entity, month)].append((month, unit.monthly_rent))
        month = add_months(month, 1)
    for job in portfolio.jobs:
        if start <= job.date <= end:
            out[(job.entity, job.date.replace(day=1))].append((job.date, job.revenue))
    return out


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger") or "finance.cash_balance" not in results.metrics:
        return
    settings = portfolio.workspace.settings.finance
    currency, provenance = portfolio.currency, ledger_files(portfolio)
    metric = MetricsFrom(provenance)
    base = build(portfolio, results.metrics["finance.cash_balance"].value)
    low, low_day = base.low()
    runway = base.runway()
    gross_burn = results.metrics["finance.gross_burn"].value
    reserve = cash_reserve(settings.reserve_months, gross_burn)
    results.add(
        metric(
            id="finance.cash_reserve",
            label="Cash reserve",
            value=reserve,
            unit=currency,
            note=f"{settings.reserve_months} months of gross burn ([finance] reserve_months)",
        )
    )
    below_reserve, below_zero = base.first_below(reserve), base.first_below(ZERO)
    warning = settings.runway_warning_months
    method = f"{METHOD} {base.method[0].upper()}{base.method[1:]}."
    trailing = results.metrics.get("finance.runway_months_trailing")
    status, why = one_verdict(
        Outlook(runway, below_zero, base.end, low, low_day),
        trailing.value if trailing else None,
        warning,
        base.opening,
        Reserve(reserve, f"{settings.reserve_months}-month reserve of {said(reserve, currency)}"),
    )
    results.add(
        metric(
            id="finance.runway_months",
            label="Runway",
            value=runway,
            unit="months",
            target=warning,
            status=status,
            note=why,
        ),
        metric(
            id="finance.cash_low",
            label="Lowest forecast cash",
            value=money(low),
            unit=currency,
            note=f"the lowest closing cash of the 12-month forecast, on {low_day}",
        ),
        metric(
            id="finance.cash_low_date",
            label="Lowest forecast cash on",
            value=low_day,
            unit="",
            note=f"the first day of the 12-month forecast's lowest cash, {said(low, currency)}",
        ),
    )
    weeks = [base.start + timedelta(weeks=i) for i in range(WEEKS + 1)]  # the 14th: where 13 end
    results.add(
        Table(
            id="finance.cash_forecast_weeks",
            title=f"Cash forecast, 13 weeks from {base.start} ({currency})",
            columns=forecast_columns("week", "Week from"),
            rows=base.buckets(weeks, "week", "%Y-%m-%d")[:WEEKS],  # the rest of the year left out
            provenance=provenance,
            note=method,
        ),
        Table(
            id="finance.cash_forecast_months",
            title=f"Cash forecast, 12 months ({currency})",
            columns=(*forecast_columns("month", "Month"), Column.text("from", "Receipts from")),
            rows=tuple(
                row | {"from": base.receipts_from.get(row["month"], "")}
                for row in base.buckets(month_starts(base.start, base.end), "month", "%Y-%m")
            ),
            provenance=provenance,
            note=method,
        ),
        scenarios(base, settings.scenarios, currency, provenance),
        projections(portfolio, base),
    )
    if below_zero is not None:
        trailing = results.metrics.get("finance.runway_months_trailing")
        blind = trailing is not None and (trailing.value is None or trailing.value > runway)
        already = base.opening < 0
        evidence = (
            f"Cash {said(base.opening, currency)} at {portfolio.period.end}; the 12-month"
            f" forecast reaches {said(low, currency)} on {low_day}."
        )
        if blind:
            months = f"{trailing.value} months" if trailing.value else "unlimited"
            evidence += f" The trailing-average runway ({months}) does not see the seasons."
        results.add(
            Finding(
                severity="critical" if runway < warning else "high",
                area="finance",
                decision=True,  # how to get through the low is the owners' choice
                title=(
                    "Cash is below zero"
                    if already
                    else f"On the forecast, cash runs out on {below_zero}"
                ),
                evidence=evidence,
                action=(
                    "Raise cash now: a credit line, an owner loan, or receivables collected."
                    if already
                    else "Arrange cash or cut costs before then: a credit line, deposits brought"
                    " forward, or spending deferred past the low."
                ),
                source=provenance[0],
            )
        )
    elif below_reserve is not None and below_reserve > base.start:  # not already below it
        results.add(
            Finding(
                severity="medium",
                area="finance",
                title=f"Forecast cash goes below the reserve on {below_reserve}",
                evidence=(
                    f"The reserve is {said(reserve, currency)} ({settings.reserve_months} months"
                    f" of gross burn); the forecast's lowest cash is {said(low, currency)} on"
                    f" {low_day}."
                ),
                action="Plan the low: hold back discretionary spending until cash recovers.",
                source=provenance[0],
            )
        )
    for account in base.unpaid_loans:
        results.add(
            Finding(
                severity="medium",
                area="finance",
                title=f"{account}: a loan with no payment yet, so the forecast holds none",
                evidence=(
                    f"{account} is owed at {portfolio.period.end} and no row has repaid it: its"
                    " schedule cannot be read from its payments."
                ),
                action=(
                    "Book the first payment when it is made (principal to the loan, interest to"
                    " an expense, one payee); until then, plan its service outside the forecast."
                ),
                source=provenance[0],
            )
        )


def cash_reserve(months: Decimal, gross_burn: Decimal) -> Decimal:
    """The cash kept back: `[finance] reserve_months` of gross burn (none while cash grows)."""
    return money(months * max(gross_burn, ZERO))


@dataclass(frozen=True)
class Outlook:
    """What the forecast says of the cash: its runway in months (None: it lasts the horizon), the
    day it goes below zero, the horizon's end, and its low and the low's day."""

    runway: Decimal | None
    below_zero: date | None
    end: date
    low: Decimal
    low_day: date


@dataclass(frozen=True)
class Reserve:
    amount: Decimal
    named: str  # "3-month reserve of 185,208 USD"


def one_verdict(
    forecast: Outlook, trailing: Decimal | None, warning: Decimal, cash: Decimal, reserve: Reserve
) -> tuple[str, str]:
    """One verdict on the cash, and why: the forecast's runway and the trailing one against the
    warning months, and the cash against the reserve — the worst of the three, each said."""
    verdicts = [
        (
            graded(forecast.runway, warning * 2, warning, missing="good"),
            f"on the forecast, cash lasts past {forecast.end} (lowest"
            f" {said(forecast.low, '')} on {forecast.low_day})"
            if forecast.runway is None
            else f"on the forecast, cash runs out in {forecast.runway} months, on"
            f" {forecast.below_zero}",
        ),
        (
            graded(trailing, warning * 2, warning, missing="good"),
            f"at the trailing burn, {trailing} months"
            if trailing is not None
            else "at the trailing burn, cash is not falling",
        ),
        against_reserve(cash, forecast.low, reserve.named, reserve.amount),
    ]
    status = max((s for s, _ in verdicts), key=STATUS_RANK.__getitem__)
    return status, "; ".join(why for _, why in verdicts) + f" — {status}, the worst of the three"


def against_reserve(cash: Decimal, low: Decimal, named: str, reserve: Decimal) -> tuple[str, str]:
    """The cash against the reserve: below it now (bad), at the forecast's low (warn), or not."""
    if cash < reserve:
        return "bad", f"below the {named}"
    if low < reserve:
        return "warn", f"above the {named} now, below it at the forecast's low"
    return "good", f"above the {named}"


METHOD = (
    "Scheduled payments (steady monthly payees, loan service) on their usual day; known receipts"
    " (rent roll, booked jobs) on their dates, as a floor under each venture's estimate;"
    " where a venture's budget has income for the month, its receipts are the lower of the"
    " budget and the trend, the trend or the budget, as [finance.forecast] receipts says (the"
    " lower by default); each month says which gave its receipts."
)


def forecast_columns(key: str, label: str) -> tuple[Column, ...]:
    return (
        Column.text(key, label),
        Column.number("opening", "Opening"),
        Column.number("receipts", "Receipts"),
        Column.number("payments", "Payments"),
        Column.number("closing", "Closing"),
    )


def scenarios(base: Forecast, chosen, currency: str, provenance: tuple[str, ...]) -> Table:
    rows = []
    for name in ("downside", "base", "upside"):
        scenario: Scenario = getattr(chosen, name)
        run = base.scaled(scenario)
        low, day = run.low()
        runway = run.runway()
        rows.append(
            {
                "scenario": name,
                "receipts_change": scenario.receipts,
                "payments_change": scenario.payments,
                "cash_low": money(low),
                "cash_low_date": day,
                "closing": money(run.closing[-1]),
                "runway_months": runway,
            }
        )
    return Table(
        id="finance.scenarios",
        title=f"Cash forecast scenarios, 12 months ({currency})",
        columns=(
            Column.text("scenario", "Scenario"),
            Column.number("receipts_change", "Receipts %"),
            Column.number("payments_change", "Payments %"),
            Column.number("cash_low", "Lowest cash"),
            Column.text("cash_low_date", "On"),
            Column.number("closing", f"Cash on {base.end}"),
            Column.number("runway_months", "Runway (months)"),
        ),
        rows=tuple(rows),
        provenance=provenance,
        note=(
            "Every forecast receipt and payment moved by the percentages in [finance.scenarios];"
            " no runway: cash stays above zero through the forecast."
        ),
    )


def projections(portfolio: Portfolio, base: Forecast) -> Table:
    """What this pack forecasts for the next period, to be recorded when it is sent and set
    against what happened by the next pack (`analyses.forecast_actual`): the cash at its end, its
    receipts and payments, each venture's receipts, each of the 13 weeks' closing cash, and the
    bookings the channels brought in the same month last year."""
    following = portfolio.period.following()
    rows: list[tuple[str, str, Decimal]] = []
    if following.end <= base.end:
        received, paid, closing = base.span(following.start, following.end)
        rows += [
            ("cash", following.label, closing),
            ("receipts", following.label, received),
            ("payments", following.label, paid),
        ]
        i, j = (following.start - base.start).days, (following.end - base.start).days + 1
        rows += [
            (f"receipts.{venture}", following.label, sum(days[i:j], ZERO))
            for venture, days in sorted(base.by_venture.items(), key=lambda v: v[0] or "")
            if venture
        ]
    if following.kind == "month":
        ago = add_months(following.start, -12)
        booked: dict[str, int] = defaultdict(int)
        for c in portfolio.channels:
            if c.month == ago:
                booked[c.entity] += c.bookings
        rows += [(f"bookings.{e}", following.label, Decimal(n)) for e, n in sorted(booked.items())]
    closing = base.closing
    rows += [
        ("cash.week", (base.start + timedelta(weeks=w)).isoformat(), closing[7 * w + 6])
        for w in range(WEEKS)
    ]
    return Table(
        id="finance.projections",
        title="What this pack forecasts, for the next pack to check",
        columns=(
            Column.text("series", "Series"),
            Column.text("target", "For"),
            Column.number("value", "Forecast"),
        ),
        rows=tuple({"series": s, "target": t, "value": money(v)} for s, t, v in rows),
        provenance=ledger_files(portfolio),
        note="Bookings: the same month last year, as the channels recorded it.",
    )
