"""CFO analyses: cash, burn, runway, break-even and the revenue path to the goal."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from boardpack.analyses import chart
from boardpack.analyses.ledger_sql import (
    BOOKS,
    EXPENSE,
    INCOME,
    OPERATING,
    ZERO,
    charged_between_ventures,
    ledger_files,
    money,
    summary,
    total,
)
from boardpack.figures import plural
from boardpack.model import (
    EARNED_ACCOUNT,
    SERVICE_RECEIPT,
    Column,
    Finding,
    MetricsFrom,
    Portfolio,
    Results,
    Table,
)
from boardpack.period import add_months, month_end, trailing_months

BURN_MONTHS = 3
BASIS_THRESHOLD = Decimal("0.01")  # the other basis is shown when revenue differs by more


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    settings = portfolio.workspace.settings
    currency = portfolio.currency
    period, provenance = portfolio.period, ledger_files(portfolio)
    metric = MetricsFrom(provenance)
    start3, end3 = trailing_months(period.end, BURN_MONTHS)
    months = Decimal(BURN_MONTHS)

    cash = money(portfolio.opening_cash + total(portfolio, "true", None, period.end))
    # cash out: a card purchase is counted when the card is paid, not also when it is made
    gross_burn = money(
        -total(portfolio, f"{OPERATING} AND amount < 0 AND moved_cash", start3, end3) / months
    )
    net_burn = money(-total(portfolio, OPERATING, start3, end3) / months)
    window = f"average of the {BURN_MONTHS} months {start3:%b %Y}–{end3:%b %Y}"
    if net_burn <= 0:
        runway, runway_note = None, "not burning cash: runway is unlimited"
    elif cash <= 0:
        runway, runway_note = Decimal("0.0"), "cash is exhausted"
    else:
        runway, runway_note = (cash / net_burn).quantize(Decimal("0.1")), "cash balance / net burn"
    warning = settings.finance.runway_warning_months
    # the business's revenue: what its ventures charged each other is eliminated, as the
    # consolidation does (each venture's own revenue keeps it)
    charged = charged_between_ventures(portfolio, period.start, period.end)
    revenue = total(portfolio, INCOME, period.start, period.end, table=BOOKS) - charged
    eliminated = f", less {charged:,} charged between ventures" if charged else ""

    results.add(
        metric(
            id="finance.cash_balance",
            label="Cash balance",
            value=cash,
            unit=currency,
            note=f"opening balances plus every transaction through {period.end}",
        ),
        metric(
            id="finance.revenue",
            label="Revenue",
            value=revenue,
            unit=currency,
            note=f"Income:* accounts, {period.title}{eliminated}",
        ),
        metric(
            id="finance.gross_burn",
            label="Gross burn (monthly)",
            value=gross_burn,
            unit=currency,
            note=f"operating cash out, {window}",
        ),
        metric(
            id="finance.net_burn",
            label="Net burn (monthly)",
            value=net_burn,
            unit=currency,
            status="good" if net_burn <= 0 else None,
            note=f"operating cash out less cash in, {window}; negative means cash is growing",
        ),
        metric(
            id="finance.runway_months_trailing",
            label="Runway (trailing average)",
            value=runway,
            unit="months",
            target=warning,
            # no verdict of its own: the runway's (analyses/forecast.py) weighs it with the rest
            note=f"{runway_note}, {window}: blind to the seasons (the forecast's runway is not)",
        ),
    )
    for entity in settings.entities:
        results.add(
            metric(
                id=f"finance.revenue.{entity.id}",
                label=f"Revenue — {entity.name}",
                value=total(
                    portfolio,
                    f"{INCOME} AND entity = ?",
                    period.start,
                    period.end,
                    (entity.id,),
                    table=BOOKS,
                ),
                unit=currency,
                note=(
                    f"Income:* accounts of {entity.id} in the ledger, {period.title},"
                    f" {portfolio.basis} basis"
                ),
            )
        )
    other_basis(portfolio, results, currency, provenance, revenue)
    results.add(monthly_trend(portfolio, currency, provenance))
    break_even(portfolio, results, currency, provenance, start3, end3)
    revenue_targets(portfolio, results, currency, provenance, start3, end3)
    profitability_roadmap(portfolio, results, currency, provenance, start3, end3)


def basis_bridge(portfolio: Portfolio, start: date, end: date) -> tuple[Decimal, Decimal]:
    """What takes revenue from the accrual basis to the cash basis for `start`..`end`: money for a
    service received in the window but earned outside it (deposits, prepayments), and revenue earned
    in the window from money received outside it. Cash = accrual + the first − the second."""
    received, earned_in_window = portfolio.db.execute(
        f"""SELECT
                (SELECT coalesce(sum(amount), 0) FROM ledger
                 WHERE {SERVICE_RECEIPT} AND {EARNED_ACCOUNT} LIKE 'Income:%'
                   AND date BETWEEN $start AND $end),
                (SELECT coalesce(sum(amount), 0) FROM earned_days
                 WHERE account LIKE 'Income:%' AND date BETWEEN $start AND $end
                   AND received BETWEEN $start AND $end)""",
        {"start": start, "end": end},
    ).fetchone()
    (earned_from_other,) = portfolio.db.execute(
        """SELECT coalesce(sum(amount), 0) FROM earned_days
           WHERE account LIKE 'Income:%' AND date BETWEEN $start AND $end
             AND received NOT BETWEEN $start AND $end""",
        {"start": start, "end": end},
    ).fetchone()
    return received - earned_in_window, earned_from_other


def other_basis(
    portfolio: Portfolio, results: Results, currency: str, provenance: tuple[str, ...], revenue
) -> None:
    """Revenue on the other basis beside the books', with the items between them, where the two
    differ by more than BASIS_THRESHOLD of the larger."""
    metric = MetricsFrom(provenance)
    period, basis = portfolio.period, portfolio.basis
    other = "cash" if basis == "accrual" else "accrual"
    other_revenue = total(portfolio, INCOME, period.start, period.end, table=f"books_{other}")
    if abs(revenue - other_revenue) <= max(abs(revenue), abs(other_revenue)) * BASIS_THRESHOLD:
        return
    received, earned = basis_bridge(portfolio, period.start, period.end)
    accrual, cash = (revenue, other_revenue) if basis == "accrual" else (other_revenue, revenue)
    results.add(
        metric(
            id="finance.revenue_other_basis",
            label=f"Revenue, {other} basis",
            value=other_revenue,
            unit=currency,
            note=(
                f"{period.title}; these books are on the {basis} basis"
                f" ({portfolio.basis_reason}). Expenses are the same on both, so net income"
                " differs by the same amount"
            ),
        ),
        Table(
            id="finance.basis_bridge",
            title=f"Revenue, accrual basis to cash basis, {period.title} ({currency})",
            columns=(Column.text("item", "Item"), Column.number("amount", "Amount")),
            rows=(
                {"item": "Revenue, accrual basis (earned)", "amount": money(accrual)},
                {
                    "item": "+ received this period for service in other periods",
                    "amount": money(received),
                },
                {
                    "item": "− earned this period from money received in other periods",
                    "amount": money(-earned),
                },
                {"item": "Revenue, cash basis (received)", "amount": money(cash)},
            ),
            provenance=provenance,
            note=(
                "Deposits and prepayments are revenue when received on the cash basis, and when"
                " the service is given on the accrual basis."
            ),
        ),
    )


def monthly_trend(portfolio: Portfolio, currency: str, provenance: tuple[str, ...]) -> Table:
    """The last 12 months, each beside the same month a year earlier where the ledger has it."""
    start, end = trailing_months(portfolio.period.end, 12)
    first = add_months(start, -12)  # and each month's year earlier
    rows = portfolio.db.execute(
        f"""
        WITH profit AS (
            SELECT date_trunc('month', date)::DATE AS month,
                   coalesce(sum(amount) FILTER ({INCOME}), 0) AS revenue,
                   coalesce(-sum(amount) FILTER ({EXPENSE}), 0) AS expenses
            FROM {summary(portfolio, BOOKS, first, end)} WHERE date BETWEEN $start AND $end
            GROUP BY 1
        ), cash AS (
            SELECT date_trunc('month', date)::DATE AS month,
                   coalesce(sum(amount) FILTER ({OPERATING}), 0) AS operating
            FROM {summary(portfolio, "ledger", first, end)} WHERE date BETWEEN $start AND $end
            GROUP BY 1
        )
        SELECT month, coalesce(revenue, 0), coalesce(expenses, 0), coalesce(operating, 0)
        FROM profit FULL JOIN cash USING (month) ORDER BY 1""",
        {"start": first, "end": end},
    ).fetchall()
    by_month = {r[0]: r[1:] for r in rows}
    out = []
    month = start
    while month <= end:
        revenue, expenses, operating = by_month.get(month, (ZERO, ZERO, ZERO))
        earlier = by_month.get(add_months(month, -12))
        out.append(
            {
                "month": f"{month:%Y-%m}",
                "revenue": money(revenue),
                "revenue_year_earlier": money(earlier[0]) if earlier else None,
                "expenses": money(expenses),
                "net": money(revenue - expenses),
                "net_year_earlier": money(earlier[0] - earlier[1]) if earlier else None,
                "operating_cash_flow": money(operating),
            }
        )
        month = add_months(month, 1)
    return Table(
        id="finance.monthly",
        title=f"Last 12 months ({currency})",
        columns=(
            Column.text("month", "Month"),
            Column.number("revenue", "Revenue"),
            Column.number("revenue_year_earlier", "Revenue a year earlier"),
            Column.number("expenses", "Expenses"),
            Column.number("net", "Net income"),
            Column.number("net_year_earlier", "Net income a year earlier"),
            Column.number("operating_cash_flow", "Operating cash flow"),
        ),
        rows=tuple(out),
        provenance=provenance,
        note="A year earlier: the same month of the year before, where the ledger has it.",
    )


def break_even(portfolio, results, currency, provenance, start3: date, end3: date) -> None:
    """Monthly revenue at which contribution covers fixed costs, from the trailing window's cost
    structure."""
    metric = MetricsFrom(provenance)
    accounts = chart.Chart(portfolio.workspace.settings)
    costs = portfolio.db.execute(
        f"SELECT entity, account, -sum(amount) FROM {summary(portfolio, 'ledger', start3, end3)}"
        f" WHERE {EXPENSE} AND date BETWEEN ? AND ? GROUP BY ALL",
        (start3, end3),
    ).fetchall()
    variable: dict[str, Decimal] = {}
    fixed: dict[str, Decimal] = {}
    for entity, account, value in costs:
        side = variable if accounts.is_variable(entity, account) else fixed
        side[entity] = side.get(entity, ZERO) + value
    revenue = total(portfolio, INCOME, start3, end3, table=BOOKS)
    all_variable, all_fixed = sum(variable.values(), ZERO), sum(fixed.values(), ZERO)
    months = Decimal(BURN_MONTHS)
    value, note = None, ""
    if revenue <= 0:
        note = "no revenue in the window, so no contribution margin to cover fixed costs"
    elif all_variable >= revenue:
        note = (
            "variable costs exceed revenue: every sale loses money, so no revenue level breaks even"
        )
    else:
        margin = (revenue - all_variable) / revenue
        value = money(all_fixed / months / margin)
        note = (
            f"monthly fixed costs {money(all_fixed / months):,} / contribution margin"
            f" {(margin * 100).quantize(Decimal('0.1'))}% ({start3:%b}–{end3:%b %Y}; variable costs"
            " per the chart of accounts and finance.variable_cost_accounts)"
        )
    current = money(revenue / months)
    if value is not None:
        status = "good" if current >= value else "bad"
    else:
        status = "bad" if revenue > 0 else None
    results.add(
        metric(
            id="finance.break_even_revenue",
            label="Break-even revenue (monthly)",
            value=value,
            unit=currency,
            status=status,
            note=note,
        ),
        metric(
            id="finance.average_revenue",
            label=f"Average monthly revenue ({BURN_MONTHS} months)",
            value=current,
            unit=currency,
            note=f"Income:* accounts, {start3:%b %Y}–{end3:%b %Y}",
        ),
    )
    if value is not None and current < value:
        results.add(
            Finding(
                severity="high",
                area="finance",
                title="Revenue is below break-even",
                evidence=(
                    f"Average monthly revenue {current:,} {currency} against break-even {value:,}"
                    f" {currency}."
                ),
                action="Raise prices or volume on the highest-margin venture, or cut fixed costs.",
                source=provenance[0],
            )
        )
    break_even_units(portfolio, results, provenance, start3, end3, variable, fixed)


def break_even_units(
    portfolio, results, provenance, start3: date, end3: date, variable: dict, fixed: dict
) -> None:
    """For ventures that sell units (charters, hauling jobs, billable hours): how many a month cover
    fixed costs.

    units sold = the income rows' `quantity` (one a row when there is none; hours must be given);
    break-even = monthly fixed costs / (revenue per unit - variable cost per unit), rounded up.
    """
    metric = MetricsFrom(provenance)
    sold = {
        e: (r, u, unknown)
        for e, r, u, unknown in portfolio.db.execute(
            "SELECT entity, sum(amount), sum(coalesce(quantity, 1)), count(*) FILTER (quantity IS"
            f" NULL) FROM books WHERE {INCOME} AND date BETWEEN ? AND ? GROUP BY entity",
            (start3, end3),
        ).fetchall()
    }
    months = Decimal(BURN_MONTHS)
    rows = []
    for entity in portfolio.workspace.settings.entities:
        unit = entity.unit or chart.UNITS.get(entity.kind)
        if unit is None:
            continue
        revenue, units, unknown = sold.get(entity.id, (ZERO, ZERO, 0))
        monthly_fixed = money(fixed.get(entity.id, ZERO) / months)
        value, status = None, None
        if entity.kind in chart.HOURLY and entity.unit is None and unknown:
            why = (
                f"{unknown} income rows have no quantity: map the hours column as columns.quantity,"
                " or set the entity's unit"
            )
        elif units <= 0 or revenue <= 0:
            why = f"no {unit} sold in {start3:%b}–{end3:%b %Y}"
        else:
            price, cost = revenue / units, variable.get(entity.id, ZERO) / units
            if price <= cost:
                why = f"each {unit} costs {money(cost)} and brings {money(price)}: none breaks even"
            else:
                value = int(math.ceil(monthly_fixed / (price - cost)))
                status = "good" if units / months >= value else "bad"
                why = (
                    f"fixed {monthly_fixed}/month / ({money(price)} revenue - {money(cost)}"
                    f" variable cost per {unit}), rounded up"
                )
            rows.append(
                {
                    "entity": entity.name,
                    "unit": unit,
                    "price": money(price),
                    "variable": money(cost),
                    "fixed": monthly_fixed,
                    "break_even": value,
                    "sold": (units / months).quantize(Decimal("0.1")),
                }
            )
        results.add(
            metric(
                id=f"finance.break_even_units.{entity.id}",
                label=f"Break-even — {entity.name}",
                value=value,
                unit=f"{unit}s a month",
                status=status,
                note=why,
            )
        )
    if rows:
        results.add(
            Table(
                id="finance.break_even_units",
                title=f"Break-even in units ({start3:%b}–{end3:%b %Y}, monthly)",
                columns=(
                    Column.text("entity", "Venture"),
                    Column.text("unit", "Unit"),
                    Column.number("price", "Revenue / unit"),
                    Column.number("variable", "Variable cost / unit"),
                    Column.number("fixed", "Fixed costs"),
                    Column.number("break_even", "Break-even units"),
                    Column.number("sold", "Units sold"),
                ),
                rows=tuple(rows),
                provenance=provenance,
            )
        )


@dataclass(frozen=True)
class Season:
    """Each calendar month's revenue as a share of a typical month's, and its net income above or
    below a typical month's, from the whole years before the period's end (one or two)."""

    revenue: dict[int, Decimal]  # month number -> factor (1 is a typical month)
    net_income: dict[int, Decimal]  # month number -> offset in money
    years: int

    def typical_revenue(self, months: list[date], revenue: Decimal) -> Decimal:
        """`revenue`, averaged over `months`, as a typical month's (the season taken out)."""
        factor = sum((self.revenue[m.month] for m in months), ZERO) / len(months)
        return revenue / factor if factor else revenue

    def typical_net_income(self, months: list[date], net_income: Decimal) -> Decimal:
        return net_income - sum((self.net_income[m.month] for m in months), ZERO) / len(months)


def season(portfolio: Portfolio) -> Season | None:
    """The seasonal shape of the last one or two whole years of the books; None with less than a
    year, or no revenue."""
    end = portfolio.period.end
    (first,) = portfolio.db.execute("SELECT min(date) FROM books").fetchone()
    if first is None:
        return None
    years = min(2, ((end.year - first.year) * 12 + end.month - first.month + 1) // 12)
    if years < 1:
        return None
    start = add_months(end, -(12 * years - 1))
    rows = portfolio.db.execute(
        f"""SELECT month(date), coalesce(sum(amount) FILTER ({INCOME}), 0),
                   coalesce(sum(amount) FILTER ({INCOME} OR {EXPENSE}), 0)
            FROM {summary(portfolio, BOOKS, start, month_end(end))}
            WHERE date BETWEEN ? AND ? GROUP BY 1""",
        (start, month_end(end)),
    ).fetchall()
    revenue = {m: ZERO for m in range(1, 13)} | {m: r for m, r, _ in rows}
    net = {m: ZERO for m in range(1, 13)} | {m: n for m, _, n in rows}
    typical = sum(revenue.values(), ZERO) / 12
    if typical <= 0:
        return None
    average_net = sum(net.values(), ZERO) / 12
    return Season(
        revenue={m: r / typical for m, r in revenue.items()},
        net_income={m: (n - average_net) / years for m, n in net.items()},
        years=years,
    )


def months_to_goal(portfolio: Portfolio) -> tuple[date, int]:
    """The first month after the period, and how many months from it through finance.goal_month."""
    goal_month = date.fromisoformat(portfolio.workspace.settings.finance.goal_month + "-01")
    first = add_months(portfolio.period.end, 1)
    return first, (goal_month.year - first.year) * 12 + goal_month.month - first.month + 1


def revenue_targets(portfolio, results, currency, provenance, start3: date, end3: date) -> None:
    metric = MetricsFrom(provenance)
    finance = portfolio.workspace.settings.finance
    if finance.revenue_goal is None:
        return
    goal = finance.revenue_goal
    first, steps = months_to_goal(portfolio)
    current = money(total(portfolio, INCOME, start3, end3, table=BOOKS) / BURN_MONTHS)
    if steps < 1:
        results.add(
            Finding(
                severity="low",
                area="finance",
                title="The revenue goal month has passed",
                evidence=(
                    f"finance.goal_month = {finance.goal_month} is not after"
                    f" {portfolio.period.label}."
                ),
                action="Set a new month to reach the revenue goal by.",
            )
        )
        return
    shape = season(portfolio)
    if current > 0:
        months = [add_months(start3, i) for i in range(BURN_MONTHS)]
        typical = money(shape.typical_revenue(months, current)) if shape else current
        # the goal is the goal month's own revenue: in a typical month, that month's season out
        share = (shape.revenue[add_months(first, steps - 1).month] if shape else 0) or Decimal(1)
        with localcontext() as ctx:
            ctx.prec = 28
            growth = (goal / share / typical) ** (Decimal(1) / steps) - 1
        targets = [money(typical * (1 + growth) ** (i + 1)) for i in range(steps)]
        rule = (
            f"compound growth of {(growth * 100).quantize(Decimal('0.01'))}% a month from"
            f" {typical:,} {currency}"
        )
        if shape:  # the goal and the growth are a typical month's; each target is its month's
            targets = [
                money(t * shape.revenue[add_months(first, i).month]) for i, t in enumerate(targets)
            ]
            rule += (
                f" in a typical month ({current:,} a month in {start3:%b}–{end3:%b %Y}, the"
                " season taken out), each month then shaped by the season of the last"
                f" {plural(shape.years, 'year')}: its share of a typical month's revenue"
            )
        targets[-1] = goal  # the goal exactly in its month, not give or take a rounding
    else:
        growth = None
        targets = [money(goal * (i + 1) / steps) for i in range(steps)]
        rule = f"straight line from zero (no revenue in {start3:%b}–{end3:%b %Y})"
    rows = tuple(
        {"month": f"{add_months(first, i):%Y-%m}", "target": t} for i, t in enumerate(targets)
    )
    results.add(
        Table(
            id="finance.revenue_targets",
            title=f"Monthly revenue targets to {goal:,} {currency} by {finance.goal_month}",
            columns=(
                Column.text("month", "Month"),
                Column.number("target", f"Target ({currency})"),
            ),
            rows=rows,
            provenance=provenance,
            note=rule,
        ),
        metric(
            id="finance.required_growth",
            label="Required monthly revenue growth",
            value=None if growth is None else (growth * 100).quantize(Decimal("0.01")),
            unit="%",
            note=rule,
        ),
    )


def profitability_roadmap(
    portfolio, results, currency, provenance, start3: date, end3: date
) -> None:
    """Dated milestones on a straight line from today's monthly net income to
    finance.net_income_goal.

    Today's figure is the trailing three months' average; the line reaches the goal in goal_month,
    and each milestone (break-even, a quarter, half, three quarters of the goal, the goal) is dated
    by the first month the line reaches it.
    """
    metric = MetricsFrom(provenance)
    finance = portfolio.workspace.settings.finance
    if finance.net_income_goal is None:
        return
    goal = finance.net_income_goal
    current = money(
        total(portfolio, f"{INCOME} OR {EXPENSE}", start3, end3, table=BOOKS) / BURN_MONTHS
    )
    first, steps = months_to_goal(portfolio)
    shape = season(portfolio)
    months = [add_months(start3, i) for i in range(BURN_MONTHS)]
    trailing = current
    if shape:
        current = money(shape.typical_net_income(months, current))
    gap = money(goal - current)
    marks = (
        ([("Break even", ZERO)] if current < 0 <= goal else [])
        + [(f"{share}% of the goal", money(goal * share / 100)) for share in (25, 50, 75)]
        + [("The goal", goal)]
    )
    # the line from today to the goal, as the note describes it: a milestone is dated where the
    # line passes it (a season's swing would date every milestone in its best month)
    path = [current + gap * i / steps for i in range(1, steps + 1)]
    rows = []
    for label, target in marks:
        if current >= target:
            when = "reached"
        elif steps < 1:
            when = "goal month has passed"
        else:
            i = next((i for i, value in enumerate(path) if value >= target), None)
            when = (
                f"{add_months(first, i):%Y-%m}" if i is not None else f"not by {finance.goal_month}"
            )
        rows.append({"milestone": label, "net_income": target, "by": when})
    results.add(
        metric(
            id="finance.net_income_gap",
            label="Monthly net income still to find",
            value=max(gap, ZERO),
            unit=currency,
            status="good" if gap <= 0 else None,
            note=(
                f"goal {goal:,} by {finance.goal_month} - today's {current:,}"
                f" ({start3:%b}–{end3:%b %Y} average"
                + (", the season taken out)" if shape else ")")
            ),
        ),
        Table(
            id="finance.profitability_roadmap",
            title=f"Profitability roadmap to {goal:,} {currency} a month",
            columns=(
                Column.text("milestone", "Milestone"),
                Column.number("net_income", f"Monthly net income ({currency})"),
                Column.text("by", "By"),
            ),
            rows=tuple(rows),
            provenance=provenance,
            note=(
                f"a straight line from {current:,} {currency} ({start3:%b}–{end3:%b %Y} average"
                + (
                    f" of {trailing:,}, the season taken out, as the last"
                    f" {plural(shape.years, 'year')} shaped it) to the goal in"
                    f" {finance.goal_month}; a milestone is dated by the first month the line"
                    " passes it"
                    if shape
                    else f") to the goal in {finance.goal_month}"
                )
            ),
        ),
    )
