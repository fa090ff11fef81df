"""Capital deployment: the workspace's candidate initiatives ranked by NPV, payback and IRR, and
funded in that order from the cash above the reserve (`finance.reserve_months` of gross burn).

An initiative costs its `cost` now and returns `monthly_return` a month, reached linearly over
`ramp_months`, for `finance.horizon_months`. Money is Decimal throughout; so is the IRR, a rate
with no closed form, found by `irr` below and shown rounded to a tenth of a percent.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from functools import cache

from boardpack.analyses.forecast import cash_reserve
from boardpack.analyses.ledger_sql import ZERO, money
from boardpack.config import Initiative
from boardpack.figures import said
from boardpack.model import Column, Finding, MetricsFrom, Portfolio, Results, Table

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
    monthly = irr(flows)
    if monthly is None:  # no rate makes the NPV zero
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        yearly = ((1 + monthly) ** 12 - 1) * 100
    return yearly.quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def irr(flows: Sequence[Decimal | int | str]) -> Decimal | None:
    """The rate r > -1 a period at which the flows' NPV is zero; where several are, the one nearest
    zero (numpy-financial's rule), and None where there is none.

    In x = 1/(1+r) the NPV is the polynomial Σ flow_t·x^t. One sign change in the flows
    (an outlay, then returns) means exactly one positive root (Descartes), bracketed by doubling
    and polished by safeguarded Newton. With several, rates are sampled outward from zero on
    both sides and the first bracket on each side is solved the same way.
    """
    values = [Decimal(v) for v in flows]
    while values and not values[0]:  # x·P(x) has P's positive roots: leading zeros change nothing
        values.pop(0)
    with localcontext() as ctx:
        ctx.prec = 50
        signs = [v > 0 for v in values if v]
        changes = sum(a != b for a, b in zip(signs, signs[1:], strict=False))
        if not changes:
            return None
        if changes == 1:
            low, high = Decimal(0), Decimal(1)
            while sign(npv_at(values, high)) == sign(values[0]) and high < 10**12:
                low, high = high, high * 2
            x = root_between(values, low, high)
            return None if x is None else +(1 / x - 1)
        found = [
            r for side in (rates_up(), rates_down()) if (r := first_root(values, side)) is not None
        ]
        return min(found, key=abs) if found else None


def npv_at(values: list[Decimal], x: Decimal) -> Decimal:
    total = Decimal(0)
    for v in reversed(values):  # Horner: Σ v_t·x^t
        total = total * x + v
    return total


def sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


TOLERANCE = Decimal("1e-30")


def root_between(values: list[Decimal], low: Decimal, high: Decimal) -> Decimal | None:
    """The x in [low, high] where the polynomial changes sign: Newton's step where it stays inside
    the bracket, halving where it does not."""
    f_low = npv_at(values, low)
    if sign(f_low) == sign(npv_at(values, high)):
        return None
    x = (low + high) / 2
    for _ in range(400):
        fx, slope = npv_at(values, x), slope_at(values, x)
        step = x - fx / slope if slope else None
        if fx == 0 or (step is not None and abs(step - x) < TOLERANCE * max(x, 1)):
            return x if step is None else step
        if sign(fx) == sign(f_low):
            low, f_low = x, fx
        else:
            high = x
        x = step if step is not None and low < step < high else (low + high) / 2
        if high - low < TOLERANCE * max(x, 1):
            return x
    return x


def slope_at(values: list[Decimal], x: Decimal) -> Decimal:
    total = Decimal(0)
    for t in range(len(values) - 1, 0, -1):
        total = total * x + t * values[t]
    return total


@cache
def rates_up() -> tuple[tuple[Decimal, Decimal], ...]:
    """(rate, 1/(1+rate)): 0, then rates growing by a tenth from a billionth to 10,000 a period."""
    rates, d = [Decimal(0)], Decimal("1e-9")
    while d < 10**4:
        rates.append(d)
        d *= Decimal("1.1")
    return tuple((r, 1 / (1 + r)) for r in rates)


@cache
def rates_down() -> tuple[tuple[Decimal, Decimal], ...]:
    """(rate, 1/(1+rate)): 0, then rates falling towards -1, 1/(1+r) growing by a tenth each."""
    pairs, d = [(Decimal(0), Decimal(1))], Decimal("1e-9")
    while d < 10**12:
        pairs.append((1 / (1 + d) - 1, 1 + d))
        d *= Decimal("1.1")
    return tuple(pairs)


def first_root(values: list[Decimal], grid: tuple[tuple[Decimal, Decimal], ...]) -> Decimal | None:
    """The root nearest zero on one side: the first pair of sampled rates whose NPVs differ in
    sign. The scan only needs signs, so it runs in floats (above x = 1 on the reversed polynomial,
    x^n·P(1/x), which has P's sign and cannot overflow); the bracket is then solved in Decimal."""
    forward = [float(v) for v in values]
    backward = forward[::-1]

    def rough(x: float) -> float:
        total, y, coefficients = 0.0, (x, 1 / x)[x > 1], (forward, backward)[x > 1]
        for v in reversed(coefficients):
            total = total * y + v
        return total

    rates, xs = zip(*grid, strict=True)
    signs = [(v > 0) - (v < 0) for v in (rough(float(x)) for x in xs)]
    for i, s in enumerate(signs):
        if s == 0 and npv_at(values, xs[i]) == 0:
            return rates[i]
        if i and s != signs[i - 1]:
            x = root_between(values, min(xs[i - 1], xs[i]), max(xs[i - 1], xs[i]))
            if x is not None:  # None: the floats' sign was wrong so near a root; scan on
                return +(1 / x - 1)
    return None


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
    kept = results.metrics.get("finance.cash_reserve")  # the forecast's, when it ran
    reserve = kept.value if kept else cash_reserve(finance.reserve_months, burn.value)
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
    metric = MetricsFrom(provenance)
    rule = (
        f"Cash {said(cash.value, currency)} less a reserve of {said(reserve, currency)}"
        f" ({finance.reserve_months} months of gross burn at {said(burn.value, currency)}) leaves"
        f" {said(available, currency)} to deploy"
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
        metric(
            id="finance.deployable_cash",
            label="Cash above the reserve",
            value=available,
            unit=currency,
            status="good" if available > 0 else "warn",
            note=rule,
        ),
        metric(
            id="finance.capital_funded",
            label="Initiatives funded",
            value=len(funded),
            unit="initiatives",
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
