"""Analyses: functions of the Portfolio that add to Results, run in order.

Each reads the model (the Portfolio, and for the later ones earlier results) and adds metrics,
tables, findings and actions; none imports a source. They are not pure: the ledger's monthly
summaries are made in the Portfolio's DuckDB connection on first use and shared by the ones after.
One that fails is recorded by name and the others still run, so a broken analysis marks its
sections unavailable instead of sinking the pack.
"""

from __future__ import annotations

from collections.abc import Callable

from boardpack.analyses import (
    accounting,
    bookings,
    bridge,
    budget,
    capital,
    client_services,
    cloud_cost,
    customers,
    delivery,
    dependencies,
    events,
    executive,
    expenses,
    finance,
    followup,
    forecast,
    forecast_actual,
    hygiene,
    logistics,
    marketing,
    operations,
    real_estate,
    reconciliation,
    revenue,
    revenue_risk,
    rules,
    security,
    service_health,
    statements,
    technology,
    watchlist,
    website,
)
from boardpack.model import Portfolio, Results

Analysis = Callable[[Portfolio, Results], None]

# executive reads every other analysis's findings, and rules read their metrics: they run last
ANALYSES: tuple[tuple[str, Analysis], ...] = (
    ("finance", finance.analyse),
    ("forecast", forecast.analyse),  # reads finance's cash and burn
    ("forecast_actual", forecast_actual.analyse),
    ("capital", capital.analyse),  # reads finance's cash and burn
    ("accounting", accounting.analyse),
    ("expenses", expenses.analyse),
    ("revenue", revenue.analyse),
    ("statements", statements.analyse),
    ("budget", budget.analyse),
    ("bridge", bridge.analyse),
    ("marketing", marketing.analyse),
    ("real_estate", real_estate.analyse),
    ("logistics", logistics.analyse),
    ("client_services", client_services.analyse),
    ("bookings", bookings.analyse),
    ("reconciliation", reconciliation.analyse),
    ("customers", customers.analyse),  # a bookings venture's from its bookings
    ("security", security.analyse),
    ("hygiene", hygiene.analyse),  # the AWS account's own keeping, scored per venture
    ("cloud_cost", cloud_cost.analyse),
    ("dependencies", dependencies.analyse),  # the repositories' pins against the OSV snapshot
    ("delivery", delivery.analyse),  # the four keys from the repositories' tags
    ("website", website.analyse),  # the ventures' sites: accessibility and local search
    ("events", events.analyse),  # what the live sources' event tables recorded
    ("service_health", service_health.analyse),  # the live CloudWatch metrics against targets
    ("operations", operations.analyse),
    ("technology", technology.analyse),  # ranks the findings of security, cloud_cost and the notes
    ("revenue_risk", revenue_risk.analyse),  # the technology findings by the revenue they risk
    ("rules", rules.analyse),
    ("executive", executive.analyse),
    ("followup", followup.analyse),  # ids and statuses for everything the others found
    ("watchlist", watchlist.analyse),  # the alerts between packs, from the audit store
)


# what a comparison needs no part of: tables of this period's own (and forecast_error, read from
# the audit store for this pack)
TABLES_ONLY = frozenset({"budget", "bridge", "forecast_actual", "followup", "watchlist"})


def analyse(portfolio: Portfolio, comparison: bool = False) -> Results:
    """With `comparison`, only what an earlier period's metrics need: the pass that gives each
    metric its value a period or a year before."""
    results = Results()
    for name, run in ANALYSES:
        if comparison and name in TABLES_ONLY:
            continue
        try:
            run(portfolio, results)
        except Exception as exc:  # recorded and shown in the pack; the others still run
            results.failures[name] = f"{type(exc).__name__}: {exc}"
    return results
