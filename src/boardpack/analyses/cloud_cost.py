"""Cloud cost from Cost Explorer: the period's spend, its trend by service, and where to save; and
what technology costs as the ledger paid it, always (`ledger_cost`).

Savings candidates are rules of thumb stated in the table, each with its evidence:
- a service whose cost in the latest month rose more than 25% above its average of the three before
  (of those Cost Explorer has data for);
- Lambda functions on x86_64: arm64 (Graviton) costs 20% less per GB-second for most code;
- DynamoDB tables on provisioned capacity: on-demand is cheaper for small or spiky traffic.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from datetime import date
from decimal import Decimal

from boardpack.analyses.ledger_sql import by_payee, ledger_files, money, payee_summary, percent
from boardpack.model import Column, Finding, Metric, MetricsFrom, Portfolio, Results, Status, Table
from boardpack.period import add_months, month_start

GROWTH = Decimal("0.25")
ARM_SAVING = Decimal("0.20")
CENT = Decimal("0.01")
PROVENANCE = ("AWS Cost Explorer (UnblendedCost by SERVICE, monthly)",)
# the ledger's technology accounts, unless [reports.cto] cost_accounts says which
COST_ACCOUNTS = ["Expenses:Cloud*", "Expenses:Software*", "Expenses:Hosting*", "Expenses:SaaS*"]
LEDGER_MONTHS = 12
PAYEES_SHOWN = 15
# a payment to AWS in the ledger: its payee, without case
AWS_PAYEE = "lower(trim(counterparty)) SIMILAR TO '(amazon web services|aws)( .*)?'"
TIE_OFF = Decimal(2)  # percent: a bill and its payment further apart are a finding


def analyse(portfolio: Portfolio, results: Results) -> None:
    if portfolio.fresh("ledger"):
        ledger_cost(portfolio, results)
    cloud = portfolio.cloud
    if cloud is None or not portfolio.fresh("aws"):
        return
    by_entity(portfolio, results)
    by_month: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for month, service, amount in cloud.costs:
        by_month[month][service] += amount
    last = month_start(portfolio.period.end)
    first = month_start(portfolio.period.start)
    months = period_months(first, last)
    span = len(months)
    before = [add_months(m, -span) for m in months]
    unit = cloud.cost_currency
    ttm = [add_months(last, -i) for i in range(12)]

    def spend(in_months: list[date]) -> Decimal:
        return sum(
            (amount for m in in_months for amount in by_month[m].values()), Decimal(0)
        ).quantize(CENT)

    current, previous, total_ttm = spend(months), spend(before), spend(ttm)
    change = ((current - previous) / previous * 100).quantize(Decimal("0.1")) if previous else None
    results.add(
        Metric(
            id="technology.cloud_cost",
            label="Cloud cost this period",
            value=current,
            unit=unit,
            provenance=PROVENANCE,
        ),
        Metric(
            id="technology.cloud_cost_change",
            label="Cloud cost change vs the period before",
            value=change,
            unit="%",
            provenance=PROVENANCE,
            status=growth_status(change),
            note="(this period − the period before) ÷ the period before",
        ),
        Metric(
            id="technology.cloud_cost_ttm",
            label="Cloud cost, trailing 12 months",
            value=total_ttm,
            unit=unit,
            provenance=PROVENANCE,
        ),
    )
    shown = [add_months(last, -i) for i in (2, 1, 0)]
    services = sorted(
        {s for m in ttm for s in by_month[m]}, key=lambda s: -sum(by_month[m][s] for m in ttm)
    )
    rows, savings = [], []
    recorded = {month for month, _, _ in cloud.costs}
    for service in services:
        latest = by_month[last][service]
        # months before Cost Explorer has any data for the account are not months of zero cost
        prior = [by_month[m][service] for i in (1, 2, 3) if (m := add_months(last, -i)) in recorded]
        average = sum(prior, Decimal(0)) / len(prior) if prior else Decimal(0)
        rows.append(
            {
                "service": service,
                **{m.isoformat()[:7]: by_month[m][service].quantize(CENT) for m in shown},
                "ttm": sum((by_month[m][service] for m in ttm), Decimal(0)).quantize(CENT),
                "trend": trend(latest, average),
            }
        )
        if average and latest > average * (1 + GROWTH):
            savings.append(
                {
                    "candidate": f"Review the growth of {service}",
                    "evidence": (
                        f"{latest.quantize(CENT)} {unit} last month against a 3-month average of "
                        f"{average.quantize(CENT)} {unit}"
                    ),
                    "monthly_saving": None,
                }
            )
            results.add(
                Finding(
                    severity="low",
                    area="technology",
                    title=f"{service} cost rose {pct(latest, average)}%",
                    evidence=(
                        f"{latest.quantize(CENT)} {unit} in {last:%b %Y} against a 3-month average"
                        f" of {average.quantize(CENT)} {unit}."
                    ),
                    action="Find what changed and whether it was intended.",
                    asset=service,
                    source=PROVENANCE[0],
                )
            )
    savings += resource_savings(portfolio, by_month[last], unit)
    if unit == portfolio.currency and portfolio.fresh("ledger"):
        bill_vs_ledger(portfolio, results, by_month, {m for m, _, _ in cloud.costs})
    columns = (
        Column.text("service", "Service"),
        *(Column.number(m.isoformat()[:7], f"{m:%b %Y}") for m in shown),
        Column.number("ttm", "12 months"),
        Column.text("trend", "Trend"),
    )
    results.add(
        Table(
            id="technology.cost_by_service",
            title=f"Cloud cost by service ({unit})",
            columns=columns,
            rows=tuple(rows),
            provenance=PROVENANCE,
            note="Trend compares the latest month with the average of the three before it.",
        ),
        Table(
            id="technology.savings",
            title="Savings candidates",
            columns=(
                Column.text("candidate", "Candidate"),
                Column.text("evidence", "Evidence"),
                Column.number("monthly_saving", f"Estimated saving a month ({unit})"),
            ),
            rows=tuple(savings),
            provenance=PROVENANCE + ("AWS resources",),
        ),
    )


def bill_vs_ledger(
    portfolio: Portfolio, results: Results, by_month: dict, recorded: set[date]
) -> None:
    """Each of the last three months' AWS bill (Cost Explorer) against what the ledger paid AWS for
    it: the payments to AWS dated in the month after (AWS charges a month's bill early in the
    next). More than TIE_OFF percent apart is a finding; a bill whose month after is still to come
    is not yet due."""
    last = month_start(portfolio.period.end)
    months = [m for i in (2, 1, 0) if (m := add_months(last, -i)) in recorded]
    if not months:
        return
    paid = dict(
        portfolio.db.execute(
            f"""SELECT date_trunc('month', date)::DATE, -sum(amount) FROM ledger
                WHERE amount < 0 AND {AWS_PAYEE} AND date >= $first AND date < $after
                GROUP BY 1""",
            {"first": add_months(months[0], 1), "after": add_months(last, 2)},
        ).fetchall()
    )
    currency, rows, latest = portfolio.currency, [], None
    for month in months:
        bill = sum(by_month[month].values(), Decimal(0)).quantize(CENT)
        payment = paid.get(add_months(month, 1))
        off = percent(payment - bill, bill) if payment is not None else None
        rows.append(
            {
                "month": f"{month:%Y-%m}",
                "bill": bill,
                "paid": payment,
                "difference": payment - bill if payment is not None else None,
                "percent": off,
                "state": (
                    "not yet due"
                    if payment is None and add_months(month, 1) > month_start(portfolio.as_of)
                    else "no payment to AWS found"
                    if payment is None
                    else "off" if off is not None and abs(off) > TIE_OFF else "tied"
                ),
            }
        )
        if payment is not None:
            latest = rows[-1]
        if rows[-1]["state"] in ("off", "no payment to AWS found"):
            results.add(
                Finding(
                    severity="medium",
                    area="technology",
                    title=f"The AWS bill for {month:%b %Y} and the ledger's payment differ",
                    evidence=(
                        f"Cost Explorer: {bill:,} {currency}; paid to AWS in"
                        f" {add_months(month, 1):%b}:"
                        f" {'nothing' if payment is None else f'{payment:,} {currency}'}."
                    ),
                    action=(
                        "Find the difference: a credit, a refund, tax, another account's charge"
                        " on the same card, or a payment booked under another payee."
                    ),
                    source=PROVENANCE[0],
                )
            )
    results.add(
        Metric(
            id="cloud_cost.bill_vs_ledger",
            label="AWS bill against the ledger",
            value=latest["percent"] if latest else None,
            unit="%",
            status=(
                None if latest is None else "bad" if latest["state"] == "off" else "good"
            ),
            provenance=PROVENANCE + ledger_files(portfolio),
            note=(
                f"the {latest['month']} bill against its payment the month after"
                if latest
                else "no bill paid yet"
            ),
        ),
        Table(
            id="cloud_cost.bill_vs_ledger",
            title=f"AWS bill against the ledger's payment ({currency})",
            columns=(
                Column.text("month", "Bill for"),
                Column.number("bill", "Bill"),
                Column.number("paid", "Paid the month after"),
                Column.number("difference", "Difference"),
                Column.number("percent", "Difference %"),
                Column.text("state", "State"),
            ),
            rows=tuple(rows),
            provenance=PROVENANCE + ledger_files(portfolio),
            note=f"more than {TIE_OFF}% apart is a finding",
        ),
    )


def ledger_cost(portfolio: Portfolio, results: Results) -> None:
    """What technology costs as the ledger paid it — its technology accounts by payee and venture,
    with AWS connected or not: the period's total (`cloud_cost.ledger`), and each payee's
    typical month over the last twelve and the month its charge last changed (a subscription's
    price rise, a plan changed)."""
    own = portfolio.workspace.settings.reports.get("cto")
    globs = own.cost_accounts if own and own.cost_accounts else COST_ACCOUNTS
    named = portfolio.db.execute(
        f"SELECT DISTINCT account FROM {by_payee(portfolio)} WHERE account LIKE 'Expenses:%'"
    ).fetchall()
    accounts = sorted(a for (a,) in named if any(fnmatch.fnmatchcase(a, g) for g in globs))
    period, currency = portfolio.period, portfolio.currency
    last = month_start(period.end)
    first = add_months(last, -(LEDGER_MONTHS - 1))
    # each payee's months, then per payee: the period, the typical month, the last change — in
    # DuckDB, the largest PAYEES_SHOWN kept (a card used for everything has hundreds of payees)
    found = portfolio.db.execute(
        f"""WITH months AS (
                SELECT date_trunc('month', date)::DATE AS month, entity,
                       coalesce(counterparty, '') AS payee, account, -sum(amount) AS paid
                FROM {payee_summary(portfolio, first, period.end)}
                WHERE list_contains($accounts, account) AND date BETWEEN $first AND $end
                GROUP BY ALL
            ), steps AS (
                SELECT *, lag(paid) OVER (PARTITION BY entity, payee, account ORDER BY month)
                          AS before
                FROM months
            ), payees AS (
                SELECT payee, entity, coalesce(sum(paid) FILTER (month >= $start), 0) AS period,
                       median(paid) AS monthly,
                       max(month) FILTER (paid <> before) AS changed,
                       arg_max(before, month) FILTER (paid <> before) AS was,
                       arg_max(paid, month) FILTER (paid <> before) AS now
                FROM steps GROUP BY payee, entity, account
            )
            SELECT *, count(*) OVER () AS payees, sum(period) OVER () AS total FROM payees
            ORDER BY period DESC, monthly DESC, payee LIMIT {PAYEES_SHOWN}""",
        {
            "accounts": accounts or [""],
            "first": first,
            "start": period.start,
            "end": period.end,
        },
    ).fetchall()
    if not found:  # no technology account in the books: nothing to say, not a cost of zero
        return
    rows = [
        {
            "payee": payee or "(no payee)",
            "venture": entity or "",
            "period": money(spent),
            "monthly": money(monthly),
            "changed": f"{changed:%Y-%m}: {was:,} → {now:,}" if changed else "",
        }
        for payee, entity, spent, monthly, changed, was, now, _, _ in found
    ]
    payees, total = found[0][-2], money(found[0][-1])
    metric = MetricsFrom(ledger_files(portfolio))
    results.add(
        metric(
            id="cloud_cost.ledger",
            label="Technology cost in the books",
            value=total,
            unit=currency,
            note=f"{', '.join(globs)} in the ledger, {period.title}",
        ),
        Table(
            id="cloud_cost.ledger_by_payee",
            title=f"Technology cost by payee, as the ledger paid it ({currency})",
            columns=(
                Column.text("payee", "Payee"),
                Column.text("venture", "Venture"),
                Column.number("period", period.title),
                Column.number("monthly", "Typical month"),
                Column.text("changed", "Last change"),
            ),
            rows=tuple(rows),
            provenance=ledger_files(portfolio),
            note=(
                (f"The {PAYEES_SHOWN} largest of {payees} payees. " if payees > len(rows) else "")
                + f"Typical month: the median of the months charged in the last {LEDGER_MONTHS};"
                " last change: the month the charge last differed from the one before, from and"
                " to."
            ),
        ),
    )


def period_months(first: date, last: date) -> list[date]:
    months, m = [], first
    while m <= last:
        months.append(m)
        m = add_months(m, 1)
    return months


def growth_status(change: Decimal | None) -> Status | None:
    """Cloud cost growing by more than GROWTH a period is bad."""
    if change is None:
        return None
    return "bad" if change > GROWTH * 100 else "good"


def pct(now: Decimal, then: Decimal) -> Decimal:
    return ((now - then) / then * 100).quantize(Decimal("1"))


def trend(now: Decimal, average: Decimal) -> str:
    if not average:
        return "new" if now else "—"
    change = pct(now, average)
    if change > 5:
        return f"up {change}%"
    return f"down {-change}%" if change < -5 else "flat"


def resource_savings(portfolio: Portfolio, latest: dict[str, Decimal], unit: str) -> list[dict]:
    resources = portfolio.cloud.resources
    rows = []
    functions = [r for r in resources if r.service == "lambda"]
    x86 = [r for r in functions if "arm64" not in r.facts.get("architectures", ())]
    if x86:
        lambda_cost = latest.get("AWS Lambda", Decimal(0))
        estimate = (
            (lambda_cost * ARM_SAVING * len(x86) / len(functions)).quantize(CENT)
            if lambda_cost
            else None
        )
        rows.append(
            {
                "candidate": (
                    f"Move {len(x86)} of {len(functions)} Lambda functions to arm64 (Graviton)"
                ),
                "evidence": (
                    f"{', '.join(r.name for r in x86[:5])} run on x86_64; arm64 costs 20% less per "
                    "GB-second (estimate: 20% of last month's Lambda cost, by share of functions)"
                ),
                "monthly_saving": estimate,
            }
        )
    provisioned = [
        r for r in resources if r.service == "dynamodb" and r.facts.get("billing") == "PROVISIONED"
    ]
    if provisioned:
        rows.append(
            {
                "candidate": f"Check {len(provisioned)} DynamoDB tables on provisioned capacity",
                "evidence": (
                    f"{', '.join(r.name for r in provisioned[:5])}: on-demand is cheaper when"
                    " traffic is small or spiky; compare with the tables' consumed capacity"
                ),
                "monthly_saving": None,
            }
        )
    return rows


def by_entity(portfolio: Portfolio, results: Results) -> None:
    """The period's cloud cost by venture (the `entity` cost-allocation tag), untagged cost shown
    as such, and each venture's tech cost per unit it sold (its income rows' quantities)."""
    cloud = portfolio.cloud
    if cloud is None or not cloud.costs_by_entity:
        return
    first, last = month_start(portfolio.period.start), month_start(portfolio.period.end)
    months = set(period_months(first, last))
    spent: dict[str | None, Decimal] = defaultdict(Decimal)
    for month, entity, amount in cloud.costs_by_entity:
        if month in months:
            spent[entity] += amount
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    sold = (
        dict(
            portfolio.db.execute(
                "SELECT entity, sum(coalesce(quantity, 1)) FROM books WHERE account LIKE 'Income%'"
                " AND date BETWEEN ? AND ? GROUP BY entity",
                (portfolio.period.start, portfolio.period.end),
            ).fetchall()
        )
        if portfolio.fresh("ledger")
        else {}
    )
    unit = cloud.cost_currency
    provenance = ("AWS Cost Explorer (UnblendedCost by the entity tag, monthly)",)
    metric = MetricsFrom(provenance)
    rows = []
    for entity in [*names, None]:
        cost = spent.get(entity, Decimal(0)).quantize(CENT)
        if entity is None:
            rows.append({"venture": "untagged", "cost": cost, "units": None, "per_unit": None})
            continue
        units = Decimal(sold.get(entity) or 0)
        per_unit = (cost / units).quantize(CENT) if units else None
        results.add(
            metric(
                id=f"cloud_cost.by_entity.{entity}",
                label=f"Cloud cost — {names[entity]}",
                value=cost,
                unit=unit,
            ),
            Metric(
                id=f"cloud_cost.per_unit.{entity}",
                label=f"Tech cost per unit sold — {names[entity]}",
                value=per_unit,
                unit=unit,
                provenance=provenance + ("the ledger's income rows (their quantity)",),
                note="the venture's cloud cost over the units its income rows sold"
                + ("" if units else "; it sold none this period"),
            ),
        )
        rows.append(
            {"venture": names[entity], "cost": cost, "units": units or None, "per_unit": per_unit}
        )
    results.add(
        Table(
            id="cloud_cost.by_entity",
            title="Cloud cost by venture (the entity tag)",
            columns=(
                Column.text("venture", "Venture"),
                Column.number("cost", f"Cost ({unit})"),
                Column.number("units", "Units sold"),
                Column.number("per_unit", "Per unit"),
            ),
            rows=tuple(rows),
            provenance=provenance,
            note="Untagged cost is what carries no entity tag: tag it to see whose it is.",
        )
    )
