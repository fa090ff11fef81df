"""The built-in sections. A section turns Results into blocks; roles are lists of section ids.

Registered through the `boardpack.sections` entry point like a third-party package's sections.
A section names the sources and the analysis it rests on, so that when one is missing, stale or
broken the section says so plainly instead of showing stale numbers as current.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from boardpack.analyses.bridge import CEO_MOVES
from boardpack.analyses.delivery import FIGURES as DELIVERY_FIGURES
from boardpack.model import Portfolio, Results
from boardpack.reports.document import (
    ActionsBlock,
    Block,
    ChartBlock,
    FindingsBlock,
    MetricsBlock,
    TableBlock,
    TextBlock,
)

Build = Callable[[Results, Portfolio], list[Block]]


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    build: Build
    needs: tuple[str, ...] = ()  # source names without which the section has nothing to say
    # sources it draws on in part: their absence is noted, the rest still shown
    uses: tuple[str, ...] = ()
    analysis: str | None = None  # the analysis whose failure makes the section unavailable


def metrics(*ids: str) -> Build:
    def build(results: Results, portfolio: Portfolio) -> list[Block]:
        found = tuple(results.metrics[i] for i in ids if i in results.metrics)
        return [MetricsBlock(items=found)] if found else []

    return build


def tables(*ids: str, empty: str = "", unset: bool = False) -> Build:
    """The tables that have rows, else `empty` said — with `unset`, as a note that the workspace
    configures none, which is for whoever keeps it (roles.py sets it apart)."""

    def build(results: Results, portfolio: Portfolio) -> list[Block]:
        found = [results.tables[i] for i in ids if i in results.tables and results.tables[i].rows]
        said = [not_set_up(empty) if unset else TextBlock(text=empty)] if empty else []
        return [TableBlock(table=t) for t in found] or said

    return build


def not_set_up(text: str) -> TextBlock:
    """What the workspace does not configure, and how to: its owner's to read."""
    return TextBlock(text=text, tone="warn", setup=True)


def findings(*areas: str, none: str = "", notes: bool | None = None) -> Build:
    """Findings of these areas; `notes=True` only those a handoff note records, `False` only the
    others."""

    def build(results: Results, portfolio: Portfolio) -> list[Block]:
        paths = {n.path for n in portfolio.notes}
        found = tuple(
            f
            for f in results.ranked_findings(setup=True)
            if f.area in areas and (notes is None or (f.source.rsplit(":", 1)[0] in paths) == notes)
        )
        if found:
            return [FindingsBlock(items=found)]
        return [TextBlock(text=none)] if none else []

    return build


def both(*parts: Build) -> Build:
    return lambda results, portfolio: [
        block for part in parts for block in part(results, portfolio)
    ]


def compliance(results: Results, portfolio: Portfolio) -> list[Block]:
    """The account's score, then each venture's, beside which the maturity section sits."""
    ids = [f"technology.compliance.{e.id}" for e in portfolio.workspace.settings.entities]
    return metrics("technology.compliance", *ids)(results, portfolio)


def service_health(results: Results, portfolio: Portfolio) -> list[Block]:
    """Each CloudWatch metric, as its source lists them."""
    return metrics(
        *(
            f"technology.{s.name}.{m.id}"
            for s in portfolio.workspace.settings.sources.cloudwatch
            for m in s.metrics
        )
    )(results, portfolio)


def customers(results: Results, portfolio: Portfolio) -> list[Block]:
    """Each venture's customer concentration, then in full the customers of a venture with no
    report of its own to show them — the concentration left out when it would only repeat them."""
    unreported = [e for e in portfolio.workspace.settings.entities if not e.has_report()]
    summary = results.tables.get("finance.customer_concentration")
    listed = {e.name for e in unreported}
    repeats = summary is not None and all(r["venture"] in listed for r in summary.rows)
    return tables(
        *(() if repeats else ("finance.customer_concentration",)),
        *(f"{e.id}.customers" for e in unreported),
    )(results, portfolio)


def revenue_at_risk(results: Results, portfolio: Portfolio) -> list[Block]:
    """The CEO's three: the technology findings that put the most revenue at risk."""
    table = results.tables.get("security.revenue_at_risk")
    if table is None or not table.rows:
        return [TextBlock(text="No technology finding puts revenue at risk.")]
    return [
        TextBlock(
            text=f"{n}. {r['finding'].rstrip('.')} ({r['severity']}, {r['venture']}) — puts"
            f" {r['share']}% of revenue at risk."
        )
        for n, r in enumerate(table.rows[:3], start=1)
    ] + [TextBlock(text=table.note)]


def security(results: Results, portfolio: Portfolio) -> list[Block]:
    found = findings("security", notes=False)(results, portfolio)
    if not found:
        return [TextBlock(text="No security findings in what could be read.")]
    return found + tables("technology.severity_rubric")(results, portfolio)


def maturity(results: Results, portfolio: Portfolio) -> list[Block]:
    ids = [f"technology.maturity.{e.id}" for e in portfolio.workspace.settings.entities]
    return metrics(*ids)(results, portfolio) + tables("technology.maturity")(results, portfolio)


def revenue_by_entity(results: Results, portfolio: Portfolio) -> list[Block]:
    ids = ["finance.revenue", "finance.revenue_other_basis"] + [
        f"finance.revenue.{e.id}" for e in portfolio.workspace.settings.entities
    ]
    return metrics(*ids)(results, portfolio) + tables("finance.basis_bridge")(results, portfolio)


def shortfalls(results: Results, portfolio: Portfolio) -> list[Block]:
    ranked = tuple(
        f for f in results.ranked_findings() if f.severity in ("critical", "high", "medium")
    )[:10]
    return (
        [FindingsBlock(items=ranked)]
        if ranked
        else [TextBlock(text="No shortfalls of medium severity or worse.")]
    )


def agenda(results: Results, portfolio: Portfolio) -> list[Block]:
    return (
        [ActionsBlock(items=tuple(results.agenda))]
        if results.agenda
        else [TextBlock(text="Nothing is due in the next 30 days.")]
    )


def decisions(results: Results, portfolio: Portfolio) -> list[Block]:
    """What the owners must decide: the notes' decisions, then the agenda's actions that are a
    choice (a failed decision rule, how to get through a cash low)."""
    asked = (*results.decisions, *(a for a in results.agenda if a.decision))
    return (
        [ActionsBlock(items=asked)]
        if asked
        else [TextBlock(text="Nothing is waiting on a decision this period.")]
    )


def blasts(results: Results, portfolio: Portfolio) -> list[Block]:
    lists = portfolio.workspace.settings.marketing.lists
    if not lists:
        text = "No email lists are configured: add [[marketing.lists]] to model a blast."
        return [not_set_up(text)]
    ids = [
        f"marketing.{kind}.{lst.name}" for lst in lists for kind in ("blast_revenue", "blast_roi")
    ]
    return metrics(*ids)(results, portfolio) + tables("marketing.email_blasts")(results, portfolio)


def chart(
    table_id: str,
    title: str,
    label: str,
    columns: dict[str, str],
    limit: int | None = None,
    note: str = "",
) -> Build:
    """Bars from a table the analyses made: `columns` maps a column id to its series name; rows with
    no value are left out; with `limit`, the largest rows (by the first series) in that order.
    Amounts are money.
    """

    def build(results: Results, portfolio: Portfolio) -> list[Block]:
        table = results.tables.get(table_id)
        rows = (
            [(str(row[label]), tuple(row.get(c) or 0 for c in columns)) for row in table.rows]
            if table
            else []
        )
        rows = [r for r in rows if any(r[1])]
        if limit:
            rows = sorted(rows, key=lambda r: -abs(r[1][0]))[:limit]
        currency = portfolio.currency
        return (
            [
                ChartBlock(
                    id=f"{table_id}.chart",
                    title=title,
                    unit=currency,
                    series=tuple(columns.values()),
                    rows=tuple(rows),
                    note=note,
                )
            ]
            if rows
            else []
        )

    return build


def cost_by_category(results: Results, portfolio: Portfolio) -> list[Block]:
    built = chart(
        "accounting.expenses_by_period",
        f"Cost by category, {portfolio.period.title}",
        "account",
        {portfolio.period.label: "Cost"},
        limit=8,
        note="The largest expense accounts, eight at most",
    )
    return [
        replace(
            block,
            rows=tuple((label.removeprefix("Expenses:"), values) for label, values in block.rows),
        )
        for block in built(results, portfolio)
    ]


def funnel(results: Results, portfolio: Portfolio) -> list[Block]:
    table = results.tables.get("marketing.channels")
    if not table or not table.rows:
        return []
    totals = {
        stage: sum(row.get(stage) or 0 for row in table.rows)
        for stage in ("visits", "leads", "bookings")
    }
    return [
        ChartBlock(
            id="marketing.funnel.chart",
            title="Funnel, all channels",
            unit="",
            series=("Count",),
            rows=tuple((stage.capitalize(), (total,)) for stage, total in totals.items()),
        )
    ]


def largest_moves(results: Results, portfolio: Portfolio) -> list[Block]:
    """The commentary's sentences of the largest moves since the previous period (a report with no
    bridge table: the CEO's)."""
    table = results.tables.get("finance.commentary")
    rows = [
        r
        for r in (table.rows if table else ())
        if r["basis"] == "previous" and r["rank"] <= CEO_MOVES
    ]
    if not rows:
        return [TextBlock(text="No move in net income passed the variance threshold.")]
    return [TextBlock(text=r["sentence"]) for r in rows]


def drivers(results: Results, portfolio: Portfolio) -> list[Block]:
    """What drove the material moves, where another source says: the bridge's table and chart give
    each move's size, so the sentences say only what they cannot, each once."""
    table = results.tables.get("finance.commentary")
    said: dict[tuple[str, str, str], list[str]] = {}  # one driver of a venture's moves, once
    for r in (r for r in (table.rows if table else ()) if r["material"] and r["why"]):
        said.setdefault((r["venture"], r["against"], r["why"]), []).append(r["account"])
    if not said:
        return [
            TextBlock(
                text=(
                    "No other source says what drove a move past the variance threshold: the"
                    " bridge has each move."
                )
            )
        ]
    return [
        TextBlock(text=f"{venture}: {' and '.join(accounts)} against {against}: {why}.")
        for (venture, against, why), accounts in said.items()
    ]


def bridge_chart(results: Results, portfolio: Portfolio) -> list[Block]:
    """The bridge's steps from the previous period as bars, the totals left out."""
    table = results.tables.get("finance.bridge")
    if not table or len(table.rows) < 3:
        return []
    return [
        ChartBlock(
            id="finance.bridge.chart",
            title="The moves in net income",
            unit=portfolio.currency,
            series=("Change",),
            rows=tuple((r["label"], (r["amount"],)) for r in table.rows[1:-1]),
            note="Bars are sizes; the figure's sign says which way net income moved.",
        )
    ]


SECTIONS: Sequence[SectionSpec] = (
    SectionSpec(
        "executive.summary",
        "The period at a glance",
        metrics(
            "finance.cash_balance",
            "finance.runway_months",
            "finance.net_burn",
            "finance.revenue",
            "finance.revenue_other_basis",
            "accounting.net_income",
            "executive.open_findings",
        ),
        analysis="executive",
    ),
    SectionSpec(
        "executive.shortfalls", "Most serious shortfalls", shortfalls, analysis="executive"
    ),
    SectionSpec(
        "executive.kpis",
        "KPIs against targets",
        tables(
            "executive.kpis",
            empty="No KPI targets are configured: add [[kpis]] to boardpack.toml.",
            unset=True,
        ),
        analysis="executive",
    ),
    SectionSpec(
        "executive.revenue_at_risk",
        "Technology risk, by the revenue it puts at risk",
        revenue_at_risk,
        analysis="revenue_risk",
    ),
    SectionSpec("executive.agenda", "30-day agenda", agenda, analysis="executive"),
    SectionSpec("executive.decisions", "Decisions needed", decisions, analysis="executive"),
    SectionSpec(
        "finance.by_venture",
        "By venture",
        tables("finance.by_venture"),
        needs=("ledger",),
        analysis="statements",
    ),
    SectionSpec(
        "executive.tasks",
        "Overdue and blocked work",
        tables("executive.tasks", empty="Nothing on the task boards is overdue or blocked."),
        needs=("tasks",),
        analysis="operations",
    ),
    SectionSpec(
        "executive.followup",
        "Since the last pack",
        both(
            metrics(
                "executive.actions_done",
                "executive.actions_slipped",
                "executive.findings_new_critical",
            ),
            tables(
                "executive.followup",
                empty=(
                    "No earlier pack was sent and recorded: from the next one, each action and"
                    " finding is followed up here."
                ),
            ),
        ),
        analysis="followup",
    ),
    SectionSpec(
        "executive.watch",
        "Alerts between packs",
        tables("executive.watch", empty="No [[watch]] rule crossed its line since the last pack."),
        analysis="watchlist",
    ),
    SectionSpec(
        "executive.assets", "Asset inventory", tables("executive.assets"), analysis="executive"
    ),
    SectionSpec(
        "finance.cash",
        "Cash, burn and runway",
        both(
            metrics(
                "finance.cash_balance",
                "finance.gross_burn",
                "finance.net_burn",
                "finance.runway_months",
            ),
            chart(
                "finance.monthly",
                "Revenue and expenses by month",
                "month",
                {"revenue": "Revenue", "expenses": "Expenses"},
            ),
            cost_by_category,
            tables("finance.monthly"),
        ),
        needs=("ledger",),
        analysis="finance",
    ),
    SectionSpec(
        "finance.forecast",
        "Cash forecast",
        both(
            metrics(
                "finance.runway_months",
                "finance.runway_months_trailing",
                "finance.cash_low",
                "finance.cash_low_date",
                "finance.forecast_error",
            ),
            chart(
                "finance.cash_forecast_months",
                "Forecast cash at each month's end",
                "month",
                {"closing": "Closing cash"},
            ),
            tables(
                "finance.cash_forecast_weeks",
                "finance.cash_forecast_months",
                "finance.scenarios",
                "finance.forecast_vs_actual",
            ),
        ),
        needs=("ledger",),
        analysis="forecast",
    ),
    SectionSpec(
        "finance.revenue",
        "Revenue by venture",
        revenue_by_entity,
        needs=("ledger",),
        analysis="finance",
    ),
    SectionSpec(
        "finance.break_even",
        "Break-even",
        both(
            metrics("finance.break_even_revenue", "finance.average_revenue"),
            tables("finance.break_even_units"),
        ),
        needs=("ledger",),
        analysis="finance",
    ),
    SectionSpec(
        "finance.revenue_targets",
        "Revenue targets",
        both(
            metrics("finance.required_growth"),
            tables(
                "finance.revenue_targets",
                empty=(
                    "No revenue goal is configured: set finance.revenue_goal "
                    "and finance.goal_month."
                ),
            ),
        ),
        needs=("ledger",),
        analysis="finance",
    ),
    SectionSpec(
        "technology.service_health",
        "Service health",
        service_health,
        analysis="service_health",
    ),
    SectionSpec(
        "operations.events",
        "What the business's systems recorded",
        tables("operations.events"),
        analysis="events",
    ),
    SectionSpec(
        "finance.customers",
        "Customers by venture",
        customers,
        needs=("ledger",),
        analysis="customers",
    ),
    SectionSpec(
        "finance.roadmap",
        "Profitability roadmap",
        both(
            metrics("finance.net_income_gap"),
            tables(
                "finance.profitability_roadmap",
                empty=(
                    "No net income goal is configured: set "
                    "finance.net_income_goal and finance.goal_month."
                ),
            ),
        ),
        needs=("ledger",),
        analysis="finance",
    ),
    SectionSpec(
        "finance.capital",
        "Capital deployment",
        both(
            metrics("finance.deployable_cash", "finance.capital_funded"),
            tables(
                "finance.capital_deployment",
                empty="No initiatives are configured: add [[finance.initiatives]] to rank them.",
                unset=True,
            ),
        ),
        needs=("ledger",),
        analysis="capital",
    ),
    SectionSpec(
        "finance.decision_rules",
        "Decision rules",
        tables(
            "finance.decision_rules",
            empty="No decision rules are configured: add [[finance.rules]].",
            unset=True,
        ),
        analysis="rules",
    ),
    SectionSpec(
        "finance.findings",
        "Financial findings",
        findings("finance", "overdraft", none="No financial findings."),
        needs=("ledger",),
        analysis="finance",
    ),
    SectionSpec(
        "accounting.income_statement",
        "Income statement",
        both(
            metrics(
                "accounting.net_income", "accounting.net_income_ttm", "accounting.unpriced_postings"
            ),
            tables("accounting.income_statement"),
        ),
        needs=("ledger",),
        analysis="accounting",
    ),
    SectionSpec(
        "accounting.tie_out",
        "Tie-out to the bank",
        both(
            findings("reconciliation"),
            tables(
                "accounting.tie_out",
                empty="No CSV bank export is read: nothing to tie out.",
            ),
        ),
        needs=("ledger",),
        analysis="accounting",
    ),
    SectionSpec(
        "accounting.budget_coverage",
        "Budget coverage",
        tables(
            "accounting.budget_coverage",
            empty=(
                "Every account with money this period has a budget line, or no budget is"
                " configured ([sources.budget])."
            ),
        ),
        needs=("ledger",),
        analysis="budget",
    ),
    SectionSpec(
        "finance.commentary",
        "What drove the moves",
        drivers,
        needs=("ledger",),
        analysis="bridge",
    ),
    SectionSpec(
        "executive.commentary",
        "What moved net income",
        largest_moves,
        needs=("ledger",),
        analysis="bridge",
    ),
    SectionSpec(
        "finance.bridge",
        "Why net income changed",
        both(
            bridge_chart,
            tables("finance.bridge", "finance.bridge_budget", "finance.bridge_year_earlier"),
        ),
        needs=("ledger",),
        analysis="bridge",
    ),
    SectionSpec(
        "finance.budget",
        "Budget against actual",
        tables(
            "finance.budget_vs_actual",
            empty='No budget is configured: add [sources.budget] path = "budget.csv".',
            unset=True,
        ),
        needs=("ledger",),
        analysis="budget",
    ),
    SectionSpec(
        "finance.statements",
        "Balance sheet and cash flow",
        metrics(
            "accounting.assets",
            "accounting.liabilities",
            "accounting.equity",
            "accounting.balance_unexplained",
            "accounting.cash_flow_operating",
            "accounting.cash_flow_investing",
            "accounting.cash_flow_financing",
            "accounting.cash_change",
        ),
        needs=("ledger",),
        analysis="statements",
    ),
    SectionSpec(
        "accounting.balance_sheet",
        "Balance sheet",
        both(
            findings("overdraft"),
            metrics(
                "accounting.assets",
                "accounting.liabilities",
                "accounting.equity",
                "accounting.overdraft",
                "accounting.balance_unexplained",
            ),
            tables(
                "accounting.balance_sheet",
                "accounting.balance_sheet_by_venture",
                "accounting.unexplained_rows",
            ),
        ),
        needs=("ledger",),
        analysis="statements",
    ),
    SectionSpec(
        "accounting.cash_flow",
        "Cash-flow statement",
        both(
            metrics(
                "accounting.cash_flow_operating",
                "accounting.cash_flow_investing",
                "accounting.cash_flow_financing",
                "accounting.cash_change",
            ),
            tables("accounting.cash_flow"),
        ),
        needs=("ledger",),
        analysis="statements",
    ),
    SectionSpec(
        "accounting.consolidation",
        "Ventures consolidated",
        tables(
            "accounting.consolidation",
            "accounting.eliminations",
            empty="One venture: nothing to consolidate.",
        ),
        needs=("ledger",),
        analysis="statements",
    ),
    SectionSpec(
        "accounting.coverage",
        "Chart-of-accounts coverage",
        both(
            metrics("accounting.uncategorized_count", "accounting.uncategorized_amount"),
            tables(
                "accounting.uncategorized",
                "accounting.unmapped_accounts",
                "accounting.rules_fired",
                "accounting.tax_lines",
            ),
            findings("accounting"),
        ),
        needs=("ledger",),
        analysis="accounting",
    ),
    SectionSpec(
        "accounting.revenue_recognition",
        "Revenue recognition",
        both(
            metrics("accounting.deferred_revenue", "accounting.revenue_recognized"),
            tables(
                "accounting.recognition_schedule",
                empty="No money received for a later service: nothing is deferred.",
            ),
            tables("finance.basis_bridge"),
        ),
        needs=("ledger",),
        analysis="revenue",
    ),
    SectionSpec(
        "accounting.expense_audit",
        "Expense audit",
        both(
            metrics("accounting.possible_duplicates", "accounting.recurring_monthly"),
            findings("expenses", none="No spending spikes and no duplicate payments."),
            tables(
                "accounting.duplicate_payments",
                "accounting.expenses_by_period",
                "accounting.recurring_charges",
            ),
        ),
        needs=("ledger",),
        analysis="expenses",
    ),
    SectionSpec(
        "marketing.channels",
        "Channel visibility",
        tables("marketing.channel_matrix", "marketing.channels"),
        needs=("channels",),
        analysis="marketing",
    ),
    SectionSpec(
        "marketing.channels_vs_books",
        "Channel revenue against the books",
        tables("marketing.channels_vs_books"),
        needs=("channels", "ledger"),
        analysis="marketing",
    ),
    SectionSpec(
        "marketing.funnel",
        "Funnel and conversion",
        both(funnel, tables("marketing.funnel")),
        needs=("channels",),
        analysis="marketing",
    ),
    SectionSpec("marketing.email_blasts", "Email blasts", blasts, analysis="marketing"),
    SectionSpec(
        "marketing.platforms",
        "Listing platforms",
        tables(
            "marketing.platforms",
            empty="No listing platforms are configured: add [[marketing.platforms]] to rank them.",
            unset=True,
        ),
        uses=("channels",),
        analysis="marketing",
    ),
    SectionSpec(
        "marketing.milestones",
        "30/60/90-day milestones",
        tables("marketing.milestones", empty="No marketing gaps found: no milestones."),
        analysis="marketing",
    ),
    SectionSpec(
        "marketing.findings",
        "Marketing findings",
        findings("marketing", none="No marketing findings."),
        analysis="marketing",
    ),
    SectionSpec(
        "technology.actions",
        "Engineering actions",
        tables(
            "technology.actions",
            empty="No engineering actions: no technology findings this period.",
        ),
        uses=("git", "aws"),
        analysis="technology",
    ),
    SectionSpec(
        "technology.security",
        "Security findings",
        security,
        uses=("git", "aws"),
        analysis="security",
    ),
    SectionSpec(
        "technology.dependencies",
        "Known-vulnerable dependencies",
        both(
            metrics("technology.vulnerable_dependencies"),
            findings("dependency", none="No pinned version is inside a known advisory's range."),
            tables("technology.dependencies"),
        ),
        needs=("git", "osv"),
        analysis="dependencies",
    ),
    SectionSpec(
        "technology.website",
        "Website accessibility",
        findings("accessibility", none="No accessibility problem found on the sites read."),
        needs=("sites",),
        analysis="website",
    ),
    SectionSpec(
        "marketing.local_search",
        "Local search",
        findings("local_search", none="The sites read are ready for local search."),
        needs=("sites",),
        analysis="website",
    ),
    SectionSpec(
        "technology.revenue_at_risk",
        "Risk ranked by revenue",
        tables("security.revenue_at_risk", empty="No technology finding to rank by revenue."),
        analysis="revenue_risk",
    ),
    SectionSpec(
        "technology.stacks", "Stack audit", tables("technology.stacks"), analysis="technology"
    ),
    SectionSpec(
        "technology.delivery",
        "Delivery: how often it ships, and how often it breaks",
        both(
            metrics(*(f"technology.{key}" for key, _, _ in DELIVERY_FIGURES)),
            tables("technology.delivery"),
        ),
        needs=("git",),
        analysis="delivery",
    ),
    SectionSpec(
        "technology.maturity",
        "Dev-cycle maturity",
        both(maturity, findings("engineering", notes=False), tables("technology.maturity_rubric")),
        needs=("git",),
        analysis="technology",
    ),
    SectionSpec(
        "technology.compliance",
        "AWS account hygiene",
        both(compliance, tables("technology.compliance", "technology.compliance_rubric")),
        needs=("aws",),
        analysis="hygiene",
    ),
    SectionSpec(
        "technology.cloud",
        "Cloud resources",
        tables("technology.cloud_resources", "technology.unassigned"),
        needs=("aws",),
        analysis="technology",
    ),
    SectionSpec(
        "technology.cost",
        "Cloud cost",
        both(
            metrics(
                "technology.cloud_cost", "technology.cloud_cost_change", "technology.cloud_cost_ttm"
            ),
            tables(
                "technology.cost_by_service",
                "technology.savings",
                empty="Cost Explorer returned no costs for these months.",
            ),
            tables("cloud_cost.by_entity"),
            findings("technology", notes=False),
        ),
        needs=("aws",),
        analysis="cloud_cost",
    ),
    SectionSpec(
        "technology.ledger_cost",
        "Technology cost in the books",
        both(
            metrics("cloud_cost.ledger", "cloud_cost.bill_vs_ledger"),
            tables("cloud_cost.bill_vs_ledger"),
            tables(
                "cloud_cost.ledger_by_payee",
                empty="No technology account has money in the ledger's last 12 months.",
            ),
        ),
        needs=("ledger",),
        analysis="cloud_cost",
    ),
    SectionSpec(
        "technology.risks",
        "Risks from the handoff notes",
        findings(
            "technology",
            "security",
            "engineering",
            none="The handoff notes record no technology risks.",
            notes=True,
        ),
        needs=("notes",),
        analysis="operations",
    ),
)
