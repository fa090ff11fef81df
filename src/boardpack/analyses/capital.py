"""Capital deployment: the workspace's candidate initiatives ranked by NPV, payback and IRR, and
funded in that order from the cash above the reserve (`finance.reserve_months` of gross burn).

An initiative costs its `cost` now and returns `monthly_return` a month, reached linearly over
`ramp_months`, for `finance.horizon_months`. Money is Decimal throughout; the IRR, a rate that has
no closed form, comes from numpy-financial and is shown rounded to a tenth of a percent.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from boardpack.analyses.ledger_sql import ZERO, money
from boardpack.config import Initiative
from boardpack.model import Column, Finding, Metric, Portfolio, Results, Table

RISK_PREMIUM = {"low": Decimal("0"), "medium": Decimal("0.05"), "high": Decimal("0.10")}


def cash_flows(item: Initiative, horizon: int) -> list[Decimal]:
    """Month 0 is the outlay; month t earns the return scaled by how far the ramp has got."""
    ramp = Decimal(max(item.ramp_months, 1))
    return [-item.cost] + [
        item.monthly_return * min(Decimal(t) / ramp, Decimal(1)) for t in range(1, horizon + 1)
    ]


def monthly_rate(yearly: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return (1 + yearly) ** (Decimal(1) / 12) - 1


def npv(flows: list[Decimal], rate: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return money(sum(flow / (1 + rate) ** t for t, flow in enumerate(flows)))


def payback_months(flows: list[Decimal]) -> int | None:
    """The first month whose cumulative cash flow is no longer negative; None within the horizon."""
    running = ZERO
    for month, flow in enumerate(flows):
        running += flow
        if month and running >= 0:
            return month
    return None


def irr_yearly(flows: list[Decimal]) -> Decimal | None:
    import numpy_financial as npf  # here: numpy's load is paid only by packs that rank initiatives

    monthly = npf.irr([float(f) for f in flows])
    if monthly != monthly or monthly <= -1:  # NaN: no rate makes the NPV zero
        return None
    return Decimal(str(round(((1 + monthly) ** 12 - 1) * 100, 1)))


def analyse(portfolio: Portfolio, results: Results) -> None:
    finance = portfolio.workspace.settings.finance
    if not finance.initiatives:
        return
    currency = portfolio.currency
    cash, burn = results.metrics.get("finance.cash_balance"), results.metrics.get(
        "finance.gross_burn"
    )
    if cash is None or burn is None or cash.value is None or burn.value is None:
        return  # no ledger: nothing to deploy from
    reserve = money(finance.reserve_months * max(burn.value, ZERO))
    available = money(cash.value - reserve)
    ranked = []
    for item in finance.initiatives:
        flows = cash_flows(item, finance.horizon_months)
        hurdle = finance.discount_rate + RISK_PREMIUM[item.risk]
        ranked.append(
            (
                item,
                npv(flows, monthly_rate(hurdle)),
                payback_months(flows),
                irr_yearly(flows),
                hurdle,
            )
        )
    ranked.sort(key=lambda r: (-r[1], r[2] if r[2] is not None else 10**6, r[0].id))

    left, rows = available, []
    for item, value, payback, irr, hurdle in ranked:
        if value <= 0:
            decision = f"decline: NPV is negative at {hurdle * 100:.0f}%"
        elif item.cost > left:
            decision = (
                f"wait: {money(item.cost - left):,} {currency} beyond what the reserve leaves"
            )
        else:
            left -= item.cost
            decision = "fund"
        rows.append(
            {
                "initiative": item.name,
                "cost": item.cost,
                "npv": value,
                "irr": irr,
                "payback": payback,
                "risk": item.risk,
                "decision": decision,
            }
        )
    funded = [r for r in rows if r["decision"] == "fund"]
    provenance = ("boardpack.toml [[finance.initiatives]]",) + cash.provenance
    rule = (
        f"cash {cash.value:,} - reserve {reserve:,} ({finance.reserve_months} months of gross burn "
        f"{burn.value:,}) = {available:,} {currency} to deploy"
    )
    results.add(
        Table(
            id="finance.capital_deployment",
            title=f"Capital deployment ({finance.horizon_months}-month horizon)",
            columns=(
                Column.text("initiative", "Initiative"),
                Column.number("cost", f"Cost ({currency})"),
                Column.number("npv", "NPV"),
                Column.number("irr", "IRR %/yr"),
                Column.number("payback", "Payback (months)"),
                Column.text("risk", "Risk"),
                Column.text("decision", "Decision"),
            ),
            rows=tuple(rows),
            provenance=provenance,
            note=(
                f"{rule}; NPV at {finance.discount_rate * 100:.0f}% a year plus 0 / 5 / 10 points"
                " for low / medium / high risk; ranked by NPV, then payback"
            ),
        ),
        Metric(
            id="finance.deployable_cash",
            label="Cash above the reserve",
            value=available,
            unit=currency,
            provenance=provenance,
            status="good" if available > 0 else "warn",
            note=rule,
        ),
        Metric(
            id="finance.capital_funded",
            label="Initiatives funded",
            value=len(funded),
            unit="initiatives",
            provenance=provenance,
            note=(
                f"{money(sum((r['cost'] for r in funded), ZERO)):,} {currency} of {available:,}"
                " deployable"
            ),
        ),
    )
    if available < 0:
        results.add(
            Finding(
                severity="high",
                area="finance",
                title="Cash is below the reserve",
                evidence=f"{rule}: nothing can be deployed.",
                action="Fund no new initiative until cash is back above the reserve.",
                source=provenance[-1],
            )
        )
